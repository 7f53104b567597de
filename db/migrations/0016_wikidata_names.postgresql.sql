-- Placeholder for helper W's migration 0016 (Wikidata names, issue 27), so that 0017 follows without a
-- gap on this branch: at the merge, W's file of the same name replaces this one.
SELECT 1;
