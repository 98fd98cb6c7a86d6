/*
 * cmd_stress.c - `lrt stress FILE|--product SYMBOL --slash
 * OPERATOR:AVS:ASSET:WAD...`: what one or more AVS slashes would do to the
 * rate after the last settled epoch of a scenario or of the stored books
 * (SPEC section 7).  Changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt stress FILE [--slash OPERATOR:AVS:ASSET:WAD]...\n"
"       lrt stress --product SYMBOL [--db DATABASE] [--slash ...]...\n"
"\n"
"Asks what if, on the state after the last settled epoch E: of a scenario\n"
"FILE settled as `lrt simulate` does (up to a guard stop, if any), or of\n"
"a product's books in the database.  Applies the given slashes, in order,\n"
"to a copy of that state, each as a slash by wad would apply\n"
"(the AVS loses ceil(a * WAD / 10^18) of its allocated magnitude a, the\n"
"operator's position shrinks with its max magnitude), and computes steps\n"
"1 to 4 of an epoch E + 1 with no other event.  Nothing is written.\n"
"The same history gives the same report from the file and the database.\n"
"\n"
"  --slash OPERATOR:AVS:ASSET:WAD\n"
"        a slash of WAD / 10^18 of what AVS may slash of OPERATOR's ASSET;\n"
"        WAD is an integer from 0 to 1000000000000000000 (all of it);\n"
"        OPERATOR and AVS are lower-cased when written as addresses.\n"
"        Give it any number of times; a slash that would be rejected\n"
"        (buffer, an unknown asset) is reported with its reason and skipped.\n"
"\n"
"Output: one JSON object: epoch (E + 1), slashes (each with its loss in\n"
"base units of the asset, or rejected and the reason), loss_value (in the\n"
"underlying), total_assets, total_shares and deferred after the stress,\n"
"rate_before and rate, and guard: \"trip\" when the settlement guard would\n"
"stop that epoch (an accept counts for nothing here), else \"pass\".\n"
"\n"
"Options:\n"
"  --product SYMBOL  stress the product's stored books instead of a FILE;\n"
"                    with no FILE, default: $LRT_PRODUCT\n"
"  -d, --db DATABASE\n"
"                    the database: its name, or a libpq connection string\n"
"                    or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status:\n"
"  0  the stress was computed (also after a guard stop in the scenario)\n"
"  1  FILE could not be read, or the database failed\n"
"  2  a malformed --slash, a malformed scenario or an unknown product;\n"
"     nothing is printed\n"
"\n"
"Examples:\n"
"  lrt stress history.jsonl --slash kiln:eigenda:ETH:500000000000000000\n"
"  lrt stress --product rstETH --slash kiln:eigenda:ETH:1000000000000000000\n";

/* Settles the scenario as simulate does; after a guard stop, the state is
 * the one before the stopped epoch, so the book is rebuilt through it. */
static int settle_scenario(lrt_book **book, const lrt_scenario *scenario)
{
	int64_t settled;
	int rc = lrt_book_new(book, lrt_scenario_product(scenario));

	if (rc == 0)
		rc = lrt_scenario_run(scenario, *book, NULL, NULL);
	if (rc != LRT_EGUARD)
		return rc;
	settled = lrt_book_settled_epoch(*book);
	lrt_book_free(*book);
	*book = NULL;
	rc = lrt_book_new(book, lrt_scenario_product(scenario));
	if (rc == 0)
		rc = lrt_scenario_run_through(scenario, *book, settled, NULL, NULL);
	return rc;
}

static void print_diagnostic(void *context, const char *message)
{
	(void)context;
	fprintf(stderr, "%s\n", message);
}

static int stress(const char *path, const lrt_stress_slash *slashes, size_t count)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	lrt_scenario *scenario = NULL;
	lrt_stress_report report;
	lrt_book *book = NULL;
	char *data = NULL;
	size_t length = 0;
	int rc;

	lrt_stress_report_init(&report);
	rc = cli_read_input(&data, &length, path);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		goto done;
	}
	rc = lrt_scenario_read(&scenario, name, data, length, print_diagnostic, NULL);
	if (rc == LRT_EINVAL)
		goto done;  /* each line was printed by print_diagnostic */
	if (rc == 0)
		rc = settle_scenario(&book, scenario);
	if (rc == 0)
		rc = lrt_book_stress(&report, book, slashes, count);
	if (rc == 0)
		rc = lrt_stress_write_json(stdout, &report, slashes);
	if (fflush(stdout) != 0 && rc == 0) {
		lrt_error_set("cannot write standard output: %s", strerror(errno));
		rc = LRT_EIO;
	}
	if (rc != 0)
		cli_error("%s: %s", name, lrt_error_last());
done:
	lrt_stress_report_clear(&report);
	lrt_book_free(book);
	lrt_scenario_free(scenario);
	free(data);
	return cli_exit_status(rc);
}

/* The stress of a product's stored books. */
static int stress_stored(const char *conninfo, const char *symbol,
			 const lrt_stress_slash *slashes, size_t count)
{
	lrt_stress_report report;
	lrt_store *store = NULL;
	int rc;

	lrt_stress_report_init(&report);
	rc = lrt_store_connect(&store, conninfo);
	if (rc == 0)
		rc = lrt_stress_stored(&report, store, symbol, slashes, count);
	if (rc == 0)
		rc = lrt_stress_write_json(stdout, &report, slashes);
	if (fflush(stdout) != 0 && rc == 0) {
		lrt_error_set("cannot write standard output: %s", strerror(errno));
		rc = LRT_EIO;
	}
	if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_store_close(store);
	lrt_stress_report_clear(&report);
	return cli_exit_status(rc);
}

typedef struct {
	lrt_stress_slash *slashes;   /* one per --slash, at most argc */
	size_t count;
} stress_arguments;

/* Takes --slash, stress's own option. */
static int parse_option(void *context, int option, char *value)
{
	stress_arguments *a = context;
	lrt_stress_slash *slash = &a->slashes[a->count++];

	(void)option;
	mpz_init(slash->wad);
	if (lrt_stress_slash_parse(slash, value) != 0)
		return cli_usage_error("stress", "%s", lrt_error_last());
	return LRT_EXIT_OK;
}

/* A FILE, or the database: --product (or LRT_PRODUCT) or --db. */
static int stress_either(const cli_options *o, char **argv, const stress_arguments *a)
{
	if (o->argument_count == 1) {
		if (o->product_given || o->conninfo != NULL)
			return cli_usage_error("stress", "a FILE and the database "
					       "(--product, --db) are two ways in: give one");
		return stress(argv[o->first_argument], a->slashes, a->count);
	}
	if (o->symbol == NULL && o->conninfo == NULL)
		return cli_usage_error("stress", "FILE (or --product SYMBOL) is missing");
	return stress_stored(o->conninfo, o->symbol, a->slashes, a->count);
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "slash", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	stress_arguments a = { calloc((size_t)argc + 1, sizeof(*a.slashes)), 0 };
	const cli_parser parser = { "stress", CLI_DB | CLI_PRODUCT, NULL, options,
				    parse_option, &a, 1 };
	cli_options o;
	size_t i;
	int status;

	if (a.slashes == NULL) {
		cli_error("out of memory");
		return LRT_EXIT_FAILURE;
	}
	status = cli_parse_options(&o, &parser, argc, argv);
	if (status == LRT_EXIT_OK)
		status = stress_either(&o, argv, &a);
	for (i = 0; i < a.count; i++)
		mpz_clear(a.slashes[i].wad);
	free(a.slashes);
	return status;
}

const lrt_command cmd_stress = {
	"stress",
	"what one or more AVS slashes would do to the rate",
	help,
	run,
};
