/*
 * event_row.c - an lrt_event as the inbox's typed columns, and back (see
 * event_row.h).
 *
 * Workload: every event ingested is written once, every event settled is
 * read once; no allocation but the fee recipients of a `config` event.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/assert.h"
#include "core/limits.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "store/event_row.h"

typedef enum {
	KIND_ID, KIND_TYPE, KIND_EPOCH, KIND_SEQ, KIND_TEXT, KIND_AMOUNT,
	KIND_AMOUNT_OUT, KIND_PRICE, KIND_BY_WAD, KIND_FEE_BPS, KIND_RECIPIENTS,
	KIND_DELAY, KIND_APR, KIND_GUARD, KIND_MARK, KIND_POINTS
} column_kind;

typedef struct {
	const char *name;
	column_kind kind;
	size_t offset;      /* of the lrt_event member */
} column;

#define COLUMN_ENTRY(name, kind, member) {#name, KIND_##kind, offsetof(lrt_event, member)},

static const column columns[LRT_EVENT_ROW_COLUMN_COUNT] = {
	LRT_EVENT_ROW_COLUMNS(COLUMN_ENTRY)
};

static const char **text_member(const lrt_event *event, const column *c)
{
	return (const char **)((char *)event + c->offset);
}

static int number_text(char *out, size_t size, const mpz_t value)
{
	if (mpz_sizeinbase(value, 10) + 2 > size) {
		lrt_error_set("a number of %zu digits does not fit a row",
			      mpz_sizeinbase(value, 10));
		return LRT_ELIMIT;
	}
	mpz_get_str(out, 10, value);
	return 0;
}

/* The value of a policy column of a `config` event, or NULL when it does
 * not set that field. */
static int policy_value(lrt_event_row *row, const lrt_event *e, const column *c)
{
	int i = (int)(c - columns);
	unsigned mask = e->config_mask;

	switch (c->kind) {
	case KIND_FEE_BPS:
		if (mask & LRT_CONFIG_FEE_BPS)
			snprintf(row->fee_bps, sizeof(row->fee_bps), "%u", e->config.fee_bps),
			row->values[i] = row->fee_bps;
		return 0;
	case KIND_RECIPIENTS:
		if (!(mask & LRT_CONFIG_FEE_RECIPIENTS))
			return 0;
		row->recipients = lrt_json_recipients_text(&e->config);
		if (row->recipients == NULL) {
			lrt_error_set("out of memory writing fee recipients");
			return LRT_ENOMEM;
		}
		row->values[i] = row->recipients;
		return 0;
	case KIND_DELAY:
		if (mask & LRT_CONFIG_DELAY_EPOCHS)
			snprintf(row->delay_epochs, sizeof(row->delay_epochs), "%lld",
				 (long long)e->config.delay_epochs),
			row->values[i] = row->delay_epochs;
		return 0;
	case KIND_APR:
		if (mask & LRT_CONFIG_MAX_APR_BPS)
			snprintf(row->max_apr_bps, sizeof(row->max_apr_bps), "%u",
				 (unsigned)e->config.max_apr_bps),
			row->values[i] = row->max_apr_bps;
		return 0;
	case KIND_GUARD:
		if (mask & LRT_CONFIG_MAX_RATE_CHANGE_BPS)
			snprintf(row->max_rate_change_bps, sizeof(row->max_rate_change_bps),
				 "%u", (unsigned)e->config.max_rate_change_bps),
			row->values[i] = row->max_rate_change_bps;
		return 0;
	case KIND_MARK:
		if (mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
			row->values[i] = e->config.fee_high_water_mark ? "t" : "f";
		return 0;
	case KIND_POINTS:
		if (!(mask & LRT_CONFIG_POINTS))
			return 0;
		row->points = lrt_json_points_text(&e->config);
		if (row->points == NULL) {
			lrt_error_set("out of memory writing points programs");
			return LRT_ENOMEM;
		}
		row->values[i] = row->points;
		return 0;
	default:
		return 0;
	}
}

int lrt_event_row_from_event(lrt_event_row *row, const lrt_event *e)
{
	unsigned numbers = lrt_json_event_numbers(e->type);
	size_t i;
	int rc = 0;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < LRT_EVENT_ROW_COLUMN_COUNT && rc == 0; i++) {
		const column *c = &columns[i];

		switch (c->kind) {
		case KIND_ID:
		case KIND_TEXT:
			row->values[i] = *text_member(e, c);
			break;
		case KIND_TYPE:
			row->values[i] = lrt_event_type_name(e->type);
			break;
		case KIND_EPOCH:
			snprintf(row->epoch, sizeof(row->epoch), "%lld", (long long)e->epoch);
			row->values[i] = row->epoch;
			break;
		case KIND_SEQ:
			snprintf(row->seq, sizeof(row->seq), "%lld", (long long)e->seq);
			row->values[i] = e->has_seq ? row->seq : NULL;
			break;
		case KIND_AMOUNT:
			if (numbers & LRT_EVENT_NUMBER_AMOUNT)
				rc = number_text(row->amount, sizeof(row->amount), e->amount),
				row->values[i] = row->amount;
			break;
		case KIND_AMOUNT_OUT:
			if (numbers & LRT_EVENT_NUMBER_AMOUNT_OUT)
				rc = number_text(row->amount_out, sizeof(row->amount_out),
						 e->amount_out),
				row->values[i] = row->amount_out;
			break;
		case KIND_PRICE:
			if (numbers & LRT_EVENT_NUMBER_PRICE)
				rc = lrt_price_format(row->price, sizeof(row->price), e->price),
				row->values[i] = row->price;
			break;
		case KIND_BY_WAD:
			if (e->type == LRT_EVENT_SLASH)
				row->values[i] = e->by_wad ? "t" : "f";
			break;
		default:
			if (e->type == LRT_EVENT_CONFIG)
				rc = policy_value(row, e, c);
			break;
		}
	}
	LRT_ASSERT(row->values[0] != NULL && row->values[1] != NULL);
	return rc;
}

void lrt_event_row_clear(lrt_event_row *row)
{
	free(row->recipients);
	free(row->points);
	row->recipients = NULL;
	row->points = NULL;
}

/* ---- reading ------------------------------------------------------------- */

#define FAIL(...) do { lrt_error_set(__VA_ARGS__); return LRT_EINVAL; } while (0)

static int read_integer(int64_t *out, const char *text, const column *c,
			int64_t min, int64_t max)
{
	char *end;
	long long value;

	value = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || value < min || value > max)
		FAIL("%s: \"%.40s\" is not an integer in %lld..%lld", c->name, text,
		     (long long)min, (long long)max);
	*out = value;
	return 0;
}

static int read_recipients(lrt_event *e, lrt_arena *arena, const char *text)
{
	json_error_t error;
	json_t *list;
	int rc = lrt_json_load(&list, text, strlen(text), JSON_REJECT_DUPLICATES, &error);

	if (rc == LRT_EINVAL)
		FAIL("fee_recipients: not JSON: %s", error.text);
	if (rc != 0)
		return rc;
	rc = lrt_json_recipients(&e->config.fee_recipients,
				 &e->config.fee_recipient_count, list, arena);
	json_decref(list);
	if (rc == 0)
		e->config_mask |= LRT_CONFIG_FEE_RECIPIENTS;
	return rc;
}

/* A boolean as the server prints it ("t", "f") or as a row holds it. */
static int read_bool(bool *out, const char *text, const column *c)
{
	if (strcmp(text, "t") == 0 || strcmp(text, "true") == 0)
		*out = true;
	else if (strcmp(text, "f") == 0 || strcmp(text, "false") == 0)
		*out = false;
	else
		FAIL("%s: \"%.40s\" is not a boolean", c->name, text);
	return 0;
}

static int read_points(lrt_event *e, lrt_arena *arena, const char *text)
{
	json_error_t error;
	json_t *list;
	int rc = lrt_json_load(&list, text, strlen(text), JSON_REJECT_DUPLICATES, &error);

	if (rc == LRT_EINVAL)
		FAIL("points: not JSON: %s", error.text);
	if (rc != 0)
		return rc;
	rc = lrt_json_points(&e->config.points, &e->config.points_count, list, arena);
	json_decref(list);
	if (rc == 0)
		e->config_mask |= LRT_CONFIG_POINTS;
	return rc;
}

static int read_policy(lrt_event *e, lrt_arena *arena, const column *c,
		       const char *text)
{
	int64_t value;
	int rc;

	switch (c->kind) {
	case KIND_FEE_BPS:
		rc = read_integer(&value, text, c, 0, LRT_FEE_BPS_MAX);
		e->config.fee_bps = (unsigned)value;
		e->config_mask |= LRT_CONFIG_FEE_BPS;
		return rc;
	case KIND_RECIPIENTS:
		return read_recipients(e, arena, text);
	case KIND_DELAY:
		rc = read_integer(&value, text, c, 0, LRT_DELAY_EPOCHS_MAX);
		e->config.delay_epochs = value;
		e->config_mask |= LRT_CONFIG_DELAY_EPOCHS;
		return rc;
	case KIND_APR:
	case KIND_GUARD:
		rc = read_integer(&value, text, c, 0, LRT_POLICY_BPS_MAX);
		if (c->kind == KIND_APR)
			e->config.max_apr_bps = (uint32_t)value,
			e->config_mask |= LRT_CONFIG_MAX_APR_BPS;
		else
			e->config.max_rate_change_bps = (uint32_t)value,
			e->config_mask |= LRT_CONFIG_MAX_RATE_CHANGE_BPS;
		return rc;
	case KIND_MARK:
		rc = read_bool(&e->config.fee_high_water_mark, text, c);
		e->config_mask |= LRT_CONFIG_FEE_HIGH_WATER_MARK;
		return rc;
	case KIND_POINTS:
		return read_points(e, arena, text);
	default:
		FAIL("%s: not a policy column", c->name);
	}
}

static int read_column(lrt_event *e, lrt_arena *arena, const column *c,
		       const char *text)
{
	int kind;
	char *copy;

	switch (c->kind) {
	case KIND_ID:
	case KIND_TEXT:
		copy = lrt_arena_strndup(arena, text, strlen(text));
		if (copy == NULL) {
			lrt_error_set("out of memory reading an event");
			return LRT_ENOMEM;
		}
		*text_member(e, c) = copy;
		return 0;
	case KIND_TYPE:
		kind = lrt_event_type_parse(text);
		if (kind < 0)
			FAIL("type: unknown type \"%.40s\"", text);
		e->type = (lrt_event_type)kind;
		return 0;
	case KIND_EPOCH:
		return read_integer(&e->epoch, text, c, 0, LRT_EPOCH_MAX);
	case KIND_SEQ:
		e->has_seq = true;
		return read_integer(&e->seq, text, c, INT64_MIN, INT64_MAX);
	case KIND_AMOUNT:
		return lrt_amount_parse(e->amount, text, strlen(text));
	case KIND_AMOUNT_OUT:
		return lrt_amount_parse(e->amount_out, text, strlen(text));
	case KIND_PRICE:
		return lrt_price_parse(e->price, text, strlen(text));
	case KIND_BY_WAD:
		return read_bool(&e->by_wad, text, c);
	default:
		return read_policy(e, arena, c, text);
	}
}

int lrt_event_row_to_event(lrt_event *out, lrt_arena *arena,
			   const char *const *values)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < LRT_EVENT_ROW_COLUMN_COUNT && rc == 0; i++) {
		if (values[i] == NULL)
			continue;
		rc = read_column(out, arena, &columns[i], values[i]);
		if (rc == LRT_EINVAL && columns[i].kind >= KIND_AMOUNT
		    && columns[i].kind <= KIND_PRICE)
			lrt_error_prefix("%s", columns[i].name);
	}
	if (rc == 0 && (out->id == NULL || values[1] == NULL))
		FAIL("event_id and type: missing");
	return rc;
}

/* ---- comparing --------------------------------------------------------------- */

/* Whether two texts of column `c` say the same: numbers as values (the
 * server prints numeric as it was stored), the recipients as JSON.  1, 0,
 * or LRT_ENOMEM (never "they differ" for want of memory). */
static int same_value(const column *c, const char *left, const char *right)
{
	json_t *a = NULL, *b = NULL;
	mpq_t x, y;
	int same, rc;

	if (left == NULL || right == NULL)
		return left == right;
	if (strcmp(left, right) == 0)
		return 1;
	if (c->kind == KIND_RECIPIENTS || c->kind == KIND_POINTS) {
		rc = lrt_json_load(&a, left, strlen(left), 0, NULL);
		if (rc != LRT_ENOMEM)
			rc = lrt_json_load(&b, right, strlen(right), 0, NULL);
		same = a != NULL && b != NULL && json_equal(a, b);
		json_decref(a);
		json_decref(b);
		return rc == LRT_ENOMEM ? rc : same;
	}
	if (c->kind != KIND_AMOUNT && c->kind != KIND_AMOUNT_OUT && c->kind != KIND_PRICE)
		return 0;
	mpq_init(x);
	mpq_init(y);
	same = lrt_price_parse(x, left, strlen(left)) == 0
	       && lrt_price_parse(y, right, strlen(right)) == 0 && mpq_equal(x, y);
	mpq_clear(x);
	mpq_clear(y);
	return same;
}

int lrt_event_row_compare(const char **column_name, const char **stored_value,
			  const char **event_value, lrt_event_row *scratch,
			  const lrt_event *event, const char *const *stored)
{
	size_t i;
	int rc = lrt_event_row_from_event(scratch, event);

	if (rc != 0)
		return rc;
	for (i = 0; i < LRT_EVENT_ROW_COLUMN_COUNT; i++) {
		rc = same_value(&columns[i], stored[i], scratch->values[i]);
		if (rc < 0)
			return rc;
		if (rc == 1)
			continue;
		*column_name = columns[i].name;
		*stored_value = stored[i] != NULL ? stored[i] : "NULL";
		*event_value = scratch->values[i] != NULL ? scratch->values[i] : "NULL";
		return 1;
	}
	return 0;
}
