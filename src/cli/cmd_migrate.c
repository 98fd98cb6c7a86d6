/*
 * cmd_migrate.c - `lrt migrate`: brings a database's lrt schema up to date.
 *
 *   lrt migrate [--db CONNINFO] [--dir DIR]
 *
 * Prints each migration as it is applied, then one summary line; a second
 * run prints only "schema is up to date: N migrations applied".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "lrt/lrt.h"

static const char migrate_help[] =
"Usage: lrt migrate [--db CONNINFO] [--dir DIR]\n"
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
"The migrations are built into lrt, so it works from any directory.\n"
"\n"
"Options:\n"
"  --db CONNINFO  the database, as a libpq connection string\n"
"                 (\"host=/run/postgresql dbname=books\") or URI\n"
"                 (\"postgresql://user@host/books\"); default: libpq's\n"
"                 environment and defaults\n"
"  --dir DIR      take the migrations from DIR/migrations and the views from\n"
"                 DIR/sql instead of those built in; an installed lrt has\n"
"                 them in " LRT_DATADIR "\n"
"  -h, --help     show this text\n"
"\n"
"Environment:\n"
"  PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGPASSWORD...\n"
"                 where to connect when --db is not given or leaves them out\n"
"  LRT_SHARE_DIR  as --dir, when --dir is not given\n"
"\n"
"Exit status: 0 the schema is up to date; 1 the database failed or refused\n"
"(a changed migration, a server error); 2 a usage error or a malformed\n"
"connection string or migration file name.\n"
"\n"
"Example:\n"
"  lrt migrate --db 'host=/var/run/postgresql dbname=books'\n"
"  applying migrations/0001_schema.sql\n"
"  schema migrated: 1 migration applied now, 1 in all\n";

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

static int parse_options(const char **conninfo, const char **share_dir,
			 int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	int option;

	*conninfo = NULL;
	*share_dir = getenv("LRT_SHARE_DIR");
	if (*share_dir != NULL && (*share_dir)[0] == '\0')
		*share_dir = NULL;
	opterr = 0;
	optind = 1;
	while ((option = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (option) {
		case 'd':
			*conninfo = optarg;
			break;
		case 'D':
			if (optarg[0] == '\0')
				return cli_usage_error("migrate", "--dir: empty");
			*share_dir = optarg;
			break;
		case ':':
			return cli_usage_error("migrate", "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("migrate", "unknown option %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("migrate", "unexpected argument %s",
				       argv[optind]);
	return LRT_EXIT_OK;
}

static int run_migrate(int argc, char **argv)
{
	lrt_migrate_options options = { NULL, print_applying, NULL };
	lrt_migrate_report report;
	lrt_store *store = NULL;
	const char *conninfo;
	int status, rc;

	if ((status = parse_options(&conninfo, &options.share_dir, argc,
				    argv)) != LRT_EXIT_OK)
		return status;
	if ((rc = lrt_store_connect(&store, conninfo)) != 0 ||
	    (rc = lrt_store_migrate(&report, store, &options)) != 0) {
		cli_error("%s", lrt_error_last());
		status = cli_exit_status(rc);
		goto done;
	}
	if (report.applied_count == 0)
		printf("schema is up to date: %u migration%s applied\n",
		       report.already_count, plural(report.already_count));
	else
		printf("schema migrated: %u migration%s applied now, %u in all\n",
		       report.applied_count, plural(report.applied_count),
		       report.applied_count + report.already_count);
	status = LRT_EXIT_OK;
done:
	lrt_store_close(store);
	return status;
}

const lrt_command cmd_migrate = {
	"migrate",
	"apply the database migrations and reporting views",
	migrate_help,
	run_migrate,
};
