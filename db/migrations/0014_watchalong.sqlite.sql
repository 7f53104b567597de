-- Watch-alongs (issue 26): a discussion thread per episode at its air instant, with ratings that close.
-- Rows follow what they are about: a series removed takes its watch-alongs, an episode removed its
-- thread row and its ratings.
--
-- watchalongs: one per server and series; setting it again replaces it. rating is 0 or 1.
CREATE TABLE watchalongs (
    guild_id   INTEGER NOT NULL,
    series_id  INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    role_id    INTEGER,
    rating     INTEGER NOT NULL DEFAULT 1 CHECK (rating IN (0, 1)),
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 14),
    set_by     INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, series_id)
) WITHOUT ROWID;

-- watchalong_threads: one per server and episode, so an episode is posted once. posted_at is set by
-- the one process that claims the posting; thread_id and message_id once it is on Discord; closed_at
-- once its rating closed.
CREATE TABLE watchalong_threads (
    guild_id   INTEGER NOT NULL,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    thread_id  INTEGER,
    message_id INTEGER,
    air_at     TEXT NOT NULL,
    posted_at  TEXT,
    closes_at  TEXT NOT NULL,
    closed_at  TEXT,
    PRIMARY KEY (guild_id, release_id)
) WITHOUT ROWID;

-- episode_ratings: a member's one rating of an episode in a server, changed in place.
CREATE TABLE episode_ratings (
    guild_id   INTEGER NOT NULL,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    stars      INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, release_id, user_id)
) WITHOUT ROWID;

CREATE INDEX watchalongs_series ON watchalongs (series_id);
CREATE INDEX watchalong_threads_release ON watchalong_threads (release_id);
CREATE INDEX watchalong_threads_air ON watchalong_threads (air_at) WHERE posted_at IS NULL;
CREATE INDEX watchalong_threads_closing ON watchalong_threads (closes_at) WHERE closed_at IS NULL;
CREATE INDEX episode_ratings_release ON episode_ratings (release_id);
