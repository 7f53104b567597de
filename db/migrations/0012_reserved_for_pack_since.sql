-- A placeholder on the spoilers/core branch only: number 0012 belongs to the pack format's `since:`
-- (issue 25, another branch). Migrations must run 1, 2, 3… without a gap, so this keeps 0013 in
-- sequence until that branch lands. DELETE THIS FILE when merging the real 0012.
SELECT 1;
