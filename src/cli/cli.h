/*
 * cli.h - what the subcommands of `lrt` share: the command table entry,
 * exit statuses (STYLE.md rule 4) and small helpers for messages.
 */
#ifndef LRT_CLI_H
#define LRT_CLI_H

#include <stdio.h>

enum {
	LRT_EXIT_OK = 0,
	LRT_EXIT_FAILURE = 1,    /* runtime failure: database, I/O */
	LRT_EXIT_USAGE = 2,      /* usage error or malformed input */
	LRT_EXIT_POLICY = 3,     /* refused by policy: the settlement guard */
	LRT_EXIT_VERIFY = 4      /* lrt verify found a difference */
};

typedef struct {
	const char *name;
	const char *summary;     /* one line for `lrt --help` */
	const char *help;        /* the full text of `lrt help NAME` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command's name */
} lrt_command;

/* Prints "lrt NAME: message" and "Try ..." to stderr; returns LRT_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "lrt: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Maps an LRT_E* code to an exit status. */
int cli_exit_status(int code);

/* True when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Parses [--product SYMBOL] [--db CONNINFO] and nothing else (options.c):
 * LRT_EXIT_OK, or the exit status of the usage error it printed. */
int cli_parse_product_options(const char *command, int argc, char **argv,
			      const char **conninfo, const char **symbol);

/* Prints the help of one command to stdout. */
void cli_print_help(const lrt_command *command);

extern const lrt_command cmd_simulate;
extern const lrt_command cmd_stress;
extern const lrt_command cmd_migrate;
extern const lrt_command cmd_product;
extern const lrt_command cmd_ingest;
extern const lrt_command cmd_settle;
extern const lrt_command cmd_export;
extern const lrt_command cmd_verify;
extern const lrt_command cmd_report;
extern const lrt_command cmd_status;
extern const lrt_command cmd_demo;
extern const lrt_command cmd_serve;

#endif
