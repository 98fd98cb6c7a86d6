/*
 * check_allocations.c - EigenLayer's allocations and slashes by wad (SPEC
 * sections 2-4, second edition): the magnitude d = ceil(a * wad / WAD) a
 * slash takes and the position ceil(q * M1 / M) it leaves, where floor and
 * ceil differ; a wad of 0 and of WAD; a slash of an operator holding none of
 * the asset (its magnitudes still drop) and of an AVS with no allocation
 * (nothing changes); buffer and claimable refused; a slash by amount that
 * changes no magnitude; an allocation equal to M (allowed) and one wei above
 * (rejected, nothing changes), a replaced allocation, an allocation after a
 * slash lowered M.
 *
 * The magnitudes have no reader of their own: a test sees M through which
 * allocations the book accepts (the sum over the AVSs may reach M, not
 * pass it) and a / M through the exposure's slashable amounts (SPEC
 * section 7).  Every expected figure is worked out from the SPEC by hand or
 * with python3 integers (the comments show the arithmetic).
 */
#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

#define WAD "1" FX_E18

/* Settles, asserting success, into `report`. */
#define SETTLE(book, report) do { \
	int rc_ = fx_settle((book), (report)); \
	ck_assert_msg(rc_ == 0, "settle: %d (%s)", rc_, lrt_error_last()); \
} while (0)

/* ---- slash by wad ------------------------------------------------------ */

START_TEST(test_slash_wad_rounds_up)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "200000000000000000001"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "100000000000000000001", "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", "333333333333333333"));
	/* floor((1e20 + 1) * 333333333333333333 / 1e18) */
	FX_ASSERT_EXPOSURE(book, "p2p 100000000000000000001 eigenda=33333333333333333300\n"
			   "hhi 10000\n");
	SETTLE(book, &report);

	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "eigenda", "ETH", "500000000000000000"));
	/* d = ceil(333333333333333333 * 5e17 / 1e18) = ceil(...666.5) =
	 * 166666666666666667; M1 = 1e18 - d = 833333333333333333;
	 * q = ceil((1e20 + 1) * M1 / 1e18) = ceil(83333333333333333300.83..)
	 * = 83333333333333333301 (floor: ...300): the loss is 16666666666666666700 */
	FX_ASSERT_POSITION(book, "ETH", "p2p", "83333333333333333301");
	/* a = 333333333333333333 - d = 166666666666666666; slashable =
	 * floor(83333333333333333301 * a / M1) */
	FX_ASSERT_EXPOSURE(book, "p2p 83333333333333333301 eigenda=16666666666666666600\n"
			   "hhi 10000\n");
	/* M1 is 833333333333333333 (with a floor d it would be ...334): the
	 * AVS's allocation may be raised to M1, not one wei above */
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a2", "p2p", "eigenda", "ETH",
						     "833333333333333334"), "magnitude");
	FX_ASSERT_APPLIED(fx_allocate(book, "a3", "p2p", "eigenda", "ETH", "833333333333333333"));
	FX_ASSERT_EXPOSURE(book, "p2p 83333333333333333301 eigenda=83333333333333333301\n"
			   "hhi 10000\n");
	SETTLE(book, &report);
	/* L = the value of the loss; G = -L; rate = floor(1e18 *
	 * (183333333333333333301 + 1) / (200000000000000000001 + 1)) */
	FX_ASSERT_MPZ(report.slashed, "16666666666666666700");
	FX_ASSERT_MPZ(report.rewards, "0");
	FX_ASSERT_MPZ(report.revaluation, "0");
	FX_ASSERT_MPZ(report.recognized, "-16666666666666666700");
	FX_ASSERT_MPZ(report.total_assets, "183333333333333333301");
	FX_ASSERT_MPZ(report.total_shares, "200000000000000000001");
	FX_ASSERT_MPZ(report.rate, "916666666666666666");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_wad_of_zero_and_of_wad)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_epoch_report report;
	char *before, *after;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "7", "buffer", "figment"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "figment", "eigenda", "ETH", "333333333333333333"));
	SETTLE(book, &report);

	/* a wad of 0 is accepted and changes nothing: d = 0 */
	before = fx_state_dump(book);
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s0", "figment", "eigenda", "ETH", "0"));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);

	/* a wad of WAD takes the whole allocation: d = a = 333333333333333333,
	 * M1 = 666666666666666667; q = ceil(7 * M1 / 1e18) =
	 * ceil(4.666666666666666669) = 5 (floor: 4) */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "figment", "eigenda", "ETH", WAD));
	FX_ASSERT_POSITION(book, "ETH", "figment", "5");
	/* a = 0: nothing of figment is slashable any more */
	FX_ASSERT_EXPOSURE(book, "figment 5\nhhi 10000\n");
	/* the sum over the AVSs may reach M1 = 666666666666666667 */
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "figment", "lagrange", "ETH", "666666666666666667"));
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "figment", "eigenda", "ETH", "1"));
	/* the exposure divides by the lowered M: floor(5 * M1 / M1) = 5 */
	FX_ASSERT_EXPOSURE(book, "figment 5 lagrange=5\nhhi 10000\n");
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.slashed, "2");
	FX_ASSERT_MPZ(report.total_assets, "98");
	/* a second slash by WAD of an allocation now 0 takes nothing */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s2", "figment", "eigenda", "ETH", WAD));
	FX_ASSERT_POSITION(book, "ETH", "figment", "5");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_wad_of_operator_holding_none)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "figment", "eigenda", "ETH", "600000000000000000"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "figment", "lagrange", "ETH", "400000000000000000"));
	SETTLE(book, &report);

	/* figment holds no ETH: no loss, but d = ceil(6e17 * 5e17 / 1e18) =
	 * 3e17, so a(eigenda) = 3e17 and M = 7e17 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "figment", "eigenda", "ETH", "500000000000000000"));
	FX_ASSERT_POSITION(book, "ETH", "figment", "0");
	FX_ASSERT_EXPOSURE(book, "hhi 0\n");
	/* eigenda back to 6e17 fitted before (6e17 + 4e17 = M = 1e18); now
	 * 6e17 + 4e17 > 7e17 */
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a3", "figment", "eigenda", "ETH",
						     "600000000000000000"), "magnitude");
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a4", "figment", "eigenda", "ETH",
					     "300000000000000001"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a5", "figment", "eigenda", "ETH", "300000000000000000"));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.slashed, "0");
	FX_ASSERT_MPZ(report.recognized, "0");
	FX_ASSERT_TOTALS(book, "10" FX_E18, "10" FX_E18, "0");
	/* a deposit moved there later is exposed at a / M = 3e17 / 7e17:
	 * floor(7e18 * 3 / 7) = 3e18, and 4e18 for lagrange */
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "7" FX_E18, "buffer", "figment"));
	FX_ASSERT_EXPOSURE(book, "figment 7000000000000000000 eigenda=3000000000000000000 "
			   "lagrange=4000000000000000000\nhhi 10000\n");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_wad_of_avs_without_allocation)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_epoch_report report;
	char *before, *after;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "50" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", "500000000000000000"));
	SETTLE(book, &report);

	before = fx_state_dump(book);
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "lagrange", "ETH", WAD));
	/* and of a stake never allocated at all (another asset, operator) */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s2", "kiln", "eigenda", "ETH", WAD));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* M is still WAD */
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "lagrange", "ETH", "500000000000000000"));
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "p2p", "lagrange", "ETH",
					     "500000000000000001"));
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.slashed, "0");
	FX_ASSERT_MPZ(report.total_assets, "100" FX_E18);
	ck_assert_uint_eq(report.rejected_count, 1);
	ck_assert_str_eq(report.rejected[0].id, "a3");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_refused_on_buffer_and_claimable)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_REJECTED_BECAUSE(book, fx_slash_wad(book, "s1", "buffer", "eigenda", "ETH", WAD),
				   "buffer");
	FX_ASSERT_REJECTED_BECAUSE(book, fx_slash_wad(book, "s2", "claimable", "eigenda", "ETH",
						      WAD), "claimable");
	FX_ASSERT_REJECTED_BECAUSE(book, fx_slash_wad(book, "s3", "p2p", "eigenda", "XYZ", "1"),
				   "XYZ");
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a1", "buffer", "eigenda", "ETH", "1"),
				   "buffer");
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a2", "claimable", "eigenda", "ETH",
						     "1"), "claimable");
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a3", "p2p", "eigenda", "XYZ", "1"),
				   "XYZ");
	/* the slash by amount of edition 1 is refused there too */
	FX_ASSERT_REJECTED(book, fx_slash(book, "s4", "buffer", "eigenda", "ETH", "1"));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_slash_by_amount_keeps_magnitudes)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "10" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", WAD));
	FX_ASSERT_APPLIED(fx_slash(book, "s1", "p2p", "eigenda", "ETH", "4" FX_E18));
	FX_ASSERT_POSITION(book, "ETH", "p2p", "6" FX_E18);
	/* a = M = WAD: all of the 6e18 left is slashable */
	FX_ASSERT_EXPOSURE(book, "p2p 6000000000000000000 eigenda=6000000000000000000\n"
			   "hhi 10000\n");
	/* M is still WAD: eigenda may stay at WAD, nobody may add one wei */
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "eigenda", "ETH", WAD));
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "p2p", "lagrange", "ETH", "1"));
	lrt_book_free(book);
}
END_TEST

/* ---- allocate ---------------------------------------------------------- */

START_TEST(test_allocate_up_to_max_magnitude)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "40" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", "500000000000000000"));
	/* a magnitude above WAD is well-formed, and rejected: nothing changes */
	FX_ASSERT_REJECTED_BECAUSE(book, fx_allocate(book, "a2", "p2p", "eigenda", "ETH",
						     "1000000000000000001"), "magnitude");
	FX_ASSERT_EXPOSURE(book, "p2p 40000000000000000000 eigenda=20000000000000000000\n"
			   "hhi 10000\n");
	/* eigenda still holds 5e17: the sum may reach WAD exactly */
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "p2p", "lagrange", "ETH",
					     "500000000000000001"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a4", "p2p", "lagrange", "ETH", "500000000000000000"));
	/* one AVS alone may hold all of M */
	FX_ASSERT_APPLIED(fx_allocate(book, "a5", "figment", "eigenda", "ETH", WAD));
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a6", "figment", "lagrange", "ETH", "1"));
	/* each asset has its own M */
	FX_ASSERT_APPLIED(fx_allocate(book, "a7", "p2p", "eigenda", "stETH", WAD));
	FX_ASSERT_EXPOSURE(book, "p2p 40000000000000000000 eigenda=20000000000000000000 "
			   "lagrange=20000000000000000000\nhhi 10000\n");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_allocate_replaces)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "100" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", "600000000000000000"));
	/* the sum counts the new 7e17, not 6e17 + 7e17 */
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "eigenda", "ETH", "700000000000000000"));
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "p2p", "lagrange", "ETH",
					     "300000000000000001"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a4", "p2p", "lagrange", "ETH", "300000000000000000"));
	FX_ASSERT_EXPOSURE(book, "p2p 100000000000000000000 eigenda=70000000000000000000 "
			   "lagrange=30000000000000000000\nhhi 10000\n");
	/* lowering one frees room for another; 0 takes the AVS off the list */
	FX_ASSERT_APPLIED(fx_allocate(book, "a5", "p2p", "eigenda", "ETH", "0"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a6", "p2p", "lagrange", "ETH", WAD));
	FX_ASSERT_EXPOSURE(book, "p2p 100000000000000000000 lagrange=100000000000000000000\n"
			   "hhi 10000\n");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_allocate_after_two_wad_slashes)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "60" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", "500000000000000000"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "lagrange", "ETH", "250000000000000000"));
	/* 1: d = 2.5e17, a = 2.5e17, M = 7.5e17; q = 60e18 * 0.75 = 45e18 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "eigenda", "ETH", "500000000000000000"));
	FX_ASSERT_POSITION(book, "ETH", "p2p", "45" FX_E18);
	/* 2, with the magnitudes the first left: d = 1.25e17, a = 1.25e17,
	 * M = 6.25e17; q = ceil(45e18 * 6.25e17 / 7.5e17) = 37.5e18 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s2", "p2p", "eigenda", "ETH", "500000000000000000"));
	FX_ASSERT_POSITION(book, "ETH", "p2p", "37500000000000000000");
	/* slashable: floor(37.5e18 * 1.25e17 / 6.25e17) = 7.5e18 and
	 * floor(37.5e18 * 2.5e17 / 6.25e17) = 15e18 */
	FX_ASSERT_EXPOSURE(book, "p2p 37500000000000000000 eigenda=7500000000000000000 "
			   "lagrange=15000000000000000000\nhhi 10000\n");
	/* room left: M - sum = 6.25e17 - 3.75e17 = 2.5e17 */
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a3", "p2p", "kiln-avs", "ETH",
					     "250000000000000001"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a4", "p2p", "kiln-avs", "ETH", "250000000000000000"));
	lrt_book_free(book);
}
END_TEST

START_TEST(test_max_magnitude_down_to_zero)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_epoch_report report;
	char *before, *after;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "3" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", WAD));
	SETTLE(book, &report);
	/* d = a = M = WAD: M1 = 0 and the position ceil(q * 0 / WAD) = 0 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "eigenda", "ETH", WAD));
	FX_ASSERT_POSITION(book, "ETH", "p2p", "0");
	/* nothing more may be allocated; 0 may */
	FX_ASSERT_REJECTED(book, fx_allocate(book, "a2", "p2p", "lagrange", "ETH", "1"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a3", "p2p", "lagrange", "ETH", "0"));
	/* new stake at p2p is worth its value, and nothing is slashable:
	 * every term has M = 0 */
	FX_ASSERT_APPLIED(fx_move(book, "m2", "ETH", "2" FX_E18, "buffer", "p2p"));
	FX_ASSERT_EXPOSURE(book, "p2p 2000000000000000000\nhhi 10000\n");
	/* with M = 0 a slash by wad leaves the position as it is */
	before = fx_state_dump(book);
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s2", "p2p", "eigenda", "ETH", WAD));
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s3", "p2p", "lagrange", "ETH", WAD));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	SETTLE(book, &report);
	FX_ASSERT_MPZ(report.slashed, "3" FX_E18);
	FX_ASSERT_MPZ(report.total_assets, "7" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *allocations_suite(void)
{
	Suite *suite = suite_create("allocations");
	TCase *wad = tcase_create("slash by wad");
	TCase *allocate = tcase_create("allocate");

	tcase_add_test(wad, test_slash_wad_rounds_up);
	tcase_add_test(wad, test_slash_wad_of_zero_and_of_wad);
	tcase_add_test(wad, test_slash_wad_of_operator_holding_none);
	tcase_add_test(wad, test_slash_wad_of_avs_without_allocation);
	tcase_add_test(wad, test_slash_refused_on_buffer_and_claimable);
	tcase_add_test(wad, test_slash_by_amount_keeps_magnitudes);
	suite_add_tcase(suite, wad);
	tcase_add_test(allocate, test_allocate_up_to_max_magnitude);
	tcase_add_test(allocate, test_allocate_replaces);
	tcase_add_test(allocate, test_allocate_after_two_wad_slashes);
	tcase_add_test(allocate, test_max_magnitude_down_to_zero);
	suite_add_tcase(suite, allocate);
	return suite;
}
