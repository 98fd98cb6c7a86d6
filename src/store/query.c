/*
 * query.c - the checked query wrappers of store_internal.h: one per result
 * shape (a command, rows, one value, a script), each freeing what it does not
 * hand over and reporting a failure as one line with the statement, the
 * server's message and the SQLSTATE.
 *
 * Statements go through PQexecParams (the extended protocol, values as
 * parameters); only scripts, which take no parameters, use PQexec.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "lrt/error.h"
#include "store/store_internal.h"

/* The statement on one line, whitespace collapsed, cut with "..." if long. */
static void quote_query(char *out, size_t size, const char *query)
{
	size_t n = 0;
	int space = 0;
	const char *p;

	for (p = query; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			space = n > 0;
			continue;
		}
		if (n + (size_t)space + 4 >= size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = *p;
	}
	out[n] = '\0';
}

/*
 * "message: detail (SQLSTATE x)" from a failed result, or libpq's own
 * message when there is no result (the connection broke, out of memory).
 * Keeps the SQLSTATE in the store.
 */
static void describe_failure(char *out, size_t size, lrt_store *store,
			     const PGresult *result)
{
	const char *primary = NULL, *detail = NULL, *sqlstate = NULL;
	char flat[768];

	if (result != NULL) {
		primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
		sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
	}
	if (primary == NULL) {
		lrt_store_flatten(flat, sizeof(flat),
				  result != NULL && PQresultErrorMessage(result)[0]
				  ? PQresultErrorMessage(result)
				  : PQerrorMessage(store->conn));
		primary = flat[0] != '\0' ? flat : "no result from the server";
	}
	snprintf(store->sqlstate, sizeof(store->sqlstate), "%s",
		 sqlstate != NULL ? sqlstate : "");
	snprintf(out, size, "%s%s%s (SQLSTATE %s)", primary,
		 detail != NULL ? ": " : "", detail != NULL ? detail : "",
		 sqlstate != NULL ? sqlstate : "none");
}

/*
 * Checks `result` against the status expected.  On a mismatch sets the last
 * error (quoting `query`), frees the result and returns LRT_EDB.
 */
static int check_result(lrt_store *store, PGresult *result,
			ExecStatusType expected, const char *query)
{
	char quoted[LRT_STORE_QUOTED_QUERY_BYTES];
	char reason[1024];

	if (result != NULL && PQresultStatus(result) == expected) {
		store->sqlstate[0] = '\0';
		return 0;
	}
	quote_query(quoted, sizeof(quoted), query);
	if (result != NULL && (PQresultStatus(result) == PGRES_COMMAND_OK ||
			       PQresultStatus(result) == PGRES_TUPLES_OK)) {
		snprintf(store->sqlstate, sizeof(store->sqlstate), "%s", "");
		lrt_error_set("query \"%s\": expected %s, got %s", quoted,
			      PQresStatus(expected),
			      PQresStatus(PQresultStatus(result)));
	} else {
		describe_failure(reason, sizeof(reason), store, result);
		lrt_error_set("query \"%s\" failed: %s", quoted, reason);
	}
	PQclear(result);
	return LRT_EDB;
}

int lrt_store_exec_command(lrt_store *store, const char *query,
			   int param_count, const char *const *params)
{
	PGresult *result;
	int rc;

	LRT_ASSERT(store != NULL && query != NULL && param_count >= 0);
	result = PQexecParams(store->conn, query, param_count, NULL, params,
			      NULL, NULL, 0);
	if ((rc = check_result(store, result, PGRES_COMMAND_OK, query)) != 0)
		return rc;
	PQclear(result);
	return 0;
}

int lrt_store_exec_tuples(PGresult **out, lrt_store *store, const char *query,
			  int param_count, const char *const *params)
{
	PGresult *result;
	int rc;

	LRT_ASSERT(out != NULL && store != NULL && query != NULL);
	*out = NULL;
	result = PQexecParams(store->conn, query, param_count, NULL, params,
			      NULL, NULL, 0);
	if ((rc = check_result(store, result, PGRES_TUPLES_OK, query)) != 0)
		return rc;
	*out = result;
	return 0;
}

int lrt_store_exec_value(char *value, size_t size, lrt_store *store,
			 const char *query, int param_count,
			 const char *const *params)
{
	char quoted[LRT_STORE_QUOTED_QUERY_BYTES];
	PGresult *result = NULL;
	int rc;

	LRT_ASSERT(value != NULL && size > 0);
	value[0] = '\0';
	if ((rc = lrt_store_exec_tuples(&result, store, query, param_count,
					params)) != 0)
		goto done;
	quote_query(quoted, sizeof(quoted), query);
	if (PQntuples(result) != 1 || PQnfields(result) != 1) {
		lrt_error_set("query \"%s\": expected one value, got %d rows of "
			      "%d columns", quoted, PQntuples(result),
			      PQnfields(result));
		rc = LRT_EDB;
		goto done;
	}
	if ((size_t)PQgetlength(result, 0, 0) >= size) {
		lrt_error_set("query \"%s\": a value of %d bytes does not fit "
			      "in %zu", quoted, PQgetlength(result, 0, 0), size);
		rc = LRT_ELIMIT;
		goto done;
	}
	memcpy(value, PQgetvalue(result, 0, 0),
	       (size_t)PQgetlength(result, 0, 0) + 1);
done:
	PQclear(result);
	return rc;
}

/*
 * The line of `script` that holds character `position` (1-based, counted in
 * characters of the UTF-8 text, as the server counts them); 0 when unknown.
 */
static unsigned line_of_position(const char *script, const char *position)
{
	long target = position != NULL ? strtol(position, NULL, 10) : 0;
	unsigned line = 1;
	long characters = 0;
	const char *p;

	if (target <= 0)
		return 0;
	for (p = script; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;        /* a UTF-8 continuation byte */
		if (++characters == target)
			return line;
		if (*p == '\n')
			line++;
	}
	return 0;
}

int lrt_store_exec_script(lrt_store *store, const char *script,
			  const char *path)
{
	PGresult *result;
	char reason[1024];
	unsigned line;

	LRT_ASSERT(store != NULL && script != NULL && path != NULL);
	result = PQexec(store->conn, script);
	if (result != NULL && PQresultStatus(result) != PGRES_FATAL_ERROR &&
	    PQresultStatus(result) != PGRES_NONFATAL_ERROR &&
	    PQresultStatus(result) != PGRES_BAD_RESPONSE) {
		store->sqlstate[0] = '\0';
		PQclear(result);
		return 0;
	}
	describe_failure(reason, sizeof(reason), store, result);
	line = result == NULL ? 0 : line_of_position(script,
		PQresultErrorField(result, PG_DIAG_STATEMENT_POSITION));
	if (line > 0)
		lrt_error_set("%s:%u: %s", path, line, reason);
	else
		lrt_error_set("%s: %s", path, reason);
	PQclear(result);
	return LRT_EDB;
}

void lrt_store_rollback(lrt_store *store)
{
	PGresult *result;

	if (store == NULL || PQtransactionStatus(store->conn) == PQTRANS_IDLE)
		return;
	/* The error that brought us here stays the last error. */
	result = PQexec(store->conn, "ROLLBACK");
	PQclear(result);
}

int lrt_store_each_row(lrt_store *store, const char *query, int param_count,
		       const char *const *params, lrt_store_row_fn fn,
		       void *context)
{
	PGconn *conn = store->conn;
	PGresult *res;
	int rc = 0;

	if (!PQsendQueryParams(conn, query, param_count, NULL, params, NULL,
			       NULL, 0) || !PQsetSingleRowMode(conn)) {
		char flat[512];

		lrt_store_flatten(flat, sizeof(flat), PQerrorMessage(conn));
		lrt_error_set("%s", flat);
		return LRT_EDB;
	}
	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType status = PQresultStatus(res);

		if (status == PGRES_SINGLE_TUPLE) {
			if (rc == 0)
				rc = fn(context, res);
		} else if (status != PGRES_TUPLES_OK && rc == 0) {
			rc = check_result(store, res, PGRES_TUPLES_OK, query);
			continue;  /* check_result freed it */
		}
		PQclear(res);
	}
	return rc;
}
