/*
 * cmd_product.c - `lrt product create|update|show|list`: the products of a
 * database.
 *
 * show and list word the catalog's figures (include/lrt/catalog.h) as
 * `lrt status` does: the fields in the order of SPEC section 2, amounts in
 * whole units with their symbol (exact: the database divides, not a
 * double), "none" for nothing; --format json gives the same for machines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "io/json_load.h"
#include "io/record_reader.h"
#include "lrt/catalog.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt product create FILE.json [--settle-lag SECONDS] [--db DATABASE]\n"
"       lrt product update SYMBOL --settle-lag SECONDS [--db DATABASE]\n"
"       lrt product show SYMBOL [--format table|json] [--db DATABASE]\n"
"       lrt product list [--format table|json] [--db DATABASE]\n"
"\n"
"create  adds a product (one liquid restaking token) from its configuration:\n"
"        the JSON object of SPEC section 2 (symbol, underlying, assets, model,\n"
"        offset, genesis_time, epoch_seconds, fee_bps, fee_recipients,\n"
"        delay_epochs, max_apr_bps, max_rate_change_bps, fee_high_water_mark,\n"
"        points), or a scenario file whose first line is {\"product\": {...}}.\n"
"        --settle-lag SECONDS is how long after an epoch ends `lrt settle`\n"
"        waits before settling it, so that late events still arrive\n"
"        (default 0).\n"
"update  changes what may change outside events: the settle lag.  lrt settle\n"
"        uses the new lag at once, a running lrt serve from its next wake-up\n"
"        (within --poll).  The fields config events change (fee_bps,\n"
"        fee_recipients, delay_epochs, max_apr_bps, max_rate_change_bps,\n"
"        fee_high_water_mark, points) are refused: send a config event\n"
"        (lrt ingest, or INSERT INTO lrt.submissions), so that the books say\n"
"        from which epoch on; the others never change.\n"
"show    prints one product: the fields of SPEC section 2 in its order, the\n"
"        seven that config events change as now in force; the settle lag;\n"
"        then the last settled epoch (\"none\" before the first), the total\n"
"        assets, total shares, rate and deferred reserve in whole units with\n"
"        their symbol, the positions, and how many holders, queued requests\n"
"        and pending events it has.\n"
"list    prints one line per product: symbol, underlying, model, the last\n"
"        settled epoch, pending events, total assets in whole units, the\n"
"        settle lag.\n"
"\n"
"Several products live side by side in one database; the other commands\n"
"take --product SYMBOL (or LRT_PRODUCT) when there is more than one.\n"
"\n"
"Options:\n"
"  --settle-lag SECONDS  (create, update) seconds to wait after an epoch ends\n"
"  --format FORMAT     (show, list) table (the default): for people;\n"
"                      json: show, one object: the fields above, each amount\n"
"                      X in base units and X_whole in whole units, decimal\n"
"                      strings, null for none, and config, the configuration\n"
"                      as created; list, an array of objects, one a line\n"
"  -d, --db DATABASE   the database: its name, or a libpq connection string\n"
"                      or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 done; 1 the database failed; 2 a usage error, an unknown\n"
"product, a field update refuses, or a configuration that breaks a rule\n"
"(the message names the field).\n"
"\n"
"Examples:\n"
"  lrt product create rstETH.json --settle-lag 3600\n"
"  lrt product update rstETH --settle-lag 7200\n"
"  lrt product show rstETH\n";

/*
 * The fields of SPEC section 2 update refuses, as options so that the
 * refusal says why: config events change the last seven, nothing the rest.
 */
static const struct {
	const char *option;
	const char *field;
	bool by_config;
} fields[] = {
	{ "symbol", "symbol", false },
	{ "underlying", "underlying", false },
	{ "assets", "assets", false },
	{ "model", "model", false },
	{ "offset", "offset", false },
	{ "genesis-time", "genesis_time", false },
	{ "epoch-seconds", "epoch_seconds", false },
	{ "fee-bps", "fee_bps", true },
	{ "fee-recipients", "fee_recipients", true },
	{ "delay-epochs", "delay_epochs", true },
	{ "max-apr-bps", "max_apr_bps", true },
	{ "max-rate-change-bps", "max_rate_change_bps", true },
	{ "fee-high-water-mark", "fee_high_water_mark", true },
	{ "points", "points", true },
};

#define FIELD_COUNT (sizeof(fields) / sizeof(fields[0]))
/* The codes of the refused fields' options: FIELD_CODE + their index. */
#define FIELD_CODE 0x80
#define SETTLE_LAG_CODE 'l'

typedef struct {
	const char *settle_lag;
} product_arguments;

static int refuse_field(size_t i)
{
	if (fields[i].by_config)
		return cli_usage_error("product", "--%s: %s changes only by a config "
				       "event, so that the books say from which epoch: "
				       "ingest {\"id\": ..., \"type\": \"config\", "
				       "\"epoch\": EPOCH, \"%s\": ...} (SPEC section 3)",
				       fields[i].option, fields[i].field, fields[i].field);
	return cli_usage_error("product", "--%s: %s never changes (SPEC section 2):"
			       " a product with another is a new product",
			       fields[i].option, fields[i].field);
}

static int parse_option(void *context, int option, char *value)
{
	product_arguments *a = context;

	if (option != SETTLE_LAG_CODE)
		return refuse_field((size_t)(option - FIELD_CODE));
	a->settle_lag = value;
	return LRT_EXIT_OK;
}

/* --settle-lag: a whole number of seconds, 0 or more. */
static int parse_settle_lag(int64_t *out, const char *text)
{
	long long value;
	char *end;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0)
		return cli_usage_error("product", "--settle-lag: \"%s\" is not a "
				       "number of seconds", text);
	*out = value;
	return LRT_EXIT_OK;
}

/* ---- create and update ------------------------------------------------------- */

/* A scenario file's first line is {"product": {...}} and the rest events:
 * then only that line is the configuration.  0, or LRT_ENOMEM. */
static int product_length(size_t *out, const char *data, size_t length)
{
	const char *newline = memchr(data, '\n', length);
	json_t *first;
	int scenario, rc;

	*out = length;
	if (newline == NULL)
		return 0;
	rc = lrt_json_load(&first, data, (size_t)(newline - data), 0, NULL);
	if (rc == LRT_ENOMEM)
		return rc;
	scenario = json_is_object(first) && json_object_get(first, "product") != NULL;
	json_decref(first);
	if (scenario)
		*out = (size_t)(newline - data);
	return 0;
}

static int create(lrt_store *store, const char *path, int64_t lag)
{
	int64_t product_id = 0;
	size_t length = 0, bom, config_length;
	char *data = NULL;
	int rc;

	rc = cli_read_input(&data, &length, path);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	/* a byte order mark is skipped, as every reader of input files does */
	bom = lrt_record_bom_bytes(data, length);
	rc = product_length(&config_length, data + bom, length - bom);
	if (rc == 0)
		rc = lrt_catalog_create(&product_id, store, data + bom, config_length, lag);
	free(data);
	if (rc != 0) {
		cli_error("%s: %s", path, lrt_error_last());
		return cli_exit_status(rc);
	}
	printf("product created: id %lld, from %s\n", (long long)product_id, path);
	return LRT_EXIT_OK;
}

static int update(lrt_store *store, const char *symbol, int64_t lag)
{
	int64_t previous = 0;
	int rc = lrt_catalog_set_settle_lag(&previous, store, symbol, lag);

	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	if (previous == lag)
		printf("%s: settle lag %" PRId64 " s, as it was\n", symbol, lag);
	else
		printf("%s: settle lag %" PRId64 " s, was %" PRId64 " s\n", symbol,
		       lag, previous);
	return LRT_EXIT_OK;
}

/* ---- show ---------------------------------------------------------------------- */

#define LABEL "  %-20s "

static const char *text_of(const json_t *object, const char *key)
{
	const char *text = json_string_value(json_object_get(object, key));

	return text != NULL ? text : "";
}

static json_int_t integer_of(const json_t *object, const char *key)
{
	return json_integer_value(json_object_get(object, key));
}

/* "12.5 ETH", or "none" when the amount is null. */
static void print_amount(const char *label, const json_t *p, const char *key,
			 const char *unit)
{
	char whole_key[64];

	snprintf(whole_key, sizeof(whole_key), "%s_whole", key);
	if (json_is_null(json_object_get(p, key)))
		printf(LABEL "none\n", label);
	else
		printf(LABEL "%s %s\n", label, text_of(p, whole_key), unit);
}

/* One line per element of a list, the first after the label. */
static void print_list(const char *label, const json_t *list,
		       void (*print)(const json_t *item))
{
	size_t i;

	if (json_array_size(list) == 0)
		printf(LABEL "none\n", label);
	for (i = 0; i < json_array_size(list); i++) {
		printf(LABEL, i == 0 ? label : "");
		print(json_array_get(list, i));
		putchar('\n');
	}
}

static void print_asset(const json_t *a)
{
	printf("%s, %" JSON_INTEGER_FORMAT " decimals", text_of(a, "symbol"),
	       integer_of(a, "decimals"));
}

static void print_recipient(const json_t *r)
{
	printf("%s, %" JSON_INTEGER_FORMAT " bps", text_of(r, "holder"), integer_of(r, "bps"));
}

static void print_program(const json_t *r)
{
	printf("%s, %s per share per epoch", text_of(r, "name"), text_of(r, "per_share_epoch"));
}

static void print_position(const json_t *x)
{
	printf("%s %s at %s", text_of(x, "amount_whole"), text_of(x, "asset"),
	       text_of(x, "location"));
}

/* A number of basis points; 0 is "none" where 0 turns the rule off. */
static void print_bps(const char *label, const json_t *p, const char *off)
{
	json_int_t bps = integer_of(p, label);

	if (bps == 0 && off != NULL)
		printf(LABEL "0 (%s)\n", label, off);
	else
		printf(LABEL "%" JSON_INTEGER_FORMAT "\n", label, bps);
}

/* SPEC section 2's fields, in its order. */
static void print_configuration(const json_t *p)
{
	printf(LABEL "%s\n", "symbol", text_of(p, "symbol"));
	printf(LABEL "%s\n", "underlying", text_of(p, "underlying"));
	print_list("assets", json_object_get(p, "assets"), print_asset);
	printf(LABEL "%s\n", "model", text_of(p, "model"));
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "offset", integer_of(p, "offset"));
	printf(LABEL "%s (%" JSON_INTEGER_FORMAT ")\n", "genesis_time",
	       text_of(p, "genesis_utc"), integer_of(p, "genesis_time"));
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "epoch_seconds",
	       integer_of(p, "epoch_seconds"));
	print_bps("fee_bps", p, NULL);
	print_list("fee_recipients", json_object_get(p, "fee_recipients"), print_recipient);
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "delay_epochs",
	       integer_of(p, "delay_epochs"));
	print_bps("max_apr_bps", p, "no cap");
	print_bps("max_rate_change_bps", p, "no guard");
	printf(LABEL "%s\n", "fee_high_water_mark",
	       json_is_true(json_object_get(p, "fee_high_water_mark")) ? "true" : "false");
	print_list("points", json_object_get(p, "points"), print_program);
}

static void print_product(const json_t *p)
{
	const char *underlying = text_of(p, "underlying");
	const char *symbol = text_of(p, "symbol");
	char rate_unit[256];

	printf("%s\n", symbol);
	print_configuration(p);
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "settle_lag_seconds",
	       integer_of(p, "settle_lag_seconds"));
	if (json_is_null(json_object_get(p, "settled_epoch")))
		printf(LABEL "none\n", "settled epoch");
	else
		printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "settled epoch",
		       integer_of(p, "settled_epoch"));
	print_amount("total assets", p, "total_assets", underlying);
	print_amount("total shares", p, "total_shares", symbol);
	snprintf(rate_unit, sizeof(rate_unit), "%s per %s", underlying, symbol);
	print_amount("rate", p, "rate", rate_unit);
	print_amount("deferred", p, "deferred", underlying);
	print_list("positions", json_object_get(p, "positions"), print_position);
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "holders", integer_of(p, "holders"));
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "queued requests",
	       integer_of(p, "queued_requests"));
	printf(LABEL "%" JSON_INTEGER_FORMAT "\n", "pending events",
	       integer_of(p, "pending_events"));
}

static int show(lrt_store *store, const char *symbol, bool json)
{
	json_t *product = NULL;
	json_error_t error;
	char *text = NULL;
	int rc = lrt_catalog_describe(&text, store, symbol);

	if (rc == 0 && (rc = lrt_json_load(&product, text, strlen(text), 0, &error))
		       == LRT_EINVAL) {
		lrt_error_set("product %s: the description is not JSON: %s", symbol,
			      error.text);
		rc = LRT_EDB;
	}
	if (rc == 0 && json)
		rc = json_dumpf(product, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER
				| JSON_ENSURE_ASCII) == 0 && putchar('\n') != EOF
		     ? 0 : LRT_EIO;
	else if (rc == 0)
		print_product(product);
	json_decref(product);
	free(text);
	if (rc == LRT_EIO)
		lrt_error_set("cannot write the product to standard output");
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	return LRT_EXIT_OK;
}

/* ---- list ---------------------------------------------------------------------- */

typedef struct {
	bool json;
	size_t count;
} list_context;

static int print_row_json(const lrt_catalog_row *row, size_t index)
{
	char settled[24], pending[24], lag[24];
	json_t *object;
	int written;

	snprintf(settled, sizeof(settled), "%" PRId64, row->settled_epoch);
	snprintf(pending, sizeof(pending), "%" PRId64, row->pending_events);
	snprintf(lag, sizeof(lag), "%" PRId64, row->settle_lag_seconds);
	object = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s}",
			   "symbol", row->symbol, "underlying", row->underlying,
			   "model", row->model,
			   "settled_epoch", row->settled_epoch >= 0 ? settled : NULL,
			   "pending_events", pending,
			   "total_assets", row->total_assets,
			   "total_assets_whole", row->total_assets_whole,
			   "total_shares", row->total_shares,
			   "settle_lag_seconds", lag);
	if (object == NULL) {
		lrt_error_set("out of memory writing the products");
		return LRT_ENOMEM;
	}
	fputs(index == 0 ? "[\n" : ",\n", stdout);
	written = json_dumpf(object, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(object);
	return written == 0 ? 0 : LRT_EIO;
}

static int print_row(void *context, const lrt_catalog_row *row)
{
	list_context *c = context;
	char settled[24], assets[160];

	if (c->json)
		return print_row_json(row, c->count++);
	if (c->count++ == 0)
		printf("%-12s %-10s %-8s %8s %8s  %-28s %s\n", "symbol", "underlying",
		       "model", "settled", "pending", "total assets", "settle lag");
	if (row->settled_epoch >= 0)
		snprintf(settled, sizeof(settled), "%" PRId64, row->settled_epoch);
	else
		snprintf(settled, sizeof(settled), "none");
	snprintf(assets, sizeof(assets), "%s %s", row->total_assets_whole, row->underlying);
	printf("%-12s %-10s %-8s %8s %8" PRId64 "  %-28s %" PRId64 " s\n", row->symbol,
	       row->underlying, row->model, settled, row->pending_events, assets,
	       row->settle_lag_seconds);
	return 0;
}

static int list(lrt_store *store, bool json)
{
	list_context context = { json, 0 };
	int rc = lrt_catalog_list(store, print_row, &context);

	if (rc == 0 && json)
		fputs(context.count == 0 ? "[]\n" : "\n]\n", stdout);
	else if (rc == 0 && context.count == 0)
		printf("no products: create one with `lrt product create FILE.json`\n");
	if (rc == LRT_EIO)
		lrt_error_set("cannot write the products to standard output");
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(rc);
	}
	return LRT_EXIT_OK;
}

/* ---- the verbs ----------------------------------------------------------------- */

/* The getopt table: --settle-lag, then each refused field. */
static void build_options(struct option *options)
{
	size_t i;

	options[0] = (struct option){ "settle-lag", required_argument, NULL, SETTLE_LAG_CODE };
	for (i = 0; i < FIELD_COUNT; i++)
		options[i + 1] = (struct option){ fields[i].option, optional_argument,
						  NULL, (int)(FIELD_CODE + i) };
	options[FIELD_COUNT + 1] = (struct option){ NULL, 0, NULL, 0 };
}

/* What each verb takes: its operand, --settle-lag, --format. */
static int check_verb(const char *verb, int operands, const product_arguments *a,
		      const cli_options *o)
{
	static const struct {
		const char *verb, *operand;
		int operands;     /* after the verb */
		int settle_lag;   /* 0 refused, 1 optional, 2 needed */
		bool format;
	} verbs[] = {
		{ "create", "one FILE.json", 1, 1, false },
		{ "update", "one SYMBOL", 1, 2, false },
		{ "show", "one SYMBOL", 1, 0, true },
		{ "list", "no argument", 0, 0, true },
	};
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verb, verbs[i].verb) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return cli_usage_error("product", "unknown verb %s (create, update, "
				       "show, list)", verb);
	if (operands != verbs[i].operands)
		return cli_usage_error("product", "%s takes %s", verb, verbs[i].operand);
	if (a->settle_lag != NULL && verbs[i].settle_lag == 0)
		return cli_usage_error("product", "--settle-lag goes with create "
				       "and update");
	if (a->settle_lag == NULL && verbs[i].settle_lag == 2)
		return cli_usage_error("product", "update: say what changes: "
				       "--settle-lag SECONDS");
	if (o->format != 0 && !verbs[i].format)
		return cli_usage_error("product", "--format goes with show and list");
	return LRT_EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const char *const formats[] = { "table", "json", NULL };
	struct option options[FIELD_COUNT + 2];
	product_arguments a = { NULL };
	const cli_parser parser = { "product", CLI_DB | CLI_FORMAT, formats, options,
				    parse_option, &a, 2 };
	lrt_store *store = NULL;
	const char *verb, *operand;
	int64_t lag = 0;
	cli_options o;
	int status;

	build_options(options);
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	if (o.argument_count == 0)
		return cli_usage_error("product", "say create, update, show or list");
	verb = argv[o.first_argument];
	operand = o.argument_count > 1 ? argv[o.first_argument + 1] : NULL;
	if ((status = check_verb(verb, o.argument_count - 1, &a, &o)) != LRT_EXIT_OK)
		return status;
	if (a.settle_lag != NULL && (status = parse_settle_lag(&lag, a.settle_lag)) != 0)
		return status;
	if ((status = lrt_store_connect(&store, o.conninfo)) != 0) {
		cli_error("%s", lrt_error_last());
		return cli_exit_status(status);
	}
	if (strcmp(verb, "create") == 0)
		status = create(store, operand, lag);
	else if (strcmp(verb, "update") == 0)
		status = update(store, operand, lag);
	else if (strcmp(verb, "show") == 0)
		status = show(store, operand, o.format == 1);
	else
		status = list(store, o.format == 1);
	lrt_store_close(store);
	return status;
}

const lrt_command cmd_product = {
	"product",
	"create, update, show or list the products of a database",
	help,
	run,
};
