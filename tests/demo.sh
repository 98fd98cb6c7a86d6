#!/bin/sh
# demo.sh - `make demo`: the engine at work on a private PostgreSQL cluster.
#
#   sh tests/demo.sh BUILD          the demo (BUILD/lrt must be built)
#   sh tests/demo.sh BUILD stop     stops the demo's cluster, keeps its folder
#   sh tests/demo.sh BUILD clean    stops it and removes BUILD/demo
#
# The cluster lives in BUILD/demo/ (data/, the server's log, the generated
# scenario) and listens only on a Unix socket in that folder: no TCP, no
# clash with another server (tests/pgcluster.sh: as root the server runs as
# the `postgres` user, since initdb refuses root).
#
# A cluster left by an earlier run, running or stopped, is used again; the
# database lrt_demo is dropped and created afresh each time, so the demo can
# run again and again.  Then: generate a history (lrt demo generate), migrate,
# create the product, ingest, settle every epoch (accepting the rate if the
# guard stops one, as an operator would after checking), verify, export, ask
# `lrt stress` what if eigenda slashed half of what it may, and print an
# account of the books computed by SQL from the tables: the rate, the slash,
# TVL, concentration (held up against lrt export's exposure) and the stress,
# income and fees, withdrawals, the reconciliation of the attests, points.
# The cluster is left running, for psql; the last lines say how to connect
# and how to stop it.
#
# DEMO_SEED, DEMO_EPOCHS and DEMO_HOLDERS change the history (1, 90, 300).
set -eu

build=${1:-build}
action=${2:-run}
seed=${DEMO_SEED:-1}
epochs=${DEMO_EPOCHS:-90}
holders=${DEMO_HOLDERS:-300}
database=lrt_demo
superuser=postgres
port=5432

if [ ! -d "$build" ]; then
	echo "demo: no folder $build (run make first)" >&2
	exit 1
fi
build=$(cd "$build" && pwd)
demo=$build/demo
data=$demo/data
lrt=$build/lrt

fail() {
	echo "demo: $*" >&2
	exit 1
}

# ---- the cluster: tests/pgcluster.sh --------------------------------------------

# As root the server runs as the postgres user (initdb refuses root), which
# must be able to enter the cluster's folder.  A clone under /root (mode
# 700) it cannot: the cluster then lives in a folder of /tmp named after
# this build folder (the same one each time, so stop and clean find it),
# and the demo's files stay in $demo.
cluster_dir=$demo
if [ "$(id -u)" -eq 0 ] && id "${LRT_PG_USER:-${DEMO_PG_USER:-postgres}}" >/dev/null 2>&1 &&
	! runuser -u "${LRT_PG_USER:-${DEMO_PG_USER:-postgres}}" -- test -x "$build"; then
	cluster_dir=/tmp/lrt-demo-$(printf '%s' "$demo" | cksum | cut -d ' ' -f 1)
fi
cluster_port=$port
# shellcheck source=tests/pgcluster.sh
. "$(dirname "$0")/pgcluster.sh"
bindir=$cluster_bindir
data=$cluster_data

stop_cluster() {
	if cluster_is_running; then
		cluster_stop
		echo "demo: the cluster in $cluster_dir is stopped"
	fi
}

case $action in
run) ;;
stop)
	stop_cluster
	exit 0 ;;
clean)
	stop_cluster
	rm -rf "$demo"
	if [ "$cluster_dir" = "$demo" ]; then
		echo "demo: removed $demo"
	else
		rm -rf "$cluster_dir"
		echo "demo: removed $demo and $cluster_dir"
	fi
	exit 0 ;;
*)
	fail "unknown action $action (run, stop, clean)" ;;
esac

[ -x "$lrt" ] || fail "no $lrt (run make first)"
mkdir -p "$demo"

# ---- timing and the shape of the output ---------------------------------------

now_ms() {
	t=$(date +%s%N 2>/dev/null)
	case $t in
	*N|"") echo $(($(date +%s) * 1000)) ;;
	*) echo $((t / 1000000)) ;;
	esac
}
started_ms=$(now_ms)
step_ms=$started_ms

# step NAME TEXT: one line of the run, with the seconds since the last one.
step() {
	t=$(now_ms)
	ms=$((t - step_ms))
	step_ms=$t
	printf '  %-9s %-60s %3d.%d s\n' "$1" "$2" $((ms / 1000)) $((ms % 1000 / 100))
}

# with_commas TEXT: every number of 4 digits or more grouped: 12345 -> 12,345
with_commas() {
	echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\([^0-9]\)/\1,\2\3/' \
		-e 's/\([0-9]\)\([0-9]\{3\}\)$/\1,\2/' -e 'ta'
}

# ---- the cluster ----------------------------------------------------------------

# Socket only, in the demo's folder; commits need not wait for the disk.
cluster_start -c synchronous_commit=off -c max_wal_size=1GB
export PGDATABASE="$database"

psql_do() {
	"$bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

version=$(psql_do -d postgres -At -c "SHOW server_version" | sed 's/ .*//')
psql_do -d postgres -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
	-c "CREATE DATABASE $database" || fail "cannot create the database $database"

echo "lrt demo: the books of a made-up restaking token, rstETH, kept by lrt in PostgreSQL"
step cluster "PostgreSQL $version in ${cluster_dir#"$PWD"/}/, $cluster_state, Unix socket only"

# ---- the history, through the database --------------------------------------------

scenario=$demo/rstETH.jsonl
"$lrt" demo generate --seed "$seed" --epochs "$epochs" --holders "$holders" \
	--output "$scenario" 2>"$demo/generate.log" ||
	{ cat "$demo/generate.log" >&2; fail "lrt demo generate failed"; }
events=$(($(wc -l <"$scenario") - 1))
step generate "$(with_commas "$events") events: epochs 0..$((epochs - 1)), $holders holders, seed $seed"

"$lrt" migrate >"$demo/migrate.log" 2>&1 || { cat "$demo/migrate.log" >&2; fail "lrt migrate failed"; }
"$lrt" product create "$scenario" >"$demo/product.log" 2>&1 ||
	{ cat "$demo/product.log" >&2; fail "lrt product create failed"; }
step database "$database afresh: lrt migrate, lrt product create"

out=$("$lrt" ingest "$scenario" 2>"$demo/ingest.log") ||
	{ cat "$demo/ingest.log" >&2; fail "lrt ingest failed: $out"; }
said=$(echo "$out" | sed -n 's/.*loaded \([0-9]*\), .*rejected \([0-9]*\).*/\1 events loaded into lrt.inbox, \2 kept aside/p')
step ingest "$(with_commas "${said:-$out}")"

# Settle through the last epoch that has an event.  Should the guard stop an
# epoch, accept that exact rate and go on, as an operator would once the move
# is explained (with this product it does not trip: the slash is under 1%).
last=$(psql_do -At -c "SELECT max(epoch) FROM lrt.inbox")
accept=""
accepted=0
: >"$demo/settle.log"
while :; do
	status=0
	"$lrt" settle --through "$last" ${accept:+--accept-rate "$accept"} \
		>"$demo/settle.try" 2>&1 || status=$?
	cat "$demo/settle.try" >>"$demo/settle.log"
	[ "$status" -eq 3 ] || break
	accept=$(sed -n 's/.*an accept event with rate \([0-9][0-9]*\).*/\1/p' "$demo/settle.try" | head -n 1)
	if [ -z "$accept" ] || [ "$accepted" -ge 5 ]; then
		break
	fi
	accepted=$((accepted + 1))
	echo "  (the guard stopped $(sed -n 's/.*lrt: \(epoch [0-9]*\): .*/\1/p' "$demo/settle.try"): accepting its rate $accept)"
done
rm -f "$demo/settle.try"
[ "$status" -eq 0 ] || { cat "$demo/settle.log" >&2; fail "lrt settle failed"; }
rejected=$(psql_do -At -c "SELECT count(*) FROM lrt.rejected_events")
step settle "epochs 0..$last, one transaction each: $rejected events rejected"

"$lrt" verify >"$demo/verify.log" 2>&1 || { cat "$demo/verify.log" >&2; fail "lrt verify found a difference"; }
said=$(sed -n 's/^verified: \([0-9]*\) balances.*, \([0-9]*\) epochs.*/\1 journal balances, \2 epochs replayed: 0 differences/p' "$demo/verify.log")
step verify "${said:-$(head -n 1 "$demo/verify.log")}"

# What the account asks of lrt itself: the exposure that `lrt export` prints
# on its final line (SPEC section 7), to hold the SQL's own up against; and
# `lrt stress`: what if eigenda slashed half of what it may, that is, every
# operator's allocation of every asset to it, by a wad of 0.5.
symbol=$(psql_do -At -c "SELECT symbol FROM lrt.products ORDER BY product_id LIMIT 1")
"$lrt" export --product "$symbol" >"$demo/export.jsonl" 2>"$demo/export.log" ||
	{ cat "$demo/export.log" >&2; fail "lrt export failed"; }
exposure=$(tail -n 1 "$demo/export.jsonl" | sed -n 's/.*"exposure": \({.*}\)}$/\1/p')
[ -n "$exposure" ] || fail "no exposure on the last line of lrt export"
step export "lrt export: $(($(wc -l <"$demo/export.jsonl") - 1)) epoch lines, the exposure on the last"

half_wad=500000000000000000
slashes=$(psql_do -At -c "SELECT string_agg(format('--slash %s:eigenda:%s:$half_wad', operator, asset),
                                           ' ' ORDER BY ordinal)
                            FROM lrt.allocations WHERE avs = 'eigenda' AND magnitude > 0")
# one word per --slash and per OPERATOR:AVS:ASSET:WAD: the names have no blanks
# shellcheck disable=SC2086
stress=$("$lrt" stress --product "$symbol" $slashes 2>"$demo/stress.log") ||
	{ cat "$demo/stress.log" >&2; fail "lrt stress failed"; }
step stress "lrt stress: eigenda slashes $(($(echo "$slashes" | wc -w) / 2)) allocations by half"

# the page for people: every chart and summary table, from the views
page=$demo/rstETH.html
"$lrt" report html --output "$page" >"$demo/report.log" 2>&1 ||
	{ cat "$demo/report.log" >&2; fail "lrt report html failed"; }
step report "lrt report html: ${page#"$PWD"/}, three SVG charts"

# ---- the account, from the tables ----------------------------------------------------

bars='▁▂▃▄▅▆▇█'
case $(locale charmap 2>/dev/null || echo none) in
UTF-8|utf8) ;;
*) bars='_.-~=+*#' ;;
esac

psql_do -At -v bars="$bars" -v exposure="$exposure" -v stress="$stress" <<'SQL'
\pset footer off
-- eth(x): base units of an 18-decimal amount as a number with 4 decimals
CREATE FUNCTION pg_temp.eth(x numeric) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT to_char(x / 1e18, 'FM999G999G990D0000') $$;
CREATE FUNCTION pg_temp.rate(x numeric) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT to_char(x / 1e18, 'FM990D000000') $$;
CREATE FUNCTION pg_temp.day(p lrt.products, e bigint) RETURNS text STABLE LANGUAGE sql
    AS $$ SELECT to_char(to_timestamp(p.genesis_time + e * p.epoch_seconds) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;
-- value(a, q) of SPEC section 1: floor(q * price * 10^dec_u / 10^dec_a), the
-- product exact (a price has at most 36 decimals), the division by div()
CREATE FUNCTION pg_temp.value(q numeric, price numeric, dec_u integer, dec_a integer)
    RETURNS numeric IMMUTABLE LANGUAGE sql
    AS $$ SELECT div(floor(q * price * 10::numeric ^ dec_u), 10::numeric ^ dec_a) $$;
-- an amount of base units written exactly: 13,924.244140526869182639
CREATE FUNCTION pg_temp.exact(x numeric, decimals integer) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT to_char(div(x, 10::numeric ^ decimals), 'FM999G999G999G990')
                 || CASE WHEN decimals > 0 THEN '.' || lpad(mod(x, 10::numeric ^ decimals)::text,
                                                           decimals, '0') ELSE '' END $$;
-- points, kept in units of 10^-18 point, with 2 decimals
CREATE FUNCTION pg_temp.points(x numeric) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT to_char(x / 1e18, 'FM999G999G999G990D00') $$;
CREATE FUNCTION pg_temp.short(holder text) RETURNS text IMMUTABLE LANGUAGE sql
    AS $$ SELECT regexp_replace(holder, '^(0x[0-9a-f]{4})[0-9a-f]{32}([0-9a-f]{4})$', '\1..\2') $$;
-- to_assets(s) of SPEC section 2, with the state now
CREATE FUNCTION pg_temp.to_assets(s numeric) RETURNS numeric STABLE LANGUAGE sql AS $$
    SELECT CASE WHEN p.model = 'plain' AND st.total_shares = 0 THEN 0
                WHEN p.model = 'plain' THEN floor(s * st.total_assets / st.total_shares)
                ELSE floor(s * (st.total_assets + 1) / (st.total_shares + 10::numeric ^ p.decimals_offset)) END
      FROM lrt.products p JOIN lrt.product_state st USING (product_id) $$;

-- the rate: first and last epoch, the yield, and a sparkline
SELECT '';
WITH p AS (SELECT * FROM lrt.products),
     first AS (SELECT epoch, rate FROM lrt.epochs ORDER BY epoch LIMIT 1),
     last AS (SELECT epoch, rate FROM lrt.epochs ORDER BY epoch DESC LIMIT 1),
     days AS (SELECT (last.epoch - first.epoch) * p.epoch_seconds / 86400.0 AS n,
                     last.rate / first.rate AS growth FROM first, last, p)
SELECT 'The rate, ETH per rstETH, after each daily epoch:'
UNION ALL
SELECT format('  %s  epoch %-4s %s', pg_temp.day(p, first.epoch), first.epoch,
              pg_temp.rate(first.rate))
  FROM p, first
UNION ALL
SELECT format('  %s  epoch %-4s %s  %s%s%% in %s days: %s%% a year compounded',
              pg_temp.day(p, last.epoch), last.epoch, pg_temp.rate(last.rate),
              CASE WHEN days.growth >= 1 THEN '+' ELSE '' END,
              to_char((days.growth - 1) * 100, 'FM990D00'), round(days.n),
              to_char((power(days.growth, 365 / days.n) - 1) * 100, 'FM990D00'))
  FROM p, last, days WHERE days.n > 0;

-- one mark per epoch (or per group of epochs, the group's lowest rate)
WITH e AS (SELECT epoch, rate, ntile(least(60, (SELECT count(*) FROM lrt.epochs)::int))
                  OVER (ORDER BY epoch) AS bucket FROM lrt.epochs),
     b AS (SELECT bucket, min(rate) AS rate FROM e GROUP BY bucket),
     r AS (SELECT min(rate) AS low, max(rate) AS high FROM b)
SELECT '  ' || string_agg(substr(:'bars', 1 + CASE WHEN r.high = r.low THEN 0
                                  ELSE floor((b.rate - r.low) * 7 / (r.high - r.low))::int END, 1),
                          '' ORDER BY b.bucket)
       || format('  %s..%s', pg_temp.rate(r.low), pg_temp.rate(r.high))
  FROM b, r GROUP BY r.low, r.high;

-- each slash (one AVS, one operator, by wad: one event per asset, as
-- EigenLayer slashes an operator set's strategies), what it took of each
-- asset (the journal), its value (the epoch's L) and what it did to the rate
WITH p AS (SELECT * FROM lrt.products),
     loss AS (SELECT event_id, sum(amount) AS amount FROM lrt.journal
               WHERE step = 'slash' GROUP BY event_id),
     s AS (SELECT i.epoch, i.event ->> 'avs' AS avs, i.event ->> 'operator' AS operator,
                  (i.event ->> 'wad')::numeric AS wad,
                  string_agg(format('%s %s', pg_temp.eth(coalesce(loss.amount, 0)),
                                    i.event ->> 'asset'), ', '
                             ORDER BY i.seq, i.ingest_order) AS losses
             FROM lrt.inbox i LEFT JOIN loss USING (event_id)
            WHERE i.type = 'slash'
              AND NOT EXISTS (SELECT 1 FROM lrt.rejected_events r WHERE r.event_id = i.event_id)
            GROUP BY 1, 2, 3, 4)
SELECT format(E'\nSlash at epoch %s (%s): %s slashed %s %s\n'
              '  taking %s, worth %s ETH;\n'
              '  the rate fell %s -> %s (%s%%); %s',
              s.epoch, pg_temp.day(p, s.epoch), s.avs, s.operator,
              coalesce(format('by wad %s (%s%% of what it may slash)', s.wad,
                              to_char(s.wad / 1e16, 'FM990D00')), 'by amount'),
              s.losses, pg_temp.eth(after.slashed),
              pg_temp.rate(before.rate), pg_temp.rate(after.rate),
              to_char((after.rate / before.rate - 1) * 100, 'FM990D00'),
              coalesce('back above ' || pg_temp.rate(before.rate) || ' at epoch ' ||
                       (SELECT min(x.epoch) FROM lrt.epochs x
                         WHERE x.epoch > s.epoch AND x.rate >= before.rate),
                       'not yet back to ' || pg_temp.rate(before.rate)))
  FROM p, s
  JOIN lrt.epochs after ON after.epoch = s.epoch
  JOIN lrt.epochs before ON before.epoch = s.epoch - 1
 ORDER BY s.epoch, s.avs, s.operator;

-- TVL by asset and by location, at the last prices
SELECT '';
CREATE TEMPORARY VIEW tvl AS
SELECT a.ordinal, a.symbol, pos.location, l.ordinal AS location_ordinal, l.kind, pos.amount,
       CASE WHEN a.ordinal = 0 THEN 1 ELSE coalesce(pr.price, 0) END AS price,
       pg_temp.value(pos.amount, CASE WHEN a.ordinal = 0 THEN 1 ELSE coalesce(pr.price, 0) END,
                     u.decimals, a.decimals) AS value
  FROM lrt.positions pos
  JOIN lrt.product_assets a ON a.ordinal = pos.asset_ordinal
  JOIN lrt.product_assets u ON u.ordinal = 0
  JOIN lrt.locations l ON l.location = pos.location
  LEFT JOIN lrt.prices pr ON pr.asset_ordinal = a.ordinal
 WHERE pos.location <> 'claimable' AND pos.amount > 0;
SELECT format('TVL: %s ETH of total assets; %s holders of %s rstETH',
              pg_temp.eth(st.total_assets), (SELECT count(*) FROM lrt.holders WHERE shares > 0),
              pg_temp.eth(st.total_shares))
  FROM lrt.product_state st;
SELECT format('  %-12s %-6s %15s  @ %-9s = %14s ETH',
              CASE WHEN ordinal = 0 THEN 'by asset' ELSE '' END, symbol,
              pg_temp.eth(sum(amount)), trim_scale(round(min(price), 6)),
              pg_temp.eth(sum(value)))
  FROM tvl GROUP BY ordinal, symbol ORDER BY ordinal;
SELECT format('  %-12s %-8s %13s ETH  %5s%%',
              CASE WHEN location_ordinal = 0 THEN 'by location' ELSE '' END, location,
              pg_temp.eth(sum(value)),
              to_char(100 * sum(value) / sum(sum(value)) OVER (), 'FM990D0'))
  FROM tvl GROUP BY location_ordinal, location ORDER BY location_ordinal;

-- concentration (SPEC section 7), computed here from the positions, prices
-- and magnitudes: value(op), slashable(op, avs) = sum over assets of
-- div(value * a, M), and the Herfindahl index div(10000 * sum v^2, (sum v)^2);
-- then held up against the exposure `lrt export` printed (:exposure)
CREATE TEMPORARY VIEW exposure AS
WITH v AS (SELECT location AS operator, sum(value) AS value FROM tvl
            WHERE kind = 'operator' GROUP BY location),
     s AS (SELECT t.location AS operator, al.avs,
                  sum(CASE WHEN st.max_magnitude = 0 THEN 0
                           ELSE div(t.value * al.magnitude, st.max_magnitude) END) AS slashable
             FROM tvl t
             JOIN lrt.allocations al ON al.operator = t.location AND al.asset = t.symbol
             JOIN lrt.stakes st ON st.operator = al.operator AND st.asset = al.asset
            WHERE t.kind = 'operator'
            GROUP BY t.location, al.avs)
SELECT v.operator, v.value,
       coalesce((SELECT jsonb_object_agg(s.avs, s.slashable::text) FROM s
                  WHERE s.operator = v.operator AND s.slashable > 0), '{}') AS avs
  FROM v WHERE v.value > 0;
WITH o AS (SELECT count(*) AS n, sum(value) AS total, sum(value * value) AS squares FROM exposure),
     h AS (SELECT CASE WHEN total > 0 THEN div(10000 * squares, total * total) ELSE 0 END AS hhi
             FROM o),
     mine AS (SELECT jsonb_build_object('operators',
                         coalesce((SELECT jsonb_object_agg(operator, jsonb_build_object(
                                      'value', value::text, 'avs', avs)) FROM exposure), '{}'),
                         'hhi_bps', h.hhi::text) AS j FROM h),
     top AS (SELECT operator, value FROM exposure ORDER BY value DESC, operator LIMIT 1)
SELECT format(E'\nConcentration (SPEC section 7): Herfindahl index %s of 10,000 (%s for %s equal\n'
              '  operators); the largest, %s, holds %s%% of the TVL; %s',
              to_char(h.hhi, 'FM99G990'), to_char(div(10000, o.n), 'FM99G990'), o.n,
              top.operator, to_char(100 * top.value / (SELECT sum(value) FROM tvl), 'FM990D0'),
              CASE WHEN mine.j = :'exposure'::jsonb THEN 'lrt export agrees'
                   ELSE 'lrt export differs: ' || :'exposure' END)
  FROM o, h, mine, top WHERE o.n > 0;
SELECT format('  %-8s %13s ETH  %5s%%  may be slashed by %s', e.operator, pg_temp.eth(e.value),
              to_char(100 * e.value / (SELECT sum(value) FROM tvl), 'FM990D0'),
              coalesce((SELECT string_agg(format('%s %s', key,
                                                 to_char(value::numeric / 1e18, 'FM999G999G990')),
                                          ', ' ORDER BY value::numeric DESC, key)
                          FROM jsonb_each_text(e.avs)), 'none'))
  FROM exposure e JOIN lrt.locations l ON l.location = e.operator ORDER BY l.ordinal;

-- what if eigenda slashed half of what it may: `lrt stress` (:stress), on
-- the state after the last settled epoch, every allocation to it by wad 0.5
SELECT format(E'If eigenda slashed 50%% of what it may: rate %s -> %s (%s%%), the %s%% guard %s\n'
              '  (lrt stress: %s slashes by wad, a loss worth %s ETH)',
              pg_temp.rate((j ->> 'rate_before')::numeric), pg_temp.rate((j ->> 'rate')::numeric),
              to_char(((j ->> 'rate')::numeric / (j ->> 'rate_before')::numeric - 1) * 100,
                      'FMS990D00'),
              to_char(st.max_rate_change_bps / 100.0, 'FM990D##'),
              CASE j ->> 'guard' WHEN 'trip' THEN 'trips' ELSE 'holds' END,
              jsonb_array_length(j -> 'slashes'), pg_temp.eth((j ->> 'loss_value')::numeric))
  FROM (SELECT :'stress'::jsonb AS j) s, lrt.product_state st
 WHERE (j ->> 'rate_before')::numeric > 0;

-- what the books earned and lost, and the fees
WITH e AS (SELECT count(*) AS n, sum(rewards) AS r, sum(slashed) AS l, sum(revaluation) AS v,
                  sum(fee_value) AS f, sum(fee_shares) AS fs FROM lrt.epochs)
SELECT format(E'\nIncome over %s epochs: rewards %s ETH, slashes %s ETH,\n'
              '  revaluation %s ETH (LST prices, sales);\n'
              '  smoothing deferred up to %s ETH (epoch %s), %s ETH now',
              e.n, pg_temp.eth(e.r), pg_temp.eth(e.l), pg_temp.eth(e.v),
              pg_temp.eth(top.deferred), top.epoch, pg_temp.eth(st.deferred))
       || format(E'\nFees: %s%% of recognized increases = %s ETH, minted as %s rstETH:',
                 to_char(st.fee_bps / 100.0, 'FM990D##'), pg_temp.eth(e.f), pg_temp.eth(e.fs))
  FROM e, lrt.product_state st,
       (SELECT epoch, deferred FROM lrt.epochs ORDER BY deferred DESC, epoch LIMIT 1) top;
SELECT format('  %-16s %13s rstETH, worth %s ETH now', account_name, pg_temp.eth(shares),
              pg_temp.eth(pg_temp.to_assets(shares)))
  FROM (SELECT debit_name AS account_name, sum(amount) AS shares FROM lrt.journal
         WHERE step = 'fee' AND debit_kind = 'holder' GROUP BY debit_name) f
 ORDER BY shares DESC;

-- the withdrawal queue, and the events settlement refused
SELECT format(E'\nWithdrawals (delay %s epochs): %s requests', st.delay_epochs, count(w.*))
  FROM lrt.product_state st LEFT JOIN lrt.withdrawal_requests w USING (product_id)
 GROUP BY st.delay_epochs;
SELECT format('  %-10s %4s  %s', status, count(*),
              CASE status
              WHEN 'queued' THEN format('%s rstETH waiting (%s ETH at most)',
                                        pg_temp.eth(sum(shares)), pg_temp.eth(sum(cap)))
              WHEN 'finalized' THEN format('%s ETH claimable', pg_temp.eth(sum(payout)))
              ELSE format('%s ETH paid out', pg_temp.eth(sum(payout))) END)
  FROM lrt.withdrawal_requests GROUP BY status
 ORDER BY array_position(ARRAY['queued', 'finalized', 'claimed'], status);
SELECT format(E'Rejected: %s events, kept in lrt.rejected_events with their reason, such as\n'
              '  "%s" (claims made too early, on purpose)', count(*),
              regexp_replace(min(reason), '(0x[0-9a-f]{6})[0-9a-f]{58}', '\1...'))
  FROM lrt.rejected_events HAVING count(*) > 0;

-- the reconciliation (SPEC section 5 step 8): each attest against the
-- position the epoch's events left, and the breaks, exact to the base unit
SELECT format(E'\nReconciliation: %s attests (observed balances) over %s epochs; %s match the books\n'
              '  to the base unit, %s %s:', count(*), count(DISTINCT epoch),
              count(*) FILTER (WHERE difference = 0), count(*) FILTER (WHERE difference <> 0),
              CASE count(*) FILTER (WHERE difference <> 0) WHEN 1 THEN 'break' ELSE 'breaks' END)
  FROM lrt.reconciliations HAVING count(*) > 0;
SELECT format(E'  epoch %s (%s), %s at %s:\n'
              '    book        %s\n'
              '    observed    %s\n'
              '    difference  %s', r.epoch, pg_temp.day(p, r.epoch), r.asset, r.location,
              pg_temp.exact(r.book, a.decimals), pg_temp.exact(r.observed, a.decimals),
              CASE WHEN a.decimals = 18 AND mod(r.difference, 1e9) = 0
                   THEN format('%s gwei (%s wei)', to_char(div(r.difference, 1e9), 'FMS999G999G999G990'),
                               r.difference)
                   ELSE format('%s base units', r.difference) END)
  FROM lrt.reconciliations r
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets a ON a.product_id = r.product_id AND a.symbol = r.asset
 WHERE r.difference <> 0 ORDER BY r.epoch, r.ordinal LIMIT 5;

-- points (SPEC section 5 step 7): a holder's are div(accrued + shares *
-- (index - checkpoint), 10^share_decimals) in units of 10^-18 point, exact
CREATE TEMPORARY VIEW points AS
SELECT pp.program, pp.ordinal, h.holder,
       div(coalesce(x.accrued, 0) + h.shares * (pp.point_index - coalesce(x.checkpoint, 0)),
           10::numeric ^ (u.decimals + CASE p.model WHEN 'erc4626' THEN p.decimals_offset
                                                    ELSE 0 END)) AS points
  FROM lrt.points_programs pp
  JOIN lrt.products p USING (product_id)
  JOIN lrt.product_assets u ON u.product_id = p.product_id AND u.ordinal = 0
  JOIN lrt.holders h ON h.product_id = pp.product_id
  LEFT JOIN lrt.holder_points x ON x.product_id = pp.product_id AND x.program = pp.program
                               AND x.holder = h.holder;
SELECT E'\nPoints, exact to 10^-18 point:'
  FROM lrt.points_programs HAVING count(*) > 0;
SELECT format('  %-11s %20s points to %s holders; %s', pt.program, pg_temp.points(sum(pt.points)),
              count(*) FILTER (WHERE pt.points > 0),
              coalesce((SELECT format('%s a day per rstETH', e ->> 'per_share_epoch')
                          FROM jsonb_array_elements(st.points) e WHERE e ->> 'name' = pt.program),
                       'no longer accruing')
              || CASE WHEN p.config -> 'points' @> jsonb_build_array(jsonb_build_object('name', pt.program))
                      THEN ', since launch'
                      ELSE coalesce(', from epoch ' || (SELECT min(i.epoch) FROM lrt.inbox i
                                     WHERE i.type = 'config' AND i.event -> 'points'
                                           @> jsonb_build_array(jsonb_build_object('name', pt.program))),
                                    '') END)
  FROM points pt, lrt.products p, lrt.product_state st
 GROUP BY pt.ordinal, pt.program, p.config, st.points ORDER BY pt.ordinal;
SELECT format('  top holders by %s: %s', program,
              string_agg(format('%s %s', pg_temp.short(holder), pg_temp.points(points)), ', '
                         ORDER BY points DESC, holder))
  FROM (SELECT program, holder, points, row_number() OVER (ORDER BY points DESC, holder) AS n
          FROM points WHERE ordinal = 0 AND points > 0) t
 WHERE n <= 3 GROUP BY program;

SQL

here=${demo#"$PWD"/}
lrt_here=${lrt#"$PWD"/}
cat <<EOF

Look inside; the cluster is left running (make demo-clean stops it):
  open $here/rstETH.html in a browser (one file, no network)
  export PGHOST=$cluster_dir PGUSER=$superuser PGDATABASE=$database
  $lrt_here report                         # the reporting views, what a row is
  $lrt_here report concentration           # aligned, in whole units
  $lrt_here report yield --format json
  psql -c 'SELECT epoch, rate_whole, total_assets_whole FROM lrt_report.rates ORDER BY epoch DESC LIMIT 7'
  psql -c 'SELECT * FROM lrt_report.reconciliation WHERE NOT matched'
EOF
# the tables of the schema (the journal's partitions not named one by one)
# and the reporting views, as migrations/ and sql/ made them
psql_do -At <<'SQL'
WITH t AS (SELECT c.relname, ntile(3) OVER (ORDER BY c.relname) AS part
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'lrt' AND c.relkind IN ('r', 'p') AND NOT c.relispartition)
SELECT CASE part WHEN 1 THEN '  Tables of lrt: ' ELSE '    ' END
       || string_agg(relname, ', ' ORDER BY relname) || CASE part WHEN 3 THEN '' ELSE ',' END
  FROM t GROUP BY part ORDER BY part;
SELECT format('  (lrt.journal is partitioned by epoch: %s partitions)', count(*))
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'lrt' AND c.relname = 'journal' HAVING count(*) > 0;
WITH v AS (SELECT table_schema, table_name,
                  (row_number() OVER (PARTITION BY table_schema ORDER BY table_name) - 1) / 8 AS part,
                  count(*) OVER (PARTITION BY table_schema) AS n
             FROM information_schema.tables
            WHERE table_schema IN ('lrt', 'lrt_report') AND table_type = 'VIEW')
SELECT CASE part WHEN 0 THEN format('  Views of %s: ', table_schema) ELSE '    ' END
       || string_agg(table_name, ', ' ORDER BY table_name)
       || CASE WHEN (part + 1) * 8 < min(n) THEN ',' ELSE '' END
  FROM v GROUP BY table_schema, part ORDER BY table_schema, part;
SQL
total_ms=$(($(now_ms) - started_ms))
echo "Done in $((total_ms / 1000)).$((total_ms % 1000 / 100)) s; the history is $here/rstETH.jsonl (lrt simulate reads it too)."
