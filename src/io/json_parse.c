/*
 * json_parse.c - products and events from parsed JSON (see json_parse.h).
 *
 * Amounts, shares, rates and prices must be JSON strings (a JSON number there
 * is malformed: it may already have lost digits in some writer); epochs,
 * seq, decimals and basis points are JSON integers.  Workload: every event of
 * every file, so the hot path does no allocation beyond the arena.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "io/problems.h"
#include "io/timeparse.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "lrt/scenario.h"

#define FAIL(...) do { lrt_error_set(__VA_ARGS__); return LRT_EINVAL; } while (0)
/* An allocation failed: never reported as malformed input. */
#define FAIL_MEMORY() do { lrt_error_set("out of memory"); return LRT_ENOMEM; } while (0)

/* Bytes of input text quoted in a message, cut on a character. */
#define QUOTED_BYTES_MAX 64

/* Input text as written, quoted for a message: "text", or its first
 * QUOTED_BYTES_MAX bytes and "..." (never half a UTF-8 character: the
 * message is stored as text). */
static void quote(char *out, size_t size, const char *text, size_t length)
{
	size_t n = length;

	if (n > QUOTED_BYTES_MAX) {
		n = QUOTED_BYTES_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	snprintf(out, size, "\"%.*s%s\"", (int)n, text, n < length ? "..." : "");
}

/* Goes on after a failed step when problems are gathered (events), stops
 * at the first when `problems` is NULL (products, policies). */
static int keep_going(lrt_problems *problems, int rc)
{
	return problems != NULL ? lrt_problems_note(problems, rc) : rc;
}

/* ---- fields ---------------------------------------------------------------- */

static int get_string(const char **out, size_t *length, const json_t *object,
		      const char *field)
{
	const json_t *value = json_object_get(object, field);

	if (value == NULL)
		FAIL("%s: missing", field);
	if (!json_is_string(value))
		FAIL("%s: must be a string", field);
	*out = json_string_value(value);
	*length = json_string_length(value);
	if (*length == 0)
		FAIL("%s: must not be empty", field);
	if (*length > LRT_NAME_BYTES_MAX && strcmp(field, "price") != 0)
		FAIL("%s: longer than %d bytes", field, LRT_NAME_BYTES_MAX);
	if (memchr(*out, '\0', *length) != NULL)
		FAIL("%s: holds a NUL character", field);
	return 0;
}

/* "0x" + 40 hex digits: an address, compared in lower case. */
static int is_address(const char *text, size_t length)
{
	size_t i;

	if (length != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return 0;
	for (i = 2; i < length; i++)
		if (!isxdigit((unsigned char)text[i]))
			return 0;
	return 1;
}

void lrt_party_name_normalize(char *name, size_t length)
{
	size_t i;

	if (is_address(name, length))
		for (i = 0; i < length; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
}

/* A name field copied into the arena; addresses lower-cased when `party`. */
static int get_name(const char **out, lrt_arena *arena, const json_t *object,
		    const char *field, int party)
{
	const char *text;
	size_t length;
	char *copy;
	int rc = get_string(&text, &length, object, field);

	if (rc != 0)
		return rc;
	copy = lrt_arena_strndup(arena, text, length);
	if (copy == NULL) {
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	if (party)
		lrt_party_name_normalize(copy, length);
	*out = copy;
	return 0;
}

static int get_amount(mpz_t out, const json_t *object, const char *field)
{
	const json_t *value = json_object_get(object, field);
	int rc;

	if (value == NULL)
		FAIL("%s: missing", field);
	if (!json_is_string(value))
		FAIL("%s: must be a decimal string, not a JSON %s", field,
		     json_is_number(value) ? "number" : "value of another type");
	rc = lrt_amount_parse(out, json_string_value(value), json_string_length(value));
	if (rc != 0)
		lrt_error_prefix("%s", field);
	return rc;
}

static int get_price(mpq_t out, const json_t *object, const char *field)
{
	const json_t *value = json_object_get(object, field);
	int rc;

	if (value == NULL)
		FAIL("%s: missing", field);
	if (!json_is_string(value))
		FAIL("%s: must be a decimal string, not a JSON %s", field,
		     json_is_number(value) ? "number" : "value of another type");
	rc = lrt_price_parse(out, json_string_value(value), json_string_length(value));
	if (rc != 0)
		lrt_error_prefix("%s", field);
	return rc;
}

/* A JSON integer in [min, max]; *present = 0 when absent (then not an error). */
static int get_integer(int64_t *out, int *present, const json_t *object,
		       const char *field, int64_t min, int64_t max)
{
	const json_t *value = json_object_get(object, field);
	json_int_t number;

	*present = value != NULL;
	if (value == NULL)
		return 0;
	if (!json_is_integer(value))
		FAIL("%s: must be a JSON integer", field);
	number = json_integer_value(value);
	if (number < min || number > max)
		FAIL("%s: %lld is out of range %lld..%lld", field, (long long)number,
		     (long long)min, (long long)max);
	*out = number;
	return 0;
}

/* A time as the input wrote it, for messages: a string quoted, an integer
 * as its digits (never reformatted: the person looks for what they wrote). */
static void time_as_written(char *out, size_t size, const json_t *value)
{
	if (json_is_integer(value))
		snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
	else
		quote(out, size, json_string_value(value), json_string_length(value));
}

/* Unix seconds as a JSON integer, or a string (ISO-8601 or digits). */
static int get_time(int64_t *out, int *present, const json_t *object,
		    const char *field)
{
	const json_t *value = json_object_get(object, field);
	const char *text;
	char written[QUOTED_BYTES_MAX + 8];
	size_t length;
	int rc;

	*present = value != NULL;
	if (value == NULL)
		return 0;
	if (json_is_integer(value))
		return get_integer(out, present, object, field, LRT_TIME_MIN, LRT_TIME_MAX);
	if (!json_is_string(value))
		FAIL("%s: must be ISO-8601 text or Unix seconds", field);
	text = json_string_value(value);
	length = json_string_length(value);
	rc = lrt_time_parse(out, text, length);
	if (rc != LRT_EINVAL)
		return rc;
	/* the message quotes the text as written, whatever the parser said */
	quote(written, sizeof(written), text, length);
	if (length > 0 && strspn(text, "0123456789") == length)
		FAIL("%s: %s is out of range for Unix seconds (at most %lld)", field,
		     written, (long long)LRT_TIME_MAX);
	FAIL("%s: %s is not an ISO-8601 time or Unix seconds", field, written);
}

/* ---- fee recipients and policy fields ---------------------------------------- */

int lrt_json_recipients(lrt_fee_recipient **out, size_t *count,
			const json_t *list, lrt_arena *arena)
{
	size_t i, n;
	lrt_fee_recipient *recipients;

	if (!json_is_array(list))
		FAIL("fee_recipients: must be a list of {\"holder\", \"bps\"}");
	n = json_array_size(list);
	if (n == 0)
		FAIL("fee_recipients: must not be empty");
	if (n > LRT_FEE_RECIPIENTS_MAX)
		FAIL("fee_recipients: more than %d", LRT_FEE_RECIPIENTS_MAX);
	recipients = lrt_arena_alloc(arena, n * sizeof(*recipients));
	if (recipients == NULL)
		FAIL_MEMORY();
	for (i = 0; i < n; i++) {
		const json_t *item = json_array_get(list, i);
		int64_t bps;
		int present, rc;

		/* other keys are ignored (SPEC section 2) */
		if (!json_is_object(item))
			FAIL("fee_recipients[%zu]: must be an object", i);
		rc = get_name((const char **)&recipients[i].holder, arena, item, "holder", 1);
		if (rc == 0)
			rc = get_integer(&bps, &present, item, "bps", 0, LRT_BPS_DENOMINATOR);
		if (rc == 0 && !present)
			rc = (lrt_error_set("bps: missing"), LRT_EINVAL);
		if (rc != 0) {
			lrt_error_prefix("fee_recipients[%zu]", i);
			return rc;
		}
		recipients[i].bps = (unsigned)bps;
	}
	*out = recipients;
	*count = n;
	return 0;
}

/* A list of points programs {"name", "per_share_epoch"}, other keys ignored
 * (SPEC section 2); names and rates are checked by lrt_policy_validate. */
int lrt_json_points(lrt_points_program **out, size_t *count,
		    const json_t *list, lrt_arena *arena)
{
	lrt_points_program *programs;
	size_t i, n;

	if (!json_is_array(list))
		FAIL("points: must be a list of {\"name\", \"per_share_epoch\"}");
	n = json_array_size(list);
	if (n > LRT_POINTS_PROGRAMS_MAX)
		FAIL("points: more than %d programs", LRT_POINTS_PROGRAMS_MAX);
	programs = lrt_arena_alloc(arena, (n + 1) * sizeof(*programs));
	if (programs == NULL)
		FAIL_MEMORY();
	for (i = 0; i < n; i++) {
		const json_t *item = json_array_get(list, i);
		const char *rate;
		size_t length;
		int rc;

		if (!json_is_object(item))
			FAIL("points[%zu]: must be an object", i);
		rc = get_name((const char **)&programs[i].name, arena, item, "name", 0);
		if (rc == 0)
			rc = get_string(&rate, &length, item, "per_share_epoch");
		if (rc == 0 && (programs[i].per_share_epoch =
				lrt_arena_strndup(arena, rate, length)) == NULL)
			rc = (lrt_error_set("out of memory"), LRT_ENOMEM);
		if (rc != 0) {
			lrt_error_prefix("points[%zu]", i);
			return rc;
		}
	}
	*out = programs;
	*count = n;
	return 0;
}

/* The policy fields present in `object` into `policy`; `mask` gets a
 * LRT_CONFIG_* bit for each that is well-formed.  Recipient strings go to
 * the arena.  With `problems`, each bad field is noted and the others are
 * read; without, the first stops it. */
static int parse_policy(lrt_policy *policy, unsigned *mask, const json_t *object,
			lrt_arena *arena, lrt_problems *problems)
{
	int64_t value;
	int present, rc;
	const json_t *list;

	*mask = 0;
	rc = get_integer(&value, &present, object, "fee_bps", 0, LRT_FEE_BPS_MAX);
	if (rc == 0 && present)
		policy->fee_bps = (unsigned)value, *mask |= LRT_CONFIG_FEE_BPS;
	if ((rc = keep_going(problems, rc)) != 0)
		return rc;
	rc = get_integer(&value, &present, object, "delay_epochs", 0, LRT_DELAY_EPOCHS_MAX);
	if (rc == 0 && present)
		policy->delay_epochs = value, *mask |= LRT_CONFIG_DELAY_EPOCHS;
	if ((rc = keep_going(problems, rc)) != 0)
		return rc;
	rc = get_integer(&value, &present, object, "max_apr_bps", 0, LRT_POLICY_BPS_MAX);
	if (rc == 0 && present)
		policy->max_apr_bps = (uint32_t)value, *mask |= LRT_CONFIG_MAX_APR_BPS;
	if ((rc = keep_going(problems, rc)) != 0)
		return rc;
	rc = get_integer(&value, &present, object, "max_rate_change_bps", 0, LRT_POLICY_BPS_MAX);
	if (rc == 0 && present)
		policy->max_rate_change_bps = (uint32_t)value,
		*mask |= LRT_CONFIG_MAX_RATE_CHANGE_BPS;
	if ((rc = keep_going(problems, rc)) != 0)
		return rc;
	list = json_object_get(object, "fee_recipients");
	if (list != NULL) {
		rc = lrt_json_recipients(&policy->fee_recipients,
				      &policy->fee_recipient_count, list, arena);
		if (rc == 0)
			*mask |= LRT_CONFIG_FEE_RECIPIENTS;
		if ((rc = keep_going(problems, rc)) != 0)
			return rc;
	}
	list = json_object_get(object, "fee_high_water_mark");
	if (list != NULL) {
		rc = 0;
		if (!json_is_boolean(list)) {
			lrt_error_set("fee_high_water_mark: must be true or false");
			rc = LRT_EINVAL;
		} else {
			policy->fee_high_water_mark = json_is_true(list);
			*mask |= LRT_CONFIG_FEE_HIGH_WATER_MARK;
		}
		if ((rc = keep_going(problems, rc)) != 0)
			return rc;
	}
	list = json_object_get(object, "points");
	if (list != NULL) {
		rc = lrt_json_points(&policy->points, &policy->points_count, list, arena);
		if (rc == 0)
			*mask |= LRT_CONFIG_POINTS;
		if ((rc = keep_going(problems, rc)) != 0)
			return rc;
	}
	return 0;
}

/* ---- products ------------------------------------------------------------------ */

static const char *const product_fields[] = {
	"symbol", "underlying", "assets", "model", "offset", "genesis_time",
	"epoch_seconds", "fee_bps", "fee_recipients", "delay_epochs",
	"max_apr_bps", "max_rate_change_bps", "fee_high_water_mark", "points", NULL
};

static int known_field(const char *const *fields, const char *key)
{
	for (; *fields != NULL; fields++)
		if (strcmp(*fields, key) == 0)
			return 1;
	return 0;
}

static int parse_assets(lrt_product *out, const json_t *list, lrt_arena *arena)
{
	size_t i, n;

	if (list == NULL)
		FAIL("assets: missing");
	if (!json_is_array(list) || json_array_size(list) == 0)
		FAIL("assets: must be a non-empty list of {\"symbol\", \"decimals\"}");
	n = json_array_size(list);
	if (n > LRT_ASSETS_MAX)
		FAIL("assets: more than %d", LRT_ASSETS_MAX);
	out->assets = calloc(n, sizeof(*out->assets));
	if (out->assets == NULL)
		FAIL_MEMORY();
	for (i = 0; i < n; i++) {
		const json_t *item = json_array_get(list, i);
		const char *key, *symbol;
		json_t *ignored;
		int64_t decimals;
		int present, rc;

		if (!json_is_object(item))
			FAIL("assets[%zu]: must be an object", i);
		json_object_foreach((json_t *)item, key, ignored)
			if (strcmp(key, "symbol") != 0 && strcmp(key, "decimals") != 0)
				FAIL("assets[%zu]: unknown field %s", i, key);
		rc = get_name(&symbol, arena, item, "symbol", 0);
		if (rc == 0)
			rc = get_integer(&decimals, &present, item, "decimals", 0, LRT_DECIMALS_MAX);
		if (rc == 0 && !present)
			rc = (lrt_error_set("decimals: missing"), LRT_EINVAL);
		if (rc != 0) {
			lrt_error_prefix("assets[%zu]", i);
			return rc;
		}
		out->assets[i].symbol = strdup(symbol);
		out->assets[i].decimals = (unsigned)decimals;
		out->asset_count = i + 1;
		if (out->assets[i].symbol == NULL)
			FAIL_MEMORY();
	}
	return 0;
}

static int parse_model(lrt_product *out, const json_t *object)
{
	const json_t *model = json_object_get(object, "model");
	int64_t value;
	int present, rc;

	if (model != NULL) {
		if (json_is_string(model) && strcmp(json_string_value(model), "erc4626") == 0)
			out->model = LRT_MODEL_ERC4626;
		else if (json_is_string(model) && strcmp(json_string_value(model), "plain") == 0)
			out->model = LRT_MODEL_PLAIN;
		else
			FAIL("model: must be \"erc4626\" or \"plain\"");
	}
	rc = get_integer(&value, &present, object, "offset", 0, LRT_OFFSET_MAX);
	if (rc != 0)
		return rc;
	if (present && out->model == LRT_MODEL_PLAIN)
		FAIL("offset: not allowed with the plain model");
	out->offset = present ? (unsigned)value : 0;
	rc = get_time(&value, &present, object, "genesis_time");
	if (rc != 0)
		return rc;
	if (present)
		out->genesis_time = value;
	rc = get_integer(&value, &present, object, "epoch_seconds", 1, LRT_TIME_MAX);
	if (rc != 0)
		return rc;
	if (present)
		out->epoch_seconds = value;
	return 0;
}

static int parse_product_fields(lrt_product *out, const json_t *object,
				lrt_arena *arena)
{
	const char *key, *text;
	json_t *ignored;
	lrt_policy policy = {0};
	unsigned mask;
	int rc;

	if (!json_is_object(object))
		FAIL("product: must be an object");
	json_object_foreach((json_t *)object, key, ignored)
		if (!known_field(product_fields, key))
			FAIL("%s: unknown product field", key);
	if ((rc = get_name(&text, arena, object, "symbol", 0)) != 0)
		return rc;
	if ((out->symbol = strdup(text)) == NULL)
		FAIL_MEMORY();
	if ((rc = get_name(&text, arena, object, "underlying", 0)) != 0)
		return rc;
	if ((out->underlying = strdup(text)) == NULL)
		FAIL_MEMORY();
	if ((rc = parse_assets(out, json_object_get(object, "assets"), arena)) != 0)
		return rc;
	if ((rc = parse_model(out, object)) != 0)
		return rc;
	if ((rc = parse_policy(&policy, &mask, object, arena, NULL)) != 0)
		return rc;
	/* without fee_recipients the default of lrt_product_init stays: the
	 * copy is made before lrt_policy_copy frees what out held */
	if (!(mask & LRT_CONFIG_FEE_RECIPIENTS)) {
		policy.fee_recipients = out->policy.fee_recipients;
		policy.fee_recipient_count = out->policy.fee_recipient_count;
	}
	rc = lrt_policy_copy(&out->policy, &policy);
	if (rc != 0)
		return rc;
	return lrt_product_validate(out);
}

int lrt_json_product(lrt_product *out, const json_t *object)
{
	lrt_product product;
	lrt_arena arena;
	int rc;

	if (lrt_product_init(&product) != 0)
		return LRT_ENOMEM;
	lrt_arena_init(&arena);
	rc = parse_product_fields(&product, object, &arena);
	if (rc == 0) {
		lrt_product_clear(out);
		*out = product;
	} else {
		lrt_product_clear(&product);
	}
	lrt_arena_clear(&arena);
	return rc;
}

/* ---- events ---------------------------------------------------------------------- */

/*
 * The epoch `time` (read as `seconds`) falls in, into *epoch; when
 * `epoch_given`, it must be *epoch already.  The messages show the time as
 * it was written.
 */
static int time_epoch(int64_t *epoch, int epoch_given, const json_t *time,
		      int64_t seconds, const lrt_product *product)
{
	char written[QUOTED_BYTES_MAX + 8], genesis[32] = "";
	time_t genesis_seconds = (time_t)product->genesis_time;
	int64_t from_time;
	struct tm utc;
	int rc;

	time_as_written(written, sizeof(written), time);
	rc = lrt_product_epoch_of(&from_time, product, seconds);
	if (rc == LRT_EINVAL) {
		if (gmtime_r(&genesis_seconds, &utc) != NULL)
			strftime(genesis, sizeof(genesis), " (%Y-%m-%dT%H:%M:%SZ)", &utc);
		FAIL("time: %s is before genesis_time %lld%s", written,
		     (long long)product->genesis_time, genesis);
	}
	if (rc != 0)
		return rc;
	if (from_time > LRT_EPOCH_MAX)
		FAIL("time: %s falls in epoch %lld, past the last (%lld)", written,
		     (long long)from_time, (long long)LRT_EPOCH_MAX);
	if (epoch_given && from_time != *epoch)
		FAIL("time: %s falls in epoch %lld, but epoch says %lld", written,
		     (long long)from_time, (long long)*epoch);
	*epoch = from_time;
	return 0;
}

/* epoch from `epoch` and/or `time` (both given must agree), and seq; each
 * bad field noted. */
static int parse_epoch(lrt_event *out, const json_t *object,
		       const lrt_product *product, lrt_problems *problems)
{
	int64_t epoch = 0, seconds = 0;
	int has_epoch, has_time, has_seq, epoch_ok, time_ok, rc;

	rc = get_integer(&epoch, &has_epoch, object, "epoch", 0, LRT_EPOCH_MAX);
	epoch_ok = rc == 0;
	if ((rc = lrt_problems_note(problems, rc)) != 0)
		return rc;
	rc = get_time(&seconds, &has_time, object, "time");
	time_ok = rc == 0;
	if ((rc = lrt_problems_note(problems, rc)) != 0)
		return rc;
	if (!has_epoch && !has_time) {
		lrt_error_set("epoch: missing (give \"epoch\" or \"time\")");
		rc = LRT_EINVAL;
	} else if (has_time && time_ok) {
		rc = time_epoch(&epoch, has_epoch && epoch_ok,
				json_object_get(object, "time"), seconds, product);
	}
	if ((rc = lrt_problems_note(problems, rc)) != 0)
		return rc;
	out->epoch = epoch;
	rc = get_integer(&out->seq, &has_seq, object, "seq", INT64_MIN, INT64_MAX);
	out->has_seq = has_seq && rc == 0;
	return lrt_problems_note(problems, rc);
}

/* The fields of each type (SPEC section 3), and where they go in lrt_event
 * (the table in include/lrt/event.h). */
typedef enum {
	FIELD_NAME,        /* a non-empty string */
	FIELD_PARTY,       /* a holder, location or operator: addresses lower-cased */
	FIELD_AMOUNT,      /* a decimal string into amount */
	FIELD_AMOUNT_OUT,  /* a decimal string into amount_out */
	FIELD_PRICE        /* a price string into price */
} field_kind;

typedef struct {
	const char *json;
	field_kind kind;
	size_t offset;     /* of the const char * member, for names */
} field_spec;

#define NAME(json, member) {json, FIELD_NAME, offsetof(lrt_event, member)}
/* A slash's operator, AVS and asset; then exactly one of amount and wad. */
#define SLASH_NAMES PARTY("operator", location), PARTY("avs", source), NAME("asset", asset)
#define PARTY(json, member) {json, FIELD_PARTY, offsetof(lrt_event, member)}
#define AMOUNT(json) {json, FIELD_AMOUNT, 0}

static const field_spec type_fields[LRT_EVENT_TYPE_COUNT][6] = {
	[LRT_EVENT_DEPOSIT] = {PARTY("holder", holder), NAME("asset", asset), AMOUNT("amount")},
	[LRT_EVENT_WITHDRAW] = {PARTY("holder", holder), AMOUNT("shares")},
	[LRT_EVENT_TRANSFER] = {PARTY("from", from), PARTY("to", to), AMOUNT("shares")},
	[LRT_EVENT_REWARD] = {PARTY("source", source), PARTY("location", location),
			      NAME("asset", asset), AMOUNT("amount")},
	[LRT_EVENT_SLASH] = {SLASH_NAMES},
	[LRT_EVENT_MOVE] = {NAME("asset", asset), AMOUNT("amount"),
			    PARTY("from", from), PARTY("to", to)},
	[LRT_EVENT_SWAP] = {PARTY("location", location), NAME("asset_in", asset),
			    AMOUNT("amount_in"), NAME("asset_out", asset_out),
			    {"amount_out", FIELD_AMOUNT_OUT, 0}},
	[LRT_EVENT_PRICE] = {NAME("asset", asset), {"price", FIELD_PRICE, 0}},
	[LRT_EVENT_CLAIM] = {NAME("request", request)},
	[LRT_EVENT_ACCEPT] = {AMOUNT("rate")},
	[LRT_EVENT_ALLOCATE] = {PARTY("operator", location), PARTY("avs", source),
				NAME("asset", asset), AMOUNT("magnitude")},
	[LRT_EVENT_CANCEL] = {NAME("request", request)},
	[LRT_EVENT_ATTEST] = {NAME("asset", asset), PARTY("location", location),
			      AMOUNT("amount")},
};

/* A slash's `amount` or `wad`: exactly one, a wad at most WAD (10^18). */
static int parse_slash_size(lrt_event *e, const json_t *object)
{
	bool has_amount = json_object_get(object, "amount") != NULL;
	bool has_wad = json_object_get(object, "wad") != NULL;
	mpz_t wad_max;
	int rc;

	if (has_amount && has_wad)
		FAIL("wad: a slash gives amount or wad, not both");
	if (!has_amount && !has_wad)
		FAIL("amount: missing (a slash gives amount or wad)");
	e->by_wad = has_wad;
	rc = get_amount(e->amount, object, has_wad ? "wad" : "amount");
	if (rc != 0 || !has_wad)
		return rc;
	mpz_init(wad_max);
	mpz_ui_pow_ui(wad_max, 10, LRT_WAD_DIGITS);
	if (mpz_cmp(e->amount, wad_max) > 0) {
		lrt_error_set("wad: above WAD (10^%d, all of the allocation)",
			      LRT_WAD_DIGITS);
		rc = LRT_EINVAL;
	}
	mpz_clear(wad_max);
	return rc;
}

unsigned lrt_json_event_numbers(lrt_event_type type)
{
	static const unsigned bits[] = {
		[FIELD_AMOUNT] = LRT_EVENT_NUMBER_AMOUNT,
		[FIELD_AMOUNT_OUT] = LRT_EVENT_NUMBER_AMOUNT_OUT,
		[FIELD_PRICE] = LRT_EVENT_NUMBER_PRICE,
	};
	const field_spec *field;
	unsigned numbers = 0;

	if ((int)type < 0 || type >= LRT_EVENT_TYPE_COUNT)
		return 0;
	for (field = type_fields[type]; field->json != NULL; field++)
		numbers |= bits[field->kind];
	if (type == LRT_EVENT_SLASH)
		numbers |= LRT_EVENT_NUMBER_AMOUNT;  /* the amount or the wad */
	return numbers;
}

static int parse_field(lrt_event *e, lrt_arena *arena, const json_t *object,
		       const field_spec *field)
{
	switch (field->kind) {
	case FIELD_NAME:
	case FIELD_PARTY:
		return get_name((const char **)((char *)e + field->offset), arena,
				object, field->json, field->kind == FIELD_PARTY);
	case FIELD_AMOUNT:
		return get_amount(e->amount, object, field->json);
	case FIELD_AMOUNT_OUT:
		return get_amount(e->amount_out, object, field->json);
	case FIELD_PRICE:
		return get_price(e->price, object, field->json);
	}
	FAIL("%s: unknown field kind", field->json);
}

/* The lists a config event names, checked as a product's would be; a list
 * it does not name is left out of the check (the default recipients stand
 * in for an absent recipients list). */
static int validate_config_lists(const lrt_policy *config, unsigned mask)
{
	lrt_fee_recipient treasury = {"treasury", LRT_BPS_DENOMINATOR};
	lrt_policy check = *config;

	if (!(mask & LRT_CONFIG_FEE_RECIPIENTS)) {
		check.fee_recipients = &treasury;
		check.fee_recipient_count = 1;
	}
	if (!(mask & LRT_CONFIG_POINTS)) {
		check.points = NULL;
		check.points_count = 0;
	}
	return lrt_policy_validate(&check);
}

/* The fields of the event's type; each bad one noted. */
static int parse_fields(lrt_event *e, lrt_arena *arena, const json_t *object,
			lrt_problems *problems)
{
	unsigned before = lrt_problems_count(problems), mask;
	const field_spec *field;
	int rc;

	if (e->type == LRT_EVENT_CONFIG) {
		rc = parse_policy(&e->config, &mask, object, arena, problems);
		e->config_mask = mask;
		if (rc != 0 || lrt_problems_count(problems) != before)
			return rc;
		if (mask == 0) {
			lrt_error_set("config: names none of fee_bps, fee_recipients, "
				      "delay_epochs, max_apr_bps, max_rate_change_bps, "
				      "fee_high_water_mark, points");
			rc = LRT_EINVAL;
		} else if (mask & (LRT_CONFIG_FEE_RECIPIENTS | LRT_CONFIG_POINTS)) {
			/* the scalars are in range or zero; this checks the
			 * lists: distinct holders with bps summing to 10000,
			 * distinct programs with well-formed rates */
			rc = validate_config_lists(&e->config, mask);
		}
		return lrt_problems_note(problems, rc);
	}
	for (field = type_fields[e->type]; field->json != NULL; field++) {
		rc = lrt_problems_note(problems, parse_field(e, arena, object, field));
		if (rc != 0)
			return rc;
	}
	if (e->type == LRT_EVENT_SLASH)
		return lrt_problems_note(problems, parse_slash_size(e, object));
	return 0;
}

/* The event's type into out->type; -1 (the problem noted) when it has none
 * that is known. */
static int parse_type(lrt_event *out, const json_t *object, lrt_problems *problems)
{
	const json_t *type = json_object_get(object, "type");
	char quoted[QUOTED_BYTES_MAX + 8];
	int kind = -1;

	if (type == NULL) {
		lrt_error_set("type: missing");
	} else if (!json_is_string(type)) {
		lrt_error_set("type: must be a string");
	} else if ((kind = lrt_event_type_parse(json_string_value(type))) < 0) {
		quote(quoted, sizeof(quoted), json_string_value(type), json_string_length(type));
		lrt_error_set("type: unknown type %s", quoted);
	}
	if (kind < 0)
		lrt_problems_note(problems, LRT_EINVAL);
	else
		out->type = (lrt_event_type)kind;
	return kind;
}

int lrt_json_event_noted(lrt_event *out, lrt_arena *arena, const json_t *object,
			 const lrt_product *product, lrt_problems *problems)
{
	int kind, rc;

	if (!json_is_object(object)) {
		lrt_error_set("event: must be a JSON object");
		lrt_problems_note(problems, LRT_EINVAL);
		return lrt_problems_end(problems);
	}
	rc = lrt_problems_note(problems, get_name(&out->id, arena, object, "id", 0));
	if (rc != 0)
		return rc;
	kind = parse_type(out, object, problems);
	rc = parse_epoch(out, object, product, problems);
	/* without a type, its fields are unknown: they are not judged */
	if (rc == 0 && kind >= 0)
		rc = parse_fields(out, arena, object, problems);
	return rc != 0 ? rc : lrt_problems_end(problems);
}

int lrt_json_event(lrt_event *out, lrt_arena *arena, const json_t *object,
		   const lrt_product *product)
{
	lrt_problems problems;

	lrt_problems_init(&problems);
	return lrt_json_event_noted(out, arena, object, product, &problems);
}

/* Fields every event may have, and a slash's other size; then each type's
 * (type_fields) and a config's (the policy's). */
static const char *const event_fields[] = {"id", "type", "epoch", "time", "seq", "wad", NULL};
static const char *const policy_fields[] = {
	"fee_bps", "fee_recipients", "delay_epochs", "max_apr_bps",
	"max_rate_change_bps", "fee_high_water_mark", "points", NULL
};

/* The i-th of those names, repeats included; NULL past the last. */
static const char *any_event_field(size_t i)
{
	const field_spec *field;
	size_t n;

	for (n = 0; event_fields[n] != NULL; n++, i--)
		if (i == 0)
			return event_fields[n];
	for (n = 0; n < LRT_EVENT_TYPE_COUNT; n++)
		for (field = type_fields[n]; field->json != NULL; field++, i--)
			if (i == 0)
				return field->json;
	for (n = 0; policy_fields[n] != NULL; n++, i--)
		if (i == 0)
			return policy_fields[n];
	return NULL;
}

const char *lrt_json_event_field(size_t index)
{
	const char *name;
	size_t i, j;

	for (i = 0; (name = any_event_field(i)) != NULL; i++) {
		for (j = 0; j < i && strcmp(any_event_field(j), name) != 0; j++)
			;
		if (j == i && index-- == 0)
			return name;
	}
	return NULL;
}

#define LRT_POLICY_REQUIRED (LRT_CONFIG_FEE_BPS | LRT_CONFIG_FEE_RECIPIENTS \
			     | LRT_CONFIG_DELAY_EPOCHS | LRT_CONFIG_MAX_APR_BPS \
			     | LRT_CONFIG_MAX_RATE_CHANGE_BPS)

int lrt_json_policy(lrt_policy *out, const json_t *object)
{
	lrt_policy policy = {0};
	lrt_arena arena;
	unsigned mask;
	int rc;

	lrt_arena_init(&arena);
	rc = parse_policy(&policy, &mask, object, &arena, NULL);
	/* the first edition's five fields are required; the second edition's
	 * default to false and no programs */
	if (rc == 0 && (mask & LRT_POLICY_REQUIRED) != LRT_POLICY_REQUIRED) {
		lrt_error_set("policy: a field is missing");
		rc = LRT_EINVAL;
	}
	if (rc == 0)
		rc = lrt_policy_validate(&policy);
	if (rc == 0)
		rc = lrt_policy_copy(out, &policy);
	lrt_arena_clear(&arena);
	return rc;
}

char *lrt_json_recipients_text(const lrt_policy *policy)
{
	json_t *list = json_array();
	char *text = NULL;
	size_t i;

	for (i = 0; list != NULL && i < policy->fee_recipient_count; i++) {
		json_t *item = json_pack("{s:s, s:I}", "holder",
					 policy->fee_recipients[i].holder, "bps",
					 (json_int_t)policy->fee_recipients[i].bps);

		if (item == NULL || json_array_append_new(list, item) != 0)
			goto done;
	}
	if (list != NULL && lrt_json_dumps(&text, list, JSON_COMPACT) != 0)
		text = NULL;
done:
	json_decref(list);
	return text;
}

char *lrt_json_points_text(const lrt_policy *policy)
{
	json_t *list = json_array();
	char *text = NULL;
	size_t i;

	for (i = 0; list != NULL && i < policy->points_count; i++) {
		json_t *item = json_pack("{s:s, s:s}", "name", policy->points[i].name,
					 "per_share_epoch",
					 policy->points[i].per_share_epoch);

		if (item == NULL || json_array_append_new(list, item) != 0)
			goto done;
	}
	if (list != NULL && lrt_json_dumps(&text, list, JSON_COMPACT) != 0)
		text = NULL;
done:
	json_decref(list);
	return text;
}

int lrt_product_parse_json(lrt_product *out, const char *text, size_t length)
{
	json_error_t error;
	json_t *object;
	int rc = lrt_json_load(&object, text, length, JSON_REJECT_DUPLICATES, &error);

	if (rc == LRT_EINVAL)
		FAIL("not JSON: %s (line %d, column %d)", error.text, error.line,
		     error.column);
	if (rc != 0)
		return rc;
	rc = lrt_json_product(out, object);
	json_decref(object);
	return rc;
}
