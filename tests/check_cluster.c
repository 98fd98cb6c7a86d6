/*
 * check_cluster.c - the private PostgreSQL cluster the runner starts: where
 * it listens, how it is tuned, and that each test gets a database of its
 * own.
 *
 * With LRT_TEST_SABOTAGE set, a "sabotage" case is added that fails, hangs
 * or kills the test process's parent on purpose; tests/cluster-cleanup.sh
 * uses it to prove that the runner leaves no server and no folder behind
 * in each of those cases.  It is never part of a normal run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

START_TEST(test_listens_only_on_its_socket)
{
	const char *folder = getenv("LRT_TEST_CLUSTER_DIR");
	char data[4200];
	PGconn *conn = lrt_test_connect();

	ck_assert_ptr_nonnull(folder);
	ck_assert_str_eq(getenv("PGHOST"), folder);
	ck_assert_str_eq(lrt_test_value(conn, "SHOW listen_addresses"), "");
	ck_assert_str_eq(lrt_test_value(conn, "SHOW unix_socket_directories"),
			 folder);
	snprintf(data, sizeof(data), "%s/data", folder);
	ck_assert_str_eq(lrt_test_value(conn, "SHOW data_directory"), data);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM pg_stat_activity WHERE client_addr IS NOT NULL"),
		"0");
	PQfinish(conn);
}
END_TEST

START_TEST(test_tuned_for_tests)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_value(conn, "SHOW fsync"), "off");
	ck_assert_str_eq(lrt_test_value(conn, "SHOW synchronous_commit"), "off");
	ck_assert_str_eq(lrt_test_value(conn, "SHOW full_page_writes"), "off");
	ck_assert_str_eq(lrt_test_value(conn, "SHOW shared_buffers"), "16MB");
	ck_assert_str_eq(lrt_test_value(conn, "SHOW max_connections"), "60");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT current_setting('server_version_num')::int / 10000"), "15");
	PQfinish(conn);
}
END_TEST

/*
 * Run twice in one case: each run must find its database empty, so a
 * database shared between tests would fail the second.
 */
START_TEST(test_fresh_database_per_test)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_value(conn, "SELECT current_database()"),
			 lrt_test_database());
	ck_assert_str_ne(lrt_test_database(), "postgres");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM pg_class WHERE relname = 'marker'"), "0");
	lrt_test_exec(conn, "CREATE TABLE marker (x int)");
	PQfinish(conn);
}
END_TEST

/* The pids the cleanup script checks: this test, its backend, the server. */
static void write_sabotage_mark(void)
{
	const char *mark = getenv("LRT_TEST_SABOTAGE_MARK");
	PGconn *conn = lrt_test_connect();
	char pids[200];
	FILE *out;

	ck_assert_ptr_nonnull(mark);
	/* The server's pid is the first line of postmaster.pid. */
	snprintf(pids, sizeof(pids), "%ld %s %s\n", (long)getpid(),
		 lrt_test_value(conn, "SELECT pg_backend_pid()"),
		 lrt_test_value(conn, "SELECT split_part(pg_read_file("
			"'postmaster.pid'), E'\\n', 1)"));
	out = fopen(mark, "w");
	ck_assert_ptr_nonnull(out);
	fputs(pids, out);
	fclose(out);
	/* The connection stays open: its backend must go with the server. */
}

START_TEST(test_sabotage)
{
	const char *mode = getenv("LRT_TEST_SABOTAGE");

	write_sabotage_mark();
	if (strcmp(mode, "hang") == 0)
		for (;;)
			pause();
	if (strcmp(mode, "crash") == 0)
		kill(getppid(), SIGKILL);   /* the suites' process */
	ck_abort_msg("sabotage: this test fails on purpose (%s)", mode);
}
END_TEST

Suite *cluster_suite(void)
{
	Suite *suite = suite_create("cluster");
	TCase *server = tcase_create("server");
	TCase *isolation = tcase_create("isolation");

	tcase_add_checked_fixture(server, lrt_test_fresh_database, NULL);
	tcase_set_timeout(server, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(server, test_listens_only_on_its_socket);
	tcase_add_test(server, test_tuned_for_tests);
	suite_add_tcase(suite, server);

	tcase_add_checked_fixture(isolation, lrt_test_fresh_database, NULL);
	tcase_set_timeout(isolation, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_loop_test(isolation, test_fresh_database_per_test, 0, 2);
	suite_add_tcase(suite, isolation);

	if (getenv("LRT_TEST_SABOTAGE") != NULL) {
		TCase *sabotage = tcase_create("sabotage");

		tcase_add_checked_fixture(sabotage, lrt_test_fresh_database, NULL);
		tcase_set_timeout(sabotage, 600);
		tcase_add_test(sabotage, test_sabotage);
		suite_add_tcase(suite, sabotage);
	}
	return suite;
}
