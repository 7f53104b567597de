-- TVmaze's own rating of an episode (issue 26): its `rating.average`, 0 to 10 with one decimal, kept in
-- step by sync and shown by /ratings beside the server's own. NULL: not rated (or not from TVmaze);
-- a season's own release row never has one.
ALTER TABLE releases ADD COLUMN rating REAL CHECK (rating >= 0 AND rating <= 10);
