-- The episode that reveals a fact (a pack's `since:`): the series it is in and its place in that series
-- as one integer, season × 10000 + episode (db/facts/episode_refs.py), so whether a fact is after a
-- viewer's position is a comparison of two integers, not a parse. NULL: known from the start.
ALTER TABLE characters ADD COLUMN since_series_id INTEGER REFERENCES series (id);
ALTER TABLE characters ADD COLUMN since_order INTEGER;
ALTER TABLE character_names ADD COLUMN since_series_id INTEGER REFERENCES series (id);
ALTER TABLE character_names ADD COLUMN since_order INTEGER;
ALTER TABLE appearances ADD COLUMN since_series_id INTEGER REFERENCES series (id);
ALTER TABLE appearances ADD COLUMN since_order INTEGER;
ALTER TABLE relationships ADD COLUMN since_series_id INTEGER REFERENCES series (id);
ALTER TABLE relationships ADD COLUMN since_order INTEGER;
ALTER TABLE ships ADD COLUMN since_series_id INTEGER REFERENCES series (id);
ALTER TABLE ships ADD COLUMN since_order INTEGER;

-- What happens to a character in an episode (a pack's `events:`): a death, a reveal… Cards list them
-- oldest first; `position` keeps the pack's order among events of the same episode.
CREATE TABLE character_events (
    id              INTEGER PRIMARY KEY,
    pack_id         INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    character_id    INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('death', 'reveal', 'other')),
    text            TEXT NOT NULL,
    since_series_id INTEGER REFERENCES series (id),
    since_order     INTEGER,
    source_id       INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX character_events_by_character ON character_events (character_id);
