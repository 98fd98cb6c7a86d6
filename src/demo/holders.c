/*
 * holders.c - the demo's holders (see generator.c, 00:30): who they are (an
 * address, a day to join, a size of purse), what each does on a day
 * (deposit, top up, withdraw, transfer, claim), and when a finalized request
 * is claimed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmp.h>

#include "demo/demo_internal.h"
#include "lrt/error.h"

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

/* ---- the cast ---------------------------------------------------------------- */

/* An amount as a person would send it: a size class's decade, a four-digit
 * mantissa, then typed round (1.5 ETH, 30 ETH) or to the wei. */
static void human_amount(demo_generator *g, mpz_t wei, unsigned size_class)
{
	const demo_size_class *c = &size_classes[size_class];
	unsigned decade = c->decade_low + (unsigned)demo_rng_below(&g->rng,
		c->decade_high - c->decade_low + 1);
	uint64_t mantissa = 1000 + demo_rng_below(&g->rng, 9000);
	uint64_t style = demo_rng_below(&g->rng, 100);
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
		demo_set_u64(noise, demo_rng_next(&g->rng));
		mpz_mul_2exp(noise, noise, 64);
		demo_set_u64(low, demo_rng_next(&g->rng));
		mpz_add(noise, noise, low);
		mpz_fdiv_r(noise, noise, unit);
		mpz_add(wei, wei, noise);
	}
	mpz_clears(unit, noise, low, NULL);
}

static unsigned pick_size_class(demo_generator *g)
{
	uint64_t pick = demo_rng_below(&g->rng, 100);
	unsigned i;

	for (i = 0; i + 1 < SIZE_CLASS_COUNT; i++) {
		if (pick < size_classes[i].weight_percent)
			return i;
		pick -= size_classes[i].weight_percent;
	}
	return i;
}

/* 15% join at launch, the others on a day of the first three quarters. */
int demo_make_holders(demo_generator *g, size_t count)
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
		demo_rng_hex(&g->rng, h->address + 2, 40);
		h->size_class = pick_size_class(g);
		h->join_epoch = 0;
		if (i >= (launch > 0 ? launch : 1) && joining_days > 1)
			h->join_epoch = 1 + (int64_t)demo_rng_below(&g->rng, joining_days - 1);
	}
	return 0;
}

/* ---- 00:30 holders ---------------------------------------------------------- */

enum { INTENT_DEPOSIT, INTENT_WITHDRAW, INTENT_TRANSFER, INTENT_CLAIM, INTENT_EARLY_CLAIM };

typedef struct {
	int kind;
	size_t index;                           /* a holder, or a claim */
} demo_intent;

static int deposit(demo_generator *g, const demo_holder *h)
{
	uint64_t pick = demo_rng_below(&g->rng, 100);
	int asset = pick < 60 ? ASSET_ETH : pick < 85 ? ASSET_STETH : ASSET_RETH;
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_DEPOSIT);
	e.holder = h->address;
	e.asset = demo_asset_names[asset];
	human_amount(g, e.amount, h->size_class);
	if (asset != ASSET_ETH)
		demo_amount_for(e.amount, e.amount, g->price[asset]);
	rc = demo_emit(g, PHASE_HOLDERS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

/* Part of a holder's shares: all (45%), half (25%) or 5%-95%. */
static void part_of(demo_generator *g, mpz_t shares)
{
	uint64_t pick = demo_rng_below(&g->rng, 100);

	if (pick < 45)
		return;
	demo_times_bps(shares, shares, pick < 70 ? 5000 : 500 + demo_rng_below(&g->rng, 9001));
}

static int withdraw(demo_generator *g, const demo_holder *h)
{
	lrt_event e;
	int rc = 0;

	demo_event_start(&e, LRT_EVENT_WITHDRAW);
	e.holder = h->address;
	lrt_book_holder_shares(e.amount, g->book, h->address);
	part_of(g, e.amount);
	if (mpz_sgn(e.amount) > 0) {
		rc = demo_emit(g, PHASE_HOLDERS, &e, false);
		g->summary->requests += rc == 0;
	}
	lrt_event_clear(&e);
	return rc;
}

static int transfer(demo_generator *g, const demo_holder *h)
{
	size_t to = (size_t)demo_rng_below(&g->rng, g->holder_count);
	lrt_event e;
	int rc = 0;

	if (&g->holders[to] == h)
		return 0;
	demo_event_start(&e, LRT_EVENT_TRANSFER);
	e.from = h->address;
	e.to = g->holders[to].address;
	lrt_book_holder_shares(e.amount, g->book, h->address);
	demo_times_bps(e.amount, e.amount, 1000 + demo_rng_below(&g->rng, 9001));
	if (mpz_sgn(e.amount) > 0)
		rc = demo_emit(g, PHASE_HOLDERS, &e, false);
	lrt_event_clear(&e);
	return rc;
}

static int claim(demo_generator *g, const char *request, bool refused)
{
	lrt_event e;
	int rc;

	demo_event_start(&e, LRT_EVENT_CLAIM);
	e.request = request;
	rc = demo_emit(g, PHASE_HOLDERS, &e, refused);
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
	p.pick = demo_rng_below(&g->rng, count);
	lrt_book_each_queued(g->book, pick_queued, &p);
	return claim(g, p.request, true);
}

typedef struct {
	demo_intent *items;
	size_t count, capacity;
} demo_plan;

static int intend(demo_plan *plan, int kind, size_t index)
{
	demo_intent *items = demo_reserve(plan->items, &plan->capacity, plan->count,
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
		if (demo_rng_chance_bps(&g->rng, TOP_UP_CHANCE_BPS))
			rc = intend(plan, INTENT_DEPOSIT, i);
		if (demo_rng_chance_bps(&g->rng, WITHDRAW_CHANCE_BPS) && rc == 0)
			rc = intend(plan, INTENT_WITHDRAW, i);
		if (demo_rng_chance_bps(&g->rng, TRANSFER_CHANCE_BPS) && rc == 0)
			rc = intend(plan, INTENT_TRANSFER, i);
	}
	for (i = 0; i < g->claim_count && rc == 0; i++)
		if (g->claims[i].claim_epoch == g->epoch)
			rc = intend(plan, INTENT_CLAIM, i);
	/* now and then, and surely the day after the slash: a worried holder */
	if ((demo_rng_chance_bps(&g->rng, EARLY_CLAIM_CHANCE_BPS) ||
	     (g->slash_epoch >= 0 && g->epoch == g->slash_epoch + 1)) && rc == 0)
		rc = intend(plan, INTENT_EARLY_CLAIM, 0);
	for (i = plan->count; i > 1 && rc == 0; i--) {  /* Fisher-Yates */
		size_t j = (size_t)demo_rng_below(&g->rng, i);
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

int demo_phase_holders(demo_generator *g)
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

/* ---- claims ------------------------------------------------------------------ */

/* The requests finalized today are claimed 1-4 days later, some 10-59. */
int demo_schedule_claims(demo_generator *g, const lrt_epoch_report *report)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < report->finalized_count && rc == 0; i++) {
		demo_claim *c = demo_reserve(g->claims, &g->claim_capacity, g->claim_count,
					     sizeof(*c));

		if (c == NULL)
			return LRT_ENOMEM;
		g->claims = c;
		c = &g->claims[g->claim_count++];
		snprintf(c->request, sizeof(c->request), "%s", report->finalized[i].request);
		c->claim_epoch = g->epoch + 1 +
			(int64_t)demo_rng_below(&g->rng, CLAIM_DELAY_DAYS_MAX);
		if (demo_rng_below(&g->rng, 100) < SLOW_CLAIM_PERCENT)
			c->claim_epoch = g->epoch + SLOW_CLAIM_DAYS_LOW +
				(int64_t)demo_rng_below(&g->rng, SLOW_CLAIM_DAYS_SPREAD);
	}
	return rc;
}

