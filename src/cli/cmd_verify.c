/*
 * cmd_verify.c - `lrt verify`: recomputes a product's books from the journal
 * and from the inbox, and compares both with what is stored.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "lrt/export.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt verify [--product SYMBOL] [--db DATABASE]\n"
"\n"
"Checks a product's books two independent ways:\n"
"  1. the journal: every double-entry entry balances, and the balances it\n"
"     sums to equal the stored holders, queued requests, positions, total\n"
"     assets, deferred reserve and total shares;\n"
"  2. a replay: every event of the settled epochs, read again from the\n"
"     inbox, goes through the accounting core from scratch, and every\n"
"     epoch's figures, finalized requests and rejections, and the final\n"
"     holders, queue and positions must equal what is stored.\n"
"Each difference is printed on its own line.\n"
"\n"
"Options:\n"
"  --product SYMBOL  the product (needed when the database holds several);\n"
"                    default: $LRT_PRODUCT\n"
"  -d, --db DATABASE\n"
"                    the database: its name, or a libpq connection string\n"
"                    or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 everything matches; 1 the database failed; 2 a usage\n"
"error; 4 a difference was found.\n"
"\n"
"Example:\n"
"  lrt verify --product rstETH\n";

static void print_difference(void *context, const char *difference)
{
	(void)context;
	printf("difference: %s\n", difference);
}

static int run(int argc, char **argv)
{
	static const cli_parser parser = { "verify", CLI_DB | CLI_PRODUCT, NULL, NULL,
					   NULL, NULL, 0 };
	cli_options o;
	lrt_verify_report report = {0};
	lrt_store *store = NULL;
	int status, rc;

	status = cli_parse_options(&o, &parser, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	rc = lrt_store_connect(&store, o.conninfo);
	if (rc == 0)
		rc = lrt_verify(&report, store, o.symbol, print_difference, NULL);
	if (rc == 0 || rc == LRT_EVERIFY)
		printf("%s: %zu balances checked against the journal, %zu epochs and %zu"
		       " events replayed, %zu difference%s\n",
		       rc == 0 ? "verified" : "NOT verified", report.journal_checks,
		       report.epochs_replayed, report.events_replayed,
		       report.differences, report.differences == 1 ? "" : "s");
	if (rc != 0 && rc != LRT_EVERIFY)
		cli_error("%s", lrt_error_last());
	lrt_store_close(store);
	return cli_exit_status(rc);
}

const lrt_command cmd_verify = {
	"verify",
	"recompute the books from the journal and the inbox, and compare",
	help,
	run,
};
