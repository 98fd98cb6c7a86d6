#!/bin/sh
# serve_load.sh - `make bench`, the settlement service under load: several
# writers insert events for a fixed time while `lrt serve` settles epochs of
# two seconds and readers query the reporting views; then every event is
# accounted for and `lrt verify` passes.
#
#   sh tests/bench/serve_load.sh BUILD
#
# A private cluster in BUILD/bench-serve (removed at the end; the service's
# log is kept in BUILD/bench/serve-load.log), one product loadETH of
# 2-second epochs from now, settle lag 1 s, a fee, a withdrawal delay of 2
# epochs.  `lrt serve --log-format json --metrics-file` runs throughout.
#
#   idle     the service settles BENCH_LOAD_IDLE_EPOCHS (3) empty epochs:
#            the baseline of its lag, with nothing else running
#   load     for BENCH_LOAD_SECONDS (30), BENCH_WRITERS (4) writers each
#            loop: a file of BENCH_LOAD_BATCH (50) generated events through
#            `lrt ingest`, then BENCH_LOAD_SQL (10) events submitted with
#            SQL in one transaction by the login load_writer (lrt_writer),
#            which the service judges; deposits, transfers (also to other
#            writers' holders), withdrawals and rewards (buffer and an
#            operator), ids unique per writer (wW-fB-I, wW-sB-I).  Each
#            batch is for the epoch the clock is in, or the next one in the
#            epoch's last half second, so that it lands at least 1.5 s
#            before the epoch's end plus the lag; an event that still
#            arrives after its epoch was settled is kept aside as late and
#            counted apart.  BENCH_READERS (2) readers meanwhile query, as
#            the login load_reader (lrt_reader), lrt_report.rates (the last
#            30 epochs), holders (the top 20), holder_positions (one
#            holder), queue and tvl_by_location (the last epoch), timed by
#            psql's \timing.
#   drain    the writers stopped: wait until every submission is judged and
#            every epoch holding an event is settled, stop the service with
#            SIGTERM (it must exit 0)
#   after    the readers' queries again, the service stopped: their baseline
#
# Then the checks, which fail the bench (exit 1): every event a writer had
# accepted (ingest's "loaded", a committed SQL transaction) is in the inbox
# exactly once, or kept aside as late, never both; nothing else is in the
# inbox; no reject but late ones; every epoch's event count equals its
# inbox rows and each epoch was logged settled once; `lrt verify` passes;
# no writer or reader command failed.  Prints events per second sustained,
# the settlement lag of each epoch (the service's "settled" log line minus
# the epoch's end) under load against the idle epochs and the configured
# floor (the lag plus the service's 20 ms wake margin), and the readers'
# latency under load against after.  No time is asserted.
#
# shellcheck disable=SC2046
# (set -- $(...) splits a row of figures into $1, $2, ... on purpose)
set -eu

build=${1:-build}
seconds=${BENCH_LOAD_SECONDS:-30}
writers=${BENCH_WRITERS:-4}
readers=${BENCH_READERS:-2}
batch=${BENCH_LOAD_BATCH:-50}
sql_batch=${BENCH_LOAD_SQL:-10}
idle_epochs=${BENCH_LOAD_IDLE_EPOCHS:-3}
build=$(cd "$build" && pwd)
lrt=$build/lrt
[ -x "$lrt" ] || { echo "bench: no $lrt (run make first)" >&2; exit 1; }
mkdir -p "$build/bench"

fail() {
	echo "bench: serve load: $*" >&2
	exit 1
}

for setting in "BENCH_LOAD_SECONDS=$seconds" "BENCH_WRITERS=$writers" \
	"BENCH_READERS=$readers" "BENCH_LOAD_BATCH=$batch" "BENCH_LOAD_SQL=$sql_batch" \
	"BENCH_LOAD_IDLE_EPOCHS=$idle_epochs"; do
	value=${setting#*=}
	case $value in
	'' | *[!0-9]* | 0*) fail "${setting%%=*} must be a whole number from 1, not '$value'" ;;
	esac
	[ "${#value}" -le 5 ] || fail "${setting%%=*}=$value is too large (at most 99999)"
done

symbol=loadETH
epoch_seconds=2
lag_seconds=1
# the service wakes this long after an epoch is due (SERVE_WAKE_MARGIN_MS)
wake_margin_ms=20
# a batch lands at least this long before its epoch's end plus the lag
safety_ms=1500
# holders per writer
holders=64
# the longest the service may take to settle what is left once the writers
# stop, past the last epoch's due time
drain_seconds=120

cluster_dir=$build/bench-serve
cluster_port=5432
work=$cluster_dir/work
serve_pid=""
pids=""
# shellcheck source=tests/pgcluster.sh
. "$(dirname "$0")/../pgcluster.sh"

cleanup() {
	[ -d "$work" ] && : >"$work/stop"
	for pid in $pids $serve_pid; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $pids $serve_pid; do
		wait "$pid" 2>/dev/null || true
	done
	[ -f "$work/serve.log" ] && cp "$work/serve.log" "$build/bench/serve-load.log"
	cluster_stop
	rm -rf "$cluster_dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
rm -rf "$cluster_dir"
cluster_start -c synchronous_commit=off
mkdir -p "$work"
export PGDATABASE=load
psql_do() {
	"$cluster_bindir/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}
value() {
	psql_do -At -c "$1"
}

now_ms() {
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# stats [DECIMALS]: the p50, p99 and largest of the numbers on standard
# input (nearest rank) with DECIMALS (0) decimals, and how many; "- - - 0"
# when none.
stats() {
	sort -n | awk -v f="%.${1:-0}f" '{ v[++n] = $1 }
	function rank(p,   k) { k = int(p * n / 100); if (k < p * n / 100) k++; return v[k < 1 ? 1 : k] }
	END {
		if (n == 0) { print "- - - 0"; exit }
		printf f " " f " " f " %d\n", rank(50), rank(99), v[n], n
	}'
}

# ---- the database, the product, the logins, the service ----------------------------

psql_do -d postgres -c "CREATE DATABASE load"
"$lrt" migrate >/dev/null
psql_do -c "CREATE ROLE load_writer LOGIN IN ROLE lrt_writer" \
	-c "CREATE ROLE load_reader LOGIN IN ROLE lrt_reader"
genesis=$(date +%s)
genesis_ms=$((genesis * 1000))
epoch_ms=$((epoch_seconds * 1000))
lag_ms=$((lag_seconds * 1000))
printf '{"symbol": "%s", "underlying": "ETH", "assets": [{"symbol": "ETH", "decimals": 18}], "model": "erc4626", "offset": 0, "genesis_time": %s, "epoch_seconds": %s, "fee_bps": 1000, "fee_recipients": [{"holder": "treasury", "bps": 10000}], "delay_epochs": 2}\n' \
	"$symbol" "$genesis" "$epoch_seconds" >"$work/product.json"
"$lrt" product create "$work/product.json" --settle-lag "$lag_seconds" >/dev/null
product_id=$(value "SELECT product_id FROM lrt.products WHERE symbol = '$symbol'")

"$lrt" serve --product "$symbol" --log-format json --log-file "$work/serve.log" \
	--metrics-file "$work/lrt.prom" &
serve_pid=$!

settled_epoch() {
	value "SELECT settled_epoch FROM lrt.product_state WHERE product_id = $product_id"
}
# wait_settled EPOCH DEADLINE_MS: until EPOCH is settled, or fails.
wait_settled() {
	while [ "$(settled_epoch)" -lt "$1" ]; do
		kill -0 "$serve_pid" 2>/dev/null || fail "lrt serve died (log: $build/bench/serve-load.log)"
		[ "$(now_ms)" -lt "$2" ] || fail "epoch $1 not settled in time (settled through $(settled_epoch))"
		sleep 0.1
	done
}

echo "bench: lrt serve under load: $writers writers ($batch events a file through lrt ingest, then $sql_batch submitted with SQL), $readers readers, ${seconds} s; epochs of $epoch_seconds s, settle lag $lag_seconds s"
wait_settled $((idle_epochs - 1)) $((genesis_ms + (idle_epochs * epoch_seconds + lag_seconds + 30) * 1000))

# ---- writers and readers ---------------------------------------------------------

# writer W: batches until load_end_ms.  Appends the ids of what was
# accepted to $work/wW.ids ("W file|sql ID"), its tally to $work/wW.tally,
# a failed command's output to $work/wW.errors, and per batch its epoch and
# when its ingest and its SQL transaction started and returned (Unix ms) to
# $work/wW.batches.
writer() {
	w=$1
	b=0
	file_loaded=0
	file_late=0
	file_duplicates=0
	sql_submitted=0
	while [ ! -f "$work/stop" ]; do
		now=$(now_ms)
		[ "$now" -lt "$load_end_ms" ] || break
		e=$(((now + safety_ms - lag_ms - genesis_ms) / epoch_ms))
		[ "$e" -ge $(((now - genesis_ms) / epoch_ms)) ] || e=$(((now - genesis_ms) / epoch_ms))
		awk -v w="$w" -v b="$b" -v e="$e" -v n="$batch" -v m="$sql_batch" \
			-v holders="$holders" -v writers="$writers" -v symbol="$symbol" \
			-v events="$work/w$w.jsonl" -v sql="$work/w$w.sql" \
			-v file_ids="$work/w$w.file-ids" -v sql_ids="$work/w$w.sql-ids" '
		function holder(k) { return sprintf("w%d-h%02d", k, int(rand() * holders)) }
		function event(id, i,   r) {
			r = rand()
			if (b == 0 && i < holders)
				r = 0  # the first file deposits for every holder
			if (r < 0.40)
				return sprintf("{\"id\": \"%s\", \"epoch\": %s, \"type\": \"deposit\", \"holder\": \"%s\", \"asset\": \"ETH\", \"amount\": \"%d%03d000000000000000\"}",
				               id, e, (b == 0 && i < holders) ? sprintf("w%d-h%02d", w, i) : holder(w),
				               1 + int(rand() * 100), int(rand() * 1000))
			if (r < 0.70)
				return sprintf("{\"id\": \"%s\", \"epoch\": %s, \"type\": \"transfer\", \"from\": \"%s\", \"to\": \"%s\", \"shares\": \"%d000000000000000\"}",
				               id, e, holder(w), holder(1 + int(rand() * writers)), 1 + int(rand() * 9))
			if (r < 0.85)
				return sprintf("{\"id\": \"%s\", \"epoch\": %s, \"type\": \"withdraw\", \"holder\": \"%s\", \"shares\": \"%d000000000000000\"}",
				               id, e, holder(w), 1 + int(rand() * 9))
			return sprintf("{\"id\": \"%s\", \"epoch\": %s, \"type\": \"reward\", \"source\": \"consensus\", \"location\": \"%s\", \"asset\": \"ETH\", \"amount\": \"%d000000000000\"}",
			               id, e, rand() < 0.7 ? "buffer" : sprintf("op-%d", w), 1 + int(rand() * 999))
		}
		BEGIN {
			srand(w * 1000003 + b)
			printf "" > events
			printf "" > file_ids
			for (i = 0; i < n; i++) {
				id = sprintf("w%d-f%d-%d", w, b, i)
				print event(id, i) > events
				print w, "file", id > file_ids
			}
			print "BEGIN;" > sql
			printf "" > sql_ids
			for (i = 0; i < m; i++) {
				id = sprintf("w%d-s%d-%d", w, b, i)
				printf "INSERT INTO lrt.submissions (product, event) VALUES (\047%s\047, \047%s\047);\n",
				       symbol, event(id, n + i) > sql
				print w, "sql", id > sql_ids
			}
			print "COMMIT;" > sql
		}'
		rc=0
		ingest_start=$(now_ms)
		"$lrt" ingest --product "$symbol" "$work/w$w.jsonl" >"$work/w$w.out" 2>&1 || rc=$?
		ingest_end=$(now_ms)
		if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then
			# read N, loaded N, duplicates N, rejected N
			set -- $(sed -n 's/^read \([0-9]*\), loaded \([0-9]*\), duplicates \([0-9]*\), rejected \([0-9]*\)$/\1 \2 \3 \4/p' "$work/w$w.out")
			if [ $# -eq 4 ]; then
				file_loaded=$((file_loaded + $2))
				file_duplicates=$((file_duplicates + $3))
				file_late=$((file_late + $4))
				cat "$work/w$w.file-ids" >>"$work/w$w.ids"
			else
				{ echo "lrt ingest, batch $b: no counts"; cat "$work/w$w.out"; } >>"$work/w$w.errors"
			fi
		else
			{ echo "lrt ingest, batch $b: exit $rc"; cat "$work/w$w.out"; } >>"$work/w$w.errors"
		fi
		sql_start=$(now_ms)
		if PGUSER=load_writer psql_do -f "$work/w$w.sql" >"$work/w$w.out" 2>&1; then
			sql_submitted=$((sql_submitted + sql_batch))
			cat "$work/w$w.sql-ids" >>"$work/w$w.ids"
		else
			{ echo "psql, batch $b"; cat "$work/w$w.out"; } >>"$work/w$w.errors"
		fi
		echo "$w $b $e $ingest_start $ingest_end $sql_start $(now_ms)" >>"$work/w$w.batches"
		b=$((b + 1))
	done
	echo "$w $b $file_loaded $file_duplicates $file_late $sql_submitted" >"$work/w$w.tally"
}

# reader R PREFIX: rounds of the five queries until load_end_ms (PREFIX
# load) or for after_rounds rounds (PREFIX after); psql's times in ms to
# $work/PREFIX-rR.times, failures to $work/PREFIX-rR.errors.
reader() {
	r=$1
	q=0
	while [ ! -f "$work/stop" ]; do
		if [ "$2" = load ]; then
			[ "$(now_ms)" -lt "$load_end_ms" ] || break
		else
			[ "$q" -lt "$after_rounds" ] || break
		fi
		who=$(printf 'w%d-h%02d' $((q % writers + 1)) $(((q * 7 + r) % holders)))
		if PGUSER=load_reader psql_do -o /dev/null \
			-c '\timing on' \
			-c "SELECT * FROM lrt_report.rates WHERE symbol = '$symbol' ORDER BY epoch DESC LIMIT 30" \
			-c "SELECT * FROM lrt_report.holders WHERE symbol = '$symbol' ORDER BY shares DESC LIMIT 20" \
			-c "SELECT * FROM lrt_report.holder_positions WHERE symbol = '$symbol' AND holder = '$who'" \
			-c "SELECT * FROM lrt_report.queue WHERE symbol = '$symbol'" \
			-c "SELECT * FROM lrt_report.tvl_by_location WHERE symbol = '$symbol' AND epoch = (SELECT max(epoch) FROM lrt_report.rates WHERE symbol = '$symbol')" \
			>"$work/$2-r$r.out" 2>&1; then
			sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$work/$2-r$r.out" >>"$work/$2-r$r.times"
		else
			{ echo "round $q"; cat "$work/$2-r$r.out"; } >>"$work/$2-r$r.errors"
		fi
		q=$((q + 1))
	done
}

load_start_ms=$(now_ms)
load_end_ms=$((load_start_ms + seconds * 1000))
i=1
while [ "$i" -le "$writers" ]; do
	writer "$i" &
	pids="$pids $!"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$readers" ]; do
	reader "$i" load &
	pids="$pids $!"
	i=$((i + 1))
done
for pid in $pids; do
	wait "$pid" || fail "a writer or reader failed"
done
pids=""
writers_done_ms=$(now_ms)

# ---- drain -------------------------------------------------------------------------

deadline_ms=$((writers_done_ms + drain_seconds * 1000))
while [ "$(value "SELECT count(*) FROM lrt.submissions")" -ne 0 ]; do
	kill -0 "$serve_pid" 2>/dev/null || fail "lrt serve died (log: $build/bench/serve-load.log)"
	[ "$(now_ms)" -lt "$deadline_ms" ] || fail "submissions not judged within $drain_seconds s"
	sleep 0.1
done
last_epoch=$(value "SELECT coalesce(max(epoch), -1) FROM lrt.inbox WHERE product_id = $product_id")
wait_settled "$last_epoch" $((genesis_ms + ((last_epoch + 1) * epoch_seconds + lag_seconds + drain_seconds) * 1000))
drained_ms=$(now_ms)
kill -TERM "$serve_pid"
rc=0
wait "$serve_pid" || rc=$?
serve_pid=""
[ "$rc" -eq 0 ] || fail "lrt serve exited $rc on SIGTERM (log: $build/bench/serve-load.log)"

after_rounds=20
i=1
while [ "$i" -le "$readers" ]; do
	reader "$i" after
	i=$((i + 1))
done

# ---- the checks --------------------------------------------------------------------

problems=0
problem() {
	echo "  FAILED: $*"
	problems=$((problems + 1))
}

cat "$work"/w*.ids >"$work/written.txt" 2>/dev/null || : >"$work/written.txt"
cat "$work"/w*.batches >"$work/batches.txt" 2>/dev/null || : >"$work/batches.txt"
psql_do -c "CREATE TABLE written (writer int, kind text, id text COLLATE \"C\")" \
	-c "\\copy written FROM '$work/written.txt' WITH (DELIMITER ' ')" \
	-c "CREATE INDEX ON written (id)" \
	-c "CREATE TABLE kept AS SELECT raw::jsonb ->> 'id' AS id, reason, source_file FROM lrt.ingest_rejects WHERE product_id = $product_id" \
	-c "CREATE TABLE stored AS SELECT event_id AS id, epoch FROM lrt.inbox WHERE product_id = $product_id" \
	-c "CREATE TABLE batches (writer int, batch int, epoch bigint, ingest_start bigint, ingest_end bigint, sql_start bigint, sql_end bigint)" \
	-c "\\copy batches FROM '$work/batches.txt' WITH (DELIMITER ' ')" \
	-c "ANALYZE written, kept, stored, batches"

late_sql="reason LIKE 'epoch % is already settled%'"
set -- $(value "SELECT (SELECT count(*) FROM written),
	(SELECT count(*) FROM written w WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.id = w.id)
	                                  AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = w.id)),
	(SELECT count(*) FROM stored s WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.id = s.id)),
	(SELECT count(*) FROM written w WHERE EXISTS (SELECT 1 FROM stored s WHERE s.id = w.id)
	                                  AND EXISTS (SELECT 1 FROM kept k WHERE k.id = w.id)),
	(SELECT count(*) FROM (SELECT id FROM stored GROUP BY id HAVING count(*) > 1) x),
	(SELECT count(*) FROM (SELECT id FROM kept GROUP BY id HAVING count(*) > 1) x),
	(SELECT count(*) FROM (SELECT id FROM written GROUP BY id HAVING count(*) > 1) x),
	(SELECT count(*) FROM kept WHERE NOT ($late_sql)),
	(SELECT count(*) FROM (SELECT epoch, count(*) AS n FROM stored GROUP BY epoch) i
	   FULL JOIN (SELECT epoch, events FROM lrt.epochs WHERE product_id = $product_id) e USING (epoch)
	  WHERE coalesce(e.events, -1) <> coalesce(i.n, 0)),
	(SELECT count(*) FROM stored),
	(SELECT count(*) FROM lrt.epochs WHERE product_id = $product_id),
	(SELECT count(*) FROM lrt.rejected_events WHERE product_id = $product_id),
	(SELECT count(*) FROM lrt.withdrawal_requests WHERE product_id = $product_id AND status <> 'queued'),
	(SELECT count(*) FROM lrt.holders WHERE product_id = $product_id AND shares > 0)" | tr '|' ' ')
written=$1 lost=$2 unknown=$3 both=$4 stored_twice=$5 kept_twice=$6 written_twice=$7
other_rejects=$8 epoch_mismatches=$9
shift 9
stored=$1 epochs=$2 rejected_events=$3 finalized=$4 holders_now=$5

echo "bench: the checks"
[ "$lost" -eq 0 ] || problem "$lost events accepted are neither in the inbox nor kept aside as late (lost)"
[ "$unknown" -eq 0 ] || problem "$unknown events in the inbox that no writer had accepted"
[ "$both" -eq 0 ] || problem "$both events both in the inbox and kept aside"
[ "$stored_twice" -eq 0 ] || problem "$stored_twice events stored more than once"
[ "$kept_twice" -eq 0 ] || problem "$kept_twice events kept aside more than once"
[ "$written_twice" -eq 0 ] || problem "$written_twice ids accepted twice (the writers' ids repeat)"
[ "$other_rejects" -eq 0 ] || problem "$other_rejects events kept aside for a reason other than late: $(value "SELECT string_agg(DISTINCT reason, '; ') FROM kept WHERE NOT ($late_sql)")"
[ "$epoch_mismatches" -eq 0 ] || problem "$epoch_mismatches epochs whose settled event count is not their inbox rows (or an epoch with events not settled)"
twice=$(grep -o '"event":"settled"[^}]*"epoch":[0-9]*' "$work/serve.log" | sed 's/.*"epoch"://' | sort | uniq -d | wc -l)
[ "$twice" -eq 0 ] || problem "$twice epochs logged settled more than once"
[ "$(grep -c '"event":"settled"' "$work/serve.log")" -eq "$epochs" ] ||
	problem "the log says $(grep -c '"event":"settled"' "$work/serve.log") epochs settled, lrt.epochs holds $epochs"
# A late event is one whose epoch was settled before it arrived: its
# command must have returned after the epoch was due (its end plus the
# lag); one that returned before had committed in time, and the service
# settled its epoch without it.
psql_do -c "CREATE TABLE late AS
	SELECT k.id, k.source_file = 'lrt.submissions' AS by_sql, b.writer, b.batch, b.epoch,
	       $genesis_ms + (b.epoch + 1) * $epoch_ms + $lag_ms AS due_ms,
	       CASE WHEN k.source_file = 'lrt.submissions' THEN b.sql_start ELSE b.ingest_start END AS start_ms,
	       CASE WHEN k.source_file = 'lrt.submissions' THEN b.sql_end ELSE b.ingest_end END AS end_ms
	  FROM kept k
	  JOIN batches b ON b.writer = substr(split_part(k.id, '-', 1), 2)::int
	                AND b.batch = substr(split_part(k.id, '-', 2), 2)::int
	 WHERE k.$late_sql"
early=$(value "SELECT count(*) FROM late WHERE end_ms < due_ms")
[ "$early" -eq 0 ] || problem "$early events kept aside as late had committed before their epoch was due: $(value "SELECT string_agg(x, '; ') FROM (SELECT format('writer %s batch %s: %s %s events of epoch %s, due at %s, sent from %s to %s (Unix ms)', writer, batch, count(*), CASE WHEN by_sql THEN 'SQL' ELSE 'file' END, epoch, due_ms, start_ms, end_ms) AS x FROM late WHERE end_ms < due_ms GROUP BY writer, batch, by_sql, epoch, due_ms, start_ms, end_ms ORDER BY writer, batch) y")"
errors=$(cat "$work"/*.errors 2>/dev/null | wc -l)
[ "$errors" -eq 0 ] || { problem "writer or reader commands failed:"; cat "$work"/*.errors | head -n 20 | sed 's/^/    /'; }
grep -q '"level":"error"' "$work/serve.log" &&
	problem "the service logged errors: $(grep '"level":"error"' "$work/serve.log" | head -n 3)"
# the metrics file as the service left it: its last cycle's figures
metric() {
	awk -v name="$1" '$1 == name || index($1, name "{") == 1 { print $2 }' "$work/lrt.prom"
}
metric_settled=$(metric lrt_settled_epoch)
metric_total=$(metric lrt_epochs_settled_total)
metric_waiting=$(metric lrt_events_waiting)
if [ "$metric_settled" != "$(settled_epoch)" ] || [ "$metric_total" != "$epochs" ] ||
	[ "$metric_waiting" != 0 ]; then
	problem "the metrics file says settled epoch '$metric_settled', '$metric_total' epochs settled, '$metric_waiting' events waiting; the database $(settled_epoch), $epochs, 0"
fi

# per writer: the tallies the writers kept against the database
printf '  %-7s %8s %10s %12s %10s %10s %12s %10s\n' writer batches "file: sent" "loaded/late" stored "SQL: sent" "stored/late" "inbox"
for tally in "$work"/w*.tally; do
	read -r w b file_loaded file_duplicates file_late sql_submitted <"$tally"
	set -- $(value "SELECT (SELECT count(*) FROM written w JOIN stored s USING (id) WHERE w.writer = $w AND w.kind = 'file'),
		(SELECT count(*) FROM written w JOIN stored s USING (id) WHERE w.writer = $w AND w.kind = 'sql'),
		(SELECT count(*) FROM written w JOIN kept k USING (id) WHERE w.writer = $w AND w.kind = 'sql'),
		(SELECT count(*) FROM stored WHERE id LIKE 'w$w-%')" | tr '|' ' ')
	printf '  %-7s %8s %10s %12s %10s %10s %12s %10s\n' "w$w" "$b" $((file_loaded + file_late + file_duplicates)) \
		"$file_loaded/$file_late" "$1" "$sql_submitted" "$2/$3" "$4"
	[ "$file_duplicates" -eq 0 ] || problem "writer $w: lrt ingest counted $file_duplicates duplicates"
	[ "$1" -eq "$file_loaded" ] || problem "writer $w: lrt ingest loaded $file_loaded events, the inbox holds $1 of its files"
	[ $(($2 + $3)) -eq "$sql_submitted" ] || problem "writer $w: $sql_submitted submitted with SQL, $2 stored and $3 kept aside as late"
	[ "$4" -eq $(($1 + $2)) ] || problem "writer $w: the inbox holds $4 of its events, $(($1 + $2)) accepted"
done

rc=0
"$lrt" verify --product "$symbol" >"$work/verify.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then
	echo "  lrt verify: $(tail -n 1 "$work/verify.out")"
else
	problem "lrt verify exited $rc:"
	head -n 20 "$work/verify.out" | sed 's/^/    /'
fi

# ---- the figures -------------------------------------------------------------------

# the settled lines of the log: epoch, events, ms to settle, lag in ms
awk -v genesis_ms="$genesis_ms" -v epoch_ms="$epoch_ms" '
function field(name,   s) {
	if (!match($0, "\"" name "\":(\"[^\"]*\"|-?[0-9]+)"))
		return ""
	s = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
	gsub(/"/, "", s)
	return s
}
# days from 1970-01-01 to a date (the proleptic Gregorian calendar)
function days(y, m, d,   era, yoe, doy) {
	y -= (m <= 2)
	era = int((y >= 0 ? y : y - 399) / 400)
	yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
	return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
}
/"event":"settled"/ {
	t = field("time")  # 2025-07-01T12:00:00.123Z
	ms = (days(substr(t, 1, 4) + 0, substr(t, 6, 2) + 0, substr(t, 9, 2) + 0) * 86400 \
	      + substr(t, 12, 2) * 3600 + substr(t, 15, 2) * 60 + substr(t, 18, 2)) * 1000 + substr(t, 21, 3)
	e = field("epoch")
	printf "%s %s %s %.0f\n", e, field("events"), field("ms"), ms - (genesis_ms + (e + 1) * epoch_ms)
}' "$work/serve.log" >"$work/settled.txt"

load_ms=$((writers_done_ms - load_start_ms))
late=$(value "SELECT count(*) FROM kept WHERE $late_sql")
late_files=$(value "SELECT count(*) FROM late WHERE NOT by_sql")
late_sent=$(value "SELECT CASE WHEN count(*) > 0 THEN format('; their commands started %s to %s ms from their epoch''s due time', to_char(min(start_ms - due_ms), 'FMSG9999999'), to_char(max(start_ms - due_ms), 'FMSG9999999')) ELSE '' END FROM late")
from_sql=$(value "SELECT count(*) FROM written w JOIN stored s USING (id) WHERE w.kind = 'sql'")
set -- $(awk '$2 > 0 { print $4 }' "$work/settled.txt" | stats)
load_p50=$1 load_p99=$2 load_max=$3 load_n=$4
set -- $(awk '$2 == 0 { print $4 }' "$work/settled.txt" | stats)
idle_p50=$1 idle_p99=$2 idle_max=$3 idle_n=$4
set -- $(awk '$2 > 0 { print $3 }' "$work/settled.txt" | stats)
settle_p50=$1 settle_max=$3
set -- $(awk '$2 > 0 { print $2 }' "$work/settled.txt" | stats)
events_p50=$1 events_max=$3
set -- $(cat "$work"/load-r*.times 2>/dev/null | stats 1)
read_p50=$1 read_p99=$2 read_max=$3 read_n=$4
set -- $(cat "$work"/after-r*.times 2>/dev/null | stats 1)
after_p50=$1 after_p99=$2 after_max=$3 after_n=$4
floor_ms=$((lag_ms + wake_margin_ms))

echo "bench: lrt serve under load, $symbol, $(value 'SHOW server_version' | sed 's/ .*//')"
awk -v stored="$stored" -v written="$written" -v ms="$load_ms" -v sql="$from_sql" -v late="$late" -v late_files="$late_files" -v late_sent="$late_sent" \
	-v drain="$((drained_ms - writers_done_ms))" 'BEGIN {
	printf "  events stored          %d of %d sent, in %.1f s of writing: %.0f events/s sustained (%d submitted with SQL); %d late, kept aside (%d from files%s); the last settled %.1f s after the writers stopped\n",
	       stored, written, ms / 1000, stored * 1000 / ms, sql, late, late_files, late_sent, drain / 1000
}'
echo "  metrics file           lrt_settled_epoch $metric_settled, lrt_epochs_settled_total $metric_total, lrt_events_waiting $metric_waiting (its last cycle)"
echo "  epochs settled         $epochs ($load_n with events: p50 $events_p50, max $events_max events; settling one took p50 $settle_p50 ms, max $settle_max ms); $rejected_events events rejected by settlement, $finalized requests finalized, $holders_now holders"
printf '  %-22s %8s %8s %8s %6s\n' "settlement lag, ms" p50 p99 max epochs
printf '  %-22s %8s %8s %8s %6s\n' "under load" "$load_p50" "$load_p99" "$load_max" "$load_n"
printf '  %-22s %8s %8s %8s %6s\n' "idle (no events)" "$idle_p50" "$idle_p99" "$idle_max" "$idle_n"
printf '  %-22s %8s %8s %8s %6s\n' "floor (lag + wake)" "$floor_ms" "$floor_ms" "$floor_ms" ""
printf '  %-22s %8s %8s %8s %6s\n' "readers' queries, ms" p50 p99 max queries
printf '  %-22s %8s %8s %8s %6s\n' "under load" "$read_p50" "$read_p99" "$read_max" "$read_n"
printf '  %-22s %8s %8s %8s %6s\n' "after, service stopped" "$after_p50" "$after_p99" "$after_max" "$after_n"

[ "$problems" -eq 0 ] || fail "$problems checks failed (the service's log: $build/bench/serve-load.log)"
echo "bench: serve load: every accepted event stored once, every epoch settled once, lrt verify passes"
