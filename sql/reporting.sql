-- reporting.sql - the reporting schema lrt_report: one view per question a
-- liquid restaking back-office asks, for analysts, BI tools and
-- `lrt report`.  `lrt migrate` rebuilds the schema after every migration
-- (this file drops every view and function of lrt_report and makes them
-- again), so a view's columns may change with the engine: keep your own
-- objects in another schema.  lrt_reader may read these views and nothing
-- else (sql/roles.sql).
--
-- Conventions, in every view:
--   - `symbol` names the product; "now" means after its last settled epoch;
--   - every amount is an exact numeric of base units, and each amount column
--     X has X_whole, the same amount in whole units (exact, never rounded),
--     with `underlying_decimals` or `share_decimals` (underlying + offset in
--     the erc4626 model) as a column wherever shares or the underlying
--     appear, so nobody divides by the wrong power of ten;
--   - money figures equal the engine's to the last base unit: stored by the
--     settler, or computed with the SPEC's rounding by the functions below
--     (div(), never numeric `/`, which rounds to a computed scale).
-- Ratios that are not money (APR, APY, shares of TVL) state their precision.

-- Everything in the schema goes, and is made again below.  The schema stays
-- (migrations/0007_reporting.sql made it), so that lrt_admin, who may not
-- create schemas in the database, can migrate.
DO $$
DECLARE
    statements text[];
    statement text;
BEGIN
    -- named before the first drop: a CASCADE may take later ones with it
    SELECT array_agg(x.statement) INTO statements
      FROM (SELECT format('DROP VIEW IF EXISTS %s CASCADE', c.oid::regclass) AS statement
              FROM pg_class c
             WHERE c.relnamespace = 'lrt_report'::regnamespace AND c.relkind = 'v'
            UNION ALL
            SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure)
              FROM pg_proc p
             WHERE p.pronamespace = 'lrt_report'::regnamespace) x;
    FOREACH statement IN ARRAY coalesce(statements, '{}') LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

-- ---- the SPEC's arithmetic, once -------------------------------------------------
-- Pure functions of their arguments (no table read), so a view's reader
-- needs no right on the tables behind them.

CREATE FUNCTION lrt_report.whole(amount numeric, decimals integer)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT trim_scale(amount * ('1e-' || decimals)::numeric)
$$;
COMMENT ON FUNCTION lrt_report.whole(numeric, integer) IS
    'amount base units in whole units of an asset with that many decimals, exactly.';

CREATE FUNCTION lrt_report.share_decimals(model text, decimals_offset integer,
                                          underlying_decimals integer)
RETURNS integer LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT underlying_decimals + CASE WHEN model = 'erc4626' THEN decimals_offset ELSE 0 END
$$;
COMMENT ON FUNCTION lrt_report.share_decimals(text, integer, integer) IS
    'SPEC section 2: a share has dec_u + offset decimals in the erc4626 model, dec_u in plain.';

-- SPEC section 2: to_assets(s) = floor(s * (A + VA) / (S + VS)), 0 when
-- S + VS = 0; VS = 10^offset and VA = 1 in erc4626, both 0 in plain.
CREATE FUNCTION lrt_report.to_assets(shares numeric, total_assets numeric,
                                     total_shares numeric, model text,
                                     decimals_offset integer)
RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN to_assets.total_shares + v.virtual_shares = 0 THEN 0
                ELSE div(to_assets.shares * (to_assets.total_assets + v.virtual_assets),
                         to_assets.total_shares + v.virtual_shares) END
      FROM (SELECT CASE WHEN to_assets.model = 'erc4626'
                        THEN ('1e' || to_assets.decimals_offset)::numeric ELSE 0 END
                       AS virtual_shares,
                   CASE WHEN to_assets.model = 'erc4626' THEN 1 ELSE 0 END AS virtual_assets) v
$$;
COMMENT ON FUNCTION lrt_report.to_assets(numeric, numeric, numeric, text, integer) IS
    'SPEC section 2 to_assets: floor(shares * (A + VA) / (S + VS)) underlying base units.';

-- SPEC section 1: value(a, q) = floor(q * price(a) * 10^dec_u / 10^dec_a);
-- a NULL price (none yet) is worth 0.
CREATE FUNCTION lrt_report.value(amount numeric, price numeric, asset_decimals integer,
                                 underlying_decimals integer)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT div(amount * coalesce(price, 0) * ('1e' || underlying_decimals)::numeric,
               ('1e' || asset_decimals)::numeric)
$$;
COMMENT ON FUNCTION lrt_report.value(numeric, numeric, integer, integer) IS
    'SPEC section 1 value(): floor(amount * price * 10^dec_u / 10^dec_a) underlying base units.';

-- An event's `time` as written (ISO-8601, UTC when no zone is given, or Unix
-- seconds), or NULL when the event gave an epoch instead.
CREATE FUNCTION lrt_report.event_time(written text)
RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF written IS NULL THEN
        RETURN NULL;
    ELSIF written ~ '^[0-9]+$' THEN
        RETURN to_timestamp(written::numeric);
    ELSIF written ~ '([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$' THEN
        RETURN written::timestamptz;
    END IF;
    RETURN written::timestamp AT TIME ZONE 'UTC';
EXCEPTION WHEN data_exception THEN
    RETURN NULL;  -- the engine read it; PostgreSQL's reader may not: no time
END
$$;

-- ---- products --------------------------------------------------------------------

CREATE VIEW lrt_report.products AS
SELECT p.symbol, p.underlying, p.model, p.decimals_offset,
       u.decimals AS underlying_decimals,
       lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals) AS share_decimals,
       to_timestamp(p.genesis_time) AS genesis, p.epoch_seconds,
       nullif(s.settled_epoch, -1) AS settled_epoch,
       s.total_assets, lrt_report.whole(s.total_assets, u.decimals) AS total_assets_whole,
       s.total_shares,
       lrt_report.whole(s.total_shares,
                        lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals))
           AS total_shares_whole,
       r.rate, lrt_report.whole(r.rate, u.decimals) AS rate_whole,
       s.deferred, lrt_report.whole(s.deferred, u.decimals) AS deferred_whole,
       s.fee_bps, s.fee_high_water_mark, s.delay_epochs, s.max_apr_bps,
       s.max_rate_change_bps, p.settle_lag_seconds
  FROM lrt.products p
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.to_assets(
                                 ('1e' || lrt_report.share_decimals(p.model, p.decimals_offset,
                                                                    u.decimals))::numeric,
                                 s.total_assets, s.total_shares, p.model, p.decimals_offset)
                             AS rate) r;
COMMENT ON VIEW lrt_report.products IS
    'A product: its fixed configuration, the policy in force and its state now; rate = to_assets(10^share_decimals).';

-- ---- the rate ----------------------------------------------------------------------

CREATE VIEW lrt_report.rates AS
SELECT p.symbol, e.epoch,
       to_timestamp(p.genesis_time + e.epoch * p.epoch_seconds) AS epoch_start,
       to_timestamp(p.genesis_time + (e.epoch + 1) * p.epoch_seconds) AS epoch_end,
       e.total_assets, lrt_report.whole(e.total_assets, u.decimals) AS total_assets_whole,
       e.total_shares, lrt_report.whole(e.total_shares, d.share_decimals) AS total_shares_whole,
       e.rate, lrt_report.whole(e.rate, u.decimals) AS rate_whole,
       e.rewards, lrt_report.whole(e.rewards, u.decimals) AS rewards_whole,
       e.slashed, lrt_report.whole(e.slashed, u.decimals) AS slashed_whole,
       e.revaluation, lrt_report.whole(e.revaluation, u.decimals) AS revaluation_whole,
       e.recognized, lrt_report.whole(e.recognized, u.decimals) AS recognized_whole,
       e.fee_value, lrt_report.whole(e.fee_value, u.decimals) AS fee_value_whole,
       e.fee_shares, lrt_report.whole(e.fee_shares, d.share_decimals) AS fee_shares_whole,
       e.deferred, lrt_report.whole(e.deferred, u.decimals) AS deferred_whole,
       e.buffer, lrt_report.whole(e.buffer, u.decimals) AS buffer_whole,
       e.claimable, lrt_report.whole(e.claimable, u.decimals) AS claimable_whole,
       e.events - x.rejected AS events_applied, x.rejected AS events_rejected,
       u.decimals AS underlying_decimals, d.share_decimals, e.settled_at
  FROM lrt.epochs e
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
  CROSS JOIN LATERAL (SELECT count(*) AS rejected FROM lrt.rejected_events r
                       WHERE r.product_id = e.product_id AND r.epoch = e.epoch) x;
COMMENT ON VIEW lrt_report.rates IS
    'A settled epoch: its time range, A, S, the rate (underlying base units per whole share), rewards, slashes, revaluation, recognized increase, fee, deferred reserve, buffer, claimable, events applied and rejected.';
COMMENT ON COLUMN lrt_report.rates.rate IS
    'SPEC section 2: to_assets(10^share_decimals) after the epoch, in underlying base units.';
COMMENT ON COLUMN lrt_report.rates.epoch_end IS
    'The end of the epoch''s time range [epoch_start, epoch_end).';

CREATE VIEW lrt_report.yield AS
WITH span AS (
    SELECT e.product_id, min(e.epoch) AS first_epoch, max(e.epoch) AS last_epoch
      FROM lrt.epochs e GROUP BY e.product_id),
windows AS (
    SELECT s.product_id, w.name, w.epochs AS window_epochs,
           CASE WHEN w.epochs IS NULL THEN s.first_epoch ELSE s.last_epoch - w.epochs END
               AS from_epoch,
           s.last_epoch AS to_epoch
      FROM span s
     CROSS JOIN (VALUES (1, '1 epoch', 1), (2, '7 epochs', 7), (3, '30 epochs', 30),
                        (4, 'inception', NULL)) w(ordinal, name, epochs))
SELECT p.symbol, w.name AS "window", w.to_epoch - w.from_epoch AS epochs,
       w.from_epoch, w.to_epoch, f.rate AS rate_from,
       lrt_report.whole(f.rate, u.decimals) AS rate_from_whole, t.rate AS rate_to,
       lrt_report.whole(t.rate, u.decimals) AS rate_to_whole,
       round(div((t.rate - f.rate) * 31536000 * 1000000000000,
                 f.rate * (w.to_epoch - w.from_epoch) * p.epoch_seconds)
             * 0.000000000001, 12) AS apr,
       CASE WHEN t.rate = 0 THEN -1
            ELSE round(exp(ln(t.rate::numeric / f.rate) * 31536000
                           / ((w.to_epoch - w.from_epoch) * p.epoch_seconds)) - 1, 12) END
           AS apy
  FROM windows w
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  JOIN lrt.epochs f ON f.product_id = w.product_id AND f.epoch = w.from_epoch
  JOIN lrt.epochs t ON t.product_id = w.product_id AND t.epoch = w.to_epoch
 WHERE w.to_epoch > w.from_epoch AND f.rate > 0
 ORDER BY p.symbol, w.window_epochs NULLS LAST;
COMMENT ON VIEW lrt_report.yield IS
    'A trailing window of a product (the last 1, 7 or 30 epochs, or since its first settled epoch) with APR and APY from the rate; windows longer than the history are left out.';
COMMENT ON COLUMN lrt_report.yield.apr IS
    'Simple annual rate: (rate_to - rate_from) / rate_from * 31536000 / (epochs * epoch_seconds), a 365-day year; exact, truncated toward zero to 12 decimals.';
COMMENT ON COLUMN lrt_report.yield.apy IS
    'Compounded annual yield: (rate_to / rate_from) ^ (31536000 / (epochs * epoch_seconds)) - 1, a 365-day year; computed by numeric exp and ln, accurate to the 12 decimals shown.';

-- ---- what the pool holds ---------------------------------------------------------------

CREATE VIEW lrt_report.tvl AS
SELECT p.symbol, x.epoch, a.symbol AS asset, x.location, l.kind AS location_kind,
       x.amount, lrt_report.whole(x.amount, a.decimals) AS amount_whole,
       a.decimals AS asset_decimals, pr.price,
       lrt_report.value(x.amount, pr.price, a.decimals, u.decimals) AS value,
       lrt_report.whole(lrt_report.value(x.amount, pr.price, a.decimals, u.decimals),
                        u.decimals) AS value_whole,
       u.decimals AS underlying_decimals
  FROM lrt.epoch_positions x
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets a ON a.product_id = x.product_id AND a.ordinal = x.asset_ordinal
  JOIN lrt.product_assets u ON u.product_id = x.product_id AND u.ordinal = 0
  JOIN lrt.locations l ON l.product_id = x.product_id AND l.location = x.location
  CROSS JOIN LATERAL (SELECT CASE WHEN x.asset_ordinal = 0 THEN 1
                                  ELSE (SELECT q.price FROM lrt.epoch_prices q
                                         WHERE q.product_id = x.product_id
                                           AND q.epoch = x.epoch
                                           AND q.asset_ordinal = x.asset_ordinal) END
                             AS price) pr;
COMMENT ON VIEW lrt_report.tvl IS
    'A non-zero position (asset, location) at the end of a settled epoch, valued at that epoch''s prices (SPEC value(), rounded down per position); location_kind claimable is owed to finalized withdrawals and never part of A (tvl_by_asset and tvl_by_location leave it out).';
COMMENT ON COLUMN lrt_report.tvl.price IS
    'Whole units of the underlying per whole unit of the asset at the end of the epoch; NULL when it had no price yet (worth 0).';

CREATE VIEW lrt_report.tvl_by_asset AS
SELECT t.symbol, t.epoch, t.asset, sum(t.amount) AS amount,
       lrt_report.whole(sum(t.amount), min(t.asset_decimals)) AS amount_whole,
       sum(t.value) AS value, lrt_report.whole(sum(t.value), min(t.underlying_decimals)) AS value_whole,
       min(t.asset_decimals) AS asset_decimals, min(t.underlying_decimals) AS underlying_decimals
  FROM lrt_report.tvl t
 WHERE t.location_kind <> 'claimable'
 GROUP BY t.symbol, t.epoch, t.asset;
COMMENT ON VIEW lrt_report.tvl_by_asset IS
    'An asset at the end of a settled epoch: its amount over every location but claimable, and the sum of the positions'' values.';

CREATE VIEW lrt_report.tvl_by_location AS
SELECT t.symbol, t.epoch, t.location, min(t.location_kind) AS location_kind,
       sum(t.value) AS value, lrt_report.whole(sum(t.value), min(t.underlying_decimals)) AS value_whole,
       div(10000 * sum(t.value), nullif(sum(sum(t.value)) OVER (PARTITION BY t.symbol, t.epoch), 0))
           AS share_bps,
       min(t.underlying_decimals) AS underlying_decimals
  FROM lrt_report.tvl t
 WHERE t.location_kind <> 'claimable'
 GROUP BY t.symbol, t.epoch, t.location;
COMMENT ON VIEW lrt_report.tvl_by_location IS
    'A location (buffer or an operator) at the end of a settled epoch: the value it holds and its share of TVL, floor(10000 * value / TVL) basis points.';

-- ---- operators and AVSs, now (SPEC section 7) ----------------------------------------

-- Every operator position now with its value; the base of the three views below.
CREATE VIEW lrt_report.operator_positions AS
SELECT p.symbol, x.product_id, x.location AS operator, a.symbol AS asset, x.amount,
       lrt_report.value(x.amount, CASE WHEN x.asset_ordinal = 0 THEN 1 ELSE pr.price END,
                        a.decimals, u.decimals) AS value,
       u.decimals AS underlying_decimals
  FROM lrt.positions x
  JOIN lrt.products p USING (product_id)
  JOIN lrt.locations l ON l.product_id = x.product_id AND l.location = x.location
  JOIN lrt.product_assets a ON a.product_id = x.product_id AND a.ordinal = x.asset_ordinal
  JOIN lrt.product_assets u ON u.product_id = x.product_id AND u.ordinal = 0
  LEFT JOIN lrt.prices pr ON pr.product_id = x.product_id AND pr.asset_ordinal = x.asset_ordinal
 WHERE l.kind = 'operator' AND x.amount > 0;
COMMENT ON VIEW lrt_report.operator_positions IS
    'An asset an operator holds now, with its value at the last prices (SPEC value(), rounded down).';

CREATE VIEW lrt_report.operators AS
SELECT o.symbol, o.operator, sum(o.value) AS value,
       lrt_report.whole(sum(o.value), min(o.underlying_decimals)) AS value_whole,
       coalesce(div(10000 * sum(o.value),
                    nullif(sum(sum(o.value)) OVER (PARTITION BY o.symbol), 0)), 0) AS share_bps,
       min(o.underlying_decimals) AS underlying_decimals
  FROM lrt_report.operator_positions o
 GROUP BY o.symbol, o.operator
HAVING sum(o.value) > 0;
COMMENT ON VIEW lrt_report.operators IS
    'An operator with a non-zero value now: SPEC section 7 value(op), and share_bps = floor(10000 * value / sum of the operators'' values).';

CREATE VIEW lrt_report.avs_exposure AS
SELECT o.symbol, o.operator, al.avs,
       sum(CASE WHEN m.max_magnitude = 0 THEN 0
                ELSE div(o.value * al.magnitude, m.max_magnitude) END) AS slashable,
       lrt_report.whole(sum(CASE WHEN m.max_magnitude = 0 THEN 0
                                 ELSE div(o.value * al.magnitude, m.max_magnitude) END),
                        min(o.underlying_decimals)) AS slashable_whole,
       min(o.underlying_decimals) AS underlying_decimals
  FROM lrt_report.operator_positions o
  JOIN lrt.allocations al ON al.product_id = o.product_id AND al.operator = o.operator
                         AND al.asset = o.asset
  CROSS JOIN LATERAL (SELECT coalesce((SELECT st.max_magnitude FROM lrt.stakes st
                                        WHERE st.product_id = o.product_id
                                          AND st.operator = o.operator
                                          AND st.asset = o.asset),
                                      1000000000000000000) AS max_magnitude) m
 GROUP BY o.symbol, o.operator, al.avs
HAVING sum(CASE WHEN m.max_magnitude = 0 THEN 0
                ELSE div(o.value * al.magnitude, m.max_magnitude) END) > 0;
COMMENT ON VIEW lrt_report.avs_exposure IS
    'What an AVS may slash of an operator now, when not zero: SPEC section 7 slashable(op, avs) = sum over assets of floor(value(asset, q) * a / M), underlying base units.';

CREATE VIEW lrt_report.concentration AS
WITH o AS (SELECT * FROM lrt_report.operators),
totals AS (
    SELECT o.symbol, count(*) AS operators, sum(o.value) AS total_value,
           sum(o.value * o.value) AS squares
      FROM o GROUP BY o.symbol),
largest AS (
    SELECT DISTINCT ON (o.symbol) o.symbol, o.operator, o.value
      FROM o ORDER BY o.symbol, o.value DESC, o.operator COLLATE "C")
SELECT p.symbol, coalesce(t.operators, 0) AS operators,
       coalesce(t.total_value, 0) AS total_value,
       lrt_report.whole(coalesce(t.total_value, 0), u.decimals) AS total_value_whole,
       coalesce(div(10000 * t.squares, t.total_value * t.total_value), 0) AS hhi_bps,
       l.operator AS largest_operator,
       coalesce(div(10000 * l.value, t.total_value), 0) AS largest_share_bps,
       u.decimals AS underlying_decimals
  FROM lrt.products p
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  LEFT JOIN totals t ON t.symbol = p.symbol
  LEFT JOIN largest l ON l.symbol = p.symbol;
COMMENT ON VIEW lrt_report.concentration IS
    'A product now: how concentrated its stake is among operators; hhi_bps = floor(10000 * sum of value(op)^2 / (sum of value(op))^2) (SPEC section 7), 0 with no stake; the largest operator (ties: the first name in code-point order) and its share.';

CREATE VIEW lrt_report.allocations AS
SELECT p.symbol, al.operator, al.asset, al.avs, al.magnitude,
       coalesce(st.max_magnitude, 1000000000000000000) AS max_magnitude
  FROM lrt.allocations al
  JOIN lrt.products p USING (product_id)
  LEFT JOIN lrt.stakes st ON st.product_id = al.product_id AND st.operator = al.operator
                         AND st.asset = al.asset;
COMMENT ON VIEW lrt_report.allocations IS
    'An operator''s allocation of an asset to an AVS now: the allocated magnitude a and the max magnitude M, in wad (10^18 = all).';

CREATE VIEW lrt_report.operator_slashes AS
SELECT p.symbol, i.epoch, to_timestamp(p.genesis_time + i.epoch * p.epoch_seconds) AS epoch_start,
       i.event_id, i.location AS operator, i.source AS avs, i.asset,
       CASE WHEN i.by_wad THEN NULL ELSE i.amount END AS amount,
       CASE WHEN i.by_wad THEN NULL ELSE lrt_report.whole(i.amount, a.decimals) END
           AS amount_whole,
       CASE WHEN i.by_wad THEN i.amount END AS wad,
       coalesce(j.loss, 0) AS loss, lrt_report.whole(coalesce(j.loss, 0), a.decimals) AS loss_whole,
       a.decimals AS asset_decimals
  FROM lrt.inbox i
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets a ON a.product_id = i.product_id AND a.symbol = i.asset
  CROSS JOIN LATERAL (SELECT sum(x.amount) AS loss FROM lrt.journal x
                       WHERE x.product_id = i.product_id AND x.epoch = i.epoch
                         AND x.event_id = i.event_id AND x.step = 'slash'
                         AND x.credit_kind = 'position') j
 WHERE i.type = 'slash' AND i.epoch <= s.settled_epoch
   AND NOT EXISTS (SELECT 1 FROM lrt.rejected_events r
                    WHERE r.product_id = i.product_id AND r.event_id = i.event_id);
COMMENT ON VIEW lrt_report.operator_slashes IS
    'An applied slash: which operator lost how much of which asset to which AVS, in which epoch; amount for a slash by amount, wad for one by wad (10^18 = all the AVS may slash), loss in base units of the asset as the journal moved it.';

-- ---- the withdrawal queue ------------------------------------------------------------------

CREATE VIEW lrt_report.queue_requests AS
WITH q AS (
    SELECT w.product_id, w.queue_position, w.request_id, w.holder, w.shares, w.cap,
           w.request_epoch, w.request_epoch + s.delay_epochs AS first_epoch,
           least(w.cap, lrt_report.to_assets(w.shares, s.total_assets, s.total_shares,
                                             p.model, p.decimals_offset)) AS payout,
           w.request_epoch + s.delay_epochs <= s.settled_epoch + 1 AS due
      FROM lrt.withdrawal_requests w
      JOIN lrt.products p USING (product_id)
      JOIN lrt.product_state s USING (product_id)
     WHERE w.status = 'queued')
SELECT p.symbol, q.queue_position, q.request_id, q.holder, q.shares,
       lrt_report.whole(q.shares, d.share_decimals) AS shares_whole,
       q.cap, lrt_report.whole(q.cap, u.decimals) AS cap_whole,
       q.payout AS value_now, lrt_report.whole(q.payout, u.decimals) AS value_now_whole,
       q.request_epoch, q.first_epoch, q.due,
       q.due AND sum(CASE WHEN q.due THEN q.payout ELSE 0 END)
                     OVER (PARTITION BY q.product_id ORDER BY q.queue_position)
                 <= coalesce(b.amount, 0) AS covered_now,
       u.decimals AS underlying_decimals, d.share_decimals
  FROM q
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = q.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
  LEFT JOIN lrt.positions b ON b.product_id = q.product_id AND b.asset_ordinal = 0
                           AND b.location = 'buffer'
 ORDER BY p.symbol, q.queue_position;
COMMENT ON VIEW lrt_report.queue_requests IS
    'A queued withdrawal request now, in queue order: value_now = min(cap, to_assets(shares)) at the rate now; first_epoch = request_epoch + the delay in force; due when the next epoch may finalize it; covered_now when the buffer''s underlying covers it and every due request before it (strictly first in, first out; SPEC section 5 step 5).';

CREATE VIEW lrt_report.queue AS
SELECT p.symbol, count(q.request_id) AS pending_count,
       coalesce(sum(q.shares), 0) AS pending_shares,
       lrt_report.whole(coalesce(sum(q.shares), 0), d.share_decimals) AS pending_shares_whole,
       coalesce(sum(q.value_now), 0) AS pending_value,
       lrt_report.whole(coalesce(sum(q.value_now), 0), u.decimals) AS pending_value_whole,
       min(q.request_epoch) AS oldest_request_epoch,
       nullif(s.settled_epoch, -1) - min(q.request_epoch) AS oldest_age_epochs,
       count(q.request_id) FILTER (WHERE q.due) AS due_count,
       count(q.request_id) FILTER (WHERE q.covered_now) AS covered_count,
       coalesce(b.amount, 0) AS buffer, lrt_report.whole(coalesce(b.amount, 0), u.decimals) AS buffer_whole,
       coalesce(c.amount, 0) AS claimable,
       lrt_report.whole(coalesce(c.amount, 0), u.decimals) AS claimable_whole,
       s.delay_epochs, u.decimals AS underlying_decimals, d.share_decimals
  FROM lrt.products p
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
  LEFT JOIN lrt_report.queue_requests q ON q.symbol = p.symbol
  LEFT JOIN lrt.positions b ON b.product_id = p.product_id AND b.asset_ordinal = 0
                           AND b.location = 'buffer'
  LEFT JOIN lrt.positions c ON c.product_id = p.product_id AND c.asset_ordinal = 0
                           AND c.location = 'claimable'
 GROUP BY p.symbol, s.settled_epoch, s.delay_epochs, b.amount, c.amount, u.decimals,
          d.share_decimals;
COMMENT ON VIEW lrt_report.queue IS
    'A product''s withdrawal queue now: pending requests, their shares and value at the rate now, the oldest request''s age in epochs, how many are due and covered, the buffer''s and claimable underlying.';

CREATE VIEW lrt_report.queue_history AS
WITH moves AS (
    SELECT w.product_id, w.request_epoch AS epoch, 1 AS requests, w.shares
      FROM lrt.withdrawal_requests w
    UNION ALL
    SELECT w.product_id, w.finalized_epoch, -1, -w.shares
      FROM lrt.withdrawal_requests w WHERE w.finalized_epoch IS NOT NULL
    UNION ALL
    SELECT w.product_id, i.epoch, -1, -w.shares
      FROM lrt.withdrawal_requests w
      JOIN lrt.inbox i ON i.product_id = w.product_id AND i.type = 'cancel'
                      AND i.request = w.request_id
     WHERE w.status = 'cancelled'
       AND NOT EXISTS (SELECT 1 FROM lrt.rejected_events r
                        WHERE r.product_id = i.product_id AND r.event_id = i.event_id)),
per_epoch AS (
    SELECT m.product_id, m.epoch, sum(m.requests) AS requests, sum(m.shares) AS shares
      FROM moves m GROUP BY 1, 2)
SELECT p.symbol, e.epoch,
       coalesce(sum(x.requests), 0) AS pending_count,
       coalesce(sum(x.shares), 0) AS pending_shares,
       lrt_report.whole(coalesce(sum(x.shares), 0), d.share_decimals) AS pending_shares_whole,
       lrt_report.to_assets(coalesce(sum(x.shares), 0), e.total_assets, e.total_shares,
                            p.model, p.decimals_offset) AS pending_value,
       lrt_report.whole(lrt_report.to_assets(coalesce(sum(x.shares), 0), e.total_assets,
                                             e.total_shares, p.model, p.decimals_offset),
                        u.decimals) AS pending_value_whole,
       e.buffer, lrt_report.whole(e.buffer, u.decimals) AS buffer_whole,
       e.claimable, lrt_report.whole(e.claimable, u.decimals) AS claimable_whole,
       u.decimals AS underlying_decimals, d.share_decimals
  FROM lrt.epochs e
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
  LEFT JOIN per_epoch x ON x.product_id = e.product_id AND x.epoch <= e.epoch
 GROUP BY p.symbol, e.epoch, e.total_assets, e.total_shares, e.buffer, e.claimable,
          p.model, p.decimals_offset, u.decimals, d.share_decimals;
COMMENT ON VIEW lrt_report.queue_history IS
    'The queue at the end of each settled epoch against the buffer: requests still queued, their shares and to_assets(shares) at that epoch''s A and S (uncapped), the buffer''s and claimable underlying.';

-- ---- holders ------------------------------------------------------------------------------

CREATE VIEW lrt_report.holders AS
SELECT p.symbol, h.holder, h.shares, lrt_report.whole(h.shares, d.share_decimals) AS shares_whole,
       lrt_report.to_assets(h.shares, s.total_assets, s.total_shares, p.model,
                            p.decimals_offset) AS value,
       lrt_report.whole(lrt_report.to_assets(h.shares, s.total_assets, s.total_shares,
                                             p.model, p.decimals_offset), u.decimals) AS value_whole,
       u.decimals AS underlying_decimals, d.share_decimals
  FROM lrt.holders h
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
 WHERE h.shares > 0;
COMMENT ON VIEW lrt_report.holders IS
    'A holder with shares now; value = SPEC to_assets(shares) = floor(shares * (A + VA) / (S + VS)), underlying base units.';

-- The holders are named per product, in a LATERAL union, so that a filter
-- on holder (a dashboard's "my position") reaches both branches together
-- with the product's id: two index lookups on (product_id, holder).  A
-- union joined to the products afterwards would get the holder alone,
-- which no index serves: a scan of every holder of every product.
CREATE VIEW lrt_report.holder_positions AS
SELECT p.symbol, n.holder, coalesce(h.shares, 0) AS shares,
       lrt_report.whole(coalesce(h.shares, 0), d.share_decimals) AS shares_whole,
       lrt_report.to_assets(coalesce(h.shares, 0), s.total_assets, s.total_shares, p.model,
                            p.decimals_offset) AS value,
       lrt_report.whole(lrt_report.to_assets(coalesce(h.shares, 0), s.total_assets,
                                             s.total_shares, p.model, p.decimals_offset),
                        u.decimals) AS value_whole,
       r.queued_requests, r.queued_shares,
       lrt_report.whole(r.queued_shares, d.share_decimals) AS queued_shares_whole,
       r.queued_value, lrt_report.whole(r.queued_value, u.decimals) AS queued_value_whole,
       r.claimable_requests, r.claimable, lrt_report.whole(r.claimable, u.decimals) AS claimable_whole,
       u.decimals AS underlying_decimals, d.share_decimals
  FROM lrt.products p
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
  CROSS JOIN LATERAL (
      SELECT x.holder FROM lrt.holders x WHERE x.product_id = p.product_id AND x.shares > 0
      UNION
      SELECT w.holder FROM lrt.withdrawal_requests w
       WHERE w.product_id = p.product_id AND w.status IN ('queued', 'finalized')) n
  LEFT JOIN lrt.holders h ON h.product_id = p.product_id AND h.holder = n.holder
  CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE w.status = 'queued') AS queued_requests,
             coalesce(sum(w.shares) FILTER (WHERE w.status = 'queued'), 0) AS queued_shares,
             coalesce(sum(least(w.cap, lrt_report.to_assets(w.shares, s.total_assets,
                                                             s.total_shares, p.model,
                                                             p.decimals_offset)))
                          FILTER (WHERE w.status = 'queued'), 0) AS queued_value,
             count(*) FILTER (WHERE w.status = 'finalized') AS claimable_requests,
             coalesce(sum(w.payout) FILTER (WHERE w.status = 'finalized'), 0) AS claimable
        FROM lrt.withdrawal_requests w
       WHERE w.product_id = p.product_id AND w.holder = n.holder
         AND w.status IN ('queued', 'finalized')) r;
COMMENT ON VIEW lrt_report.holder_positions IS
    'A holder with shares, queued or claimable withdrawals now: shares and their value (to_assets), queued requests with their value at the rate now (min(cap, to_assets(shares))), finalized requests not yet claimed and their payout.';

CREATE VIEW lrt_report.points AS
WITH named AS (
    SELECT g.product_id, g.program, h.holder
      FROM lrt.points_programs g JOIN lrt.holders h USING (product_id)
     WHERE h.shares > 0
    UNION
    SELECT x.product_id, x.program, x.holder FROM lrt.holder_points x),
earned AS (
    SELECT n.product_id, n.program, n.holder,
           div(coalesce(x.accrued, 0)
               + coalesce(h.shares, 0) * (g.point_index - coalesce(x.checkpoint, 0)),
               ('1e' || lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals))::numeric)
               AS points
      FROM named n
      JOIN lrt.products p USING (product_id)
      JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
      JOIN lrt.points_programs g ON g.product_id = n.product_id AND g.program = n.program
      LEFT JOIN lrt.holders h ON h.product_id = n.product_id AND h.holder = n.holder
      LEFT JOIN lrt.holder_points x ON x.product_id = n.product_id AND x.program = n.program
                                   AND x.holder = n.holder)
SELECT p.symbol, e.program, e.holder, e.points, lrt_report.whole(e.points, 18) AS points_whole
  FROM earned e
  JOIN lrt.products p USING (product_id)
 WHERE e.points > 0;
COMMENT ON VIEW lrt_report.points IS
    'A holder''s non-zero points in a program now (SPEC section 5 step 7), whatever its shares: points in units of 10^-18 point, one floor over the exact sum; points_whole in points.';

-- ---- events ----------------------------------------------------------------------------------

CREATE VIEW lrt_report.events AS
SELECT p.symbol, i.event_id, i.epoch,
       to_timestamp(p.genesis_time + i.epoch * p.epoch_seconds) AS epoch_start,
       lrt_report.event_time(i.event ->> 'time') AS "time", i.seq, i.type,
       CASE WHEN i.type IN ('deposit', 'withdraw') THEN i.holder
            WHEN i.type = 'transfer' THEN i.from_name
            WHEN i.type IN ('claim', 'cancel') THEN w.holder END AS holder,
       CASE WHEN i.type = 'transfer' THEN i.to_name END AS counterparty,
       i.asset, i.amount,
       lrt_report.whole(i.amount,
                        CASE WHEN i.type IN ('withdraw', 'transfer')
                             THEN lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             WHEN i.type IN ('deposit', 'reward', 'move', 'swap', 'attest')
                                  OR (i.type = 'slash' AND NOT i.by_wad)
                             THEN a.decimals END) AS amount_whole,
       i.price, i.request,
       CASE WHEN r.event_id IS NOT NULL THEN 'rejected'
            WHEN i.epoch <= s.settled_epoch THEN 'applied'
            ELSE 'pending' END AS status,
       r.reason, i.source_file, i.source_line, i.ingested_at
  FROM lrt.inbox i
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  LEFT JOIN lrt.product_assets a ON a.product_id = i.product_id AND a.symbol = i.asset
  LEFT JOIN lrt.withdrawal_requests w ON w.product_id = i.product_id
                                     AND w.request_id = i.request
                                     AND i.type IN ('claim', 'cancel')
  LEFT JOIN lrt.rejected_events r ON r.product_id = i.product_id AND r.event_id = i.event_id;
COMMENT ON VIEW lrt_report.events IS
    'An event with its outcome: pending (its epoch is not settled), applied, or rejected with the reason; holder is the normalized holder it concerns (the sender of a transfer, the requester of a claim or cancel), time as the event wrote it; amount in its own unit (shares for withdraw and transfer, else the asset, the asset in for a swap; amount_whole NULL where the amount is a wad or a rate).';

CREATE VIEW lrt_report.holder_events AS
SELECT e.symbol, x.holder, x.role, e.event_id, e.epoch, e.epoch_start, e."time", e.seq,
       e.type, e.asset, e.amount, e.amount_whole, e.request, e.status, e.reason
  FROM lrt_report.events e
  CROSS JOIN LATERAL (VALUES (e.holder, CASE WHEN e.type = 'transfer' THEN 'sender'
                                             ELSE 'holder' END),
                             (e.counterparty, 'receiver')) x(holder, role)
 WHERE x.holder IS NOT NULL;
COMMENT ON VIEW lrt_report.holder_events IS
    'An event as one holder sees it: its role (holder; sender or receiver of a transfer) and outcome.';

CREATE VIEW lrt_report.rejected_events AS
SELECT e.symbol, e.epoch, r.apply_order, e.event_id, e.type, e.holder, e."time", e.reason,
       e.source_file, e.source_line
  FROM lrt_report.events e
  JOIN lrt.products p ON p.symbol = e.symbol
  JOIN lrt.rejected_events r ON r.product_id = p.product_id AND r.event_id = e.event_id;
COMMENT ON VIEW lrt_report.rejected_events IS
    'An event settlement refused (SPEC section 4), with the reason, in apply order within its epoch.';

CREATE VIEW lrt_report.ingest_rejects AS
SELECT p.symbol, x.reject_id, x.source_file, x.source_line, x.reason, x.raw, x.rejected_at
  FROM lrt.ingest_rejects x
  LEFT JOIN lrt.products p USING (product_id);
COMMENT ON VIEW lrt_report.ingest_rejects IS
    'A record lrt ingest kept aside as malformed (or a duplicate, or late), with the file, line and reason; symbol is NULL when the record named no known product.';

-- ---- fees -----------------------------------------------------------------------------------

CREATE VIEW lrt_report.fees AS
SELECT p.symbol, e.epoch, e.recognized, lrt_report.whole(e.recognized, u.decimals) AS recognized_whole,
       e.fee_value, lrt_report.whole(e.fee_value, u.decimals) AS fee_value_whole,
       e.fee_shares, lrt_report.whole(e.fee_shares, d.share_decimals) AS fee_shares_whole,
       u.decimals AS underlying_decimals, d.share_decimals
  FROM lrt.epochs e
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
 WHERE e.fee_shares > 0 OR e.fee_value > 0;
COMMENT ON VIEW lrt_report.fees IS
    'An epoch that charged a fee: the recognized increase, the fee''s value and the shares minted for it (SPEC section 5 step 3).';

CREATE VIEW lrt_report.fee_recipients AS
SELECT p.symbol, j.epoch, j.debit_name AS recipient, sum(j.amount) AS shares,
       lrt_report.whole(sum(j.amount), min(d.share_decimals)) AS shares_whole,
       min(d.share_decimals) AS share_decimals
  FROM lrt.journal j
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  CROSS JOIN LATERAL (SELECT lrt_report.share_decimals(p.model, p.decimals_offset, u.decimals)
                             AS share_decimals) d
 WHERE j.step = 'fee' AND j.debit_kind = 'holder'
 GROUP BY p.symbol, j.epoch, j.debit_name;
COMMENT ON VIEW lrt_report.fee_recipients IS
    'A fee recipient''s shares minted in an epoch, as the journal recorded them.';

-- ---- reconciliation --------------------------------------------------------------------------

CREATE VIEW lrt_report.reconciliation AS
SELECT p.symbol, x.epoch, x.ordinal, x.event_id, x.asset, x.location,
       x.book, lrt_report.whole(x.book, a.decimals) AS book_whole,
       x.observed, lrt_report.whole(x.observed, a.decimals) AS observed_whole,
       x.difference, lrt_report.whole(x.difference, a.decimals) AS difference_whole,
       x.difference = 0 AS matched, a.decimals AS asset_decimals
  FROM lrt.reconciliations x
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets a ON a.product_id = x.product_id AND a.symbol = x.asset;
COMMENT ON VIEW lrt_report.reconciliation IS
    'An applied attest (SPEC section 5 step 8): the book''s position (asset, location) after the epoch''s events, before finalization, the amount observed on chain and observed - book, signed, in base units of the asset.';
