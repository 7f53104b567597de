-- A placeholder on the polls branch only: issue 27's branches own 0016 and 0017 and polls v2 takes 0018.
-- Drop this file when those land (bundled_migrations refuses a gap, so the branch needs it until then).
SELECT 1;
