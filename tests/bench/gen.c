/*
 * gen.c - writes a large, realistic scenario for `make bench` (SPEC section
 * 6 format) to standard output, deterministically from a seed.
 *
 *   gen EVENTS [SEED] > scenario.jsonl
 *
 * The product is an erc4626 rstETH (offset 3) taking ETH, stETH and USDC,
 * with EIGEN rewards, a 10% fee to two recipients, a 2-epoch delay and
 * smoothing.  EVENTS events over EVENTS/1000 daily epochs (at least one),
 * every one with a `seq`, a fifth with an ISO `time` instead of `epoch`, ids
 * like `<tx hash>:<log index>`.  The mix, in thousandths: deposits 400,
 * transfers 220, withdrawals 120, claims 80, rewards 60, moves 50, prices 40,
 * swaps 15, slashes 5, config 1, and about 0.5% invalid events (withdrawals by
 * holders who never deposited, claims of unknown requests, zero deposits).
 * Holders are 40-hex-digit addresses, up to 250,000 of them.
 *
 * So that most events apply, the generator keeps lower bounds: a holder's
 * shares (in units of 10^12 shares, 10^-9 token) are counted at 80% of what a
 * deposit's value would mint at rate 1, which holds while the rate stays
 * below 1.25; positions are counted in whole gwei (10^-9 of a token, 10^-3 of
 * USDC units) and only moved or swapped within them.  It is a workload, not
 * a test: the engine decides what applies.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOLDERS_MAX 250000      /* distinct addresses */
#define OPERATORS 3
#define EVENTS_PER_EPOCH 1000
#define GENESIS_TIME 1752192000 /* 2025-07-11T00:00:00Z */
#define EPOCH_SECONDS 86400
#define DELAY_EPOCHS 2

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

static uint64_t prng_below(prng *rng, uint64_t bound)
{
	return bound == 0 ? 0 : prng_next(rng) % bound;
}

typedef struct {
	uint64_t id;            /* the withdraw event's number */
	int64_t epoch;
} pending;

typedef struct {
	prng rng;
	uint64_t events, written, seq;
	int64_t epoch, epochs;
	uint64_t *shares_units;         /* lower bound per holder */
	uint32_t *funded;               /* holders who hold shares */
	size_t funded_count;
	uint32_t holders_seen;
	uint64_t eth_buffer_gwei, eth_operator_gwei[OPERATORS];
	uint64_t steth_buffer_gwei, usdc_buffer_milli, eigen_operator_gwei[OPERATORS];
	uint64_t inflow_gwei;           /* ETH deposited since the last delegation */
	uint64_t assets_gwei;           /* a rough A, to size rewards */
	uint64_t steth_ppm, usdc_pico, eigen_nano;  /* the last prices */
	pending *requests;              /* withdrawals not yet claimed, FIFO */
	size_t request_head, request_count, request_capacity;
} generator;

static const char *const operators[OPERATORS] = {"p2p", "figment", "kiln"};

static void holder_address(char out[43], uint32_t holder)
{
	prng rng = {UINT64_C(0x686f6c646572) ^ ((uint64_t)holder << 20)};

	snprintf(out, 43, "0x%016" PRIx64 "%016" PRIx64 "%08" PRIx32,
		 prng_next(&rng), prng_next(&rng), (uint32_t)prng_next(&rng));
}

/* `{"id": "0x<hash>:<n>", "type": "<type>", "epoch"|"time": ..., "seq": ...` */
static void begin_event(generator *g, const char *type, uint64_t number)
{
	prng rng = {number * UINT64_C(0x7478) + 1};

	printf("{\"id\": \"0x%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 ":%" PRIu64
	       "\", \"type\": \"%s\"", prng_next(&rng), prng_next(&rng), prng_next(&rng),
	       prng_next(&rng), number % 512, type);
	if (prng_below(&g->rng, 5) == 0) {
		int64_t t = GENESIS_TIME + g->epoch * EPOCH_SECONDS
			+ (int64_t)((g->seq % EVENTS_PER_EPOCH) * EPOCH_SECONDS / EVENTS_PER_EPOCH);
		int64_t day = t / 86400, second = t % 86400;
		/* days since 1970-01-01 to a civil date (Howard Hinnant's algorithm) */
		int64_t z = day + 719468, era = z / 146097, doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
		int64_t m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);

		printf(", \"time\": \"%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64
		       ":%02" PRId64 ":%02" PRId64 "Z\"", y, m, d, second / 3600,
		       second / 60 % 60, second % 60);
	} else {
		printf(", \"epoch\": %" PRId64, g->epoch);
	}
	printf(", \"seq\": %" PRIu64, 21000000000000 + g->seq * 1000 + prng_below(&g->rng, 1000));
	g->seq++;
}

/* An 18-decimal amount of `gwei` whole gwei and random lower digits. */
static void print_wei(uint64_t gwei, prng *rng)
{
	printf("\"%" PRIu64 "%09" PRIu64 "\"", gwei, prng_below(rng, 1000000000));
}

/* Shares of `units` units of 10^12 (share decimals 21 = 18 + offset 3). */
static void print_shares(uint64_t units, prng *rng)
{
	printf("\"%" PRIu64 "%012" PRIu64 "\"", units, prng_below(rng, 1000000000000));
}

static uint32_t pick_funded(generator *g)
{
	return g->funded[prng_below(&g->rng, g->funded_count)];
}

static void credit(generator *g, uint32_t holder, uint64_t units)
{
	if (g->shares_units[holder] == 0 && units > 0)
		g->funded[g->funded_count++] = holder;
	g->shares_units[holder] += units;
}

static void gen_deposit(generator *g)
{
	uint64_t roll = prng_below(&g->rng, 100);
	uint32_t holder;
	char address[43];

	/* new holders arrive all along; a few hold most */
	if (g->holders_seen < HOLDERS_MAX && (g->funded_count == 0 || prng_below(&g->rng, 3) == 0))
		holder = g->holders_seen++;
	else
		holder = prng_below(&g->rng, 4) == 0 ? (uint32_t)prng_below(&g->rng, 100)
			: (uint32_t)prng_below(&g->rng, g->holders_seen);
	holder_address(address, holder);
	begin_event(g, "deposit", g->written);
	printf(", \"holder\": \"%s\"", address);
	if (roll < 70) {
		uint64_t gwei = 10000000 + prng_below(&g->rng, 32000000000);  /* 0.01..32 ETH */

		if (prng_below(&g->rng, 1000) == 0)
			gwei = 0;  /* mints zero shares: rejected */
		printf(", \"asset\": \"ETH\", \"amount\": ");
		if (gwei == 0)
			printf("\"0\"");
		else
			print_wei(gwei, &g->rng);
		credit(g, holder, gwei * 8 / 10);
		g->eth_buffer_gwei += gwei;
		g->inflow_gwei += gwei;
		g->assets_gwei += gwei;
	} else if (roll < 92) {
		uint64_t gwei = 10000000 + prng_below(&g->rng, 50000000000);

		printf(", \"asset\": \"stETH\", \"amount\": ");
		print_wei(gwei, &g->rng);
		credit(g, holder, gwei * 79 / 100);
		g->steth_buffer_gwei += gwei;
		g->assets_gwei += gwei;
	} else {
		uint64_t micro = 10000000 + prng_below(&g->rng, 200000000000);  /* 10..200k USDC */

		printf(", \"asset\": \"USDC\", \"amount\": \"%" PRIu64 "\"", micro);
		credit(g, holder, micro / 4 * 8 / 10 * 1);  /* value ~0.285 gwei per unit */
		g->usdc_buffer_milli += micro / 1000;
		g->assets_gwei += micro / 4;
	}
	printf("}\n");
}

static void gen_withdraw(generator *g)
{
	char address[43];
	uint32_t holder;
	uint64_t units;

	begin_event(g, "withdraw", g->written);
	if (g->funded_count == 0 || prng_below(&g->rng, 400) == 0) {
		holder_address(address, HOLDERS_MAX + (uint32_t)prng_below(&g->rng, 1000));
		printf(", \"holder\": \"%s\", \"shares\": \"1000\"}\n", address);  /* rejected */
		return;
	}
	holder = pick_funded(g);
	units = g->shares_units[holder] / (2 + prng_below(&g->rng, 8));
	if (units == 0)
		units = 1;
	g->shares_units[holder] = g->shares_units[holder] > units
		? g->shares_units[holder] - units : 0;
	holder_address(address, holder);
	printf(", \"holder\": \"%s\", \"shares\": ", address);
	print_shares(units, &g->rng);
	printf("}\n");
	if (g->request_count == g->request_capacity) {
		g->request_capacity = g->request_capacity ? 2 * g->request_capacity : 4096;
		g->requests = realloc(g->requests, g->request_capacity * sizeof *g->requests);
		if (g->requests == NULL)
			exit(1);
	}
	g->requests[g->request_count].id = g->written;
	g->requests[g->request_count].epoch = g->epoch;
	g->request_count++;
	g->assets_gwei -= units < g->assets_gwei ? units : 0;
}

static void gen_transfer(generator *g)
{
	char from[43], to[43];
	uint32_t sender, receiver;
	uint64_t units;

	if (g->funded_count == 0)
		return;
	sender = pick_funded(g);
	receiver = prng_below(&g->rng, 3) == 0 && g->holders_seen < HOLDERS_MAX
		? g->holders_seen++ : (uint32_t)prng_below(&g->rng, g->holders_seen);
	units = g->shares_units[sender] / (2 + prng_below(&g->rng, 20));
	if (units == 0)
		units = 1;
	g->shares_units[sender] = g->shares_units[sender] > units
		? g->shares_units[sender] - units : 0;
	credit(g, receiver, units > 1 ? units - 1 : 0);
	holder_address(from, sender);
	holder_address(to, receiver);
	begin_event(g, "transfer", g->written);
	printf(", \"from\": \"%s\", \"to\": \"%s\", \"shares\": ", from, to);
	print_shares(units, &g->rng);
	printf("}\n");
}

/* Claims of requests finalized at least one epoch ago; else a deposit. */
static void gen_claim(generator *g)
{
	prng rng;

	if (prng_below(&g->rng, 200) == 0) {
		begin_event(g, "claim", g->written);
		printf(", \"request\": \"no-such-request-%" PRIu64 "\"}\n", g->written);
		return;
	}
	if (g->request_head == g->request_count ||
	    g->requests[g->request_head].epoch + DELAY_EPOCHS + 1 > g->epoch) {
		gen_deposit(g);
		return;
	}
	rng.state = g->requests[g->request_head].id * UINT64_C(0x7478) + 1;
	begin_event(g, "claim", g->written);
	printf(", \"request\": \"0x%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64
	       ":%" PRIu64 "\"}\n", prng_next(&rng), prng_next(&rng), prng_next(&rng),
	       prng_next(&rng), g->requests[g->request_head].id % 512);
	g->request_head++;
}

/* Consensus rewards of about 3.5% a year, spread over the epoch; some EIGEN. */
static void gen_reward(generator *g)
{
	int operator = (int)prng_below(&g->rng, OPERATORS);
	uint64_t gwei;

	begin_event(g, "reward", g->written);
	if (prng_below(&g->rng, 5) == 0) {
		gwei = 1000000000 + prng_below(&g->rng, 50000000000);
		printf(", \"source\": \"eigenda\", \"location\": \"%s\", \"asset\": \"EIGEN\", \"amount\": ",
		       operators[operator]);
		g->eigen_operator_gwei[operator] += gwei;
	} else {
		gwei = g->assets_gwei / 365 * 35 / 1000 / 60 + 1;
		printf(", \"source\": \"consensus\", \"location\": \"%s\", \"asset\": \"ETH\", \"amount\": ",
		       prng_below(&g->rng, 4) == 0 ? "buffer" : operators[operator]);
		g->assets_gwei += gwei;
	}
	print_wei(gwei, &g->rng);
	printf("}\n");
}

/* Delegates half of the ETH deposited since the last delegation, or brings some back. */
static void gen_move(generator *g)
{
	int operator = (int)prng_below(&g->rng, OPERATORS);
	uint64_t gwei;

	begin_event(g, "move", g->written);
	if (prng_below(&g->rng, 3) != 0 || g->eth_operator_gwei[operator] < 2) {
		gwei = g->inflow_gwei / 2;
		g->inflow_gwei = 0;
		gwei = gwei < g->eth_buffer_gwei ? gwei : 0;
		g->eth_buffer_gwei -= gwei;
		g->eth_operator_gwei[operator] += gwei;
		printf(", \"asset\": \"ETH\", \"amount\": \"%" PRIu64 "000000000\", \"from\": \"buffer\", \"to\": \"%s\"}\n",
		       gwei, operators[operator]);
	} else {
		gwei = g->eth_operator_gwei[operator] / (2 + prng_below(&g->rng, 4));
		g->eth_operator_gwei[operator] -= gwei;
		g->eth_buffer_gwei += gwei;
		printf(", \"asset\": \"ETH\", \"amount\": \"%" PRIu64 "000000000\", \"from\": \"%s\", \"to\": \"buffer\"}\n",
		       gwei, operators[operator]);
	}
}

/* Oracle prices as small random walks pulled back toward their means. */
static uint64_t walk(prng *rng, uint64_t price, uint64_t mean, uint64_t step)
{
	uint64_t move = prng_below(rng, step + 1);

	if (prng_below(rng, 2) == 0 ? price > mean : price >= mean)
		return price > move ? price - move : price;
	return price + move;
}

static void gen_price(generator *g)
{
	uint64_t roll = prng_below(&g->rng, 3);

	begin_event(g, "price", g->written);
	if (roll == 0) {
		g->steth_ppm = walk(&g->rng, g->steth_ppm, 999300, 40);
		if (g->steth_ppm > 999999)
			g->steth_ppm = 999999;
		printf(", \"asset\": \"stETH\", \"price\": \"0.%06" PRIu64 "%012" PRIu64 "\"}\n",
		       g->steth_ppm, prng_below(&g->rng, 1000000000000));
	} else if (roll == 1) {
		g->usdc_pico = walk(&g->rng, g->usdc_pico, 285714000, 150000);
		printf(", \"asset\": \"USDC\", \"price\": \"0.%012" PRIu64 "\"}\n", g->usdc_pico);
	} else {
		g->eigen_nano = walk(&g->rng, g->eigen_nano, 1200000, 12000);
		printf(", \"asset\": \"EIGEN\", \"price\": \"0.%09" PRIu64 "\"}\n", g->eigen_nano);
	}
}

/* stETH redeemed for ETH at the buffer, EIGEN sold at an operator. */
static void gen_swap(generator *g)
{
	int operator = (int)prng_below(&g->rng, OPERATORS);
	uint64_t gwei;

	begin_event(g, "swap", g->written);
	if (prng_below(&g->rng, 4) != 0) {
		gwei = g->steth_buffer_gwei / 4;
		g->steth_buffer_gwei -= gwei;
		g->eth_buffer_gwei += gwei / 100 * 99;
		printf(", \"location\": \"buffer\", \"asset_in\": \"stETH\", \"amount_in\": \"%" PRIu64
		       "000000000\", \"asset_out\": \"ETH\", \"amount_out\": \"%" PRIu64 "000000000\"}\n",
		       gwei, gwei / 100 * 99);
	} else {
		gwei = g->eigen_operator_gwei[operator];
		g->eigen_operator_gwei[operator] = 0;
		printf(", \"location\": \"%s\", \"asset_in\": \"EIGEN\", \"amount_in\": \"%" PRIu64
		       "000000000\", \"asset_out\": \"ETH\", \"amount_out\": \"%" PRIu64 "000\"}\n",
		       operators[operator], gwei, gwei + 1);
	}
}

static void gen_slash(generator *g)
{
	int operator = (int)prng_below(&g->rng, OPERATORS);
	uint64_t gwei = g->eth_operator_gwei[operator] / 10000;

	g->eth_operator_gwei[operator] -= gwei;
	begin_event(g, "slash", g->written);
	printf(", \"operator\": \"%s\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"amount\": \"%" PRIu64
	       "000000000\"}\n", operators[operator], gwei);
}

static void gen_config(generator *g)
{
	begin_event(g, "config", g->written);
	printf(", \"fee_bps\": %" PRIu64 ", \"max_apr_bps\": %" PRIu64 "}\n",
	       800 + prng_below(&g->rng, 400), 600 + prng_below(&g->rng, 600));
}

static void gen_event(generator *g)
{
	uint64_t roll = prng_below(&g->rng, 1000);

	if (roll < 400 || g->funded_count == 0)
		gen_deposit(g);
	else if (roll < 620)
		gen_transfer(g);
	else if (roll < 740)
		gen_withdraw(g);
	else if (roll < 820)
		gen_claim(g);
	else if (roll < 880)
		gen_reward(g);
	else if (roll < 930)
		gen_move(g);
	else if (roll < 970)
		gen_price(g);
	else if (roll < 985)
		gen_swap(g);
	else if (roll < 990)
		gen_slash(g);
	else if (roll < 991)
		gen_config(g);
	else
		gen_deposit(g);
	g->written++;
}

int main(int argc, char **argv)
{
	generator g;
	uint64_t per_epoch;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen EVENTS [SEED] > scenario.jsonl\n");
		return 2;
	}
	memset(&g, 0, sizeof g);
	g.events = strtoull(argv[1], NULL, 10);
	g.rng.state = argc == 3 ? strtoull(argv[2], NULL, 0) : 1;
	g.steth_ppm = 999300;
	g.usdc_pico = 285714000;
	g.eigen_nano = 1200000;
	g.epochs = (int64_t)(g.events / EVENTS_PER_EPOCH);
	if (g.epochs == 0)
		g.epochs = 1;
	g.shares_units = calloc(HOLDERS_MAX, sizeof *g.shares_units);
	g.funded = calloc(HOLDERS_MAX, sizeof *g.funded);
	if (g.events == 0 || g.shares_units == NULL || g.funded == NULL) {
		fprintf(stderr, "gen: EVENTS must be a positive number\n");
		return 2;
	}
	printf("{\"product\": {\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": ["
	       "{\"symbol\": \"ETH\", \"decimals\": 18}, {\"symbol\": \"stETH\", \"decimals\": 18}, "
	       "{\"symbol\": \"USDC\", \"decimals\": 6}, {\"symbol\": \"EIGEN\", \"decimals\": 18}], "
	       "\"model\": \"erc4626\", \"offset\": 3, \"genesis_time\": %d, \"epoch_seconds\": %d, "
	       "\"fee_bps\": 1000, \"fee_recipients\": [{\"holder\": \"treasury\", \"bps\": 7000}, "
	       "{\"holder\": \"ops-multisig\", \"bps\": 3000}], \"delay_epochs\": %d, "
	       "\"max_apr_bps\": 1000}}\n", GENESIS_TIME, EPOCH_SECONDS, DELAY_EPOCHS);
	per_epoch = (g.events + (uint64_t)g.epochs - 1) / (uint64_t)g.epochs;
	for (g.epoch = 0; g.written < g.events; g.epoch++) {
		uint64_t end = g.written + per_epoch;

		g.seq = 0;
		if (g.epoch == 0) {  /* the first prices */
			begin_event(&g, "price", g.written++);
			printf(", \"asset\": \"stETH\", \"price\": \"0.9993\"}\n");
			begin_event(&g, "price", g.written++);
			printf(", \"asset\": \"USDC\", \"price\": \"0.000285714\"}\n");
			begin_event(&g, "price", g.written++);
			printf(", \"asset\": \"EIGEN\", \"price\": \"0.0012\"}\n");
		}
		while (g.written < end && g.written < g.events)
			gen_event(&g);
	}
	free(g.shares_units);
	free(g.funded);
	free(g.requests);
	return fflush(stdout) == 0 ? 0 : 1;
}
