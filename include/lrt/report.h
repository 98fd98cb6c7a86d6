/*
 * report.h - reading the reporting views (the `lrt_report` schema of sql/)
 * and writing their rows for people (an aligned table) and for machines
 * (CSV, JSON): what `lrt report` does.
 *
 * The views are found in the database's catalog, never in a list compiled
 * into lrt: a view added to sql/ is a report the day `lrt migrate` creates
 * it.  A report is read by the view's name as the catalog spells it, so a
 * user's text never reaches the SQL; the filters travel as parameters.
 *
 *     lrt_report_catalog *catalog = NULL;
 *     const lrt_report_view *view;
 *     lrt_report_writer *writer = NULL;
 *     lrt_report_filter filter = LRT_REPORT_FILTER_NONE;
 *
 *     filter.symbol = "rstETH";
 *     if (lrt_report_catalog_load(&catalog, store) == 0 &&
 *         lrt_report_catalog_find(&view, catalog, "rates") == 0 &&
 *         lrt_report_writer_open(&writer, stdout, LRT_REPORT_TABLE, view) == 0 &&
 *         lrt_report_read(store, catalog, view, &filter, write_row, writer) == 0)
 *             lrt_report_writer_close(writer);
 *     lrt_report_writer_free(writer);
 *     lrt_report_catalog_free(catalog);
 *
 * Values are text exactly as PostgreSQL prints them: amounts are exact
 * numeric base units, and by the schema's convention an amount column X
 * has a sibling X_whole, the same amount in whole units (also exact), so
 * that nothing here ever divides.
 */
#ifndef LRT_REPORT_H
#define LRT_REPORT_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lrt/store.h"

/* The schema whose views and materialized views are the reports. */
#define LRT_REPORT_SCHEMA "lrt_report"

/* How a column's values read, from its type's category in pg_type. */
typedef enum {
	LRT_REPORT_TEXT = 0,     /* anything else: text, names, times */
	LRT_REPORT_NUMBER,       /* integers, numeric, floats (and domains of them) */
	LRT_REPORT_BOOLEAN       /* PostgreSQL's "t" and "f" */
} lrt_report_kind;

typedef struct {
	const char *name;
	const char *type;        /* as format_type() names it: "bigint", "lrt.amount" */
	lrt_report_kind kind;
	/* The index of this column's X_whole sibling (the same amount in whole
	 * units), or -1 when it has none. */
	int whole;
	/* True for an X_whole column whose amount X is a column too. */
	bool is_whole;
} lrt_report_column;

typedef struct {
	const char *name;        /* the view's name in the schema */
	const char *comment;     /* COMMENT ON VIEW: what a row is; "" when none */
	const lrt_report_column *columns;
	size_t column_count;
	/* The view sorts its own rows (a top-level ORDER BY in its definition):
	 * lrt_report_read keeps that order instead of imposing one. */
	bool ordered;
	/* Its columns `symbol`, `epoch` and `holder`, the ones filters apply to;
	 * -1 when absent. */
	int symbol_column;
	int epoch_column;
	int holder_column;
} lrt_report_view;

/* Every report of a database, by name; opaque. */
typedef struct lrt_report_catalog lrt_report_catalog;

/*
 * Reads the views of the lrt_report schema with their comments and columns
 * (pg_class, pg_attribute, obj_description).  LRT_ESTATE when there is none
 * (the schema is not there: `lrt migrate` creates it), LRT_EDB when the
 * query fails.  On error *out is NULL.
 */
LRT_API int lrt_report_catalog_load(lrt_report_catalog **out, lrt_store *store);

/* Frees the catalog and every view it handed out; NULL is a no-op. */
LRT_API void lrt_report_catalog_free(lrt_report_catalog *catalog);

/* How many reports; the i-th, by name (0 <= i < count). */
LRT_API size_t lrt_report_catalog_count(const lrt_report_catalog *catalog);
LRT_API const lrt_report_view *lrt_report_catalog_view(const lrt_report_catalog *catalog,
						       size_t i);

/*
 * The report named `name`.  LRT_EINVAL for an unknown name, with a message
 * that names the closest report and lists them all:
 *   unknown report "rtes"; did you mean "rates"? The reports: holders, rates
 */
LRT_API int lrt_report_catalog_find(const lrt_report_view **out,
				    const lrt_report_catalog *catalog, const char *name);

/* The rows to read: each filter set applies to the view's column of that
 * name, which it must have. */
typedef struct {
	const char *symbol;      /* `symbol` = this product; NULL: every product */
	int64_t epoch;           /* `epoch` = this epoch; -1: every epoch */
	const char *holder;      /* `holder` = this holder, an address compared in
				  * lower case as SPEC section 3 says; NULL: all */
} lrt_report_filter;

#define LRT_REPORT_FILTER_NONE ((lrt_report_filter){ NULL, -1, NULL })

/* Receives one row: `values[i]` is column i's text, NULL for SQL NULL.
 * A non-zero return stops the reading and is returned by lrt_report_read. */
typedef int (*lrt_report_row_fn)(void *context, const char *const *values);

/*
 * Streams the rows of `view` (a view of `catalog`) that pass `filter` to
 * `fn`, one at a time (libpq's single-row mode: a million rows are never one
 * result).  Order: the view's own when it has one (view->ordered), else by
 * symbol, epoch and holder, those it has, then by its other columns left to
 * right, so that the same rows always print in the same order.
 *
 * LRT_EINVAL when a filter names a column the view lacks (the message names
 * the views that have it) or an epoch above LRT_EPOCH_MAX; LRT_EDB when the
 * query fails; else what `fn` returned.
 */
LRT_API int lrt_report_read(lrt_store *store, const lrt_report_catalog *catalog,
			    const lrt_report_view *view, const lrt_report_filter *filter,
			    lrt_report_row_fn fn, void *context);

typedef enum {
	LRT_REPORT_TABLE = 0,    /* aligned columns for people */
	LRT_REPORT_CSV,          /* RFC 4180, a header row, CRLF line ends */
	LRT_REPORT_JSON          /* one array of objects */
} lrt_report_format;

/* Writes the rows of one view in one format; opaque. */
typedef struct lrt_report_writer lrt_report_writer;

/*
 * Starts writing rows of `view` (which must outlive the writer) to `file`:
 *
 *   table  the view's columns aligned, text to the left and numbers to the
 *          right on their decimal points; an amount X that has X_whole shows
 *          the whole-unit value, every decimal of it, under the header X, and
 *          X_whole is not shown again; booleans true/false, NULL empty; then
 *          "(N rows)".  The rows are held until the close, to align them
 *          (LRT_ELIMIT past a million rows: LRT_REPORT_TABLE_ROWS_MAX of
 *          src/core/limits.h).
 *   csv    RFC 4180: a header row of the column names, then every column as
 *          PostgreSQL prints it; fields holding a comma, a double quote, CR
 *          or LF are quoted with their quotes doubled; NULL is an empty
 *          field and the empty string "" (as COPY writes CSV); CRLF ends
 *          every line.  Streamed.
 *   json   an array of objects, one a line, keys the column names in order;
 *          numbers as decimal strings (exact, as PostgreSQL prints them),
 *          booleans true/false, NULL null, the rest strings.  Streamed.
 *
 * LRT_ENOMEM, else 0.
 */
LRT_API int lrt_report_writer_open(lrt_report_writer **out, FILE *file,
				   lrt_report_format format, const lrt_report_view *view);

/* One row: `values` as lrt_report_row_fn receives them. */
LRT_API int lrt_report_writer_row(lrt_report_writer *writer, const char *const *values);

/* Writes what is left (the aligned table, the closing bracket).  LRT_EIO
 * when the file could not be written. */
LRT_API int lrt_report_writer_close(lrt_report_writer *writer);

/* Frees the writer; NULL is a no-op. */
LRT_API void lrt_report_writer_free(lrt_report_writer *writer);

#endif
