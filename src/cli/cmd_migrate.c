/*
 * cmd_migrate.c - `lrt migrate`: brings a database's lrt schema up to date.
 *
 *   lrt migrate [--db DATABASE] [--dir DIR]
 *   lrt migrate status [--format table|json] [--db DATABASE] [--dir DIR]
 *
 * Prints each migration as it is applied, then one summary line; a second
 * run prints only "schema is up to date: N migrations applied".  `status`
 * shows every migration, applied, pending or changed, and changes nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "lrt/lrt.h"

static const char migrate_help[] =
"Usage: lrt migrate [--db DATABASE] [--dir DIR]\n"
"       lrt migrate status [--format table|json] [--db DATABASE] [--dir DIR]\n"
"\n"
"Brings the database's lrt schema up to date.  Applies, in order, every\n"
"migration (migrations/NNNN_title.sql) the database has not had yet, each\n"
"in its own transaction and recorded in lrt.schema_migrations with the\n"
"SHA-256 of its text; then re-applies the reporting views of sql/.  Running\n"
"it again does nothing and says so.  Two runs at once are safe: the second\n"
"waits for the first (an advisory lock) and then finds nothing to do.\n"
"\n"
"An applied migration whose file has changed since is refused, naming the\n"
"file, and nothing is applied: migrations are forward only, so a change is\n"
"a new migration.\n"
"\n"
"status shows every migration, by version: applied (with when, and the\n"
"SHA-256 recorded), pending (not applied yet: lrt migrate applies it),\n"
"changed (applied, but its file is not what was applied: lrt migrate\n"
"refuses to run) or unknown (applied by a newer lrt), then the counts.  It\n"
"only reads lrt.schema_migrations, in a read-only transaction: it takes no\n"
"lock and creates nothing, so a role granted only lrt_reader, a read-only\n"
"session or a hot standby may ask.\n"
"\n"
"The migrations are built into lrt, so it works from any directory.\n"
"\n"
"Options:\n"
"  -d, --db DATABASE\n"
"                 the database: its name (\"books\"), or a libpq connection\n"
"                 string (\"host=/run/postgresql dbname=books\") or URI\n"
"                 (\"postgresql://user@host/books\"); default: libpq's\n"
"                 environment and defaults\n"
"  --dir DIR      take the migrations from DIR/migrations and the views from\n"
"                 DIR/sql instead of those built in; an installed lrt has\n"
"                 them in " LRT_DATADIR "\n"
"  --format FORMAT\n"
"                 (status) table (the default): one line per migration,\n"
"                 the checksum's first 12 hex digits, then the counts;\n"
"                 json: an array of objects, one a line: version, name,\n"
"                 state, checksum, applied_at (UTC), file_name and\n"
"                 file_checksum (the file's now), null where there is none\n"
"  -h, --help     show this text\n"
"\n"
"Environment:\n"
"  PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGPASSWORD...\n"
"                 where to connect when --db is not given or leaves them out\n"
"  LRT_SHARE_DIR  as --dir, when --dir is not given\n"
"\n"
"Exit status: 0 the schema is up to date; 1 the database failed or refused\n"
"(a changed migration, a server error, a role that may not read\n"
"lrt.schema_migrations); 2 a usage error or a malformed connection string\n"
"or migration file name.  status exits 0 once it has shown the migrations,\n"
"whatever they are.\n"
"\n"
"Example:\n"
"  lrt migrate --db 'host=/var/run/postgresql dbname=books'\n"
"  applying migrations/0001_schema.sql\n"
"  schema migrated: 1 migration applied now, 1 in all\n"
"  lrt migrate status --db books\n";

static void print_applying(void *context, const char *path)
{
	(void)context;
	printf("applying %s\n", path);
	fflush(stdout);
}

static const char *plural(unsigned count)
{
	return count == 1 ? "" : "s";
}

typedef struct {
	const char *conninfo;
	bool status;              /* lrt migrate status */
	bool json;                /* --format json */
	lrt_migrate_options migrate;
} migrate_arguments;

/* Takes --dir, migrate's own option. */
static int parse_option(void *context, int option, char *value)
{
	migrate_arguments *a = context;

	(void)option;
	if (value[0] == '\0')
		return cli_usage_error("migrate", "--dir: empty");
	a->migrate.share_dir = value;
	return LRT_EXIT_OK;
}

static int parse_options(migrate_arguments *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const formats[] = { "table", "json", NULL };
	const cli_parser parser = { "migrate", CLI_DB | CLI_FORMAT, formats, options,
				    parse_option, a, 1 };
	const char *share_dir = getenv("LRT_SHARE_DIR");
	cli_options o;
	int status;

	memset(a, 0, sizeof(*a));
	a->migrate = (lrt_migrate_options)LRT_MIGRATE_OPTIONS_INIT;
	a->migrate.on_apply = print_applying;
	a->migrate.share_dir = share_dir != NULL && share_dir[0] != '\0' ? share_dir : NULL;
	if ((status = cli_parse_options(&o, &parser, argc, argv)) != LRT_EXIT_OK)
		return status;
	a->conninfo = o.conninfo;
	a->json = o.format == 1;
	if (o.argument_count == 1 && strcmp(argv[o.first_argument], "status") != 0)
		return cli_usage_error("migrate", "unknown verb %s (status)",
				       argv[o.first_argument]);
	a->status = o.argument_count == 1;
	if (!a->status && o.format != 0)
		return cli_usage_error("migrate", "--format goes with status");
	return LRT_EXIT_OK;
}

/* ---- lrt migrate status ---------------------------------------------------- */

static const char *const state_names[] = {
	[LRT_MIGRATION_APPLIED] = "applied",
	[LRT_MIGRATION_PENDING] = "pending",
	[LRT_MIGRATION_CHANGED] = "changed",
	[LRT_MIGRATION_UNKNOWN] = "unknown",
};

/* The migrations, copied out of the callback to be printed aligned. */
typedef struct {
	lrt_migration_status *rows;
	size_t count, capacity;
	unsigned counts[LRT_MIGRATION_UNKNOWN + 1];
} status_list;

static char *copy(const char *text, bool *failed)
{
	char *copied;

	if (text == NULL)
		return NULL;
	if ((copied = strdup(text)) == NULL)
		*failed = true;
	return copied;
}

static int keep_status(void *context, const lrt_migration_status *s)
{
	status_list *list = context;
	lrt_migration_status *row;
	bool failed = false;

	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? 2 * list->capacity : 16;
		lrt_migration_status *grown = realloc(list->rows, capacity * sizeof(*grown));

		if (grown == NULL) {
			lrt_error_set("out of memory listing the migrations");
			return LRT_ENOMEM;
		}
		list->rows = grown;
		list->capacity = capacity;
	}
	row = &list->rows[list->count++];
	*row = *s;
	row->name = copy(s->name, &failed);
	row->checksum = copy(s->checksum, &failed);
	row->applied_at = copy(s->applied_at, &failed);
	row->file_name = copy(s->file_name, &failed);
	row->file_checksum = copy(s->file_checksum, &failed);
	list->counts[s->state]++;
	if (failed) {
		lrt_error_set("out of memory listing the migrations");
		return LRT_ENOMEM;
	}
	return 0;
}

static void status_list_free(status_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free((char *)list->rows[i].name);
		free((char *)list->rows[i].checksum);
		free((char *)list->rows[i].applied_at);
		free((char *)list->rows[i].file_name);
		free((char *)list->rows[i].file_checksum);
	}
	free(list->rows);
}

/* What the last column says beyond the checksum: why a row is not plain. */
static void print_note(const lrt_migration_status *s)
{
	if (s->state == LRT_MIGRATION_CHANGED && strcmp(s->name, s->file_name) != 0)
		printf("  (the file is %04u_%s.sql now)", s->version, s->file_name);
	else if (s->state == LRT_MIGRATION_CHANGED)
		printf("  (the file's is %.12s now)", s->file_checksum);
	else if (s->state == LRT_MIGRATION_UNKNOWN)
		printf("  (not in this lrt: a newer one applied it)");
}

static void print_status_table(const status_list *list)
{
	int width = (int)strlen("name");
	size_t i;

	for (i = 0; i < list->count; i++)
		if ((int)strlen(list->rows[i].name) > width)
			width = (int)strlen(list->rows[i].name);
	printf("version  %-*s  state    %-23s  checksum\n", width, "name", "applied_at");
	for (i = 0; i < list->count; i++) {
		const lrt_migration_status *s = &list->rows[i];

		printf("   %04u  %-*s  %-7s  %-23s  %.12s", s->version, width, s->name,
		       state_names[s->state], s->applied_at ? s->applied_at : "",
		       s->checksum ? s->checksum : s->file_checksum);
		print_note(s);
		putchar('\n');
	}
	printf("(%zu migration%s: %u applied, %u pending, %u changed",
	       list->count, plural((unsigned)list->count),
	       list->counts[LRT_MIGRATION_APPLIED], list->counts[LRT_MIGRATION_PENDING],
	       list->counts[LRT_MIGRATION_CHANGED]);
	if (list->counts[LRT_MIGRATION_UNKNOWN] > 0)
		printf(", %u unknown", list->counts[LRT_MIGRATION_UNKNOWN]);
	printf(")\n");
	if (list->counts[LRT_MIGRATION_CHANGED] > 0)
		printf("lrt migrate refuses to run while an applied migration has changed:"
		       " restore its file, and write the change as a new migration\n");
	else if (list->counts[LRT_MIGRATION_PENDING] > 0)
		printf("lrt migrate applies the pending ones\n");
}

static json_t *status_object(const lrt_migration_status *s)
{
	char version[16];

	snprintf(version, sizeof(version), "%u", s->version);
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}",
			 "version", version, "name", s->name,
			 "state", state_names[s->state], "checksum", s->checksum,
			 "applied_at", s->applied_at, "file_name", s->file_name,
			 "file_checksum", s->file_checksum);
}

/* An array of objects, one a line, as `lrt status --format json` writes. */
static int print_status_json(const status_list *list)
{
	size_t i;

	fputs(list->count == 0 ? "[" : "[\n", stdout);
	for (i = 0; i < list->count; i++) {
		json_t *object = status_object(&list->rows[i]);
		int written;

		if (object == NULL) {
			lrt_error_set("out of memory writing the migrations");
			return LRT_ENOMEM;
		}
		written = json_dumpf(object, stdout, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		json_decref(object);
		if (written != 0) {
			lrt_error_set("cannot write the migrations to standard output");
			return LRT_EIO;
		}
		fputs(i + 1 < list->count ? ",\n" : "\n", stdout);
	}
	fputs("]\n", stdout);
	return 0;
}

static int run_status(lrt_store *store, const migrate_arguments *a)
{
	status_list list;
	int rc;

	memset(&list, 0, sizeof(list));
	rc = lrt_store_migrate_status(store, &a->migrate, keep_status, &list);
	if (rc == 0 && a->json)
		rc = print_status_json(&list);
	else if (rc == 0)
		print_status_table(&list);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		lrt_error_set("cannot write the migrations to standard output");
		rc = LRT_EIO;
	}
	status_list_free(&list);
	return rc;
}

/* ---- lrt migrate ----------------------------------------------------------- */

static void print_report(const lrt_migrate_report *report)
{
	if (report->applied_count == 0)
		printf("schema is up to date: %u migration%s applied\n",
		       report->already_count, plural(report->already_count));
	else
		printf("schema migrated: %u migration%s applied now, %u in all\n",
		       report->applied_count, plural(report->applied_count),
		       report->applied_count + report->already_count);
}

static int run_migrate(int argc, char **argv)
{
	migrate_arguments a;
	lrt_migrate_report report;
	lrt_store *store = NULL;
	int status, rc;

	if ((status = parse_options(&a, argc, argv)) != LRT_EXIT_OK)
		return status;
	if ((rc = lrt_store_connect(&store, a.conninfo)) == 0)
		rc = a.status ? run_status(store, &a)
		     : lrt_store_migrate(&report, store, &a.migrate);
	if (rc != 0) {
		cli_error("%s", lrt_error_last());
		status = cli_exit_status(rc);
		goto done;
	}
	if (!a.status)
		print_report(&report);
	status = LRT_EXIT_OK;
done:
	lrt_store_close(store);
	return status;
}

const lrt_command cmd_migrate = {
	"migrate",
	"apply the database migrations and reporting views; status: which are",
	migrate_help,
	run_migrate,
};
