/*
 * check_guard.c - the settlement guard as a person meets it through the
 * command, and `lrt settle --dry-run`:
 *
 *   message   scenario 10-guard-trip stops at epoch 3: the exact text through
 *             `lrt settle` (ending with the command that accepts the rate)
 *             and through `lrt simulate` (the same words, no command)
 *   accept    --accept-rate as a second login (a member of lrt_admin):
 *             lrt.accepts keeps that role, the time, the reason, the trip it
 *             answers and the accept event; another rate than the guard
 *             stopped the epoch at, or an epoch it has not stopped, is
 *             refused with both rates named (exit 2) and kept when forced;
 *             --reason and --force only with --accept-rate
 *   dry run   every table of schema lrt (partitions included) has the same
 *             rows after it, checksummed row by row, with the guard stopping
 *             it and with an accept; it prints the epochs it would settle,
 *             line for line what `lrt simulate` and then `lrt export` print,
 *             and rows that a real settlement then writes (journal rows and
 *             rejections per epoch, over 90 epochs of a realistic history)
 *
 * The database suites' fixture gives each test a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define RATE_BEFORE "1054999999999999999"
#define RATE_AFTER "1034999999999999999"

/* What the core says of scenario 10's epoch 3 (SPEC section 5 step 4):
 * 0.02 / 1.054999999999999999 = 189.5734597... bps. */
#define GUARD_MESSAGE \
	"epoch 3: the rate of rstETH would move from 1.054999999999999999 ETH to" \
	" 1.034999999999999999 ETH, down 1.8958% (189.58 bps, both rounded away" \
	" from zero), more than max_rate_change_bps 100 allows; an accept event" \
	" with rate " RATE_AFTER " lets it pass"

/* The largest checksum list: a few dozen tables and partitions. */
#define CHECKSUM_BYTES (64 * 1024)

static void run_status(lrt_test_process *p, const char *const args[], int status)
{
	lrt_test_run(p, args);
	ck_assert_msg(p->status == status, "lrt %s exited %d, expected %d: %s%s",
		      args[0], p->status, status, p->out, p->err);
}

static void scenario_path(char *out, size_t size, const char *name)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");

	ck_assert_msg(folder != NULL, "LRT_DB_SCENARIOS is not set");
	snprintf(out, size, "%s/%s.jsonl", folder, name);
}

/* migrate, product create, ingest. */
static void load_scenario(const char *path)
{
	static lrt_test_process p;
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};

	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
}

/*
 * Every table of schema lrt, partitions included, with its row count and
 * the MD5 of its rows as text in order: "lrt.epochs 3 9a0364b9...\n..."
 * (malloc'd).  Two equal lists mean no row was added, changed or removed,
 * and no table made or dropped.
 */
static char *tables_checksum(PGconn *conn)
{
	char *list = calloc(1, CHECKSUM_BYTES);
	PGresult *tables;
	int i;

	ck_assert_ptr_nonnull(list);
	tables = PQexec(conn, "SELECT c.oid::regclass::text FROM pg_class c"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" WHERE n.nspname = 'lrt' AND c.relkind = 'r' ORDER BY 1");
	ck_assert_msg(PQresultStatus(tables) == PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	ck_assert_int_gt(PQntuples(tables), 20);
	for (i = 0; i < PQntuples(tables); i++) {
		char sql[512];
		size_t used = strlen(list);

		snprintf(sql, sizeof(sql), "SELECT count(*) || ' ' || md5(coalesce("
			 "string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM %s t",
			 PQgetvalue(tables, i, 0));
		snprintf(list + used, CHECKSUM_BYTES - used, "%s %s\n",
			 PQgetvalue(tables, i, 0), lrt_test_value(conn, sql));
		ck_assert_uint_lt(strlen(list), CHECKSUM_BYTES - 1);
	}
	PQclear(tables);
	return list;
}

/* The lines of `text` that begin with `prefix`, in order (malloc'd). */
static char *lines_starting(const char *text, const char *prefix)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *line = text;

	ck_assert_ptr_nonnull(out);
	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		size_t length = end != NULL ? (size_t)(end - line + 1) : strlen(line);

		if (strncmp(line, prefix, strlen(prefix)) == 0)
			strncat(out, line, length);
		line += length;
	}
	return out;
}

/* ---- the message ---------------------------------------------------------------- */

START_TEST(test_guard_message_through_settle_and_simulate)
{
	const char *settle[] = {"settle", NULL};
	static lrt_test_process p;
	char path[1024], expected[2048];
	const char *simulate[] = {"simulate", path, NULL};
	PGconn *conn;

	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path);
	run_status(&p, settle, 3);
	ck_assert_str_eq(p.out, "settled epochs 0..2: 5 events, 0 rejected\n");
	ck_assert_str_eq(p.err, "lrt: " GUARD_MESSAGE "; to accept it: lrt settle"
			 " --product rstETH --accept-rate " RATE_AFTER "\n");
	/* stopped again: the same words, a second trip on record */
	run_status(&p, settle, 3);
	ck_assert_str_eq(p.out, "");
	ck_assert_str_eq(p.err, "lrt: " GUARD_MESSAGE "; to accept it: lrt settle"
			 " --product rstETH --accept-rate " RATE_AFTER "\n");
	conn = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(concat_ws(' ', epoch,"
		" rate_before, rate_after), ',' ORDER BY trip_id) FROM lrt.guard_trips"),
		"3 " RATE_BEFORE " " RATE_AFTER ",3 " RATE_BEFORE " " RATE_AFTER);
	PQfinish(conn);

	/* no database: the core's words, after the file's name */
	run_status(&p, simulate, 3);
	snprintf(expected, sizeof(expected), "lrt: %s: %s\n", path, GUARD_MESSAGE);
	ck_assert_str_eq(p.err, expected);
}
END_TEST

/* ---- accepting a rate -------------------------------------------------------------- */

START_TEST(test_accept_records_role_time_and_reason)
{
	const char *settle[] = {"settle", NULL};
	const char *accept[] = {"settle", "--product", "rstETH", "--accept-rate", RATE_AFTER,
				"--reason", "slash of p2p on eigenda, checked on chain", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024], started[64], superuser[64];
	PGconn *conn;

	ck_assert_ptr_nonnull(getenv("PGUSER"));  /* the cluster's superuser */
	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path);
	run_status(&p, settle, 3);
	conn = lrt_test_connect();
	/* a person's own login, a member of lrt_admin (roles are the cluster's) */
	lrt_test_exec(conn, "DO $$ BEGIN"
		      " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'guard_ops') THEN"
		      "  CREATE ROLE guard_ops LOGIN IN ROLE lrt_admin;"
		      " END IF; END $$");
	snprintf(started, sizeof(started), "%s",
		 lrt_test_value(conn, "SELECT clock_timestamp()::text"));

	snprintf(superuser, sizeof(superuser), "%s", getenv("PGUSER"));
	setenv("PGUSER", "guard_ops", 1);
	lrt_test_run(&p, accept);
	setenv("PGUSER", superuser, 1);
	ck_assert_msg(p.status == 0, "accept as guard_ops exited %d: %s", p.status, p.err);
	ck_assert_str_eq(p.out, "settled epochs 3..4: 4 events, 0 rejected\n");
	ck_assert_str_eq(p.err, "");

	/* who, when, why, which stop it answers, and the event it recorded */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT concat_ws(' | ', a.epoch, a.rate,"
		" a.event_id, a.trip_id = t.trip_id, a.forced, a.reason, a.accepted_by,"
		" a.application) FROM lrt.accepts a JOIN lrt.guard_trips t USING (product_id)"),
		"3 | " RATE_AFTER " | accept:3:" RATE_AFTER " | t | f | slash of p2p"
		" on eigenda, checked on chain | guard_ops | lrt");
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT accepted_at BETWEEN '%s'::timestamptz"
			 " AND clock_timestamp() FROM lrt.accepts", started);
		ck_assert_str_eq(lrt_test_value(conn, sql), "t");
	}
	ck_assert_str_eq(lrt_test_value(conn, "SELECT concat_ws(' ', i.epoch, i.event->>'rate',"
		" i.source_file) FROM lrt.inbox i JOIN lrt.accepts a USING (product_id, event_id)"),
		"3 " RATE_AFTER " lrt settle --accept-rate");
	/* and the epoch passed at exactly that rate */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT rate FROM lrt.epochs WHERE epoch = 3"),
			 RATE_AFTER);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"),
			 "4");
	PQfinish(conn);
	lrt_test_run_ok(&p, verify);
}
END_TEST

START_TEST(test_accept_of_another_rate_refused_unless_forced)
{
	const char *settle[] = {"settle", NULL};
	const char *wrong[] = {"settle", "--accept-rate", "1000000000000000000", NULL};
	const char *forced[] = {"settle", "--accept-rate", "1000000000000000000", "--force",
				"--reason", "the custodian's figure", NULL};
	const char *right[] = {"settle", "--accept-rate", RATE_AFTER, NULL};
	const char *reason_alone[] = {"settle", "--reason", "why", NULL};
	const char *force_alone[] = {"settle", "--force", NULL};
	const char *empty_reason[] = {"settle", "--accept-rate", RATE_AFTER, "--reason", "", NULL};
	static lrt_test_process p;
	char path[1024];
	PGconn *conn;

	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path);
	run_status(&p, settle, 3);
	conn = lrt_test_connect();

	/* another rate: refused, both named, nothing recorded */
	run_status(&p, wrong, 2);
	ck_assert_str_eq(p.err, "lrt: --accept-rate 1000000000000000000: the guard stopped"
		" epoch 3 at rate " RATE_AFTER ", not 1000000000000000000: --accept-rate "
		RATE_AFTER " accepts that one, and --force records 1000000000000000000"
		" anyway\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.accepts"), "0");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.inbox"
					" WHERE type = 'accept'"), "2");  /* the scenario's */
	/* usage */
	run_status(&p, reason_alone, 2);
	ck_assert_msg(strstr(p.err, "--reason goes with --accept-rate") != NULL, "%s", p.err);
	run_status(&p, force_alone, 2);
	ck_assert_msg(strstr(p.err, "--force goes with --accept-rate") != NULL, "%s", p.err);
	run_status(&p, empty_reason, 2);
	ck_assert_msg(strstr(p.err, "--reason: empty") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.accepts"), "0");

	/* forced: kept as forced, answering the trip; the guard still holds,
	 * for the rate is not r1, and stops the epoch a second time */
	run_status(&p, forced, 3);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT concat_ws(' | ', rate, trip_id, forced,"
		" reason) FROM lrt.accepts"), "1000000000000000000 | 1 | t | the custodian's"
		" figure");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.guard_trips"), "2");
	/* the rate the guard stopped at passes, answering the second trip */
	lrt_test_run_ok(&p, right);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT concat_ws(' | ', rate, trip_id, forced,"
		" coalesce(reason, 'none')) FROM lrt.accepts WHERE NOT forced"),
		RATE_AFTER " | 2 | f | none");

	/* epoch 5: the guard has not stopped it */
	run_status(&p, right, 2);
	ck_assert_str_eq(p.err, "lrt: --accept-rate " RATE_AFTER ": the guard has not stopped"
		" epoch 5 (lrt.guard_trips holds no trip for it), so there is nothing to"
		" accept: lrt settle stops there first, or --force records the accept"
		" anyway\n");
	{
		const char *anyway[] = {"settle", "--accept-rate", "1035000000000000000",
					"--force", NULL};

		lrt_test_run_ok(&p, anyway);
	}
	ck_assert_str_eq(lrt_test_value(conn, "SELECT concat_ws(' | ', epoch, rate,"
		" coalesce(trip_id::text, 'no trip'), forced) FROM lrt.accepts WHERE epoch = 5"),
		"5 | 1035000000000000000 | no trip | t");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.accepts"), "3");
	PQfinish(conn);
}
END_TEST

/* ---- the dry run ------------------------------------------------------------------- */

START_TEST(test_dry_run_writes_nothing)
{
	const char *settle[] = {"settle", NULL};
	const char *dry[] = {"settle", "--dry-run", NULL};
	const char *dry_accept[] = {"settle", "--dry-run", "--accept-rate", RATE_AFTER,
				    "--reason", "a look first", NULL};
	const char *accept[] = {"settle", "--accept-rate", RATE_AFTER, NULL};
	const char *export[] = {"export", NULL};
	static lrt_test_process p, simulated;
	char path[1024];
	const char *simulate[] = {"simulate", path, NULL};
	char *before, *after, *epochs;
	PGconn *conn;

	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path);
	conn = lrt_test_connect();

	/* epochs 0..2 would settle, then the guard: nothing of any of it stays */
	before = tables_checksum(conn);
	run_status(&p, dry, 3);
	after = tables_checksum(conn);
	ck_assert_str_eq(after, before);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.guard_trips"), "0");
	ck_assert_str_eq(p.err, "lrt: " GUARD_MESSAGE "; a dry run records no trip: lrt settle"
		" --product rstETH stops there and records it, then lrt settle --product"
		" rstETH --accept-rate " RATE_AFTER " accepts it\n");
	/* each epoch as lrt simulate prints it, then the rows it would write */
	run_status(&simulated, simulate, 3);
	epochs = lines_starting(p.out, "{");
	ck_assert_str_eq(epochs, simulated.out);
	ck_assert_msg(strstr(p.out, "}\nepoch 0 would write 1 holder, 0 requests, 4 journal"
		" rows, 0 rejections (by table: epoch_positions 2 inserted; epochs 1 inserted;"
		" holders 1 inserted; journal 4 inserted; locations 1 inserted; positions 2"
		" inserted; product_state 1 updated)\n{") != NULL, "%s", p.out);
	ck_assert_str_eq(lines_starting(p.out, "dry run:"),
		"dry run: would settle epochs 0..2: 5 events, 0 rejected\n"
		"dry run: rolled back, nothing written\n");
	free(before);
	free(after);
	free(epochs);

	/* stopped for real; a dry run of the accept writes neither it nor a trip */
	run_status(&p, settle, 3);
	before = tables_checksum(conn);
	lrt_test_run_ok(&p, dry_accept);
	after = tables_checksum(conn);
	ck_assert_str_eq(after, before);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.accepts"), "0");
	ck_assert_str_eq(lines_starting(p.out, "dry run:"),
		"dry run: would settle epochs 3..4: 4 events, 0 rejected\n"
		"dry run: rolled back, nothing written (nor the accept)\n");
	epochs = lines_starting(p.out, "{");
	/* the accept for real: the epochs are the ones the dry run showed */
	lrt_test_run_ok(&p, accept);
	lrt_test_run_ok(&p, export);
	ck_assert_msg(strstr(p.out, epochs) != NULL, "dry run:\n%s\nexport:\n%s", epochs, p.out);
	free(before);
	free(after);
	free(epochs);
	PQfinish(conn);
}
END_TEST

/* Rows of `table` of `epoch` in the database, as text. */
static const char *rows_of_epoch(PGconn *conn, const char *table, long long epoch)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM lrt.%s WHERE epoch = %lld", table, epoch);
	return lrt_test_value(conn, sql);
}

/* 90 epochs of deposits, transfers, withdrawals, claims, rewards, slashes
 * and rejected events: the dry run settles them all in one transaction,
 * each epoch seeing the ones before; its figures are the simulator's, and
 * the journal rows and rejections it counts are what settling writes. */
START_TEST(test_dry_run_counts_what_settling_writes)
{
	const char *dry[] = {"settle", "--dry-run", NULL};
	const char *settle[] = {"settle", NULL};
	static lrt_test_process p, simulated;
	char path[1024];
	const char *simulate[] = {"simulate", path, NULL};
	char *before, *after, *summaries, *line;
	long long epoch = -1;
	PGconn *conn;

	scenario_path(path, sizeof(path), "13-realistic-erc4626-eth-usdc");
	load_scenario(path);
	conn = lrt_test_connect();
	before = tables_checksum(conn);
	lrt_test_run_ok(&p, dry);
	after = tables_checksum(conn);
	ck_assert_str_eq(after, before);
	lrt_test_run_ok(&simulated, simulate);
	ck_assert_str_eq(lines_starting(p.out, "{\"epoch\""),
			 lines_starting(simulated.out, "{\"epoch\""));
	ck_assert_str_eq(lines_starting(p.out, "dry run:"),
		"dry run: would settle epochs 0..89: 1640 events, 31 rejected\n"
		"dry run: rolled back, nothing written\n");
	summaries = lines_starting(p.out, "epoch ");

	/* settled for real: each epoch wrote what the dry run counted */
	lrt_test_run_ok(&p, settle);
	for (line = summaries; *line != '\0'; line = strchr(line, '\n') + 1) {
		long long number, holders, requests, journal, rejections;
		char w1[16], w2[16], w3[16], w4[16], count[32];

		ck_assert_msg(sscanf(line, "epoch %lld would write %lld %15[a-z], %lld %15[a-z],"
				     " %lld journal %15[a-z], %lld %15[a-z]", &number, &holders,
				     w1, &requests, w2, &journal, w3, &rejections, w4) == 9,
			      "%.200s", line);
		ck_assert_int_eq(number, ++epoch);
		ck_assert_msg(strstr(line, "(by table: ") != NULL
			      && strstr(line, " epochs 1 inserted;") != NULL, "%.400s", line);
		snprintf(count, sizeof(count), "%lld", journal);
		ck_assert_str_eq(rows_of_epoch(conn, "journal", number), count);
		snprintf(count, sizeof(count), "%lld", rejections);
		ck_assert_str_eq(rows_of_epoch(conn, "rejected_events", number), count);
	}
	ck_assert_int_eq(epoch, 89);
	lrt_test_run_ok(&p, dry);  /* nothing is left */
	ck_assert_str_eq(p.out, "dry run: nothing to settle: epoch 89 is the last settled,"
		" and no later epoch with events is complete yet (--through EPOCH settles"
		" regardless of the clock)\ndry run: rolled back, nothing written\n");
	free(before);
	free(after);
	free(summaries);
	PQfinish(conn);
}
END_TEST

Suite *guard_suite(void)
{
	Suite *suite = suite_create("guard");
	TCase *message = tcase_create("message");
	TCase *accept = tcase_create("accept");
	TCase *dry_run = tcase_create("dry_run");

	tcase_add_checked_fixture(message, lrt_test_fresh_database, NULL);
	tcase_set_timeout(message, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(message, test_guard_message_through_settle_and_simulate);
	tcase_add_checked_fixture(accept, lrt_test_fresh_database, NULL);
	tcase_set_timeout(accept, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(accept, test_accept_records_role_time_and_reason);
	tcase_add_test(accept, test_accept_of_another_rate_refused_unless_forced);
	tcase_add_checked_fixture(dry_run, lrt_test_fresh_database, NULL);
	tcase_set_timeout(dry_run, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(dry_run, test_dry_run_writes_nothing);
	tcase_add_test(dry_run, test_dry_run_counts_what_settling_writes);
	suite_add_tcase(suite, message);
	suite_add_tcase(suite, accept);
	suite_add_tcase(suite, dry_run);
	return suite;
}
