/*
 * check_exposure.c - exposure and stress (SPEC section 7): value(op) over
 * several assets and prices, each position rounded down on its own;
 * slashable(op, avs) with a / M after a slash lowered M; an operator with
 * allocations and no position left out; hhi_bps, 0 when no operator has
 * value.  The stress: slashes applied in order with the magnitudes the
 * previous one left, a rejected one reported and skipped, steps 1-4 of the
 * next epoch (smoothing and fee included), the guard's "trip" and "pass",
 * and a book that never settled an epoch (the stress is epoch 0).
 *
 * Every expected figure is worked out from the SPEC by hand or with python3
 * integers and fractions (the comments show the arithmetic).
 */
#include <stdio.h>  /* before gmp.h */

#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

#define WAD "1" FX_E18
#define HALF_WAD "500000000000000000"

/* ---- exposure ------------------------------------------------------------ */

/*
 * ETH, stETH at 0.9993 and USDC at 0.000285714: p2p holds 4e18 ETH,
 * 5000000000000000001 stETH and 3500000001 USDC; figment 3e18 ETH; kiln has
 * allocations and no position.
 */
static lrt_book *three_asset_book(void)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,stETH:18,USDC:6", LRT_MODEL_ERC4626, 0);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_APPLIED(fx_price(book, "p1", "stETH", "0.9993"));
	FX_ASSERT_APPLIED(fx_price(book, "p2", "USDC", "0.000285714"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "stETH", "5000000000000000001"));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "USDC", "3500000001"));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "4" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_move(book, "m2", "stETH", "5000000000000000001", "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_move(book, "m3", "USDC", "3500000001", "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_move(book, "m4", "ETH", "3" FX_E18, "buffer", "figment"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", HALF_WAD));
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "eigenda", "USDC", "250000000000000000"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a3", "p2p", "lagrange", "stETH", WAD));
	FX_ASSERT_APPLIED(fx_allocate(book, "a4", "figment", "eigenda", "ETH", WAD));
	FX_ASSERT_APPLIED(fx_allocate(book, "a5", "kiln", "eigenda", "ETH", WAD));
	return book;
}

START_TEST(test_exposure_several_assets)
{
	lrt_book *book = three_asset_book();

	/* value(p2p) = 4e18 + floor(5000000000000000001 * 0.9993)
	 *   + floor(3500000001 * 0.000285714 * 10^12)
	 *   = 4e18 + 4996500000000000000 + 999999000285714000
	 *   = 9996499000285714000 (the stETH floor drops 0.9993 wei);
	 * slashable(p2p, eigenda) = floor(4e18 * 5e17 / 1e18)
	 *   + floor(999999000285714000 * 2.5e17 / 1e18)
	 *   = 2e18 + 249999750071428500 = 2249999750071428500;
	 * slashable(p2p, lagrange) = 4996500000000000000;
	 * hhi = floor(10000 * (v1^2 + v2^2) / (v1 + v2)^2) = 6449;
	 * kiln (allocations, no position) and buffer are not operators listed */
	FX_ASSERT_EXPOSURE(book,
		"figment 3000000000000000000 eigenda=3000000000000000000\n"
		"p2p 9996499000285714000 eigenda=2249999750071428500 "
		"lagrange=4996500000000000000\n"
		"hhi 6449\n");
	/* M(p2p, ETH) drops to 7.5e17 (d = 2.5e17, a = 2.5e17); q = 3e18:
	 * slashable(p2p, eigenda) = floor(3e18 * 2.5e17 / 7.5e17)
	 *   + 249999750071428500 = 1249999750071428500 */
	FX_ASSERT_APPLIED(fx_slash_wad(book, "s1", "p2p", "eigenda", "ETH", HALF_WAD));
	FX_ASSERT_POSITION(book, "ETH", "p2p", "3" FX_E18);
	FX_ASSERT_EXPOSURE(book,
		"figment 3000000000000000000 eigenda=3000000000000000000\n"
		"p2p 8996499000285714000 eigenda=1249999750071428500 "
		"lagrange=4996500000000000000\n"
		"hhi 6249\n");
	/* the exposure is at the last prices: stETH at 0 leaves its term out */
	FX_ASSERT_APPLIED(fx_price(book, "p3", "stETH", "0"));
	FX_ASSERT_EXPOSURE(book,
		"figment 3000000000000000000 eigenda=3000000000000000000\n"
		"p2p 3999999000285714000 eigenda=1249999750071428500\n"
		/* floor(10000 * (3999999000285714000^2 + 3e18^2)
		 *   / 6999999000285714000^2) */
		"hhi 5102\n");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_exposure_without_operator_value)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18,EIGEN:18", LRT_MODEL_ERC4626, 0);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_EXPOSURE(book, "hhi 0\n");
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	/* the buffer is not an operator */
	FX_ASSERT_EXPOSURE(book, "hhi 0\n");
	/* EIGEN has no price: p2p holds something worth 0, slashable 0 */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "eigenda", "p2p", "EIGEN", "5" FX_E18));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "EIGEN", WAD));
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "eigenda", "ETH", WAD));
	FX_ASSERT_EXPOSURE(book, "hhi 0\n");
	/* one wei of ETH: value 1, slashable 1, hhi 10000 */
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "1", "buffer", "p2p"));
	FX_ASSERT_EXPOSURE(book, "p2p 1 eigenda=1\nhhi 10000\n");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_exposure_leaves_claimable_out)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "4" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_POSITION(book, "ETH", "claimable", "4" FX_E18);
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "1" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_move(book, "m2", "ETH", "3" FX_E18, "buffer", "figment"));
	/* floor(10000 * (1 + 9) / 16) = 6250 */
	FX_ASSERT_EXPOSURE(book, "figment 3000000000000000000\np2p 1000000000000000000\n"
			   "hhi 6250\n");
	lrt_book_free(book);
}
END_TEST

/* ---- stress -------------------------------------------------------------- */

/* Runs a stress of `count` slashes "op:avs:asset:wad" on the book into
 * `report` (initialized by the caller), asserting success. */
static void run_stress(lrt_stress_report *report, lrt_book *book,
		       const char *const *slashes, size_t count)
{
	lrt_stress_slash list[8] = {{0}};
	char parts[8][4][64];
	int rc;

	ck_assert_uint_le(count, 8);
	for (size_t i = 0; i < count; i++) {
		ck_assert_int_eq(sscanf(slashes[i], "%63[^:]:%63[^:]:%63[^:]:%63s", parts[i][0],
					parts[i][1], parts[i][2], parts[i][3]), 4);
		list[i].operator_name = parts[i][0];
		list[i].avs = parts[i][1];
		list[i].asset = parts[i][2];
		mpz_init_set_str(list[i].wad, parts[i][3], 10);
	}
	rc = lrt_book_stress(report, book, list, count);
	ck_assert_msg(rc == 0, "lrt_book_stress: %d (%s)", rc, lrt_error_last());
	for (size_t i = 0; i < count; i++)
		mpz_clear(list[i].wad);
	ck_assert_uint_eq(report->outcome_count, count);
}

/* ETH erc4626, max_rate_change_bps 500: alice deposits 100e18, 60e18 goes to
 * p2p, eigenda is allocated 5e17 and lagrange 2.5e17; epoch 0 settled and no
 * epoch open. */
static lrt_book *stress_book(void)
{
	lrt_product product;
	lrt_epoch_report report;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	product.policy.max_rate_change_bps = 500;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "60" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", HALF_WAD));
	FX_ASSERT_APPLIED(fx_allocate(book, "a2", "p2p", "lagrange", "ETH", "250000000000000000"));
	lrt_epoch_report_init(&report);
	ck_assert_int_eq(fx_settle_close(book, &report), 0);
	lrt_epoch_report_clear(&report);
	return book;
}

START_TEST(test_stress_slashes_in_order)
{
	static const char *const slashes[] = {
		"p2p:eigenda:ETH:" HALF_WAD,
		"buffer:eigenda:ETH:" WAD,       /* rejected: buffer */
		"p2p:eigenda:ETH:" HALF_WAD,
		"p2p:eigenda:XYZ:1",             /* rejected: unknown asset */
		"p2p:nobody:ETH:" WAD,           /* no allocation: no loss */
	};
	lrt_book *book = stress_book();
	lrt_stress_report report;

	lrt_stress_report_init(&report);
	run_stress(&report, book, slashes, 5);
	ck_assert_int_eq(report.epoch, 1);
	/* 1: d = 2.5e17, a = 2.5e17, M = 7.5e17; q = 60e18 -> 45e18 */
	FX_ASSERT_MPZ(report.outcomes[0].loss, "15" FX_E18);
	ck_assert_ptr_null(report.outcomes[0].rejected);
	ck_assert_ptr_nonnull(report.outcomes[1].rejected);
	ck_assert_msg(strstr(report.outcomes[1].rejected, "buffer") != NULL,
		      "reason: %s", report.outcomes[1].rejected);
	FX_ASSERT_MPZ(report.outcomes[1].loss, "0");
	/* 2, on what 1 left: d = 1.25e17, M = 6.25e17; q = ceil(45e18 *
	 * 6.25e17 / 7.5e17) = 37.5e18 (the same wad on the first state
	 * would have taken 11.25e18) */
	FX_ASSERT_MPZ(report.outcomes[2].loss, "7500000000000000000");
	ck_assert_ptr_null(report.outcomes[2].rejected);
	ck_assert_ptr_nonnull(report.outcomes[3].rejected);
	ck_assert_msg(strstr(report.outcomes[3].rejected, "XYZ") != NULL,
		      "reason: %s", report.outcomes[3].rejected);
	FX_ASSERT_MPZ(report.outcomes[4].loss, "0");
	ck_assert_ptr_null(report.outcomes[4].rejected);
	FX_ASSERT_MPZ(report.loss_value, "22500000000000000000");
	/* A1 = 100e18 - 22.5e18; S1 = 100e18; r0 = 1e18;
	 * r1 = floor(1e18 * (77.5e18 + 1) / (100e18 + 1)) = 0.775e18:
	 * |r1 - r0| * 10000 = 2250e18 > 500 * 1e18: trip */
	FX_ASSERT_MPZ(report.total_assets, "77500000000000000000");
	FX_ASSERT_MPZ(report.total_shares, "100" FX_E18);
	FX_ASSERT_MPZ(report.deferred, "0");
	FX_ASSERT_MPZ(report.rate_before, "1" FX_E18);
	FX_ASSERT_MPZ(report.rate, "775000000000000000");
	ck_assert(report.guard_trips);
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_stress_guard_passes)
{
	static const char *const slashes[] = {"p2p:eigenda:ETH:1000000000000000"};
	lrt_book *book = stress_book();
	lrt_stress_report report;

	lrt_stress_report_init(&report);
	run_stress(&report, book, slashes, 1);
	/* d = ceil(5e17 * 1e15 / 1e18) = 5e14; q = ceil(60e18 * (1e18 - 5e14)
	 * / 1e18) = 59.97e18; r1 = floor(1e18 * (99.97e18 + 1) / (100e18 + 1))
	 * = 0.9997e18: 3 bps of 500 */
	FX_ASSERT_MPZ(report.outcomes[0].loss, "30000000000000000");
	FX_ASSERT_MPZ(report.loss_value, "30000000000000000");
	FX_ASSERT_MPZ(report.total_assets, "99970000000000000000");
	FX_ASSERT_MPZ(report.rate, "999700000000000000");
	ck_assert(!report.guard_trips);
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

/*
 * fee_bps 1000, max_apr_bps 1000: epoch 0 as stress_book; epoch 1 a reward
 * of 1e18 of which cap = floor(100e18 * 1000 * 86400 / (10000 * 31536000))
 * = 27397260273972602 is recognized, D = 972602739726027398,
 * F = 2739726027397260, FS = floor(F * (100e18 + 1) / (A1 + 1 - F)) =
 * 2739050645046426: A = 100027397260273972602, S = 100002739050645046426.
 */
static lrt_book *smoothed_book(void)
{
	lrt_product product;
	lrt_epoch_report report;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	product.policy.fee_bps = 1000;
	product.policy.max_apr_bps = 1000;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "60" FX_E18, "buffer", "p2p"));
	FX_ASSERT_APPLIED(fx_allocate(book, "a1", "p2p", "eigenda", "ETH", HALF_WAD));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "1" FX_E18));
	lrt_epoch_report_init(&report);
	ck_assert_int_eq(fx_settle_close(book, &report), 0);
	FX_ASSERT_MPZ(report.fee_shares, "2739050645046426");
	lrt_epoch_report_clear(&report);
	FX_ASSERT_TOTALS(book, "100027397260273972602", "100002739050645046426",
			 "972602739726027398");
	return book;
}

START_TEST(test_stress_without_slash_releases_deferred)
{
	lrt_book *book = smoothed_book();
	lrt_stress_report report;

	lrt_stress_report_init(&report);
	run_stress(&report, book, NULL, 0);
	/* G = 0; cap = floor(A * 1000 * 86400 / (10000 * 31536000)) =
	 * 27404766372677800 = I; D = 945197973353349598; F = 2740476637267780,
	 * FS = floor(F * (S + 1) / (A1 + 1 - F)) = 2739125669030788 */
	ck_assert_int_eq(report.epoch, 2);
	FX_ASSERT_MPZ(report.loss_value, "0");
	FX_ASSERT_MPZ(report.total_assets, "100054802026646650402");
	FX_ASSERT_MPZ(report.total_shares, "100005478176314077214");
	FX_ASSERT_MPZ(report.deferred, "945197973353349598");
	FX_ASSERT_MPZ(report.rate_before, "1000246575342465753");
	FX_ASSERT_MPZ(report.rate, "1000493211484331018");
	ck_assert(!report.guard_trips);  /* no guard configured */
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_stress_loss_consumes_deferred)
{
	static const char *const slashes[] = {"p2p:eigenda:ETH:" HALF_WAD};
	lrt_book *book = smoothed_book();
	lrt_stress_report report;

	lrt_stress_report_init(&report);
	run_stress(&report, book, slashes, 1);
	/* loss 15e18: G = -15e18, G + D < 0: I = G + D =
	 * -14027397260273972602, D = 0, no fee */
	FX_ASSERT_MPZ(report.outcomes[0].loss, "15" FX_E18);
	FX_ASSERT_MPZ(report.loss_value, "15" FX_E18);
	FX_ASSERT_MPZ(report.total_assets, "86" FX_E18);
	FX_ASSERT_MPZ(report.total_shares, "100002739050645046426");
	FX_ASSERT_MPZ(report.deferred, "0");
	FX_ASSERT_MPZ(report.rate, "859976444809641194");
	ck_assert(!report.guard_trips);
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_stress_of_empty_book)
{
	static const char *const slashes[] = {
		"p2p:eigenda:ETH:" WAD, "claimable:eigenda:ETH:1"
	};
	lrt_product product;
	lrt_stress_report report;
	lrt_book *book = NULL;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	product.policy.max_rate_change_bps = 1;
	ck_assert_int_eq(lrt_book_new(&book, &product), 0);
	lrt_product_clear(&product);
	lrt_stress_report_init(&report);
	run_stress(&report, book, slashes, 2);
	/* no epoch settled: E = -1, the stress is epoch 0 on A = S = 0;
	 * r0 = r1 = floor(1e18 * (0 + 1) / (0 + 1)) */
	ck_assert_int_eq(report.epoch, 0);
	FX_ASSERT_MPZ(report.outcomes[0].loss, "0");
	ck_assert_ptr_null(report.outcomes[0].rejected);
	ck_assert_ptr_nonnull(report.outcomes[1].rejected);
	FX_ASSERT_MPZ(report.loss_value, "0");
	FX_ASSERT_MPZ(report.total_assets, "0");
	FX_ASSERT_MPZ(report.total_shares, "0");
	FX_ASSERT_MPZ(report.deferred, "0");
	FX_ASSERT_MPZ(report.rate_before, "1" FX_E18);
	FX_ASSERT_MPZ(report.rate, "1" FX_E18);
	ck_assert(!report.guard_trips);
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_stress_needs_closed_epoch)
{
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);
	lrt_stress_report report;

	lrt_stress_report_init(&report);
	ck_assert_int_eq(lrt_book_stress(&report, book, NULL, 0), LRT_ESTATE);
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *exposure_suite(void)
{
	Suite *suite = suite_create("exposure");
	TCase *exposure = tcase_create("exposure");
	TCase *stress = tcase_create("stress");

	tcase_add_test(exposure, test_exposure_several_assets);
	tcase_add_test(exposure, test_exposure_without_operator_value);
	tcase_add_test(exposure, test_exposure_leaves_claimable_out);
	suite_add_tcase(suite, exposure);
	tcase_add_test(stress, test_stress_slashes_in_order);
	tcase_add_test(stress, test_stress_guard_passes);
	tcase_add_test(stress, test_stress_without_slash_releases_deferred);
	tcase_add_test(stress, test_stress_loss_consumes_deferred);
	tcase_add_test(stress, test_stress_of_empty_book);
	tcase_add_test(stress, test_stress_needs_closed_epoch);
	suite_add_tcase(suite, stress);
	return suite;
}
