/*
 * events.c - the demo's amounts and events (see demo_internal.h): the
 * arithmetic of prices, and every event the model decides on applied to the
 * generator's own book and kept, formatted, as a line of the open epoch.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmp.h>

#include "demo/demo_internal.h"
#include "lrt/amount.h"
#include "lrt/error.h"

/* Log indexes 0..399: an event's id is its transaction's hash and its index. */
#define LOG_INDEX_LIMIT 400

void *demo_reserve(void *items, size_t *capacity, size_t count, size_t size)
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

void demo_set_u64(mpz_t out, uint64_t value)
{
	mpz_set_ui(out, (unsigned long)(value >> 32));
	mpz_mul_2exp(out, out, 32);
	mpz_add_ui(out, out, (unsigned long)(value & UINT32_MAX));
}

/* value = floor(amount * price / 10^12): every asset has 18 decimals. */
void demo_value_at(mpz_t value, const mpz_t amount, uint64_t price)
{
	mpz_t factor;

	mpz_init(factor);
	demo_set_u64(factor, price);
	mpz_mul(value, amount, factor);
	demo_set_u64(factor, PRICE_ONE);
	mpz_fdiv_q(value, value, factor);
	mpz_clear(factor);
}

/* amount = floor(value * 10^12 / price): how much of an asset `value` buys. */
void demo_amount_for(mpz_t amount, const mpz_t value, uint64_t price)
{
	mpz_t factor;

	mpz_init(factor);
	demo_set_u64(factor, PRICE_ONE);
	mpz_mul(amount, value, factor);
	demo_set_u64(factor, price);
	mpz_fdiv_q(amount, amount, factor);
	mpz_clear(factor);
}

/* out = floor(x * bps / 10000) */
void demo_times_bps(mpz_t out, const mpz_t x, unsigned bps)
{
	mpz_mul_ui(out, x, bps);
	mpz_fdiv_q_ui(out, out, 10000);
}

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

int demo_emit(demo_generator *g, int phase, lrt_event *event, bool refused)
{
	demo_line *line;
	char hash[65];
	int rc;

	if (g->line_count > 0 && g->lines[g->line_count - 1].phase > phase) {
		lrt_error_set("demo generator: phase %d after phase %d", phase,
			      g->lines[g->line_count - 1].phase);
		return LRT_ESTATE;
	}
	line = demo_reserve(g->lines, &g->line_capacity, g->line_count, sizeof(*line));
	if (line == NULL)
		return LRT_ENOMEM;
	g->lines = line;
	line = &g->lines[g->line_count];
	line->phase = phase;
	line->log_index = (unsigned)demo_rng_below(&g->rng, LOG_INDEX_LIMIT);
	demo_rng_hex(&g->rng, hash, 64);
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

lrt_event *demo_event_start(lrt_event *event, lrt_event_type type)
{
	lrt_event_init(event);
	event->type = type;
	return event;
}

void demo_position(mpz_t out, const demo_generator *g, int asset, const char *location)
{
	lrt_book_position(out, g->book, demo_asset_names[asset], location);
}

