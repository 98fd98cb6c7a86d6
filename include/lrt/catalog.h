/*
 * catalog.h - the products a database holds: creating one, loading one for
 * the commands that work on it, describing and listing them.
 *
 * Several products live side by side in one database; each is named by its
 * symbol.  The configuration is kept as given (SPEC section 2); the policy in
 * force (as `config` events changed it) and the totals live in the product's
 * state row.
 */
#ifndef LRT_CATALOG_H
#define LRT_CATALOG_H

#include "lrt/common.h"

#include <stdint.h>

#include "lrt/product.h"
#include "lrt/store.h"

/*
 * Creates a product from its JSON configuration (the object of SPEC section
 * 2, or a scenario's first line {"product": {...}}), with `settle_lag_seconds`
 * before `lrt settle` considers an epoch complete.  LRT_EINVAL names the
 * field that is wrong or says that the symbol exists; nothing is written then.
 */
LRT_API int lrt_catalog_create(int64_t *product_id_out, lrt_store *store,
			       const char *config_json, size_t length,
			       int64_t settle_lag_seconds);

/*
 * Loads the product named `symbol` into an initialized `out`, its policy as
 * now in force.  `symbol` NULL picks the only product of the database
 * (LRT_EINVAL when there is none or more than one).
 */
LRT_API int lrt_catalog_load(lrt_product *out, int64_t *product_id_out,
			     int64_t *settle_lag_seconds_out, lrt_store *store,
			     const char *symbol);

/* Like lrt_catalog_load, but with the policy as the product was created,
 * before any `config` event: where a replay from scratch starts. */
LRT_API int lrt_catalog_load_as_created(lrt_product *out, int64_t *product_id_out,
					lrt_store *store, const char *symbol);

/*
 * One JSON object describing a product (caller frees *json_out): the fields
 * of SPEC section 2 in the order it lists them (symbol, underlying, assets,
 * model, offset, genesis_time, epoch_seconds, then fee_bps, fee_recipients,
 * delay_epochs, max_apr_bps, max_rate_change_bps, fee_high_water_mark and
 * points as now in force), settle_lag_seconds, genesis_utc, settled_epoch
 * (null before the first), share_decimals, total_assets, total_shares,
 * rate (null before the first settlement) and deferred in base units, each
 * with X_whole in whole units (exact decimal text), positions (asset,
 * location, amount, amount_whole), the counts of holders, queued requests
 * and pending events, and config, the configuration as it was created.
 * Amounts are decimal strings.  LRT_EINVAL for an unknown symbol.
 */
LRT_API int lrt_catalog_describe(char **json_out, lrt_store *store, const char *symbol);

/*
 * Sets how long after an epoch ends it is settled (lrt settle, lrt serve):
 * the one setting that changes outside events.  The product's other fields
 * never change or change by `config` events only, so that the books say
 * from which epoch.  The old value goes to *previous_out.  LRT_EINVAL for
 * an unknown symbol or a negative lag.
 */
LRT_API int lrt_catalog_set_settle_lag(int64_t *previous_out, lrt_store *store,
				       const char *symbol, int64_t settle_lag_seconds);

typedef struct {
	const char *symbol;
	const char *underlying;
	const char *model;
	int64_t settled_epoch;   /* -1 before the first */
	const char *total_assets;
	const char *total_shares;
	int64_t pending_events;
	const char *total_assets_whole;   /* in whole units of the underlying */
	const char *total_shares_whole;   /* in whole shares */
	int64_t settle_lag_seconds;
} lrt_catalog_row;

typedef int (*lrt_catalog_fn)(void *context, const lrt_catalog_row *row);

/* Calls `fn` for every product, by symbol. */
LRT_API int lrt_catalog_list(lrt_store *store, lrt_catalog_fn fn, void *context);

#endif
