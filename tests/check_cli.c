/*
 * check_cli.c - the `lrt` command as a user meets it ($LRT_BIN): the list
 * of subcommands, help for one, the version, and the one-line errors with
 * exit status 2 for what it does not know, through `lrt migrate`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* Exactly one line, ending in a newline. */
static void assert_one_line(const char *text)
{
	ck_assert_msg(strchr(text, '\n') == text + strlen(text) - 1,
		      "not one line: \"%s\"", text);
}

static void assert_starts_with(const char *text, const char *prefix)
{
	ck_assert_msg(strncmp(text, prefix, strlen(prefix)) == 0,
		      "\"%s\" does not start with \"%s\"", text, prefix);
}

START_TEST(test_help_lists_subcommands)
{
	const char *args[] = { "--help", NULL };
	lrt_test_process run;

	lrt_test_run(&run, args);
	ck_assert_int_eq(run.status, 0);
	ck_assert_str_eq(run.err, "");
	assert_starts_with(run.out, "lrt " LRT_VERSION " - the liquid "
		"restaking token accounting engine\n\nUsage: lrt [--db DATABASE] "
		"COMMAND [ARGS]\n  or:  lrt help COMMAND\n  or:  lrt --help | "
		"--version\n\nKeeps the books of liquid restaking tokens: ");
	ck_assert_ptr_nonnull(strstr(run.out, "`lrt help COMMAND` explains one "
		"command.\n\nCommands:\n"));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  migrate    apply the "
		"database migrations and reporting views; status: which are\n"));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  simulate   "));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  help       explain one "
		"command: lrt help COMMAND\n  version    print the version\n"));
	/* what help2man makes the manual's sections of */
	ck_assert_ptr_nonnull(strstr(run.out, "\nOptions:\n  -d, --db DATABASE  "));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  -h, --help         "));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  -V, --version      "));
	ck_assert_ptr_nonnull(strstr(run.out, "\nEnvironment:\n"));
	ck_assert_ptr_nonnull(strstr(run.out, "\n  LRT_PRODUCT        the product"));
}
END_TEST

START_TEST(test_help_explains_migrate)
{
	const char *help_migrate[] = { "help", "migrate", NULL };
	const char *migrate_help[] = { "migrate", "--help", NULL };
	const char *migrate_h[] = { "migrate", "--db", "x", "-h", NULL };
	lrt_test_process one, two, three;

	lrt_test_run(&one, help_migrate);
	lrt_test_run(&two, migrate_help);
	lrt_test_run(&three, migrate_h);
	ck_assert_int_eq(one.status, 0);
	ck_assert_int_eq(two.status, 0);
	ck_assert_int_eq(three.status, 0);
	ck_assert_str_eq(one.err, "");
	ck_assert_str_eq(two.out, one.out);
	ck_assert_str_eq(three.out, one.out);
	assert_starts_with(one.out, "Usage: lrt migrate [--db DATABASE] "
			   "[--dir DIR]\n       lrt migrate status [--format "
			   "table|json] [--db DATABASE] [--dir DIR]\n\nBrings "
			   "the database's lrt schema up to date.");
	ck_assert_ptr_nonnull(strstr(one.out, "\n  --dir DIR      take the "
				     "migrations from DIR/migrations"));
	ck_assert_ptr_nonnull(strstr(one.out, "them in " LRT_DATADIR "\n"));
	ck_assert_ptr_nonnull(strstr(one.out, "\nEnvironment:\n  PGHOST, "));
	ck_assert_ptr_nonnull(strstr(one.out, "\n  LRT_SHARE_DIR  as --dir"));
	ck_assert_ptr_nonnull(strstr(one.out, "\nExit status: 0 the schema is "
				     "up to date; 1 the database"));
	ck_assert_ptr_nonnull(strstr(one.out, "\nExample:\n  lrt migrate --db "));
}
END_TEST

START_TEST(test_version)
{
	const char *args[] = { "--version", NULL };
	lrt_test_process run;

	lrt_test_run(&run, args);
	ck_assert_int_eq(run.status, 0);
	ck_assert_str_eq(run.out, "lrt " LRT_VERSION "\n");
	ck_assert_str_eq(run.err, "");
}
END_TEST

START_TEST(test_unknown_command_and_option)
{
	const char *command[] = { "mingrate", NULL };
	const char *option[] = { "--colour", NULL };
	const char *help_of_unknown[] = { "help", "mingrate", NULL };
	lrt_test_process run;

	lrt_test_run(&run, command);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.out, "");
	ck_assert_str_eq(run.err, "lrt: unknown command mingrate. "
			 "Try \"lrt --help\".\n");
	lrt_test_run(&run, option);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.out, "");
	ck_assert_str_eq(run.err, "lrt: unknown option --colour. "
			 "Try \"lrt --help\".\n");
	lrt_test_run(&run, help_of_unknown);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.err, "lrt: unknown command mingrate. "
			 "Try \"lrt --help\".\n");
}
END_TEST

/* Each bad use of `lrt migrate`, and the start of its one-line error. */
START_TEST(test_migrate_usage_errors)
{
	static const struct {
		const char *args[5];
		const char *message;
	} cases[] = {
		{ { "migrate", "--colour", NULL }, "unknown option --colour" },
		{ { "migrate", "-x", NULL }, "unknown option -x" },
		{ { "migrate", "--db", NULL }, "--db needs a value" },
		{ { "migrate", "--dir", NULL }, "--dir needs a value" },
		{ { "migrate", "--dir", "", NULL }, "--dir: empty" },
		{ { "migrate", "now", NULL }, "unknown verb now (status)" },
		{ { "migrate", "status", "now", NULL }, "unexpected argument now" },
		{ { "migrate", "--format", "json", NULL }, "--format goes with status" },
		{ { "migrate", "status", "--format", "xml", NULL },
		  "--format: \"xml\" is not table or json" },
		{ { "migrate", "-d", NULL }, "-d needs a value" },
		{ { "migrate", "--dir=", NULL }, "--dir: empty" },
	};
	char expected[200];
	lrt_test_process run;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lrt_test_run(&run, cases[i].args);
		ck_assert_int_eq(run.status, 2);
		ck_assert_str_eq(run.out, "");
		snprintf(expected, sizeof(expected), "lrt migrate: %s. Try \"lrt ",
			 cases[i].message);
		assert_starts_with(run.err, expected);
		assert_one_line(run.err);
	}
}
END_TEST

START_TEST(test_migrate_connection_errors)
{
	char db[300], expected[1200];
	const char *unreachable[] = { "migrate", "--db", db, NULL };
	const char *malformed[] = { "migrate", "--db", "colour=blue", NULL };
	lrt_test_process run;

	snprintf(db, sizeof(db), "host=%s/gone port=6543 dbname=books",
		 getenv("PGHOST"));
	lrt_test_run(&run, unreachable);
	ck_assert_int_eq(run.status, 1);
	ck_assert_str_eq(run.out, "");
	snprintf(expected, sizeof(expected), "lrt: cannot connect to PostgreSQL "
		 "at socket %s/gone port 6543 database books user postgres: "
		 "connection to server on socket \"%s/gone/.s.PGSQL.6543\" "
		 "failed: No such file or directory Is the server running "
		 "locally and accepting connections on that socket?\n",
		 getenv("PGHOST"), getenv("PGHOST"));
	ck_assert_str_eq(run.err, expected);

	lrt_test_run(&run, malformed);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.out, "");
	ck_assert_str_eq(run.err, "lrt: invalid connection string: invalid "
			 "connection option \"colour\"\n");
}
END_TEST

/* Every malformed --slash or argument list: exit 2, nothing on standard
 * output, one line on standard error naming what is wrong. */
START_TEST(test_stress_usage_errors)
{
	static const struct {
		const char *slash;
		const char *says;
	} cases[] = {
		{ "kiln:eigenda:ETH", "3 parts" },
		{ "kiln:eigenda:ETH:1:2", "5 parts" },
		{ "kiln::ETH:1", "AVS must be" },
		{ ":eigenda:ETH:1", "OPERATOR must be" },
		{ "kiln:eigenda::1", "ASSET must be" },
		{ "kiln:eigenda:ETH:", "WAD must be" },
		{ "kiln:eigenda:ETH:0.5", "WAD: \"0.5\" is not a decimal integer" },
		{ "kiln:eigenda:ETH:-1", "WAD: \"-1\" is not" },
		{ "kiln:eigenda:ETH:1000000000000000001", "above 10^18" },
	};
	const char *folder = getenv("LRT_SCENARIOS");
	char scenario[1024], slash[128];
	lrt_test_process run;
	size_t i;

	ck_assert_ptr_nonnull(folder);
	snprintf(scenario, sizeof(scenario), "%s/16-allocations-wad-slash.jsonl", folder);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { "stress", scenario, "--slash", slash, NULL };

		snprintf(slash, sizeof(slash), "%s", cases[i].slash);
		lrt_test_run(&run, args);
		ck_assert_int_eq(run.status, 2);
		ck_assert_str_eq(run.out, "");
		assert_one_line(run.err);
		ck_assert_msg(strstr(run.err, cases[i].says) != NULL, "%s: %s",
			      cases[i].slash, run.err);
	}
	{
		const char *no_file[] = { "stress", "--slash", "a:b:ETH:1", NULL };
		const char *both[] = { "stress", scenario, "--product", "rstETH", NULL };
		const char *good[] = { "stress", scenario, "--slash",
				       "0xABCDEF0123456789ABCDEF0123456789ABCDEF01:x:ETH:1", NULL };

		lrt_test_run(&run, no_file);
		ck_assert_int_eq(run.status, 2);
		ck_assert_ptr_nonnull(strstr(run.err, "FILE (or --product SYMBOL) is missing"));
		lrt_test_run(&run, both);
		ck_assert_int_eq(run.status, 2);
		ck_assert_str_eq(run.out, "");
		/* an address is lower-cased, as on ingest */
		lrt_test_run(&run, good);
		ck_assert_int_eq(run.status, 0);
		ck_assert_ptr_nonnull(strstr(run.out, "\"operator\": "
			"\"0xabcdef0123456789abcdef0123456789abcdef01\""));
	}
}
END_TEST

Suite *cli_suite(void)
{
	Suite *suite = suite_create("cli");
	TCase *usage = tcase_create("usage");

	tcase_set_timeout(usage, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(usage, test_help_lists_subcommands);
	tcase_add_test(usage, test_help_explains_migrate);
	tcase_add_test(usage, test_version);
	tcase_add_test(usage, test_unknown_command_and_option);
	tcase_add_test(usage, test_migrate_usage_errors);
	tcase_add_test(usage, test_migrate_connection_errors);
	tcase_add_test(usage, test_stress_usage_errors);
	suite_add_tcase(suite, usage);
	return suite;
}
