/*
 * book_internal.h - the inside of an lrt_book, shared by book.c (state and
 * readers), apply.c (events) and settle.c (settlement).  Not installed.
 */
#ifndef LRT_CORE_BOOK_INTERNAL_H
#define LRT_CORE_BOOK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "core/arena.h"
#include "core/strmap.h"
#include "lrt/book.h"

/* Locations 0 and 1 always exist. */
enum { LOCATION_BUFFER = 0, LOCATION_CLAIMABLE = 1 };

/* The underlying is asset 0 (SPEC section 2: the underlying first). */
enum { ASSET_UNDERLYING = 0 };

typedef struct {
	bool has_price;
	mpq_t price;            /* as set; the underlying's is 1 */
	mpz_t value_numerator;  /* value(q) = floor(q * numerator / denominator): */
	mpz_t value_denominator;/* price * 10^dec_u / 10^dec_a in lowest terms */
	bool value_is_identity; /* numerator == denominator == 1 */
} asset_state;

typedef struct {
	char *name;             /* in the book's arena */
	mpz_t shares;
	bool changed;           /* listed in changed_holders */
} holder;


typedef struct {
	char *id;               /* the withdraw event's id, in the arena */
	char *holder;           /* in the arena */
	mpz_t shares;
	mpz_t cap;
	mpz_t payout;           /* set at finalization */
	int64_t epoch;          /* the request's epoch */
	int64_t finalized_epoch;
	lrt_request_state state;
	bool changed;           /* listed in changed_requests */
} request;

/* A reward or slash applied in the open epoch, valued at settlement. */
typedef struct {
	int asset;
	mpz_t amount;
} flow;

/* A growable array of elements whose GMP members are initialized once and
 * reused: `count` are in use, `capacity` are initialized. */
#define LRT_VECTOR(type) struct { type *items; size_t count, capacity; }

struct lrt_book {
	lrt_product product;    /* policy as changed by config events */
	mpz_t virtual_shares;   /* VS */
	mpz_t virtual_assets;   /* VA */
	mpz_t share_unit;       /* 10^share_decimals */
	mpz_t amount_max;       /* 2^256 - 1 */

	asset_state *assets;    /* product.asset_count of them */

	mpz_t total_assets;     /* A */
	mpz_t total_shares;     /* S */
	mpz_t deferred;         /* D */
	mpz_t settled_assets;   /* A0: A after the last settled epoch */
	mpz_t settled_shares;   /* S0 */

	LRT_VECTOR(holder) holders;
	lrt_strmap holder_index;

	LRT_VECTOR(request) requests;
	lrt_strmap request_index;
	LRT_VECTOR(uint32_t) queue;     /* request indexes; queue_head.. queued */
	size_t queue_head;

	LRT_VECTOR(uint32_t) changed_holders;   /* since lrt_book_clear_changes */
	LRT_VECTOR(uint32_t) changed_requests;

	LRT_VECTOR(char *) locations;   /* names in the arena */
	lrt_strmap location_index;
	mpz_t *positions;               /* [location * asset_count + asset] */
	size_t position_capacity;       /* locations with initialized slots */

	int64_t settled_epoch;          /* -1 before the first */
	bool epoch_open;

	LRT_VECTOR(flow) rewards;       /* the open epoch's applied rewards */
	LRT_VECTOR(flow) slashes;       /* and slashes */
	LRT_VECTOR(mpz_t) accepted;     /* rates of its accept events */
	LRT_VECTOR(lrt_rejection) rejected;

	lrt_journal_fn journal;
	void *journal_context;
	uint64_t next_entry;

	mpz_t scratch[4];               /* temporaries of apply and settle */
	lrt_arena arena;
};

/* ---- book.c ------------------------------------------------------------ */

/* value(asset, q) into out (SPEC section 1); 0 for an asset with no price. */
void book_value(mpz_t out, const lrt_book *book, int asset, const mpz_t quantity);

/* to_shares(v); false when undefined (plain, S > 0, A = 0). */
bool book_to_shares(mpz_t out, const lrt_book *book, const mpz_t value);

/* to_assets(s) at (A, S) = (assets, shares). */
void book_to_assets(mpz_t out, const lrt_book *book, const mpz_t shares_in,
		    const mpz_t assets, const mpz_t shares);

/* The rate at (assets, shares). */
void book_rate(mpz_t out, const lrt_book *book, const mpz_t assets,
	       const mpz_t shares);

/* A holder's index, adding it with 0 shares when `create`; -1 when absent
 * (or LRT_ENOMEM as a negative int64 below -1). */
int64_t book_holder(lrt_book *book, const char *name, bool create);

/* A location's index, adding it when `create`; -1 when absent. */
int64_t book_location(lrt_book *book, const char *name, bool create);

/* The position slot of (asset, location). */
static inline mpz_t *book_position(const lrt_book *book, int asset,
				   size_t location)
{
	return &book->positions[location * book->product.asset_count + (size_t)asset];
}

/* Journal: starts an entry (returns its number) and writes one transfer of
 * it, from the credited account to the debited one.  A negative amount runs
 * the other way; zero is skipped.  No-ops without a sink. */
uint64_t book_journal_entry(lrt_book *book);
void book_transfer(lrt_book *book, uint64_t entry, const char *event_id,
		   const char *step, int ledger,
		   lrt_account_kind debit_kind, const char *debit_name,
		   lrt_account_kind credit_kind, const char *credit_name,
		   const mpz_t amount);

/* Appends to the open epoch's lists; LRT_ENOMEM on failure. */
int book_push_flow(lrt_book *book, bool reward, int asset, const mpz_t amount);
int book_push_accepted(lrt_book *book, const mpz_t rate);

/* Adds a queued request at the end of the queue; its index, or below -1. */
int64_t book_push_request(lrt_book *book, const char *id, const char *holder_name);

/* Marks a holder or request as changed (for writing back); LRT_ENOMEM. */
int book_holder_changed(lrt_book *book, int64_t holder_index);
int book_request_changed(lrt_book *book, int64_t request_index);

/* Sets an asset's price and its valuation factor (apply.c). */
void book_set_price(lrt_book *book, int asset, const mpq_t price);

/* Records the rejection of `event_id` with the current error message. */
int book_reject(lrt_book *book, const char *event_id);

#endif
