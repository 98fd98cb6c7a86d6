/*
 * check_reporting.c - the reporting schema (sql/reporting.sql) against the
 * core, figure by figure: every scenario of $LRT_DB_SCENARIOS (both models)
 * is settled through the database by the `lrt` command and, independently,
 * by the library in memory; then each money column of each view must equal,
 * row for row, what the core computes: the epochs' figures, TVL against
 * value() at each epoch's prices, holders against to_assets, the queue,
 * exposure and concentration (SPEC section 7), points, reconciliation.
 * Also: APR and APY on a known rate path, the snapshot the settler writes
 * against the journal (the migration's backfill), and the roles.
 *
 * Rows are compared as sorted lines of text, "a|b|c", the core's sorted by
 * strcmp and the database's by the same text in the C collation, so that a
 * missing, extra or different row shows in the assertion's message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "core/book_internal.h"
#include "helpers.h"
#include "lrt/lrt.h"

#define SCENARIOS_MAX 64
#define SHOWN_BYTES 1500

static char scenario_names[SCENARIOS_MAX][LRT_TEST_SCENARIO_NAME_BYTES];
static int scenario_count;

/* ---- lines of text ------------------------------------------------------------- */

typedef struct {
	char **items;
	size_t count, capacity;
} lines;

static void lines_add(lines *l, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = gmp_vasprintf(&text, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	if (l->count == l->capacity) {
		l->capacity = l->capacity ? 2 * l->capacity : 64;
		l->items = realloc(l->items, l->capacity * sizeof(*l->items));
		ck_assert_ptr_nonnull(l->items);
	}
	l->items[l->count++] = text;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines sorted and joined by newlines ("" for none); the caller frees. */
static char *lines_join(lines *l)
{
	size_t i, size = 1, at = 0;
	char *out;

	qsort(l->items, l->count, sizeof(*l->items), compare_lines);
	for (i = 0; i < l->count; i++)
		size += strlen(l->items[i]) + 1;
	out = malloc(size);
	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (i = 0; i < l->count; i++) {
		size_t n = strlen(l->items[i]);

		memcpy(out + at, l->items[i], n);
		at += n;
		out[at++] = '\n';
	}
	if (at > 0)
		at--;  /* no newline after the last */
	out[at] = '\0';
	for (i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = l->capacity = 0;
	return out;
}

/*
 * The rows of `select` (one text column, each row a line) against the
 * core's lines: the query's lines are aggregated in the C collation.
 */
static void assert_rows(PGconn *conn, const char *scenario, const char *view,
			const char *select, lines *expected)
{
	char query[4096];
	char *want = lines_join(expected);
	PGresult *result;
	const char *got;

	snprintf(query, sizeof(query),
		 "SELECT coalesce(string_agg(line, E'\\n' ORDER BY line COLLATE \"C\"), '')"
		 "  FROM (%s) x(line)", select);
	result = PQexec(conn, query);
	ck_assert_msg(PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1,
		      "%s: lrt_report.%s: %s", scenario, view, PQerrorMessage(conn));
	got = PQgetvalue(result, 0, 0);
	ck_assert_msg(strcmp(got, want) == 0,
		      "%s: lrt_report.%s differs from the core\n--- view:\n%.*s\n--- core:\n%.*s",
		      scenario, view, SHOWN_BYTES, got, SHOWN_BYTES, want);
	PQclear(result);
	free(want);
}

/* ---- the core's figures ------------------------------------------------------ */

typedef struct {
	lrt_book *book;
	lines rates, tvl, reconciliation;
	int64_t epoch;
} core_run;

static int add_tvl_row(void *context, const char *asset, const char *location,
		       const mpz_t amount)
{
	core_run *run = context;
	const lrt_product *product = lrt_book_product(run->book);
	mpz_t value;

	if (mpz_sgn(amount) == 0)
		return 0;
	mpz_init(value);
	book_value(value, run->book, lrt_product_asset_index(product, asset), amount);
	lines_add(&run->tvl, "%lld|%s|%s|%Zd|%Zd", (long long)run->epoch, asset, location,
		  amount, value);
	mpz_clear(value);
	return 0;
}

static int on_epoch(void *context, const lrt_epoch_report *r)
{
	core_run *run = context;
	size_t i;

	run->epoch = r->epoch;
	lines_add(&run->rates, "%lld|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd|%Zd",
		  (long long)r->epoch, r->total_assets, r->total_shares, r->rate,
		  r->deferred, r->rewards, r->slashed, r->revaluation, r->recognized,
		  r->fee_value, r->fee_shares, r->buffer, r->claimable);
	for (i = 0; i < r->reconciliation_count; i++) {
		const lrt_reconciliation *x = &r->reconciliation[i];

		lines_add(&run->reconciliation, "%lld|%s|%s|%s|%Zd|%Zd|%Zd",
			  (long long)r->epoch, x->id, x->asset, x->location, x->book,
			  x->observed, x->difference);
	}
	return lrt_book_each_position(run->book, add_tvl_row, run);
}

typedef struct {
	lrt_book *book;
	lines *out;
	const char *program;
	mpz_t assets, shares;
} final_rows;

static int add_holder(void *context, const char *name, const mpz_t shares)
{
	final_rows *f = context;
	mpz_t value;

	mpz_init(value);
	book_to_assets(value, f->book, shares, f->assets, f->shares);
	lines_add(f->out, "%s|%Zd|%Zd", name, shares, value);
	mpz_clear(value);
	return 0;
}

static int add_request(void *context, const lrt_request_view *q)
{
	final_rows *f = context;
	mpz_t value;

	mpz_init(value);
	book_to_assets(value, f->book, *q->shares, f->assets, f->shares);
	if (mpz_cmp(value, *q->cap) > 0)
		mpz_set(value, *q->cap);
	lines_add(f->out, "%s|%s|%Zd|%Zd|%Zd|%lld", q->request, q->holder, *q->shares,
		  *q->cap, value, (long long)q->epoch);
	mpz_clear(value);
	return 0;
}

static int add_points(void *context, const char *name, const mpz_t points)
{
	final_rows *f = context;

	lines_add(f->out, "%s|%s|%Zd", f->program, name, points);
	return 0;
}

static int add_program(void *context, const char *program)
{
	final_rows *f = context;

	f->program = program;
	return lrt_book_each_points(f->book, program, add_points, f);
}

/* ---- one scenario: the database against the core ------------------------------ */

static void check_exposure(PGconn *conn, const char *name, lrt_book *book)
{
	lrt_exposure x;
	lines operators = {0}, avs = {0}, concentration = {0};
	mpz_t total, share, best;
	const char *largest = NULL;
	size_t i, j;

	lrt_exposure_init(&x);
	mpz_inits(total, share, best, NULL);
	ck_assert_int_eq(lrt_book_exposure(&x, book), 0);
	for (i = 0; i < x.operator_count; i++)
		mpz_add(total, total, x.operators[i].value);
	for (i = 0; i < x.operator_count; i++) {
		const lrt_operator_exposure *op = &x.operators[i];

		if (mpz_sgn(op->value) > 0) {
			mpz_mul_ui(share, op->value, 10000);
			mpz_fdiv_q(share, share, total);
			lines_add(&operators, "%s|%Zd|%Zd", op->name, op->value, share);
		}
		if (largest == NULL || mpz_cmp(op->value, best) > 0) {
			largest = op->name;  /* in code-point order: the first of a tie */
			mpz_set(best, op->value);
		}
		for (j = 0; j < op->avs_count; j++)
			lines_add(&avs, "%s|%s|%Zd", op->name, op->avs[j].avs,
				  op->avs[j].slashable);
	}
	if (mpz_sgn(total) > 0) {
		mpz_mul_ui(share, best, 10000);
		mpz_fdiv_q(share, share, total);
		lines_add(&concentration, "%zu|%Zd|%Zd|%s|%Zd", x.operator_count, total,
			  x.hhi_bps, largest, share);
	} else {
		lines_add(&concentration, "0|0|0||0");
	}
	assert_rows(conn, name, "operators",
		    "SELECT concat_ws('|', operator, value, share_bps) FROM lrt_report.operators",
		    &operators);
	assert_rows(conn, name, "avs_exposure",
		    "SELECT concat_ws('|', operator, avs, slashable) FROM lrt_report.avs_exposure",
		    &avs);
	assert_rows(conn, name, "concentration",
		    "SELECT concat_ws('|', operators, total_value, hhi_bps,"
		    " coalesce(largest_operator, ''), largest_share_bps)"
		    "  FROM lrt_report.concentration", &concentration);
	mpz_clears(total, share, best, NULL);
	lrt_exposure_clear(&x);
}

START_TEST(test_scenarios_found)
{
	ck_assert_msg(scenario_count >= 23, "found %d scenarios under $LRT_DB_SCENARIOS",
		      scenario_count);
}
END_TEST

START_TEST(test_views_equal_the_core)
{
	const char *name = scenario_names[_i];
	const char *folder = getenv("LRT_DB_SCENARIOS");
	const char *migrate[] = {"migrate", NULL};
	const char *settle[] = {"settle", NULL};
	static lrt_test_process p;
	lrt_scenario *scenario = NULL;
	core_run run = {0};
	final_rows f = {0};
	lines holders = {0}, queue = {0}, points = {0};
	char path[1024];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	size_t length;
	char *text;
	PGconn *conn;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.jsonl", folder, name);
	text = lrt_test_read_file(path, &length);
	if (lrt_scenario_read(&scenario, path, text, length, NULL, NULL) != 0)
		return;  /* a malformed scenario: check_dbpath shows it kept aside */
	ck_assert_int_eq(lrt_book_new(&run.book, lrt_scenario_product(scenario)), 0);
	rc = lrt_scenario_run(scenario, run.book, on_epoch, &run);
	ck_assert_msg(rc == 0 || rc == LRT_EGUARD, "%s: the core says %d", name, rc);
	if (rc == LRT_EGUARD) {
		/* the state after the last settled epoch, without the stopped one's
		 * events: settled again, as lrt stress does */
		int64_t settled = lrt_book_settled_epoch(run.book);

		lrt_book_free(run.book);
		ck_assert_int_eq(lrt_book_new(&run.book, lrt_scenario_product(scenario)), 0);
		ck_assert_int_eq(lrt_scenario_run_through(scenario, run.book, settled, NULL,
							  NULL), 0);
	}

	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	lrt_test_run(&p, settle);
	ck_assert_msg(p.status == (rc == LRT_EGUARD ? 3 : 0), "settle %s: %d %s", name,
		      p.status, p.err);
	conn = lrt_test_connect();

	assert_rows(conn, name, "rates",
		    "SELECT concat_ws('|', epoch, total_assets, total_shares, rate, deferred,"
		    " rewards, slashed, revaluation, recognized, fee_value, fee_shares, buffer,"
		    " claimable) FROM lrt_report.rates", &run.rates);
	assert_rows(conn, name, "tvl",
		    "SELECT concat_ws('|', epoch, asset, location, amount, value)"
		    "  FROM lrt_report.tvl", &run.tvl);
	assert_rows(conn, name, "reconciliation",
		    "SELECT concat_ws('|', epoch, event_id, asset, location, book, observed,"
		    " difference) FROM lrt_report.reconciliation", &run.reconciliation);

	f.book = run.book;
	mpz_inits(f.assets, f.shares, NULL);
	lrt_book_total_assets(f.assets, run.book);
	lrt_book_total_shares(f.shares, run.book);
	f.out = &holders;
	ck_assert_int_eq(lrt_book_each_holder(run.book, true, add_holder, &f), 0);
	assert_rows(conn, name, "holders",
		    "SELECT concat_ws('|', holder, shares, value) FROM lrt_report.holders",
		    &holders);
	f.out = &queue;
	ck_assert_int_eq(lrt_book_each_queued(run.book, add_request, &f), 0);
	assert_rows(conn, name, "queue_requests",
		    "SELECT concat_ws('|', request_id, holder, shares, cap, value_now,"
		    " request_epoch) FROM lrt_report.queue_requests", &queue);
	f.out = &points;
	ck_assert_int_eq(lrt_book_each_program(run.book, add_program, &f), 0);
	assert_rows(conn, name, "points",
		    "SELECT concat_ws('|', program, holder, points) FROM lrt_report.points",
		    &points);
	check_exposure(conn, name, run.book);

	/* what the settler wrote epoch by epoch is what the journal says */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM (SELECT epoch, asset_ordinal, location, amount"
		"  FROM lrt.epoch_positions"
		"  EXCEPT ALL SELECT * FROM lrt.epoch_positions_from_journal((SELECT product_id FROM lrt.products))"
		"  UNION ALL (SELECT * FROM lrt.epoch_positions_from_journal((SELECT product_id FROM lrt.products))"
		"  EXCEPT ALL SELECT epoch, asset_ordinal, location, amount"
		"  FROM lrt.epoch_positions)) x"), "0");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM (SELECT epoch, asset_ordinal, price FROM lrt.epoch_prices"
		"  EXCEPT ALL SELECT * FROM lrt.epoch_prices_from_inbox((SELECT product_id FROM lrt.products))"
		"  UNION ALL (SELECT * FROM lrt.epoch_prices_from_inbox((SELECT product_id FROM lrt.products))"
		"  EXCEPT ALL SELECT epoch, asset_ordinal, price FROM lrt.epoch_prices)) x"), "0");
	PQfinish(conn);
	mpz_clears(f.assets, f.shares, NULL);
	lrt_book_free(run.book);
	lrt_scenario_free(scenario);
}
END_TEST

/* lrt verify holds the snapshots against the journal and the price events. */
START_TEST(test_verify_finds_a_tampered_snapshot)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");
	const char *migrate[] = {"migrate", NULL};
	const char *settle[] = {"settle", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	PGconn *conn;

	snprintf(path, sizeof(path), "%s/16-allocations-wad-slash.jsonl", folder);
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, verify);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "UPDATE lrt.epoch_positions SET amount = amount + 1"
		      " WHERE epoch = 1 AND location = 'kiln' AND asset_ordinal = 0");
	lrt_test_exec(conn, "DELETE FROM lrt.epoch_prices WHERE epoch = 2");
	lrt_test_run(&p, verify);
	ck_assert_msg(p.status == 4, "verify exited %d: %s %s", p.status, p.out, p.err);
	ck_assert_msg(strstr(p.out, "difference: snapshot: epoch 1: position (asset 0, kiln):"
				" stored 32999999999999999946, journal says 32999999999999999945\n")
		      != NULL
		      && strstr(p.out, "difference: snapshot: epoch 2: price of asset 1: stored none,"
				" the price events say 0.9\n") != NULL,
		      "verify says: %s", p.out);
	ck_assert_msg(strstr(p.out, ", 2 differences") != NULL, "verify says: %s", p.out);
	PQfinish(conn);
}
END_TEST

/* ---- yield on a known rate path ---------------------------------------------- */

/* 100 ETH deposited, then a reward each day: the 1, 7 and 30-epoch windows
 * and inception, against the formula computed here with GMP. */
START_TEST(test_yield_follows_the_formula)
{
	const char *migrate[] = {"migrate", NULL};
	const char *settle[] = {"settle", NULL};
	static lrt_test_process p;
	char folder[512], path[600], line[256];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	const char *windows[][2] = {{"1 epoch", "1"}, {"7 epochs", "7"},
				   {"30 epochs", "30"}, {"inception", "40"}};
	mpz_t from, to, numerator, denominator;
	PGconn *conn;
	int epoch;
	size_t i;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/yield.jsonl", folder);
	lrt_test_write_file(path, "{\"product\": {\"symbol\": \"yETH\", \"underlying\": \"ETH\","
			    " \"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}],"
			    " \"offset\": 6, \"epoch_seconds\": 43200}}\n"
			    "{\"id\": \"d\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"a\","
			    " \"asset\": \"ETH\", \"amount\": \"100000000000000000000\"}\n");
	for (epoch = 1; epoch <= 40; epoch++) {
		/* uneven rewards, so that every window has its own rate */
		snprintf(line, sizeof(line),
			 "{\"id\": \"r%d\", \"epoch\": %d, \"type\": \"reward\", \"source\": \"consensus\","
			 " \"location\": \"buffer\", \"asset\": \"ETH\", \"amount\": \"%d000000000000\"}\n",
			 epoch, epoch, 7000 + 37 * epoch * epoch);
		lrt_test_append_file(path, line);
	}
	lrt_test_run(&p, migrate);
	lrt_test_run(&p, create);
	lrt_test_run(&p, ingest);
	lrt_test_run(&p, settle);
	ck_assert_msg(p.status == 0, "settle: %s", p.err);
	conn = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt_report.yield"), "4");
	mpz_inits(from, to, numerator, denominator, NULL);
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		long span = strtol(windows[i][1], NULL, 10);
		char query[256];
		char *want;

		snprintf(query, sizeof(query), "SELECT rate FROM lrt_report.rates WHERE epoch = %ld",
			 40 - span);
		ck_assert_int_eq(mpz_set_str(from, lrt_test_value(conn, query), 10), 0);
		ck_assert_int_eq(mpz_set_str(to, lrt_test_value(conn,
			"SELECT rate FROM lrt_report.rates WHERE epoch = 40"), 10), 0);
		ck_assert_int_gt(mpz_cmp(to, from), 0);
		/* apr = (to - from) / from * 31536000 / (span * 43200), 12 decimals down */
		mpz_sub(numerator, to, from);
		mpz_mul_ui(numerator, numerator, 31536000);
		mpz_ui_pow_ui(denominator, 10, 12);
		mpz_mul(numerator, numerator, denominator);
		mpz_mul_ui(denominator, from, (unsigned long)span * 43200);
		mpz_fdiv_q(numerator, numerator, denominator);
		ck_assert_int_ne(gmp_asprintf(&want, "%s|%ld|%Zd|%Zd|%Zd", windows[i][0], span, from,
					      to, numerator), -1);
		snprintf(query, sizeof(query),
			 "SELECT concat_ws('|', \"window\", epochs, rate_from, rate_to,"
			 " (apr * 1000000000000)::numeric(40, 0)) FROM lrt_report.yield"
			 " WHERE \"window\" = '%s'", windows[i][0]);
		ck_assert_str_eq(lrt_test_value(conn, query), want);
		free(want);
		/* apy compounds: above apr for a positive yield, and (1 + apr * t / T) ^ (T / t)
		 * with t = span epochs, T = a year: checked to 9 decimals by the view itself */
		snprintf(query, sizeof(query),
			 "SELECT abs(apy - (power(rate_to::numeric / rate_from,"
			 " 31536000.0 / (epochs * 43200)) - 1)) < 1e-9 AND apy > apr"
			 "  FROM lrt_report.yield WHERE \"window\" = '%s'", windows[i][0]);
		ck_assert_str_eq(lrt_test_value(conn, query), "t");
	}
	mpz_clears(from, to, numerator, denominator, NULL);
	PQfinish(conn);
}
END_TEST

/* ---- roles ---------------------------------------------------------------------- */

/* Runs `sql` as `role` (SET ROLE in a transaction rolled back after) and
 * returns its SQLSTATE, "00000" when it succeeded. */
static const char *as_role(PGconn *conn, const char *role, const char *sql)
{
	static char state[6];
	char statement[512];
	PGresult *result;
	const char *code;

	lrt_test_exec(conn, "BEGIN");
	snprintf(statement, sizeof(statement), "SET LOCAL ROLE %s", role);
	lrt_test_exec(conn, statement);
	result = PQexec(conn, sql);
	code = PQresultErrorField(result, PG_DIAG_SQLSTATE);
	snprintf(state, sizeof(state), "%s", code == NULL ? "00000" : code);
	PQclear(result);
	lrt_test_exec(conn, "ROLLBACK");
	return state;
}

START_TEST(test_roles_have_least_privilege)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");
	const char *migrate[] = {"migrate", NULL};
	const char *settle[] = {"settle", NULL};
	const char *report[] = {"report", "holders", "--format", "csv", NULL};
	static lrt_test_process p;
	char path[1024];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	const char *denied[] = {
		"SELECT * FROM lrt.holders",
		"SELECT * FROM lrt.inbox",
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, type, event)"
		" VALUES (1, 'x', 0, 'deposit', '{}')",
		"UPDATE lrt.products SET settle_lag_seconds = 0",
		"DELETE FROM lrt.epochs",
		"UPDATE lrt.product_state SET fee_bps = 0",
		"INSERT INTO lrt.submissions (product, event) VALUES ('rstETH', '{}')",
	};
	PGconn *conn;
	size_t i;

	snprintf(path, sizeof(path), "%s/03-plain-first-deposit.jsonl", folder);
	lrt_test_run(&p, migrate);
	lrt_test_run(&p, create);
	lrt_test_run(&p, ingest);
	ck_assert_msg(p.status == 0, "ingest: %s", p.err);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "DO $$ BEGIN"
		      " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ann') THEN"
		      "  CREATE ROLE ann LOGIN IN ROLE lrt_reader;"
		      "  CREATE ROLE wes LOGIN IN ROLE lrt_writer;"
		      "  CREATE ROLE ada LOGIN IN ROLE lrt_admin;"
		      " END IF; END $$");

	/* the reader: the reporting views, nothing else */
	ck_assert_str_eq(as_role(conn, "ann", "SELECT * FROM lrt_report.holders"), "00000");
	ck_assert_str_eq(as_role(conn, "ann", "SELECT * FROM lrt_report.rates"), "00000");
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		ck_assert_msg(strcmp(as_role(conn, "ann", denied[i]), "42501") == 0,
			      "lrt_reader may: %s", denied[i]);
	/* the writer: submissions, nothing else */
	ck_assert_str_eq(as_role(conn, "wes", "INSERT INTO lrt.submissions (product, event)"
				 " VALUES ('rstETH', '{}')"), "00000");
	for (i = 0; i + 1 < sizeof(denied) / sizeof(denied[0]); i++)
		ck_assert_msg(strcmp(as_role(conn, "wes", denied[i]), "42501") == 0,
			      "lrt_writer may: %s", denied[i]);
	ck_assert_str_eq(as_role(conn, "wes", "SELECT * FROM lrt_report.holders"), "42501");

	/* through the command, as those logins */
	setenv("PGUSER", "wes", 1);
	lrt_test_run(&p, settle);
	ck_assert_msg(p.status == 1 && strstr(p.err, "permission denied") != NULL,
		      "lrt_writer settled: %d %s", p.status, p.err);
	setenv("PGUSER", "ann", 1);
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 1);
	/* the admin migrates and settles; the reader then reads the report */
	setenv("PGUSER", "ada", 1);
	lrt_test_run(&p, migrate);
	ck_assert_msg(p.status == 0, "lrt_admin migrate: %s", p.err);
	lrt_test_run(&p, settle);
	ck_assert_msg(p.status == 0, "lrt_admin settle: %s", p.err);
	setenv("PGUSER", "ann", 1);
	lrt_test_run(&p, report);
	ck_assert_msg(p.status == 0 && strstr(p.out, "bob") != NULL, "lrt_reader report: %s",
		      p.err);
	unsetenv("PGUSER");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) > 0 FROM lrt.epochs"), "t");
	PQfinish(conn);
}
END_TEST

Suite *reporting_suite(void)
{
	Suite *s = suite_create("reporting");
	TCase *tc = tcase_create("views");

	scenario_count = lrt_test_find_scenarios(scenario_names, SCENARIOS_MAX);
	tcase_add_checked_fixture(tc, lrt_test_fresh_database, NULL);
	tcase_set_timeout(tc, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(tc, test_scenarios_found);
	tcase_add_loop_test(tc, test_views_equal_the_core, 0, scenario_count);
	tcase_add_test(tc, test_verify_finds_a_tampered_snapshot);
	tcase_add_test(tc, test_yield_follows_the_formula);
	tcase_add_test(tc, test_roles_have_least_privilege);
	suite_add_tcase(s, tc);
	return s;
}
