/*
 * demo_internal.h - what the parts of the demo's market model share (see
 * generator.c for the story): the cast (assets, operators, AVSs), the
 * generator's state, the arithmetic of amounts and prices, and emitting an
 * event (applied to the generator's book, kept as a line of the epoch).
 * Each phase of the day lives in its own file: oracle.c (00:05 prices,
 * 23:00 attests), holders.c (00:30), treasury.c (20:00 rewards, 21:00 the
 * treasury, 22:00 moves).  Private to src/demo/.
 */
#ifndef LRT_DEMO_INTERNAL_H
#define LRT_DEMO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gmp.h>

#include "demo/generator.h"
#include "demo/rng.h"
#include "lrt/book.h"
#include "lrt/event.h"
#include "lrt/product.h"

/* ---- the calendar and the chain --------------------------------------- */

#define EPOCHS_PER_YEAR 365                     /* one epoch is one day */

/* "0x" + 64 hex digits + ":" + log index: 71 bytes with the NUL. */
#define ID_BYTES 80
#define ADDRESS_BYTES 43                        /* "0x" + 40 hex digits + NUL */

/* ---- the product ------------------------------------------------------ */

enum { ASSET_ETH, ASSET_STETH, ASSET_RETH, ASSET_EIGEN, ASSET_COUNT };
extern const char *const demo_asset_names[ASSET_COUNT];

typedef struct {
	const char *name;
	unsigned weight_percent;                /* share of delegated value aimed at */
} demo_operator;

#define OPERATOR_COUNT 3
extern const demo_operator demo_operators[OPERATOR_COUNT];

#define AVS_COUNT 4
extern const char *const demo_avs_names[AVS_COUNT];

/* Each operator runs EigenDA and two other AVSs: indexes into demo_avs_names. */
#define AVS_PER_OPERATOR 3
extern const unsigned demo_operator_avs[OPERATOR_COUNT][AVS_PER_OPERATOR];

/* The assets an operator restakes (EigenLayer strategies): all but EIGEN. */
#define RESTAKED_ASSET_COUNT 3

#define LOYALTY_PROGRAM "loyalty"               /* the product's own, from launch */
#define LOYALTY_PER_SHARE_EPOCH "1"             /* a point a day per rstETH */

/* AVS rewards are paid weekly (day 6 of 7), the day of the proof of reserves. */
#define AVS_PAYOUT_DAYS 7

/* ---- the market: prices in units of 10^-12 ETH ------------------------- */

#define PRICE_ONE UINT64_C(1000000000000)

/* ---- the generator's state --------------------------------------------- */

/* The phases of a day, in the order their events are written. */
enum {
	PHASE_ORACLE, PHASE_HOLDERS, PHASE_REWARDS, PHASE_TREASURY, PHASE_MOVES,
	PHASE_ATTEST, PHASE_COUNT
};

typedef struct {
	char address[ADDRESS_BYTES];
	int64_t join_epoch;
	unsigned size_class;
} demo_holder;

typedef struct {
	char request[ID_BYTES];
	int64_t claim_epoch;                    /* maybe past the history's end */
} demo_claim;

typedef struct {
	int phase;
	unsigned log_index;
	char id[ID_BYTES];
	const char *type;
	char *fields;                           /* "\"holder\": ..., ..." */
} demo_line;

typedef struct {
	FILE *out;
	demo_rng rng;
	lrt_book *book;
	lrt_product product;
	demo_summary *summary;
	int64_t epochs;
	int64_t epoch;                          /* the epoch being written */
	int64_t slash_epoch;
	int64_t break_epoch;                    /* the one attest off the book */
	int64_t points_epoch;                   /* the config of points, or -1 */
	int64_t last_seq;
	uint64_t price[ASSET_COUNT];            /* units of 10^-12 ETH */
	demo_holder *holders;
	size_t holder_count;
	demo_line *lines;                       /* the open epoch's */
	size_t line_count, line_capacity;
	demo_claim *claims;                     /* finalized, not yet claimed */
	size_t claim_count, claim_capacity;
	mpz_t validator;                        /* 32 ETH in wei */
	mpz_t wad;                              /* 10^18 */
	mpz_t magnitude_unit;                   /* 10^14: 0.01% of WAD */
} demo_generator;

/*
 * Room for one more item in an array of `count` items: returns the array,
 * moved or not, or NULL when out of memory (the old array is kept, and the
 * message set).
 */
void *demo_reserve(void *items, size_t *capacity, size_t count, size_t size);

/* ---- amounts (events.c) ------------------------------------------------- */

/* out = value: GMP's _ui functions take an unsigned long, which has 32 bits
 * on some systems, so 64-bit figures (prices, PRNG draws) go in by this. */
void demo_set_u64(mpz_t out, uint64_t value);

/* value = floor(amount * price / 10^12): every asset has 18 decimals. */
void demo_value_at(mpz_t value, const mpz_t amount, uint64_t price);

/* amount = floor(value * 10^12 / price): how much of an asset `value` buys. */
void demo_amount_for(mpz_t amount, const mpz_t value, uint64_t price);

/* out = floor(x * bps / 10000) */
void demo_times_bps(mpz_t out, const mpz_t x, unsigned bps);

/* ---- events (events.c) -------------------------------------------------- */

/* Initializes `event` as a new event of `type`, for the builders; returns it. */
lrt_event *demo_event_start(lrt_event *event, lrt_event_type type);

/*
 * Gives `event` an id, applies it to the book and keeps its line for the
 * epoch's output.  An event the model means to apply must apply, and one it
 * makes on purpose to be refused (`refused`) must be rejected: anything else
 * is a bug of the model, LRT_ESTATE.  LRT_ENOMEM when out of memory.
 */
int demo_emit(demo_generator *g, int phase, lrt_event *event, bool refused);

/* out = the book's position of an asset at a location. */
void demo_position(mpz_t out, const demo_generator *g, int asset, const char *location);

/* ---- the phases of a day: each returns 0 or the code of demo_emit ------ */

/* oracle.c: the first prices of the history. */
void demo_prices_start(uint64_t price[ASSET_COUNT]);
/* oracle.c, 00:05: the day's prices (moved from the day before's). */
int demo_phase_oracles(demo_generator *g);
/* holders.c, 00:30: deposits, withdrawals, transfers and claims. */
int demo_phase_holders(demo_generator *g);
/* treasury.c, 20:00: consensus rewards and stETH's rebase. */
int demo_phase_rewards(demo_generator *g);
/* treasury.c, 21:00: allocations, points, AVS rewards and their sale, the slash. */
int demo_phase_treasury(demo_generator *g);
/* treasury.c, 22:00: the buffer refilled or invested. */
int demo_phase_moves(demo_generator *g);
/* oracle.c, 23:00: what an oracle reads on chain. */
int demo_phase_attests(demo_generator *g);

/* holders.c: the cast of `count` holders (LRT_ENOMEM, or 0). */
int demo_make_holders(demo_generator *g, size_t count);
/* holders.c: the claims of the requests `report` finalized (LRT_ENOMEM, or 0). */
int demo_schedule_claims(demo_generator *g, const lrt_epoch_report *report);

#endif
