-- PostgreSQL variant of 0015_episode_ratings_tvmaze.sqlite.sql: REAL is DOUBLE PRECISION, which holds
-- a Python float exactly, so a re-import compares the stored rating equal to the pack's and leaves
-- the row alone (a 4-byte real would read 7.3 back as 7.300000190734863 and update it every sync).
ALTER TABLE releases ADD COLUMN rating DOUBLE PRECISION CHECK (rating >= 0 AND rating <= 10);
