# dashboard.sh - `make bench`, the dashboard's queries at a million holders
# and a thousand epochs; sourced by tests/bench/db.sh once its settlements
# are done, on its database and its product benchETH (BENCH_DB_EVENTS
# holders, a fifth of them with a withdrawal request), with its helpers
# (psql_do, now_ms, ratio, fail, rewards, $lrt, $out).
#
# First grows benchETH to BENCH_DASHBOARD_EPOCHS (1000) settled epochs with
# rewards-only epochs: one `lrt settle` through the epoch its queued
# requests come due (which finalizes them), one for the rest; then ANALYZE,
# as autovacuum would have by then.  Then times, best of
# BENCH_DASHBOARD_RUNS (20), each against a baseline measured in the same
# run:
#
#   a holder's position       SELECT * FROM lrt_report.holder_positions
#                             WHERE symbol = $1 AND holder = $2
#                             against one lookup of lrt.holders' primary key
#   the last 30 epochs        SELECT * FROM lrt_report.rates WHERE symbol = $1
#                             ORDER BY epoch DESC LIMIT 30
#                             against the same of lrt.epochs joined to
#                             lrt.products by symbol (the view's shape,
#                             bare: a top-N of the product's epochs)
#   lrt report holder_positions --holder H, a fresh process
#                             against `psql -c 'SELECT 1'`, a fresh process
#
# The statements are prepared once in one session (parameterised, as a BI
# tool sends them: after five runs PostgreSQL may settle on a generic plan)
# and executed in turn; the time is psql's, round trip included.  Then each
# plan, by EXPLAIN (ANALYZE, BUFFERS), and its verdict: index-driven, or the
# Seq Scans it makes on tables over BENCH_DASHBOARD_BIG_ROWS (10000) rows.
#
# shellcheck shell=sh disable=SC2154
# (events, out, lrt, elapsed_ms: db.sh's)

dash_epochs=${BENCH_DASHBOARD_EPOCHS:-1000}
dash_runs=${BENCH_DASHBOARD_RUNS:-20}
dash_big_rows=${BENCH_DASHBOARD_BIG_ROWS:-10000}
dash_symbol=benchETH
# a holder with a request (db.sh's mixed events: the holder of event i
# withdraws when i is 4 modulo 5), half-way through the keys
dash_tenth=$((events / 10))
dash_holder=$(printf '0x%040x' $((dash_tenth * 5 + 4 + 1)))

echo "bench: the dashboard's queries at $events holders and $dash_epochs epochs"
dash_settled=$(psql_do -At -c "SELECT settled_epoch FROM lrt.product_state JOIN lrt.products USING (product_id) WHERE symbol = '$dash_symbol'")
# the epoch the queued requests come due, settled apart: it finalizes them
dash_due=$(psql_do -At -c "SELECT min(w.request_epoch) + s.delay_epochs FROM lrt.withdrawal_requests w JOIN lrt.product_state s USING (product_id) JOIN lrt.products p USING (product_id) WHERE p.symbol = '$dash_symbol' AND w.status = 'queued' GROUP BY s.delay_epochs")
if [ "$dash_settled" -lt $((dash_epochs - 1)) ]; then
	rewards $((dash_settled + 1)) $((dash_epochs - 1 - dash_settled)) >"$out/dashboard-rewards.jsonl"
	"$lrt" ingest --product "$dash_symbol" "$out/dashboard-rewards.jsonl" >/dev/null ||
		fail "lrt ingest of the rewards-only epochs failed"
	if [ -n "$dash_due" ] && [ "$dash_due" -gt "$dash_settled" ] && [ "$dash_due" -lt $((dash_epochs - 1)) ]; then
		timed "lrt settle (through $dash_due, due)" "$lrt" settle --product "$dash_symbol" --through "$dash_due"
		echo "  (epochs $((dash_settled + 1)) to $dash_due; $dash_due finalizes $(psql_do -At -c "SELECT count(*) FROM lrt.withdrawal_requests w JOIN lrt.products p USING (product_id) WHERE p.symbol = '$dash_symbol' AND w.status = 'finalized'") requests)"
		dash_settled=$dash_due
	fi
	timed "lrt settle ($((dash_epochs - 1 - dash_settled)) epochs)" "$lrt" settle --product "$dash_symbol"
	echo "  ($(awk -v ms="$elapsed_ms" -v n=$((dash_epochs - 1 - dash_settled)) 'BEGIN { printf "%.1f", ms / n }') ms an epoch, rewards only, one process)"
fi
psql_do -c "ANALYZE"
dash_count=$(psql_do -At -c "SELECT count(*) FROM lrt_report.rates WHERE symbol = '$dash_symbol'")
[ "$dash_count" -eq "$dash_epochs" ] || fail "$dash_symbol has $dash_count settled epochs, not $dash_epochs"
dash_position=$(psql_do -At -c "SELECT count(*) FROM lrt.holders JOIN lrt.products USING (product_id) WHERE symbol = '$dash_symbol' AND holder = '$dash_holder'")
[ "$dash_position" -eq 1 ] || fail "$dash_holder is not a holder of $dash_symbol"

# The session: each statement prepared, then all of them executed in turn,
# dash_runs times; psql prints one "Time: N ms" a statement, in that order.
{
	echo "PREPARE holder_row(text, text) AS SELECT h.* FROM lrt.holders h JOIN lrt.products p USING (product_id) WHERE p.symbol = \$1 AND h.holder = \$2;"
	echo "PREPARE position(text, text) AS SELECT * FROM lrt_report.holder_positions WHERE symbol = \$1 AND holder = \$2;"
	echo "PREPARE last_epochs(text) AS SELECT e.* FROM lrt.epochs e JOIN lrt.products p USING (product_id) WHERE p.symbol = \$1 ORDER BY e.epoch DESC LIMIT 30;"
	echo "PREPARE rates(text) AS SELECT * FROM lrt_report.rates WHERE symbol = \$1 ORDER BY epoch DESC LIMIT 30;"
	printf '%s\n' "\\timing on"
	printf '%s\n' "\\o /dev/null"
	i=0
	while [ "$i" -lt "$dash_runs" ]; do
		echo "EXECUTE holder_row('$dash_symbol', '$dash_holder');"
		echo "EXECUTE position('$dash_symbol', '$dash_holder');"
		echo "EXECUTE last_epochs('$dash_symbol');"
		echo "EXECUTE rates('$dash_symbol');"
		i=$((i + 1))
	done
} >"$out/dashboard.sql"
psql_do -q -f "$out/dashboard.sql" >"$out/dashboard-times.txt" ||
	fail "the dashboard's statements failed"
# dash_best N: the best time of the N-th statement (1-based), in ms
dash_best() {
	grep '^Time: ' "$out/dashboard-times.txt" |
		awk -v k="$1" -v n=4 '(NR - 1) % n == k - 1 { t = $2 + 0; if (best == "" || t < best) best = t } END { printf "%.3f", best }'
}
dash_median() {
	grep '^Time: ' "$out/dashboard-times.txt" |
		awk -v k="$1" -v n=4 '(NR - 1) % n == k - 1 { print $2 + 0 }' | sort -n |
		awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] }'
}
holder_row_ms=$(dash_best 1)
position_ms=$(dash_best 2)
last_epochs_ms=$(dash_best 3)
rates_ms=$(dash_best 4)
printf '  %-44s %8s ms (median %s)\n' "a holder's row of lrt.holders (baseline)" "$holder_row_ms" "$(dash_median 1)"
printf '  %-44s %8s ms (median %s)\n' "lrt_report.holder_positions, one holder" "$position_ms" "$(dash_median 2)"
printf '  %-44s %8s ms (median %s)\n' "the last 30 rows of lrt.epochs (baseline)" "$last_epochs_ms" "$(dash_median 3)"
printf '  %-44s %8s ms (median %s)\n' "lrt_report.rates, the last 30 epochs" "$rates_ms" "$(dash_median 4)"

# dash_fresh NAME COMMAND...: best of dash_runs fresh processes, into $best_ms
dash_fresh() {
	name=$1
	shift
	best_ms=""
	i=0
	while [ "$i" -lt "$dash_runs" ]; do
		start=$(now_ms)
		"$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; fail "$name failed"; }
		t=$(($(now_ms) - start))
		if [ -z "$best_ms" ] || [ "$t" -lt "$best_ms" ]; then best_ms=$t; fi
		i=$((i + 1))
	done
	printf '  %-44s %8d ms (best of %d)\n' "$name" "$best_ms" "$dash_runs"
}
dash_fresh "psql -c 'SELECT 1', a fresh process (baseline)" psql_do -At -c "SELECT 1"
psql_ms=$best_ms
dash_fresh "lrt report holder_positions --holder H" "$lrt" report holder_positions --holder "$dash_holder"
report_ms=$best_ms
grep -q "$dash_holder" "$out/last.log" || fail "lrt report holder_positions did not show $dash_holder"

# dash_plan TITLE SQL: prints the plan of SQL and whether it is index-driven
dash_plan() {
	echo "bench: the plan of $1"
	psql_do -c "$2" -c "EXPLAIN (ANALYZE, BUFFERS) $3" >"$out/plan.txt" ||
		fail "EXPLAIN of $1 failed"
	sed -n '/QUERY PLAN/,$p' "$out/plan.txt" | sed '1d; /^-*$/d; /^([0-9]* rows)$/d; s/ *$//; s/^/  /'
	scans=$(sed -n 's/.*Seq Scan on \([a-z_]*\).*/\1/p' "$out/plan.txt" | sort -u)
	big=""
	small=""
	for table in $scans; do
		rows=$(psql_do -At -c "SELECT reltuples::bigint FROM pg_class WHERE oid = 'lrt.$table'::regclass")
		if [ "$rows" -gt "$dash_big_rows" ]; then
			big="$big $table ($rows rows)"
		else
			small="$small $table ($rows)"
		fi
	done
	if [ -z "$big" ]; then
		echo "  index-driven: no Seq Scan on a table of more than $dash_big_rows rows (scanned:${small:- none})"
	else
		echo "  NOT index-driven: Seq Scan on$big"
	fi
}
dash_plan "a holder's position" \
	"PREPARE position(text, text) AS SELECT * FROM lrt_report.holder_positions WHERE symbol = \$1 AND holder = \$2" \
	"EXECUTE position('$dash_symbol', '$dash_holder')"
dash_plan "the last 30 epochs of rates" \
	"PREPARE rates(text) AS SELECT * FROM lrt_report.rates WHERE symbol = \$1 ORDER BY epoch DESC LIMIT 30" \
	"EXECUTE rates('$dash_symbol')"
dash_plan "lrt report holder_positions --holder H (its query: every product)" \
	"PREPARE report(text) AS SELECT * FROM lrt_report.holder_positions WHERE holder = \$1 ORDER BY symbol, holder" \
	"EXECUTE report('$dash_holder')"

echo "bench: the dashboard at $events holders and $dash_epochs epochs; ratios:"
echo "  a holder's position        $position_ms ms, $(ratio "$position_ms" "$holder_row_ms") the lookup of its row ($holder_row_ms ms)   (aim: milliseconds, index-driven)"
echo "  the last 30 epochs' rates  $rates_ms ms, $(ratio "$rates_ms" "$last_epochs_ms") the 30 rows of lrt.epochs ($last_epochs_ms ms)   (aim: milliseconds, index-driven)"
echo "  lrt report holder_positions --holder, a fresh process: $report_ms ms, $(ratio "$report_ms" "$psql_ms") a fresh psql's SELECT 1 ($psql_ms ms)"
