-- A guild's fandoms are one row per (guild, pack) it chose, never a list rewritten as a whole: a
-- follow (follows = 1) or an unfollow (follows = 0), kept by pack key so it outlives a pack removed
-- and imported again. A guild that has not left the defaults (fandoms_chosen = 0) follows the
-- operator's default packs plus its follows, minus its unfollows; one that has (its first
-- /fandom add, or a choice made before this migration) follows its follows only. Every row so far
-- was a follow of a guild that had chosen, so it keeps meaning exactly that.
ALTER TABLE guild_fandoms ADD COLUMN follows INTEGER NOT NULL DEFAULT 1 CHECK (follows IN (0, 1));
