/*
 * options.c - the one parser of the subcommands' options (cli.h).
 *
 * Every subcommand hands cli_parse_options the options it shares with the
 * others (--db/-d, --product, --format) as flags, and its own as a getopt
 * table with a function that takes them.  The shared ones, their defaults
 * (--db given before the command; LRT_PRODUCT), and the one-line usage
 * errors ("--x needs a value", "unknown option", "unexpected argument") are
 * written here once, so every command reads and refuses them alike.
 *
 * Help is not an option here: main.c answers -h and --help anywhere before
 * "--" for every command, before the command runs.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/assert.h"

/*
 * The most options one command takes, shared ones included, and the end of
 * the table: the getopt table is built on the stack.  lrt product has the
 * most, 17 (the fields it refuses to update are options, to say why).
 */
#define CLI_OPTIONS_MAX 24
/* The longest "--format: ... is not a, b or c" list of names. */
#define CLI_FORMAT_LIST_BYTES 128

/* The shared options' codes; a command's own are below CLI_OPTION_PRODUCT
 * and never 'd', the code of -d. */
enum {
	CODE_DB = 'd',
	CODE_FORMAT = CLI_OPTION_PRODUCT + 1
};

/* Set by main.c from `lrt --db DATABASE COMMAND ...`; NULL when not given. */
static const char *global_db;

void cli_set_global_db(const char *conninfo)
{
	global_db = conninfo;
}

/* The getopt table: the command's own entries, then the shared ones. */
static void build_table(struct option *table, const cli_parser *p)
{
	size_t n = 0;
	const struct option *own;

	for (own = p->options; own != NULL && own->name != NULL; own++) {
		LRT_ASSERT(own->val != CODE_DB && own->val < CLI_OPTION_PRODUCT);
		LRT_ASSERT(n < CLI_OPTIONS_MAX - 3);
		table[n++] = *own;
	}
	if (p->shared & CLI_DB)
		table[n++] = (struct option){ "db", required_argument, NULL, CODE_DB };
	if (p->shared & (CLI_PRODUCT | CLI_PRODUCTS))
		table[n++] = (struct option){ "product", required_argument, NULL,
					      CLI_OPTION_PRODUCT };
	if (p->shared & CLI_FORMAT)
		table[n++] = (struct option){ "format", required_argument, NULL,
					      CODE_FORMAT };
	table[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* "table, csv or json" */
static void format_list(char *out, size_t size, const char *const *formats)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; formats[i] != NULL && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
					 i == 0 ? "" : formats[i + 1] == NULL
					 ? " or " : ", ", formats[i]);
}

static int parse_format(cli_options *out, const cli_parser *p, const char *value)
{
	char names[CLI_FORMAT_LIST_BYTES];
	size_t i;

	for (i = 0; p->formats[i] != NULL; i++)
		if (strcmp(value, p->formats[i]) == 0) {
			out->format = i;
			return LRT_EXIT_OK;
		}
	format_list(names, sizeof(names), p->formats);
	return cli_usage_error(p->command, "--format: \"%s\" is not %s", value, names);
}

/* One --product: kept (CLI_PRODUCT) or handed on (CLI_PRODUCTS). */
static int take_product(cli_options *out, const cli_parser *p, char *symbol)
{
	if (symbol[0] == '\0')
		return cli_usage_error(p->command, "--product: empty");
	out->product_given = true;
	if (p->shared & CLI_PRODUCTS)
		return p->parse(p->context, CLI_OPTION_PRODUCT, symbol);
	out->symbol = symbol;
	return LRT_EXIT_OK;
}

/* After the options: LRT_PRODUCT when no --product was given. */
static int default_product(cli_options *out, const cli_parser *p)
{
	char *symbol = getenv("LRT_PRODUCT");

	if (out->product_given || symbol == NULL || symbol[0] == '\0'
	    || !(p->shared & (CLI_PRODUCT | CLI_PRODUCTS)))
		return LRT_EXIT_OK;
	out->symbol_from_environment = true;
	if (p->shared & CLI_PRODUCTS)
		return p->parse(p->context, CLI_OPTION_PRODUCT, symbol);
	out->symbol = symbol;
	return LRT_EXIT_OK;
}

/*
 * What getopt refused, named as the user wrote it: "--colour", "-x" (also
 * inside a group "-vx", where optind has not moved on yet), or "--once=1"
 * for a long option that takes no value.
 */
static int unknown_option(const cli_parser *p, int argc, char **argv)
{
	const char *previous = argv[optind - 1 < argc ? optind - 1 : argc - 1];
	const char *equals = strchr(previous, '=');
	bool in_group = optopt != 0 && optind < argc && argv[optind][0] == '-'
			&& argv[optind][1] != '-' && strchr(argv[optind], optopt) != NULL;

	if (in_group || (optopt != 0 && strncmp(previous, "--", 2) != 0))
		return cli_usage_error(p->command, "unknown option -%c", optopt);
	if (optopt != 0 && equals != NULL)
		return cli_usage_error(p->command, "%.*s takes no value",
				       (int)(equals - previous), previous);
	return cli_usage_error(p->command, "unknown option %s", previous);
}

static int take_option(cli_options *out, const cli_parser *p, int option,
		       int argc, char **argv)
{
	switch (option) {
	case CODE_DB:
		out->conninfo = optarg;
		return LRT_EXIT_OK;
	case CLI_OPTION_PRODUCT:
		return take_product(out, p, optarg);
	case CODE_FORMAT:
		return parse_format(out, p, optarg);
	case ':':
		return cli_usage_error(p->command, "%s needs a value", argv[optind - 1]);
	case '?':
		return unknown_option(p, argc, argv);
	default:
		return p->parse(p->context, option, optarg);
	}
}

int cli_parse_options(cli_options *out, const cli_parser *p, int argc, char **argv)
{
	struct option table[CLI_OPTIONS_MAX];
	int option, status;

	LRT_ASSERT(p->command != NULL && argc >= 1);
	LRT_ASSERT(!(p->shared & CLI_FORMAT) || p->formats != NULL);
	LRT_ASSERT(p->options == NULL || p->parse != NULL);
	memset(out, 0, sizeof(*out));
	if (global_db != NULL && !(p->shared & CLI_DB))
		return cli_usage_error(p->command, "--db: %s uses no database",
				       p->command);
	out->conninfo = global_db;
	build_table(table, p);
	opterr = 0;
	/* 0, not 1: glibc then starts afresh, forgetting main.c's "+" (stop
	 * at the first operand), so options may follow operands here. */
	optind = 0;
	while ((option = getopt_long(argc, argv, p->shared & CLI_DB ? ":d:" : ":",
				     table, NULL)) != -1) {
		status = take_option(out, p, option, argc, argv);
		if (status != LRT_EXIT_OK)
			return status;
	}
	out->first_argument = optind;
	out->argument_count = argc - optind;
	if (p->arguments_max >= 0 && out->argument_count > p->arguments_max)
		return cli_usage_error(p->command, "unexpected argument %s",
				       argv[optind + p->arguments_max]);
	return default_product(out, p);
}
