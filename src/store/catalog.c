/*
 * catalog.c - products in the database (see include/lrt/catalog.h).
 *
 * The configuration is validated by the same parser as `lrt simulate` uses,
 * then written in one transaction: the product, its assets, its state row
 * with the initial policy, and its two fixed locations.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/assert.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "lrt/catalog.h"
#include "lrt/scenario.h"
#include "lrt/error.h"
#include "store/store_internal.h"

/* Accepts the product object itself or a scenario's {"product": {...}}. */
static int parse_config(lrt_product *product, json_t **object_out,
			const char *text, size_t length)
{
	json_error_t error;
	json_t *root, *object;
	int rc = lrt_json_load(&root, text, length, JSON_REJECT_DUPLICATES, &error);

	*object_out = NULL;
	if (rc == LRT_EINVAL)
		lrt_error_set("not JSON: %s (line %d, column %d)", error.text,
			      error.line, error.column);
	if (rc != 0)
		return rc;
	object = root;
	if (json_is_object(root) && json_object_size(root) == 1
	    && json_is_object(json_object_get(root, "product")))
		object = json_object_get(root, "product");
	rc = lrt_json_product(product, object);
	if (rc == 0)
		*object_out = json_incref(object);
	json_decref(root);
	return rc;
}

static int insert_product(int64_t *id_out, lrt_store *store,
			  const lrt_product *p, const char *config,
			  int64_t settle_lag_seconds)
{
	char offset[24], genesis[24], seconds[24], lag[24], id[24];
	const char *params[8];
	int rc;

	snprintf(offset, sizeof(offset), "%u", p->offset);
	snprintf(genesis, sizeof(genesis), "%lld", (long long)p->genesis_time);
	snprintf(seconds, sizeof(seconds), "%lld", (long long)p->epoch_seconds);
	snprintf(lag, sizeof(lag), "%lld", (long long)settle_lag_seconds);
	params[0] = p->symbol;
	params[1] = p->underlying;
	params[2] = p->model == LRT_MODEL_PLAIN ? "plain" : "erc4626";
	params[3] = offset;
	params[4] = genesis;
	params[5] = seconds;
	params[6] = config;
	params[7] = lag;
	rc = lrt_store_exec_value(id, sizeof(id), store,
		"INSERT INTO lrt.products (symbol, underlying, model, decimals_offset,"
		" genesis_time, epoch_seconds, config, settle_lag_seconds)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING product_id",
		8, params);
	if (rc != 0) {
		if (strcmp(lrt_store_sqlstate(store), "23505") == 0) {
			lrt_error_set("product %s exists already", p->symbol);
			return LRT_EINVAL;
		}
		return rc;
	}
	*id_out = strtoll(id, NULL, 10);
	return 0;
}

static int insert_assets(lrt_store *store, const char *id, const lrt_product *p)
{
	char decimals[24];
	const char *params[4];
	size_t i;
	int rc = 0;

	for (i = 0; i < p->asset_count && rc == 0; i++) {
		char ordinal[24];

		snprintf(ordinal, sizeof(ordinal), "%zu", i);
		snprintf(decimals, sizeof(decimals), "%u", p->assets[i].decimals);
		params[0] = id;
		params[1] = ordinal;
		params[2] = p->assets[i].symbol;
		params[3] = decimals;
		rc = lrt_store_exec_command(store,
			"INSERT INTO lrt.product_assets (product_id, ordinal, symbol, decimals)"
			" VALUES ($1, $2, $3, $4)", 4, params);
	}
	return rc;
}

static int insert_state(lrt_store *store, const char *id, const lrt_product *p)
{
	char fee[24], delay[24], apr[24], guard[24];
	char *recipients = lrt_json_recipients_text(&p->policy);
	char *points = lrt_json_points_text(&p->policy);
	const char *params[8];
	int rc;

	if (recipients == NULL || points == NULL) {
		free(recipients);
		free(points);
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	snprintf(fee, sizeof(fee), "%u", p->policy.fee_bps);
	snprintf(delay, sizeof(delay), "%lld", (long long)p->policy.delay_epochs);
	snprintf(apr, sizeof(apr), "%u", p->policy.max_apr_bps);
	snprintf(guard, sizeof(guard), "%u", p->policy.max_rate_change_bps);
	params[0] = id;
	params[1] = fee;
	params[2] = recipients;
	params[3] = delay;
	params[4] = apr;
	params[5] = guard;
	params[6] = p->policy.fee_high_water_mark ? "t" : "f";
	params[7] = points;
	rc = lrt_store_exec_command(store,
		"INSERT INTO lrt.product_state (product_id, fee_bps, fee_recipients,"
		" delay_epochs, max_apr_bps, max_rate_change_bps, fee_high_water_mark, points)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, params);
	if (rc == 0)
		rc = lrt_store_exec_command(store,
			"INSERT INTO lrt.locations (product_id, location, ordinal, kind)"
			" VALUES ($1, 'buffer', 0, 'buffer'), ($1, 'claimable', 1, 'claimable')",
			1, params);
	free(recipients);
	free(points);
	return rc;
}

int lrt_catalog_create(int64_t *product_id_out, lrt_store *store,
		       const char *config_json, size_t length,
		       int64_t settle_lag_seconds)
{
	lrt_product product;
	json_t *object = NULL;
	char *config = NULL, id[24];
	int64_t product_id = 0;
	int rc;

	lrt_product_init(&product);
	if (settle_lag_seconds < 0) {
		lrt_error_set("settle lag: must not be negative");
		rc = LRT_EINVAL;
		goto done;
	}
	rc = parse_config(&product, &object, config_json, length);
	if (rc != 0)
		goto done;
	rc = lrt_json_dumps(&config, object, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (rc != 0)
		goto done;
	rc = lrt_store_exec_command(store, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = insert_product(&product_id, store, &product, config, settle_lag_seconds);
	snprintf(id, sizeof(id), "%lld", (long long)product_id);
	if (rc == 0)
		rc = insert_assets(store, id, &product);
	if (rc == 0)
		rc = insert_state(store, id, &product);
	if (rc == 0)
		rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(store);
	else
		*product_id_out = product_id;
done:
	free(config);
	json_decref(object);
	lrt_product_clear(&product);
	return rc;
}

/* ---- loading ---------------------------------------------------------------- */

static int find_product(PGresult **out, lrt_store *store, const char *symbol)
{
	const char *params[1] = {symbol};
	PGresult *res;
	int rc;

	rc = lrt_store_exec_tuples(&res, store,
		"SELECT p.product_id, p.symbol, p.config::text, p.settle_lag_seconds,"
		"       lrt.policy_json(s)::text"
		"  FROM lrt.products p JOIN lrt.product_state s USING (product_id)"
		" WHERE $1::text IS NULL OR p.symbol = $1 ORDER BY p.symbol LIMIT 2",
		1, params);
	if (rc != 0)
		return rc;
	if (PQntuples(res) == 1) {
		*out = res;
		return 0;
	}
	if (symbol != NULL)
		lrt_error_set("no product %s in this database", symbol);
	else if (PQntuples(res) == 0)
		lrt_error_set("no product in this database: create one with "
			      "`lrt product create FILE.json`");
	else
		lrt_error_set("this database holds several products: name one with --product SYMBOL");
	PQclear(res);
	return LRT_EINVAL;
}

/* The policy in force, from the state row as a JSON object. */
static int load_policy(lrt_policy *policy, const char *text)
{
	json_t *object;
	int rc = lrt_json_load(&object, text, strlen(text), 0, NULL);

	if (rc == LRT_EINVAL) {
		lrt_error_set("stored policy: not JSON");
		return LRT_EDB;
	}
	if (rc != 0)
		return rc;
	rc = lrt_json_policy(policy, object);
	if (rc != 0)
		lrt_error_prefix("stored policy");
	json_decref(object);
	return rc;
}

static int load_product(lrt_product *out, int64_t *product_id_out,
			int64_t *settle_lag_seconds_out, lrt_store *store,
			const char *symbol, bool as_created)
{
	PGresult *res = NULL;
	lrt_product product;
	const char *config;
	int rc;

	rc = find_product(&res, store, symbol);
	if (rc != 0)
		return rc;
	lrt_product_init(&product);
	config = PQgetvalue(res, 0, 2);
	rc = lrt_product_parse_json(&product, config, strlen(config));
	if (rc != 0)
		lrt_error_prefix("stored configuration of %s", PQgetvalue(res, 0, 1));
	if (rc == 0 && !as_created)
		rc = load_policy(&product.policy, PQgetvalue(res, 0, 4));
	if (rc == 0)
		rc = lrt_store_value_int64(product_id_out, res, 0, 0);
	if (rc == 0 && settle_lag_seconds_out != NULL)
		rc = lrt_store_value_int64(settle_lag_seconds_out, res, 0, 3);
	if (rc == 0) {
		lrt_product_clear(out);
		*out = product;
	} else {
		lrt_product_clear(&product);
	}
	PQclear(res);
	return rc;
}

int lrt_catalog_load(lrt_product *out, int64_t *product_id_out,
		     int64_t *settle_lag_seconds_out, lrt_store *store,
		     const char *symbol)
{
	return load_product(out, product_id_out, settle_lag_seconds_out, store,
			    symbol, false);
}

int lrt_catalog_load_as_created(lrt_product *out, int64_t *product_id_out,
				lrt_store *store, const char *symbol)
{
	return load_product(out, product_id_out, NULL, store, symbol, true);
}

/* ---- describing and listing ----------------------------------------------------- */

/* An amount in whole units of `decimals`, exact, as text ("12.5"). */
#define WHOLE(amount, decimals) \
	"trim_scale((" amount ") * ('1e-' || (" decimals "))::numeric)::text"

/*
 * The product's fields in the order SPEC section 2 lists them (json, not
 * jsonb, keeps the order written), the seven that config events change as
 * now in force; then its state, each amount in base units and in whole
 * units ("_whole"): A and D of the underlying, S of shares, the rate in the
 * underlying per whole share, positions of their asset.
 */
static const char describe_sql[] =
	"SELECT json_build_object("
	"  'symbol', p.symbol, 'underlying', p.underlying,"
	"  'assets', (SELECT json_agg(json_build_object('symbol', a.symbol,"
	"      'decimals', a.decimals) ORDER BY a.ordinal)"
	"    FROM lrt.product_assets a WHERE a.product_id = p.product_id),"
	"  'model', p.model, 'offset', p.decimals_offset,"
	"  'genesis_time', p.genesis_time,"
	"  'epoch_seconds', p.epoch_seconds,"
	"  'fee_bps', s.fee_bps, 'fee_recipients', s.fee_recipients,"
	"  'delay_epochs', s.delay_epochs, 'max_apr_bps', s.max_apr_bps,"
	"  'max_rate_change_bps', s.max_rate_change_bps,"
	"  'fee_high_water_mark', s.fee_high_water_mark, 'points', s.points,"
	"  'settle_lag_seconds', p.settle_lag_seconds,"
	"  'genesis_utc', to_char(to_timestamp(p.genesis_time) AT TIME ZONE 'UTC',"
	"      'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	"  'settled_epoch', CASE WHEN s.settled_epoch >= 0 THEN s.settled_epoch END,"
	"  'share_decimals', d.share,"
	"  'total_assets', s.total_assets::text,"
	"  'total_assets_whole', " WHOLE("s.total_assets", "d.underlying") ","
	"  'total_shares', s.total_shares::text,"
	"  'total_shares_whole', " WHOLE("s.total_shares", "d.share") ","
	"  'rate', e.rate::text, 'rate_whole', " WHOLE("e.rate", "d.underlying") ","
	"  'deferred', s.deferred::text,"
	"  'deferred_whole', " WHOLE("s.deferred", "d.underlying") ","
	"  'positions', coalesce((SELECT json_agg(json_build_object('asset', a.symbol,"
	"      'location', x.location, 'amount', x.amount::text,"
	"      'amount_whole', " WHOLE("x.amount", "a.decimals") ")"
	"      ORDER BY l.ordinal, x.asset_ordinal)"
	"    FROM lrt.positions x JOIN lrt.product_assets a"
	"      ON a.product_id = x.product_id AND a.ordinal = x.asset_ordinal"
	"    JOIN lrt.locations l ON l.product_id = x.product_id AND l.location = x.location"
	"   WHERE x.product_id = p.product_id AND x.amount > 0), '[]'),"
	"  'holders', (SELECT count(*) FROM lrt.holders h"
	"     WHERE h.product_id = p.product_id AND h.shares > 0),"
	"  'queued_requests', (SELECT count(*) FROM lrt.withdrawal_requests w"
	"     WHERE w.product_id = p.product_id AND w.status = 'queued'),"
	"  'pending_events', (SELECT count(*) FROM lrt.inbox i"
	"     WHERE i.product_id = p.product_id AND i.epoch > s.settled_epoch),"
	"  'config', p.config)::text"
	"  FROM lrt.products p JOIN lrt.product_state s USING (product_id)"
	"  CROSS JOIN LATERAL (SELECT a.decimals AS underlying, a.decimals"
	"      + CASE WHEN p.model = 'erc4626' THEN p.decimals_offset ELSE 0 END AS share"
	"    FROM lrt.product_assets a"
	"   WHERE a.product_id = p.product_id AND a.ordinal = 0) d"
	"  LEFT JOIN lrt.epochs e ON e.product_id = p.product_id AND e.epoch = s.settled_epoch"
	" WHERE p.symbol = $1";

int lrt_catalog_describe(char **json_out, lrt_store *store, const char *symbol)
{
	const char *params[1] = {symbol};
	PGresult *res;
	int rc;

	*json_out = NULL;
	rc = lrt_store_exec_tuples(&res, store, describe_sql, 1, params);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		lrt_error_set("no product %s in this database", symbol);
		rc = LRT_EINVAL;
	} else if ((*json_out = strdup(PQgetvalue(res, 0, 0))) == NULL) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	PQclear(res);
	return rc;
}

int lrt_catalog_set_settle_lag(int64_t *previous_out, lrt_store *store,
			       const char *symbol, int64_t settle_lag_seconds)
{
	char lag[24];
	const char *params[2] = {symbol, lag};
	PGresult *res = NULL;
	long long previous;
	char *end;
	int rc;

	LRT_ASSERT(previous_out != NULL && store != NULL && symbol != NULL);
	if (settle_lag_seconds < 0) {
		lrt_error_set("settle lag: must not be negative");
		return LRT_EINVAL;
	}
	snprintf(lag, sizeof(lag), "%lld", (long long)settle_lag_seconds);
	/* The old value comes from the row the update locks: one statement. */
	rc = lrt_store_exec_tuples(&res, store,
		"UPDATE lrt.products p SET settle_lag_seconds = $2::bigint"
		"  FROM (SELECT product_id, settle_lag_seconds FROM lrt.products"
		"         WHERE symbol = $1 FOR UPDATE) old"
		" WHERE p.product_id = old.product_id"
		" RETURNING old.settle_lag_seconds", 2, params);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		lrt_error_set("no product %s in this database", symbol);
		rc = LRT_EINVAL;
		goto done;
	}
	errno = 0;
	previous = strtoll(PQgetvalue(res, 0, 0), &end, 10);
	if (errno != 0 || *end != '\0' || end == PQgetvalue(res, 0, 0)) {
		lrt_error_set("lrt.products: settle_lag_seconds \"%s\" is not a "
			      "number", PQgetvalue(res, 0, 0));
		rc = LRT_EDB;
		goto done;
	}
	*previous_out = previous;
done:
	PQclear(res);
	return rc;
}

int lrt_catalog_list(lrt_store *store, lrt_catalog_fn fn, void *context)
{
	PGresult *res;
	int i, rc;

	rc = lrt_store_exec_tuples(&res, store,
		"SELECT p.symbol, p.underlying, p.model, s.settled_epoch,"
		"       s.total_assets::text, s.total_shares::text,"
		"       (SELECT count(*) FROM lrt.inbox i"
		"         WHERE i.product_id = p.product_id AND i.epoch > s.settled_epoch),"
		"       " WHOLE("s.total_assets", "a.decimals") ","
		"       " WHOLE("s.total_shares", "a.decimals + CASE WHEN p.model = "
				"'erc4626' THEN p.decimals_offset ELSE 0 END") ","
		"       p.settle_lag_seconds"
		"  FROM lrt.products p JOIN lrt.product_state s USING (product_id)"
		"  JOIN lrt.product_assets a ON a.product_id = p.product_id AND a.ordinal = 0"
		" ORDER BY p.symbol COLLATE \"C\"", 0, NULL);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		lrt_catalog_row row;

		row.symbol = PQgetvalue(res, i, 0);
		row.underlying = PQgetvalue(res, i, 1);
		row.model = PQgetvalue(res, i, 2);
		row.total_assets = PQgetvalue(res, i, 4);
		row.total_shares = PQgetvalue(res, i, 5);
		row.total_assets_whole = PQgetvalue(res, i, 7);
		row.total_shares_whole = PQgetvalue(res, i, 8);
		rc = lrt_store_value_int64(&row.settled_epoch, res, i, 3);
		if (rc == 0)
			rc = lrt_store_value_int64(&row.pending_events, res, i, 6);
		if (rc == 0)
			rc = lrt_store_value_int64(&row.settle_lag_seconds, res, i, 9);
		if (rc == 0)
			rc = fn(context, &row);
	}
	PQclear(res);
	return rc;
}
