-- Guild settings, reminder subscriptions, personal (DM) reminders, and the one durable timer table
-- that every scheduled action of the bot goes through.

CREATE TABLE guild_settings (
    guild_id   INTEGER PRIMARY KEY,
    timezone   TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    role_id         INTEGER,
    offsets         TEXT NOT NULL,  -- JSON array: seconds before the release, largest first
    state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
    disabled_reason TEXT,
    disabled_at     TEXT,
    created_by      INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (guild_id, channel_id)
);

CREATE TABLE personal_reminders (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER,  -- where it was set, so the date is the one that guild sees; NULL in DMs
    user_id    INTEGER NOT NULL,
    release_id INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX personal_reminders_once ON personal_reminders (ifnull(guild_id, 0), user_id, release_id);

-- A timer is claimed (pending → claimed) before its action and finished after it, so a restart
-- never repeats a finished one. due_at moves on a retry; first_due_at is what catch-up is measured by.
CREATE TABLE timers (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    delivery_key TEXT NOT NULL UNIQUE,
    guild_id     INTEGER,
    due_at       TEXT NOT NULL,
    first_due_at TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'claimed', 'done', 'skipped', 'cancelled', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    claimed_at   TEXT,
    finished_at  TEXT,
    outcome      TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX timers_pending_by_due ON timers (due_at) WHERE state = 'pending';
CREATE INDEX timers_by_guild ON timers (guild_id, kind, state);
