/*
 * check_points.c - points programs (SPEC section 5 step 7): per_share_epoch
 * points per whole share in the snapshot, counted in 10^-18 point and
 * rounded down once over the exact sum (not per epoch); programs removed by
 * `config` (no accrual while out, points kept) and named again; rates
 * changed; the configuration after the epoch's last event; shares locked in
 * the queue earn nothing (and earn again when cancelled); a holder who left
 * keeps its points; fee recipients earn from the epoch of their fee shares;
 * the division by 10^share_decimals of an erc4626 offset.
 *
 * Expected figures from the SPEC by hand (the comments show them).
 */
#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

static lrt_book *points_book(lrt_model model, unsigned offset, const char *programs,
			     int64_t delay_epochs)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", model, offset);
	fx_product_points(&product, programs);
	product.policy.delay_epochs = delay_epochs;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

/* The programs ever named, as "a,b,". */
static int program_name(void *context, const char *program)
{
	strcat(context, program);
	strcat(context, ",");
	return 0;
}

#define ASSERT_PROGRAMS(book, expected) do { \
	char names_[256] = ""; \
	ck_assert_int_eq(lrt_book_each_program((book), program_name, names_), 0); \
	ck_assert_str_eq(names_, (expected)); \
} while (0)

START_TEST(test_points_rounded_once)
{
	lrt_book *book = points_book(LRT_MODEL_ERC4626, 0, "half=0.5,tiny=0.000000000000000001", 0);

	/* one base unit of share: 1 * 0.5 * 10^18 / 10^18 = 0.5 a epoch */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "1" FX_E18));
	FX_ASSERT_HOLDER(book, "alice", "1");
	fx_settle_ok(book);
	/* bob: 1e18 * 1e-18 * 10^18 / 10^18 = 1 */
	FX_ASSERT_POINTS(book, "half", "bob=500000000000000000");
	FX_ASSERT_POINTS(book, "tiny", "bob=1");
	fx_settle_ok(book);
	/* floor(0.5 + 0.5) = 1, where rounding each epoch gives 0 */
	FX_ASSERT_POINTS(book, "half", "alice=1,bob=1000000000000000000");
	FX_ASSERT_POINTS(book, "tiny", "bob=2");
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "half", "alice=1,bob=1500000000000000000");
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "half", "alice=2,bob=2000000000000000000");
	ASSERT_PROGRAMS(book, "half,tiny,");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_share_decimals_of_offset)
{
	lrt_book *book = points_book(LRT_MODEL_ERC4626, 3, "p=1", 0);

	/* offset 3: share decimals 21; 1e18 wei mint 1e21 shares, one whole
	 * share: 1 point = 10^18; 1 wei mints 1000 shares: 1000 * 10^18 /
	 * 10^21 = 1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1" FX_E18));
	FX_ASSERT_HOLDER(book, "alice", "1000" FX_E18);
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "1"));
	FX_ASSERT_HOLDER(book, "bob", "1000");
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=2000000000000000000,bob=1");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_removed_renamed_rate_changed)
{
	lrt_book *book = points_book(LRT_MODEL_ERC4626, 0, "p=1,q=2", 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	/* 10 shares: p 10 points, q 20 */
	FX_ASSERT_POINTS(book, "p", "alice=10000000000000000000");
	FX_ASSERT_POINTS(book, "q", "alice=20000000000000000000");
	/* epoch 1: p left out: it keeps its points and earns nothing */
	FX_ASSERT_APPLIED(fx_config_points(book, "c1", "q=2"));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=10000000000000000000");
	FX_ASSERT_POINTS(book, "q", "alice=40000000000000000000");
	/* epoch 2: p named again at 3 a share */
	FX_ASSERT_APPLIED(fx_config_points(book, "c2", "p=3,q=2"));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=40000000000000000000");
	FX_ASSERT_POINTS(book, "q", "alice=60000000000000000000");
	/* epoch 3: settlement uses the configuration after the last event:
	 * none, then p at 0.25 */
	FX_ASSERT_APPLIED(fx_config_points(book, "c3", ""));
	FX_ASSERT_APPLIED(fx_config_points(book, "c4", "p=0.25"));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=42500000000000000000");
	FX_ASSERT_POINTS(book, "q", "alice=60000000000000000000");
	/* epoch 4: p named, then removed, within the epoch: no accrual */
	FX_ASSERT_APPLIED(fx_config_points(book, "c5", "p=1,new=1"));
	FX_ASSERT_APPLIED(fx_config_points(book, "c6", ""));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=42500000000000000000");
	/* every program ever named is known, in code-point order */
	ASSERT_PROGRAMS(book, "new,p,q,");
	FX_ASSERT_POINTS(book, "new", "");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_queue_locked_earn_nothing)
{
	lrt_book *book = points_book(LRT_MODEL_ERC4626, 0, "p=1", 2);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	/* epoch 1: alice locks 4 in the queue: she earns on 6 */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "4" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=16000000000000000000,bob=20000000000000000000");
	/* epoch 2: the cancel gives the 4 back: 10 again */
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w1"));
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=26000000000000000000,bob=30000000000000000000");
	/* epoch 3: bob's request of 10 finalizes in epoch 5 (delay 2); only
	 * the snapshot counts: alice moves 3 to carol and gets them back */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "bob", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_transfer(book, "t1", "alice", "carol", "3" FX_E18));
	FX_ASSERT_APPLIED(fx_transfer(book, "t2", "carol", "alice", "3" FX_E18));
	fx_settle_ok(book);
	fx_settle_ok(book);
	fx_settle_ok(book);
	/* bob left with 30 points, kept with 0 shares; alice 26 + 3 * 10 */
	FX_ASSERT_HOLDER(book, "bob", "0");
	FX_ASSERT_POINTS(book, "p", "alice=56000000000000000000,bob=30000000000000000000");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_holder_who_left_keeps_them)
{
	lrt_book *book = points_book(LRT_MODEL_PLAIN, 0, "p=1", 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_transfer(book, "t1", "alice", "bob", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_HOLDER(book, "alice", "0");
	FX_ASSERT_POINTS(book, "p", "alice=10000000000000000000,bob=30000000000000000000");
	/* alice withdraws nothing more; bob leaves through the queue */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "bob", "20" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_TOTALS(book, "0", "0", "0");
	FX_ASSERT_POINTS(book, "p", "alice=10000000000000000000,bob=30000000000000000000");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_fee_recipients_from_their_epoch)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	fx_product_recipients(&product, "treasury:6667,dao:3333");
	fx_product_points(&product, "p=1");
	product.policy.fee_bps = 1000;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	fx_settle_ok(book);
	/* epoch 1: F = 1e18 of a 10e18 reward, FS = floor(1e18 * (100e18 + 1)
	 * / (110e18 + 1 - 1e18)) = 917431192660550458: dao floor(FS * 3333 /
	 * 10000) = 305779816513761467, treasury the rest 611651376146788991;
	 * minted at step 3, they are in this epoch's snapshot */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_HOLDER(book, "treasury", "611651376146788991");
	FX_ASSERT_HOLDER(book, "dao", "305779816513761467");
	FX_ASSERT_POINTS(book, "p", "alice=200000000000000000000,dao=305779816513761467,"
			 "treasury=611651376146788991");
	fx_settle_ok(book);
	FX_ASSERT_POINTS(book, "p", "alice=300000000000000000000,dao=611559633027522934,"
			 "treasury=1223302752293577982");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_points_beyond_2_256)
{
	lrt_book *book = points_book(LRT_MODEL_PLAIN, 0, "big=1000000", 0);

	/* plain, S = 0: the deposit mints its value, 2^256 - 1 shares; at a
	 * million points a share, one epoch is (2^256 - 1) * 10^6 points:
	 * 10^24 * (2^256 - 1) in units of 10^-18, past 2^256 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH",
		"115792089237316195423570985008687907853269984665640564039457584007913129639935"));
	fx_settle_ok(book);
	fx_settle_ok(book);
	/* 2 * 10^6 * (2^256 - 1) */
	FX_ASSERT_POINTS(book, "big", "alice="
		"231584178474632390847141970017375815706539969331281128078915168015826259279870000000");
	lrt_book_free(book);
}
END_TEST

Suite *points_suite(void)
{
	Suite *suite = suite_create("points");
	TCase *tc = tcase_create("programs");

	tcase_add_test(tc, test_points_rounded_once);
	tcase_add_test(tc, test_points_share_decimals_of_offset);
	tcase_add_test(tc, test_points_removed_renamed_rate_changed);
	tcase_add_test(tc, test_points_queue_locked_earn_nothing);
	tcase_add_test(tc, test_points_holder_who_left_keeps_them);
	tcase_add_test(tc, test_points_fee_recipients_from_their_epoch);
	tcase_add_test(tc, test_points_beyond_2_256);
	suite_add_tcase(suite, tc);
	return suite;
}
