/*
 * treasury.c - the demo's protocol at work (see generator.c): at 20:00 the
 * operators' consensus rewards and stETH's rebase; at 21:00 the treasury's
 * decisions (EigenLayer allocations, the points programs, AVS rewards in
 * EIGEN and their sale, the one slash); at 22:00 the buffer kept within its
 * band by moving ETH and LSTs between it and the operators.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gmp.h>

#include "demo/demo_internal.h"

#define CONSENSUS_APR_BPS_LOW 280
#define CONSENSUS_APR_BPS_SPREAD 41             /* 2.80% .. 3.20% */
#define REBASE_APR_BPS_LOW 260
#define REBASE_APR_BPS_SPREAD 41                /* 2.60% .. 3.00% */
#define AVS_APR_BPS_LOW 15
#define AVS_APR_BPS_SPREAD 24                   /* per AVS: 0.15% .. 0.38% */
#define SALE_SLIPPAGE_BPS_LOW 30
#define SALE_SLIPPAGE_BPS_SPREAD 61             /* 0.30% .. 0.90% */
#define REDEEM_DISCOUNT_BPS 5                   /* selling an LST for ETH */
#define SLASH_YIELD_PERCENT_LOW 50
#define SLASH_YIELD_PERCENT_SPREAD 21           /* 50% .. 70% of the yield so far */
#define SLASH_MIN_BPS 3
#define SLASH_MAX_BPS 80
#define EIGENLAYER_PROGRAM "eigenlayer"         /* passed through, a third in */
#define EIGENLAYER_PER_SHARE_EPOCH "24"         /* one an hour per rstETH */
#define EIGENDA_MAGNITUDE_LOW 2500
#define EIGENDA_MAGNITUDE_SPREAD 1501           /* 25% .. 40% of WAD */
#define OTHER_MAGNITUDE_LOW 800
#define OTHER_MAGNITUDE_SPREAD 1201             /* 8% .. 20% of WAD */
#define ALLOCATION_CHANGE_CHANCE_BPS 500        /* a change on 5% of days */
#define ALLOCATION_STEP_LOW 100
#define ALLOCATION_STEP_SPREAD 701              /* +-1% .. 8% of WAD */
#define BUFFER_LOW_BPS 50
#define BUFFER_HIGH_BPS 300

/* ---- moves and sales, for the phases below ------------------------------- */

static int emit_move(demo_generator *g, int asset, const mpz_t amount,
		     const char *from, const char *to)
{
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_MOVE);
	e.asset = demo_asset_names[asset];
	e.from = from;
	e.to = to;
	mpz_set(e.amount, amount);
	rc = demo_emit(g, PHASE_MOVES, &e, false);
	lrt_event_clear(&e);
	return rc;
}

/* Sells all of `amount_in` of an asset at a location for ETH, `discount_bps`
 * below the oracle's price. */
static int emit_sale(demo_generator *g, int phase, int asset, const mpz_t amount_in,
		     const char *location, unsigned discount_bps)
{
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_SWAP);
	e.location = location;
	e.asset = demo_asset_names[asset];
	e.asset_out = demo_asset_names[ASSET_ETH];
	mpz_set(e.amount, amount_in);
	demo_value_at(e.amount_out, amount_in, g->price[asset]);
	demo_times_bps(e.amount_out, e.amount_out, 10000 - discount_bps);
	rc = demo_emit(g, phase, &e, false);
	lrt_event_clear(&e);
	return rc;
}

/* ---- 20:00 rewards ------------------------------------------------------------ */

/* A reward of `apr_bps` a year on `base`, for one day. */
static int emit_yield(demo_generator *g, const char *source, const char *location,
		      int asset, const mpz_t base, unsigned apr_bps)
{
	lrt_event e;
	int rc = 0;

	demo_event_start(&e, LRT_EVENT_REWARD);
	e.source = source;
	e.location = location;
	e.asset = demo_asset_names[asset];
	mpz_mul_ui(e.amount, base, apr_bps);
	mpz_fdiv_q_ui(e.amount, e.amount, 10000 * EPOCHS_PER_YEAR);
	if (mpz_sgn(e.amount) > 0)
		rc = demo_emit(g, PHASE_REWARDS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

int demo_phase_rewards(demo_generator *g)
{
	mpz_t held;
	int i, rc = 0;

	mpz_init(held);
	for (i = 0; i < OPERATOR_COUNT && rc == 0; i++) {
		const char *name = demo_operators[i].name;

		demo_position(held, g, ASSET_ETH, name);
		rc = emit_yield(g, "consensus", name, ASSET_ETH, held,
				CONSENSUS_APR_BPS_LOW +
				(unsigned)demo_rng_below(&g->rng, CONSENSUS_APR_BPS_SPREAD));
		demo_position(held, g, ASSET_STETH, name);
		if (rc == 0)
			rc = emit_yield(g, "steth-rebase", name, ASSET_STETH,
					held, REBASE_APR_BPS_LOW +
					(unsigned)demo_rng_below(&g->rng, REBASE_APR_BPS_SPREAD));
	}
	mpz_clear(held);
	return rc;
}

/* ---- 21:00 treasury: AVS rewards and their sale ------------------------------- */

static int avs_rewards(demo_generator *g)
{
	mpz_t total_assets, value;
	lrt_event e;
	int i, rc = 0;

	mpz_inits(total_assets, value, NULL);
	lrt_book_total_assets(total_assets, g->book);
	for (i = 0; i < AVS_COUNT && rc == 0; i++) {
		mpz_mul_ui(value, total_assets, AVS_APR_BPS_LOW +
			   demo_rng_below(&g->rng, AVS_APR_BPS_SPREAD));
		mpz_mul_ui(value, value, AVS_PAYOUT_DAYS);
		mpz_fdiv_q_ui(value, value, 10000 * EPOCHS_PER_YEAR);
		demo_event_start(&e, LRT_EVENT_REWARD);
		e.source = demo_avs_names[i];
		e.location = "buffer";
		e.asset = demo_asset_names[ASSET_EIGEN];
		demo_amount_for(e.amount, value, g->price[ASSET_EIGEN]);
		if (mpz_sgn(e.amount) > 0)
			rc = demo_emit(g, PHASE_TREASURY, &e, false);
		lrt_event_clear(&e);
	}
	mpz_clears(total_assets, value, NULL);
	return rc;
}

static int sell_eigen(demo_generator *g)
{
	mpz_t held;
	int rc = 0;

	mpz_init(held);
	demo_position(held, g, ASSET_EIGEN, "buffer");
	if (mpz_sgn(held) > 0)
		rc = emit_sale(g, PHASE_TREASURY, ASSET_EIGEN, held, "buffer",
			       SALE_SLIPPAGE_BPS_LOW +
			       (unsigned)demo_rng_below(&g->rng, SALE_SLIPPAGE_BPS_SPREAD));
	mpz_clear(held);
	return rc;
}

/* The loss: 50-70% of the yield accrued so far, within 0.01%..0.8% of A. */
static void slash_amount(demo_generator *g, mpz_t loss)
{
	mpz_t total_assets, rate, one, bound;

	mpz_inits(total_assets, rate, one, bound, NULL);
	lrt_book_total_assets(total_assets, g->book);
	lrt_book_rate(rate, g->book);
	mpz_ui_pow_ui(one, 10, lrt_product_share_decimals(&g->product));
	mpz_sub(rate, rate, one);
	if (mpz_sgn(rate) < 0)
		mpz_set_ui(rate, 0);
	mpz_mul(loss, total_assets, rate);
	mpz_mul_ui(loss, loss, SLASH_YIELD_PERCENT_LOW +
		   demo_rng_below(&g->rng, SLASH_YIELD_PERCENT_SPREAD));
	mpz_fdiv_q(loss, loss, one);
	mpz_fdiv_q_ui(loss, loss, 100);
	demo_times_bps(bound, total_assets, SLASH_MAX_BPS);
	if (mpz_cmp(loss, bound) > 0)
		mpz_set(loss, bound);
	demo_times_bps(bound, total_assets, SLASH_MIN_BPS);
	if (mpz_cmp(loss, bound) < 0)
		mpz_set(loss, bound);
	mpz_clears(total_assets, rate, one, bound, NULL);
}

/* ---- 21:00 treasury: EigenLayer's magnitudes ---------------------------------- */

/* What the book holds of one (operator, asset, AVS): M, the sum allocated
 * over the operator's AVSs, and a (M = WAD, the others 0, before any). */
typedef struct {
	const char *operator_name;
	const char *asset;
	const char *avs;
	mpz_t max_magnitude;
	mpz_t allocated;
	mpz_t magnitude;
} demo_magnitudes;

static int find_stake(void *context, const char *operator_name, const char *asset,
		      const mpz_t max_magnitude)
{
	demo_magnitudes *m = context;

	if (strcmp(operator_name, m->operator_name) == 0 && strcmp(asset, m->asset) == 0)
		mpz_set(m->max_magnitude, max_magnitude);
	return 0;
}

static int find_allocation(void *context, const char *operator_name, const char *asset,
			   const char *avs, const mpz_t magnitude)
{
	demo_magnitudes *m = context;

	if (strcmp(operator_name, m->operator_name) != 0 || strcmp(asset, m->asset) != 0)
		return 0;
	mpz_add(m->allocated, m->allocated, magnitude);
	if (strcmp(avs, m->avs) == 0)
		mpz_set(m->magnitude, magnitude);
	return 0;
}

/* Fills `m` (its mpz_t initialized by the caller) from the book. */
static int read_magnitudes(demo_generator *g, demo_magnitudes *m)
{
	int rc;

	mpz_set(m->max_magnitude, g->wad);
	mpz_set_ui(m->allocated, 0);
	mpz_set_ui(m->magnitude, 0);
	rc = lrt_book_each_stake(g->book, find_stake, m);
	if (rc == 0)
		rc = lrt_book_each_allocation(g->book, find_allocation, m);
	return rc;
}

static int emit_allocate(demo_generator *g, const char *operator_name, const char *avs,
			 int asset, const mpz_t magnitude)
{
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_ALLOCATE);
	e.location = operator_name;
	e.source = avs;
	e.asset = demo_asset_names[asset];
	mpz_set(e.amount, magnitude);
	rc = demo_emit(g, PHASE_TREASURY, &e, false);
	g->summary->allocations += rc == 0;
	lrt_event_clear(&e);
	return rc;
}

/* Day one: each operator allocates 25-40% of each restaked asset to EigenDA
 * and 8-20% to each of its two other AVSs (in steps of 0.01%). */
static int first_allocations(demo_generator *g)
{
	mpz_t magnitude;
	size_t i, j;
	int asset, rc = 0;

	mpz_init(magnitude);
	for (i = 0; i < OPERATOR_COUNT && rc == 0; i++) {
		for (j = 0; j < AVS_PER_OPERATOR && rc == 0; j++) {
			unsigned avs = demo_operator_avs[i][j];

			for (asset = ASSET_ETH; asset < RESTAKED_ASSET_COUNT && rc == 0; asset++) {
				uint64_t units = avs == 0
					? EIGENDA_MAGNITUDE_LOW +
					  demo_rng_below(&g->rng, EIGENDA_MAGNITUDE_SPREAD)
					: OTHER_MAGNITUDE_LOW +
					  demo_rng_below(&g->rng, OTHER_MAGNITUDE_SPREAD);

				mpz_mul_ui(magnitude, g->magnitude_unit, (unsigned long)units);
				rc = emit_allocate(g, demo_operators[i].name,
						   demo_avs_names[avs], asset, magnitude);
			}
		}
	}
	mpz_clear(magnitude);
	return rc;
}

/* Now and then an operator moves one allocation up or down by 1-8% of WAD,
 * within what its max magnitude leaves (and not below 0). */
static int change_allocation(demo_generator *g)
{
	size_t i = (size_t)demo_rng_below(&g->rng, OPERATOR_COUNT);
	unsigned avs = demo_operator_avs[i][demo_rng_below(&g->rng, AVS_PER_OPERATOR)];
	int asset = (int)demo_rng_below(&g->rng, RESTAKED_ASSET_COUNT);
	bool up = demo_rng_below(&g->rng, 2) == 0;
	demo_magnitudes m = { demo_operators[i].name, demo_asset_names[asset],
			      demo_avs_names[avs], {{0}}, {{0}}, {{0}} };
	mpz_t step, target;
	int rc;

	mpz_inits(m.max_magnitude, m.allocated, m.magnitude, step, target, NULL);
	mpz_mul_ui(step, g->magnitude_unit, (unsigned long)(ALLOCATION_STEP_LOW +
		   demo_rng_below(&g->rng, ALLOCATION_STEP_SPREAD)));
	rc = read_magnitudes(g, &m);
	if (up) {
		mpz_sub(target, m.max_magnitude, m.allocated);  /* the room left */
		if (mpz_cmp(step, target) > 0)
			mpz_set(step, target);
		mpz_add(target, m.magnitude, step);
	} else {
		if (mpz_cmp(step, m.magnitude) > 0)
			mpz_set(step, m.magnitude);
		mpz_sub(target, m.magnitude, step);
	}
	if (rc == 0 && mpz_cmp(target, m.magnitude) != 0) {
		rc = emit_allocate(g, m.operator_name, m.avs, asset, target);
		g->summary->allocation_changes += rc == 0;
	}
	mpz_clears(m.max_magnitude, m.allocated, m.magnitude, step, target, NULL);
	return rc;
}

static int allocations(demo_generator *g)
{
	if (g->epoch == 0)
		return first_allocations(g);
	if (demo_rng_chance_bps(&g->rng, ALLOCATION_CHANGE_CHANCE_BPS))
		return change_allocation(g);
	return 0;
}

/* ---- 21:00 treasury: the slash ------------------------------------------------- */

/* The index of an AVS's name in demo_avs_names, or AVS_COUNT. */
static size_t avs_index(const char *name)
{
	size_t i;

	for (i = 0; i < AVS_COUNT && strcmp(demo_avs_names[i], name) != 0; i++)
		;
	return i;
}

/* slashable(operator, avs) of the book's exposure (SPEC section 7), or 0. */
static void slashable_of(mpz_t out, const lrt_exposure *exposure, const char *operator_name,
			 const char *avs)
{
	size_t i, j;

	mpz_set_ui(out, 0);
	for (i = 0; i < exposure->operator_count; i++) {
		const lrt_operator_exposure *o = &exposure->operators[i];

		for (j = 0; j < o->avs_count && strcmp(o->name, operator_name) == 0; j++)
			if (strcmp(o->avs[j].avs, avs) == 0)
				mpz_set(out, o->avs[j].slashable);
	}
}

/*
 * Who slashes whom: one of a random operator's AVSs; else (a tiny pool, or
 * an allocation brought to 0) the operator and AVS with the most at stake.
 * `slashable` gets what that AVS may slash, in wei: 0 when no AVS may slash
 * anything.
 */
static int slash_target(demo_generator *g, size_t *chosen, size_t *avs, mpz_t slashable)
{
	lrt_exposure exposure;
	size_t i, j, k;
	int rc;

	lrt_exposure_init(&exposure);
	*chosen = (size_t)demo_rng_below(&g->rng, OPERATOR_COUNT);
	*avs = demo_operator_avs[*chosen][demo_rng_below(&g->rng, AVS_PER_OPERATOR)];
	rc = lrt_book_exposure(&exposure, g->book);
	if (rc == 0)
		slashable_of(slashable, &exposure, demo_operators[*chosen].name,
			     demo_avs_names[*avs]);
	for (i = 0; i < OPERATOR_COUNT && rc == 0 && mpz_sgn(slashable) == 0; i++) {
		for (j = 0; j < exposure.operator_count; j++) {
			const lrt_operator_exposure *o = &exposure.operators[j];

			for (k = 0; k < o->avs_count &&
			     strcmp(o->name, demo_operators[i].name) == 0; k++)
				if (mpz_cmp(o->avs[k].slashable, slashable) > 0 &&
				    avs_index(o->avs[k].avs) < AVS_COUNT) {
					*chosen = i;
					*avs = avs_index(o->avs[k].avs);
					mpz_set(slashable, o->avs[k].slashable);
				}
		}
	}
	lrt_exposure_clear(&exposure);
	return rc;
}

/* The wad that takes about `loss` of `slashable`: loss * WAD / slashable,
 * rounded down, within 1..WAD. */
static void wad_for(demo_generator *g, mpz_t wad, const mpz_t loss, const mpz_t slashable)
{
	mpz_mul(wad, loss, g->wad);
	mpz_fdiv_q(wad, wad, slashable);
	if (mpz_cmp(wad, g->wad) > 0)
		mpz_set(wad, g->wad);
	if (mpz_sgn(wad) == 0)
		mpz_set_ui(wad, 1);
}

/*
 * Midway, an AVS slashes an operator: one slash by wad of each restaked
 * asset the AVS holds an allocation of, all with the one wad that makes the
 * loss 50-70% of the yield so far (slash_amount), as EigenLayer's
 * slashOperator does across an operator set's strategies.
 */
static int slash(demo_generator *g)
{
	demo_magnitudes m = { NULL, NULL, NULL, {{0}}, {{0}}, {{0}} };
	size_t chosen, avs;
	mpz_t slashable, loss;
	lrt_event e;
	int asset, rc;

	mpz_inits(slashable, loss, m.max_magnitude, m.allocated, m.magnitude, NULL);
	rc = slash_target(g, &chosen, &avs, slashable);
	if (rc == 0 && mpz_sgn(slashable) > 0) {
		slash_amount(g, loss);
		m.operator_name = demo_operators[chosen].name;
		m.avs = demo_avs_names[avs];
		for (asset = ASSET_ETH; asset < RESTAKED_ASSET_COUNT && rc == 0; asset++) {
			m.asset = demo_asset_names[asset];
			rc = read_magnitudes(g, &m);
			if (rc != 0 || mpz_sgn(m.magnitude) == 0)
				continue;
			demo_event_start(&e, LRT_EVENT_SLASH);
			e.location = m.operator_name;
			e.source = m.avs;
			e.asset = m.asset;
			e.by_wad = true;
			wad_for(g, e.amount, loss, slashable);
			rc = demo_emit(g, PHASE_TREASURY, &e, false);
			g->summary->slashes += rc == 0;
			lrt_event_clear(&e);
		}
		g->summary->slash_epoch = g->epoch;
		snprintf(g->summary->slash_operator, sizeof(g->summary->slash_operator),
			 "%s", m.operator_name);
		snprintf(g->summary->slash_avs, sizeof(g->summary->slash_avs), "%s", m.avs);
	}
	mpz_clears(slashable, loss, m.max_magnitude, m.allocated, m.magnitude, NULL);
	return rc;
}

/* ---- 21:00 treasury: points ----------------------------------------------------- */

/* A third into the history the protocol passes EigenLayer's points through
 * (24 a day per rstETH, one an hour), besides its own loyalty point a day:
 * a config naming both programs (a config's list replaces the whole). */
static int points_season(demo_generator *g)
{
	static lrt_points_program programs[] = {
		{ LOYALTY_PROGRAM, LOYALTY_PER_SHARE_EPOCH },
		{ EIGENLAYER_PROGRAM, EIGENLAYER_PER_SHARE_EPOCH },
	};
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_CONFIG);
	e.config_mask = LRT_CONFIG_POINTS;
	e.config.points = programs;
	e.config.points_count = sizeof(programs) / sizeof(programs[0]);
	rc = demo_emit(g, PHASE_TREASURY, &e, false);
	if (rc == 0)
		g->summary->points_epoch = g->epoch;
	lrt_event_clear(&e);
	return rc;
}

int demo_phase_treasury(demo_generator *g)
{
	int rc = allocations(g);

	if (rc == 0 && g->epoch == g->points_epoch)
		rc = points_season(g);
	if (rc == 0 && g->epoch % AVS_PAYOUT_DAYS == AVS_PAYOUT_DAYS - 1)
		rc = avs_rewards(g);
	else if (rc == 0 && g->epoch % AVS_PAYOUT_DAYS == 0 && g->epoch > 0)
		rc = sell_eigen(g);
	if (rc == 0 && g->epoch == g->slash_epoch)
		rc = slash(g);
	return rc;
}

/* ---- 22:00 moves: the buffer and the operators ---------------------------- */

/* The value an operator holds, in wei. */
static void operator_value(demo_generator *g, mpz_t value, const char *name)
{
	mpz_t held, part;
	int asset;

	mpz_inits(held, part, NULL);
	mpz_set_ui(value, 0);
	for (asset = ASSET_ETH; asset < ASSET_EIGEN; asset++) {
		demo_position(held, g, asset, name);
		demo_value_at(part, held, asset == ASSET_ETH ? PRICE_ONE : g->price[asset]);
		mpz_add(value, value, part);
	}
	mpz_clears(held, part, NULL);
}

/* The operator furthest below its weight: least value per weight point. */
static size_t most_underweight(demo_generator *g)
{
	mpz_t value, best;
	size_t i, chosen = 0;

	mpz_inits(value, best, NULL);
	for (i = 0; i < OPERATOR_COUNT; i++) {
		operator_value(g, value, demo_operators[i].name);
		mpz_fdiv_q_ui(value, value, demo_operators[i].weight_percent);
		if (i == 0 || mpz_cmp(value, best) < 0)
			chosen = i, mpz_set(best, value);
	}
	mpz_clears(value, best, NULL);
	return chosen;
}

typedef struct {
	int64_t due_by;                         /* requests finalizable by then */
	int64_t delay_epochs;
	mpz_t caps;
} due_sum;

static int add_due(void *context, const lrt_request_view *request)
{
	due_sum *due = context;

	if (request->epoch + due->delay_epochs <= due->due_by)
		mpz_add(due->caps, due->caps, *request->cap);
	return 0;
}

/* What the queue can take at today's and tomorrow's settlements: the sum of
 * the caps of the requests due by then (a payout never exceeds its cap). */
static void due_soon(demo_generator *g, mpz_t out)
{
	due_sum due;

	due.due_by = g->epoch + 1;
	due.delay_epochs = lrt_book_product(g->book)->policy.delay_epochs;
	mpz_init(due.caps);
	lrt_book_each_queued(g->book, add_due, &due);
	mpz_set(out, due.caps);
	mpz_clear(due.caps);
}

/* Shortfall = low - buffer ETH (<= 0 when none). */
static void shortfall(demo_generator *g, mpz_t out, const mpz_t low)
{
	demo_position(out, g, ASSET_ETH, "buffer");
	mpz_sub(out, low, out);
}

/* Undelegates ETH, whole validators, from the operators holding the most. */
static int undelegate_eth(demo_generator *g, const mpz_t low)
{
	mpz_t need, held, most;
	size_t i, chosen;
	int rc = 0;

	mpz_inits(need, held, most, NULL);
	for (shortfall(g, need, low); mpz_sgn(need) > 0 && rc == 0; shortfall(g, need, low)) {
		mpz_set_ui(most, 0);
		for (i = 0, chosen = 0; i < OPERATOR_COUNT; i++) {
			demo_position(held, g, ASSET_ETH, demo_operators[i].name);
			if (mpz_cmp(held, most) > 0)
				chosen = i, mpz_set(most, held);
		}
		if (mpz_sgn(most) == 0)
			break;
		mpz_cdiv_q(need, need, g->validator);
		mpz_mul(need, need, g->validator);
		if (mpz_cmp(need, most) > 0)
			mpz_set(need, most);
		rc = emit_move(g, ASSET_ETH, need, demo_operators[chosen].name, "buffer");
	}
	mpz_clears(need, held, most, NULL);
	return rc;
}

/* How much of an LST covers `need` wei once sold at the redemption
 * discount: a little more, and a wei for the rounding; at most `held`. */
static void enough_to_cover(demo_generator *g, mpz_t amount, const mpz_t need,
			    int asset, const mpz_t held)
{
	demo_times_bps(amount, need, 10000 + 2 * REDEEM_DISCOUNT_BPS);
	demo_amount_for(amount, amount, g->price[asset]);
	mpz_add_ui(amount, amount, 1);
	if (mpz_cmp(amount, held) > 0)
		mpz_set(amount, held);
}

/* Sells the LSTs of `location` (after bringing them to the buffer) until the
 * buffer's ETH reaches `low`, no more than it takes. */
static int sell_lsts(demo_generator *g, const char *location, const mpz_t low)
{
	bool in_buffer = strcmp(location, "buffer") == 0;
	mpz_t need, held, amount;
	int asset, rc = 0;

	mpz_inits(need, held, amount, NULL);
	for (asset = ASSET_STETH; asset <= ASSET_RETH && rc == 0; asset++) {
		shortfall(g, need, low);
		demo_position(held, g, asset, location);
		if (mpz_sgn(need) <= 0 || mpz_sgn(held) == 0)
			continue;
		enough_to_cover(g, amount, need, asset, held);
		if (!in_buffer)
			rc = emit_move(g, asset, amount, location, "buffer");
		if (rc == 0)
			rc = emit_sale(g, PHASE_MOVES, asset, amount, "buffer",
				       REDEEM_DISCOUNT_BPS);
	}
	mpz_clears(need, held, amount, NULL);
	return rc;
}

/* The buffer is short of ETH: undelegate ETH (free, in whole validators) up
 * to `low`; then, only when the requests due need it, sell LSTs (at a cost),
 * the buffer's first, then the operators'. */
static int refill_buffer(demo_generator *g, const mpz_t low, const mpz_t due)
{
	int i, rc = undelegate_eth(g, low);

	if (rc == 0)
		rc = sell_lsts(g, "buffer", due);
	for (i = 0; i < OPERATOR_COUNT && rc == 0; i++)
		rc = sell_lsts(g, demo_operators[i].name, due);
	return rc;
}

/* Delegates whole validators worth `excess` to the operators, each up to its
 * weight of the delegated value; what is left goes to the most underweight. */
static int delegate_eth(demo_generator *g, const mpz_t excess)
{
	mpz_t left, total, value, want;
	size_t i;
	int rc = 0;

	mpz_inits(left, total, value, want, NULL);
	mpz_fdiv_q(left, excess, g->validator);
	mpz_mul(left, left, g->validator);
	mpz_set(total, left);
	for (i = 0; i < OPERATOR_COUNT; i++) {
		operator_value(g, value, demo_operators[i].name);
		mpz_add(total, total, value);
	}
	for (i = 0; i < OPERATOR_COUNT && rc == 0 && mpz_sgn(left) > 0; i++) {
		operator_value(g, value, demo_operators[i].name);
		mpz_mul_ui(want, total, demo_operators[i].weight_percent);
		mpz_fdiv_q_ui(want, want, 100);
		mpz_sub(want, want, value);
		mpz_fdiv_q(want, want, g->validator);
		mpz_mul(want, want, g->validator);
		if (mpz_cmp(want, left) > 0)
			mpz_set(want, left);
		if (mpz_sgn(want) > 0) {
			rc = emit_move(g, ASSET_ETH, want, "buffer", demo_operators[i].name);
			mpz_sub(left, left, want);
		}
	}
	if (rc == 0 && mpz_sgn(left) > 0)
		rc = emit_move(g, ASSET_ETH, left, "buffer",
			       demo_operators[most_underweight(g)].name);
	mpz_clears(left, total, value, want, NULL);
	return rc;
}

/* The day's LST deposits go to the operator furthest below its weight. */
static int place_lsts(demo_generator *g)
{
	mpz_t held;
	int asset, rc = 0;

	mpz_init(held);
	for (asset = ASSET_STETH; asset <= ASSET_RETH && rc == 0; asset++) {
		demo_position(held, g, asset, "buffer");
		if (mpz_sgn(held) > 0)
			rc = emit_move(g, asset, held, "buffer",
				       demo_operators[most_underweight(g)].name);
	}
	mpz_clear(held);
	return rc;
}

int demo_phase_moves(demo_generator *g)
{
	mpz_t total_assets, due, low, high, buffer, excess;
	int rc = 0;

	mpz_inits(total_assets, due, low, high, buffer, excess, NULL);
	lrt_book_total_assets(total_assets, g->book);
	due_soon(g, due);
	demo_times_bps(low, total_assets, BUFFER_LOW_BPS);
	mpz_add(low, low, due);
	demo_times_bps(high, total_assets, BUFFER_HIGH_BPS);
	mpz_add(high, high, due);
	demo_position(buffer, g, ASSET_ETH, "buffer");
	if (mpz_cmp(buffer, low) < 0) {
		rc = refill_buffer(g, low, due);
	} else {
		if (mpz_cmp(buffer, high) > 0) {
			/* down to the middle of the band */
			mpz_add(excess, low, high);
			mpz_fdiv_q_2exp(excess, excess, 1);
			mpz_sub(excess, buffer, excess);
			rc = delegate_eth(g, excess);
		}
		if (rc == 0)
			rc = place_lsts(g);
	}
	mpz_clears(total_assets, due, low, high, buffer, excess, NULL);
	return rc;
}

