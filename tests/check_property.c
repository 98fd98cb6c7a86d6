/*
 * check_property.c - property tests of the book over many seeded random
 * event streams (issue 3, extended to the SPEC's second edition).
 *
 * Each stream draws a product (erc4626 with offset 0..3, or plain; an ETH or
 * a SOL family of five assets with 18, 9, 8 and 6 decimals and their prices;
 * the fee's high-water mark on or off; none to three points programs) and a
 * few hundred events over random epochs, empty ones included: deposits,
 * withdrawals, transfers, rewards, slashes by amount and by wad, allocations,
 * moves, swaps, prices, claims, cancels, attests, config changes (fee,
 * recipients, delay, smoothing, the mark, the points programs) and accepts,
 * about one in seven invalid on purpose (unknown asset, `claimable`,
 * `buffer` as an operator, overdraws, zero shares, claims and cancels of
 * unknown, unfinalized, finalized or cancelled requests, allocations past
 * the max magnitude, 2^256-1 overflows).
 * The stream then goes through the core three times:
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
 * After every epoch of run 1 the invariants of issue 3 are asserted on the
 * book itself, whatever the model says: holders' shares plus queued shares
 * equal S; the value of the positions outside `claimable` at the epoch's last
 * prices equals A + D; every journal entry balances in every ledger; the
 * journal's running balances reproduce A, D, S, every holder, every queued
 * request and every position; nothing is negative.  The three runs must write
 * byte-identical reports (and final lines: holders, queue, points, exposure)
 * and identical journals.
 *
 * Workload: 12,000 events by default (40 streams of 300), a few seconds.
 * LRT_PROPERTY_EVENTS=N asks for about N events (at most 64 streams, longer
 * ones past that); LRT_PROPERTY_SEED=S changes every seed.  A failure names
 * the stream's seed, the epoch and the event.
 */
#include <stdio.h>  /* before gmp.h, for gmp_fprintf */

#include <check.h>
#include <gmp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrt/amount.h"
#include "lrt/book.h"
#include "lrt/error.h"
#include "lrt/event.h"
#include "lrt/product.h"
#include "lrt/scenario.h"

/* ---- limits -------------------------------------------------------------- */

#define DEFAULT_EVENTS 12000     /* issue 3: at least 10,000 in `make check` */
#define STREAM_EVENTS 300        /* events of one stream by default */
#define STREAM_MAX 64            /* past this, more events lengthen streams */
#define DEPOSITOR_COUNT 40       /* holders who deposit */
#define NAME_COUNT 43            /* the depositors and three fee recipients */
#define LOCATION_COUNT 5         /* buffer, three operators, claimable */
#define BUFFER 0
#define CLAIMABLE 4
#define ASSET_COUNT 5            /* every product has the five of a family */
#define LEDGER_SLOTS (ASSET_COUNT + 2)
#define RECIPIENT_MAX 3
#define ACCOUNT_BUCKETS 1021     /* journal accounts: a few hundred a stream */
#define SECONDS_PER_YEAR 31536000
#define GENESIS_TIME 1752192000  /* 2025-07-11T00:00:00Z */
#define DEFAULT_SEED UINT64_C(0x6c72742d70726f70)
#define AVS_COUNT 3              /* the AVSs that allocate and slash */
#define PROGRAM_COUNT 3          /* points programs a stream may name */
#define STRESS_MAX 4             /* what-if slashes on the final state */

/*
 * Check's ck_assert* records a mark point (a write to a file) each time it
 * passes; with hundreds of checks an event that dominated the run.  These
 * cost nothing until they fail.
 */
#define CHECK(condition, ...) \
	do { \
		if (!(condition)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
#define CHECK_OK(call) \
	do { \
		int check_rc_ = (call); \
		CHECK(check_rc_ == 0, "%s returned %d: %s", #call, check_rc_, lrt_error_last()); \
	} while (0)
#define CHECK_ALLOC(pointer) CHECK((pointer) != NULL, "out of memory: %s", #pointer)

static size_t stream_events = STREAM_EVENTS;
static uint64_t seed_base = DEFAULT_SEED;

/* ---- a seeded generator: splitmix64 ------------------------------------- */

typedef struct {
	uint64_t state;
} prng;

static uint64_t prng_next(prng *rng)
{
	uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* In [0, bound), 0 when bound is 0; the modulo bias does not matter here. */
static uint64_t prng_below(prng *rng, uint64_t bound)
{
	return bound == 0 ? 0 : prng_next(rng) % bound;
}

static bool prng_percent(prng *rng, unsigned percent)
{
	return prng_below(rng, 100) < percent;
}

/* A random integer in [0, bound); 0 when bound <= 0. */
static void prng_mpz_below(mpz_t out, prng *rng, const mpz_t bound)
{
	size_t words = mpz_sizeinbase(bound, 2) / 32 + 3;
	size_t i;

	mpz_set_ui(out, 0);
	if (mpz_sgn(bound) <= 0)
		return;
	for (i = 0; i < words; i++) {
		mpz_mul_2exp(out, out, 32);
		mpz_add_ui(out, out, (unsigned long)(prng_next(rng) >> 32));
	}
	mpz_fdiv_r(out, out, bound);
}

/* ---- the world: assets, holders, locations ------------------------------- */

typedef struct {
	const char *symbol;
	unsigned decimals;
	uint64_t price_base;     /* a typical price: price_base / 10^price_exp */
	unsigned price_exp;
	uint64_t typical_whole;  /* a typical deposit, in whole units */
} asset_spec;

/* The underlying first, the reward token last. */
static const asset_spec eth_family[ASSET_COUNT] = {
	{"ETH", 18, 1, 0, 40},
	{"stETH", 18, 999300, 6, 40},
	{"WBTC", 8, 215000, 4, 2},
	{"USDC", 6, 285714, 9, 100000},
	{"EIGEN", 18, 1211196, 9, 20000},
};

static const asset_spec sol_family[ASSET_COUNT] = {
	{"SOL", 9, 1, 0, 2000},
	{"JitoSOL", 9, 1254100, 6, 2000},
	{"mSOL", 9, 1310202, 6, 2000},
	{"USDC", 6, 6700000, 9, 100000},
	{"EIGEN", 18, 18000000, 9, 20000},
};

static const char *const locations[LOCATION_COUNT] = {
	"buffer", "p2p", "figment", "kiln", "claimable"
};

static const char *const reward_sources[] = {"consensus", "eigenda", "symbiotic"};
static const char *const slash_avss[] = {"eigenda", "symbiotic", "lagrange"};

static const char *const type_names[LRT_EVENT_TYPE_COUNT] = {
	"deposit", "withdraw", "transfer", "reward", "slash", "move", "swap",
	"price", "claim", "config", "accept", "allocate", "cancel", "attest"
};

/* Points programs, and the per_share_epoch rates a config may give them. */
static const char *const program_names[PROGRAM_COUNT] = {"season-1", "Drops", "eigen-pts"};
static const char *const program_rates[] = {
	"1", "0.5", "0.000000000000000001", "2.25", "0", "1000000",
	"0.333333333333333333", "17.000000000000000001"
};
#define PROGRAM_RATE_COUNT (sizeof(program_rates) / sizeof(program_rates[0]))

/* The operators in code-point order (indexes of `locations`), and the AVSs
 * of slash_avss in code-point order: the order of the exposure. */
static const int operators_sorted[3] = {2, 3, 1};      /* figment, kiln, p2p */
static const int avss_sorted[AVS_COUNT] = {0, 2, 1};   /* eigenda, lagrange, symbiotic */

/*
 * Holder names: plain words, lower-case addresses, an upper-case initial and
 * a non-ASCII one, so that the code-point order of the final line is tested.
 */
static char names[NAME_COUNT][48];

static void names_init(void)
{
	prng rng = {UINT64_C(42)};
	int i;

	for (i = 0; i < DEPOSITOR_COUNT; i++) {
		if (i % 4 == 0)
			snprintf(names[i], sizeof names[i], "0x%016" PRIx64 "%016" PRIx64 "%08" PRIx32,
				 prng_next(&rng), prng_next(&rng), (uint32_t)prng_next(&rng));
		else
			snprintf(names[i], sizeof names[i], "holder-%02d", i);
	}
	strcpy(names[1], "Zoe");
	strcpy(names[2], "alice");
	strcpy(names[3], "\xc3\xa9mile");
	strcpy(names[DEPOSITOR_COUNT], "treasury");
	strcpy(names[DEPOSITOR_COUNT + 1], "ops-multisig");
	strcpy(names[DEPOSITOR_COUNT + 2], "0x3c530ecfce36683947c8be77cee72c063ef0ef58");
}

static int name_index(const char *name)
{
	int i;

	for (i = 0; i < NAME_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static int location_index(const char *name)
{
	int i;

	for (i = 0; i < LOCATION_COUNT; i++)
		if (strcmp(locations[i], name) == 0)
			return i;
	return -1;
}

/* ---- the reference model (SPEC sections 2-5, naively) -------------------- */

typedef struct {
	const char *id;          /* the withdraw event's id (the stream owns it) */
	int holder;
	int64_t epoch;
	mpz_t shares, cap, payout;
	int state;               /* REQUEST_* */
} request;

enum { REQUEST_QUEUED, REQUEST_FINALIZED, REQUEST_CLAIMED, REQUEST_CANCELLED };

typedef struct {
	const char *id;          /* the stream owns the strings */
	int asset;
	const char *location;
	mpz_t observed;
} attestation;  /* an attest applied in the open epoch */

typedef struct {
	int asset;
	bool slash;
	mpz_t amount;
} flow;  /* a reward or slash applied in the open epoch */

typedef struct {
	/* the product; never changes */
	const asset_spec *assets;
	lrt_model kind;
	unsigned offset;
	int64_t epoch_seconds;
	mpz_t virtual_shares, virtual_assets, one_token, max;
	/* the policy */
	unsigned fee_bps;
	int recipient[RECIPIENT_MAX];
	unsigned recipient_bps[RECIPIENT_MAX];
	size_t recipient_count;
	int64_t delay_epochs;
	uint32_t max_apr_bps;
	bool fee_high_water_mark;
	bool program_in_force[PROGRAM_COUNT];
	mpz_t program_rate[PROGRAM_COUNT];  /* per_share_epoch * 10^18 */
	/* the state of the second edition */
	mpz_t wad;
	bool has_mark;
	mpq_t mark;              /* H */
	mpz_t max_magnitude[LOCATION_COUNT][ASSET_COUNT];
	mpz_t allocated[LOCATION_COUNT][ASSET_COUNT][AVS_COUNT];
	bool program_named[PROGRAM_COUNT];
	mpz_t points[PROGRAM_COUNT][NAME_COUNT];  /* exact sums: shares * rate */
	attestation *attests;
	size_t attest_count, attest_capacity;
	/* the state */
	int64_t epoch;
	mpz_t total_assets, total_shares, deferred;
	mpz_t holder[NAME_COUNT];
	mpz_t position[LOCATION_COUNT][ASSET_COUNT];
	mpq_t price[ASSET_COUNT];
	bool priced[ASSET_COUNT];
	request *requests;       /* queue order; [0, queue_head) no longer queued */
	size_t request_count, request_capacity, queue_head;
	flow *flows;
	size_t flow_count, flow_capacity;
} model;

/* What SPEC section 5 says the epoch's report holds. */
typedef struct {
	mpz_t total_assets, total_shares, rate, deferred;
	mpz_t rewards, slashed, revaluation, recognized, fee_value, fee_shares;
	mpz_t buffer, claimable;
	size_t *finalized;       /* model requests, in queue order */
	size_t finalized_count;
	mpz_t *reconciled_book;  /* `book` of each attest of the epoch */
	size_t reconciled_count;
} expected_report;

static void model_init(model *m, const asset_spec *assets, lrt_model kind,
		       unsigned offset, int64_t epoch_seconds)
{
	int a, l, h;

	memset(m, 0, sizeof *m);
	m->assets = assets;
	m->kind = kind;
	m->offset = offset;
	m->epoch_seconds = epoch_seconds;
	mpz_inits(m->virtual_shares, m->virtual_assets, m->one_token, m->max,
		  m->total_assets, m->total_shares, m->deferred, NULL);
	if (kind == LRT_MODEL_ERC4626) {
		mpz_ui_pow_ui(m->virtual_shares, 10, offset);
		mpz_set_ui(m->virtual_assets, 1);
	}
	mpz_ui_pow_ui(m->one_token, 10,
		      assets[0].decimals + (kind == LRT_MODEL_ERC4626 ? offset : 0));
	mpz_setbit(m->max, 256);
	mpz_sub_ui(m->max, m->max, 1);
	for (h = 0; h < NAME_COUNT; h++)
		mpz_init(m->holder[h]);
	for (l = 0; l < LOCATION_COUNT; l++)
		for (a = 0; a < ASSET_COUNT; a++)
			mpz_init(m->position[l][a]);
	for (a = 0; a < ASSET_COUNT; a++)
		mpq_init(m->price[a]);
	mpq_set_ui(m->price[0], 1, 1);
	m->priced[0] = true;
	mpz_init(m->wad);
	mpz_ui_pow_ui(m->wad, 10, 18);
	mpq_init(m->mark);
	for (l = 0; l < LOCATION_COUNT; l++) {
		for (a = 0; a < ASSET_COUNT; a++) {
			mpz_init_set(m->max_magnitude[l][a], m->wad);
			for (h = 0; h < AVS_COUNT; h++)
				mpz_init(m->allocated[l][a][h]);
		}
	}
	for (a = 0; a < PROGRAM_COUNT; a++) {
		mpz_init(m->program_rate[a]);
		for (h = 0; h < NAME_COUNT; h++)
			mpz_init(m->points[a][h]);
	}
}

static void model_clear(model *m)
{
	size_t i;
	int a, l, h;

	for (i = 0; i < m->request_count; i++)
		mpz_clears(m->requests[i].shares, m->requests[i].cap,
			   m->requests[i].payout, NULL);
	free(m->requests);
	for (i = 0; i < m->flow_capacity; i++)
		mpz_clear(m->flows[i].amount);
	free(m->flows);
	for (i = 0; i < m->attest_capacity; i++)
		mpz_clear(m->attests[i].observed);
	free(m->attests);
	for (a = 0; a < PROGRAM_COUNT; a++) {
		mpz_clear(m->program_rate[a]);
		for (h = 0; h < NAME_COUNT; h++)
			mpz_clear(m->points[a][h]);
	}
	for (l = 0; l < LOCATION_COUNT; l++) {
		for (a = 0; a < ASSET_COUNT; a++) {
			mpz_clear(m->max_magnitude[l][a]);
			for (h = 0; h < AVS_COUNT; h++)
				mpz_clear(m->allocated[l][a][h]);
		}
	}
	mpq_clear(m->mark);
	mpz_clear(m->wad);
	for (a = 0; a < ASSET_COUNT; a++)
		mpq_clear(m->price[a]);
	for (l = 0; l < LOCATION_COUNT; l++)
		for (a = 0; a < ASSET_COUNT; a++)
			mpz_clear(m->position[l][a]);
	for (h = 0; h < NAME_COUNT; h++)
		mpz_clear(m->holder[h]);
	mpz_clears(m->virtual_shares, m->virtual_assets, m->one_token, m->max,
		   m->total_assets, m->total_shares, m->deferred, NULL);
}

static int model_asset_index(const model *m, const char *symbol)
{
	int a;

	for (a = 0; a < ASSET_COUNT; a++)
		if (strcmp(m->assets[a].symbol, symbol) == 0)
			return a;
	return -1;
}

static bool model_fits(const model *m, const mpz_t x)
{
	return mpz_sgn(x) >= 0 && mpz_cmp(x, m->max) <= 0;
}

/* value(a, q) = floor(q * price * 10^dec_u / 10^dec_a); 0 without a price. */
static void model_value(mpz_t out, const model *m, int asset, const mpz_t amount)
{
	mpz_t numerator, denominator;

	if (!m->priced[asset]) {
		mpz_set_ui(out, 0);
		return;
	}
	mpz_inits(numerator, denominator, NULL);
	mpz_ui_pow_ui(numerator, 10, m->assets[0].decimals);
	mpz_mul(numerator, numerator, amount);
	mpz_mul(numerator, numerator, mpq_numref(m->price[asset]));
	mpz_ui_pow_ui(denominator, 10, m->assets[asset].decimals);
	mpz_mul(denominator, denominator, mpq_denref(m->price[asset]));
	mpz_fdiv_q(out, numerator, denominator);
	mpz_clears(numerator, denominator, NULL);
}

/* to_shares(v); false where SPEC leaves it undefined (plain, S > 0, A = 0). */
static bool model_to_shares(mpz_t out, const model *m, const mpz_t value)
{
	mpz_t numerator, denominator;

	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0) {
		mpz_set(out, value);
		return true;
	}
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_assets) == 0)
		return false;
	mpz_inits(numerator, denominator, NULL);
	mpz_add(numerator, m->total_shares, m->virtual_shares);
	mpz_mul(numerator, numerator, value);
	mpz_add(denominator, m->total_assets, m->virtual_assets);
	mpz_fdiv_q(out, numerator, denominator);
	mpz_clears(numerator, denominator, NULL);
	return true;
}

/* to_assets(s) at (assets, shares); 0 when shares + VS = 0. */
static void model_to_assets(mpz_t out, const model *m, const mpz_t s,
			    const mpz_t assets, const mpz_t shares)
{
	mpz_t numerator, denominator;

	mpz_inits(numerator, denominator, NULL);
	mpz_add(denominator, shares, m->virtual_shares);
	if (mpz_sgn(denominator) == 0) {
		mpz_set_ui(out, 0);
	} else {
		mpz_add(numerator, assets, m->virtual_assets);
		mpz_mul(numerator, numerator, s);
		mpz_fdiv_q(out, numerator, denominator);
	}
	mpz_clears(numerator, denominator, NULL);
}

static void model_record_flow(model *m, int asset, bool slash, const mpz_t amount)
{
	if (m->flow_count == m->flow_capacity) {
		size_t capacity = m->flow_capacity ? 2 * m->flow_capacity : 16;
		size_t i;

		m->flows = realloc(m->flows, capacity * sizeof *m->flows);
		CHECK_ALLOC(m->flows);
		for (i = m->flow_capacity; i < capacity; i++)
			mpz_init(m->flows[i].amount);
		m->flow_capacity = capacity;
	}
	m->flows[m->flow_count].asset = asset;
	m->flows[m->flow_count].slash = slash;
	mpz_set(m->flows[m->flow_count].amount, amount);
	m->flow_count++;
}

static bool model_deposit(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int h = name_index(e->holder);
	mpz_t value, shares, sum;
	bool ok;

	if (a < 0 || h < 0 || !m->priced[a])
		return false;
	mpz_inits(value, shares, sum, NULL);
	model_value(value, m, a, e->amount);
	ok = model_to_shares(shares, m, value) && mpz_sgn(shares) > 0;
	mpz_add(sum, m->total_assets, value);
	ok = ok && model_fits(m, sum);
	mpz_add(sum, m->total_shares, shares);
	ok = ok && model_fits(m, sum);
	mpz_add(sum, m->position[BUFFER][a], e->amount);
	ok = ok && model_fits(m, sum);
	if (ok) {
		mpz_add(m->total_assets, m->total_assets, value);
		mpz_add(m->total_shares, m->total_shares, shares);
		mpz_add(m->holder[h], m->holder[h], shares);
		mpz_add(m->position[BUFFER][a], m->position[BUFFER][a], e->amount);
	}
	mpz_clears(value, shares, sum, NULL);
	return ok;
}

static bool model_withdraw(model *m, const lrt_event *e)
{
	int h = name_index(e->holder);
	request *r;

	if (h < 0 || mpz_sgn(e->amount) == 0 || mpz_cmp(e->amount, m->holder[h]) > 0)
		return false;
	if (m->request_count == m->request_capacity) {
		m->request_capacity = m->request_capacity ? 2 * m->request_capacity : 16;
		m->requests = realloc(m->requests,
				      m->request_capacity * sizeof *m->requests);
		CHECK_ALLOC(m->requests);
	}
	r = &m->requests[m->request_count++];
	r->id = e->id;
	r->holder = h;
	r->epoch = m->epoch;
	r->state = REQUEST_QUEUED;
	mpz_inits(r->shares, r->cap, r->payout, NULL);
	mpz_set(r->shares, e->amount);
	model_to_assets(r->cap, m, e->amount, m->total_assets, m->total_shares);
	mpz_sub(m->holder[h], m->holder[h], e->amount);
	return true;
}

static bool model_transfer(model *m, const lrt_event *e)
{
	int from = name_index(e->from);
	int to = name_index(e->to);

	if (from < 0 || to < 0 || mpz_sgn(e->amount) == 0 ||
	    mpz_cmp(e->amount, m->holder[from]) > 0)
		return false;
	mpz_sub(m->holder[from], m->holder[from], e->amount);
	mpz_add(m->holder[to], m->holder[to], e->amount);
	return true;
}

/* position (a, l) += amount when it fits; false otherwise. */
static bool model_position_add(model *m, int l, int a, const mpz_t amount)
{
	mpz_t sum;
	bool ok;

	mpz_init(sum);
	mpz_add(sum, m->position[l][a], amount);
	ok = model_fits(m, sum);
	if (ok)
		mpz_set(m->position[l][a], sum);
	mpz_clear(sum);
	return ok;
}

static bool model_reward(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);

	if (a < 0 || l < 0 || l == CLAIMABLE || !model_position_add(m, l, a, e->amount))
		return false;
	model_record_flow(m, a, false, e->amount);
	return true;
}

static int avs_index(const char *name)
{
	int i;

	for (i = 0; i < AVS_COUNT; i++)
		if (strcmp(slash_avss[i], name) == 0)
			return i;
	return -1;
}

/*
 * A slash by wad: d = ceil(a * wad / WAD); a -= d; M1 = M - d; the position
 * q becomes ceil(q * M1 / M) (unchanged when M = 0); M = M1.  The loss is
 * kept as the epoch's slash.
 */
static void model_slash_wad(model *m, int l, int a, int avs, const mpz_t wad)
{
	mpz_t d, m1, left, loss;

	if (avs < 0)
		return;  /* an AVS the model never allocates: a = 0, d = 0 */
	mpz_inits(d, m1, left, loss, NULL);
	mpz_mul(d, m->allocated[l][a][avs], wad);
	mpz_cdiv_q(d, d, m->wad);
	mpz_sub(m->allocated[l][a][avs], m->allocated[l][a][avs], d);
	mpz_sub(m1, m->max_magnitude[l][a], d);
	if (mpz_sgn(m->max_magnitude[l][a]) > 0) {
		mpz_mul(left, m->position[l][a], m1);
		mpz_cdiv_q(left, left, m->max_magnitude[l][a]);
		mpz_sub(loss, m->position[l][a], left);
		mpz_set(m->position[l][a], left);
		if (mpz_sgn(loss) > 0)
			model_record_flow(m, a, true, loss);
	}
	mpz_set(m->max_magnitude[l][a], m1);
	mpz_clears(d, m1, left, loss, NULL);
}

static bool model_slash(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);

	if (a < 0 || l < 0 || l == CLAIMABLE || l == BUFFER)
		return false;
	if (e->by_wad) {
		model_slash_wad(m, l, a, avs_index(e->source), e->amount);
		return true;
	}
	if (mpz_cmp(m->position[l][a], e->amount) < 0)
		return false;
	mpz_sub(m->position[l][a], m->position[l][a], e->amount);
	model_record_flow(m, a, true, e->amount);
	return true;
}

static bool model_move(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int from = location_index(e->from);
	int to = location_index(e->to);

	if (a < 0 || from < 0 || to < 0 || from == CLAIMABLE || to == CLAIMABLE ||
	    mpz_cmp(m->position[from][a], e->amount) < 0)
		return false;
	if (from == to)
		return true;
	if (!model_position_add(m, to, a, e->amount))
		return false;
	mpz_sub(m->position[from][a], m->position[from][a], e->amount);
	return true;
}

static bool model_swap(model *m, const lrt_event *e)
{
	int in = model_asset_index(m, e->asset);
	int out = model_asset_index(m, e->asset_out);
	int l = location_index(e->location);

	/* The generator never swaps an asset for itself. */
	if (in < 0 || out < 0 || l < 0 || l == CLAIMABLE ||
	    mpz_cmp(m->position[l][in], e->amount) < 0)
		return false;
	if (!model_position_add(m, l, out, e->amount_out))
		return false;
	mpz_sub(m->position[l][in], m->position[l][in], e->amount);
	return true;
}

static bool model_price(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);

	if (a <= 0)
		return false;
	mpq_set(m->price[a], e->price);
	m->priced[a] = true;
	return true;
}

static request *model_find_request(model *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->request_count; i++)
		if (strcmp(m->requests[i].id, id) == 0)
			return &m->requests[i];
	return NULL;
}

static bool model_claim(model *m, const lrt_event *e)
{
	request *r = model_find_request(m, e->request);

	if (r == NULL || r->state != REQUEST_FINALIZED)
		return false;
	CHECK(mpz_cmp(m->position[CLAIMABLE][0], r->payout) >= 0, "model: claimable short of %s", r->id);
	mpz_sub(m->position[CLAIMABLE][0], m->position[CLAIMABLE][0], r->payout);
	r->state = REQUEST_CLAIMED;
	return true;
}

static bool model_cancel(model *m, const lrt_event *e)
{
	request *r = model_find_request(m, e->request);

	if (r == NULL || r->state != REQUEST_QUEUED)
		return false;
	mpz_add(m->holder[r->holder], m->holder[r->holder], r->shares);
	r->state = REQUEST_CANCELLED;
	return true;
}

/* Sets a(op, asset, avs); the sum over the AVSs may reach M, not pass it. */
static bool model_allocate(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);
	int avs = avs_index(e->source);
	mpz_t sum;
	bool ok;
	int i;

	CHECK(avs >= 0, "the generator allocates to an unknown AVS %s", e->source);
	if (a < 0 || l < 0 || l == CLAIMABLE || l == BUFFER)
		return false;
	mpz_init_set(sum, e->amount);
	for (i = 0; i < AVS_COUNT; i++)
		if (i != avs)
			mpz_add(sum, sum, m->allocated[l][a][i]);
	ok = mpz_cmp(sum, m->max_magnitude[l][a]) <= 0;
	if (ok)
		mpz_set(m->allocated[l][a][avs], e->amount);
	mpz_clear(sum);
	return ok;
}

/* Kept for step 8; the location may be one the model never uses. */
static bool model_attest(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	attestation *t;

	if (a < 0)
		return false;
	if (m->attest_count == m->attest_capacity) {
		size_t capacity = m->attest_capacity ? 2 * m->attest_capacity : 8;
		size_t i;

		m->attests = realloc(m->attests, capacity * sizeof *m->attests);
		CHECK_ALLOC(m->attests);
		for (i = m->attest_capacity; i < capacity; i++)
			mpz_init(m->attests[i].observed);
		m->attest_capacity = capacity;
	}
	t = &m->attests[m->attest_count++];
	t->id = e->id;
	t->asset = a;
	t->location = e->location;
	mpz_set(t->observed, e->amount);
	return true;
}

static int program_index(const char *name)
{
	int i;

	for (i = 0; i < PROGRAM_COUNT; i++)
		if (strcmp(program_names[i], name) == 0)
			return i;
	return -1;
}

/* per_share_epoch [0-9]+(.[0-9]{1,18})? as the integer rate * 10^18. */
static void rate_scaled(mpz_t out, const char *text)
{
	const char *dot = strchr(text, '.');
	char digits[80];
	size_t whole = dot ? (size_t)(dot - text) : strlen(text);
	size_t fraction = dot ? strlen(dot + 1) : 0;

	CHECK(whole + 18 < sizeof digits && fraction <= 18, "bad rate %s", text);
	memcpy(digits, text, whole);
	memcpy(digits + whole, dot ? dot + 1 : "", fraction);
	memset(digits + whole + fraction, '0', 18 - fraction);
	digits[whole + 18] = '\0';
	CHECK(mpz_set_str(out, digits, 10) == 0, "bad rate %s", text);
}

/* The programs of a policy become the ones in force. */
static void model_set_programs(model *m, const lrt_points_program *list, size_t count)
{
	size_t i;
	int p;

	for (p = 0; p < PROGRAM_COUNT; p++)
		m->program_in_force[p] = false;
	for (i = 0; i < count; i++) {
		p = program_index(list[i].name);
		CHECK(p >= 0, "the generator named program %s", list[i].name);
		m->program_in_force[p] = m->program_named[p] = true;
		rate_scaled(m->program_rate[p], list[i].per_share_epoch);
	}
}

static bool model_config(model *m, const lrt_event *e)
{
	size_t i;

	if (e->config_mask & LRT_CONFIG_FEE_BPS)
		m->fee_bps = e->config.fee_bps;
	if (e->config_mask & LRT_CONFIG_FEE_RECIPIENTS) {
		m->recipient_count = e->config.fee_recipient_count;
		for (i = 0; i < m->recipient_count; i++) {
			m->recipient[i] = name_index(e->config.fee_recipients[i].holder);
			m->recipient_bps[i] = e->config.fee_recipients[i].bps;
		}
	}
	if (e->config_mask & LRT_CONFIG_DELAY_EPOCHS)
		m->delay_epochs = e->config.delay_epochs;
	if (e->config_mask & LRT_CONFIG_MAX_APR_BPS)
		m->max_apr_bps = e->config.max_apr_bps;
	if (e->config_mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
		m->fee_high_water_mark = e->config.fee_high_water_mark;
	if (e->config_mask & LRT_CONFIG_POINTS)
		model_set_programs(m, e->config.points, e->config.points_count);
	return true;
}

/* Applies one event as SPEC section 3 says; false when section 4 rejects it. */
static bool model_apply(model *m, const lrt_event *e)
{
	switch (e->type) {
	case LRT_EVENT_DEPOSIT: return model_deposit(m, e);
	case LRT_EVENT_WITHDRAW: return model_withdraw(m, e);
	case LRT_EVENT_TRANSFER: return model_transfer(m, e);
	case LRT_EVENT_REWARD: return model_reward(m, e);
	case LRT_EVENT_SLASH: return model_slash(m, e);
	case LRT_EVENT_MOVE: return model_move(m, e);
	case LRT_EVENT_SWAP: return model_swap(m, e);
	case LRT_EVENT_PRICE: return model_price(m, e);
	case LRT_EVENT_CLAIM: return model_claim(m, e);
	case LRT_EVENT_CONFIG: return model_config(m, e);
	case LRT_EVENT_ACCEPT: return true;
	case LRT_EVENT_ALLOCATE: return model_allocate(m, e);
	case LRT_EVENT_CANCEL: return model_cancel(m, e);
	case LRT_EVENT_ATTEST: return model_attest(m, e);
	default: ck_abort_msg("unknown event type %d", (int)e->type);
	}
	return false;
}

static void expected_init(expected_report *x)
{
	mpz_inits(x->total_assets, x->total_shares, x->rate, x->deferred,
		  x->rewards, x->slashed, x->revaluation, x->recognized,
		  x->fee_value, x->fee_shares, x->buffer, x->claimable, NULL);
	x->finalized = NULL;
	x->finalized_count = 0;
	x->reconciled_book = NULL;
	x->reconciled_count = 0;
}

static void expected_clear(expected_report *x)
{
	mpz_clears(x->total_assets, x->total_shares, x->rate, x->deferred,
		   x->rewards, x->slashed, x->revaluation, x->recognized,
		   x->fee_value, x->fee_shares, x->buffer, x->claimable, NULL);
	for (size_t i = 0; i < x->reconciled_count; i++)
		mpz_clear(x->reconciled_book[i]);
	free(x->reconciled_book);
	free(x->finalized);
}

/* Step 1: P, G, and R, L, V for the report. */
static void model_value_step(mpz_t gain, expected_report *x, const model *m)
{
	mpz_t value, total;
	size_t i;
	int a, l;

	mpz_inits(value, total, NULL);
	for (l = 0; l < LOCATION_COUNT; l++) {
		if (l == CLAIMABLE)
			continue;
		for (a = 0; a < ASSET_COUNT; a++) {
			model_value(value, m, a, m->position[l][a]);
			mpz_add(total, total, value);
		}
	}
	mpz_sub(gain, total, m->deferred);
	mpz_sub(gain, gain, m->total_assets);
	for (i = 0; i < m->flow_count; i++) {
		model_value(value, m, m->flows[i].asset, m->flows[i].amount);
		mpz_add(m->flows[i].slash ? x->slashed : x->rewards,
			m->flows[i].slash ? x->slashed : x->rewards, value);
	}
	mpz_sub(x->revaluation, gain, x->rewards);
	mpz_add(x->revaluation, x->revaluation, x->slashed);
	mpz_clears(value, total, NULL);
}

/* Steps 2 and 3: smoothing, then the fee; leaves A1 and S1 in the model. */
static void model_recognize_step(model *m, expected_report *x, const mpz_t gain)
{
	mpz_t available, cap, numerator, denominator, part, given;
	size_t i;

	mpz_inits(available, cap, numerator, denominator, part, given, NULL);
	mpz_add(available, gain, m->deferred);
	mpz_set(x->recognized, available);
	if (m->max_apr_bps > 0 && mpz_sgn(available) > 0) {
		mpz_mul_ui(cap, m->total_assets, m->max_apr_bps);
		mpz_mul_ui(cap, cap, (unsigned long)m->epoch_seconds);
		mpz_fdiv_q_ui(cap, cap, 10000UL * SECONDS_PER_YEAR);
		if (mpz_cmp(cap, available) < 0)
			mpz_set(x->recognized, cap);
	}
	mpz_sub(m->deferred, available, x->recognized);
	/* B = max(I, 0), or with the mark max(0, min(I, A1 + VA -
	 * ceil(H * (Srun + VS)))) */
	mpz_set(part, x->recognized);
	if (m->fee_high_water_mark && m->has_mark) {
		mpz_add(numerator, m->total_shares, m->virtual_shares);
		mpz_mul(numerator, numerator, mpq_numref(m->mark));
		mpz_cdiv_q(numerator, numerator, mpq_denref(m->mark));
		mpz_add(given, m->total_assets, x->recognized);
		mpz_add(given, given, m->virtual_assets);
		mpz_sub(given, given, numerator);
		if (mpz_cmp(given, part) < 0)
			mpz_set(part, given);
	}
	if (mpz_sgn(part) > 0) {
		mpz_mul_ui(x->fee_value, part, m->fee_bps);
		mpz_fdiv_q_ui(x->fee_value, x->fee_value, 10000);
	}
	mpz_set_ui(given, 0);
	mpz_add(m->total_assets, m->total_assets, x->recognized);
	if (mpz_sgn(x->fee_value) > 0) {
		mpz_add(numerator, m->total_shares, m->virtual_shares);
		mpz_mul(numerator, numerator, x->fee_value);
		mpz_add(denominator, m->total_assets, m->virtual_assets);
		mpz_sub(denominator, denominator, x->fee_value);
		mpz_fdiv_q(x->fee_shares, numerator, denominator);
	}
	mpz_add(m->total_shares, m->total_shares, x->fee_shares);
	for (i = 0; i < m->recipient_count; i++) {
		mpz_mul_ui(part, x->fee_shares, m->recipient_bps[i]);
		mpz_fdiv_q_ui(part, part, 10000);
		mpz_add(m->holder[m->recipient[i]], m->holder[m->recipient[i]], part);
		mpz_add(given, given, part);
	}
	mpz_sub(part, x->fee_shares, given);
	mpz_add(m->holder[m->recipient[0]], m->holder[m->recipient[0]], part);
	mpz_clears(available, cap, numerator, denominator, part, given, NULL);
}

/* Step 5: FIFO finalization at the batch rate of (A1, S1). */
static void model_finalize_step(model *m, expected_report *x)
{
	mpz_t a1, s1, payout, paid, burnt, sum;
	request *r;

	mpz_inits(a1, s1, payout, paid, burnt, sum, NULL);
	mpz_set(a1, m->total_assets);
	mpz_set(s1, m->total_shares);
	x->finalized = calloc(m->request_count + 1, sizeof *x->finalized);
	CHECK_ALLOC(x->finalized);
	while (m->queue_head < m->request_count) {
		r = &m->requests[m->queue_head];
		if (r->state == REQUEST_CANCELLED) {
			m->queue_head++;  /* left the queue */
			continue;
		}
		if (r->epoch + m->delay_epochs > m->epoch)
			break;
		model_to_assets(payout, m, r->shares, a1, s1);
		if (mpz_cmp(r->cap, payout) < 0)
			mpz_set(payout, r->cap);
		mpz_add(sum, paid, payout);
		if (mpz_cmp(sum, m->position[BUFFER][0]) > 0)
			break;
		mpz_set(paid, sum);
		mpz_add(burnt, burnt, r->shares);
		mpz_set(r->payout, payout);
		r->state = REQUEST_FINALIZED;
		x->finalized[x->finalized_count++] = m->queue_head;
		m->queue_head++;
	}
	mpz_sub(m->total_assets, m->total_assets, paid);
	mpz_sub(m->total_shares, m->total_shares, burnt);
	mpz_sub(m->position[BUFFER][0], m->position[BUFFER][0], paid);
	mpz_add(m->position[CLAIMABLE][0], m->position[CLAIMABLE][0], paid);
	mpz_clears(a1, s1, payout, paid, burnt, sum, NULL);
}

/* Step 8, before step 5: the position each attest names, 0 for none. */
static void model_reconcile_step(const model *m, expected_report *x)
{
	size_t i;

	x->reconciled_book = calloc(m->attest_count + 1, sizeof *x->reconciled_book);
	CHECK_ALLOC(x->reconciled_book);
	for (i = 0; i < m->attest_count; i++) {
		int l = location_index(m->attests[i].location);

		mpz_init(x->reconciled_book[i]);
		x->reconciled_count = i + 1;
		if (l >= 0)
			mpz_set(x->reconciled_book[i], m->position[l][m->attests[i].asset]);
	}
}

/* Step 6: H = max(H, (A2 + VA) / (S2 + VS)) when S2 + VS > 0. */
static void model_mark_step(model *m)
{
	mpq_t ratio;

	mpq_init(ratio);
	mpz_add(mpq_denref(ratio), m->total_shares, m->virtual_shares);
	if (mpz_sgn(mpq_denref(ratio)) > 0) {
		mpz_add(mpq_numref(ratio), m->total_assets, m->virtual_assets);
		mpq_canonicalize(ratio);
		if (!m->has_mark || mpq_cmp(ratio, m->mark) > 0)
			mpq_set(m->mark, ratio);
		m->has_mark = true;
	}
	mpq_clear(ratio);
}

/* Step 7, naively: every holder, every program in force. */
static void model_points_step(model *m)
{
	int p, h;

	for (p = 0; p < PROGRAM_COUNT; p++) {
		if (!m->program_in_force[p])
			continue;
		for (h = 0; h < NAME_COUNT; h++)
			mpz_addmul(m->points[p][h], m->holder[h], m->program_rate[p]);
	}
}

/* Settles the model's open epoch (the guard is never set here). */
static void model_settle(model *m, expected_report *x)
{
	mpz_t gain;

	mpz_init(gain);
	model_value_step(gain, x, m);
	model_recognize_step(m, x, gain);
	model_reconcile_step(m, x);
	model_finalize_step(m, x);
	model_mark_step(m);
	model_points_step(m);
	mpz_set(x->total_assets, m->total_assets);
	mpz_set(x->total_shares, m->total_shares);
	mpz_set(x->deferred, m->deferred);
	mpz_set(x->buffer, m->position[BUFFER][0]);
	mpz_set(x->claimable, m->position[CLAIMABLE][0]);
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0)
		mpz_set_ui(x->rate, 0);
	else
		model_to_assets(x->rate, m, m->one_token, m->total_assets,
				m->total_shares);
	m->flow_count = 0;  /* the caller clears the attests once checked */
	mpz_clear(gain);
}

/* ---- the journal, checked line by line ----------------------------------- */

typedef struct account {
	struct account *next;
	int ledger;
	lrt_account_kind kind;
	char *name;              /* NULL when the lines had none */
	mpz_t balance;
} account;

typedef struct {
	account *bucket[ACCOUNT_BUCKETS];
	size_t asset_count;
	size_t line_count;
	uint64_t digest;         /* FNV-1a of every line, to compare runs */
	bool strict;             /* check epochs and event ids of lines */
	const char *current_id;  /* the event being applied; NULL while settling */
	int64_t epoch;
	bool entry_open, any_entry;
	uint64_t entry;
	mpz_t entry_sum[LEDGER_SLOTS];
} journal;

static uint64_t fnv_bytes(uint64_t hash, const void *data, size_t length)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < length; i++) {
		hash ^= p[i];
		hash *= UINT64_C(0x100000001b3);
	}
	return hash;
}

static uint64_t fnv_string(uint64_t hash, const char *text)
{
	return text ? fnv_bytes(hash, text, strlen(text) + 1) : fnv_bytes(hash, "", 0) ^ 1;
}

static uint64_t fnv_mpz(uint64_t hash, const mpz_t x)
{
	size_t i, size = mpz_size(x);
	int sign = mpz_sgn(x);

	hash = fnv_bytes(hash, &sign, sizeof sign);
	for (i = 0; i < size; i++) {
		mp_limb_t limb = mpz_getlimbn(x, i);

		hash = fnv_bytes(hash, &limb, sizeof limb);
	}
	return hash;
}

static void journal_init(journal *j, size_t asset_count, bool strict)
{
	int i;

	memset(j, 0, sizeof *j);
	j->asset_count = asset_count;
	j->strict = strict;
	j->digest = UINT64_C(0xcbf29ce484222325);
	for (i = 0; i < LEDGER_SLOTS; i++)
		mpz_init(j->entry_sum[i]);
}

static void journal_clear(journal *j)
{
	account *a, *next;
	int i;

	for (i = 0; i < ACCOUNT_BUCKETS; i++) {
		for (a = j->bucket[i]; a != NULL; a = next) {
			next = a->next;
			mpz_clear(a->balance);
			free(a->name);
			free(a);
		}
	}
	for (i = 0; i < LEDGER_SLOTS; i++)
		mpz_clear(j->entry_sum[i]);
}

static bool same_name(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* The account (ledger, kind, name), made on first use when `create`. */
static account *journal_account(journal *j, int ledger, lrt_account_kind kind,
				const char *name, bool create)
{
	uint64_t hash = fnv_string(UINT64_C(0xcbf29ce484222325), name);
	account **slot, *a;

	hash = fnv_bytes(hash, &ledger, sizeof ledger);
	hash = fnv_bytes(hash, &kind, sizeof kind);
	slot = &j->bucket[hash % ACCOUNT_BUCKETS];
	for (a = *slot; a != NULL; a = a->next)
		if (a->ledger == ledger && a->kind == kind && same_name(a->name, name))
			return a;
	if (!create)
		return NULL;
	a = calloc(1, sizeof *a);
	CHECK_ALLOC(a);
	a->ledger = ledger;
	a->kind = kind;
	a->name = name ? strdup(name) : NULL;
	mpz_init(a->balance);
	a->next = *slot;
	*slot = a;
	return a;
}

static void journal_balance(mpz_t out, journal *j, int ledger,
			    lrt_account_kind kind, const char *name)
{
	account *a = journal_account(j, ledger, kind, name, false);

	if (a)
		mpz_set(out, a->balance);
	else
		mpz_set_ui(out, 0);
}

/* The sum of every account of one kind in one ledger, and how many are non-zero. */
static size_t journal_kind_total(mpz_t out, const journal *j, int ledger,
				 lrt_account_kind kind)
{
	size_t nonzero = 0;
	account *a;
	int i;

	mpz_set_ui(out, 0);
	for (i = 0; i < ACCOUNT_BUCKETS; i++) {
		for (a = j->bucket[i]; a != NULL; a = a->next) {
			if (a->kind != kind || (ledger != INT32_MIN && a->ledger != ledger))
				continue;
			mpz_add(out, out, a->balance);
			nonzero += mpz_sgn(a->balance) != 0;
		}
	}
	return nonzero;
}

/* Ends the open entry: in every ledger its lines must sum to zero. */
static void journal_close_entry(journal *j)
{
	int i;

	if (!j->entry_open)
		return;
	for (i = 0; i < LEDGER_SLOTS; i++) {
		CHECK(mpz_sgn(j->entry_sum[i]) == 0,
			      "journal entry %" PRIu64 " (epoch %" PRId64 ") does not balance in ledger %d: sum %s",
			      j->entry, j->epoch, i - 2, mpz_get_str(NULL, 10, j->entry_sum[i]));
	}
	j->entry_open = false;
}

static bool kind_fits_ledger(lrt_account_kind kind, int ledger)
{
	switch (kind) {
	case LRT_ACCOUNT_HOLDER:
	case LRT_ACCOUNT_QUEUE:
	case LRT_ACCOUNT_ISSUED:
		return ledger == LRT_LEDGER_SHARES;
	case LRT_ACCOUNT_POSITION:
	case LRT_ACCOUNT_DEPOSITS:
	case LRT_ACCOUNT_REWARDS:
	case LRT_ACCOUNT_SLASHES:
	case LRT_ACCOUNT_SWAPS:
	case LRT_ACCOUNT_CLAIMS:
		return ledger >= 0;
	case LRT_ACCOUNT_TOTAL_ASSETS:
	case LRT_ACCOUNT_DEFERRED:
	case LRT_ACCOUNT_CONTRIBUTED:
	case LRT_ACCOUNT_GAINS:
	case LRT_ACCOUNT_REDEEMED:
		return ledger == LRT_LEDGER_BOOK;
	default:
		return false;
	}
}

/* One side of a journal transfer, as a signed line: the debited account
 * gets +amount, the credited one -amount. */
typedef struct {
	uint64_t entry;
	int64_t epoch;
	const char *event_id;
	const char *step;
	int ledger;
	lrt_account_kind kind;
	const char *name;
	const mpz_t *amount;
} journal_line;

static void journal_check_line(const journal *j, const journal_line *line)
{
	CHECK(line->amount != NULL && mpz_sgn(*line->amount) != 0,
		      "journal entry %" PRIu64 " has a line of amount zero", line->entry);
	CHECK(line->ledger >= LRT_LEDGER_BOOK && line->ledger < (int)j->asset_count,
		      "journal entry %" PRIu64 ": ledger %d out of range", line->entry, line->ledger);
	CHECK(kind_fits_ledger(line->kind, line->ledger),
		      "journal entry %" PRIu64 ": account kind %d in ledger %d",
		      line->entry, (int)line->kind, line->ledger);
	CHECK(line->step != NULL, "journal entry %" PRIu64 " has no step", line->entry);
	if (!j->strict)
		return;
	CHECK(line->epoch == j->epoch, "journal entry %" PRIu64 ": epoch %" PRId64
		      ", expected %" PRId64, line->entry, line->epoch, j->epoch);
	if (j->current_id == NULL)
		CHECK(line->event_id == NULL, "settlement entry %" PRIu64
			      " (%s) names event %s", line->entry, line->step, line->event_id);
	else
		CHECK(line->event_id != NULL && strcmp(line->event_id, j->current_id) == 0,
			      "journal entry %" PRIu64 " written while applying %s names %s",
			      line->entry, j->current_id, line->event_id ? line->event_id : "no event");
}

static void journal_leg(void *context, const journal_line *line)
{
	journal *j = context;
	account *a;
	uint64_t h = j->digest;

	journal_check_line(j, line);
	if (!j->entry_open || line->entry != j->entry) {
		journal_close_entry(j);
		CHECK(!j->any_entry || line->entry > j->entry,
			      "journal entry %" PRIu64 " follows entry %" PRIu64,
			      line->entry, j->entry);
		j->entry = line->entry;
		j->entry_open = j->any_entry = true;
	}
	mpz_add(j->entry_sum[line->ledger + 2], j->entry_sum[line->ledger + 2], *line->amount);
	a = journal_account(j, line->ledger, line->kind, line->name, true);
	mpz_add(a->balance, a->balance, *line->amount);
	h = fnv_bytes(h, &line->entry, sizeof line->entry);
	h = fnv_bytes(h, &line->epoch, sizeof line->epoch);
	h = fnv_string(h, line->event_id);
	h = fnv_string(h, line->step);
	h = fnv_bytes(h, &line->ledger, sizeof line->ledger);
	h = fnv_bytes(h, &line->kind, sizeof line->kind);
	h = fnv_string(h, line->name);
	j->digest = fnv_mpz(h, *line->amount);
	j->line_count++;
}

static void journal_sink(void *context, const lrt_journal_transfer *t)
{
	journal_line line = {t->entry, t->epoch, t->event_id, t->step, t->ledger,
			     t->debit_kind, t->debit_name, t->amount};
	mpz_t negative;

	CHECK(mpz_sgn(*t->amount) > 0, "journal entry %" PRIu64 ": a transfer of %s",
	      t->entry, mpz_sgn(*t->amount) == 0 ? "zero" : "a negative amount");
	CHECK(t->debit_kind != t->credit_kind || t->debit_name == NULL
	      || t->credit_name == NULL || strcmp(t->debit_name, t->credit_name) != 0,
	      "journal entry %" PRIu64 ": a transfer from an account to itself", t->entry);
	journal_leg(context, &line);
	mpz_init(negative);
	mpz_neg(negative, *t->amount);
	line.kind = t->credit_kind;
	line.name = t->credit_name;
	line.amount = (const mpz_t *)&negative;
	journal_leg(context, &line);
	mpz_clear(negative);
}

/* ---- a stream -------------------------------------------------------------- */

typedef struct {
	lrt_event event;
	const char *price_text;  /* the price as written in the JSON line */
	int time_form;           /* 0 epoch, 1 Unix time, 2 ISO time, 3 both */
	int64_t time;
	bool extra_field;        /* an unknown field, kept and ignored */
	bool applied;            /* the outcome in run 1 */
} recorded;

typedef struct {
	int index;
	uint64_t seed;
	prng rng;
	size_t target_events;
	lrt_product product;
	model m;
	int64_t epoch_seconds;
	size_t mean_per_epoch;
	recorded *events;
	size_t event_count, event_capacity;
	void **owned;            /* strings and arrays made for the events */
	size_t owned_count, owned_capacity;
	char *output[3];         /* reports and final line of each run */
	size_t output_length[3];
	uint64_t digest[3];
	size_t applied, rejected;
	size_t applied_by_type[LRT_EVENT_TYPE_COUNT], rejected_by_type[LRT_EVENT_TYPE_COUNT];
	size_t wad_losses;       /* slashes by wad that took something */
	int64_t last_epoch;
} stream;

static void *stream_keep(stream *s, void *p)
{
	CHECK_ALLOC(p);
	if (s->owned_count == s->owned_capacity) {
		s->owned_capacity = s->owned_capacity ? 2 * s->owned_capacity : 64;
		s->owned = realloc(s->owned, s->owned_capacity * sizeof *s->owned);
		CHECK_ALLOC(s->owned);
	}
	s->owned[s->owned_count++] = p;
	return p;
}

static char *stream_printf(stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *stream_printf(stream *s, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	CHECK_ALLOC(out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	CHECK_OK(fclose(out));
	return stream_keep(s, text);
}

static recorded *stream_new_event(stream *s, int64_t epoch)
{
	recorded *r;

	if (s->event_count == s->event_capacity) {
		s->event_capacity = s->event_capacity ? 2 * s->event_capacity : 256;
		s->events = realloc(s->events, s->event_capacity * sizeof *s->events);
		CHECK_ALLOC(s->events);
	}
	r = &s->events[s->event_count++];
	memset(r, 0, sizeof *r);
	lrt_event_init(&r->event);
	r->event.epoch = epoch;
	return r;
}

/* `, "points": [...]` of a product or a config. */
static void write_programs_json(FILE *out, const lrt_points_program *list, size_t count)
{
	size_t i;

	fputs(", \"points\": [", out);
	for (i = 0; i < count; i++)
		fprintf(out, "%s{\"name\": \"%s\", \"per_share_epoch\": \"%s\"%s}",
			i ? ", " : "", list[i].name, list[i].per_share_epoch,
			i % 2 ? ", \"note\": 1" : "");
	fputs("]", out);
}

/* Writes one event as a JSON line of SPEC section 3. */
static void event_write_json(FILE *out, const recorded *r)
{
	const lrt_event *e = &r->event;
	char iso[40];
	time_t t = (time_t)r->time;
	struct tm tm;
	size_t i;

	fprintf(out, "{\"id\": \"%s\", \"type\": \"%s\"", e->id, type_names[e->type]);
	if (r->time_form == 0 || r->time_form == 3)
		fprintf(out, ", \"epoch\": %" PRId64, e->epoch);
	if (r->time_form == 1 || r->time_form == 3)
		fprintf(out, ", \"time\": %" PRId64, r->time);
	if (r->time_form == 2) {
		gmtime_r(&t, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, ", \"time\": \"%s%s\"", iso, r->time % 2 ? "Z" : "");
	}
	switch (e->type) {
	case LRT_EVENT_DEPOSIT:
		gmp_fprintf(out, ", \"holder\": \"%s\", \"asset\": \"%s\", \"amount\": \"%Zd\"",
			    e->holder, e->asset, e->amount);
		break;
	case LRT_EVENT_WITHDRAW:
		gmp_fprintf(out, ", \"holder\": \"%s\", \"shares\": \"%Zd\"", e->holder, e->amount);
		break;
	case LRT_EVENT_TRANSFER:
		gmp_fprintf(out, ", \"from\": \"%s\", \"to\": \"%s\", \"shares\": \"%Zd\"",
			    e->from, e->to, e->amount);
		break;
	case LRT_EVENT_REWARD:
		gmp_fprintf(out, ", \"source\": \"%s\", \"location\": \"%s\", \"asset\": \"%s\", \"amount\": \"%Zd\"",
			    e->source, e->location, e->asset, e->amount);
		break;
	case LRT_EVENT_SLASH:
		gmp_fprintf(out, ", \"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", \"%s\": \"%Zd\"",
			    e->location, e->source, e->asset, e->by_wad ? "wad" : "amount", e->amount);
		break;
	case LRT_EVENT_ALLOCATE:
		gmp_fprintf(out, ", \"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", \"magnitude\": \"%Zd\"",
			    e->location, e->source, e->asset, e->amount);
		break;
	case LRT_EVENT_CANCEL:
		fprintf(out, ", \"request\": \"%s\"", e->request);
		break;
	case LRT_EVENT_ATTEST:
		gmp_fprintf(out, ", \"asset\": \"%s\", \"location\": \"%s\", \"amount\": \"%Zd\"",
			    e->asset, e->location, e->amount);
		break;
	case LRT_EVENT_MOVE:
		gmp_fprintf(out, ", \"asset\": \"%s\", \"amount\": \"%Zd\", \"from\": \"%s\", \"to\": \"%s\"",
			    e->asset, e->amount, e->from, e->to);
		break;
	case LRT_EVENT_SWAP:
		gmp_fprintf(out, ", \"location\": \"%s\", \"asset_in\": \"%s\", \"amount_in\": \"%Zd\", "
			    "\"asset_out\": \"%s\", \"amount_out\": \"%Zd\"",
			    e->location, e->asset, e->amount, e->asset_out, e->amount_out);
		break;
	case LRT_EVENT_PRICE:
		fprintf(out, ", \"asset\": \"%s\", \"price\": \"%s\"", e->asset, r->price_text);
		break;
	case LRT_EVENT_CLAIM:
		fprintf(out, ", \"request\": \"%s\"", e->request);
		break;
	case LRT_EVENT_CONFIG:
		if (e->config_mask & LRT_CONFIG_FEE_BPS)
			fprintf(out, ", \"fee_bps\": %u", e->config.fee_bps);
		if (e->config_mask & LRT_CONFIG_FEE_RECIPIENTS) {
			fputs(", \"fee_recipients\": [", out);
			for (i = 0; i < e->config.fee_recipient_count; i++)
				fprintf(out, "%s{\"holder\": \"%s\", \"bps\": %u}", i ? ", " : "",
					e->config.fee_recipients[i].holder,
					e->config.fee_recipients[i].bps);
			fputs("]", out);
		}
		if (e->config_mask & LRT_CONFIG_DELAY_EPOCHS)
			fprintf(out, ", \"delay_epochs\": %" PRId64, e->config.delay_epochs);
		if (e->config_mask & LRT_CONFIG_MAX_APR_BPS)
			fprintf(out, ", \"max_apr_bps\": %" PRIu32, e->config.max_apr_bps);
		if (e->config_mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
			fprintf(out, ", \"fee_high_water_mark\": %s",
				e->config.fee_high_water_mark ? "true" : "false");
		if (e->config_mask & LRT_CONFIG_POINTS)
			write_programs_json(out, e->config.points, e->config.points_count);
		break;
	case LRT_EVENT_ACCEPT:
		gmp_fprintf(out, ", \"rate\": \"%Zd\"", e->amount);
		break;
	default:
		break;
	}
	if (r->extra_field)
		fputs(", \"note\": {\"kept\": [1, \"and ignored\"]}", out);
	fputs("}\n", out);
}

/* The event as a JSON line, for failure messages (leaks: the test ends). */
static const char *event_text(const recorded *r)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	if (out == NULL)
		return "(no memory)";
	event_write_json(out, r);
	fclose(out);
	if (length > 0)
		text[length - 1] = '\0';
	return text;
}

/* ---- generating events ------------------------------------------------------ */

static void power_of_ten(mpz_t out, unsigned exponent)
{
	mpz_ui_pow_ui(out, 10, exponent);
}

/* About `whole` whole units of an asset, with random lower digits. */
static void random_amount(mpz_t out, stream *s, int asset, uint64_t whole)
{
	unsigned decimals = s->m.assets[asset].decimals;
	mpz_t scale, low;

	mpz_inits(scale, low, NULL);
	power_of_ten(scale, decimals);
	mpz_mul_ui(out, scale, (unsigned long)prng_below(&s->rng, whole + 1));
	prng_mpz_below(low, &s->rng, scale);
	mpz_add(out, out, low);
	mpz_clears(scale, low, NULL);
}

/* A part of `of`: often all of it, else 1..100 percent, or any amount up to it. */
static void random_part(mpz_t out, stream *s, const mpz_t of)
{
	uint64_t roll = prng_below(&s->rng, 100);
	mpz_t bound;

	if (roll < 10) {
		mpz_set(out, of);
	} else if (roll < 60) {
		mpz_mul_ui(out, of, (unsigned long)(1 + prng_below(&s->rng, 100)));
		mpz_fdiv_q_ui(out, out, 100);
	} else {
		mpz_init(bound);
		mpz_add_ui(bound, of, 1);
		prng_mpz_below(out, &s->rng, bound);
		mpz_clear(bound);
	}
	if (mpz_sgn(out) == 0 && mpz_sgn(of) > 0)
		mpz_set_ui(out, 1);
}

static int holder_with_shares(stream *s)
{
	int start = (int)prng_below(&s->rng, NAME_COUNT);
	int i;

	for (i = 0; i < NAME_COUNT; i++)
		if (mpz_sgn(s->m.holder[(start + i) % NAME_COUNT]) > 0)
			return (start + i) % NAME_COUNT;
	return start;
}

/* An asset with a non-zero position at `location` (underlying allowed or not). */
static int asset_held_at(stream *s, int location, bool underlying)
{
	int first = underlying ? 0 : 1;
	int span = ASSET_COUNT - first;
	int start = (int)prng_below(&s->rng, (uint64_t)span);
	int i, a;

	for (i = 0; i < span; i++) {
		a = first + (start + i) % span;
		if (mpz_sgn(s->m.position[location][a]) > 0)
			return a;
	}
	return first + start;
}

static void gen_deposit(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int h = prng_percent(&s->rng, 5) ? DEPOSITOR_COUNT + (int)prng_below(&s->rng, 3)
					 : (int)prng_below(&s->rng, DEPOSITOR_COUNT);
	int a = prng_percent(&s->rng, 50) ? 0 : 1 + (int)prng_below(&s->rng, ASSET_COUNT - 1);

	e->type = LRT_EVENT_DEPOSIT;
	e->holder = names[h];
	e->asset = prng_percent(&s->rng, 3) ? "wBTC-unlisted" : s->m.assets[a].symbol;
	if (roll < 5)
		mpz_set_ui(e->amount, (unsigned long)prng_below(&s->rng, 1000));
	else if (roll < 7)
		mpz_set_ui(e->amount, 0);
	else if (roll < 9 && a == 0 && mpz_sgn(s->m.total_assets) > 0)
		mpz_set(e->amount, s->m.max);  /* A + v overflows: rejected */
	else
		random_amount(e->amount, s, a, s->m.assets[a].typical_whole);
}

static void gen_withdraw_or_transfer(stream *s, lrt_event *e, bool withdraw)
{
	int h = holder_with_shares(s);
	uint64_t roll = prng_below(&s->rng, 100);

	e->type = withdraw ? LRT_EVENT_WITHDRAW : LRT_EVENT_TRANSFER;
	if (withdraw) {
		e->holder = names[h];
	} else {
		e->from = names[h];
		e->to = prng_percent(&s->rng, 8) ? names[h]
			: names[prng_below(&s->rng, NAME_COUNT)];
	}
	if (roll < 4) {
		mpz_set_ui(e->amount, 0);
	} else if (roll < 8) {
		mpz_add_ui(e->amount, s->m.holder[h], 1);
	} else {
		random_part(e->amount, s, s->m.holder[h]);
		if (!withdraw && mpz_sgn(e->amount) > 0)
			mpz_fdiv_q_ui(e->amount, e->amount, 1 + prng_below(&s->rng, 4));
		if (mpz_sgn(e->amount) == 0)
			mpz_set_ui(e->amount, 1);
	}
}

static void gen_reward(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = prng_percent(&s->rng, 4) ? CLAIMABLE : (int)prng_below(&s->rng, CLAIMABLE);
	int a = roll < 55 ? 0 : roll < 85 ? ASSET_COUNT - 1
		: (int)prng_below(&s->rng, ASSET_COUNT);

	e->type = LRT_EVENT_REWARD;
	e->source = reward_sources[prng_below(&s->rng, 3)];
	e->location = locations[l];
	e->asset = prng_percent(&s->rng, 2) ? "XYZ" : s->m.assets[a].symbol;
	roll = prng_below(&s->rng, 100);
	if (roll < 5)
		mpz_set_ui(e->amount, 0);
	else if (roll < 7 && mpz_sgn(s->m.position[l][a]) > 0)
		mpz_set(e->amount, s->m.max);  /* the position overflows: rejected */
	else
		random_amount(e->amount, s, a, s->m.assets[a].typical_whole / 20);
}

/* A wad: 0, WAD, a simple fraction, or any amount up to WAD. */
static void gen_wad(stream *s, mpz_t out)
{
	uint64_t roll = prng_below(&s->rng, 100);
	mpz_t bound;

	if (roll < 6) {
		mpz_set_ui(out, 0);
	} else if (roll < 20) {
		mpz_set(out, s->m.wad);
	} else if (roll < 50) {
		mpz_fdiv_q_ui(out, s->m.wad, 1 + prng_below(&s->rng, 7));
	} else {
		mpz_init(bound);
		mpz_add_ui(bound, s->m.wad, 1);
		prng_mpz_below(out, &s->rng, bound);
		mpz_clear(bound);
	}
}

/* An asset with an allocation at operator `l` when there is one. */
static int allocated_asset(stream *s, int l)
{
	int start = (int)prng_below(&s->rng, ASSET_COUNT);
	int i, a, v;

	for (i = 0; i < ASSET_COUNT; i++) {
		a = (start + i) % ASSET_COUNT;
		for (v = 0; v < AVS_COUNT; v++)
			if (mpz_sgn(s->m.allocated[l][a][v]) > 0)
				return a;
	}
	return start;
}

/* A random (operator, asset, AVS) with an allocation and a position;
 * false when there is none. */
static bool exposed_stake(stream *s, int *l_out, int *a_out, int *avs_out)
{
	int total = 3 * ASSET_COUNT * AVS_COUNT;
	int start = (int)prng_below(&s->rng, (uint64_t)total), i;

	for (i = 0; i < total; i++) {
		int k = (start + i) % total;
		int l = 1 + k / (ASSET_COUNT * AVS_COUNT);
		int a = k / AVS_COUNT % ASSET_COUNT;
		int avs = k % AVS_COUNT;

		if (mpz_sgn(s->m.allocated[l][a][avs]) > 0 && mpz_sgn(s->m.position[l][a]) > 0) {
			*l_out = l;
			*a_out = a;
			*avs_out = avs;
			return true;
		}
	}
	return false;
}

static void gen_allocate(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = roll < 3 ? BUFFER : roll < 6 ? CLAIMABLE : 1 + (int)prng_below(&s->rng, 3);
	int a = l == BUFFER || l == CLAIMABLE ? 0 : asset_held_at(s, l, true);
	int avs = (int)prng_below(&s->rng, AVS_COUNT);
	mpz_t room;
	int i;

	e->type = LRT_EVENT_ALLOCATE;
	e->location = locations[l];
	e->source = slash_avss[avs];
	e->asset = prng_percent(&s->rng, 3) ? "XYZ" : s->m.assets[a].symbol;
	/* room = M - the other AVSs' sum: the most this AVS may hold */
	mpz_init_set(room, s->m.max_magnitude[l][a]);
	for (i = 0; i < AVS_COUNT; i++)
		if (i != avs)
			mpz_sub(room, room, s->m.allocated[l][a][i]);
	roll = prng_below(&s->rng, 100);
	if (roll < 8 || mpz_sgn(room) < 0)
		mpz_set_ui(e->amount, 0);
	else if (roll < 30)
		mpz_set(e->amount, room);
	else if (roll < 40)
		mpz_add_ui(e->amount, room, 1);  /* one wei too many */
	else if (roll < 45)
		mpz_add_ui(e->amount, s->m.wad, 1 + prng_below(&s->rng, 1000));  /* above WAD */
	else
		random_part(e->amount, s, room);
	mpz_clear(room);
}

static void gen_cancel(stream *s, lrt_event *e)
{
	model *m = &s->m;
	uint64_t roll = prng_below(&s->rng, 100);
	size_t i, start;

	e->type = LRT_EVENT_CANCEL;
	e->request = stream_printf(s, "no-such-request-%zu", s->event_count);
	if (roll < 5 || m->request_count == 0)
		return;
	start = (size_t)prng_below(&s->rng, m->request_count);
	for (i = 0; i < m->request_count; i++) {
		const request *r = &m->requests[(start + i) % m->request_count];

		/* mostly queued ones; else any (finalized, claimed, cancelled) */
		if (r->state == REQUEST_QUEUED || roll >= 80) {
			e->request = r->id;
			return;
		}
	}
}

static void gen_attest(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = (int)prng_below(&s->rng, LOCATION_COUNT);
	int a = asset_held_at(s, l, true);

	e->type = LRT_EVENT_ATTEST;
	e->location = prng_percent(&s->rng, 6) ? "nowhere" : locations[l];
	e->asset = prng_percent(&s->rng, 3) ? "XYZ" : s->m.assets[a].symbol;
	if (roll < 40) {
		mpz_set(e->amount, s->m.position[l][a]);
	} else if (roll < 60) {
		mpz_add_ui(e->amount, s->m.position[l][a], prng_below(&s->rng, 3));
		if (mpz_cmp_ui(e->amount, 2) >= 0 && prng_percent(&s->rng, 50))
			mpz_sub_ui(e->amount, e->amount, 2);
	} else if (roll < 65) {
		mpz_set(e->amount, s->m.max);
	} else {
		random_part(e->amount, s, s->m.position[l][a]);
	}
}

static void gen_slash(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = roll < 5 ? BUFFER : roll < 8 ? CLAIMABLE : 1 + (int)prng_below(&s->rng, 3);
	int a = asset_held_at(s, l, true), avs;
	mpz_srcptr held = s->m.position[l][a];

	e->type = LRT_EVENT_SLASH;
	e->location = locations[l];
	e->source = slash_avss[prng_below(&s->rng, 3)];
	e->asset = s->m.assets[a].symbol;
	roll = prng_below(&s->rng, 100);
	if (prng_percent(&s->rng, 50)) {
		gen_wad(s, e->amount);
		e->by_wad = true;
		if (prng_percent(&s->rng, 75) && exposed_stake(s, &l, &a, &avs)) {
			e->location = locations[l];
			e->asset = s->m.assets[a].symbol;
			e->source = slash_avss[avs];
		} else if (prng_percent(&s->rng, 60)) {
			e->asset = s->m.assets[allocated_asset(s, l)].symbol;
		}
		if (prng_percent(&s->rng, 3))
			e->asset = "XYZ";
		if (prng_percent(&s->rng, 4))
			e->source = "nobody-avs";
	} else if (roll < 6) {
		mpz_add_ui(e->amount, held, 1);
	} else if (roll < 12) {
		mpz_set(e->amount, held);
	} else {
		mpz_mul_ui(e->amount, held, (unsigned long)prng_below(&s->rng, 31));
		mpz_fdiv_q_ui(e->amount, e->amount, 100);
	}
}

static void gen_move(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int operator = 1 + (int)prng_below(&s->rng, 3);
	int from, to, a;

	if (roll < 50) {
		from = BUFFER, to = operator;
	} else if (roll < 85) {
		from = operator, to = BUFFER;
	} else if (roll < 94) {
		from = operator, to = 1 + (operator % 3);
	} else if (roll < 97) {
		from = to = (int)prng_below(&s->rng, CLAIMABLE);
	} else {
		from = prng_percent(&s->rng, 50) ? CLAIMABLE : BUFFER;
		to = from == CLAIMABLE ? BUFFER : CLAIMABLE;
	}
	a = asset_held_at(s, from, true);
	e->type = LRT_EVENT_MOVE;
	e->asset = s->m.assets[a].symbol;
	e->from = locations[from];
	e->to = locations[to];
	if (from != to && prng_percent(&s->rng, 5))
		mpz_add_ui(e->amount, s->m.position[from][a], 1);
	else if (from == BUFFER)
		random_part(e->amount, s, s->m.position[from][a]);
	else
		mpz_set(e->amount, s->m.position[from][a]);
	if (from == BUFFER && a == 0)  /* keep most of the buffer for withdrawals */
		mpz_fdiv_q_ui(e->amount, e->amount, 2);
}

static void gen_swap(stream *s, lrt_event *e)
{
	int l = prng_percent(&s->rng, 3) ? CLAIMABLE : (int)prng_below(&s->rng, CLAIMABLE);
	int in = asset_held_at(s, l, false);
	int out = prng_percent(&s->rng, 85) ? 0 : 1 + (int)((in + prng_below(&s->rng, 3)) % 4);
	mpz_t value;

	if (out == in)
		out = 0;
	e->type = LRT_EVENT_SWAP;
	e->location = locations[l];
	e->asset = s->m.assets[in].symbol;
	e->asset_out = s->m.assets[out].symbol;
	if (prng_percent(&s->rng, 5))
		mpz_add_ui(e->amount, s->m.position[l][in], 1);
	else
		random_part(e->amount, s, s->m.position[l][in]);
	mpz_init(value);
	model_value(value, &s->m, in, e->amount);
	if (out == 0) {
		mpz_mul_ui(e->amount_out, value, (unsigned long)(960 + prng_below(&s->rng, 60)));
		mpz_fdiv_q_ui(e->amount_out, e->amount_out, 1000);
	} else {
		random_amount(e->amount_out, s, out, 3);
	}
	mpz_clear(value);
}

/* A price near the asset's typical one, with 0 to 36 fractional digits. */
static void gen_price(stream *s, recorded *r)
{
	lrt_event *e = &r->event;
	uint64_t roll = prng_below(&s->rng, 100);
	int a = 1 + (int)prng_below(&s->rng, ASSET_COUNT - 1);
	const asset_spec *spec;
	unsigned exponent, extra;
	mpz_t numerator, scale, low, whole, fraction;
	char *whole_text, *fraction_text;

	e->type = LRT_EVENT_PRICE;
	if (roll < 2)
		e->asset = "XYZ";
	else if (roll < 5)
		a = 0;
	if (roll >= 2)
		e->asset = s->m.assets[a].symbol;
	spec = &s->m.assets[a];
	mpz_inits(numerator, scale, low, whole, fraction, NULL);
	roll = prng_below(&s->rng, 100);
	if (roll < 4) {
		exponent = 0;  /* "0" */
	} else if (roll < 8) {
		mpz_set_ui(numerator, 1 + prng_below(&s->rng, 30));
		exponent = 0;
	} else {
		mpz_set_ui(numerator, spec->price_base);
		mpz_mul_ui(numerator, numerator, (unsigned long)(9700 + prng_below(&s->rng, 601)));
		exponent = spec->price_exp + 4;
		extra = (unsigned)prng_below(&s->rng, 37 - exponent);
		power_of_ten(scale, extra);
		mpz_mul(numerator, numerator, scale);
		if (prng_percent(&s->rng, 80)) {  /* else trailing zeros */
			prng_mpz_below(low, &s->rng, scale);
			mpz_add(numerator, numerator, low);
		}
		exponent += extra;
	}
	power_of_ten(scale, exponent);
	mpz_fdiv_qr(whole, fraction, numerator, scale);
	mpz_add(fraction, fraction, scale);  /* a leading 1 keeps the zeros */
	whole_text = mpz_get_str(NULL, 10, whole);
	fraction_text = mpz_get_str(NULL, 10, fraction);
	r->price_text = exponent == 0 ? stream_printf(s, "%s", whole_text)
		: stream_printf(s, "%s.%s", whole_text, fraction_text + 1);
	free(whole_text);
	free(fraction_text);
	mpq_set_num(e->price, numerator);
	mpq_set_den(e->price, scale);
	mpq_canonicalize(e->price);
	mpz_clears(numerator, scale, low, whole, fraction, NULL);
}

static void gen_claim(stream *s, lrt_event *e)
{
	model *m = &s->m;
	uint64_t roll = prng_below(&s->rng, 100);
	size_t i, start;

	e->type = LRT_EVENT_CLAIM;
	e->request = stream_printf(s, "no-such-request-%zu", s->event_count);
	if (roll >= 90 || m->request_count == 0)
		return;
	start = (size_t)prng_below(&s->rng, m->request_count);
	for (i = 0; i < m->request_count; i++) {
		const request *r = &m->requests[(start + i) % m->request_count];

		/* finalized and unclaimed; else claimed again, queued or cancelled */
		if (r->state == REQUEST_FINALIZED || (roll >= 65 && r->state != REQUEST_FINALIZED)) {
			e->request = r->id;
			return;
		}
	}
}

/* A list of distinct programs with random rates (kept by the stream). */
static void gen_programs(stream *s, lrt_points_program **out, size_t *count_out)
{
	lrt_points_program *list = stream_keep(s, calloc(PROGRAM_COUNT, sizeof *list));
	size_t count = 0;
	int start = (int)prng_below(&s->rng, PROGRAM_COUNT), i;

	for (i = 0; i < PROGRAM_COUNT; i++) {
		if (!prng_percent(&s->rng, 55))
			continue;
		list[count].name = (char *)program_names[(start + i) % PROGRAM_COUNT];
		list[count].per_share_epoch =
			(char *)program_rates[prng_below(&s->rng, PROGRAM_RATE_COUNT)];
		count++;
	}
	*out = list;
	*count_out = count;
}

static void gen_config(stream *s, lrt_event *e)
{
	lrt_fee_recipient *recipients;
	size_t count, i;
	unsigned left;

	e->type = LRT_EVENT_CONFIG;
	e->config_mask = 1u + (unsigned)prng_below(&s->rng, 15);
	e->config.fee_bps = prng_percent(&s->rng, 3) ? 9999
		: prng_percent(&s->rng, 30) ? 0 : (unsigned)prng_below(&s->rng, 2001);
	e->config.delay_epochs = (int64_t)prng_below(&s->rng, 4);
	e->config.max_apr_bps = prng_percent(&s->rng, 40) ? 0
		: 50 + (uint32_t)prng_below(&s->rng, 20000);
	count = 1 + (size_t)prng_below(&s->rng, RECIPIENT_MAX);
	recipients = stream_keep(s, calloc(count, sizeof *recipients));
	left = 10000;
	for (i = 0; i < count; i++) {
		/* distinct: a recipient name, or (the last) a depositor */
		recipients[i].holder = names[i + 1 < count || prng_percent(&s->rng, 50)
					     ? DEPOSITOR_COUNT + (int)i
					     : (int)prng_below(&s->rng, DEPOSITOR_COUNT)];
		recipients[i].bps = i + 1 == count ? left
			: (unsigned)prng_below(&s->rng, left + 1);
		left -= recipients[i].bps;
	}
	e->config.fee_recipients = recipients;
	e->config.fee_recipient_count = count;
	if (prng_percent(&s->rng, 30)) {
		e->config_mask |= LRT_CONFIG_FEE_HIGH_WATER_MARK;
		e->config.fee_high_water_mark = prng_percent(&s->rng, 50);
	}
	if (prng_percent(&s->rng, 35)) {
		e->config_mask |= LRT_CONFIG_POINTS;
		gen_programs(s, &e->config.points, &e->config.points_count);
	}
	if (prng_percent(&s->rng, 20))  /* a config of the new fields alone */
		e->config_mask &= LRT_CONFIG_FEE_HIGH_WATER_MARK | LRT_CONFIG_POINTS;
	if (e->config_mask == 0)
		e->config_mask = LRT_CONFIG_FEE_HIGH_WATER_MARK;
}

static void gen_accept(stream *s, lrt_event *e)
{
	e->type = LRT_EVENT_ACCEPT;
	model_to_assets(e->amount, &s->m, s->m.one_token, s->m.total_assets,
			s->m.total_shares);
	mpz_add_ui(e->amount, e->amount, (unsigned long)prng_below(&s->rng, 3));
}

/* One random event of the open epoch, its id, and how its JSON line says when. */
static void gen_event(stream *s, recorded *r)
{
	lrt_event *e = &r->event;
	uint64_t roll = prng_below(&s->rng, 100);

	if (mpz_sgn(s->m.total_shares) == 0 && roll >= 40)
		roll = 0;  /* an empty pool mostly takes deposits */
	if (roll < 24)
		gen_deposit(s, e);
	else if (roll < 33)
		gen_withdraw_or_transfer(s, e, true);
	else if (roll < 42)
		gen_withdraw_or_transfer(s, e, false);
	else if (roll < 50)
		gen_reward(s, e);
	else if (roll < 57)
		gen_slash(s, e);
	else if (roll < 62)
		gen_allocate(s, e);
	else if (roll < 69)
		gen_move(s, e);
	else if (roll < 72)
		gen_swap(s, e);
	else if (roll < 79)
		gen_price(s, r);
	else if (roll < 86)
		gen_claim(s, e);
	else if (roll < 89)
		gen_cancel(s, e);
	else if (roll < 94)
		gen_attest(s, e);
	else if (roll < 98)
		gen_config(s, e);
	else
		gen_accept(s, e);
	if (prng_percent(&s->rng, 50))
		e->id = stream_printf(s, "%c%zu", type_names[e->type][0], s->event_count);
	else
		e->id = stream_printf(s, "0x%016" PRIx64 "%016" PRIx64 ":%zu",
				      prng_next(&s->rng), prng_next(&s->rng), s->event_count);
	r->time_form = (int)prng_below(&s->rng, 10);
	r->time_form = r->time_form < 7 ? 0 : r->time_form - 6;
	r->time = GENESIS_TIME + e->epoch * s->epoch_seconds
		+ (int64_t)prng_below(&s->rng, (uint64_t)s->epoch_seconds);
	r->extra_field = prng_percent(&s->rng, 3);
}

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

/* SPEC section 7 on the model: value(op), slashable(op, avs), hhi_bps. */
static void model_exposure(const model *m, mpz_t value[3], mpz_t slashable[3][AVS_COUNT],
			   mpz_t hhi)
{
	mpz_t v, term, sum, squares;
	int o, a, k;

	mpz_inits(v, term, sum, squares, NULL);
	for (o = 0; o < 3; o++) {
		int l = operators_sorted[o];

		mpz_set_ui(value[o], 0);
		for (k = 0; k < AVS_COUNT; k++)
			mpz_set_ui(slashable[o][k], 0);
		for (a = 0; a < ASSET_COUNT; a++) {
			model_value(v, m, a, m->position[l][a]);
			mpz_add(value[o], value[o], v);
			if (mpz_sgn(m->max_magnitude[l][a]) == 0)
				continue;
			for (k = 0; k < AVS_COUNT; k++) {
				mpz_mul(term, v, m->allocated[l][a][avss_sorted[k]]);
				mpz_fdiv_q(term, term, m->max_magnitude[l][a]);
				mpz_add(slashable[o][k], slashable[o][k], term);
			}
		}
		mpz_add(sum, sum, value[o]);
		mpz_addmul(squares, value[o], value[o]);
	}
	mpz_set_ui(hhi, 0);
	if (mpz_sgn(sum) > 0) {
		mpz_mul_ui(squares, squares, 10000);
		mpz_mul(sum, sum, sum);
		mpz_fdiv_q(hhi, squares, sum);
	}
	mpz_clears(v, term, sum, squares, NULL);
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

/* The rate at (A, S); 0 in plain with S = 0. */
static void model_rate(mpz_t out, const model *m)
{
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0)
		mpz_set_ui(out, 0);
	else
		model_to_assets(out, m, m->one_token, m->total_assets, m->total_shares);
}

/*
 * SPEC section 7 on the final state: a few what-if slashes by wad (some
 * rejected), then steps 1-4 of the next epoch, against the model.  It
 * changes the model and the book, so it comes last.
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

	mpz_inits(gain, r0, r1, NULL);
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
	CHECK(!got.guard_trips, WHERE ": the stress trips a guard that is off", s->index,
	      s->seed, e);
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

static void write_product_json(FILE *out, const stream *s)
{
	const lrt_product *p = &s->product;
	size_t i;

	fprintf(out, "{\"product\": {\"symbol\": \"%s\", \"underlying\": \"%s\", \"assets\": [",
		p->symbol, p->underlying);
	for (i = 0; i < p->asset_count; i++)
		fprintf(out, "%s{\"symbol\": \"%s\", \"decimals\": %u}", i ? ", " : "",
			p->assets[i].symbol, p->assets[i].decimals);
	fprintf(out, "], \"model\": \"%s\"", p->model == LRT_MODEL_PLAIN ? "plain" : "erc4626");
	if (p->model == LRT_MODEL_ERC4626)
		fprintf(out, ", \"offset\": %u", p->offset);
	fprintf(out, ", \"genesis_time\": %" PRId64 ", \"epoch_seconds\": %" PRId64
		", \"fee_bps\": %u, \"fee_recipients\": [", p->genesis_time, p->epoch_seconds,
		p->policy.fee_bps);
	for (i = 0; i < p->policy.fee_recipient_count; i++)
		fprintf(out, "%s{\"holder\": \"%s\", \"bps\": %u}", i ? ", " : "",
			p->policy.fee_recipients[i].holder, p->policy.fee_recipients[i].bps);
	fprintf(out, "], \"delay_epochs\": %" PRId64 ", \"max_apr_bps\": %" PRIu32,
		p->policy.delay_epochs, p->policy.max_apr_bps);
	if (p->policy.fee_high_water_mark || s->index % 2)
		fprintf(out, ", \"fee_high_water_mark\": %s",
			p->policy.fee_high_water_mark ? "true" : "false");
	if (p->policy.points_count > 0 || s->index % 3 == 0)
		write_programs_json(out, p->policy.points, p->policy.points_count);
	fputs("}}\n", out);
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
	free(input);
}

/* ---- a stream's product --------------------------------------------------- */

static char *xstrdup(const char *text)
{
	char *copy = strdup(text);

	CHECK_ALLOC(copy);
	return copy;
}

static void stream_make_product(stream *s)
{
	static const int64_t lengths[] = {86400, 3600, 604800};
	lrt_product *p = &s->product;
	lrt_fee_recipient recipients[RECIPIENT_MAX];
	lrt_policy policy;
	const asset_spec *family = prng_percent(&s->rng, 50) ? eth_family : sol_family;
	lrt_model kind = prng_percent(&s->rng, 25) ? LRT_MODEL_PLAIN : LRT_MODEL_ERC4626;
	unsigned offset = kind == LRT_MODEL_PLAIN ? 0 : (unsigned)prng_below(&s->rng, 4);
	size_t i;

	s->epoch_seconds = lengths[prng_below(&s->rng, 3)];
	model_init(&s->m, family, kind, offset, s->epoch_seconds);
	lrt_product_init(p);
	p->symbol = xstrdup(family == eth_family ? "rstETH" : "rstSOL");
	p->underlying = xstrdup(family[0].symbol);
	p->assets = calloc(ASSET_COUNT, sizeof *p->assets);
	CHECK_ALLOC(p->assets);
	for (i = 0; i < ASSET_COUNT; i++) {
		p->assets[i].symbol = xstrdup(family[i].symbol);
		p->assets[i].decimals = family[i].decimals;
	}
	p->asset_count = ASSET_COUNT;
	p->model = kind;
	p->offset = offset;
	p->genesis_time = GENESIS_TIME;
	p->epoch_seconds = s->epoch_seconds;

	s->m.fee_bps = prng_percent(&s->rng, 50) ? 0 : (unsigned)prng_below(&s->rng, 1501);
	s->m.recipient_count = 1 + (size_t)prng_below(&s->rng, RECIPIENT_MAX);
	for (i = 0; i < s->m.recipient_count; i++) {
		s->m.recipient[i] = DEPOSITOR_COUNT + (int)i;
		s->m.recipient_bps[i] = 2500;
	}
	s->m.recipient_bps[0] = 10000 - 2500 * (unsigned)(s->m.recipient_count - 1);
	s->m.delay_epochs = (int64_t)prng_below(&s->rng, 3);
	s->m.max_apr_bps = prng_percent(&s->rng, 50) ? 0 : 100 + (uint32_t)prng_below(&s->rng, 5000);

	policy = p->policy;
	policy.fee_bps = s->m.fee_bps;
	for (i = 0; i < s->m.recipient_count; i++) {
		recipients[i].holder = names[s->m.recipient[i]];
		recipients[i].bps = s->m.recipient_bps[i];
	}
	policy.fee_recipients = recipients;
	policy.fee_recipient_count = s->m.recipient_count;
	policy.delay_epochs = s->m.delay_epochs;
	policy.max_apr_bps = s->m.max_apr_bps;
	policy.max_rate_change_bps = 0;
	s->m.fee_high_water_mark = prng_percent(&s->rng, 40);
	policy.fee_high_water_mark = s->m.fee_high_water_mark;
	if (prng_percent(&s->rng, 60)) {
		gen_programs(s, &policy.points, &policy.points_count);
		model_set_programs(&s->m, policy.points, policy.points_count);
	} else {
		policy.points = NULL;
		policy.points_count = 0;
	}
	CHECK_OK(lrt_policy_copy(&p->policy, &policy));
	CHECK(lrt_product_validate(p) == 0, "product: %s", lrt_error_last());
}

static void stream_init(stream *s, int index)
{
	prng mix = {seed_base + (uint64_t)index};

	memset(s, 0, sizeof *s);
	s->index = index;
	s->seed = prng_next(&mix);
	s->rng.state = s->seed;
	s->target_events = stream_events;
	s->mean_per_epoch = 1 + (size_t)prng_below(&s->rng, 25);
	stream_make_product(s);
}

static void stream_clear(stream *s)
{
	size_t i;

	for (i = 0; i < s->event_count; i++)
		lrt_event_clear(&s->events[i].event);
	free(s->events);
	model_clear(&s->m);
	lrt_product_clear(&s->product);
	for (i = 0; i < s->owned_count; i++)
		free(s->owned[i]);
	free(s->owned);
	for (i = 0; i < 3; i++)
		free(s->output[i]);
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

START_TEST(property_stream)
{
	static const char *const run_names[3] = {
		"event by event", "replayed", "read as JSON Lines"
	};
	stream s;
	int run;

	names_init();
	stream_init(&s, _i);
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
		fprintf(stderr, "property: stream %d (seed 0x%016" PRIx64 ", %s offset %u): "
			"%zu events (%zu applied, %zu rejected) in %" PRId64 " epochs, "
			"%zu requests (%zu finalized)\n", _i, s.seed,
			s.product.model == LRT_MODEL_PLAIN ? "plain" : "erc4626",
			s.product.offset, s.event_count, s.applied, s.rejected,
			s.last_epoch + 1, s.m.request_count, finalized_requests(&s.m));
	if (getenv("LRT_PROPERTY_VERBOSE")) {
		for (int t = 0; t < LRT_EVENT_TYPE_COUNT; t++)
			fprintf(stderr, " %s %zu/%zu", type_names[t], s.applied_by_type[t],
				s.rejected_by_type[t]);
		fprintf(stderr, "; %zu slashes by wad took something\n", s.wad_losses);
	}
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

Suite *property_suite(void)
{
	Suite *suite = suite_create("property");
	TCase *tc = tcase_create("random streams");
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
	return suite;
}
