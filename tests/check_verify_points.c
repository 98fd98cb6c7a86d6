/*
 * check_verify_points.c - `lrt verify` compares every holder's stored points
 * account (lrt.holder_points: the exact sum accrued and the program's index
 * at the holder's checkpoint, SPEC section 5 step 7) with the replay's: a
 * row changed, deleted or added is found, named once, counted once, and
 * verify exits 4; put back, verify passes again.
 *
 * The scenario is 20-points of $LRT_DB_SCENARIOS: two programs, one of them
 * left out for an epoch and named again, five holders with accounts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* 20-points through migrate, product create, ingest and settle; verify
 * finds nothing.  Returns a connection to its database. */
static PGconn *settled_points_scenario(lrt_test_process *p)
{
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", NULL, NULL};
	const char *ingest[] = {"ingest", NULL, NULL};
	const char *settle[] = {"settle", NULL};
	const char *verify[] = {"verify", NULL};
	static char path[1024];
	PGconn *conn;

	snprintf(path, sizeof(path), "%s/20-points.jsonl", getenv("LRT_DB_SCENARIOS"));
	create[2] = path;
	ingest[1] = path;
	lrt_test_run_ok(p, migrate);
	lrt_test_run_ok(p, create);
	lrt_test_run_ok(p, ingest);
	lrt_test_run_ok(p, settle);
	lrt_test_run_ok(p, verify);
	conn = lrt_test_connect();
	/* every holder of the scenario has an account in both programs */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.holder_points"), "10");
	return conn;
}

static size_t count_differences(const char *out)
{
	size_t count = 0;
	const char *line;

	for (line = out; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, "difference: ", 12) == 0)
			count++;
	}
	return count;
}

/* verify exits 4, reports exactly one difference, and it is `expected`. */
static void assert_one_difference(lrt_test_process *p, const char *expected)
{
	const char *verify[] = {"verify", NULL};

	lrt_test_run(p, verify);
	ck_assert_msg(p->status == 4, "verify exited %d: %s%s", p->status, p->out, p->err);
	ck_assert_msg(count_differences(p->out) == 1, "not one difference:\n%s", p->out);
	ck_assert_msg(strstr(p->out, expected) != NULL, "want %s\ngot %s", expected, p->out);
	ck_assert_msg(strstr(p->out, "NOT verified") != NULL, "%s", p->out);
	ck_assert_msg(strstr(p->out, ", 1 difference\n") != NULL, "%s", p->out);
}

/* The stored accrued and checkpoint of (holder, program), as text. */
static void stored_account(char accrued[], char checkpoint[], size_t size, PGconn *conn,
			   const char *holder, const char *program)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT accrued FROM lrt.holder_points"
		 " WHERE holder = '%s' AND program = '%s'", holder, program);
	snprintf(accrued, size, "%s", lrt_test_value(conn, sql));
	snprintf(sql, sizeof(sql), "SELECT checkpoint FROM lrt.holder_points"
		 " WHERE holder = '%s' AND program = '%s'", holder, program);
	snprintf(checkpoint, size, "%s", lrt_test_value(conn, sql));
}

START_TEST(test_verify_finds_a_changed_points_account)
{
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char accrued[256], checkpoint[256], moved[256], expected[2048];
	PGconn *conn = settled_points_scenario(&p);

	/* a checkpoint moved by one: the floor may hide it, the sum does not */
	stored_account(accrued, checkpoint, sizeof(accrued), conn, "alice", "eigenlayer");
	ck_assert_str_ne(checkpoint, "0");
	lrt_test_exec(conn, "UPDATE lrt.holder_points SET checkpoint = checkpoint - 1"
		      " WHERE holder = 'alice' AND program = 'eigenlayer'");
	snprintf(moved, sizeof(moved), "%s", lrt_test_value(conn,
		 "SELECT checkpoint FROM lrt.holder_points"
		 " WHERE holder = 'alice' AND program = 'eigenlayer'"));
	snprintf(expected, sizeof(expected), "difference: points of alice in eigenlayer:"
		 " stored accrued %s checkpoint %s, replay accrued %s checkpoint %s\n",
		 accrued, moved, accrued, checkpoint);
	assert_one_difference(&p, expected);
	lrt_test_exec(conn, "UPDATE lrt.holder_points SET checkpoint = checkpoint + 1"
		      " WHERE holder = 'alice' AND program = 'eigenlayer'");
	lrt_test_run_ok(&p, verify);

	/* the accrued sum, in the other program */
	stored_account(accrued, checkpoint, sizeof(accrued), conn, "dave", "loyalty");
	ck_assert_str_ne(accrued, "0");
	lrt_test_exec(conn, "UPDATE lrt.holder_points SET accrued = accrued + 1"
		      " WHERE holder = 'dave' AND program = 'loyalty'");
	snprintf(moved, sizeof(moved), "%s", lrt_test_value(conn,
		 "SELECT accrued FROM lrt.holder_points"
		 " WHERE holder = 'dave' AND program = 'loyalty'"));
	snprintf(expected, sizeof(expected), "difference: points of dave in loyalty:"
		 " stored accrued %s checkpoint %s, replay accrued %s checkpoint %s\n",
		 moved, checkpoint, accrued, checkpoint);
	assert_one_difference(&p, expected);
	lrt_test_exec(conn, "UPDATE lrt.holder_points SET accrued = accrued - 1"
		      " WHERE holder = 'dave' AND program = 'loyalty'");
	lrt_test_run_ok(&p, verify);
	PQfinish(conn);
}
END_TEST

START_TEST(test_verify_finds_a_missing_or_extra_points_row)
{
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char accrued[256], checkpoint[256], expected[2048], sql[1024];
	PGconn *conn = settled_points_scenario(&p);

	/* a row deleted: the replay's account has no row */
	stored_account(accrued, checkpoint, sizeof(accrued), conn, "carol", "loyalty");
	lrt_test_exec(conn, "DELETE FROM lrt.holder_points"
		      " WHERE holder = 'carol' AND program = 'loyalty'");
	snprintf(expected, sizeof(expected), "difference: points of carol in loyalty:"
		 " replay accrued %s checkpoint %s, but the database has no row\n",
		 accrued, checkpoint);
	assert_one_difference(&p, expected);
	snprintf(sql, sizeof(sql), "INSERT INTO lrt.holder_points (product_id, holder,"
		 " program, accrued, checkpoint) VALUES (1, 'carol', 'loyalty', %s, %s)",
		 accrued, checkpoint);
	lrt_test_exec(conn, sql);
	lrt_test_run_ok(&p, verify);

	/* a row added, for a holder the replay never credited */
	lrt_test_exec(conn, "INSERT INTO lrt.holder_points (product_id, holder, program,"
		      " accrued, checkpoint) VALUES (1, 'mallory', 'eigenlayer', 7, 0)");
	assert_one_difference(&p, "difference: points of mallory in eigenlayer: stored"
			      " accrued 7 checkpoint 0, but not in the replay\n");
	lrt_test_exec(conn, "DELETE FROM lrt.holder_points WHERE holder = 'mallory'");
	lrt_test_run_ok(&p, verify);

	/* and for a holder the replay knows, in a program never named */
	lrt_test_exec(conn, "INSERT INTO lrt.holder_points (product_id, holder, program,"
		      " accrued, checkpoint) VALUES (1, 'bob', 'ghost', 0, 0)");
	assert_one_difference(&p, "difference: points of bob in ghost: stored accrued 0"
			      " checkpoint 0, but not in the replay\n");
	PQfinish(conn);
}
END_TEST

Suite *verify_points_suite(void)
{
	Suite *suite = suite_create("verify_points");
	TCase *tampered = tcase_create("tampered");

	tcase_add_checked_fixture(tampered, lrt_test_fresh_database, NULL);
	tcase_set_timeout(tampered, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(tampered, test_verify_finds_a_changed_points_account);
	tcase_add_test(tampered, test_verify_finds_a_missing_or_extra_points_row);
	suite_add_tcase(suite, tampered);
	return suite;
}
