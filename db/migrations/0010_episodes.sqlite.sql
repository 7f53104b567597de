-- Episodes are releases: every command that counts down to, lists or reminds of a release works for
-- an episode. `kind` says which: a season or other premiere ('release'), a numbered episode of a
-- season ('episode'), or a special outside the numbering ('special'). A season's premiere and finale
-- are its first and last episodes when the pack lists them.
ALTER TABLE releases ADD COLUMN kind TEXT NOT NULL DEFAULT 'release' CHECK (kind IN ('release', 'episode', 'special'));
ALTER TABLE releases ADD COLUMN episode INTEGER CHECK (episode >= 1);  -- NULL but for kind 'episode'
ALTER TABLE releases ADD COLUMN episode_title TEXT;
ALTER TABLE releases ADD COLUMN runtime INTEGER CHECK (runtime >= 1);  -- minutes
CREATE INDEX releases_by_series ON releases (series_id, season_number, episode);
-- Reminders are planned over a rolling horizon: the releases starting inside it are found by instant.
CREATE INDEX release_dates_by_start ON release_dates (starts_at);

-- A channel reminded of every episode, not only of series and season premieres.
ALTER TABLE subscriptions ADD COLUMN episodes INTEGER NOT NULL DEFAULT 0 CHECK (episodes IN (0, 1));

-- A fandom kept in step with a TVmaze show. `overlay` is the hand-written pack (YAML declaring
-- `sync: {tvmaze: ID}`) whose aliases, relationships and notes are merged into every refresh; NULL
-- for a fandom added from Discord. `show_updated` is TVmaze's own change stamp at the last import,
-- so a sync asks the updates endpoint and fetches only shows that changed since.
CREATE TABLE tvmaze_shows (
    id            INTEGER PRIMARY KEY,
    pack_id       INTEGER NOT NULL UNIQUE REFERENCES packs (id) ON DELETE CASCADE,
    show_id       INTEGER NOT NULL UNIQUE,
    overlay       TEXT,
    show_updated  INTEGER,
    synced_at     TEXT NOT NULL,
    refreshed_at  TEXT,
    failed_at     TEXT,
    failure       TEXT
);
