-- 0002_ingest.sql - what makes an event well-formed, in SQL, and the
-- set-based half of `lrt ingest` (src/store/ingest.c).
--
-- SPEC sections 3-4 say which events are malformed; src/io/json_parse.c is
-- the reference implementation of those rules, and every function here must
-- agree with it on every input (tests/check_ingest.c compares the two).
-- Reasons are the parser's texts: "amount: exceeds 2^256-1".
--
-- Three users:
--   * `lrt ingest` COPYs raw records into a temporary staging table and calls
--     lrt.ingest_load(), which validates the whole batch in a few statements
--     and loads the valid rows into lrt.inbox (no row-by-row round trips);
--   * lrt.inbox itself: a CHECK constraint refuses a malformed event and an
--     AFTER INSERT statement trigger refuses an event whose `time` does not
--     give its epoch or whose epoch is already settled, so that a back-office
--     writing to the inbox directly cannot store what ingest would refuse;
--   * anyone asking "what is wrong with this event?": lrt.event_problem().
--
-- Performance: the per-event checks are LANGUAGE sql functions made of one
-- expression, which the planner inlines into the calling statement, so a
-- batch of a million events costs expression evaluation, not a million
-- function calls.  Only rare paths (ISO-8601 times, `config` events, JSON
-- text that needs a closer look) call PL/pgSQL.

-- ---- field checks ------------------------------------------------------------

-- 2^256 - 1: the largest amount (SPEC section 1).  A decimal string of at
-- most 77 digits is always below it, so only longer ones are converted.
CREATE FUNCTION lrt.amount_max() RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 115792089237316195423570985008687907853269984665640564039457584007913129639935::numeric
$$;

-- A name (id, holder, asset, location, ...): a non-empty JSON string of at
-- most 512 bytes (LRT_NAME_BYTES_MAX).  NULL when fine.
CREATE FUNCTION lrt.json_name_problem(e jsonb, field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- the common case first, in two lookups
        WHEN octet_length(e ->> field) BETWEEN 1 AND 512
             AND jsonb_typeof(e -> field) = 'string' THEN NULL
        WHEN NOT e ? field THEN field || ': missing'
        WHEN jsonb_typeof(e -> field) <> 'string' THEN field || ': must be a string'
        WHEN e ->> field = '' THEN field || ': must not be empty'
        WHEN octet_length(e ->> field) > 512 THEN field || ': longer than 512 bytes'
    END
$$;

-- An amount, share count or rate: a JSON string of decimal digits, at most
-- 256 characters (LRT_AMOUNT_CHARS_MAX), at most 2^256 - 1.
CREATE FUNCTION lrt.json_amount_problem(e jsonb, field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- the common case first: up to 77 digits are always in range
        WHEN octet_length(e ->> field) <= 77 AND (e ->> field) ~ '^[0-9]+$'
             AND jsonb_typeof(e -> field) = 'string' THEN NULL
        WHEN NOT e ? field THEN field || ': missing'
        WHEN jsonb_typeof(e -> field) = 'number'
            THEN field || ': must be a decimal string, not a JSON number'
        WHEN jsonb_typeof(e -> field) <> 'string'
            THEN field || ': must be a decimal string, not a JSON value of another type'
        WHEN e ->> field = '' THEN field || ': empty, expected a decimal integer string'
        WHEN octet_length(e ->> field) > 256
            THEN field || ': ' || octet_length(e ->> field)::text || ' characters, more than 256'
        WHEN (e ->> field) !~ '^[0-9]+$'
            THEN field || ': "' || left(e ->> field, 40) || '" is not a decimal integer ([0-9]+)'
        WHEN octet_length(e ->> field) <= 77 THEN NULL
        WHEN (e ->> field)::numeric > lrt.amount_max() THEN field || ': exceeds 2^256-1'
    END
$$;

-- A price: a JSON string [0-9]+(\.[0-9]{1,36})?, its whole part at most
-- 2^256 - 1 (src/core/amount.c, lrt_price_parse).
CREATE FUNCTION lrt.json_price_problem(e jsonb, field text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN NOT e ? field THEN field || ': missing'
        WHEN jsonb_typeof(e -> field) = 'number'
            THEN field || ': must be a decimal string, not a JSON number'
        WHEN jsonb_typeof(e -> field) <> 'string'
            THEN field || ': must be a decimal string, not a JSON value of another type'
        WHEN (e ->> field) !~ '^[0-9]+([.][0-9]+)?$'
          OR octet_length(e ->> field) > 293
          OR octet_length(split_part(e ->> field, '.', 1)) > 256
            THEN field || ': "' || left(e ->> field, 40)
                 || '" is not a price ([0-9]+(.[0-9]{1,36})?)'
        WHEN octet_length(split_part(e ->> field, '.', 2)) > 36
            THEN field || ': ' || octet_length(split_part(e ->> field, '.', 2))::text
                 || ' fractional digits, more than 36'
        WHEN octet_length(split_part(e ->> field, '.', 1)) <= 77 THEN NULL
        WHEN split_part(e ->> field, '.', 1)::numeric > lrt.amount_max()
            THEN field || ': price exceeds 2^256-1'
    END
$$;

-- A JSON integer (no fraction, no exponent: see lrt.json_text_check) in
-- low..high.  `value` is the field's value, NULL when absent (then fine).
CREATE FUNCTION lrt.json_integer_problem(value jsonb, field text, low numeric, high numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value IS NULL THEN NULL
        WHEN jsonb_typeof(value) <> 'number' THEN field || ': must be a JSON integer'
        WHEN scale(value::numeric) <> 0 THEN field || ': must be a JSON integer'
        WHEN value::numeric < low OR value::numeric > high
            THEN field || ': ' || value::numeric::text || ' is out of range '
                 || low::text || '..' || high::text
    END
$$;

-- A holder, location or operator as it is compared: an address (0x + 40 hex
-- digits) in lower case, anything else as written (SPEC section 3).
CREATE FUNCTION lrt.label_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN name ~ '^0[xX][0-9a-fA-F]{40}$' THEN lower(name) ELSE name END
$$;

-- ---- time ----------------------------------------------------------------------

-- Unix seconds of an ISO-8601 time as src/io/timeparse.c reads it:
-- YYYY-MM-DD, optionally [T ]HH:MM[:SS[.fraction]], optionally Z or
-- +HH[:][MM] (UTC when no zone is given); years 0001-9999, seconds up to 60.
-- NULL when the text is not such a time.
CREATE FUNCTION lrt.iso_time_seconds(text_value text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    year bigint; month int; day int;
    hour int := 0; minute int := 0; second int := 0;
    rest text;
    zone_hours int := 0; zone_minutes int := 0; zone_sign int := 1;
    days_in_month int;
    era bigint; year_of_era bigint; day_of_year bigint; day_of_era bigint;
BEGIN
    -- The shape first, with a regular expression that captures nothing
    -- (captures make PostgreSQL's matcher several times slower); then the
    -- fields by position.
    IF text_value !~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}'
                      '(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?'
                      '(?:[Zz]|[+-][0-9]{2}:?(?:[0-9]{2})?)?$') THEN
        RETURN NULL;
    END IF;
    year := substr(text_value, 1, 4)::bigint;
    month := substr(text_value, 6, 2)::int;
    day := substr(text_value, 9, 2)::int;
    rest := substr(text_value, 11);
    IF left(rest, 1) IN ('T', 't', ' ') THEN
        hour := substr(rest, 2, 2)::int;
        minute := substr(rest, 5, 2)::int;
        rest := substr(rest, 7);
        IF left(rest, 1) = ':' THEN
            second := substr(rest, 2, 2)::int;
            rest := ltrim(substr(rest, 4), '.,0123456789');
        END IF;
    END IF;
    IF left(rest, 1) IN ('+', '-') THEN
        zone_sign := CASE WHEN left(rest, 1) = '-' THEN -1 ELSE 1 END;
        zone_hours := substr(rest, 2, 2)::int;
        rest := ltrim(substr(rest, 4), ':');
        zone_minutes := coalesce(nullif(rest, '')::int, 0);
    END IF;
    days_in_month := (ARRAY[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month];
    IF month = 2 AND (year % 4 = 0 AND year % 100 <> 0 OR year % 400 = 0) THEN
        days_in_month := 29;
    END IF;
    IF year < 1 OR month < 1 OR month > 12 OR day < 1 OR day > days_in_month
       OR hour > 23 OR minute > 59 OR second > 60
       OR zone_hours > 23 OR zone_minutes > 59 THEN
        RETURN NULL;
    END IF;
    -- Days since 1970-01-01 in the proleptic Gregorian calendar, counted in
    -- 400-year eras from March of year 0, as timeparse.c does (year >= 1,
    -- so every division here is of non-negative numbers).
    year := year - CASE WHEN month <= 2 THEN 1 ELSE 0 END;
    era := year / 400;
    year_of_era := year - era * 400;
    day_of_year := (153 * (month + CASE WHEN month > 2 THEN -3 ELSE 9 END) + 2) / 5 + day - 1;
    day_of_era := year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    RETURN (era * 146097 + day_of_era - 719468) * 86400
           + hour * 3600 + minute * 60 + second
           - zone_sign * (zone_hours * 3600 + zone_minutes * 60);
END
$$;

-- Unix seconds of an event's `time` (a JSON integer, a string of digits, or
-- ISO-8601 text), NULL when it has none or it is not valid.
CREATE FUNCTION lrt.event_time(e jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE jsonb_typeof(e -> 'time')
        WHEN 'number' THEN
            CASE WHEN scale((e -> 'time')::numeric) = 0
                  AND (e -> 'time')::numeric BETWEEN -62135596800 AND 253402300799
                 THEN (e -> 'time')::numeric::bigint END
        WHEN 'string' THEN
            CASE WHEN (e ->> 'time') !~ '^[0-9]+$' THEN lrt.iso_time_seconds(e ->> 'time')
                 WHEN octet_length(e ->> 'time') > 12 THEN NULL
                 WHEN (e ->> 'time')::bigint <= 253402300799 THEN (e ->> 'time')::bigint
            END
    END
$$;

-- What is wrong with a `time` value (NULL when absent or fine); `seconds` is
-- lrt.event_time() of the event, so that ISO-8601 text is parsed once.
CREATE FUNCTION lrt.time_problem(value jsonb, seconds bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value IS NULL THEN NULL
        WHEN jsonb_typeof(value) = 'number' THEN
            CASE WHEN scale(value::numeric) <> 0
                     THEN 'time: must be ISO-8601 text or Unix seconds'
                 WHEN value::numeric < -62135596800 OR value::numeric > 253402300799
                     THEN 'time: ' || value::numeric::text
                          || ' is out of range -62135596800..253402300799'
            END
        WHEN jsonb_typeof(value) <> 'string'
            THEN 'time: must be ISO-8601 text or Unix seconds'
        WHEN (value #>> '{}') ~ '^[0-9]+$' THEN
            CASE WHEN octet_length(value #>> '{}') > 12
                     THEN 'time: ' || left(value #>> '{}', 20)
                          || ' is out of range for Unix seconds'
                 WHEN (value #>> '{}')::bigint > 253402300799
                     THEN 'time: ' || (value #>> '{}') || ' is out of range for Unix seconds'
            END
        WHEN seconds IS NULL
            THEN 'time: "' || left(value #>> '{}', 40)
                 || '" is not an ISO-8601 time or Unix seconds'
    END
$$;

-- What the product's genesis and epoch length say about `time` (seconds t):
-- not before genesis, an epoch in range, and the one `epoch` gives if both
-- are there.  Called only for an event whose fields are otherwise fine.
CREATE FUNCTION lrt.event_time_epoch_problem(e jsonb, t bigint, genesis bigint,
                                            epoch_seconds bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t IS NULL THEN NULL
        WHEN t < genesis
            THEN 'time: time ' || t::text || ' is before genesis ' || genesis::text
        WHEN (t - genesis) / epoch_seconds > 1099511627776
            THEN 'time: epoch ' || ((t - genesis) / epoch_seconds)::text || ' is out of range'
        WHEN e ? 'epoch' AND (e -> 'epoch')::numeric <> (t - genesis) / epoch_seconds
            THEN 'time: falls in epoch ' || ((t - genesis) / epoch_seconds)::text
                 || ', but epoch says ' || (e -> 'epoch')::numeric::text
    END
$$;

-- ---- events --------------------------------------------------------------------

-- `config`: one or more of the five policy fields, each valid; recipients
-- distinct (addresses compared in lower case), their bps summing to 10000.
-- PL/pgSQL: config events are rare, and the list needs a loop.
CREATE FUNCTION lrt.config_problem(e jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    problem text;
    list jsonb;
    item jsonb;
    unknown text;
    holders text[] := '{}';
    holder text;
    bps_sum bigint := 0;
    i int;
BEGIN
    problem := coalesce(
        lrt.json_integer_problem(e -> 'fee_bps', 'fee_bps', 0, 9999),
        lrt.json_integer_problem(e -> 'delay_epochs', 'delay_epochs', 0, 1099511627776),
        lrt.json_integer_problem(e -> 'max_apr_bps', 'max_apr_bps', 0, 1000000000),
        lrt.json_integer_problem(e -> 'max_rate_change_bps', 'max_rate_change_bps', 0, 1000000000));
    IF problem IS NOT NULL THEN
        RETURN problem;
    END IF;
    IF NOT e ? 'fee_recipients' THEN
        IF e ?| ARRAY['fee_bps', 'delay_epochs', 'max_apr_bps', 'max_rate_change_bps'] THEN
            RETURN NULL;
        END IF;
        RETURN 'config: names none of fee_bps, fee_recipients, delay_epochs, '
               'max_apr_bps, max_rate_change_bps';
    END IF;
    list := e -> 'fee_recipients';
    IF jsonb_typeof(list) <> 'array' THEN
        RETURN 'fee_recipients: must be a list of {"holder", "bps"}';
    ELSIF jsonb_array_length(list) = 0 THEN
        RETURN 'fee_recipients: must not be empty';
    ELSIF jsonb_array_length(list) > 256 THEN
        RETURN 'fee_recipients: more than 256';
    END IF;
    FOR i IN 0 .. jsonb_array_length(list) - 1 LOOP
        item := list -> i;
        IF jsonb_typeof(item) <> 'object' THEN
            RETURN format('fee_recipients[%s]: must be an object', i);
        END IF;
        SELECT k INTO unknown FROM jsonb_object_keys(item) k
         WHERE k NOT IN ('holder', 'bps') LIMIT 1;
        IF unknown IS NOT NULL THEN
            RETURN format('fee_recipients[%s]: unknown field %s', i, unknown);
        END IF;
        problem := coalesce(lrt.json_name_problem(item, 'holder'),
                            lrt.json_integer_problem(item -> 'bps', 'bps', 0, 10000),
                            CASE WHEN NOT item ? 'bps' THEN 'bps: missing' END);
        IF problem IS NOT NULL THEN
            RETURN format('fee_recipients[%s]: %s', i, problem);
        END IF;
    END LOOP;
    FOR i IN 0 .. jsonb_array_length(list) - 1 LOOP
        holder := lrt.label_key(list -> i ->> 'holder');
        IF holder = ANY (holders) THEN
            RETURN format('fee_recipients[%s].holder: %s is listed twice', i, holder);
        END IF;
        holders := holders || holder;
        bps_sum := bps_sum + (list -> i ->> 'bps')::bigint;
    END LOOP;
    IF bps_sum <> 10000 THEN
        RETURN format('fee_recipients: bps sum to %s, not 10000', bps_sum);
    END IF;
    RETURN NULL;
END
$$;

-- The head of an event, as json_parse.c reads it first: an object with an
-- id, a known type, an `epoch` and/or a `time` that are valid on their own.
-- `t` is lrt.event_time(e).
CREATE FUNCTION lrt.event_head_problem(e jsonb, t bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN jsonb_typeof(e) IS DISTINCT FROM 'object' THEN 'event: must be a JSON object'
        ELSE coalesce(
            lrt.json_name_problem(e, 'id'),
            CASE WHEN NOT e ? 'type' THEN 'type: missing'
                 WHEN jsonb_typeof(e -> 'type') <> 'string' THEN 'type: must be a string'
                 WHEN (e ->> 'type') NOT IN ('deposit', 'withdraw', 'transfer', 'reward',
                                             'slash', 'move', 'swap', 'price', 'claim',
                                             'config', 'accept')
                     THEN 'type: unknown type "' || left(e ->> 'type', 40) || '"'
            END,
            lrt.json_integer_problem(e -> 'epoch', 'epoch', 0, 1099511627776),
            lrt.time_problem(e -> 'time', t),
            CASE WHEN NOT e ? 'epoch' AND NOT e ? 'time'
                 THEN 'epoch: missing (give "epoch" or "time")' END)
    END
$$;

-- The rest of an event, read after its epoch: `seq`, then the fields of its
-- type in the order of json_parse.c's table (SPEC section 3).
CREATE FUNCTION lrt.event_body_problem(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        lrt.json_integer_problem(e -> 'seq', 'seq', -9223372036854775808, 9223372036854775807),
        CASE e ->> 'type'
        WHEN 'deposit' THEN coalesce(lrt.json_name_problem(e, 'holder'),
                                     lrt.json_name_problem(e, 'asset'),
                                     lrt.json_amount_problem(e, 'amount'))
        WHEN 'withdraw' THEN coalesce(lrt.json_name_problem(e, 'holder'),
                                      lrt.json_amount_problem(e, 'shares'))
        WHEN 'transfer' THEN coalesce(lrt.json_name_problem(e, 'from'),
                                      lrt.json_name_problem(e, 'to'),
                                      lrt.json_amount_problem(e, 'shares'))
        WHEN 'reward' THEN coalesce(lrt.json_name_problem(e, 'source'),
                                    lrt.json_name_problem(e, 'location'),
                                    lrt.json_name_problem(e, 'asset'),
                                    lrt.json_amount_problem(e, 'amount'))
        WHEN 'slash' THEN coalesce(lrt.json_name_problem(e, 'operator'),
                                   lrt.json_name_problem(e, 'avs'),
                                   lrt.json_name_problem(e, 'asset'),
                                   lrt.json_amount_problem(e, 'amount'))
        WHEN 'move' THEN coalesce(lrt.json_name_problem(e, 'asset'),
                                  lrt.json_amount_problem(e, 'amount'),
                                  lrt.json_name_problem(e, 'from'),
                                  lrt.json_name_problem(e, 'to'))
        WHEN 'swap' THEN coalesce(lrt.json_name_problem(e, 'location'),
                                  lrt.json_name_problem(e, 'asset_in'),
                                  lrt.json_amount_problem(e, 'amount_in'),
                                  lrt.json_name_problem(e, 'asset_out'),
                                  lrt.json_amount_problem(e, 'amount_out'))
        WHEN 'price' THEN coalesce(lrt.json_name_problem(e, 'asset'),
                                   lrt.json_price_problem(e, 'price'))
        WHEN 'claim' THEN lrt.json_name_problem(e, 'request')
        WHEN 'config' THEN lrt.config_problem(e)
        WHEN 'accept' THEN lrt.json_amount_problem(e, 'rate')
        END)
$$;

-- Everything that makes an event malformed (SPEC section 4) for a product of
-- this genesis and epoch length, in json_parse.c's order, with `t` =
-- lrt.event_time(e) computed once by the caller.  NULL when well-formed.
CREATE FUNCTION lrt.event_problem_at(e jsonb, t bigint, genesis bigint, epoch_seconds bigint)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(lrt.event_head_problem(e, t),
                    lrt.event_time_epoch_problem(e, t, genesis, epoch_seconds),
                    lrt.event_body_problem(e))
$$;

-- The same, for one event: NULL, or a reason a person understands
-- ("amount: \"12x\" is not a decimal integer ([0-9]+)").
CREATE FUNCTION lrt.event_problem(event jsonb, genesis bigint, epoch_seconds bigint)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lrt.event_problem_at(event, lrt.event_time(event), genesis, epoch_seconds)
$$;
COMMENT ON FUNCTION lrt.event_problem(jsonb, bigint, bigint) IS
    'NULL when the event is well-formed for a product of this genesis and epoch length, else why not (SPEC sections 3-4).';

-- What is malformed without knowing the product: all but the epoch that
-- `time` gives.  The inbox's CHECK constraint.
CREATE FUNCTION lrt.event_shape_problem(event jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(lrt.event_head_problem(event, lrt.event_time(event)),
                    lrt.event_body_problem(event))
$$;

-- The epoch of a well-formed event, from `time` (seconds t) when it has one.
CREATE FUNCTION lrt.event_epoch_at(e jsonb, t bigint, genesis bigint, epoch_seconds bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t IS NOT NULL THEN (t - genesis) / epoch_seconds
                ELSE (e ->> 'epoch')::bigint END
$$;

CREATE FUNCTION lrt.event_epoch(event jsonb, genesis bigint, epoch_seconds bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lrt.event_epoch_at(event, lrt.event_time(event), genesis, epoch_seconds)
$$;

-- ---- JSON text -------------------------------------------------------------------

-- jsonb accepts some texts that the C parser (jansson, with duplicate keys
-- refused) does not, and forgets how a number was written.  This walks the
-- text as `json` (which keeps it as written) and returns:
--   problem: "not JSON: duplicate object key", "not JSON: too big integer",
--            "not JSON: real number overflow" (a double's range), or "not
--            JSON: maximum parsing depth reached" (2048 levels); else NULL;
--   doc:     `parsed` with every number written with a fraction or exponent
--            kept non-integral (1e2 becomes 100.0), so that "epoch": 1e2 is
--            "not a JSON integer" here as it is in C.
-- Only texts that lrt.json_needs_text_check() flags come here.
CREATE TYPE lrt.parsed_json AS (doc jsonb, problem text);

CREATE FUNCTION lrt.json_text_check(raw text, parsed jsonb) RETURNS lrt.parsed_json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    node record;
    doc jsonb := parsed;
    problem text;
BEGIN
    FOR node IN
        WITH RECURSIVE n(path, depth, in_object, key, kind, value) AS (
            SELECT ARRAY[]::text[], 1, false, NULL::text, json_typeof(raw::json), raw::json
          UNION ALL
            SELECT n.path || c.key, n.depth + 1, n.kind = 'object', c.key,
                   json_typeof(c.value), c.value
              FROM n CROSS JOIN LATERAL (
                    SELECT o.key, o.value
                      FROM json_each(CASE WHEN n.kind = 'object' THEN n.value
                                          ELSE '{}'::json END) o
                    UNION ALL
                    SELECT (a.ordinal - 1)::text, a.value
                      FROM json_array_elements(CASE WHEN n.kind = 'array' THEN n.value
                                                    ELSE '[]'::json END)
                           WITH ORDINALITY a(value, ordinal)) c
             WHERE n.depth <= 2048
        )
        SELECT n.path, n.depth, n.kind, n.value::text AS literal,
               n.in_object AND count(*) OVER (PARTITION BY n.path[1:n.depth - 2], n.key) > 1
                   AS duplicate
          FROM n
         ORDER BY n.depth, n.path
    LOOP
        IF node.depth > 2048 THEN
            problem := 'not JSON: maximum parsing depth reached';
        ELSIF node.duplicate THEN
            problem := format('not JSON: duplicate object key "%s"', node.path[node.depth - 1]);
        ELSIF node.kind <> 'number' THEN
            CONTINUE;
        ELSIF node.literal ~ '^-?[0-9]+$' THEN
            IF node.literal::numeric > 9223372036854775807 THEN
                problem := 'not JSON: too big integer';
            ELSIF node.literal::numeric < -9223372036854775808 THEN
                problem := 'not JSON: too big negative integer';
            END IF;
        ELSIF abs(node.literal::numeric) >= 179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792 THEN
            -- 2^1024 - 2^970: the least value strtod rounds to infinity
            problem := 'not JSON: real number overflow';
        ELSIF scale(node.literal::numeric) = 0 AND node.depth > 1 THEN
            doc := jsonb_set(doc, node.path, to_jsonb(node.literal::numeric + 0.0));
        END IF;
        IF problem IS NOT NULL THEN
            RETURN ROW(NULL, problem)::lrt.parsed_json;
        END IF;
    END LOOP;
    RETURN ROW(doc, NULL)::lrt.parsed_json;
END
$$;

-- Whether a text may hold what lrt.json_text_check looks for.  A cheap
-- over-approximation (false means "nothing to see"), made of substring
-- counts and one regular expression:
--   keys: with no backslash in the text no string holds a quote, so every
--         '":' closes a key; when that count is the parsed object's key
--         count, no key is written twice (nested objects, escapes, or a
--         space before a colon all lead to the full check);
--   numbers: an exponent, or 19 digits or more in a row;
--   a long text (deep nesting).
-- `key_count` is the number of keys of the parsed top-level object.
CREATE FUNCTION lrt.json_needs_text_check(raw text, key_count bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT octet_length(raw) >= 4096
        OR strpos(raw, chr(92)) > 0      -- a backslash
        OR (octet_length(raw) - octet_length(replace(raw, '":', ''))) / 2 <> key_count
        OR raw ~ '"[[:space:]]+:|[:,[][[:space:]]*-?([0-9]{19}|[0-9]+([.][0-9]+)?[eE])'
$$;

-- Parses one text as the C parser would, never failing: the document (NULL
-- when the text is not JSON), or why it is not JSON.  The slow path of
-- ingest, for batches in which a row is not JSON at all.
CREATE FUNCTION lrt.json_parse(raw text) RETURNS lrt.parsed_json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    detail text;
    doc jsonb;
BEGIN
    BEGIN
        doc := raw::jsonb;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        RETURN ROW(NULL, 'not JSON: ' || coalesce(nullif(detail, ''), SQLERRM))::lrt.parsed_json;
    END;
    IF jsonb_typeof(doc) = 'object'
       AND lrt.json_needs_text_check(raw, (SELECT count(*) FROM jsonb_object_keys(doc))) THEN
        RETURN lrt.json_text_check(raw, doc);
    END IF;
    RETURN ROW(doc, NULL)::lrt.parsed_json;
END
$$;

-- ---- the inbox refuses what ingest would refuse ---------------------------------------

-- What is wrong with an inbox row without looking at its product: the event,
-- and the epoch and seq columns against the event.
CREATE FUNCTION lrt.inbox_row_problem(epoch bigint, seq bigint, event jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        lrt.event_shape_problem(event),
        CASE WHEN event ? 'epoch' AND (event ->> 'epoch')::bigint IS DISTINCT FROM epoch
             THEN 'epoch: the row says ' || coalesce(epoch::text, 'nothing')
                  || ', the event says ' || (event ->> 'epoch') END,
        CASE WHEN (event ->> 'seq')::bigint IS DISTINCT FROM seq
             THEN 'seq: the row says ' || coalesce(seq::text, 'nothing')
                  || ', the event says ' || coalesce(event ->> 'seq', 'nothing') END)
$$;

-- Raises the reason, so that a refused INSERT says what is wrong instead of
-- naming a constraint.  Never returns.
CREATE FUNCTION lrt.inbox_refuse(event_id text, problem text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RAISE EXCEPTION 'lrt.inbox: event % is malformed: %', coalesce(event_id, '(no id)'), problem
        USING ERRCODE = 'check_violation', CONSTRAINT = 'inbox_event_well_formed',
              HINT = 'SPEC.md sections 3-4 say what an event holds; '
                     'lrt.event_problem(event, genesis, epoch_seconds) explains any event.';
END
$$;

-- On the valid path only the first, inlined, test runs.
ALTER TABLE lrt.inbox ADD CONSTRAINT inbox_event_well_formed
    CHECK (lrt.inbox_row_problem(epoch, seq, event) IS NULL
           OR lrt.inbox_refuse(event_id, lrt.inbox_row_problem(epoch, seq, event)));

-- A back-office may leave event_id, type, epoch and seq out of its INSERT:
-- they are then taken from the event (the epoch from `time` with the
-- product's genesis).  The WHEN clause keeps `lrt ingest`, which gives them
-- all, off this per-row path.
CREATE FUNCTION lrt.inbox_fill_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    genesis bigint;
    epoch_seconds bigint;
BEGIN
    IF jsonb_typeof(NEW.event) IS DISTINCT FROM 'object' THEN
        RETURN NEW;    -- the CHECK constraint says what is wrong
    END IF;
    NEW.event_id := coalesce(NEW.event_id, NEW.event ->> 'id');
    NEW.type := coalesce(NEW.type, NEW.event ->> 'type');
    IF NEW.seq IS NULL
       AND lrt.json_integer_problem(NEW.event -> 'seq', 'seq', -9223372036854775808,
                                    9223372036854775807) IS NULL THEN
        NEW.seq := (NEW.event ->> 'seq')::bigint;
    END IF;
    IF NEW.epoch IS NULL AND lrt.event_shape_problem(NEW.event) IS NULL THEN
        SELECT p.genesis_time, p.epoch_seconds INTO genesis, epoch_seconds
          FROM lrt.products p WHERE p.product_id = NEW.product_id;
        IF FOUND AND lrt.event_problem(NEW.event, genesis, epoch_seconds) IS NULL THEN
            NEW.epoch := lrt.event_epoch(NEW.event, genesis, epoch_seconds);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER inbox_fill_columns BEFORE INSERT ON lrt.inbox
    FOR EACH ROW
    WHEN (NEW.event_id IS NULL OR NEW.type IS NULL OR NEW.epoch IS NULL
          OR (NEW.seq IS NULL AND NEW.event ? 'seq'))
    EXECUTE FUNCTION lrt.inbox_fill_columns();

-- What needs the product, checked once per statement over all its rows (a
-- COPY or INSERT of a million events costs one query, not a million
-- trigger calls): `time` must give the row's epoch, and the epoch must not
-- be settled yet.  The product's state row is share-locked first, so that
-- no settlement commits an epoch between this check and the commit.
CREATE FUNCTION lrt.inbox_check_epochs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    PERFORM 1 FROM lrt.product_state s
     WHERE s.product_id IN (SELECT DISTINCT n.product_id FROM new_events n)
     ORDER BY s.product_id
       FOR SHARE OF s;
    SELECT x.event_id, x.reason INTO bad
      FROM (SELECT n.event_id,
                   CASE WHEN n.t IS NOT NULL THEN coalesce(
                            lrt.event_time_epoch_problem(n.event, n.t, p.genesis_time,
                                                         p.epoch_seconds),
                            CASE WHEN (n.t - p.genesis_time) / p.epoch_seconds <> n.epoch
                                 THEN format('epoch: the row says %s, but time falls in epoch %s',
                                             n.epoch, (n.t - p.genesis_time) / p.epoch_seconds)
                            END)
                   END AS time_reason,
                   CASE WHEN n.epoch <= s.settled_epoch
                        THEN format('epoch %s is already settled (%s is settled through epoch %s)',
                                    n.epoch, p.symbol, s.settled_epoch) END AS late_reason
              FROM (SELECT e.*, lrt.event_time(e.event) AS t FROM new_events e OFFSET 0) n
              JOIN lrt.products p ON p.product_id = n.product_id
              LEFT JOIN lrt.product_state s ON s.product_id = n.product_id) y
     CROSS JOIN LATERAL (SELECT y.event_id, coalesce(y.time_reason, y.late_reason) AS reason) x
     WHERE x.reason IS NOT NULL
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'lrt.inbox: event %: %', bad.event_id, bad.reason
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER inbox_check_epochs AFTER INSERT ON lrt.inbox
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION lrt.inbox_check_epochs();

-- ---- ingest: staging and the set-based load ------------------------------------------------

-- Finding a file's earlier rejects, so that ingesting it again does not
-- record them twice.
CREATE INDEX ingest_rejects_source ON lrt.ingest_rejects (product_id, source_file, source_line);

-- The session's staging tables, made on first use and emptied for each
-- file; their rows go at every commit.  `lrt ingest` COPYs one row per
-- record into lrt_ingest_stage: its first line, its text, and what was
-- wrong with its framing (not UTF-8, a broken CSV quote, too long), which
-- is all that C decides.  lrt.ingest_load() fills lrt_ingest_work.
CREATE FUNCTION lrt.ingest_begin() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.lrt_ingest_stage') IS NULL
       OR to_regclass('pg_temp.lrt_ingest_work') IS NULL THEN
        IF to_regclass('pg_temp.lrt_ingest_stage') IS NOT NULL THEN
            DROP TABLE pg_temp.lrt_ingest_stage;
        END IF;
        IF to_regclass('pg_temp.lrt_ingest_work') IS NOT NULL THEN
            DROP TABLE pg_temp.lrt_ingest_work;
        END IF;
        CREATE TEMPORARY TABLE lrt_ingest_stage (
            line     bigint NOT NULL,   -- the record's first line in its file
            raw      text NOT NULL,     -- the record as written (CSV: one row)
            problem  text               -- a framing problem found by C
        ) ON COMMIT DELETE ROWS;
        CREATE TEMPORARY TABLE lrt_ingest_work (
            line      bigint NOT NULL,
            doc       jsonb,            -- the event, when its text is JSON
            event_id  text,             -- these four when it is well-formed
            type      text,
            epoch     bigint,
            seq       bigint,
            problem   text,             -- why it is kept aside; NULL when not
            outcome   text              -- 'duplicate', 'conflict' while classified
        ) ON COMMIT DELETE ROWS;
        -- lines come in order: these indexes cost an append per row, and
        -- spare sorting a batch by line
        CREATE INDEX ON lrt_ingest_stage (line);
        CREATE INDEX ON lrt_ingest_work (line);
    ELSE
        TRUNCATE pg_temp.lrt_ingest_stage, pg_temp.lrt_ingest_work;
    END IF;
END
$$;

-- The cells of one CSV record (RFC 4180: quoted cells may hold commas,
-- newlines and doubled quotes).  The record's quotes are known to be
-- balanced: C checked them while finding where the record ends.
CREATE FUNCTION lrt.csv_cells(record text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(coalesce(replace(m.cell[1], '""', '"'), m.cell[2]) ORDER BY m.ordinal)
      FROM regexp_matches(',' || record, ',(?:"((?:[^"]|"")*)"|([^,"]*))(?=,|$)', 'g')
           WITH ORDINALITY AS m(cell, ordinal)
$$;

-- A CSV cell as a JSON value: absent when empty; a JSON integer for the
-- integer fields (and `time` when all digits) when it is written as one;
-- fee_recipients as the JSON written in the cell; a string otherwise.
-- (STABLE only because to_jsonb is.)
CREATE FUNCTION lrt.csv_value(name text, cell text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN cell = '' THEN NULL
        WHEN name IN ('epoch', 'seq', 'fee_bps', 'delay_epochs', 'max_apr_bps',
                      'max_rate_change_bps') AND cell ~ '^-?[0-9]+$'
            THEN to_jsonb(cell::numeric)
        WHEN name = 'time' AND cell ~ '^[0-9]+$' THEN to_jsonb(cell::numeric)
        WHEN name = 'fee_recipients' THEN (lrt.json_parse(cell)).doc
        ELSE to_jsonb(cell)
    END
$$;

CREATE FUNCTION lrt.csv_value_problem(name text, cell text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN name = 'fee_recipients' AND cell <> ''
                THEN 'fee_recipients: ' || (lrt.json_parse(cell)).problem END
$$;

-- The header of a CSV file: its column names, which must be distinct,
-- non-empty and without spaces around them.  Raises (SQLSTATE LRI01) when
-- they are not: the whole file is refused, since no row could be read right.
CREATE FUNCTION lrt.ingest_csv_header(p_source_file text, OUT header_line bigint,
                                      OUT header text[])
LANGUAGE plpgsql AS $$
DECLARE
    v_first record;
    i int;
BEGIN
    SELECT s.line, s.raw, s.problem INTO v_first
      FROM pg_temp.lrt_ingest_stage s ORDER BY s.line LIMIT 1;
    IF NOT FOUND THEN
        header_line := 0;
        header := '{}';
        RETURN;
    END IF;
    header_line := v_first.line;
    IF v_first.problem IS NOT NULL THEN
        RAISE EXCEPTION '%:%: header: %', p_source_file, header_line, v_first.problem
            USING ERRCODE = 'LRI01';
    END IF;
    header := lrt.csv_cells(v_first.raw);
    FOR i IN 1 .. cardinality(header) LOOP
        IF header[i] = '' THEN
            RAISE EXCEPTION '%:%: header: column % has no name', p_source_file, header_line, i
                USING ERRCODE = 'LRI01',
                      HINT = 'The first row names the fields, e.g. id,type,epoch,holder,asset,amount';
        ELSIF header[i] <> btrim(header[i]) THEN
            RAISE EXCEPTION '%:%: header: column % "%" has spaces around its name',
                            p_source_file, header_line, i, header[i]
                USING ERRCODE = 'LRI01';
        ELSIF header[i] = ANY (header[1:i - 1]) THEN
            RAISE EXCEPTION '%:%: header: column % "%" is named twice',
                            p_source_file, header_line, i, header[i]
                USING ERRCODE = 'LRI01';
        END IF;
    END LOOP;
END
$$;

-- The line of a JSON Lines file's leading {"product": {...}} line (a
-- scenario file ingests as it is), 0 when there is none.  Raises (SQLSTATE
-- LRI01) when it names another product: its events are not this product's.
CREATE FUNCTION lrt.ingest_jsonl_header(p_source_file text, p_symbol text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_first record;
    v_doc jsonb;
BEGIN
    SELECT s.line, s.raw, s.problem INTO v_first
      FROM pg_temp.lrt_ingest_stage s ORDER BY s.line LIMIT 1;
    IF NOT FOUND OR v_first.problem IS NOT NULL THEN
        RETURN 0;
    END IF;
    v_doc := (lrt.json_parse(v_first.raw)).doc;
    IF jsonb_typeof(v_doc) IS DISTINCT FROM 'object' OR NOT v_doc ? 'product' THEN
        RETURN 0;
    END IF;
    IF v_doc -> 'product' ->> 'symbol' IS DISTINCT FROM p_symbol THEN
        RAISE EXCEPTION '%:%: this file is for product %, not %', p_source_file, v_first.line,
                        coalesce(v_doc -> 'product' ->> 'symbol', '(no symbol)'), p_symbol
            USING ERRCODE = 'LRI01', HINT = 'Name the product with --product SYMBOL.';
    END IF;
    RETURN v_first.line;
END
$$;

-- Loads what lrt_ingest_stage holds, from one file, into the inbox of a
-- product, set-based:
--   1. parse and validate every row in one statement into lrt_ingest_work
--      (the whole batch cast to jsonb at once; only if that fails, row by
--      row with lrt.json_parse);
--   2. the same id twice in the batch: a repeat with the same content is a
--      duplicate, with other content a reject (the first one counts);
--   3. INSERT ... ON CONFLICT DO NOTHING the rows of unsettled epochs, in
--      line order, one ingest of the product at a time (again, with the
--      settled epoch read anew, if a settlement moved it meanwhile);
--   4. in a new snapshot, the rows that met an id already stored (before,
--      or by a concurrent ingest that committed while this one waited):
--      the same content is a duplicate, other content a reject; rows of a
--      settled epoch whose id is new are rejects;
--   5. the rejects into lrt.ingest_rejects, in line order.
-- The caller holds the transaction: nothing is half-applied.  Raises
-- (SQLSTATE LRI01) when the file cannot be read at all (its header).
CREATE FUNCTION lrt.ingest_load(p_product_id bigint, p_source_file text, p_format text,
                                OUT read_count bigint, OUT loaded_count bigint,
                                OUT duplicate_count bigint, OUT rejected_count bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_product record;
    v_settled bigint;
    v_header_line bigint := 0;
    v_header text[] := '{}';
    v_candidates bigint;
    v_xmin bigint;
    v_attempts int := 0;
    v_settled_now bigint;
    v_fast text;
    v_slow text;
    -- Step 1, around a source of (line, problem, doc): the checks of
    -- SPEC sections 3-4 for each row, `time` parsed once.
    v_validate constant text := $q$
        INSERT INTO pg_temp.lrt_ingest_work (line, doc, event_id, type, epoch, seq, problem)
        SELECT v.line, v.doc,
               CASE WHEN v.problem IS NULL THEN v.doc ->> 'id' END,
               CASE WHEN v.problem IS NULL THEN v.doc ->> 'type' END,
               CASE WHEN v.problem IS NULL THEN lrt.event_epoch_at(v.doc, v.t, $1, $2) END,
               CASE WHEN v.problem IS NULL THEN (v.doc ->> 'seq')::bigint END,
               v.problem
          FROM (SELECT u.line, u.doc, u.t,
                       coalesce(u.problem, lrt.event_problem_at(u.doc, u.t, $1, $2)) AS problem
                  FROM (SELECT src.line, src.doc, src.problem,
                               CASE WHEN src.problem IS NULL THEN lrt.event_time(src.doc) END AS t
                          FROM (%s) src
                        OFFSET 0) u
                OFFSET 0) v $q$;
BEGIN
    -- The statements below are few and long: compiling them to machine
    -- code (JIT) costs more than it saves; sorts and hashes of a large
    -- batch stay in memory.
    PERFORM set_config('jit', 'off', true);
    PERFORM set_config('work_mem', '64MB', true);
    SELECT p.symbol, p.genesis_time, p.epoch_seconds INTO v_product
      FROM lrt.products p WHERE p.product_id = p_product_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no product with id %', p_product_id USING ERRCODE = 'LRI01';
    END IF;
    -- The settled epoch as it is now; step 3 makes sure of it.
    SELECT s.settled_epoch INTO v_settled
      FROM lrt.product_state s WHERE s.product_id = p_product_id;
    v_settled := coalesce(v_settled, -1);

    IF p_format = 'csv' THEN
        SELECT h.header_line, h.header INTO v_header_line, v_header
          FROM lrt.ingest_csv_header(p_source_file) h;
        v_fast := $q$
            SELECT s.line, coalesce(s.problem, c.problem) AS problem, c.doc
              FROM pg_temp.lrt_ingest_stage s
             CROSS JOIN LATERAL (
                SELECT CASE WHEN count(*) <> cardinality($4::text[])
                            THEN format('CSV: %s cells, but the header names %s columns',
                                        count(*), cardinality($4::text[]))
                            ELSE (array_agg(k.problem ORDER BY k.ordinal)
                                    FILTER (WHERE k.problem IS NOT NULL))[1]
                       END AS problem,
                       coalesce(jsonb_object_agg(k.name, k.value)
                                  FILTER (WHERE k.value IS NOT NULL AND k.name IS NOT NULL),
                                '{}'::jsonb) AS doc
                  FROM (SELECT c.ordinal, ($4::text[])[c.ordinal] AS name,
                               lrt.csv_value(($4::text[])[c.ordinal], c.cell) AS value,
                               lrt.csv_value_problem(($4::text[])[c.ordinal], c.cell) AS problem
                          FROM (SELECT m.ordinal,
                                       coalesce(replace(m.cell[1], '""', '"'), m.cell[2]) AS cell
                                  FROM regexp_matches(',' || s.raw,
                                           ',(?:"((?:[^"]|"")*)"|([^,"]*))(?=,|$)', 'g')
                                       WITH ORDINALITY AS m(cell, ordinal)) c
                         WHERE s.problem IS NULL) k
             ) c
             WHERE s.line <> $3 $q$;
        v_slow := NULL;
    ELSE
        v_header_line := lrt.ingest_jsonl_header(p_source_file, v_product.symbol);
        v_fast := $q$
            SELECT x.line, coalesce(x.problem, (x.checked).problem) AS problem,
                   coalesce((x.checked).doc, x.doc) AS doc
              FROM (SELECT y.line, y.problem, y.doc,
                           CASE WHEN jsonb_typeof(y.doc) = 'object'
                                 AND lrt.json_needs_text_check(y.raw,
                                        (SELECT count(*) FROM jsonb_object_keys(y.doc)))
                                THEN lrt.json_text_check(y.raw, y.doc) END AS checked
                      FROM (SELECT s.line, s.problem, s.raw,
                                   CASE WHEN s.problem IS NULL THEN s.raw::jsonb END AS doc
                              FROM pg_temp.lrt_ingest_stage s
                             WHERE s.line <> $3
                            OFFSET 0) y
                    OFFSET 0) x $q$;
        v_slow := $q$
            SELECT y.line, coalesce(y.problem, (y.parsed).problem) AS problem,
                   (y.parsed).doc AS doc
              FROM (SELECT s.line, s.problem,
                           CASE WHEN s.problem IS NULL THEN lrt.json_parse(s.raw) END AS parsed
                      FROM pg_temp.lrt_ingest_stage s
                     WHERE s.line <> $3
                    OFFSET 0) y $q$;
    END IF;

    -- 1. parse and validate
    BEGIN
        EXECUTE format(v_validate, v_fast)
          USING v_product.genesis_time, v_product.epoch_seconds, v_header_line, v_header;
    EXCEPTION WHEN data_exception OR program_limit_exceeded OR statement_too_complex THEN
        -- a row that is not JSON stopped the batch cast
        IF v_slow IS NULL THEN
            RAISE;
        END IF;
        EXECUTE format(v_validate, v_slow)
          USING v_product.genesis_time, v_product.epoch_seconds, v_header_line, v_header;
    END;

    -- the plans below join and group this table: give the planner its size
    ANALYZE pg_temp.lrt_ingest_work;

    -- 2. the same id twice in this file
    WITH repeated AS (
        SELECT w.event_id FROM pg_temp.lrt_ingest_work w
         WHERE w.problem IS NULL
         GROUP BY w.event_id HAVING count(*) > 1
    ), first_use AS (
        SELECT DISTINCT ON (w.event_id) w.event_id, w.line, w.doc
          FROM pg_temp.lrt_ingest_work w JOIN repeated r ON r.event_id = w.event_id
         WHERE w.problem IS NULL
         ORDER BY w.event_id, w.line
    )
    UPDATE pg_temp.lrt_ingest_work w
       SET outcome = CASE WHEN w.doc = f.doc THEN 'duplicate' END,
           problem = CASE WHEN w.doc <> f.doc
                          THEN format('id %s was used on line %s with other content',
                                      w.event_id, f.line) END
      FROM first_use f
     WHERE w.event_id = f.event_id AND w.line > f.line AND w.problem IS NULL;

    -- 3. load, in line order: ingest_order follows the file.  Ingests of one
    -- product insert one at a time (their validation above runs in
    -- parallel), so that two of overlapping files never wait for each
    -- other's ids in opposite orders; the lock goes at commit.
    --
    -- No lock on the product's state is held while inserting: a settlement
    -- that holds rows this insert waits for must be able to finish.  The
    -- inbox's statement trigger then share-locks the state row and refuses
    -- the insert when an epoch it writes to was settled meanwhile; the
    -- rows are then sorted again against the new settled epoch.
    PERFORM pg_advisory_xact_lock(1280463945, p_product_id::integer);  -- "LRTI"
    LOOP
        SELECT count(*) INTO v_candidates
          FROM pg_temp.lrt_ingest_work w
         WHERE w.problem IS NULL AND w.outcome IS NULL AND w.epoch > v_settled;
        BEGIN
            WITH inserted AS (
                INSERT INTO lrt.inbox AS i (product_id, event_id, epoch, seq, type, event,
                                            source_file, source_line)
                SELECT p_product_id, w.event_id, w.epoch, w.seq, w.type, w.doc,
                       p_source_file, w.line
                  FROM pg_temp.lrt_ingest_work w
                 WHERE w.problem IS NULL AND w.outcome IS NULL AND w.epoch > v_settled
                 ORDER BY w.line
                ON CONFLICT (product_id, event_id) DO NOTHING
                RETURNING i.xmin
            )
            SELECT count(*), max(xmin::text::bigint) INTO loaded_count, v_xmin FROM inserted;
            EXIT;
        EXCEPTION WHEN check_violation THEN
            v_attempts := v_attempts + 1;
            SELECT s.settled_epoch INTO v_settled_now
              FROM lrt.product_state s WHERE s.product_id = p_product_id;
            IF v_attempts > 3 OR v_settled_now IS NOT DISTINCT FROM v_settled THEN
                RAISE;    -- not a settlement in between: a real fault
            END IF;
            v_settled := v_settled_now;
        END;
    END LOOP;
    IF loaded_count < v_candidates THEN
        -- some ids were there already: the rows this statement did not write
        UPDATE pg_temp.lrt_ingest_work w SET outcome = 'conflict'
         WHERE w.problem IS NULL AND w.outcome IS NULL AND w.epoch > v_settled
           AND NOT EXISTS (SELECT 1 FROM lrt.inbox i
                            WHERE i.product_id = p_product_id AND i.event_id = w.event_id
                              AND i.xmin::text::bigint IS NOT DISTINCT FROM v_xmin);
    END IF;

    -- 4. ids met in the inbox (a new snapshot: it sees what concurrent
    -- ingests committed while this one waited), then late events
    UPDATE pg_temp.lrt_ingest_work w
       SET outcome = CASE WHEN i.event = w.doc THEN 'duplicate' END,
           problem = CASE WHEN i.event <> w.doc
                          THEN format('id %s was used before with other content%s', w.event_id,
                                      CASE WHEN i.source_file IS NOT NULL
                                           THEN format(' (%s:%s)', i.source_file, i.source_line)
                                           ELSE '' END) END
      FROM lrt.inbox i
     WHERE i.product_id = p_product_id AND i.event_id = w.event_id
       AND w.problem IS NULL
       AND (w.outcome = 'conflict' OR (w.outcome IS NULL AND w.epoch <= v_settled));
    UPDATE pg_temp.lrt_ingest_work w
       SET problem = format('epoch %s is already settled (%s is settled through epoch %s)',
                            w.epoch, v_product.symbol, v_settled)
     WHERE w.problem IS NULL AND w.outcome IS NULL AND w.epoch <= v_settled;
    UPDATE pg_temp.lrt_ingest_work w
       SET problem = format('id %s was being stored by another ingest that did not keep it; '
                            'ingest this line again', w.event_id)
     WHERE w.problem IS NULL AND w.outcome = 'conflict';

    SELECT count(*),
           count(*) FILTER (WHERE w.problem IS NULL AND w.outcome = 'duplicate'),
           count(*) FILTER (WHERE w.problem IS NOT NULL)
      INTO read_count, duplicate_count, rejected_count
      FROM pg_temp.lrt_ingest_work w;
    ASSERT read_count = loaded_count + duplicate_count + rejected_count,
           format('ingest counts do not add up: read %s, loaded %s, duplicates %s, rejected %s',
                  read_count, loaded_count, duplicate_count, rejected_count);

    -- 5. rejects, with the text as written; a reject recorded before (the
    -- same file ingested again) is not recorded twice
    IF rejected_count > 0 THEN
        INSERT INTO lrt.ingest_rejects (product_id, source_file, source_line, raw, reason)
        SELECT p_product_id, p_source_file, w.line, s.raw, w.problem
          FROM pg_temp.lrt_ingest_work w
          JOIN pg_temp.lrt_ingest_stage s ON s.line = w.line
         WHERE w.problem IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM lrt.ingest_rejects r
                            WHERE r.product_id = p_product_id
                              AND r.source_file = p_source_file
                              AND r.source_line = w.line
                              AND r.raw = s.raw AND r.reason = w.problem)
         ORDER BY w.line;
    END IF;
END
$$;
COMMENT ON FUNCTION lrt.ingest_load(bigint, text, text) IS
    'The set-based half of lrt ingest: validates and loads the rows COPYed into pg_temp.lrt_ingest_stage (see lrt.ingest_begin).';
