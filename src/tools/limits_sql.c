/*
 * limits_sql.c - a build-time tool: writes sql/limits.sql, the bounds the
 * schema states too, from src/core/limits.h, so that each is written once.
 *
 *   limits_sql > limits.sql
 *
 * The file is built into the library with the reporting SQL (embed.c) and
 * re-applied by every `lrt migrate`: a view lrt.limits listing the bounds
 * for SQL writers, and the CHECK constraints of the product tables that
 * say them (migrations/0005_limits.sql dropped the ones 0001 typed in).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "core/limits.h"

/* Each bound the view lists: its name and value. */
#define LIMIT(name) {#name, (int64_t)(name)}

static const struct {
	const char *name;
	int64_t value;
} limits[] = {
	LIMIT(LRT_AMOUNT_CHARS_MAX), LIMIT(LRT_PRICE_FRACTION_DIGITS_MAX),
	LIMIT(LRT_PRICE_CHARS_MAX), LIMIT(LRT_AMOUNT_BITS), LIMIT(LRT_NAME_BYTES_MAX),
	LIMIT(LRT_LINE_BYTES_MAX), LIMIT(LRT_ASSETS_MAX), LIMIT(LRT_FEE_RECIPIENTS_MAX),
	LIMIT(LRT_DECIMALS_MAX), LIMIT(LRT_OFFSET_MAX), LIMIT(LRT_BPS_DENOMINATOR),
	LIMIT(LRT_FEE_BPS_MAX), LIMIT(LRT_POLICY_BPS_MAX), LIMIT(LRT_EPOCH_MAX),
	LIMIT(LRT_DELAY_EPOCHS_MAX), LIMIT(LRT_TIME_MIN), LIMIT(LRT_TIME_MAX),
	LIMIT(LRT_SECONDS_PER_YEAR),
};

/* One CHECK constraint, made again whatever it said before. */
static void constraint(const char *table, const char *name, const char *format,
		       int64_t low, int64_t high)
{
	printf("ALTER TABLE lrt.%s DROP CONSTRAINT IF EXISTS %s;\n", table, name);
	printf("ALTER TABLE lrt.%s ADD CONSTRAINT %s CHECK (", table, name);
	printf(format, low, high);
	printf(");\n");
}

int main(void)
{
	size_t i, count = sizeof(limits) / sizeof(limits[0]);

	printf("-- limits.sql - generated from src/core/limits.h by src/tools/limits_sql.c;\n"
	       "-- do not edit.  Re-applied by every `lrt migrate`.\n\n");
	printf("-- The engine's bounds, for those who write events with SQL.\n");
	printf("CREATE OR REPLACE VIEW lrt.limits (name, value) AS VALUES\n");
	for (i = 0; i < count; i++)
		printf("    ('%s', %" PRId64 "::numeric)%s\n", limits[i].name, limits[i].value,
		       i + 1 < count ? "," : ";");
	printf("\n-- The bounds the product tables state, as the C validator applies them.\n");
	constraint("product_state", "product_state_fee_bps_limit",
		   "fee_bps BETWEEN %" PRId64 " AND %" PRId64, 0, LRT_FEE_BPS_MAX);
	constraint("product_state", "product_state_delay_epochs_limit",
		   "delay_epochs BETWEEN %" PRId64 " AND %" PRId64, 0, LRT_DELAY_EPOCHS_MAX);
	constraint("product_state", "product_state_max_apr_bps_limit",
		   "max_apr_bps BETWEEN %" PRId64 " AND %" PRId64, 0, LRT_POLICY_BPS_MAX);
	constraint("product_state", "product_state_max_rate_change_bps_limit",
		   "max_rate_change_bps BETWEEN %" PRId64 " AND %" PRId64, 0,
		   LRT_POLICY_BPS_MAX);
	constraint("products", "products_decimals_offset_limit",
		   "decimals_offset BETWEEN %" PRId64 " AND %" PRId64, 0, LRT_OFFSET_MAX);
	constraint("product_assets", "product_assets_decimals_limit",
		   "decimals BETWEEN %" PRId64 " AND %" PRId64, 0, LRT_DECIMALS_MAX);
	return 0;
}
