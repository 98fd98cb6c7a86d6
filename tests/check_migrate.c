/*
 * check_migrate.c - the migrations runner (src/store/migrate.c,
 * migration_set.c) and `lrt migrate`, against fresh databases of the test
 * cluster: a first run, a second that changes nothing, an edited, renamed,
 * misnamed, broken or out-of-order migration, reporting views, and two runs
 * at once; and a migration's checksum, which is what sha256sum says of its
 * bytes.
 *
 * Test migrations are numbered from 9000, after any the project will have.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "lrt/error.h"
#include "store/embedded.h"
#include "store/migration_set.h"
#include "store/store_internal.h"

/* ---- helpers -------------------------------------------------------------- */

static unsigned embedded_count(const char *folder)
{
	const struct lrt_embedded_file *file;
	unsigned count = 0;

	for (file = lrt_embedded_files; file->path != NULL; file++)
		count += strncmp(file->path, folder, strlen(folder)) == 0;
	return count;
}

static const struct lrt_embedded_file *embedded(const char *path)
{
	const struct lrt_embedded_file *file;

	for (file = lrt_embedded_files; file->path != NULL; file++)
		if (strcmp(file->path, path) == 0)
			return file;
	ck_abort_msg("%s is not embedded", path);
	return NULL;
}

/* A scratch share dir holding copies of the embedded files. */
static void make_share_dir(char *out, size_t size)
{
	const struct lrt_embedded_file *file;
	char path[2048];

	lrt_test_scratch(out, size);
	for (file = lrt_embedded_files; file->path != NULL; file++) {
		snprintf(path, sizeof(path), "%s/%s", out, file->path);
		lrt_test_write_file(path, file->data);
	}
}

static void add_file(const char *share_dir, const char *name, const char *text)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", share_dir, name);
	lrt_test_write_file(path, text);
}

/* Runs the library's migrate on the test database. */
static int migrate(lrt_migrate_report *report, const char *share_dir)
{
	lrt_migrate_options options = LRT_MIGRATE_OPTIONS_INIT;
	lrt_store *store = NULL;
	int rc;

	options.share_dir = share_dir;
	ck_assert_msg(lrt_store_connect(&store, NULL) == 0, "%s",
		      lrt_error_last());
	rc = lrt_store_migrate(report, store, &options);
	lrt_store_close(store);
	return rc;
}

/* lrt.schema_migrations, one line per row, applied_at included. */
static const char *applied_rows(PGconn *conn)
{
	return lrt_test_value(conn,
		"SELECT coalesce(string_agg(version || ' ' || name || ' ' || "
		"checksum || ' ' || applied_at, E'\\n' ORDER BY version), '') "
		"FROM lrt.schema_migrations");
}

/* What the embedded migrations make lrt.schema_migrations hold. */
static void expected_rows(char *out, size_t size)
{
	const struct lrt_embedded_file *file;
	char hex[LRT_MIGRATION_CHECKSUM_BYTES];
	size_t used = 0;

	out[0] = '\0';
	for (file = lrt_embedded_files; file->path != NULL; file++) {
		const char *name = file->path + strlen("migrations/");

		if (strncmp(file->path, "migrations/", 11) != 0)
			continue;
		ck_assert_int_eq(lrt_migration_checksum(hex, file->data, file->length), 0);
		used += (size_t)snprintf(out + used, size - used, "%s%d %.*s %s",
			used ? "\n" : "", atoi(name), (int)(strlen(name) - 9),
			name + 5, hex);
	}
}

/* Everything the migrations made in schema lrt, as one digest. */
static const char *schema_digest(PGconn *conn)
{
	return lrt_test_value(conn,
		"SELECT md5(string_agg(d, E'\\n' ORDER BY d)) FROM ("
		" SELECT 'column ' || table_name || '.' || column_name || ' ' ||"
		"  data_type || ' ' || is_nullable || ' ' ||"
		"  coalesce(column_default, '') AS d"
		"  FROM information_schema.columns WHERE table_schema = 'lrt'"
		" UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' ||"
		"  conname || ' ' || pg_get_constraintdef(oid)"
		"  FROM pg_constraint WHERE connamespace = 'lrt'::regnamespace"
		" UNION ALL SELECT 'index ' || indexdef FROM pg_indexes"
		"  WHERE schemaname = 'lrt'"
		" UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid)"
		"  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
		"  WHERE c.relnamespace = 'lrt'::regnamespace AND NOT t.tgisinternal"
		" UNION ALL SELECT 'function ' || pg_get_functiondef(p.oid)"
		"  FROM pg_proc p WHERE p.pronamespace = 'lrt'::regnamespace"
		") parts");
}

/* The highest version embedded. */
static unsigned embedded_latest(void)
{
	const struct lrt_embedded_file *file;
	unsigned latest = 0;

	for (file = lrt_embedded_files; file->path != NULL; file++)
		if (strncmp(file->path, "migrations/", 11) == 0)
			latest = (unsigned)atoi(file->path + 11);
	return latest;
}

static const char *plural(unsigned count)
{
	return count == 1 ? "" : "s";
}

/* What `lrt migrate` prints when it applies every embedded migration. */
static void expected_first_run(char *out, size_t size)
{
	const struct lrt_embedded_file *file;
	unsigned count = embedded_count("migrations/");
	size_t used = 0;

	for (file = lrt_embedded_files; file->path != NULL; file++)
		if (strncmp(file->path, "migrations/", 11) == 0)
			used += (size_t)snprintf(out + used, size - used,
						 "applying %s\n", file->path);
	snprintf(out + used, size - used, "schema migrated: %u migration%s "
		 "applied now, %u in all\n", count, plural(count), count);
}

static void expected_up_to_date(char *out, size_t size, unsigned count)
{
	snprintf(out, size, "schema is up to date: %u migration%s applied\n",
		 count, plural(count));
}

static void note_path(void *context, const char *path)
{
	char *seen = context;

	strcat(seen, path);
	strcat(seen, ";");
}

/* ---- a first run, and a second -------------------------------------------- */

START_TEST(test_first_run_applies_every_migration)
{
	/* The tables of 0001_schema.sql; later migrations may add more. */
	static const char tables[] = "epochs holders inbox ingest_rejects "
		"journal locations positions prices product_assets product_state "
		"products rejected_events schema_migrations withdrawal_requests";
	char seen[4096] = "", expected[8192];
	lrt_migrate_options options = LRT_MIGRATE_OPTIONS_INIT;
	lrt_migrate_report report;
	lrt_store *store = NULL;
	PGconn *conn = lrt_test_connect();
	unsigned count = embedded_count("migrations/");

	options.on_apply = note_path;
	options.context = seen;
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regnamespace('lrt') IS NULL"), "t");
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_int_eq(lrt_store_migrate(&report, store, &options), 0);
	lrt_store_close(store);
	ck_assert_uint_eq(report.applied_count, count);
	ck_assert_uint_eq(report.already_count, 0);
	ck_assert_uint_eq(report.sql_count, embedded_count("sql/"));
	ck_assert_uint_eq(report.latest_version, embedded_latest());
	ck_assert_int_eq(strncmp(seen, "migrations/0001_schema.sql;", 27), 0);

	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM "
		"information_schema.tables WHERE table_schema = 'lrt' AND "
		"table_type = 'BASE TABLE' AND table_name = ANY (string_to_array("
		"'epochs holders inbox ingest_rejects journal locations positions "
		"prices product_assets product_state products rejected_events "
		"schema_migrations withdrawal_requests', ' '))"), tables);
	expected_rows(expected, sizeof(expected));
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(version || ' ' || name || ' ' || checksum, "
		"E'\\n' ORDER BY version) FROM lrt.schema_migrations"), expected);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT bool_and(applied_at BETWEEN now() - interval '1 minute' "
		"AND now()) FROM lrt.schema_migrations"), "t");
	PQfinish(conn);
}
END_TEST

START_TEST(test_second_run_changes_nothing)
{
	lrt_migrate_report report;
	PGconn *conn = lrt_test_connect();
	unsigned count = embedded_count("migrations/");
	char rows[LRT_TEST_VALUE_BYTES], digest[40];

	ck_assert_int_eq(migrate(&report, NULL), 0);
	snprintf(rows, sizeof(rows), "%s", applied_rows(conn));
	snprintf(digest, sizeof(digest), "%s", schema_digest(conn));
	ck_assert_uint_eq(strlen(digest), 32);

	ck_assert_int_eq(migrate(&report, NULL), 0);
	ck_assert_uint_eq(report.applied_count, 0);
	ck_assert_uint_eq(report.already_count, count);
	ck_assert_uint_eq(report.latest_version, embedded_latest());
	ck_assert_str_eq(applied_rows(conn), rows);
	ck_assert_str_eq(schema_digest(conn), digest);
	PQfinish(conn);
}
END_TEST

START_TEST(test_command_applies_then_says_up_to_date)
{
	lrt_test_process first, second;
	const char *no_options[] = { "migrate", NULL };
	char expected[8192], db[300];
	const char *with_db[] = { "migrate", "--db", db, NULL };

	lrt_test_run(&first, no_options);
	expected_first_run(expected, sizeof(expected));
	ck_assert_str_eq(first.err, "");
	ck_assert_str_eq(first.out, expected);
	ck_assert_int_eq(first.status, 0);

	/* The same database named by --db, with PGDATABASE pointing away. */
	snprintf(db, sizeof(db), "dbname=%s", lrt_test_database());
	ck_assert_int_eq(setenv("PGDATABASE", "postgres", 1), 0);
	lrt_test_run(&second, with_db);
	expected_up_to_date(expected, sizeof(expected),
			    embedded_count("migrations/"));
	ck_assert_str_eq(second.err, "");
	ck_assert_str_eq(second.out, expected);
	ck_assert_int_eq(second.status, 0);
}
END_TEST

/* ---- checksums -------------------------------------------------------------- */

/* What `sha256sum FILE` prints of a file: its 64 hex digits. */
static void sha256sum_of(char hex[LRT_MIGRATION_CHECKSUM_BYTES], const char *path)
{
	char command[2200], line[200];
	FILE *pipe;

	snprintf(command, sizeof(command), "sha256sum '%s'", path);
	pipe = popen(command, "r");
	ck_assert_ptr_nonnull(pipe);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), pipe));
	ck_assert_int_eq(pclose(pipe), 0);
	ck_assert_msg(strlen(line) > 64 && line[64] == ' ', "sha256sum: %s", line);
	memcpy(hex, line, 64);
	hex[64] = '\0';
}

/*
 * Every migration's checksum, as lrt_migration_set_load computes it from a
 * folder and as lrt.schema_migrations keeps it, is the SHA-256 coreutils'
 * sha256sum gives of the file's bytes; and the checksum of FIPS 180-4's
 * "abc" and of nothing are the known digests.
 */
START_TEST(test_checksum_is_sha256sum_of_the_bytes)
{
	char share[1024], path[2048], hex[LRT_MIGRATION_CHECKSUM_BYTES];
	lrt_migration_set set;
	size_t i;

	memset(&set, 0, sizeof(set));
	ck_assert_int_eq(lrt_migration_checksum(hex, "abc", 3), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
			      "b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(lrt_migration_checksum(hex, "", 0), 0);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
			      "27ae41e4649b934ca495991b7852b855");

	make_share_dir(share, sizeof(share));
	ck_assert_msg(lrt_migration_set_load(&set, share) == 0, "%s", lrt_error_last());
	ck_assert_uint_eq(set.migration_count, embedded_count("migrations/"));
	for (i = 0; i < set.migration_count; i++) {
		snprintf(path, sizeof(path), "%s/migrations/%s", share,
			 set.migrations[i].name);
		sha256sum_of(hex, path);
		ck_assert_msg(strcmp(set.migrations[i].checksum, hex) == 0,
			      "%s: %s, sha256sum %s", set.migrations[i].name,
			      set.migrations[i].checksum, hex);
	}
	lrt_migration_set_clear(&set);
}
END_TEST

/* ---- refusals --------------------------------------------------------------- */

START_TEST(test_edited_migration_is_refused)
{
	char share[1024], file[2048], expected[8192];
	char old_hex[LRT_MIGRATION_CHECKSUM_BYTES], new_hex[LRT_MIGRATION_CHECKSUM_BYTES];
	char rows[LRT_TEST_VALUE_BYTES], digest[40], applied_at[40];
	const char *args[] = { "migrate", "--dir", share, NULL };
	const struct lrt_embedded_file *schema =
		embedded("migrations/0001_schema.sql");
	lrt_migrate_report report;
	lrt_test_process run;
	PGconn *conn = lrt_test_connect();
	char *edited;

	make_share_dir(share, sizeof(share));
	lrt_test_run(&run, args);
	ck_assert_msg(run.status == 0, "%s", run.err);
	snprintf(rows, sizeof(rows), "%s", applied_rows(conn));
	snprintf(digest, sizeof(digest), "%s", schema_digest(conn));
	snprintf(applied_at, sizeof(applied_at), "%s", lrt_test_value(conn,
		"SELECT to_char(applied_at AT TIME ZONE 'UTC', "
		"'YYYY-MM-DD HH24:MI:SS \"UTC\"') FROM lrt.schema_migrations "
		"WHERE version = 1"));

	/* One comment added to an applied migration, and a new one beside. */
	snprintf(file, sizeof(file), "%s/migrations/0001_schema.sql", share);
	lrt_test_append_file(file, "-- an afterthought\n");
	add_file(share, "migrations/9000_more.sql", "CREATE TABLE lrt.more (x int);\n");
	ck_assert_int_eq(lrt_migration_checksum(old_hex, schema->data, schema->length), 0);
	edited = malloc(schema->length + 20);
	ck_assert_ptr_nonnull(edited);
	snprintf(edited, schema->length + 20, "%s-- an afterthought\n", schema->data);
	ck_assert_int_eq(lrt_migration_checksum(new_hex, edited, strlen(edited)), 0);
	free(edited);

	lrt_test_run(&run, args);
	snprintf(expected, sizeof(expected), "lrt: %s: changed since it was "
		 "applied on %s (SHA-256 %.12s... then, %.12s... now); an "
		 "applied migration must not change: restore it and write a new "
		 "one\n", file, applied_at, old_hex, new_hex);
	ck_assert_str_eq(run.err, expected);
	ck_assert_str_eq(run.out, "");
	ck_assert_int_eq(run.status, 1);

	ck_assert_int_eq(migrate(&report, share), LRT_ECHANGED);
	expected[strlen(expected) - 1] = '\0';
	ck_assert_str_eq(lrt_error_last(), expected + strlen("lrt: "));
	ck_assert_uint_eq(report.applied_count, 0);
	ck_assert_str_eq(applied_rows(conn), rows);
	ck_assert_str_eq(schema_digest(conn), digest);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regclass('lrt.more') IS NULL"), "t");
	PQfinish(conn);
}
END_TEST

START_TEST(test_renamed_migration_is_refused)
{
	char share[1024], from[2048], to[2048], expected[8192];
	lrt_migrate_report report;
	PGconn *conn = lrt_test_connect();

	make_share_dir(share, sizeof(share));
	ck_assert_int_eq(migrate(&report, share), 0);
	snprintf(from, sizeof(from), "%s/migrations/0001_schema.sql", share);
	snprintf(to, sizeof(to), "%s/migrations/0001_first.sql", share);
	ck_assert_int_eq(rename(from, to), 0);
	ck_assert_int_eq(migrate(&report, share), LRT_ECHANGED);
	snprintf(expected, sizeof(expected), "%s: version 0001 was applied as "
		 "0001_schema.sql on %s; an applied migration must not be "
		 "renamed", to, lrt_test_value(conn, "SELECT to_char(applied_at "
		 "AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"') FROM "
		 "lrt.schema_migrations WHERE version = 1"));
	ck_assert_str_eq(lrt_error_last(), expected);
	PQfinish(conn);
}
END_TEST

START_TEST(test_misnamed_migrations_are_refused)
{
	static const char *const bad[] = {
		"12_short.sql", "0000_zero.sql", "0002_Capital.sql",
		"0002_.sql", "00a2_letters.sql", "0002-dash.sql"
	};
	char share[1024], path[300], expected[8192];
	const char *args[] = { "migrate", "--dir", share, NULL };
	lrt_migrate_report report;
	lrt_test_process run;
	PGconn *conn = lrt_test_connect();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_share_dir(share, sizeof(share));
		snprintf(path, sizeof(path), "migrations/%s", bad[i]);
		add_file(share, path, "SELECT 1;\n");
		ck_assert_int_eq(migrate(&report, share), LRT_EINVAL);
		snprintf(expected, sizeof(expected), "%s/migrations/%s: not a "
			 "migration name: want NNNN_title.sql, NNNN from 0001, "
			 "title of a-z, 0-9 and _ (at most 100)", share, bad[i]);
		ck_assert_str_eq(lrt_error_last(), expected);
	}
	lrt_test_run(&run, args);
	ck_assert_int_eq(run.status, 2);
	ck_assert_str_eq(run.out, "");
	ck_assert_int_eq(strncmp(run.err, "lrt: ", 5), 0);
	ck_assert_str_eq(run.err + 5, strcat(expected, "\n"));
	/* Refused before anything was applied. */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regnamespace('lrt') IS NULL"), "t");
	PQfinish(conn);
}
END_TEST

START_TEST(test_two_migrations_of_one_version_are_refused)
{
	char share[1024], expected[8192];
	lrt_migrate_report report;

	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9000_a.sql", "SELECT 1;\n");
	add_file(share, "migrations/9000_b.sql", "SELECT 2;\n");
	ck_assert_int_eq(migrate(&report, share), LRT_EINVAL);
	snprintf(expected, sizeof(expected), "%s/migrations/9000_a.sql and "
		 "%s/migrations/9000_b.sql: two migrations of version 9000",
		 share, share);
	ck_assert_str_eq(lrt_error_last(), expected);
}
END_TEST

START_TEST(test_missing_folder)
{
	char share[1024], expected[8192];
	const char *args[] = { "migrate", "--dir", share, NULL };
	lrt_migrate_report report;
	lrt_test_process run;

	lrt_test_scratch(share, sizeof(share));
	ck_assert_int_eq(migrate(&report, share), LRT_EIO);
	snprintf(expected, sizeof(expected), "%s/migrations: No such file or "
		 "directory", share);
	ck_assert_str_eq(lrt_error_last(), expected);
	lrt_test_run(&run, args);
	ck_assert_int_eq(run.status, 1);
	snprintf(expected, sizeof(expected), "lrt: %s/migrations: No such "
		 "file or directory\n", share);
	ck_assert_str_eq(run.err, expected);
}
END_TEST

START_TEST(test_out_of_order_migration_is_refused)
{
	char share[1024], expected[8192];
	lrt_migrate_report report;
	PGconn *conn = lrt_test_connect();

	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9002_b.sql", "CREATE TABLE lrt.b (x int);\n");
	ck_assert_int_eq(migrate(&report, share), 0);
	add_file(share, "migrations/9001_a.sql", "CREATE TABLE lrt.a (x int);\n");
	ck_assert_int_eq(migrate(&report, share), LRT_ESTATE);
	snprintf(expected, sizeof(expected), "%s/migrations/9001_a.sql: not "
		 "applied, but the later migration 9002 is: migrations apply in "
		 "order, so number it after 9002", share);
	ck_assert_str_eq(lrt_error_last(), expected);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regclass('lrt.a') IS NULL"), "t");
	PQfinish(conn);
}
END_TEST

START_TEST(test_migration_unknown_to_this_lrt_is_refused)
{
	char share[1024];
	lrt_migrate_report report;

	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9000_extra.sql", "CREATE TABLE lrt.extra ();\n");
	ck_assert_int_eq(migrate(&report, share), 0);
	ck_assert_int_eq(migrate(&report, NULL), LRT_ESTATE);
	ck_assert_str_eq(lrt_error_last(), "the database has migration "
			 "9000_extra.sql, which this lrt does not have: it was "
			 "migrated by a newer lrt");
}
END_TEST

/* ---- applying more ----------------------------------------------------------- */

START_TEST(test_new_migration_applies_alone)
{
	char share[1024];
	lrt_migrate_report report;
	PGconn *conn = lrt_test_connect();
	unsigned count = embedded_count("migrations/");

	ck_assert_int_eq(migrate(&report, NULL), 0);
	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9000_extra.sql",
		 "CREATE TABLE lrt.extra (x int);\nINSERT INTO lrt.extra VALUES (7);\n");
	ck_assert_int_eq(migrate(&report, share), 0);
	ck_assert_uint_eq(report.applied_count, 1);
	ck_assert_uint_eq(report.already_count, count);
	ck_assert_uint_eq(report.latest_version, 9000);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT x FROM lrt.extra"), "7");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT name FROM "
		"lrt.schema_migrations WHERE version = 9000"), "extra");
	PQfinish(conn);
}
END_TEST

START_TEST(test_failing_migration_applies_nothing_of_itself)
{
	char share[1024], expected[8192];
	lrt_migrate_report report;
	lrt_migrate_options options = LRT_MIGRATE_OPTIONS_INIT;
	lrt_store *store = NULL;
	PGconn *conn = lrt_test_connect();
	unsigned count = embedded_count("migrations/");
	char rows[16];

	options.share_dir = share;
	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9000_broken.sql",
		 "CREATE TABLE lrt.half (x int);\nSELEC 1;\n");
	add_file(share, "migrations/9001_after.sql", "CREATE TABLE lrt.after ();\n");
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_int_eq(lrt_store_migrate(&report, store, &options), LRT_EDB);
	snprintf(expected, sizeof(expected), "%s/migrations/9000_broken.sql:2: "
		 "syntax error at or near \"SELEC\" (SQLSTATE 42601)", share);
	ck_assert_str_eq(lrt_error_last(), expected);
	ck_assert_str_eq(lrt_store_sqlstate(store), "42601");
	ck_assert_uint_eq(report.applied_count, count);
	/* The lock is released though the connection stays open. */
	ck_assert_int_eq(PQstatus(lrt_store_conn(store)), CONNECTION_OK);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM pg_locks "
		"WHERE locktype = 'advisory'"), "0");
	lrt_store_close(store);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regclass('lrt.half') IS NULL AND "
		"to_regclass('lrt.after') IS NULL"), "t");
	snprintf(rows, sizeof(rows), "%u", count);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM lrt.schema_migrations"), rows);
	PQfinish(conn);
}
END_TEST

START_TEST(test_reporting_sql_is_reapplied_every_run)
{
	char share[1024], expected[8192];
	lrt_migrate_report report;
	PGconn *conn = lrt_test_connect();

	make_share_dir(share, sizeof(share));
	add_file(share, "sql/zz_test_view.sql",
		 "CREATE OR REPLACE VIEW lrt.test_view AS SELECT 1 AS x;\n");
	ck_assert_int_eq(migrate(&report, share), 0);
	ck_assert_uint_eq(report.sql_count, embedded_count("sql/") + 1);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT x FROM lrt.test_view"), "1");

	add_file(share, "sql/zz_test_view.sql",
		 "CREATE OR REPLACE VIEW lrt.test_view AS SELECT 2 AS x;\n");
	ck_assert_int_eq(migrate(&report, share), 0);
	ck_assert_uint_eq(report.applied_count, 0);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT x FROM lrt.test_view"), "2");

	/* A broken file changes no view: they apply in one transaction. */
	add_file(share, "sql/zz_test_view.sql",
		 "CREATE OR REPLACE VIEW lrt.test_view AS SELECT 3 AS x;\n"
		 "CREATE VIEW lrt.broken AS SELECT nothing;\n");
	ck_assert_int_eq(migrate(&report, share), LRT_EDB);
	snprintf(expected, sizeof(expected), "%s/sql/zz_test_view.sql:2: column "
		 "\"nothing\" does not exist (SQLSTATE 42703)", share);
	ck_assert_str_eq(lrt_error_last(), expected);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT x FROM lrt.test_view"), "2");
	PQfinish(conn);
}
END_TEST

START_TEST(test_share_dir_from_environment)
{
	char share[1024], other[1024];
	const char *args[] = { "migrate", NULL };
	const char *with_dir[] = { "migrate", "--dir", other, NULL };
	lrt_test_process run;
	PGconn *conn = lrt_test_connect();

	make_share_dir(share, sizeof(share));
	add_file(share, "migrations/9000_from_env.sql", "CREATE TABLE lrt.env ();\n");
	ck_assert_int_eq(setenv("LRT_SHARE_DIR", share, 1), 0);
	lrt_test_run(&run, args);
	ck_assert_msg(run.status == 0, "%s", run.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regclass('lrt.env') IS NOT NULL"), "t");

	/* --dir wins over the environment. */
	make_share_dir(other, sizeof(other));
	add_file(other, "migrations/9000_from_env.sql", "CREATE TABLE lrt.env ();\n");
	add_file(other, "migrations/9001_from_option.sql", "CREATE TABLE lrt.opt ();\n");
	lrt_test_run(&run, with_dir);
	ck_assert_msg(run.status == 0, "%s", run.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT to_regclass('lrt.opt') IS NOT NULL"), "t");
	PQfinish(conn);
}
END_TEST

/* ---- two at once -------------------------------------------------------------- */

/* Waits until `count` sessions wait for an advisory lock in this database. */
static void wait_for_waiters(PGconn *conn, const char *count)
{
	time_t deadline = time(NULL) + 30;

	while (strcmp(lrt_test_value(conn, "SELECT count(*) FROM pg_locks "
		"WHERE locktype = 'advisory' AND NOT granted AND database = "
		"(SELECT oid FROM pg_database WHERE datname = current_database())"),
		count) != 0) {
		ck_assert_msg(time(NULL) < deadline, "no %s waiters in 30 s", count);
		nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
	}
}

/*
 * The test holds the lock while both runs start, so that both are sure to
 * be waiting at once; then lets them go.  Without the lock both would
 * create the schema, and one would fail.
 */
START_TEST(test_two_runs_at_once_make_one_schema)
{
	const char *args[] = { "migrate", NULL };
	lrt_test_process one, two;
	lrt_migrate_report report;
	PGconn *conn;
	char applied[8192], up_to_date[200], rows[16], digest[40];
	unsigned count = embedded_count("migrations/");
	bool one_applied;

	/* The schema of one run alone, in a database of its own. */
	ck_assert_int_eq(migrate(&report, NULL), 0);
	conn = lrt_test_connect();
	snprintf(digest, sizeof(digest), "%s", schema_digest(conn));
	PQfinish(conn);

	lrt_test_fresh_database();
	conn = lrt_test_connect();
	lrt_test_exec(conn, "SELECT pg_advisory_lock(" LRT_MIGRATE_LOCK_KEY ")");
	lrt_test_spawn(&one, args);
	lrt_test_spawn(&two, args);
	wait_for_waiters(conn, "2");
	lrt_test_exec(conn, "SELECT pg_advisory_unlock(" LRT_MIGRATE_LOCK_KEY ")");
	lrt_test_wait(&one);
	lrt_test_wait(&two);

	ck_assert_msg(one.status == 0 && two.status == 0, "exit %d: %s / "
		      "exit %d: %s", one.status, one.err, two.status, two.err);
	ck_assert_str_eq(one.err, "");
	ck_assert_str_eq(two.err, "");
	expected_first_run(applied, sizeof(applied));
	expected_up_to_date(up_to_date, sizeof(up_to_date), count);
	one_applied = strcmp(one.out, applied) == 0;
	ck_assert_str_eq(one_applied ? one.out : two.out, applied);
	ck_assert_str_eq(one_applied ? two.out : one.out, up_to_date);
	snprintf(rows, sizeof(rows), "%u", count);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM lrt.schema_migrations"), rows);
	ck_assert_str_eq(schema_digest(conn), digest);
	PQfinish(conn);
}
END_TEST

Suite *migrate_suite(void)
{
	Suite *suite = suite_create("migrate");
	TCase *runs = tcase_create("runs");
	TCase *refusals = tcase_create("refusals");
	TCase *concurrency = tcase_create("concurrency");
	TCase *checksums = tcase_create("checksums");

	tcase_add_checked_fixture(runs, lrt_test_fresh_database, NULL);
	tcase_set_timeout(runs, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(runs, test_first_run_applies_every_migration);
	tcase_add_test(runs, test_second_run_changes_nothing);
	tcase_add_test(runs, test_command_applies_then_says_up_to_date);
	tcase_add_test(runs, test_new_migration_applies_alone);
	tcase_add_test(runs, test_failing_migration_applies_nothing_of_itself);
	tcase_add_test(runs, test_reporting_sql_is_reapplied_every_run);
	tcase_add_test(runs, test_share_dir_from_environment);
	suite_add_tcase(suite, runs);

	tcase_add_checked_fixture(refusals, lrt_test_fresh_database, NULL);
	tcase_set_timeout(refusals, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(refusals, test_edited_migration_is_refused);
	tcase_add_test(refusals, test_renamed_migration_is_refused);
	tcase_add_test(refusals, test_misnamed_migrations_are_refused);
	tcase_add_test(refusals, test_two_migrations_of_one_version_are_refused);
	tcase_add_test(refusals, test_missing_folder);
	tcase_add_test(refusals, test_out_of_order_migration_is_refused);
	tcase_add_test(refusals, test_migration_unknown_to_this_lrt_is_refused);
	suite_add_tcase(suite, refusals);

	tcase_add_checked_fixture(concurrency, lrt_test_fresh_database, NULL);
	tcase_set_timeout(concurrency, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(concurrency, test_two_runs_at_once_make_one_schema);
	suite_add_tcase(suite, concurrency);

	tcase_add_test(checksums, test_checksum_is_sha256sum_of_the_bytes);
	suite_add_tcase(suite, checksums);
	return suite;
}
