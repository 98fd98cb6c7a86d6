-- 0009_accepts.sql - who let a rate past the settlement guard, when, and
-- why; and journal partitions that every settler may write.
--
--   1. lrt.accepts, below.
--   2. A journal partition belongs to lrt_admin, not to the login that
--      happened to settle the epoch that made it: lrt.journal_partition
--      gives it away when it makes it (as roles.sql does for the tables of
--      a migration), and the partitions made before are given now.  Else a
--      person who accepts a rate with a login of their own (a member of
--      lrt_admin) could not write the partitions the service made.
--
-- `lrt settle --accept-rate RATE` records an accept event in lrt.inbox (SPEC
-- section 3: the rate it lets pass, for the epoch next to settle) and, with
-- it, one row here: the database role that decided (current_user), the
-- time, the application, the reason given with --reason (NULL when none
-- was), and the guard trip it answers.  An accept that names another rate
-- than the one the guard last stopped the epoch at, or an epoch the guard
-- has not stopped, is refused unless forced; a forced one says so here.
-- Accept events submitted with SQL (lrt.submissions) have no row: their
-- record is the submission itself.

CREATE TABLE lrt.accepts (
    product_id    bigint NOT NULL,
    accept_id     bigint GENERATED ALWAYS AS IDENTITY,
    epoch         bigint NOT NULL CHECK (epoch >= 0),
    rate          numeric(78, 0) NOT NULL CHECK (rate >= 0),
    event_id      text NOT NULL,
    trip_id       bigint,
    forced        boolean NOT NULL,
    reason        text CHECK (reason <> ''),
    accepted_at   timestamptz NOT NULL DEFAULT now(),
    accepted_by   text NOT NULL DEFAULT current_user,
    application   text NOT NULL DEFAULT current_setting('application_name'),
    PRIMARY KEY (product_id, accept_id),
    FOREIGN KEY (product_id, event_id) REFERENCES lrt.inbox (product_id, event_id),
    FOREIGN KEY (product_id, trip_id) REFERENCES lrt.guard_trips (product_id, trip_id),
    -- only a forced accept may answer no trip
    CHECK (trip_id IS NOT NULL OR forced)
);
COMMENT ON TABLE lrt.accepts IS
    'Each lrt settle --accept-rate: the rate let past the guard for an epoch, the accept event it recorded in lrt.inbox, the guard trip it answers (NULL: none, forced), whether it was forced (another rate than the trip''s, or no trip), the reason given, when, the database role and the application.';
COMMENT ON COLUMN lrt.accepts.forced IS
    'true when --force recorded it: its rate is not the rate_after of the epoch''s last guard trip, or the guard had not stopped the epoch.';

CREATE OR REPLACE FUNCTION lrt.journal_partition(p_epoch bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := format('lrt.%I', 'journal_' || p_epoch);
    v_next text;
    v_epoch bigint;
    v_give boolean := pg_has_role(current_user, 'lrt_admin', 'MEMBER');
BEGIN
    IF to_regclass(v_name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(1280463946, 0);  -- "LRTJ"
        FOR v_epoch IN p_epoch .. p_epoch + 15 LOOP
            v_next := format('lrt.%I', 'journal_' || v_epoch);
            IF to_regclass(v_next) IS NULL THEN
                EXECUTE format('CREATE TABLE %s PARTITION OF lrt.journal'
                               ' FOR VALUES FROM (%s) TO (%s)', v_next, v_epoch, v_epoch + 1);
                IF v_give THEN
                    EXECUTE format('ALTER TABLE %s OWNER TO lrt_admin', v_next);
                END IF;
            ELSIF v_epoch > p_epoch THEN
                EXIT;   -- the ones after it were made with it
            END IF;
        END LOOP;
    END IF;
    RETURN v_name;
END
$$;
COMMENT ON FUNCTION lrt.journal_partition(bigint) IS
    'The journal partition of an epoch (made when missing, owned by lrt_admin when the caller may give it); detach an old one with ALTER TABLE lrt.journal DETACH PARTITION.';

DO $$
DECLARE
    v_partition regclass;
BEGIN
    IF NOT pg_has_role(current_user, 'lrt_admin', 'MEMBER') THEN
        RETURN;
    END IF;
    FOR v_partition IN
        SELECT i.inhrelid::regclass FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'lrt.journal'::regclass AND c.relowner <> 'lrt_admin'::regrole
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO lrt_admin', v_partition);
    END LOOP;
END
$$;
