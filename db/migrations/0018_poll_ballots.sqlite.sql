-- Polls v2 (issue 28): how many options a ballot may hold (picks), ranked ballots decided by instant
-- run-off, a role needed to vote, and whether voters may be listed after the close.
-- A ballot's choices are its option positions in rank order, comma-separated ("3,0,2"); votes.position
-- stays its first choice (the ship leaderboard and the per-option index read it). A member has one
-- ballot per poll, as before: the primary key (poll_id, user_id) is unchanged.
ALTER TABLE polls ADD COLUMN picks INTEGER NOT NULL DEFAULT 1 CHECK (picks BETWEEN 1 AND 25);
ALTER TABLE polls ADD COLUMN ranked INTEGER NOT NULL DEFAULT 0 CHECK (ranked IN (0, 1));
ALTER TABLE polls ADD COLUMN role_id INTEGER;
ALTER TABLE polls ADD COLUMN voters TEXT NOT NULL DEFAULT 'hidden' CHECK (voters IN ('hidden', 'shown'));
ALTER TABLE votes ADD COLUMN choices TEXT NOT NULL DEFAULT '';
UPDATE votes SET choices = CAST(position AS TEXT);
-- Set while a poll made with `opens` waits to be posted (its opening timer is due then); NULL once it is
-- posted, and for every poll posted at once.
ALTER TABLE polls ADD COLUMN opens_at TEXT;
