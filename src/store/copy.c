/*
 * copy.c - COPY FROM STDIN in text format (see copy.h).
 *
 * Text format: columns separated by tabs, rows by newlines, \N for NULL,
 * and backslash, tab, newline and carriage return escaped with a backslash.
 */
#include <stdlib.h>
#include <string.h>

#include "lrt/error.h"
#include "store/copy.h"
#include "store/store_internal.h"

/* Bytes gathered before a PQputCopyData: large enough to amortize the call,
 * small enough to stream. */
#define COPY_CHUNK_BYTES (256 * 1024)

struct lrt_copy {
	lrt_store *store;
	char *buffer;
	size_t used;
	size_t rows;
	int failed;
};

static int flush(lrt_copy *copy)
{
	if (copy->used == 0)
		return 0;
	if (PQputCopyData(lrt_store_conn(copy->store), copy->buffer,
			  (int)copy->used) != 1) {
		lrt_error_set("COPY: %s", PQerrorMessage(lrt_store_conn(copy->store)));
		copy->failed = LRT_EDB;
		return LRT_EDB;
	}
	copy->used = 0;
	return 0;
}

int lrt_copy_begin(lrt_copy **out, lrt_store *store, const char *statement)
{
	lrt_copy *copy = calloc(1, sizeof(*copy));
	PGresult *res;

	*out = NULL;
	if (copy == NULL || (copy->buffer = malloc(COPY_CHUNK_BYTES)) == NULL) {
		free(copy);
		lrt_error_set("out of memory starting a COPY");
		return LRT_ENOMEM;
	}
	copy->store = store;
	res = PQexec(lrt_store_conn(store), statement);
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		char flat[512];

		lrt_store_flatten(flat, sizeof(flat),
				  res ? PQresultErrorMessage(res)
				      : PQerrorMessage(lrt_store_conn(store)));
		lrt_error_set("%.60s: %s", statement, flat);
		PQclear(res);
		free(copy->buffer);
		free(copy);
		return LRT_EDB;
	}
	PQclear(res);
	*out = copy;
	return 0;
}

/* Appends `text` escaped; grows past the chunk only for a huge value. */
static int append_escaped(lrt_copy *copy, const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		char c = *p, escaped = 0;

		if (copy->used + 2 > COPY_CHUNK_BYTES && flush(copy) != 0)
			return LRT_EDB;
		switch (c) {
		case '\\': escaped = '\\'; break;
		case '\t': escaped = 't'; break;
		case '\n': escaped = 'n'; break;
		case '\r': escaped = 'r'; break;
		}
		if (escaped) {
			copy->buffer[copy->used++] = '\\';
			copy->buffer[copy->used++] = escaped;
		} else {
			copy->buffer[copy->used++] = c;
		}
	}
	return 0;
}

static int append_raw(lrt_copy *copy, const char *text, size_t length)
{
	if (copy->used + length > COPY_CHUNK_BYTES && flush(copy) != 0)
		return LRT_EDB;
	memcpy(copy->buffer + copy->used, text, length);
	copy->used += length;
	return 0;
}

int lrt_copy_row(lrt_copy *copy, size_t count, const char *const *values)
{
	size_t i;
	int rc = 0;

	if (copy->failed)
		return copy->failed;
	for (i = 0; i < count && rc == 0; i++) {
		if (i > 0)
			rc = append_raw(copy, "\t", 1);
		if (rc == 0)
			rc = values[i] == NULL ? append_raw(copy, "\\N", 2)
					       : append_escaped(copy, values[i]);
	}
	if (rc == 0)
		rc = append_raw(copy, "\n", 1);
	if (rc == 0)
		copy->rows++;
	return rc;
}

/* Reads the COPY's results until NULL; 0 when the server accepted it.  Sets
 * the last error only when `report` (an earlier error stays the message). */
static int drain(lrt_store *store, int report)
{
	PGconn *conn = lrt_store_conn(store);
	PGresult *res;
	int rc = 0;

	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0 && report) {
			char flat[768];
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

			lrt_store_flatten(flat, sizeof(flat), PQresultErrorMessage(res));
			lrt_error_set("COPY refused: %s (SQLSTATE %s)", flat,
				      state ? state : "none");
		}
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = LRT_EDB;
		PQclear(res);
	}
	return rc;
}

int lrt_copy_end(lrt_copy *copy, size_t *rows_out)
{
	int rc;

	if (copy == NULL)
		return LRT_ENOMEM;
	rc = copy->failed ? copy->failed : flush(copy);
	if (PQputCopyEnd(lrt_store_conn(copy->store), rc ? "lrt: COPY abandoned" : NULL) != 1
	    && rc == 0) {
		lrt_error_set("COPY: %s", PQerrorMessage(lrt_store_conn(copy->store)));
		rc = LRT_EDB;
	}
	if (drain(copy->store, rc == 0) != 0 && rc == 0)
		rc = LRT_EDB;
	if (rows_out != NULL)
		*rows_out = copy->rows;
	free(copy->buffer);
	free(copy);
	return rc;
}

void lrt_copy_abort(lrt_copy *copy, const char *why)
{
	if (copy == NULL)
		return;
	PQputCopyEnd(lrt_store_conn(copy->store), why);
	drain(copy->store, 0);
	free(copy->buffer);
	free(copy);
}
