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

/* A holder's standing in one points program (SPEC section 5 step 7):
 * `accrued` is the exact sum of shares * rate over the epochs credited so
 * far (units of 10^-18 point per 10^share_decimals shares), `checkpoint` the
 * program's index when it was last credited. */
typedef struct {
	mpz_t accrued;
	mpz_t checkpoint;
} points_account;

typedef struct {
	char *name;             /* in the book's arena */
	mpz_t shares;
	bool changed;           /* listed in changed_holders */
	uint32_t points_count;  /* accounts allocated; a missing one is (0, 0) */
	points_account *points; /* one per program, by program index */
} holder;

/* A points program ever named.  Its index grows by `rate` at every
 * settlement while the program is in force, so a holder's points are
 * accrued + shares * (index - checkpoint), whatever the number of holders. */
typedef struct {
	char *name;             /* in the arena */
	mpz_t rate;             /* per_share_epoch * 10^18 */
	mpz_t index;            /* sum of rate over the epochs in force */
	bool in_force;
} points_program;

/* EigenLayer's magnitudes of one (operator, asset): the max magnitude M
 * (WAD until a slash by wad lowers it) and the sum of the AVSs' allocated
 * magnitudes, which never exceeds M. */
typedef struct {
	char *operator_name;    /* in the arena */
	int asset;
	mpz_t max_magnitude;
	mpz_t allocated;
} stake;

/* An AVS's allocated magnitude a(operator, asset, avs). */
typedef struct {
	uint32_t stake;         /* index into stakes */
	char *avs;              /* in the arena */
	mpz_t magnitude;
} allocation;

/* An applied attest, reconciled at settlement (SPEC section 5 step 8). */
typedef struct {
	char *id;               /* in the arena */
	int asset;
	char *location;         /* in the arena */
	mpz_t observed;
} attestation;


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
	mpz_t wad;              /* 10^18, EigenLayer's whole magnitude */

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

	LRT_VECTOR(points_program) programs;    /* every program ever named */
	lrt_strmap program_index;

	LRT_VECTOR(stake) stakes;               /* by (operator, asset) */
	lrt_strmap stake_index;                 /* key: stake_key() */
	LRT_VECTOR(allocation) allocations;
	lrt_strmap allocation_index;            /* key: allocation_key() */

	bool has_high_water_mark;               /* H exists (step 6) */
	mpq_t high_water_mark;                  /* H = max (A2 + VA) / (S2 + VS) */

	LRT_VECTOR(char *) locations;   /* names in the arena */
	lrt_strmap location_index;
	mpz_t *positions;               /* [location * asset_count + asset] */
	size_t position_capacity;       /* locations with initialized slots */

	int64_t settled_epoch;          /* -1 before the first */
	bool epoch_open;

	LRT_VECTOR(flow) rewards;       /* the open epoch's applied rewards */
	LRT_VECTOR(flow) slashes;       /* and slashes */
	LRT_VECTOR(mpz_t) accepted;     /* rates of its accept events */
	LRT_VECTOR(attestation) attestations;   /* and its attests */
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

/* Adds (sign > 0) or takes (sign < 0) shares of a holder: credits its points
 * for the epochs it held what it had, then changes the shares and marks the
 * holder changed.  Taking never goes below 0 (the caller checked);
 * LRT_ENOMEM leaves the shares unchanged. */
int book_holder_shares_change(lrt_book *book, int64_t holder_index,
			      const mpz_t shares, int sign);

/* Sets a holder's account in a program (points.c); LRT_ENOMEM. */
int book_holder_restore_points(lrt_book *book, int64_t holder_index, size_t program,
			       const mpz_t accrued, const mpz_t checkpoint);

/* A holder's points in program `program` as the exact accrued sum (before
 * the final division by 10^share_decimals). */
void book_holder_points(mpz_t out, const lrt_book *book, const holder *h,
			size_t program);

/* Makes the programs of `policy` the ones in force, adding new names
 * (points.c); LRT_ENOMEM. */
int book_programs_set(lrt_book *book, const lrt_policy *policy);

/* Step 7: every program in force earns one epoch. */
void book_programs_settle(lrt_book *book);

/* The stake of (operator, asset), added with M = WAD when `create`; NULL
 * when absent (or out of memory with create, with the message set). */
stake *book_stake(lrt_book *book, const char *operator_name, int asset, bool create);

/* The allocation of an AVS in a stake, added with 0 when `create`. */
allocation *book_allocation(lrt_book *book, uint32_t stake_index,
			    const char *avs, bool create);

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
int book_push_attestation(lrt_book *book, const char *id, int asset,
			  const char *location, const mpz_t observed);

/* Add a program, a stake (under `key`) or an allocation (under `key`) with
 * their initial values; the index, or below -1 (out of memory, message set). */
int64_t book_push_program(lrt_book *book, const char *name);
int64_t book_push_stake(lrt_book *book, const char *key, const char *operator_name,
			int asset);
int64_t book_push_allocation(lrt_book *book, const char *key, uint32_t stake_index,
			     const char *avs);

/* Adds a queued request at the end of the queue; its index, or below -1. */
int64_t book_push_request(lrt_book *book, const char *id, const char *holder_name);

/* Marks a holder or request as changed (for writing back); LRT_ENOMEM. */
int book_holder_changed(lrt_book *book, int64_t holder_index);
int book_request_changed(lrt_book *book, int64_t request_index);

/* Sets an asset's price and its valuation factor (apply.c). */
void book_set_price(lrt_book *book, int asset, const mpq_t price);

/* Steps 1-4 of settling the open epoch (settle.c): the report's figures
 * and A1, S1 and D after step 2, changing nothing.  LRT_EGUARD when the
 * guard stops the epoch (the message names both rates; an accept counts
 * only when `accepts_count`), LRT_ELIMIT when A1 or S1 would not be
 * storable. */
int book_settle_compute(lrt_book *book, lrt_epoch_report *report,
			mpz_t assets_after, mpz_t shares_after,
			mpz_t deferred_after, bool accepts_count);

/* Records the rejection of `event_id` with the current error message. */
int book_reject(lrt_book *book, const char *event_id);

#endif
