-- views.sql - reporting views for analysts and BI tools, over the tables of
-- migrations/.  `lrt migrate` re-applies this file after every migration, so
-- each view is CREATE OR REPLACE.  Amounts stay exact NUMERIC base units;
-- the *_whole columns are the same amounts in whole units, for reading.

-- An amount of base units in whole units of an asset with `decimals`
-- decimals, exactly (a division would round to numeric's default scale).
CREATE OR REPLACE FUNCTION lrt.whole(amount numeric, decimals integer)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT trim_scale(amount * ('1e-' || decimals)::numeric)
$$;

-- Every event with its fate: pending (its epoch is not settled), applied,
-- or rejected with the reason.  The inbox itself is never updated.
CREATE OR REPLACE VIEW lrt.events AS
SELECT i.product_id, p.symbol, i.event_id, i.epoch, i.seq, i.type,
       CASE WHEN r.event_id IS NOT NULL THEN 'rejected'
            WHEN i.epoch <= s.settled_epoch THEN 'applied'
            ELSE 'pending' END AS status,
       r.reason AS reject_reason, r.apply_order AS reject_apply_order,
       i.event, i.source_file, i.source_line, i.ingest_order, i.ingested_at
  FROM lrt.inbox i
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
  LEFT JOIN lrt.rejected_events r
    ON r.product_id = i.product_id AND r.event_id = i.event_id;

-- The exchange rate and totals epoch by epoch, with when each epoch ended.
CREATE OR REPLACE VIEW lrt.rate_history AS
SELECT p.product_id, p.symbol, e.epoch,
       to_timestamp(p.genesis_time + (e.epoch + 1) * p.epoch_seconds) AS epoch_end,
       e.rate, lrt.whole(e.rate, a.decimals) AS rate_whole,
       e.total_assets, e.total_shares, e.deferred, e.rewards, e.slashed,
       e.revaluation, e.recognized, e.fee_value, e.fee_shares,
       e.buffer, e.claimable, e.events, e.settled_at
  FROM lrt.epochs e
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets a ON a.product_id = p.product_id AND a.ordinal = 0;

-- What sits where: every non-zero position, with its asset's decimals.
CREATE OR REPLACE VIEW lrt.position_report AS
SELECT p.product_id, p.symbol, l.location, l.kind, a.symbol AS asset,
       x.amount, lrt.whole(x.amount, a.decimals) AS amount_whole,
       pr.price
  FROM lrt.positions x
  JOIN lrt.products p USING (product_id)
  JOIN lrt.locations l ON l.product_id = x.product_id AND l.location = x.location
  JOIN lrt.product_assets a ON a.product_id = x.product_id AND a.ordinal = x.asset_ordinal
  LEFT JOIN lrt.prices pr ON pr.product_id = x.product_id AND pr.asset_ordinal = x.asset_ordinal
 WHERE x.amount > 0;

-- Holders with their shares and what the shares are worth now:
-- floor(shares * (A + VA) / (S + VS)), the SPEC's to_assets, in underlying
-- base units.
CREATE OR REPLACE VIEW lrt.holder_values AS
SELECT p.product_id, p.symbol, h.holder, h.shares,
       CASE WHEN s.total_shares + vs.shares = 0 THEN 0
            ELSE floor(h.shares * (s.total_assets + vs.assets)
                       / (s.total_shares + vs.shares)) END AS value
  FROM lrt.holders h
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
  CROSS JOIN LATERAL (SELECT CASE WHEN p.model = 'erc4626'
                                  THEN 10::numeric ^ p.decimals_offset ELSE 0 END AS shares,
                             CASE WHEN p.model = 'erc4626' THEN 1 ELSE 0 END AS assets) vs
 WHERE h.shares > 0;

-- The withdrawal queue in order, with the epoch from which each request may
-- be finalized under the delay now in force.
CREATE OR REPLACE VIEW lrt.withdrawal_queue AS
SELECT w.product_id, p.symbol, w.queue_position, w.request_id, w.holder,
       w.shares, w.cap, w.request_epoch,
       w.request_epoch + s.delay_epochs AS earliest_epoch
  FROM lrt.withdrawal_requests w
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_state s USING (product_id)
 WHERE w.status = 'queued';
