/*
 * cmd_report.c - `lrt report`: the reporting views (schema lrt_report) as
 * aligned tables, CSV or JSON; alone, the list of them; `lrt report html`,
 * the page of them with charts.
 *
 * The views are whatever the database's catalog holds (include/lrt/report.h
 * reads it); this file parses the options and wires the rows read to the
 * writer of the format asked, or to the page's (include/lrt/report_html.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lrt/lrt.h"
#include "lrt/report.h"
#include "lrt/report_html.h"

static const char help[] =
"Usage: lrt report [NAME] [--product SYMBOL] [--epoch EPOCH] [--holder HOLDER]\n"
"                  [--format table|csv|json] [--db DATABASE]\n"
"       lrt report html --output FILE [--product SYMBOL] [--db DATABASE]\n"
"\n"
"Prints one of the reporting views of the database (schema lrt_report,\n"
"created by lrt migrate), the ones analysts and BI tools read with SQL.\n"
"Alone, lists them, each with what one of its rows is.  The list comes from\n"
"the database itself, so it always names the views that are there.\n"
"\n"
"Amounts are exact base units (wei); each amount X has a column X_whole, the\n"
"same amount in whole units.  The table shows X_whole under the header X,\n"
"with every decimal it has (nothing rounded), numbers lined up on their\n"
"decimal points; CSV and JSON give every column as the database stores it.\n"
"\n"
"Rows come in the view's own order when it has one (an ORDER BY in its\n"
"definition), else by symbol, epoch and holder, those the view has, then by\n"
"its other columns from left to right.\n"
"\n"
"Options:\n"
"  --product SYMBOL  only this product's rows (the view's symbol column);\n"
"                    default: $LRT_PRODUCT (on views that have the column)\n"
"  --epoch EPOCH     only this epoch's rows (views with an epoch column)\n"
"  --holder HOLDER   only this holder's rows (views with a holder column);\n"
"                    an address matches in any case\n"
"  --format FORMAT   table (the default): aligned columns for people, then\n"
"                      the number of rows; booleans true/false, NULL blank\n"
"                    csv: RFC 4180, a header row, CRLF line ends; fields\n"
"                      with a comma, quote, CR or LF quoted, quotes doubled;\n"
"                      NULL an empty field, the empty string \"\"\n"
"                    json: an array of objects, one per line, keyed by the\n"
"                      column names; numbers as exact decimal strings,\n"
"                      booleans true/false, NULL null\n"
"  -d, --db DATABASE\n"
"                    the database: its name, or a libpq connection string\n"
"                    or URI; default: libpq's environment (PGDATABASE...);\n"
"                    a hot standby serves reports as well as the primary\n"
"\n"
"A filter on a column the view does not have is a usage error, which names\n"
"the views that have it.\n"
"\n"
"lrt report html writes one self-contained HTML page (inline CSS and SVG, no\n"
"script, nothing fetched from the network) to FILE: for each product, or\n"
"the one --product names, the product now, its yield, operators and\n"
"concentration, the withdrawal queue, the last epochs of the rate, slashes\n"
"and reconciliation breaks, with three charts: the rate over epochs with\n"
"slashes marked, TVL by location over time, and the queue against the\n"
"buffer.  Tables show whole units with every decimal; the charts plot the\n"
"same figures.  The views are read in one snapshot; FILE is replaced\n"
"whole (a temporary file beside it, renamed), never left half written.\n"
"\n"
"Exit status: 0 printed (or written); 1 the database failed, holds no\n"
"reports, or output could not be written; 2 a usage error, an unknown\n"
"report (the closest name is suggested) or an unknown product.\n"
"\n"
"Examples:\n"
"  lrt report\n"
"  lrt report rates --product rstETH\n"
"  lrt report holders --holder 0xAbC...0123 --format json\n"
"  lrt report rates --format csv > rates.csv\n"
"  lrt report html --output books.html\n";

/* ---- lrt report html ----------------------------------------------------------- */

/* `lrt report html --output FILE [--product SYMBOL] [--db DATABASE]`;
 * argv[0] is "report", argv[1] "html". */
/* Takes --output, html's own option. */
static int parse_html_option(void *context, int option, char *value)
{
	(void)option;
	*(const char **)context = value;
	return LRT_EXIT_OK;
}

static int run_html(int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL;
	const cli_parser parser = { "report html", CLI_DB | CLI_PRODUCT, NULL,
				    options, parse_html_option, &output, 0 };
	lrt_report_catalog *catalog = NULL;
	lrt_store *store = NULL;
	cli_options o;
	int status, rc;

	/* from "html" on */
	if ((status = cli_parse_options(&o, &parser, argc - 1, argv + 1)) != LRT_EXIT_OK)
		return status;
	if (output == NULL || output[0] == '\0')
		return cli_usage_error("report html", "--output FILE is required");
	rc = lrt_store_connect(&store, o.conninfo);
	if (rc == 0)
		rc = lrt_report_catalog_load(&catalog, store);
	if (rc == 0)
		rc = lrt_report_html_write(store, catalog, o.symbol, output);
	if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_report_catalog_free(catalog);
	lrt_store_close(store);
	return cli_exit_status(rc);
}

/*
 * Reports that are not views, each with options of its own: the NAME right
 * after `report` is looked up here before anything is parsed; a view named
 * like one of these is then reachable with SQL only.
 */
typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);   /* argv[0] is "report" */
} special_report;

static const special_report special_reports[] = {
	{ "html", run_html },   /* the summary tables and SVG charts in one file */
	{ NULL, NULL }   /* the end of the table */
};

typedef struct {
	const char *conninfo;
	const char *name;         /* NULL: list the reports */
	lrt_report_filter filter;
	lrt_report_format format;
	bool symbol_from_environment;   /* filter.symbol is $LRT_PRODUCT's */
} report_arguments;

/* A non-negative decimal epoch; its upper bound the library checks. */
static int parse_epoch(int64_t *out, const char *text)
{
	char *end;
	long long value;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoll(text, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = value;
	return 0;
}

/* Takes --epoch and --holder, report's own options. */
static int parse_option(void *context, int option, char *value)
{
	report_arguments *a = context;

	if (option == 'H') {
		a->filter.holder = value;
		return LRT_EXIT_OK;
	}
	if (parse_epoch(&a->filter.epoch, value) != 0)
		return cli_usage_error("report", "--epoch: \"%s\" is not an "
				       "epoch number", value);
	return LRT_EXIT_OK;
}

static int parse_options(report_arguments *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "epoch", required_argument, NULL, 'e' },
		{ "holder", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	/* In the order of lrt_report_format's values. */
	static const char *const formats[] = { "table", "csv", "json", NULL };
	const cli_parser parser = { "report", CLI_DB | CLI_PRODUCT | CLI_FORMAT,
				    formats, options, parse_option, a, 1 };
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	a->filter = LRT_REPORT_FILTER_NONE;
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	a->conninfo = o.conninfo;
	a->format = o.format == 2 ? LRT_REPORT_JSON
		    : o.format == 1 ? LRT_REPORT_CSV : LRT_REPORT_TABLE;
	if (o.argument_count > 0)
		a->name = argv[o.first_argument];
	/* LRT_PRODUCT filters a named report; the list has nothing to filter. */
	if (o.product_given || a->name != NULL)
		a->filter.symbol = o.symbol;
	a->symbol_from_environment = o.symbol_from_environment;
	if (a->name == NULL && (a->filter.symbol != NULL || a->filter.epoch >= 0 ||
				a->filter.holder != NULL))
		return cli_usage_error("report", "--product, --epoch and --holder "
				       "filter a report: name one");
	return LRT_EXIT_OK;
}

/* ---- the list of reports ------------------------------------------------------- */

/* For machines the list is a report too: one row per view, CSV or JSON. */
static const lrt_report_column list_columns[] = {
	{ "report", "name", LRT_REPORT_TEXT, -1, false },
	{ "description", "text", LRT_REPORT_TEXT, -1, false },
};

static const lrt_report_view list_view = {
	"reports", "A report: a view of schema lrt_report, and what its row is.",
	list_columns, 2, true, -1, -1, -1
};

static int write_list_rows(const lrt_report_catalog *catalog, lrt_report_format format)
{
	lrt_report_writer *writer = NULL;
	size_t i;
	int rc;

	rc = lrt_report_writer_open(&writer, stdout, format, &list_view);
	for (i = 0; rc == 0 && i < lrt_report_catalog_count(catalog); i++) {
		const lrt_report_view *view = lrt_report_catalog_view(catalog, i);
		const char *values[2] = {view->name, view->comment};

		rc = lrt_report_writer_row(writer, values);
	}
	if (rc == 0)
		rc = lrt_report_writer_close(writer);
	lrt_report_writer_free(writer);
	return rc;
}

/* For people, each name and what its row is, as `lrt --help` lists commands:
 * the descriptions are sentences, too long for a table's rule. */
static int write_list(const lrt_report_catalog *catalog, lrt_report_format format)
{
	size_t i, width = 0;

	if (format != LRT_REPORT_TABLE)
		return write_list_rows(catalog, format);
	for (i = 0; i < lrt_report_catalog_count(catalog); i++) {
		size_t length = strlen(lrt_report_catalog_view(catalog, i)->name);

		width = length > width ? length : width;
	}
	for (i = 0; i < lrt_report_catalog_count(catalog); i++) {
		const lrt_report_view *view = lrt_report_catalog_view(catalog, i);

		if (view->comment[0] != '\0')
			printf("%-*s  %s\n", (int)width, view->name, view->comment);
		else
			printf("%s\n", view->name);
	}
	return 0;
}

/* ---- one report ---------------------------------------------------------------- */

static int write_row(void *context, const char *const *values)
{
	return lrt_report_writer_row(context, values);
}

static int write_report(lrt_store *store, const lrt_report_catalog *catalog,
			const lrt_report_view *view, const report_arguments *a)
{
	lrt_report_writer *writer = NULL;
	int rc;

	rc = lrt_report_writer_open(&writer, stdout, a->format, view);
	if (rc == 0)
		rc = lrt_report_read(store, catalog, view, &a->filter, write_row, writer);
	if (rc == 0)
		rc = lrt_report_writer_close(writer);
	lrt_report_writer_free(writer);
	return rc;
}

static int run(int argc, char **argv)
{
	const lrt_report_view *view = NULL;
	lrt_report_catalog *catalog = NULL;
	lrt_store *store = NULL;
	report_arguments a;
	const special_report *special;
	int status, rc;

	for (special = special_reports; argc > 1 && special->name != NULL; special++)
		if (strcmp(argv[1], special->name) == 0)
			return special->run(argc, argv);
	status = parse_options(&a, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	rc = lrt_store_connect(&store, a.conninfo);
	if (rc == 0)
		rc = lrt_report_catalog_load(&catalog, store);
	if (rc == 0 && a.name == NULL)
		rc = write_list(catalog, a.format);
	else if (rc == 0 && (rc = lrt_report_catalog_find(&view, catalog, a.name)) == 0) {
		/* LRT_PRODUCT is a default, not a filter to refuse */
		if (a.symbol_from_environment && view->symbol_column < 0)
			a.filter.symbol = NULL;
		rc = write_report(store, catalog, view, &a);
	}
	if (rc == LRT_EINVAL)
		status = cli_usage_error("report", "%s", lrt_error_last());
	else if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_report_catalog_free(catalog);
	lrt_store_close(store);
	return rc == LRT_EINVAL ? status : cli_exit_status(rc);
}

const lrt_command cmd_report = {
	"report",
	"print a reporting view as a table, CSV or JSON; alone, list them",
	help,
	run,
};
