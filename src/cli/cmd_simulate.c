/*
 * cmd_simulate.c - `lrt simulate FILE`: settles a scenario with no database
 * and prints one JSON line per epoch, then the holders, the queue, points
 * and exposure (SPEC section 6).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt simulate FILE\n"
"\n"
"Settles a scenario in memory, with no database, and prints what the books\n"
"say after every epoch.  FILE is JSON Lines (- reads standard input): the\n"
"first line {\"product\": {...}}, then one event per line, in any order;\n"
"events apply by epoch, and by seq within an epoch when all of it has one.\n"
"\n"
"Output: one JSON object per epoch from 0 to the last with an event\n"
"(total_assets, total_shares, rate, deferred, rewards, slashed, revaluation,\n"
"recognized, fee_value, fee_shares, buffer, claimable, finalized, rejected,\n"
"reconciliation: each attest against the book), then one final object:\n"
"holders, queue, points (per program, per holder, in 10^-18 point) and\n"
"exposure (each operator's value and what each AVS may slash of it, and\n"
"the Herfindahl index hhi_bps).  Every integer is a string.\n"
"\n"
"Exit status:\n"
"  0  every epoch settled\n"
"  1  FILE could not be read\n"
"  2  malformed input: each bad line is named on standard error as\n"
"     FILE:LINE: field: what is wrong, and nothing is printed\n"
"  3  the settlement guard stopped an epoch: the epochs before it are\n"
"     printed, and both rates are named on standard error\n"
"\n"
"Example:\n"
"  lrt simulate tests/scenarios/07-withdraw-cap.jsonl\n";

static void print_diagnostic(void *context, const char *message)
{
	(void)context;
	fprintf(stderr, "%s\n", message);
}

static int print_epoch(void *context, const lrt_epoch_report *report)
{
	return lrt_report_write_json(context, report);
}

static int simulate(const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	lrt_scenario *scenario = NULL;
	lrt_book *book = NULL;
	char *data = NULL;
	size_t length = 0;
	int rc;

	rc = cli_read_input(&data, &length, path);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return LRT_EXIT_FAILURE;
	}
	rc = lrt_scenario_read(&scenario, name, data, length, print_diagnostic, NULL);
	/* the scenario keeps its own copies: the file's bytes can go now */
	free(data);
	data = NULL;
	if (rc == LRT_EINVAL)
		goto done;  /* each line was printed by print_diagnostic */
	if (rc == 0)
		rc = lrt_book_new(&book, lrt_scenario_product(scenario));
	if (rc == 0)
		rc = lrt_scenario_run(scenario, book, print_epoch, stdout);
	if (rc == 0)
		rc = lrt_book_write_final_json(stdout, book);
	if (fflush(stdout) != 0 && rc == 0) {
		lrt_error_set("cannot write standard output: %s", strerror(errno));
		rc = LRT_EIO;
	}
	if (rc != 0)
		cli_error("%s: %s", name, lrt_error_last());
done:
	lrt_book_free(book);
	lrt_scenario_free(scenario);
	free(data);
	return cli_exit_status(rc);
}

static int run(int argc, char **argv)
{
	static const cli_parser parser = { "simulate", 0, NULL, NULL, NULL, NULL, 1 };
	cli_options o;
	int status;

	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	if (o.argument_count == 0)
		return cli_usage_error("simulate", "FILE is missing");
	return simulate(argv[o.first_argument]);
}

const lrt_command cmd_simulate = {
	"simulate",
	"settle a scenario file in memory and print every epoch (no database)",
	help,
	run,
};
