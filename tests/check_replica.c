/*
 * check_replica.c - reporting scales out the way PostgreSQL does: a
 * streaming-replication hot standby of the test cluster serves the same
 * figures as the primary, through the lrt_report views and through
 * `lrt report --db` pointed at it, follows the primary as it settles more
 * epochs, and refuses to settle itself.
 *
 * The standby (tests/cluster.h, lrt_test_cluster_start_standby) is
 * started by an unchecked fixture, in the process that runs the suites,
 * before the test's database exists, so that every figure it shows came
 * over the stream, not in its base backup.  The fixture's teardown stops it
 * and removes its folder whatever became of the test: passed, failed (Check
 * ends a failed test's process with _exit, so no exit handler of the
 * test's own would run), timed out or crashed.  Were the suites' process
 * itself killed, the standby gets its parent-death signal, and its folder,
 * inside the cluster's, goes with the cluster.
 *
 * The scenario is the realistic one with every kind of event, cut in two
 * at an epoch: the first part is settled before the first comparison, the
 * second after it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cluster.h"
#include "helpers.h"

#define SCENARIO "22-realistic-v2-erc4626-eth"
#define SYMBOL "rstETH"
/* The last epoch of the first part; the scenario's epochs are 0..89. */
#define FIRST_PART_LAST_EPOCH 44
#define ALL_EPOCHS 90
/* The standby's socket is .s.PGSQL.5433 in its own folder. */
#define STANDBY_PORT "5433"
/* How long the standby may take to replay what the primary wrote. */
#define REPLAY_SECONDS 30
/* The reports read through `lrt report --db` from both servers. */
static const char *const compared_reports[] = {
	"rates", "holders", "holder_positions", "tvl", "operators", "reconciliation"
};
#define COMPARED_REPORTS (sizeof(compared_reports) / sizeof(compared_reports[0]))
/* Most views lrt_report may hold. */
#define VIEWS_MAX 128

/* The standby: started and stopped in the suites' process, read by the
 * test's process (a copy made by Check's fork). */
static lrt_test_cluster standby;

/* The unchecked fixture's setup: a failed start leaves nothing running. */
static void start_standby(void)
{
	const char *primary = getenv("LRT_TEST_CLUSTER_DIR");

	ck_assert_ptr_nonnull(primary);
	if (lrt_test_cluster_start_standby(&standby, primary, getenv("PGPORT"),
					   STANDBY_PORT) != 0) {
		lrt_test_cluster_stop(&standby);
		ck_abort_msg("the standby did not start (why is above)");
	}
}

/* Its teardown: no assertion here (Check runs it outside any test); what
 * cannot be stopped or removed, lrt_test_cluster_stop says. */
static void stop_standby(void)
{
	lrt_test_cluster_stop(&standby);
}

static PGconn *connect_to(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s: %s", conninfo,
		      PQerrorMessage(conn));
	return conn;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Waits until the standby has replayed all the primary has committed.  The
 * test cluster commits asynchronously (synchronous_commit=off): an `lrt`
 * commit may still sit in the WAL buffers, past pg_current_wal_lsn() and
 * out of the standby's reach.  A synchronous commit of a row of the test's
 * own in public.replay_mark (a transaction that writes nothing commits
 * asynchronously all the same) flushes all that came before it; the
 * primary's WAL position is taken after it.
 */
static void wait_for_replay(PGconn *primary, PGconn *replica)
{
	char lsn[64];
	const char *params[1] = { lsn };
	double deadline = now_seconds() + REPLAY_SECONDS;
	const struct timespec pause = { 0, 10 * 1000000L };

	lrt_test_exec(primary, "SET synchronous_commit = on");
	lrt_test_exec(primary, "INSERT INTO public.replay_mark VALUES (clock_timestamp())");
	snprintf(lsn, sizeof(lsn), "%s", lrt_test_value(primary,
		 "SELECT pg_current_wal_lsn()"));
	for (;;) {
		PGresult *result = PQexecParams(replica,
			"SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn, pg_last_wal_replay_lsn()",
			1, NULL, params, NULL, NULL, 0);
		bool caught_up;
		char replayed[64];

		ck_assert_msg(PQresultStatus(result) == PGRES_TUPLES_OK, "replay: %s",
			      PQerrorMessage(replica));
		caught_up = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
		snprintf(replayed, sizeof(replayed), "%s", PQgetvalue(result, 0, 1));
		PQclear(result);
		if (caught_up)
			return;
		ck_assert_msg(now_seconds() < deadline, "the standby replayed up to %s in "
			      "%d s, not to the primary's %s", replayed, REPLAY_SECONDS, lsn);
		nanosleep(&pause, NULL);
	}
}

/* ---- the views ------------------------------------------------------------- */

typedef struct {
	char name[64];
	char rows[32];
	char digest[40];   /* md5 of the rows as text, sorted */
} view_rows;

/* Every view of lrt_report, in name order, its rows counted and digested. */
static size_t read_views(view_rows *out, PGconn *conn)
{
	PGresult *names = PQexec(conn,
		"SELECT c.relname FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'lrt_report' AND c.relkind IN ('v', 'm')"
		" ORDER BY c.relname COLLATE \"C\"");
	size_t count, i;

	ck_assert_msg(PQresultStatus(names) == PGRES_TUPLES_OK, "the views: %s",
		      PQerrorMessage(conn));
	count = (size_t)PQntuples(names);
	ck_assert_uint_le(count, VIEWS_MAX);
	for (i = 0; i < count; i++) {
		const char *name = PQgetvalue(names, (int)i, 0);
		char *quoted = PQescapeIdentifier(conn, name, strlen(name));
		char sql[512];

		ck_assert_ptr_nonnull(quoted);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n'"
			 " ORDER BY t::text COLLATE \"C\")), '-') FROM lrt_report.%s t", quoted);
		PQfreemem(quoted);
		snprintf(out[i].name, sizeof(out[i].name), "%s", name);
		ck_assert_int_eq(sscanf(lrt_test_value(conn, sql), "%31s %39s", out[i].rows,
					out[i].digest), 2);
	}
	PQclear(names);
	return count;
}

/* Every view's rows on the standby equal the primary's; returns how many
 * views there are. */
static size_t assert_views_equal(PGconn *primary, PGconn *replica)
{
	static view_rows on_primary[VIEWS_MAX], on_replica[VIEWS_MAX];
	size_t count = read_views(on_primary, primary), i;

	ck_assert_uint_eq(read_views(on_replica, replica), count);
	for (i = 0; i < count; i++) {
		ck_assert_str_eq(on_replica[i].name, on_primary[i].name);
		ck_assert_msg(strcmp(on_replica[i].rows, on_primary[i].rows) == 0 &&
			      strcmp(on_replica[i].digest, on_primary[i].digest) == 0,
			      "lrt_report.%s: the primary has %s rows (md5 %s), the standby "
			      "%s (md5 %s)", on_primary[i].name, on_primary[i].rows,
			      on_primary[i].digest, on_replica[i].rows, on_replica[i].digest);
	}
	return count;
}

/* ---- lrt report --db ---------------------------------------------------------- */

/* `lrt report NAME --format json --db CONNINFO`, which must succeed. */
static const char *report_json(const char *name, const char *conninfo)
{
	const char *args[] = { "report", name, "--format", "json", "--db", conninfo, NULL };
	static lrt_test_process p;

	lrt_test_run(&p, args);
	ck_assert_msg(p.status == 0, "lrt report %s --db '%s' exited %d: %s", name, conninfo,
		      p.status, p.err);
	return p.out;
}

/* Each compared report prints the same on both servers; returns the rates'
 * rows, one per epoch (the caller frees them). */
static json_t *assert_reports_equal(const char *primary, const char *replica,
				    size_t epochs)
{
	const char *rates = NULL;
	json_error_t error;
	json_t *rows;
	size_t i;

	for (i = 0; i < COMPARED_REPORTS; i++) {
		const char *want = report_json(compared_reports[i], primary);
		const char *got = report_json(compared_reports[i], replica);

		ck_assert_msg(strcmp(got, want) == 0, "lrt report %s: the standby prints\n"
			      "%.1500s\n--- the primary:\n%.1500s", compared_reports[i], got, want);
		if (i == 0)
			rates = want;
	}
	rows = json_loads(rates, 0, &error);
	ck_assert_msg(json_is_array(rows), "lrt report rates: %s", error.text);
	ck_assert_uint_eq(json_array_size(rows), epochs);
	return rows;
}

/* ---- the scenario in two parts ---------------------------------------------- */

/* The scenario's product line and events of epochs up to `last` into
 * `first`, its later events into `second`. */
static void split_scenario(const char *first, const char *second, int64_t last)
{
	char path[1024];
	const char *text;
	FILE *out[2];

	snprintf(path, sizeof(path), "%s/" SCENARIO ".jsonl", getenv("LRT_DB_SCENARIOS"));
	text = lrt_test_read_file(path, NULL);
	out[0] = fopen(first, "w");
	out[1] = fopen(second, "w");
	ck_assert_msg(out[0] != NULL && out[1] != NULL, "cannot write %s and %s", first,
		      second);
	while (*text != '\0') {
		const char *end = strchr(text, '\n');
		size_t length = end != NULL ? (size_t)(end - text) + 1 : strlen(text);
		json_t *line = json_loadb(text, length, 0, NULL);
		json_t *epoch = json_object_get(line, "epoch");
		int later = json_is_integer(epoch) && json_integer_value(epoch) > last;

		ck_assert_uint_eq(fwrite(text, 1, length, out[later]), length);
		json_decref(line);
		text += length;
	}
	ck_assert_int_eq(fclose(out[0]), 0);
	ck_assert_int_eq(fclose(out[1]), 0);
}

static void run_ok(const char *const args[])
{
	static lrt_test_process p;

	lrt_test_run(&p, args);
	ck_assert_msg(p.status == 0, "lrt %s exited %d: %s", args[0], p.status, p.err);
}

/* ---- the test -------------------------------------------------------------------- */

START_TEST(test_standby_reports_the_primary_figures)
{
	char folder[512], first[600], second[600];
	char replica_info[PATH_MAX + 256], primary_info[PATH_MAX + 256];
	const char *migrate[] = { "migrate", NULL };
	const char *create[] = { "product", "create", first, NULL };
	const char *ingest_first[] = { "ingest", first, NULL };
	const char *ingest_second[] = { "ingest", "--product", SYMBOL, second, NULL };
	const char *settle[] = { "settle", NULL };
	const char *settle_replica[] = { "settle", "--db", replica_info, NULL };
	static lrt_test_process p;
	json_t *rates_before, *rates_after;
	PGconn *primary, *replica;
	char epochs[32];
	size_t views, i;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(first, sizeof(first), "%s/first.jsonl", folder);
	snprintf(second, sizeof(second), "%s/second.jsonl", folder);
	split_scenario(first, second, FIRST_PART_LAST_EPOCH);
	snprintf(primary_info, sizeof(primary_info), "host=%s port=%s dbname=%s user=%s",
		 getenv("PGHOST"), getenv("PGPORT"), lrt_test_database(),
		 LRT_TEST_CLUSTER_SUPERUSER);

	/* the standby started before this database existed: every figure it
	 * shows comes over the stream, the database itself first */
	ck_assert_int_gt(standby.postmaster, 0);
	snprintf(replica_info, sizeof(replica_info), "host=%s port=%s dbname=postgres user=%s",
		 standby.folder, STANDBY_PORT, LRT_TEST_CLUSTER_SUPERUSER);
	primary = lrt_test_connect();
	lrt_test_exec(primary, "CREATE TABLE public.replay_mark (at timestamptz)");
	replica = connect_to(replica_info);
	ck_assert_str_eq(lrt_test_value(replica, "SELECT pg_is_in_recovery()"), "t");
	wait_for_replay(primary, replica);
	PQfinish(replica);
	snprintf(replica_info, sizeof(replica_info), "host=%s port=%s dbname=%s user=%s",
		 standby.folder, STANDBY_PORT, lrt_test_database(),
		 LRT_TEST_CLUSTER_SUPERUSER);
	replica = connect_to(replica_info);
	ck_assert_str_eq(lrt_test_value(primary,
		"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"), "1");

	/* the first part, settled on the primary, read on both */
	run_ok(migrate);
	run_ok(create);
	run_ok(ingest_first);
	run_ok(settle);
	wait_for_replay(primary, replica);
	snprintf(epochs, sizeof(epochs), "%d", FIRST_PART_LAST_EPOCH + 1);
	ck_assert_str_eq(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.rates"),
			 epochs);
	views = assert_views_equal(primary, replica);
	ck_assert_uint_ge(views, 20);
	ck_assert_str_ne(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.holders"), "0");
	ck_assert_str_ne(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.operators"), "0");
	ck_assert_str_ne(lrt_test_value(replica,
		"SELECT count(*) FROM lrt_report.reconciliation"), "0");
	rates_before = assert_reports_equal(primary_info, replica_info,
					    FIRST_PART_LAST_EPOCH + 1);

	/* the second part's events reach the standby; it will not settle them */
	run_ok(ingest_second);
	wait_for_replay(primary, replica);
	ck_assert_str_ne(lrt_test_value(primary, "SELECT count(*) FROM lrt_report.events"
					" WHERE status = 'pending'"), "0");
	ck_assert_str_eq(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.events"
					" WHERE status = 'pending'"),
			 lrt_test_value(primary, "SELECT count(*) FROM lrt_report.events"
					" WHERE status = 'pending'"));
	lrt_test_run(&p, settle_replica);
	ck_assert_msg(p.status == 1 && strstr(p.err, "read-only") != NULL,
		      "lrt settle on the standby exited %d: %s", p.status, p.err);
	ck_assert_str_eq(lrt_test_sqlstate(replica,
		"UPDATE lrt.product_state SET fee_bps = 0"), "25006");
	ck_assert_str_eq(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.rates"),
			 epochs);

	/* settled on the primary, the new epochs show on the standby */
	run_ok(settle);
	wait_for_replay(primary, replica);
	snprintf(epochs, sizeof(epochs), "%d", ALL_EPOCHS);
	ck_assert_str_eq(lrt_test_value(replica, "SELECT count(*) FROM lrt_report.rates"),
			 epochs);
	ck_assert_uint_eq(assert_views_equal(primary, replica), views);
	rates_after = assert_reports_equal(primary_info, replica_info, ALL_EPOCHS);
	/* the epochs read before are unchanged, the later ones new */
	for (i = 0; i < json_array_size(rates_before); i++)
		ck_assert_msg(json_equal(json_array_get(rates_after, i),
					 json_array_get(rates_before, i)),
			      "lrt report rates: row %zu changed", i);
	json_decref(rates_after);
	json_decref(rates_before);

	PQfinish(replica);
	PQfinish(primary);
}
END_TEST

Suite *replica_suite(void)
{
	Suite *s = suite_create("replica");
	TCase *tc = tcase_create("standby");

	tcase_add_unchecked_fixture(tc, start_standby, stop_standby);
	tcase_add_checked_fixture(tc, lrt_test_fresh_database, NULL);
	tcase_set_timeout(tc, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(tc, test_standby_reports_the_primary_figures);
	suite_add_tcase(s, tc);
	return s;
}
