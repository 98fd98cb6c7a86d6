/*
 * book.c - the books of one product: creating and freeing them, the
 * conversions of SPEC section 2, name lookups, the journal, and the readers.
 *
 * Workload: up to millions of holders and requests, a handful of assets, a
 * few dozen locations.  Holders, requests and locations are found by hash.
 */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/book_internal.h"
#include "core/limits.h"
#include "lrt/amount.h"
#include "lrt/error.h"

/* Grows a vector to hold one more element; `init` initializes new slots. */
#define VECTOR_RESERVE(vector, init_item, failed)                            \
	do {                                                                 \
		if ((vector).count == (vector).capacity) {                  \
			size_t capacity_ = (vector).capacity ? (vector).capacity * 2 : 16; \
			void *items_ = realloc((vector).items,               \
					       capacity_ * sizeof(*(vector).items)); \
			if (items_ == NULL) { failed; }                      \
			(vector).items = items_;                             \
			for (size_t i_ = (vector).capacity; i_ < capacity_; i_++) \
				init_item(&(vector).items[i_]);              \
			(vector).capacity = capacity_;                       \
		}                                                            \
	} while (0)

static void holder_init(holder *h)
{
	h->name = NULL;
	h->changed = false;
	h->points = NULL;
	h->points_count = 0;
	mpz_init(h->shares);
}

static void holder_clear(holder *h)
{
	uint32_t i;

	for (i = 0; i < h->points_count; i++) {
		mpz_clear(h->points[i].accrued);
		mpz_clear(h->points[i].checkpoint);
	}
	free(h->points);
	mpz_clear(h->shares);
}

static void program_init(points_program *p)
{
	p->name = NULL;
	p->in_force = false;
	mpz_init(p->rate);
	mpz_init(p->index);
}

static void program_clear(points_program *p)
{
	mpz_clear(p->rate);
	mpz_clear(p->index);
}

static void stake_init(stake *k)
{
	k->operator_name = NULL;
	k->asset = 0;
	mpz_init(k->max_magnitude);
	mpz_init(k->allocated);
}

static void stake_clear(stake *k)
{
	mpz_clear(k->max_magnitude);
	mpz_clear(k->allocated);
}

static void allocation_init(allocation *a)
{
	a->stake = 0;
	a->avs = NULL;
	mpz_init(a->magnitude);
}

static void allocation_clear(allocation *a) { mpz_clear(a->magnitude); }

static void attestation_init(attestation *a)
{
	a->id = NULL;
	a->location = NULL;
	a->asset = 0;
	mpz_init(a->observed);
}

static void attestation_clear(attestation *a) { mpz_clear(a->observed); }

static void request_init(request *r)
{
	memset(r, 0, sizeof(*r));
	mpz_init(r->shares);
	mpz_init(r->cap);
	mpz_init(r->payout);
}

static void request_clear(request *r)
{
	mpz_clear(r->shares);
	mpz_clear(r->cap);
	mpz_clear(r->payout);
}

static void flow_init(flow *f) { f->asset = 0; mpz_init(f->amount); }
static void flow_clear(flow *f) { mpz_clear(f->amount); }
static void rate_init(mpz_t *rate) { mpz_init(*rate); }
static void nothing_init(void *item) { (void)item; }

/* ---- creation ---------------------------------------------------------- */

static void asset_state_set_identity(asset_state *state)
{
	mpq_set_ui(state->price, 1, 1);
	mpz_set_ui(state->value_numerator, 1);
	mpz_set_ui(state->value_denominator, 1);
	state->value_is_identity = true;
	state->has_price = true;
}

static int book_init_assets(lrt_book *book)
{
	size_t i, count = book->product.asset_count;

	book->assets = calloc(count, sizeof(*book->assets));
	if (book->assets == NULL)
		return LRT_ENOMEM;
	for (i = 0; i < count; i++) {
		mpq_init(book->assets[i].price);
		mpz_init(book->assets[i].value_numerator);
		mpz_init(book->assets[i].value_denominator);
	}
	asset_state_set_identity(&book->assets[ASSET_UNDERLYING]);
	return 0;
}

int lrt_book_new(lrt_book **out, const lrt_product *product)
{
	lrt_book *book;
	int rc, i;

	*out = NULL;
	rc = lrt_product_validate(product);
	if (rc != 0)
		return rc;
	book = calloc(1, sizeof(*book));
	if (book == NULL)
		goto nomem;
	lrt_product_init(&book->product);
	mpz_init(book->virtual_shares);
	mpz_init(book->virtual_assets);
	mpz_init(book->share_unit);
	mpz_init(book->amount_max);
	mpz_init(book->wad);
	mpz_init(book->total_assets);
	mpz_init(book->total_shares);
	mpz_init(book->deferred);
	mpz_init(book->settled_assets);
	mpz_init(book->settled_shares);
	for (i = 0; i < 4; i++)
		mpz_init(book->scratch[i]);
	lrt_strmap_init(&book->holder_index);
	lrt_strmap_init(&book->request_index);
	lrt_strmap_init(&book->location_index);
	lrt_strmap_init(&book->program_index);
	lrt_strmap_init(&book->stake_index);
	lrt_strmap_init(&book->allocation_index);
	mpq_init(book->high_water_mark);
	lrt_arena_init(&book->arena);
	book->settled_epoch = -1;
	if (lrt_product_copy(&book->product, product) != 0)
		goto nomem;
	if (book_init_assets(book) != 0)
		goto nomem;
	if (book_programs_set(book, &product->policy) != 0)
		goto nomem;
	if (product->model == LRT_MODEL_ERC4626) {
		mpz_ui_pow_ui(book->virtual_shares, 10, product->offset);
		mpz_set_ui(book->virtual_assets, 1);
	}
	mpz_ui_pow_ui(book->share_unit, 10, lrt_product_share_decimals(product));
	lrt_amount_max(book->amount_max);
	mpz_ui_pow_ui(book->wad, 10, LRT_WAD_DIGITS);
	if (book_location(book, "buffer", true) != LOCATION_BUFFER
	    || book_location(book, "claimable", true) != LOCATION_CLAIMABLE)
		goto nomem;
	*out = book;
	return 0;
nomem:
	lrt_book_free(book);
	lrt_error_set("out of memory creating a book");
	return LRT_ENOMEM;
}

static void book_clear_epoch_lists(lrt_book *book)
{
	size_t i;

	for (i = 0; i < book->rejected.count; i++) {
		free(book->rejected.items[i].id);
		free(book->rejected.items[i].reason);
	}
	book->rejected.count = 0;
	book->rewards.count = 0;
	book->slashes.count = 0;
	book->accepted.count = 0;
	book->attestations.count = 0;
}

void lrt_book_free(lrt_book *book)
{
	size_t i;

	if (book == NULL)
		return;
	book_clear_epoch_lists(book);
	free(book->rejected.items);
	for (i = 0; i < book->rewards.capacity; i++)
		flow_clear(&book->rewards.items[i]);
	free(book->rewards.items);
	for (i = 0; i < book->slashes.capacity; i++)
		flow_clear(&book->slashes.items[i]);
	free(book->slashes.items);
	for (i = 0; i < book->accepted.capacity; i++)
		mpz_clear(book->accepted.items[i]);
	free(book->accepted.items);
	for (i = 0; i < book->attestations.capacity; i++)
		attestation_clear(&book->attestations.items[i]);
	free(book->attestations.items);
	for (i = 0; i < book->holders.capacity; i++)
		holder_clear(&book->holders.items[i]);
	free(book->holders.items);
	for (i = 0; i < book->programs.capacity; i++)
		program_clear(&book->programs.items[i]);
	free(book->programs.items);
	for (i = 0; i < book->stakes.capacity; i++)
		stake_clear(&book->stakes.items[i]);
	free(book->stakes.items);
	for (i = 0; i < book->allocations.capacity; i++)
		allocation_clear(&book->allocations.items[i]);
	free(book->allocations.items);
	lrt_strmap_clear(&book->program_index);
	lrt_strmap_clear(&book->stake_index);
	lrt_strmap_clear(&book->allocation_index);
	mpq_clear(book->high_water_mark);
	for (i = 0; i < book->requests.capacity; i++)
		request_clear(&book->requests.items[i]);
	free(book->requests.items);
	free(book->queue.items);
	free(book->changed_holders.items);
	free(book->changed_requests.items);
	free(book->locations.items);
	for (i = 0; i < book->position_capacity * book->product.asset_count; i++)
		mpz_clear(book->positions[i]);
	free(book->positions);
	if (book->assets != NULL) {
		for (i = 0; i < book->product.asset_count; i++) {
			mpq_clear(book->assets[i].price);
			mpz_clear(book->assets[i].value_numerator);
			mpz_clear(book->assets[i].value_denominator);
		}
		free(book->assets);
	}
	lrt_strmap_clear(&book->holder_index);
	lrt_strmap_clear(&book->request_index);
	lrt_strmap_clear(&book->location_index);
	lrt_arena_clear(&book->arena);
	for (i = 0; i < 4; i++)
		mpz_clear(book->scratch[i]);
	mpz_clear(book->virtual_shares);
	mpz_clear(book->virtual_assets);
	mpz_clear(book->share_unit);
	mpz_clear(book->amount_max);
	mpz_clear(book->wad);
	mpz_clear(book->total_assets);
	mpz_clear(book->total_shares);
	mpz_clear(book->deferred);
	mpz_clear(book->settled_assets);
	mpz_clear(book->settled_shares);
	lrt_product_clear(&book->product);
	free(book);
}

void lrt_book_set_journal(lrt_book *book, lrt_journal_fn sink, void *context)
{
	book->journal = sink;
	book->journal_context = context;
}

const lrt_product *lrt_book_product(const lrt_book *book)
{
	return &book->product;
}

int64_t lrt_book_settled_epoch(const lrt_book *book)
{
	return book->settled_epoch;
}

int lrt_book_begin_epoch(lrt_book *book, int64_t epoch)
{
	if (book->epoch_open || epoch != book->settled_epoch + 1) {
		lrt_error_set("epoch %lld cannot open: epoch %lld is %s",
			      (long long)epoch,
			      (long long)(book->epoch_open ? book->settled_epoch + 1
							   : book->settled_epoch),
			      book->epoch_open ? "open" : "the last settled");
		return LRT_ESTATE;
	}
	book_clear_epoch_lists(book);
	book->epoch_open = true;
	return 0;
}

/* ---- conversions (SPEC sections 1 and 2) -------------------------------- */

void book_value(mpz_t out, const lrt_book *book, int asset, const mpz_t quantity)
{
	const asset_state *state = &book->assets[asset];

	if (state->value_is_identity) {
		mpz_set(out, quantity);
	} else if (!state->has_price) {
		mpz_set_ui(out, 0);
	} else {
		mpz_mul(out, quantity, state->value_numerator);
		mpz_fdiv_q(out, out, state->value_denominator);
	}
}

bool book_to_shares(mpz_t out, const lrt_book *book, const mpz_t value)
{
	mpz_t denominator;

	if (book->product.model == LRT_MODEL_PLAIN) {
		if (mpz_sgn(book->total_shares) == 0) {
			mpz_set(out, value);
			return true;
		}
		if (mpz_sgn(book->total_assets) == 0)
			return false;
	}
	mpz_init(denominator);
	mpz_add(denominator, book->total_assets, book->virtual_assets);
	mpz_add(out, book->total_shares, book->virtual_shares);
	mpz_mul(out, out, value);
	mpz_fdiv_q(out, out, denominator);
	mpz_clear(denominator);
	return true;
}

void book_to_assets(mpz_t out, const lrt_book *book, const mpz_t shares_in,
		    const mpz_t assets, const mpz_t shares)
{
	mpz_t denominator;

	mpz_init(denominator);
	mpz_add(denominator, shares, book->virtual_shares);
	if (mpz_sgn(denominator) == 0) {
		mpz_set_ui(out, 0);
	} else {
		mpz_add(out, assets, book->virtual_assets);
		mpz_mul(out, out, shares_in);
		mpz_fdiv_q(out, out, denominator);
	}
	mpz_clear(denominator);
}

void book_rate(mpz_t out, const lrt_book *book, const mpz_t assets,
	       const mpz_t shares)
{
	book_to_assets(out, book, book->share_unit, assets, shares);
}

/* ---- names ------------------------------------------------------------- */

int64_t book_holder(lrt_book *book, const char *name, bool create)
{
	int64_t found = lrt_strmap_find(&book->holder_index, name);
	holder *h;

	if (found >= 0 || !create)
		return found;
	if (book->holders.count >= UINT32_MAX)
		goto nomem;
	VECTOR_RESERVE(book->holders, holder_init, goto nomem);
	h = &book->holders.items[book->holders.count];
	h->name = lrt_arena_strndup(&book->arena, name, strlen(name));
	if (h->name == NULL)
		goto nomem;
	if (lrt_strmap_insert(&book->holder_index, h->name,
			      (uint32_t)book->holders.count) != 0)
		goto nomem;
	mpz_set_ui(h->shares, 0);
	h->changed = false;
	return (int64_t)book->holders.count++;
nomem:
	lrt_error_set("out of memory adding holder %s", name);
	return LRT_ENOMEM - 1;
}

static int book_grow_positions(lrt_book *book, size_t locations)
{
	size_t assets = book->product.asset_count;
	size_t capacity = book->position_capacity ? book->position_capacity : 4;
	mpz_t *positions;
	size_t i;

	while (capacity < locations)
		capacity *= 2;
	if (capacity == book->position_capacity)
		return 0;
	positions = realloc(book->positions, capacity * assets * sizeof(*positions));
	if (positions == NULL)
		return LRT_ENOMEM;
	for (i = book->position_capacity * assets; i < capacity * assets; i++)
		mpz_init(positions[i]);
	book->positions = positions;
	book->position_capacity = capacity;
	return 0;
}

int64_t book_location(lrt_book *book, const char *name, bool create)
{
	int64_t found = lrt_strmap_find(&book->location_index, name);
	char *copy;

	if (found >= 0 || !create)
		return found;
	VECTOR_RESERVE(book->locations, nothing_init, goto nomem);
	if (book_grow_positions(book, book->locations.count + 1) != 0)
		goto nomem;
	copy = lrt_arena_strndup(&book->arena, name, strlen(name));
	if (copy == NULL || lrt_strmap_insert(&book->location_index, copy,
					      (uint32_t)book->locations.count) != 0)
		goto nomem;
	book->locations.items[book->locations.count] = copy;
	return (int64_t)book->locations.count++;
nomem:
	lrt_error_set("out of memory adding location %s", name);
	return LRT_ENOMEM - 1;
}

/* ---- journal and rejections ---------------------------------------------- */

uint64_t book_journal_entry(lrt_book *book)
{
	return ++book->next_entry;
}

void book_transfer(lrt_book *book, uint64_t entry, const char *event_id,
		   const char *step, int ledger,
		   lrt_account_kind debit_kind, const char *debit_name,
		   lrt_account_kind credit_kind, const char *credit_name,
		   const mpz_t amount)
{
	lrt_journal_transfer transfer;
	bool reversed = mpz_sgn(amount) < 0;
	mpz_t magnitude;

	if (book->journal == NULL || mpz_sgn(amount) == 0)
		return;
	mpz_init(magnitude);
	mpz_abs(magnitude, amount);
	transfer.entry = entry;
	transfer.epoch = book->settled_epoch + 1;
	transfer.event_id = event_id;
	transfer.step = step;
	transfer.ledger = ledger;
	transfer.debit_kind = reversed ? credit_kind : debit_kind;
	transfer.debit_name = reversed ? credit_name : debit_name;
	transfer.credit_kind = reversed ? debit_kind : credit_kind;
	transfer.credit_name = reversed ? debit_name : credit_name;
	transfer.amount = (const mpz_t *)&magnitude;
	book->journal(book->journal_context, &transfer);
	mpz_clear(magnitude);
}

int book_reject(lrt_book *book, const char *event_id)
{
	lrt_rejection *r;

	VECTOR_RESERVE(book->rejected, nothing_init, goto nomem);
	r = &book->rejected.items[book->rejected.count];
	r->id = strdup(event_id);
	r->reason = strdup(lrt_error_last());
	if (r->id == NULL || r->reason == NULL) {
		free(r->id);
		free(r->reason);
		goto nomem;
	}
	book->rejected.count++;
	return LRT_EREJECT;
nomem:
	lrt_error_set("out of memory recording the rejection of %s", event_id);
	return LRT_ENOMEM;
}

/* Used by apply.c and settle.c through these wrappers, so that the vector
 * macros stay in this file. */
int book_push_flow(lrt_book *book, bool reward, int asset, const mpz_t amount)
{
	flow *f;

	if (reward) {
		VECTOR_RESERVE(book->rewards, flow_init, goto nomem);
		f = &book->rewards.items[book->rewards.count++];
	} else {
		VECTOR_RESERVE(book->slashes, flow_init, goto nomem);
		f = &book->slashes.items[book->slashes.count++];
	}
	f->asset = asset;
	mpz_set(f->amount, amount);
	return 0;
nomem:
	lrt_error_set("out of memory");
	return LRT_ENOMEM;
}

int64_t book_push_program(lrt_book *book, const char *name)
{
	points_program *p;

	if (book->programs.count >= UINT32_MAX)
		goto nomem;
	VECTOR_RESERVE(book->programs, program_init, goto nomem);
	p = &book->programs.items[book->programs.count];
	p->name = lrt_arena_strndup(&book->arena, name, strlen(name));
	if (p->name == NULL || lrt_strmap_insert(&book->program_index, p->name,
						 (uint32_t)book->programs.count) != 0)
		goto nomem;
	mpz_set_ui(p->rate, 0);
	mpz_set_ui(p->index, 0);
	p->in_force = false;
	return (int64_t)book->programs.count++;
nomem:
	lrt_error_set("out of memory adding points program %s", name);
	return LRT_ENOMEM - 1;
}

int64_t book_push_stake(lrt_book *book, const char *key, const char *operator_name,
			int asset)
{
	stake *k;

	if (book->stakes.count >= UINT32_MAX)
		goto nomem;
	VECTOR_RESERVE(book->stakes, stake_init, goto nomem);
	k = &book->stakes.items[book->stakes.count];
	k->operator_name = lrt_arena_strndup(&book->arena, operator_name,
					     strlen(operator_name));
	if (k->operator_name == NULL
	    || lrt_strmap_insert(&book->stake_index, key, (uint32_t)book->stakes.count) != 0)
		goto nomem;
	k->asset = asset;
	mpz_ui_pow_ui(k->max_magnitude, 10, LRT_WAD_DIGITS);
	mpz_set_ui(k->allocated, 0);
	return (int64_t)book->stakes.count++;
nomem:
	lrt_error_set("out of memory adding the stake of %s", operator_name);
	return LRT_ENOMEM - 1;
}

int64_t book_push_allocation(lrt_book *book, const char *key, uint32_t stake_index,
			     const char *avs)
{
	allocation *a;

	if (book->allocations.count >= UINT32_MAX)
		goto nomem;
	VECTOR_RESERVE(book->allocations, allocation_init, goto nomem);
	a = &book->allocations.items[book->allocations.count];
	a->avs = lrt_arena_strndup(&book->arena, avs, strlen(avs));
	if (a->avs == NULL || lrt_strmap_insert(&book->allocation_index, key,
						(uint32_t)book->allocations.count) != 0)
		goto nomem;
	a->stake = stake_index;
	mpz_set_ui(a->magnitude, 0);
	return (int64_t)book->allocations.count++;
nomem:
	lrt_error_set("out of memory adding the allocation of %s", avs);
	return LRT_ENOMEM - 1;
}

int book_push_attestation(lrt_book *book, const char *id, int asset,
			  const char *location, const mpz_t observed)
{
	attestation *a;

	VECTOR_RESERVE(book->attestations, attestation_init, goto nomem);
	a = &book->attestations.items[book->attestations.count];
	a->id = lrt_arena_strndup(&book->arena, id, strlen(id));
	a->location = lrt_arena_strndup(&book->arena, location, strlen(location));
	if (a->id == NULL || a->location == NULL)
		goto nomem;
	a->asset = asset;
	mpz_set(a->observed, observed);
	book->attestations.count++;
	return 0;
nomem:
	lrt_error_set("out of memory keeping attest %s", id);
	return LRT_ENOMEM;
}

int book_push_accepted(lrt_book *book, const mpz_t rate)
{
	VECTOR_RESERVE(book->accepted, rate_init, goto nomem);
	mpz_set(book->accepted.items[book->accepted.count++], rate);
	return 0;
nomem:
	lrt_error_set("out of memory");
	return LRT_ENOMEM;
}

int64_t book_push_request(lrt_book *book, const char *id, const char *holder_name)
{
	request *r;
	uint32_t index;

	if (book->requests.count >= UINT32_MAX)
		goto nomem;
	VECTOR_RESERVE(book->requests, request_init, goto nomem);
	VECTOR_RESERVE(book->queue, nothing_init, goto nomem);
	index = (uint32_t)book->requests.count;
	r = &book->requests.items[index];
	r->id = lrt_arena_strndup(&book->arena, id, strlen(id));
	r->holder = lrt_arena_strndup(&book->arena, holder_name, strlen(holder_name));
	if (r->id == NULL || r->holder == NULL
	    || lrt_strmap_insert(&book->request_index, r->id, index) != 0)
		goto nomem;
	r->state = LRT_REQUEST_QUEUED;
	r->changed = false;
	r->finalized_epoch = -1;
	book->requests.count++;
	book->queue.items[book->queue.count++] = index;
	return index;
nomem:
	lrt_error_set("out of memory queueing request %s", id);
	return LRT_ENOMEM - 1;
}

/* ---- readers ------------------------------------------------------------ */

void lrt_book_total_assets(mpz_t out, const lrt_book *book)
{
	mpz_set(out, book->total_assets);
}

void lrt_book_total_shares(mpz_t out, const lrt_book *book)
{
	mpz_set(out, book->total_shares);
}

void lrt_book_deferred(mpz_t out, const lrt_book *book)
{
	mpz_set(out, book->deferred);
}

void lrt_book_rate(mpz_t out, const lrt_book *book)
{
	book_rate(out, book, book->total_assets, book->total_shares);
}

void lrt_book_holder_shares(mpz_t out, const lrt_book *book, const char *name)
{
	int64_t index = lrt_strmap_find(&book->holder_index, name);

	if (index < 0)
		mpz_set_ui(out, 0);
	else
		mpz_set(out, book->holders.items[index].shares);
}

void lrt_book_position(mpz_t out, const lrt_book *book, const char *asset,
		       const char *location)
{
	int a = lrt_product_asset_index(&book->product, asset);
	int64_t l = lrt_strmap_find(&book->location_index, location);

	if (a < 0 || l < 0)
		mpz_set_ui(out, 0);
	else
		mpz_set(out, *book_position(book, a, (size_t)l));
}

static int compare_holder_names(const void *left, const void *right)
{
	const holder *const *a = left;
	const holder *const *b = right;

	return strcmp((*a)->name, (*b)->name);
}

int lrt_book_each_holder(const lrt_book *book, bool sorted, lrt_holder_fn fn,
			 void *context)
{
	const holder **order;
	size_t i, count = 0;
	int rc = 0;

	order = malloc((book->holders.count + 1) * sizeof(*order));
	if (order == NULL) {
		lrt_error_set("out of memory listing holders");
		return LRT_ENOMEM;
	}
	for (i = 0; i < book->holders.count; i++)
		if (mpz_sgn(book->holders.items[i].shares) != 0)
			order[count++] = &book->holders.items[i];
	if (sorted)
		qsort(order, count, sizeof(*order), compare_holder_names);
	for (i = 0; i < count && rc == 0; i++)
		rc = fn(context, order[i]->name, order[i]->shares);
	free(order);
	return rc;
}

int lrt_book_each_position(const lrt_book *book, lrt_position_fn fn,
			   void *context)
{
	size_t l, a;
	int rc;

	for (l = 0; l < book->locations.count; l++)
		for (a = 0; a < book->product.asset_count; a++) {
			const mpz_t *amount = book_position(book, (int)a, l);

			if (mpz_sgn(*amount) == 0)
				continue;
			rc = fn(context, book->product.assets[a].symbol,
				book->locations.items[l], *amount);
			if (rc != 0)
				return rc;
		}
	return 0;
}

static void request_view(lrt_request_view *view, const request *r)
{
	view->request = r->id;
	view->holder = r->holder;
	view->shares = (const mpz_t *)&r->shares;
	view->cap = (const mpz_t *)&r->cap;
	view->epoch = r->epoch;
	view->state = r->state;
	view->payout = (const mpz_t *)&r->payout;
	view->finalized_epoch = r->finalized_epoch;
}

int lrt_book_each_queued(const lrt_book *book, lrt_request_fn fn, void *context)
{
	lrt_request_view view;
	size_t i;
	int rc;

	for (i = book->queue_head; i < book->queue.count; i++) {
		const request *r = &book->requests.items[book->queue.items[i]];

		if (r->state == LRT_REQUEST_CANCELLED)
			continue;
		LRT_ASSERT(r->state == LRT_REQUEST_QUEUED);
		request_view(&view, r);
		rc = fn(context, &view);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- changes ------------------------------------------------------------------ */

int book_holder_changed(lrt_book *book, int64_t holder_index)
{
	holder *h = &book->holders.items[holder_index];

	if (h->changed)
		return 0;
	VECTOR_RESERVE(book->changed_holders, nothing_init, goto nomem);
	book->changed_holders.items[book->changed_holders.count++] = (uint32_t)holder_index;
	h->changed = true;
	return 0;
nomem:
	lrt_error_set("out of memory");
	return LRT_ENOMEM;
}

int book_request_changed(lrt_book *book, int64_t request_index)
{
	request *r = &book->requests.items[request_index];

	if (r->changed)
		return 0;
	VECTOR_RESERVE(book->changed_requests, nothing_init, goto nomem);
	book->changed_requests.items[book->changed_requests.count++] = (uint32_t)request_index;
	r->changed = true;
	return 0;
nomem:
	lrt_error_set("out of memory");
	return LRT_ENOMEM;
}

int lrt_book_each_changed_holder(const lrt_book *book, lrt_holder_fn fn,
				 void *context)
{
	size_t i;
	int rc;

	for (i = 0; i < book->changed_holders.count; i++) {
		const holder *h = &book->holders.items[book->changed_holders.items[i]];

		rc = fn(context, h->name, h->shares);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int lrt_book_each_changed_request(const lrt_book *book, lrt_request_fn fn,
				  void *context)
{
	lrt_request_view view;
	size_t i;
	int rc;

	for (i = 0; i < book->changed_requests.count; i++) {
		request_view(&view, &book->requests.items[book->changed_requests.items[i]]);
		rc = fn(context, &view);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void lrt_book_clear_changes(lrt_book *book)
{
	size_t i;

	for (i = 0; i < book->changed_holders.count; i++)
		book->holders.items[book->changed_holders.items[i]].changed = false;
	for (i = 0; i < book->changed_requests.count; i++)
		book->requests.items[book->changed_requests.items[i]].changed = false;
	book->changed_holders.count = 0;
	book->changed_requests.count = 0;
}

int lrt_book_each_location(const lrt_book *book, lrt_location_fn fn, void *context)
{
	size_t l;
	int rc;

	for (l = 0; l < book->locations.count; l++) {
		rc = fn(context, book->locations.items[l], l);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int lrt_book_each_price(const lrt_book *book, lrt_price_fn fn, void *context)
{
	size_t a;
	int rc;

	for (a = ASSET_UNDERLYING + 1; a < book->product.asset_count; a++) {
		if (!book->assets[a].has_price)
			continue;
		rc = fn(context, book->product.assets[a].symbol, book->assets[a].price);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const char *lrt_account_kind_name(lrt_account_kind kind)
{
	static const char *const names[LRT_ACCOUNT_KIND_COUNT] = {
		[LRT_ACCOUNT_HOLDER] = "holder",
		[LRT_ACCOUNT_QUEUE] = "queue",
		[LRT_ACCOUNT_ISSUED] = "issued",
		[LRT_ACCOUNT_POSITION] = "position",
		[LRT_ACCOUNT_DEPOSITS] = "deposits",
		[LRT_ACCOUNT_REWARDS] = "rewards",
		[LRT_ACCOUNT_SLASHES] = "slashes",
		[LRT_ACCOUNT_SWAPS] = "swaps",
		[LRT_ACCOUNT_CLAIMS] = "claims",
		[LRT_ACCOUNT_TOTAL_ASSETS] = "total_assets",
		[LRT_ACCOUNT_DEFERRED] = "deferred",
		[LRT_ACCOUNT_CONTRIBUTED] = "contributed",
		[LRT_ACCOUNT_GAINS] = "gains",
		[LRT_ACCOUNT_REDEEMED] = "redeemed",
	};

	if ((int)kind < 0 || kind >= LRT_ACCOUNT_KIND_COUNT)
		return NULL;
	return names[kind];
}
