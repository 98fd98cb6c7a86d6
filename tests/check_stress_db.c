/*
 * check_stress_db.c - `lrt stress --product SYM` on the database against
 * `lrt stress FILE` on the same scenario (SPEC section 7: both take the
 * state after the last settled epoch, the file's up to a guard stop): the
 * same JSON object, byte for byte, for scenarios the database path holds
 * (the first edition's), with slashes that find no allocation and that are
 * rejected, and with none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"

/* The first edition's scenarios that the database path holds, one of each
 * kind (a database round trip costs seconds): plain, fee shares, smoothing
 * (D), the FIFO queue, several assets and prices, the guard stop, and the
 * realistic ones of both families. */
static const char *const scenarios[] = {
	"03-plain-first-deposit", "04-fee-shares", "05-smoothing-cap", "08-fifo-stop",
	"09-multi-asset-price", "10-guard-trip", "13-realistic-erc4626-eth-usdc",
	"14-realistic-erc4626-sol",
};
#define SCENARIO_COUNT ((int)(sizeof(scenarios) / sizeof(scenarios[0])))

/* The product's symbol, from the scenario's first line. */
static void product_symbol(char *out, size_t size, const char *path)
{
	char *text = lrt_test_read_file(path, NULL);
	char *newline = strchr(text, '\n');
	json_error_t error;
	json_t *line;
	const char *symbol;

	ck_assert_ptr_nonnull(newline);
	*newline = '\0';
	line = json_loads(text, 0, &error);
	ck_assert_msg(line != NULL, "%s: %s", path, error.text);
	symbol = json_string_value(json_object_get(json_object_get(line, "product"), "symbol"));
	ck_assert_ptr_nonnull(symbol);
	snprintf(out, size, "%s", symbol);
	json_decref(line);
}

START_TEST(test_stress_database_matches_file)
{
	const char *name = scenarios[_i];
	const char *folder = getenv("LRT_DB_SCENARIOS");
	char path[1024], symbol[128];
	static lrt_test_process file_run, db_run, p;

	ck_assert_ptr_nonnull(folder);
	snprintf(path, sizeof(path), "%s/%s.jsonl", folder, name);
	product_symbol(symbol, sizeof(symbol), path);
	lrt_test_fresh_database();
	{
		const char *migrate[] = {"migrate", NULL};
		const char *create[] = {"product", "create", path, NULL};
		const char *ingest[] = {"ingest", path, NULL};
		const char *settle[] = {"settle", NULL};

		lrt_test_run_ok(&p, migrate);
		lrt_test_run_ok(&p, create);
		lrt_test_run_ok(&p, ingest);
		lrt_test_run(&p, settle);
		ck_assert_msg(p.status == 0 || p.status == 3, "settle %s: %d: %s", name,
			      p.status, p.err);
	}
	{
		const char *from_file[] = {
			"stress", path, "--slash", "p2p:eigenda:ETH:500000000000000000",
			"--slash", "p2p:eigenda:SOL:1000000000000000000",
			"--slash", "buffer:eigenda:ETH:1", "--slash", "figment:x:USDC:0", NULL
		};
		const char *from_db[] = {
			"stress", "--product", symbol, "--slash", "p2p:eigenda:ETH:500000000000000000",
			"--slash", "p2p:eigenda:SOL:1000000000000000000",
			"--slash", "buffer:eigenda:ETH:1", "--slash", "figment:x:USDC:0", NULL
		};

		lrt_test_run_ok(&file_run, from_file);
		lrt_test_run_ok(&db_run, from_db);
		ck_assert_msg(strcmp(file_run.out, db_run.out) == 0,
			      "%s: lrt stress FILE:\n%s\nlrt stress --product:\n%s", name,
			      file_run.out, db_run.out);
	}
	{
		const char *from_file[] = {"stress", path, NULL};
		const char *from_db[] = {"stress", "--product", symbol, NULL};

		lrt_test_run_ok(&file_run, from_file);
		lrt_test_run_ok(&db_run, from_db);
		ck_assert_msg(strcmp(file_run.out, db_run.out) == 0,
			      "%s: lrt stress FILE:\n%s\nlrt stress --product:\n%s", name,
			      file_run.out, db_run.out);
	}
}
END_TEST

Suite *stress_db_suite(void)
{
	Suite *suite = suite_create("stress_db");
	TCase *tc = tcase_create("database against file");

	tcase_set_timeout(tc, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_loop_test(tc, test_stress_database_matches_file, 0, SCENARIO_COUNT);
	suite_add_tcase(suite, tc);
	return suite;
}
