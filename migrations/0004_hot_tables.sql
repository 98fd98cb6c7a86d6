-- 0004_hot_tables.sql - the tables a settlement writes by the million, with
-- nothing per row that the writer already knows.
--
--   1. the journal is partitioned by epoch (declarative partitioning): a
--      settlement COPYs an epoch's transfers into that epoch's own
--      partition (lrt.journal_partition makes it), and an old epoch's
--      partition can be detached and archived; no primary key or index;
--   2. no foreign keys on the hot tables (inbox, holders, journal,
--      withdrawal_requests): `lrt verify` proves what they proved (every
--      event a request or a journal line names is in the inbox, every
--      epoch they name is settled, no journal line written twice);
--   3. text keys in the "C" collation: names compare and sort as bytes
--      (code-point order, as SPEC section 6 lists them), not by the rules
--      of a language;
--   4. the number of the product's last journal entry kept in its state
--      row, so that a settlement never scans the journal to number its own;
--      the queued requests indexed by request epoch, so that it reads only
--      those due.
-- The views of sql/ are dropped first (they name these columns) and made
-- again by `lrt migrate` after this file.

DROP VIEW IF EXISTS lrt.events, lrt.rate_history, lrt.position_report,
    lrt.holder_values, lrt.withdrawal_queue;

-- ---- 2. foreign keys off the hot tables --------------------------------------------

ALTER TABLE lrt.holders DROP CONSTRAINT holders_product_id_fkey;
ALTER TABLE lrt.withdrawal_requests
    DROP CONSTRAINT withdrawal_requests_product_id_request_id_fkey,
    DROP CONSTRAINT withdrawal_requests_product_id_claim_event_id_fkey,
    DROP CONSTRAINT withdrawal_requests_product_id_finalized_epoch_fkey;
-- These two tables are not hot; their keys come back once the inbox's
-- event ids are in the "C" collation.
ALTER TABLE lrt.rejected_events DROP CONSTRAINT rejected_events_product_id_event_id_fkey;
ALTER TABLE lrt.prices DROP CONSTRAINT prices_product_id_event_id_fkey;

-- ---- 3. text keys in the "C" collation ---------------------------------------------

ALTER TABLE lrt.inbox ALTER COLUMN event_id TYPE text COLLATE "C";
ALTER TABLE lrt.rejected_events ALTER COLUMN event_id TYPE text COLLATE "C";
ALTER TABLE lrt.prices ALTER COLUMN event_id TYPE text COLLATE "C";
ALTER TABLE lrt.holders ALTER COLUMN holder TYPE lrt.label COLLATE "C";
ALTER TABLE lrt.withdrawal_requests
    ALTER COLUMN request_id TYPE text COLLATE "C",
    ALTER COLUMN holder TYPE lrt.label COLLATE "C",
    ALTER COLUMN claim_event_id TYPE text COLLATE "C";
ALTER TABLE lrt.locations ALTER COLUMN location TYPE lrt.label COLLATE "C";
ALTER TABLE lrt.positions ALTER COLUMN location TYPE lrt.label COLLATE "C";
ALTER TABLE lrt.ingest_rejects ALTER COLUMN source_file TYPE text COLLATE "C";

ALTER TABLE lrt.rejected_events
    ADD FOREIGN KEY (product_id, event_id) REFERENCES lrt.inbox;
ALTER TABLE lrt.prices
    ADD FOREIGN KEY (product_id, event_id) REFERENCES lrt.inbox;

-- ---- 1. the journal, partitioned by epoch -------------------------------------------

ALTER TABLE lrt.journal RENAME TO journal_unpartitioned;
DROP TRIGGER journal_append_only ON lrt.journal_unpartitioned;
DROP TRIGGER journal_no_truncate ON lrt.journal_unpartitioned;

-- The transfers as in 0001 (one row per movement, both accounts in one
-- ledger), with the same checks on each row, but no key: a settlement
-- numbers its entries itself (product_state.last_entry), and `lrt verify`
-- finds a place of an entry written twice.
CREATE TABLE lrt.journal (
    product_id     bigint NOT NULL,
    entry          bigint NOT NULL CHECK (entry >= 0),
    leg            integer NOT NULL CHECK (leg >= 0),
    epoch          bigint NOT NULL CHECK (epoch >= 0),
    event_id       text COLLATE "C",
    step           text NOT NULL CHECK (step IN ('deposit', 'withdraw', 'transfer',
                       'reward', 'slash', 'move', 'swap', 'claim',
                       'recognize', 'fee', 'finalize')),
    ledger         integer NOT NULL CHECK (ledger >= -2),
    debit_kind     text NOT NULL,
    debit_name     text COLLATE "C" CHECK (debit_name <> ''),
    credit_kind    text NOT NULL,
    credit_name    text COLLATE "C" CHECK (credit_name <> ''),
    amount         lrt.amount NOT NULL CHECK (amount > 0),
    CHECK (debit_kind <> credit_kind
           OR debit_name IS DISTINCT FROM credit_name),
    CHECK (lrt.account_fits_ledger(debit_kind, ledger)
       AND lrt.account_fits_ledger(credit_kind, ledger))
) PARTITION BY RANGE (epoch);
COMMENT ON TABLE lrt.journal IS
    'Double-entry transfers: amount moves from the credit account to the debit account of one ledger; one partition per epoch (lrt.journal_<epoch>).';

-- Lines written by hand for an epoch that has no partition yet; a
-- settlement always writes into its epoch's own.
CREATE TABLE lrt.journal_default PARTITION OF lrt.journal DEFAULT;

-- The partition of an epoch, made when it is first needed (with those of
-- the next 15 epochs, so that a settlement a day makes them twice a month,
-- not daily): its name, quoted.  Settlements of two products may reach one
-- epoch at once: the second waits for the first to commit, then finds the
-- partition made.
CREATE FUNCTION lrt.journal_partition(p_epoch bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := format('lrt.%I', 'journal_' || p_epoch);
    v_next text;
    v_epoch bigint;
BEGIN
    IF to_regclass(v_name) IS NULL THEN
        PERFORM pg_advisory_xact_lock(1280463946, 0);  -- "LRTJ"
        FOR v_epoch IN p_epoch .. p_epoch + 15 LOOP
            v_next := format('lrt.%I', 'journal_' || v_epoch);
            IF to_regclass(v_next) IS NULL THEN
                EXECUTE format('CREATE TABLE %s PARTITION OF lrt.journal'
                               ' FOR VALUES FROM (%s) TO (%s)', v_next, v_epoch, v_epoch + 1);
            ELSIF v_epoch > p_epoch THEN
                EXIT;   -- the ones after it were made with it
            END IF;
        END LOOP;
    END IF;
    RETURN v_name;
END
$$;
COMMENT ON FUNCTION lrt.journal_partition(bigint) IS
    'The journal partition of an epoch (made when missing); detach an old one with ALTER TABLE lrt.journal DETACH PARTITION.';

SELECT lrt.journal_partition(e.epoch)
  FROM (SELECT DISTINCT epoch FROM lrt.journal_unpartitioned) e;
INSERT INTO lrt.journal SELECT * FROM lrt.journal_unpartitioned;
DROP TABLE lrt.journal_unpartitioned;

-- The journal is the audit trail: lines are added, never changed or
-- removed (a whole epoch is detached, never edited).  The row trigger never
-- fires on the insert of a settlement.
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON lrt.journal
    FOR EACH ROW EXECUTE FUNCTION lrt.journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON lrt.journal
    FOR EACH STATEMENT EXECUTE FUNCTION lrt.journal_refuse_change();

-- ---- 4. the last journal entry, the requests due -----------------------------------------

-- A settlement reads only the queued requests its epoch may finalize
-- (request_epoch + delay <= epoch), not the whole queue.
CREATE INDEX withdrawal_requests_due ON lrt.withdrawal_requests
    (product_id, request_epoch, queue_position) WHERE status = 'queued';

ALTER TABLE lrt.product_state ADD COLUMN last_entry bigint NOT NULL DEFAULT 0
    CHECK (last_entry >= 0);
COMMENT ON COLUMN lrt.product_state.last_entry IS
    'The number of the last journal entry of the product (0 before the first).';
UPDATE lrt.product_state s
   SET last_entry = coalesce((SELECT max(j.entry) FROM lrt.journal j
                               WHERE j.product_id = s.product_id), 0);
