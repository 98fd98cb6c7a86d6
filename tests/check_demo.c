/*
 * check_demo.c - `lrt demo generate` and the history `make demo` shows:
 * the same options write the same bytes and another seed other bytes; the
 * history settles in `lrt simulate` with exit 0, its rate rising with the
 * rewards and falling at the slash only, its only rejections the claims it
 * makes too early on purpose; it holds the second edition's events
 * (allocations and their changes, slashes by wad of allocated AVSs, attests
 * of which exactly one is off the book, a points program and a config
 * adding another), and `lrt simulate` reconciles it with exactly that one
 * break; a smaller history through the database (product create, ingest,
 * settle --through, export) gives exactly the figures of `lrt simulate`,
 * which `lrt verify` confirms; and tests/demo.sh, which `make demo` runs,
 * works on that history, twice, shows its slash, reconciliation,
 * concentration, stress and points as lrt computes them, and cleans up.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmp.h>
#include <jansson.h>

#include "helpers.h"

/* The database test's history: small, and still with every feature. */
#define SMALL_SEED "3"
#define SMALL_EPOCHS "24"
#define SMALL_LAST_EPOCH "23"
#define SMALL_HOLDERS "60"


static const char *string_of(const json_t *object, const char *key)
{
	const char *text = json_string_value(json_object_get(object, key));

	ck_assert_msg(text != NULL, "no string \"%s\" in %s", key,
		      json_dumps(object, JSON_COMPACT));
	return text;
}

static const char *type_of(const json_t *event)
{
	return string_of(event, "type");
}

/*
 * The epoch of the scenario's one slashing: at least one slash, all in one
 * epoch, all by wad (no amount), of one operator by one AVS with one wad,
 * each of an asset that AVS had an allocation of (an earlier allocate with
 * a magnitude above 0).
 */
static long slash_epoch(const json_t *scenario)
{
	const json_t *event, *first = NULL;
	long epoch = -1;
	int slashes = 0;
	size_t i;

	json_array_foreach(scenario, i, event) {
		if (i == 0 || strcmp(type_of(event), "slash") != 0)
			continue;
		ck_assert_msg(json_object_get(event, "amount") == NULL, "a slash by amount");
		string_of(event, "wad");
		if (first == NULL) {
			first = event;
			epoch = (long)json_integer_value(json_object_get(event, "epoch"));
		}
		ck_assert_int_eq(json_integer_value(json_object_get(event, "epoch")), epoch);
		ck_assert_str_eq(string_of(event, "operator"), string_of(first, "operator"));
		ck_assert_str_eq(string_of(event, "avs"), string_of(first, "avs"));
		ck_assert_str_eq(string_of(event, "wad"), string_of(first, "wad"));
		ck_assert_msg(strcmp(string_of(event, "wad"), "0") != 0, "a slash of wad 0");
		slashes++;
	}
	ck_assert_msg(slashes >= 1, "no slash");
	json_array_foreach(scenario, i, event) {
		const json_t *allocate;
		size_t j;
		bool allocated = false;

		if (i == 0 || strcmp(type_of(event), "slash") != 0)
			continue;
		for (j = 1; j < i; j++) {
			allocate = json_array_get(scenario, j);
			if (strcmp(type_of(allocate), "allocate") == 0 &&
			    strcmp(string_of(allocate, "operator"), string_of(event, "operator")) == 0 &&
			    strcmp(string_of(allocate, "avs"), string_of(event, "avs")) == 0 &&
			    strcmp(string_of(allocate, "asset"), string_of(event, "asset")) == 0)
				allocated = strcmp(string_of(allocate, "magnitude"), "0") != 0;
		}
		ck_assert_msg(allocated, "line %zu slashes %s's %s for %s, not allocated to it",
			      i + 1, string_of(event, "operator"), string_of(event, "asset"),
			      string_of(event, "avs"));
	}
	return epoch;
}

static size_t count_type(const json_t *scenario, const char *type)
{
	const json_t *event;
	size_t i, count = 0;

	json_array_foreach(scenario, i, event)
		count += i > 0 && strcmp(type_of(event), type) == 0;
	return count;
}

/*
 * The second edition's parts of a history of `epochs` epochs: every
 * operator allocates its ETH, stETH and rETH to eigenda and two other AVSs
 * at epoch 0 (27 allocations, four AVSs in all), with `changes` allocations
 * changed later; more attests than epochs; the product's "loyalty" points
 * program, and one config, at epoch epochs / 3, naming it and "eigenlayer".
 */
static void assert_second_edition(const json_t *scenario, long epochs, size_t changes)
{
	const json_t *product = json_object_get(json_array_get(scenario, 0), "product");
	const json_t *points = json_object_get(product, "points");
	const json_t *event, *config = NULL;
	const char *avs[8] = { NULL };
	size_t i, j, first = 0, later = 0, avs_count = 0, eigenda = 0;

	json_array_foreach(scenario, i, event) {
		if (i == 0 || strcmp(type_of(event), "allocate") != 0) {
			if (i > 0 && strcmp(type_of(event), "config") == 0) {
				ck_assert_ptr_null(config);
				config = event;
			}
			continue;
		}
		if (json_integer_value(json_object_get(event, "epoch")) == 0)
			first++;
		else
			later++;
		eigenda += strcmp(string_of(event, "avs"), "eigenda") == 0;
		for (j = 0; j < avs_count && strcmp(avs[j], string_of(event, "avs")) != 0; j++)
			;
		if (j == avs_count) {
			ck_assert_uint_lt(avs_count, 8);
			avs[avs_count++] = string_of(event, "avs");
		}
		string_of(event, "operator");
		string_of(event, "asset");
		string_of(event, "magnitude");
	}
	ck_assert_uint_eq(first, 27);
	ck_assert_uint_eq(later, changes);
	ck_assert_uint_eq(avs_count, 4);
	ck_assert_uint_ge(eigenda, 9);
	ck_assert_msg(count_type(scenario, "attest") > (size_t)epochs, "%zu attests",
		      count_type(scenario, "attest"));
	ck_assert_uint_eq(json_array_size(points), 1);
	ck_assert_str_eq(string_of(json_array_get(points, 0), "name"), "loyalty");
	ck_assert_str_eq(string_of(json_array_get(points, 0), "per_share_epoch"), "1");
	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(json_integer_value(json_object_get(config, "epoch")), epochs / 3);
	points = json_object_get(config, "points");
	ck_assert_uint_eq(json_array_size(points), 2);
	ck_assert_str_eq(string_of(json_array_get(points, 0), "name"), "loyalty");
	ck_assert_str_eq(string_of(json_array_get(points, 1), "name"), "eigenlayer");
	ck_assert_str_eq(string_of(json_array_get(points, 1), "per_share_epoch"), "24");
}

/* The one reconciliation that does not match, of lrt simulate's (or
 * export's) epoch lines. */
typedef struct {
	char epoch[32], id[128], asset[16], location[64], book[96], observed[96];
	char difference[96];
} demo_break;

/*
 * Every attest of the scenario reconciled, in order, and exactly one
 * difference not 0: a whole number of gwei, 100 to 9,999 of them, the
 * observed amount of the scenario's attest of that id.
 */
static void find_break(demo_break *out, const json_t *epochs, const json_t *scenario)
{
	const json_t *line, *r;
	size_t i, j, k = 1, count = 0, breaks = 0;
	mpz_t difference, gwei;

	memset(out, 0, sizeof(*out));
	json_array_foreach(epochs, i, line) {
		json_array_foreach(json_object_get(line, "reconciliation"), j, r) {
			const json_t *attest;

			while (k < json_array_size(scenario) &&
			       strcmp(type_of(json_array_get(scenario, k)), "attest") != 0)
				k++;
			ck_assert_uint_lt(k, json_array_size(scenario));
			attest = json_array_get(scenario, k++);
			ck_assert_str_eq(string_of(r, "id"), string_of(attest, "id"));
			ck_assert_str_eq(string_of(r, "observed"), string_of(attest, "amount"));
			count++;
			if (strcmp(string_of(r, "difference"), "0") == 0)
				continue;
			breaks++;
			snprintf(out->epoch, sizeof(out->epoch), "%s", string_of(line, "epoch"));
			snprintf(out->id, sizeof(out->id), "%s", string_of(r, "id"));
			snprintf(out->asset, sizeof(out->asset), "%s", string_of(r, "asset"));
			snprintf(out->location, sizeof(out->location), "%s", string_of(r, "location"));
			snprintf(out->book, sizeof(out->book), "%s", string_of(r, "book"));
			snprintf(out->observed, sizeof(out->observed), "%s", string_of(r, "observed"));
			snprintf(out->difference, sizeof(out->difference), "%s",
				 string_of(r, "difference"));
		}
	}
	ck_assert_uint_eq(count, count_type(scenario, "attest"));
	ck_assert_uint_eq(breaks, 1);
	mpz_inits(difference, gwei, NULL);
	ck_assert_int_eq(mpz_set_str(difference, out->difference, 10), 0);
	mpz_abs(difference, difference);
	ck_assert_msg(mpz_divisible_ui_p(difference, 1000000000), "%s", out->difference);
	mpz_fdiv_q_ui(gwei, difference, 1000000000);
	ck_assert_msg(mpz_cmp_ui(gwei, 100) >= 0 && mpz_cmp_ui(gwei, 9999) <= 0,
		      "off by %s wei", out->difference);
	mpz_clears(difference, gwei, NULL);
}

/* rate of epoch line i as a number */
static void rate_of(mpz_t out, const json_t *epochs, size_t i)
{
	ck_assert_int_eq(mpz_set_str(out, string_of(json_array_get(epochs, i), "rate"), 10), 0);
}

/* ---- the generator ------------------------------------------------------------- */

START_TEST(test_same_seed_same_bytes)
{
	const char *seven[] = { "demo", "generate", "--seed", "7", "--epochs", "30",
		"--holders", "50", NULL };
	const char *seven_again[] = { "demo", "generate", "--holders", "50",
		"--epochs", "30", "--seed", "7", NULL };
	const char *eight[] = { "demo", "generate", "--seed", "8", "--epochs", "30",
		"--holders", "50", NULL };
	lrt_test_process a, b, c;

	lrt_test_run_ok(&a, seven);
	lrt_test_run_ok(&b, seven_again);
	lrt_test_run_ok(&c, eight);
	ck_assert_str_eq(a.err, "");
	ck_assert_msg(strlen(a.out) > 10000, "a short history: %zu bytes", strlen(a.out));
	ck_assert_msg(strcmp(a.out, b.out) == 0, "seed 7 wrote two different histories");
	ck_assert_msg(strcmp(a.out, c.out) != 0, "seeds 7 and 8 wrote the same history");
}
END_TEST

START_TEST(test_output_file_holds_the_same_bytes)
{
	const char *to_stdout[] = { "demo", "generate", "--epochs", "12", "--holders",
		"20", NULL };
	lrt_test_process p, q;
	char folder[4096], path[4200], *written;
	const char *to_file[] = { "demo", "generate", "--epochs", "12", "--holders",
		"20", "--output", path, NULL };
	FILE *file;
	long size;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/history.jsonl", folder);
	lrt_test_run_ok(&p, to_stdout);
	lrt_test_run_ok(&q, to_file);
	ck_assert_str_eq(q.out, "");
	ck_assert_msg(strncmp(q.err, "wrote ", 6) == 0 && strstr(q.err, " events over "
		      "epochs 0..11, 20 holders, seed 1;") != NULL, "summary: %s", q.err);
	file = fopen(path, "rb");
	ck_assert_ptr_nonnull(file);
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	written = calloc(1, (size_t)size + 1);
	ck_assert_ptr_nonnull(written);
	ck_assert_int_eq(fread(written, 1, (size_t)size, file), (size_t)size);
	fclose(file);
	ck_assert_msg(strcmp(written, p.out) == 0, "--output wrote other bytes than stdout");
	free(written);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const char *const bad[][8] = {
		{ "demo", NULL },
		{ "demo", "make", NULL },
		{ "demo", "generate", "--epochs", "0", NULL },
		{ "demo", "generate", "--epochs", "3651", NULL },
		{ "demo", "generate", "--holders", "x", NULL },
		{ "demo", "generate", "--seed", "-1", NULL },
		{ "demo", "generate", "--seed", "18446744073709551616", NULL },
		{ "demo", "generate", "--color", NULL },
		{ "demo", "generate", "extra", NULL },
		{ "demo", "generate", "--output", NULL },
	};
	const char *help[] = { "help", "demo", NULL };
	lrt_test_process p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lrt_test_run(&p, bad[i]);
		ck_assert_msg(p.status == 2, "case %zu exited %d", i, p.status);
		ck_assert_str_eq(p.out, "");
		ck_assert_msg(strncmp(p.err, "lrt demo: ", 10) == 0 &&
			      strstr(p.err, ". Try \"lrt ") != NULL, "case %zu: %s", i, p.err);
	}
	lrt_test_run_ok(&p, help);
	ck_assert_msg(strncmp(p.out, "Usage: lrt demo generate [--seed N] [--epochs E] "
			      "[--holders H] [--output FILE]\n", 76) == 0, "%s", p.out);
}
END_TEST

/* Each event line: id, type, epoch, time and seq, seq rising through the
 * file, so that events apply in the order written. */
static void assert_events_ordered(const json_t *scenario)
{
	json_int_t last_seq = -1, last_epoch = 0;
	const json_t *event;
	size_t i;

	ck_assert_ptr_nonnull(json_object_get(json_array_get(scenario, 0), "product"));
	json_array_foreach(scenario, i, event) {
		json_int_t seq = json_integer_value(json_object_get(event, "seq"));
		json_int_t epoch = json_integer_value(json_object_get(event, "epoch"));

		if (i == 0)
			continue;
		ck_assert_msg(strncmp(string_of(event, "id"), "0x", 2) == 0, "line %zu", i + 1);
		string_of(event, "type");
		string_of(event, "time");
		ck_assert_msg(seq > last_seq, "line %zu: seq %lld after %lld", i + 1,
			      (long long)seq, (long long)last_seq);
		ck_assert_msg(epoch >= last_epoch, "line %zu: epoch %lld", i + 1,
			      (long long)epoch);
		last_seq = seq;
		last_epoch = epoch;
	}
}

/* Every rejected event is a claim of the history (made too early). */
static void assert_only_claims_rejected(const json_t *epochs, const char *scenario_text)
{
	const json_t *line, *rejected;
	size_t i, j, count = 0;
	char needle[256];

	json_array_foreach(epochs, i, line) {
		json_array_foreach(json_object_get(line, "rejected"), j, rejected) {
			snprintf(needle, sizeof(needle), "{\"id\": \"%s\", \"type\": \"claim\"",
				 string_of(rejected, "id"));
			ck_assert_msg(strstr(scenario_text, needle) != NULL,
				      "rejected, and not a claim: %s", needle);
			ck_assert_ptr_nonnull(strstr(string_of(rejected, "reason"), "not finalized"));
			count++;
		}
	}
	ck_assert_msg(count >= 1, "no claim made too early");
}

/* The allocation changes a summary line names: "... (N changes); ...". */
static size_t summary_changes(const char *summary)
{
	const char *at = strstr(summary, " allocations (");
	size_t changes = 0;

	ck_assert_msg(at != NULL && sscanf(at, " allocations (%zu changes)", &changes) == 1,
		      "summary: %s", summary);
	return changes;
}

/* The summary names the break lrt simulate found. */
static void assert_summary_break(const char *summary, const demo_break *b)
{
	char said[256];

	snprintf(said, sizeof(said), "one off: %s at %s, epoch %s, by %s wei;", b->asset,
		 b->location, b->epoch, b->difference);
	ck_assert_msg(strstr(summary, said) != NULL, "no \"%s\" in: %s", said, summary);
}

/* The final line: both points programs credited, and every operator's
 * stake exposed to eigenda. */
static void assert_points_and_exposure(const json_t *final)
{
	const json_t *points = json_object_get(final, "points");
	const json_t *operators = json_object_get(json_object_get(final, "exposure"), "operators");
	static const char *const names[] = { "p2p", "kiln", "figment" };
	size_t i;

	ck_assert_uint_eq(json_object_size(points), 2);
	ck_assert_uint_gt(json_object_size(json_object_get(points, "loyalty")), 10);
	ck_assert_uint_gt(json_object_size(json_object_get(points, "eigenlayer")), 10);
	ck_assert_uint_eq(json_object_size(operators), 3);
	for (i = 0; i < 3; i++)
		string_of(json_object_get(json_object_get(operators, names[i]), "avs"), "eigenda");
	string_of(json_object_get(final, "exposure"), "hhi_bps");
}

/* The history `make demo` shows: default options. */
START_TEST(test_demo_history_settles)
{
	char folder[4096], path[4200];
	const char *generate[] = { "demo", "generate", "--output", path, NULL };
	const char *simulate[] = { "simulate", path, NULL };
	lrt_test_process g, s;
	json_t *scenario, *epochs;
	size_t count, i;
	demo_break found;
	long slash;
	mpz_t rate, before;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/demo.jsonl", folder);
	lrt_test_run_ok(&g, generate);
	lrt_test_run_ok(&s, simulate);
	scenario = lrt_test_json_lines(lrt_test_read_file(path, NULL));
	epochs = lrt_test_json_lines(s.out);
	assert_events_ordered(scenario);
	count = json_array_size(epochs) - 1;          /* the last is the final line */
	ck_assert_int_eq(count, 90);
	ck_assert_ptr_nonnull(json_object_get(json_array_get(epochs, count), "holders"));
	slash = slash_epoch(scenario);
	ck_assert_int_eq(slash, 45);
	ck_assert_uint_eq(count_type(scenario, "slash"), 3);
	mpz_inits(rate, before, NULL);
	for (i = 1; i < count; i++) {
		rate_of(before, epochs, i - 1);
		rate_of(rate, epochs, i);
		if ((long)i == slash)
			ck_assert_msg(mpz_cmp(rate, before) < 0, "the slash did not lower the rate");
		else
			ck_assert_msg(mpz_cmp(rate, before) >= 0, "the rate fell at epoch %zu", i);
	}
	rate_of(before, epochs, 0);
	rate_of(rate, epochs, count - 1);
	ck_assert_msg(mpz_cmp(rate, before) > 0, "the rate did not rise over the history");
	assert_only_claims_rejected(epochs, lrt_test_read_file(path, NULL));
	ck_assert_uint_ge(summary_changes(g.err), 1);
	assert_second_edition(scenario, 90, summary_changes(g.err));
	find_break(&found, epochs, scenario);
	ck_assert_msg(atoi(found.epoch) >= 60 && atoi(found.epoch) <= 89, "break at %s",
		      found.epoch);
	assert_summary_break(g.err, &found);
	assert_points_and_exposure(json_array_get(epochs, count));
	mpz_clears(rate, before, NULL);
	json_decref(scenario);
	json_decref(epochs);
}
END_TEST

/* ---- through the database ---------------------------------------------------------- */

START_TEST(test_database_path_matches_simulate)
{
	const char *generate[] = { "demo", "generate", "--seed", SMALL_SEED, "--epochs",
		SMALL_EPOCHS, "--holders", SMALL_HOLDERS, NULL };
	char folder[4096], path[4200];
	const char *simulate[] = { "simulate", path, NULL };
	const char *migrate[] = { "migrate", NULL };
	const char *create[] = { "product", "create", path, NULL };
	const char *ingest[] = { "ingest", path, NULL };
	const char *settle[] = { "settle", "--through", SMALL_LAST_EPOCH, NULL };
	const char *export[] = { "export", NULL };
	const char *verify[] = { "verify", NULL };
	lrt_test_process g, p, simulated, exported;
	json_t *want, *got, *scenario;
	demo_break found;
	long slash;
	size_t i;
	mpz_t rate, before;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/small.jsonl", folder);
	lrt_test_run_ok(&g, generate);
	lrt_test_write_file(path, g.out);
	lrt_test_run_ok(&simulated, simulate);
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	ck_assert_msg(strstr(p.out, ", duplicates 0, rejected 0") != NULL, "%s", p.out);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&exported, export);
	want = lrt_test_json_lines(simulated.out);
	got = lrt_test_json_lines(exported.out);
	ck_assert_int_eq(json_array_size(want), atoi(SMALL_EPOCHS) + 1);
	ck_assert_int_eq(json_array_size(got), json_array_size(want));
	for (i = 0; i < json_array_size(want); i++) {
		json_t *w = json_array_get(want, i), *x = json_array_get(got, i);

		if (!json_equal(w, x))
			ck_abort_msg("line %zu:\n simulate %.800s\n export   %.800s", i + 1,
				     json_dumps(w, JSON_COMPACT), json_dumps(x, JSON_COMPACT));
	}
	/* the small history has the demo's slash, early claims, allocations,
	 * attests with their one break, and points too */
	scenario = lrt_test_json_lines(g.out);
	slash = slash_epoch(scenario);
	ck_assert_int_eq(slash, atoi(SMALL_EPOCHS) / 2);
	mpz_inits(rate, before, NULL);
	rate_of(before, got, (size_t)slash - 1);
	rate_of(rate, got, (size_t)slash);
	ck_assert_msg(mpz_cmp(rate, before) < 0, "the slash did not lower the rate");
	mpz_clears(rate, before, NULL);
	assert_only_claims_rejected(got, g.out);
	assert_second_edition(scenario, atol(SMALL_EPOCHS), count_type(scenario, "allocate") - 27);
	find_break(&found, got, scenario);
	assert_points_and_exposure(json_array_get(got, json_array_size(got) - 1));
	lrt_test_run_ok(&p, verify);
	ck_assert_msg(strncmp(p.out, "verified: ", 10) == 0 &&
		      strstr(p.out, ", 0 differences\n") != NULL, "%s", p.out);
	json_decref(scenario);
	json_decref(want);
	json_decref(got);
}
END_TEST

/* ---- make demo ------------------------------------------------------------------------ */

static char demo_build[1024];

/* Runs `sh tests/demo.sh BUILD [ACTION]` with a small history, its output
 * and errors into BUILD/out.txt, which `out` gets; returns its exit status. */
static int run_demo_script(const char *action, char **out)
{
	char command[3 * 1024 + 256], path[1100];
	FILE *file;
	long size;
	int status;

	snprintf(command, sizeof(command), "DEMO_SEED=%s DEMO_EPOCHS=%s DEMO_HOLDERS=%s "
		 "sh tests/demo.sh '%s' %s >'%s/out.txt' 2>&1", SMALL_SEED,
		 SMALL_EPOCHS, SMALL_HOLDERS, demo_build, action, demo_build);
	status = system(command);
	snprintf(path, sizeof(path), "%s/out.txt", demo_build);
	file = fopen(path, "rb");
	ck_assert_ptr_nonnull(file);
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	*out = calloc(1, (size_t)size + 1);
	ck_assert_ptr_nonnull(*out);
	ck_assert_int_eq(fread(*out, 1, (size_t)size, file), (size_t)size);
	fclose(file);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Check's messages are short: the end of the demo's output, its account. */
#define SHOWN_BYTES 3000

static void assert_has(const char *text, const char *part)
{
	size_t length = strlen(text);

	ck_assert_msg(strstr(text, part) != NULL, "no \"%s\" in:\n%s%s", part,
		      length > SHOWN_BYTES ? "..." : "",
		      text + (length > SHOWN_BYTES ? length - SHOWN_BYTES : 0));
}

/* ---- what the demo's account must say, as lrt computes it ------------------------ */

/* An integer's decimal text with its thousands grouped: -5640 -> -5,640. */
static void grouped(char *out, size_t size, const mpz_t value)
{
	char *digits = mpz_get_str(NULL, 10, value);
	const char *d = digits + (digits[0] == '-');
	size_t n = strlen(d), i, k = 0;

	ck_assert_uint_lt(2 * n + 2, size);
	if (digits[0] == '-')
		out[k++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = d[i];
	}
	out[k] = '\0';
	free(digits);
}

/* `text` (a non-negative integer) / 10^decimals rounded half up to
 * `places` decimals, as the demo's to_char prints it; the integer part
 * grouped when `group`. */
static void decimal(char *out, size_t size, const char *text, unsigned decimals,
		    unsigned places, bool group)
{
	mpz_t x, unit, whole, part;
	char integer[128];

	mpz_inits(x, unit, whole, part, NULL);
	ck_assert_int_eq(mpz_set_str(x, text, 10), 0);
	ck_assert_uint_ge(decimals, places);
	mpz_ui_pow_ui(unit, 10, decimals - places);
	if (decimals > places) {
		mpz_mul_ui(part, unit, 5);
		mpz_fdiv_q_ui(part, part, 10);
		mpz_add(x, x, part);
	}
	mpz_fdiv_q(x, x, unit);                     /* in units of 10^-places */
	mpz_ui_pow_ui(unit, 10, places);
	mpz_fdiv_qr(whole, part, x, unit);
	if (group)
		grouped(integer, sizeof(integer), whole);
	else
		gmp_snprintf(integer, sizeof(integer), "%Zd", whole);
	if (places > 0)
		gmp_snprintf(out, size, "%s.%0*Zd", integer, (int)places, part);
	else
		snprintf(out, size, "%s", integer);
	mpz_clears(x, unit, whole, part, NULL);
}

/* The day of an epoch of the demo's product: genesis 2025-06-02, daily. */
static void day_of(char *out, size_t size, const char *epoch)
{
	time_t t = (time_t)(1748822400 + 86400 * atol(epoch));
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	ck_assert_uint_gt(strftime(out, size, "%Y-%m-%d", &tm), 0);
}

#define EXPECTED_MAX 16
typedef struct {
	char lines[EXPECTED_MAX][512];
	size_t count;
} demo_expected;

/* One more line the demo must print (a part of one, or several). */
static void expect(demo_expected *e, const char *format, ...)
{
	va_list args;
	int n;

	ck_assert_uint_lt(e->count, EXPECTED_MAX);
	va_start(args, format);
	n = vsnprintf(e->lines[e->count], sizeof(e->lines[e->count]), format, args);
	va_end(args);
	ck_assert(n > 0 && (size_t)n < sizeof(e->lines[e->count]));
	e->count++;
}

/* The reconciliation's break and counts, of lrt simulate's epoch lines. */
static void expect_reconciliation(demo_expected *e, const json_t *epochs, const json_t *scenario)
{
	char day[32], book[128], observed[128], gwei[64];
	demo_break b;
	mpz_t difference;

	find_break(&b, epochs, scenario);
	day_of(day, sizeof(day), b.epoch);
	decimal(book, sizeof(book), b.book, 18, 18, true);
	decimal(observed, sizeof(observed), b.observed, 18, 18, true);
	mpz_init_set_str(difference, b.difference, 10);
	mpz_tdiv_q_ui(difference, difference, 1000000000);
	grouped(gwei, sizeof(gwei), difference);
	mpz_clear(difference);
	expect(e, "Reconciliation: %zu attests (observed balances) over ",
		 count_type(scenario, "attest"));
	expect(e, "; %zu match the books\n  to the base unit, 1 break:\n",
		 count_type(scenario, "attest") - 1);
	expect(e, "  epoch %s (%s), %s at %s:\n    book        %s\n    observed    %s\n"
		 "    difference  %s%s gwei (%s wei)\n", b.epoch, day, b.asset, b.location, book,
		 observed, b.difference[0] == '-' ? "" : "+", gwei, b.difference);
}

/* The concentration and the points, of lrt simulate's final line. */
static void expect_final(demo_expected *e, const json_t *final, long points_epoch)
{
	const json_t *points = json_object_get(final, "points");
	static const char *const programs[] = { "loyalty", "eigenlayer" };
	const char *key, *text;
	json_t *value;
	char total_text[128], hhi[32];
	size_t i;
	mpz_t total;

	mpz_init_set_str(total, string_of(json_object_get(final, "exposure"), "hhi_bps"), 10);
	grouped(hhi, sizeof(hhi), total);
	expect(e, "Concentration (SPEC section 7): Herfindahl index %s of 10,000 "
		 "(3,333 for 3 equal\n  operators); the largest, ", hhi);
	expect(e, " of the TVL; lrt export agrees\n");
	for (i = 0; i < 2; i++) {
		mpz_set_ui(total, 0);
		json_object_foreach(json_object_get(points, programs[i]), key, value) {
			mpz_t x;

			text = json_string_value(value);
			ck_assert_ptr_nonnull(text);
			ck_assert_int_eq(mpz_init_set_str(x, text, 10), 0);
			mpz_add(total, total, x);
			mpz_clear(x);
		}
		gmp_snprintf(total_text, sizeof(total_text), "%Zd", total);
		decimal(total_text, sizeof(total_text), total_text, 18, 2, true);
		if (i == 0)
			expect(e, " %s points to %zu holders; 1 a day per rstETH, "
				 "since launch\n", total_text,
				 json_object_size(json_object_get(points, programs[i])));
		else
			expect(e, " %s points to %zu holders; 24 a day per rstETH, "
				 "from epoch %ld\n", total_text,
				 json_object_size(json_object_get(points, programs[i])), points_epoch);
	}
	mpz_clear(total);
}

/* The stress line: lrt stress on the history file, every (operator,
 * asset) whose last allocation to eigenda is not 0 slashed by half. */
static void expect_stress(demo_expected *e, const json_t *scenario, const char *path)
{
	const char *args[LRT_TEST_ARGUMENTS_MAX] = { "stress", path };
	char slashes[16][128], before[32], after[32];
	size_t i, j, n = 0, k = 2;
	const json_t *event;
	json_t *report;
	lrt_test_process p;

	json_array_foreach(scenario, i, event) {
		if (i == 0 || strcmp(type_of(event), "allocate") != 0 ||
		    strcmp(string_of(event, "avs"), "eigenda") != 0)
			continue;
		snprintf(slashes[n], sizeof(slashes[n]), "%s:eigenda:%s:500000000000000000",
			 string_of(event, "operator"), string_of(event, "asset"));
		for (j = 0; j < n && strcmp(slashes[j], slashes[n]) != 0; j++)
			;
		ck_assert_msg(strcmp(string_of(event, "magnitude"), "0") != 0, "eigenda to 0");
		if (j == n)
			n++;
		ck_assert_uint_lt(n, 16);
	}
	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++) {
		args[k++] = "--slash";
		args[k++] = slashes[i];
	}
	args[k] = NULL;
	lrt_test_run_ok(&p, args);
	report = lrt_test_json_lines(p.out);
	event = json_array_get(report, 0);
	decimal(before, sizeof(before), string_of(event, "rate_before"), 18, 6, false);
	decimal(after, sizeof(after), string_of(event, "rate"), 18, 6, false);
	expect(e, "If eigenda slashed 50%% of what it may: rate %s -> %s (",
		 before, after);
	expect(e, "), the 1%% guard %s\n  (lrt stress: %zu slashes by wad, ",
		 strcmp(string_of(event, "guard"), "trip") == 0 ? "trips" : "holds", n);
	json_decref(report);
}

/* What the demo of the small history must print, computed without it:
 * lrt simulate and lrt stress on the same history. */
static void expect_demo(demo_expected *e, const char *folder)
{
	char path[4200];
	const char *generate[] = { "demo", "generate", "--seed", SMALL_SEED, "--epochs",
		SMALL_EPOCHS, "--holders", SMALL_HOLDERS, "--output", path, NULL };
	const char *simulate[] = { "simulate", path, NULL };
	lrt_test_process g, s;
	json_t *scenario, *epochs;

	snprintf(path, sizeof(path), "%s/expected.jsonl", folder);
	lrt_test_run_ok(&g, generate);
	lrt_test_run_ok(&s, simulate);
	scenario = lrt_test_json_lines(lrt_test_read_file(path, NULL));
	epochs = lrt_test_json_lines(s.out);
	e->count = 0;
	expect_reconciliation(e, epochs, scenario);
	expect_final(e, json_array_get(epochs, json_array_size(epochs) - 1),
		     atol(SMALL_EPOCHS) / 3);
	expect_stress(e, scenario, path);
	json_decref(scenario);
	json_decref(epochs);
}

/* `make demo` runs tests/demo.sh BUILD: here on a small history, in a
 * scratch BUILD, twice (the second run reuses the cluster), then cleaned.
 * Nothing is asserted while the demo's server runs: a failed assertion ends
 * the test's process at once, and the server must not outlive the test. */
START_TEST(test_demo_script_runs_twice)
{
	const char *lrt = getenv("LRT_BIN");
	char link[1100], psql[1200], folder[1200];
	char *first = NULL, *second = NULL, *cleaned = NULL;
	int first_status, second_status = -1, clean_status;
	demo_expected expected;
	size_t i;

	ck_assert_msg(access("tests/demo.sh", R_OK) == 0,
		      "no tests/demo.sh: run the tests from the source folder (make check)");
	lrt_test_scratch(demo_build, sizeof(demo_build));
	ck_assert_int_eq(chmod(demo_build, 0755), 0);  /* the server's user goes in */
	snprintf(link, sizeof(link), "%s/lrt", demo_build);
	ck_assert_int_eq(symlink(lrt, link), 0);
	expect_demo(&expected, demo_build);

	first_status = run_demo_script("", &first);
	if (first_status == 0)
		second_status = run_demo_script("", &second);
	clean_status = run_demo_script("clean", &cleaned);

	ck_assert_msg(first_status == 0, "demo.sh exited %d:\n%.3000s", first_status, first);
	assert_has(first, ", created, Unix socket only");
	assert_has(first, "epochs 0.." SMALL_LAST_EPOCH ", one transaction each");
	assert_has(first, "epochs replayed: 0 differences");
	assert_has(first, "Slash at epoch 12 ");
	assert_has(first, " by wad ");
	assert_has(first, "the rate fell ");
	assert_has(first, "  top holders by loyalty: 0x");
	for (i = 0; i < expected.count; i++)
		assert_has(first, expected.lines[i]);
	assert_has(first, "  by location  buffer ");
	assert_has(first, "  treasury ");
	assert_has(first, "  insurance-fund ");
	assert_has(first, "  claimed ");
	assert_has(first, "Tables of lrt: ");
	snprintf(psql, sizeof(psql), "  export PGHOST=%s/demo PGUSER=postgres PGDATABASE=lrt_demo\n",
		 demo_build);
	assert_has(first, psql);
	assert_has(first, "  report    lrt report html: ");
	assert_has(first, "/demo/rstETH.html in a browser");
	ck_assert_msg(second_status == 0, "demo.sh again exited %d:\n%.3000s", second_status,
		      second);
	assert_has(second, ", reused, Unix socket only");
	assert_has(second, "epochs replayed: 0 differences");
	ck_assert_msg(clean_status == 0, "demo.sh clean exited %d:\n%s", clean_status, cleaned);
	snprintf(folder, sizeof(folder), "%s/demo", demo_build);
	ck_assert_msg(access(folder, F_OK) != 0, "%s is still there", folder);
	free(first);
	free(second);
	free(cleaned);
}
END_TEST

Suite *demo_suite(void)
{
	Suite *suite = suite_create("demo");
	TCase *generator = tcase_create("generator");
	TCase *database = tcase_create("database");
	TCase *script = tcase_create("script");

	tcase_set_timeout(generator, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(generator, test_same_seed_same_bytes);
	tcase_add_test(generator, test_output_file_holds_the_same_bytes);
	tcase_add_test(generator, test_usage_errors);
	tcase_add_test(generator, test_demo_history_settles);
	suite_add_tcase(suite, generator);
	tcase_add_checked_fixture(database, lrt_test_fresh_database, NULL);
	tcase_set_timeout(database, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(database, test_database_path_matches_simulate);
	suite_add_tcase(suite, database);
	tcase_set_timeout(script, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(script, test_demo_script_runs_twice);
	suite_add_tcase(suite, script);
	return suite;
}
