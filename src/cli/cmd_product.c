/*
 * cmd_product.c - `lrt product create|show|list`: the products of a database.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "lrt/catalog.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt product create FILE.json [--settle-lag SECONDS] [--db CONNINFO]\n"
"       lrt product show SYMBOL [--db CONNINFO]\n"
"       lrt product list [--db CONNINFO]\n"
"\n"
"create  adds a product (one liquid restaking token) from its configuration:\n"
"        the JSON object of SPEC section 2 (symbol, underlying, assets, model,\n"
"        offset, genesis_time, epoch_seconds, fee_bps, fee_recipients,\n"
"        delay_epochs, max_apr_bps, max_rate_change_bps), or a scenario file\n"
"        whose first line is {\"product\": {...}}.  --settle-lag SECONDS is how\n"
"        long after an epoch ends `lrt settle` waits before settling it, so\n"
"        that late events still arrive (default 0).\n"
"show    prints one product as JSON: configuration, policy in force, totals,\n"
"        positions, and how many holders, requests and pending events it has.\n"
"list    prints one line per product.\n"
"\n"
"Several products live side by side in one database; the other commands\n"
"take --product SYMBOL when there is more than one.\n"
"\n"
"Options:\n"
"  --db CONNINFO       the database (libpq connection string or URI);\n"
"                      default: PGHOST, PGDATABASE, PGSERVICE...\n"
"  --settle-lag SECONDS  (create) seconds to wait after an epoch ends\n"
"\n"
"Exit status: 0 done; 1 the database failed; 2 a usage error or a\n"
"configuration that breaks a rule (the message names the field).\n"
"\n"
"Example:\n"
"  lrt product create rstETH.json --settle-lag 3600\n"
"  lrt product show rstETH\n";

typedef struct {
	const char *conninfo;
	const char *settle_lag;
	int first_argument;
} product_options;

static int parse_options(product_options *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "settle-lag", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int option;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (option) {
		case 'd':
			o->conninfo = optarg;
			break;
		case 'l':
			o->settle_lag = optarg;
			break;
		case ':':
			return cli_usage_error("product", "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("product", "unknown option %s", argv[optind - 1]);
		}
	}
	o->first_argument = optind;
	return LRT_EXIT_OK;
}

/* A scenario file's first line is {"product": {...}} and the rest events:
 * then only that line is the configuration. */
static size_t product_length(const char *data, size_t length)
{
	const char *newline = memchr(data, '\n', length);
	json_t *first;
	int scenario;

	if (newline == NULL)
		return length;
	first = json_loadb(data, (size_t)(newline - data), 0, NULL);
	scenario = json_is_object(first) && json_object_get(first, "product") != NULL;
	json_decref(first);
	return scenario ? (size_t)(newline - data) : length;
}

static int create(lrt_store *store, const char *path, const char *lag_text)
{
	int64_t product_id = 0;
	long long lag = 0;
	size_t length = 0;
	char *data = NULL, *end;
	int rc;

	if (lag_text != NULL) {
		lag = strtoll(lag_text, &end, 10);
		if (end == lag_text || *end != '\0' || lag < 0)
			return cli_usage_error("product", "--settle-lag: \"%s\" is not a "
					       "number of seconds", lag_text);
	}
	rc = cli_read_input(&data, &length, path);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	rc = lrt_catalog_create(&product_id, store, data, product_length(data, length), lag);
	free(data);
	if (rc != 0) {
		cli_error("%s: %s", path, lrt_error_last());
		return cli_exit_status(rc);
	}
	printf("product created: id %lld, from %s\n", (long long)product_id, path);
	return LRT_EXIT_OK;
}

static int show(lrt_store *store, const char *symbol)
{
	char *json = NULL;
	int rc = lrt_catalog_describe(&json, store, symbol);

	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	printf("%s\n", json);
	free(json);
	return LRT_EXIT_OK;
}

static int print_row(void *context, const lrt_catalog_row *row)
{
	int *count = context;

	if ((*count)++ == 0)
		printf("%-12s %-8s %-8s %8s %8s  %s\n", "symbol", "model",
		       "asset", "settled", "pending", "total_assets");
	printf("%-12s %-8s %-8s %8lld %8lld  %s\n", row->symbol, row->model,
	       row->underlying, (long long)row->settled_epoch,
	       (long long)row->pending_events, row->total_assets);
	return 0;
}

static int list(lrt_store *store)
{
	int count = 0;
	int rc = lrt_catalog_list(store, print_row, &count);

	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	if (count == 0)
		printf("no products: create one with `lrt product create FILE.json`\n");
	return LRT_EXIT_OK;
}

static int run(int argc, char **argv)
{
	product_options o;
	lrt_store *store = NULL;
	const char *verb, *wanted;
	int status, rc, args, expected;

	status = parse_options(&o, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	args = argc - o.first_argument;
	verb = args > 0 ? argv[o.first_argument] : NULL;
	if (verb == NULL)
		return cli_usage_error("product", "say create, show or list");
	if (strcmp(verb, "create") == 0)
		expected = 2, wanted = "one FILE.json";
	else if (strcmp(verb, "show") == 0)
		expected = 2, wanted = "one SYMBOL";
	else if (strcmp(verb, "list") == 0)
		expected = 1, wanted = "no argument";
	else
		return cli_usage_error("product", "unknown verb %s (create, show, list)", verb);
	if (args != expected)
		return cli_usage_error("product", "%s takes %s", verb, wanted);
	if (o.settle_lag != NULL && strcmp(verb, "create") != 0)
		return cli_usage_error("product", "--settle-lag goes with create");
	rc = lrt_store_connect(&store, o.conninfo);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	if (strcmp(verb, "create") == 0)
		status = create(store, argv[o.first_argument + 1], o.settle_lag);
	else if (strcmp(verb, "show") == 0)
		status = show(store, argv[o.first_argument + 1]);
	else
		status = list(store);
	lrt_store_close(store);
	return status;
}

const lrt_command cmd_product = {
	"product",
	"create, show or list the products of a database",
	help,
	run,
};
