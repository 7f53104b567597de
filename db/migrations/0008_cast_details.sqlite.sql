-- What a pack may say of its cast beyond names: a character's picture, how each appearance is billed
-- (main, recurring, guest: lookups rank by it), who played the role there when it was recast, and the
-- names fans give a pair ("ships").
ALTER TABLE characters ADD COLUMN image_url TEXT;  -- http(s) only, checked by the pack checker

ALTER TABLE appearances ADD COLUMN billing TEXT CHECK (billing IN ('main', 'recurring', 'guest'));
ALTER TABLE appearances ADD COLUMN actor TEXT;  -- NULL: the character's own actor
ALTER TABLE appearances ADD COLUMN actor_source_id INTEGER REFERENCES sources (id);

-- A pair of characters with names of its own. Several relationship statements may concern one pair;
-- its names belong to the pair. guild_id is there so `visible()` scopes ships like every other fact.
CREATE TABLE ships (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    guild_id  INTEGER,
    key       TEXT NOT NULL,
    first_id  INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    second_id INTEGER NOT NULL REFERENCES characters (id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    CHECK (first_id <> second_id),
    UNIQUE (pack_id, key)
);
CREATE INDEX ships_by_first ON ships (first_id);
CREATE INDEX ships_by_second ON ships (second_id);

CREATE TABLE ship_names (
    id        INTEGER PRIMARY KEY,
    pack_id   INTEGER REFERENCES packs (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    ship_id   INTEGER NOT NULL REFERENCES ships (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    UNIQUE (pack_id, key)
);
CREATE INDEX ship_names_by_ship ON ship_names (ship_id);
