/*
 * check_upgrade.c - a database of an earlier schema migrates to the
 * current one with nothing lost.
 *
 * The earlier schema is built by the migration runner from the first two
 * migrations alone (0001_schema, 0002_ingest: the shape before issue 9).
 * Its book is the one the current code keeps for a scenario of
 * tests/scenarios, settled half-way, copied table by table into the columns
 * the old shape has (the old code wrote the same facts: each event's JSON,
 * the journal, the balances, the epochs).  Then `lrt migrate` brings it to the current
 * shape, and:
 *
 *   - `lrt export` prints what it printed before, and `lrt verify` finds
 *     every balance and every settled epoch;
 *   - settling the second half (which reads the typed columns the
 *     migration filled for the pending events) gives the figures of a
 *     database that never was migrated, and `lrt verify` agrees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "lrt/error.h"
#include "lrt/store.h"
#include "store/embedded.h"

/* The migrations of the shape before issue 9. */
static const char *const old_migrations[] = {
	"migrations/0001_schema.sql", "migrations/0002_ingest.sql", NULL
};

/* The tables of the old shape, in an order their keys and triggers accept
 * (the old inbox refuses an event of a settled epoch: it comes before the
 * state row). */
static const char *const tables[] = {
	"products", "product_assets", "inbox", "ingest_rejects", "product_state",
	"locations", "holders", "positions", "prices", "epochs", "rejected_events",
	"withdrawal_requests", "journal", NULL
};

#define SCENARIO "13-realistic-erc4626-eth-usdc"
#define HALF "45"

/* A share dir holding only the old migrations, in `out`. */
static void old_share_dir(char *out, size_t size)
{
	const struct lrt_embedded_file *file;
	const char *const *wanted;
	char path[2048];

	lrt_test_scratch(out, size);
	for (wanted = old_migrations; *wanted != NULL; wanted++) {
		for (file = lrt_embedded_files; file->path != NULL; file++)
			if (strcmp(file->path, *wanted) == 0)
				break;
		ck_assert_msg(file->path != NULL, "%s is not embedded", *wanted);
		snprintf(path, sizeof(path), "%s/%s", out, file->path);
		lrt_test_write_file(path, file->data);
	}
}

/* The old shape's columns of `table`, as an SQL list. */
static char *old_columns(PGconn *old, const char *table)
{
	const char *params[1] = {table};
	PGresult *result = PQexecParams(old,
		"SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)"
		"  FROM information_schema.columns"
		" WHERE table_schema = 'lrt' AND table_name = $1", 1, NULL, params, NULL, NULL, 0);
	char *list;

	ck_assert_int_eq(PQresultStatus(result), PGRES_TUPLES_OK);
	ck_assert(!PQgetisnull(result, 0, 0));
	list = strdup(PQgetvalue(result, 0, 0));
	PQclear(result);
	ck_assert_ptr_nonnull(list);
	return list;
}

/* Streams one table's rows from `from` into `to` with COPY. */
static void copy_table(PGconn *to, PGconn *from, const char *table)
{
	char *columns = old_columns(to, table), *row;
	char out_sql[2048], in_sql[2048];
	PGresult *result;
	int length;

	snprintf(out_sql, sizeof(out_sql), "COPY (SELECT %s FROM lrt.%s) TO STDOUT", columns,
		 table);
	snprintf(in_sql, sizeof(in_sql), "COPY lrt.%s (%s) FROM STDIN", table, columns);
	free(columns);
	result = PQexec(from, out_sql);
	ck_assert_msg(PQresultStatus(result) == PGRES_COPY_OUT, "%s: %s", out_sql,
		      PQerrorMessage(from));
	PQclear(result);
	result = PQexec(to, in_sql);
	ck_assert_msg(PQresultStatus(result) == PGRES_COPY_IN, "%s: %s", in_sql,
		      PQerrorMessage(to));
	PQclear(result);
	while ((length = PQgetCopyData(from, &row, 0)) > 0) {
		ck_assert_int_eq(PQputCopyData(to, row, length), 1);
		PQfreemem(row);
	}
	ck_assert_int_eq(length, -1);
	PQclear(PQgetResult(from));
	ck_assert_int_eq(PQputCopyEnd(to, NULL), 1);
	result = PQgetResult(to);
	ck_assert_msg(PQresultStatus(result) == PGRES_COMMAND_OK, "%s: %s", in_sql,
		      PQerrorMessage(to));
	PQclear(result);
	PQclear(PQgetResult(to));
}

static char *copy_text(const char *text)
{
	char *copy = strdup(text);

	ck_assert_ptr_nonnull(copy);
	return copy;
}

START_TEST(test_old_book_migrates_with_nothing_lost)
{
	static lrt_test_process p;
	const char *folder = getenv("LRT_DB_SCENARIOS");
	char scenario[1024], share[1024], current[128];
	char *export_before, *export_after_new;
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", scenario, NULL};
	const char *ingest[] = {"ingest", scenario, NULL};
	const char *settle_half[] = {"settle", "--through", HALF, NULL};
	const char *settle[] = {"settle", NULL};
	const char *export[] = {"export", NULL};
	const char *verify[] = {"verify", NULL};
	lrt_migrate_options options = LRT_MIGRATE_OPTIONS_INIT;
	lrt_migrate_report report;
	lrt_store *store = NULL;
	PGconn *from, *to;
	size_t i;

	ck_assert_msg(folder != NULL, "LRT_DB_SCENARIOS is not set: run the tests with `make check`");
	snprintf(scenario, sizeof(scenario), "%s/" SCENARIO ".jsonl", folder);
	/* the book, kept by the current code, settled half-way */
	lrt_test_fresh_database();
	snprintf(current, sizeof(current), "%s", lrt_test_database());
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	lrt_test_run_ok(&p, settle_half);
	lrt_test_run_ok(&p, export);
	export_before = copy_text(p.out);
	from = lrt_test_connect();

	/* a database of the old shape, holding that book */
	lrt_test_fresh_database();
	old_share_dir(share, sizeof(share));
	options.share_dir = share;
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_msg(lrt_store_migrate(&report, store, &options) == 0, "%s", lrt_error_last());
	lrt_store_close(store);
	ck_assert_uint_eq(report.latest_version, 2);
	to = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(to, "SELECT count(*) FROM pg_trigger"
		" WHERE tgname = 'inbox_check_epochs'"), "1");
	lrt_test_exec(to, "BEGIN");
	for (i = 0; tables[i] != NULL; i++)
		copy_table(to, from, tables[i]);
	lrt_test_exec(to, "COMMIT");
	ck_assert_str_eq(lrt_test_value(to, "SELECT settled_epoch FROM lrt.product_state"), HALF);

	/* migrated: the same books */
	lrt_test_run_ok(&p, migrate);
	ck_assert_msg(strstr(p.out, "0003_typed_inbox") != NULL && strstr(p.out, "0004_hot_tables") != NULL, "%s", p.out);
	lrt_test_run_ok(&p, export);
	ck_assert_str_eq(p.out, export_before);
	lrt_test_run_ok(&p, verify);
	ck_assert_msg(strstr(p.out, " 0 differences") != NULL, "%s", p.out);

	/* the second half settles from the columns the migration filled */
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, export);
	export_after_new = copy_text(p.out);
	lrt_test_run_ok(&p, verify);
	ck_assert_msg(strstr(p.out, " 0 differences") != NULL, "%s", p.out);
	ck_assert_int_eq(setenv("PGDATABASE", current, 1), 0);
	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, export);
	ck_assert_str_eq(export_after_new, p.out);
	free(export_before);
	free(export_after_new);
	PQfinish(from);
	PQfinish(to);
}
END_TEST

Suite *upgrade_suite(void)
{
	Suite *suite = suite_create("upgrade");
	TCase *migrations = tcase_create("migrations");

	tcase_set_timeout(migrations, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(migrations, test_old_book_migrates_with_nothing_lost);
	suite_add_tcase(suite, migrations);
	return suite;
}
