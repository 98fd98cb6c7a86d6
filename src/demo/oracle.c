/*
 * oracle.c - what the demo's oracles say: at 00:05 the day's prices of
 * stETH, rETH and EIGEN in ETH (a market of its own: stETH near its peg,
 * rETH accruing, EIGEN wandering); at 23:00 attests of what the chain holds,
 * all matching the book but one, on purpose (see generator.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gmp.h>

#include "demo/demo_internal.h"

/* Prices in units of 10^-12 ETH (PRICE_ONE). */
#define STETH_PRICE_START UINT64_C(999300000000)    /* 0.9993 */
#define STETH_PRICE_LOW UINT64_C(998600000000)
#define STETH_PRICE_HIGH UINT64_C(999800000000)
#define STETH_PRICE_STEP UINT64_C(20000000)         /* 0.00002 */
#define STETH_STEP_CHANCE_BPS 2500
#define RETH_PRICE_START UINT64_C(1082300000000)    /* 1.0823 */
#define RETH_APR_BPS 277
#define EIGEN_PRICE_START UINT64_C(1180000000)      /* 0.00118 */
#define EIGEN_PRICE_LOW UINT64_C(500000000)
#define EIGEN_PRICE_HIGH UINT64_C(2500000000)
#define EIGEN_DAILY_MOVE_BPS 250

/* The proof of reserves, and the one attest off the book. */
#define PROOF_OF_RESERVES_DAY 6                 /* Sundays: every position */
#define BREAK_GWEI_LOW 100
#define BREAK_GWEI_SPREAD 9900                  /* 100 .. 9,999 gwei off */
#define GWEI 1000000000

/* ---- 00:05 oracles -------------------------------------------------------- */

void demo_prices_start(uint64_t price[ASSET_COUNT])
{
	price[ASSET_ETH] = PRICE_ONE;
	price[ASSET_STETH] = STETH_PRICE_START;
	price[ASSET_RETH] = RETH_PRICE_START;
	price[ASSET_EIGEN] = EIGEN_PRICE_START;
}

static void move_prices(demo_generator *g)
{
	uint64_t *p = g->price;
	uint64_t move;

	if (demo_rng_chance_bps(&g->rng, STETH_STEP_CHANCE_BPS)) {
		if (demo_rng_below(&g->rng, 2) == 0 && p[ASSET_STETH] > STETH_PRICE_LOW)
			p[ASSET_STETH] -= STETH_PRICE_STEP;
		else if (p[ASSET_STETH] < STETH_PRICE_HIGH)
			p[ASSET_STETH] += STETH_PRICE_STEP;
	}
	p[ASSET_RETH] += p[ASSET_RETH] * RETH_APR_BPS / (10000 * EPOCHS_PER_YEAR);
	move = demo_rng_below(&g->rng, 2 * EIGEN_DAILY_MOVE_BPS + 1);
	p[ASSET_EIGEN] = p[ASSET_EIGEN] * (10000 - EIGEN_DAILY_MOVE_BPS + move) / 10000;
	if (p[ASSET_EIGEN] < EIGEN_PRICE_LOW)
		p[ASSET_EIGEN] = EIGEN_PRICE_LOW;
	if (p[ASSET_EIGEN] > EIGEN_PRICE_HIGH)
		p[ASSET_EIGEN] = EIGEN_PRICE_HIGH;
}

int demo_phase_oracles(demo_generator *g)
{
	lrt_event e;
	int asset, rc = 0;

	if (g->epoch > 0)
		move_prices(g);
	for (asset = ASSET_STETH; asset < ASSET_COUNT && rc == 0; asset++) {
		demo_event_start(&e, LRT_EVENT_PRICE);
		e.asset = demo_asset_names[asset];
		demo_set_u64(mpq_numref(e.price), g->price[asset]);
		demo_set_u64(mpq_denref(e.price), PRICE_ONE);
		mpq_canonicalize(e.price);
		rc = demo_emit(g, PHASE_ORACLE, &e, false);
		lrt_event_clear(&e);
	}
	return rc;
}

/* ---- 23:00 attests: what an oracle reads on chain --------------------------------- */

/* The location whose ETH the break day's attest gets wrong: an operator
 * holding ETH (a random one first), else the buffer. */
static const char *break_location(demo_generator *g)
{
	size_t first = (size_t)demo_rng_below(&g->rng, OPERATOR_COUNT), i;
	const char *chosen = "buffer";
	mpz_t held;

	mpz_init(held);
	for (i = 0; i < OPERATOR_COUNT; i++) {
		const char *name = demo_operators[(first + i) % OPERATOR_COUNT].name;

		demo_position(held, g, ASSET_ETH, name);
		if (mpz_sgn(held) > 0) {
			chosen = name;
			break;
		}
	}
	mpz_clear(held);
	return chosen;
}

/*
 * Attests the book's position (asset, location) as it stands after all the
 * day's events, which is what SPEC section 5 step 8 compares it with: so it
 * matches to the wei, unless `off`: then the observation is 100-9,999 gwei
 * short (a penalty the books have not caught), or over if the position is
 * smaller than that.
 */
static int emit_attest(demo_generator *g, int asset, const char *location, bool off)
{
	lrt_event e;
	mpz_t book;
	int rc;

	mpz_init(book);
	demo_event_start(&e, LRT_EVENT_ATTEST);
	e.asset = demo_asset_names[asset];
	e.location = location;
	demo_position(book, g, asset, location);
	mpz_set(e.amount, book);
	if (off) {
		uint64_t gwei = BREAK_GWEI_LOW + demo_rng_below(&g->rng, BREAK_GWEI_SPREAD);
		int64_t difference = (int64_t)gwei * GWEI;

		mpz_set_ui(e.amount, (unsigned long)gwei);
		mpz_mul_ui(e.amount, e.amount, GWEI);
		if (mpz_cmp(book, e.amount) >= 0) {
			mpz_sub(e.amount, book, e.amount);
			difference = -difference;
		} else {
			mpz_add(e.amount, book, e.amount);
		}
		g->summary->break_epoch = g->epoch;
		g->summary->break_difference_wei = difference;
		snprintf(g->summary->break_location, sizeof(g->summary->break_location),
			 "%s", location);
		snprintf(g->summary->break_asset, sizeof(g->summary->break_asset), "%s",
			 e.asset);
	}
	rc = demo_emit(g, PHASE_ATTEST, &e, false);
	g->summary->attests += rc == 0;
	lrt_event_clear(&e);
	mpz_clear(book);
	return rc;
}

/* Daily, each operator's ETH (its validators' balances); on Sundays a proof
 * of reserves: every asset the buffer and the operators hold, and what is
 * claimable.  On the break day, one location's ETH is read wrong. */
int demo_phase_attests(demo_generator *g)
{
	bool weekly = g->epoch % AVS_PAYOUT_DAYS == PROOF_OF_RESERVES_DAY;
	const char *off_location = g->epoch == g->break_epoch ? break_location(g) : NULL;
	size_t l;
	int asset, rc = 0;
	mpz_t held;

	mpz_init(held);
	for (l = 0; l <= OPERATOR_COUNT && rc == 0; l++) {
		const char *location = l == 0 ? "buffer" : demo_operators[l - 1].name;

		for (asset = ASSET_ETH; asset < ASSET_COUNT && rc == 0; asset++) {
			bool off = asset == ASSET_ETH && off_location != NULL &&
				   strcmp(location, off_location) == 0;
			bool daily = asset == ASSET_ETH && l > 0;

			demo_position(held, g, asset, location);
			if (off || ((weekly || daily) && mpz_sgn(held) > 0))
				rc = emit_attest(g, asset, location, off);
		}
	}
	if (rc == 0 && weekly)
		rc = emit_attest(g, ASSET_ETH, "claimable", false);
	mpz_clear(held);
	return rc;
}

