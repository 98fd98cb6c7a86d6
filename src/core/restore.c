/*
 * restore.c - putting stored state back into a book (see "restoring a book
 * from storage" in include/lrt/book.h), for the database path.
 *
 * Only allowed between epochs; nothing here writes the journal, because the
 * state restored was journaled when it was first made.
 */
#include <string.h>

#include "core/book_internal.h"
#include "lrt/amount.h"
#include "lrt/error.h"

static int between_epochs(const lrt_book *book, const char *what)
{
	if (!book->epoch_open)
		return 0;
	lrt_error_set("cannot restore %s while epoch %lld is open", what,
		      (long long)(book->settled_epoch + 1));
	return LRT_ESTATE;
}

static int storable(const mpz_t value, const char *what)
{
	if (lrt_amount_fits(value))
		return 0;
	lrt_error_set("%s: out of range 0..2^256-1", what);
	return LRT_EINVAL;
}

int lrt_book_restore_totals(lrt_book *book, int64_t settled_epoch,
			    const mpz_t total_assets, const mpz_t total_shares,
			    const mpz_t deferred)
{
	int rc = between_epochs(book, "totals");

	if (rc == 0)
		rc = storable(total_assets, "total assets");
	if (rc == 0)
		rc = storable(total_shares, "total shares");
	if (rc == 0)
		rc = storable(deferred, "deferred");
	if (rc == 0 && settled_epoch < -1) {
		lrt_error_set("settled epoch %lld is out of range", (long long)settled_epoch);
		rc = LRT_EINVAL;
	}
	if (rc != 0)
		return rc;
	mpz_set(book->total_assets, total_assets);
	mpz_set(book->total_shares, total_shares);
	mpz_set(book->deferred, deferred);
	mpz_set(book->settled_assets, total_assets);
	mpz_set(book->settled_shares, total_shares);
	book->settled_epoch = settled_epoch;
	return 0;
}

int lrt_book_restore_policy(lrt_book *book, const lrt_policy *policy)
{
	int rc = between_epochs(book, "the policy");

	if (rc == 0)
		rc = lrt_policy_validate(policy);
	if (rc == 0)
		rc = lrt_policy_copy(&book->product.policy, policy);
	if (rc == 0)
		rc = book_programs_set(book, policy);
	return rc;
}

int lrt_book_restore_price(lrt_book *book, const char *asset, const mpq_t price)
{
	int a = lrt_product_asset_index(&book->product, asset);
	int rc = between_epochs(book, "a price");

	if (rc != 0)
		return rc;
	if (a <= ASSET_UNDERLYING || mpq_sgn(price) < 0) {
		lrt_error_set(a < 0 ? "unknown asset %s" : "no price can be restored for %s",
			      asset);
		return LRT_EINVAL;
	}
	book_set_price(book, a, price);
	return 0;
}

int lrt_book_restore_position(lrt_book *book, const char *asset,
			      const char *location, const mpz_t amount)
{
	int a = lrt_product_asset_index(&book->product, asset);
	int64_t l;
	int rc = between_epochs(book, "a position");

	if (rc == 0)
		rc = storable(amount, "position");
	if (rc != 0)
		return rc;
	if (a < 0) {
		lrt_error_set("unknown asset %s", asset);
		return LRT_EINVAL;
	}
	l = book_location(book, location, true);
	if (l < 0)
		return LRT_ENOMEM;
	mpz_set(*book_position(book, a, (size_t)l), amount);
	return 0;
}

int lrt_book_restore_holder(lrt_book *book, const char *holder_name,
			    const mpz_t shares)
{
	int64_t h;
	int rc = between_epochs(book, "a holder");

	if (rc == 0)
		rc = storable(shares, "shares");
	if (rc != 0)
		return rc;
	h = book_holder(book, holder_name, true);
	if (h < 0)
		return LRT_ENOMEM;
	mpz_set(book->holders.items[h].shares, shares);
	return 0;
}

bool lrt_book_knows_holder(const lrt_book *book, const char *holder_name)
{
	return lrt_strmap_find(&book->holder_index, holder_name) >= 0;
}

bool lrt_book_knows_request(const lrt_book *book, const char *request_id)
{
	return lrt_strmap_find(&book->request_index, request_id) >= 0;
}

int lrt_book_restore_request(lrt_book *book, const lrt_request_view *view)
{
	int64_t index;
	request *r;
	int rc = between_epochs(book, "a request");

	if (rc == 0)
		rc = storable(*view->shares, "shares");
	if (rc == 0)
		rc = storable(*view->cap, "cap");
	if (rc != 0)
		return rc;
	if (lrt_book_knows_request(book, view->request)) {
		lrt_error_set("request %s is already in the book", view->request);
		return LRT_ESTATE;
	}
	index = book_push_request(book, view->request, view->holder);
	if (index < 0)
		return LRT_ENOMEM;
	r = &book->requests.items[index];
	mpz_set(r->shares, *view->shares);
	mpz_set(r->cap, *view->cap);
	mpz_set(r->payout, *view->payout);
	r->epoch = view->epoch;
	r->finalized_epoch = view->finalized_epoch;
	r->state = view->state;
	if (view->state != LRT_REQUEST_QUEUED)
		book->queue.count--;  /* indexed for claims, not queued */
	return 0;
}

const char *lrt_book_request_holder(const lrt_book *book, const char *request_id)
{
	int64_t index = lrt_strmap_find(&book->request_index, request_id);

	return index < 0 ? NULL : book->requests.items[index].holder;
}

/* ---- second edition: the high-water mark ---------------------------------- */

int lrt_book_restore_high_water_mark(lrt_book *book, const mpq_t mark)
{
	int rc = between_epochs(book, "the high-water mark");

	if (rc != 0)
		return rc;
	if (mpq_sgn(mark) < 0 || mpz_sgn(mpq_denref(mark)) <= 0) {
		lrt_error_set("high-water mark: must be a non-negative rational");
		return LRT_EINVAL;
	}
	mpq_set(book->high_water_mark, mark);
	mpq_canonicalize(book->high_water_mark);
	book->has_high_water_mark = true;
	return 0;
}

bool lrt_book_high_water_mark(mpq_t out, const lrt_book *book)
{
	if (book->has_high_water_mark)
		mpq_set(out, book->high_water_mark);
	return book->has_high_water_mark;
}

/* ---- second edition: EigenLayer's magnitudes ------------------------------ */

static int known_asset(const lrt_book *book, const char *asset)
{
	int index = lrt_product_asset_index(&book->product, asset);

	if (index < 0)
		lrt_error_set("unknown asset %s", asset);
	return index;
}

int lrt_book_restore_stake(lrt_book *book, const char *operator_name,
			   const char *asset, const mpz_t max_magnitude)
{
	int a = known_asset(book, asset);
	stake *k;
	int rc = between_epochs(book, "a stake");

	if (rc == 0 && a < 0)
		rc = LRT_EINVAL;
	if (rc == 0 && mpz_cmp(max_magnitude, book->wad) > 0) {
		lrt_error_set("max magnitude of (%s, %s): above WAD", operator_name, asset);
		rc = LRT_EINVAL;
	}
	if (rc != 0)
		return rc;
	k = book_stake(book, operator_name, a, true);
	if (k == NULL)
		return LRT_ENOMEM;
	if (mpz_cmp(k->allocated, max_magnitude) > 0) {
		lrt_error_set("max magnitude of (%s, %s): below what is allocated",
			      operator_name, asset);
		return LRT_EINVAL;
	}
	mpz_set(k->max_magnitude, max_magnitude);
	return 0;
}

int lrt_book_restore_allocation(lrt_book *book, const char *operator_name,
				const char *asset, const char *avs,
				const mpz_t magnitude)
{
	int a = known_asset(book, asset);
	allocation *x;
	stake *k;
	int rc = between_epochs(book, "an allocation");

	if (rc == 0 && a < 0)
		rc = LRT_EINVAL;
	if (rc != 0)
		return rc;
	k = book_stake(book, operator_name, a, true);
	x = k ? book_allocation(book, (uint32_t)(k - book->stakes.items), avs, true) : NULL;
	if (x == NULL)
		return LRT_ENOMEM;
	mpz_sub(k->allocated, k->allocated, x->magnitude);
	mpz_add(k->allocated, k->allocated, magnitude);
	mpz_set(x->magnitude, magnitude);
	if (mpz_cmp(k->allocated, k->max_magnitude) > 0) {
		lrt_error_set("allocations of (%s, %s) exceed its max magnitude",
			      operator_name, asset);
		return LRT_EINVAL;
	}
	return 0;
}

int lrt_book_each_stake(const lrt_book *book, lrt_stake_fn fn, void *context)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < book->stakes.count && rc == 0; i++) {
		const stake *k = &book->stakes.items[i];

		rc = fn(context, k->operator_name, book->product.assets[k->asset].symbol,
			k->max_magnitude);
	}
	return rc;
}

int lrt_book_each_allocation(const lrt_book *book, lrt_allocation_fn fn,
			     void *context)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < book->allocations.count && rc == 0; i++) {
		const allocation *x = &book->allocations.items[i];
		const stake *k = &book->stakes.items[x->stake];

		rc = fn(context, k->operator_name, book->product.assets[k->asset].symbol,
			x->avs, x->magnitude);
	}
	return rc;
}

/* ---- second edition: points ---------------------------------------------- */

int lrt_book_restore_program_index(lrt_book *book, const char *program,
				   const mpz_t index)
{
	int64_t p;
	int rc = between_epochs(book, "a points program");

	if (rc != 0)
		return rc;
	if (mpz_sgn(index) < 0) {
		lrt_error_set("points program %s: a negative index", program);
		return LRT_EINVAL;
	}
	p = lrt_strmap_find(&book->program_index, program);
	if (p < 0)
		p = book_push_program(book, program);
	if (p < 0)
		return LRT_ENOMEM;
	mpz_set(book->programs.items[p].index, index);
	return 0;
}

int lrt_book_each_program_index(const lrt_book *book, lrt_program_index_fn fn,
				void *context)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < book->programs.count && rc == 0; i++)
		rc = fn(context, book->programs.items[i].name, book->programs.items[i].index);
	return rc;
}

int lrt_book_restore_holder_points(lrt_book *book, const char *holder_name,
				   const char *program, const mpz_t accrued,
				   const mpz_t checkpoint)
{
	int64_t h = lrt_strmap_find(&book->holder_index, holder_name);
	int64_t p = lrt_strmap_find(&book->program_index, program);
	int rc = between_epochs(book, "points");

	if (rc != 0)
		return rc;
	if (h < 0 || p < 0) {
		lrt_error_set("points of %s in %s: restore the holder and the program first",
			      holder_name, program);
		return LRT_ESTATE;
	}
	if (mpz_sgn(accrued) < 0 || mpz_sgn(checkpoint) < 0
	    || mpz_cmp(checkpoint, book->programs.items[p].index) > 0) {
		lrt_error_set("points of %s in %s: out of range", holder_name, program);
		return LRT_EINVAL;
	}
	return book_holder_restore_points(book, h, (size_t)p, accrued, checkpoint);
}

int lrt_book_each_changed_holder_points(const lrt_book *book,
					lrt_holder_points_fn fn, void *context)
{
	size_t i, p;
	int rc = 0;

	for (i = 0; i < book->changed_holders.count && rc == 0; i++) {
		const holder *h = &book->holders.items[book->changed_holders.items[i]];

		for (p = 0; p < h->points_count && rc == 0; p++)
			rc = fn(context, h->name, book->programs.items[p].name,
				h->points[p].accrued, h->points[p].checkpoint);
	}
	return rc;
}
