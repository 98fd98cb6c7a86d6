/*
 * stress.c - `lrt stress --product`: SPEC section 7's what-if on the state
 * stored after the last settled epoch (see include/lrt/export.h).
 *
 * A stress needs the totals, the policy in force, the last prices and the
 * positions: never a holder or the queue, so it costs the same at ten
 * holders or a million.  Everything is read in one read-only snapshot.
 */

#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/export.h"
#include "store/store_internal.h"

/* A, S, D, the high-water mark and the last settled epoch from the state
 * row. */
static int load_totals(lrt_book *book, lrt_store *store, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	rc = lrt_store_exec_tuples(&res, store,
		"SELECT settled_epoch, total_assets::text, total_shares::text, deferred::text,"
		"       high_water_mark_assets::text, high_water_mark_shares::text"
		"  FROM lrt.product_state WHERE product_id = $1", 1, params);
	if (rc != 0)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		lrt_error_set("product %s has no state row", id);
		return LRT_EDB;
	}
	rc = lrt_store_restore_totals(book, res, 0);
	if (rc == 0)
		rc = lrt_store_restore_mark(book, res, 0, 4);
	PQclear(res);
	return rc;
}

int lrt_stress_stored(lrt_stress_report *out, lrt_store *store, const char *symbol,
		      const lrt_stress_slash *slashes, size_t count)
{
	lrt_product product;
	lrt_book *book = NULL;
	int64_t product_id;
	char id[24];
	int rc;

	lrt_product_init(&product);
	rc = lrt_catalog_load(&product, &product_id, NULL, store, symbol);
	snprintf(id, sizeof(id), "%lld", (long long)product_id);
	if (rc == 0)
		rc = lrt_store_exec_command(store,
			"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	if (rc == 0) {
		rc = lrt_book_new(&book, &product);
		if (rc == 0)
			rc = load_totals(book, store, id);
		if (rc == 0)
			rc = lrt_store_load_holdings(book, store, id);
		if (rc == 0)
			rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
		if (rc != 0)
			lrt_store_rollback(store);
	}
	if (rc == 0)
		rc = lrt_book_stress(out, book, slashes, count);
	lrt_book_free(book);
	lrt_product_clear(&product);
	return rc;
}
