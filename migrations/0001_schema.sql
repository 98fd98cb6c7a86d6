-- 0001_schema.sql - the first schema of the lrt store (SPEC.md, ARCHITECTURE.md).
--
-- Every table keys on the product, so that products can later be spread
-- over servers by product id.  Amounts and share counts are NUMERIC(78,0):
-- exact integers of base units, 0 .. 2^256 - 1 (SPEC section 1); the
-- database itself refuses a negative or oversized one, an unknown event
-- type, a duplicate event id, a journal transfer between the same account,
-- and every other row that can never be valid.  Applied once, in one transaction, by
-- `lrt migrate`; never edited afterwards: later changes are new migrations.

-- ---- types ----------------------------------------------------------------

-- A stored balance: never negative, never above 2^256 - 1 (SPEC section 1).
CREATE DOMAIN lrt.amount AS numeric(78, 0)
    CHECK (VALUE >= 0
       AND VALUE <= 115792089237316195423570985008687907853269984665640564039457584007913129639935);
COMMENT ON DOMAIN lrt.amount IS
    'Base units or shares: an integer 0 .. 2^256 - 1 (SPEC section 1).';

-- A signed figure bounded by stored balances: the recognized increase I,
-- with A1 = Arun + I and both ends in 0 .. 2^256 - 1.
CREATE DOMAIN lrt.signed_amount AS numeric(78, 0)
    CHECK (VALUE >= -115792089237316195423570985008687907853269984665640564039457584007913129639935
       AND VALUE <= 115792089237316195423570985008687907853269984665640564039457584007913129639935);

-- A reported integer with no stored counterpart (rates, sums of event
-- values, revaluation): exact, and as wide as a price and 255 decimals can
-- make it.
CREATE DOMAIN lrt.figure AS numeric(1000, 0);

-- A holder, location, operator or source: a non-empty name; one written as
-- an address (0x + 40 hex digits) is stored lower-cased (SPEC section 3).
-- Written so that a name already in lower case never reaches the regular
-- expression: a million holders a settlement, the check stays cheap.
CREATE DOMAIN lrt.label AS text
    CHECK (VALUE <> ''
       AND (VALUE = lower(VALUE) OR VALUE !~ '^0x[0-9a-fA-F]{40}$'));

-- An asset's price in whole units of the underlying (SPEC section 1).
CREATE DOMAIN lrt.price AS numeric
    CHECK (VALUE >= 0 AND scale(VALUE) <= 36);

-- ---- products -------------------------------------------------------------

CREATE TABLE lrt.products (
    product_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol              text NOT NULL UNIQUE CHECK (symbol <> ''),
    underlying          text NOT NULL,
    -- Always 0: with `underlying` it points at the asset of ordinal 0, so the
    -- underlying is the first asset (SPEC section 2).
    underlying_ordinal  smallint NOT NULL DEFAULT 0 CHECK (underlying_ordinal = 0),
    model               text NOT NULL DEFAULT 'erc4626'
                        CHECK (model IN ('erc4626', 'plain')),
    decimals_offset     smallint NOT NULL DEFAULT 0
                        CHECK (decimals_offset BETWEEN 0 AND 18),
    genesis_time        bigint NOT NULL DEFAULT 0,
    epoch_seconds       bigint NOT NULL DEFAULT 86400 CHECK (epoch_seconds > 0),
    -- The configuration as given (SPEC section 2), for the record.
    config              jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    -- How long after an epoch ends `lrt settle` waits before settling it,
    -- so that late events of the epoch still arrive in time.
    settle_lag_seconds  bigint NOT NULL DEFAULT 0 CHECK (settle_lag_seconds >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (model = 'erc4626' OR decimals_offset = 0)
);
COMMENT ON TABLE lrt.products IS
    'One liquid restaking token; model, offset, assets, genesis and epoch length never change.';

CREATE TABLE lrt.product_assets (
    product_id  bigint NOT NULL REFERENCES lrt.products,
    ordinal     smallint NOT NULL CHECK (ordinal >= 0),
    symbol      text NOT NULL CHECK (symbol <> ''),
    decimals    smallint NOT NULL CHECK (decimals BETWEEN 0 AND 255),
    PRIMARY KEY (product_id, ordinal),
    UNIQUE (product_id, symbol),
    UNIQUE (product_id, ordinal, symbol)
);
COMMENT ON TABLE lrt.product_assets IS
    'The assets a product accepts; ordinal 0 is the underlying, and ordinals are the ledgers of the journal.';

-- Checked at commit, as a product and its assets are written together.
ALTER TABLE lrt.products
    ADD FOREIGN KEY (product_id, underlying_ordinal, underlying)
    REFERENCES lrt.product_assets (product_id, ordinal, symbol)
    DEFERRABLE INITIALLY DEFERRED;

-- ---- the state after the last settled epoch --------------------------------

CREATE TABLE lrt.product_state (
    product_id           bigint PRIMARY KEY REFERENCES lrt.products,
    -- The policy in force (SPEC section 2; changed by `config` events).
    fee_bps              integer NOT NULL DEFAULT 0 CHECK (fee_bps BETWEEN 0 AND 9999),
    fee_recipients       jsonb NOT NULL DEFAULT '[{"holder": "treasury", "bps": 10000}]'
                         CHECK (jsonb_typeof(fee_recipients) = 'array'
                            AND jsonb_array_length(fee_recipients) >= 1),
    delay_epochs         bigint NOT NULL DEFAULT 0 CHECK (delay_epochs >= 0),
    max_apr_bps          bigint NOT NULL DEFAULT 0 CHECK (max_apr_bps BETWEEN 0 AND 4294967295),
    max_rate_change_bps  bigint NOT NULL DEFAULT 0
                         CHECK (max_rate_change_bps BETWEEN 0 AND 4294967295),
    total_assets         lrt.amount NOT NULL DEFAULT 0,  -- A
    total_shares         lrt.amount NOT NULL DEFAULT 0,  -- S, queued shares included
    deferred             lrt.amount NOT NULL DEFAULT 0,  -- D
    settled_epoch        bigint NOT NULL DEFAULT -1 CHECK (settled_epoch >= -1),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN lrt.product_state.settled_epoch IS 'The last settled epoch; -1 before the first.';

-- ---- the event inbox --------------------------------------------------------

CREATE TABLE lrt.inbox (
    product_id     bigint NOT NULL REFERENCES lrt.products,
    event_id       text NOT NULL CHECK (event_id <> ''),
    epoch          bigint NOT NULL CHECK (epoch >= 0),
    seq            bigint,
    type           text NOT NULL CHECK (type IN ('deposit', 'withdraw', 'transfer',
                       'reward', 'slash', 'move', 'swap', 'price', 'claim',
                       'config', 'accept')),
    -- The event as parsed, unknown fields kept (SPEC section 3).
    event          jsonb NOT NULL CHECK (jsonb_typeof(event) = 'object'
                                     AND event ->> 'id' = event_id
                                     AND event ->> 'type' = type),
    -- The order of ingestion, which is the apply order of an epoch whose
    -- events do not all have a seq.
    ingest_order   bigint GENERATED ALWAYS AS IDENTITY,
    source_file    text,
    source_line    bigint CHECK (source_line >= 1),
    ingested_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, event_id),
    CHECK (source_line IS NULL OR source_file IS NOT NULL)
);
-- Settlement reads an epoch's events in ingest order (an identity, unique
-- without an index of its own); the inbox is written once and never
-- updated (an event's fate is in epochs and rejected_events), so loading a
-- million events is one COPY and settling them rewrites none.
CREATE INDEX inbox_epoch ON lrt.inbox (product_id, epoch, ingest_order);
COMMENT ON TABLE lrt.inbox IS
    'Every well-formed event, once per (product, id), as received; never updated.';

CREATE TABLE lrt.ingest_rejects (
    product_id   bigint NOT NULL REFERENCES lrt.products,
    reject_id    bigint GENERATED ALWAYS AS IDENTITY,
    source_file  text NOT NULL,
    source_line  bigint NOT NULL CHECK (source_line >= 1),
    raw          text NOT NULL,
    reason       text NOT NULL CHECK (reason <> ''),
    rejected_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, reject_id)
);
COMMENT ON TABLE lrt.ingest_rejects IS
    'Malformed input kept aside with its file, line and reason (SPEC section 4).';

-- ---- balances -----------------------------------------------------------------

CREATE TABLE lrt.holders (
    product_id  bigint NOT NULL REFERENCES lrt.products,
    holder      lrt.label NOT NULL,
    shares      lrt.amount NOT NULL,
    PRIMARY KEY (product_id, holder)
);

CREATE TABLE lrt.locations (
    product_id  bigint NOT NULL REFERENCES lrt.products,
    location    lrt.label NOT NULL,
    -- Order of first use: positions are listed in it.
    ordinal     integer NOT NULL CHECK (ordinal >= 0),
    kind        text NOT NULL CHECK (kind IN ('buffer', 'operator', 'claimable')),
    PRIMARY KEY (product_id, location),
    UNIQUE (product_id, ordinal),
    CHECK ((kind = 'buffer') = (location = 'buffer')),
    CHECK ((kind = 'claimable') = (location = 'claimable'))
);

CREATE TABLE lrt.positions (
    product_id     bigint NOT NULL,
    asset_ordinal  smallint NOT NULL,
    location       lrt.label NOT NULL,
    amount         lrt.amount NOT NULL,
    PRIMARY KEY (product_id, asset_ordinal, location),
    FOREIGN KEY (product_id, asset_ordinal) REFERENCES lrt.product_assets,
    FOREIGN KEY (product_id, location) REFERENCES lrt.locations,
    -- Finalized withdrawals are paid in the underlying only.
    CHECK (location <> 'claimable' OR asset_ordinal = 0)
);

-- The latest price of each asset; the underlying's is always 1 and is never
-- stored, and an asset with no row has no price yet.
CREATE TABLE lrt.prices (
    product_id     bigint NOT NULL,
    asset_ordinal  smallint NOT NULL CHECK (asset_ordinal > 0),
    price          lrt.price NOT NULL,
    event_id       text NOT NULL,
    PRIMARY KEY (product_id, asset_ordinal),
    FOREIGN KEY (product_id, asset_ordinal) REFERENCES lrt.product_assets,
    FOREIGN KEY (product_id, event_id) REFERENCES lrt.inbox
);

-- ---- settled epochs ---------------------------------------------------------------

-- One row per settled epoch, with every figure of SPEC section 6.
CREATE TABLE lrt.epochs (
    product_id    bigint NOT NULL REFERENCES lrt.products,
    epoch         bigint NOT NULL CHECK (epoch >= 0),
    total_assets  lrt.amount NOT NULL,         -- A2
    total_shares  lrt.amount NOT NULL,         -- S2
    rate          lrt.figure NOT NULL CHECK (rate >= 0),
    deferred      lrt.amount NOT NULL,         -- D after smoothing
    rewards       lrt.figure NOT NULL CHECK (rewards >= 0),  -- R
    slashed       lrt.figure NOT NULL CHECK (slashed >= 0),  -- L
    revaluation   lrt.figure NOT NULL,         -- V, signed
    recognized    lrt.signed_amount NOT NULL,  -- I, signed
    fee_value     lrt.amount NOT NULL,         -- F
    fee_shares    lrt.amount NOT NULL,         -- FS
    buffer        lrt.amount NOT NULL,         -- (underlying, buffer) after step 5
    claimable     lrt.amount NOT NULL,         -- (underlying, claimable) after step 5
    rate_before   lrt.figure NOT NULL CHECK (rate_before >= 0),  -- r0 of the guard
    rate_after    lrt.figure NOT NULL CHECK (rate_after >= 0),   -- r1 of the guard
    -- Events the epoch settled, applied or rejected: an inbox that holds
    -- more for the epoch received one after settlement (lrt verify says so).
    events        bigint NOT NULL CHECK (events >= 0),
    settled_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, epoch),
    -- F = floor(max(I, 0) * fee_bps / 10000), with fee_bps < 10000.
    CHECK (fee_value <= greatest(recognized, 0)),
    CHECK (fee_value > 0 OR fee_shares = 0)
);
COMMENT ON TABLE lrt.epochs IS
    'Settled epochs; the finalized requests are in withdrawal_requests, the rejected events in rejected_events.';

-- Events that could not apply (SPEC section 4), with their place in their
-- epoch's apply order and the reason.  Every other event of a settled epoch
-- applied; the view lrt.events (sql/) shows each event's status.
CREATE TABLE lrt.rejected_events (
    product_id   bigint NOT NULL,
    event_id     text NOT NULL,
    epoch        bigint NOT NULL,
    apply_order  integer NOT NULL CHECK (apply_order >= 0),
    reason       text NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (product_id, event_id),
    UNIQUE (product_id, epoch, apply_order),
    FOREIGN KEY (product_id, event_id) REFERENCES lrt.inbox,
    FOREIGN KEY (product_id, epoch) REFERENCES lrt.epochs
        DEFERRABLE INITIALLY DEFERRED
);

-- ---- the withdrawal queue ---------------------------------------------------------

CREATE TABLE lrt.withdrawal_requests (
    product_id       bigint NOT NULL,
    request_id       text NOT NULL,            -- the id of the withdraw event
    queue_position   bigint NOT NULL CHECK (queue_position >= 0),
    holder           lrt.label NOT NULL,
    shares           lrt.amount NOT NULL CHECK (shares > 0),
    cap              lrt.amount NOT NULL,
    request_epoch    bigint NOT NULL CHECK (request_epoch >= 0),
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'finalized', 'claimed')),
    payout           lrt.amount,
    finalized_epoch  bigint,
    claim_event_id   text,
    PRIMARY KEY (product_id, request_id),
    UNIQUE (product_id, queue_position),
    FOREIGN KEY (product_id, request_id) REFERENCES lrt.inbox,
    FOREIGN KEY (product_id, claim_event_id) REFERENCES lrt.inbox,
    FOREIGN KEY (product_id, finalized_epoch) REFERENCES lrt.epochs
        DEFERRABLE INITIALLY DEFERRED,
    CHECK ((status = 'queued') = (payout IS NULL)),
    CHECK ((status = 'queued') = (finalized_epoch IS NULL)),
    CHECK ((status = 'claimed') = (claim_event_id IS NOT NULL)),
    CHECK (payout <= cap),
    CHECK (finalized_epoch >= request_epoch)
);
CREATE INDEX withdrawal_requests_queued ON lrt.withdrawal_requests (product_id, queue_position)
    WHERE status = 'queued';

-- ---- the journal ------------------------------------------------------------------

-- The ledger an account kind belongs to: -1 shares, -2 the book, >= 0 an asset.
CREATE FUNCTION lrt.account_fits_ledger(kind text, ledger integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN kind IN ('holder', 'queue', 'issued') THEN ledger = -1
        WHEN kind IN ('position', 'deposits', 'rewards', 'slashes', 'swaps', 'claims')
            THEN ledger >= 0
        WHEN kind IN ('total_assets', 'deferred', 'contributed', 'gains', 'redeemed')
            THEN ledger = -2
        ELSE false
    END
$$;

-- The double-entry journal as transfers (include/lrt/book.h,
-- lrt_journal_transfer): each row moves `amount` from the credited account to
-- the debited one, both in one ledger, so every row and therefore every
-- entry balances by construction: the table cannot hold an unbalanced entry.
-- An account's balance is what was debited to it minus what was credited
-- from it.  Ledger -1 holds shares, -2 the book (A and D in underlying base
-- units), and 0.. the value of the asset of that ordinal in its base units.
--
-- A settlement writes one row per movement (three for a deposit), so the
-- table carries no per-row foreign keys or triggers: at a million events an
-- epoch they would cost more than the rows.  `lrt verify` checks that every
-- event_id is in the inbox and every epoch is settled.
CREATE TABLE lrt.journal (
    product_id     bigint NOT NULL,
    entry          bigint NOT NULL CHECK (entry >= 0),
    leg            integer NOT NULL CHECK (leg >= 0),  -- the transfer's place in its entry
    epoch          bigint NOT NULL CHECK (epoch >= 0),
    event_id       text,                             -- NULL for settlement steps
    -- the event type or settlement step that made the transfer
    step           text NOT NULL CHECK (step IN ('deposit', 'withdraw', 'transfer',
                       'reward', 'slash', 'move', 'swap', 'claim',
                       'recognize', 'fee', 'finalize')),
    ledger         integer NOT NULL CHECK (ledger >= -2),
    debit_kind     text NOT NULL,
    debit_name     text CHECK (debit_name <> ''),
    credit_kind    text NOT NULL,
    credit_name    text CHECK (credit_name <> ''),
    amount         numeric(78, 0) NOT NULL
                   CHECK (amount > 0 AND amount <= 115792089237316195423570985008687907853269984665640564039457584007913129639935),
    PRIMARY KEY (product_id, entry, leg),
    -- A transfer moves value between two different accounts.
    CHECK (debit_kind <> credit_kind
           OR debit_name IS DISTINCT FROM credit_name),
    -- Each kind of account lives on one kind of ledger.
    CHECK (lrt.account_fits_ledger(debit_kind, ledger)
       AND lrt.account_fits_ledger(credit_kind, ledger))
);
COMMENT ON TABLE lrt.journal IS
    'Double-entry transfers: amount moves from the credit account to the debit account of one ledger.';

-- The journal is the audit trail: lines are added, never changed or removed.
CREATE FUNCTION lrt.journal_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'lrt.journal is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON lrt.journal
    FOR EACH ROW EXECUTE FUNCTION lrt.journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON lrt.journal
    FOR EACH STATEMENT EXECUTE FUNCTION lrt.journal_refuse_change();
