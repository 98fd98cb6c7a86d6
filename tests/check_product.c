/*
 * check_product.c - a product's configuration (SPEC section 2): the JSON form
 * (lrt_product_parse_json) with every default and every field's range, and
 * the same rules on a product built in C (lrt_product_validate,
 * lrt_policy_validate); share decimals, the epoch of a time, asset lookup and
 * deep copies (include/lrt/product.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"
#include "lrt/error.h"
#include "lrt/product.h"
#include "lrt/scenario.h"

#define ETH_ASSETS "\"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}]"
#define BASE "\"symbol\": \"rstETH\", \"underlying\": \"ETH\", " ETH_ASSETS

static int parse(lrt_product *out, const char *json)
{
	return lrt_product_parse_json(out, json, strlen(json));
}

static void assert_product_ok(const char *json)
{
	lrt_product product;
	int rc;

	lrt_product_init(&product);
	rc = parse(&product, json);
	ck_assert_msg(rc == 0, "%s: %d (%s)", json, rc, lrt_error_last());
	lrt_product_clear(&product);
}

static void assert_product_invalid(const char *json)
{
	lrt_product product;
	int rc;

	lrt_product_init(&product);
	lrt_error_clear();
	rc = parse(&product, json);
	ck_assert_msg(rc == LRT_EINVAL, "%s: %d, expected LRT_EINVAL", json, rc);
	ck_assert_msg(lrt_error_last()[0] != '\0', "%s: no message", json);
	lrt_product_clear(&product);
}

START_TEST(test_json_defaults)
{
	lrt_product product;

	lrt_product_init(&product);
	ck_assert_int_eq(parse(&product, "{" BASE "}"), 0);
	ck_assert_str_eq(product.symbol, "rstETH");
	ck_assert_str_eq(product.underlying, "ETH");
	ck_assert_uint_eq(product.asset_count, 1);
	ck_assert_str_eq(product.assets[0].symbol, "ETH");
	ck_assert_uint_eq(product.assets[0].decimals, 18);
	ck_assert_int_eq(product.model, LRT_MODEL_ERC4626);
	ck_assert_uint_eq(product.offset, 0);
	ck_assert_int_eq(product.genesis_time, 0);
	ck_assert_int_eq(product.epoch_seconds, 86400);
	ck_assert_uint_eq(product.policy.fee_bps, 0);
	ck_assert_uint_eq(product.policy.fee_recipient_count, 1);
	ck_assert_str_eq(product.policy.fee_recipients[0].holder, "treasury");
	ck_assert_uint_eq(product.policy.fee_recipients[0].bps, 10000);
	ck_assert_int_eq(product.policy.delay_epochs, 0);
	ck_assert_uint_eq(product.policy.max_apr_bps, 0);
	ck_assert_uint_eq(product.policy.max_rate_change_bps, 0);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_json_every_field)
{
	static const char json[] =
		"{\"symbol\": \"rstSOL\", \"underlying\": \"SOL\", "
		"\"assets\": [{\"symbol\": \"SOL\", \"decimals\": 9}, "
		"{\"symbol\": \"JitoSOL\", \"decimals\": 9}, "
		"{\"symbol\": \"USDC\", \"decimals\": 6}], "
		"\"model\": \"erc4626\", \"offset\": 2, "
		"\"genesis_time\": 1752192000, \"epoch_seconds\": 3600, "
		"\"fee_bps\": 2000, \"fee_recipients\": ["
		"{\"holder\": \"treasury\", \"bps\": 5000}, "
		"{\"holder\": \"ops\", \"bps\": 2500}, "
		"{\"holder\": \"dao\", \"bps\": 2500}], "
		"\"delay_epochs\": 7, \"max_apr_bps\": 800, "
		"\"max_rate_change_bps\": 3}";
	lrt_product product;

	lrt_product_init(&product);
	ck_assert_int_eq(parse(&product, json), 0);
	ck_assert_str_eq(product.symbol, "rstSOL");
	ck_assert_str_eq(product.underlying, "SOL");
	ck_assert_uint_eq(product.asset_count, 3);
	ck_assert_str_eq(product.assets[1].symbol, "JitoSOL");
	ck_assert_uint_eq(product.assets[1].decimals, 9);
	ck_assert_str_eq(product.assets[2].symbol, "USDC");
	ck_assert_uint_eq(product.assets[2].decimals, 6);
	ck_assert_int_eq(product.model, LRT_MODEL_ERC4626);
	ck_assert_uint_eq(product.offset, 2);
	ck_assert_int_eq(product.genesis_time, 1752192000);
	ck_assert_int_eq(product.epoch_seconds, 3600);
	ck_assert_uint_eq(product.policy.fee_bps, 2000);
	ck_assert_uint_eq(product.policy.fee_recipient_count, 3);
	ck_assert_str_eq(product.policy.fee_recipients[0].holder, "treasury");
	ck_assert_uint_eq(product.policy.fee_recipients[0].bps, 5000);
	ck_assert_str_eq(product.policy.fee_recipients[2].holder, "dao");
	ck_assert_uint_eq(product.policy.fee_recipients[2].bps, 2500);
	ck_assert_int_eq(product.policy.delay_epochs, 7);
	ck_assert_uint_eq(product.policy.max_apr_bps, 800);
	ck_assert_uint_eq(product.policy.max_rate_change_bps, 3);
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 11);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_json_plain_model)
{
	lrt_product product;

	lrt_product_init(&product);
	ck_assert_int_eq(parse(&product, "{" BASE ", \"model\": \"plain\"}"), 0);
	ck_assert_int_eq(product.model, LRT_MODEL_PLAIN);
	ck_assert_uint_eq(product.offset, 0);
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 18);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_json_genesis_iso8601)
{
	static const struct {
		const char *json;
		int64_t genesis;
	} cases[] = {
		{ "{" BASE ", \"genesis_time\": \"2024-01-01T00:00:00Z\"}",
		  1704067200 },
		/* no zone: UTC */
		{ "{" BASE ", \"genesis_time\": \"2024-01-01T00:00:00\"}",
		  1704067200 },
		{ "{" BASE ", \"genesis_time\": \"2024-01-01T01:00:00+01:00\"}",
		  1704067200 },
		{ "{" BASE ", \"genesis_time\": \"1970-01-01T00:00:00Z\"}", 0 },
		{ "{" BASE ", \"genesis_time\": 1704067200}", 1704067200 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lrt_product product;
		int rc;

		lrt_product_init(&product);
		rc = parse(&product, cases[i].json);
		ck_assert_msg(rc == 0, "%s: %d (%s)", cases[i].json, rc,
			      lrt_error_last());
		ck_assert_int_eq(product.genesis_time, cases[i].genesis);
		lrt_product_clear(&product);
	}
}
END_TEST

START_TEST(test_json_ranges_accepted)
{
	assert_product_ok("{\"symbol\": \"x\", \"underlying\": \"A\", "
			  "\"assets\": [{\"symbol\": \"A\", \"decimals\": 0}]}");
	assert_product_ok("{\"symbol\": \"x\", \"underlying\": \"A\", "
			  "\"assets\": [{\"symbol\": \"A\", \"decimals\": 255}]}");
	assert_product_ok("{" BASE ", \"offset\": 18}");
	assert_product_ok("{" BASE ", \"offset\": 0}");
	assert_product_ok("{" BASE ", \"fee_bps\": 9999}");
	assert_product_ok("{" BASE ", \"delay_epochs\": 0}");
	assert_product_ok("{" BASE ", \"max_apr_bps\": 0, "
			  "\"max_rate_change_bps\": 0}");
	assert_product_ok("{" BASE ", \"fee_recipients\": ["
			  "{\"holder\": \"a\", \"bps\": 10000}, "
			  "{\"holder\": \"b\", \"bps\": 0}]}");
	assert_product_ok("{" BASE ", \"fee_recipients\": ["
			  "{\"holder\": \"a\", \"bps\": 3333}, "
			  "{\"holder\": \"b\", \"bps\": 3333}, "
			  "{\"holder\": \"c\", \"bps\": 3334}]}");
}
END_TEST

START_TEST(test_json_invalid)
{
	static const char *const texts[] = {
		/* not a product */
		"", "not json", "[]", "{" BASE,
		/* required fields */
		"{\"underlying\": \"ETH\", " ETH_ASSETS "}",
		"{\"symbol\": \"rstETH\", " ETH_ASSETS "}",
		"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\"}",
		/* the underlying must be assets[0] */
		"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": ["
		"{\"symbol\": \"stETH\", \"decimals\": 18}, "
		"{\"symbol\": \"ETH\", \"decimals\": 18}]}",
		"{\"symbol\": \"rstETH\", \"underlying\": \"BTC\", " ETH_ASSETS "}",
		"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": []}",
		/* distinct asset symbols */
		"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": ["
		"{\"symbol\": \"ETH\", \"decimals\": 18}, "
		"{\"symbol\": \"ETH\", \"decimals\": 18}]}",
		/* decimals 0..255, an integer */
		"{\"symbol\": \"x\", \"underlying\": \"A\", "
		"\"assets\": [{\"symbol\": \"A\", \"decimals\": 256}]}",
		"{\"symbol\": \"x\", \"underlying\": \"A\", "
		"\"assets\": [{\"symbol\": \"A\", \"decimals\": -1}]}",
		"{\"symbol\": \"x\", \"underlying\": \"A\", "
		"\"assets\": [{\"symbol\": \"A\", \"decimals\": 18.5}]}",
		"{\"symbol\": \"x\", \"underlying\": \"A\", "
		"\"assets\": [{\"symbol\": \"A\"}]}",
		/* model and offset */
		"{" BASE ", \"model\": \"erc20\"}",
		"{" BASE ", \"offset\": 19}",
		"{" BASE ", \"offset\": -1}",
		"{" BASE ", \"model\": \"plain\", \"offset\": 3}",
		/* epochs */
		"{" BASE ", \"epoch_seconds\": 0}",
		"{" BASE ", \"epoch_seconds\": -86400}",
		"{" BASE ", \"genesis_time\": \"yesterday\"}",
		/* fees */
		"{" BASE ", \"fee_bps\": 10000}",
		"{" BASE ", \"fee_bps\": -1}",
		"{" BASE ", \"fee_recipients\": []}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"a\", \"bps\": 9999}]}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"a\", \"bps\": 10001}]}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"a\", \"bps\": 5000}, "
		"{\"holder\": \"b\", \"bps\": 5001}]}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"a\", \"bps\": 10001}, "
		"{\"holder\": \"b\", \"bps\": -1}]}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"a\", \"bps\": 5000}, "
		"{\"holder\": \"a\", \"bps\": 5000}]}",
		"{" BASE ", \"fee_recipients\": [{\"holder\": \"\", \"bps\": 10000}]}",
		"{" BASE ", \"fee_recipients\": [{\"bps\": 10000}]}",
		/* the other policy fields */
		"{" BASE ", \"delay_epochs\": -1}",
		"{" BASE ", \"max_apr_bps\": -1}",
		"{" BASE ", \"max_rate_change_bps\": -1}",
		/* any other field is malformed */
		"{" BASE ", \"decimals\": 18}",
		"{" BASE ", \"name\": \"Restaked ETH\"}",
		"{" BASE ", \"Fee_bps\": 100}",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_product_invalid(texts[i]);
}
END_TEST

/* ---- the same rules on a product built in C ------------------------------- */

static void build_valid(lrt_product *product)
{
	lrt_product_init(product);
	fx_product(product, "ETH:18,stETH:18,USDC:6", LRT_MODEL_ERC4626, 3);
	ck_assert_int_eq(lrt_product_validate(product), 0);
}

static void assert_invalid(lrt_product *product, const char *what)
{
	lrt_error_clear();
	ck_assert_msg(lrt_product_validate(product) == LRT_EINVAL,
		      "%s: accepted", what);
	ck_assert_msg(lrt_error_last()[0] != '\0', "%s: no message", what);
	lrt_product_clear(product);
}

START_TEST(test_init_defaults)
{
	lrt_product product;

	lrt_product_init(&product);
	ck_assert_ptr_null(product.symbol);
	ck_assert_uint_eq(product.asset_count, 0);
	ck_assert_int_eq(product.model, LRT_MODEL_ERC4626);
	ck_assert_uint_eq(product.offset, 0);
	ck_assert_int_eq(product.genesis_time, 0);
	ck_assert_int_eq(product.epoch_seconds, 86400);
	ck_assert_uint_eq(product.policy.fee_bps, 0);
	ck_assert_int_eq(product.policy.delay_epochs, 0);
	ck_assert_uint_eq(product.policy.max_apr_bps, 0);
	ck_assert_uint_eq(product.policy.max_rate_change_bps, 0);
	/* no symbol, no assets: not a valid product yet */
	ck_assert_int_eq(lrt_product_validate(&product), LRT_EINVAL);
	lrt_product_clear(&product);
	lrt_product_clear(NULL);
}
END_TEST

/* "Sets every field to its SPEC default": fee_recipients defaults to
 * [{"holder": "treasury", "bps": 10000}] (SPEC section 2). */
START_TEST(test_init_default_recipients)
{
	lrt_product product;

	lrt_product_init(&product);
	ck_assert_uint_eq(product.policy.fee_recipient_count, 1);
	ck_assert_ptr_nonnull(product.policy.fee_recipients);
	ck_assert_str_eq(product.policy.fee_recipients[0].holder, "treasury");
	ck_assert_uint_eq(product.policy.fee_recipients[0].bps, 10000);
	ck_assert_int_eq(lrt_policy_validate(&product.policy), 0);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_validate_in_c)
{
	lrt_product product;

	build_valid(&product);
	product.assets[2].decimals = 256;
	assert_invalid(&product, "decimals 256");

	build_valid(&product);
	product.assets[2].decimals = 255;
	ck_assert_int_eq(lrt_product_validate(&product), 0);
	product.assets[2].decimals = 0;
	ck_assert_int_eq(lrt_product_validate(&product), 0);
	lrt_product_clear(&product);

	build_valid(&product);
	product.offset = 19;
	assert_invalid(&product, "offset 19");

	build_valid(&product);
	product.offset = 18;
	ck_assert_int_eq(lrt_product_validate(&product), 0);
	lrt_product_clear(&product);

	build_valid(&product);
	product.model = LRT_MODEL_PLAIN;        /* offset 3 stays */
	assert_invalid(&product, "plain with an offset");

	build_valid(&product);
	free(product.assets[1].symbol);
	product.assets[1].symbol = strdup("ETH");
	assert_invalid(&product, "repeated asset symbol");

	build_valid(&product);
	free(product.underlying);
	product.underlying = strdup("stETH");
	assert_invalid(&product, "underlying not assets[0]");

	build_valid(&product);
	product.epoch_seconds = 0;
	assert_invalid(&product, "epoch_seconds 0");

	build_valid(&product);
	product.policy.fee_bps = 10000;
	assert_invalid(&product, "fee_bps 10000");

	build_valid(&product);
	fx_product_recipients(&product, "a:5000,b:4999");
	assert_invalid(&product, "recipients summing to 9999");

	build_valid(&product);
	fx_product_recipients(&product, "a:5000,a:5000");
	assert_invalid(&product, "repeated recipient");

	build_valid(&product);
	fx_product_recipients(&product, "a:10000,b:0");
	ck_assert_int_eq(lrt_product_validate(&product), 0);
	lrt_product_clear(&product);

	build_valid(&product);
	product.policy.delay_epochs = -1;
	assert_invalid(&product, "delay_epochs -1");
}
END_TEST

START_TEST(test_policy_validate)
{
	lrt_fee_recipient two[2] = { { "treasury", 6667 }, { "dao", 3333 } };
	lrt_fee_recipient over[2] = { { "treasury", 6667 }, { "dao", 3334 } };
	lrt_fee_recipient same[2] = { { "dao", 5000 }, { "dao", 5000 } };
	lrt_policy policy = {
		.fee_bps = 1000, .fee_recipients = two, .fee_recipient_count = 2,
		.delay_epochs = 3, .max_apr_bps = 500, .max_rate_change_bps = 100
	};

	ck_assert_int_eq(lrt_policy_validate(&policy), 0);
	policy.fee_bps = 9999;
	ck_assert_int_eq(lrt_policy_validate(&policy), 0);
	policy.fee_bps = 10000;
	ck_assert_int_eq(lrt_policy_validate(&policy), LRT_EINVAL);
	policy.fee_bps = 0;
	policy.fee_recipients = over;
	ck_assert_int_eq(lrt_policy_validate(&policy), LRT_EINVAL);
	policy.fee_recipients = same;
	ck_assert_int_eq(lrt_policy_validate(&policy), LRT_EINVAL);
	policy.fee_recipients = two;
	policy.fee_recipient_count = 0;
	ck_assert_int_eq(lrt_policy_validate(&policy), LRT_EINVAL);
	policy.fee_recipient_count = 2;
	policy.delay_epochs = -1;
	ck_assert_int_eq(lrt_policy_validate(&policy), LRT_EINVAL);
}
END_TEST

START_TEST(test_share_decimals)
{
	lrt_product product;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 18);
	product.offset = 3;
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 21);
	product.offset = 0;
	product.model = LRT_MODEL_PLAIN;
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 18);
	lrt_product_clear(&product);

	lrt_product_init(&product);
	fx_product(&product, "USDC:6", LRT_MODEL_ERC4626, 18);
	ck_assert_uint_eq(lrt_product_share_decimals(&product), 24);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_epoch_of)
{
	lrt_product product;
	int64_t epoch = -7;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	product.genesis_time = 1000;
	product.epoch_seconds = 100;
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product, 1000), 0);
	ck_assert_int_eq(epoch, 0);
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product, 1099), 0);
	ck_assert_int_eq(epoch, 0);
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product, 1100), 0);
	ck_assert_int_eq(epoch, 1);
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product, 1000 + 100 * 365 + 99), 0);
	ck_assert_int_eq(epoch, 365);
	/* before genesis is malformed */
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product, 999), LRT_EINVAL);
	/* daily epochs from 2025-07-11: 2025-07-13T12:00Z is epoch 2 */
	product.genesis_time = 1752192000;
	product.epoch_seconds = 86400;
	ck_assert_int_eq(lrt_product_epoch_of(&epoch, &product,
					      1752192000 + 2 * 86400 + 43200), 0);
	ck_assert_int_eq(epoch, 2);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_asset_index)
{
	lrt_product product;

	build_valid(&product);
	ck_assert_int_eq(lrt_product_asset_index(&product, "ETH"), 0);
	ck_assert_int_eq(lrt_product_asset_index(&product, "stETH"), 1);
	ck_assert_int_eq(lrt_product_asset_index(&product, "USDC"), 2);
	ck_assert_int_eq(lrt_product_asset_index(&product, "usdc"), -1);
	ck_assert_int_eq(lrt_product_asset_index(&product, "wBTC"), -1);
	ck_assert_int_eq(lrt_product_asset_index(&product, ""), -1);
	lrt_product_clear(&product);
}
END_TEST

START_TEST(test_copy_is_deep)
{
	lrt_product product, copy;

	build_valid(&product);
	fx_product_recipients(&product, "treasury:6667,dao:3333");
	lrt_product_init(&copy);
	ck_assert_int_eq(lrt_product_copy(&copy, &product), 0);
	ck_assert_ptr_ne(copy.symbol, product.symbol);
	ck_assert_ptr_ne(copy.assets, product.assets);
	ck_assert_ptr_ne(copy.policy.fee_recipients, product.policy.fee_recipients);
	lrt_product_clear(&product);
	/* the copy outlives the original */
	ck_assert_str_eq(copy.symbol, "rstETH");
	ck_assert_str_eq(copy.underlying, "ETH");
	ck_assert_uint_eq(copy.asset_count, 3);
	ck_assert_str_eq(copy.assets[2].symbol, "USDC");
	ck_assert_uint_eq(copy.assets[2].decimals, 6);
	ck_assert_uint_eq(copy.offset, 3);
	ck_assert_uint_eq(copy.policy.fee_recipient_count, 2);
	ck_assert_str_eq(copy.policy.fee_recipients[1].holder, "dao");
	ck_assert_uint_eq(copy.policy.fee_recipients[1].bps, 3333);
	ck_assert_int_eq(lrt_product_validate(&copy), 0);
	lrt_product_clear(&copy);
}
END_TEST

Suite *product_suite(void)
{
	Suite *suite = suite_create("product");
	TCase *json = tcase_create("json");
	TCase *c = tcase_create("c");

	tcase_add_test(json, test_json_defaults);
	tcase_add_test(json, test_json_every_field);
	tcase_add_test(json, test_json_plain_model);
	tcase_add_test(json, test_json_genesis_iso8601);
	tcase_add_test(json, test_json_ranges_accepted);
	tcase_add_test(json, test_json_invalid);
	suite_add_tcase(suite, json);

	tcase_add_test(c, test_init_defaults);
	tcase_add_test(c, test_init_default_recipients);
	tcase_add_test(c, test_validate_in_c);
	tcase_add_test(c, test_policy_validate);
	tcase_add_test(c, test_share_decimals);
	tcase_add_test(c, test_epoch_of);
	tcase_add_test(c, test_asset_index);
	tcase_add_test(c, test_copy_is_deep);
	suite_add_tcase(suite, c);
	return suite;
}
