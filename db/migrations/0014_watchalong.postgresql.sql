-- PostgreSQL variant of 0014_watchalong.sqlite.sql: integers are BIGINT, *_at is TIMESTAMPTZ.
-- Watch-alongs (issue 26): a discussion thread per episode at its air instant, with ratings that close.
CREATE TABLE watchalongs (
    guild_id   BIGINT NOT NULL,
    series_id  BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    role_id    BIGINT,
    rating     BIGINT NOT NULL DEFAULT 1 CHECK (rating IN (0, 1)),
    days       BIGINT NOT NULL CHECK (days BETWEEN 1 AND 14),
    set_by     BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, series_id)
);

CREATE TABLE watchalong_threads (
    guild_id   BIGINT NOT NULL,
    release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    thread_id  BIGINT,
    message_id BIGINT,
    air_at     TIMESTAMPTZ NOT NULL,
    posted_at  TIMESTAMPTZ,
    closes_at  TIMESTAMPTZ NOT NULL,
    closed_at  TIMESTAMPTZ,
    PRIMARY KEY (guild_id, release_id)
);

CREATE TABLE episode_ratings (
    guild_id   BIGINT NOT NULL,
    release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL,
    stars      BIGINT NOT NULL CHECK (stars BETWEEN 1 AND 5),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, release_id, user_id)
);

CREATE INDEX watchalongs_series ON watchalongs (series_id);
CREATE INDEX watchalong_threads_release ON watchalong_threads (release_id);
CREATE INDEX watchalong_threads_air ON watchalong_threads (air_at) WHERE posted_at IS NULL;
CREATE INDEX watchalong_threads_closing ON watchalong_threads (closes_at) WHERE closed_at IS NULL;
CREATE INDEX episode_ratings_release ON episode_ratings (release_id);
