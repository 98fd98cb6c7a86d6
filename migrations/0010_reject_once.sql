-- 0010_reject_once.sql - a line kept aside is one row of lrt.ingest_rejects,
-- however often its file is ingested.
--
-- Before, lrt.ingest_load left out a reject only when a row of the same
-- file and line had the same text and the same reason: a second try whose
-- reason read otherwise (the settled epoch had moved on, the validator now
-- names every problem of the line, the line was edited and is still wrong)
-- added a second row for the same line.  Now (product, file, line) is the
-- table's key for what it is about, and a second try updates the row.
--
--   1. the rows a line already has twice: the latest kept;
--   2. a unique constraint on (product_id, source_file, source_line), in
--      place of the plain index 0002 made for the lookup (a submission's
--      line is its submission_id, unique too);
--   3. lrt.ingest_load as in 0003, step 5 now INSERT ... ON CONFLICT:
--      the row of a line kept aside before gets the text and reason of the
--      latest try, and its rejected_at moves only when they changed.

-- ---- 1. one row per line ----------------------------------------------------

DELETE FROM lrt.ingest_rejects r
 USING lrt.ingest_rejects later
 WHERE later.product_id = r.product_id AND later.source_file = r.source_file
   AND later.source_line = r.source_line AND later.reject_id > r.reject_id;

-- ---- 2. the key -----------------------------------------------------------------

ALTER TABLE lrt.ingest_rejects
    ADD CONSTRAINT ingest_rejects_line UNIQUE (product_id, source_file, source_line);
DROP INDEX lrt.ingest_rejects_source;
COMMENT ON TABLE lrt.ingest_rejects IS
    'Malformed or late input kept aside (SPEC section 4): one row per file and line, with the text and the reason of the latest try.';

-- ---- 3. the load ----------------------------------------------------------------

-- Loads the staged records of one file (or of lrt.submissions) into the
-- inbox of a product, as 0003 says; the rejects go in with ON CONFLICT.
CREATE OR REPLACE FUNCTION lrt.ingest_load(p_product_id bigint, p_source_file text,
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

    -- 5. rejects, with the text as written: one row per file and line; a
    -- line kept aside before (the same file ingested again) keeps its row,
    -- which says the text and the reason of the latest try
    IF rejected_count > 0 THEN
        INSERT INTO lrt.ingest_rejects AS r (product_id, source_file, source_line, raw, reason)
        SELECT p_product_id, p_source_file, w.line, w.raw, w.problem
          FROM pg_temp.lrt_ingest_stage w
         WHERE w.problem IS NOT NULL
         ORDER BY w.line
        ON CONFLICT (product_id, source_file, source_line) DO UPDATE
           SET raw = excluded.raw, reason = excluded.reason, rejected_at = now()
         WHERE r.raw IS DISTINCT FROM excluded.raw
            OR r.reason IS DISTINCT FROM excluded.reason;
    END IF;
END
$$;
COMMENT ON FUNCTION lrt.ingest_load(bigint, text) IS
    'The set-based half of lrt ingest: duplicates, late events and rejects of the records C staged in pg_temp.lrt_ingest_stage.';

