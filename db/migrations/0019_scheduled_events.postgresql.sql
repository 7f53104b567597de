-- PostgreSQL variant of 0019_scheduled_events.sqlite.sql: integers are BIGINT, *_at is TIMESTAMPTZ.
-- Discord Scheduled Events per series (issue 29).
CREATE TABLE event_series (
    guild_id   BIGINT NOT NULL,
    series_id  BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL CHECK (scope IN ('premieres', 'episodes')),
    set_by     BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guild_id, series_id)
);

CREATE TABLE scheduled_events (
    guild_id   BIGINT NOT NULL,
    series_id  BIGINT NOT NULL,
    event_key  TEXT NOT NULL,
    event_id   BIGINT,
    starts_at  TIMESTAMPTZ NOT NULL,
    shape      TEXT NOT NULL,
    PRIMARY KEY (guild_id, series_id, event_key)
);

CREATE INDEX event_series_series ON event_series (series_id);
