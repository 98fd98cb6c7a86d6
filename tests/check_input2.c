/*
 * check_input2.c - reading the second edition's events and fields (SPEC
 * sections 2-4 and 7): `slash` with exactly one of `amount` and `wad`, a
 * wad of at most WAD, `allocate`, `cancel`, `attest`, `config` and products
 * with `fee_high_water_mark` (a JSON boolean) and `points` (names non-empty
 * and distinct, per_share_epoch [0-9]+(.[0-9]{1,18})?); what is malformed
 * (LRT_EINVAL, the line named) and what is well-formed however odd (a
 * magnitude above WAD, a wad of 0, an empty points list, unknown keys of a
 * program); addresses lower-cased; and `lrt stress`'s --slash argument.
 */
#include <stdio.h>  /* before gmp.h */

#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"
#include "lrt/scenario.h"

#define PRODUCT "{\"product\": {\"symbol\": \"rstETH\", \"underlying\": \"ETH\", " \
	"\"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}]%s}}\n"

typedef struct {
	char text[4096];
	size_t count;
} diagnostics;

static void collect(void *context, const char *message)
{
	diagnostics *d = context;
	size_t used = strlen(d->text);

	snprintf(d->text + used, sizeof(d->text) - used, "%s\n", message);
	d->count++;
}

/* Reads a product (extra product fields `fields`) and one event line. */
static int read_scenario(lrt_scenario **out, diagnostics *d, const char *fields,
			 const char *event)
{
	char input[4096];
	int length = snprintf(input, sizeof(input), PRODUCT "%s\n", fields, event);

	ck_assert_int_lt(length, (int)sizeof(input));
	memset(d, 0, sizeof(*d));
	*out = NULL;
	return lrt_scenario_read(out, "in.jsonl", input, (size_t)length, collect, d);
}

/* The event line (line 2) is malformed and named. */
static void assert_malformed_event(const char *event, const char *words)
{
	lrt_scenario *scenario;
	diagnostics d;
	int rc = read_scenario(&scenario, &d, "", event);

	ck_assert_msg(rc == LRT_EINVAL, "%s: read returned %d, expected LRT_EINVAL", event, rc);
	ck_assert_ptr_null(scenario);
	ck_assert_msg(strstr(d.text, "in.jsonl:2:") != NULL, "%s: diagnostics:\n%s", event, d.text);
	if (words != NULL)
		ck_assert_msg(strstr(d.text, words) != NULL, "%s: diagnostics do not say %s:\n%s",
			      event, words, d.text);
}

/* The product (line 1) is malformed. */
static void assert_malformed_product(const char *fields)
{
	lrt_scenario *scenario;
	diagnostics d;
	int rc = read_scenario(&scenario, &d, fields, "");

	ck_assert_msg(rc == LRT_EINVAL, "product with %s: read returned %d", fields, rc);
	ck_assert_ptr_null(scenario);
	ck_assert_msg(strstr(d.text, "in.jsonl:1:") != NULL, "%s: diagnostics:\n%s", fields, d.text);
}

/* A well-formed scenario of one event: returns it (the scenario in *out). */
static const lrt_event *read_one(lrt_scenario **out, const char *fields, const char *event)
{
	diagnostics d;
	int rc = read_scenario(out, &d, fields, event);

	ck_assert_msg(rc == 0, "%s: read returned %d: %s", event, rc, d.text);
	ck_assert_uint_eq(lrt_scenario_event_count(*out), 1);
	return lrt_scenario_event(*out, 0);
}

#define EV(rest) "{\"id\": \"e1\", \"epoch\": 0, " rest "}"

START_TEST(test_slash_amount_or_wad)
{
	lrt_scenario *scenario;
	const lrt_event *e;

	assert_malformed_event(EV("\"type\": \"slash\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"amount\": \"1\", \"wad\": \"1\""), NULL);
	assert_malformed_event(EV("\"type\": \"slash\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\""), NULL);
	assert_malformed_event(EV("\"type\": \"slash\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"wad\": \"1000000000000000001\""), "wad");
	assert_malformed_event(EV("\"type\": \"slash\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"wad\": 5"), "wad");
	assert_malformed_event(EV("\"type\": \"slash\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"wad\": \"0.5\""), "wad");
	assert_malformed_event(EV("\"type\": \"slash\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"wad\": \"1\""), "operator");

	e = read_one(&scenario, "", EV("\"type\": \"slash\", \"operator\": \"p2p\", "
				       "\"avs\": \"eigenda\", \"asset\": \"ETH\", "
				       "\"wad\": \"1000000000000000000\""));
	ck_assert_int_eq(e->type, LRT_EVENT_SLASH);
	ck_assert(e->by_wad);
	ck_assert_str_eq(e->location, "p2p");
	ck_assert_str_eq(e->source, "eigenda");
	FX_ASSERT_MPZ(e->amount, "1" FX_E18);
	lrt_scenario_free(scenario);
	e = read_one(&scenario, "", EV("\"type\": \"slash\", \"operator\": \"p2p\", "
				       "\"avs\": \"eigenda\", \"asset\": \"ETH\", \"wad\": \"0\""));
	ck_assert(e->by_wad);
	FX_ASSERT_MPZ(e->amount, "0");
	lrt_scenario_free(scenario);
	e = read_one(&scenario, "", EV("\"type\": \"slash\", \"operator\": \"p2p\", "
				       "\"avs\": \"eigenda\", \"asset\": \"ETH\", \"amount\": \"7\""));
	ck_assert(!e->by_wad);
	FX_ASSERT_MPZ(e->amount, "7");
	lrt_scenario_free(scenario);
}
END_TEST

START_TEST(test_allocate_cancel_attest)
{
	lrt_scenario *scenario;
	const lrt_event *e;

	assert_malformed_event(EV("\"type\": \"allocate\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\""), "magnitude");
	assert_malformed_event(EV("\"type\": \"allocate\", \"operator\": \"p2p\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"magnitude\": 1"), "magnitude");
	assert_malformed_event(EV("\"type\": \"allocate\", \"operator\": \"p2p\", "
				  "\"asset\": \"ETH\", \"magnitude\": \"1\""), "avs");
	assert_malformed_event(EV("\"type\": \"allocate\", \"operator\": \"\", \"avs\": \"x\", "
				  "\"asset\": \"ETH\", \"magnitude\": \"1\""), "operator");
	assert_malformed_event(EV("\"type\": \"cancel\""), "request");
	assert_malformed_event(EV("\"type\": \"cancel\", \"request\": 3"), "request");
	assert_malformed_event(EV("\"type\": \"attest\", \"asset\": \"ETH\", \"amount\": \"1\""),
			       "location");
	assert_malformed_event(EV("\"type\": \"attest\", \"asset\": \"ETH\", \"location\": \"p2p\", "
				  "\"amount\": \"115792089237316195423570985008687907853269984665640564039457584007913129639936\""),
			       "amount");
	assert_malformed_event(EV("\"type\": \"attest\", \"asset\": \"ETH\", \"location\": \"p2p\", "
				  "\"amount\": \"-1\""), "amount");

	/* a magnitude above WAD is well-formed (the book rejects it) */
	e = read_one(&scenario, "", EV("\"type\": \"allocate\", "
				       "\"operator\": \"0xAbCdEf0123456789aBcDeF0123456789ABCDEF01\", "
				       "\"avs\": \"0x00000000000000000000000000000000000000AA\", "
				       "\"asset\": \"ETH\", \"magnitude\": \"2000000000000000000\""));
	ck_assert_int_eq(e->type, LRT_EVENT_ALLOCATE);
	ck_assert_str_eq(e->location, "0xabcdef0123456789abcdef0123456789abcdef01");
	ck_assert_str_eq(e->source, "0x00000000000000000000000000000000000000aa");
	ck_assert_str_eq(e->asset, "ETH");
	FX_ASSERT_MPZ(e->amount, "2" FX_E18);
	lrt_scenario_free(scenario);
	e = read_one(&scenario, "", EV("\"type\": \"cancel\", \"request\": \"0xdead:1\""));
	ck_assert_int_eq(e->type, LRT_EVENT_CANCEL);
	ck_assert_str_eq(e->request, "0xdead:1");
	lrt_scenario_free(scenario);
	/* attest may name claimable; an operator address is lower-cased */
	e = read_one(&scenario, "", EV("\"type\": \"attest\", \"asset\": \"ETH\", "
				       "\"location\": \"claimable\", \"amount\": \"12\""));
	ck_assert_int_eq(e->type, LRT_EVENT_ATTEST);
	ck_assert_str_eq(e->location, "claimable");
	FX_ASSERT_MPZ(e->amount, "12");
	lrt_scenario_free(scenario);
	e = read_one(&scenario, "", EV("\"type\": \"attest\", \"asset\": \"ETH\", "
				       "\"location\": \"0xABCDEF0123456789ABCDEF0123456789ABCDEF01\", "
				       "\"amount\": \"0\""));
	ck_assert_str_eq(e->location, "0xabcdef0123456789abcdef0123456789abcdef01");
	lrt_scenario_free(scenario);
	e = read_one(&scenario, "", EV("\"type\": \"slash\", "
				       "\"operator\": \"0xABCDEF0123456789ABCDEF0123456789ABCDEF01\", "
				       "\"avs\": \"0xABCDEF0123456789ABCDEF0123456789ABCDEF02\", "
				       "\"asset\": \"ETH\", \"wad\": \"1\""));
	ck_assert_str_eq(e->location, "0xabcdef0123456789abcdef0123456789abcdef01");
	ck_assert_str_eq(e->source, "0xabcdef0123456789abcdef0123456789abcdef02");
	lrt_scenario_free(scenario);
}
END_TEST

START_TEST(test_config_mark_and_points)
{
	lrt_scenario *scenario;
	const lrt_event *e;

	assert_malformed_event(EV("\"type\": \"config\", \"fee_high_water_mark\": \"true\""),
			       "fee_high_water_mark");
	assert_malformed_event(EV("\"type\": \"config\", \"fee_high_water_mark\": 1"),
			       "fee_high_water_mark");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": {}"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\", "
				  "\"per_share_epoch\": \"1\"}, {\"name\": \"a\", "
				  "\"per_share_epoch\": \"2\"}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"\", "
				  "\"per_share_epoch\": \"1\"}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\", "
				  "\"per_share_epoch\": \"0.0000000000000000001\"}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\", "
				  "\"per_share_epoch\": 1}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\", "
				  "\"per_share_epoch\": \"1.\"}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\", "
				  "\"per_share_epoch\": \".5\"}]"), "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"name\": \"a\"}]"),
			       "points");
	assert_malformed_event(EV("\"type\": \"config\", \"points\": [{\"per_share_epoch\": \"1\"}]"),
			       "points");

	e = read_one(&scenario, "", EV("\"type\": \"config\", \"fee_high_water_mark\": true"));
	ck_assert_int_eq(e->type, LRT_EVENT_CONFIG);
	ck_assert_uint_eq(e->config_mask, LRT_CONFIG_FEE_HIGH_WATER_MARK);
	ck_assert(e->config.fee_high_water_mark);
	lrt_scenario_free(scenario);
	/* an empty list: every program stops */
	e = read_one(&scenario, "", EV("\"type\": \"config\", \"points\": []"));
	ck_assert_uint_eq(e->config_mask, LRT_CONFIG_POINTS);
	ck_assert_uint_eq(e->config.points_count, 0);
	lrt_scenario_free(scenario);
	/* other keys of a program are ignored; 18 decimals are allowed */
	e = read_one(&scenario, "", EV("\"type\": \"config\", \"fee_bps\": 5, \"points\": ["
				       "{\"name\": \"b\", \"per_share_epoch\": \"0.000000000000000001\", "
				       "\"label\": [1, 2]}, {\"name\": \"a\", \"per_share_epoch\": \"12\"}]"));
	ck_assert_uint_eq(e->config_mask, LRT_CONFIG_POINTS | LRT_CONFIG_FEE_BPS);
	ck_assert_uint_eq(e->config.points_count, 2);
	ck_assert_str_eq(e->config.points[0].name, "b");
	ck_assert_str_eq(e->config.points[0].per_share_epoch, "0.000000000000000001");
	ck_assert_str_eq(e->config.points[1].name, "a");
	ck_assert_str_eq(e->config.points[1].per_share_epoch, "12");
	lrt_scenario_free(scenario);
}
END_TEST

START_TEST(test_product_mark_and_points)
{
	lrt_scenario *scenario;
	const lrt_product *product;

	assert_malformed_product(", \"fee_high_water_mark\": \"yes\"");
	assert_malformed_product(", \"fee_high_water_mark\": null");
	assert_malformed_product(", \"points\": [{\"name\": \"a\", \"per_share_epoch\": \"x\"}]");
	assert_malformed_product(", \"points\": \"a\"");
	assert_malformed_product(", \"points\": [{\"name\": \"a\", \"per_share_epoch\": \"1\"}, "
				 "{\"name\": \"a\", \"per_share_epoch\": \"1\"}]");

	read_one(&scenario, ", \"fee_high_water_mark\": true, \"points\": [{\"name\": \"s1\", "
		 "\"per_share_epoch\": \"0.5\", \"boost\": 2}]",
		 EV("\"type\": \"cancel\", \"request\": \"w\""));
	product = lrt_scenario_product(scenario);
	ck_assert(product->policy.fee_high_water_mark);
	ck_assert_uint_eq(product->policy.points_count, 1);
	ck_assert_str_eq(product->policy.points[0].name, "s1");
	ck_assert_str_eq(product->policy.points[0].per_share_epoch, "0.5");
	lrt_scenario_free(scenario);
	read_one(&scenario, "", EV("\"type\": \"cancel\", \"request\": \"w\""));
	product = lrt_scenario_product(scenario);
	ck_assert(!product->policy.fee_high_water_mark);
	ck_assert_uint_eq(product->policy.points_count, 0);
	lrt_scenario_free(scenario);
}
END_TEST

/* Collects the epoch reports' reconciliation ids, "id,id,". */
static int collect_reconciliation(void *context, const lrt_epoch_report *report)
{
	for (size_t i = 0; i < report->reconciliation_count; i++) {
		strcat(context, report->reconciliation[i].id);
		strcat(context, ",");
	}
	return 0;
}

START_TEST(test_attest_order_and_repeats)
{
	static const char input[] =
		"{\"product\": {\"symbol\": \"rstETH\", \"underlying\": \"ETH\", "
		"\"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}]}}\n"
		"{\"id\": \"t2\", \"epoch\": 0, \"seq\": 4, \"type\": \"attest\", "
		"\"asset\": \"ETH\", \"location\": \"buffer\", \"amount\": \"5\"}\n"
		"{\"id\": \"d1\", \"epoch\": 0, \"seq\": 2, \"type\": \"deposit\", "
		"\"holder\": \"alice\", \"asset\": \"ETH\", \"amount\": \"7\"}\n"
		"{\"id\": \"t1\", \"epoch\": 0, \"seq\": 1, \"type\": \"attest\", "
		"\"asset\": \"ETH\", \"location\": \"buffer\", \"amount\": \"6\"}\n"
		/* the same id and content again: a no-op */
		"{\"type\": \"attest\", \"id\": \"t2\", \"epoch\": 0, \"seq\": 4, "
		"\"asset\": \"ETH\", \"location\": \"buffer\", \"amount\": \"5\"}\n";
	lrt_scenario *scenario = NULL;
	lrt_book *book = NULL;
	char ids[64] = "";
	diagnostics d;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(lrt_scenario_read(&scenario, "in.jsonl", input, sizeof(input) - 1,
					   collect, &d), 0);
	ck_assert_uint_eq(lrt_scenario_event_count(scenario), 3);
	ck_assert_int_eq(lrt_book_new(&book, lrt_scenario_product(scenario)), 0);
	ck_assert_int_eq(lrt_scenario_run(scenario, book, collect_reconciliation, ids), 0);
	/* every event of the epoch has a seq: t1 (1), d1 (2), t2 (4) */
	ck_assert_str_eq(ids, "t1,t2,");
	lrt_book_free(book);
	lrt_scenario_free(scenario);
	/* the same id with another amount is malformed, on its own line */
	ck_assert_int_eq(read_scenario(&scenario, &d, "",
		EV("\"type\": \"attest\", \"asset\": \"ETH\", \"location\": \"buffer\", "
		   "\"amount\": \"5\"") "\n"
		EV("\"type\": \"attest\", \"asset\": \"ETH\", \"location\": \"buffer\", "
		   "\"amount\": \"6\"")), LRT_EINVAL);
	ck_assert_ptr_null(scenario);
	ck_assert_msg(strstr(d.text, "in.jsonl:3:") != NULL, "%s", d.text);
}
END_TEST

/* ---- --slash ------------------------------------------------------------- */

static int parse_slash(lrt_stress_slash *out, const char *argument, char *buffer)
{
	strcpy(buffer, argument);
	return lrt_stress_slash_parse(out, buffer);
}

START_TEST(test_stress_slash_argument)
{
	static const char *const malformed[] = {
		"p2p:eigenda:ETH", "p2p:eigenda:ETH:1:2", ":eigenda:ETH:1", "p2p::ETH:1",
		"p2p:eigenda::1", "p2p:eigenda:ETH:", "p2p:eigenda:ETH:1000000000000000001",
		"p2p:eigenda:ETH:0.5", "p2p:eigenda:ETH:-1", "",
	};
	lrt_stress_slash slash;
	char buffer[256];
	size_t i;

	mpz_init(slash.wad);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		ck_assert_msg(parse_slash(&slash, malformed[i], buffer) == LRT_EINVAL,
			      "--slash %s accepted", malformed[i]);
	ck_assert_int_eq(parse_slash(&slash, "p2p:eigenda:ETH:1000000000000000000", buffer), 0);
	ck_assert_str_eq(slash.operator_name, "p2p");
	ck_assert_str_eq(slash.avs, "eigenda");
	ck_assert_str_eq(slash.asset, "ETH");
	FX_ASSERT_MPZ(slash.wad, "1" FX_E18);
	/* addresses lower-cased, the asset matched exactly */
	ck_assert_int_eq(parse_slash(&slash, "0xABCDEF0123456789ABCDEF0123456789ABCDEF01:"
				     "0xABCDEF0123456789ABCDEF0123456789ABCDEF02:stETH:0", buffer), 0);
	ck_assert_str_eq(slash.operator_name, "0xabcdef0123456789abcdef0123456789abcdef01");
	ck_assert_str_eq(slash.avs, "0xabcdef0123456789abcdef0123456789abcdef02");
	ck_assert_str_eq(slash.asset, "stETH");
	FX_ASSERT_MPZ(slash.wad, "0");
	mpz_clear(slash.wad);
}
END_TEST

Suite *input2_suite(void)
{
	Suite *suite = suite_create("input2");
	TCase *tc = tcase_create("second edition input");

	tcase_add_test(tc, test_slash_amount_or_wad);
	tcase_add_test(tc, test_allocate_cancel_attest);
	tcase_add_test(tc, test_config_mark_and_points);
	tcase_add_test(tc, test_product_mark_and_points);
	tcase_add_test(tc, test_attest_order_and_repeats);
	tcase_add_test(tc, test_stress_slash_argument);
	suite_add_tcase(suite, tc);
	return suite;
}
