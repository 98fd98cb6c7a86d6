-- 0007_reporting.sql - what reporting needs that the books did not keep, and
-- the roles that read and write them.
--
--   1. The positions and prices at the end of every settled epoch
--      (lrt.epoch_positions, lrt.epoch_prices), so that TVL by asset and by
--      operator over time is one indexed query, not a replay of the journal.
--      The settler writes them with each epoch (a few rows: assets times
--      locations, whatever the number of holders); the epochs settled
--      before this migration get theirs from the journal and the applied
--      price events, by the same two functions `lrt verify` uses to check
--      what the settler wrote.
--   2. The roles, least privilege (README, "Roles"): lrt_reader reads the
--      reporting schema lrt_report and nothing else; lrt_writer adds events
--      (lrt.submissions, since 0003); lrt_admin owns the schemas, so it
--      migrates and settles.  Roles belong to the cluster, not to one
--      database: each is created once, by whichever database migrates first.
--   3. The thin views of sql/views.sql give way to the reporting schema
--      (sql/reporting.sql), which `lrt migrate` rebuilds after every
--      migration.

-- ---- 1. positions and prices epoch by epoch ------------------------------------

CREATE TABLE lrt.epoch_positions (
    product_id     bigint NOT NULL,
    epoch          bigint NOT NULL CHECK (epoch >= 0),
    asset_ordinal  smallint NOT NULL CHECK (asset_ordinal >= 0),
    location       text COLLATE "C" NOT NULL,
    amount         numeric(78, 0) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (product_id, epoch, asset_ordinal, location)
);
COMMENT ON TABLE lrt.epoch_positions IS
    'Every non-zero position (asset, location) at the end of each settled epoch, in base units of the asset.';

CREATE TABLE lrt.epoch_prices (
    product_id     bigint NOT NULL,
    epoch          bigint NOT NULL CHECK (epoch >= 0),
    asset_ordinal  smallint NOT NULL CHECK (asset_ordinal > 0),
    price          numeric NOT NULL CHECK (price >= 0),
    PRIMARY KEY (product_id, epoch, asset_ordinal)
);
COMMENT ON TABLE lrt.epoch_prices IS
    'The price in force at the end of each settled epoch of every asset priced by then (the underlying''s is 1 and is not stored; an asset without a row is worth 0).';

-- The positions at the end of every settled epoch as the journal says them:
-- each position's debits minus its credits, summed over the epochs up to
-- that one.  Rows with a zero amount are left out, as the settler does.
CREATE FUNCTION lrt.epoch_positions_from_journal(product bigint)
RETURNS TABLE (epoch bigint, asset_ordinal smallint, location text, amount numeric)
LANGUAGE sql STABLE AS $$
    WITH legs AS (
        SELECT j.epoch, j.ledger, j.debit_name AS location, j.amount
          FROM lrt.journal j
         WHERE j.product_id = product AND j.debit_kind = 'position'
        UNION ALL
        SELECT j.epoch, j.ledger, j.credit_name, -j.amount
          FROM lrt.journal j
         WHERE j.product_id = product AND j.credit_kind = 'position'),
    moves AS (
        SELECT l.epoch, l.ledger, l.location, sum(l.amount) AS delta
          FROM legs l GROUP BY 1, 2, 3),
    running AS (
        SELECT m.epoch, m.ledger, m.location,
               sum(m.delta) OVER (PARTITION BY m.ledger, m.location ORDER BY m.epoch) AS amount,
               lead(m.epoch) OVER (PARTITION BY m.ledger, m.location ORDER BY m.epoch) AS next_epoch
          FROM moves m)
    SELECT e.epoch, r.ledger::smallint, r.location::text, r.amount
      FROM running r
      JOIN lrt.epochs e ON e.product_id = product AND e.epoch >= r.epoch
                       AND (r.next_epoch IS NULL OR e.epoch < r.next_epoch)
     WHERE r.amount <> 0
$$;

-- The price of each asset at the end of every settled epoch: the last price
-- event applied by then (SPEC section 3: by seq when every event of the
-- epoch has one, else in ingest order), rejected ones left out.
CREATE FUNCTION lrt.epoch_prices_from_inbox(product bigint)
RETURNS TABLE (epoch bigint, asset_ordinal smallint, price numeric)
LANGUAGE sql STABLE AS $$
    WITH settled AS (
        SELECT i.epoch, i.type, i.asset, i.price, i.event_id, i.seq, i.ingest_order,
               bool_and(i.seq IS NOT NULL) OVER (PARTITION BY i.epoch) AS by_seq
          FROM lrt.inbox i
         WHERE i.product_id = product
           AND i.epoch <= (SELECT s.settled_epoch FROM lrt.product_state s
                            WHERE s.product_id = product)),
    ordered AS (
        SELECT x.epoch, x.type, x.asset, x.price, x.event_id,
               row_number() OVER (PARTITION BY x.epoch
                   ORDER BY CASE WHEN x.by_seq THEN x.seq END, x.ingest_order) AS apply_order
          FROM settled x),
    applied AS (
        SELECT o.epoch, a.ordinal AS asset_ordinal, o.price, o.apply_order,
               lead(o.epoch) OVER (PARTITION BY a.ordinal ORDER BY o.epoch, o.apply_order)
                   AS next_epoch,
               lead(o.apply_order) OVER (PARTITION BY a.ordinal ORDER BY o.epoch, o.apply_order)
                   AS next_order
          FROM ordered o
          JOIN lrt.product_assets a ON a.product_id = product AND a.symbol = o.asset
         WHERE o.type = 'price' AND a.ordinal > 0
           AND NOT EXISTS (SELECT 1 FROM lrt.rejected_events r
                            WHERE r.product_id = product AND r.event_id = o.event_id)),
    last_of_epoch AS (
        SELECT x.epoch, x.asset_ordinal, x.price,
               lead(x.epoch) OVER (PARTITION BY x.asset_ordinal ORDER BY x.epoch) AS next_epoch
          FROM applied x
         WHERE x.next_epoch IS DISTINCT FROM x.epoch)
    SELECT e.epoch, l.asset_ordinal, l.price
      FROM last_of_epoch l
      JOIN lrt.epochs e ON e.product_id = product AND e.epoch >= l.epoch
                       AND (l.next_epoch IS NULL OR e.epoch < l.next_epoch)
$$;

INSERT INTO lrt.epoch_positions (product_id, epoch, asset_ordinal, location, amount)
SELECT p.product_id, x.epoch, x.asset_ordinal, x.location, x.amount
  FROM lrt.products p, lrt.epoch_positions_from_journal(p.product_id) x;

INSERT INTO lrt.epoch_prices (product_id, epoch, asset_ordinal, price)
SELECT p.product_id, x.epoch, x.asset_ordinal, x.price
  FROM lrt.products p, lrt.epoch_prices_from_inbox(p.product_id) x;

-- A holder's position reads the holder's requests by name.
CREATE INDEX withdrawal_requests_holder ON lrt.withdrawal_requests (product_id, holder);

-- ---- 2. the roles --------------------------------------------------------------

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['lrt_reader', 'lrt_writer', 'lrt_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migration made it meanwhile
            END;
        END IF;
    END LOOP;
END
$$;

-- The views themselves are sql/reporting.sql's, made again by every migrate.
CREATE SCHEMA lrt_report;
COMMENT ON SCHEMA lrt_report IS
    'Reporting views for analysts and BI tools (sql/reporting.sql); lrt migrate rebuilds them, so keep your own objects elsewhere.';

-- What each role may do is granted by sql/roles.sql, after every migration,
-- so that it covers the tables and views of later ones too.

-- ---- 3. the thin views give way to lrt_report ---------------------------------

DROP VIEW IF EXISTS lrt.events, lrt.rate_history, lrt.position_report,
    lrt.holder_values, lrt.withdrawal_queue;
DROP FUNCTION IF EXISTS lrt.whole(numeric, integer);
