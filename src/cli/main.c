/*
 * main.c - the `lrt` command: dispatches to one subcommand per file.
 *
 *   lrt [--version] [--help] COMMAND [ARGS]
 *   lrt help COMMAND
 *
 * Unknown commands and options fail with one line and exit status 2.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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
		fprintf(stderr, ". Try \"lrt help %s\".\n", command);
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

static void print_overview(void)
{
	size_t i;

	printf("lrt %s - the liquid restaking token accounting engine\n\n"
	       "Usage: lrt [--version] [--help] COMMAND [ARGS]\n\n"
	       "Commands:\n", lrt_version());
	for (i = 0; i < COMMAND_COUNT; i++)
		printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
	printf("  %-10s %s\n", "help", "explain one command: lrt help COMMAND");
	printf("\nThe database commands connect as libpq does: --db CONNINFO, else\n"
	       "PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE and the defaults.\n"
	       "Exit status: 0 success, 1 runtime failure, 2 usage or malformed\n"
	       "input, 3 refused by the settlement guard, 4 verify found a difference.\n");
}

int main(int argc, char **argv)
{
	const lrt_command *command;

	if (argc < 2)
		return print_overview(), LRT_EXIT_USAGE;
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview();
		return LRT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("lrt %s\n", lrt_version());
		return LRT_EXIT_OK;
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option %s", argv[1]);
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			print_overview();
			return LRT_EXIT_OK;
		}
		command = find_command(argv[2]);
		if (command == NULL)
			return cli_usage_error(NULL, "unknown command %s", argv[2]);
		cli_print_help(command);
		return LRT_EXIT_OK;
	}
	command = find_command(argv[1]);
	if (command == NULL)
		return cli_usage_error(NULL, "unknown command %s", argv[1]);
	if (cli_wants_help(argc - 1, argv + 1)) {
		cli_print_help(command);
		return LRT_EXIT_OK;
	}
	return command->run(argc - 1, argv + 1);
}
