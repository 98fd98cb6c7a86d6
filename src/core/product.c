/*
 * product.c - a product's configuration: defaults, copies and the rules of
 * SPEC section 2.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "lrt/product.h"

static char *copy_string(const char *text)
{
	return text ? strdup(text) : NULL;
}

/* The scalar defaults; no allocation, so clearing can use it. */
static void product_reset(lrt_product *product)
{
	memset(product, 0, sizeof(*product));
	product->model = LRT_MODEL_ERC4626;
	product->epoch_seconds = 86400;
}

int lrt_product_init(lrt_product *product)
{
	lrt_fee_recipient *treasury;

	product_reset(product);
	treasury = calloc(1, sizeof(*treasury));
	if (treasury == NULL || (treasury->holder = strdup("treasury")) == NULL) {
		free(treasury);
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	treasury->bps = LRT_BPS_DENOMINATOR;
	product->policy.fee_recipients = treasury;
	product->policy.fee_recipient_count = 1;
	return 0;
}

void lrt_policy_clear(lrt_policy *policy)
{
	size_t i;

	for (i = 0; i < policy->fee_recipient_count; i++)
		free(policy->fee_recipients[i].holder);
	free(policy->fee_recipients);
	for (i = 0; i < policy->points_count; i++) {
		free(policy->points[i].name);
		free(policy->points[i].per_share_epoch);
	}
	free(policy->points);
	memset(policy, 0, sizeof(*policy));
}

void lrt_product_clear(lrt_product *product)
{
	size_t i;

	if (product == NULL)
		return;
	free(product->symbol);
	free(product->underlying);
	for (i = 0; i < product->asset_count; i++)
		free(product->assets[i].symbol);
	free(product->assets);
	lrt_policy_clear(&product->policy);
	product_reset(product);
}

int lrt_policy_copy(lrt_policy *out, const lrt_policy *policy)
{
	lrt_policy copy = *policy;
	size_t i;

	copy.fee_recipients = NULL;
	copy.fee_recipient_count = 0;
	copy.points = NULL;
	copy.points_count = 0;
	if (policy->fee_recipient_count > 0) {
		copy.fee_recipients = calloc(policy->fee_recipient_count,
					     sizeof(*copy.fee_recipients));
		if (copy.fee_recipients == NULL)
			goto nomem;
	}
	for (i = 0; i < policy->fee_recipient_count; i++) {
		copy.fee_recipients[i].bps = policy->fee_recipients[i].bps;
		copy.fee_recipients[i].holder =
			copy_string(policy->fee_recipients[i].holder);
		copy.fee_recipient_count = i + 1;
		if (copy.fee_recipients[i].holder == NULL)
			goto nomem;
	}
	if (policy->points_count > 0) {
		copy.points = calloc(policy->points_count, sizeof(*copy.points));
		if (copy.points == NULL)
			goto nomem;
	}
	for (i = 0; i < policy->points_count; i++) {
		copy.points[i].name = copy_string(policy->points[i].name);
		copy.points[i].per_share_epoch =
			copy_string(policy->points[i].per_share_epoch);
		copy.points_count = i + 1;
		if (copy.points[i].name == NULL || copy.points[i].per_share_epoch == NULL)
			goto nomem;
	}
	lrt_policy_clear(out);
	*out = copy;
	return 0;
nomem:
	lrt_policy_clear(&copy);
	lrt_error_set("out of memory copying a policy");
	return LRT_ENOMEM;
}

int lrt_product_copy(lrt_product *out, const lrt_product *product)
{
	lrt_product copy = *product;
	size_t i;

	copy.symbol = copy_string(product->symbol);
	copy.underlying = copy_string(product->underlying);
	copy.assets = NULL;
	copy.asset_count = 0;
	memset(&copy.policy, 0, sizeof(copy.policy));
	if ((product->symbol && !copy.symbol)
	    || (product->underlying && !copy.underlying))
		goto nomem;
	if (product->asset_count > 0) {
		copy.assets = calloc(product->asset_count, sizeof(*copy.assets));
		if (copy.assets == NULL)
			goto nomem;
	}
	for (i = 0; i < product->asset_count; i++) {
		copy.assets[i].decimals = product->assets[i].decimals;
		copy.assets[i].symbol = copy_string(product->assets[i].symbol);
		copy.asset_count = i + 1;
		if (copy.assets[i].symbol == NULL)
			goto nomem;
	}
	if (lrt_policy_copy(&copy.policy, &product->policy) != 0)
		goto nomem;
	lrt_product_clear(out);
	*out = copy;
	return 0;
nomem:
	lrt_product_clear(&copy);
	lrt_error_set("out of memory copying a product");
	return LRT_ENOMEM;
}

static int name_ok(const char *name)
{
	return name != NULL && name[0] != '\0'
	       && strlen(name) <= LRT_NAME_BYTES_MAX;
}

/* Points programs: named, distinct, each rate [0-9]+(.[0-9]{1,18})?. */
static int validate_points(const lrt_policy *policy)
{
	size_t i, j;
	mpz_t rate;
	int rc = 0;

	if (policy->points_count > LRT_POINTS_PROGRAMS_MAX) {
		lrt_error_set("points: more than %d programs", LRT_POINTS_PROGRAMS_MAX);
		return LRT_EINVAL;
	}
	mpz_init(rate);
	for (i = 0; i < policy->points_count && rc == 0; i++) {
		const lrt_points_program *program = &policy->points[i];

		if (!name_ok(program->name)) {
			lrt_error_set("points[%zu].name: must be a non-empty string", i);
			rc = LRT_EINVAL;
			break;
		}
		for (j = 0; j < i; j++)
			if (strcmp(policy->points[j].name, program->name) == 0) {
				lrt_error_set("points[%zu].name: %s is listed twice",
					      i, program->name);
				rc = LRT_EINVAL;
				break;
			}
		if (rc != 0)
			break;
		rc = program->per_share_epoch == NULL ? LRT_EINVAL
		     : lrt_points_rate_parse(rate, program->per_share_epoch,
					     strlen(program->per_share_epoch));
		if (rc != 0) {
			if (program->per_share_epoch == NULL)
				lrt_error_set("missing");
			lrt_error_prefix("points[%zu].per_share_epoch", i);
		}
	}
	mpz_clear(rate);
	return rc;
}

int lrt_policy_validate(const lrt_policy *policy)
{
	unsigned long sum = 0;
	size_t i, j;

	if (policy->fee_bps > LRT_FEE_BPS_MAX) {
		lrt_error_set("fee_bps: %u is out of range 0..%d", policy->fee_bps,
			      LRT_FEE_BPS_MAX);
		return LRT_EINVAL;
	}
	if (policy->fee_recipient_count == 0) {
		lrt_error_set("fee_recipients: must not be empty");
		return LRT_EINVAL;
	}
	if (policy->fee_recipient_count > LRT_FEE_RECIPIENTS_MAX) {
		lrt_error_set("fee_recipients: more than %d", LRT_FEE_RECIPIENTS_MAX);
		return LRT_EINVAL;
	}
	for (i = 0; i < policy->fee_recipient_count; i++) {
		const lrt_fee_recipient *r = &policy->fee_recipients[i];

		if (!name_ok(r->holder)) {
			lrt_error_set("fee_recipients[%zu].holder: must be a non-empty string", i);
			return LRT_EINVAL;
		}
		if (r->bps > LRT_BPS_DENOMINATOR) {
			lrt_error_set("fee_recipients[%zu].bps: %u is out of range 0..%d",
				      i, r->bps, LRT_BPS_DENOMINATOR);
			return LRT_EINVAL;
		}
		for (j = 0; j < i; j++)
			if (strcmp(policy->fee_recipients[j].holder, r->holder) == 0) {
				lrt_error_set("fee_recipients[%zu].holder: %s is listed twice",
					      i, r->holder);
				return LRT_EINVAL;
			}
		sum += r->bps;
	}
	if (sum != LRT_BPS_DENOMINATOR) {
		lrt_error_set("fee_recipients: bps sum to %lu, not %d", sum,
			      LRT_BPS_DENOMINATOR);
		return LRT_EINVAL;
	}
	if (policy->delay_epochs < 0 || policy->delay_epochs > LRT_DELAY_EPOCHS_MAX) {
		lrt_error_set("delay_epochs: out of range 0..2^40");
		return LRT_EINVAL;
	}
	if (policy->max_apr_bps > LRT_POLICY_BPS_MAX) {
		lrt_error_set("max_apr_bps: out of range 0..%u", LRT_POLICY_BPS_MAX);
		return LRT_EINVAL;
	}
	if (policy->max_rate_change_bps > LRT_POLICY_BPS_MAX) {
		lrt_error_set("max_rate_change_bps: out of range 0..%u",
			      LRT_POLICY_BPS_MAX);
		return LRT_EINVAL;
	}
	return validate_points(policy);
}

static int validate_assets(const lrt_product *product)
{
	size_t i, j;

	if (product->asset_count == 0 || product->assets == NULL) {
		lrt_error_set("assets: must list at least the underlying");
		return LRT_EINVAL;
	}
	if (product->asset_count > LRT_ASSETS_MAX) {
		lrt_error_set("assets: more than %d", LRT_ASSETS_MAX);
		return LRT_EINVAL;
	}
	for (i = 0; i < product->asset_count; i++) {
		const lrt_asset *a = &product->assets[i];

		if (!name_ok(a->symbol)) {
			lrt_error_set("assets[%zu].symbol: must be a non-empty string", i);
			return LRT_EINVAL;
		}
		if (a->decimals > LRT_DECIMALS_MAX) {
			lrt_error_set("assets[%zu].decimals: %u is out of range 0..%d",
				      i, a->decimals, LRT_DECIMALS_MAX);
			return LRT_EINVAL;
		}
		for (j = 0; j < i; j++)
			if (strcmp(product->assets[j].symbol, a->symbol) == 0) {
				lrt_error_set("assets[%zu].symbol: %s is listed twice",
					      i, a->symbol);
				return LRT_EINVAL;
			}
	}
	if (strcmp(product->assets[0].symbol, product->underlying) != 0) {
		lrt_error_set("assets: the first asset must be the underlying %s",
			      product->underlying);
		return LRT_EINVAL;
	}
	return 0;
}

int lrt_product_validate(const lrt_product *product)
{
	int rc;

	if (!name_ok(product->symbol)) {
		lrt_error_set("symbol: must be a non-empty string");
		return LRT_EINVAL;
	}
	if (!name_ok(product->underlying)) {
		lrt_error_set("underlying: must be a non-empty string");
		return LRT_EINVAL;
	}
	rc = validate_assets(product);
	if (rc != 0)
		return rc;
	if (product->model != LRT_MODEL_ERC4626 && product->model != LRT_MODEL_PLAIN) {
		lrt_error_set("model: must be erc4626 or plain");
		return LRT_EINVAL;
	}
	if (product->offset > LRT_OFFSET_MAX) {
		lrt_error_set("offset: %u is out of range 0..%d", product->offset,
			      LRT_OFFSET_MAX);
		return LRT_EINVAL;
	}
	if (product->model == LRT_MODEL_PLAIN && product->offset != 0) {
		lrt_error_set("offset: not allowed with the plain model");
		return LRT_EINVAL;
	}
	if (product->genesis_time < LRT_TIME_MIN || product->genesis_time > LRT_TIME_MAX) {
		lrt_error_set("genesis_time: out of range");
		return LRT_EINVAL;
	}
	if (product->epoch_seconds <= 0 || product->epoch_seconds > LRT_TIME_MAX) {
		lrt_error_set("epoch_seconds: must be a positive number of seconds");
		return LRT_EINVAL;
	}
	return lrt_policy_validate(&product->policy);
}

int lrt_product_asset_index(const lrt_product *product, const char *symbol)
{
	size_t i;

	for (i = 0; i < product->asset_count; i++)
		if (strcmp(product->assets[i].symbol, symbol) == 0)
			return (int)i;
	return -1;
}

unsigned lrt_product_share_decimals(const lrt_product *product)
{
	unsigned decimals = product->assets[0].decimals;

	return product->model == LRT_MODEL_ERC4626 ? decimals + product->offset
						   : decimals;
}

int lrt_product_epoch_of(int64_t *epoch_out, const lrt_product *product,
			 int64_t unix_seconds)
{
	int64_t since;

	if (unix_seconds < product->genesis_time) {
		lrt_error_set("time %lld is before genesis %lld",
			      (long long)unix_seconds,
			      (long long)product->genesis_time);
		return LRT_EINVAL;
	}
	since = unix_seconds - product->genesis_time;
	*epoch_out = since / product->epoch_seconds;
	return 0;
}
