/*
 * cli.h - what the subcommands of `lrt` share: the command table entry,
 * exit statuses (STYLE.md rule 4) and small helpers for messages.
 */
#ifndef LRT_CLI_H
#define LRT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
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

/*
 * The options the subcommands share, parsed by cli_parse_options
 * (options.c) for every one of them:
 *
 *   CLI_DB        --db DATABASE, -d DATABASE: a database name, or a libpq
 *                 connection string or URI; default: the --db given before
 *                 the command (lrt --db books settle), else libpq's
 *                 environment (PGDATABASE...)
 *   CLI_PRODUCT   --product SYMBOL; default: $LRT_PRODUCT
 *   CLI_PRODUCTS  --product SYMBOL, repeatable: each (or $LRT_PRODUCT when
 *                 none is given) goes to the command's parse function as
 *                 CLI_OPTION_PRODUCT
 *   CLI_FORMAT    --format NAME, one of the parser's formats
 */
enum {
	CLI_DB = 1u << 0,
	CLI_PRODUCT = 1u << 1,
	CLI_PRODUCTS = 1u << 2,
	CLI_FORMAT = 1u << 3
};

/* The code of --product for a CLI_PRODUCTS command's parse function; a
 * command's own options have codes below it, and never 'd' (-d). */
#define CLI_OPTION_PRODUCT 0x100

typedef struct {
	const char *command;           /* "settle": the messages name it */
	unsigned shared;               /* CLI_DB | CLI_PRODUCT | ... */
	const char *const *formats;    /* CLI_FORMAT: the names, NULL-ended;
					* the first is the default */
	const struct option *options;  /* the command's own, zero-ended; or NULL */
	/* Takes one of the command's own options (`value` NULL when it has
	 * none; argv's own text, which it may change): LRT_EXIT_OK, or the
	 * status of the usage error it printed. */
	int (*parse)(void *context, int option, char *value);
	void *context;
	int arguments_max;             /* operands after the options; -1: any */
} cli_parser;

typedef struct {
	const char *conninfo;          /* NULL: libpq's environment */
	const char *symbol;            /* NULL: none given (CLI_PRODUCT) */
	bool product_given;            /* --product was on the command line */
	bool symbol_from_environment;  /* the product is $LRT_PRODUCT's */
	size_t format;                 /* the index of --format in formats */
	int first_argument;            /* argv index of the first operand */
	int argument_count;
} cli_options;

/*
 * Parses argv (argv[0] the command's name) into `out`; the operands are
 * argv[first_argument..argc).  LRT_EXIT_OK, or the exit status of the usage
 * error it printed (an unknown option, a missing value, a --format not in
 * the list, an empty --product, an operand too many, a --db given before a
 * command that uses no database).
 */
int cli_parse_options(cli_options *out, const cli_parser *parser, int argc,
		      char **argv);

/* main.c: the --db given before the command, for cli_parse_options. */
void cli_set_global_db(const char *conninfo);

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
extern const lrt_command cmd_help;
extern const lrt_command cmd_version;

#endif
