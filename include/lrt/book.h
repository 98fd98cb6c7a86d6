/*
 * book.h - the books of one product: totals, holders, positions, prices, the
 * withdrawal queue and the deferred reserve, and the rules that change them
 * (SPEC sections 2-5).  Pure arithmetic on GMP: no I/O, no global state.
 *
 * Life of an epoch:
 *
 *     lrt_book_begin_epoch(book, E);        E = the last settled epoch + 1
 *     lrt_book_apply(book, &event) ...;     each event, in apply order
 *     lrt_book_settle(book, &report);       steps 1-6 of SPEC section 5
 *
 * Holders and requests are found by hash; an epoch costs time in proportion
 * to its events and the positions, never to the number of holders.
 *
 * Every movement is also written to an optional double-entry journal sink
 * (lrt_book_set_journal) as transfers between two accounts of one ledger: a
 * shares ledger, one value ledger per asset (base units of that asset) and a
 * book ledger (underlying base units) whose accounts hold A and D.
 */
#ifndef LRT_BOOK_H
#define LRT_BOOK_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "lrt/event.h"
#include "lrt/product.h"

typedef struct lrt_book lrt_book;

/* ---- journal ---------------------------------------------------------- */

enum {
	LRT_LEDGER_SHARES = -1,  /* shares of the token */
	LRT_LEDGER_BOOK = -2     /* underlying base units: A and D */
	/* >= 0: the value ledger of that asset index, in its base units */
};

typedef enum {
	LRT_ACCOUNT_HOLDER,      /* shares: a holder's balance */
	LRT_ACCOUNT_QUEUE,       /* shares: locked by a request (name = request) */
	LRT_ACCOUNT_ISSUED,      /* shares: the contra of every share, balance -S */
	LRT_ACCOUNT_POSITION,    /* value: a location (name = buffer, operator, claimable) */
	LRT_ACCOUNT_DEPOSITS,    /* value: assets paid in by depositors */
	LRT_ACCOUNT_REWARDS,     /* value: rewards (name = source) */
	LRT_ACCOUNT_SLASHES,     /* value: slashes (name = AVS) */
	LRT_ACCOUNT_SWAPS,       /* value: what swaps gave and took (name = location) */
	LRT_ACCOUNT_CLAIMS,      /* value: finalized payouts claimed and paid */
	LRT_ACCOUNT_TOTAL_ASSETS,/* book: balance A */
	LRT_ACCOUNT_DEFERRED,    /* book: balance D */
	LRT_ACCOUNT_CONTRIBUTED, /* book: value deposited */
	LRT_ACCOUNT_GAINS,       /* book: G, the epoch's change in value */
	LRT_ACCOUNT_REDEEMED,    /* book: value paid to finalized requests */
	LRT_ACCOUNT_KIND_COUNT
} lrt_account_kind;

/*
 * One transfer of the journal: `amount` moves from the credited account to
 * the debited one, in one ledger.  An account's balance is what was debited
 * to it minus what was credited from it: a holder's shares, a position, A,
 * D; the contra accounts (issued, deposits, rewards, ...) run negative.  A
 * transfer balances by construction, so every entry does.
 */
typedef struct {
	uint64_t entry;          /* the transfers of one entry share this number */
	int64_t epoch;
	const char *event_id;    /* NULL for settlement entries */
	const char *step;        /* "deposit", ..., "recognize", "fee", "finalize" */
	int ledger;              /* LRT_LEDGER_* or an asset index */
	lrt_account_kind debit_kind;
	const char *debit_name;  /* holder, request, location, source; or NULL */
	lrt_account_kind credit_kind;
	const char *credit_name;
	const mpz_t *amount;     /* > 0 */
} lrt_journal_transfer;

typedef void (*lrt_journal_fn)(void *context, const lrt_journal_transfer *transfer);

/* "holder", "queue", "issued", "position", ...: a kind's stored name. */
LRT_API const char *lrt_account_kind_name(lrt_account_kind kind);

/* ---- the report of a settled epoch ------------------------------------ */

typedef struct {
	char *request;
	mpz_t shares;
	mpz_t payout;
} lrt_finalized;

typedef struct {
	char *id;
	char *reason;
} lrt_rejection;

/* One applied attest of the epoch, reconciled (SPEC section 5 step 8):
 * difference = observed - book, signed. */
typedef struct {
	char *id;
	char *asset;
	char *location;
	mpz_t book;
	mpz_t observed;
	mpz_t difference;
} lrt_reconciliation;

typedef struct {
	int64_t epoch;
	mpz_t total_assets, total_shares, rate, deferred;
	mpz_t rewards, slashed, revaluation;
	mpz_t recognized, fee_value, fee_shares;
	mpz_t buffer, claimable;
	mpz_t rate_before;       /* r0 of the guard */
	mpz_t rate_after;        /* r1 of the guard */
	lrt_finalized *finalized;
	size_t finalized_count;
	lrt_rejection *rejected;
	size_t rejected_count;
	lrt_reconciliation *reconciliation;  /* in apply order */
	size_t reconciliation_count;
} lrt_epoch_report;

LRT_API void lrt_epoch_report_init(lrt_epoch_report *report);
LRT_API void lrt_epoch_report_clear(lrt_epoch_report *report);

/* ---- the book ---------------------------------------------------------- */

/* A new, empty book for a valid product (copied). */
LRT_API int lrt_book_new(lrt_book **out, const lrt_product *product);
LRT_API void lrt_book_free(lrt_book *book);

LRT_API void lrt_book_set_journal(lrt_book *book, lrt_journal_fn sink, void *context);

/* The product as configured now (policy after the last applied `config`). */
LRT_API const lrt_product *lrt_book_product(const lrt_book *book);

/* The last settled epoch, -1 before the first. */
LRT_API int64_t lrt_book_settled_epoch(const lrt_book *book);

/* Opens epoch `epoch`, which must be the last settled + 1 (LRT_ESTATE). */
LRT_API int lrt_book_begin_epoch(lrt_book *book, int64_t epoch);

/*
 * Applies one event of the open epoch.  Returns 0 when it applied,
 * LRT_EREJECT when it was rejected whole (nothing of it applied; its id and
 * reason are kept for the epoch's report and the reason is the last error),
 * LRT_ESTATE when no epoch is open or the event is of another epoch, and
 * LRT_ENOMEM.
 */
LRT_API int lrt_book_apply(lrt_book *book, const lrt_event *event);

/*
 * Settles the open epoch into `report` (initialized by the caller).  On
 * LRT_EGUARD the message names both rates, the report holds r0 and r1, and
 * the book is left with the epoch's events applied but not settled: it must
 * be discarded.
 */
LRT_API int lrt_book_settle(lrt_book *book, lrt_epoch_report *report);

/* ---- reading the state -------------------------------------------------- */

LRT_API void lrt_book_total_assets(mpz_t out, const lrt_book *book);
LRT_API void lrt_book_total_shares(mpz_t out, const lrt_book *book);
LRT_API void lrt_book_deferred(mpz_t out, const lrt_book *book);
LRT_API void lrt_book_rate(mpz_t out, const lrt_book *book);

/* A holder's shares (0 for an unknown holder). */
LRT_API void lrt_book_holder_shares(mpz_t out, const lrt_book *book, const char *holder);

/* The position of an asset at a location (0 when there is none). */
LRT_API void lrt_book_position(mpz_t out, const lrt_book *book, const char *asset,
			       const char *location);

typedef int (*lrt_holder_fn)(void *context, const char *holder,
			     const mpz_t shares);
typedef int (*lrt_position_fn)(void *context, const char *asset,
			       const char *location, const mpz_t amount);

typedef enum {
	LRT_REQUEST_QUEUED,
	LRT_REQUEST_FINALIZED,   /* payout moved to claimable, not yet claimed */
	LRT_REQUEST_CLAIMED,
	LRT_REQUEST_CANCELLED    /* left the queue; its shares went back */
} lrt_request_state;

typedef struct {
	const char *request;     /* the withdraw event's id */
	const char *holder;
	const mpz_t *shares;
	const mpz_t *cap;
	int64_t epoch;           /* the epoch of the request */
	lrt_request_state state;
	const mpz_t *payout;     /* 0 until finalized */
	int64_t finalized_epoch; /* -1 until finalized */
} lrt_request_view;

/* The view and what it points to live only during the call. */
typedef int (*lrt_request_fn)(void *context, const lrt_request_view *request);

/*
 * Calls `fn` for every holder with non-zero shares in code-point order of
 * their names (sorted = true) or in table order (false); stops and returns
 * the first non-zero value `fn` returns.
 */
LRT_API int lrt_book_each_holder(const lrt_book *book, bool sorted, lrt_holder_fn fn,
				 void *context);

/* Every position, locations in order of first use, assets in product order. */
LRT_API int lrt_book_each_position(const lrt_book *book, lrt_position_fn fn,
				   void *context);

/* Every location, in order of first use (buffer 0, claimable 1, then the
 * operators): `fn` gets its name and index. */
typedef int (*lrt_location_fn)(void *context, const char *location, size_t index);
LRT_API int lrt_book_each_location(const lrt_book *book, lrt_location_fn fn, void *context);

/* Every asset that has a price, other than the underlying. */
typedef int (*lrt_price_fn)(void *context, const char *asset, const mpq_t price);
LRT_API int lrt_book_each_price(const lrt_book *book, lrt_price_fn fn, void *context);

/* Every request still queued, in queue order. */
LRT_API int lrt_book_each_queued(const lrt_book *book, lrt_request_fn fn, void *context);

/* ---- points, exposure and stress (SPEC sections 5 step 7, 6 and 7) ------- */

/* Every points program ever named, in code-point order of the names. */
typedef int (*lrt_program_fn)(void *context, const char *program);
LRT_API int lrt_book_each_program(const lrt_book *book, lrt_program_fn fn, void *context);

/* Every holder whose points in `program` are not 0 (whatever its shares),
 * in code-point order, with its points in units of 10^-18 point. */
typedef int (*lrt_points_fn)(void *context, const char *holder, const mpz_t points);
LRT_API int lrt_book_each_points(const lrt_book *book, const char *program,
				 lrt_points_fn fn, void *context);

typedef struct {
	char *avs;
	mpz_t slashable;         /* slashable(op, avs), underlying base units */
} lrt_avs_exposure;

typedef struct {
	char *name;
	mpz_t value;             /* value(op) */
	lrt_avs_exposure *avs;   /* non-zero slashable amounts, by name */
	size_t avs_count;
} lrt_operator_exposure;

/* Exposure at the last prices: the operators with a non-zero value or
 * slashable amount, in code-point order, and the Herfindahl index. */
typedef struct {
	lrt_operator_exposure *operators;
	size_t operator_count;
	mpz_t hhi_bps;
} lrt_exposure;

LRT_API void lrt_exposure_init(lrt_exposure *exposure);
LRT_API void lrt_exposure_clear(lrt_exposure *exposure);

/* Computes the exposure of the book's current state into an initialized
 * `out` (replacing what it held); LRT_ENOMEM. */
LRT_API int lrt_book_exposure(lrt_exposure *out, const lrt_book *book);

/* A what-if slash by wad: `wad` at most 10^18. */
typedef struct {
	const char *operator_name;
	const char *avs;
	const char *asset;
	mpz_t wad;
} lrt_stress_slash;

typedef struct {
	mpz_t loss;              /* base units of the asset */
	char *rejected;          /* the reason, or NULL when it applied */
} lrt_stress_outcome;

typedef struct {
	int64_t epoch;           /* E + 1 */
	lrt_stress_outcome *outcomes;  /* one per slash, in the order given */
	size_t outcome_count;
	mpz_t loss_value;
	mpz_t total_assets, total_shares, deferred;  /* A1, S1, D after step 2 */
	mpz_t rate_before, rate;                     /* r0, r1 */
	bool guard_trips;
} lrt_stress_report;

LRT_API void lrt_stress_report_init(lrt_stress_report *report);
LRT_API void lrt_stress_report_clear(lrt_stress_report *report);

/*
 * SPEC section 7: applies the slashes, in order, to the state after the
 * last settled epoch E (each as a slash by wad; one that would be rejected
 * is reported and skipped), then computes steps 1-4 of an epoch E + 1 with
 * no other event.  The book must have no open epoch (LRT_ESTATE); it is
 * left with the stress epoch open and must be discarded.
 */
LRT_API int lrt_book_stress(lrt_stress_report *out, lrt_book *book,
			    const lrt_stress_slash *slashes, size_t count);

/* ---- restoring a book from storage, and what changed since -------------------
 *
 * The database path keeps only what an epoch needs in memory: it restores
 * the totals, policy, prices, positions and queue, and then just the holders
 * and finalized requests that the epoch's events name.  These calls are
 * allowed while no epoch is open; they change no journal.  After settling,
 * the changed holders and requests are what must be written back.
 */

/* A, S and D after `settled_epoch` (which becomes the last settled). */
LRT_API int lrt_book_restore_totals(lrt_book *book, int64_t settled_epoch,
				    const mpz_t total_assets, const mpz_t total_shares,
				    const mpz_t deferred);

/* The policy in force (as changed by earlier config events). */
LRT_API int lrt_book_restore_policy(lrt_book *book, const lrt_policy *policy);

/* An asset's last price (not the underlying's). */
LRT_API int lrt_book_restore_price(lrt_book *book, const char *asset, const mpq_t price);

/* A position; locations are added in the order first restored. */
LRT_API int lrt_book_restore_position(lrt_book *book, const char *asset,
				      const char *location, const mpz_t amount);

/* A holder's shares, replacing what the book held for that holder. */
LRT_API int lrt_book_restore_holder(lrt_book *book, const char *holder,
				    const mpz_t shares);

/* True when the book holds the holder (restored or met in an event). */
LRT_API bool lrt_book_knows_holder(const lrt_book *book, const char *holder);

/* A request: queued ones join the queue in the order restored; finalized
 * and claimed ones are kept for claims.  LRT_ESTATE for a known id. */
LRT_API int lrt_book_restore_request(lrt_book *book, const lrt_request_view *request);

/* True when the book holds a request of that id. */
LRT_API bool lrt_book_knows_request(const lrt_book *book, const char *request);

/* The holder of a request the book holds, or NULL (valid while the book is). */
LRT_API const char *lrt_book_request_holder(const lrt_book *book, const char *request);

/* The high-water mark H (SPEC section 5 step 6), an exact rational with a
 * positive denominator. */
LRT_API int lrt_book_restore_high_water_mark(lrt_book *book, const mpq_t mark);

/* H into `out`; false (out unchanged) when there is no mark yet. */
LRT_API bool lrt_book_high_water_mark(mpq_t out, const lrt_book *book);

/* The max magnitude M of (operator, asset) and, one call each, the
 * allocated magnitude of each AVS (SPEC section 2); LRT_EINVAL for an
 * unknown asset or allocations that would exceed M. */
LRT_API int lrt_book_restore_stake(lrt_book *book, const char *operator_name,
				   const char *asset, const mpz_t max_magnitude);
LRT_API int lrt_book_restore_allocation(lrt_book *book, const char *operator_name,
					const char *asset, const char *avs,
					const mpz_t magnitude);

/* Every stake (operator, asset, M) and every allocation (operator, asset,
 * AVS, a), in the order they were made. */
typedef int (*lrt_stake_fn)(void *context, const char *operator_name,
			    const char *asset, const mpz_t max_magnitude);
typedef int (*lrt_allocation_fn)(void *context, const char *operator_name,
				 const char *asset, const char *avs,
				 const mpz_t magnitude);
LRT_API int lrt_book_each_stake(const lrt_book *book, lrt_stake_fn fn, void *context);
LRT_API int lrt_book_each_allocation(const lrt_book *book, lrt_allocation_fn fn,
				     void *context);

/* A points program's index (the sum of its rate * 10^18 over the epochs it
 * was in force), restored before any holder's account; the program must
 * have been named (by the product or a config restored with the policy)
 * or is added out of force. */
LRT_API int lrt_book_restore_program_index(lrt_book *book, const char *program,
					   const mpz_t index);

/* Every program ever named with its index, in the order first named. */
typedef int (*lrt_program_index_fn)(void *context, const char *program,
				    const mpz_t index);
LRT_API int lrt_book_each_program_index(const lrt_book *book, lrt_program_index_fn fn,
					void *context);

/* A holder's account in a program: the exact points accrued and the
 * program's index when they were last credited.  The holder must have
 * been restored. */
LRT_API int lrt_book_restore_holder_points(lrt_book *book, const char *holder,
					   const char *program, const mpz_t accrued,
					   const mpz_t checkpoint);

/* The accounts of the holders changed since lrt_book_clear_changes, one
 * call per holder and program it has an account in. */
typedef int (*lrt_holder_points_fn)(void *context, const char *holder,
				    const char *program, const mpz_t accrued,
				    const mpz_t checkpoint);
LRT_API int lrt_book_each_changed_holder_points(const lrt_book *book,
						lrt_holder_points_fn fn, void *context);

/* Holders whose shares changed since lrt_book_clear_changes (zeros too),
 * and requests that were queued, finalized or claimed since. */
LRT_API int lrt_book_each_changed_holder(const lrt_book *book, lrt_holder_fn fn,
					 void *context);
LRT_API int lrt_book_each_changed_request(const lrt_book *book, lrt_request_fn fn,
					  void *context);
LRT_API void lrt_book_clear_changes(lrt_book *book);

#endif
