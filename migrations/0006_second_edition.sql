-- 0006_second_edition.sql - what the SPEC's second edition adds to the
-- books: the reconciliation of attests (section 5 step 8).
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
