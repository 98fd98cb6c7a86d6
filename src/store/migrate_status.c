/*
 * migrate_status.c - lrt_store_migrate_status (store.h): which migrations a
 * database has had, which it has not, and which changed since.
 *
 * The answer for `lrt migrate status`, asked by people who may not migrate:
 * a login granted only lrt_reader, one whose transactions are read only, a
 * hot standby.  So it reads lrt.schema_migrations in a READ ONLY
 * transaction and nothing else: no advisory lock (a running `lrt migrate`
 * does not make it wait), no bootstrap of the table, no write.  The
 * comparison with the files is the runner's own (migrate.c): the same
 * files, the same checksums, the same notion of a changed migration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "lrt/error.h"
#include "store/migration_set.h"
#include "store/store_internal.h"

/* The applied rows, by version; a database never migrated has none. */
static int read_applied(PGresult **out, lrt_store *store)
{
	char present[8];
	int rc;

	*out = NULL;
	rc = lrt_store_exec_value(present, sizeof(present), store,
		"SELECT to_regclass('lrt.schema_migrations') IS NOT NULL", 0, NULL);
	if (rc != 0 || strcmp(present, "t") != 0)
		return rc;
	return lrt_store_exec_tuples(out, store,
		"SELECT version, name, checksum, "
		"to_char(applied_at AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD HH24:MI:SS \"UTC\"') "
		"FROM lrt.schema_migrations ORDER BY version", 0, NULL);
}

/* A version as the table stores it: 1..9999, nothing else. */
static int parse_version(unsigned *out, const char *text)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0
	    || value < 1 || value > LRT_MIGRATION_VERSION_MAX) {
		lrt_error_set("lrt.schema_migrations: version \"%s\" is not "
			      "1..%d", text, LRT_MIGRATION_VERSION_MAX);
		return LRT_EDB;
	}
	*out = (unsigned)value;
	return 0;
}

/* One applied row, with its file when this lrt has one. */
static void describe_applied(lrt_migration_status *s, const PGresult *rows,
			     int row, const lrt_migration_file *file)
{
	s->name = PQgetvalue(rows, row, 1);
	s->checksum = PQgetvalue(rows, row, 2);
	s->applied_at = PQgetvalue(rows, row, 3);
	if (file == NULL) {
		s->state = LRT_MIGRATION_UNKNOWN;
		return;
	}
	s->file_name = file->title;
	s->file_checksum = file->checksum;
	s->state = strcmp(file->title, s->name) == 0
		   && strcmp(file->checksum, s->checksum) == 0
		   ? LRT_MIGRATION_APPLIED : LRT_MIGRATION_CHANGED;
}

/* Walks the files and the applied rows together, both by version. */
static int report_each(const PGresult *rows, const lrt_migration_set *set,
		       lrt_migration_status_fn fn, void *context)
{
	int row = 0, row_count = rows != NULL ? PQntuples(rows) : 0;
	size_t file = 0;
	unsigned version = 0;
	int rc = 0;

	while (rc == 0 && (row < row_count || file < set->migration_count)) {
		const lrt_migration_file *f = file < set->migration_count
					      ? &set->migrations[file] : NULL;
		lrt_migration_status s;

		memset(&s, 0, sizeof(s));
		if (row < row_count && (rc = parse_version(&version,
					PQgetvalue(rows, row, 0))) != 0)
			break;
		if (row < row_count && (f == NULL || version <= f->version)) {
			s.version = version;
			f = f != NULL && f->version == version ? f : NULL;
			describe_applied(&s, rows, row++, f);
			file += f != NULL;
		} else {
			LRT_ASSERT(f != NULL);
			s.version = f->version;
			s.state = LRT_MIGRATION_PENDING;
			s.name = s.file_name = f->title;
			s.file_checksum = f->checksum;
			file++;
		}
		rc = fn(context, &s);
	}
	return rc;
}

int lrt_store_migrate_status(lrt_store *store, const lrt_migrate_options *options,
			     lrt_migration_status_fn fn, void *context)
{
	lrt_migration_set set;
	PGresult *rows = NULL;
	int rc;

	LRT_ASSERT(store != NULL && fn != NULL);
	if ((rc = lrt_migration_set_load(&set, options != NULL
					 ? options->share_dir : NULL)) != 0)
		return rc;
	if ((rc = lrt_store_exec_command(store, "BEGIN READ ONLY", 0, NULL)) != 0)
		goto done;
	if ((rc = read_applied(&rows, store)) == 0)
		rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(store);
	else
		rc = report_each(rows, &set, fn, context);
done:
	PQclear(rows);
	lrt_migration_set_clear(&set);
	return rc;
}
