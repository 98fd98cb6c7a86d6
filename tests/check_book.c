/*
 * check_book.c - applying events to the books (SPEC sections 1-4): both
 * conversion models and offsets 0 and 3, the rounding of to_shares,
 * to_assets and the rate, value() across differing decimals and 36-digit
 * prices, the effect of each event type, and every rejection reason of
 * section 4 leaving the state untouched (A, S, D, the rate, every holder,
 * every position and the queue, compared before and after through the
 * lrt_book_* readers).  Settlement itself is check_settle.c.
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

#define MAX_256 "1157920892373161954235709850086879078532699846656405640394" \
		"57584007913129639935"

/* A book of ETH:18 plus the assets given, erc4626 offset 0. */
static lrt_book *book_with(const char *assets, lrt_model model, unsigned offset)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, assets, model, offset);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

/* ---- conversion --------------------------------------------------------- */

START_TEST(test_empty_book_rates)
{
	lrt_book *book;

	/* erc4626: rate = 10^sd * (0 + 1) / (0 + 10^offset) = 10^dec_u */
	book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	FX_ASSERT_TOTALS(book, "0", "0", "0");
	FX_ASSERT_RATE(book, "1" FX_E18);
	lrt_book_free(book);

	book = fx_book_eth(LRT_MODEL_ERC4626, 3);
	FX_ASSERT_RATE(book, "1" FX_E18);     /* 10^21 * 1 / 10^3 */
	lrt_book_free(book);

	/* plain with S = 0: the rate is 0 */
	book = fx_book_eth(LRT_MODEL_PLAIN, 0);
	FX_ASSERT_RATE(book, "0");
	lrt_book_free(book);

	lrt_book_free(NULL);
}
END_TEST

START_TEST(test_erc4626_offset0_first_deposit)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	/* s = 100e18 * (0 + 1) / (0 + 1) */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_TOTALS(book, "100" FX_E18, "100" FX_E18, "0");
	FX_ASSERT_HOLDER(book, "alice", "100" FX_E18);
	FX_ASSERT_POSITION(book, "ETH", "buffer", "100" FX_E18);
	/* 1e18 * (100e18 + 1) / (100e18 + 1) */
	FX_ASSERT_RATE(book, "1" FX_E18);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_erc4626_offset3_first_deposit)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 3);

	/* s = 100e18 * (0 + 1000) / (0 + 1) = 1e23: 1000x the shares */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_TOTALS(book, "100" FX_E18, "100000" FX_E18, "0");
	FX_ASSERT_HOLDER(book, "alice", "100000" FX_E18);
	/* 10^21 * (1e20 + 1) / (1e23 + 1000) = 10^21 / 1000 exactly */
	FX_ASSERT_RATE(book, "1" FX_E18);
	lrt_book_free(book);
}
END_TEST

/* A = 150, S = 100 * 10^offset after a deposit of 100 wei and a reward of 50. */
static lrt_book *book_150_over_100(unsigned offset)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, offset);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "50"));
	fx_settle_ok(book);
	return book;
}

START_TEST(test_to_shares_rounds_down_offset0)
{
	lrt_book *book = book_150_over_100(0);

	FX_ASSERT_TOTALS(book, "150", "100", "0");
	/* 1e18 * 151 / 101 = 1495049504950495049.50 */
	FX_ASSERT_RATE(book, "1495049504950495049");
	/* 10 * 101 / 151 = 6.69 -> 6 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10"));
	FX_ASSERT_TOTALS(book, "160", "106", "0");
	FX_ASSERT_HOLDER(book, "bob", "6");
	/* the next deposit converts at what the first left: 10 * 107 / 161 =
	 * 6.65 -> 6 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "10"));
	FX_ASSERT_TOTALS(book, "170", "112", "0");
	FX_ASSERT_HOLDER(book, "carol", "6");
	/* 1e18 * 171 / 113 = 1513274336283185840.7 */
	FX_ASSERT_RATE(book, "1513274336283185840");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_to_shares_rounds_down_offset3)
{
	lrt_book *book = book_150_over_100(3);

	FX_ASSERT_TOTALS(book, "150", "100000", "0");
	/* 10^21 * 151 / 101000 */
	FX_ASSERT_RATE(book, "1495049504950495049");
	/* 10 * 101000 / 151 = 6688.74 -> 6688 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10"));
	FX_ASSERT_HOLDER(book, "bob", "6688");
	/* 10 * 107688 / 161 = 6688.69 -> 6688 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "10"));
	FX_ASSERT_HOLDER(book, "carol", "6688");
	FX_ASSERT_TOTALS(book, "170", "113376", "0");
	/* 10^21 * 171 / 114376 = 1495068895572497726.4 */
	FX_ASSERT_RATE(book, "1495068895572497726");
	lrt_book_free(book);
}
END_TEST

/* The first queued request, copied out (a view lives only during the call). */
typedef struct {
	char request[64];
	char holder[64];
	char *shares;
	char *cap;
	int64_t epoch;
} request_copy;

static int first_request(void *context, const lrt_request_view *request)
{
	request_copy *copy = context;

	snprintf(copy->request, sizeof(copy->request), "%s", request->request);
	snprintf(copy->holder, sizeof(copy->holder), "%s", request->holder);
	copy->shares = mpz_get_str(NULL, 10, *request->shares);
	copy->cap = mpz_get_str(NULL, 10, *request->cap);
	copy->epoch = request->epoch;
	return 1;
}

/* The first queued request is `id` with these figures. */
static void assert_first_queued(const lrt_book *book, const char *id,
				const char *holder, const char *shares,
				const char *cap, int64_t epoch)
{
	request_copy copy = { .shares = NULL };

	ck_assert_int_eq(lrt_book_each_queued(book, first_request, &copy), 1);
	ck_assert_str_eq(copy.request, id);
	ck_assert_str_eq(copy.holder, holder);
	ck_assert_str_eq(copy.shares, shares);
	ck_assert_str_eq(copy.cap, cap);
	ck_assert_int_eq(copy.epoch, epoch);
	free(copy.shares);
	free(copy.cap);
}

START_TEST(test_to_assets_rounds_down)
{
	lrt_book *book = book_150_over_100(0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "10"));
	/* A = 170, S = 112: cap = 7 * 171 / 113 = 10.59 -> 10 */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "7"));
	assert_first_queued(book, "w1", "alice", "7", "10", 2);
	FX_ASSERT_HOLDER(book, "alice", "93");
	/* a withdrawal moves shares into the queue: A and S unchanged */
	FX_ASSERT_TOTALS(book, "170", "112", "0");
	lrt_book_free(book);

	book = book_150_over_100(3);
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "10"));
	/* A = 170, S = 113376: cap = 7000 * 171 / 114376 = 10.47 -> 10 */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "7000"));
	assert_first_queued(book, "w1", "alice", "7000", "10", 2);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_plain_first_deposit)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_PLAIN, 0);

	/* S = 0: s = v */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "123456789"));
	FX_ASSERT_TOTALS(book, "123456789", "123456789", "0");
	FX_ASSERT_RATE(book, "1" FX_E18);
	/* then s = v * S / A = v while A = S */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "1000"));
	FX_ASSERT_HOLDER(book, "bob", "1000");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_plain_rounding)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_PLAIN, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "3"));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1"));
	fx_settle_ok(book);
	FX_ASSERT_TOTALS(book, "4", "3", "0");
	/* 1e18 * 4 / 3, no virtual share or asset */
	FX_ASSERT_RATE(book, "1333333333333333333");
	/* 2 * 3 / 4 = 1.5 -> 1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "2"));
	FX_ASSERT_HOLDER(book, "bob", "1");
	FX_ASSERT_TOTALS(book, "6", "4", "0");
	/* cap = 1 * 6 / 4 = 1.5 -> 1 */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "1"));
	assert_first_queued(book, "w1", "alice", "1", "1", 1);
	lrt_book_free(book);
}
END_TEST

/* plain, 10 ETH deposited, all slashed: A = 0, S = 10e18 after epoch 0. */
static lrt_book *plain_without_assets(void)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_PLAIN, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "10" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_TOTALS(book, "0", "10" FX_E18, "0");
	return book;
}

START_TEST(test_plain_no_assets)
{
	lrt_book *book = plain_without_assets();

	FX_ASSERT_RATE(book, "0");
	FX_ASSERT_REJECTED_BECAUSE(book,
		fx_deposit(book, "d2", "bob", "ETH", "1" FX_E18),
		"pool has no assets");
	/* a withdrawal still applies, at cap 10e18 * 0 / 10e18 = 0 */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "4" FX_E18));
	assert_first_queued(book, "w1", "alice", "4" FX_E18, "0", 1);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_value_6_decimals_into_18)
{
	lrt_book *book = book_with("ETH:18,USDC:6", LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "USDC",
				   "0.000285714285714285714285714285714285"));
	/* 1234567 * p * 10^18 / 10^6
	 *   = 352733428571428.5714...  -> 352733428571428 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "USDC", "1234567"));
	FX_ASSERT_TOTALS(book, "352733428571428", "352733428571428", "0");
	FX_ASSERT_POSITION(book, "USDC", "buffer", "1234567");
	FX_ASSERT_POSITION(book, "ETH", "buffer", "0");
	/* one base unit: 285714285.714... wei -> 285714285, and s = v at 1:1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "USDC", "1"));
	FX_ASSERT_HOLDER(book, "bob", "285714285");
	FX_ASSERT_TOTALS(book, "352733714285713", "352733714285713", "0");
	FX_ASSERT_POSITION(book, "USDC", "buffer", "1234568");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_value_18_decimals_into_6)
{
	lrt_book *book = book_with("USD:6,WETH:18", LRT_MODEL_ERC4626, 0);

	FX_ASSERT_RATE(book, "1000000");        /* 10^6 * 1 / 1 */
	FX_ASSERT_APPLIED(fx_price(book, "p1", "WETH", "3512.123456789"));
	/* 1 wei is worth 3.5e-9 base units: 0, a deposit minting nothing */
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x1", "bob", "WETH", "1"));
	/* the smallest deposit worth one base unit is
	 * ceil(10^12 / 3512.123456789) = 284728033 wei */
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x2", "bob", "WETH", "284728032"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "bob", "WETH", "284728033"));
	FX_ASSERT_TOTALS(book, "1", "1", "0");
	/* (1e18 + 1) * 3512.123456789 / 10^12 = 3512123456.789... */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "alice", "WETH", "1000000000000000001"));
	FX_ASSERT_TOTALS(book, "3512123457", "3512123457", "0");
	FX_ASSERT_HOLDER(book, "alice", "3512123456");
	FX_ASSERT_POSITION(book, "WETH", "buffer", "1000000000284728034");
	FX_ASSERT_RATE(book, "1000000");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_value_36_digit_price)
{
	lrt_book *book = book_with("ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);

	/* An exact rational: 1e18 * (10^36 - 1) / 10^36 = 1e18 - 1e-18, so
	 * 999999999999999999, not 1e18 (a double would say 1e18). */
	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH",
				   "0.999999999999999999999999999999999999"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "stETH", "1" FX_E18));
	FX_ASSERT_TOTALS(book, "999999999999999999", "999999999999999999", "0");
	FX_ASSERT_POSITION(book, "stETH", "buffer", "1" FX_E18);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_value_9_decimals_offset2)
{
	lrt_book *book = book_with("SOL:9,JitoSOL:9", LRT_MODEL_ERC4626, 2);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "JitoSOL", "1.2541"));
	/* (10^9 + 7) * 1.2541 = 1254100008.78 -> 1254100008, times 10^2 shares */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "JitoSOL", "1000000007"));
	FX_ASSERT_TOTALS(book, "1254100008", "125410000800", "0");
	/* share decimals 11: 10^11 * 1254100009 / 125410000900 = 10^9 */
	FX_ASSERT_RATE(book, "1000000000");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_price_applies_from_its_point_on)
{
	lrt_book *book = book_with("ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "1"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "stETH", "100"));
	FX_ASSERT_APPLIED(fx_price(book, "p2", "stETH", "1.5"));
	/* 30 * 1.5 = 45 wei of value; 45 * (100 + 1) / (100 + 1) = 45 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "stETH", "30"));
	FX_ASSERT_HOLDER(book, "bob", "45");
	FX_ASSERT_TOTALS(book, "145", "145", "0");
	/* price 0 is allowed; a deposit at 0 is worth nothing */
	FX_ASSERT_APPLIED(fx_price(book, "p3", "stETH", "0"));
	FX_ASSERT_REJECTED_BECAUSE(book,
		fx_deposit(book, "x1", "carol", "stETH", "1" FX_E18),
		"deposit mints zero shares");
	lrt_book_free(book);
}
END_TEST

/* ---- events ------------------------------------------------------------- */

START_TEST(test_withdraw_locks_shares)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1" FX_E18));
	/* the reward is not in A yet: cap = 40e18 * (100e18 + 1)/(100e18 + 1) */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "40" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "60" FX_E18));
	FX_ASSERT_HOLDER(book, "alice", "0");
	FX_ASSERT_TOTALS(book, "100" FX_E18, "100" FX_E18, "0");
	assert_first_queued(book, "w1", "alice", "40" FX_E18, "40" FX_E18, 1);
	/* no shares left: the queued ones are locked */
	FX_ASSERT_REJECTED(book, fx_withdraw(book, "x1", "alice", "1"));
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x2", "alice", "bob", "1"));
	lrt_book_free(book);
}
END_TEST

static int count_holder(void *context, const char *holder, const mpz_t shares)
{
	(void)holder;
	ck_assert_int_gt(mpz_sgn(shares), 0);
	++*(int *)context;
	return 0;
}

START_TEST(test_transfer)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	char *before, *after;
	int holders = 0;

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_transfer(book, "t1", "alice", "bob", "30"));
	FX_ASSERT_HOLDER(book, "alice", "70");
	FX_ASSERT_HOLDER(book, "bob", "30");
	FX_ASSERT_TOTALS(book, "100", "100", "0");
	/* to oneself, of shares one holds: accepted, nothing changes */
	before = fx_state_dump(book);
	FX_ASSERT_APPLIED(fx_transfer(book, "t2", "bob", "bob", "30"));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* to oneself beyond one's shares: rejected */
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x1", "bob", "bob", "31"));
	/* all of bob's shares: bob is no longer listed */
	FX_ASSERT_APPLIED(fx_transfer(book, "t3", "bob", "carol", "30"));
	FX_ASSERT_HOLDER(book, "bob", "0");
	FX_ASSERT_HOLDER(book, "carol", "30");
	ck_assert_int_eq(lrt_book_each_holder(book, true, count_holder, &holders), 0);
	ck_assert_int_eq(holders, 2);
	lrt_book_free(book);
}
END_TEST

/* Holders in sorted order, as a comma-separated list. */
static int list_holder(void *context, const char *holder, const mpz_t shares)
{
	(void)shares;
	strcat(context, holder);
	strcat(context, ",");
	return 0;
}

START_TEST(test_holders_sorted_by_code_point)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	char list[256] = "";

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "bob", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "Zed", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "alice", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d4", "0xab", "ETH", "10"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d5", "al", "ETH", "10"));
	ck_assert_int_eq(lrt_book_each_holder(book, true, list_holder, list), 0);
	ck_assert_str_eq(list, "0xab,Zed,al,alice,bob,");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_positions_change_not_a)
{
	lrt_book *book = book_with("ETH:18,stETH:18,EIGEN:18", LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "60", "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "eigenda", "p2p", "EIGEN", "7"));
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "p2p", "ETH", "5"));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "3"));
	FX_ASSERT_APPLIED(fx_swap(book, "w1", "p2p", "EIGEN", "7", "stETH", "2"));
	FX_ASSERT_POSITION(book, "ETH", "buffer", "40");
	FX_ASSERT_POSITION(book, "ETH", "p2p", "62");
	FX_ASSERT_POSITION(book, "EIGEN", "p2p", "0");
	FX_ASSERT_POSITION(book, "stETH", "p2p", "2");
	FX_ASSERT_POSITION(book, "ETH", "nowhere", "0");
	/* rewards, slashes, moves and swaps reach A only at settlement */
	FX_ASSERT_TOTALS(book, "100", "100", "0");
	FX_ASSERT_RATE(book, "1" FX_E18);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_zero_amounts_change_nothing)
{
	lrt_book *book = book_with("ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);
	char *before, *after;

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "60", "buffer", "p2p"));
	before = fx_state_dump(book);
	FX_ASSERT_APPLIED(fx_reward(book, "z1", "consensus", "p2p", "ETH", "0"));
	FX_ASSERT_APPLIED(fx_slash(book, "z2", "p2p", "eigenda", "ETH", "0"));
	FX_ASSERT_APPLIED(fx_move(book, "z3", "ETH", "0", "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_swap(book, "z4", "p2p", "ETH", "0", "ETH", "0"));
	/* a move to the same location, even of the whole position */
	FX_ASSERT_APPLIED(fx_move(book, "z5", "ETH", "60", "p2p", "p2p"));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_event_type_names)
{
	static const char *const names[LRT_EVENT_TYPE_COUNT] = {
		"deposit", "withdraw", "transfer", "reward", "slash", "move",
		"swap", "price", "claim", "config", "accept", "allocate", "cancel",
		"attest",
	};

	for (int type = 0; type < LRT_EVENT_TYPE_COUNT; type++) {
		ck_assert_str_eq(lrt_event_type_name((lrt_event_type)type), names[type]);
		ck_assert_int_eq(lrt_event_type_parse(names[type]), type);
	}
	ck_assert_ptr_null(lrt_event_type_name(LRT_EVENT_TYPE_COUNT));
	ck_assert_int_eq(lrt_event_type_parse("Deposit"), -1);
	ck_assert_int_eq(lrt_event_type_parse("mint"), -1);
	ck_assert_int_eq(lrt_event_type_parse(""), -1);
}
END_TEST

/* ---- rejections (SPEC section 4) -------------------------------------------- */

/*
 * ETH:18, stETH:18 (price 1), EIGEN:18 (no price); alice deposited 10 ETH and
 * 5 stETH, 4 ETH and 2 stETH moved to p2p, bob holds 1e18 shares from a
 * transfer, w1 (bob, 0.5e18) is queued; epoch 1 is open.
 */
static lrt_book *rejection_book(void)
{
	lrt_book *book = book_with("ETH:18,stETH:18,EIGEN:18", LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "1"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "alice", "stETH", "5" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "4" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_move(book, "m2", "stETH", "2" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_transfer(book, "t1", "alice", "bob", "1" FX_E18));
	fx_settle_ok(book);
	/* the queued request must not finalize yet: delay 5 */
	{
		lrt_policy policy = lrt_book_product(book)->policy;

		policy.delay_epochs = 5;
		FX_ASSERT_APPLIED(fx_config(book, "c1", LRT_CONFIG_DELAY_EPOCHS, &policy));
	}
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "bob", "500000000000000000"));
	FX_ASSERT_TOTALS(book, "15" FX_E18, "15" FX_E18, "0");
	return book;
}

START_TEST(test_reject_unknown_asset)
{
	lrt_book *book = rejection_book();

	FX_ASSERT_REJECTED(book, fx_deposit(book, "x1", "carol", "wBTC", "100000000"));
	FX_ASSERT_REJECTED(book, fx_reward(book, "x2", "consensus", "p2p", "wBTC", "1"));
	FX_ASSERT_REJECTED(book, fx_slash(book, "x3", "p2p", "eigenda", "wBTC", "0"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x4", "wBTC", "0", "buffer", "p2p"));
	FX_ASSERT_REJECTED(book, fx_swap(book, "x5", "p2p", "wBTC", "0", "ETH", "1"));
	/* the `in` side would apply: nothing of it may */
	FX_ASSERT_REJECTED(book, fx_swap(book, "x6", "p2p", "stETH", "1", "wBTC", "1"));
	FX_ASSERT_REJECTED(book, fx_price(book, "x7", "wBTC", "60000"));
	/* symbols are case-sensitive */
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x8", "carol", "eth", "1"));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_claimable_location)
{
	lrt_book *book = rejection_book();

	FX_ASSERT_REJECTED(book, fx_reward(book, "x1", "consensus", "claimable", "ETH", "1000"));
	FX_ASSERT_REJECTED(book, fx_slash(book, "x2", "claimable", "eigenda", "ETH", "0"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x3", "ETH", "1", "buffer", "claimable"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x4", "ETH", "0", "claimable", "buffer"));
	FX_ASSERT_REJECTED(book, fx_swap(book, "x5", "claimable", "ETH", "0", "stETH", "0"));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_slash_of_buffer)
{
	lrt_book *book = rejection_book();

	FX_ASSERT_REJECTED(book, fx_slash(book, "x1", "buffer", "eigenda", "ETH", "1"));
	FX_ASSERT_REJECTED(book, fx_slash(book, "x2", "buffer", "eigenda", "stETH", "1" FX_E18));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_shares)
{
	lrt_book *book = rejection_book();

	/* alice 14e18, bob 0.5e18 (0.5e18 queued) */
	FX_ASSERT_HOLDER(book, "alice", "14" FX_E18);
	FX_ASSERT_HOLDER(book, "bob", "500000000000000000");
	FX_ASSERT_REJECTED(book, fx_withdraw(book, "x1", "alice", "0"));
	FX_ASSERT_REJECTED(book, fx_withdraw(book, "x2", "alice", "14000000000000000001"));
	FX_ASSERT_REJECTED(book, fx_withdraw(book, "x3", "bob", "500000000000000001"));
	FX_ASSERT_REJECTED(book, fx_withdraw(book, "x4", "nobody", "1"));
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x5", "alice", "carol", "0"));
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x6", "alice", "carol", "14000000000000000001"));
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x7", "nobody", "carol", "1"));
	FX_ASSERT_REJECTED(book, fx_transfer(book, "x8", "alice", "alice", "0"));
	FX_ASSERT_HOLDER(book, "carol", "0");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_short_position)
{
	lrt_book *book = rejection_book();

	/* buffer: 6 ETH, 3 stETH; p2p: 4 ETH, 2 stETH */
	FX_ASSERT_REJECTED(book, fx_slash(book, "x1", "p2p", "eigenda", "ETH", "4000000000000000001"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x2", "ETH", "4000000000000000001", "p2p", "buffer"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x3", "ETH", "6000000000000000001", "buffer", "p2p"));
	FX_ASSERT_REJECTED(book, fx_move(book, "x4", "ETH", "1", "figment", "buffer"));
	FX_ASSERT_REJECTED(book, fx_slash(book, "x5", "figment", "eigenda", "ETH", "1"));
	FX_ASSERT_REJECTED(book, fx_swap(book, "x6", "p2p", "stETH", "2000000000000000001", "ETH", "1"));
	FX_ASSERT_REJECTED(book, fx_swap(book, "x7", "buffer", "EIGEN", "1", "ETH", "1"));
	/* the same moves within the positions apply */
	FX_ASSERT_APPLIED(fx_move(book, "m3", "ETH", "4" FX_E18, "p2p", "buffer"));
	FX_ASSERT_POSITION(book, "ETH", "buffer", "10" FX_E18);
	FX_ASSERT_POSITION(book, "ETH", "p2p", "0");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_deposits)
{
	lrt_book *book = rejection_book();

	/* EIGEN has no price yet */
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x1", "carol", "EIGEN", "1" FX_E18));
	/* amount 0 mints 0 shares */
	FX_ASSERT_REJECTED_BECAUSE(book, fx_deposit(book, "x2", "carol", "ETH", "0"),
				   "deposit mints zero shares");
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x3", "carol", "stETH", "0"));
	/* the price arrives: the same deposit applies */
	FX_ASSERT_APPLIED(fx_price(book, "p2", "EIGEN", "0.001"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "EIGEN", "1" FX_E18));
	FX_ASSERT_HOLDER(book, "carol", "1000000000000000");
	lrt_book_free(book);

	/* 1 wei when A > S: 1 * (100 + 1) / (150 + 1) = 0 */
	book = book_150_over_100(0);
	FX_ASSERT_REJECTED_BECAUSE(book, fx_deposit(book, "x4", "carol", "ETH", "1"),
				   "deposit mints zero shares");
	/* 2 wei: 202 / 151 = 1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d4", "carol", "ETH", "2"));
	FX_ASSERT_HOLDER(book, "carol", "1");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_price_of_underlying)
{
	lrt_book *book = rejection_book();

	FX_ASSERT_REJECTED(book, fx_price(book, "x1", "ETH", "1"));
	FX_ASSERT_REJECTED(book, fx_price(book, "x2", "ETH", "2"));
	/* the underlying still converts at exactly 1: s = 1e18 * 15e18+1 / 15e18+1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "1" FX_E18));
	FX_ASSERT_HOLDER(book, "carol", "1" FX_E18);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_claims_of_unknown_or_queued)
{
	lrt_book *book = rejection_book();

	FX_ASSERT_REJECTED(book, fx_claim(book, "x1", "no-such-request"));
	FX_ASSERT_REJECTED(book, fx_claim(book, "x2", "w1"));      /* queued */
	FX_ASSERT_REJECTED(book, fx_claim(book, "x3", "d1"));      /* not a request */
	lrt_book_free(book);
}
END_TEST

START_TEST(test_reject_overflow)
{
	lrt_book *book = rejection_book();

	/* buffer ETH 6e18 + (2^256 - 1) */
	FX_ASSERT_REJECTED(book, fx_reward(book, "x1", "consensus", "buffer", "ETH", MAX_256));
	/* p2p ETH 4e18 + (2^256 - 1), while stETH p2p would drop by 1 */
	FX_ASSERT_REJECTED(book, fx_swap(book, "x2", "p2p", "stETH", "1", "ETH", MAX_256));
	/* the largest reward that fits applies */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "figment", "ETH", MAX_256));
	FX_ASSERT_REJECTED(book, fx_reward(book, "x3", "consensus", "figment", "ETH", "1"));
	lrt_book_free(book);

	/* A would be 2^255 * 2 = 2^256 although the position (2^255) fits */
	book = book_with("ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);
	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "2"));
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x4", "alice", "stETH",
		"57896044618658097711785492504343953926634992332820282019728792003956564819968"));
	lrt_book_free(book);

	/* offset 3: v = 2^250 fits, s = 2^250 * 1000 does not */
	book = fx_book_eth(LRT_MODEL_ERC4626, 3);
	FX_ASSERT_REJECTED(book, fx_deposit(book, "x5", "alice", "ETH",
		"1809251394333065553493296640760748560207343510400633813116524750123642650624"));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_rejected_listed_in_report)
{
	lrt_book *book = rejection_book();
	lrt_epoch_report report;

	FX_ASSERT_REJECTED(book, fx_claim(book, "x1", "w1"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "1" FX_E18));
	FX_ASSERT_REJECTED(book, fx_slash(book, "x2", "buffer", "eigenda", "ETH", "1"));
	FX_ASSERT_REJECTED(book, fx_price(book, "x3", "ETH", "1"));
	lrt_epoch_report_init(&report);
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_int_eq(report.epoch, 1);
	ck_assert_uint_eq(report.rejected_count, 3);
	ck_assert_str_eq(report.rejected[0].id, "x1");
	ck_assert_str_eq(report.rejected[1].id, "x2");
	ck_assert_str_eq(report.rejected[2].id, "x3");
	for (size_t i = 0; i < report.rejected_count; i++)
		ck_assert(report.rejected[i].reason != NULL &&
			  report.rejected[i].reason[0] != '\0');
	/* 15e18 + 1e18: nothing else reached A */
	FX_ASSERT_MPZ(report.total_assets, "16" FX_E18);
	FX_ASSERT_MPZ(report.total_shares, "16" FX_E18);
	/* the next epoch's report starts empty */
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.rejected_count, 0);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_state_errors)
{
	lrt_product product;
	lrt_book *book = NULL;
	lrt_event event;
	lrt_epoch_report report;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	ck_assert_int_eq(lrt_book_new(&book, &product), 0);
	lrt_product_clear(&product);
	ck_assert_int_eq(lrt_book_settled_epoch(book), -1);

	/* no epoch open */
	lrt_event_init(&event);
	event.id = "d1";
	event.type = LRT_EVENT_DEPOSIT;
	event.epoch = 0;
	event.holder = "alice";
	event.asset = "ETH";
	mpz_set_ui(event.amount, 100);
	ck_assert_int_eq(lrt_book_apply(book, &event), LRT_ESTATE);
	lrt_epoch_report_init(&report);
	ck_assert_int_eq(lrt_book_settle(book, &report), LRT_ESTATE);

	/* epochs open in order, from 0 */
	ck_assert_int_eq(lrt_book_begin_epoch(book, 1), LRT_ESTATE);
	ck_assert_int_eq(lrt_book_begin_epoch(book, 0), 0);
	/* an event of another epoch */
	event.epoch = 1;
	ck_assert_int_eq(lrt_book_apply(book, &event), LRT_ESTATE);
	event.epoch = 0;
	ck_assert_int_eq(lrt_book_apply(book, &event), 0);
	ck_assert_int_eq(lrt_book_settle(book, &report), 0);
	ck_assert_uint_eq(report.rejected_count, 0);   /* LRT_ESTATE is no rejection */
	ck_assert_int_eq(lrt_book_settled_epoch(book), 0);
	FX_ASSERT_TOTALS(book, "100", "100", "0");
	/* each epoch settles once */
	lrt_epoch_report_clear(&report);
	lrt_epoch_report_init(&report);
	ck_assert_int_eq(lrt_book_settle(book, &report), LRT_ESTATE);
	ck_assert_int_eq(lrt_book_begin_epoch(book, 0), LRT_ESTATE);
	ck_assert_int_eq(lrt_book_begin_epoch(book, 2), LRT_ESTATE);
	ck_assert_int_eq(lrt_book_begin_epoch(book, 1), 0);
	lrt_epoch_report_clear(&report);
	lrt_event_clear(&event);
	lrt_book_free(book);
}
END_TEST

/* ---- the journal ------------------------------------------------------------ */

#define JOURNAL_LINES_MAX 512

typedef struct {
	size_t count;
	uint64_t entry[JOURNAL_LINES_MAX];
	int ledger[JOURNAL_LINES_MAX];
	lrt_account_kind kind[JOURNAL_LINES_MAX];
	char name[JOURNAL_LINES_MAX][32];
	mpz_t amount[JOURNAL_LINES_MAX];
} journal;

/* Keeps one side of a transfer as a signed line: +amount debited. */
static void journal_keep(journal *j, const lrt_journal_transfer *t,
			 lrt_account_kind kind, const char *name, int sign)
{
	size_t i = j->count++;

	ck_assert_uint_lt(i, JOURNAL_LINES_MAX);
	j->entry[i] = t->entry;
	j->ledger[i] = t->ledger;
	j->kind[i] = kind;
	snprintf(j->name[i], sizeof(j->name[i]), "%s", name != NULL ? name : "");
	mpz_init_set(j->amount[i], *t->amount);
	if (sign < 0)
		mpz_neg(j->amount[i], j->amount[i]);
}

static void journal_sink(void *context, const lrt_journal_transfer *t)
{
	ck_assert_msg(mpz_sgn(*t->amount) > 0, "a journal transfer of 0 or less");
	ck_assert_msg(t->debit_kind != t->credit_kind
		      || (t->debit_name != NULL && t->credit_name != NULL
			  && strcmp(t->debit_name, t->credit_name) != 0),
		      "a transfer from an account to itself");
	journal_keep(context, t, t->debit_kind, t->debit_name, +1);
	journal_keep(context, t, t->credit_kind, t->credit_name, -1);
}

/* The balance of an account: the sum of its lines. */
static void journal_balance(mpz_t out, const journal *j, int ledger,
			    lrt_account_kind kind, const char *name)
{
	mpz_set_ui(out, 0);
	for (size_t i = 0; i < j->count; i++)
		if (j->ledger[i] == ledger && j->kind[i] == kind &&
		    (name == NULL || strcmp(j->name[i], name) == 0))
			mpz_add(out, out, j->amount[i]);
}

START_TEST(test_journal_balances)
{
	lrt_product product;
	lrt_book *book;
	journal *j = calloc(1, sizeof(*j));
	mpz_t sum, x;

	ck_assert_ptr_nonnull(j);
	lrt_product_init(&product);
	fx_product(&product, "ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);
	product.policy.fee_bps = 1000;
	fx_product_recipients(&product, "treasury:6667,dao:3333");
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	lrt_book_set_journal(book, journal_sink, j);

	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "1.1"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "stETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "3" FX_E18));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_swap(book, "w1", "buffer", "stETH", "1" FX_E18, "ETH", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_transfer(book, "t1", "alice", "carol", "5" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "q1", "carol", "2" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_claim(book, "c1", "q1"));
	fx_settle_ok(book);
	ck_assert_uint_gt(j->count, 0);

	/* every entry balances within each ledger */
	mpz_init(sum);
	mpz_init(x);
	for (size_t i = 0; i < j->count; i++) {
		mpz_set_ui(sum, 0);
		for (size_t k = 0; k < j->count; k++)
			if (j->entry[k] == j->entry[i] && j->ledger[k] == j->ledger[i])
				mpz_add(sum, sum, j->amount[k]);
		ck_assert_msg(mpz_sgn(sum) == 0, "entry %llu ledger %d does not balance",
			      (unsigned long long)j->entry[i], j->ledger[i]);
	}
	/* the accounts hold the state: holders, the queue, -S, A, positions */
	lrt_book_holder_shares(x, book, "alice");
	journal_balance(sum, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_HOLDER, "alice");
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	lrt_book_holder_shares(x, book, "dao");
	journal_balance(sum, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_HOLDER, "dao");
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	ck_assert_int_gt(mpz_sgn(x), 0);
	lrt_book_total_shares(x, book);
	journal_balance(sum, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_ISSUED, NULL);
	mpz_neg(sum, sum);
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	lrt_book_total_assets(x, book);
	journal_balance(sum, j, LRT_LEDGER_BOOK, LRT_ACCOUNT_TOTAL_ASSETS, NULL);
	mpz_abs(sum, sum);
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	lrt_book_position(x, book, "ETH", "p2p");
	journal_balance(sum, j, 0, LRT_ACCOUNT_POSITION, "p2p");
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	lrt_book_position(x, book, "stETH", "buffer");
	journal_balance(sum, j, 1, LRT_ACCOUNT_POSITION, "buffer");
	ck_assert_int_eq(mpz_cmp(sum, x), 0);
	lrt_book_position(x, book, "ETH", "claimable");
	journal_balance(sum, j, 0, LRT_ACCOUNT_POSITION, "claimable");
	ck_assert_int_eq(mpz_cmp(sum, x), 0);

	mpz_clear(x);
	mpz_clear(sum);
	for (size_t i = 0; i < j->count; i++)
		mpz_clear(j->amount[i]);
	free(j);
	lrt_book_free(book);
}
END_TEST

Suite *book_suite(void)
{
	Suite *suite = suite_create("book");
	TCase *conversion = tcase_create("conversion");
	TCase *events = tcase_create("events");
	TCase *rejections = tcase_create("rejections");
	TCase *journal_case = tcase_create("journal");

	tcase_add_test(conversion, test_empty_book_rates);
	tcase_add_test(conversion, test_erc4626_offset0_first_deposit);
	tcase_add_test(conversion, test_erc4626_offset3_first_deposit);
	tcase_add_test(conversion, test_to_shares_rounds_down_offset0);
	tcase_add_test(conversion, test_to_shares_rounds_down_offset3);
	tcase_add_test(conversion, test_to_assets_rounds_down);
	tcase_add_test(conversion, test_plain_first_deposit);
	tcase_add_test(conversion, test_plain_rounding);
	tcase_add_test(conversion, test_plain_no_assets);
	tcase_add_test(conversion, test_value_6_decimals_into_18);
	tcase_add_test(conversion, test_value_18_decimals_into_6);
	tcase_add_test(conversion, test_value_36_digit_price);
	tcase_add_test(conversion, test_value_9_decimals_offset2);
	tcase_add_test(conversion, test_price_applies_from_its_point_on);
	suite_add_tcase(suite, conversion);

	tcase_add_test(events, test_withdraw_locks_shares);
	tcase_add_test(events, test_transfer);
	tcase_add_test(events, test_holders_sorted_by_code_point);
	tcase_add_test(events, test_positions_change_not_a);
	tcase_add_test(events, test_zero_amounts_change_nothing);
	tcase_add_test(events, test_event_type_names);
	suite_add_tcase(suite, events);

	tcase_add_test(rejections, test_reject_unknown_asset);
	tcase_add_test(rejections, test_reject_claimable_location);
	tcase_add_test(rejections, test_reject_slash_of_buffer);
	tcase_add_test(rejections, test_reject_shares);
	tcase_add_test(rejections, test_reject_short_position);
	tcase_add_test(rejections, test_reject_deposits);
	tcase_add_test(rejections, test_reject_price_of_underlying);
	tcase_add_test(rejections, test_reject_claims_of_unknown_or_queued);
	tcase_add_test(rejections, test_reject_overflow);
	tcase_add_test(rejections, test_rejected_listed_in_report);
	tcase_add_test(rejections, test_state_errors);
	suite_add_tcase(suite, rejections);

	tcase_add_test(journal_case, test_journal_balances);
	suite_add_tcase(suite, journal_case);
	return suite;
}
