/*
 * settle.c - settling the open epoch, step by step as SPEC section 5 numbers
 * the steps: value, smoothing, fee, guard, withdrawals, snapshot.
 *
 * Steps 1-4 compute into the report only; nothing of the book changes until
 * the guard has passed, so a guard trip leaves the settled state as it was.
 * Cost: the positions (assets x locations) plus the requests finalized; never
 * the number of holders.
 */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/book_internal.h"
#include "core/limits.h"
#include "lrt/amount.h"
#include "lrt/error.h"

void lrt_epoch_report_init(lrt_epoch_report *report)
{
	memset(report, 0, sizeof(*report));
	mpz_init(report->total_assets);
	mpz_init(report->total_shares);
	mpz_init(report->rate);
	mpz_init(report->deferred);
	mpz_init(report->rewards);
	mpz_init(report->slashed);
	mpz_init(report->revaluation);
	mpz_init(report->recognized);
	mpz_init(report->fee_value);
	mpz_init(report->fee_shares);
	mpz_init(report->buffer);
	mpz_init(report->claimable);
	mpz_init(report->rate_before);
	mpz_init(report->rate_after);
}

static void report_clear_lists(lrt_epoch_report *report)
{
	size_t i;

	for (i = 0; i < report->finalized_count; i++) {
		free(report->finalized[i].request);
		mpz_clear(report->finalized[i].shares);
		mpz_clear(report->finalized[i].payout);
	}
	free(report->finalized);
	for (i = 0; i < report->rejected_count; i++) {
		free(report->rejected[i].id);
		free(report->rejected[i].reason);
	}
	free(report->rejected);
	for (i = 0; i < report->reconciliation_count; i++) {
		lrt_reconciliation *r = &report->reconciliation[i];

		free(r->id);
		free(r->asset);
		free(r->location);
		mpz_clear(r->book);
		mpz_clear(r->observed);
		mpz_clear(r->difference);
	}
	free(report->reconciliation);
	report->finalized = NULL;
	report->finalized_count = 0;
	report->rejected = NULL;
	report->rejected_count = 0;
	report->reconciliation = NULL;
	report->reconciliation_count = 0;
}

void lrt_epoch_report_clear(lrt_epoch_report *report)
{
	report_clear_lists(report);
	mpz_clear(report->total_assets);
	mpz_clear(report->total_shares);
	mpz_clear(report->rate);
	mpz_clear(report->deferred);
	mpz_clear(report->rewards);
	mpz_clear(report->slashed);
	mpz_clear(report->revaluation);
	mpz_clear(report->recognized);
	mpz_clear(report->fee_value);
	mpz_clear(report->fee_shares);
	mpz_clear(report->buffer);
	mpz_clear(report->claimable);
	mpz_clear(report->rate_before);
	mpz_clear(report->rate_after);
	memset(report, 0, sizeof(*report));
}

/* Step 1: P, the value of every position outside claimable, each rounded
 * down on its own; R and L, each event rounded down on its own. */
static void step_value(const lrt_book *book, mpz_t positions_value,
		       lrt_epoch_report *report)
{
	mpz_t *value = (mpz_t *)&book->scratch[0];
	size_t l, a, i;

	mpz_set_ui(positions_value, 0);
	for (l = 0; l < book->locations.count; l++) {
		if (l == LOCATION_CLAIMABLE)
			continue;
		for (a = 0; a < book->product.asset_count; a++) {
			const mpz_t *amount = book_position(book, (int)a, l);

			if (mpz_sgn(*amount) == 0)
				continue;
			book_value(*value, book, (int)a, *amount);
			mpz_add(positions_value, positions_value, *value);
		}
	}
	mpz_set_ui(report->rewards, 0);
	for (i = 0; i < book->rewards.count; i++) {
		book_value(*value, book, book->rewards.items[i].asset,
			   book->rewards.items[i].amount);
		mpz_add(report->rewards, report->rewards, *value);
	}
	mpz_set_ui(report->slashed, 0);
	for (i = 0; i < book->slashes.count; i++) {
		book_value(*value, book, book->slashes.items[i].asset,
			   book->slashes.items[i].amount);
		mpz_add(report->slashed, report->slashed, *value);
	}
}

/* Step 2: recognized I and the new D from G + D. */
static void step_smoothing(const lrt_book *book, const mpz_t gain_and_deferred,
			   mpz_t recognized, mpz_t deferred_after)
{
	const lrt_policy *policy = &book->product.policy;

	mpz_set(recognized, gain_and_deferred);
	if (policy->max_apr_bps > 0 && mpz_sgn(gain_and_deferred) > 0) {
		mpz_t cap;

		mpz_init(cap);
		mpz_mul_ui(cap, book->total_assets, policy->max_apr_bps);
		mpz_mul_ui(cap, cap, (unsigned long)book->product.epoch_seconds);
		mpz_fdiv_q_ui(cap, cap, LRT_BPS_DENOMINATOR);
		mpz_fdiv_q_ui(cap, cap, LRT_SECONDS_PER_YEAR);
		if (mpz_cmp(cap, recognized) < 0)
			mpz_set(recognized, cap);
		mpz_clear(cap);
	}
	mpz_sub(deferred_after, gain_and_deferred, recognized);
	LRT_ASSERT(mpz_sgn(deferred_after) >= 0);
}

/* Step 3's fee base B = max(I, 0); under the high-water mark H only what
 * lifts assets per share above it: max(0, min(I, A1 + VA - ceil(H (Srun + VS)))). */
static void fee_base(mpz_t base, const lrt_book *book, const mpz_t recognized,
		     const mpz_t assets_after)
{
	mpz_t above;

	mpz_set(base, recognized);
	if (book->product.policy.fee_high_water_mark && book->has_high_water_mark) {
		mpz_init(above);
		mpz_add(above, book->total_shares, book->virtual_shares);
		mpz_mul(above, above, mpq_numref(book->high_water_mark));
		mpz_cdiv_q(above, above, mpq_denref(book->high_water_mark));
		mpz_neg(above, above);
		mpz_add(above, above, assets_after);
		mpz_add(above, above, book->virtual_assets);
		if (mpz_cmp(above, base) < 0)
			mpz_set(base, above);
		mpz_clear(above);
	}
	if (mpz_sgn(base) < 0)
		mpz_set_ui(base, 0);
}

/* Step 3: F and FS; assets_after = A1, shares_after = S1. */
static void step_fee(const lrt_book *book, lrt_epoch_report *report,
		     mpz_t assets_after, mpz_t shares_after)
{
	mpz_t denominator;

	mpz_add(assets_after, book->total_assets, report->recognized);
	fee_base(report->fee_value, book, report->recognized, assets_after);
	mpz_mul_ui(report->fee_value, report->fee_value, book->product.policy.fee_bps);
	mpz_fdiv_q_ui(report->fee_value, report->fee_value, LRT_BPS_DENOMINATOR);
	LRT_ASSERT(mpz_sgn(assets_after) >= 0);
	mpz_set_ui(report->fee_shares, 0);
	if (mpz_sgn(report->fee_value) > 0) {
		mpz_init(denominator);
		mpz_add(denominator, assets_after, book->virtual_assets);
		mpz_sub(denominator, denominator, report->fee_value);
		LRT_ASSERT(mpz_sgn(denominator) > 0);
		mpz_add(report->fee_shares, book->total_shares, book->virtual_shares);
		mpz_mul(report->fee_shares, report->fee_shares, report->fee_value);
		mpz_fdiv_q(report->fee_shares, report->fee_shares, denominator);
		mpz_clear(denominator);
	}
	mpz_add(shares_after, book->total_shares, report->fee_shares);
}

/*
 * `amount` base units of an asset with `decimals` decimals in whole units,
 * exactly: every digit, the point only when there is a fraction, and (when
 * `trim`) no trailing zero after it.  `out` holds WHOLE_CHARS_MAX bytes.
 */
#define WHOLE_CHARS_MAX (LRT_AMOUNT_CHARS_MAX + LRT_DECIMALS_MAX + 3)

static void format_whole(char out[WHOLE_CHARS_MAX], const mpz_t amount,
			 unsigned decimals, bool trim)
{
	char digits[WHOLE_CHARS_MAX];
	size_t count, whole, i;

	LRT_ASSERT(mpz_sgn(amount) >= 0 && decimals <= LRT_DECIMALS_MAX);
	LRT_ASSERT(mpz_sizeinbase(amount, 10) < LRT_AMOUNT_CHARS_MAX);
	/* left-padded with zeros to at least one digit before the point */
	mpz_get_str(digits, 10, amount);
	count = strlen(digits);
	if (count <= decimals) {
		memmove(digits + decimals + 1 - count, digits, count + 1);
		memset(digits, '0', decimals + 1 - count);
		count = decimals + 1;
	}
	whole = count - decimals;
	memcpy(out, digits, whole);
	out[whole] = '.';
	memcpy(out + whole + 1, digits + whole, decimals + 1);
	for (i = whole + decimals; trim && i > whole && out[i] == '0'; i--)
		out[i] = '\0';
	if (out[whole + 1] == '\0' || decimals == 0)
		out[whole] = '\0';
}

/*
 * The guard's message: both rates in whole units of the underlying, the
 * change in percent and basis points, and the accept that lets r1 pass.
 * The change is |r1 - r0| * 10000 / r0 bps, exact when it has at most two
 * decimals, else rounded away from zero to 0.01 bps (and its percent to
 * 0.0001%), so that a move just past the limit never reads as the limit.
 */
static void guard_message(const lrt_book *book, const lrt_epoch_report *report)
{
	const lrt_product *product = &book->product;
	unsigned decimals = product->assets[0].decimals;
	char before[WHOLE_CHARS_MAX], after[WHOLE_CHARS_MAX];
	char bps[WHOLE_CHARS_MAX], percent[WHOLE_CHARS_MAX];
	char message[4 * WHOLE_CHARS_MAX];
	mpz_t hundredths, remainder;
	bool exact;

	mpz_init(hundredths);
	mpz_init(remainder);
	/* hundredths of a basis point: ceil(|r1 - r0| * 10000 * 100 / r0) */
	mpz_sub(hundredths, report->rate_after, report->rate_before);
	mpz_abs(hundredths, hundredths);
	mpz_mul_ui(hundredths, hundredths, LRT_BPS_DENOMINATOR * 100);
	mpz_cdiv_qr(hundredths, remainder, hundredths, report->rate_before);
	exact = mpz_sgn(remainder) == 0;
	format_whole(before, report->rate_before, decimals, true);
	format_whole(after, report->rate_after, decimals, true);
	format_whole(bps, hundredths, 2, exact);
	format_whole(percent, hundredths, 4, exact);
	gmp_snprintf(message, sizeof(message),
		     "epoch %lld: the rate of %s would move from %s %s to %s %s,"
		     " %s %s%% (%s bps%s), more than max_rate_change_bps %u"
		     " allows; an accept event with rate %Zd lets it pass",
		     (long long)report->epoch, product->symbol, before,
		     product->underlying, after, product->underlying,
		     mpz_cmp(report->rate_after, report->rate_before) > 0 ? "up" : "down",
		     percent, bps, exact ? "" : ", both rounded away from zero",
		     product->policy.max_rate_change_bps, report->rate_after);
	lrt_error_set("%s", message);
	mpz_clear(remainder);
	mpz_clear(hundredths);
}

/* Step 4: true when the epoch may settle; an accept event of the epoch
 * naming r1 lets it pass when `accepts_count`. */
static bool step_guard(const lrt_book *book, lrt_epoch_report *report,
		       bool accepts_count)
{
	const lrt_policy *policy = &book->product.policy;
	mpz_t change, limit;
	bool passes = true;
	size_t i;

	if (policy->max_rate_change_bps == 0 || mpz_sgn(report->rate_before) == 0)
		return true;
	mpz_init(change);
	mpz_init(limit);
	mpz_sub(change, report->rate_after, report->rate_before);
	mpz_abs(change, change);
	mpz_mul_ui(change, change, LRT_BPS_DENOMINATOR);
	mpz_mul_ui(limit, report->rate_before, policy->max_rate_change_bps);
	if (mpz_cmp(change, limit) > 0) {
		passes = false;
		for (i = 0; accepts_count && i < book->accepted.count; i++)
			if (mpz_cmp(book->accepted.items[i], report->rate_after) == 0)
				passes = true;
	}
	mpz_clear(change);
	mpz_clear(limit);
	if (!passes)
		guard_message(book, report);
	return passes;
}

static int check_storable(const lrt_book *book, const mpz_t value,
			  const char *what, int64_t epoch)
{
	if (mpz_cmp(value, book->amount_max) <= 0)
		return 0;
	lrt_error_set("epoch %lld: %s would exceed 2^256-1", (long long)epoch, what);
	return LRT_ELIMIT;
}

/* Mints the fee shares to the recipients: floor(FS * bps / 10000) each, the
 * remainder to the first. */
static int distribute_fee(lrt_book *book, const mpz_t fee_shares)
{
	const lrt_policy *policy = &book->product.policy;
	mpz_t part, rest;
	uint64_t entry;
	size_t i;
	int rc = 0;

	if (mpz_sgn(fee_shares) == 0)
		return 0;
	mpz_init(part);
	mpz_init_set(rest, fee_shares);
	entry = book_journal_entry(book);
	for (i = policy->fee_recipient_count; i-- > 0;) {
		const char *name = policy->fee_recipients[i].holder;
		int64_t h = book_holder(book, name, true);

		if (h < 0) {
			rc = LRT_ENOMEM;
			break;
		}
		if (i > 0) {
			mpz_mul_ui(part, fee_shares, policy->fee_recipients[i].bps);
			mpz_fdiv_q_ui(part, part, LRT_BPS_DENOMINATOR);
			mpz_sub(rest, rest, part);
		} else {
			mpz_set(part, rest);
		}
		if (book_holder_shares_change(book, h, part, +1) != 0) {
			rc = LRT_ENOMEM;
			break;
		}
		book_transfer(book, entry, NULL, "fee", LRT_LEDGER_SHARES,
			      LRT_ACCOUNT_HOLDER, name, LRT_ACCOUNT_ISSUED, NULL, part);
	}
	mpz_clear(part);
	mpz_clear(rest);
	return rc;
}

/* Step 5: finalizes the eligible prefix of the queue while the buffer
 * covers the running sum of payouts, at one batch rate. */
static int step_withdrawals(lrt_book *book, lrt_epoch_report *report,
			    const mpz_t assets_after, const mpz_t shares_after)
{
	int64_t epoch = report->epoch, delay = book->product.policy.delay_epochs;
	mpz_t *buffer = book_position(book, ASSET_UNDERLYING, LOCATION_BUFFER);
	mpz_t *claimable = book_position(book, ASSET_UNDERLYING, LOCATION_CLAIMABLE);
	mpz_t payout, paid, denominator, numerator;
	size_t end = book->queue_head, i;
	int rc = 0;

	mpz_init(payout);
	mpz_init(paid);
	mpz_init(denominator);
	mpz_init(numerator);
	mpz_add(numerator, assets_after, book->virtual_assets);
	mpz_add(denominator, shares_after, book->virtual_shares);
	/* the queue is in request-epoch order, so the eligible ones are a prefix */
	for (; end < book->queue.count; end++) {
		request *r = &book->requests.items[book->queue.items[end]];

		if (r->state == LRT_REQUEST_CANCELLED)
			continue;  /* left the queue */
		if (r->epoch > epoch - delay)
			break;
		LRT_ASSERT(mpz_sgn(denominator) > 0);
		mpz_mul(payout, r->shares, numerator);
		mpz_fdiv_q(payout, payout, denominator);
		if (mpz_cmp(r->cap, payout) < 0)
			mpz_set(payout, r->cap);
		mpz_add(paid, paid, payout);
		if (mpz_cmp(paid, *buffer) > 0)
			break;
		mpz_set(r->payout, payout);
	}
	report->finalized = calloc(end - book->queue_head + 1, sizeof(*report->finalized));
	if (report->finalized == NULL) {
		rc = LRT_ENOMEM;
		goto done;
	}
	for (i = book->queue_head; i < end; i++) {
		request *r = &book->requests.items[book->queue.items[i]];
		lrt_finalized *f = &report->finalized[report->finalized_count];
		uint64_t entry;

		if (r->state == LRT_REQUEST_CANCELLED)
			continue;
		entry = book_journal_entry(book);
		f->request = strdup(r->id);
		if (f->request == NULL) {
			rc = LRT_ENOMEM;
			goto done;
		}
		mpz_init_set(f->shares, r->shares);
		mpz_init_set(f->payout, r->payout);
		report->finalized_count++;
		r->state = LRT_REQUEST_FINALIZED;
		r->finalized_epoch = epoch;
		if (book_request_changed(book, book->queue.items[i]) != 0) {
			rc = LRT_ENOMEM;
			goto done;
		}
		mpz_sub(*buffer, *buffer, r->payout);
		mpz_add(*claimable, *claimable, r->payout);
		mpz_sub(book->total_assets, book->total_assets, r->payout);
		mpz_sub(book->total_shares, book->total_shares, r->shares);
		book_transfer(book, entry, NULL, "finalize", LRT_LEDGER_SHARES,
			      LRT_ACCOUNT_ISSUED, NULL, LRT_ACCOUNT_QUEUE, r->id, r->shares);
		book_transfer(book, entry, NULL, "finalize", ASSET_UNDERLYING,
			      LRT_ACCOUNT_POSITION, "claimable",
			      LRT_ACCOUNT_POSITION, "buffer", r->payout);
		book_transfer(book, entry, NULL, "finalize", LRT_LEDGER_BOOK,
			      LRT_ACCOUNT_REDEEMED, NULL,
			      LRT_ACCOUNT_TOTAL_ASSETS, NULL, r->payout);
	}
	book->queue_head = end;
	LRT_ASSERT(mpz_sgn(book->total_assets) >= 0 && mpz_sgn(*buffer) >= 0);
done:
	if (rc != 0)
		lrt_error_set("out of memory finalizing epoch %lld", (long long)epoch);
	mpz_clear(payout);
	mpz_clear(paid);
	mpz_clear(denominator);
	mpz_clear(numerator);
	return rc;
}

/* Drops the finished head of the queue once it is most of the array. */
static void compact_queue(lrt_book *book)
{
	size_t live = book->queue.count - book->queue_head;

	if (book->queue_head < 1024 || book->queue_head < live)
		return;
	memmove(book->queue.items, book->queue.items + book->queue_head,
		live * sizeof(*book->queue.items));
	book->queue.count = live;
	book->queue_head = 0;
}

/* Writes the recognition entry: A += I and D := D', both from the epoch's
 * gains G = I + (D' - D); a negative part runs the other way. */
static void journal_recognition(lrt_book *book, const mpz_t recognized,
				const mpz_t deferred_after)
{
	uint64_t entry = book_journal_entry(book);
	mpz_t deferred_change;

	mpz_init(deferred_change);
	mpz_sub(deferred_change, deferred_after, book->deferred);
	book_transfer(book, entry, NULL, "recognize", LRT_LEDGER_BOOK,
		      LRT_ACCOUNT_TOTAL_ASSETS, NULL, LRT_ACCOUNT_GAINS, NULL, recognized);
	book_transfer(book, entry, NULL, "recognize", LRT_LEDGER_BOOK,
		      LRT_ACCOUNT_DEFERRED, NULL, LRT_ACCOUNT_GAINS, NULL, deferred_change);
	mpz_clear(deferred_change);
}

/* Moves the epoch's rejections into the report. */
static void take_rejections(lrt_book *book, lrt_epoch_report *report)
{
	report->rejected = book->rejected.items;
	report->rejected_count = book->rejected.count;
	book->rejected.items = NULL;
	book->rejected.count = 0;
	book->rejected.capacity = 0;
}

int book_settle_compute(lrt_book *book, lrt_epoch_report *report,
			mpz_t assets_after, mpz_t shares_after,
			mpz_t deferred_after, bool accepts_count)
{
	int64_t epoch = book->settled_epoch + 1;
	mpz_t value, gain;
	int rc;

	report->epoch = epoch;
	mpz_init(value);
	mpz_init(gain);
	step_value(book, value, report);                       /* 1 */
	mpz_sub(gain, value, book->deferred);
	mpz_sub(gain, gain, book->total_assets);               /* G = P - D - Arun */
	mpz_sub(report->revaluation, gain, report->rewards);
	mpz_add(report->revaluation, report->revaluation, report->slashed);
	mpz_add(value, gain, book->deferred);                  /* G + D */
	step_smoothing(book, value, report->recognized, deferred_after); /* 2 */
	step_fee(book, report, assets_after, shares_after);    /* 3 */
	rc = check_storable(book, assets_after, "total assets", epoch);
	if (rc == 0)
		rc = check_storable(book, shares_after, "total shares", epoch);
	if (rc == 0) {
		book_rate(report->rate_before, book, book->settled_assets,
			  book->settled_shares);
		book_rate(report->rate_after, book, assets_after, shares_after);
		if (!step_guard(book, report, accepts_count))   /* 4 */
			rc = LRT_EGUARD;
	}
	mpz_clear(value);
	mpz_clear(gain);
	return rc;
}

/* Step 8, taken before step 5 moves the buffer: each applied attest
 * against the position it names, as the epoch's events left it. */
static int step_reconciliation(lrt_book *book, lrt_epoch_report *report)
{
	size_t i, count = book->attestations.count;

	if (count == 0)
		return 0;
	report->reconciliation = calloc(count, sizeof(*report->reconciliation));
	if (report->reconciliation == NULL)
		goto nomem;
	for (i = 0; i < count; i++) {
		const attestation *a = &book->attestations.items[i];
		lrt_reconciliation *r = &report->reconciliation[i];
		int64_t l = lrt_strmap_find(&book->location_index, a->location);

		mpz_init(r->book);
		mpz_init_set(r->observed, a->observed);
		mpz_init(r->difference);
		report->reconciliation_count = i + 1;
		if (l >= 0)
			mpz_set(r->book, *book_position(book, a->asset, (size_t)l));
		mpz_sub(r->difference, r->observed, r->book);
		r->id = strdup(a->id);
		r->asset = strdup(book->product.assets[a->asset].symbol);
		r->location = strdup(a->location);
		if (r->id == NULL || r->asset == NULL || r->location == NULL)
			goto nomem;
	}
	return 0;
nomem:
	lrt_error_set("out of memory reconciling epoch %lld", (long long)report->epoch);
	return LRT_ENOMEM;
}

/* Step 6's high-water mark: H = max(H, (A2 + VA) / (S2 + VS)) when
 * S2 + VS > 0, kept exactly, whatever fee_high_water_mark says. */
static void update_high_water_mark(lrt_book *book)
{
	mpq_t mark;

	mpq_init(mark);
	mpz_add(mpq_denref(mark), book->total_shares, book->virtual_shares);
	if (mpz_sgn(mpq_denref(mark)) > 0) {
		mpz_add(mpq_numref(mark), book->total_assets, book->virtual_assets);
		mpq_canonicalize(mark);
		if (!book->has_high_water_mark || mpq_cmp(mark, book->high_water_mark) > 0)
			mpq_set(book->high_water_mark, mark);
		book->has_high_water_mark = true;
	}
	mpq_clear(mark);
}

int lrt_book_settle(lrt_book *book, lrt_epoch_report *report)
{
	mpz_t assets_after, shares_after, deferred_after;
	int64_t epoch = book->settled_epoch + 1;
	int rc = 0;

	if (!book->epoch_open) {
		lrt_error_set("no epoch is open to settle");
		return LRT_ESTATE;
	}
	report_clear_lists(report);
	mpz_init(assets_after);
	mpz_init(shares_after);
	mpz_init(deferred_after);

	rc = book_settle_compute(book, report, assets_after, shares_after,
				 deferred_after, true);        /* 1-4 */
	if (rc != 0)
		goto done;
	rc = step_reconciliation(book, report);                /* 8, before 5 */
	if (rc != 0)
		goto done;
	journal_recognition(book, report->recognized, deferred_after);
	mpz_set(book->total_assets, assets_after);
	mpz_set(book->total_shares, shares_after);
	mpz_set(book->deferred, deferred_after);
	rc = distribute_fee(book, report->fee_shares);
	if (rc == 0)
		rc = step_withdrawals(book, report, assets_after, shares_after); /* 5 */
	if (rc != 0)
		goto done;
	compact_queue(book);

	mpz_set(report->total_assets, book->total_assets);     /* 6 */
	mpz_set(report->total_shares, book->total_shares);
	mpz_set(report->deferred, book->deferred);
	book_rate(report->rate, book, book->total_assets, book->total_shares);
	mpz_set(report->buffer, *book_position(book, ASSET_UNDERLYING, LOCATION_BUFFER));
	mpz_set(report->claimable, *book_position(book, ASSET_UNDERLYING, LOCATION_CLAIMABLE));
	update_high_water_mark(book);
	book_programs_settle(book);                            /* 7 */
	take_rejections(book, report);
	mpz_set(book->settled_assets, book->total_assets);
	mpz_set(book->settled_shares, book->total_shares);
	book->settled_epoch = epoch;
	book->epoch_open = false;
done:
	mpz_clear(assets_after);
	mpz_clear(shares_after);
	mpz_clear(deferred_after);
	return rc;
}
