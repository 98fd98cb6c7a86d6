-- 0008_service.sql - what `lrt serve` listens to and what it and `lrt
-- status` report:
--
--   1. a NOTIFY on the channel lrt_inbox after every statement that adds
--      events to the inbox (an ingest's COPY is one statement: one notice
--      for a million events), and on lrt_submissions after rows are
--      submitted with SQL, so that the service wakes at once instead of
--      polling.  No payload: a notice says "look", the service reads what is
--      due; PostgreSQL folds identical notices of one transaction into one.
--   2. lrt.guard_trips: every time the settlement guard stopped an epoch
--      (SPEC section 5 step 4), with both rates, when and by whom, written
--      after the epoch's transaction rolled back, so that a stopped product
--      shows in `lrt status`, the metrics and the reports.

CREATE FUNCTION lrt.notify_inbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lrt_inbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_notify AFTER INSERT ON lrt.inbox
    FOR EACH STATEMENT EXECUTE FUNCTION lrt.notify_inbox();

CREATE FUNCTION lrt.notify_submissions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lrt_submissions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER submissions_notify AFTER INSERT ON lrt.submissions
    FOR EACH STATEMENT EXECUTE FUNCTION lrt.notify_submissions();

CREATE TABLE lrt.guard_trips (
    product_id    bigint NOT NULL,
    trip_id       bigint GENERATED ALWAYS AS IDENTITY,
    epoch         bigint NOT NULL CHECK (epoch >= 0),
    rate_before   numeric(78, 0) NOT NULL,
    rate_after    numeric(78, 0) NOT NULL,
    tripped_at    timestamptz NOT NULL DEFAULT now(),
    tripped_by    text NOT NULL DEFAULT current_user,
    application   text NOT NULL DEFAULT current_setting('application_name'),
    PRIMARY KEY (product_id, trip_id)
);
COMMENT ON TABLE lrt.guard_trips IS
    'Each time the settlement guard stopped an epoch: the rates before and after, when, the database role and the application (lrt settle, lrt serve on HOST); the epoch itself was not written.';
