-- PostgreSQL variant of 0013_viewer_positions.sqlite.sql: integers are BIGINT, *_at is TIMESTAMPTZ.
-- How far a viewer has watched, per series (issue 25). Rows follow their series: a series removed
-- takes its progress and its spoiler settings with it.
CREATE TABLE viewer_progress (
    user_id    BIGINT NOT NULL,
    series_id  BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    season     BIGINT,
    episode    BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, series_id),
    CHECK ((season IS NULL) = (episode IS NULL))
);

CREATE TABLE spoiler_reach (
    guild_id      BIGINT NOT NULL,
    channel_id    BIGINT NOT NULL,
    series_id     BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('aired', 'none', 'all', 'episode')),
    delay_seconds BIGINT NOT NULL CHECK (delay_seconds >= 0),
    season        BIGINT,
    episode       BIGINT,
    set_by        BIGINT,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, channel_id, series_id),
    CHECK ((kind = 'episode') = (season IS NOT NULL AND episode IS NOT NULL))
);

CREATE INDEX spoiler_reach_series ON spoiler_reach (series_id);
CREATE INDEX viewer_progress_series ON viewer_progress (series_id);
