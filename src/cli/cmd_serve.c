/*
 * cmd_serve.c - `lrt serve`: the settlement service, unattended.  This file
 * is the command (help, options); the service is serve_loop.c's and
 * serve_cycle.c's, its log serve_log.c's (serve.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/serve.h"

static const char help[] =
"Usage: lrt serve [--product SYMBOL]... [--once] [--poll SECONDS]\n"
"                 [--metrics-file PATH] [--log-format text|json]\n"
"                 [--log-file PATH] [--db DATABASE]\n"
"\n"
"The settlement service.  It settles each epoch of the products as soon as\n"
"the epoch is complete (its end plus the product's settle lag), in order,\n"
"with the code of `lrt settle`: each epoch is one transaction.  An epoch\n"
"with no event settles too, when its time comes.  It LISTENs for the\n"
"inbox's notices, so events submitted with SQL (lrt.submissions) are\n"
"judged at once by the same validator as `lrt ingest --pending`; it wakes\n"
"on a timer at the next epoch's end, and every --poll seconds at most.\n"
"\n"
"Several services may run for the same products, on several hosts: per\n"
"product, only the one holding its settlement lock (a session-level\n"
"advisory lock) settles; the others stand by and ask again every 2 s, so\n"
"when the leader dies, its connection closes, the server frees the lock\n"
"and another takes over within seconds.  `lrt status` names the holder.\n"
"\n"
"When the database goes away (a restart, a failover), it reconnects after\n"
"0.5 s, 1 s, 2 s, ... up to 30 s between attempts, and settles on: an\n"
"epoch is committed whole or not at all, and never settled twice.  With\n"
"several hosts, give them all and target_session_attrs=read-write in\n"
"the connection string, so that libpq finds the primary.\n"
"\n"
"When the settlement guard stops an epoch (the rate moved more than\n"
"max_rate_change_bps), that product waits (the others go on); the stop is\n"
"logged once and kept in lrt.guard_trips.  Once a person has checked the\n"
"move, `lrt settle --product SYMBOL --accept-rate RATE` settles the epoch,\n"
"and the service settles on from there (an accept event submitted for the\n"
"epoch does as well).\n"
"\n"
"Signals: SIGTERM or SIGINT stop it after the epoch in progress commits\n"
"(exit status 0); SIGHUP reopens --log-file (after logrotate) and reads\n"
"the products again (a product created since is served from then on).\n"
"\n"
"Options:\n"
"  --product SYMBOL     a product to settle; repeat for several (default:\n"
"                       $LRT_PRODUCT, else every product of the database)\n"
"  --once               settle what is due, then exit\n"
"  --poll SECONDS       wake at least this often (default 30, 1..86400)\n"
"  --metrics-file PATH  after every cycle, rewrite PATH atomically in the\n"
"                       Prometheus text format (node_exporter's textfile\n"
"                       collector): settled epoch, seconds behind, events\n"
"                       waiting, queue, guard trips, leader, reconnections\n"
"  --log-format FORMAT  text (default) or json: one JSON object per line\n"
"  --log-file PATH      append the log to PATH (default: standard error)\n"
"  -d, --db DATABASE    the database: its name, or a libpq connection string\n"
"                       or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Each line of the log is an event worth knowing: the start, the connection,\n"
"leading or standing by, a settled epoch (its rate, events, milliseconds),\n"
"submissions judged, a guard stop and its end, a connection lost, each\n"
"attempt to reconnect, lost leadership, the stop.\n"
"\n"
"Exit status: 0 stopped by a signal, or --once done; 1 the database failed\n"
"(--once; otherwise it reconnects); 2 a usage error or an unknown product;\n"
"3 with --once, the settlement guard stopped an epoch.\n"
"\n"
"Examples:\n"
"  lrt serve --product rstETH --metrics-file /var/lib/lrt/metrics/lrt.prom\n"
"  lrt serve --once --log-format json\n"
"  lrt serve --db 'host=db1,db2 dbname=lrt target_session_attrs=read-write'\n"
"The README shows a systemd unit for it.\n";

/* Parses a whole number of seconds in 1..SERVE_POLL_MAX_SECONDS; -1 else. */
static int parse_seconds(const char *text)
{
	char *end;
	long value = strtol(text, &end, 10);

	if (end == text || *end != '\0' || value < 1 || value > SERVE_POLL_MAX_SECONDS)
		return -1;
	return (int)value;
}

/* Adds a --product; a symbol named twice is served once. */
static int add_product(serve_options *o, const char *symbol)
{
	const char **grown;
	size_t i;

	for (i = 0; i < o->symbol_count; i++)
		if (strcmp(o->symbols[i], symbol) == 0)
			return LRT_EXIT_OK;
	if (o->symbol_count == SERVE_PRODUCTS_MAX)
		return cli_usage_error("serve", "more than %d --product", SERVE_PRODUCTS_MAX);
	grown = realloc(o->symbols, (o->symbol_count + 1) * sizeof(*grown));
	if (grown == NULL) {
		cli_error("out of memory");
		return LRT_EXIT_FAILURE;
	}
	o->symbols = grown;
	o->symbols[o->symbol_count++] = symbol;
	return LRT_EXIT_OK;
}

/* Takes one of serve's own options, or a --product. */
static int parse_option(void *context, int option, char *value)
{
	serve_options *o = context;

	switch (option) {
	case CLI_OPTION_PRODUCT: return add_product(o, value);
	case 'o': o->once = true; return LRT_EXIT_OK;
	case 'm': o->metrics_path = value; return LRT_EXIT_OK;
	case 'l': o->log_path = value; return LRT_EXIT_OK;
	case 't':
		if ((o->poll_seconds = parse_seconds(value)) < 0)
			return cli_usage_error("serve", "--poll: \"%s\" is not a whole"
					       " number of seconds from 1 to %d",
					       value, SERVE_POLL_MAX_SECONDS);
		return LRT_EXIT_OK;
	default:
		if (strcmp(value, "text") == 0)
			o->log_format = SERVE_LOG_TEXT;
		else if (strcmp(value, "json") == 0)
			o->log_format = SERVE_LOG_JSON;
		else
			return cli_usage_error("serve", "--log-format: \"%s\" is"
					       " neither text nor json", value);
		return LRT_EXIT_OK;
	}
}

static int parse_options(serve_options *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "poll", required_argument, NULL, 't' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "log-file", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const cli_parser parser = { "serve", CLI_DB | CLI_PRODUCTS, NULL, options,
				    parse_option, o, 0 };
	cli_options parsed;
	int status;

	status = cli_parse_options(&parsed, &parser, argc, argv);
	o->conninfo = parsed.conninfo;
	return status;
}

static int run(int argc, char **argv)
{
	serve_options options;
	int status;

	memset(&options, 0, sizeof(options));
	options.poll_seconds = SERVE_POLL_DEFAULT_SECONDS;
	options.log_format = SERVE_LOG_TEXT;
	status = parse_options(&options, argc, argv);
	if (status == LRT_EXIT_OK)
		status = serve_run(&options);
	free(options.symbols);
	return status;
}

const lrt_command cmd_serve = {
	"serve",
	"the settlement service: settle each epoch as it completes",
	help,
	run,
};
