-- PostgreSQL variant of 0016_wikidata_names.sqlite.sql: the same tables, integers BIGINT, the instant TIMESTAMPTZ.
-- What Wikidata (CC0) gave for a TVmaze show (issue 27): its series' and characters' labels and aliases
-- in the bot's languages, and each character's performers. Kept as given, not as matched: every import
-- of the show matches them to its characters again (by performer and name) and attaches the matches as
-- names citing Wikidata, so they survive TVmaze's re-imports and follow its cast as it changes.
-- `fetched_at`: the last successful fetch, so a show is asked at most once a day (a first add aside).
CREATE TABLE wikidata_fetches (
    show_id     BIGINT PRIMARY KEY,
    series      TEXT,                 -- the series' item, e.g. Q23572; NULL: Wikidata has no item for the show
    fetched_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE wikidata_names (
    show_id  BIGINT NOT NULL REFERENCES wikidata_fetches (show_id) ON DELETE CASCADE,
    entity   TEXT NOT NULL,           -- the item the name belongs to: the series' or a character's
    subject  TEXT NOT NULL CHECK (subject IN ('series', 'character')),
    role     TEXT NOT NULL CHECK (role IN ('label', 'alias', 'performer')),
    text     TEXT NOT NULL,
    lang     TEXT NOT NULL,
    PRIMARY KEY (show_id, entity, role, lang, text)
);
