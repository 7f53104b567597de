-- PostgreSQL variant of 0005_timer_attempts.sqlite.sql: attempted_at is an instant, TIMESTAMPTZ.
-- When a delivery was about to do what must not happen twice (a post). After a crash, a claim whose
-- attempt is older than Discord's nonce window is not repeated; see bot/scheduler.py.
ALTER TABLE timers ADD COLUMN attempted_at TIMESTAMPTZ;
