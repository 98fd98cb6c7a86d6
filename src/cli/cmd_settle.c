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
"Usage: lrt settle [--product SYMBOL] [--through EPOCH] [--dry-run]\n"
"                  [--accept-rate RATE [--reason TEXT] [--force]]\n"
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
"stops that epoch: nothing of it is written, the stop is kept in\n"
"lrt.guard_trips, the exit status is 3, and the message gives both rates in\n"
"whole units, the change in percent and basis points, and the command that\n"
"accepts the rate.  After checking the move, run that command: it records an\n"
"accept event of exactly that rate for the epoch, and in lrt.accepts who\n"
"(the database role), when and why (--reason), then settles.  An accept of\n"
"another rate than the guard stopped the epoch at, or of an epoch the guard\n"
"has not stopped, is refused (exit status 2) unless --force.\n"
"\n"
"--dry-run settles as it would, in one transaction that it rolls back:\n"
"nothing is written, not the accept, nor a guard trip.  It prints each epoch\n"
"it would settle as lrt export prints it (one JSON line), then the rows the\n"
"epoch would write, table by table.\n"
"\n"
"Options:\n"
"  --product SYMBOL    the product (needed when the database holds several);\n"
"                      default: $LRT_PRODUCT\n"
"  --through EPOCH     settle up to EPOCH whatever the clock says (epochs\n"
"                      with no events settle too)\n"
"  --dry-run           settle in one transaction, print what it would write,\n"
"                      and roll it back\n"
"  --accept-rate RATE  record an accept event of RATE (base units) for the\n"
"                      epoch next to settle, then settle; refused unless the\n"
"                      guard stopped that epoch at RATE\n"
"  --reason TEXT       with --accept-rate: why, kept in lrt.accepts with the\n"
"                      role and the time (one line, at most 1000 bytes)\n"
"  --force             with --accept-rate: record it all the same\n"
"  -d, --db DATABASE   the database: its name, or a libpq connection string\n"
"                      or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 settled (or nothing to settle); 1 the database failed;\n"
"2 a usage error or a refused accept; 3 the settlement guard stopped an\n"
"epoch (in a dry run: would stop it).\n"
"\n"
"Example:\n"
"  lrt settle --product rstETH\n"
"  lrt settle --product rstETH --dry-run\n"
"  lrt settle --product rstETH --accept-rate 1034999999999999999 \\\n"
"      --reason \"slash of p2p on eigenda, checked on chain\"\n";

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
	case 'r':
		a->settle.accept_reason = value;
		return LRT_EXIT_OK;
	case 'f':
		a->settle.accept_force = true;
		return LRT_EXIT_OK;
	case 'n':
		a->settle.dry_run = true;
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
		{ "reason", required_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
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
	if (status == LRT_EXIT_OK && a->settle.accept_rate == NULL
	    && (a->settle.accept_reason != NULL || a->settle.accept_force))
		return cli_usage_error("settle", "%s goes with --accept-rate",
				       a->settle.accept_reason != NULL ? "--reason" : "--force");
	return status;
}

static void print_progress(void *context, const lrt_epoch_report *report)
{
	(void)context;
	gmp_fprintf(stderr, "\rsettled epoch %lld: rate %Zd, %zu rejected   ",
		    (long long)report->epoch, report->rate, report->rejected_count);
}

/* The rows of `table` the epoch would write: inserted and updated. */
static int64_t rows_of(const lrt_settle_report *report, const char *table)
{
	size_t i;

	for (i = 0; i < report->rows_count; i++)
		if (strcmp(report->rows[i].table, table) == 0)
			return report->rows[i].inserted + report->rows[i].updated;
	return 0;
}

static const char *plural(int64_t count, const char *one, const char *many)
{
	return count == 1 ? one : many;
}

/*
 * A dry run's epoch: its line as `lrt export` and `lrt simulate` print it,
 * then the rows it would write, the four that matter most first:
 *
 *   epoch 3 would write 1 holder, 0 requests, 9 journal rows, 0 rejections
 *   (by table: epochs 1 inserted; holders 1 updated; journal 9 inserted; ...)
 */
static void print_dry_run_epoch(void *context, const lrt_epoch_report *epoch)
{
	const lrt_settle_report *report = context;
	int64_t holders = rows_of(report, "holders");
	int64_t requests = rows_of(report, "withdrawal_requests");
	int64_t journal = rows_of(report, "journal");
	int64_t rejections = rows_of(report, "rejected_events");
	const char *separator = "";
	size_t i;

	lrt_report_write_json(stdout, epoch);
	printf("epoch %lld would write %lld %s, %lld %s, %lld journal %s, %lld %s (by table:",
	       (long long)epoch->epoch, (long long)holders, plural(holders, "holder", "holders"),
	       (long long)requests, plural(requests, "request", "requests"),
	       (long long)journal, plural(journal, "row", "rows"),
	       (long long)rejections, plural(rejections, "rejection", "rejections"));
	for (i = 0; i < report->rows_count; i++) {
		const lrt_settle_table_rows *t = &report->rows[i];

		printf("%s %s", separator, t->table);
		if (t->inserted != 0)
			printf(" %lld inserted", (long long)t->inserted);
		if (t->updated != 0)
			printf("%s %lld updated", t->inserted != 0 ? "," : "", (long long)t->updated);
		if (t->deleted != 0)
			printf("%s %lld deleted", t->inserted != 0 || t->updated != 0 ? "," : "",
			       (long long)t->deleted);
		separator = ";";
	}
	printf("%s)\n", report->rows_count == 0 ? " none" : "");
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
	if (a.settle.dry_run) {
		a.settle.on_epoch = print_dry_run_epoch;
		a.settle.context = &report;
	} else if (isatty(STDERR_FILENO)) {
		a.settle.on_epoch = print_progress;
	}
	rc = lrt_store_connect(&store, a.conninfo);
	if (rc == 0)
		rc = lrt_settle(&report, store, a.symbol, &a.settle);
	if (a.settle.on_epoch == print_progress)
		fputc('\n', stderr);
	if (rc == 0 || rc == LRT_EGUARD) {
		if (report.settled_after > report.settled_before)
			printf("%s epochs %lld..%lld: %zu events, %zu rejected\n",
			       a.settle.dry_run ? "dry run: would settle" : "settled",
			       (long long)report.settled_before + 1,
			       (long long)report.settled_after, report.events,
			       report.rejected);
		else if (rc == 0)
			printf("%snothing to settle: epoch %lld is the last settled, and no"
			       " later epoch with events is complete yet (--through EPOCH"
			       " settles regardless of the clock)\n",
			       a.settle.dry_run ? "dry run: " : "",
			       (long long)report.settled_after);
		if (a.settle.dry_run)
			printf("dry run: rolled back, nothing written%s\n",
			       a.settle.accept_rate != NULL ? " (nor the accept)" : "");
	}
	if (rc != 0)
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
