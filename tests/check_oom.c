/*
 * check_oom.c - out of memory is reported as out of memory: `lrt simulate`
 * with one allocation made to fail, for each of the first few hundred and
 * a sample of the rest, either prints exactly what it prints with memory to
 * spare (exit 0), or stops with exit status 1 and a message that says "out
 * of memory", having printed only a beginning of that output.  Never exit
 * 2 (malformed input), never a crash, never an empty message, never other
 * figures.
 *
 * The failure is injected from outside the program: tests/oom/shim.c,
 * preloaded (LD_PRELOAD), answers NULL to the N-th allocation of main() or
 * after (LRT_OOM_FAIL_AT=N), or to it and every later one
 * (LRT_OOM_FAIL_FROM=N, memory gone for good); glibc, GMP and jansson
 * allocate through it too.  A run with no failure first counts the
 * allocations there are to step over (LRT_OOM_COUNT_FILE).  In a
 * sanitizer build the shim stands in front of AddressSanitizer's
 * allocator, and LeakSanitizer checks every path that gave up.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

/* Runs per test case: every N up to EVERY_UP_TO, then about SAMPLED more
 * spread evenly over the rest; a sanitizer build runs a tenth as slow. */
#define EVERY_UP_TO 200
#define SAMPLED 100
/* Runs per scenario in the sweep over every scenario. */
#define PER_SCENARIO 24
/* Failures described in the message (all are counted). */
#define DESCRIBED_MAX 8

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

typedef struct {
	char path[4096];          /* the scenario */
	const char *out;          /* what it prints with memory to spare */
	const char *err;
	int status;               /* and its exit status: 0; 2 malformed; 3 guard */
	unsigned long allocations;
	size_t runs, failures;
	char described[DESCRIBED_MAX * 400];
} sweep;

/* $(BUILD)/tests/liblrt_oom.so, beside this runner. */
static void shim_path(char *out, size_t size)
{
	char self[4096];
	ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	ck_assert_msg(length > 0, "cannot read /proc/self/exe");
	self[length] = '\0';
	slash = strrchr(self, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	ck_assert_int_lt(snprintf(out, size, "%s/liblrt_oom.so", self), (int)size);
	ck_assert_msg(access(out, R_OK) == 0, "no %s: make builds it with the runner", out);
}

/* Preloads the shim into every `lrt` this test starts. */
static void preload_shim(void)
{
	char shim[4096], options[4096];
	const char *asan = getenv("ASAN_OPTIONS");

	shim_path(shim, sizeof(shim));
	ck_assert_int_eq(setenv("LD_PRELOAD", shim, 1), 0);
#ifdef SANITIZED
	/* the shim comes before the sanitizer's runtime, on purpose */
	snprintf(options, sizeof(options), "%s%sverify_asan_link_order=0",
		 asan ? asan : "", asan && asan[0] ? ":" : "");
	ck_assert_int_eq(setenv("ASAN_OPTIONS", options, 1), 0);
#else
	(void)asan;
	(void)options;
#endif
	unsetenv("LRT_OOM_FAIL_AT");
	unsetenv("LRT_OOM_FAIL_FROM");
	unsetenv("LRT_OOM_COUNT_FILE");
}

static void scenario_path(char *out, size_t size, const char *name)
{
	const char *folder = getenv("LRT_SCENARIOS");

	ck_assert_msg(folder != NULL, "LRT_SCENARIOS is not set: run the tests with `make check`");
	ck_assert_int_lt(snprintf(out, size, "%s/%s", folder, name), (int)size);
	ck_assert_msg(access(out, R_OK) == 0, "no scenario %s", out);
}

/* The run with memory to spare: its output, and how many allocations. */
static void sweep_begin(sweep *s, const char *name)
{
	char count_file[4200], scratch[4096];
	const char *args[] = {"simulate", s->path, NULL};
	lrt_test_process p;
	char *text;

	memset(s, 0, sizeof(*s));
	scenario_path(s->path, sizeof(s->path), name);
	preload_shim();
	lrt_test_scratch(scratch, sizeof(scratch));
	snprintf(count_file, sizeof(count_file), "%s/allocations", scratch);
	setenv("LRT_OOM_COUNT_FILE", count_file, 1);
	lrt_test_run(&p, args);
	unsetenv("LRT_OOM_COUNT_FILE");
	ck_assert_msg(p.status == 0 || p.status == 2 || p.status == 3,
		      "%s: exit %d without a failure: %s", name, p.status, p.err);
	s->out = p.out;
	s->err = p.err;
	s->status = p.status;
	text = lrt_test_read_file(count_file, NULL);
	s->allocations = strtoul(text, NULL, 10);
	ck_assert_msg(s->allocations > 10, "%s: %lu allocations counted: is the shim preloaded?",
		      name, s->allocations);
}

static void describe(sweep *s, const char *mode, unsigned long n, const lrt_test_process *p,
		     const char *what)
{
	size_t used = strlen(s->described);

	s->failures++;
	if (s->failures > DESCRIBED_MAX)
		return;
	snprintf(s->described + used, sizeof(s->described) - used,
		 "\n  %s=%lu: exit %d, %s; stderr: %.200s", mode, n, p->status, what,
		 p->err[0] ? p->err : "(empty)");
}

/* One run with allocation N failing (mode "AT": that one; "FROM": every
 * one from it), judged against the run with memory to spare. */
static void sweep_run(sweep *s, const char *mode, unsigned long n)
{
	const char *args[] = {"simulate", s->path, NULL};
	char variable[32], value[32];
	lrt_test_process p;

	snprintf(variable, sizeof(variable), "LRT_OOM_FAIL_%s", mode);
	snprintf(value, sizeof(value), "%lu", n);
	ck_assert_int_eq(setenv(variable, value, 1), 0);
	lrt_test_run(&p, args);
	unsetenv(variable);
	s->runs++;
	if (p.status == 1) {
		/* the last line says it; those before it (a malformed
		 * scenario's) are the beginning of what it says with memory */
		size_t length = strlen(p.err);
		const char *last = p.err;
		const char *newline;

		while ((newline = strchr(last, '\n')) != NULL && newline[1] != '\0')
			last = newline + 1;
		if (length == 0 || p.err[length - 1] != '\n')
			describe(s, mode, n, &p, "no message, or not a whole line");
		else if (strncmp(last, "lrt: ", 5) != 0 || strstr(last, "out of memory") == NULL)
			describe(s, mode, n, &p, "the message does not say out of memory");
		else if (strncmp(p.err, s->err, (size_t)(last - p.err)) != 0)
			describe(s, mode, n, &p, "other messages before it");
		else if (strncmp(p.out, s->out, strlen(p.out)) != 0)
			describe(s, mode, n, &p, "what it printed is not a beginning of the output");
	} else if (p.status == s->status) {
		if (strcmp(p.out, s->out) != 0)
			describe(s, mode, n, &p, "other output than with memory to spare");
		else if (strcmp(p.err, s->err) != 0)
			describe(s, mode, n, &p, "other messages than with memory to spare");
	} else {
		describe(s, mode, n, &p, p.status > 128 ? "killed by a signal"
			 : p.status == 2 ? "reported as malformed input" : "an unexpected status");
	}
}

/* Every N up to `every`, then `sampled` more spread over the rest. */
static void sweep_all(sweep *s, const char *mode, unsigned long every, unsigned long sampled)
{
	unsigned long n, stride;

	for (n = 1; n <= every && n <= s->allocations; n++)
		sweep_run(s, mode, n);
	if (s->allocations <= every)
		return;
	stride = (s->allocations - every) / sampled + 1;
	/* an odd stride, so that runs do not keep meeting the same phase of a
	 * loop that allocates every other time */
	stride |= 1;
	for (n = every + stride / 2 + 1; n <= s->allocations; n += stride)
		sweep_run(s, mode, n);
}

static void sweep_end(const sweep *s, const char *name)
{
	ck_assert_msg(s->failures == 0, "%s: %zu of %zu runs went wrong (of %lu allocations):%s",
		      name, s->failures, s->runs, s->allocations, s->described);
}

#ifdef SANITIZED
#define SCALE 4
#else
#define SCALE 1
#endif

/* ---- the tests ------------------------------------------------------------ */

/* Each allocation of a scenario with a queue, a slash and claims, alone. */
START_TEST(test_each_allocation_fails)
{
	static sweep s;
	const char *name = "07-withdraw-cap.jsonl";

	sweep_begin(&s, name);
	sweep_all(&s, "AT", EVERY_UP_TO / SCALE, SAMPLED / SCALE);
	sweep_end(&s, name);
}
END_TEST

/* Memory gone for good from allocation N on: the way out must not need
 * any (a message set in a fixed buffer, stderr unbuffered). */
START_TEST(test_memory_runs_out)
{
	static sweep s;
	const char *name = "19-fee-high-water-mark.jsonl";

	sweep_begin(&s, name);
	sweep_all(&s, "FROM", EVERY_UP_TO / 2 / SCALE, SAMPLED / SCALE);
	sweep_end(&s, name);
}
END_TEST

/* Every scenario, a sample of allocations each: the parsers of every event
 * type, points, configs, prices, allocations, attests; the malformed one
 * still says what is malformed, or says out of memory. */
START_TEST(test_every_scenario)
{
	const char *folder = getenv("LRT_SCENARIOS");
	static const char *const names[] = {
		"01-erc4626-offset0.jsonl", "04-fee-shares.jsonl",
		"05-smoothing-cap.jsonl", "06-slash-writedown.jsonl",
		"08-fifo-stop.jsonl", "09-multi-asset-price.jsonl",
		"10-guard-trip.jsonl", "11-rejections.jsonl",
		"12-malformed-duplicate-id.jsonl", "13-realistic-erc4626-eth-usdc.jsonl",
		"16-allocations-wad-slash.jsonl", "17-cancel.jsonl",
		"18-attest-reconciliation.jsonl", "20-points.jsonl", "21-exposure.jsonl",
	};
	static sweep s;
	size_t i;

	ck_assert_ptr_nonnull(folder);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sweep_begin(&s, names[i]);
		sweep_all(&s, "AT", 0, PER_SCENARIO / SCALE);
		sweep_end(&s, names[i]);
	}
}
END_TEST

Suite *oom_suite(void)
{
	Suite *suite = suite_create("oom");
	TCase *tc = tcase_create("oom");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_each_allocation_fails);
	tcase_add_test(tc, test_memory_runs_out);
	tcase_add_test(tc, test_every_scenario);
	suite_add_tcase(suite, tc);
	return suite;
}
