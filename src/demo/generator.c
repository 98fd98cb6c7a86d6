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

#include "demo/demo_internal.h"
#include "lrt/error.h"
#include "lrt/scenario.h"

/* ---- the calendar and the chain --------------------------------------- */

#define GENESIS_TIME INT64_C(1748822400)        /* 2025-06-02T00:00:00Z, a Monday */
#define GENESIS_TIME_TEXT "2025-06-02T00:00:00Z"
#define EPOCH_SECONDS INT64_C(86400)
#define GENESIS_BLOCK INT64_C(22610000)         /* about mainnet's, that day */
#define SECONDS_PER_BLOCK INT64_C(12)
#define SEQ_PER_BLOCK INT64_C(1000000)          /* seq = block * 10^6 + log index */

/* ---- the product ------------------------------------------------------ */

const char *const demo_asset_names[ASSET_COUNT] = { "ETH", "stETH", "rETH", "EIGEN" };

#define FEE_BPS 1000                            /* 10% of recognized increases */
#define TREASURY_BPS 8000
#define INSURANCE_BPS 2000
#define DELAY_EPOCHS 7                          /* a week, like EigenLayer's */
#define MAX_APR_BPS 800                         /* smoothing: 8% a year */
#define MAX_RATE_CHANGE_BPS 100                 /* the guard: 1% a day */

const demo_operator demo_operators[OPERATOR_COUNT] = {
	{ "p2p", 40 }, { "kiln", 35 }, { "figment", 25 },
};

const char *const demo_avs_names[AVS_COUNT] = {
	"eigenda", "hyperlane", "aligned", "lagrange",
};

const unsigned demo_operator_avs[OPERATOR_COUNT][AVS_PER_OPERATOR] = {
	{ 0, 1, 3 }, { 0, 2, 1 }, { 0, 3, 2 },
};

#define WAD "1000000000000000000"                /* EigenLayer's 10^18 */
#define MAGNITUDE_UNIT "100000000000000"        /* 0.01% of WAD */
#define VALIDATOR_WEI "32000000000000000000"    /* ETH is delegated by validator */

/* Seconds after the start of the day that each phase spans. */
static const int64_t phase_window[PHASE_COUNT][2] = {
	{ 300, 1800 }, { 1800, 72000 }, { 72000, 75600 }, { 75600, 79200 },
	{ 79200, 82800 }, { 82800, 86100 },
};

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

			int64_t second = slot + (int64_t)demo_rng_below(&g->rng,
									(uint64_t)width);

			rc = write_line(g, &g->lines[first + k], second);
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
		rc = demo_schedule_claims(g, &report);
	lrt_epoch_report_clear(&report);
	return rc;
}

static int run_epoch(demo_generator *g)
{
	int rc = lrt_book_begin_epoch(g->book, g->epoch);

	if (rc == 0)
		rc = demo_phase_oracles(g);
	if (rc == 0)
		rc = demo_phase_holders(g);
	if (rc == 0)
		rc = demo_phase_rewards(g);
	if (rc == 0)
		rc = demo_phase_treasury(g);
	if (rc == 0)
		rc = demo_phase_moves(g);
	if (rc == 0)
		rc = demo_phase_attests(g);
	if (rc == 0)
		rc = write_epoch(g);
	if (rc == 0)
		rc = settle(g);
	return rc;
}

/* ---- the product and the start ----------------------------------------------- */

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

static int start(demo_generator *g, const demo_options *options, char *product,
		 size_t product_size)
{
	int rc;

	g->epochs = options->epochs;
	g->slash_epoch = options->epochs >= 4 ? options->epochs / 2 : -1;
	g->points_epoch = options->epochs >= 3 ? options->epochs / 3 : -1;
	demo_prices_start(g->price);
	demo_rng_seed(&g->rng, options->seed);
	/* the attest off the book: a day of the last third */
	g->break_epoch = options->epochs - 1 -
		(int64_t)demo_rng_below(&g->rng, (uint64_t)(options->epochs / 3));
	rc = product_line(product, product_size);
	if (rc == 0)
		rc = lrt_product_parse_json(&g->product, product, strlen(product));
	if (rc == 0)
		rc = lrt_book_new(&g->book, &g->product);
	if (rc == 0)
		rc = demo_make_holders(g, options->holders);
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

