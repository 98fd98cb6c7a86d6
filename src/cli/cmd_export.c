/*
 * cmd_export.c - `lrt export`: the settled books in the format of
 * `lrt simulate`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lrt/export.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt export [--product SYMBOL] [--db CONNINFO]\n"
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
"  --product SYMBOL  the product (needed when the database holds several)\n"
"  --db CONNINFO     the database (libpq connection string or URI)\n"
"\n"
"Exit status: 0 written; 1 the database failed or output could not be\n"
"written; 2 a usage error or an unknown product.\n"
"\n"
"Example:\n"
"  lrt export --product rstETH > books.jsonl\n";

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "product", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conninfo = NULL, *symbol = NULL;
	lrt_store *store = NULL;
	int option, rc;

	opterr = 0;
	optind = 1;
	while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (option) {
		case 'd': conninfo = optarg; break;
		case 'p': symbol = optarg; break;
		case ':':
			return cli_usage_error("export", "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("export", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("export", "unexpected argument %s", argv[optind]);
	rc = lrt_store_connect(&store, conninfo);
	if (rc == 0)
		rc = lrt_export(stdout, store, symbol);
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
