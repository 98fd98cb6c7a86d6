-- 0003_typed_inbox.sql - one validator: the inbox holds typed facts that C
-- has judged, and SQL keeps only what must be set-based.
--
-- Before: `lrt ingest` COPYed raw text, and about 500 lines of SQL (0002)
-- judged every event again, as did the inbox's CHECK; settlement parsed each
-- event's JSON once more.  Now `lrt ingest` parses every record with the
-- C code of `lrt simulate` (src/io/json_parse.c) and COPYs typed columns;
-- this file:
--   1. gives the inbox one typed column per member of lrt_event
--      (src/store/event_row.h lists them; a new field is one column there
--      and here), filled for the events already stored, and keeps the event
--      as received (`event`) for audit;
--   2. drops the per-row checks and triggers of the inbox, its foreign key,
--      and the SQL validator of 0002;
--   3. replaces lrt.ingest_load with the set-based half that remains:
--      duplicates against the inbox, late events, the reject table;
--   4. adds lrt.submissions, where the lrt_writer role submits events with
--      plain SQL, for the C validator to judge at `lrt ingest --pending`.

-- ---- 1. typed columns ---------------------------------------------------------
--
-- The meaning of a column depends on the event's type, as in lrt_event
-- (include/lrt/event.h):
--
--   type      text columns                              numbers
--   deposit   holder, asset                             amount
--   withdraw  holder                                    amount (the shares)
--   transfer  from_name, to_name (holders)              amount (the shares)
--   reward    source, location, asset                   amount
--   slash     location (the operator), source (the AVS), asset   amount
--   move      from_name, to_name (locations), asset     amount
--   swap      location, asset (in), asset_out           amount (in), amount_out
--   price     asset                                     price
--   claim     request
--   config    fee_bps, fee_recipients, delay_epochs, max_apr_bps,
--             max_rate_change_bps (those it sets; the others NULL)
--   accept                                              amount (the rate)
--
-- Holders, locations and operators written as addresses are stored in
-- lower case; `event` keeps them as written.

ALTER TABLE lrt.inbox
    ADD COLUMN holder              text,
    ADD COLUMN from_name           text,
    ADD COLUMN to_name             text,
    ADD COLUMN source              text,
    ADD COLUMN location            text,
    ADD COLUMN asset               text,
    ADD COLUMN asset_out           text,
    ADD COLUMN request             text,
    ADD COLUMN amount              numeric(78, 0),
    ADD COLUMN amount_out          numeric(78, 0),
    ADD COLUMN price               numeric,
    ADD COLUMN fee_bps             integer,
    ADD COLUMN fee_recipients      jsonb,
    ADD COLUMN delay_epochs        bigint,
    ADD COLUMN max_apr_bps         bigint,
    ADD COLUMN max_rate_change_bps bigint;

-- The events already stored were judged by 0002's SQL, which agreed with the
-- C parser on every case; their columns are read off the JSON as the C
-- parser reads them.
UPDATE lrt.inbox i SET
    holder = CASE WHEN i.type IN ('deposit', 'withdraw')
                  THEN lrt.label_key(i.event ->> 'holder') END,
    from_name = CASE WHEN i.type IN ('transfer', 'move')
                     THEN lrt.label_key(i.event ->> 'from') END,
    to_name = CASE WHEN i.type IN ('transfer', 'move')
                   THEN lrt.label_key(i.event ->> 'to') END,
    source = CASE i.type WHEN 'reward' THEN i.event ->> 'source'
                         WHEN 'slash' THEN i.event ->> 'avs' END,
    location = CASE i.type WHEN 'reward' THEN lrt.label_key(i.event ->> 'location')
                           WHEN 'swap' THEN lrt.label_key(i.event ->> 'location')
                           WHEN 'slash' THEN lrt.label_key(i.event ->> 'operator') END,
    asset = CASE WHEN i.type IN ('deposit', 'reward', 'slash', 'move', 'price')
                 THEN i.event ->> 'asset'
                 WHEN i.type = 'swap' THEN i.event ->> 'asset_in' END,
    asset_out = CASE WHEN i.type = 'swap' THEN i.event ->> 'asset_out' END,
    request = CASE WHEN i.type = 'claim' THEN i.event ->> 'request' END,
    amount = (CASE WHEN i.type IN ('deposit', 'reward', 'slash', 'move')
                   THEN i.event ->> 'amount'
                   WHEN i.type IN ('withdraw', 'transfer') THEN i.event ->> 'shares'
                   WHEN i.type = 'swap' THEN i.event ->> 'amount_in'
                   WHEN i.type = 'accept' THEN i.event ->> 'rate' END)::numeric,
    amount_out = CASE WHEN i.type = 'swap' THEN (i.event ->> 'amount_out')::numeric END,
    price = CASE WHEN i.type = 'price' THEN (i.event ->> 'price')::numeric END,
    fee_bps = CASE WHEN i.type = 'config' THEN (i.event ->> 'fee_bps')::integer END,
    fee_recipients = CASE WHEN i.type = 'config' AND i.event ? 'fee_recipients' THEN
        (SELECT jsonb_agg(jsonb_build_object('holder', lrt.label_key(r.item ->> 'holder'),
                                             'bps', (r.item -> 'bps'))
                          ORDER BY r.ordinal)
           FROM jsonb_array_elements(i.event -> 'fee_recipients')
                WITH ORDINALITY AS r(item, ordinal)) END,
    delay_epochs = CASE WHEN i.type = 'config' THEN (i.event ->> 'delay_epochs')::bigint END,
    max_apr_bps = CASE WHEN i.type = 'config' THEN (i.event ->> 'max_apr_bps')::bigint END,
    max_rate_change_bps = CASE WHEN i.type = 'config'
                               THEN (i.event ->> 'max_rate_change_bps')::bigint END;

COMMENT ON COLUMN lrt.inbox.event IS
    'The event as received (a CSV record as the JSON of its cells), kept for audit; settlement reads the typed columns.';

-- ---- 2. no per-row work on the inbox ---------------------------------------------
--
-- Every row comes from the C validator (`lrt ingest`, `lrt ingest
-- --pending`, `lrt settle --accept-rate`); `lrt verify` re-reads each
-- settled event's JSON with it and compares the typed columns.

DROP TRIGGER inbox_fill_columns ON lrt.inbox;
DROP TRIGGER inbox_check_epochs ON lrt.inbox;
ALTER TABLE lrt.inbox
    DROP CONSTRAINT inbox_event_well_formed,
    DROP CONSTRAINT inbox_check,
    DROP CONSTRAINT inbox_type_check,
    DROP CONSTRAINT inbox_product_id_fkey;

DROP FUNCTION lrt.inbox_fill_columns();
DROP FUNCTION lrt.inbox_check_epochs();
DROP FUNCTION lrt.inbox_refuse(text, text);
DROP FUNCTION lrt.inbox_row_problem(bigint, bigint, jsonb);
DROP FUNCTION lrt.ingest_load(bigint, text, text);
DROP FUNCTION lrt.ingest_begin();
DROP FUNCTION lrt.ingest_jsonl_header(text, text);
DROP FUNCTION lrt.ingest_csv_header(text);
DROP FUNCTION lrt.csv_value_problem(text, text);
DROP FUNCTION lrt.csv_value(text, text);
DROP FUNCTION lrt.csv_cells(text);
DROP FUNCTION lrt.json_parse(text);
DROP FUNCTION lrt.json_needs_text_check(text, bigint);
DROP FUNCTION lrt.json_text_check(text, jsonb);
DROP TYPE lrt.parsed_json;
DROP FUNCTION lrt.event_epoch(jsonb, bigint, bigint);
DROP FUNCTION lrt.event_epoch_at(jsonb, bigint, bigint, bigint);
DROP FUNCTION lrt.event_shape_problem(jsonb);
DROP FUNCTION lrt.event_problem(jsonb, bigint, bigint);
DROP FUNCTION lrt.event_problem_at(jsonb, bigint, bigint, bigint);
DROP FUNCTION lrt.event_body_problem(jsonb);
DROP FUNCTION lrt.event_head_problem(jsonb, bigint);
DROP FUNCTION lrt.config_problem(jsonb);
DROP FUNCTION lrt.event_time_epoch_problem(jsonb, bigint, bigint, bigint);
DROP FUNCTION lrt.time_problem(jsonb, bigint);
DROP FUNCTION lrt.event_time(jsonb);
DROP FUNCTION lrt.iso_time_seconds(text);
DROP FUNCTION lrt.label_key(text);
DROP FUNCTION lrt.json_integer_problem(jsonb, text, numeric, numeric);
DROP FUNCTION lrt.json_price_problem(jsonb, text);
DROP FUNCTION lrt.json_amount_problem(jsonb, text);
DROP FUNCTION lrt.json_name_problem(jsonb, text);
DROP FUNCTION lrt.amount_max();

-- ---- 3. the set-based half of ingest ---------------------------------------------

-- The session's staging table, made on first use and emptied for each
-- file: the inbox's columns (so that a column added to the inbox is staged
-- too) and, per record, its first line, its text as written, why C kept it
-- aside (NULL when well-formed), the line of the first well-formed record
-- of the file with the same id (NULL when none came before), and its fate.
CREATE FUNCTION lrt.ingest_begin() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.lrt_ingest_stage') IS NULL THEN
        CREATE TEMPORARY TABLE lrt_ingest_stage ON COMMIT DELETE ROWS AS
        SELECT NULL::bigint AS line, NULL::text AS raw, NULL::text AS problem,
               NULL::bigint AS first_line, NULL::text AS outcome, i.*
          FROM lrt.inbox i WITH NO DATA;
    ELSE
        TRUNCATE pg_temp.lrt_ingest_stage;
    END IF;
END
$$;

-- One ingest of a product at a time, the product's state row
-- share-locked until the transaction ends: a settlement that began first
-- commits first (its epoch is then settled, and events of it are late), one
-- that begins later waits for this ingest and settles its events.  Returns
-- the settled epoch (-1 before the first).
CREATE FUNCTION lrt.ingest_lock(p_product_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_settled bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(1280463945, p_product_id::integer);  -- "LRTI"
    SELECT s.settled_epoch INTO v_settled
      FROM lrt.product_state s WHERE s.product_id = p_product_id FOR SHARE;
    RETURN coalesce(v_settled, -1);
END
$$;

-- Loads the staged records of one file (or of lrt.submissions) into the
-- inbox of a product:
--   1. a record whose id was used earlier in the file: with the same
--      content a duplicate, with other content a reject;
--   2. lrt.ingest_lock: one ingest of the product at a time, no
--      settlement in between;
--   3. INSERT ... ON CONFLICT DO NOTHING the well-formed records of
--      unsettled epochs, in line order;
--   4. records whose id was stored before: the same content a duplicate,
--      other content a reject; records of a settled epoch: rejects;
--   5. the rejects into lrt.ingest_rejects, in line order.
-- The caller holds the transaction: nothing is half-applied.
CREATE FUNCTION lrt.ingest_load(p_product_id bigint, p_source_file text,
                                OUT read_count bigint, OUT loaded_count bigint,
                                OUT duplicate_count bigint, OUT rejected_count bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_symbol text;
    v_settled bigint;
    v_columns text;
    v_candidates bigint;
BEGIN
    PERFORM set_config('jit', 'off', true);
    PERFORM set_config('work_mem', '64MB', true);
    -- the stage is read in the order it was written, which is line order
    PERFORM set_config('synchronize_seqscans', 'off', true);
    SELECT p.symbol INTO v_symbol FROM lrt.products p WHERE p.product_id = p_product_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no product with id %', p_product_id USING ERRCODE = 'LRI01';
    END IF;
    -- the typed columns, as the inbox has them
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_columns
      FROM pg_attribute a
     WHERE a.attrelid = 'lrt.inbox'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname NOT IN ('product_id', 'event', 'ingest_order', 'source_file',
                             'source_line', 'ingested_at');

    -- 1. the same id earlier in this file
    UPDATE pg_temp.lrt_ingest_stage w
       SET outcome = CASE WHEN coalesce(w.event, w.raw::jsonb)
                               = coalesce(f.event, f.raw::jsonb) THEN 'duplicate' END,
           problem = CASE WHEN coalesce(w.event, w.raw::jsonb)
                               <> coalesce(f.event, f.raw::jsonb)
                          THEN format('id %s was used on line %s with other content',
                                      w.event_id, f.line) END
      FROM pg_temp.lrt_ingest_stage f
     WHERE w.first_line IS NOT NULL AND f.line = w.first_line AND w.problem IS NULL;

    -- 2. the lock, the settled epoch
    v_settled := lrt.ingest_lock(p_product_id);

    -- 3. load, in line order: ingest_order follows the file
    EXECUTE format(
        'INSERT INTO lrt.inbox AS i (product_id, %1$s, event, source_file, source_line)'
        ' SELECT $1, %1$s, coalesce(w.event, w.raw::jsonb), $2, w.line'
        '   FROM pg_temp.lrt_ingest_stage w'
        '  WHERE w.problem IS NULL AND w.first_line IS NULL AND w.epoch > $3'
        ' ON CONFLICT (product_id, event_id) DO NOTHING', v_columns)
      USING p_product_id, p_source_file, v_settled;
    GET DIAGNOSTICS loaded_count = ROW_COUNT;
    SELECT count(*) INTO v_candidates FROM pg_temp.lrt_ingest_stage w
     WHERE w.problem IS NULL AND w.first_line IS NULL AND w.epoch > v_settled;

    -- 4. ids met in the inbox: stored before this transaction (the rows this
    -- one wrote carry its transaction id), then late events
    IF loaded_count < v_candidates THEN
        UPDATE pg_temp.lrt_ingest_stage w
           SET outcome = CASE WHEN i.event = coalesce(w.event, w.raw::jsonb) THEN 'duplicate' END,
               problem = CASE WHEN i.event <> coalesce(w.event, w.raw::jsonb)
                              THEN format('id %s was used before with other content%s',
                                          w.event_id,
                                          CASE WHEN i.source_file IS NOT NULL
                                               THEN format(' (%s:%s)', i.source_file,
                                                           i.source_line)
                                               ELSE '' END) END
          FROM lrt.inbox i
         WHERE i.product_id = p_product_id AND i.event_id = w.event_id
           AND w.problem IS NULL AND w.first_line IS NULL AND w.epoch > v_settled
           AND i.xmin::text::bigint <> txid_current() % 4294967296;
    END IF;
    UPDATE pg_temp.lrt_ingest_stage w
       SET outcome = CASE WHEN i.event = coalesce(w.event, w.raw::jsonb) THEN 'duplicate' END,
           problem = CASE WHEN i.event <> coalesce(w.event, w.raw::jsonb)
                          THEN format('id %s was used before with other content%s', w.event_id,
                                      CASE WHEN i.source_file IS NOT NULL
                                           THEN format(' (%s:%s)', i.source_file, i.source_line)
                                           ELSE '' END) END
      FROM lrt.inbox i
     WHERE i.product_id = p_product_id AND i.event_id = w.event_id
       AND w.problem IS NULL AND w.first_line IS NULL AND w.epoch <= v_settled;
    UPDATE pg_temp.lrt_ingest_stage w
       SET problem = format('epoch %s is already settled (%s is settled through epoch %s)',
                            w.epoch, v_symbol, v_settled)
     WHERE w.problem IS NULL AND w.outcome IS NULL AND w.first_line IS NULL
       AND w.epoch <= v_settled;

    SELECT count(*),
           count(*) FILTER (WHERE w.problem IS NULL AND w.outcome = 'duplicate'),
           count(*) FILTER (WHERE w.problem IS NOT NULL)
      INTO read_count, duplicate_count, rejected_count
      FROM pg_temp.lrt_ingest_stage w;
    ASSERT read_count = loaded_count + duplicate_count + rejected_count,
           format('ingest counts do not add up: read %s, loaded %s, duplicates %s, rejected %s',
                  read_count, loaded_count, duplicate_count, rejected_count);

    -- 5. rejects, with the text as written; a reject recorded before (the
    -- same file ingested again) is not recorded twice
    IF rejected_count > 0 THEN
        INSERT INTO lrt.ingest_rejects (product_id, source_file, source_line, raw, reason)
        SELECT p_product_id, p_source_file, w.line, w.raw, w.problem
          FROM pg_temp.lrt_ingest_stage w
         WHERE w.problem IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM lrt.ingest_rejects r
                            WHERE r.product_id = p_product_id
                              AND r.source_file = p_source_file
                              AND r.source_line = w.line
                              AND r.raw = w.raw AND r.reason = w.problem)
         ORDER BY w.line;
    END IF;
END
$$;
COMMENT ON FUNCTION lrt.ingest_load(bigint, text) IS
    'The set-based half of lrt ingest: duplicates, late events and rejects of the records C staged in pg_temp.lrt_ingest_stage.';

-- ---- 4. events submitted with SQL -------------------------------------------------

-- A back-office submits an event with an INSERT: the product's symbol and
-- the event as JSON text (SPEC section 3).  Nothing is judged here: the
-- next `lrt ingest --pending` reads the submissions of the product in
-- order, judges each with the C validator, loads it into the inbox
-- (source_file 'lrt.submissions', source_line its submission_id) or keeps
-- it aside in lrt.ingest_rejects with the reason, and deletes it.
CREATE TABLE lrt.submissions (
    submission_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product        text NOT NULL,
    event          text NOT NULL,
    submitted_by   text NOT NULL DEFAULT current_user,
    submitted_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submissions_product ON lrt.submissions (product, submission_id);
COMMENT ON TABLE lrt.submissions IS
    'Events submitted with SQL (INSERT by lrt_writer), judged and moved to the inbox by lrt ingest --pending.';

-- Roles are the cluster's: made once, whichever database migrates first.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lrt_writer') THEN
        CREATE ROLE lrt_writer NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA lrt TO lrt_writer;
GRANT INSERT (product, event) ON lrt.submissions TO lrt_writer;
