/*
 * check_settle.c - settling an epoch (SPEC section 5, steps 1-6): value,
 * rewards, slashes and revaluation with positions rounded one by one; fee
 * shares FS and the split remainder to the first recipient, no fee on a
 * loss, `config` changes applying to their own epoch; the smoothing cap, its
 * release in later empty epochs and a loss netted against D; the guard
 * (LRT_EGUARD with r0 and r1, `accept` of exactly r1, the boundary of
 * max_rate_change_bps); withdrawals paid min(cap, batch rate) after a reward
 * and after a slash, the batch rate after fee shares, the FIFO stop on a
 * short buffer, delays, claims.
 *
 * Every expected figure is worked out from the SPEC's formulas by hand (the
 * comments show the arithmetic) or with python3 integers and fractions.
 */
#include <check.h>
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

/* The figures of one epoch line; NULL means 0 (r0 and r1: not checked). */
typedef struct {
	const char *total_assets, *total_shares, *rate, *deferred;
	const char *rewards, *slashed, *revaluation;
	const char *recognized, *fee_value, *fee_shares;
	const char *buffer, *claimable;
	const char *rate_before, *rate_after;
} expected;

static void check_figure(const mpz_t got, const char *want, const char *name,
			 int line)
{
	char *text = mpz_get_str(NULL, 10, got);

	ck_assert_msg(strcmp(text, want != NULL ? want : "0") == 0,
		      "line %d: %s is %s, expected %s", line, name, text,
		      want != NULL ? want : "0");
	free(text);
}

static void check_report(const lrt_epoch_report *report, int64_t epoch,
			 const expected *e, int line)
{
	ck_assert_msg(report->epoch == epoch, "line %d: epoch %lld", line,
		      (long long)report->epoch);
	check_figure(report->total_assets, e->total_assets, "total_assets", line);
	check_figure(report->total_shares, e->total_shares, "total_shares", line);
	check_figure(report->rate, e->rate, "rate", line);
	check_figure(report->deferred, e->deferred, "deferred", line);
	check_figure(report->rewards, e->rewards, "rewards", line);
	check_figure(report->slashed, e->slashed, "slashed", line);
	check_figure(report->revaluation, e->revaluation, "revaluation", line);
	check_figure(report->recognized, e->recognized, "recognized", line);
	check_figure(report->fee_value, e->fee_value, "fee_value", line);
	check_figure(report->fee_shares, e->fee_shares, "fee_shares", line);
	check_figure(report->buffer, e->buffer, "buffer", line);
	check_figure(report->claimable, e->claimable, "claimable", line);
	if (e->rate_before != NULL)
		check_figure(report->rate_before, e->rate_before, "rate_before", line);
	if (e->rate_after != NULL)
		check_figure(report->rate_after, e->rate_after, "rate_after", line);
}

#define CHECK_REPORT(report, epoch, ...) do { \
	expected want_ = { __VA_ARGS__ }; \
	check_report((report), (epoch), &want_, __LINE__); \
} while (0)

/* Settles, asserting success, into `report`. */
#define SETTLE(book, report) do { \
	int rc_ = fx_settle((book), (report)); \
	ck_assert_msg(rc_ == 0, "settle: %d (%s)", rc_, lrt_error_last()); \
} while (0)

static void check_finalized(const lrt_epoch_report *report, size_t index,
			    const char *request, const char *shares,
			    const char *payout)
{
	ck_assert_uint_gt(report->finalized_count, index);
	ck_assert_str_eq(report->finalized[index].request, request);
	check_figure(report->finalized[index].shares, shares, "shares", (int)index);
	check_figure(report->finalized[index].payout, payout, "payout", (int)index);
}

static lrt_book *book_from(lrt_product *product)
{
	lrt_book *book = fx_book_new(product);

	lrt_product_clear(product);
	return book;
}

/* ETH:18 erc4626 offset 0 with a policy. */
static lrt_book *eth_book(unsigned fee_bps, const char *recipients,
			  int64_t delay_epochs, uint32_t max_apr_bps,
			  uint32_t max_rate_change_bps)
{
	lrt_product product;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	if (recipients != NULL)
		fx_product_recipients(&product, recipients);
	product.policy.fee_bps = fee_bps;
	product.policy.delay_epochs = delay_epochs;
	product.policy.max_apr_bps = max_apr_bps;
	product.policy.max_rate_change_bps = max_rate_change_bps;
	return book_from(&product);
}

/* Epoch 0 of many cases: alice deposits `amount`, `staked` goes to p2p. */
static void epoch0(lrt_book *book, const char *amount, const char *staked)
{
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", amount));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", staked, "buffer", "p2p"));
	fx_settle_ok(book);
}

/* ---- value ---------------------------------------------------------------- */

START_TEST(test_reward_reaches_a_at_settlement)
{
	lrt_book *book = eth_book(0, NULL, 0, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 0, .total_assets = "100" FX_E18,
		     .total_shares = "100" FX_E18, .rate = "1" FX_E18,
		     .buffer = "100" FX_E18);
	ck_assert_int_eq(lrt_book_settled_epoch(book), 0);

	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1" FX_E18));
	/* the same epoch's deposit converts at the rate before the reward */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10" FX_E18));
	FX_ASSERT_HOLDER(book, "bob", "10" FX_E18);
	SETTLE(book, &report);
	/* rate = 1e18 * (111e18 + 1) / (110e18 + 1) = 1009090909090909090.9 */
	CHECK_REPORT(&report, 1, .total_assets = "111" FX_E18,
		     .total_shares = "110" FX_E18, .rate = "1009090909090909090",
		     .rewards = "1" FX_E18, .recognized = "1" FX_E18,
		     .buffer = "111" FX_E18,
		     .rate_before = "1" FX_E18, .rate_after = "1009090909090909090");
	ck_assert_uint_eq(report.finalized_count, 0);
	ck_assert_uint_eq(report.rejected_count, 0);
	FX_ASSERT_TOTALS(book, "111" FX_E18, "110" FX_E18, "0");
	FX_ASSERT_RATE(book, "1009090909090909090");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_lowers_a_without_fee)
{
	lrt_book *book = eth_book(1000, NULL, 0, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "100" FX_E18, "50" FX_E18);
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "3" FX_E18));
	SETTLE(book, &report);
	/* I = -3e18: F = floor(max(I, 0) * 1000 / 10000) = 0; rate
	 * 1e18 * (97e18 + 1) / (100e18 + 1) = 0.97e18 */
	CHECK_REPORT(&report, 1, .total_assets = "97" FX_E18,
		     .total_shares = "100" FX_E18, .rate = "970000000000000000",
		     .slashed = "3" FX_E18, .recognized = "-3" FX_E18,
		     .buffer = "50" FX_E18);
	FX_ASSERT_POSITION(book, "ETH", "p2p", "47" FX_E18);
	FX_ASSERT_HOLDER(book, "treasury", "0");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_revaluation)
{
	lrt_product product;
	lrt_book *book;
	lrt_epoch_report report;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,USDC:6,EIGEN:18", LRT_MODEL_ERC4626, 0);
	book = book_from(&product);
	lrt_epoch_report_init(&report);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "USDC",
				   "0.000333333333333333333333333333333333"));
	/* 1000001 * p * 10^12 = 333333666666666.666... */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "USDC", "1000001"));
	FX_ASSERT_TOTALS(book, "333333666666666", "333333666666666", "0");
	FX_ASSERT_APPLIED(fx_move(book, "m1", "USDC", "500000", "buffer", "p2p"));
	/* EIGEN has no price yet: its reward is worth 0 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "eigenda", "p2p", "EIGEN", "5" FX_E18));
	SETTLE(book, &report);
	/* each position rounded down on its own:
	 * 500001 * p * 10^12 = 166666999999999.99..., 500000 * ... =
	 * 166666666666666.66...: P = 333333666666665, G = -1 */
	CHECK_REPORT(&report, 0, .total_assets = "333333666666665",
		     .total_shares = "333333666666666",
		     .rate = "999999999999997000", .revaluation = "-1",
		     .recognized = "-1");

	FX_ASSERT_APPLIED(fx_price(book, "p2", "EIGEN", "0.0012"));
	FX_ASSERT_APPLIED(fx_price(book, "p3", "USDC", "0.0004"));
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "eigenda", "p2p", "EIGEN", "1" FX_E18));
	SETTLE(book, &report);
	/* P = 1000001 * 4e8 + 6e18 * 0.0012 = 400000400000000 + 7.2e15
	 *   = 7600000400000000;  G = P - 333333666666665 = 7266666733333335;
	 * R = 1e18 * 0.0012 = 1.2e15 (at the epoch's last price);
	 * V = G - R + L = 6066666733333335 */
	CHECK_REPORT(&report, 1, .total_assets = "7600000400000000",
		     .total_shares = "333333666666666",
		     .rate = "22799978400021580178", .rewards = "1200000000000000",
		     .revaluation = "6066666733333335",
		     .recognized = "7266666733333335");

	/* the reward tokens sold below their price: 6e18 EIGEN (7.2e15) for
	 * 7e15 wei, a revaluation of -2e14 */
	FX_ASSERT_APPLIED(fx_swap(book, "w1", "p2p", "EIGEN", "6" FX_E18, "ETH",
				  "7000000000000000"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 2, .total_assets = "7400000400000000",
		     .total_shares = "333333666666666",
		     .rate = "22199979000020980779",
		     .revaluation = "-200000000000000",
		     .recognized = "-200000000000000");
	FX_ASSERT_POSITION(book, "ETH", "p2p", "7000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_rewards_and_slashes_at_last_prices)
{
	lrt_product product;
	lrt_book *book;
	lrt_epoch_report report;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,stETH:18,EIGEN:18", LRT_MODEL_ERC4626, 0);
	book = book_from(&product);
	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "1"));
	FX_ASSERT_APPLIED(fx_price(book, "p2", "EIGEN", "0.001"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "alice", "stETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "stETH", "10" FX_E18, "buffer", "p2p"));
	fx_settle_ok(book);
	/* the reward and the slash come before the epoch's last prices */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "eigenda", "p2p", "EIGEN", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "stETH", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_price(book, "p3", "stETH", "0.98"));
	FX_ASSERT_APPLIED(fx_price(book, "p4", "EIGEN", "0.002"));
	SETTLE(book, &report);
	/* R = 1e18 * 0.002 = 2e15 (not 1e15); L = 1e18 * 0.98 = 0.98e18;
	 * P = 100e18 + 9e18 * 0.98 + 1e18 * 0.002 = 108.822e18;
	 * G = P - 110e18 = -1.178e18; V = G - R + L = -0.2e18, the 2% on the
	 * 10 stETH held at the start */
	CHECK_REPORT(&report, 1, .total_assets = "108822000000000000000",
		     .total_shares = "110" FX_E18, .rate = "989290909090909090",
		     .rewards = "2000000000000000", .slashed = "980000000000000000",
		     .revaluation = "-200000000000000000",
		     .recognized = "-1178000000000000000", .buffer = "100" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_empty_epochs_settle)
{
	lrt_book *book = eth_book(0, NULL, 0, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	SETTLE(book, &report);
	CHECK_REPORT(&report, 0, .rate = "1" FX_E18);
	SETTLE(book, &report);
	CHECK_REPORT(&report, 1, .rate = "1" FX_E18);
	ck_assert_int_eq(lrt_book_settled_epoch(book), 1);
	ck_assert_int_eq(fx_open_epoch(book), 2);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "5"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 2, .total_assets = "5", .total_shares = "5",
		     .rate = "1" FX_E18, .buffer = "5");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

/* ---- fee ------------------------------------------------------------------ */

START_TEST(test_fee_shares_and_split)
{
	lrt_book *book = eth_book(1000, "treasury:6667,dao:3333", 0, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "100" FX_E18, "50" FX_E18);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "1" FX_E18));
	SETTLE(book, &report);
	/* I = 1e18, F = 1e17, A1 = 101e18;
	 * FS = floor(1e17 * (100e18 + 1) / (101e18 + 1 - 1e17))
	 *    = floor(99108027750247770.0...) (exactly 10^37+10^17 over
	 *      100900000000000000001);
	 * dao: floor(FS * 3333 / 10000) = 33032705649157581;
	 * treasury: floor(FS * 6667 / 10000) = 66075322101090188, plus the
	 * remainder 1 = 66075322101090189 */
	CHECK_REPORT(&report, 1, .total_assets = "101" FX_E18,
		     .total_shares = "100099108027750247770",
		     .rate = "1009000000000000000", .rewards = "1" FX_E18,
		     .recognized = "1" FX_E18, .fee_value = "100000000000000000",
		     .fee_shares = "99108027750247770", .buffer = "50" FX_E18);
	FX_ASSERT_HOLDER(book, "treasury", "66075322101090189");
	FX_ASSERT_HOLDER(book, "dao", "33032705649157581");
	FX_ASSERT_HOLDER(book, "alice", "100" FX_E18);

	/* a loss: no fee */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "500000000000000000"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 2, .total_assets = "100500000000000000000",
		     .total_shares = "100099108027750247770",
		     .rate = "1004004950495049504", .slashed = "500000000000000000",
		     .recognized = "-500000000000000000", .buffer = "50" FX_E18);

	/* a config raising fee_bps applies to its own epoch's settlement:
	 * F = 2e18 * 2000 / 10000 = 4e17, A1 = 102.5e18,
	 * FS = floor(4e17 * (100099108027750247770 + 1) / (102.5e18 + 1 - 4e17)) */
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "p2p", "ETH", "2" FX_E18));
	{
		lrt_policy policy = lrt_book_product(book)->policy;

		policy.fee_bps = 2000;
		FX_ASSERT_APPLIED(fx_config(book, "c1", LRT_CONFIG_FEE_BPS, &policy));
	}
	SETTLE(book, &report);
	CHECK_REPORT(&report, 3, .total_assets = "102500000000000000000",
		     .total_shares = "100491269077809994088",
		     .rate = "1019989108910891089", .rewards = "2" FX_E18,
		     .recognized = "2" FX_E18, .fee_value = "400000000000000000",
		     .fee_shares = "392161050059746318", .buffer = "50" FX_E18);
	ck_assert_uint_eq(lrt_book_product(book)->policy.fee_bps, 2000);
	/* 66075322101090189 + 261453772074832871 (6667 bps + remainder 1) */
	FX_ASSERT_HOLDER(book, "treasury", "327529094175923060");
	FX_ASSERT_HOLDER(book, "dao", "163739983634071028");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_fee_remainder_to_first_recipient)
{
	lrt_book *book = eth_book(1500, "a:3333,b:3333,c:3334", 0, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1000"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "80"));
	SETTLE(book, &report);
	/* F = 80 * 1500 / 10000 = 12; FS = 12 * 1001 / (1080 + 1 - 12)
	 * = 12012 / 1069 = 11.2 -> 11; shares 11*3333/10000 = 3, 3 and
	 * 11*3334/10000 = 3: remainder 2 to a (the first), not to c */
	CHECK_REPORT(&report, 1, .total_assets = "1080", .total_shares = "1011",
		     .rate = "1068181818181818181", .rewards = "80",
		     .recognized = "80", .fee_value = "12", .fee_shares = "11",
		     .buffer = "1080");
	FX_ASSERT_HOLDER(book, "a", "5");
	FX_ASSERT_HOLDER(book, "b", "3");
	FX_ASSERT_HOLDER(book, "c", "3");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_fee_plain_model)
{
	lrt_product product;
	lrt_book *book;
	lrt_epoch_report report;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_PLAIN, 0);
	product.policy.fee_bps = 1000;
	book = book_from(&product);
	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1000"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "333"));
	SETTLE(book, &report);
	/* F = 33; FS = 33 * 1000 / (1333 - 33) = 25.38 -> 25 (VS = VA = 0) */
	CHECK_REPORT(&report, 1, .total_assets = "1333", .total_shares = "1025",
		     .rate = "1300487804878048780", .rewards = "333",
		     .recognized = "333", .fee_value = "33", .fee_shares = "25",
		     .buffer = "1333");
	FX_ASSERT_HOLDER(book, "treasury", "25");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_config_fee_recipients)
{
	lrt_book *book = eth_book(1000, NULL, 0, 0, 0);
	lrt_epoch_report report;
	lrt_fee_recipient recipients[2] = { { "ops", 5000 }, { "dao", 5000 } };
	lrt_policy policy;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1000"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "520"));
	policy = lrt_book_product(book)->policy;
	policy.fee_recipients = recipients;
	policy.fee_recipient_count = 2;
	FX_ASSERT_APPLIED(fx_config(book, "c1", LRT_CONFIG_FEE_RECIPIENTS, &policy));
	SETTLE(book, &report);
	/* F = 52; FS = 52 * 1001 / (1520 + 1 - 52) = 35.4 -> 35;
	 * 17 each and the remainder 1 to ops, the first */
	CHECK_REPORT(&report, 1, .total_assets = "1520", .total_shares = "1035",
		     .rate = "1468146718146718146", .rewards = "520",
		     .recognized = "520", .fee_value = "52", .fee_shares = "35",
		     .buffer = "1520");
	FX_ASSERT_HOLDER(book, "ops", "18");
	FX_ASSERT_HOLDER(book, "dao", "17");
	FX_ASSERT_HOLDER(book, "treasury", "0");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

/* ---- smoothing -------------------------------------------------------------- */

START_TEST(test_smoothing_cap_and_release)
{
	lrt_book *book = eth_book(0, NULL, 0, 1000, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "365" FX_E18, "100" FX_E18);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "250000000000000000"));
	SETTLE(book, &report);
	/* cap = 365e18 * 1000 * 86400 / (10000 * 31536000) = 1e17 exactly;
	 * I = min(0.25e18, 1e17), D = 1.5e17 */
	CHECK_REPORT(&report, 1, .total_assets = "365100000000000000000",
		     .total_shares = "365" FX_E18, .rate = "1000273972602739726",
		     .deferred = "150000000000000000",
		     .rewards = "250000000000000000",
		     .recognized = "100000000000000000",
		     .buffer = "265250000000000000000");
	/* an empty epoch releases: cap = 365.1e18 / 3650 = 100027397260273972.6 */
	SETTLE(book, &report);
	CHECK_REPORT(&report, 2, .total_assets = "365200027397260273972",
		     .total_shares = "365" FX_E18, .rate = "1000548020266466504",
		     .deferred = "49972602739726028",
		     .recognized = "100027397260273972",
		     .buffer = "265250000000000000000");
	FX_ASSERT_TOTALS(book, "365200027397260273972", "365" FX_E18, "49972602739726028");
	/* the rest fits under the cap */
	SETTLE(book, &report);
	CHECK_REPORT(&report, 3, .total_assets = "365250000000000000000",
		     .total_shares = "365" FX_E18, .rate = "1000684931506849315",
		     .recognized = "49972602739726028",
		     .buffer = "265250000000000000000");
	SETTLE(book, &report);
	CHECK_REPORT(&report, 4, .total_assets = "365250000000000000000",
		     .total_shares = "365" FX_E18, .rate = "1000684931506849315",
		     .buffer = "265250000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_smoothing_loss_netted_against_d)
{
	lrt_book *book = eth_book(0, NULL, 0, 1000, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "365" FX_E18, "100" FX_E18);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "500000000000000000"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 1, .total_assets = "365100000000000000000",
		     .total_shares = "365" FX_E18, .rate = "1000273972602739726",
		     .deferred = "400000000000000000",
		     .rewards = "500000000000000000",
		     .recognized = "100000000000000000", .buffer = "265" FX_E18);
	/* a slash smaller than D: G = -0.2e18, G + D = 0.2e18 > 0, so
	 * I = min(0.2e18, cap 100027397260273972) and the rate still rises */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "200000000000000000"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 2, .total_assets = "365200027397260273972",
		     .total_shares = "365" FX_E18, .rate = "1000548020266466504",
		     .deferred = "99972602739726028",
		     .slashed = "200000000000000000",
		     .recognized = "100027397260273972", .buffer = "265" FX_E18);
	/* a larger one: G + D = -1e18 + 99972602739726028 < 0 is recognized at
	 * once and empties D */
	FX_ASSERT_APPLIED(fx_slash(book, "s2", "p2p", "eigenda", "ETH", "1" FX_E18));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 3, .total_assets = "364300000000000000000",
		     .total_shares = "365" FX_E18, .rate = "998082191780821917",
		     .slashed = "1" FX_E18, .recognized = "-900027397260273972",
		     .buffer = "265" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_smoothing_with_fee)
{
	lrt_book *book = eth_book(1000, NULL, 0, 1000, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "365" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "250000000000000000"));
	SETTLE(book, &report);
	/* the fee is on I = 1e17 only: F = 1e16,
	 * FS = 1e16 * (365e18 + 1) / (365.1e18 + 1 - 1e16) = 9997534854419458.2 */
	CHECK_REPORT(&report, 1, .total_assets = "365100000000000000000",
		     .total_shares = "365009997534854419458",
		     .rate = "1000246575342465753",
		     .deferred = "150000000000000000",
		     .rewards = "250000000000000000",
		     .recognized = "100000000000000000",
		     .fee_value = "10000000000000000",
		     .fee_shares = "9997534854419458",
		     .buffer = "365250000000000000000");
	/* a deposit converts at the smoothed rate, not the one with D */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10" FX_E18));
	FX_ASSERT_HOLDER(book, "bob", "9997534854419458215");
	SETTLE(book, &report);
	/* cap = 375.1e18 / 3650 = 102767123287671232.8; F = 10276712328767123 */
	CHECK_REPORT(&report, 2, .total_assets = "375202767123287671232",
		     .total_shares = "375017804035508758767",
		     .rate = "1000493211484331018",
		     .deferred = "47232876712328768",
		     .recognized = "102767123287671232",
		     .fee_value = "10276712328767123",
		     .fee_shares = "10271646234881094",
		     .buffer = "375250000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

/* ---- guard ------------------------------------------------------------------- */

/* 100 ETH, 50 at p2p, guard 100 bps; epoch 1 open, r0 = 1e18. */
static lrt_book *guarded_book(void)
{
	lrt_book *book = eth_book(0, NULL, 0, 0, 100);

	epoch0(book, "100" FX_E18, "50" FX_E18);
	return book;
}

/* The guard stops the next epoch at r0 -> r1; its message is exactly
 * `message`: both rates in whole units, the change worked out by hand. */
static void assert_guard_trips(lrt_book *book, const char *r0, const char *r1,
			       const char *message)
{
	lrt_epoch_report report;
	int64_t settled = lrt_book_settled_epoch(book);

	lrt_epoch_report_init(&report);
	lrt_error_clear();
	ck_assert_int_eq(lrt_book_settle(book, &report), LRT_EGUARD);
	check_figure(report.rate_before, r0, "rate_before", __LINE__);
	check_figure(report.rate_after, r1, "rate_after", __LINE__);
	ck_assert_str_eq(lrt_error_last(), message);
	/* nothing of the epoch is written */
	ck_assert_int_eq(lrt_book_settled_epoch(book), settled);
	lrt_epoch_report_clear(&report);
}

START_TEST(test_guard_trips)
{
	lrt_book *book = guarded_book();

	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "5" FX_E18));
	/* r1 = 1e18 * (105e18 + 1) / (100e18 + 1) = 1049999999999999999.5;
	 * |r1 - r0| * 10000 > 100 * r0 */
	/* 0.049999999999999999 * 10000 = 499.99999999999999 bps, shown as
	 * 500.00: rounded away from zero */
	assert_guard_trips(book, "1" FX_E18, "1049999999999999999",
		"epoch 1: the rate of rstETH would move from 1 ETH to 1.049999999999999999"
		" ETH, up 5.0000% (500.00 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 1049999999999999999 lets it pass");
	lrt_book_free(book);

	/* down as well: a 2% slash, exactly 200 bps */
	book = guarded_book();
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "2" FX_E18));
	assert_guard_trips(book, "1" FX_E18, "980000000000000000",
		"epoch 1: the rate of rstETH would move from 1 ETH to 0.98 ETH, down 2%"
		" (200 bps), more than max_rate_change_bps 100 allows; an accept event"
		" with rate 980000000000000000 lets it pass");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_guard_accept_exact_rate)
{
	lrt_book *book = guarded_book();
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "5" FX_E18));
	FX_ASSERT_APPLIED(fx_accept(book, "a1", "1049999999999999999"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 1, .total_assets = "105" FX_E18,
		     .total_shares = "100" FX_E18, .rate = "1049999999999999999",
		     .rewards = "5" FX_E18, .recognized = "5" FX_E18,
		     .buffer = "50" FX_E18, .rate_before = "1" FX_E18,
		     .rate_after = "1049999999999999999");
	ck_assert_int_eq(lrt_book_settled_epoch(book), 1);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_guard_accept_other_rate)
{
	static const char *const others[] = {
		"1050000000000000000",          /* r1 + 1 */
		"1049999999999999998",          /* r1 - 1 */
		"1" FX_E18,                     /* r0 */
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		lrt_book *book = guarded_book();

		FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "5" FX_E18));
		FX_ASSERT_APPLIED(fx_accept(book, "a1", others[i]));
		assert_guard_trips(book, "1" FX_E18, "1049999999999999999",
			"epoch 1: the rate of rstETH would move from 1 ETH to"
			" 1.049999999999999999 ETH, up 5.0000% (500.00 bps, both rounded"
			" away from zero), more than max_rate_change_bps 100 allows; an"
			" accept event with rate 1049999999999999999 lets it pass");
		lrt_book_free(book);
	}
}
END_TEST

START_TEST(test_guard_boundary)
{
	lrt_book *book;

	/* S + 1 = A + 1 = 100e18: r0 = 1e18.  A reward of 1e18 gives
	 * r1 = 1e18 * 101e18 / 100e18 = 1.01e18: |r1 - r0| * 10000 = 100 * r0,
	 * not more, so it passes */
	book = eth_book(0, NULL, 0, 0, 100);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "99999999999999999999"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1000000000000000099"));
	fx_settle_ok(book);
	FX_ASSERT_RATE(book, "1010000000000000000");
	lrt_book_free(book);

	/* 100 wei more: r1 = 1.01e18 + 1 trips */
	book = eth_book(0, NULL, 0, 0, 100);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "99999999999999999999"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1000000000000000100"));
	/* 100.0000000000000001 bps reads 100.01, never the limit itself */
	assert_guard_trips(book, "1" FX_E18, "1010000000000000001",
		"epoch 1: the rate of rstETH would move from 1 ETH to 1.010000000000000001"
		" ETH, up 1.0001% (100.01 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 1010000000000000001 lets it pass");
	lrt_book_free(book);

	/* downward: 1e18 slashed gives 0.99e18 exactly (passes), 1 wei more
	 * gives 989999999999999999 (trips) */
	book = eth_book(0, NULL, 0, 0, 100);
	epoch0(book, "99999999999999999999", "50" FX_E18);
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "1" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_RATE(book, "990000000000000000");
	lrt_book_free(book);

	book = eth_book(0, NULL, 0, 0, 100);
	epoch0(book, "99999999999999999999", "50" FX_E18);
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "1000000000000000001"));
	assert_guard_trips(book, "1" FX_E18, "989999999999999999",
		"epoch 1: the rate of rstETH would move from 1 ETH to 0.989999999999999999"
		" ETH, down 1.0001% (100.01 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 989999999999999999 lets it pass");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_guard_skipped_when_r0_is_zero)
{
	lrt_product product;
	lrt_book *book;

	/* plain: the rate at (0, 0) is 0, so epoch 0 passes whatever r1 */
	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_PLAIN, 0);
	product.policy.max_rate_change_bps = 100;
	book = book_from(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "50"));
	fx_settle_ok(book);
	FX_ASSERT_RATE(book, "1500000000000000000");
	/* then it applies: 1.5e18 -> 2e18 */
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "50"));
	/* 0.5 / 1.5 = 3333.33... bps */
	assert_guard_trips(book, "1500000000000000000", "2" FX_E18,
		"epoch 1: the rate of rstETH would move from 1.5 ETH to 2 ETH, up 33.3334%"
		" (3333.34 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 2000000000000000000 lets it pass");
	lrt_book_free(book);

	/* erc4626: the rate at (0, 0) is 10^dec_u, so epoch 0 is guarded:
	 * 1e18 * 151 / 101 */
	book = eth_book(0, NULL, 0, 0, 100);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "50"));
	assert_guard_trips(book, "1" FX_E18, "1495049504950495049",
		"epoch 0: the rate of rstETH would move from 1 ETH to 1.495049504950495049"
		" ETH, up 49.5050% (4950.50 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 1495049504950495049 lets it pass");
	lrt_book_free(book);
}
END_TEST

/* Whole units follow the underlying's decimals: 9 (the point before the
 * last nine digits) and 0 (no point at all). */
START_TEST(test_guard_message_in_whole_units)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "SOL:9", LRT_MODEL_ERC4626, 0);
	product.policy.max_rate_change_bps = 100;
	book = book_from(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "SOL", "100000000000"));
	fx_settle_ok(book);
	/* r1 = 1e9 * (105e9 + 1) / (100e9 + 1) = 1049999999.5 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "SOL", "5000000000"));
	assert_guard_trips(book, "1000000000", "1049999999",
		"epoch 1: the rate of rstETH would move from 1 SOL to 1.049999999 SOL,"
		" up 5.0000% (500.00 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate 1049999999"
		" lets it pass");
	lrt_book_free(book);

	lrt_product_init(&product);
	fx_product(&product, "PTS:0", LRT_MODEL_PLAIN, 0);
	product.policy.max_rate_change_bps = 100;
	book = book_from(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "PTS", "100"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "PTS", "100"));
	assert_guard_trips(book, "1", "2",
		"epoch 1: the rate of rstETH would move from 1 PTS to 2 PTS, up 100%"
		" (10000 bps), more than max_rate_change_bps 100 allows; an accept event"
		" with rate 2 lets it pass");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_guard_set_by_config)
{
	lrt_book *book = eth_book(0, NULL, 0, 0, 0);
	lrt_policy policy;

	epoch0(book, "100" FX_E18, "50" FX_E18);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "5" FX_E18));
	policy = lrt_book_product(book)->policy;
	policy.max_rate_change_bps = 100;
	FX_ASSERT_APPLIED(fx_config(book, "c1", LRT_CONFIG_MAX_RATE_CHANGE_BPS, &policy));
	assert_guard_trips(book, "1" FX_E18, "1049999999999999999",
		"epoch 1: the rate of rstETH would move from 1 ETH to 1.049999999999999999"
		" ETH, up 5.0000% (500.00 bps, both rounded away from zero), more than"
		" max_rate_change_bps 100 allows; an accept event with rate"
		" 1049999999999999999 lets it pass");
	lrt_book_free(book);
}
END_TEST

/* ---- withdrawals ------------------------------------------------------------ */

START_TEST(test_payout_cap_binds_after_reward)
{
	lrt_book *book = eth_book(0, NULL, 1, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	fx_settle_ok(book);
	/* cap = 50e18 * (100e18 + 1) / (100e18 + 1) = 50e18, fixed now */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "50" FX_E18));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1" FX_E18));
	SETTLE(book, &report);
	ck_assert_uint_eq(report.finalized_count, 0);     /* delay 1 */
	CHECK_REPORT(&report, 1, .total_assets = "101" FX_E18,
		     .total_shares = "100" FX_E18, .rate = "1009999999999999999",
		     .rewards = "1" FX_E18, .recognized = "1" FX_E18,
		     .buffer = "101" FX_E18);
	/* batch = 50e18 * (101e18 + 1) / (100e18 + 1) = 50.49...e18 > cap */
	SETTLE(book, &report);
	ck_assert_uint_eq(report.finalized_count, 1);
	check_finalized(&report, 0, "w1", "50" FX_E18, "50" FX_E18);
	/* the queue is empty, the shares burnt: A2 = 51e18, S2 = 50e18 */
	CHECK_REPORT(&report, 2, .total_assets = "51" FX_E18,
		     .total_shares = "50" FX_E18, .rate = "1019999999999999999",
		     .buffer = "51" FX_E18, .claimable = "50" FX_E18);
	FX_ASSERT_TOTALS(book, "51" FX_E18, "50" FX_E18, "0");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_claims)
{
	lrt_book *book = eth_book(0, NULL, 1, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "50" FX_E18));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1" FX_E18));
	fx_settle_ok(book);
	/* epoch 2 finalizes w1: a claim in it is rejected (finalization comes
	 * after the epoch's events) */
	FX_ASSERT_REJECTED(book, fx_claim(book, "c0", "w1"));
	SETTLE(book, &report);
	check_finalized(&report, 0, "w1", "50" FX_E18, "50" FX_E18);
	/* A2 = 101e18 - 50e18, S2 = 100e18 - 50e18 */
	CHECK_REPORT(&report, 2, .total_assets = "51" FX_E18,
		     .total_shares = "50" FX_E18, .rate = "1019999999999999999",
		     .buffer = "51" FX_E18, .claimable = "50" FX_E18);
	ck_assert_uint_eq(report.rejected_count, 1);
	ck_assert_str_eq(report.rejected[0].id, "c0");
	FX_ASSERT_POSITION(book, "ETH", "claimable", "50" FX_E18);
	FX_ASSERT_HOLDER(book, "alice", "50" FX_E18);
	/* claimed once, in a later epoch */
	FX_ASSERT_APPLIED(fx_claim(book, "c1", "w1"));
	FX_ASSERT_POSITION(book, "ETH", "claimable", "0");
	FX_ASSERT_REJECTED(book, fx_claim(book, "c2", "w1"));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 3, .total_assets = "51" FX_E18,
		     .total_shares = "50" FX_E18, .rate = "1019999999999999999",
		     .buffer = "51" FX_E18);
	FX_ASSERT_REJECTED(book, fx_claim(book, "c3", "w1"));
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_payout_batch_rate_binds_after_slash)
{
	lrt_book *book = eth_book(0, NULL, 1, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "100" FX_E18, "40" FX_E18);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "50" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "8" FX_E18));
	SETTLE(book, &report);
	/* batch = 50e18 * (92e18 + 1) / (100e18 + 1) = 45.99...e18 + 4e18/(1e20+1)
	 * -> 46e18 < cap 50e18 */
	check_finalized(&report, 0, "w1", "50" FX_E18, "46" FX_E18);
	CHECK_REPORT(&report, 2, .total_assets = "46" FX_E18,
		     .total_shares = "50" FX_E18, .rate = "920000000000000000",
		     .slashed = "8" FX_E18, .recognized = "-8" FX_E18,
		     .buffer = "14" FX_E18, .claimable = "46" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_batch_rate_after_fee_shares)
{
	lrt_book *book = eth_book(2000, NULL, 1, 0, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	epoch0(book, "100" FX_E18, "50" FX_E18);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "5" FX_E18));
	SETTLE(book, &report);
	/* F = 1e18; FS = 1e18 * (100e18 + 1) / (95e18 + 1 - 1e18)
	 *   = 1063829787234042553; S1 = 101063829787234042553;
	 * batch = 10e18 * (95e18 + 1) / (S1 + 1) = 9.4e18 (9.5e18 without the
	 * fee shares) < cap 10e18 */
	check_finalized(&report, 0, "w1", "10" FX_E18, "9400000000000000000");
	CHECK_REPORT(&report, 2, .total_assets = "85600000000000000000",
		     .total_shares = "91063829787234042553",
		     .rate = "940000000000000000", .rewards = "5" FX_E18,
		     .recognized = "5" FX_E18, .fee_value = "1" FX_E18,
		     .fee_shares = "1063829787234042553",
		     .buffer = "40600000000000000000",
		     .claimable = "9400000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

/* The ids of the queued requests, comma-separated. */
static int list_request(void *context, const lrt_request_view *request)
{
	strcat(context, request->request);
	strcat(context, ",");
	return 0;
}

START_TEST(test_fifo_stop_on_short_buffer)
{
	lrt_book *book = eth_book(0, NULL, 0, 0, 0);
	lrt_epoch_report report;
	char queue[128] = "";

	lrt_epoch_report_init(&report);
	epoch0(book, "10" FX_E18, "5" FX_E18);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "2" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "4" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w3", "alice", "1" FX_E18));
	SETTLE(book, &report);
	/* buffer 5: w1 (2) fits, w2 (4) does not: stop, although w3 (1) would */
	ck_assert_uint_eq(report.finalized_count, 1);
	check_finalized(&report, 0, "w1", "2" FX_E18, "2" FX_E18);
	CHECK_REPORT(&report, 1, .total_assets = "8" FX_E18,
		     .total_shares = "8" FX_E18, .rate = "1" FX_E18,
		     .buffer = "3" FX_E18, .claimable = "2" FX_E18);
	ck_assert_int_eq(lrt_book_each_queued(book, list_request, queue), 0);
	ck_assert_str_eq(queue, "w2,w3,");
	/* the buffer refilled: both go, in order, at the cap */
	FX_ASSERT_APPLIED(fx_move(book, "m2", "ETH", "5" FX_E18, "p2p", "buffer"));
	SETTLE(book, &report);
	ck_assert_uint_eq(report.finalized_count, 2);
	check_finalized(&report, 0, "w2", "4" FX_E18, "4" FX_E18);
	check_finalized(&report, 1, "w3", "1" FX_E18, "1" FX_E18);
	CHECK_REPORT(&report, 2, .total_assets = "3" FX_E18,
		     .total_shares = "3" FX_E18, .rate = "1" FX_E18,
		     .buffer = "3" FX_E18, .claimable = "7" FX_E18);
	queue[0] = '\0';
	ck_assert_int_eq(lrt_book_each_queued(book, list_request, queue), 0);
	ck_assert_str_eq(queue, "");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_withdraw_delay)
{
	lrt_book *book = eth_book(0, NULL, 2, 0, 0);
	lrt_epoch_report report;
	lrt_policy policy;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "1" FX_E18));
	SETTLE(book, &report);
	ck_assert_uint_eq(report.finalized_count, 0);
	SETTLE(book, &report);
	ck_assert_uint_eq(report.finalized_count, 0);
	/* epoch 0 + 2 <= 2 */
	SETTLE(book, &report);
	check_finalized(&report, 0, "w1", "1" FX_E18, "1" FX_E18);
	CHECK_REPORT(&report, 2, .total_assets = "9" FX_E18,
		     .total_shares = "9" FX_E18, .rate = "1" FX_E18,
		     .buffer = "9" FX_E18, .claimable = "1" FX_E18);

	/* a config in the epoch sets the delay of its own settlement */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "1" FX_E18));
	policy = lrt_book_product(book)->policy;
	policy.delay_epochs = 0;
	FX_ASSERT_APPLIED(fx_config(book, "c1", LRT_CONFIG_DELAY_EPOCHS, &policy));
	SETTLE(book, &report);
	check_finalized(&report, 0, "w2", "1" FX_E18, "1" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_finalize_with_no_assets)
{
	lrt_product product;
	lrt_book *book;
	lrt_epoch_report report;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_PLAIN, 0);
	book = book_from(&product);
	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "10" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	CHECK_REPORT(&report, 0, .total_shares = "10" FX_E18, .rate = "0",
		     .slashed = "10" FX_E18, .recognized = "-10" FX_E18);
	/* A1 = 0: finalized with payout 0 and its shares burnt */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "4" FX_E18));
	SETTLE(book, &report);
	check_finalized(&report, 0, "w1", "4" FX_E18, "0");
	CHECK_REPORT(&report, 1, .total_shares = "6" FX_E18, .rate = "0");
	FX_ASSERT_HOLDER(book, "alice", "6" FX_E18);
	FX_ASSERT_APPLIED(fx_claim(book, "c1", "w1"));
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *settle_suite(void)
{
	Suite *suite = suite_create("settle");
	TCase *value = tcase_create("value");
	TCase *fee = tcase_create("fee");
	TCase *smoothing = tcase_create("smoothing");
	TCase *guard = tcase_create("guard");
	TCase *withdrawals = tcase_create("withdrawals");

	tcase_add_test(value, test_reward_reaches_a_at_settlement);
	tcase_add_test(value, test_slash_lowers_a_without_fee);
	tcase_add_test(value, test_revaluation);
	tcase_add_test(value, test_rewards_and_slashes_at_last_prices);
	tcase_add_test(value, test_empty_epochs_settle);
	suite_add_tcase(suite, value);

	tcase_add_test(fee, test_fee_shares_and_split);
	tcase_add_test(fee, test_fee_remainder_to_first_recipient);
	tcase_add_test(fee, test_fee_plain_model);
	tcase_add_test(fee, test_config_fee_recipients);
	suite_add_tcase(suite, fee);

	tcase_add_test(smoothing, test_smoothing_cap_and_release);
	tcase_add_test(smoothing, test_smoothing_loss_netted_against_d);
	tcase_add_test(smoothing, test_smoothing_with_fee);
	suite_add_tcase(suite, smoothing);

	tcase_add_test(guard, test_guard_trips);
	tcase_add_test(guard, test_guard_accept_exact_rate);
	tcase_add_test(guard, test_guard_accept_other_rate);
	tcase_add_test(guard, test_guard_boundary);
	tcase_add_test(guard, test_guard_skipped_when_r0_is_zero);
	tcase_add_test(guard, test_guard_set_by_config);
	tcase_add_test(guard, test_guard_message_in_whole_units);
	suite_add_tcase(suite, guard);

	tcase_add_test(withdrawals, test_payout_cap_binds_after_reward);
	tcase_add_test(withdrawals, test_claims);
	tcase_add_test(withdrawals, test_payout_batch_rate_binds_after_slash);
	tcase_add_test(withdrawals, test_batch_rate_after_fee_shares);
	tcase_add_test(withdrawals, test_fifo_stop_on_short_buffer);
	tcase_add_test(withdrawals, test_withdraw_delay);
	tcase_add_test(withdrawals, test_finalize_with_no_assets);
	suite_add_tcase(suite, withdrawals);
	return suite;
}
