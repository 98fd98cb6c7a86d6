/*
 * copy.h - streaming rows into PostgreSQL with COPY ... FROM STDIN in text
 * format, for the writes that carry many rows (holders, requests, inbox
 * statuses, journal lines).
 *
 * Rows are escaped and gathered in a buffer that is sent in large chunks;
 * lrt_copy_end finishes the COPY and drains its results.  On any error the
 * COPY is ended with a failure message, the last error says what failed,
 * and the caller rolls its transaction back.
 */
#ifndef LRT_STORE_COPY_H
#define LRT_STORE_COPY_H

#include <stddef.h>

#include "lrt/store.h"

typedef struct lrt_copy lrt_copy;

/* Starts `statement` (a COPY ... FROM STDIN). */
int lrt_copy_begin(lrt_copy **out, lrt_store *store, const char *statement);

/* One row of `count` text values; NULL is SQL NULL. */
int lrt_copy_row(lrt_copy *copy, size_t count, const char *const *values);

/* Ends the COPY: 0 and the number of rows sent, or the error.  Frees `copy`
 * (also when it is NULL: then returns LRT_ENOMEM). */
int lrt_copy_end(lrt_copy *copy, size_t *rows_out);

/* Abandons the COPY with a failure (after an error of the caller). */
void lrt_copy_abort(lrt_copy *copy, const char *why);

#endif
