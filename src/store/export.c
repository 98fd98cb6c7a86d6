/*
 * export.c - `lrt export`: the stored results in the format of
 * `lrt simulate` (see include/lrt/export.h).
 *
 * Five ordered queries (epochs, finalized requests, rejected events, holders,
 * queue) are merged by epoch in one pass; the big ones are read row by row
 * (lrt_store_each_row), so a million holders are never one result.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/export.h"
#include "lrt/scenario.h"
#include "store/store_internal.h"

/* Streams the rows of a query on the product. */
static int each_row(lrt_store *store, const char *query, const char *product_id,
		    lrt_store_row_fn fn, void *context)
{
	const char *params[1] = {product_id};

	return lrt_store_each_row(store, query, 1, params, fn, context);
}

/* Loads the whole (small) result of `query`. */
static int all_rows(PGresult **out, lrt_store *store, const char *query,
		    const char *product_id)
{
	const char *params[1] = {product_id};

	return lrt_store_exec_tuples(out, store, query, 1, params);
}

typedef struct {
	FILE *out;
	PGresult *finalized;    /* finalized_epoch, request, shares, payout */
	PGresult *rejected;     /* epoch, event_id, reason */
	PGresult *reconciled;   /* epoch, event_id, asset, location, book, observed */
	int next_finalized;
	int next_rejected;
	int next_reconciled;
	lrt_epoch_report report;
} epoch_writer;

/* The epoch's reconciliation rows into the report. */
static int fill_reconciliation(epoch_writer *w, int64_t epoch)
{
	lrt_epoch_report *r = &w->report;
	const PGresult *res = w->reconciled;
	int first, i;

	for (first = w->next_reconciled; w->next_reconciled < PQntuples(res)
	     && strtoll(PQgetvalue(res, w->next_reconciled, 0), NULL, 10) == epoch;
	     w->next_reconciled++)
		;
	r->reconciliation = calloc((size_t)(w->next_reconciled - first) + 1,
				   sizeof(*r->reconciliation));
	if (r->reconciliation == NULL)
		return LRT_ENOMEM;
	for (i = first; i < w->next_reconciled; i++) {
		lrt_reconciliation *x = &r->reconciliation[r->reconciliation_count++];
		int rc;

		mpz_inits(x->book, x->observed, x->difference, NULL);
		rc = lrt_store_value_integer(x->book, res, i, 4);
		if (rc == 0)
			rc = lrt_store_value_integer(x->observed, res, i, 5);
		if (rc != 0)
			return rc;
		mpz_sub(x->difference, x->observed, x->book);
		x->id = strdup(PQgetvalue(res, i, 1));
		x->asset = strdup(PQgetvalue(res, i, 2));
		x->location = strdup(PQgetvalue(res, i, 3));
		if (x->id == NULL || x->asset == NULL || x->location == NULL)
			return LRT_ENOMEM;
	}
	return 0;
}

static int fill_lists(epoch_writer *w, int64_t epoch)
{
	lrt_epoch_report *r = &w->report;
	int first, i;

	for (first = w->next_finalized; w->next_finalized < PQntuples(w->finalized)
	     && strtoll(PQgetvalue(w->finalized, w->next_finalized, 0), NULL, 10) == epoch;
	     w->next_finalized++)
		;
	r->finalized = calloc((size_t)(w->next_finalized - first) + 1, sizeof(*r->finalized));
	if (r->finalized == NULL)
		return LRT_ENOMEM;
	for (i = first; i < w->next_finalized; i++) {
		lrt_finalized *f = &r->finalized[r->finalized_count++];
		int rc;

		mpz_inits(f->shares, f->payout, NULL);
		f->request = strdup(PQgetvalue(w->finalized, i, 1));
		if (f->request == NULL)
			return LRT_ENOMEM;
		rc = lrt_store_value_integer(f->shares, w->finalized, i, 2);
		if (rc == 0)
			rc = lrt_store_value_integer(f->payout, w->finalized, i, 3);
		if (rc != 0)
			return rc;
	}
	for (first = w->next_rejected; w->next_rejected < PQntuples(w->rejected)
	     && strtoll(PQgetvalue(w->rejected, w->next_rejected, 0), NULL, 10) == epoch;
	     w->next_rejected++)
		;
	r->rejected = calloc((size_t)(w->next_rejected - first) + 1, sizeof(*r->rejected));
	if (r->rejected == NULL)
		return LRT_ENOMEM;
	for (i = first; i < w->next_rejected; i++) {
		lrt_rejection *x = &r->rejected[r->rejected_count++];

		x->id = strdup(PQgetvalue(w->rejected, i, 1));
		x->reason = strdup(PQgetvalue(w->rejected, i, 2));
		if (x->id == NULL || x->reason == NULL)
			return LRT_ENOMEM;
	}
	return fill_reconciliation(w, epoch);
}

static int write_epoch(void *context, const PGresult *row)
{
	epoch_writer *w = context;
	lrt_epoch_report *r = &w->report;
	mpz_t *figures[12] = {
		&r->total_assets, &r->total_shares, &r->rate, &r->deferred,
		&r->rewards, &r->slashed, &r->revaluation, &r->recognized,
		&r->fee_value, &r->fee_shares, &r->buffer, &r->claimable,
	};
	int i, rc;

	lrt_epoch_report_clear(r);
	lrt_epoch_report_init(r);
	/* the stored figures, each checked: a bad one is named, never printed */
	rc = lrt_store_value_int64(&r->epoch, row, 0, 0);
	for (i = 0; rc == 0 && i < 12; i++)
		rc = lrt_store_value_integer(*figures[i], row, 0, i + 1);
	if (rc != 0)
		return rc;
	rc = fill_lists(w, r->epoch);
	if (rc == LRT_ENOMEM)
		lrt_error_set("out of memory exporting epoch %lld", (long long)r->epoch);
	return rc == 0 ? lrt_report_write_json(w->out, r) : rc;
}

static int write_holder(void *context, const PGresult *row)
{
	mpz_t shares;
	int rc;

	mpz_init(shares);
	rc = lrt_store_value_integer(shares, row, 0, 1);
	if (rc == 0)
		rc = lrt_final_writer_holder(context, PQgetvalue(row, 0, 0), shares);
	mpz_clear(shares);
	return rc;
}

static int write_request(void *context, const PGresult *row)
{
	lrt_store_request request;
	int rc;

	lrt_store_request_init(&request);
	rc = lrt_store_request_read(&request, row, 0);
	if (rc == 0)
		rc = lrt_final_writer_request(context, &request.view);
	lrt_store_request_clear(&request);
	return rc;
}

/* Exposure (SPEC section 7) from the stored prices and positions, computed
 * by the core as lrt simulate computes it. */
static int write_exposure(lrt_final_writer *writer, lrt_store *store,
			  const lrt_product *product, const char *id)
{
	lrt_exposure exposure;
	lrt_book *book = NULL;
	int rc;

	lrt_exposure_init(&exposure);
	rc = lrt_book_new(&book, product);
	if (rc == 0)
		rc = lrt_store_load_holdings(book, store, id);
	if (rc == 0)
		rc = lrt_book_exposure(&exposure, book);
	if (rc == 0)
		rc = lrt_final_writer_exposure(writer, &exposure);
	lrt_exposure_clear(&exposure);
	lrt_book_free(book);
	return rc;
}

/* One holder's points in one program, programs in code-point order. */
typedef struct {
	lrt_final_writer *writer;
	char program[LRT_NAME_BYTES_MAX + 1];
	bool started;
} points_writer;

static int write_points_row(void *context, const PGresult *row)
{
	points_writer *w = context;
	const char *program = PQgetvalue(row, 0, 0);
	mpz_t points;
	int rc = 0;

	if (!w->started || strcmp(program, w->program) != 0) {
		snprintf(w->program, sizeof(w->program), "%s", program);
		w->started = true;
		rc = lrt_final_writer_program(w->writer, program);
	}
	if (rc != 0 || PQgetisnull(row, 0, 1))
		return rc;
	mpz_init(points);
	if (mpz_set_str(points, PQgetvalue(row, 0, 2), 10) != 0) {
		lrt_error_set("points of %s: malformed", PQgetvalue(row, 0, 1));
		rc = LRT_EDB;
	} else if (mpz_sgn(points) != 0) {
		rc = lrt_final_writer_holder_points(w->writer, PQgetvalue(row, 0, 1), points);
	}
	mpz_clear(points);
	return rc;
}

/* Every program with every holder's points: SPEC section 5 step 7's one
 * floor, div(accrued + shares * (index - checkpoint), 10^share_decimals). */
static int write_points(lrt_final_writer *writer, lrt_store *store,
			const lrt_product *product, const char *id)
{
	points_writer w = {writer, "", false};
	const char *params[2] = {id, NULL};
	char *unit;
	mpz_t share_unit;
	int rc = lrt_final_writer_points(writer);

	mpz_init(share_unit);
	mpz_ui_pow_ui(share_unit, 10, lrt_product_share_decimals(product));
	unit = mpz_get_str(NULL, 10, share_unit);
	params[1] = unit;
	if (rc == 0 && unit == NULL)
		rc = (lrt_error_set("out of memory"), LRT_ENOMEM);
	if (rc == 0)
		rc = lrt_store_each_row(store,
			"SELECT p.program, h.holder,"
			"       div(coalesce(x.accrued, 0)"
			"           + h.shares * (p.point_index - coalesce(x.checkpoint, 0)),"
			"           $2::numeric)::text"
			"  FROM lrt.points_programs p"
			"  LEFT JOIN lrt.holders h ON h.product_id = p.product_id"
			"  LEFT JOIN lrt.holder_points x ON x.product_id = p.product_id"
			"       AND x.program = p.program AND x.holder = h.holder"
			" WHERE p.product_id = $1"
			" ORDER BY p.program COLLATE \"C\", h.holder COLLATE \"C\"",
			2, params, write_points_row, &w);
	free(unit);
	mpz_clear(share_unit);
	return rc;
}

/* The final line. */
static int write_final(FILE *out, lrt_store *store, const lrt_product *product,
		       const char *id)
{
	lrt_final_writer *writer;
	int rc = lrt_final_writer_begin(&writer, out);

	if (rc == 0)
		rc = each_row(store,
			"SELECT holder, shares::text FROM lrt.holders"
			" WHERE product_id = $1 AND shares > 0 ORDER BY holder COLLATE \"C\"",
			id, write_holder, writer);
	if (rc == 0)
		rc = each_row(store,
			"SELECT " LRT_STORE_REQUEST_COLUMNS " FROM lrt.withdrawal_requests"
			" WHERE product_id = $1 AND status = 'queued' ORDER BY queue_position",
			id, write_request, writer);
	if (rc == 0)
		rc = write_points(writer, store, product, id);
	if (rc == 0)
		rc = write_exposure(writer, store, product, id);
	if (rc == 0)
		return lrt_final_writer_end(writer);
	lrt_final_writer_abandon(writer);
	return rc;
}

int lrt_export(FILE *out, lrt_store *store, const char *symbol)
{
	epoch_writer w;
	lrt_product product;
	int64_t product_id;
	char id[24];
	int rc;

	memset(&w, 0, sizeof(w));
	w.out = out;
	lrt_epoch_report_init(&w.report);
	lrt_product_init(&product);
	rc = lrt_catalog_load(&product, &product_id, NULL, store, symbol);
	snprintf(id, sizeof(id), "%lld", (long long)product_id);
	/* one snapshot for all five queries */
	if (rc == 0)
		rc = lrt_store_exec_command(store,
			"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	if (rc == 0)
		rc = all_rows(&w.finalized, store,
			"SELECT finalized_epoch, request_id, shares::text, payout::text"
			"  FROM lrt.withdrawal_requests"
			" WHERE product_id = $1 AND finalized_epoch IS NOT NULL"
			" ORDER BY finalized_epoch, queue_position", id);
	if (rc == 0)
		rc = all_rows(&w.reconciled, store,
			"SELECT epoch, event_id, asset, location, book::text, observed::text"
			"  FROM lrt.reconciliations WHERE product_id = $1"
			" ORDER BY epoch, ordinal", id);
	if (rc == 0)
		rc = all_rows(&w.rejected, store,
			"SELECT epoch, event_id, reason FROM lrt.rejected_events"
			" WHERE product_id = $1 ORDER BY epoch, apply_order", id);
	if (rc == 0)
		rc = each_row(store,
			"SELECT epoch, total_assets::text, total_shares::text, rate::text,"
			"       deferred::text, rewards::text, slashed::text, revaluation::text,"
			"       recognized::text, fee_value::text, fee_shares::text,"
			"       buffer::text, claimable::text"
			"  FROM lrt.epochs WHERE product_id = $1 ORDER BY epoch",
			id, write_epoch, &w);
	if (rc == 0)
		rc = write_final(out, store, &product, id);
	if (rc == 0)
		rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(store);
	PQclear(w.finalized);
	PQclear(w.rejected);
	PQclear(w.reconciled);
	lrt_epoch_report_clear(&w.report);
	lrt_product_clear(&product);
	return rc;
}
