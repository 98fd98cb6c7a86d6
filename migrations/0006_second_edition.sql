-- 0006_second_edition.sql - what the SPEC's second edition adds to the
-- books: the inbox's columns for a slash by wad and the new policy fields,
-- the policy and high-water mark in force, cancelled requests, and the
-- reconciliation of attests (section 5 step 8).
--
-- A slash names its AVS, and the second edition lower-cases an AVS written
-- as an address, as it does holders and operators: the typed column of the
-- slashes already stored follows (`lrt verify` compares it with what the C
-- validator makes of the event's JSON).

UPDATE lrt.inbox SET source = lower(source)
 WHERE type = 'slash' AND source ~ '^0[xX][0-9a-fA-F]{40}$';

-- One row per applied attest: the position it names as the epoch's events
-- left it (before finalization), the amount observed, and their difference.
CREATE TABLE lrt.reconciliations (
    product_id   bigint NOT NULL,
    epoch        bigint NOT NULL,
    ordinal      integer NOT NULL CHECK (ordinal >= 0),
    event_id     text COLLATE "C" NOT NULL,
    asset        text NOT NULL,
    location     text COLLATE "C" NOT NULL,
    book         numeric(78, 0) NOT NULL,
    observed     numeric(78, 0) NOT NULL,
    difference   numeric(79, 0) NOT NULL,
    PRIMARY KEY (product_id, epoch, ordinal),
    CHECK (difference = observed - book)
);

COMMENT ON TABLE lrt.reconciliations IS
    'SPEC section 5 step 8: each applied attest of a settled epoch, in apply order (ordinal), against the book.';
COMMENT ON COLUMN lrt.reconciliations.book IS
    'The position (asset, location) after all the epoch''s events, before finalization; 0 when there is none.';
COMMENT ON COLUMN lrt.reconciliations.difference IS
    'observed - book, signed, in base units of the asset.';

-- A queued request may be cancelled (SPEC section 3): it leaves the queue,
-- its shares go back to its holder, and it is never paid.
ALTER TABLE lrt.withdrawal_requests
    DROP CONSTRAINT withdrawal_requests_status_check,
    DROP CONSTRAINT withdrawal_requests_check,
    DROP CONSTRAINT withdrawal_requests_check1,
    ADD CONSTRAINT withdrawal_requests_status_check
        CHECK (status IN ('queued', 'finalized', 'claimed', 'cancelled')),
    ADD CONSTRAINT withdrawal_requests_paid_check
        CHECK ((status IN ('queued', 'cancelled')) = (payout IS NULL)),
    ADD CONSTRAINT withdrawal_requests_finalized_check
        CHECK ((status IN ('queued', 'cancelled')) = (finalized_epoch IS NULL));

-- A cancel moves the request's shares back to its holder in the journal.
ALTER TABLE lrt.journal
    DROP CONSTRAINT journal_step_check1,
    ADD CONSTRAINT journal_step_check
        CHECK (step IN ('deposit', 'withdraw', 'transfer', 'reward', 'slash', 'move',
                        'swap', 'claim', 'cancel', 'recognize', 'fee', 'finalize'));

-- ---- the inbox: one column per new field (src/store/event_row.h) ------------------

ALTER TABLE lrt.inbox
    ADD COLUMN by_wad               boolean,
    ADD COLUMN fee_high_water_mark  boolean,
    ADD COLUMN points               jsonb;
-- every slash stored so far is a slash by amount
UPDATE lrt.inbox SET by_wad = false WHERE type = 'slash';
COMMENT ON COLUMN lrt.inbox.by_wad IS
    'A slash''s kind: true when its amount column holds a wad (a fraction of 10^18 of the AVS''s allocation).';

-- ---- the policy in force and the high-water mark -----------------------------------

ALTER TABLE lrt.product_state
    ADD COLUMN fee_high_water_mark    boolean NOT NULL DEFAULT false,
    ADD COLUMN points                 jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN high_water_mark_assets numeric(79, 0),
    ADD COLUMN high_water_mark_shares numeric(79, 0),
    ADD CONSTRAINT product_state_high_water_mark_check
        CHECK ((high_water_mark_assets IS NULL) = (high_water_mark_shares IS NULL)
               AND high_water_mark_shares > 0 AND high_water_mark_assets >= 0);
COMMENT ON COLUMN lrt.product_state.high_water_mark_assets IS
    'SPEC section 5 step 6: the high-water mark H = high_water_mark_assets / high_water_mark_shares, in lowest terms; NULL before the first snapshot with S + VS > 0.';

-- The mark of the epochs settled before this migration: the largest
-- (A2 + VA) / (S2 + VS) over them, exactly.  Two distinct such fractions
-- (numerators and denominators below 2^257) differ by more than 10^-155,
-- so their floors at 10^200 order them as the fractions; the winner is
-- kept in lowest terms.
WITH per_epoch AS (
    SELECT e.product_id,
           e.total_assets + CASE p.model WHEN 'erc4626' THEN 1 ELSE 0 END AS assets,
           e.total_shares + CASE p.model WHEN 'erc4626' THEN 10::numeric ^ p.decimals_offset
                                         ELSE 0 END AS shares
      FROM lrt.epochs e JOIN lrt.products p USING (product_id)
), best AS (
    SELECT DISTINCT ON (product_id) product_id, assets, shares
      FROM per_epoch
     WHERE shares > 0
     ORDER BY product_id, div(assets * 10::numeric ^ 200, shares) DESC
)
UPDATE lrt.product_state s
   SET high_water_mark_assets = div(b.assets, gcd(b.assets, b.shares)),
       high_water_mark_shares = div(b.shares, gcd(b.assets, b.shares))
  FROM best b
 WHERE s.product_id = b.product_id;

-- The policy in force as one JSON object, as the C reader of policies
-- (lrt_json_policy) takes it: one definition for every query that needs it.
CREATE FUNCTION lrt.policy_json(s lrt.product_state) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('fee_bps', s.fee_bps, 'fee_recipients', s.fee_recipients,
                              'delay_epochs', s.delay_epochs, 'max_apr_bps', s.max_apr_bps,
                              'max_rate_change_bps', s.max_rate_change_bps,
                              'fee_high_water_mark', s.fee_high_water_mark,
                              'points', s.points)
$$;

-- ---- EigenLayer's magnitudes (SPEC section 2) --------------------------------------

CREATE TABLE lrt.stakes (
    product_id     bigint NOT NULL,
    ordinal        integer NOT NULL CHECK (ordinal >= 0),
    operator       text COLLATE "C" NOT NULL,
    asset          text NOT NULL,
    max_magnitude  numeric(78, 0) NOT NULL
                   CHECK (max_magnitude >= 0 AND max_magnitude <= 1000000000000000000),
    PRIMARY KEY (product_id, ordinal),
    UNIQUE (product_id, operator, asset)
);
COMMENT ON TABLE lrt.stakes IS
    'Per operator and asset, the max magnitude M (10^18 until a slash by wad lowers it), in order of first use.';

CREATE TABLE lrt.allocations (
    product_id     bigint NOT NULL,
    ordinal        integer NOT NULL CHECK (ordinal >= 0),
    operator       text COLLATE "C" NOT NULL,
    asset          text NOT NULL,
    avs            text COLLATE "C" NOT NULL,
    magnitude      numeric(78, 0) NOT NULL CHECK (magnitude >= 0),
    PRIMARY KEY (product_id, ordinal),
    UNIQUE (product_id, operator, asset, avs)
);
COMMENT ON TABLE lrt.allocations IS
    'Per operator, asset and AVS, the allocated magnitude a: the AVS may slash a / M of the position (asset, operator).';

-- ---- points (SPEC section 5 step 7) -----------------------------------------------

CREATE TABLE lrt.points_programs (
    product_id     bigint NOT NULL,
    ordinal        integer NOT NULL CHECK (ordinal >= 0),
    program        text COLLATE "C" NOT NULL,
    point_index    numeric NOT NULL CHECK (point_index >= 0),
    PRIMARY KEY (product_id, ordinal),
    UNIQUE (product_id, program)
);
COMMENT ON TABLE lrt.points_programs IS
    'Every points program ever named, in order of first naming; point_index is the sum of per_share_epoch * 10^18 over the settled epochs it was in force.';

CREATE TABLE lrt.holder_points (
    product_id     bigint NOT NULL,
    holder         text COLLATE "C" NOT NULL,
    program        text COLLATE "C" NOT NULL,
    accrued        numeric NOT NULL CHECK (accrued >= 0),
    checkpoint     numeric NOT NULL CHECK (checkpoint >= 0),
    PRIMARY KEY (product_id, holder, program)
);
COMMENT ON TABLE lrt.holder_points IS
    'A holder''s points in a program, in units of 10^-18 point: div(accrued + shares * (point_index - checkpoint), 10^share_decimals); a holder with no row has accrued = checkpoint = 0.';
