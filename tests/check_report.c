/*
 * check_report.c - `lrt report` against a database holding three settled
 * products (a plain one, an erc4626 one with operators and AVSs, and one
 * whose holder is an address): every view's JSON equals its rows read with
 * SQL; filters and order; the table's whole units and alignment, CSV's
 * quoting and JSON's types on views of known values made by the test;
 * reading as lrt_reader; unknown names, filters a view cannot take, a
 * database with no reports.
 *
 * The views of lrt_report are whatever sql/ makes; the test's own views
 * (zz_*) are created after `lrt migrate`, which rebuilds the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "helpers.h"

/* A product whose only holder is an address, written in mixed case: the
 * database keeps it lower-cased (SPEC section 3). */
#define ADDRESS_MIXED "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"
#define ADDRESS_LOWER "0xabcdef0123456789abcdef0123456789abcdef01"
static const char address_scenario[] =
	"{\"product\": {\"symbol\": \"adrETH\", \"underlying\": \"ETH\", \"assets\": "
	"[{\"symbol\": \"ETH\", \"decimals\": 18}], \"model\": \"plain\"}}\n"
	"{\"id\": \"d1\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \""
	ADDRESS_MIXED "\", \"asset\": \"ETH\", \"amount\": \"1500000000000000000\"}\n"
	"{\"id\": \"d2\", \"epoch\": 1, \"type\": \"deposit\", \"holder\": \"zoe\", "
	"\"asset\": \"ETH\", \"amount\": \"1\"}\n";

/* Views of known values: every kind of column, a field needing quotes, an
 * amount with its whole units, NULLs; one without an order of its own and
 * one with. */
static const char test_views[] =
	"CREATE VIEW lrt_report.zz_amounts AS"
	" SELECT * FROM (VALUES"
	"  ('TST', 'one and a half', 1500000000000000000::numeric, 1.5::numeric, true, 7::bigint),"
	"  ('TST', 'a wei', 1, 0.000000000000000001, false, -12),"
	"  ('TST', E'line one\\nline two', 32000000000000000000, 32, NULL, NULL),"
	"  ('ABC', 'a, \"quoted\" note', 123456789012345678901234, 1234567.890123456789012345, true, 0),"
	"  ('ABC', '', NULL, NULL, false, 5)"
	" ) AS t(symbol, note, amount, amount_whole, flag, count);"
	"COMMENT ON VIEW lrt_report.zz_amounts IS 'A test row: an amount in base and whole units.';"
	"CREATE VIEW lrt_report.zz_ordered AS"
	" SELECT symbol, note, amount FROM lrt_report.zz_amounts"
	"  WHERE amount IS NOT NULL ORDER BY amount DESC;"
	"CREATE VIEW lrt_report.zz_inner_order AS"
	" SELECT symbol, note, row_number() OVER (ORDER BY amount DESC NULLS LAST) AS n,"
	"        'x ORDER BY y' AS words"
	"   FROM (SELECT * FROM lrt_report.zz_amounts ORDER BY amount) AS sorted;";

/* The checked fixture: a fresh database, migrated, three products settled,
 * the test views made. */
static void books(void)
{
	const char *migrate[] = {"migrate", NULL};
	const char *folder = getenv("LRT_DB_SCENARIOS");
	static lrt_test_process p;
	char path[1100], scratch[1024];
	PGconn *conn;

	ck_assert_ptr_nonnull(folder);
	lrt_test_fresh_database();
	lrt_test_run_ok(&p, migrate);
	snprintf(path, sizeof(path), "%s/03-plain-first-deposit.jsonl", folder);
	lrt_test_load_product(path, "eETH");
	snprintf(path, sizeof(path), "%s/21-exposure.jsonl", folder);
	lrt_test_load_product(path, "rstETH");
	lrt_test_scratch(scratch, sizeof(scratch));
	snprintf(path, sizeof(path), "%s/address.jsonl", scratch);
	lrt_test_write_file(path, address_scenario);
	lrt_test_load_product(path, "adrETH");
	conn = lrt_test_connect();
	lrt_test_exec(conn, test_views);
	PQfinish(conn);
}

/* ---- JSON against SQL -------------------------------------------------------------- */

/* A row of a result as `lrt report --format json` must print it. */
static json_t *row_object(const PGresult *res, int row)
{
	json_t *object = json_object();
	int i;

	for (i = 0; i < PQnfields(res); i++) {
		json_t *value;

		if (PQgetisnull(res, row, i))
			value = json_null();
		else if (PQftype(res, i) == 16)     /* BOOLOID */
			value = json_boolean(PQgetvalue(res, row, i)[0] == 't');
		else
			value = json_string(PQgetvalue(res, row, i));
		json_object_set_new(object, PQfname(res, i), value);
	}
	return object;
}

/* A JSON object as one line, keys sorted: what two rows compare by. */
static char *canonical(const json_t *object)
{
	char *text = json_dumps(object, JSON_COMPACT | JSON_SORT_KEYS);

	ck_assert_ptr_nonnull(text);
	return text;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The output of `lrt report NAME --format json [more]` parsed: an array. */
static json_t *report_json(const char *name, const char *more[])
{
	const char *args[16] = {"report", name, "--format", "json"};
	static lrt_test_process p;
	json_error_t error;
	json_t *rows;
	int n = 4;

	while (more != NULL && *more != NULL)
		args[n++] = *more++;
	args[n] = NULL;
	lrt_test_run_ok(&p, args);
	rows = json_loads(p.out, 0, &error);
	ck_assert_msg(json_is_array(rows), "lrt report %s: not a JSON array: %s: %.300s",
		      name, error.text, p.out);
	return rows;
}

static PGresult *select_rows(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQerrorMessage(conn));
	return res;
}

/* Rows as the same multiset: each side's canonical lines, sorted. */
static void assert_same_rows(const char *name, json_t *actual, const PGresult *res)
{
	size_t count = json_array_size(actual), i;
	char **want, **got;

	ck_assert_msg(count == (size_t)PQntuples(res), "%s: %zu rows printed, %d in "
		      "the view", name, count, PQntuples(res));
	want = calloc(count + 1, sizeof(*want));
	got = calloc(count + 1, sizeof(*got));
	ck_assert(want != NULL && got != NULL);
	for (i = 0; i < count; i++) {
		json_t *object = row_object(res, (int)i);

		want[i] = canonical(object);
		got[i] = canonical(json_array_get(actual, i));
		json_decref(object);
	}
	qsort(want, count, sizeof(*want), compare_strings);
	qsort(got, count, sizeof(*got), compare_strings);
	for (i = 0; i < count; i++)
		ck_assert_msg(strcmp(want[i], got[i]) == 0, "%s: the view has\n %.600s\n"
			      "lrt report printed\n %.600s", name, want[i], got[i]);
	for (i = 0; i < count; i++) {
		free(want[i]);
		free(got[i]);
	}
	free(want);
	free(got);
}

/* Every view of the schema, those of sql/ and the test's. */
START_TEST(test_every_view_as_json_equals_its_rows)
{
	PGconn *conn = lrt_test_connect();
	PGresult *views = select_rows(conn,
		"SELECT c.relname, quote_ident(c.relname) FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'lrt_report' AND c.relkind IN ('v', 'm')"
		" ORDER BY 1");
	int i, with_rows = 0;

	ck_assert_int_ge(PQntuples(views), 2);
	for (i = 0; i < PQntuples(views); i++) {
		char sql[256];
		json_t *printed = report_json(PQgetvalue(views, i, 0), NULL);
		PGresult *rows;

		snprintf(sql, sizeof(sql), "SELECT * FROM lrt_report.%s",
			 PQgetvalue(views, i, 1));
		rows = select_rows(conn, sql);
		assert_same_rows(PQgetvalue(views, i, 0), printed, rows);
		with_rows += PQntuples(rows) > 0;
		PQclear(rows);
		json_decref(printed);
	}
	ck_assert_int_ge(with_rows, 2);
	PQclear(views);
	PQfinish(conn);
}
END_TEST

/* The JSON of known values: strings for numbers, exact; booleans; null. */
START_TEST(test_json_types)
{
	json_t *rows = report_json("zz_amounts", NULL);
	json_t *row;

	ck_assert_int_eq(json_array_size(rows), 5);
	/* sorted by symbol, then note: ABC "" first */
	row = json_array_get(rows, 0);
	ck_assert_str_eq(json_string_value(json_object_get(row, "note")), "");
	ck_assert(json_is_null(json_object_get(row, "amount")));
	ck_assert(json_is_false(json_object_get(row, "flag")));
	ck_assert_str_eq(json_string_value(json_object_get(row, "count")), "5");
	row = json_array_get(rows, 1);
	ck_assert_str_eq(json_string_value(json_object_get(row, "amount")),
			 "123456789012345678901234");
	ck_assert_str_eq(json_string_value(json_object_get(row, "amount_whole")),
			 "1234567.890123456789012345");
	ck_assert(json_is_true(json_object_get(row, "flag")));
	row = json_array_get(rows, 2);
	ck_assert_str_eq(json_string_value(json_object_get(row, "note")), "a wei");
	ck_assert_str_eq(json_string_value(json_object_get(row, "amount_whole")),
			 "0.000000000000000001");
	ck_assert_str_eq(json_string_value(json_object_get(row, "count")), "-12");
	row = json_array_get(rows, 3);
	ck_assert_str_eq(json_string_value(json_object_get(row, "note")),
			 "line one\nline two");
	ck_assert(json_is_null(json_object_get(row, "flag")));
	/* keys in the view's order */
	ck_assert_str_eq(json_object_iter_key(json_object_iter(row)), "symbol");
	json_decref(rows);
}
END_TEST

/* ---- filters and order ------------------------------------------------------------- */

/* The rows of `sql` as the JSON `lrt report` prints, in order. */
static void assert_rows_in_order(const char *name, json_t *printed, PGconn *conn,
				 const char *sql)
{
	PGresult *res = select_rows(conn, sql);
	size_t i;

	ck_assert_msg(json_array_size(printed) == (size_t)PQntuples(res),
		      "%s: %zu rows printed, %d selected by %s", name,
		      json_array_size(printed), PQntuples(res), sql);
	for (i = 0; i < json_array_size(printed); i++) {
		json_t *want = row_object(res, (int)i);
		char *w = canonical(want), *g = canonical(json_array_get(printed, i));

		ck_assert_msg(strcmp(w, g) == 0, "%s row %zu:\n want %.500s\n got  %.500s",
			      name, i, w, g);
		free(w);
		free(g);
		json_decref(want);
	}
	PQclear(res);
}

START_TEST(test_rates_filters_and_order)
{
	const char *eeth[] = {"--product", "eETH", NULL};
	const char *epoch[] = {"--epoch", "1", NULL};
	const char *both[] = {"--epoch", "1", "--product", "rstETH", NULL};
	const char *none[] = {"--product", "NOPE", NULL};
	PGconn *conn = lrt_test_connect();
	json_t *rows;

	rows = report_json("rates", NULL);
	assert_rows_in_order("rates", rows, conn,
			     "SELECT * FROM lrt_report.rates ORDER BY symbol, epoch");
	ck_assert_int_ge(json_array_size(rows), 7);
	json_decref(rows);
	rows = report_json("rates", eeth);
	assert_rows_in_order("rates --product eETH", rows, conn,
			     "SELECT * FROM lrt_report.rates WHERE symbol = 'eETH' ORDER BY epoch");
	ck_assert_int_eq(json_array_size(rows), 5);   /* epochs 0..4 */
	json_decref(rows);
	rows = report_json("rates", epoch);
	assert_rows_in_order("rates --epoch 1", rows, conn,
			     "SELECT * FROM lrt_report.rates WHERE epoch = 1 ORDER BY symbol");
	ck_assert_int_eq(json_array_size(rows), 3);   /* one per product */
	json_decref(rows);
	rows = report_json("rates", both);
	ck_assert_int_eq(json_array_size(rows), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0),
							   "symbol")), "rstETH");
	json_decref(rows);
	rows = report_json("rates", none);
	ck_assert_int_eq(json_array_size(rows), 0);
	json_decref(rows);
	PQfinish(conn);
}
END_TEST

/* An address given in any case finds the holder stored in lower case. */
START_TEST(test_holder_filter)
{
	const char *mixed[] = {"--holder", ADDRESS_MIXED, NULL};
	const char *lower[] = {"--holder", ADDRESS_LOWER, "--product", "adrETH", NULL};
	const char *name[] = {"--holder", "alice", NULL};
	PGconn *conn = lrt_test_connect();
	json_t *rows;

	rows = report_json("holders", mixed);
	ck_assert_int_eq(json_array_size(rows), 1);
	assert_rows_in_order("holders --holder", rows, conn,
			     "SELECT * FROM lrt_report.holders WHERE holder = '" ADDRESS_LOWER "'");
	json_decref(rows);
	rows = report_json("holders", lower);
	ck_assert_int_eq(json_array_size(rows), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0),
							   "symbol")), "adrETH");
	json_decref(rows);
	/* a name that is not an address is compared as it is */
	rows = report_json("holders", name);
	assert_rows_in_order("holders --holder alice", rows, conn,
			     "SELECT * FROM lrt_report.holders WHERE holder = 'alice'"
			     " ORDER BY symbol");
	json_decref(rows);
	PQfinish(conn);
}
END_TEST

/* A view with an ORDER BY of its own keeps it; one whose ORDER BY is only
 * inside (a window, a subquery, a literal) is sorted by symbol, then its
 * other columns. */
START_TEST(test_own_order_kept)
{
	json_t *rows = report_json("zz_ordered", NULL);
	const char *amounts[] = {"123456789012345678901234", "32000000000000000000",
				 "1500000000000000000", "1"};
	const char *numbers[] = {"5", "1", "4", "2", "3"};
	size_t i;

	ck_assert_int_eq(json_array_size(rows), 4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, i),
								   "amount")), amounts[i]);
	json_decref(rows);
	rows = report_json("zz_inner_order", NULL);
	ck_assert_int_eq(json_array_size(rows), 5);
	for (i = 0; i < 5; i++)      /* ABC "", ABC "a, ...", TST "a wei", ... */
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, i),
								   "n")), numbers[i]);
	json_decref(rows);
}
END_TEST

/* ---- the table and CSV ------------------------------------------------------------- */

START_TEST(test_table_whole_units_aligned)
{
	const char *args[] = {"report", "zz_amounts", NULL};
	const char *table_arg[] = {"report", "zz_amounts", "--format", "table", NULL};
	static lrt_test_process p, q;
	/* amount shows amount_whole, aligned on the point, never rounded, and
	 * amount_whole is not repeated; text to the left, numbers to the right,
	 * NULL blank, booleans in words, the newline escaped */
	const char expected[] =
		"symbol  note                                      amount  flag   count\n"
		"------  --------------------  --------------------------  -----  -----\n"
		"ABC                                                       false      5\n"
		"ABC     a, \"quoted\" note      1234567.890123456789012345  true       0\n"
		"TST     a wei                       0.000000000000000001  false    -12\n"
		"TST     line one\\x0aline two       32\n"
		"TST     one and a half              1.5                   true       7\n"
		"(5 rows)\n";

	lrt_test_run_ok(&p, args);
	ck_assert_msg(strcmp(p.out, expected) == 0, "got:\n%s\nexpected:\n%s", p.out,
		      expected);
	lrt_test_run_ok(&q, table_arg);
	ck_assert_str_eq(q.out, p.out);
}
END_TEST

START_TEST(test_csv_quoting)
{
	const char *args[] = {"report", "zz_amounts", "--format", "csv", NULL};
	const char *filtered[] = {"report", "zz_amounts", "--format", "csv",
				  "--product", "none", NULL};
	static lrt_test_process p;
	const char expected[] =
		"symbol,note,amount,amount_whole,flag,count\r\n"
		"ABC,\"\",,,f,5\r\n"
		"ABC,\"a, \"\"quoted\"\" note\",123456789012345678901234,"
		"1234567.890123456789012345,t,0\r\n"
		"TST,a wei,1,0.000000000000000001,f,-12\r\n"
		"TST,\"line one\nline two\",32000000000000000000,32,,\r\n"
		"TST,one and a half,1500000000000000000,1.5,t,7\r\n";

	lrt_test_run_ok(&p, args);
	ck_assert_msg(strcmp(p.out, expected) == 0, "got:\n%s\nexpected:\n%s", p.out,
		      expected);
	/* no rows: the header alone */
	lrt_test_run_ok(&p, filtered);
	ck_assert_str_eq(p.out, "symbol,note,amount,amount_whole,flag,count\r\n");
}
END_TEST

/* The rates of a known path in whole units: 32 ETH, then a reward of 1%. */
START_TEST(test_rates_table)
{
	const char *args[] = {"report", "rates", "--product", "eETH", "--epoch", "1", NULL};
	static lrt_test_process p;

	lrt_test_run_ok(&p, args);
	ck_assert_msg(strstr(p.out, "32.32") != NULL && strstr(p.out, "1.01") != NULL
		      && strstr(p.out, "32320000000000000000") == NULL
		      && strstr(p.out, "rate_whole") == NULL
		      && strstr(p.out, "(1 row)\n") != NULL, "%s", p.out);
}
END_TEST

/* The reports are what lrt_reader may read: `lrt report` works as one,
 * catalog included. */
START_TEST(test_as_reader)
{
	char role[64], sql[256], conninfo[128];
	const char *args[] = {"report", "rates", "--format", "json", "--db", conninfo, NULL};
	const char *list[] = {"report", "--db", conninfo, NULL};
	static lrt_test_process p;
	PGconn *conn = lrt_test_connect();
	json_t *rows;
	json_error_t error;

	snprintf(role, sizeof(role), "report_reader_%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN;"
		 " GRANT lrt_reader TO %s", role, role);
	lrt_test_exec(conn, sql);
	snprintf(conninfo, sizeof(conninfo), "user=%s", role);
	lrt_test_run_ok(&p, list);
	ck_assert_ptr_nonnull(strstr(p.out, "rates  "));
	lrt_test_run_ok(&p, args);
	rows = json_loads(p.out, 0, &error);
	ck_assert_msg(rows != NULL, "%s", error.text);
	assert_rows_in_order("rates as lrt_reader", rows, conn,
			     "SELECT * FROM lrt_report.rates ORDER BY symbol, epoch");
	json_decref(rows);
	snprintf(sql, sizeof(sql), "DROP OWNED BY %s; DROP ROLE %s", role, role);
	lrt_test_exec(conn, sql);
	PQfinish(conn);
}
END_TEST

/* ---- the list, names and usage ----------------------------------------------------- */

START_TEST(test_list)
{
	const char *list[] = {"report", NULL};
	const char *json[] = {"report", "--format", "json", NULL};
	static lrt_test_process p;
	PGconn *conn = lrt_test_connect();
	json_t *printed;
	json_error_t error;
	char *listed;
	PGresult *res;
	int i;

	lrt_test_run_ok(&p, list);
	res = select_rows(conn,
		"SELECT c.relname AS report, coalesce(obj_description(c.oid, 'pg_class'), '')"
		"       AS description"
		"  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'lrt_report' AND c.relkind IN ('v', 'm')"
		" ORDER BY c.relname COLLATE \"C\"");
	/* one line per view: its name, then two blanks and its comment */
	listed = malloc(strlen(p.out) + 2);
	ck_assert_ptr_nonnull(listed);
	snprintf(listed, strlen(p.out) + 2, "\n%s", p.out);
	for (i = 0; i < PQntuples(res); i++) {
		char line[1024];
		const char *found;

		snprintf(line, sizeof(line), "\n%s", PQgetvalue(res, i, 0));
		found = strstr(listed, line);
		ck_assert_msg(found != NULL && (found[strlen(line)] == ' ' ||
						found[strlen(line)] == '\n'),
			      "%s not listed", PQgetvalue(res, i, 0));
	}
	free(listed);
	ck_assert_ptr_nonnull(strstr(p.out, "\nzz_ordered\n"));   /* no comment */
	ck_assert_ptr_nonnull(strstr(p.out, "zz_amounts  "));
	ck_assert_ptr_nonnull(strstr(p.out, "A test row: an amount in base and whole units.\n"));
	lrt_test_run_ok(&p, json);
	printed = json_loads(p.out, 0, &error);
	ck_assert_msg(printed != NULL, "%s: %.300s", error.text, p.out);
	assert_rows_in_order("the list", printed, conn,
			     "SELECT c.relname::text AS report,"
			     "       coalesce(obj_description(c.oid, 'pg_class'), '') AS description"
			     "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			     " WHERE n.nspname = 'lrt_report' AND c.relkind IN ('v', 'm')"
			     " ORDER BY c.relname COLLATE \"C\"");
	json_decref(printed);
	PQclear(res);
	PQfinish(conn);
}
END_TEST

START_TEST(test_unknown_name)
{
	const char *args[] = {"report", "rtaes", NULL};
	static lrt_test_process p;

	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, "");
	ck_assert_msg(strstr(p.err, "unknown report \"rtaes\"") != NULL
		      && strstr(p.err, "did you mean \"rates\"?") != NULL
		      && strstr(p.err, "zz_amounts") != NULL
		      && strstr(p.err, "holders") != NULL, "%s", p.err);
}
END_TEST

/* A filter on a column the view lacks names the views that have it. */
START_TEST(test_filter_without_column)
{
	const char *holder[] = {"report", "rates", "--holder", "alice", NULL};
	const char *epoch[] = {"report", "zz_amounts", "--epoch", "1", NULL};
	const char *bad_epoch[] = {"report", "rates", "--epoch", "-1", NULL};
	const char *huge_epoch[] = {"report", "rates", "--epoch", "99999999999999", NULL};
	const char *bad_format[] = {"report", "rates", "--format", "xml", NULL};
	const char *no_name[] = {"report", "--product", "eETH", NULL};
	static lrt_test_process p;

	lrt_test_run(&p, holder);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "report \"rates\" has no holder column") != NULL
		      && strstr(p.err, "holders") != NULL
		      && strstr(p.err, "zz_amounts") == NULL, "%s", p.err);
	lrt_test_run(&p, epoch);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "has no epoch column") != NULL
		      && strstr(p.err, "rates") != NULL, "%s", p.err);
	lrt_test_run(&p, bad_epoch);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run(&p, huge_epoch);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "not an epoch") != NULL, "%s", p.err);
	lrt_test_run(&p, bad_format);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run(&p, no_name);
	ck_assert_int_eq(p.status, 2);
}
END_TEST

/* Not migrated: no reports, a runtime failure that says what to run. */
START_TEST(test_no_reports)
{
	const char *args[] = {"report", NULL};
	static lrt_test_process p;

	lrt_test_fresh_database();
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "lrt migrate creates them") != NULL, "%s", p.err);
}
END_TEST

START_TEST(test_help)
{
	const char *args[] = {"help", "report", NULL};
	static lrt_test_process p;

	lrt_test_run_ok(&p, args);
	ck_assert_msg(strncmp(p.out, "Usage: lrt report", 17) == 0
		      && strstr(p.out, "Exit status:") != NULL
		      && strstr(p.out, "--format") != NULL, "%s", p.out);
}
END_TEST

Suite *report_suite(void)
{
	Suite *suite = suite_create("report");
	TCase *books_case = tcase_create("books");
	TCase *bare = tcase_create("bare");

	tcase_add_checked_fixture(books_case, books, NULL);
	tcase_set_timeout(books_case, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(books_case, test_every_view_as_json_equals_its_rows);
	tcase_add_test(books_case, test_json_types);
	tcase_add_test(books_case, test_rates_filters_and_order);
	tcase_add_test(books_case, test_holder_filter);
	tcase_add_test(books_case, test_own_order_kept);
	tcase_add_test(books_case, test_table_whole_units_aligned);
	tcase_add_test(books_case, test_csv_quoting);
	tcase_add_test(books_case, test_rates_table);
	tcase_add_test(books_case, test_as_reader);
	tcase_add_test(books_case, test_list);
	tcase_add_test(books_case, test_unknown_name);
	tcase_add_test(books_case, test_filter_without_column);
	suite_add_tcase(suite, books_case);
	tcase_set_timeout(bare, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(bare, test_no_reports);
	tcase_add_test(bare, test_help);
	suite_add_tcase(suite, bare);
	return suite;
}
