/*
 * check_property.c - property tests of the book over many seeded random
 * event streams (issue 3, extended to the SPEC's second edition).
 *
 * Each stream draws a product (erc4626 with offset 0..3, 9 or 18, or
 * plain; an ETH or a SOL family of five assets with 18, 9, 8 and 6 decimals
 * and their prices; the fee's high-water mark on or off; none to three
 * points programs) and a few hundred events over random epochs, empty ones
 * included: deposits, withdrawals, transfers, rewards, slashes by amount
 * and by wad, allocations, moves, swaps, prices, claims, cancels, attests,
 * config changes (fee, recipients, delay, smoothing, the mark, the points
 * programs) and accepts, about one in seven invalid on purpose (unknown
 * asset, `claimable`, `buffer` as an operator, overdraws, zero shares,
 * claims and cancels of unknown, unfinalized, finalized or cancelled
 * requests, allocations past the max magnitude, 2^256-1 overflows).  The
 * stream then goes through the core three times:
 *
 *   1. event by event with lrt_book_apply, beside a naive reference model of
 *      SPEC sections 2-5 and 7, written from the text alone (a differential
 *      test in the manner of SQLite's): the model predicts every rejection
 *      and every figure of every epoch report, its reconciliation included;
 *      after every epoch, the points of every holder in every program and
 *      the exposure; at the end, a stress of a few slashes by wad;
 *   2. again, from the recorded events, on a fresh book;
 *   3. written as JSON Lines and put through lrt_scenario_read and
 *      lrt_scenario_run (some events give `time` instead of `epoch`).
 *
 * A few more streams, of every event type as well, after runs 1 and 3 go
 * through the database path on a fresh database: `lrt ingest` of two
 * files cut at a random epoch, several `lrt settle --through` (each
 * rebuilds the book from the database: positions, queue, magnitudes, the
 * mark, the points programs and accounts), the second file ingested once
 * the first one's epochs are settled, then `lrt export`: the same lines as
 * lrt simulate's, rejection reasons aside (SPEC section 6); `lrt verify`
 * then finds no difference.
 *
 * After every epoch of run 1 the invariants of issue 3 are asserted on the
 * book itself, whatever the model says: holders' shares plus queued shares
 * equal S; the value of the positions outside `claimable` at the epoch's last
 * prices equals A + D; every journal entry balances in every ledger; the
 * journal's running balances reproduce A, D, S, every holder, every queued
 * request and every position; nothing is negative.  The three runs must write
 * byte-identical reports (and final lines: holders, queue, points, exposure)
 * and identical journals.
 *
 * The model is property_model.c, the journal checker property_journal.c,
 * the streams and their generator property_stream.c (property.h); this file
 * holds the checks, the three runs and the suite.
 *
 * Workload: 12,000 events by default (40 streams of 300), a few seconds.
 * LRT_PROPERTY_EVENTS=N asks for about N events (at most 64 streams, longer
 * ones past that); LRT_PROPERTY_SEED=S changes every seed;
 * LRT_PROPERTY_DB_STREAMS=N puts N streams through the database instead of
 * 6 (under a second each); LRT_PROPERTY_VERBOSE=1 tells what each
 * stream held.  A failure names the stream's seed, the epoch and the event.
 */
#include "helpers.h"
#include "property.h"

/* ---- checks ------------------------------------------------------------------ */

#define WHERE "stream %d (seed 0x%016" PRIx64 ") epoch %" PRId64

static char *digits(mpz_srcptr x)
{
	return mpz_get_str(NULL, 10, x);  /* for failure messages only */
}

static void expect_equal(const stream *s, int64_t epoch, const char *what,
			 const mpz_t actual, const mpz_t expected)
{
	CHECK(mpz_cmp(actual, expected) == 0, WHERE ": %s is %s, SPEC gives %s",
		      s->index, s->seed, epoch, what, digits(actual), digits(expected));
}

static void expect_nonnegative(const stream *s, int64_t epoch, const char *what,
			       const mpz_t x)
{
	CHECK(mpz_sgn(x) >= 0, WHERE ": %s is negative: %s",
		      s->index, s->seed, epoch, what, digits(x));
}

/* Step 8: one entry per applied attest, in apply order. */
static void check_reconciliation(const stream *s, const lrt_epoch_report *got,
				 const expected_report *want)
{
	int64_t e = s->m.epoch;
	mpz_t difference;
	size_t i;

	CHECK(got->reconciliation_count == want->reconciled_count,
	      WHERE ": %zu reconciliation entries, SPEC gives %zu", s->index, s->seed, e,
	      got->reconciliation_count, want->reconciled_count);
	mpz_init(difference);
	for (i = 0; i < want->reconciled_count; i++) {
		const lrt_reconciliation *r = &got->reconciliation[i];
		const attestation *t = &s->m.attests[i];

		CHECK(strcmp(r->id, t->id) == 0 && strcmp(r->location, t->location) == 0
		      && strcmp(r->asset, s->m.assets[t->asset].symbol) == 0,
		      WHERE ": reconciliation #%zu is %s (%s, %s), SPEC gives %s (%s, %s)",
		      s->index, s->seed, e, i, r->id, r->asset, r->location, t->id,
		      s->m.assets[t->asset].symbol, t->location);
		expect_equal(s, e, "reconciliation book", r->book, want->reconciled_book[i]);
		expect_equal(s, e, "reconciliation observed", r->observed, t->observed);
		mpz_sub(difference, t->observed, want->reconciled_book[i]);
		expect_equal(s, e, "reconciliation difference", r->difference, difference);
	}
	mpz_clear(difference);
}

static void check_report(const stream *s, const lrt_epoch_report *got,
			 const expected_report *want, const char *const *rejected,
			 size_t rejected_count)
{
	int64_t e = s->m.epoch;
	size_t i;

	CHECK(got->epoch == e, WHERE ": the report says epoch %" PRId64,
		      s->index, s->seed, e, got->epoch);
	expect_equal(s, e, "total_assets", got->total_assets, want->total_assets);
	expect_equal(s, e, "total_shares", got->total_shares, want->total_shares);
	expect_equal(s, e, "rate", got->rate, want->rate);
	expect_equal(s, e, "deferred", got->deferred, want->deferred);
	expect_equal(s, e, "rewards", got->rewards, want->rewards);
	expect_equal(s, e, "slashed", got->slashed, want->slashed);
	expect_equal(s, e, "revaluation", got->revaluation, want->revaluation);
	expect_equal(s, e, "recognized", got->recognized, want->recognized);
	expect_equal(s, e, "fee_value", got->fee_value, want->fee_value);
	expect_equal(s, e, "fee_shares", got->fee_shares, want->fee_shares);
	expect_equal(s, e, "buffer", got->buffer, want->buffer);
	expect_equal(s, e, "claimable", got->claimable, want->claimable);
	CHECK(got->finalized_count == want->finalized_count,
		      WHERE ": %zu requests finalized, SPEC gives %zu",
		      s->index, s->seed, e, got->finalized_count, want->finalized_count);
	for (i = 0; i < want->finalized_count; i++) {
		const request *r = &s->m.requests[want->finalized[i]];

		CHECK(strcmp(got->finalized[i].request, r->id) == 0,
			      WHERE ": finalized #%zu is %s, SPEC gives %s", s->index,
			      s->seed, e, i, got->finalized[i].request, r->id);
		expect_equal(s, e, "finalized shares", got->finalized[i].shares, r->shares);
		expect_equal(s, e, "finalized payout", got->finalized[i].payout, r->payout);
	}
	CHECK(got->rejected_count == rejected_count,
		      WHERE ": %zu events rejected in the report, %zu by lrt_book_apply",
		      s->index, s->seed, e, got->rejected_count, rejected_count);
	for (i = 0; i < rejected_count; i++) {
		CHECK(strcmp(got->rejected[i].id, rejected[i]) == 0,
			      WHERE ": rejected #%zu is %s, expected %s",
			      s->index, s->seed, e, i, got->rejected[i].id, rejected[i]);
		CHECK(got->rejected[i].reason && got->rejected[i].reason[0],
			      WHERE ": rejection of %s has no reason", s->index, s->seed, e,
			      rejected[i]);
	}
	check_reconciliation(s, got, want);
}

typedef struct {
	const stream *s;
	journal *j;
	mpz_t total, journal_balance;
	const char *previous;
	size_t count;
} walk;

static int walk_holder(void *context, const char *holder, const mpz_t shares)
{
	walk *w = context;
	int64_t e = w->s->m.epoch;

	CHECK(mpz_sgn(shares) > 0, WHERE ": holder %s listed with shares %s",
		      w->s->index, w->s->seed, e, holder, digits(shares));
	CHECK(w->previous == NULL || strcmp(w->previous, holder) < 0,
		      WHERE ": holders out of code-point order: %s before %s",
		      w->s->index, w->s->seed, e, w->previous, holder);
	w->previous = holder;
	journal_balance(w->journal_balance, w->j, LRT_LEDGER_SHARES, LRT_ACCOUNT_HOLDER, holder);
	CHECK(mpz_cmp(w->journal_balance, shares) == 0,
		      WHERE ": holder %s has %s shares, the journal %s", w->s->index,
		      w->s->seed, e, holder, digits(shares), digits(w->journal_balance));
	mpz_add(w->total, w->total, shares);
	w->count++;
	return 0;
}

static int walk_holder_unsorted(void *context, const char *holder, const mpz_t shares)
{
	walk *w = context;

	(void)holder;
	mpz_add(w->total, w->total, shares);
	w->count++;
	return 0;
}

static int walk_queued(void *context, const lrt_request_view *r)
{
	walk *w = context;
	int64_t e = w->s->m.epoch;

	CHECK(mpz_sgn(*r->shares) > 0 && mpz_sgn(*r->cap) >= 0,
		      WHERE ": request %s queued with shares %s, cap %s", w->s->index,
		      w->s->seed, e, r->request, digits(*r->shares), digits(*r->cap));
	journal_balance(w->journal_balance, w->j, LRT_LEDGER_SHARES, LRT_ACCOUNT_QUEUE, r->request);
	CHECK(mpz_cmp(w->journal_balance, *r->shares) == 0,
		      WHERE ": request %s locks %s shares, the journal %s", w->s->index,
		      w->s->seed, e, r->request, digits(*r->shares), digits(w->journal_balance));
	mpz_add(w->total, w->total, *r->shares);
	w->count++;
	return 0;
}

static int walk_position(void *context, const char *asset, const char *location,
			 const mpz_t amount)
{
	walk *w = context;
	int64_t e = w->s->m.epoch;
	int a = model_asset_index(&w->s->m, asset);
	mpz_t value;

	CHECK(a >= 0, WHERE ": position of unknown asset %s", w->s->index,
		      w->s->seed, e, asset);
	CHECK(mpz_sgn(amount) >= 0, WHERE ": position (%s, %s) is %s",
		      w->s->index, w->s->seed, e, asset, location, digits(amount));
	journal_balance(w->journal_balance, w->j, a, LRT_ACCOUNT_POSITION, location);
	CHECK(mpz_cmp(w->journal_balance, amount) == 0,
		      WHERE ": position (%s, %s) is %s, the journal %s", w->s->index,
		      w->s->seed, e, asset, location, digits(amount), digits(w->journal_balance));
	if (strcmp(location, "claimable") != 0) {
		mpz_init(value);
		model_value(value, &w->s->m, a, amount);  /* at the test's prices */
		mpz_add(w->total, w->total, value);
		mpz_clear(value);
	}
	w->count += mpz_sgn(amount) != 0;
	return 0;
}

/* The journal's accounts that must never go below zero. */
static void check_journal_signs(const stream *s, const journal *j)
{
	account *a;
	int i;

	for (i = 0; i < ACCOUNT_BUCKETS; i++) {
		for (a = j->bucket[i]; a != NULL; a = a->next) {
			bool signed_ok = true;

			if (a->kind == LRT_ACCOUNT_HOLDER || a->kind == LRT_ACCOUNT_QUEUE ||
			    a->kind == LRT_ACCOUNT_POSITION || a->kind == LRT_ACCOUNT_TOTAL_ASSETS ||
			    a->kind == LRT_ACCOUNT_DEFERRED)
				signed_ok = mpz_sgn(a->balance) >= 0;
			else if (a->kind == LRT_ACCOUNT_ISSUED)
				signed_ok = mpz_sgn(a->balance) <= 0;
			CHECK(signed_ok, WHERE ": journal account (ledger %d, kind %d, %s) is %s",
				      s->index, s->seed, s->m.epoch, a->ledger, (int)a->kind,
				      a->name ? a->name : "-", digits(a->balance));
		}
	}
}

/* Issue 3's invariants, on the book and its journal alone. */
static void check_invariants(const stream *s, const lrt_book *book, journal *j,
			     const lrt_epoch_report *report)
{
	int64_t e = s->m.epoch;
	mpz_t assets, shares, deferred, sum, from_journal;
	walk w;
	size_t holders, nonzero;

	memset(&w, 0, sizeof w);
	w.s = s;
	w.j = j;
	mpz_inits(assets, shares, deferred, sum, from_journal, w.total, w.journal_balance, NULL);
	lrt_book_total_assets(assets, book);
	lrt_book_total_shares(shares, book);
	lrt_book_deferred(deferred, book);
	expect_nonnegative(s, e, "A", assets);
	expect_nonnegative(s, e, "S", shares);
	expect_nonnegative(s, e, "D", deferred);
	expect_equal(s, e, "report total_assets against the book", report->total_assets, assets);
	expect_equal(s, e, "report total_shares against the book", report->total_shares, shares);
	expect_equal(s, e, "report deferred against the book", report->deferred, deferred);

	/* holders + queue = S, each one as the journal has it */
	CHECK_OK(lrt_book_each_holder(book, true, walk_holder, &w));
	holders = w.count;
	nonzero = journal_kind_total(from_journal, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_HOLDER);
	CHECK(nonzero == holders, WHERE ": %zu holders, %zu in the journal",
		      s->index, s->seed, e, holders, nonzero);
	mpz_set(sum, w.total);
	w.count = 0;
	mpz_set_ui(w.total, 0);
	CHECK_OK(lrt_book_each_holder(book, false, walk_holder_unsorted, &w));
	expect_equal(s, e, "holders in table order", w.total, sum);
	CHECK(w.count == holders, WHERE ": %zu holders in table order, %zu sorted", s->index, s->seed, e, w.count, holders);
	w.count = 0;
	CHECK_OK(lrt_book_each_queued(book, walk_queued, &w));
	nonzero = journal_kind_total(from_journal, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_QUEUE);
	CHECK(nonzero == w.count, WHERE ": %zu requests queued, %zu in the journal",
		      s->index, s->seed, e, w.count, nonzero);
	expect_equal(s, e, "holders' plus queued shares", w.total, shares);
	journal_kind_total(from_journal, j, LRT_LEDGER_SHARES, LRT_ACCOUNT_ISSUED);
	mpz_neg(from_journal, from_journal);
	expect_equal(s, e, "S from the journal's issued account", from_journal, shares);

	/* positions outside claimable are worth A + D */
	mpz_set_ui(w.total, 0);
	w.count = 0;
	CHECK_OK(lrt_book_each_position(book, walk_position, &w));
	nonzero = journal_kind_total(from_journal, j, INT32_MIN, LRT_ACCOUNT_POSITION);
	CHECK(nonzero == w.count, WHERE ": %zu non-zero positions, %zu in the journal",
		      s->index, s->seed, e, w.count, nonzero);
	mpz_add(sum, assets, deferred);
	expect_equal(s, e, "value of the positions outside claimable (A + D)", w.total, sum);
	journal_kind_total(from_journal, j, LRT_LEDGER_BOOK, LRT_ACCOUNT_TOTAL_ASSETS);
	expect_equal(s, e, "A from the journal", from_journal, assets);
	journal_kind_total(from_journal, j, LRT_LEDGER_BOOK, LRT_ACCOUNT_DEFERRED);
	expect_equal(s, e, "D from the journal", from_journal, deferred);
	check_journal_signs(s, j);

	expect_nonnegative(s, e, "rewards", report->rewards);
	expect_nonnegative(s, e, "slashed", report->slashed);
	expect_nonnegative(s, e, "fee_value", report->fee_value);
	expect_nonnegative(s, e, "fee_shares", report->fee_shares);
	expect_nonnegative(s, e, "rate", report->rate);
	expect_nonnegative(s, e, "buffer", report->buffer);
	expect_nonnegative(s, e, "claimable", report->claimable);
	mpz_clears(assets, shares, deferred, sum, from_journal, w.total, w.journal_balance, NULL);
}

/* The book against the model: every holder, position and queued request. */
static void check_model_state(const stream *s, const lrt_book *book)
{
	const model *m = &s->m;
	int64_t e = m->epoch;
	mpz_t x;
	int h, l, a;
	char what[160];

	mpz_init(x);
	lrt_book_total_assets(x, book);
	expect_equal(s, e, "A", x, m->total_assets);
	lrt_book_total_shares(x, book);
	expect_equal(s, e, "S", x, m->total_shares);
	lrt_book_deferred(x, book);
	expect_equal(s, e, "D", x, m->deferred);
	for (h = 0; h < NAME_COUNT; h++) {
		lrt_book_holder_shares(x, book, names[h]);
		snprintf(what, sizeof what, "shares of %.60s", names[h]);
		expect_equal(s, e, what, x, m->holder[h]);
	}
	for (l = 0; l < LOCATION_COUNT; l++) {
		for (a = 0; a < ASSET_COUNT; a++) {
			lrt_book_position(x, book, m->assets[a].symbol, locations[l]);
			snprintf(what, sizeof what, "position (%s, %s)", m->assets[a].symbol,
				 locations[l]);
			expect_equal(s, e, what, x, m->position[l][a]);
		}
	}
	mpz_clear(x);
}

typedef struct {
	const stream *s;
	size_t next, queued;
} queue_walk;

static int walk_queue_against_model(void *context, const lrt_request_view *view)
{
	queue_walk *q = context;
	const model *m = &q->s->m;
	const request *r;

	while (m->queue_head + q->next < m->request_count
	       && m->requests[m->queue_head + q->next].state != REQUEST_QUEUED)
		q->next++;  /* cancelled */
	CHECK(m->queue_head + q->next < m->request_count,
		      WHERE ": request %s queued, SPEC finalized or cancelled it or never made it",
		      q->s->index, q->s->seed, m->epoch, view->request);
	r = &m->requests[m->queue_head + q->next++];
	q->queued++;
	CHECK(strcmp(view->request, r->id) == 0 && strcmp(view->holder, names[r->holder]) == 0
		      && view->epoch == r->epoch,
		      WHERE ": queued request %s of %s from epoch %" PRId64 ", SPEC gives %s of %s from %" PRId64,
		      q->s->index, q->s->seed, m->epoch, view->request, view->holder, view->epoch,
		      r->id, names[r->holder], r->epoch);
	expect_equal(q->s, m->epoch, "queued shares", *view->shares, r->shares);
	expect_equal(q->s, m->epoch, "queued cap", *view->cap, r->cap);
	return 0;
}

static void check_model_queue(const stream *s, const lrt_book *book)
{
	queue_walk q = {s, 0, 0};
	size_t queued = 0, i;

	CHECK_OK(lrt_book_each_queued(book, walk_queue_against_model, &q));
	for (i = s->m.queue_head; i < s->m.request_count; i++)
		queued += s->m.requests[i].state == REQUEST_QUEUED;
	CHECK(q.queued == queued,
		      WHERE ": %zu requests queued, SPEC gives %zu", s->index, s->seed,
		      s->m.epoch, q.queued, queued);
}

/* ---- points and exposure against the model ------------------------------ */

typedef struct {
	const stream *s;
	int program;
	const char *previous;
	size_t count;
	mpz_t want;
} points_walk;

static int walk_points(void *context, const char *holder, const mpz_t points)
{
	points_walk *w = context;
	const model *m = &w->s->m;
	int h = name_index(holder);

	CHECK(h >= 0, WHERE ": points of unknown holder %s", w->s->index, w->s->seed,
	      m->epoch, holder);
	CHECK(w->previous == NULL || strcmp(w->previous, holder) < 0,
	      WHERE ": points holders out of code-point order: %s before %s", w->s->index,
	      w->s->seed, m->epoch, w->previous, holder);
	w->previous = holder;
	mpz_fdiv_q(w->want, m->points[w->program][h], m->one_token);
	CHECK(mpz_cmp(points, w->want) == 0, WHERE ": %s has %s points in %s, SPEC gives %s",
	      w->s->index, w->s->seed, m->epoch, holder, digits(points),
	      program_names[w->program], digits(w->want));
	w->count++;
	return 0;
}

typedef struct {
	const stream *s;
	int next;                /* position in the model's sorted list */
	int sorted[PROGRAM_COUNT];
	int count;
} program_walk;

static int walk_program(void *context, const char *program)
{
	program_walk *w = context;

	CHECK(w->next < w->count && strcmp(program, program_names[w->sorted[w->next]]) == 0,
	      WHERE ": program %s listed, SPEC gives %s", w->s->index, w->s->seed,
	      w->s->m.epoch, program,
	      w->next < w->count ? program_names[w->sorted[w->next]] : "no more");
	w->next++;
	return 0;
}

/* Points: floor(exact sum / 10^share_decimals) for every holder of every
 * program ever named; the programs in code-point order. */
static void check_model_points(const stream *s, const lrt_book *book)
{
	const model *m = &s->m;
	program_walk programs = {s, 0, {0}, 0};
	points_walk w;
	size_t nonzero;
	int p, h, i, k;

	for (p = 0; p < PROGRAM_COUNT; p++) {
		if (!m->program_named[p])
			continue;
		for (i = programs.count; i > 0 && strcmp(program_names[programs.sorted[i - 1]],
						     program_names[p]) > 0; i--)
			programs.sorted[i] = programs.sorted[i - 1];
		programs.sorted[i] = p;
		programs.count++;
	}
	CHECK_OK(lrt_book_each_program(book, walk_program, &programs));
	CHECK(programs.next == programs.count, WHERE ": %d programs listed, SPEC gives %d",
	      s->index, s->seed, m->epoch, programs.next, programs.count);
	memset(&w, 0, sizeof w);
	w.s = s;
	mpz_init(w.want);
	for (k = 0; k < programs.count; k++) {
		p = programs.sorted[k];
		w.program = p;
		w.previous = NULL;
		w.count = 0;
		CHECK_OK(lrt_book_each_points(book, program_names[p], walk_points, &w));
		nonzero = 0;
		for (h = 0; h < NAME_COUNT; h++)
			nonzero += mpz_cmp(m->points[p][h], m->one_token) >= 0;
		CHECK(w.count == nonzero, WHERE ": %zu holders with points in %s, SPEC gives %zu",
		      s->index, s->seed, m->epoch, w.count, program_names[p], nonzero);
	}
	mpz_clear(w.want);
}

static void check_model_exposure(const stream *s, const lrt_book *book)
{
	const model *m = &s->m;
	lrt_exposure got;
	mpz_t value[3], slashable[3][AVS_COUNT], hhi;
	size_t listed = 0, avs_listed;
	int o, k;

	mpz_init(hhi);
	for (o = 0; o < 3; o++) {
		mpz_init(value[o]);
		for (k = 0; k < AVS_COUNT; k++)
			mpz_init(slashable[o][k]);
	}
	model_exposure(m, value, slashable, hhi);
	lrt_exposure_init(&got);
	CHECK_OK(lrt_book_exposure(&got, book));
	expect_equal(s, m->epoch, "hhi_bps", got.hhi_bps, hhi);
	for (o = 0; o < 3; o++) {
		const lrt_operator_exposure *op;
		bool any = mpz_sgn(value[o]) > 0;

		for (k = 0; k < AVS_COUNT; k++)
			any = any || mpz_sgn(slashable[o][k]) > 0;
		if (!any)
			continue;
		CHECK(listed < got.operator_count, WHERE ": operator %s not in the exposure",
		      s->index, s->seed, m->epoch, locations[operators_sorted[o]]);
		op = &got.operators[listed++];
		CHECK(strcmp(op->name, locations[operators_sorted[o]]) == 0,
		      WHERE ": exposure lists %s, SPEC gives %s", s->index, s->seed, m->epoch,
		      op->name, locations[operators_sorted[o]]);
		expect_equal(s, m->epoch, "exposure value", op->value, value[o]);
		avs_listed = 0;
		for (k = 0; k < AVS_COUNT; k++) {
			if (mpz_sgn(slashable[o][k]) == 0)
				continue;
			CHECK(avs_listed < op->avs_count && strcmp(op->avs[avs_listed].avs,
								    slash_avss[avss_sorted[k]]) == 0,
			      WHERE ": %s: AVS %s missing from the exposure", s->index, s->seed,
			      m->epoch, op->name, slash_avss[avss_sorted[k]]);
			expect_equal(s, m->epoch, "slashable", op->avs[avs_listed].slashable,
				     slashable[o][k]);
			avs_listed++;
		}
		CHECK(avs_listed == op->avs_count, WHERE ": %s lists %zu AVSs, SPEC gives %zu",
		      s->index, s->seed, m->epoch, op->name, op->avs_count, avs_listed);
	}
	CHECK(listed == got.operator_count, WHERE ": %zu operators exposed, SPEC gives %zu",
	      s->index, s->seed, m->epoch, got.operator_count, listed);
	lrt_exposure_clear(&got);
	for (o = 0; o < 3; o++) {
		mpz_clear(value[o]);
		for (k = 0; k < AVS_COUNT; k++)
			mpz_clear(slashable[o][k]);
	}
	mpz_clear(hhi);
}

/* ---- the three runs -------------------------------------------------------- */

static void apply_checked(stream *s, lrt_book *book, journal *j, recorded *r,
			  const char **rejected, size_t *rejected_count)
{
	size_t flows_before = s->m.flow_count;
	bool expect = model_apply(&s->m, &r->event);
	size_t lines_before = j->line_count;
	int64_t e = s->m.epoch;
	mpz_t x;
	int rc;

	j->current_id = r->event.id;
	rc = lrt_book_apply(book, &r->event);
	journal_close_entry(j);
	CHECK(rc == (expect ? 0 : LRT_EREJECT),
		      WHERE ": %s: lrt_book_apply returned %d (%s), SPEC says %s",
		      s->index, s->seed, e, event_text(r), rc, lrt_error_last(),
		      expect ? "it applies" : "reject it");
	r->applied = expect;
	if (!expect) {
		CHECK(j->line_count == lines_before,
			      WHERE ": rejected %s wrote journal lines", s->index, s->seed, e,
			      r->event.id);
		rejected[(*rejected_count)++] = r->event.id;
		s->rejected++;
		s->rejected_by_type[r->event.type]++;
	} else {
		s->applied++;
		s->applied_by_type[r->event.type]++;
		s->wad_losses += r->event.type == LRT_EVENT_SLASH && r->event.by_wad
				 && s->m.flow_count > flows_before;
	}
	mpz_init(x);
	lrt_book_total_assets(x, book);
	CHECK(mpz_cmp(x, s->m.total_assets) == 0, WHERE ": after %s A is %s, SPEC gives %s",
		      s->index, s->seed, e, event_text(r), digits(x), digits(s->m.total_assets));
	lrt_book_total_shares(x, book);
	CHECK(mpz_cmp(x, s->m.total_shares) == 0, WHERE ": after %s S is %s, SPEC gives %s",
		      s->index, s->seed, e, event_text(r), digits(x), digits(s->m.total_shares));
	mpz_clear(x);
}

static void settle_checked(stream *s, lrt_book *book, journal *j, FILE *out,
			   const char *const *rejected, size_t rejected_count)
{
	lrt_epoch_report report;
	expected_report want;
	int rc;

	j->current_id = NULL;
	lrt_epoch_report_init(&report);
	expected_init(&want);
	rc = lrt_book_settle(book, &report);
	journal_close_entry(j);
	CHECK(rc == 0, WHERE ": lrt_book_settle returned %d (%s)", s->index, s->seed,
		      s->m.epoch, rc, lrt_error_last());
	model_settle(&s->m, &want);
	check_report(s, &report, &want, rejected, rejected_count);
	s->m.attest_count = 0;
	check_invariants(s, book, j, &report);
	check_model_state(s, book);
	check_model_queue(s, book);
	check_model_points(s, book);
	check_model_exposure(s, book);
	CHECK_OK(lrt_report_write_json(out, &report));
	expected_clear(&want);
	lrt_epoch_report_clear(&report);
}

static void run_epoch(stream *s, lrt_book *book, journal *j, FILE *out,
		      int64_t epoch, size_t count)
{
	const char **rejected = calloc(count + 1, sizeof *rejected);
	size_t rejected_count = 0, k;
	int rc;

	CHECK_ALLOC(rejected);
	rc = lrt_book_begin_epoch(book, epoch);
	CHECK(rc == 0, WHERE ": lrt_book_begin_epoch: %s", s->index, s->seed, epoch,
		      lrt_error_last());
	s->m.epoch = j->epoch = epoch;
	for (k = 0; k < count; k++) {
		recorded *r = stream_new_event(s, epoch);

		gen_event(s, r);
		apply_checked(s, book, j, r, rejected, &rejected_count);
	}
	settle_checked(s, book, j, out, rejected, rejected_count);
	free(rejected);
}

static void finish_output(stream *s, int run, lrt_book *book, FILE *out, char **text,
			  size_t *length, const journal *j)
{
	CHECK_OK(lrt_book_write_final_json(out, book));
	CHECK_OK(fclose(out));
	s->output[run] = *text;
	s->output_length[run] = *length;
	s->digest[run] = j->digest;
}

/*
 * SPEC section 7 on the final state: a few what-if slashes by wad (some
 * rejected), then steps 1-4 of the next epoch, against the model, often
 * under a guard set for the stress alone.  It changes the model and the
 * book, so it comes last.
 */
static void check_stress(stream *s, lrt_book *book)
{
	model *m = &s->m;
	lrt_stress_slash slashes[STRESS_MAX];
	lrt_stress_report got;
	expected_report x;
	lrt_event event;
	mpz_t loss[STRESS_MAX], gain, r0, r1;
	bool applied[STRESS_MAX];
	size_t count = (size_t)prng_below(&s->rng, STRESS_MAX + 1), i;
	int64_t e = s->last_epoch + 1;
	uint32_t guard_bps = 0;
	bool trips;

	mpz_inits(gain, r0, r1, NULL);
	/* a guard for the stress alone (the streams never set one) */
	if (prng_percent(&s->rng, 70)) {
		lrt_policy policy = {0};

		CHECK_OK(lrt_policy_copy(&policy, &lrt_book_product(book)->policy));
		policy.max_rate_change_bps = 1 + (uint32_t)prng_below(&s->rng,
								      prng_percent(&s->rng, 50) ? 20 : 1000);
		guard_bps = policy.max_rate_change_bps;
		CHECK_OK(lrt_book_restore_policy(book, &policy));
		lrt_policy_clear(&policy);
	}
	model_rate(r0, m);
	m->epoch = e;
	m->flow_count = 0;
	for (i = 0; i < count; i++) {
		uint64_t roll = prng_below(&s->rng, 100);
		int l = roll < 5 ? BUFFER : roll < 8 ? CLAIMABLE : 1 + (int)prng_below(&s->rng, 3);
		int a = allocated_asset(s, l);

		slashes[i].operator_name = locations[l];
		slashes[i].avs = slash_avss[prng_below(&s->rng, AVS_COUNT)];
		slashes[i].asset = prng_percent(&s->rng, 4) ? "XYZ" : m->assets[a].symbol;
		mpz_init(slashes[i].wad);
		gen_wad(s, slashes[i].wad);
		lrt_event_init(&event);
		event.id = "stress";
		event.type = LRT_EVENT_SLASH;
		event.epoch = e;
		event.location = slashes[i].operator_name;
		event.source = slashes[i].avs;
		event.asset = slashes[i].asset;
		event.by_wad = true;
		mpz_set(event.amount, slashes[i].wad);
		mpz_init_set(loss[i], m->position[l][a]);
		applied[i] = model_slash(m, &event);
		if (applied[i])
			mpz_sub(loss[i], loss[i], m->position[l][a]);
		else
			mpz_set_ui(loss[i], 0);
		lrt_event_clear(&event);
	}
	expected_init(&x);
	model_value_step(gain, &x, m);
	model_recognize_step(m, &x, gain);
	model_rate(r1, m);
	/* step 4: |r1 - r0| * 10000 > max_rate_change_bps * r0, with r0 > 0 */
	mpz_sub(gain, r1, r0);
	mpz_abs(gain, gain);
	mpz_mul_ui(gain, gain, 10000);
	mpz_mul_ui(r1, r0, guard_bps);
	trips = guard_bps > 0 && mpz_sgn(r0) > 0 && mpz_cmp(gain, r1) > 0;
	model_rate(r1, m);

	lrt_stress_report_init(&got);
	CHECK_OK(lrt_book_stress(&got, book, slashes, count));
	CHECK(got.epoch == e && got.outcome_count == count,
	      WHERE ": the stress is of epoch %" PRId64 " with %zu outcomes, SPEC gives %zu",
	      s->index, s->seed, e, got.epoch, got.outcome_count, count);
	for (i = 0; i < count; i++) {
		CHECK((got.outcomes[i].rejected == NULL) == applied[i],
		      WHERE ": stress slash %zu (%s:%s:%s) %s, SPEC %s", s->index, s->seed, e, i,
		      slashes[i].operator_name, slashes[i].avs, slashes[i].asset,
		      got.outcomes[i].rejected ? got.outcomes[i].rejected : "applied",
		      applied[i] ? "applies it" : "rejects it");
		expect_equal(s, e, "stress loss", got.outcomes[i].loss, loss[i]);
		mpz_clears(loss[i], slashes[i].wad, NULL);
	}
	expect_equal(s, e, "stress loss_value", got.loss_value, x.slashed);
	expect_equal(s, e, "stress total_assets", got.total_assets, m->total_assets);
	expect_equal(s, e, "stress total_shares", got.total_shares, m->total_shares);
	expect_equal(s, e, "stress deferred", got.deferred, m->deferred);
	expect_equal(s, e, "stress rate_before", got.rate_before, r0);
	expect_equal(s, e, "stress rate", got.rate, r1);
	CHECK(got.guard_trips == trips, WHERE ": the stress guard (%" PRIu32 " bps) says %s, SPEC %s",
	      s->index, s->seed, e, guard_bps, got.guard_trips ? "trip" : "pass",
	      trips ? "trip" : "pass");
	s->stress_trips += trips;
	lrt_stress_report_clear(&got);
	expected_clear(&x);
	mpz_clears(gain, r0, r1, NULL);
}

/* Run 1: generate the stream and check it against the model as it goes. */
static void run_generated(stream *s)
{
	lrt_book *book = NULL;
	journal j;
	char *text = NULL;
	size_t length = 0, produced = 0, count;
	int64_t epoch = 0;
	FILE *out = open_memstream(&text, &length);

	CHECK_ALLOC(out);
	journal_init(&j, ASSET_COUNT, true);
	CHECK(lrt_book_new(&book, &s->product) == 0, "lrt_book_new: %s", lrt_error_last());
	lrt_book_set_journal(book, journal_sink, &j);
	while (produced < s->target_events) {
		count = prng_percent(&s->rng, 10) ? 0
			: 1 + (size_t)prng_below(&s->rng, 2 * s->mean_per_epoch);
		if (produced + count >= s->target_events)
			count = s->target_events - produced;  /* the last epoch has events */
		run_epoch(s, book, &j, out, epoch++, count);
		produced += count;
	}
	s->last_epoch = epoch - 1;
	finish_output(s, 0, book, out, &text, &length, &j);
	lrt_book_set_journal(book, NULL, NULL);  /* a what-if, not the books */
	check_stress(s, book);
	lrt_book_free(book);
	journal_clear(&j);
}

/* Run 2: the recorded events again, on a fresh book. */
static void run_replayed(stream *s)
{
	lrt_book *book = NULL;
	lrt_epoch_report report;
	journal j;
	char *text = NULL;
	size_t length = 0, i = 0;
	int64_t epoch;
	FILE *out = open_memstream(&text, &length);
	int rc;

	CHECK_ALLOC(out);
	journal_init(&j, ASSET_COUNT, true);
	CHECK_OK(lrt_book_new(&book, &s->product));
	lrt_book_set_journal(book, journal_sink, &j);
	for (epoch = 0; epoch <= s->last_epoch; epoch++) {
		CHECK_OK(lrt_book_begin_epoch(book, epoch));
		j.epoch = epoch;
		for (; i < s->event_count && s->events[i].event.epoch == epoch; i++) {
			j.current_id = s->events[i].event.id;
			rc = lrt_book_apply(book, &s->events[i].event);
			journal_close_entry(&j);
			CHECK(rc == (s->events[i].applied ? 0 : LRT_EREJECT),
				      "stream %d (seed 0x%016" PRIx64 ") replay of %s: %d, first run %s",
				      s->index, s->seed, event_text(&s->events[i]), rc,
				      s->events[i].applied ? "applied it" : "rejected it");
		}
		j.current_id = NULL;
		lrt_epoch_report_init(&report);
		CHECK_OK(lrt_book_settle(book, &report));
		journal_close_entry(&j);
		CHECK_OK(lrt_report_write_json(out, &report));
		lrt_epoch_report_clear(&report);
	}
	finish_output(s, 1, book, out, &text, &length, &j);
	lrt_book_free(book);
	journal_clear(&j);
}

static void collect_diagnostic(void *context, const char *message)
{
	FILE *out = context;

	fprintf(out, "%s\n", message);
}

static int write_epoch(void *context, const lrt_epoch_report *report)
{
	return lrt_report_write_json(context, report);
}

/* Run 3: the stream as JSON Lines, through the scenario reader and runner. */
static void run_scenario(stream *s)
{
	char *input = NULL, *diagnostics = NULL, *text = NULL;
	size_t input_length = 0, diagnostics_length = 0, length = 0, i;
	FILE *in = open_memstream(&input, &input_length);
	FILE *diag = open_memstream(&diagnostics, &diagnostics_length);
	FILE *out = open_memstream(&text, &length);
	lrt_scenario *scenario = NULL;
	lrt_book *book = NULL;
	journal j;
	int rc;

	CHECK(in && diag && out, "out of memory");
	write_product_json(in, s);
	for (i = 0; i < s->event_count; i++) {
		if (i % 97 == 5)
			fputs("\n", in);  /* blank lines are skipped */
		event_write_json(in, &s->events[i]);
	}
	CHECK_OK(fclose(in));
	rc = lrt_scenario_read(&scenario, "property.jsonl", input, input_length,
			       collect_diagnostic, diag);
	fflush(diag);
	CHECK(rc == 0, "stream %d (seed 0x%016" PRIx64 "): lrt_scenario_read: %d: %s%s",
		      s->index, s->seed, rc, lrt_error_last(), diagnostics ? diagnostics : "");
	CHECK(lrt_scenario_event_count(scenario) == s->event_count, "stream %d: %zu events read, %zu written", s->index, lrt_scenario_event_count(scenario), s->event_count);
	CHECK(lrt_scenario_last_epoch(scenario) == s->last_epoch, "stream %d: last epoch %" PRId64 ", written %" PRId64, s->index, lrt_scenario_last_epoch(scenario), s->last_epoch);
	for (i = 0; i < s->event_count; i++)
		CHECK(strcmp(lrt_scenario_event(scenario, i)->id, s->events[i].event.id) == 0, "stream %d: event %zu read as %s, written as %s", s->index, i, lrt_scenario_event(scenario, i)->id, s->events[i].event.id);
	journal_init(&j, ASSET_COUNT, false);
	CHECK_OK(lrt_book_new(&book, lrt_scenario_product(scenario)));
	lrt_book_set_journal(book, journal_sink, &j);
	rc = lrt_scenario_run(scenario, book, write_epoch, out);
	journal_close_entry(&j);
	CHECK(rc == 0, "stream %d: lrt_scenario_run: %d: %s", s->index, rc, lrt_error_last());
	finish_output(s, 2, book, out, &text, &length, &j);
	lrt_book_free(book);
	lrt_scenario_free(scenario);
	journal_clear(&j);
	fclose(diag);
	free(diagnostics);
	s->scenario_text = stream_keep(s, input);
}

/* The first line where two outputs differ, for the failure message. */
static const char *first_difference(const stream *s, int a, int b)
{
	const char *x = s->output[a], *y = s->output[b];
	size_t line = 1, start = 0, i;
	char *text = NULL;
	size_t length = 0;
	FILE *out;

	for (i = 0; i < s->output_length[a] && i < s->output_length[b] && x[i] == y[i]; i++) {
		if (x[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	out = open_memstream(&text, &length);
	if (out == NULL)
		return "(no memory)";
	fprintf(out, "line %zu: %.*s\nversus: %.*s", line,
		(int)strcspn(x + start, "\n"), x + start, (int)strcspn(y + start, "\n"), y + start);
	fclose(out);
	return text;
}

static size_t finalized_requests(const model *m)
{
	size_t count = 0, i;

	for (i = 0; i < m->request_count; i++)
		count += m->requests[i].state == REQUEST_FINALIZED
			 || m->requests[i].state == REQUEST_CLAIMED;
	return count;
}

/* LRT_PROPERTY_VERBOSE: what a stream held (`settles`: its `lrt settle`
 * calls on the database path, 0 for the core's streams). */
static void print_stream_summary(const stream *s, size_t settles)
{
	size_t marks = 0, points = 0, i;
	int t;

	for (i = 0; i < s->event_count; i++) {
		const lrt_event *e = &s->events[i].event;

		marks += e->type == LRT_EVENT_CONFIG && (e->config_mask & LRT_CONFIG_FEE_HIGH_WATER_MARK);
		points += e->type == LRT_EVENT_CONFIG && (e->config_mask & LRT_CONFIG_POINTS);
	}
	fprintf(stderr, "property: %sstream %d (seed 0x%016" PRIx64 ", %s offset %u, mark %s,"
		" %zu programs): %zu events (%zu applied, %zu rejected) in %" PRId64 " epochs,"
		" %zu requests (%zu finalized)", settles ? "database " : "", s->index, s->seed,
		s->product.model == LRT_MODEL_PLAIN ? "plain" : "erc4626", s->product.offset,
		s->product.policy.fee_high_water_mark ? "on" : "off",
		s->product.policy.points_count, s->event_count, s->applied, s->rejected,
		s->last_epoch + 1, s->m.request_count, finalized_requests(&s->m));
	if (settles > 0)
		fprintf(stderr, ", %zu lrt settle", settles);
	fprintf(stderr, "\n ");
	for (t = 0; t < LRT_EVENT_TYPE_COUNT; t++)
		fprintf(stderr, " %s %zu/%zu", type_names[t], s->applied_by_type[t],
			s->rejected_by_type[t]);
	fprintf(stderr, "; configs naming the mark %zu, points %zu; %zu slashes by wad took"
		" something; stress guard %s\n", marks, points, s->wad_losses,
		s->stress_trips ? "trips" : "passes");
}

START_TEST(property_stream)
{
	static const char *const run_names[3] = {
		"event by event", "replayed", "read as JSON Lines"
	};
	stream s;
	int run;

	names_init();
	stream_init(&s, _i, false);
	run_generated(&s);
	run_replayed(&s);
	run_scenario(&s);
	for (run = 1; run < 3; run++) {
		CHECK(s.output_length[run] == s.output_length[0] &&
			      memcmp(s.output[run], s.output[0], s.output_length[0]) == 0,
			      "stream %d (seed 0x%016" PRIx64 "): the reports %s differ from the first run's: %s",
			      _i, s.seed, run_names[run], first_difference(&s, 0, run));
		CHECK(s.digest[run] == s.digest[0],
			      "stream %d (seed 0x%016" PRIx64 "): the journal %s differs from the first run's",
			      _i, s.seed, run_names[run]);
	}
	if (getenv("LRT_PROPERTY_VERBOSE"))
		print_stream_summary(&s, 0);
	CHECK(s.applied > 0 && (s.rejected > 0 || s.event_count < 100),
		      "stream %d: %zu applied, %zu rejected: the generator is off", _i,
		      s.applied, s.rejected);
	stream_clear(&s);
}
END_TEST

static size_t env_size(const char *name, size_t fallback)
{
	const char *text = getenv(name);
	char *end;
	unsigned long long value;

	if (text == NULL || *text == '\0')
		return fallback;
	value = strtoull(text, &end, 0);
	return *end == '\0' && value > 0 ? (size_t)value : fallback;
}

/* ---- the database path ------------------------------------------------------ */

/* JSON Lines as objects, without the rejection reasons (free text). */
static json_t *lines_without_reasons(const char *text)
{
	json_t *lines = lrt_test_json_lines(text), *line, *item;
	size_t i, k;

	json_array_foreach(lines, i, line)
		json_array_foreach(json_object_get(line, "rejected"), k, item)
			json_object_del(item, "reason");
	return lines;
}

static void run_lrt(lrt_test_process *p, const char *const args[], const stream *s)
{
	lrt_test_run(p, args);
	CHECK(p->status == 0, "stream %d (seed 0x%016" PRIx64 "): lrt %s exited %d: %s%s",
	      s->index, s->seed, args[0], p->status, p->err, p->out);
}

/* The stream's events of epochs [from, through] as JSON Lines in `path`,
 * after the product line when `product` (a scenario file, as it is). */
static void write_part(const stream *s, const char *path, int64_t from, int64_t through,
		       bool product)
{
	char *text = NULL;
	size_t length = 0, i;
	FILE *out = open_memstream(&text, &length);

	CHECK_ALLOC(out);
	if (product)
		write_product_json(out, s);
	for (i = 0; i < s->event_count; i++)
		if (s->events[i].event.epoch >= from && s->events[i].event.epoch <= through)
			event_write_json(out, &s->events[i]);
	CHECK_OK(fclose(out));
	lrt_test_write_file(path, text);
	free(text);
}

/*
 * When the database path settles: a few random epochs, the last epoch of
 * the first file (`cut`, when there is one) and the stream's last, in
 * ascending order, each once.  Each `lrt settle` rebuilds the book from
 * the database, so restoring it is part of the test.
 */
static size_t settle_stops(stream *s, int64_t cut, int64_t stops[DATABASE_SETTLES + 2])
{
	size_t count = 0, extra = (size_t)prng_below(&s->rng, DATABASE_SETTLES + 1), i, k;
	int64_t epoch;

	stops[count++] = s->last_epoch;
	if (cut >= 0)
		stops[count++] = cut;
	for (i = 0; i < extra; i++)
		stops[count++] = (int64_t)prng_below(&s->rng, (uint64_t)s->last_epoch + 1);
	for (i = 1; i < count; i++)  /* insertion sort, then drop repeats */
		for (k = i; k > 0 && stops[k - 1] > stops[k]; k--)
			epoch = stops[k], stops[k] = stops[k - 1], stops[k - 1] = epoch;
	for (i = 1, k = 1; i < count; i++)
		if (stops[i] != stops[k - 1])
			stops[k++] = stops[i];
	return k;
}

/*
 * SPEC section 6: the same scenario through the database path (ingest,
 * settle, export) yields the same figures, every event type of the second
 * edition included.  The stream is ingested as two files, cut at a random
 * epoch, the second after the first's epochs are settled, and settled by
 * several `lrt settle --through`; the first run checks it against the
 * model first.
 */
START_TEST(property_database)
{
	static lrt_test_process p;
	char folder[1024], first[1100], second[1100], through[32];
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", first, NULL};
	const char *ingest_first[] = {"ingest", first, NULL};
	const char *ingest_second[] = {"ingest", second, NULL};
	const char *settle[] = {"settle", "--through", through, NULL};
	const char *export[] = {"export", NULL};
	const char *verify[] = {"verify", NULL};
	int64_t stops[DATABASE_SETTLES + 2], cut;
	size_t stop_count, i;
	bool second_loaded;
	json_t *want, *got;
	stream s;

	names_init();
	stream_init(&s, _i, true);
	run_generated(&s);
	run_scenario(&s);
	cut = (int64_t)prng_below(&s.rng, (uint64_t)s.last_epoch + 2) - 1;  /* -1..last */
	stop_count = settle_stops(&s, cut, stops);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(first, sizeof(first), "%s/first.jsonl", folder);
	snprintf(second, sizeof(second), "%s/second.jsonl", folder);
	write_part(&s, first, 0, cut, true);
	write_part(&s, second, cut + 1, s.last_epoch, false);
	lrt_test_fresh_database();
	run_lrt(&p, migrate, &s);
	run_lrt(&p, create, &s);
	run_lrt(&p, ingest_first, &s);
	second_loaded = false;
	for (i = 0; i < stop_count; i++) {
		if (stops[i] > cut && !second_loaded) {
			run_lrt(&p, ingest_second, &s);
			second_loaded = true;
		}
		/* whatever the clock says of the stream's late epochs */
		snprintf(through, sizeof(through), "%" PRId64, stops[i]);
		run_lrt(&p, settle, &s);
	}
	run_lrt(&p, export, &s);
	want = lines_without_reasons(s.output[0]);
	got = lines_without_reasons(p.out);
	for (i = 0; i < json_array_size(want) || i < json_array_size(got); i++) {
		json_t *a = json_array_get(want, i), *b = json_array_get(got, i);

		if (a != NULL && b != NULL && json_equal(a, b))
			continue;
		ck_abort_msg("stream %d (seed 0x%016" PRIx64 "): line %zu of lrt export differs:\n"
			     "%s\nlrt simulate:\n%s\n(files: %s cut after epoch %" PRId64 ", %s)",
			     s.index, s.seed, i + 1, b ? json_dumps(b, JSON_COMPACT) : "(none)",
			     a ? json_dumps(a, JSON_COMPACT) : "(none)", first, cut, second);
	}
	json_decref(want);
	json_decref(got);
	/* and the books recomputed from the journal and the inbox agree */
	run_lrt(&p, verify, &s);
	CHECK(strstr(p.out, ", 0 differences") != NULL, "stream %d: lrt verify: %s", s.index, p.out);
	if (getenv("LRT_PROPERTY_VERBOSE"))
		print_stream_summary(&s, stop_count);
	stream_clear(&s);
}
END_TEST

Suite *property_suite(void)
{
	Suite *suite = suite_create("property");
	TCase *tc = tcase_create("random streams");
	TCase *db = tcase_create("database path");
	size_t total = env_size("LRT_PROPERTY_EVENTS", DEFAULT_EVENTS);
	size_t streams = (total + STREAM_EVENTS - 1) / STREAM_EVENTS;

	seed_base = (uint64_t)env_size("LRT_PROPERTY_SEED", (size_t)DEFAULT_SEED);
	if (streams > STREAM_MAX) {
		streams = STREAM_MAX;
		stream_events = (total + STREAM_MAX - 1) / STREAM_MAX;
	}
	/* A stream of 300 events takes well under a second, sanitizers included. */
	tcase_set_timeout(tc, 30.0 + (double)stream_events / 100.0);
	tcase_add_loop_test(tc, property_stream, 0, (int)streams);
	suite_add_tcase(suite, tc);
	tcase_set_timeout(db, LRT_TEST_DB_TIMEOUT_SECONDS + (double)stream_events / 20.0);
	tcase_add_loop_test(db, property_database, 0,
			    (int)env_size("LRT_PROPERTY_DB_STREAMS", DATABASE_STREAMS));
	suite_add_tcase(suite, db);
	return suite;
}
