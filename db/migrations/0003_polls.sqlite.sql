-- Polls, their options and votes. A voter's id is kept only to allow one vote each; it is never shown.

CREATE TABLE polls (
    id                  INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    channel_id          INTEGER NOT NULL,
    message_id          INTEGER,
    result_message_id   INTEGER,  -- the "poll closed" post; NULL until it is made
    creator_id          INTEGER NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('ship', 'pairing', 'custom')),
    question            TEXT NOT NULL,
    first_character_id  INTEGER REFERENCES characters (id) ON DELETE SET NULL,
    second_character_id INTEGER REFERENCES characters (id) ON DELETE SET NULL,
    pair_key            TEXT,  -- "low:high" character ids of a ship poll, for the pair's record
    hide_results        INTEGER NOT NULL DEFAULT 0 CHECK (hide_results IN (0, 1)),
    state               TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_at          TEXT NOT NULL,
    closes_at           TEXT NOT NULL,
    closed_at           TEXT,
    closed_by           INTEGER  -- who closed it early; NULL when it closed at its deadline
);
CREATE INDEX polls_by_guild ON polls (guild_id, state, closes_at);
CREATE INDEX polls_by_pair ON polls (guild_id, pair_key) WHERE pair_key IS NOT NULL;

CREATE TABLE poll_options (
    poll_id      INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    label        TEXT NOT NULL,
    character_id INTEGER REFERENCES characters (id) ON DELETE SET NULL,
    PRIMARY KEY (poll_id, position)
);

CREATE TABLE votes (
    poll_id  INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    position INTEGER NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
CREATE INDEX votes_by_option ON votes (poll_id, position);
