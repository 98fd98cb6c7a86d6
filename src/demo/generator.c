/*
 * generator.c - a realistic rstETH history (see generator.h).
 *
 * How each part of the story is made, epoch by epoch (one epoch = one day;
 * the day's events get times in six phases, and seq = block * 10^6 + log
 * index, so that they apply in the order written):
 *
 *   00:05 oracles   a price for stETH (~0.999, a step of 0.00002 now and then,
 *                   within 0.9986..0.9998), rETH (from 1.0823, rising 2.77% a
 *                   year) and EIGEN (~0.0012 ETH, +-2.5% a day).
 *   00:30 holders   each holder joins on its day (15% at launch, the others
 *                   spread over the first three quarters) with a deposit;
 *                   later a holder tops up (1.5% a day), requests a
 *                   withdrawal of all, half or part of its shares (0.6%), or
 *                   transfers some to another holder (0.5%).  Amounts: a size
 *                   class per holder (0.01-1, 1-100, 100-1,000, 1,000-5,000
 *                   ETH), typed round or to the wei; in ETH (60%), stETH
 *                   (25%) or rETH (15%).  Finalized requests are claimed 1-4
 *                   days later (6% of them 10-59 days later); on 3% of days,
 *                   and the day after the slash, someone claims a request
 *                   still queued: rejected, on purpose, to show rejections.
 *   20:00 rewards   consensus rewards at 2.8-3.2% a year on each operator's
 *                   ETH, and stETH's rebase (2.6-3.0%) on its stETH; rETH earns
 *                   through its price.
 *   21:00 treasury  EigenLayer's magnitudes (WAD = 10^18): on day one each
 *                   operator allocates its ETH, stETH and rETH to eigenda
 *                   (25-40% of its max magnitude) and to two of hyperlane,
 *                   aligned and lagrange (8-20% each): p2p to hyperlane and
 *                   lagrange, kiln to aligned and hyperlane, figment to
 *                   lagrange and aligned; on 5% of days one allocation moves
 *                   1-8% up (within what M leaves) or down.  A third in, a
 *                   config adds an "eigenlayer" points program (24 a day per
 *                   rstETH, EigenLayer's point an hour passed through) to the
 *                   product's own "loyalty" (a point a day per rstETH).
 *                   Weekly (day 6 of 7) AVS rewards in EIGEN from each of the
 *                   four AVSs, 0.6-1.5% a year of the total assets in all,
 *                   paid to the buffer; sold the next day for ETH 0.3-0.9%
 *                   below the oracle.  Midway, one slash: one of a random
 *                   operator's AVSs slashes it by wad, one slash event per
 *                   asset it holds an allocation of, all with the one wad that
 *                   takes ETH worth 50-70% of the yield accrued so far (at
 *                   least 0.03%, at most 0.8% of the total assets, so the 1%
 *                   guard holds) of what that AVS may slash (the core's
 *                   exposure, SPEC section 7).
 *   22:00 moves     the treasury keeps the buffer's ETH between 0.5% and 3% of
 *                   the total assets above what the requests due today and
 *                   tomorrow can take: when short, it undelegates ETH (whole
 *                   32 ETH validators), and if the requests due still need
 *                   more, sells just enough LSTs, the buffer's first;
 *                   when long, it delegates whole validators to the operators
 *                   below their weights (p2p 40%, kiln 35%, figment 25%), and
 *                   sends the day's LST deposits to the most underweight one.
 *   23:00 attests   an oracle reads the chain: daily each operator's ETH, and
 *                   on Sundays (day 6 of 7) a proof of reserves, every asset
 *                   the buffer and the operators hold and what is claimable.
 *                   Each attests the book's position as the day's events left
 *                   it, so it matches to the wei; but on one day of the last
 *                   third, one operator's ETH (the buffer's if none holds
 *                   any) is read 100-9,999 gwei short: the reconciliation's
 *                   one break, on purpose.
 *
 * Then the epoch settles in the generator's own book, whose finalized
 * requests become the claims of the days after.
 *
 * Workload: about 25 events per epoch per 300 holders; memory for one epoch's
 * lines, the holders and the finalized requests not yet claimed.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmp.h>

#include "demo/generator.h"
#include "lrt/lrt.h"

/* ---- the calendar and the chain --------------------------------------- */

#define GENESIS_TIME INT64_C(1748822400)        /* 2025-06-02T00:00:00Z, a Monday */
#define GENESIS_TIME_TEXT "2025-06-02T00:00:00Z"
#define EPOCH_SECONDS INT64_C(86400)
#define EPOCHS_PER_YEAR 365
#define GENESIS_BLOCK INT64_C(22610000)         /* about mainnet's, that day */
#define SECONDS_PER_BLOCK INT64_C(12)
#define SEQ_PER_BLOCK INT64_C(1000000)          /* seq = block * 10^6 + log index */
#define LOG_INDEX_LIMIT 400                     /* log indexes 0..399 */

/* "0x" + 64 hex digits + ":" + log index: 71 bytes with the NUL. */
#define ID_BYTES 80
#define ADDRESS_BYTES 43                        /* "0x" + 40 hex digits + NUL */

/* ---- the product ------------------------------------------------------ */

enum { ASSET_ETH, ASSET_STETH, ASSET_RETH, ASSET_EIGEN, ASSET_COUNT };
static const char *const asset_names[ASSET_COUNT] = { "ETH", "stETH", "rETH", "EIGEN" };

#define FEE_BPS 1000                            /* 10% of recognized increases */
#define TREASURY_BPS 8000
#define INSURANCE_BPS 2000
#define DELAY_EPOCHS 7                          /* a week, like EigenLayer's */
#define MAX_APR_BPS 800                         /* smoothing: 8% a year */
#define MAX_RATE_CHANGE_BPS 100                 /* the guard: 1% a day */

typedef struct {
	const char *name;
	unsigned weight_percent;                /* share of delegated value aimed at */
} demo_operator;

#define OPERATOR_COUNT 3
static const demo_operator operators[OPERATOR_COUNT] = {
	{ "p2p", 40 }, { "kiln", 35 }, { "figment", 25 },
};

#define AVS_COUNT 4
static const char *const avs_names[AVS_COUNT] = {
	"eigenda", "hyperlane", "aligned", "lagrange",
};

/* Each operator runs EigenDA and two other AVSs: indexes into avs_names. */
#define AVS_PER_OPERATOR 3
static const unsigned operator_avs[OPERATOR_COUNT][AVS_PER_OPERATOR] = {
	{ 0, 1, 3 }, { 0, 2, 1 }, { 0, 3, 2 },
};

/* The assets an operator restakes (EigenLayer strategies): all but EIGEN. */
#define RESTAKED_ASSET_COUNT 3

/* ---- the market: prices in units of 10^-12 ETH ------------------------- */

#define PRICE_ONE UINT64_C(1000000000000)
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

/* ---- the holders ------------------------------------------------------ */

#define LAUNCH_HOLDERS_PERCENT 15
#define TOP_UP_CHANCE_BPS 150
#define WITHDRAW_CHANCE_BPS 60
#define TRANSFER_CHANCE_BPS 50
#define EARLY_CLAIM_CHANCE_BPS 300
#define CLAIM_DELAY_DAYS_MAX 4                  /* claimed 1..4 days after */
#define SLOW_CLAIM_PERCENT 6                    /* or, for some, 10..59 days */
#define SLOW_CLAIM_DAYS_LOW 10
#define SLOW_CLAIM_DAYS_SPREAD 50

typedef struct {
	unsigned weight_percent;
	unsigned decade_low, decade_high;       /* amounts of 10^decade wei */
} demo_size_class;

static const demo_size_class size_classes[] = {
	{ 45, 16, 17 },                         /* 0.01 .. 1 ETH */
	{ 33, 18, 19 },                         /* 1 .. 100 ETH */
	{ 17, 20, 20 },                         /* 100 .. 1,000 ETH */
	{ 5, 21, 21 },                          /* 1,000 .. 5,000 ETH: whales */
};
#define SIZE_CLASS_COUNT (sizeof(size_classes) / sizeof(size_classes[0]))
#define WHALE_MANTISSA_MAX 5000                 /* 5,000 ETH at most */

/* ---- rewards, the slash, the treasury --------------------------------- */

#define CONSENSUS_APR_BPS_LOW 280
#define CONSENSUS_APR_BPS_SPREAD 41             /* 2.80% .. 3.20% */
#define REBASE_APR_BPS_LOW 260
#define REBASE_APR_BPS_SPREAD 41                /* 2.60% .. 3.00% */
#define AVS_APR_BPS_LOW 15
#define AVS_APR_BPS_SPREAD 24                   /* per AVS: 0.15% .. 0.38% */
#define AVS_PAYOUT_DAYS 7
#define SALE_SLIPPAGE_BPS_LOW 30
#define SALE_SLIPPAGE_BPS_SPREAD 61             /* 0.30% .. 0.90% */
#define REDEEM_DISCOUNT_BPS 5                   /* selling an LST for ETH */
#define SLASH_YIELD_PERCENT_LOW 50
#define SLASH_YIELD_PERCENT_SPREAD 21           /* 50% .. 70% of the yield so far */
#define SLASH_MIN_BPS 3
#define SLASH_MAX_BPS 80
#define LOYALTY_PROGRAM "loyalty"               /* the product's own, from launch */
#define LOYALTY_PER_SHARE_EPOCH "1"             /* a point a day per rstETH */
#define EIGENLAYER_PROGRAM "eigenlayer"         /* passed through, a third in */
#define EIGENLAYER_PER_SHARE_EPOCH "24"         /* one an hour per rstETH */
#define WAD "1000000000000000000"                /* EigenLayer's 10^18 */
#define MAGNITUDE_UNIT "100000000000000"        /* 0.01% of WAD */
#define EIGENDA_MAGNITUDE_LOW 2500
#define EIGENDA_MAGNITUDE_SPREAD 1501           /* 25% .. 40% of WAD */
#define OTHER_MAGNITUDE_LOW 800
#define OTHER_MAGNITUDE_SPREAD 1201             /* 8% .. 20% of WAD */
#define ALLOCATION_CHANGE_CHANCE_BPS 500        /* a change on 5% of days */
#define ALLOCATION_STEP_LOW 100
#define ALLOCATION_STEP_SPREAD 701              /* +-1% .. 8% of WAD */
#define PROOF_OF_RESERVES_DAY 6                 /* Sundays: every position */
#define BREAK_GWEI_LOW 100
#define BREAK_GWEI_SPREAD 9900                  /* 100 .. 9,999 gwei off */
#define GWEI 1000000000
#define BUFFER_LOW_BPS 50
#define BUFFER_HIGH_BPS 300
#define VALIDATOR_WEI "32000000000000000000"    /* ETH is delegated by validator */

/* ---- the PRNG: xoshiro256**, seeded by splitmix64 ---------------------- */

typedef struct {
	uint64_t s[4];
} demo_rng;

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(demo_rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(demo_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in 0..n-1 (0 when n is 0), without modulo bias. */
static uint64_t rng_below(demo_rng *rng, uint64_t n)
{
	uint64_t limit, x;

	if (n == 0)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = rng_next(rng);
	while (x >= limit);
	return x % n;
}

static bool rng_chance_bps(demo_rng *rng, unsigned bps)
{
	return rng_below(rng, 10000) < bps;
}

static void rng_hex(demo_rng *rng, char *out, size_t digits)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = 0;
	size_t i;

	for (i = 0; i < digits; i++) {
		if (i % 16 == 0)
			bits = rng_next(rng);
		out[i] = hex[bits & 15];
		bits >>= 4;
	}
	out[digits] = '\0';
}

/* ---- the generator's state --------------------------------------------- */

enum {
	PHASE_ORACLE, PHASE_HOLDERS, PHASE_REWARDS, PHASE_TREASURY, PHASE_MOVES,
	PHASE_ATTEST, PHASE_COUNT
};

/* Seconds after the start of the day that each phase spans. */
static const int64_t phase_window[PHASE_COUNT][2] = {
	{ 300, 1800 }, { 1800, 72000 }, { 72000, 75600 }, { 75600, 79200 },
	{ 79200, 82800 }, { 82800, 86100 },
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
static void *reserve(void *items, size_t *capacity, size_t count, size_t size)
{
	size_t wanted = *capacity ? *capacity * 2 : 64;
	void *bigger;

	if (count < *capacity)
		return items;
	bigger = realloc(items, wanted * size);
	if (bigger == NULL) {
		lrt_error_set("out of memory");
		return NULL;
	}
	*capacity = wanted;
	return bigger;
}

/* ---- amounts ------------------------------------------------------------ */

/* GMP's _ui functions take an unsigned long, which has 32 bits on some
 * systems: 64-bit figures (prices, PRNG draws) go in through this. */
static void set_u64(mpz_t out, uint64_t value)
{
	mpz_set_ui(out, (unsigned long)(value >> 32));
	mpz_mul_2exp(out, out, 32);
	mpz_add_ui(out, out, (unsigned long)(value & UINT32_MAX));
}

/* value = floor(amount * price / 10^12): every asset has 18 decimals. */
static void value_at(mpz_t value, const mpz_t amount, uint64_t price)
{
	mpz_t factor;

	mpz_init(factor);
	set_u64(factor, price);
	mpz_mul(value, amount, factor);
	set_u64(factor, PRICE_ONE);
	mpz_fdiv_q(value, value, factor);
	mpz_clear(factor);
}

/* amount = floor(value * 10^12 / price): how much of an asset `value` buys. */
static void amount_for(mpz_t amount, const mpz_t value, uint64_t price)
{
	mpz_t factor;

	mpz_init(factor);
	set_u64(factor, PRICE_ONE);
	mpz_mul(amount, value, factor);
	set_u64(factor, price);
	mpz_fdiv_q(amount, amount, factor);
	mpz_clear(factor);
}

/* out = floor(x * bps / 10000) */
static void times_bps(mpz_t out, const mpz_t x, unsigned bps)
{
	mpz_mul_ui(out, x, bps);
	mpz_fdiv_q_ui(out, out, 10000);
}

/* An amount as a person would send it: a size class's decade, a four-digit
 * mantissa, then typed round (1.5 ETH, 30 ETH) or to the wei. */
static void human_amount(demo_generator *g, mpz_t wei, unsigned size_class)
{
	const demo_size_class *c = &size_classes[size_class];
	unsigned decade = c->decade_low + (unsigned)rng_below(&g->rng,
		c->decade_high - c->decade_low + 1);
	uint64_t mantissa = 1000 + rng_below(&g->rng, 9000);
	uint64_t style = rng_below(&g->rng, 100);
	mpz_t unit, noise, low;

	mpz_inits(unit, noise, low, NULL);
	if (decade == 21 && mantissa > WHALE_MANTISSA_MAX)
		mantissa = 1000 + mantissa % (WHALE_MANTISSA_MAX - 1000);
	if (style < 15)
		mantissa -= mantissa % 1000;
	else if (style < 65)
		mantissa -= mantissa % 100;
	mpz_ui_pow_ui(unit, 10, decade - 3);
	mpz_mul_ui(wei, unit, mantissa);
	if (style >= 65) {
		/* to the wei: 0 .. unit-1 more */
		set_u64(noise, rng_next(&g->rng));
		mpz_mul_2exp(noise, noise, 64);
		set_u64(low, rng_next(&g->rng));
		mpz_add(noise, noise, low);
		mpz_fdiv_r(noise, noise, unit);
		mpz_add(wei, wei, noise);
	}
	mpz_clears(unit, noise, low, NULL);
}

/* ---- events: applied to the book, kept as lines ------------------------- */

/* A config event's fields: the generator's configs change only points. */
static int format_points(FILE *f, const lrt_event *e)
{
	size_t i;

	if (e->config_mask != LRT_CONFIG_POINTS) {
		lrt_error_set("demo generator: a config of more than points");
		return LRT_ESTATE;
	}
	fprintf(f, "\"points\": [");
	for (i = 0; i < e->config.points_count; i++)
		fprintf(f, "%s{\"name\": \"%s\", \"per_share_epoch\": \"%s\"}",
			i > 0 ? ", " : "", e->config.points[i].name,
			e->config.points[i].per_share_epoch);
	fprintf(f, "]");
	return 0;
}

static int format_fields(char **out, const lrt_event *e)
{
	char price[64];
	size_t size = 0;
	FILE *f;
	int rc = 0;

	*out = NULL;
	f = open_memstream(out, &size);
	if (f == NULL) {
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	switch (e->type) {
	case LRT_EVENT_DEPOSIT:
		gmp_fprintf(f, "\"holder\": \"%s\", \"asset\": \"%s\", \"amount\": \"%Zd\"",
			    e->holder, e->asset, e->amount);
		break;
	case LRT_EVENT_WITHDRAW:
		gmp_fprintf(f, "\"holder\": \"%s\", \"shares\": \"%Zd\"", e->holder, e->amount);
		break;
	case LRT_EVENT_TRANSFER:
		gmp_fprintf(f, "\"from\": \"%s\", \"to\": \"%s\", \"shares\": \"%Zd\"",
			    e->from, e->to, e->amount);
		break;
	case LRT_EVENT_REWARD:
		gmp_fprintf(f, "\"source\": \"%s\", \"location\": \"%s\", \"asset\": \"%s\", "
			    "\"amount\": \"%Zd\"", e->source, e->location, e->asset, e->amount);
		break;
	case LRT_EVENT_SLASH:
		gmp_fprintf(f, "\"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", "
			    "\"%s\": \"%Zd\"", e->location, e->source, e->asset,
			    e->by_wad ? "wad" : "amount", e->amount);
		break;
	case LRT_EVENT_ALLOCATE:
		gmp_fprintf(f, "\"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", "
			    "\"magnitude\": \"%Zd\"", e->location, e->source, e->asset,
			    e->amount);
		break;
	case LRT_EVENT_ATTEST:
		gmp_fprintf(f, "\"asset\": \"%s\", \"location\": \"%s\", \"amount\": \"%Zd\"",
			    e->asset, e->location, e->amount);
		break;
	case LRT_EVENT_CONFIG:
		rc = format_points(f, e);
		break;
	case LRT_EVENT_MOVE:
		gmp_fprintf(f, "\"asset\": \"%s\", \"amount\": \"%Zd\", \"from\": \"%s\", "
			    "\"to\": \"%s\"", e->asset, e->amount, e->from, e->to);
		break;
	case LRT_EVENT_SWAP:
		gmp_fprintf(f, "\"location\": \"%s\", \"asset_in\": \"%s\", \"amount_in\": "
			    "\"%Zd\", \"asset_out\": \"%s\", \"amount_out\": \"%Zd\"",
			    e->location, e->asset, e->amount, e->asset_out, e->amount_out);
		break;
	case LRT_EVENT_PRICE:
		rc = lrt_price_format(price, sizeof(price), e->price);
		if (rc == 0)
			fprintf(f, "\"asset\": \"%s\", \"price\": \"%s\"", e->asset, price);
		break;
	case LRT_EVENT_CLAIM:
		fprintf(f, "\"request\": \"%s\"", e->request);
		break;
	default:
		lrt_error_set("demo generator: no format for event type %d", (int)e->type);
		rc = LRT_ESTATE;
	}
	if (fclose(f) != 0 && rc == 0) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * Gives `event` an id, applies it to the book and keeps its line for the
 * epoch's output.  An event the model means to apply must apply, and one it
 * makes on purpose to be refused (`refused`) must be rejected: anything else
 * is a bug of the model, LRT_ESTATE.
 */
static int emit(demo_generator *g, int phase, lrt_event *event, bool refused)
{
	demo_line *line;
	char hash[65];
	int rc;

	if (g->line_count > 0 && g->lines[g->line_count - 1].phase > phase) {
		lrt_error_set("demo generator: phase %d after phase %d", phase,
			      g->lines[g->line_count - 1].phase);
		return LRT_ESTATE;
	}
	line = reserve(g->lines, &g->line_capacity, g->line_count, sizeof(*line));
	if (line == NULL)
		return LRT_ENOMEM;
	g->lines = line;
	line = &g->lines[g->line_count];
	line->phase = phase;
	line->log_index = (unsigned)rng_below(&g->rng, LOG_INDEX_LIMIT);
	rng_hex(&g->rng, hash, 64);
	snprintf(line->id, sizeof(line->id), "0x%s:%u", hash, line->log_index);
	line->type = lrt_event_type_name(event->type);
	event->id = line->id;
	event->epoch = g->epoch;
	rc = lrt_book_apply(g->book, event);
	if (rc == LRT_EREJECT && refused) {
		g->summary->rejected++;
		rc = 0;
	} else if (rc == LRT_EREJECT || (rc == 0 && refused)) {
		lrt_error_set("demo generator: epoch %" PRId64 ": %s %s was %s: %s",
			      g->epoch, line->type, line->id,
			      refused ? "applied" : "rejected", lrt_error_last());
		return LRT_ESTATE;
	}
	if (rc == 0)
		rc = format_fields(&line->fields, event);
	if (rc == 0)
		g->line_count++;
	return rc;
}

/* A new event of `type` with its amount, for the builders below. */
static lrt_event *event_start(lrt_event *event, lrt_event_type type)
{
	lrt_event_init(event);
	event->type = type;
	return event;
}

static int emit_move(demo_generator *g, int asset, const mpz_t amount,
		     const char *from, const char *to)
{
	lrt_event e;
	int rc;

	event_start(&e, LRT_EVENT_MOVE);
	e.asset = asset_names[asset];
	e.from = from;
	e.to = to;
	mpz_set(e.amount, amount);
	rc = emit(g, PHASE_MOVES, &e, false);
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

	event_start(&e, LRT_EVENT_SWAP);
	e.location = location;
	e.asset = asset_names[asset];
	e.asset_out = asset_names[ASSET_ETH];
	mpz_set(e.amount, amount_in);
	value_at(e.amount_out, amount_in, g->price[asset]);
	times_bps(e.amount_out, e.amount_out, 10000 - discount_bps);
	rc = emit(g, phase, &e, false);
	lrt_event_clear(&e);
	return rc;
}

static void position(mpz_t out, const demo_generator *g, int asset, const char *location)
{
	lrt_book_position(out, g->book, asset_names[asset], location);
}

/* ---- 00:05 oracles -------------------------------------------------------- */

static void move_prices(demo_generator *g)
{
	uint64_t *p = g->price;
	uint64_t move;

	if (rng_chance_bps(&g->rng, STETH_STEP_CHANCE_BPS)) {
		if (rng_below(&g->rng, 2) == 0 && p[ASSET_STETH] > STETH_PRICE_LOW)
			p[ASSET_STETH] -= STETH_PRICE_STEP;
		else if (p[ASSET_STETH] < STETH_PRICE_HIGH)
			p[ASSET_STETH] += STETH_PRICE_STEP;
	}
	p[ASSET_RETH] += p[ASSET_RETH] * RETH_APR_BPS / (10000 * EPOCHS_PER_YEAR);
	move = rng_below(&g->rng, 2 * EIGEN_DAILY_MOVE_BPS + 1);
	p[ASSET_EIGEN] = p[ASSET_EIGEN] * (10000 - EIGEN_DAILY_MOVE_BPS + move) / 10000;
	if (p[ASSET_EIGEN] < EIGEN_PRICE_LOW)
		p[ASSET_EIGEN] = EIGEN_PRICE_LOW;
	if (p[ASSET_EIGEN] > EIGEN_PRICE_HIGH)
		p[ASSET_EIGEN] = EIGEN_PRICE_HIGH;
}

static int oracles(demo_generator *g)
{
	lrt_event e;
	int asset, rc = 0;

	if (g->epoch > 0)
		move_prices(g);
	for (asset = ASSET_STETH; asset < ASSET_COUNT && rc == 0; asset++) {
		event_start(&e, LRT_EVENT_PRICE);
		e.asset = asset_names[asset];
		set_u64(mpq_numref(e.price), g->price[asset]);
		set_u64(mpq_denref(e.price), PRICE_ONE);
		mpq_canonicalize(e.price);
		rc = emit(g, PHASE_ORACLE, &e, false);
		lrt_event_clear(&e);
	}
	return rc;
}

/* ---- 00:30 holders ---------------------------------------------------------- */

enum { INTENT_DEPOSIT, INTENT_WITHDRAW, INTENT_TRANSFER, INTENT_CLAIM, INTENT_EARLY_CLAIM };

typedef struct {
	int kind;
	size_t index;                           /* a holder, or a claim */
} demo_intent;

static int deposit(demo_generator *g, const demo_holder *h)
{
	uint64_t pick = rng_below(&g->rng, 100);
	int asset = pick < 60 ? ASSET_ETH : pick < 85 ? ASSET_STETH : ASSET_RETH;
	lrt_event e;
	int rc;

	event_start(&e, LRT_EVENT_DEPOSIT);
	e.holder = h->address;
	e.asset = asset_names[asset];
	human_amount(g, e.amount, h->size_class);
	if (asset != ASSET_ETH)
		amount_for(e.amount, e.amount, g->price[asset]);
	rc = emit(g, PHASE_HOLDERS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

/* Part of a holder's shares: all (45%), half (25%) or 5%-95%. */
static void part_of(demo_generator *g, mpz_t shares)
{
	uint64_t pick = rng_below(&g->rng, 100);

	if (pick < 45)
		return;
	times_bps(shares, shares, pick < 70 ? 5000 : 500 + rng_below(&g->rng, 9001));
}

static int withdraw(demo_generator *g, const demo_holder *h)
{
	lrt_event e;
	int rc = 0;

	event_start(&e, LRT_EVENT_WITHDRAW);
	e.holder = h->address;
	lrt_book_holder_shares(e.amount, g->book, h->address);
	part_of(g, e.amount);
	if (mpz_sgn(e.amount) > 0) {
		rc = emit(g, PHASE_HOLDERS, &e, false);
		g->summary->requests += rc == 0;
	}
	lrt_event_clear(&e);
	return rc;
}

static int transfer(demo_generator *g, const demo_holder *h)
{
	size_t to = (size_t)rng_below(&g->rng, g->holder_count);
	lrt_event e;
	int rc = 0;

	if (&g->holders[to] == h)
		return 0;
	event_start(&e, LRT_EVENT_TRANSFER);
	e.from = h->address;
	e.to = g->holders[to].address;
	lrt_book_holder_shares(e.amount, g->book, h->address);
	times_bps(e.amount, e.amount, 1000 + rng_below(&g->rng, 9001));
	if (mpz_sgn(e.amount) > 0)
		rc = emit(g, PHASE_HOLDERS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

static int claim(demo_generator *g, const char *request, bool refused)
{
	lrt_event e;
	int rc;

	event_start(&e, LRT_EVENT_CLAIM);
	e.request = request;
	rc = emit(g, PHASE_HOLDERS, &e, refused);
	lrt_event_clear(&e);
	g->summary->claims += rc == 0 && !refused;
	return rc;
}

typedef struct {
	uint64_t pick;                          /* counts down to the one chosen */
	char request[ID_BYTES];
} queued_pick;

static int count_queued(void *context, const lrt_request_view *request)
{
	(void)request;
	(*(uint64_t *)context)++;
	return 0;
}

static int pick_queued(void *context, const lrt_request_view *request)
{
	queued_pick *p = context;

	if (p->pick-- != 0)
		return 0;
	snprintf(p->request, sizeof(p->request), "%s", request->request);
	return 1;
}

/* A holder who claims a request still in the queue: refused, on purpose. */
static int early_claim(demo_generator *g)
{
	queued_pick p = { 0, "" };
	uint64_t count = 0;

	lrt_book_each_queued(g->book, count_queued, &count);
	if (count == 0)
		return 0;
	p.pick = rng_below(&g->rng, count);
	lrt_book_each_queued(g->book, pick_queued, &p);
	return claim(g, p.request, true);
}

typedef struct {
	demo_intent *items;
	size_t count, capacity;
} demo_plan;

static int intend(demo_plan *plan, int kind, size_t index)
{
	demo_intent *items = reserve(plan->items, &plan->capacity, plan->count,
				     sizeof(*items));

	if (items == NULL)
		return LRT_ENOMEM;
	plan->items = items;
	items[plan->count].kind = kind;
	items[plan->count++].index = index;
	return 0;
}

/* What each holder and claimant does today, in a shuffled order. */
static int plan_holders(demo_generator *g, demo_plan *plan)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < g->holder_count && rc == 0; i++) {
		const demo_holder *h = &g->holders[i];

		if (h->join_epoch == g->epoch)
			rc = intend(plan, INTENT_DEPOSIT, i);
		if (h->join_epoch >= g->epoch)
			continue;
		if (rng_chance_bps(&g->rng, TOP_UP_CHANCE_BPS))
			rc = intend(plan, INTENT_DEPOSIT, i);
		if (rng_chance_bps(&g->rng, WITHDRAW_CHANCE_BPS) && rc == 0)
			rc = intend(plan, INTENT_WITHDRAW, i);
		if (rng_chance_bps(&g->rng, TRANSFER_CHANCE_BPS) && rc == 0)
			rc = intend(plan, INTENT_TRANSFER, i);
	}
	for (i = 0; i < g->claim_count && rc == 0; i++)
		if (g->claims[i].claim_epoch == g->epoch)
			rc = intend(plan, INTENT_CLAIM, i);
	/* now and then, and surely the day after the slash: a worried holder */
	if ((rng_chance_bps(&g->rng, EARLY_CLAIM_CHANCE_BPS) ||
	     (g->slash_epoch >= 0 && g->epoch == g->slash_epoch + 1)) && rc == 0)
		rc = intend(plan, INTENT_EARLY_CLAIM, 0);
	for (i = plan->count; i > 1 && rc == 0; i--) {  /* Fisher-Yates */
		size_t j = (size_t)rng_below(&g->rng, i);
		demo_intent t = plan->items[i - 1];

		plan->items[i - 1] = plan->items[j];
		plan->items[j] = t;
	}
	return rc;
}

/* Drops the claims made today from the list. */
static void forget_claimed(demo_generator *g)
{
	size_t i, kept = 0;

	for (i = 0; i < g->claim_count; i++)
		if (g->claims[i].claim_epoch != g->epoch)
			g->claims[kept++] = g->claims[i];
	g->claim_count = kept;
}

static int holders(demo_generator *g)
{
	demo_plan plan = { NULL, 0, 0 };
	size_t i;
	int rc = plan_holders(g, &plan);

	for (i = 0; i < plan.count && rc == 0; i++) {
		const demo_intent *t = &plan.items[i];

		switch (t->kind) {
		case INTENT_DEPOSIT: rc = deposit(g, &g->holders[t->index]); break;
		case INTENT_WITHDRAW: rc = withdraw(g, &g->holders[t->index]); break;
		case INTENT_TRANSFER: rc = transfer(g, &g->holders[t->index]); break;
		case INTENT_CLAIM: rc = claim(g, g->claims[t->index].request, false); break;
		default: rc = early_claim(g); break;
		}
	}
	free(plan.items);
	if (rc == 0)
		forget_claimed(g);
	return rc;
}

/* ---- 20:00 rewards ------------------------------------------------------------ */

/* A reward of `apr_bps` a year on `base`, for one day. */
static int emit_yield(demo_generator *g, const char *source, const char *location,
		      int asset, const mpz_t base, unsigned apr_bps)
{
	lrt_event e;
	int rc = 0;

	event_start(&e, LRT_EVENT_REWARD);
	e.source = source;
	e.location = location;
	e.asset = asset_names[asset];
	mpz_mul_ui(e.amount, base, apr_bps);
	mpz_fdiv_q_ui(e.amount, e.amount, 10000 * EPOCHS_PER_YEAR);
	if (mpz_sgn(e.amount) > 0)
		rc = emit(g, PHASE_REWARDS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

static int rewards(demo_generator *g)
{
	mpz_t held;
	int i, rc = 0;

	mpz_init(held);
	for (i = 0; i < OPERATOR_COUNT && rc == 0; i++) {
		position(held, g, ASSET_ETH, operators[i].name);
		rc = emit_yield(g, "consensus", operators[i].name, ASSET_ETH, held,
				CONSENSUS_APR_BPS_LOW +
				(unsigned)rng_below(&g->rng, CONSENSUS_APR_BPS_SPREAD));
		position(held, g, ASSET_STETH, operators[i].name);
		if (rc == 0)
			rc = emit_yield(g, "steth-rebase", operators[i].name, ASSET_STETH,
					held, REBASE_APR_BPS_LOW +
					(unsigned)rng_below(&g->rng, REBASE_APR_BPS_SPREAD));
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
			   rng_below(&g->rng, AVS_APR_BPS_SPREAD));
		mpz_mul_ui(value, value, AVS_PAYOUT_DAYS);
		mpz_fdiv_q_ui(value, value, 10000 * EPOCHS_PER_YEAR);
		event_start(&e, LRT_EVENT_REWARD);
		e.source = avs_names[i];
		e.location = "buffer";
		e.asset = asset_names[ASSET_EIGEN];
		amount_for(e.amount, value, g->price[ASSET_EIGEN]);
		if (mpz_sgn(e.amount) > 0)
			rc = emit(g, PHASE_TREASURY, &e, false);
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
	position(held, g, ASSET_EIGEN, "buffer");
	if (mpz_sgn(held) > 0)
		rc = emit_sale(g, PHASE_TREASURY, ASSET_EIGEN, held, "buffer",
			       SALE_SLIPPAGE_BPS_LOW +
			       (unsigned)rng_below(&g->rng, SALE_SLIPPAGE_BPS_SPREAD));
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
		   rng_below(&g->rng, SLASH_YIELD_PERCENT_SPREAD));
	mpz_fdiv_q(loss, loss, one);
	mpz_fdiv_q_ui(loss, loss, 100);
	times_bps(bound, total_assets, SLASH_MAX_BPS);
	if (mpz_cmp(loss, bound) > 0)
		mpz_set(loss, bound);
	times_bps(bound, total_assets, SLASH_MIN_BPS);
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

	event_start(&e, LRT_EVENT_ALLOCATE);
	e.location = operator_name;
	e.source = avs;
	e.asset = asset_names[asset];
	mpz_set(e.amount, magnitude);
	rc = emit(g, PHASE_TREASURY, &e, false);
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
			unsigned avs = operator_avs[i][j];

			for (asset = ASSET_ETH; asset < RESTAKED_ASSET_COUNT && rc == 0; asset++) {
				uint64_t units = avs == 0
					? EIGENDA_MAGNITUDE_LOW + rng_below(&g->rng, EIGENDA_MAGNITUDE_SPREAD)
					: OTHER_MAGNITUDE_LOW + rng_below(&g->rng, OTHER_MAGNITUDE_SPREAD);

				mpz_mul_ui(magnitude, g->magnitude_unit, (unsigned long)units);
				rc = emit_allocate(g, operators[i].name, avs_names[avs], asset,
						   magnitude);
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
	size_t i = (size_t)rng_below(&g->rng, OPERATOR_COUNT);
	unsigned avs = operator_avs[i][rng_below(&g->rng, AVS_PER_OPERATOR)];
	int asset = (int)rng_below(&g->rng, RESTAKED_ASSET_COUNT);
	bool up = rng_below(&g->rng, 2) == 0;
	demo_magnitudes m = { operators[i].name, asset_names[asset], avs_names[avs],
			      {{0}}, {{0}}, {{0}} };
	mpz_t step, target;
	int rc;

	mpz_inits(m.max_magnitude, m.allocated, m.magnitude, step, target, NULL);
	mpz_mul_ui(step, g->magnitude_unit, (unsigned long)(ALLOCATION_STEP_LOW +
		   rng_below(&g->rng, ALLOCATION_STEP_SPREAD)));
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
	if (rng_chance_bps(&g->rng, ALLOCATION_CHANGE_CHANCE_BPS))
		return change_allocation(g);
	return 0;
}

/* ---- 21:00 treasury: the slash ------------------------------------------------- */

/* The index of an AVS's name in avs_names, or AVS_COUNT. */
static size_t avs_index(const char *name)
{
	size_t i;

	for (i = 0; i < AVS_COUNT && strcmp(avs_names[i], name) != 0; i++)
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
	*chosen = (size_t)rng_below(&g->rng, OPERATOR_COUNT);
	*avs = operator_avs[*chosen][rng_below(&g->rng, AVS_PER_OPERATOR)];
	rc = lrt_book_exposure(&exposure, g->book);
	if (rc == 0)
		slashable_of(slashable, &exposure, operators[*chosen].name, avs_names[*avs]);
	for (i = 0; i < OPERATOR_COUNT && rc == 0 && mpz_sgn(slashable) == 0; i++) {
		for (j = 0; j < exposure.operator_count; j++) {
			const lrt_operator_exposure *o = &exposure.operators[j];

			for (k = 0; k < o->avs_count && strcmp(o->name, operators[i].name) == 0; k++)
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
		m.operator_name = operators[chosen].name;
		m.avs = avs_names[avs];
		for (asset = ASSET_ETH; asset < RESTAKED_ASSET_COUNT && rc == 0; asset++) {
			m.asset = asset_names[asset];
			rc = read_magnitudes(g, &m);
			if (rc != 0 || mpz_sgn(m.magnitude) == 0)
				continue;
			event_start(&e, LRT_EVENT_SLASH);
			e.location = m.operator_name;
			e.source = m.avs;
			e.asset = m.asset;
			e.by_wad = true;
			wad_for(g, e.amount, loss, slashable);
			rc = emit(g, PHASE_TREASURY, &e, false);
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

	event_start(&e, LRT_EVENT_CONFIG);
	e.config_mask = LRT_CONFIG_POINTS;
	e.config.points = programs;
	e.config.points_count = sizeof(programs) / sizeof(programs[0]);
	rc = emit(g, PHASE_TREASURY, &e, false);
	if (rc == 0)
		g->summary->points_epoch = g->epoch;
	lrt_event_clear(&e);
	return rc;
}

static int treasury(demo_generator *g)
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
		position(held, g, asset, name);
		value_at(part, held, asset == ASSET_ETH ? PRICE_ONE : g->price[asset]);
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
		operator_value(g, value, operators[i].name);
		mpz_fdiv_q_ui(value, value, operators[i].weight_percent);
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
	position(out, g, ASSET_ETH, "buffer");
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
			position(held, g, ASSET_ETH, operators[i].name);
			if (mpz_cmp(held, most) > 0)
				chosen = i, mpz_set(most, held);
		}
		if (mpz_sgn(most) == 0)
			break;
		mpz_cdiv_q(need, need, g->validator);
		mpz_mul(need, need, g->validator);
		if (mpz_cmp(need, most) > 0)
			mpz_set(need, most);
		rc = emit_move(g, ASSET_ETH, need, operators[chosen].name, "buffer");
	}
	mpz_clears(need, held, most, NULL);
	return rc;
}

/* How much of an LST covers `need` wei once sold at the redemption
 * discount: a little more, and a wei for the rounding; at most `held`. */
static void enough_to_cover(demo_generator *g, mpz_t amount, const mpz_t need,
			    int asset, const mpz_t held)
{
	times_bps(amount, need, 10000 + 2 * REDEEM_DISCOUNT_BPS);
	amount_for(amount, amount, g->price[asset]);
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
		position(held, g, asset, location);
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
		rc = sell_lsts(g, operators[i].name, due);
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
		operator_value(g, value, operators[i].name);
		mpz_add(total, total, value);
	}
	for (i = 0; i < OPERATOR_COUNT && rc == 0 && mpz_sgn(left) > 0; i++) {
		operator_value(g, value, operators[i].name);
		mpz_mul_ui(want, total, operators[i].weight_percent);
		mpz_fdiv_q_ui(want, want, 100);
		mpz_sub(want, want, value);
		mpz_fdiv_q(want, want, g->validator);
		mpz_mul(want, want, g->validator);
		if (mpz_cmp(want, left) > 0)
			mpz_set(want, left);
		if (mpz_sgn(want) > 0) {
			rc = emit_move(g, ASSET_ETH, want, "buffer", operators[i].name);
			mpz_sub(left, left, want);
		}
	}
	if (rc == 0 && mpz_sgn(left) > 0)
		rc = emit_move(g, ASSET_ETH, left, "buffer",
			       operators[most_underweight(g)].name);
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
		position(held, g, asset, "buffer");
		if (mpz_sgn(held) > 0)
			rc = emit_move(g, asset, held, "buffer",
				       operators[most_underweight(g)].name);
	}
	mpz_clear(held);
	return rc;
}

static int moves(demo_generator *g)
{
	mpz_t total_assets, due, low, high, buffer, excess;
	int rc = 0;

	mpz_inits(total_assets, due, low, high, buffer, excess, NULL);
	lrt_book_total_assets(total_assets, g->book);
	due_soon(g, due);
	times_bps(low, total_assets, BUFFER_LOW_BPS);
	mpz_add(low, low, due);
	times_bps(high, total_assets, BUFFER_HIGH_BPS);
	mpz_add(high, high, due);
	position(buffer, g, ASSET_ETH, "buffer");
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

/* ---- 23:00 attests: what an oracle reads on chain --------------------------------- */

/* The location whose ETH the break day's attest gets wrong: an operator
 * holding ETH (a random one first), else the buffer. */
static const char *break_location(demo_generator *g)
{
	size_t first = (size_t)rng_below(&g->rng, OPERATOR_COUNT), i;
	const char *chosen = "buffer";
	mpz_t held;

	mpz_init(held);
	for (i = 0; i < OPERATOR_COUNT; i++) {
		position(held, g, ASSET_ETH, operators[(first + i) % OPERATOR_COUNT].name);
		if (mpz_sgn(held) > 0) {
			chosen = operators[(first + i) % OPERATOR_COUNT].name;
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
	event_start(&e, LRT_EVENT_ATTEST);
	e.asset = asset_names[asset];
	e.location = location;
	position(book, g, asset, location);
	mpz_set(e.amount, book);
	if (off) {
		uint64_t gwei = BREAK_GWEI_LOW + rng_below(&g->rng, BREAK_GWEI_SPREAD);
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
	rc = emit(g, PHASE_ATTEST, &e, false);
	g->summary->attests += rc == 0;
	lrt_event_clear(&e);
	mpz_clear(book);
	return rc;
}

/* Daily, each operator's ETH (its validators' balances); on Sundays a proof
 * of reserves: every asset the buffer and the operators hold, and what is
 * claimable.  On the break day, one location's ETH is read wrong. */
static int attests(demo_generator *g)
{
	bool weekly = g->epoch % AVS_PAYOUT_DAYS == PROOF_OF_RESERVES_DAY;
	const char *off_location = g->epoch == g->break_epoch ? break_location(g) : NULL;
	size_t l;
	int asset, rc = 0;
	mpz_t held;

	mpz_init(held);
	for (l = 0; l <= OPERATOR_COUNT && rc == 0; l++) {
		const char *location = l == 0 ? "buffer" : operators[l - 1].name;

		for (asset = ASSET_ETH; asset < ASSET_COUNT && rc == 0; asset++) {
			bool off = asset == ASSET_ETH && off_location != NULL &&
				   strcmp(location, off_location) == 0;
			bool daily = asset == ASSET_ETH && l > 0;

			position(held, g, asset, location);
			if (off || ((weekly || daily) && mpz_sgn(held) > 0))
				rc = emit_attest(g, asset, location, off);
		}
	}
	if (rc == 0 && weekly)
		rc = emit_attest(g, ASSET_ETH, "claimable", false);
	mpz_clear(held);
	return rc;
}

/* ---- writing an epoch, settling it ------------------------------------------ */

static int write_line(demo_generator *g, const demo_line *line, int64_t second)
{
	int64_t unix_time = GENESIS_TIME + g->epoch * EPOCH_SECONDS + second;
	int64_t block = GENESIS_BLOCK + (unix_time - GENESIS_TIME) / SECONDS_PER_BLOCK;
	int64_t seq = block * SEQ_PER_BLOCK + line->log_index;
	time_t t = (time_t)unix_time;
	char when[32];
	struct tm tm;

	if (seq <= g->last_seq)
		seq = g->last_seq + 1;  /* two events of one block: keep the order */
	g->last_seq = seq;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		lrt_error_set("demo generator: cannot write the time %" PRId64, unix_time);
		return LRT_ESTATE;
	}
	fprintf(g->out, "{\"id\": \"%s\", \"type\": \"%s\", \"epoch\": %" PRId64
		", \"time\": \"%s\", \"seq\": %" PRId64 ", %s}\n", line->id, line->type,
		g->epoch, when, seq, line->fields);
	g->summary->events++;
	return 0;
}

/* Spreads each phase's lines over its window, in order, and writes them. */
static int write_epoch(demo_generator *g)
{
	size_t first = 0, count, k;
	int rc = 0;

	while (first < g->line_count && rc == 0) {
		int phase = g->lines[first].phase;
		int64_t start = phase_window[phase][0];
		int64_t span = phase_window[phase][1] - start;

		for (count = 0; first + count < g->line_count &&
		     g->lines[first + count].phase == phase; count++)
			;
		for (k = 0; k < count && rc == 0; k++) {
			int64_t slot = start + (int64_t)k * span / (int64_t)count;
			int64_t width = span / (int64_t)count;

			rc = write_line(g, &g->lines[first + k],
					slot + (int64_t)rng_below(&g->rng, (uint64_t)width));
		}
		first += count;
	}
	for (k = 0; k < g->line_count; k++)
		free(g->lines[k].fields);
	g->line_count = 0;
	if (rc == 0 && ferror(g->out)) {
		lrt_error_set("cannot write the scenario");
		rc = LRT_EIO;
	}
	return rc;
}

/* The requests finalized today are claimed 1-4 days later, some 10-59. */
static int schedule_claims(demo_generator *g, const lrt_epoch_report *report)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < report->finalized_count && rc == 0; i++) {
		demo_claim *c = reserve(g->claims, &g->claim_capacity, g->claim_count,
					sizeof(*c));

		if (c == NULL)
			return LRT_ENOMEM;
		g->claims = c;
		c = &g->claims[g->claim_count++];
		snprintf(c->request, sizeof(c->request), "%s", report->finalized[i].request);
		c->claim_epoch = g->epoch + 1 + (int64_t)rng_below(&g->rng, CLAIM_DELAY_DAYS_MAX);
		if (rng_below(&g->rng, 100) < SLOW_CLAIM_PERCENT)
			c->claim_epoch = g->epoch + SLOW_CLAIM_DAYS_LOW +
				(int64_t)rng_below(&g->rng, SLOW_CLAIM_DAYS_SPREAD);
	}
	return rc;
}

static int settle(demo_generator *g)
{
	lrt_epoch_report report;
	int rc;

	lrt_epoch_report_init(&report);
	rc = lrt_book_settle(g->book, &report);
	if (rc == LRT_EGUARD) {
		lrt_error_prefix("demo generator: epoch %" PRId64, g->epoch);
		rc = LRT_ESTATE;
	}
	if (rc == 0)
		rc = schedule_claims(g, &report);
	lrt_epoch_report_clear(&report);
	return rc;
}

static int run_epoch(demo_generator *g)
{
	int rc = lrt_book_begin_epoch(g->book, g->epoch);

	if (rc == 0)
		rc = oracles(g);
	if (rc == 0)
		rc = holders(g);
	if (rc == 0)
		rc = rewards(g);
	if (rc == 0)
		rc = treasury(g);
	if (rc == 0)
		rc = moves(g);
	if (rc == 0)
		rc = attests(g);
	if (rc == 0)
		rc = write_epoch(g);
	if (rc == 0)
		rc = settle(g);
	return rc;
}

/* ---- the product and the cast ------------------------------------------------ */

static int product_line(char *out, size_t size)
{
	int n = snprintf(out, size,
		"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": ["
		"{\"symbol\": \"ETH\", \"decimals\": 18}, {\"symbol\": \"stETH\", \"decimals\": 18}, "
		"{\"symbol\": \"rETH\", \"decimals\": 18}, {\"symbol\": \"EIGEN\", \"decimals\": 18}], "
		"\"model\": \"erc4626\", \"offset\": 0, \"genesis_time\": \"" GENESIS_TIME_TEXT "\", "
		"\"epoch_seconds\": %" PRId64 ", \"fee_bps\": %d, \"fee_recipients\": ["
		"{\"holder\": \"treasury\", \"bps\": %d}, {\"holder\": \"insurance-fund\", \"bps\": %d}], "
		"\"delay_epochs\": %d, \"max_apr_bps\": %d, \"max_rate_change_bps\": %d, "
		"\"points\": [{\"name\": \"" LOYALTY_PROGRAM "\", \"per_share_epoch\": \""
		LOYALTY_PER_SHARE_EPOCH "\"}]}",
		EPOCH_SECONDS, FEE_BPS, TREASURY_BPS, INSURANCE_BPS, DELAY_EPOCHS,
		MAX_APR_BPS, MAX_RATE_CHANGE_BPS);

	return n > 0 && (size_t)n < size ? 0 : LRT_ELIMIT;
}

static unsigned pick_size_class(demo_generator *g)
{
	uint64_t pick = rng_below(&g->rng, 100);
	unsigned i;

	for (i = 0; i + 1 < SIZE_CLASS_COUNT; i++) {
		if (pick < size_classes[i].weight_percent)
			return i;
		pick -= size_classes[i].weight_percent;
	}
	return i;
}

/* 15% join at launch, the others on a day of the first three quarters. */
static int make_holders(demo_generator *g, size_t count)
{
	uint64_t joining_days = (uint64_t)(g->epochs * 3 / 4);
	size_t launch = count * LAUNCH_HOLDERS_PERCENT / 100, i;

	g->holders = calloc(count, sizeof(*g->holders));
	if (g->holders == NULL) {
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	g->holder_count = count;
	for (i = 0; i < count; i++) {
		demo_holder *h = &g->holders[i];

		h->address[0] = '0';
		h->address[1] = 'x';
		rng_hex(&g->rng, h->address + 2, 40);
		h->size_class = pick_size_class(g);
		h->join_epoch = 0;
		if (i >= (launch > 0 ? launch : 1) && joining_days > 1)
			h->join_epoch = 1 + (int64_t)rng_below(&g->rng, joining_days - 1);
	}
	return 0;
}

static int start(demo_generator *g, const demo_options *options, char *product,
		 size_t product_size)
{
	int rc;

	g->epochs = options->epochs;
	g->slash_epoch = options->epochs >= 4 ? options->epochs / 2 : -1;
	g->points_epoch = options->epochs >= 3 ? options->epochs / 3 : -1;
	g->price[ASSET_ETH] = PRICE_ONE;
	g->price[ASSET_STETH] = STETH_PRICE_START;
	g->price[ASSET_RETH] = RETH_PRICE_START;
	g->price[ASSET_EIGEN] = EIGEN_PRICE_START;
	rng_seed(&g->rng, options->seed);
	/* the attest off the book: a day of the last third */
	g->break_epoch = options->epochs - 1 -
		(int64_t)rng_below(&g->rng, (uint64_t)(options->epochs / 3));
	rc = product_line(product, product_size);
	if (rc == 0)
		rc = lrt_product_parse_json(&g->product, product, strlen(product));
	if (rc == 0)
		rc = lrt_book_new(&g->book, &g->product);
	if (rc == 0)
		rc = make_holders(g, options->holders);
	return rc;
}

static int check_options(const demo_options *options)
{
	if (options->epochs < 1 || options->epochs > DEMO_EPOCHS_MAX) {
		lrt_error_set("epochs: %" PRId64 " is not in 1..%d", options->epochs,
			      DEMO_EPOCHS_MAX);
		return LRT_EINVAL;
	}
	if (options->holders < 1 || options->holders > DEMO_HOLDERS_MAX) {
		lrt_error_set("holders: %zu is not in 1..%d", options->holders,
			      DEMO_HOLDERS_MAX);
		return LRT_EINVAL;
	}
	return 0;
}

int demo_generate(demo_summary *summary, FILE *out, const demo_options *options)
{
	demo_summary ignored;
	demo_generator g;
	char product[1024];
	size_t i;
	int rc = check_options(options);

	if (rc != 0)
		return rc;
	memset(&g, 0, sizeof(g));
	g.summary = summary != NULL ? summary : &ignored;
	memset(g.summary, 0, sizeof(*g.summary));
	g.summary->slash_epoch = -1;
	g.summary->break_epoch = -1;
	g.summary->points_epoch = -1;
	g.out = out;
	mpz_init_set_str(g.validator, VALIDATOR_WEI, 10);
	mpz_init_set_str(g.wad, WAD, 10);
	mpz_init_set_str(g.magnitude_unit, MAGNITUDE_UNIT, 10);
	rc = lrt_product_init(&g.product);
	if (rc == 0)
		rc = start(&g, options, product, sizeof(product));
	if (rc == 0 && fprintf(out, "{\"product\": %s}\n", product) < 0) {
		lrt_error_set("cannot write the scenario");
		rc = LRT_EIO;
	}
	for (g.epoch = 0; g.epoch < g.epochs && rc == 0; g.epoch++)
		rc = run_epoch(&g);
	if (rc == 0 && fflush(out) != 0) {
		lrt_error_set("cannot write the scenario");
		rc = LRT_EIO;
	}
	for (i = 0; i < g.line_count; i++)
		free(g.lines[i].fields);
	free(g.lines);
	free(g.claims);
	free(g.holders);
	lrt_book_free(g.book);
	lrt_product_clear(&g.product);
	mpz_clear(g.validator);
	mpz_clear(g.wad);
	mpz_clear(g.magnitude_unit);
	return rc;
}
