/*
 * book_fixture.h - shared helpers of the accounting suites (check_book.c,
 * check_settle.c, check_erc4626.c): building an lrt_product and lrt_event in
 * C without JSON, applying one event per call, settling, and asserting GMP
 * values against decimal literals.
 *
 * The helpers use only the public API.  Amounts and prices given as text are
 * converted here (mpz_set_str, a decimal-to-rational of our own), not with
 * lrt_amount_parse/lrt_price_parse, so that a bug in those parsers shows up in
 * check_amount.c alone instead of in every suite.  The expected figures of the
 * suites are worked out from SPEC.md by hand or with python3 integers and
 * fractions, never from the implementation.
 */
#ifndef LRT_TESTS_BOOK_FIXTURE_H
#define LRT_TESTS_BOOK_FIXTURE_H

#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lrt/amount.h"
#include "lrt/book.h"
#include "lrt/error.h"
#include "lrt/event.h"
#include "lrt/product.h"

/* 10^18 and friends, to keep the literals of the suites readable. */
#define FX_E18 "000000000000000000"

/*
 * Fills an initialized product: symbol "rstETH", the assets of `assets`
 * ("ETH:18,stETH:18,USDC:6", the underlying first), the model and offset
 * given; every policy field keeps its default except the fee recipients,
 * which are [treasury 10000].
 */
void fx_product(lrt_product *product, const char *assets, lrt_model model,
		unsigned offset);

/* Replaces the fee recipients with `recipients` ("treasury:6667,dao:3333"). */
void fx_product_recipients(lrt_product *product, const char *recipients);

/* A new book for `product` with epoch 0 open (fails the test on error). */
lrt_book *fx_book_new(const lrt_product *product);

/* A book of one 18-decimal underlying ETH, with epoch 0 open. */
lrt_book *fx_book_eth(lrt_model model, unsigned offset);

/* The epoch open now: the last settled + 1. */
int64_t fx_open_epoch(const lrt_book *book);

/*
 * One event each, of the open epoch, applied at once; they return what
 * lrt_book_apply returns.  Amounts are decimal strings; `price` is
 * [0-9]+(.[0-9]+)?.  The strings must outlive the book (literals).
 */
int fx_deposit(lrt_book *book, const char *id, const char *holder,
	       const char *asset, const char *amount);
int fx_withdraw(lrt_book *book, const char *id, const char *holder,
		const char *shares);
int fx_transfer(lrt_book *book, const char *id, const char *from,
		const char *to, const char *shares);
int fx_reward(lrt_book *book, const char *id, const char *source,
	      const char *location, const char *asset, const char *amount);
int fx_slash(lrt_book *book, const char *id, const char *operator_name,
	     const char *avs, const char *asset, const char *amount);
int fx_move(lrt_book *book, const char *id, const char *asset,
	    const char *amount, const char *from, const char *to);
int fx_swap(lrt_book *book, const char *id, const char *location,
	    const char *asset_in, const char *amount_in,
	    const char *asset_out, const char *amount_out);
int fx_price(lrt_book *book, const char *id, const char *asset,
	     const char *price);
int fx_claim(lrt_book *book, const char *id, const char *request);
int fx_accept(lrt_book *book, const char *id, const char *rate);

/*
 * The events of the second edition.  `fx_slash_wad` is a slash by `wad`
 * (at most 10^18); `fx_allocate` sets a(operator, asset, avs).
 */
int fx_slash_wad(lrt_book *book, const char *id, const char *operator_name,
		 const char *avs, const char *asset, const char *wad);
int fx_allocate(lrt_book *book, const char *id, const char *operator_name,
		const char *avs, const char *asset, const char *magnitude);
int fx_cancel(lrt_book *book, const char *id, const char *request);
int fx_attest(lrt_book *book, const char *id, const char *asset,
	      const char *location, const char *amount);

/* `config` events of one field: the mark's switch, or the whole list of
 * points programs as "name=rate,name=rate" ("" for none). */
int fx_config_high_water_mark(lrt_book *book, const char *id, bool on);
int fx_config_points(lrt_book *book, const char *id, const char *programs);

/* Replaces a product's points programs ("name=rate,...", "" for none). */
void fx_product_points(lrt_product *product, const char *programs);

/* A `config` event setting the fields of `mask` from `policy` (borrowed). */
int fx_config(lrt_book *book, const char *id, unsigned mask,
	      const lrt_policy *policy);

/* Applies an event built by the caller, with the open epoch filled in. */
int fx_apply(lrt_book *book, lrt_event *event);

/*
 * Settles the open epoch into `report` (cleared and re-initialized first; the
 * caller initializes it once and clears it at the end) and, when settlement
 * succeeded, opens the next epoch.  Returns what lrt_book_settle returns.
 */
int fx_settle(lrt_book *book, lrt_epoch_report *report);

/* Settles the open epoch into `report` as fx_settle does, but opens no
 * next epoch (lrt_book_stress needs a book with none open). */
int fx_settle_close(lrt_book *book, lrt_epoch_report *report);

/* Settles the open epoch, asserting success, and opens the next. */
void fx_settle_ok(lrt_book *book);

/* Converts a decimal price to a canonical rational (test inputs only). */
void fx_decimal_to_mpq(mpq_t out, const char *text);

/*
 * The whole observable state of the book as text: A, S, D, the rate, the
 * settled epoch, every holder (sorted), every location, every position,
 * every queued request, every points program with its holders' points, and
 * the exposure.  Two equal dumps mean nothing changed.  free() the result.
 */
char *fx_state_dump(const lrt_book *book);

/*
 * The exposure of the book as text, one line per operator
 * "op VALUE avs1=S1 avs2=S2" (code-point order, as lrt_book_exposure gives
 * them), then "hhi BPS".  free() the result.
 */
char *fx_exposure_text(const lrt_book *book);

/* A holder's points in a program (0 when not listed), and every listed
 * holder of a program as "holder=points,..." ("" for none).  free(). */
char *fx_points_text(const lrt_book *book, const char *program);

/* The epoch report's reconciliation as "id asset location book observed
 * difference" lines.  free() the result. */
char *fx_reconciliation_text(const lrt_epoch_report *report);

#define FX_ASSERT_TEXT(got_text, expected) do { \
	char *fx_text_ = (got_text); \
	ck_assert_msg(strcmp(fx_text_, (expected)) == 0, \
		      "%s is\n%s\nexpected\n%s", #got_text, fx_text_, (expected)); \
	free(fx_text_); \
} while (0)

#define FX_ASSERT_EXPOSURE(book, expected) \
	FX_ASSERT_TEXT(fx_exposure_text(book), (expected))

#define FX_ASSERT_POINTS(book, program, expected) \
	FX_ASSERT_TEXT(fx_points_text((book), (program)), (expected))

/* Compares x with a decimal literal, naming both on failure. */
#define FX_ASSERT_MPZ_AS(x, expected, name) do { \
	char *fx_got_ = mpz_get_str(NULL, 10, (x)); \
	ck_assert_msg(strcmp(fx_got_, (expected)) == 0, \
		      "%s is %s, expected %s", (name), fx_got_, (expected)); \
	free(fx_got_); \
} while (0)

#define FX_ASSERT_MPZ(x, expected) FX_ASSERT_MPZ_AS(x, expected, #x)

/* A, S and D of the book. */
#define FX_ASSERT_TOTALS(book, a, s, d) do { \
	mpz_t fx_v_; \
	mpz_init(fx_v_); \
	lrt_book_total_assets(fx_v_, (book)); \
	FX_ASSERT_MPZ_AS(fx_v_, (a), "A"); \
	lrt_book_total_shares(fx_v_, (book)); \
	FX_ASSERT_MPZ_AS(fx_v_, (s), "S"); \
	lrt_book_deferred(fx_v_, (book)); \
	FX_ASSERT_MPZ_AS(fx_v_, (d), "D"); \
	mpz_clear(fx_v_); \
} while (0)

#define FX_ASSERT_RATE(book, expected) do { \
	mpz_t fx_v_; \
	mpz_init(fx_v_); \
	lrt_book_rate(fx_v_, (book)); \
	FX_ASSERT_MPZ_AS(fx_v_, (expected), "rate"); \
	mpz_clear(fx_v_); \
} while (0)

#define FX_ASSERT_HOLDER(book, holder, expected) do { \
	mpz_t fx_v_; \
	mpz_init(fx_v_); \
	lrt_book_holder_shares(fx_v_, (book), (holder)); \
	FX_ASSERT_MPZ_AS(fx_v_, (expected), "holder " holder); \
	mpz_clear(fx_v_); \
} while (0)

#define FX_ASSERT_POSITION(book, asset, location, expected) do { \
	mpz_t fx_v_; \
	mpz_init(fx_v_); \
	lrt_book_position(fx_v_, (book), (asset), (location)); \
	FX_ASSERT_MPZ_AS(fx_v_, (expected), "position " asset " " location); \
	mpz_clear(fx_v_); \
} while (0)

/*
 * `call` must be rejected (LRT_EREJECT, a reason in the last error) and
 * leave every observable figure of `book` as it was.
 */
#define FX_ASSERT_REJECTED(book, call) do { \
	char *fx_before_ = fx_state_dump(book); \
	int fx_rc_; \
	lrt_error_clear(); \
	fx_rc_ = (call); \
	ck_assert_msg(fx_rc_ == LRT_EREJECT, "%s returned %d, expected " \
		      "LRT_EREJECT", #call, fx_rc_); \
	ck_assert_msg(lrt_error_last()[0] != '\0', "%s: no reason", #call); \
	char *fx_after_ = fx_state_dump(book); \
	ck_assert_msg(strcmp(fx_before_, fx_after_) == 0, \
		      "%s changed the state:\n--- before\n%s--- after\n%s", \
		      #call, fx_before_, fx_after_); \
	free(fx_before_); \
	free(fx_after_); \
} while (0)

/* As FX_ASSERT_REJECTED, and the reason contains `words` (SPEC wording). */
#define FX_ASSERT_REJECTED_BECAUSE(book, call, words) do { \
	FX_ASSERT_REJECTED(book, call); \
	ck_assert_msg(strstr(lrt_error_last(), (words)) != NULL, \
		      "%s: reason \"%s\" does not say \"%s\"", #call, \
		      lrt_error_last(), (words)); \
} while (0)

#define FX_ASSERT_APPLIED(call) do { \
	int fx_rc_ = (call); \
	ck_assert_msg(fx_rc_ == 0, "%s returned %d (%s)", #call, fx_rc_, \
		      lrt_error_last()); \
} while (0)

#endif
