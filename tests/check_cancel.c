/*
 * check_cancel.c - `cancel` of a withdrawal request (SPEC sections 3-5,
 * second edition): the shares go back to the holder with A and S unchanged,
 * the others keep their queue order, a cancel in the epoch that would
 * finalize the request succeeds and frees the buffer for the next request;
 * cancels of unknown, finalized, claimed and cancelled requests are
 * rejected, and so is a claim of a cancelled request.
 *
 * Expected figures from the SPEC by hand (the comments show them).
 */
#include <stdio.h>  /* before gmp.h, for gmp_fprintf */

#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

/* The queue as "request holder shares epoch;..." */
static int queue_line(void *context, const lrt_request_view *request)
{
	gmp_fprintf(context, "%s %s %Zd %lld;", request->request, request->holder,
		    *request->shares, (long long)request->epoch);
	return 0;
}

static char *queue_text(const lrt_book *book)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(lrt_book_each_queued(book, queue_line, out), 0);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

#define ASSERT_QUEUE(book, expected) FX_ASSERT_TEXT(queue_text(book), (expected))

static lrt_book *delayed_book(int64_t delay_epochs)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", LRT_MODEL_ERC4626, 0);
	product.policy.delay_epochs = delay_epochs;
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

START_TEST(test_cancel_returns_shares_and_keeps_order)
{
	lrt_book *book = delayed_book(1);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "50" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d3", "carol", "ETH", "10" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "bob", "20" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w3", "carol", "5" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w4", "bob", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w2"));
	/* 50e18 - 20e18 - 1e18, then the 20e18 of w2 back */
	FX_ASSERT_HOLDER(book, "bob", "49" FX_E18);
	FX_ASSERT_TOTALS(book, "160" FX_E18, "160" FX_E18, "0");
	ASSERT_QUEUE(book, "w1 alice 10000000000000000000 1;w3 carol 5000000000000000000 1;"
		     "w4 bob 1000000000000000000 1;");
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_cancel(book, "c2", "w1"));
	FX_ASSERT_HOLDER(book, "alice", "100" FX_E18);
	ASSERT_QUEUE(book, "w3 carol 5000000000000000000 1;w4 bob 1000000000000000000 1;");
	ck_assert_int_eq(fx_settle(book, &report), 0);
	/* delay 1: w3 and w4 are due in epoch 2, at rate 1 */
	ck_assert_uint_eq(report.finalized_count, 2);
	ck_assert_str_eq(report.finalized[0].request, "w3");
	ck_assert_str_eq(report.finalized[1].request, "w4");
	FX_ASSERT_MPZ(report.claimable, "6" FX_E18);
	FX_ASSERT_TOTALS(book, "154" FX_E18, "154" FX_E18, "0");
	ASSERT_QUEUE(book, "");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_cancel_in_finalizing_epoch_frees_buffer)
{
	lrt_book *book = delayed_book(1);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "60" FX_E18));
	FX_ASSERT_APPLIED(fx_deposit(book, "d2", "bob", "ETH", "40" FX_E18));
	FX_ASSERT_APPLIED(fx_move(book, "m1", "ETH", "85" FX_E18, "buffer", "p2p"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "bob", "10" FX_E18));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.finalized_count, 0);
	/* epoch 2 finalizes both, but the buffer of 15e18 fits only w1;
	 * cancelling w1 in that epoch succeeds, and w2 takes the buffer */
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w1"));
	FX_ASSERT_REJECTED(book, fx_claim(book, "k1", "w1"));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.finalized_count, 1);
	ck_assert_str_eq(report.finalized[0].request, "w2");
	/* payout = min(cap 10e18, floor(10e18 * (100e18 + 1) / (100e18 + 1))) */
	FX_ASSERT_MPZ(report.finalized[0].payout, "10" FX_E18);
	FX_ASSERT_MPZ(report.buffer, "5" FX_E18);
	FX_ASSERT_MPZ(report.claimable, "10" FX_E18);
	FX_ASSERT_HOLDER(book, "alice", "60" FX_E18);
	FX_ASSERT_HOLDER(book, "bob", "30" FX_E18);
	FX_ASSERT_TOTALS(book, "90" FX_E18, "90" FX_E18, "0");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_cancel_in_request_epoch_with_no_delay)
{
	lrt_book *book = delayed_book(0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "4" FX_E18));
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w1"));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "3" FX_E18));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.finalized_count, 1);
	ck_assert_str_eq(report.finalized[0].request, "w2");
	FX_ASSERT_HOLDER(book, "alice", "7" FX_E18);
	FX_ASSERT_TOTALS(book, "7" FX_E18, "7" FX_E18, "0");
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_cancel_rejections)
{
	lrt_book *book = delayed_book(0);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "1" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "2" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w3", "alice", "3" FX_E18));
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w3"));
	/* unknown, cancelled */
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c2", "w9"));
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c3", "w3"));
	/* an event id that is not a request */
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c4", "d1"));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	ck_assert_uint_eq(report.finalized_count, 2);
	ck_assert_uint_eq(report.rejected_count, 3);
	ck_assert_str_eq(report.rejected[0].id, "c2");
	ck_assert_str_eq(report.rejected[1].id, "c3");
	ck_assert_str_eq(report.rejected[2].id, "c4");
	/* finalized (w1, w2), then claimed (w1); the cancelled w3 is not claimable */
	FX_ASSERT_APPLIED(fx_claim(book, "k1", "w1"));
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c5", "w1"));
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c6", "w2"));
	FX_ASSERT_REJECTED(book, fx_claim(book, "k2", "w3"));
	FX_ASSERT_REJECTED(book, fx_cancel(book, "c7", "w3"));
	FX_ASSERT_APPLIED(fx_claim(book, "k3", "w2"));
	FX_ASSERT_POSITION(book, "ETH", "claimable", "0");
	FX_ASSERT_HOLDER(book, "alice", "7" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

START_TEST(test_cancel_keeps_cap_of_others)
{
	lrt_book *book = delayed_book(1);
	lrt_epoch_report report;

	lrt_epoch_report_init(&report);
	FX_ASSERT_APPLIED(fx_deposit(book, "d1", "alice", "ETH", "100" FX_E18));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_withdraw(book, "w1", "alice", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_withdraw(book, "w2", "alice", "10" FX_E18));
	fx_settle_ok(book);
	/* a reward: payouts stay at the caps of 10e18 each */
	FX_ASSERT_APPLIED(fx_reward(book, "r1", "consensus", "buffer", "ETH", "10" FX_E18));
	FX_ASSERT_APPLIED(fx_cancel(book, "c1", "w1"));
	ck_assert_int_eq(fx_settle(book, &report), 0);
	/* A1 = 110e18, S1 = 100e18: floor(10e18 * (110e18 + 1) / (100e18 + 1))
	 * = 10999999999999999999 > cap 10e18 */
	ck_assert_uint_eq(report.finalized_count, 1);
	ck_assert_str_eq(report.finalized[0].request, "w2");
	FX_ASSERT_MPZ(report.finalized[0].payout, "10" FX_E18);
	FX_ASSERT_TOTALS(book, "100" FX_E18, "90" FX_E18, "0");
	FX_ASSERT_HOLDER(book, "alice", "90" FX_E18);
	lrt_epoch_report_clear(&report);
	lrt_book_free(book);
}
END_TEST

Suite *cancel_suite(void)
{
	Suite *suite = suite_create("cancel");
	TCase *tc = tcase_create("cancel");

	tcase_add_test(tc, test_cancel_returns_shares_and_keeps_order);
	tcase_add_test(tc, test_cancel_in_finalizing_epoch_frees_buffer);
	tcase_add_test(tc, test_cancel_in_request_epoch_with_no_delay);
	tcase_add_test(tc, test_cancel_rejections);
	tcase_add_test(tc, test_cancel_keeps_cap_of_others);
	suite_add_tcase(suite, tc);
	return suite;
}
