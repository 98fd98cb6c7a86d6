/*
 * check_dbpath.c - the database path end to end, through the `lrt` command:
 * every shared scenario put through product create, ingest, settle and
 * export gives exactly its expected output and `lrt verify` passes; a
 * settler killed at each write step leaves a state from which a rerun gives
 * the same figures; four settlers and two overlapping ingests at once leave
 * every epoch settled once and every event stored once; verify finds a
 * tampered book; --accept-rate lets a guarded epoch pass; products side by
 * side.
 *
 * The scenarios are read from $LRT_DB_SCENARIOS (the Makefile sets it: the
 * repository's copy of the SPEC's second edition).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"

#define SCENARIOS_MAX 64

static char scenario_names[SCENARIOS_MAX][LRT_TEST_SCENARIO_NAME_BYTES];
static int scenario_count;

static void scenario_path(char *out, size_t size, const char *name, const char *suffix)
{
	snprintf(out, size, "%s/%s%s", getenv("LRT_DB_SCENARIOS"), name, suffix);
}

static int expected_status(const char *name)
{
	char path[1024];
	FILE *file;
	int status = 0;

	scenario_path(path, sizeof(path), name, ".status");
	file = fopen(path, "r");
	if (file != NULL) {
		ck_assert_int_eq(fscanf(file, "%d", &status), 1);
		fclose(file);
	}
	return status;
}

/* Removes "reason" from every entry of "rejected": free text by the SPEC. */
static void drop_reasons(json_t *line)
{
	json_t *rejected = json_object_get(line, "rejected"), *item;
	size_t i;

	json_array_foreach(rejected, i, item)
		json_object_del(item, "reason");
}

/* JSON Lines text as an array of objects without the rejection reasons. */
static json_t *parse_lines(const char *text)
{
	json_t *lines = lrt_test_json_lines(text), *line;
	size_t i;

	json_array_foreach(lines, i, line)
		drop_reasons(line);
	return lines;
}

static char *read_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	long size;
	char *text;

	ck_assert_msg(file != NULL, "cannot open %s", path);
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fseek(file, 0, SEEK_SET);
	text = malloc((size_t)size + 1);
	ck_assert(text != NULL);
	ck_assert_int_eq(fread(text, 1, (size_t)size, file), (size_t)size);
	text[size] = '\0';
	fclose(file);
	return text;
}

/* Exported lines against the expected file; a guard scenario's expected
 * output has no final line, the export always has one. */
static void assert_export_matches(const char *name, const char *exported)
{
	char path[1024];
	char *expected_text;
	json_t *expected, *actual;
	size_t i;

	scenario_path(path, sizeof(path), name, ".expected.jsonl");
	expected_text = read_file(path);
	expected = parse_lines(expected_text);
	actual = parse_lines(exported);
	if (expected_status(name) == 3)
		json_array_remove(actual, json_array_size(actual) - 1);
	ck_assert_msg(json_array_size(actual) == json_array_size(expected),
		      "%s: export has %zu lines, expected %zu", name,
		      json_array_size(actual), json_array_size(expected));
	for (i = 0; i < json_array_size(expected); i++) {
		json_t *want = json_array_get(expected, i), *got = json_array_get(actual, i);

		if (!json_equal(want, got)) {
			char *w = json_dumps(want, JSON_COMPACT), *g = json_dumps(got, JSON_COMPACT);

			ck_abort_msg("%s line %zu:\n want %.600s\n got  %.600s", name, i + 1, w, g);
		}
	}
	json_decref(expected);
	json_decref(actual);
	free(expected_text);
}

/* migrate, product create, ingest; returns ingest's exit status. */
static int load_scenario(lrt_test_process *p, const char *path)
{
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};

	lrt_test_run_ok(p, migrate);
	lrt_test_run_ok(p, create);
	lrt_test_run(p, ingest);
	return p->status;
}

/* ---- every scenario through the database ----------------------------------------- */

/* No scenario found must fail, not pass by running nothing. */
START_TEST(test_scenarios_found)
{
	ck_assert_msg(scenario_count >= 23, "found %d scenarios under $LRT_DB_SCENARIOS",
		      scenario_count);
}
END_TEST

START_TEST(test_scenario)
{
	const char *name = scenario_names[_i];
	const char *settle[] = {"settle", NULL};
	const char *export[] = {"export", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024];
	int status = expected_status(name);
	PGconn *conn;

	scenario_path(path, sizeof(path), name, ".jsonl");
	if (status == 2) {
		/* malformed input: the bad line is kept aside, the rest loads */
		ck_assert_int_eq(load_scenario(&p, path), 2);
		ck_assert_msg(strstr(p.err, ":4:") != NULL, "no line 4 in: %s", p.err);
		conn = lrt_test_connect();
		ck_assert_str_eq(lrt_test_value(conn,
			"SELECT string_agg(source_line::text, ',') FROM lrt.ingest_rejects"), "4");
		PQfinish(conn);
		return;
	}
	ck_assert_msg(load_scenario(&p, path) == 0, "ingest %s: %s", name, p.err);
	lrt_test_run(&p, settle);
	ck_assert_msg(p.status == status, "settle %s exited %d, expected %d: %s",
		      name, p.status, status, p.err);
	if (status == 3)
		ck_assert_msg(strstr(p.err, " from 1.054999999999999999 ETH to"
				     " 1.034999999999999999 ETH, ") != NULL,
			      "the guard names both rates: %s", p.err);
	lrt_test_run_ok(&p, export);
	assert_export_matches(name, p.out);
	lrt_test_run_ok(&p, verify);
	ck_assert_msg(strstr(p.out, ", 0 differences") != NULL, "%s", p.out);
}
END_TEST

/* ---- crash safety ---------------------------------------------------------------- */

/* Each write step of the settler, killed at the 7th epoch of scenario 13. */
static const char *const failpoints[] = {
	"loaded", "journal", "holders", "requests", "positions", "epoch",
	"rejections", "state", "commit",
};

START_TEST(test_crash_then_rerun)
{
	const char *name = "13-realistic-erc4626-eth-usdc";
	const char *settle[] = {"settle", NULL};
	const char *export[] = {"export", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024], failpoint[64];
	PGconn *conn;

	scenario_path(path, sizeof(path), name, ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	snprintf(failpoint, sizeof(failpoint), "%s@7", failpoints[_i]);
	setenv("LRT_FAILPOINT", failpoint, 1);
	lrt_test_run(&p, settle);
	unsetenv("LRT_FAILPOINT");
	ck_assert_msg(p.status == 128 + 9, "settle with %s exited %d: %s", failpoint,
		      p.status, p.err);
	conn = lrt_test_connect();
	/* six epochs committed, the seventh died with nothing of it written */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"), "5");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.epochs"), "6");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM lrt.journal WHERE epoch > 5"), "0");
	PQfinish(conn);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, export);
	assert_export_matches(name, p.out);
	lrt_test_run_ok(&p, verify);
}
END_TEST

/* ---- verify finds what does not add up --------------------------------------------- */

/* The second edition's stored state: the high-water mark, reconciliations
 * and EigenLayer's magnitudes are checked against the replay too. */
START_TEST(test_verify_finds_tampered_second_edition_state)
{
	const char *settle[] = {"settle", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024];
	PGconn *conn;

	scenario_path(path, sizeof(path), "19-fee-high-water-mark", ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, verify);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "UPDATE lrt.product_state"
		      "   SET high_water_mark_assets = high_water_mark_assets + 1");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: high-water mark: stored ") != NULL,
		      "%s", p.out);
	PQfinish(conn);

	lrt_test_fresh_database();
	scenario_path(path, sizeof(path), "18-attest-reconciliation", ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, verify);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "UPDATE lrt.reconciliations SET book = book + 1,"
		      " difference = difference - 1 WHERE event_id = 't2'");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: epoch 0: attest t2: stored (ETH, kiln) book "
			     "6000000000000000001 observed 6000000000000000003, replay (ETH, kiln)"
			     " book 6000000000000000000") != NULL, "%s", p.out);
	lrt_test_exec(conn, "DELETE FROM lrt.reconciliations WHERE event_id = 't2'");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "replay reconciles attest t2, the database does not")
		      != NULL, "%s", p.out);
	PQfinish(conn);

	/* EigenLayer's magnitudes */
	lrt_test_fresh_database();
	scenario_path(path, sizeof(path), "16-allocations-wad-slash", ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, verify);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "UPDATE lrt.allocations SET magnitude = magnitude + 1"
		      " WHERE operator = 'kiln' AND avs = 'eigenda' AND asset = 'ETH'");
	lrt_test_exec(conn, "UPDATE lrt.stakes SET max_magnitude = max_magnitude - 1"
		      " WHERE operator = 'p2p'");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: allocation: stored kiln/ETH/eigenda = "
			     "200000000000000001, replay kiln/ETH/eigenda = 200000000000000000")
		      != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: max magnitude: stored p2p/ETH = ") != NULL,
		      "%s", p.out);
	PQfinish(conn);
}
END_TEST

START_TEST(test_verify_finds_a_tampered_book)
{
	const char *settle[] = {"settle", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024];
	PGconn *conn;

	scenario_path(path, sizeof(path), "07-withdraw-cap", ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, verify);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "UPDATE lrt.holders SET shares = shares + 1 WHERE holder = 'alice'");
	lrt_test_exec(conn, "UPDATE lrt.epochs SET rate = rate - 1 WHERE epoch = 3");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: journal: ledger -1 holder alice: stored "
			     "50000000000000000001, journal says 50000000000000000000") != NULL,
		      "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: epoch 3: rate: stored 911999999999999999, "
			     "replay 912000000000000000") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: holder alice: stored 50000000000000000001, "
			     "replay 50000000000000000000") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "NOT verified") != NULL, "%s", p.out);
	/* an event slipped into a settled epoch was never applied */
	lrt_test_exec(conn, "UPDATE lrt.holders SET shares = shares - 1 WHERE holder = 'alice'");
	lrt_test_exec(conn, "UPDATE lrt.epochs SET rate = rate + 1 WHERE epoch = 3");
	lrt_test_run_ok(&p, verify);
	/* settlement reads the typed columns: each must be what its event says */
	lrt_test_exec(conn, "UPDATE lrt.inbox SET amount = amount + 1 WHERE event_id = 'd1'");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: inbox event d1: amount is "
			     "100000000000000000001, but its event says 100000000000000000000")
		      != NULL, "%s", p.out);
	lrt_test_exec(conn, "UPDATE lrt.inbox SET amount = amount - 1 WHERE event_id = 'd1'");
	lrt_test_exec(conn, "UPDATE lrt.inbox SET type = 'claim' WHERE event_id = 'd1'");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: inbox event d1: type is claim, but its event"
			     " says deposit") != NULL, "%s", p.out);
	lrt_test_exec(conn, "UPDATE lrt.inbox SET type = 'deposit' WHERE event_id = 'd1'");
	lrt_test_run_ok(&p, verify);
	/* what the hot tables carry no foreign key or primary key for */
	lrt_test_exec(conn, "UPDATE lrt.product_state SET last_entry = last_entry + 1");
	lrt_test_exec(conn, "INSERT INTO lrt.withdrawal_requests (product_id, request_id,"
		      " queue_position, holder, shares, cap, request_epoch, status, payout,"
		      " finalized_epoch, claim_event_id) VALUES (1, 'ghost', 99, 'alice', 1, 1,"
		      " 0, 'claimed', 1, 77, 'ghost-claim')");
	lrt_test_exec(conn, "INSERT INTO lrt.journal SELECT * FROM lrt.journal"
		      " WHERE entry = 1 AND leg = 0");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "difference: journal: entry 1 leg 0 is written 2 times")
		      != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: request ghost: its withdraw event, which")
		      != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: request ghost: claim event ghost-claim, which")
		      != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: request ghost: settled epoch 77, which")
		      != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "difference: state: last journal entry ") != NULL,
		      "%s", p.out);
	lrt_test_exec(conn, "DELETE FROM lrt.withdrawal_requests WHERE request_id = 'ghost'");
	lrt_test_exec(conn, "UPDATE lrt.product_state SET last_entry = last_entry - 1");
	lrt_test_exec(conn, "INSERT INTO lrt.inbox (product_id, event_id, epoch, type, asset, price,"
		      " event) VALUES (1, 'late', 2, 'price', 'stETH', 1, '{\"id\": \"late\","
		      " \"type\": \"price\", \"epoch\": 2, \"asset\": \"stETH\", \"price\": \"1\"}')");
	lrt_test_run(&p, verify);
	ck_assert_int_eq(p.status, 4);
	ck_assert_msg(strstr(p.out, "epoch 2 settled 1 events, but the inbox holds 2 for it")
		      != NULL, "%s", p.out);
	PQfinish(conn);
}
END_TEST

/* ---- the guard, and accepting a rate ------------------------------------------------ */

START_TEST(test_accept_rate_lets_the_epoch_pass)
{
	const char *settle[] = {"settle", NULL};
	const char *accept[] = {"settle", "--accept-rate", "1034999999999999999", NULL};
	const char *bad[] = {"settle", "--accept-rate", "1.5", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p;
	char path[1024];
	PGconn *conn;

	scenario_path(path, sizeof(path), "10-guard-trip", ".jsonl");
	ck_assert_int_eq(load_scenario(&p, path), 0);
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 3);
	lrt_test_run(&p, bad);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run_ok(&p, accept);
	conn = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"), "4");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT rate FROM lrt.epochs WHERE epoch = 3"),
			 "1034999999999999999");
	/* the stop is on record, once, with both rates */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(concat_ws(' ', epoch,"
		" rate_before, rate_after, tripped_by), ',') FROM lrt.guard_trips"),
		"3 1054999999999999999 1034999999999999999 postgres");
	/* the decision stays on record, in the inbox */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT event->>'rate' || ' ' || source_file"
		" FROM lrt.inbox WHERE type = 'accept' AND epoch = 3 AND event_id LIKE 'accept:%'"),
		"1034999999999999999 lrt settle --accept-rate");
	PQfinish(conn);
	lrt_test_run_ok(&p, verify);
}
END_TEST

/* ---- products side by side ----------------------------------------------------------- */

START_TEST(test_products_side_by_side)
{
	const char *migrate[] = {"migrate", NULL};
	const char *list[] = {"product", "list", NULL};
	const char *settle[] = {"settle", NULL};
	const char *settle_one[] = {"settle", "--product", "eETH", NULL};
	const char *show[] = {"product", "show", "eETH", "--format", "json", NULL};
	static lrt_test_process p;
	char first[1024], second[1024];
	const char *create_first[] = {"product", "create", first, NULL};
	const char *create_second[] = {"product", "create", second, "--settle-lag", "60", NULL};
	const char *ingest_second[] = {"ingest", "--product", "eETH", second, NULL};
	const char *unknown[] = {"product", "show", "nope", NULL};

	scenario_path(first, sizeof(first), "01-erc4626-offset0", ".jsonl");
	scenario_path(second, sizeof(second), "03-plain-first-deposit", ".jsonl");
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create_first);
	lrt_test_run_ok(&p, create_second);
	lrt_test_run(&p, create_first);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "product rstETH exists already") != NULL, "%s", p.err);
	lrt_test_run_ok(&p, list);
	ck_assert_msg(strstr(p.out, "eETH") != NULL && strstr(p.out, "rstETH") != NULL,
		      "%s", p.out);
	lrt_test_run_ok(&p, ingest_second);
	/* two products: a command must be told which */
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "several products") != NULL, "%s", p.err);
	lrt_test_run_ok(&p, settle_one);
	lrt_test_run_ok(&p, show);
	ck_assert_msg(strstr(p.out, "\"settled_epoch\": 4") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "\"settle_lag_seconds\": 60") != NULL, "%s", p.out);
	lrt_test_run(&p, unknown);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "no product nope") != NULL, "%s", p.err);
}
END_TEST

/* ---- concurrency -------------------------------------------------------------------- */

/* Splits a scenario's events into two overlapping files (each with the
 * product line): the first 70% and the last 70%.  *events_out: distinct ids
 * (a scenario may repeat a line, which is one event). */
static void split_scenario(const char *path, const char *first, const char *second,
			   int *events_out)
{
	json_t *ids = json_object();
	char *text = read_file(path), *line, *save = NULL;
	char **lines = calloc(100000, sizeof(*lines));
	int count = 0, i;
	FILE *a = fopen(first, "w"), *b = fopen(second, "w");

	ck_assert(lines != NULL && a != NULL && b != NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL && count < 100000;
	     line = strtok_r(NULL, "\n", &save))
		lines[count++] = line;
	fprintf(a, "%s\n", lines[0]);
	fprintf(b, "%s\n", lines[0]);
	for (i = 1; i < count; i++) {
		json_t *event = json_loads(lines[i], 0, NULL);

		ck_assert(event != NULL);
		json_object_set_new(ids, json_string_value(json_object_get(event, "id")),
				    json_true());
		json_decref(event);
		if (i <= count * 7 / 10)
			fprintf(a, "%s\n", lines[i]);
		if (i >= count * 3 / 10)
			fprintf(b, "%s\n", lines[i]);
	}
	fclose(a);
	fclose(b);
	*events_out = (int)json_object_size(ids);
	json_decref(ids);
	free(lines);
	free(text);
}

/*
 * The product of a split scenario with the settlement guard off: events
 * arrive here in any order, and a settler that finds an epoch's events
 * half ingested may see its rate move past the guard, which is the guard
 * doing its job, not what this test is about.
 */
static void guard_off(char *out, size_t size, const char *scenario, const char *folder)
{
	char *text = read_file(scenario);
	json_t *first;
	FILE *file;

	*strchr(text, '\n') = '\0';
	first = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(first);
	json_object_set_new(json_object_get(first, "product"), "max_rate_change_bps",
			    json_integer(0));
	snprintf(out, size, "%s/product.jsonl", folder);
	file = fopen(out, "w");
	ck_assert_ptr_nonnull(file);
	ck_assert_int_eq(json_dumpf(first, file, JSON_COMPACT), 0);
	fputc('\n', file);
	fclose(file);
	json_decref(first);
	free(text);
}

START_TEST(test_concurrent_settle_and_ingest)
{
	const char *name = "14-realistic-erc4626-sol";
	const char *migrate[] = {"migrate", NULL};
	const char *settle[] = {"settle", NULL};
	const char *verify[] = {"verify", NULL};
	static lrt_test_process p, workers[6];
	char path[1024], folder[1024], first[1100], second[1100], product[1100];
	const char *create[] = {"product", "create", product, NULL};
	const char *ingest_first[] = {"ingest", first, NULL};
	const char *ingest_second[] = {"ingest", second, NULL};
	char count[32];
	PGconn *conn;
	int events, i;

	scenario_path(path, sizeof(path), name, ".jsonl");
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(first, sizeof(first), "%s/first.jsonl", folder);
	snprintf(second, sizeof(second), "%s/second.jsonl", folder);
	split_scenario(path, first, second, &events);
	guard_off(product, sizeof(product), first, folder);
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_spawn(&workers[0], ingest_first);
	lrt_test_spawn(&workers[1], ingest_second);
	for (i = 2; i < 6; i++)
		lrt_test_spawn(&workers[i], settle);
	for (i = 0; i < 6; i++) {
		lrt_test_wait(&workers[i]);
		/* an ingest may find events of epochs a settler finished: exit 2 */
		ck_assert_msg(workers[i].status == 0 || (i < 2 && workers[i].status == 2),
			      "worker %d exited %d: %s", i, workers[i].status, workers[i].err);
	}
	lrt_test_run_ok(&p, settle);
	conn = lrt_test_connect();
	/* every event once: in the inbox, or kept aside as late */
	snprintf(count, sizeof(count), "%d", events);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM (SELECT event_id FROM lrt.inbox UNION"
		" SELECT (raw::jsonb)->>'id' FROM lrt.ingest_rejects) ids"), count);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) - count(DISTINCT event_id) FROM lrt.inbox"), "0");
	/* every epoch once, none skipped */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) = max(epoch) + 1 AND count(*) = count(DISTINCT epoch)"
		"       AND max(epoch) = (SELECT settled_epoch FROM lrt.product_state)"
		"  FROM lrt.epochs"), "t");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT settled_epoch FROM lrt.product_state"), "89");
	PQfinish(conn);
	lrt_test_run_ok(&p, verify);
}
END_TEST

Suite *dbpath_suite(void)
{
	Suite *suite = suite_create("dbpath");
	TCase *scenarios = tcase_create("scenarios");
	TCase *crash = tcase_create("crash");
	TCase *concurrency = tcase_create("concurrency");
	TCase *operations = tcase_create("operations");

	scenario_count = lrt_test_find_scenarios(scenario_names, SCENARIOS_MAX);
	tcase_add_checked_fixture(scenarios, lrt_test_fresh_database, NULL);
	tcase_set_timeout(scenarios, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(scenarios, test_scenarios_found);
	tcase_add_loop_test(scenarios, test_scenario, 0, scenario_count);
	suite_add_tcase(suite, scenarios);
	tcase_add_checked_fixture(crash, lrt_test_fresh_database, NULL);
	tcase_set_timeout(crash, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_loop_test(crash, test_crash_then_rerun, 0,
			    (int)(sizeof(failpoints) / sizeof(failpoints[0])));
	suite_add_tcase(suite, crash);
	tcase_add_checked_fixture(concurrency, lrt_test_fresh_database, NULL);
	tcase_set_timeout(concurrency, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(concurrency, test_concurrent_settle_and_ingest);
	tcase_add_checked_fixture(operations, lrt_test_fresh_database, NULL);
	tcase_set_timeout(operations, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(operations, test_verify_finds_a_tampered_book);
	tcase_add_test(operations, test_verify_finds_tampered_second_edition_state);
	tcase_add_test(operations, test_accept_rate_lets_the_epoch_pass);
	tcase_add_test(operations, test_products_side_by_side);
	suite_add_tcase(suite, operations);
	suite_add_tcase(suite, concurrency);
	return suite;
}
