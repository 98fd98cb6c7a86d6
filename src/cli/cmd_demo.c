/*
 * cmd_demo.c - `lrt demo generate`: writes the made-up history of an rstETH
 * token that `make demo` puts through the database (src/demo/generator.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "demo/generator.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt demo generate [--seed N] [--epochs E] [--holders H] [--output FILE]\n"
"\n"
"Writes a realistic scenario (JSON Lines: {\"product\": ...}, then one event\n"
"per line) of a made-up liquid restaking token, rstETH, for trying lrt out:\n"
"  - ETH, stETH and rETH deposits from H holders (0x addresses), from 0.01 to\n"
"    5,000 ETH; withdrawal requests, transfers, and claims once finalized;\n"
"  - daily epochs from 2025-06-02, a 7-epoch withdrawal delay, a 10% fee\n"
"    split between `treasury` and `insurance-fund`, smoothing at 8% a year,\n"
"    a 1% guard;\n"
"  - consensus rewards near 3% a year on the operators' ETH and stETH, AVS\n"
"    rewards in EIGEN sold for ETH, stETH and rETH prices drifting;\n"
"  - a treasury moving ETH and LSTs between the buffer and three operators\n"
"    (p2p, kiln, figment) so that withdrawals are paid on time;\n"
"  - the operators' EigenLayer allocations (allocate events: magnitudes of\n"
"    WAD = 10^18) of their ETH, stETH and rETH to eigenda and two of\n"
"    hyperlane, aligned and lagrange, changed now and then;\n"
"  - midway, one of those AVSs slashing one operator by wad (one slash per\n"
"    asset, the same wad), which lowers the rate;\n"
"  - an oracle attesting balances (attest events): each operator's ETH\n"
"    daily, every position on Sundays; all match the books but one, a few\n"
"    gwei off on one day of the last third, on purpose;\n"
"  - a points program, loyalty (a point a day per rstETH), joined a third\n"
"    in by eigenlayer (24 a day) through a config event;\n"
"  - a few claims made before their request is finalized, which settlement\n"
"    rejects on purpose.\n"
"Every event carries id, type, epoch, time and seq.  The same options write\n"
"the same bytes: the generator has its own PRNG and uses no clock.\n"
"\n"
"Options:\n"
"  --seed N       the PRNG seed, 0..18446744073709551615 (default 1)\n"
"  --epochs E     daily epochs 0..E-1, E in 1..3650 (default 90); the slash\n"
"                 comes at epoch E/2 when E >= 4, the eigenlayer points at\n"
"                 E/3 when E >= 3\n"
"  --holders H    holders, 1..100000 (default 300)\n"
"  --output FILE  write FILE instead of standard output, and a summary line\n"
"                 on standard error\n"
"\n"
"Exit status: 0 written; 1 the output could not be written; 2 a usage error.\n"
"\n"
"Example:\n"
"  lrt demo generate --seed 7 --output rstETH.jsonl\n"
"  lrt simulate rstETH.jsonl | tail -n 2\n"
"  make demo    (the same history through a private PostgreSQL)\n";

typedef struct {
	demo_options demo;
	const char *output;
} demo_arguments;

/* A decimal number in low..high, nothing else. */
static int parse_number(uint64_t *out, const char *text, uint64_t low, uint64_t high)
{
	unsigned long long value;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < low || value > high)
		return -1;
	*out = value;
	return 0;
}

/* Takes one of demo's own options. */
static int parse_option(void *context, int option, char *value)
{
	demo_arguments *a = context;
	uint64_t number;

	switch (option) {
	case 's':
		if (parse_number(&a->demo.seed, value, 0, UINT64_MAX) != 0)
			return cli_usage_error("demo", "--seed: \"%s\" is not a "
					       "number 0..2^64-1", value);
		return LRT_EXIT_OK;
	case 'e':
		if (parse_number(&number, value, 1, DEMO_EPOCHS_MAX) != 0)
			return cli_usage_error("demo", "--epochs: \"%s\" is not "
					       "in 1..%d", value, DEMO_EPOCHS_MAX);
		a->demo.epochs = (int64_t)number;
		return LRT_EXIT_OK;
	case 'H':
		if (parse_number(&number, value, 1, DEMO_HOLDERS_MAX) != 0)
			return cli_usage_error("demo", "--holders: \"%s\" is not "
					       "in 1..%d", value, DEMO_HOLDERS_MAX);
		a->demo.holders = (size_t)number;
		return LRT_EXIT_OK;
	default:
		a->output = value;
		return LRT_EXIT_OK;
	}
}

static int parse_options(demo_arguments *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "holders", required_argument, NULL, 'H' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const cli_parser parser = { "demo", 0, NULL, options, parse_option, a, 1 };
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	a->demo.seed = DEMO_SEED_DEFAULT;
	a->demo.epochs = DEMO_EPOCHS_DEFAULT;
	a->demo.holders = DEMO_HOLDERS_DEFAULT;
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	if (o.argument_count == 0)
		return cli_usage_error("demo", "say generate");
	if (strcmp(argv[o.first_argument], "generate") != 0)
		return cli_usage_error("demo", "unknown verb %s (generate)",
				       argv[o.first_argument]);
	return LRT_EXIT_OK;
}

static void print_summary(const demo_arguments *a, const demo_summary *s)
{
	fprintf(stderr, "wrote %s: %zu events over epochs 0..%" PRId64 ", %zu holders, "
		"seed %" PRIu64 "; %zu withdrawal requests, %zu claims, %zu claims "
		"rejected on purpose; ", a->output, s->events, a->demo.epochs - 1,
		a->demo.holders, a->demo.seed, s->requests, s->claims, s->rejected);
	fprintf(stderr, "%zu allocations (%zu changes); ", s->allocations,
		s->allocation_changes);
	if (s->slash_epoch >= 0)
		fprintf(stderr, "%s slashed by %s at epoch %" PRId64 " (%zu slashes by wad); ",
			s->slash_operator, s->slash_avs, s->slash_epoch, s->slashes);
	else
		fprintf(stderr, "no slash; ");
	fprintf(stderr, "%zu attests, one off: %s at %s, epoch %" PRId64 ", by %" PRId64
		" wei; points: loyalty", s->attests, s->break_asset, s->break_location,
		s->break_epoch, s->break_difference_wei);
	if (s->points_epoch >= 0)
		fprintf(stderr, ", and eigenlayer from epoch %" PRId64, s->points_epoch);
	fprintf(stderr, "\n");
}

/* Only a regular file is removed after a failure: never a device or a pipe
 * (--output /dev/full is a fine way to test the failure). */
static bool is_regular_file(const char *path)
{
	struct stat info;

	return lstat(path, &info) == 0 && S_ISREG(info.st_mode);
}

static int run(int argc, char **argv)
{
	demo_arguments a;
	demo_summary summary;
	FILE *out = stdout;
	int status, rc;

	status = parse_options(&a, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	if (a.output != NULL && (out = fopen(a.output, "w")) == NULL) {
		cli_error("%s: cannot create: %s", a.output, strerror(errno));
		return LRT_EXIT_FAILURE;
	}
	rc = demo_generate(&summary, out, &a.demo);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		lrt_error_set("%s: cannot write: %s", a.output, strerror(errno));
		rc = LRT_EIO;
	}
	if (rc != 0) {
		cli_error("demo generate: %s%s%s", a.output ? a.output : "",
			  a.output ? ": " : "", lrt_error_last());
		if (a.output != NULL && is_regular_file(a.output))
			remove(a.output);  /* no half-written history */
		return cli_exit_status(rc);
	}
	if (a.output != NULL)
		print_summary(&a, &summary);
	return LRT_EXIT_OK;
}

const lrt_command cmd_demo = {
	"demo",
	"write the history of a made-up restaking token (lrt demo generate)",
	help,
	run,
};
