/*
 * report_html.h - the HTML page of the reports (`lrt report html`): for each
 * product, the summary tables and three SVG charts, in one self-contained
 * file (inline CSS and SVG, no script, nothing fetched).
 *
 * This module only writes: the rows come from the reporting views, read by
 * the caller (src/store/report_html.c) into an lrt_html_rows per view,
 * every value the text PostgreSQL printed.  Tables show that text as it is
 * (amounts from the X_whole columns: whole units, every decimal); the only
 * arithmetic on it is exact, on the text (basis points as a percentage,
 * a wad as a percentage of what may be slashed).  The charts turn the same
 * text into pixel coordinates with doubles: that is drawing, not money,
 * and no figure read off the page comes from a double but an axis tick.
 *
 * Every text from the database (symbols, operators, AVSs, event ids) is
 * escaped for HTML, in elements and in attributes alike.
 */
#ifndef LRT_IO_REPORT_HTML_H
#define LRT_IO_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "core/limits.h"  /* LRT_HTML_ROWS_MAX */
#include "lrt/report.h"

/* The views of lrt_report the page is made of. */
typedef enum {
	LRT_HTML_PRODUCTS = 0,
	LRT_HTML_YIELD,
	LRT_HTML_CONCENTRATION,
	LRT_HTML_OPERATORS,
	LRT_HTML_QUEUE,
	LRT_HTML_RATES,
	LRT_HTML_SLASHES,
	LRT_HTML_RECONCILIATION,
	LRT_HTML_TVL,
	LRT_HTML_QUEUE_HISTORY,
	LRT_HTML_VIEW_COUNT
} lrt_html_view;

/* A view the page reads and the columns it uses of it: the reader checks
 * that the database's view has every one before it reads a row, so that
 * an older schema is an error that says `lrt migrate`, not a crash. */
typedef struct {
	const char *name;               /* in schema lrt_report */
	const char *const *columns;     /* NULL-terminated */
} lrt_html_source;

extern const lrt_html_source lrt_html_sources[LRT_HTML_VIEW_COUNT];

/* The rows of one view (for one product, or every product for the
 * products view), each row's values and text in one allocation. */
typedef struct {
	const lrt_html_source *source;
	const lrt_report_view *view;
	char ***row;          /* count of them: view->column_count values each,
			       * NULL for SQL NULL */
	size_t count;
	size_t capacity;
} lrt_html_rows;

/* Empty rows of `which`, to be read from `view` (the catalog's view of that
 * name, which must have every column of lrt_html_sources[which]). */
void lrt_html_rows_init(lrt_html_rows *rows, lrt_html_view which,
			const lrt_report_view *view);

/* Keeps one row (an lrt_report_row_fn; `context` is the lrt_html_rows).
 * LRT_ENOMEM; LRT_ELIMIT past LRT_HTML_ROWS_MAX rows. */
int lrt_html_rows_add(void *context, const char *const *values);

/* Frees the rows (keeping source and view); then count is 0. */
void lrt_html_rows_clear(lrt_html_rows *rows);

/* One product's rows, every view's, read with the product's symbol. */
typedef struct {
	lrt_html_rows views[LRT_HTML_VIEW_COUNT];
} lrt_html_product;

/*
 * The page, in three calls: the head (title, style, the list of products
 * from `products`, rows of LRT_HTML_PRODUCTS; `source` says where the
 * figures come from, e.g. the database), then each product's section in
 * the same order (`index` from 0), then the end.  Write errors stay in the
 * FILE's error flag, for the caller's close to find.  lrt_html_page_product
 * returns LRT_ENOMEM when a chart's memory could not be had, else 0.
 */
void lrt_html_page_begin(FILE *file, const lrt_html_rows *products, const char *source);
int lrt_html_page_product(FILE *file, size_t index, const lrt_html_product *product);
void lrt_html_page_end(FILE *file);

#endif
