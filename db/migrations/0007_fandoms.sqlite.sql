-- Many fandoms in one store. A pack is a fandom; a guild follows some of them (by pack key, so a pack
-- removed and imported again is followed again). Until a moderator chooses (fandoms_chosen = 0), a
-- guild follows the bot's default fandoms (DEFAULT_FANDOMS).
ALTER TABLE packs ADD COLUMN file_digest TEXT;  -- sha256 of the file last imported: unchanged files are not parsed
ALTER TABLE packs ADD COLUMN location TEXT;     -- where that file was

ALTER TABLE guild_settings ADD COLUMN fandoms_chosen INTEGER NOT NULL DEFAULT 0 CHECK (fandoms_chosen IN (0, 1));

CREATE TABLE guild_fandoms (
    guild_id    INTEGER NOT NULL,
    pack_key    TEXT NOT NULL,
    followed_by INTEGER,
    followed_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, pack_key)
) WITHOUT ROWID;

-- A pack's own words for its kinds of canon (on screen, comics, books…) and of names (nickname,
-- title…): what cards say, and in which order canon is listed.
CREATE TABLE pack_terms (
    id       INTEGER PRIMARY KEY,
    pack_id  INTEGER NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('canon', 'name')),
    term     TEXT NOT NULL,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (pack_id, key)
);
CREATE INDEX pack_terms_lookup ON pack_terms (pack_id, kind, term);

-- Kinds of canon and of names now come from each pack, so their CHECKs go (SQLite rebuilds the table).
CREATE TABLE character_names_new (
    id           INTEGER PRIMARY KEY,
    pack_id      INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    source_id    INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
INSERT INTO character_names_new SELECT id, pack_id, key, character_id, name, kind, source_id FROM character_names;
DROP TABLE character_names;
ALTER TABLE character_names_new RENAME TO character_names;
CREATE INDEX character_names_by_character ON character_names (character_id);

CREATE TABLE relationships_new (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id  INTEGER,
    key       TEXT NOT NULL,
    first_id  INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    second_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL
              CHECK (kind IN ('romance', 'friendship', 'alliance', 'rivalry', 'family', 'other')),
    canon     TEXT NOT NULL,
    status    TEXT,
    note      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    CHECK (first_id <> second_id),
    UNIQUE (pack_id, key)
);
INSERT INTO relationships_new
    SELECT id, pack_id, guild_id, key, first_id, second_id, kind, canon, status, note, source_id FROM relationships;
DROP TABLE relationships;
ALTER TABLE relationships_new RENAME TO relationships;
CREATE INDEX relationships_by_first ON relationships (first_id);
CREATE INDEX relationships_by_second ON relationships (second_id);

CREATE INDEX characters_by_pack ON characters (pack_id);
CREATE INDEX releases_by_pack ON releases (pack_id);
