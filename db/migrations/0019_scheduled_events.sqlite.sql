-- Discord Scheduled Events per series (issue 29): which series a server keeps events for, and the
-- event the bot made per release, so each is made once and then moved or deleted, never made twice.
--
-- event_series: one per server and series; scope is 'premieres' or 'episodes'. A series removed takes
-- its setting; its events' rows stay until the next sync deletes the events on Discord.
CREATE TABLE event_series (
    guild_id   INTEGER NOT NULL,
    series_id  INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL CHECK (scope IN ('premieres', 'episodes')),
    set_by     INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, series_id)
) WITHOUT ROWID;

-- scheduled_events: one per server, series and event key (what the event is: a season's premiere, an
-- episode). The row is written before the event is made (event_id NULL): a crash between the two is
-- recovered by finding the event by the marker in its description. shape is what was last sent, so
-- an unchanged event is not edited.
CREATE TABLE scheduled_events (
    guild_id   INTEGER NOT NULL,
    series_id  INTEGER NOT NULL,
    event_key  TEXT NOT NULL,
    event_id   INTEGER,
    starts_at  TEXT NOT NULL,
    shape      TEXT NOT NULL,
    PRIMARY KEY (guild_id, series_id, event_key)
) WITHOUT ROWID;

CREATE INDEX event_series_series ON event_series (series_id);
