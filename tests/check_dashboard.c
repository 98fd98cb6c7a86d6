/*
 * check_dashboard.c - the plans of a dashboard's two queries through the
 * reporting views: a holder's position (lrt_report.holder_positions by
 * symbol and holder) and the last epochs of rates (lrt_report.rates by
 * symbol, newest first).  Every read of a holder-sized or history-sized
 * table must be an index lookup keyed by the product and, for a position,
 * by the holder too: a scan keyed by the holder alone reads every holder
 * of every product (the view once joined its union of holders to the
 * products after the fact).
 *
 * The tables here are tiny, so that the planner would scan them whatever
 * the view: sequential scans are turned off, and a plan that can only
 * scan, or can only look up by the holder alone, shows it.  `make bench`
 * (tests/bench/dashboard.sh) measures the same queries at a million
 * holders and prints their plans; no test here measures a time.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"

#define SCENARIO "22-realistic-v2-erc4626-eth"
#define SYMBOL "rstETH"
/* The longest plan read. */
#define PLAN_BYTES (1024 * 1024)

/*
 * The plan of `sql` (parameters $1, $2) as JSON, for the parameters'
 * values: a custom plan, as a BI tool's first runs get.
 */
static json_t *plan_of(PGconn *conn, const char *sql, int count, const char *const *params)
{
	char explain[1024];
	PGresult *result;
	json_error_t error;
	json_t *plan;

	snprintf(explain, sizeof(explain), "EXPLAIN (FORMAT JSON) %s", sql);
	result = PQexecParams(conn, explain, count, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(result) == PGRES_TUPLES_OK, "%s: %s", explain,
		      PQerrorMessage(conn));
	ck_assert_int_lt(PQgetlength(result, 0, 0), PLAN_BYTES);
	plan = json_loads(PQgetvalue(result, 0, 0), 0, &error);
	PQclear(result);
	ck_assert_msg(json_is_array(plan), "the plan of %s: %s", sql, error.text);
	return plan;
}

/*
 * Every node of `node` that reads `table`: an index lookup whose condition
 * names each of `keys` (NULL-terminated); returns how many read it.  The
 * whole plan goes into the message of a failure.
 */
static int assert_lookups(const json_t *node, const char *table, const char *const *keys,
			  const char *whole)
{
	const char *relation = json_string_value(json_object_get(node, "Relation Name"));
	const char *type = json_string_value(json_object_get(node, "Node Type"));
	const json_t *children = json_object_get(node, "Plans");
	int found = 0;
	size_t i;

	if (relation != NULL && strcmp(relation, table) == 0) {
		bool bitmap = strcmp(type, "Bitmap Heap Scan") == 0;
		const char *condition = json_string_value(json_object_get(node,
			bitmap ? "Recheck Cond" : "Index Cond"));

		ck_assert_msg(condition != NULL && (bitmap || strcmp(type, "Index Scan") == 0 ||
						    strcmp(type, "Index Only Scan") == 0),
			      "lrt.%s is read by a %s, not an index lookup:\n%.3000s", table,
			      type, whole);
		for (i = 0; keys[i] != NULL; i++)
			ck_assert_msg(strstr(condition, keys[i]) != NULL,
				      "lrt.%s is looked up by %s, without %s:\n%.3000s", table,
				      condition, keys[i], whole);
		found++;
	}
	for (i = 0; i < json_array_size(children); i++)
		found += assert_lookups(json_array_get(children, i), table, keys, whole);
	return found;
}

static void settle_scenario(void)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");
	char path[1024];
	const char *migrate[] = { "migrate", NULL };
	const char *create[] = { "product", "create", path, NULL };
	const char *ingest[] = { "ingest", path, NULL };
	const char *settle[] = { "settle", NULL };
	const char *const *steps[] = { migrate, create, ingest, settle };
	static lrt_test_process p;
	size_t i;

	snprintf(path, sizeof(path), "%s/" SCENARIO ".jsonl", folder);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		lrt_test_run(&p, steps[i]);
		ck_assert_msg(p.status == 0, "lrt %s: %s", steps[i][0], p.err);
	}
}

START_TEST(test_position_is_two_lookups_by_product_and_holder)
{
	/* holders has one index, (product_id, holder); withdrawal_requests has
	 * several, each led by product_id, and which one a tiny table gets is
	 * the planner's choice */
	static const char *const keys[] = { "product_id", "holder", NULL };
	static const char *const request_keys[] = { "product_id", NULL };
	const char *sql = "SELECT * FROM lrt_report.holder_positions"
			  " WHERE symbol = $1 AND holder = $2";
	char holder[256];
	const char *params[2] = { SYMBOL, holder };
	PGconn *conn;
	json_t *plan;
	char *whole;

	settle_scenario();
	conn = lrt_test_connect();
	/* a holder with shares and a request, so that both sides count */
	snprintf(holder, sizeof(holder), "%s", lrt_test_value(conn,
		 "SELECT min(w.holder) FROM lrt.withdrawal_requests w"
		 "  JOIN lrt.holders h USING (product_id, holder) WHERE h.shares > 0"));
	ck_assert_str_ne(holder, "");
	lrt_test_exec(conn, "SET enable_seqscan = off");
	plan = plan_of(conn, sql, 2, params);
	whole = json_dumps(plan, JSON_INDENT(1));
	ck_assert_ptr_nonnull(whole);
	/* the union's side and the row's own: two reads of each */
	ck_assert_int_eq(assert_lookups(json_object_get(json_array_get(plan, 0), "Plan"),
					"holders", keys, whole), 2);
	ck_assert_int_eq(assert_lookups(json_object_get(json_array_get(plan, 0), "Plan"),
					"withdrawal_requests", request_keys, whole), 2);
	free(whole);
	json_decref(plan);

	/* and it is the holder's row, the one the view gives unfiltered */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM lrt_report.holder_positions"
		" WHERE symbol = '" SYMBOL "' AND holder = (SELECT min(w.holder)"
		"  FROM lrt.withdrawal_requests w JOIN lrt.holders h USING (product_id, holder)"
		" WHERE h.shares > 0)"), "1");
	PQfinish(conn);
}
END_TEST

START_TEST(test_rates_read_the_product_epochs_by_key)
{
	static const char *const keys[] = { "product_id", NULL };
	static const char *const rejected_keys[] = { "product_id", "epoch", NULL };
	const char *sql = "SELECT * FROM lrt_report.rates WHERE symbol = $1"
			  " ORDER BY epoch DESC LIMIT 30";
	const char *params[1] = { SYMBOL };
	PGconn *conn;
	json_t *plan;
	char *whole;

	settle_scenario();
	conn = lrt_test_connect();
	lrt_test_exec(conn, "SET enable_seqscan = off");
	plan = plan_of(conn, sql, 1, params);
	whole = json_dumps(plan, JSON_INDENT(1));
	ck_assert_ptr_nonnull(whole);
	ck_assert_int_eq(assert_lookups(json_object_get(json_array_get(plan, 0), "Plan"),
					"epochs", keys, whole), 1);
	ck_assert_int_eq(assert_lookups(json_object_get(json_array_get(plan, 0), "Plan"),
					"rejected_events", rejected_keys, whole), 1);
	free(whole);
	json_decref(plan);
	PQfinish(conn);
}
END_TEST

Suite *dashboard_suite(void)
{
	Suite *s = suite_create("dashboard");
	TCase *tc = tcase_create("plans");

	tcase_add_checked_fixture(tc, lrt_test_fresh_database, NULL);
	tcase_set_timeout(tc, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(tc, test_position_is_two_lookups_by_product_and_holder);
	tcase_add_test(tc, test_rates_read_the_product_epochs_by_key);
	suite_add_tcase(s, tc);
	return s;
}
