/*
 * load.c - reading the parts of a product's state that settlement, export
 * and stress restore into a book: the totals, the last prices, every
 * position, the high-water mark, a withdrawal request; one helper each,
 * every stored number converted with a check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lrt/amount.h"
#include "lrt/book.h"
#include "lrt/error.h"
#include "store/store_internal.h"

int lrt_store_value_integer(mpz_t out, const PGresult *res, int row, int column)
{
	const char *text = PQgetvalue(res, row, column);
	const char *digits = text + (text[0] == '-');

	if (PQgetisnull(res, row, column)) {
		lrt_error_set("the stored %s is NULL", PQfname(res, column));
		return LRT_EDB;
	}
	if (digits[0] == '\0' || strspn(digits, "0123456789") != strlen(digits)
	    || mpz_set_str(out, text, 10) != 0) {
		lrt_error_set("the stored %s \"%.40s\" is not an integer",
			      PQfname(res, column), text);
		return LRT_EDB;
	}
	return 0;
}

int lrt_store_value_int64(int64_t *out, const PGresult *res, int row, int column)
{
	const char *text = PQgetvalue(res, row, column);
	long long value;
	char *end;

	if (PQgetisnull(res, row, column)) {
		lrt_error_set("the stored %s is NULL", PQfname(res, column));
		return LRT_EDB;
	}
	errno = 0;
	value = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0) {
		lrt_error_set("the stored %s \"%.40s\" is not a 64-bit integer",
			      PQfname(res, column), text);
		return LRT_EDB;
	}
	*out = value;
	return 0;
}

int lrt_store_restore_totals(lrt_book *book, const PGresult *res, int row)
{
	mpz_t assets, shares, deferred;
	int64_t settled = -1;
	int rc;

	mpz_inits(assets, shares, deferred, NULL);
	rc = lrt_store_value_int64(&settled, res, row, 0);
	if (rc == 0)
		rc = lrt_store_value_integer(assets, res, row, 1);
	if (rc == 0)
		rc = lrt_store_value_integer(shares, res, row, 2);
	if (rc == 0)
		rc = lrt_store_value_integer(deferred, res, row, 3);
	if (rc == 0)
		rc = lrt_book_restore_totals(book, settled, assets, shares, deferred);
	mpz_clears(assets, shares, deferred, NULL);
	return rc;
}

void lrt_store_request_init(lrt_store_request *request)
{
	memset(&request->view, 0, sizeof(request->view));
	mpz_inits(request->shares, request->cap, request->payout, NULL);
	request->view.shares = (const mpz_t *)&request->shares;
	request->view.cap = (const mpz_t *)&request->cap;
	request->view.payout = (const mpz_t *)&request->payout;
}

void lrt_store_request_clear(lrt_store_request *request)
{
	mpz_clears(request->shares, request->cap, request->payout, NULL);
}

int lrt_store_request_read(lrt_store_request *request, const PGresult *res, int row)
{
	static const struct {
		const char *name;
		lrt_request_state state;
	} states[] = {
		{ "queued", LRT_REQUEST_QUEUED }, { "finalized", LRT_REQUEST_FINALIZED },
		{ "claimed", LRT_REQUEST_CLAIMED }, { "cancelled", LRT_REQUEST_CANCELLED },
	};
	lrt_request_view *view = &request->view;
	const char *status = PQgetvalue(res, row, 5);
	size_t i;
	int rc;

	view->request = PQgetvalue(res, row, 0);
	view->holder = PQgetvalue(res, row, 1);
	rc = lrt_store_value_integer(request->shares, res, row, 2);
	if (rc == 0)
		rc = lrt_store_value_integer(request->cap, res, row, 3);
	if (rc == 0)
		rc = lrt_store_value_int64(&view->epoch, res, row, 4);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(status, states[i].name) == 0)
			break;
	if (rc == 0 && i == sizeof(states) / sizeof(states[0])) {
		lrt_error_set("request %s: the stored status \"%.40s\" is none of queued, "
			      "finalized, claimed, cancelled", view->request, status);
		rc = LRT_EDB;
	}
	if (rc == 0)
		view->state = states[i].state;
	mpz_set_ui(request->payout, 0);
	if (rc == 0 && !PQgetisnull(res, row, 6))
		rc = lrt_store_value_integer(request->payout, res, row, 6);
	view->finalized_epoch = -1;
	if (rc == 0 && !PQgetisnull(res, row, 7))
		rc = lrt_store_value_int64(&view->finalized_epoch, res, row, 7);
	return rc;
}

int lrt_store_load_prices(lrt_book *book, lrt_store *store, const char *product_id)
{
	const char *params[1] = {product_id};
	PGresult *res;
	mpq_t price;
	int i, rc;

	rc = lrt_store_exec_tuples(&res, store,
		"SELECT a.symbol, p.price::text FROM lrt.prices p"
		"  JOIN lrt.product_assets a USING (product_id)"
		" WHERE p.product_id = $1 AND a.ordinal = p.asset_ordinal", 1, params);
	if (rc != 0)
		return rc;
	mpq_init(price);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *text = PQgetvalue(res, i, 1);

		rc = lrt_price_parse(price, text, strlen(text));
		if (rc == 0)
			rc = lrt_book_restore_price(book, PQgetvalue(res, i, 0), price);
	}
	mpq_clear(price);
	PQclear(res);
	return rc;
}

int lrt_store_load_positions(lrt_book *book, lrt_store *store,
			      const char *product_id)
{
	const char *params[1] = {product_id};
	PGresult *res;
	mpz_t amount;
	int i, rc;

	/* every location in order of first use, with every asset's amount */
	rc = lrt_store_exec_tuples(&res, store,
		"SELECT a.symbol, l.location, coalesce(x.amount, 0)::text"
		"  FROM lrt.locations l JOIN lrt.product_assets a USING (product_id)"
		"  LEFT JOIN lrt.positions x ON x.product_id = l.product_id"
		"       AND x.location = l.location AND x.asset_ordinal = a.ordinal"
		" WHERE l.product_id = $1 ORDER BY l.ordinal, a.ordinal", 1, params);
	if (rc != 0)
		return rc;
	mpz_init(amount);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *text = PQgetvalue(res, i, 2);

		rc = lrt_amount_parse(amount, text, strlen(text));
		if (rc == 0)
			rc = lrt_book_restore_position(book, PQgetvalue(res, i, 0),
						       PQgetvalue(res, i, 1), amount);
	}
	mpz_clear(amount);
	PQclear(res);
	return rc;
}

int lrt_store_restore_mark(lrt_book *book, const PGresult *res, int row, int column)
{
	mpq_t mark;
	int rc = 0;

	if (PQgetisnull(res, row, column))
		return 0;
	mpq_init(mark);
	if (mpz_set_str(mpq_numref(mark), PQgetvalue(res, row, column), 10) != 0
	    || mpz_set_str(mpq_denref(mark), PQgetvalue(res, row, column + 1), 10) != 0
	    || mpz_sgn(mpq_denref(mark)) <= 0) {
		lrt_error_set("the stored high-water mark is malformed");
		rc = LRT_EDB;
	}
	if (rc == 0)
		rc = lrt_book_restore_high_water_mark(book, mark);
	mpq_clear(mark);
	return rc;
}

int lrt_store_load_allocations(lrt_book *book, lrt_store *store, const char *product_id)
{
	const char *params[1] = {product_id};
	PGresult *res = NULL;
	mpz_t magnitude;
	int i, rc;

	mpz_init(magnitude);
	rc = lrt_store_exec_tuples(&res, store,
		"SELECT operator, asset, max_magnitude::text FROM lrt.stakes"
		" WHERE product_id = $1 ORDER BY ordinal", 1, params);
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		rc = lrt_amount_parse(magnitude, PQgetvalue(res, i, 2),
				      (size_t)PQgetlength(res, i, 2));
		if (rc == 0)
			rc = lrt_book_restore_stake(book, PQgetvalue(res, i, 0),
						    PQgetvalue(res, i, 1), magnitude);
	}
	PQclear(res);
	res = NULL;
	if (rc == 0)
		rc = lrt_store_exec_tuples(&res, store,
			"SELECT operator, asset, avs, magnitude::text FROM lrt.allocations"
			" WHERE product_id = $1 ORDER BY ordinal", 1, params);
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		rc = lrt_amount_parse(magnitude, PQgetvalue(res, i, 3),
				      (size_t)PQgetlength(res, i, 3));
		if (rc == 0)
			rc = lrt_book_restore_allocation(book, PQgetvalue(res, i, 0),
							 PQgetvalue(res, i, 1),
							 PQgetvalue(res, i, 2), magnitude);
	}
	PQclear(res);
	mpz_clear(magnitude);
	if (rc == LRT_EINVAL)
		lrt_error_prefix("stored allocations");
	return rc;
}

int lrt_store_load_programs(lrt_book *book, lrt_store *store, const char *product_id)
{
	const char *params[1] = {product_id};
	PGresult *res = NULL;
	mpz_t index;
	int i, rc;

	mpz_init(index);
	rc = lrt_store_exec_tuples(&res, store,
		"SELECT program, point_index::text FROM lrt.points_programs"
		" WHERE product_id = $1 ORDER BY ordinal", 1, params);
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		if (mpz_set_str(index, PQgetvalue(res, i, 1), 10) != 0) {
			lrt_error_set("points program %s: a malformed index", PQgetvalue(res, i, 0));
			rc = LRT_EDB;
		} else {
			rc = lrt_book_restore_program_index(book, PQgetvalue(res, i, 0), index);
		}
	}
	PQclear(res);
	mpz_clear(index);
	return rc;
}

int lrt_store_restore_holder_points(lrt_book *book, const PGresult *res)
{
	mpz_t accrued, checkpoint;
	int i, rc = 0;

	mpz_inits(accrued, checkpoint, NULL);
	for (i = 0; rc == 0 && i < PQntuples(res); i++) {
		if (mpz_set_str(accrued, PQgetvalue(res, i, 2), 10) != 0
		    || mpz_set_str(checkpoint, PQgetvalue(res, i, 3), 10) != 0) {
			lrt_error_set("points of %s: malformed", PQgetvalue(res, i, 0));
			rc = LRT_EDB;
		} else {
			rc = lrt_book_restore_holder_points(book, PQgetvalue(res, i, 0),
							    PQgetvalue(res, i, 1), accrued,
							    checkpoint);
		}
	}
	mpz_clears(accrued, checkpoint, NULL);
	return rc;
}

int lrt_store_load_holdings(lrt_book *book, lrt_store *store, const char *product_id)
{
	int rc = lrt_store_load_prices(book, store, product_id);

	if (rc == 0)
		rc = lrt_store_load_positions(book, store, product_id);
	if (rc == 0)
		rc = lrt_store_load_allocations(book, store, product_id);
	return rc;
}
