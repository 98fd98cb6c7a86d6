/*
 * report_html.h - the reports as one HTML page (`lrt report html`): for each
 * product, the summary tables (the product now, yield, the operators and
 * their concentration, the withdrawal queue, the last epochs of rates,
 * slashes, reconciliation breaks) and three SVG charts (the rate over
 * epochs with slashes marked, TVL by location over time, the queue against
 * the buffer), read from the views of the lrt_report schema.
 *
 *     lrt_report_catalog *catalog = NULL;
 *
 *     if (lrt_report_catalog_load(&catalog, store) == 0)
 *             rc = lrt_report_html_write(store, catalog, NULL, "books.html");
 *     lrt_report_catalog_free(catalog);
 *
 * The page is self-contained: inline CSS and SVG, no script, nothing
 * fetched from a network; amounts in tables are whole units with every
 * decimal the views print.
 */
#ifndef LRT_REPORT_HTML_H
#define LRT_REPORT_HTML_H

#include "lrt/common.h"

#include "lrt/report.h"
#include "lrt/store.h"

/*
 * Writes the page of every product (symbol NULL) or of one to `path`,
 * atomically: a temporary file beside it is renamed over it once whole, so
 * that `path` holds the old page or the new one, never a part.  Every view
 * is read in one read-only REPEATABLE READ transaction, so the page shows
 * one moment of the books even while epochs settle (on a hot standby too).
 *
 * LRT_ESTATE when the database lacks a view or a column the page needs
 * (`lrt migrate` brings the reports up to date); LRT_EINVAL when `symbol`
 * names no product; LRT_EIO when `path` cannot be written (its folder is
 * missing or not writable, the disk is full), `path` then as it was;
 * LRT_EDB; LRT_ELIMIT when a view holds more than a million rows for a
 * product (LRT_HTML_ROWS_MAX of src/core/limits.h); LRT_ENOMEM.
 */
LRT_API int lrt_report_html_write(lrt_store *store, const lrt_report_catalog *catalog,
				  const char *symbol, const char *path);

#endif
