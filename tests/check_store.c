/*
 * check_store.c - the store's connection and its checked query wrappers
 * (src/store/store.c, query.c), against the test cluster; and the helpers
 * that restore stored state into a book (load.c), on results made by hand
 * (libpq's PQmakeEmptyPGresult), so that text the schema never stores can
 * be given to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"
#include "helpers.h"
#include "lrt/error.h"
#include "store/store_internal.h"

/* ---- restoring stored state ------------------------------------------------ */

/* A result of one row of text columns `names` holding `values` (NULL for
 * SQL NULL), as a query would return it. */
static PGresult *made_row(const char *const *names, const char *const *values, int count)
{
	PGresAttDesc columns[8];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int i;

	ck_assert_ptr_nonnull(res);
	ck_assert_int_le(count, 8);
	memset(columns, 0, sizeof(columns));
	for (i = 0; i < count; i++) {
		columns[i].name = (char *)names[i];
		columns[i].typid = 25;  /* text */
		columns[i].typlen = -1;
		columns[i].atttypmod = -1;
	}
	ck_assert_int_eq(PQsetResultAttrs(res, count, columns), 1);
	for (i = 0; i < count; i++)
		ck_assert_int_eq(PQsetvalue(res, 0, i, (char *)values[i],
					    values[i] ? (int)strlen(values[i]) : -1), 1);
	return res;
}

static const char *const totals_columns[] = {
	"settled_epoch", "total_assets", "total_shares", "deferred",
};

/* The totals are restored from their text, and text the schema never
 * stores is refused naming the column, not read as 0 or as a prefix. */
START_TEST(test_restore_totals_checks_the_text)
{
	static const struct {
		const char *values[4];
		const char *message;
	} bad[] = {
		{ { "7", "12x", "900", "0" }, "the stored total_assets \"12x\" is not an integer" },
		{ { "7", "1000", " 900", "0" }, "the stored total_shares \" 900\" is not an integer" },
		{ { "7", "1000", "900", "" }, "the stored deferred \"\" is not an integer" },
		{ { NULL, "1000", "900", "0" }, "the stored settled_epoch is NULL" },
		{ { "7e2", "1000", "900", "0" },
		  "the stored settled_epoch \"7e2\" is not a 64-bit integer" },
	};
	const char *good[4] = { "7", "1000", "900", "5" };
	lrt_product product;
	lrt_book *book = NULL;
	PGresult *res;
	mpz_t assets;
	size_t i;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(lrt_book_new(&book, &product), 0);
		res = made_row(totals_columns, bad[i].values, 4);
		ck_assert_int_eq(lrt_store_restore_totals(book, res, 0), LRT_EDB);
		ck_assert_str_eq(lrt_error_last(), bad[i].message);
		PQclear(res);
		lrt_book_free(book);
	}
	ck_assert_int_eq(lrt_book_new(&book, &product), 0);
	res = made_row(totals_columns, good, 4);
	ck_assert_int_eq(lrt_store_restore_totals(book, res, 0), 0);
	ck_assert_int_eq(lrt_book_settled_epoch(book), 7);
	mpz_init(assets);
	lrt_book_total_assets(assets, book);
	ck_assert_int_eq(mpz_cmp_ui(assets, 1000), 0);
	mpz_clear(assets);
	PQclear(res);
	lrt_book_free(book);
	lrt_product_clear(&product);
}
END_TEST

static const char *const request_columns[] = {
	"request_id", "holder", "shares", "cap", "request_epoch", "status",
	"payout", "finalized_epoch",
};

/* One reader of a stored request for settlement and export: a queued one
 * (no payout, no finalized epoch), a finalized one, and a status or number
 * the schema never stores. */
START_TEST(test_request_read_checks_the_text)
{
	const char *queued[8] = { "0xa:1", "alice", "40", "41", "3", "queued", NULL, NULL };
	const char *finalized[8] = { "0xb:2", "bob", "7", "8", "2", "finalized", "6", "9" };
	const char *lost[8] = { "0xc:3", "carol", "7", "8", "2", "lost", NULL, NULL };
	const char *shares[8] = { "0xd:4", "dave", "-", "8", "2", "queued", NULL, NULL };
	lrt_store_request request;
	PGresult *res;

	lrt_store_request_init(&request);
	res = made_row(request_columns, queued, 8);
	ck_assert_int_eq(lrt_store_request_read(&request, res, 0), 0);
	ck_assert_str_eq(request.view.request, "0xa:1");
	ck_assert_str_eq(request.view.holder, "alice");
	ck_assert_int_eq(mpz_cmp_ui(*request.view.shares, 40), 0);
	ck_assert_int_eq(mpz_cmp_ui(*request.view.cap, 41), 0);
	ck_assert_int_eq(request.view.epoch, 3);
	ck_assert_int_eq(request.view.state, LRT_REQUEST_QUEUED);
	ck_assert_int_eq(mpz_sgn(*request.view.payout), 0);
	ck_assert_int_eq(request.view.finalized_epoch, -1);
	PQclear(res);

	res = made_row(request_columns, finalized, 8);
	ck_assert_int_eq(lrt_store_request_read(&request, res, 0), 0);
	ck_assert_int_eq(request.view.state, LRT_REQUEST_FINALIZED);
	ck_assert_int_eq(mpz_cmp_ui(*request.view.payout, 6), 0);
	ck_assert_int_eq(request.view.finalized_epoch, 9);
	PQclear(res);

	res = made_row(request_columns, lost, 8);
	ck_assert_int_eq(lrt_store_request_read(&request, res, 0), LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "request 0xc:3: the stored status \"lost\" is "
			 "none of queued, finalized, claimed, cancelled");
	PQclear(res);

	res = made_row(request_columns, shares, 8);
	ck_assert_int_eq(lrt_store_request_read(&request, res, 0), LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "the stored shares \"-\" is not an integer");
	PQclear(res);
	lrt_store_request_clear(&request);
}
END_TEST

/* ---- connecting --------------------------------------------------------- */

START_TEST(test_connect_follows_libpq_environment)
{
	lrt_store *store = NULL;
	char expected[600];

	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	snprintf(expected, sizeof(expected),
		 "socket %s port 5432 database %s user postgres",
		 getenv("PGHOST"), lrt_test_database());
	ck_assert_str_eq(lrt_store_describe(store), expected);
	lrt_store_close(store);

	ck_assert_int_eq(lrt_store_connect(&store, ""), 0);
	ck_assert_str_eq(lrt_store_describe(store), expected);
	lrt_store_close(store);
	lrt_store_close(NULL);
}
END_TEST

START_TEST(test_connect_with_conninfo_and_uri)
{
	lrt_store *store = NULL;
	char conninfo[600], expected[600];

	snprintf(conninfo, sizeof(conninfo), "dbname=postgres host=%s",
		 getenv("PGHOST"));
	ck_assert_int_eq(lrt_store_connect(&store, conninfo), 0);
	snprintf(expected, sizeof(expected),
		 "socket %s port 5432 database postgres user postgres",
		 getenv("PGHOST"));
	ck_assert_str_eq(lrt_store_describe(store), expected);
	ck_assert_str_eq(PQparameterStatus(lrt_store_conn(store),
					   "client_encoding"), "UTF8");
	ck_assert_str_eq(PQparameterStatus(lrt_store_conn(store),
					   "application_name"), "lrt");
	lrt_store_close(store);

	snprintf(conninfo, sizeof(conninfo), "postgresql:///%s",
		 lrt_test_database());
	ck_assert_int_eq(lrt_store_connect(&store, conninfo), 0);
	snprintf(expected, sizeof(expected),
		 "socket %s port 5432 database %s user postgres",
		 getenv("PGHOST"), lrt_test_database());
	ck_assert_str_eq(lrt_store_describe(store), expected);
	lrt_store_close(store);
}
END_TEST

START_TEST(test_connect_failure_names_the_server)
{
	lrt_store *store = (lrt_store *)&store;
	char conninfo[600], expected[1200];

	snprintf(conninfo, sizeof(conninfo), "host=%s/nowhere port=5999 "
		 "dbname=books user=clerk", getenv("PGHOST"));
	ck_assert_int_eq(lrt_store_connect(&store, conninfo), LRT_EDB);
	ck_assert_ptr_null(store);
	snprintf(expected, sizeof(expected),
		 "cannot connect to PostgreSQL at socket %s/nowhere port 5999 "
		 "database books user clerk: connection to server on socket "
		 "\"%s/nowhere/.s.PGSQL.5999\" failed: No such file or directory "
		 "Is the server running locally and accepting connections on "
		 "that socket?", getenv("PGHOST"), getenv("PGHOST"));
	ck_assert_str_eq(lrt_error_last(), expected);
}
END_TEST

START_TEST(test_connect_failure_from_environment)
{
	lrt_store *store = NULL;
	char expected[600];

	ck_assert_int_eq(setenv("PGHOST", "/nonexistent/lrt", 1), 0);
	ck_assert_int_eq(setenv("PGPORT", "6001", 1), 0);
	ck_assert_int_eq(lrt_store_connect(&store, NULL), LRT_EDB);
	ck_assert_ptr_null(store);
	snprintf(expected, sizeof(expected),
		"cannot connect to PostgreSQL at socket /nonexistent/lrt port "
		"6001 database %s user postgres: connection to server on "
		"socket \"/nonexistent/lrt/.s.PGSQL.6001\" failed: No such file "
		"or directory Is the server running locally and accepting "
		"connections on that socket?", lrt_test_database());
	ck_assert_str_eq(lrt_error_last(), expected);
}
END_TEST

START_TEST(test_connect_refuses_a_malformed_conninfo)
{
	lrt_store *store = (lrt_store *)&store;

	ck_assert_int_eq(lrt_store_connect(&store, "colour=blue"), LRT_EINVAL);
	ck_assert_ptr_null(store);
	ck_assert_str_eq(lrt_error_last(), "invalid connection string: "
			 "invalid connection option \"colour\"");
	ck_assert_int_eq(lrt_store_connect(&store, "host='unterminated"),
			 LRT_EINVAL);
	ck_assert_str_eq(lrt_error_last(), "invalid connection string: "
			 "unterminated quoted string in connection info string");
}
END_TEST

/* ---- the query wrappers ------------------------------------------------- */

static lrt_store *connect_store(void)
{
	lrt_store *store = NULL;

	ck_assert_msg(lrt_store_connect(&store, NULL) == 0, "%s",
		      lrt_error_last());
	return store;
}

START_TEST(test_exec_command_and_tuples)
{
	lrt_store *store = connect_store();
	const char *params[2] = { "one", NULL };
	PGresult *result = NULL;

	ck_assert_int_eq(lrt_store_exec_command(store,
		"CREATE TABLE t (name text PRIMARY KEY, note text)", 0, NULL), 0);
	ck_assert_int_eq(lrt_store_exec_command(store,
		"INSERT INTO t VALUES ($1, $2)", 2, params), 0);
	ck_assert_str_eq(lrt_store_sqlstate(store), "");
	ck_assert_int_eq(lrt_store_exec_tuples(&result, store,
		"SELECT name, note IS NULL FROM t WHERE name = $1", 1, params), 0);
	ck_assert_int_eq(PQntuples(result), 1);
	ck_assert_str_eq(PQgetvalue(result, 0, 0), "one");
	ck_assert_str_eq(PQgetvalue(result, 0, 1), "t");
	PQclear(result);
	lrt_store_close(store);
}
END_TEST

START_TEST(test_exec_reports_query_and_sqlstate)
{
	lrt_store *store = connect_store();
	const char *params[1] = { "one" };
	PGresult *result = (PGresult *)&result;

	ck_assert_int_eq(lrt_store_exec_tuples(&result, store,
		"SELECT * FROM nowhere", 0, NULL), LRT_EDB);
	ck_assert_ptr_null(result);
	ck_assert_str_eq(lrt_store_sqlstate(store), "42P01");
	ck_assert_str_eq(lrt_error_last(), "query \"SELECT * FROM nowhere\" "
		"failed: relation \"nowhere\" does not exist (SQLSTATE 42P01)");

	ck_assert_int_eq(lrt_store_exec_command(store,
		"CREATE TABLE t (name text PRIMARY KEY)", 0, NULL), 0);
	ck_assert_int_eq(lrt_store_exec_command(store,
		"INSERT INTO t VALUES ($1)", 1, params), 0);
	ck_assert_int_eq(lrt_store_exec_command(store,
		"INSERT INTO t\n\tVALUES ($1)", 1, params), LRT_EDB);
	ck_assert_str_eq(lrt_store_sqlstate(store), "23505");
	ck_assert_str_eq(lrt_error_last(), "query \"INSERT INTO t VALUES ($1)\" "
		"failed: duplicate key value violates unique constraint "
		"\"t_pkey\": Key (name)=(one) already exists. (SQLSTATE 23505)");

	/* The wrong shape of result is an error too, and a success clears. */
	ck_assert_int_eq(lrt_store_exec_command(store, "SELECT 1", 0, NULL),
			 LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "query \"SELECT 1\": expected "
			 "PGRES_COMMAND_OK, got PGRES_TUPLES_OK");
	ck_assert_int_eq(lrt_store_exec_command(store, "SET search_path = public",
						0, NULL), 0);
	ck_assert_str_eq(lrt_store_sqlstate(store), "");
	lrt_store_close(store);
}
END_TEST

START_TEST(test_exec_quotes_a_long_query_shortened)
{
	lrt_store *store = connect_store();
	char query[400];

	snprintf(query, sizeof(query), "SELECT %0300d FROM nowhere", 7);
	ck_assert_int_eq(lrt_store_exec_command(store, query, 0, NULL), LRT_EDB);
	ck_assert_int_eq(strncmp(lrt_error_last(), "query \"SELECT 000", 17), 0);
	ck_assert_ptr_nonnull(strstr(lrt_error_last(), "0000...\" failed: "
				     "relation \"nowhere\" does not exist"));
	ck_assert_uint_eq(strlen(lrt_error_last()),
			  strlen("query \"\" failed: relation \"nowhere\" does "
				 "not exist (SQLSTATE 42P01)") +
			  LRT_STORE_QUOTED_QUERY_BYTES - 1);
	lrt_store_close(store);
}
END_TEST

START_TEST(test_exec_value)
{
	lrt_store *store = connect_store();
	const char *params[1] = { "41" };
	char value[8];

	ck_assert_int_eq(lrt_store_exec_value(value, sizeof(value), store,
		"SELECT $1::int + 1", 1, params), 0);
	ck_assert_str_eq(value, "42");
	ck_assert_int_eq(lrt_store_exec_value(value, sizeof(value), store,
		"SELECT NULL", 0, NULL), 0);
	ck_assert_str_eq(value, "");
	ck_assert_int_eq(lrt_store_exec_value(value, sizeof(value), store,
		"SELECT 1 UNION ALL SELECT 2", 0, NULL), LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "query \"SELECT 1 UNION ALL SELECT "
			 "2\": expected one value, got 2 rows of 1 columns");
	ck_assert_int_eq(lrt_store_exec_value(value, sizeof(value), store,
		"SELECT 'a whole sentence'", 0, NULL), LRT_ELIMIT);
	ck_assert_str_eq(lrt_error_last(), "query \"SELECT 'a whole "
			 "sentence'\": a value of 16 bytes does not fit in 8");
	lrt_store_close(store);
}
END_TEST

START_TEST(test_exec_script_names_file_and_line)
{
	lrt_store *store = connect_store();
	char count[8];

	ck_assert_int_eq(lrt_store_exec_script(store,
		"CREATE TABLE a (x int);\nINSERT INTO a VALUES (1), (2);\n",
		"a.sql"), 0);
	ck_assert_int_eq(lrt_store_exec_value(count, sizeof(count), store,
		"SELECT count(*) FROM a", 0, NULL), 0);
	ck_assert_str_eq(count, "2");
	/* Line 3, counted in characters: the accents take two bytes each. */
	ck_assert_int_eq(lrt_store_exec_script(store,
		"-- é é é é\nSELECT 1;\n  SELEC 'ü' FROM a;\n", "dir/b.sql"),
		LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "dir/b.sql:3: syntax error at or "
			 "near \"SELEC\" (SQLSTATE 42601)");
	ck_assert_str_eq(lrt_store_sqlstate(store), "42601");
	/* No position: the file alone. */
	ck_assert_int_eq(lrt_store_exec_script(store,
		"INSERT INTO a VALUES ('x'::int);", "c.sql"), LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "c.sql:1: invalid input syntax for "
			 "type integer: \"x\" (SQLSTATE 22P02)");
	ck_assert_int_eq(lrt_store_exec_script(store,
		"DO $$ BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '23514'; "
		"END $$;", "d.sql"), LRT_EDB);
	ck_assert_str_eq(lrt_error_last(), "d.sql: no (SQLSTATE 23514)");
	lrt_store_close(store);
}
END_TEST

START_TEST(test_rollback_keeps_the_error)
{
	lrt_store *store = connect_store();
	PGconn *conn = lrt_store_conn(store);

	ck_assert_int_eq(lrt_store_exec_command(store, "BEGIN", 0, NULL), 0);
	ck_assert_int_eq(lrt_store_exec_command(store, "CREATE TABLE r (x int)",
						0, NULL), 0);
	ck_assert_int_eq(lrt_store_exec_command(store, "SELEC", 0, NULL),
			 LRT_EDB);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_INERROR);
	lrt_store_rollback(store);
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	ck_assert_str_eq(lrt_error_last(), "query \"SELEC\" failed: syntax "
			 "error at or near \"SELEC\" (SQLSTATE 42601)");
	lrt_store_rollback(store);     /* nothing open: nothing done */
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
	ck_assert_int_eq(lrt_store_exec_command(store, "SELECT FROM r", 0, NULL),
			 LRT_EDB);
	ck_assert_str_eq(lrt_store_sqlstate(store), "42P01");
	lrt_store_close(store);
}
END_TEST

Suite *store_suite(void)
{
	Suite *suite = suite_create("store");
	TCase *restore = tcase_create("restore");
	TCase *connect = tcase_create("connect");
	TCase *query = tcase_create("query");

	tcase_add_test(restore, test_restore_totals_checks_the_text);
	tcase_add_test(restore, test_request_read_checks_the_text);
	suite_add_tcase(suite, restore);

	tcase_add_checked_fixture(connect, lrt_test_fresh_database, NULL);
	tcase_set_timeout(connect, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(connect, test_connect_follows_libpq_environment);
	tcase_add_test(connect, test_connect_with_conninfo_and_uri);
	tcase_add_test(connect, test_connect_failure_names_the_server);
	tcase_add_test(connect, test_connect_failure_from_environment);
	tcase_add_test(connect, test_connect_refuses_a_malformed_conninfo);
	suite_add_tcase(suite, connect);

	tcase_add_checked_fixture(query, lrt_test_fresh_database, NULL);
	tcase_set_timeout(query, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(query, test_exec_command_and_tuples);
	tcase_add_test(query, test_exec_reports_query_and_sqlstate);
	tcase_add_test(query, test_exec_quotes_a_long_query_shortened);
	tcase_add_test(query, test_exec_value);
	tcase_add_test(query, test_exec_script_names_file_and_line);
	tcase_add_test(query, test_rollback_keeps_the_error);
	suite_add_tcase(suite, query);
	return suite;
}
