/*
 * cmd_export.c - `lrt export`: the settled books in the format of
 * `lrt simulate`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lrt/export.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt export [--product SYMBOL] [--db DATABASE]\n"
"\n"
"Prints what the database holds for a product in the format of\n"
"`lrt simulate`: one JSON line per settled epoch (total_assets,\n"
"total_shares, rate, deferred, rewards, slashed, revaluation, recognized,\n"
"fee_value, fee_shares, buffer, claimable, finalized, rejected), then\n"
"{\"holders\": {...}, \"queue\": [...]} after the last settled epoch.  The same\n"
"events through `lrt ingest` and `lrt settle` export exactly what\n"
"`lrt simulate` prints for them.\n"
"\n"
"Options:\n"
"  --product SYMBOL  the product (needed when the database holds several);\n"
"                    default: $LRT_PRODUCT\n"
"  -d, --db DATABASE\n"
"                    the database: its name, or a libpq connection string\n"
"                    or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 written; 1 the database failed or output could not be\n"
"written; 2 a usage error or an unknown product.\n"
"\n"
"Example:\n"
"  lrt export --product rstETH > books.jsonl\n";

static int run(int argc, char **argv)
{
	static const cli_parser parser = { "export", CLI_DB | CLI_PRODUCT, NULL, NULL,
					   NULL, NULL, 0 };
	cli_options o;
	lrt_store *store = NULL;
	int status, rc;

	status = cli_parse_options(&o, &parser, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	rc = lrt_store_connect(&store, o.conninfo);
	if (rc == 0)
		rc = lrt_export(stdout, store, o.symbol);
	if (rc == 0 && fflush(stdout) != 0) {
		lrt_error_set("cannot write standard output");
		rc = LRT_EIO;
	}
	if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_store_close(store);
	return cli_exit_status(rc);
}

const lrt_command cmd_export = {
	"export",
	"print the settled books in the format of lrt simulate",
	help,
	run,
};
