-- How far a viewer has watched, per series (issue 25). Rows follow their series: a series removed
-- takes its progress and its spoiler settings with it.
--
-- viewer_progress: one member's own position, the same in every server and in DMs. season and
-- episode are both NULL for `none` (not started); there is no `all` to set for oneself.
CREATE TABLE viewer_progress (
    user_id    INTEGER NOT NULL,
    series_id  INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    season     INTEGER,
    episode    INTEGER,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, series_id),
    CHECK ((season IS NULL) = (episode IS NULL))
) WITHOUT ROWID;

-- spoiler_reach: how far public replies may go in a server (channel_id 0) or one of its channels
-- (an override). kind is the `upto` a moderator gave; delay_seconds counts for `aired` only; season
-- and episode are set exactly for `episode`.
CREATE TABLE spoiler_reach (
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    series_id     INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('aired', 'none', 'all', 'episode')),
    delay_seconds INTEGER NOT NULL CHECK (delay_seconds >= 0),
    season        INTEGER,
    episode       INTEGER,
    set_by        INTEGER,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, channel_id, series_id),
    CHECK ((kind = 'episode') = (season IS NOT NULL AND episode IS NOT NULL))
) WITHOUT ROWID;

CREATE INDEX spoiler_reach_series ON spoiler_reach (series_id);
CREATE INDEX viewer_progress_series ON viewer_progress (series_id);
