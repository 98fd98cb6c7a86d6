/*
 * report_page.c - the HTML page of the reports (include/lrt/report_html.h):
 * the views it needs, read through lrt_report_read for one product at a
 * time, and handed to the page's writer (src/io/report_html.c), into a
 * file written atomically (src/io/atomic_file.c).
 *
 * Memory holds one product's rows at a time: its epochs' rates, queue and
 * TVL by location, its operators, slashes and attests.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "io/atomic_file.h"
#include "io/report_html.h"
#include "lrt/error.h"
#include "lrt/report_html.h"
#include "store/store_internal.h"

/* One moment of the books for the whole page; read only, so it can run on
 * a hot standby, and its end is a ROLLBACK. */
static const char begin_snapshot[] =
	"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

static bool view_has(const lrt_report_view *view, const char *column)
{
	size_t i;

	for (i = 0; i < view->column_count; i++)
		if (strcmp(view->columns[i].name, column) == 0)
			return true;
	return false;
}

/* Each view the page reads, checked for every column it uses and for the
 * symbol column it is filtered on. */
static int find_views(const lrt_report_view **views, const lrt_report_catalog *catalog)
{
	size_t v, i;

	for (v = 0; v < LRT_HTML_VIEW_COUNT; v++) {
		const lrt_html_source *source = &lrt_html_sources[v];
		const char *const *column;

		views[v] = NULL;
		for (i = 0; i < lrt_report_catalog_count(catalog) && views[v] == NULL; i++)
			if (strcmp(lrt_report_catalog_view(catalog, i)->name, source->name) == 0)
				views[v] = lrt_report_catalog_view(catalog, i);
		if (views[v] == NULL) {
			lrt_error_set("the database has no report %s.%s, which the HTML page "
				      "needs: lrt migrate brings the reports up to date",
				      LRT_REPORT_SCHEMA, source->name);
			return LRT_ESTATE;
		}
		for (column = source->columns; *column != NULL; column++)
			if (!view_has(views[v], *column))
				break;
		if (*column != NULL || views[v]->symbol_column < 0) {
			lrt_error_set("report %s.%s has no column %s, which the HTML page "
				      "needs: lrt migrate brings the reports up to date",
				      LRT_REPORT_SCHEMA, source->name,
				      *column != NULL ? *column : "symbol");
			return LRT_ESTATE;
		}
	}
	return 0;
}

/* The rows of view `which` for one product (symbol NULL: every product). */
static int read_rows(lrt_html_rows *rows, lrt_store *store,
		     const lrt_report_catalog *catalog, const lrt_report_view **views,
		     lrt_html_view which, const char *symbol)
{
	lrt_report_filter filter = LRT_REPORT_FILTER_NONE;

	filter.symbol = symbol;
	lrt_html_rows_init(rows, which, views[which]);
	return lrt_report_read(store, catalog, views[which], &filter, lrt_html_rows_add, rows);
}

/* One product's section: its rows of every view, written, freed. */
static int write_product(FILE *file, size_t index, lrt_store *store,
			 const lrt_report_catalog *catalog, const lrt_report_view **views,
			 const char *symbol)
{
	lrt_html_product product;
	size_t v;
	int rc = 0;

	memset(&product, 0, sizeof(product));
	for (v = 0; v < LRT_HTML_VIEW_COUNT && rc == 0; v++)
		rc = read_rows(&product.views[v], store, catalog, views, (lrt_html_view)v,
			       symbol);
	if (rc == 0)
		rc = lrt_html_page_product(file, index, &product);
	for (v = 0; v < LRT_HTML_VIEW_COUNT; v++)
		lrt_html_rows_clear(&product.views[v]);
	return rc;
}

/* The page into an open file: the head, each product, the end. */
static int write_page(FILE *file, lrt_store *store, const lrt_report_catalog *catalog,
		      const lrt_report_view **views, const lrt_html_rows *products)
{
	char source[LRT_STORE_DESCRIPTION_BYTES + 16];
	int symbol = -1, rc = 0;
	size_t i;

	snprintf(source, sizeof(source), "the database at %s", lrt_store_describe(store));
	for (i = 0; i < products->view->column_count; i++)
		if (strcmp(products->view->columns[i].name, "symbol") == 0)
			symbol = (int)i;
	LRT_ASSERT(symbol >= 0);
	lrt_html_page_begin(file, products, source);
	for (i = 0; i < products->count && rc == 0; i++)
		rc = write_product(file, i, store, catalog, views,
				   products->row[i][symbol] != NULL
				   ? products->row[i][symbol] : "");
	lrt_html_page_end(file);
	return rc;
}

int lrt_report_html_write(lrt_store *store, const lrt_report_catalog *catalog,
			  const char *symbol, const char *path)
{
	const lrt_report_view *views[LRT_HTML_VIEW_COUNT];
	lrt_html_rows products;
	lrt_atomic_file out;
	bool opened = false;
	int rc;

	LRT_ASSERT(store != NULL && catalog != NULL && path != NULL);
	memset(&products, 0, sizeof(products));
	if ((rc = find_views(views, catalog)) != 0 ||
	    (rc = lrt_store_exec_command(store, begin_snapshot, 0, NULL)) != 0)
		goto done;
	if ((rc = read_rows(&products, store, catalog, views, LRT_HTML_PRODUCTS, symbol)) != 0)
		goto done;
	if (symbol != NULL && products.count == 0) {
		lrt_error_set("no product %s in this database", symbol);
		rc = LRT_EINVAL;
		goto done;
	}
	if ((rc = lrt_atomic_file_open(&out, path)) != 0)
		goto done;
	opened = true;
	rc = write_page(out.file, store, catalog, views, &products);
	if (rc == 0) {
		opened = false;
		rc = lrt_atomic_file_commit(&out);
	}
done:
	if (opened)
		lrt_atomic_file_abandon(&out);
	lrt_html_rows_clear(&products);
	lrt_store_rollback(store);
	return rc;
}
