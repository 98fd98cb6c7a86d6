/*
 * check_stress_cli.c - `lrt stress FILE` (SPEC section 7) where the
 * scenario's settlement stops at a guard: the stress runs on the state after
 * the last settled epoch, with nothing of the stopped epoch (its events,
 * prices, configuration, allocations), and still exits 0; and on a
 * malformed scenario it exits 2 with nothing on standard output.
 *
 * Expected figures from the SPEC by hand or with python3 integers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/*
 * Epoch 0: ETH and stETH at 1; alice deposits 100e18 ETH, bob 10e18 stETH
 * (A = S = 110e18); 50e18 ETH go to p2p, eigenda is allocated 5e17 of it.
 * Epoch 1 stops at the guard (max_rate_change_bps 100): a config, a new
 * allocation of WAD, stETH at 0.5, a reward and a slash.
 */
static const char guarded_scenario[] =
	"{\"product\": {\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": "
	"[{\"symbol\": \"ETH\", \"decimals\": 18}, {\"symbol\": \"stETH\", \"decimals\": 18}], "
	"\"max_rate_change_bps\": 100}}\n"
	"{\"id\": \"p0\", \"epoch\": 0, \"type\": \"price\", \"asset\": \"stETH\", \"price\": \"1\"}\n"
	"{\"id\": \"d1\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"alice\", "
	"\"asset\": \"ETH\", \"amount\": \"100000000000000000000\"}\n"
	"{\"id\": \"d2\", \"epoch\": 0, \"type\": \"deposit\", \"holder\": \"bob\", "
	"\"asset\": \"stETH\", \"amount\": \"10000000000000000000\"}\n"
	"{\"id\": \"m1\", \"epoch\": 0, \"type\": \"move\", \"asset\": \"ETH\", "
	"\"amount\": \"50000000000000000000\", \"from\": \"buffer\", \"to\": \"p2p\"}\n"
	"{\"id\": \"a1\", \"epoch\": 0, \"type\": \"allocate\", \"operator\": \"p2p\", "
	"\"avs\": \"eigenda\", \"asset\": \"ETH\", \"magnitude\": \"500000000000000000\"}\n"
	"{\"id\": \"c1\", \"epoch\": 1, \"type\": \"config\", \"fee_bps\": 5000, "
	"\"max_rate_change_bps\": 9000}\n"
	"{\"id\": \"a2\", \"epoch\": 1, \"type\": \"allocate\", \"operator\": \"p2p\", "
	"\"avs\": \"eigenda\", \"asset\": \"ETH\", \"magnitude\": \"1000000000000000000\"}\n"
	"{\"id\": \"p1\", \"epoch\": 1, \"type\": \"price\", \"asset\": \"stETH\", \"price\": \"0.5\"}\n"
	"{\"id\": \"r1\", \"epoch\": 1, \"type\": \"reward\", \"source\": \"consensus\", "
	"\"location\": \"p2p\", \"asset\": \"ETH\", \"amount\": \"1000000000000000000\"}\n"
	"{\"id\": \"s1\", \"epoch\": 1, \"type\": \"slash\", \"operator\": \"p2p\", "
	"\"avs\": \"lagrange\", \"asset\": \"ETH\", \"amount\": \"10000000000000000000\"}\n";

static void write_scenario(char *path, size_t size, const char *text)
{
	char folder[1024];

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, size, "%s/scenario.jsonl", folder);
	lrt_test_write_file(path, text);
}

START_TEST(test_simulate_stops_at_guard)
{
	char path[1200];
	lrt_test_process run;

	write_scenario(path, sizeof(path), guarded_scenario);
	{
		const char *args[] = { "simulate", path, NULL };

		/* epoch 1: P = 50e18 + 41e18 + 10e18 * 0.5 = 96e18, so r1 =
		 * floor(1e18 * (96e18 + 1) / (110e18 + 1)) is 12.7% below r0;
		 * the guard in force after the epoch's last event is c1's
		 * 9000 bps, and the epoch passes */
		lrt_test_run(&run, args);
	}
	ck_assert_msg(run.status == 0, "simulate: %d: %s", run.status, run.err);
}
END_TEST

/* The same scenario without the config lifting the guard. */
static void guarded_path(char *path, size_t size)
{
	char *text = strdup(guarded_scenario);
	char *config = strstr(text, "{\"id\": \"c1\"");
	char *end = strchr(config, '\n');

	memmove(config, end + 1, strlen(end + 1) + 1);
	write_scenario(path, size, text);
	free(text);
}

START_TEST(test_stress_after_guard_stop)
{
	char path[1200];
	lrt_test_process run;

	guarded_path(path, sizeof(path));
	{
		const char *args[] = { "simulate", path, NULL };

		lrt_test_run(&run, args);
		ck_assert_int_eq(run.status, 3);
		/* the line of epoch 0 only, no final line */
		ck_assert_ptr_nonnull(strstr(run.out, "{\"epoch\": \"0\""));
		ck_assert_ptr_null(strstr(run.out, "{\"epoch\": \"1\""));
		ck_assert_ptr_null(strstr(run.out, "\"holders\""));
	}
	{
		const char *args[] = { "stress", path, NULL };

		/* no slash: epoch 1 with no event at all: A1 = 110e18, r1 = r0 */
		lrt_test_run(&run, args);
		ck_assert_msg(run.status == 0, "stress: %d: %s", run.status, run.err);
		ck_assert_str_eq(run.out,
			"{\"epoch\": \"1\", \"slashes\": [], \"loss_value\": \"0\", "
			"\"total_assets\": \"110000000000000000000\", "
			"\"total_shares\": \"110000000000000000000\", \"deferred\": \"0\", "
			"\"rate_before\": \"1000000000000000000\", "
			"\"rate\": \"1000000000000000000\", \"guard\": \"pass\"}\n");
	}
	{
		const char *args[] = { "stress", path, "--slash",
				       "p2p:eigenda:ETH:1000000000000000000", NULL };

		/* epoch 0's allocation: a = 5e17 of M = WAD, so d = 5e17 and
		 * q = ceil(50e18 * 5e17 / 1e18) = 25e18; stETH still at 1:
		 * A1 = 85e18, r1 = floor(1e18 * (85e18 + 1) / (110e18 + 1)) */
		lrt_test_run(&run, args);
		ck_assert_msg(run.status == 0, "stress: %d: %s", run.status, run.err);
		ck_assert_str_eq(run.out,
			"{\"epoch\": \"1\", \"slashes\": [{\"operator\": \"p2p\", "
			"\"avs\": \"eigenda\", \"asset\": \"ETH\", "
			"\"wad\": \"1000000000000000000\", \"loss\": \"25000000000000000000\"}], "
			"\"loss_value\": \"25000000000000000000\", "
			"\"total_assets\": \"85000000000000000000\", "
			"\"total_shares\": \"110000000000000000000\", \"deferred\": \"0\", "
			"\"rate_before\": \"1000000000000000000\", "
			"\"rate\": \"772727272727272727\", \"guard\": \"trip\"}\n");
	}
}
END_TEST

START_TEST(test_stress_of_malformed_scenario)
{
	char path[1200];
	lrt_test_process run;
	const char *args[] = { "stress", path, "--slash", "p2p:eigenda:ETH:1", NULL };

	write_scenario(path, sizeof(path),
		"{\"product\": {\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": "
		"[{\"symbol\": \"ETH\", \"decimals\": 18}]}}\n"
		"{\"id\": \"s1\", \"epoch\": 0, \"type\": \"slash\", \"operator\": \"p2p\", "
		"\"avs\": \"eigenda\", \"asset\": \"ETH\", \"wad\": \"1000000000000000001\"}\n");
	lrt_test_run(&run, args);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.out, "");
	ck_assert_msg(strstr(run.err, "scenario.jsonl:2:") != NULL, "%s", run.err);
}
END_TEST

Suite *stress_cli_suite(void)
{
	Suite *suite = suite_create("stress_cli");
	TCase *tc = tcase_create("lrt stress");

	tcase_set_timeout(tc, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(tc, test_simulate_stops_at_guard);
	tcase_add_test(tc, test_stress_after_guard_stop);
	tcase_add_test(tc, test_stress_of_malformed_scenario);
	suite_add_tcase(suite, tc);
	return suite;
}
