/*
 * check_fee_hwm.c - the fee's high-water mark (SPEC section 5 steps 3 and
 * 6): with fee_high_water_mark, B = max(0, min(I, A1 + VA - ceil(H * (Srun
 * + VS)))), so a recovery below the mark pays no fee and one past it pays
 * only on the excess; the ceil of H * (Srun + VS) decides the fee where H is
 * not an integer ratio; the mark is kept whatever fee_high_water_mark says,
 * so turning it on by `config` uses the mark of the epochs before; erc4626
 * and plain.
 *
 * Expected figures from the SPEC with python3 integers and fractions (a
 * model of steps 3 and 6 written from the text; the comments show the
 * arithmetic).
 */
#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

#define SETTLE(book, report) do { \
	int rc_ = fx_settle((book), (report)); \
	ck_assert_msg(rc_ == 0, "settle: %d (%s)", rc_, lrt_error_last()); \
} while (0)

/* ETH:18 with fee_bps 1000 and the mark as given. */
static lrt_book *fee_book(lrt_model model, bool high_water_mark)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", model, 0);
	product.policy.fee_bps = 1000;
	product.policy.fee_high_water_mark = high_water_mark;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

START_TEST(test_mark_blocks_recovery_and_charges_excess)
{
	lrt_book *book = fee_book(LRT_MODEL_ERC4626, true);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	/* epoch 0: A = S = 100e18; H = (100e18 + 1) / (100e18 + 1) = 1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	SETTLE(book, &report);
	/* epoch 1: a loss of 10e18 */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "0");
	/* epoch 2: +5e18, A1 = 95e18: B = max(0, min(5e18, 95e18 + 1 -
	 * ceil(1 * (100e18 + 1)))) = 0 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "5" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "5" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "0");
	FX_ASSERT_MPZ(report.fee_shares, "0");
	FX_ASSERT_HOLDER(book, "treasury", "0");
	/* epoch 3: +10e18, A1 = 105e18: B = min(10e18, 105e18 + 1 - (100e18
	 * + 1)) = 5e18; F = 5e17; FS = floor(5e17 * (100e18 + 1) /
	 * (105e18 + 1 - 5e17)) = 478468899521531100 */
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "10" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "500000000000000000");
	FX_ASSERT_MPZ(report.fee_shares, "478468899521531100");
	FX_ASSERT_MPZ(report.total_assets, "105" FX_E18);
	FX_ASSERT_MPZ(report.total_shares, "100478468899521531100");
	FX_ASSERT_MPZ(report.rate, "1045000000000000000");
	FX_ASSERT_HOLDER(book, "treasury", "478468899521531100");
	/* epoch 4: H is now the rate of epoch 3; a further gain is all
	 * above it: B = I = 1e18 */
	FX_ASSERT_APPLIED(fx_reward(book, "r3", "consensus", "buffer", "ETH", "1" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "100000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_mark_ceil_decides_fee)
{
	lrt_book *book = fee_book(LRT_MODEL_ERC4626, true);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "1000"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "500", "buffer", "p2p"));
	SETTLE(book, &report);
	/* epoch 1: I = 100, B = min(100, 1101 - ceil(1 * 1001)) = 100, F = 10,
	 * FS = floor(10 * 1001 / 1091) = 9: A = 1100, S = 1009,
	 * H = 1101 / 1010 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "100"));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "10");
	FX_ASSERT_MPZ(report.fee_shares, "9");
	/* epoch 2: -50, A = 1050; H stays */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "50"));
	SETTLE(book, &report);
	/* epoch 3: bob's 2 wei mint floor(2 * 1010 / 1051) = 1 share, so
	 * Srun + VS = 1011 and H * 1011 = 1113111 / 1010 = 1102.09...;
	 * +79: A1 = 1131, B = min(79, 1132 - ceil(1102.09)) = 1132 - 1103 = 29
	 * (with a floor: 30), F = floor(29 * 1000 / 10000) = 2 (not 3),
	 * FS = floor(2 * 1011 / (1132 - 2)) = 1 (not 2) */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "2"));
	FX_ASSERT_HOLDER(book, "bob", "1");
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "79"));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "79");
	FX_ASSERT_MPZ(report.fee_value, "2");
	FX_ASSERT_MPZ(report.fee_shares, "1");
	FX_ASSERT_MPZ(report.total_assets, "1131");
	FX_ASSERT_MPZ(report.total_shares, "1011");
	/* floor(1e18 * 1132 / 1012) */
	FX_ASSERT_MPZ(report.rate, "1118577075098814229");
	FX_ASSERT_HOLDER(book, "treasury", "10");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_mark_kept_while_off)
{
	lrt_book *book = fee_book(LRT_MODEL_ERC4626, false);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	SETTLE(book, &report);
	/* epoch 1: +10e18, F = 1e18, FS = floor(1e18 * (100e18 + 1) /
	 * (110e18 + 1 - 1e18)) = 917431192660550458; H = (110e18 + 1) /
	 * (S + 1), kept though the mark is off */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_shares, "917431192660550458");
	/* epoch 2: -20e18 */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "20" FX_E18));
	SETTLE(book, &report);
	/* epoch 3: the mark turned on; +15e18 to A1 = 105e18 stays below
	 * H * (S + 1) = 110e18 + 1: no fee (off, it would be 1.5e18) */
	FX_ASSERT_APPLIED(fx_config_high_water_mark(book, "c1", true));
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "15" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "15" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "0");
	FX_ASSERT_MPZ(report.fee_shares, "0");
	/* epoch 4: +10e18 to 115e18: B = 115e18 + 1 - (110e18 + 1) = 5e18,
	 * F = 5e17, FS = floor(5e17 * (S + 1) / (115e18 + 1 - 5e17)) */
	FX_ASSERT_APPLIED(fx_reward(book, "r3", "consensus", "buffer", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "500000000000000000");
	FX_ASSERT_MPZ(report.fee_shares, "440687472457032971");
	FX_ASSERT_MPZ(report.total_shares, "101358118665117583429");
	FX_ASSERT_MPZ(report.rate, "1134590909090909090");
	/* epoch 5: off again: a loss and its recovery pay the full fee */
	FX_ASSERT_APPLIED(fx_config_high_water_mark(book, "c2", false));
	FX_ASSERT_APPLIED(fx_slash(book, "s2", "p2p", "eigenda", "ETH", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_reward(book, "r4", "consensus", "p2p", "ETH", "2" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "1" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "100000000000000000");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_mark_off_charges_recovery)
{
	lrt_book *book = fee_book(LRT_MODEL_ERC4626, false);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	SETTLE(book, &report);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "20" FX_E18));
	SETTLE(book, &report);
	/* F = 1.5e18 on I = 15e18; FS = floor(1.5e18 * (S + 1) /
	 * (105e18 + 1 - 1.5e18)) with S = 100917431192660550458 */
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "15" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "1500000000000000000");
	FX_ASSERT_MPZ(report.fee_shares, "1462571466560297832");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_mark_plain)
{
	lrt_book *book = fee_book(LRT_MODEL_PLAIN, true);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	/* epoch 0: no mark yet (S0 = 0): the fee is on all of I = 10e18;
	 * F = 1e18, FS = floor(1e18 * 100e18 / (110e18 - 1e18)) =
	 * 917431192660550458; H = 110e18 / (100e18 + FS) */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "10" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_value, "1" FX_E18);
	FX_ASSERT_MPZ(report.fee_shares, "917431192660550458");
	FX_ASSERT_MPZ(report.rate, "1090000000000000000");
	/* epoch 1: -20e18 */
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "20" FX_E18));
	SETTLE(book, &report);
	/* epoch 2: +25e18 to 115e18, H * S = 110e18: B = 5e18, F = 5e17,
	 * FS = floor(5e17 * S / (115e18 - 5e17)) = 440687472457032971 */
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "25" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "25" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "500000000000000000");
	FX_ASSERT_MPZ(report.fee_shares, "440687472457032971");
	FX_ASSERT_MPZ(report.total_shares, "101358118665117583429");
	FX_ASSERT_MPZ(report.rate, "1134590909090909090");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_mark_survives_empty_pool)
{
	lrt_book *book = fee_book(LRT_MODEL_PLAIN, true);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	/* epoch 0: A = S = 100e18, H = 1 */
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	SETTLE(book, &report);
	/* epoch 1: +20e18, F = 2e18, FS = floor(2e18 * 100e18 / 118e18) =
	 * 1694915254237288135; H = 120e18 / 101694915254237288135 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "20" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.fee_shares, "1694915254237288135");
	/* epoch 2: everybody leaves (S2 = 0: H is kept, not reset); the
	 * payouts floor(100e18 * 120e18 / S) = 118e18 and floor(FS * 120e18
	 * / S) = 1999999999999999999 leave 1 wei in A */
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "treasury", "1694915254237288135"));
	SETTLE(book, &report);
	FX_ASSERT_TOTALS(book, "1", "0", "0");
	/* epoch 3: a new deposit of 10e18 (S = 0: 10e18 shares) and a
	 * reward of 1e18: A1 = 11e18 + 1 < ceil(H * 10e18), about 11.8e18:
	 * no fee */
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_reward(book, "r2", "consensus", "buffer", "ETH", "1" FX_E18));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.recognized, "1" FX_E18);
	FX_ASSERT_MPZ(report.fee_value, "0");
	FX_ASSERT_MPZ(report.total_assets, "11000000000000000001");
	FX_ASSERT_MPZ(report.total_shares, "10" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *high_water_mark_suite(void)
{
	Suite *suite = suite_create("high_water_mark");
	TCase *tc = tcase_create("fee");

	tcase_add_test(tc, test_mark_blocks_recovery_and_charges_excess);
	tcase_add_test(tc, test_mark_ceil_decides_fee);
	tcase_add_test(tc, test_mark_kept_while_off);
	tcase_add_test(tc, test_mark_off_charges_recovery);
	tcase_add_test(tc, test_mark_plain);
	tcase_add_test(tc, test_mark_survives_empty_pool);
	suite_add_tcase(suite, tc);
	return suite;
}
