/*
 * options.c - the options the product commands share: --product SYMBOL and
 * --db CONNINFO.
 */
#include <getopt.h>
#include <stddef.h>

#include "cli/cli.h"

int cli_parse_product_options(const char *command, int argc, char **argv,
			      const char **conninfo, const char **symbol)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "product", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int option;

	*conninfo = NULL;
	*symbol = NULL;
	opterr = 0;
	optind = 1;
	while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (option) {
		case 'd': *conninfo = optarg; break;
		case 'p': *symbol = optarg; break;
		case ':':
			return cli_usage_error(command, "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(command, "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(command, "unexpected argument %s", argv[optind]);
	return LRT_EXIT_OK;
}
