-- Several bot processes may share a store (PostgreSQL). A timer being delivered is held by one process
-- (claimed_by) until lease_until; the holder extends the lease while it works, and a claim whose lease
-- ran out (its process died) is taken over. A poll's message is edited by one process at a time: the
-- holder of edit_lease_until.
ALTER TABLE timers ADD COLUMN claimed_by TEXT;
ALTER TABLE timers ADD COLUMN lease_until TIMESTAMPTZ;
CREATE INDEX timers_claimed_by_lease ON timers (lease_until) WHERE state = 'claimed';

ALTER TABLE polls ADD COLUMN edit_owner TEXT;
ALTER TABLE polls ADD COLUMN edit_lease_until TIMESTAMPTZ;
