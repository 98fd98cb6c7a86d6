/*
 * cmd_ingest.c - `lrt ingest`: loads event files (JSON Lines or CSV) into a
 * product's inbox, keeping malformed and late lines aside.
 *
 *   lrt ingest [--product SYMBOL] [--format jsonl|csv] [--db DATABASE] FILE...
 *   lrt ingest --pending [--product SYMBOL] [--db DATABASE] [FILE...]
 *
 * Prints one summary line of the totals; on standard error each kept-aside
 * line (the first LRT_REJECTS_SHOWN, then a count) and each file's summary
 * line after its rejects; progress on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "lrt/ingest.h"
#include "lrt/lrt.h"

static const char help[] =
"Usage: lrt ingest [--product SYMBOL] [--format jsonl|csv|auto] [--db DATABASE]\n"
"                  FILE...\n"
"       lrt ingest --pending [--product SYMBOL] [--db DATABASE] [FILE...]\n"
"\n"
"Loads events into the product's inbox, where `lrt settle` finds them.  FILE\n"
"is JSON Lines or CSV (by its extension: .csv is CSV, anything else JSON\n"
"Lines; --format decides for all files); - reads standard input.  Files load\n"
"in the order given, each in one transaction.\n"
"\n"
"JSON Lines: one event per line, as in the scenarios (SPEC.md section 3):\n"
"  {\"id\": \"0xab..:7\", \"type\": \"deposit\", \"epoch\": 3, \"holder\": \"alice\",\n"
"   \"asset\": \"ETH\", \"amount\": \"1000000000000000000\"}\n"
"A leading {\"product\": {...}} line of the same product is skipped, so a\n"
"scenario file ingests as it is; blank lines are skipped.  A UTF-8 byte\n"
"order mark at the start of a file is skipped, in JSON Lines and CSV (as by\n"
"`lrt simulate` and `lrt product create`).\n"
"\n"
"CSV: a header row names the fields, then one event per row (RFC 4180\n"
"quoting: a cell with a comma, quote or newline is quoted, quotes doubled):\n"
"  id,type,epoch,time,seq,holder,asset,amount,fee_recipients\n"
"  d1,deposit,3,,,alice,ETH,1000000000000000000,\n"
"  c1,config,,2025-07-11T00:00:00Z,,,,,\"[{\"\"holder\"\": \"\"treasury\"\", \"\"bps\"\": 10000}]\"\n"
"An empty cell is an absent field.  epoch, seq, fee_bps, delay_epochs,\n"
"max_apr_bps, max_rate_change_bps (and time, when all digits) are numbers;\n"
"fee_recipients and points hold their JSON lists; fee_high_water_mark is\n"
"true or false; every other cell is a string, amounts and wads included\n"
"(a slash fills one of amount and wad and leaves the other empty).  The\n"
"delimiter is the comma: a header with no commas but semicolons or tabs is\n"
"refused, saying so.  A column that is no field is kept with each event and\n"
"ignored, unless it looks like a misspelling of a field the header lacks:\n"
"  typo.csv:1: header: column 3 \"tme\" is unknown; did you mean \"time\"?\n"
"refuses the file.\n"
"\n"
"What happens to each line:\n"
"  loaded      a well-formed event of an epoch not yet settled, new id\n"
"  duplicate   an id stored before with the same content: ignored, so\n"
"              ingesting a file again changes nothing\n"
"  rejected    kept aside in lrt.ingest_rejects with file, line and reason:\n"
"              malformed (not JSON, a bad number, an unknown type, a missing\n"
"              field, a bad time, epoch and time disagreeing, ...), an id\n"
"              stored before with other content, or an epoch already settled;\n"
"              the reason names every problem of the line (up to 10), a\n"
"              time as it was written; one row per file and line, which a\n"
"              second try of the file updates\n"
"The other lines load all the same.  Events that are well-formed but cannot\n"
"apply (an unknown asset, an overdraw) load; `lrt settle` rejects them.\n"
"Several ingests at once, even of the same files, store each event once.\n"
"Every event is judged by the same code as `lrt simulate`'s.\n"
"\n"
"--pending: the events submitted with SQL first, then the FILEs.  A\n"
"back-office (the lrt_writer role) submits an event with\n"
"  INSERT INTO lrt.submissions (product, event)\n"
"  VALUES ('rstETH', '{\"id\": \"w9\", \"type\": \"withdraw\", ...}');\n"
"and each submission of the product is loaded, or kept aside in\n"
"lrt.ingest_rejects (file lrt.submissions, line its submission_id), as a\n"
"line of a file would be, and leaves lrt.submissions.\n"
"\n"
"Prints: read N, loaded N, duplicates N, rejected N (all files).  On\n"
"standard error, each file's rejected lines as FILE:LINE: reason (the first\n"
"20 in all), then its summary line, FILE: N records: N loaded, N duplicates,\n"
"N kept aside.  On a terminal, long files show their progress.\n"
"\n"
"Options:\n"
"  --product SYMBOL   the product (needed when the database holds several);\n"
"                     default: $LRT_PRODUCT\n"
"  --pending          judge the events submitted to lrt.submissions\n"
"  --format FORMAT    jsonl or csv, for every FILE; auto (the default):\n"
"                     by each file's extension\n"
"  -d, --db DATABASE  the database: its name, or a libpq connection string\n"
"                     or URI; default: libpq's environment (PGDATABASE...)\n"
"\n"
"Exit status: 0 every line loaded or was a duplicate; 2 some lines were kept\n"
"aside (the others loaded), a usage error, or a file refused whole (its\n"
"{\"product\"} line names another product, its CSV header is malformed);\n"
"1 a file could not be read or the database failed (that file is rolled\n"
"back, the files before it stay loaded).\n"
"\n"
"Example:\n"
"  lrt ingest --product rstETH events-2025-07-11.jsonl\n"
"  events-2025-07-11.jsonl:88: amount: \"12x\" is not a decimal integer ([0-9]+)\n"
"  events-2025-07-11.jsonl: 1204 records: 1200 loaded, 3 duplicates, 1 kept aside\n"
"  read 1204, loaded 1200, duplicates 3, rejected 1\n";

typedef struct {
	const char *conninfo;
	const char *symbol;
	lrt_ingest_format format;
	int pending;
	int first_file;
} ingest_arguments;

/* What the callbacks share. */
typedef struct {
	int terminal;            /* stderr is a terminal: show progress */
	int progress_shown;      /* a progress line is on screen */
	struct timespec last;    /* when it was drawn */
	uint64_t rejects_seen;
} ingest_view;

/* Takes ingest's own option, --pending. */
static int parse_option(void *context, int option, char *value)
{
	ingest_arguments *a = context;

	(void)option;
	(void)value;
	a->pending = 1;
	return LRT_EXIT_OK;
}

static int parse_options(ingest_arguments *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "pending", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	/* In the order of lrt_ingest_format's values. */
	static const char *const formats[] = { "auto", "jsonl", "csv", NULL };
	const cli_parser parser = { "ingest", CLI_DB | CLI_PRODUCT | CLI_FORMAT,
				    formats, options, parse_option, a, -1 };
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	a->conninfo = o.conninfo;
	a->symbol = o.symbol;
	a->format = o.format == 1 ? LRT_INGEST_JSONL
		    : o.format == 2 ? LRT_INGEST_CSV : LRT_INGEST_AUTO;
	if (o.argument_count == 0 && !a->pending)
		return cli_usage_error("ingest", "name at least one FILE (- for "
				       "standard input), or --pending");
	a->first_file = o.first_argument;
	return LRT_EXIT_OK;
}

static void clear_progress(ingest_view *v)
{
	if (v->progress_shown) {
		fputs("\r\033[K", stderr);
		v->progress_shown = 0;
	}
}

/* At most five redraws a second, so that progress costs nothing. */
static void show_progress(void *context, const lrt_ingest_progress *p)
{
	ingest_view *v = context;
	struct timespec now;
	long elapsed_ms;

	if (!v->terminal)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed_ms = (now.tv_sec - v->last.tv_sec) * 1000
		     + (now.tv_nsec - v->last.tv_nsec) / 1000000;
	if (!p->done && v->progress_shown && elapsed_ms < 200)
		return;
	v->last = now;
	if (p->done)
		fprintf(stderr, "\r\033[K%s: %llu records read, validating and loading...",
			p->path, (unsigned long long)p->records);
	else if (p->bytes_total > 0)
		fprintf(stderr, "\r\033[K%s: %3u%%, %llu records", p->path,
			(unsigned)(p->bytes_read * 100 / p->bytes_total),
			(unsigned long long)p->records);
	else
		fprintf(stderr, "\r\033[K%s: %llu records", p->path,
			(unsigned long long)p->records);
	fflush(stderr);
	v->progress_shown = 1;
}

static void show_reject(void *context, const char *file, uint64_t line,
			const char *reason)
{
	ingest_view *v = context;

	clear_progress(v);
	fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, reason);
	v->rejects_seen++;
}

/* A file's summary line, after its rejects. */
static void show_summary(ingest_view *v, const char *file, const lrt_ingest_report *r)
{
	clear_progress(v);
	fprintf(stderr, "%s: %llu record%s: %llu loaded, %llu duplicate%s, %llu kept aside\n",
		file, (unsigned long long)r->read, r->read == 1 ? "" : "s",
		(unsigned long long)r->loaded, (unsigned long long)r->duplicates,
		r->duplicates == 1 ? "" : "s", (unsigned long long)r->rejected);
}

static void add_report(lrt_ingest_report *total, const lrt_ingest_report *one)
{
	total->read += one->read;
	total->loaded += one->loaded;
	total->duplicates += one->duplicates;
	total->rejected += one->rejected;
	total->files_done += one->files_done;
}

/*
 * The files one at a time, each with its summary line; the rejects shown
 * stay LRT_REJECTS_SHOWN in all.  Stops at the first file that fails, as
 * lrt_ingest_files does, the files before it counted in `total`.
 */
static int ingest_files(lrt_ingest_report *total, ingest_view *view, lrt_store *store,
			const char *symbol, char **paths, int count,
			lrt_ingest_options *options)
{
	lrt_ingest_report one;
	int i, rc = 0;

	for (i = 0; i < count && rc == 0; i++) {
		options->reject_detail_max = view->rejects_seen < LRT_REJECTS_SHOWN
					     ? LRT_REJECTS_SHOWN - view->rejects_seen : 0;
		rc = lrt_ingest_files(&one, store, symbol, (const char *const *)paths + i, 1,
				      options);
		if (rc != 0)
			break;
		show_summary(view, strcmp(paths[i], "-") == 0 ? "<stdin>" : paths[i], &one);
		add_report(total, &one);
	}
	return rc;
}

static int run(int argc, char **argv)
{
	ingest_arguments a;
	ingest_view view;
	lrt_ingest_options options = LRT_INGEST_OPTIONS_INIT;
	lrt_ingest_report report, pending;
	lrt_store *store = NULL;
	int status, rc;

	status = parse_options(&a, argc, argv);
	if (status != LRT_EXIT_OK)
		return status;
	memset(&view, 0, sizeof(view));
	view.terminal = isatty(STDERR_FILENO);
	options.format = a.format;
	options.on_progress = show_progress;
	options.on_reject = show_reject;
	options.reject_detail_max = LRT_REJECTS_SHOWN;
	options.context = &view;
	memset(&report, 0, sizeof(report));
	memset(&pending, 0, sizeof(pending));
	rc = lrt_store_connect(&store, a.conninfo);
	if (rc == 0 && a.pending)
		rc = lrt_ingest_pending(&pending, store, a.symbol, &options);
	if (rc == 0 && a.pending)
		show_summary(&view, LRT_INGEST_SUBMISSIONS, &pending);
	if (rc == 0 && a.first_file < argc)
		rc = ingest_files(&report, &view, store, a.symbol, argv + a.first_file,
				  argc - a.first_file, &options);
	add_report(&report, &pending);
	clear_progress(&view);
	if (report.rejected > view.rejects_seen)
		fprintf(stderr, "... and %llu more lines kept aside (SELECT * FROM "
			"lrt.ingest_rejects)\n",
			(unsigned long long)(report.rejected - view.rejects_seen));
	if (rc != 0)
		cli_error("%s", lrt_error_last());
	if (rc == 0 || report.files_done > 0)
		printf("read %llu, loaded %llu, duplicates %llu, rejected %llu%s\n",
		       (unsigned long long)report.read, (unsigned long long)report.loaded,
		       (unsigned long long)report.duplicates,
		       (unsigned long long)report.rejected,
		       rc != 0 ? " (before the failure)" : "");
	lrt_store_close(store);
	if (rc != 0)
		return cli_exit_status(rc);
	return report.rejected > 0 ? LRT_EXIT_USAGE : LRT_EXIT_OK;
}

const lrt_command cmd_ingest = {
	"ingest",
	"load event files (JSON Lines, CSV) into a product's inbox",
	help,
	run,
};
