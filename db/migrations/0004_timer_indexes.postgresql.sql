-- PostgreSQL variant of 0004_timer_indexes.sqlite.sql: the same partial indexes.
-- Start-up and catch-up look for claimed timers and for long-overdue pending ones; with thousands of
-- open poll deadlines and reminders those lookups must not scan the table.
CREATE INDEX timers_claimed ON timers (id) WHERE state = 'claimed';
CREATE INDEX timers_pending_by_first_due ON timers (first_due_at) WHERE state = 'pending';
