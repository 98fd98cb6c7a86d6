/*
 * report_html_internal.h - what the two halves of the HTML page share: the
 * tables and sections (report_html.c) and the charts (report_html_charts.c).
 */
#ifndef LRT_IO_REPORT_HTML_INTERNAL_H
#define LRT_IO_REPORT_HTML_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "io/report_html.h"

/* A product's section being written: its rows and its units. */
typedef struct {
	FILE *file;
	size_t index;                  /* from 0, in the page: ids are p<index+1>-... */
	const lrt_html_product *product;
	const char *symbol;            /* the product, also its share's unit */
	const char *underlying;        /* the underlying's symbol */
} lrt_html_section;

/* The index of a column the page reads: one its source lists (so that the
 * reader checked the view has it; asserted). */
int lrt_html_column(const lrt_html_rows *rows, const char *name);

/* Row r's value of column c; `otherwise` (or "") for SQL NULL. */
const char *lrt_html_value_or(const lrt_html_rows *rows, size_t r, int c,
			      const char *otherwise);
const char *lrt_html_value(const lrt_html_rows *rows, size_t r, int c);

/* A row's epoch, for putting rows in epoch order. */
typedef struct {
	int64_t epoch;
	size_t row;
} lrt_html_epoch_row;

/* The rows in epoch order (ties in their own order): an array of
 * rows->count, to free; NULL when out of memory. */
lrt_html_epoch_row *lrt_html_by_epoch(const lrt_html_rows *rows);

/* The three charts of a section, each a <figure>: the rate with slashes
 * marked, TVL by location, the queue against the buffer.  LRT_ENOMEM. */
int lrt_html_charts(const lrt_html_section *s);

#endif
