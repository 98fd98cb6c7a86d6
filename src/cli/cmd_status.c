/*
 * cmd_status.c - `lrt status`: how each product's settlement stands, for
 * people (a few labelled lines per product) and for machines (JSON).
 *
 * The figures are include/lrt/status.h's, read in one statement; this file
 * parses the options and words them.  Nothing here divides an amount: whole
 * units come from the database (lrt_report.whole), exact.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "lrt/lrt.h"
#include "lrt/status.h"

static const char help[] =
"Usage: lrt status [--product SYMBOL] [--format table|json] [--db DATABASE]\n"
"\n"
"Shows how the settlement of each product of the database stands (or of\n"
"one, with --product): what lrt serve keeps moving, and what its metrics\n"
"file (--metrics-file) reports to Prometheus.  For each product:\n"
"\n"
"  settled epoch    the last epoch settled, and the last one due by the\n"
"                   clock: an epoch is due once its end plus the product's\n"
"                   settle lag has passed\n"
"  behind           \"up to date\", or how many due epochs wait and for how\n"
"                   long the oldest of them has been due, for example\n"
"                   \"2 epochs, 3 h 12 min behind (11520 s)\"\n"
"  events waiting   events in the inbox for epochs not settled yet\n"
"  submissions      events submitted with SQL (lrt.submissions) that\n"
"                   lrt ingest --pending (or lrt serve) has not judged yet\n"
"  queue            withdrawal requests queued and their value now, in whole\n"
"                   units of the underlying, exact (and in base units)\n"
"  last guard trip  \"none\", or the last time the settlement guard stopped\n"
"                   an epoch: the epoch, the rate before and the rate the\n"
"                   epoch would have set, when; while that epoch is still\n"
"                   the next to settle, the product is stopped, and the line\n"
"                   below names the command that lets the rate pass\n"
"  settlement lock  the session that holds the product's settlement lock\n"
"                   (a running lrt serve names itself \"lrt serve on HOST pid\n"
"                   N\"; a client over TCP shows its address when the role\n"
"                   may see it), or \"none\" when no service settles it\n"
"\n"
"Options:\n"
"  --product SYMBOL  only this product; default: $LRT_PRODUCT, else every one\n"
"  --format FORMAT   table (the default): the lines above, a blank line\n"
"                      between products\n"
"                    json: an array of objects, one per product and line:\n"
"                      symbol, settled_epoch, due_epoch, epochs_behind,\n"
"                      seconds_behind, events_waiting, submissions_waiting,\n"
"                      queue_length, queue_value (base units),\n"
"                      queue_value_whole, underlying, guard_trips,\n"
"                      guard_stopped, last_trip_epoch, last_trip_rate_before,\n"
"                      last_trip_rate_after, last_trip_at (UTC), lock_holder;\n"
"                      integers as decimal strings (-1: no epoch), booleans\n"
"                      true/false, null for a trip or a lock there is not\n"
"  -d, --db DATABASE\n"
"                    the database: its name, or a libpq connection string\n"
"                    or URI; default: libpq's environment (PGDATABASE...);\n"
"                    the role reads the lrt schema (lrt_admin does)\n"
"\n"
"Exit status: 0 shown; 1 the database failed (or has not been migrated) or\n"
"the output could not be written; 2 a usage error or an unknown product.\n"
"\n"
"Examples:\n"
"  lrt status\n"
"  lrt status --product rstETH\n"
"  lrt status --format json | jq -r '.[] | select(.guard_stopped) | .symbol'\n";

typedef enum { FORMAT_TABLE, FORMAT_JSON } status_format;

typedef struct {
	const char *conninfo;
	const char *symbol;
	status_format format;
} status_arguments;

static int parse_options(status_arguments *a, int argc, char **argv)
{
	/* In the order of status_format's values. */
	static const char *const formats[] = { "table", "json", NULL };
	static const cli_parser parser = { "status", CLI_DB | CLI_PRODUCT | CLI_FORMAT,
					   formats, NULL, NULL, NULL, 0 };
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	a->conninfo = o.conninfo;
	a->symbol = o.symbol;
	a->format = o.format == 1 ? FORMAT_JSON : FORMAT_TABLE;
	return LRT_EXIT_OK;
}

/* Due epochs not settled yet. */
static int64_t epochs_behind(const lrt_product_status *s)
{
	return s->due_epoch > s->settled_epoch ? s->due_epoch - s->settled_epoch : 0;
}

/* "45 s", "12 min 5 s", "3 h 12 min", "2 d 4 h": the two largest units,
 * a zero second one left out. */
static void format_duration(char *out, size_t size, int64_t seconds)
{
	static const struct { int64_t seconds; const char *name; } units[] = {
		{ 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" }
	};
	size_t i;

	for (i = 0; i + 1 < sizeof(units) / sizeof(units[0]); i++)
		if (seconds >= units[i].seconds)
			break;
	if (i + 1 == sizeof(units) / sizeof(units[0])) {
		snprintf(out, size, "%" PRId64 " s", seconds);
		return;
	}
	if ((seconds % units[i].seconds) / units[i + 1].seconds == 0)
		snprintf(out, size, "%" PRId64 " %s", seconds / units[i].seconds,
			 units[i].name);
	else
		snprintf(out, size, "%" PRId64 " %s %" PRId64 " %s",
			 seconds / units[i].seconds, units[i].name,
			 (seconds % units[i].seconds) / units[i + 1].seconds,
			 units[i + 1].name);
}

/* ---- table ------------------------------------------------------------------- */

#define LABEL "  %-16s "

static void print_epochs(const lrt_product_status *s)
{
	printf(LABEL, "settled epoch");
	if (s->settled_epoch < 0)
		printf("none yet");
	else
		printf("%" PRId64, s->settled_epoch);
	if (s->due_epoch < 0)
		printf(" (no epoch is due by the clock yet)\n");
	else
		printf(" (epoch %" PRId64 " is the last due by the clock)\n", s->due_epoch);
	printf(LABEL, "behind");
	if (s->seconds_behind > 0) {
		char duration[64];
		int64_t epochs = epochs_behind(s);

		format_duration(duration, sizeof(duration), s->seconds_behind);
		printf("%" PRId64 " epoch%s, %s behind (%" PRId64 " s)\n", epochs,
		       epochs == 1 ? "" : "s", duration, s->seconds_behind);
	} else {
		printf("up to date\n");
	}
}

static void print_trip(const lrt_product_status *s)
{
	printf(LABEL, "last guard trip");
	if (s->last_trip_epoch < 0) {
		printf("none\n");
		return;
	}
	printf("epoch %" PRId64 " at %s: rate %s to %s", s->last_trip_epoch,
	       s->last_trip_at, s->last_trip_rate_before, s->last_trip_rate_after);
	if (s->guard_trips > 1)
		printf(" (%" PRId64 " trips in all)", s->guard_trips);
	putchar('\n');
	if (s->guard_stopped)
		printf(LABEL "stopped, waiting for lrt settle --product %s --accept-rate %s\n",
		       "", s->symbol, s->last_trip_rate_after);
}

static void print_table(const lrt_product_status *statuses, size_t count)
{
	size_t i;

	if (count == 0)
		printf("no products in this database: lrt product create adds one\n");
	for (i = 0; i < count; i++) {
		const lrt_product_status *s = &statuses[i];

		printf("%s%s\n", i > 0 ? "\n" : "", s->symbol);
		print_epochs(s);
		printf(LABEL "%" PRId64 " (in epochs after the last settled)\n",
		       "events waiting", s->events_waiting);
		printf(LABEL "%" PRId64 " waiting for lrt ingest --pending\n", "submissions",
		       s->submissions_waiting);
		printf(LABEL "%" PRId64 " request%s, %s %s (%s base units)\n", "queue",
		       s->queue_length, s->queue_length == 1 ? "" : "s", s->queue_value_whole,
		       s->underlying, s->queue_value);
		print_trip(s);
		printf(LABEL "%s\n", "settlement lock",
		       s->lock_holder != NULL ? s->lock_holder
		       : "none (no lrt serve is settling it)");
	}
}

/* ---- json -------------------------------------------------------------------- */

static json_t *json_int64(int64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, value);
	return json_string(text);
}

/* A string, or null for NULL. */
static json_t *json_text(const char *text)
{
	return text != NULL ? json_string(text) : json_null();
}

/* json_object_set_new that remembers a failure instead of returning it. */
static void put(json_t *object, const char *key, json_t *value, bool *failed)
{
	if (value == NULL || json_object_set_new(object, key, value) != 0)
		*failed = true;
}

static json_t *status_object(const lrt_product_status *s)
{
	json_t *o = json_object();
	bool failed = o == NULL;

	if (failed)
		return NULL;
	put(o, "symbol", json_string(s->symbol), &failed);
	put(o, "settled_epoch", json_int64(s->settled_epoch), &failed);
	put(o, "due_epoch", json_int64(s->due_epoch), &failed);
	put(o, "epochs_behind", json_int64(epochs_behind(s)), &failed);
	put(o, "seconds_behind", json_int64(s->seconds_behind), &failed);
	put(o, "events_waiting", json_int64(s->events_waiting), &failed);
	put(o, "submissions_waiting", json_int64(s->submissions_waiting), &failed);
	put(o, "queue_length", json_int64(s->queue_length), &failed);
	put(o, "queue_value", json_text(s->queue_value), &failed);
	put(o, "queue_value_whole", json_text(s->queue_value_whole), &failed);
	put(o, "underlying", json_text(s->underlying), &failed);
	put(o, "guard_trips", json_int64(s->guard_trips), &failed);
	put(o, "guard_stopped", json_boolean(s->guard_stopped), &failed);
	put(o, "last_trip_epoch", json_int64(s->last_trip_epoch), &failed);
	put(o, "last_trip_rate_before", json_text(s->last_trip_rate_before), &failed);
	put(o, "last_trip_rate_after", json_text(s->last_trip_rate_after), &failed);
	put(o, "last_trip_at", json_text(s->last_trip_at), &failed);
	put(o, "lock_holder", json_text(s->lock_holder), &failed);
	if (failed) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An array of objects, one a line, as `lrt report --format json` writes. */
static int print_json(const lrt_product_status *statuses, size_t count)
{
	size_t i;

	if (count == 0) {
		fputs("[]\n", stdout);
		return 0;
	}
	for (i = 0; i < count; i++) {
		json_t *object = status_object(&statuses[i]);
		int written;

		if (object == NULL) {
			lrt_error_set("out of memory writing the status of %s",
				      statuses[i].symbol);
			return LRT_ENOMEM;
		}
		fputs(i == 0 ? "[\n" : ",\n", stdout);
		written = json_dumpf(object, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		json_decref(object);
		if (written != 0) {
			lrt_error_set("cannot write the status to standard output");
			return LRT_EIO;
		}
	}
	fputs("\n]\n", stdout);
	return 0;
}

static int run(int argc, char **argv)
{
	lrt_product_status *statuses = NULL;
	status_arguments a;
	lrt_store *store = NULL;
	size_t count = 0;
	int status, rc;

	status = parse_options(&a, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	rc = lrt_store_connect(&store, a.conninfo);
	if (rc == 0)
		rc = lrt_status_read(&statuses, &count, store, a.symbol, 0);
	if (rc == 0 && a.format == FORMAT_JSON)
		rc = print_json(statuses, count);
	else if (rc == 0)
		print_table(statuses, count);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		lrt_error_set("cannot write the status to standard output");
		rc = LRT_EIO;
	}
	if (rc != 0)
		cli_error("%s", lrt_error_last());
	lrt_status_free(statuses, count);
	lrt_store_close(store);
	return cli_exit_status(rc);
}

const lrt_command cmd_status = {
	"status",
	"how each product's settlement stands: behind, waiting, guard, lock",
	help,
	run,
};
