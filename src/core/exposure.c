/*
 * exposure.c - EigenLayer allocations (SPEC section 2), exposure and
 * what-if stress of slashes (SPEC section 7).
 *
 * Magnitudes live in two hash indexes: one stake per (operator, asset) with
 * its max magnitude and the sum allocated, and one allocation per
 * (operator, asset, AVS).  Workload: tens of operators and AVSs; exposure
 * reads every stake once, never a holder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/book_internal.h"
#include "core/limits.h"
#include "lrt/error.h"

/* Keys: the asset index and the operator's length make them unambiguous,
 * whatever bytes the names hold. */
#define KEY_BYTES_MAX (2 * LRT_NAME_BYTES_MAX + 48)

static bool stake_key(char *out, int asset, const char *operator_name)
{
	int n = snprintf(out, KEY_BYTES_MAX, "%d:%s", asset, operator_name);

	return n >= 0 && n < KEY_BYTES_MAX;
}

static bool allocation_key(char *out, uint32_t stake_index, const char *avs)
{
	int n = snprintf(out, KEY_BYTES_MAX, "%u:%s", stake_index, avs);

	return n >= 0 && n < KEY_BYTES_MAX;
}

stake *book_stake(lrt_book *book, const char *operator_name, int asset, bool create)
{
	char key[KEY_BYTES_MAX];
	char *stored;
	int64_t index;

	if (!stake_key(key, asset, operator_name)) {
		if (create)
			lrt_error_set("operator name too long: %.40s...", operator_name);
		return NULL;
	}
	index = lrt_strmap_find(&book->stake_index, key);
	if (index < 0 && create) {
		stored = lrt_arena_strndup(&book->arena, key, strlen(key));
		index = stored == NULL ? LRT_ENOMEM - 1
			: book_push_stake(book, stored, operator_name, asset);
		if (stored == NULL)
			lrt_error_set("out of memory adding the stake of %s", operator_name);
	}
	return index < 0 ? NULL : &book->stakes.items[index];
}

allocation *book_allocation(lrt_book *book, uint32_t stake_index, const char *avs,
			    bool create)
{
	char key[KEY_BYTES_MAX];
	char *stored;
	int64_t index;

	if (!allocation_key(key, stake_index, avs)) {
		if (create)
			lrt_error_set("AVS name too long: %.40s...", avs);
		return NULL;
	}
	index = lrt_strmap_find(&book->allocation_index, key);
	if (index < 0 && create) {
		stored = lrt_arena_strndup(&book->arena, key, strlen(key));
		index = stored == NULL ? LRT_ENOMEM - 1
			: book_push_allocation(book, stored, stake_index, avs);
		if (stored == NULL)
			lrt_error_set("out of memory adding the allocation of %s", avs);
	}
	return index < 0 ? NULL : &book->allocations.items[index];
}

/* ---- exposure ------------------------------------------------------------- */

void lrt_exposure_init(lrt_exposure *exposure)
{
	memset(exposure, 0, sizeof(*exposure));
	mpz_init(exposure->hhi_bps);
}

static void exposure_clear_operators(lrt_exposure *exposure)
{
	size_t i, j;

	for (i = 0; i < exposure->operator_count; i++) {
		lrt_operator_exposure *op = &exposure->operators[i];

		for (j = 0; j < op->avs_count; j++) {
			free(op->avs[j].avs);
			mpz_clear(op->avs[j].slashable);
		}
		free(op->avs);
		free(op->name);
		mpz_clear(op->value);
	}
	free(exposure->operators);
	exposure->operators = NULL;
	exposure->operator_count = 0;
}

void lrt_exposure_clear(lrt_exposure *exposure)
{
	if (exposure == NULL)
		return;
	exposure_clear_operators(exposure);
	mpz_clear(exposure->hhi_bps);
	memset(exposure, 0, sizeof(*exposure));
}

static int compare_operator_names(const void *left, const void *right)
{
	const lrt_operator_exposure *a = left, *b = right;

	return strcmp(a->name, b->name);
}

static int compare_avs_names(const void *left, const void *right)
{
	const lrt_avs_exposure *a = left, *b = right;

	return strcmp(a->avs, b->avs);
}

/* floor(value(asset, q) * a / M) for one allocation; 0 when M = 0. */
static void slashable_term(mpz_t out, const lrt_book *book, const stake *k,
			   const allocation *a)
{
	int64_t l = lrt_strmap_find(&book->location_index, k->operator_name);

	mpz_set_ui(out, 0);
	if (l < 0 || mpz_sgn(k->max_magnitude) == 0 || mpz_sgn(a->magnitude) == 0)
		return;
	book_value(out, book, k->asset, *book_position(book, k->asset, (size_t)l));
	mpz_mul(out, out, a->magnitude);
	mpz_fdiv_q(out, out, k->max_magnitude);
}

/* Adds `amount` to the AVS's slashable sum of one operator. */
static int add_slashable(lrt_operator_exposure *op, const char *avs, const mpz_t amount)
{
	lrt_avs_exposure *grown;
	size_t i;

	for (i = 0; i < op->avs_count; i++)
		if (strcmp(op->avs[i].avs, avs) == 0) {
			mpz_add(op->avs[i].slashable, op->avs[i].slashable, amount);
			return 0;
		}
	grown = realloc(op->avs, (op->avs_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return LRT_ENOMEM;
	op->avs = grown;
	grown[op->avs_count].avs = strdup(avs);
	if (grown[op->avs_count].avs == NULL)
		return LRT_ENOMEM;
	mpz_init_set(grown[op->avs_count].slashable, amount);
	op->avs_count++;
	return 0;
}

/* Fills one entry per operator location with its value; then the AVSs. */
static int exposure_collect(lrt_exposure *out, const lrt_book *book)
{
	size_t l, a, i, count = 0;
	mpz_t term;
	int rc = 0;

	out->operators = calloc(book->locations.count + 1, sizeof(*out->operators));
	if (out->operators == NULL)
		return LRT_ENOMEM;
	mpz_init(term);
	for (l = 0; l < book->locations.count; l++) {
		lrt_operator_exposure *op;

		if (l == LOCATION_BUFFER || l == LOCATION_CLAIMABLE)
			continue;
		op = &out->operators[count];
		mpz_init(op->value);
		out->operator_count = ++count;
		op->name = strdup(book->locations.items[l]);
		if (op->name == NULL) {
			rc = LRT_ENOMEM;
			goto done;
		}
		for (a = 0; a < book->product.asset_count; a++) {
			book_value(term, book, (int)a, *book_position(book, (int)a, l));
			mpz_add(op->value, op->value, term);
		}
	}
	for (i = 0; i < book->allocations.count && rc == 0; i++) {
		const allocation *alloc = &book->allocations.items[i];
		const stake *k = &book->stakes.items[alloc->stake];
		int64_t at = lrt_strmap_find(&book->location_index, k->operator_name);

		slashable_term(term, book, k, alloc);
		if (at < 0 || mpz_sgn(term) == 0)
			continue;
		/* operators come in location order, after buffer and claimable */
		rc = add_slashable(&out->operators[at - 2], alloc->avs, term);
	}
done:
	mpz_clear(term);
	return rc;
}

/* Drops operators with nothing to show, sorts, and computes the index. */
static void exposure_finish(lrt_exposure *out)
{
	size_t i, kept = 0;
	mpz_t sum, squares, square;

	mpz_init(sum);
	mpz_init(squares);
	mpz_init(square);
	for (i = 0; i < out->operator_count; i++) {
		lrt_operator_exposure *op = &out->operators[i];

		mpz_add(sum, sum, op->value);
		mpz_mul(square, op->value, op->value);
		mpz_add(squares, squares, square);
		if (mpz_sgn(op->value) == 0 && op->avs_count == 0) {
			free(op->avs);
			free(op->name);
			mpz_clear(op->value);
			continue;
		}
		out->operators[kept++] = *op;
	}
	out->operator_count = kept;
	qsort(out->operators, kept, sizeof(*out->operators), compare_operator_names);
	for (i = 0; i < kept; i++)
		if (out->operators[i].avs_count > 1)
			qsort(out->operators[i].avs, out->operators[i].avs_count,
			      sizeof(*out->operators[i].avs), compare_avs_names);
	/* hhi_bps = floor(10000 * sum v^2 / (sum v)^2), 0 when the sum is 0 */
	mpz_set_ui(out->hhi_bps, 0);
	if (mpz_sgn(sum) > 0) {
		mpz_mul_ui(squares, squares, LRT_BPS_DENOMINATOR);
		mpz_mul(square, sum, sum);
		mpz_fdiv_q(out->hhi_bps, squares, square);
	}
	mpz_clear(sum);
	mpz_clear(squares);
	mpz_clear(square);
}

int lrt_book_exposure(lrt_exposure *out, const lrt_book *book)
{
	int rc;

	exposure_clear_operators(out);
	rc = exposure_collect(out, book);
	if (rc != 0) {
		exposure_clear_operators(out);
		lrt_error_set("out of memory computing exposure");
		return rc;
	}
	exposure_finish(out);
	return 0;
}

/* ---- stress ------------------------------------------------------------------ */

void lrt_stress_report_init(lrt_stress_report *report)
{
	memset(report, 0, sizeof(*report));
	mpz_init(report->loss_value);
	mpz_init(report->total_assets);
	mpz_init(report->total_shares);
	mpz_init(report->deferred);
	mpz_init(report->rate_before);
	mpz_init(report->rate);
}

static void stress_clear_outcomes(lrt_stress_report *report)
{
	size_t i;

	for (i = 0; i < report->outcome_count; i++) {
		mpz_clear(report->outcomes[i].loss);
		free(report->outcomes[i].rejected);
	}
	free(report->outcomes);
	report->outcomes = NULL;
	report->outcome_count = 0;
}

void lrt_stress_report_clear(lrt_stress_report *report)
{
	if (report == NULL)
		return;
	stress_clear_outcomes(report);
	mpz_clear(report->loss_value);
	mpz_clear(report->total_assets);
	mpz_clear(report->total_shares);
	mpz_clear(report->deferred);
	mpz_clear(report->rate_before);
	mpz_clear(report->rate);
	memset(report, 0, sizeof(*report));
}

/* Applies one what-if slash as a slash event by wad; its loss is what the
 * position lost. */
static int stress_apply(lrt_book *book, const lrt_stress_slash *slash, size_t n,
			lrt_stress_outcome *outcome)
{
	char id[32];
	lrt_event event;
	int rc;

	snprintf(id, sizeof(id), "stress:%zu", n);
	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_SLASH;
	event.epoch = book->settled_epoch + 1;
	event.location = slash->operator_name;
	event.source = slash->avs;
	event.asset = slash->asset;
	event.by_wad = true;
	mpz_set(event.amount, slash->wad);
	lrt_book_position(outcome->loss, book, slash->asset, slash->operator_name);
	rc = lrt_book_apply(book, &event);
	if (rc == 0) {
		mpz_t after;

		mpz_init(after);
		lrt_book_position(after, book, slash->asset, slash->operator_name);
		mpz_sub(outcome->loss, outcome->loss, after);
		mpz_clear(after);
	} else if (rc == LRT_EREJECT) {
		mpz_set_ui(outcome->loss, 0);
		outcome->rejected = strdup(lrt_error_last());
		rc = outcome->rejected == NULL ? LRT_ENOMEM : 0;
	}
	lrt_event_clear(&event);
	return rc;
}

int lrt_book_stress(lrt_stress_report *out, lrt_book *book,
		    const lrt_stress_slash *slashes, size_t count)
{
	lrt_epoch_report epoch;
	size_t i;
	int rc;

	stress_clear_outcomes(out);
	rc = lrt_book_begin_epoch(book, book->settled_epoch + 1);
	if (rc != 0)
		return rc;
	out->epoch = book->settled_epoch + 1;
	out->outcomes = calloc(count + 1, sizeof(*out->outcomes));
	if (out->outcomes == NULL) {
		lrt_error_set("out of memory running a stress");
		return LRT_ENOMEM;
	}
	for (i = 0; i < count && rc == 0; i++) {
		mpz_init(out->outcomes[i].loss);
		out->outcome_count = i + 1;
		rc = stress_apply(book, &slashes[i], i, &out->outcomes[i]);
	}
	if (rc != 0)
		return rc;
	lrt_epoch_report_init(&epoch);
	rc = book_settle_compute(book, &epoch, out->total_assets, out->total_shares,
				 out->deferred, false);
	out->guard_trips = rc == LRT_EGUARD;
	if (rc == LRT_EGUARD)
		rc = 0;
	mpz_set(out->loss_value, epoch.slashed);
	mpz_set(out->rate_before, epoch.rate_before);
	mpz_set(out->rate, epoch.rate_after);
	lrt_epoch_report_clear(&epoch);
	return rc;
}
