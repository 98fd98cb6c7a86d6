/*
 * store_internal.h - what the store modules (connect, migrate, and later
 * ingest, settle, export) share: the connection behind an lrt_store and one
 * checked query wrapper per result shape, in the manner of PostgreSQL's
 * client tools (src/fe_utils/query_utils.c).
 *
 * Every wrapper sends its statement with parameters (never by pasting values
 * into SQL), checks the result status it expects, and on any other outcome
 * sets the last error to one line holding the statement, the server's
 * message and its SQLSTATE, keeps the SQLSTATE in the store for callers that
 * retry on it (40001, 40P01), frees the result, and returns LRT_EDB.
 * Whoever receives a PGresult frees it with PQclear on every path.
 */
#ifndef LRT_STORE_INTERNAL_H
#define LRT_STORE_INTERNAL_H

#include <libpq-fe.h>

#include "lrt/book.h"
#include "lrt/store.h"

/* The oldest server lrt supports: the schema uses PostgreSQL 15 features. */
#define LRT_STORE_SERVER_VERSION_MIN 150000

/*
 * How much of a failing statement a message quotes: enough to recognise it,
 * short enough to keep the message on one readable line.
 */
#define LRT_STORE_QUOTED_QUERY_BYTES 120

/*
 * The advisory lock that serializes `lrt migrate` runs (a single int8 key:
 * the bytes "lrt-migr" read big-endian).
 */
#define LRT_MIGRATE_LOCK_KEY "7814436041899206514"

/* Bytes of the description "socket DIR port N database D user U". */
#define LRT_STORE_DESCRIPTION_BYTES 512

struct lrt_store {
	PGconn *conn;
	char sqlstate[6];    /* of the last failed statement; "" after success */
	char description[LRT_STORE_DESCRIPTION_BYTES];
};

/* The connection; never NULL for a connected store. */
PGconn *lrt_store_conn(lrt_store *store);

/* SQLSTATE of the last statement that failed, "" when the last succeeded. */
const char *lrt_store_sqlstate(const lrt_store *store);

/*
 * Copies libpq's multi-line message onto one line of at most size - 1
 * bytes: its lines joined with "; ", the tab-indented hints with a space.
 */
void lrt_store_flatten(char *out, size_t size, const char *message);

/*
 * Runs a statement that returns no rows (PGRES_COMMAND_OK): DDL, INSERT,
 * UPDATE, BEGIN, COMMIT.  `params` holds `param_count` text values (NULL
 * for SQL NULL) and may be NULL when there are none.
 */
int lrt_store_exec_command(lrt_store *store, const char *query,
			   int param_count, const char *const *params);

/*
 * Runs a query that returns rows (PGRES_TUPLES_OK) and hands the result to
 * the caller in *out, who frees it with PQclear.  On error *out is NULL.
 */
int lrt_store_exec_tuples(PGresult **out, lrt_store *store, const char *query,
			  int param_count, const char *const *params);

/*
 * Like lrt_store_exec_tuples, but the query must return exactly one row and
 * one column (LRT_EDB otherwise); its value is copied into `value`, which
 * holds `size` bytes (LRT_ELIMIT when it does not fit).  A NULL reads as "".
 */
int lrt_store_exec_value(char *value, size_t size, lrt_store *store,
			 const char *query, int param_count,
			 const char *const *params);

/*
 * Runs a query and hands each row to `fn` as it arrives (libpq's single-row
 * mode), so that a result of millions of rows is never in memory at once;
 * each row is a PGresult of one row that `fn` must not free.  A non-zero
 * return of `fn` is kept and returned once the result is drained.
 */
typedef int (*lrt_store_row_fn)(void *context, const PGresult *row);
int lrt_store_each_row(lrt_store *store, const char *query, int param_count,
		       const char *const *params, lrt_store_row_fn fn,
		       void *context);

/*
 * Runs a script of one or more statements with no parameters (a migration's
 * text) through the simple query protocol.  `path` names the script in the
 * message, with the line the server's error points at: "FILE:LINE: message
 * (SQLSTATE x)".  The caller owns the transaction around it.
 */
int lrt_store_exec_script(lrt_store *store, const char *script,
			  const char *path);

/*
 * Ends a transaction that may have failed: ROLLBACK when one is open, and
 * nothing otherwise.  Keeps the last error message, so that it can be called
 * on the way out of a failure.
 */
void lrt_store_rollback(lrt_store *store);

/* The last prices and every position of the product (id as text) into a
 * book with no open epoch, locations in their order of first use (load.c). */
int lrt_store_load_prices(lrt_book *book, lrt_store *store, const char *product_id);
int lrt_store_load_positions(lrt_book *book, lrt_store *store,
			     const char *product_id);

/* EigenLayer's stakes (max magnitudes) and allocations of the product into
 * a book with no open epoch, in the order they were first made. */
int lrt_store_load_allocations(lrt_book *book, lrt_store *store,
			       const char *product_id);

/* What the few-row state of a book holds: the last prices, every position,
 * the stakes and allocations (the three above, in that order). */
int lrt_store_load_holdings(lrt_book *book, lrt_store *store, const char *product_id);

/* Every points program ever named with its index, in order of naming. */
int lrt_store_load_programs(lrt_book *book, lrt_store *store, const char *product_id);

/* Holders' points accounts from a result of (holder, program, accrued,
 * checkpoint); the holders and programs must be in the book. */
int lrt_store_restore_holder_points(lrt_book *book, const PGresult *res);

/* The high-water mark from a result's columns `column` (H's numerator as
 * text, NULL when there is no mark) and `column` + 1 (its denominator). */
int lrt_store_restore_mark(lrt_book *book, const PGresult *res, int row, int column);

/*
 * A stored integer (NUMERIC or bigint as text) of a result's row and column,
 * checked, never assumed: LRT_EDB naming the column when it is NULL or not a
 * decimal integer (load.c).
 */
int lrt_store_value_integer(mpz_t out, const PGresult *res, int row, int column);
int lrt_store_value_int64(int64_t *out, const PGresult *res, int row, int column);

/*
 * The totals of lrt.product_state into a book with no open epoch, from a
 * row whose columns 0..3 are settled_epoch, total_assets, total_shares and
 * deferred (as text): what settlement and stress start from.
 */
int lrt_store_restore_totals(lrt_book *book, const PGresult *res, int row);

/* The columns of lrt.withdrawal_requests that lrt_store_request_read reads,
 * in its order. */
#define LRT_STORE_REQUEST_COLUMNS \
	"request_id, holder, shares::text, cap::text, request_epoch, status," \
	" payout::text, finalized_epoch"

/* A stored withdrawal request as the book sees it: `view` points into the
 * struct and the result it was read from (valid while both are). */
typedef struct {
	lrt_request_view view;
	mpz_t shares, cap, payout;
} lrt_store_request;

void lrt_store_request_init(lrt_store_request *request);
void lrt_store_request_clear(lrt_store_request *request);

/* Reads row `row` of a result of LRT_STORE_REQUEST_COLUMNS; LRT_EDB when a
 * value is not what the schema stores. */
int lrt_store_request_read(lrt_store_request *request, const PGresult *res, int row);

#endif
