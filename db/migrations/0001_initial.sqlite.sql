-- The fact store. Every pack-owned row carries pack_id and a stable key, so importing a pack again
-- updates rows in place and keeps their ids. guild_id is NULL for the pack's own data; a guild's own
-- facts (a release a moderator adds, say) carry that guild's id and are seen by that guild only.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE packs (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT,
    digest      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id      INTEGER,
    key           TEXT NOT NULL,
    title         TEXT NOT NULL,
    outlet        TEXT,
    published     TEXT,
    location      TEXT,
    from_articles INTEGER NOT NULL DEFAULT 1 CHECK (from_articles IN (0, 1)),
    note          TEXT,
    UNIQUE (pack_id, key)
);

CREATE TABLE series (
    id          INTEGER PRIMARY KEY,
    pack_id     INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id    INTEGER,
    key         TEXT NOT NULL,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('series', 'miniseries')),
    platform    TEXT,
    description TEXT,
    source_id   INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);

CREATE TABLE series_names (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);

CREATE TABLE seasons (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL CHECK (number >= 1),
    episodes  INTEGER CHECK (episodes >= 1),
    source_id INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key),
    UNIQUE (series_id, number)
);

CREATE TABLE releases (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id      INTEGER,
    key           TEXT NOT NULL,
    title         TEXT NOT NULL,
    series_id     INTEGER REFERENCES series (id) ON DELETE CASCADE,
    season_number INTEGER,
    platform      TEXT,
    UNIQUE (pack_id, key)
);
CREATE UNIQUE INDEX releases_guild_key ON releases (guild_id, key) WHERE guild_id IS NOT NULL;

-- Each announcement of a release date is kept; the latest one a guild can see is the current date.
CREATE TABLE release_dates (
    id           INTEGER PRIMARY KEY,
    pack_id      INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id     INTEGER,
    key          TEXT NOT NULL,
    release_id   INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    precision    TEXT NOT NULL
                 CHECK (precision IN ('exact', 'day', 'month', 'quarter', 'season', 'year', 'unknown')),
    value        TEXT,
    starts_at    TEXT,
    window_start TEXT,
    window_end   TEXT,
    timezone     TEXT NOT NULL,
    note         TEXT,
    announced_on TEXT,
    source_id    INTEGER REFERENCES sources (id),
    set_by       INTEGER,
    UNIQUE (pack_id, key)
);
CREATE INDEX release_dates_by_release ON release_dates (release_id, seq);

CREATE TABLE characters (
    id             INTEGER PRIMARY KEY,
    pack_id        INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id       INTEGER,
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    actor          TEXT,
    description    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('confirmed', 'rumoured')),
    source_id      INTEGER NOT NULL REFERENCES sources (id),
    name_source_id INTEGER REFERENCES sources (id),
    UNIQUE (pack_id, key)
);

CREATE TABLE character_names (
    id           INTEGER PRIMARY KEY,
    pack_id      INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('hero', 'alias', 'actor')),
    source_id    INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX character_names_by_character ON character_names (character_id);

CREATE TABLE affiliations (
    id           INTEGER PRIMARY KEY,
    pack_id      INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    character_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    source_id    INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX affiliations_by_character ON affiliations (character_id);

CREATE TABLE appearances (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    character_id  INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    series_id     INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    season_number INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('confirmed', 'rumoured')),
    note          TEXT,
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX appearances_by_character ON appearances (character_id);
CREATE INDEX appearances_by_series ON appearances (series_id);

CREATE TABLE relationships (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id  INTEGER,
    key       TEXT NOT NULL,
    first_id  INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    second_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL
              CHECK (kind IN ('romance', 'friendship', 'alliance', 'rivalry', 'family', 'other')),
    canon     TEXT NOT NULL CHECK (canon IN ('on_screen', 'comics', 'rumour')),
    status    TEXT,
    note      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    CHECK (first_id <> second_id),
    UNIQUE (pack_id, key)
);
CREATE INDEX relationships_by_first ON relationships (first_id);
CREATE INDEX relationships_by_second ON relationships (second_id);

CREATE TABLE production_facts (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    series_id     INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    season_number INTEGER,
    kind          TEXT NOT NULL
                  CHECK (kind IN ('showrunner', 'director', 'filming', 'working_title', 'renewal', 'note')),
    person        TEXT,
    text          TEXT NOT NULL,
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX production_facts_by_series ON production_facts (series_id);
