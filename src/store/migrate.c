/*
 * migrate.c - the migrations runner behind lrt_store_migrate (store.h).
 *
 * Forward only: each migrations/NNNN_title.sql is applied once, in version
 * order, in its own transaction together with its row in
 * lrt.schema_migrations (version, name, checksum, applied_at).  Then the
 * files of sql/, which only CREATE OR REPLACE views and functions, are
 * re-applied in one transaction, so that a changed view needs no migration.
 *
 * Runs are serialized by a session-level advisory lock on one fixed key:
 * a second `lrt migrate` waits, then finds the migrations applied and does
 * nothing.  The lock takes a single bigint key; the per-product settlement
 * locks use the two-int4 form, which PostgreSQL keeps in a separate key
 * space, so the two cannot collide.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "lrt/error.h"
#include "store/migration_set.h"
#include "store/store_internal.h"

/* A limit of limits.h as SQL text: its digits. */
#define SQL_NUMBER(limit) SQL_DIGITS(limit)
#define SQL_DIGITS(digits) #digits

/*
 * The runner's own bookkeeping, created before the first migration (and
 * never changed by one), so that the runner can always read what it did.
 * Its checks say limits.h's bounds of a migration's version and title.
 */
static const char bootstrap_sql[] =
	"CREATE SCHEMA IF NOT EXISTS lrt;\n"
	"CREATE TABLE IF NOT EXISTS lrt.schema_migrations (\n"
	"    version integer PRIMARY KEY CHECK (version BETWEEN 1 AND "
	SQL_NUMBER(LRT_MIGRATION_VERSION_MAX) "),\n"
	"    name text NOT NULL CHECK (name ~ '^[a-z0-9_]{1,"
	SQL_NUMBER(LRT_MIGRATION_TITLE_BYTES_MAX) "}$'),\n"
	"    checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),\n"
	"    applied_at timestamptz NOT NULL DEFAULT now()\n"
	");\n"
	"COMMENT ON TABLE lrt.schema_migrations IS 'One row per applied "
	"migration: migrations/NNNN_name.sql and the SHA-256 of its bytes.';\n";

/* Waits for the lock as long as it takes: migrations are rare and short. */
static int lock(lrt_store *store)
{
	const char *params[1] = { LRT_MIGRATE_LOCK_KEY };
	char ignored[8];

	return lrt_store_exec_value(ignored, sizeof(ignored), store,
		"SELECT pg_advisory_lock($1::bigint)", 1, params);
}

/*
 * Releases the lock, keeping the error (message and SQLSTATE) that may have
 * brought us here: a failed transaction is rolled back first.  Closing the
 * connection would release it too; a store that lives on must not keep it.
 */
static int unlock(lrt_store *store, int rc)
{
	const char *params[1] = { LRT_MIGRATE_LOCK_KEY };
	char message[1024];
	char sqlstate[sizeof(store->sqlstate)];
	char released[8];

	snprintf(message, sizeof(message), "%s", lrt_error_last());
	memcpy(sqlstate, store->sqlstate, sizeof(sqlstate));
	lrt_store_rollback(store);
	if (lrt_store_exec_value(released, sizeof(released), store,
		"SELECT pg_advisory_unlock($1::bigint)", 1, params) != 0 &&
	    rc == 0)
		return LRT_EDB;
	if (rc != 0) {
		lrt_error_set("%s", message);
		memcpy(store->sqlstate, sqlstate, sizeof(sqlstate));
	}
	return rc;
}

/* Creates the bookkeeping when it is not there yet: a member of lrt_admin,
 * who may not create schemas in the database, migrates one made before. */
static int bootstrap(lrt_store *store)
{
	char missing[8];
	int rc;

	rc = lrt_store_exec_value(missing, sizeof(missing), store,
		"SELECT to_regclass('lrt.schema_migrations') IS NULL", 0, NULL);
	if (rc != 0 || strcmp(missing, "t") != 0)
		return rc;
	if ((rc = lrt_store_exec_command(store, "BEGIN", 0, NULL)) != 0 ||
	    (rc = lrt_store_exec_script(store, bootstrap_sql,
					"lrt.schema_migrations")) != 0 ||
	    (rc = lrt_store_exec_command(store, "COMMIT", 0, NULL)) != 0)
		lrt_store_rollback(store);
	return rc;
}

/* Checks one applied row against its file: same name, same bytes. */
static int check_one(lrt_migration_file *file, const char *name,
		     const char *checksum, const char *applied_at)
{
	if (strcmp(file->title, name) != 0) {
		lrt_error_set("%s: version %04u was applied as %04u_%s.sql on %s; "
			      "an applied migration must not be renamed",
			      file->path, file->version, file->version, name,
			      applied_at);
		return LRT_ECHANGED;
	}
	if (strcmp(file->checksum, checksum) != 0) {
		lrt_error_set("%s: changed since it was applied on %s (SHA-256 "
			      "%.12s... then, %.12s... now); an applied migration "
			      "must not change: restore it and write a new one",
			      file->path, applied_at, checksum, file->checksum);
		return LRT_ECHANGED;
	}
	file->applied = true;
	return 0;
}

/*
 * Reads lrt.schema_migrations and checks every applied migration against its
 * file.  Counts them into the report.
 */
static int check_applied(lrt_migrate_report *report, lrt_store *store,
			 lrt_migration_set *set)
{
	PGresult *result = NULL;
	lrt_migration_file *file;
	unsigned version;
	int row, rc;

	if ((rc = lrt_store_exec_tuples(&result, store,
		"SELECT version, name, checksum, "
		"to_char(applied_at AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD HH24:MI:SS \"UTC\"') "
		"FROM lrt.schema_migrations ORDER BY version", 0, NULL)) != 0)
		goto done;
	for (row = 0; row < PQntuples(result); row++) {
		version = (unsigned)strtoul(PQgetvalue(result, row, 0), NULL, 10);
		file = lrt_migration_set_find(set, version);
		if (file == NULL) {
			lrt_error_set("the database has migration %04u_%s.sql, "
				      "which this lrt does not have: it was "
				      "migrated by a newer lrt", version,
				      PQgetvalue(result, row, 1));
			rc = LRT_ESTATE;
			goto done;
		}
		if ((rc = check_one(file, PQgetvalue(result, row, 1),
				    PQgetvalue(result, row, 2),
				    PQgetvalue(result, row, 3))) != 0)
			goto done;
		report->already_count++;
		report->latest_version = version;
	}
done:
	PQclear(result);
	return rc;
}

/* A pending migration below an applied one would apply out of order. */
static int check_order(const lrt_migration_set *set,
		       const lrt_migrate_report *report)
{
	size_t i;

	for (i = 0; i < set->migration_count; i++) {
		const lrt_migration_file *file = &set->migrations[i];

		if (!file->applied && file->version < report->latest_version) {
			lrt_error_set("%s: not applied, but the later migration "
				      "%04u is: migrations apply in order, so "
				      "number it after %04u", file->path,
				      report->latest_version,
				      report->latest_version);
			return LRT_ESTATE;
		}
	}
	return 0;
}

static int apply_one(lrt_store *store, const lrt_migration_file *file)
{
	char version[16];
	const char *params[3] = { version, file->title, file->checksum };
	int rc;

	snprintf(version, sizeof(version), "%u", file->version);
	if ((rc = lrt_store_exec_command(store, "BEGIN", 0, NULL)) != 0 ||
	    (rc = lrt_store_exec_script(store, file->text, file->path)) != 0 ||
	    (rc = lrt_store_exec_command(store,
		"INSERT INTO lrt.schema_migrations (version, name, checksum) "
		"VALUES ($1::integer, $2, $3)", 3, params)) != 0 ||
	    (rc = lrt_store_exec_command(store, "COMMIT", 0, NULL)) != 0) {
		lrt_store_rollback(store);
		return rc;
	}
	return 0;
}

/* Re-applies every file of sql/ in one transaction. */
static int apply_sql(lrt_store *store, const lrt_migration_set *set)
{
	size_t i;
	int rc;

	if (set->sql_count == 0)
		return 0;
	if ((rc = lrt_store_exec_command(store, "BEGIN", 0, NULL)) != 0)
		return rc;
	for (i = 0; i < set->sql_count; i++)
		if ((rc = lrt_store_exec_script(store, set->sql[i].text,
						set->sql[i].path)) != 0)
			break;
	if (rc == 0)
		rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(store);
	return rc;
}

int lrt_store_migrate(lrt_migrate_report *report, lrt_store *store,
		      const lrt_migrate_options *options)
{
	lrt_migration_set set;
	bool locked = false;
	size_t i;
	int rc;

	LRT_ASSERT(report != NULL && store != NULL);
	memset(report, 0, sizeof(*report));
	if ((rc = lrt_migration_set_load(&set, options != NULL
					 ? options->share_dir : NULL)) != 0)
		return rc;
	if ((rc = lock(store)) != 0)
		goto done;
	locked = true;
	if ((rc = bootstrap(store)) != 0 ||
	    (rc = check_applied(report, store, &set)) != 0 ||
	    (rc = check_order(&set, report)) != 0)
		goto done;
	for (i = 0; i < set.migration_count; i++) {
		if (set.migrations[i].applied)
			continue;
		if (options != NULL && options->on_apply != NULL)
			options->on_apply(options->context, set.migrations[i].path);
		if ((rc = apply_one(store, &set.migrations[i])) != 0)
			goto done;
		report->applied_count++;
		report->latest_version = set.migrations[i].version;
	}
	if ((rc = apply_sql(store, &set)) != 0)
		goto done;
	report->sql_count = (unsigned)set.sql_count;
done:
	if (locked)
		rc = unlock(store, rc);
	lrt_migration_set_clear(&set);
	return rc;
}
