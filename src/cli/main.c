/*
 * main.c - the `lrt` command: dispatches to one subcommand per file.
 *
 *   lrt [--db DATABASE] COMMAND [ARGS]
 *   lrt help COMMAND
 *   lrt --help | --version
 *
 * Unknown commands and options fail with one line and exit status 2.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/memory.h"
#include "lrt/lrt.h"

static const lrt_command *const commands[] = {
	&cmd_simulate,
	&cmd_stress,
	&cmd_migrate,
	&cmd_product,
	&cmd_ingest,
	&cmd_settle,
	&cmd_export,
	&cmd_verify,
	&cmd_report,
	&cmd_status,
	&cmd_demo,
	&cmd_serve,
	&cmd_help,
	&cmd_version,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lrt%s%s: ", command ? " " : "", command ? command : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (command != NULL)
		fprintf(stderr, ". Try \"lrt help %.*s\".\n",
			(int)strcspn(command, " "), command);  /* "report html" */
	else
		fprintf(stderr, ". Try \"lrt --help\".\n");
	return LRT_EXIT_USAGE;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lrt: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_status(int code)
{
	switch (code) {
	case LRT_OK: return LRT_EXIT_OK;
	case LRT_EINVAL:
	case LRT_ELIMIT: return LRT_EXIT_USAGE;
	case LRT_EGUARD: return LRT_EXIT_POLICY;
	case LRT_EVERIFY: return LRT_EXIT_VERIFY;
	default: return LRT_EXIT_FAILURE;
	}
}

int cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

void cli_print_help(const lrt_command *command)
{
	fputs(command->help, stdout);
}

static const lrt_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/*
 * `lrt --help`: also the source of the manual page, which help2man makes
 * from it at build time (Makefile): "Usage:" becomes its synopsis, the
 * paragraphs, "Commands:" and "Exit status:" its description, "Options:"
 * and "Environment:" sections of their own.
 */
static void print_overview(void)
{
	size_t i;

	printf("lrt %s - the liquid restaking token accounting engine\n\n"
	       "Usage: lrt [--db DATABASE] COMMAND [ARGS]\n"
	       "  or:  lrt help COMMAND\n"
	       "  or:  lrt --help | --version\n\n"
	       "Keeps the books of liquid restaking tokens: settles their events\n"
	       "epoch by epoch into balances, exchange rates and withdrawals, exactly,\n"
	       "in memory (simulate, stress) or in PostgreSQL (the other commands).\n"
	       "`lrt help COMMAND` explains one command.\n\n"
	       "Commands:\n", lrt_version());
	for (i = 0; i < COMMAND_COUNT; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nExit status:\n"
	       "  0  success\n"
	       "  1  a runtime failure: the database, a file\n"
	       "  2  a usage error or malformed input\n"
	       "  3  refused by the settlement guard\n"
	       "  4  lrt verify found a difference\n"
	       "\nOptions:\n"
	       "  -d, --db DATABASE  the database of the commands that use one, given\n"
	       "                     before the command: a database name (\"books\"), or\n"
	       "                     a libpq connection string (\"host=/run/postgresql\n"
	       "                     dbname=books\") or URI (\"postgresql://user@host/books\");\n"
	       "                     the same as the command's own --db, which wins\n"
	       "  -h, --help         show this text (lrt help COMMAND: one command's)\n"
	       "  -V, --version      print the version\n"
	       "\nEnvironment:\n"
	       "  PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGPASSWORD...\n"
	       "                     where to connect when --db is not given or leaves\n"
	       "                     them out, as libpq (and psql) read them\n"
	       "  LRT_PRODUCT        the product of the commands that take --product,\n"
	       "                     when --product is not given\n");
}

static const char help_help[] =
"Usage: lrt help [COMMAND [VERB]]\n"
"\n"
"Explains COMMAND (and its verbs, as `lrt help migrate status` asks): what\n"
"it does, its options, its exit statuses and an example; `lrt COMMAND\n"
"--help` (or -h) prints the same.  Alone, lists the commands, as\n"
"`lrt --help` does.\n"
"\n"
"Exit status: 0 shown; 2 an unknown command.\n"
"\n"
"Example:\n"
"  lrt help settle\n";

static int run_help(int argc, char **argv)
{
	/* `lrt help report html`: a verb's help is its command's */
	static const cli_parser parser = { "help", 0, NULL, NULL, NULL, NULL, 2 };
	const lrt_command *command;
	cli_options o;
	int status;

	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	if (o.argument_count == 0) {
		print_overview();
		return LRT_EXIT_OK;
	}
	command = find_command(argv[o.first_argument]);
	if (command == NULL)
		return cli_usage_error(NULL, "unknown command %s", argv[o.first_argument]);
	cli_print_help(command);
	return LRT_EXIT_OK;
}

const lrt_command cmd_help = {
	"help",
	"explain one command: lrt help COMMAND",
	help_help,
	run_help,
};

static const char version_help[] =
"Usage: lrt version\n"
"\n"
"Prints \"lrt\" and the version of the program and its library, as\n"
"`lrt --version` does.\n"
"\n"
"Exit status: 0.\n";

static int run_version(int argc, char **argv)
{
	static const cli_parser parser = { "version", 0, NULL, NULL, NULL, NULL, 0 };
	cli_options o;
	int status;

	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	printf("lrt %s\n", lrt_version());
	return LRT_EXIT_OK;
}

const lrt_command cmd_version = {
	"version",
	"print the version",
	version_help,
	run_version,
};

/*
 * The options before the command: --db (for the command), --help and
 * --version.  Returns the index of the command in argv, or -1 with
 * *status set when there is nothing more to do.
 */
static int parse_global(int *status, int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int option;

	opterr = 0;
	optind = 1;
	/* "+": the options end at the command; what follows is the command's. */
	while ((option = getopt_long(argc, argv, "+:d:hV", options, NULL)) != -1) {
		switch (option) {
		case 'd':
			cli_set_global_db(optarg);
			break;
		case 'h':
			print_overview();
			*status = LRT_EXIT_OK;
			return -1;
		case 'V':
			printf("lrt %s\n", lrt_version());
			*status = LRT_EXIT_OK;
			return -1;
		case ':':
			*status = cli_usage_error(NULL, "%s needs a value", argv[optind - 1]);
			return -1;
		default:
			*status = optopt != 0
				  ? cli_usage_error(NULL, "unknown option -%c", optopt)
				  : cli_usage_error(NULL, "unknown option %s", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		if (argc > 1)
			return *status = cli_usage_error(NULL, "name a COMMAND"), -1;
		print_overview();
		*status = LRT_EXIT_USAGE;
		return -1;
	}
	return optind;
}

int main(int argc, char **argv)
{
	const lrt_command *command;
	int first, status = LRT_EXIT_OK;

	cli_memory_init();
	if ((first = parse_global(&status, argc, argv)) < 0)
		return status;
	command = find_command(argv[first]);
	if (command == NULL)
		return cli_usage_error(NULL, "unknown command %s", argv[first]);
	if (cli_wants_help(argc - first, argv + first)) {
		cli_print_help(command);
		return LRT_EXIT_OK;
	}
	return command->run(argc - first, argv + first);
}
