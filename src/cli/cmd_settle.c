/*
 * cmd_settle.c - `lrt settle`: settles the complete epochs of a product in
 * the database, each in its own transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmp.h>

#include "cli/cli.h"
#include "lrt/lrt.h"
#include "lrt/settler.h"

static const char help[] =
"Usage: lrt settle [--product SYMBOL] [--through EPOCH] [--accept-rate RATE]\n"
"                  [--db DATABASE]\n"
"\n"
"Settles, in order, every epoch of the product that is complete: its end\n"
"plus the product's settle lag (lrt product create --settle-lag) has passed,\n"
"and it is no later than the last epoch that has an event in the inbox.\n"
"Each epoch is one transaction: its events apply in order (events that\n"
"cannot apply are rejected and keep their reason), rewards and slashes reach\n"
"the rate, the fee is minted, withdrawals are finalized first in, first out,\n"
"and the balances, the epoch's figures and the journal are written.  Running\n"
"it again settles nothing twice; several settlers at once wait for each other.\n"
"\n"
"When the rate would move more than max_rate_change_bps allows, the guard\n"
"stops that epoch: nothing of it is written, both rates are named, and the\n"
"exit status is 3.  After checking the move, accept exactly that rate with\n"
"--accept-rate and run again.\n"
"\n"
"Options:\n"
"  --product SYMBOL    the product (needed when the database holds several);\n"
"                      default: $LRT_PRODUCT\n"
"  --through EPOCH     settle up to EPOCH whatever the clock says (epochs\n"
"                      with no events settle too)\n"
"  --accept-rate RATE  record an accept event of RATE for the epoch next to\n"
"                      settle, then settle; the decision stays in the inbox\n"
"  -d, --db DATABASE   the database: its name, or a libpq connection string\n"
"                      or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 settled (or nothing to settle); 1 the database failed;\n"
"2 a usage error; 3 the settlement guard stopped an epoch.\n"
"\n"
"Example:\n"
"  lrt settle --product rstETH\n"
"  lrt settle --product rstETH --accept-rate 1034999999999999999\n";

typedef struct {
	const char *conninfo;
	const char *symbol;
	lrt_settle_options settle;
} settle_arguments;

static int parse_epoch(int64_t *out, const char *text)
{
	char *end;
	long long value = strtoll(text, &end, 10);

	if (end == text || *end != '\0' || value < 0)
		return -1;
	*out = value;
	return 0;
}

/* Takes one of settle's own options. */
static int parse_option(void *context, int option, char *value)
{
	settle_arguments *a = context;

	switch (option) {
	case 'a':
		a->settle.accept_rate = value;
		return LRT_EXIT_OK;
	default:
		if (parse_epoch(&a->settle.through, value) != 0)
			return cli_usage_error("settle", "--through: \"%s\" is not an "
					       "epoch number", value);
		return LRT_EXIT_OK;
	}
}

static int parse_options(settle_arguments *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "through", required_argument, NULL, 't' },
		{ "accept-rate", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const cli_parser parser = { "settle", CLI_DB | CLI_PRODUCT, NULL, options,
				    parse_option, a, 0 };
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	a->settle = (lrt_settle_options)LRT_SETTLE_OPTIONS_INIT;
	status = cli_parse_options(&o, &parser, argc, argv);
	a->conninfo = o.conninfo;
	a->symbol = o.symbol;
	return status;
}

static void print_progress(void *context, const lrt_epoch_report *report)
{
	(void)context;
	gmp_fprintf(stderr, "\rsettled epoch %lld: rate %Zd, %zu rejected   ",
		    (long long)report->epoch, report->rate, report->rejected_count);
}

static int run(int argc, char **argv)
{
	lrt_settle_report report;
	settle_arguments a;
	lrt_store *store = NULL;
	int status, rc;

	status = parse_options(&a, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	if (isatty(STDERR_FILENO))
		a.settle.on_epoch = print_progress;
	rc = lrt_store_connect(&store, a.conninfo);
	if (rc == 0)
		rc = lrt_settle(&report, store, a.symbol, &a.settle);
	if (a.settle.on_epoch != NULL)
		fputc('\n', stderr);
	if (rc == 0 || rc == LRT_EGUARD) {
		if (report.settled_after > report.settled_before)
			printf("settled epochs %lld..%lld: %zu events, %zu rejected\n",
			       (long long)report.settled_before + 1,
			       (long long)report.settled_after, report.events,
			       report.rejected);
		else if (rc == 0)
			printf("nothing to settle: epoch %lld is the last settled, and no"
			       " later epoch with events is complete yet (--through EPOCH"
			       " settles regardless of the clock)\n",
			       (long long)report.settled_after);
	}
	if (rc == LRT_EGUARD)
		cli_error("%s; to accept it: lrt settle --accept-rate RATE", lrt_error_last());
	else if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_store_close(store);
	return cli_exit_status(rc);
}

const lrt_command cmd_settle = {
	"settle",
	"settle the complete epochs of a product in the database",
	help,
	run,
};
