-- PostgreSQL variant of 0006_poll_tally_versions.sqlite.sql: the counters are BIGINT.
-- Every vote batch bumps tally_version; a tally edit that made it to Discord records the version it
-- showed. An open poll with tally_version > shown_version has a stale message: the next start
-- refreshes it, so an edit pending at shutdown is not lost.
ALTER TABLE polls ADD COLUMN tally_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE polls ADD COLUMN shown_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX polls_open ON polls (id) WHERE state = 'open';
