/*
 * check_reconcile.c - `attest` and the reconciliation of SPEC section 5
 * step 8: `book` is the position after all the epoch's events (a reward
 * applied after the attest included) and before step 5 (a withdrawal
 * finalized in the epoch not yet moved); `claimable` may be attested; a
 * location never used reads 0 and is not created; an asset never held reads
 * 0; an unknown asset is rejected and leaves no entry; the difference is
 * signed.  An attest changes nothing.
 *
 * Expected figures from the SPEC by hand (the comments show them).
 */
#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

#define ASSERT_RECONCILIATION(report, expected) \
	FX_ASSERT_TEXT(fx_reconciliation_text(report), (expected))

static lrt_book *two_asset_book(void)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,stETH:18", LRT_MODEL_ERC4626, 0);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

START_TEST(test_attest_reads_book_after_events_before_finalization)
{
	lrt_book *book = two_asset_book();
	lrt_epoch_report report;
	char *before, *after;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "4" FX_E18, "buffer", "p2p"));
	fx_settle_ok(book);

	before = fx_state_dump(book);
	/* written before the reward of the same epoch: the book sees it */
	FX_ASSERT_APPLIED(fx_attest(book, "t1", "ETH", "p2p", "4500000000000000000"));
	/* the buffer is read before step 5 moves w1's payout */
	FX_ASSERT_APPLIED(fx_attest(book, "t2", "ETH", "buffer", "6" FX_E18));
	FX_ASSERT_APPLIED(fx_attest(book, "t3", "ETH", "claimable", "0"));
	/* never used: book 0, and kiln does not become a location */
	FX_ASSERT_APPLIED(fx_attest(book, "t4", "ETH", "kiln", "7"));
	/* never held */
	FX_ASSERT_APPLIED(fx_attest(book, "t5", "stETH", "buffer", "3"));
	FX_ASSERT_REJECTED_BECAUSE(book, fx_attest(book, "t6", "XYZ", "buffer", "1"), "XYZ");
	/* the observation is short: a negative difference */
	FX_ASSERT_APPLIED(fx_attest(book, "t7", "ETH", "p2p", "4" FX_E18));
	after = fx_state_dump(book);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "p2p", "ETH", "500000000000000000"));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "2" FX_E18));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ASSERT_RECONCILIATION(&report,
		"t1 ETH p2p 4500000000000000000 4500000000000000000 0\n"
		"t2 ETH buffer 6000000000000000000 6000000000000000000 0\n"
		"t3 ETH claimable 0 0 0\n"
		"t4 ETH kiln 0 7 7\n"
		"t5 stETH buffer 0 3 3\n"
		"t7 ETH p2p 4500000000000000000 4000000000000000000 -500000000000000000\n");
	ck_assert_uint_eq(report.rejected_count, 1);
	ck_assert_str_eq(report.rejected[0].id, "t6");
	/* w1: cap 2e18 (at A = S = 10e18), finalized after the attests */
	ck_assert_uint_eq(report.finalized_count, 1);
	FX_ASSERT_MPZ(report.finalized[0].payout, "2" FX_E18);
	FX_ASSERT_MPZ(report.buffer, "4" FX_E18);
	FX_ASSERT_MPZ(report.claimable, "2" FX_E18);
	FX_ASSERT_MPZ(report.recognized, "500000000000000000");
	FX_ASSERT_EXPOSURE(book, "p2p 4500000000000000000\nhhi 10000\n");
	FX_ASSERT_POSITION(book, "ETH", "kiln", "0");

	/* claimable: 2e18, observed one wei short */
	FX_ASSERT_APPLIED(fx_attest(book, "t8", "ETH", "claimable", "1999999999999999999"));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ASSERT_RECONCILIATION(&report,
		"t8 ETH claimable 2000000000000000000 1999999999999999999 -1\n");
	/* after all the epoch's events: the claim after the attest counts */
	FX_ASSERT_APPLIED(fx_attest(book, "t9", "ETH", "claimable", "2" FX_E18));
	FX_ASSERT_APPLIED(fx_claim(book, "k1", "w1"));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ASSERT_RECONCILIATION(&report,
		"t9 ETH claimable 0 2000000000000000000 2000000000000000000\n");
	/* an epoch with no attest has no entry */
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.reconciliation_count, 0);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_attest_of_slashed_and_swapped_positions)
{
	lrt_book *book = two_asset_book();
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "0.9993"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "stETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "stETH", "10" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "stETH", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_attest(book, "t1", "stETH", "p2p", "7500000000000000000"));
	/* a(eigenda) = M: a wad of 2.5e17 leaves ceil(10e18 * 0.75) = 7.5e18 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "eigenda", "stETH", "250000000000000000"));
	FX_ASSERT_APPLIED(fx_attest(book, "t2", "ETH", "p2p", "1"));
	FX_ASSERT_APPLIED(fx_swap(book, "x1", "p2p", "stETH", "1" FX_E18, "ETH", "999" FX_E18));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ASSERT_RECONCILIATION(&report,
		"t1 stETH p2p 6500000000000000000 7500000000000000000 1000000000000000000\n"
		"t2 ETH p2p 999000000000000000000 1 -998999999999999999999\n");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *reconcile_suite(void)
{
	Suite *suite = suite_create("reconcile");
	TCase *tc = tcase_create("attest");

	tcase_add_test(tc, test_attest_reads_book_after_events_before_finalization);
	tcase_add_test(tc, test_attest_of_slashed_and_swapped_positions);
	suite_add_tcase(suite, tc);
	return suite;
}
