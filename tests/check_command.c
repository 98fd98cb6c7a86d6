/*
 * check_command.c - `lrt` as psql users expect it: --db (and -d) given a
 * database's bare name, a connection string or a URI, before the command or
 * after it; LRT_PRODUCT as the default product; the one option parser's
 * errors, alike in every command; `lrt migrate status` as a role that may
 * only read (lrt_reader, and a login whose transactions are read only),
 * with applied, pending, changed and unknown migrations, while another
 * session holds the migration lock; `lrt product update` (the settle lag
 * changes, the fields config events change are refused) and the words of
 * `product show` and `product list`; `lrt help help`, `lrt version`; the
 * manual page made from the help texts, rendered by groff.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "helpers.h"

/* Runs `lrt args...`, which must exit `status` with `says` on stderr. */
static void run_fails(const char *const args[], int status, const char *says)
{
	static lrt_test_process p;

	lrt_test_run(&p, args);
	ck_assert_msg(p.status == status, "lrt %s exited %d, not %d: %s", args[0],
		      p.status, status, p.err);
	ck_assert_msg(strstr(p.err, says) != NULL, "lrt %s: \"%s\" does not say \"%s\"",
		      args[0], p.err, says);
	ck_assert_msg(strchr(p.err, '\n') == p.err + strlen(p.err) - 1,
		      "not one line: %s", p.err);
}

static void scenario_path(char *out, size_t size, const char *name)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");

	ck_assert_msg(folder != NULL, "LRT_DB_SCENARIOS is not set");
	snprintf(out, size, "%s/%s.jsonl", folder, name);
}

/* migrate, then create and ingest each scenario named. */
static void load(const char *const names[])
{
	static lrt_test_process p;
	const char *migrate[] = {"migrate", NULL};
	char path[1024];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", "--product", NULL, path, NULL};
	size_t i;

	lrt_test_run_ok(&p, migrate);
	for (i = 0; names[i] != NULL; i += 2) {
		scenario_path(path, sizeof(path), names[i]);
		ingest[2] = names[i + 1];
		lrt_test_run_ok(&p, create);
		lrt_test_run_ok(&p, ingest);
	}
}

static void assert_starts_with(const char *text, const char *prefix)
{
	ck_assert_msg(strncmp(text, prefix, strlen(prefix)) == 0,
		      "\"%.300s\" does not start with \"%s\"", text, prefix);
}

static size_t count_lines_with(const char *text, const char *needle)
{
	size_t count = 0;
	const char *line;

	for (line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n');
		const char *hit = strstr(line, needle);

		count += hit != NULL && (end == NULL || hit < end);
		if (end == NULL)
			break;
	}
	return count;
}

/* ---- --db and -d ------------------------------------------------------------------ */

START_TEST(test_db_by_name_before_and_after_the_command)
{
	static const char *const products[] = {"01-erc4626-offset0", "rstETH", NULL};
	static lrt_test_process p;
	char database[64], conninfo[128], uri[1024], scenario[1024];
	const char *settle_env[] = {"settle", NULL};
	const char *settle_global[] = {"--db", database, "settle", NULL};
	const char *report_short[] = {"-d", database, "report", "rates", "--format", "csv", NULL};
	const char *status_after[] = {"status", "-d", database, "--format", "json", NULL};
	const char *command_wins[] = {"--db", "postgres", "export", "--db", database, NULL};
	const char *by_conninfo[] = {"export", "--db", conninfo, NULL};
	const char *by_uri[] = {"--db", uri, "verify", NULL};
	const char *missing[] = {"--db", "lrt_no_such_database", "status", NULL};
	const char *bad_scheme[] = {"--db", "mysql://books", "status", NULL};
	const char *no_database[] = {"--db", database, "simulate", scenario, NULL};
	const char *no_value[] = {"--db", NULL};
	const char *no_command[] = {"-d", database, NULL};
	PGconn *conn;

	load(products);
	snprintf(database, sizeof(database), "%s", lrt_test_database());
	snprintf(conninfo, sizeof(conninfo), "dbname=%s", database);
	snprintf(uri, sizeof(uri), "postgresql:///%s?host=%s", database, getenv("PGHOST"));
	scenario_path(scenario, sizeof(scenario), "01-erc4626-offset0");
	conn = lrt_test_connect();
	/* libpq's environment now names a database without the books */
	ck_assert_int_eq(setenv("PGDATABASE", "postgres", 1), 0);
	lrt_test_run(&p, settle_env);
	ck_assert_msg(p.status == 1 && strstr(p.err, "lrt") != NULL, "%d %s", p.status, p.err);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"), "-1");

	lrt_test_run_ok(&p, settle_global);
	ck_assert_str_eq(p.out, "settled epochs 0..2: 4 events, 1 rejected\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"), "2");
	lrt_test_run_ok(&p, report_short);
	ck_assert_uint_eq(count_lines_with(p.out, "rstETH,"), 3);
	lrt_test_run_ok(&p, status_after);
	ck_assert_ptr_nonnull(strstr(p.out, "\"settled_epoch\": \"2\""));
	lrt_test_run_ok(&p, command_wins);
	ck_assert_ptr_nonnull(strstr(p.out, "\"holders\""));
	lrt_test_run_ok(&p, by_conninfo);
	lrt_test_run_ok(&p, by_uri);
	ck_assert_ptr_nonnull(strstr(p.out, "verified: "));

	run_fails(missing, 1, "database lrt_no_such_database");
	run_fails(bad_scheme, 2, "invalid connection string");
	run_fails(no_database, 2, "lrt simulate: --db: simulate uses no database");
	run_fails(no_value, 2, "lrt: --db needs a value");
	run_fails(no_command, 2, "lrt: name a COMMAND");
	PQfinish(conn);
}
END_TEST

/* ---- LRT_PRODUCT -------------------------------------------------------------------- */

START_TEST(test_lrt_product_is_the_default_product)
{
	static const char *const products[] = {"01-erc4626-offset0", "rstETH",
					       "03-plain-first-deposit", "eETH", NULL};
	static lrt_test_process p, q;
	char scenario[1024];
	const char *settle[] = {"settle", NULL};
	const char *settle_flag[] = {"settle", "--product", "rstETH", NULL};
	const char *status[] = {"status", "--format", "json", NULL};
	const char *list[] = {"report", NULL};
	const char *rates[] = {"report", "rates", "--format", "csv", NULL};
	const char *export_env[] = {"export", NULL};
	const char *export_flag[] = {"export", "--product", "eETH", NULL};
	const char *stress_file[] = {"stress", scenario, "--slash", "p2p:eigenda:ETH:1", NULL};
	const char *empty[] = {"ingest", "--product", "", scenario, NULL};
	PGconn *conn = lrt_test_connect();
	json_t *statuses;

	load(products);
	scenario_path(scenario, sizeof(scenario), "16-allocations-wad-slash");
	unsetenv("LRT_PRODUCT");
	run_fails(settle, 2, "several products");
	ck_assert_int_eq(setenv("LRT_PRODUCT", "", 1), 0);   /* empty: not set */
	run_fails(settle, 2, "several products");

	ck_assert_int_eq(setenv("LRT_PRODUCT", "eETH", 1), 0);
	lrt_test_run_ok(&p, settle);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(p.symbol || ' ' ||"
		" s.settled_epoch, ', ' ORDER BY p.symbol) FROM lrt.products p"
		" JOIN lrt.product_state s USING (product_id)"), "eETH 4, rstETH -1");
	lrt_test_run_ok(&p, settle_flag);   /* --product wins */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"
		" JOIN lrt.products USING (product_id) WHERE symbol = 'rstETH'"), "2");

	lrt_test_run_ok(&p, status);
	statuses = json_loads(p.out, 0, NULL);
	ck_assert_msg(json_array_size(statuses) == 1, "%s", p.out);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(statuses, 0),
							   "symbol")), "eETH");
	json_decref(statuses);
	lrt_test_run_ok(&p, list);            /* the list has nothing to filter */
	ck_assert_ptr_nonnull(strstr(p.out, "rates"));
	lrt_test_run_ok(&p, rates);
	ck_assert_uint_eq(count_lines_with(p.out, "rstETH,"), 0);
	ck_assert_uint_eq(count_lines_with(p.out, "eETH,"), 5);
	lrt_test_run_ok(&p, export_env);
	lrt_test_run_ok(&q, export_flag);
	ck_assert_str_eq(p.out, q.out);
	lrt_test_run_ok(&p, stress_file);     /* a FILE is not the database's product */

	ck_assert_int_eq(setenv("LRT_PRODUCT", "nope", 1), 0);
	run_fails(export_env, 2, "no product nope");
	run_fails(empty, 2, "lrt ingest: --product: empty");
	unsetenv("LRT_PRODUCT");
	PQfinish(conn);
}
END_TEST

/* ---- the one option parser ------------------------------------------------------------ */

/* The same mistakes meet the same words in every command. */
START_TEST(test_shared_option_errors)
{
	static const struct {
		const char *args[6];
		const char *says;
	} cases[] = {
		{ {"export", "--colour", NULL}, "lrt export: unknown option --colour. Try \"lrt help export\"." },
		{ {"verify", "-x", NULL}, "lrt verify: unknown option -x." },
		{ {"settle", "--product", NULL}, "lrt settle: --product needs a value." },
		{ {"status", "-d", NULL}, "lrt status: -d needs a value." },
		{ {"status", "--format", "xml", NULL}, "lrt status: --format: \"xml\" is not table or json." },
		{ {"report", "rates", "--format", "xml", NULL},
		  "lrt report: --format: \"xml\" is not table, csv or json." },
		{ {"ingest", "--format", "xml", "f.csv", NULL},
		  "lrt ingest: --format: \"xml\" is not auto, jsonl or csv." },
		{ {"serve", "--once=1", NULL}, "lrt serve: --once takes no value." },
		{ {"settle", "now", NULL}, "lrt settle: unexpected argument now." },
		{ {"export", "--format", "json", NULL}, "lrt export: unknown option --format." },
		{ {"report", "html", "--output", "x.html", "--bad", NULL},
		  "lrt report html: unknown option --bad. Try \"lrt help report\"." },
		{ {"simulate", NULL}, "lrt simulate: FILE is missing." },
		{ {"simulate", "a", "b", NULL}, "lrt simulate: unexpected argument b." },
		{ {"demo", "generate", "--seed", NULL}, "lrt demo: --seed needs a value." },
		{ {"version", "now", NULL}, "lrt version: unexpected argument now." },
		{ {"migrate", "--format", "json", NULL}, "lrt migrate: --format goes with status." },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_fails(cases[i].args, 2, cases[i].says);
}
END_TEST

/* ---- lrt migrate status ---------------------------------------------------------------- */

/* A login of the role `in_role`, named after the test's process. */
static void create_login(PGconn *conn, char *name, size_t size, const char *prefix,
			 const char *in_role, const char *setting)
{
	char sql[512];

	snprintf(name, size, "%s_%ld", prefix, (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE %s; %s%s%s", name,
		 in_role, setting ? "ALTER ROLE " : "", setting ? name : "",
		 setting ? setting : "");
	lrt_test_exec(conn, sql);
}

static void drop_login(PGconn *conn, const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "DROP OWNED BY %s; DROP ROLE %s", name, name);
	lrt_test_exec(conn, sql);
}

START_TEST(test_migrate_status_read_only)
{
	static lrt_test_process p;
	char reader[64], read_only[64], as_reader[128], as_read_only[128], summary[512];
	char count_text[32], checksum[80];
	const char *status[] = {"migrate", "status", NULL};
	const char *migrate[] = {"migrate", NULL};
	const char *reader_status[] = {"migrate", "status", "--db", as_reader, NULL};
	const char *reader_json[] = {"-d", as_reader, "migrate", "status", "--format", "json", NULL};
	const char *read_only_status[] = {"migrate", "status", "-d", as_read_only, NULL};
	const char *read_only_migrate[] = {"migrate", "-d", as_read_only, NULL};
	PGconn *conn = lrt_test_connect(), *holder;
	json_t *rows;
	long count;
	size_t i;

	/* never migrated: every migration pending, and nothing created */
	lrt_test_run_ok(&p, status);
	ck_assert_uint_eq(count_lines_with(p.out, "  applied  "), 0);
	count = (long)count_lines_with(p.out, "  pending  ");
	ck_assert_int_ge(count, 8);
	snprintf(summary, sizeof(summary), "(%ld migrations: 0 applied, %ld pending, "
		 "0 changed)\nlrt migrate applies the pending ones\n", count, count);
	ck_assert_msg(strstr(p.out, summary) != NULL, "%s", p.out);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT to_regnamespace('lrt') IS NULL"), "t");

	lrt_test_run_ok(&p, migrate);
	snprintf(count_text, sizeof(count_text), "%ld", count);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.schema_migrations"),
			 count_text);
	create_login(conn, reader, sizeof(reader), "status_reader", "lrt_reader", NULL);
	create_login(conn, read_only, sizeof(read_only), "status_ro", "lrt_admin",
		     " SET default_transaction_read_only = on");
	snprintf(as_reader, sizeof(as_reader), "user=%s", reader);
	snprintf(as_read_only, sizeof(as_read_only), "user=%s", read_only);

	/* a migration holds the lock: status neither waits nor takes it */
	holder = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(holder, "SELECT pg_advisory_lock(7814436041899206514)"), "");
	lrt_test_run_ok(&p, reader_status);
	ck_assert_str_eq(p.err, "");
	ck_assert_msg(strncmp(p.out, "version  name ", 14) == 0, "%s", p.out);
	ck_assert_uint_eq(count_lines_with(p.out, " applied  20"), (size_t)count);
	snprintf(checksum, sizeof(checksum), "   0001  schema      ");
	ck_assert_msg(strstr(p.out, checksum) != NULL, "%s", p.out);
	snprintf(summary, sizeof(summary), "(%ld migrations: %ld applied, 0 pending, "
		 "0 changed)\n", count, count);
	ck_assert_msg(strstr(p.out, summary) != NULL, "%s", p.out);

	lrt_test_run_ok(&p, reader_json);
	rows = json_loads(p.out, 0, NULL);
	ck_assert_msg(json_array_size(rows) == (size_t)count, "%s", p.out);
	for (i = 0; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);
		const char *sum = json_string_value(json_object_get(row, "checksum"));

		ck_assert_str_eq(json_string_value(json_object_get(row, "state")), "applied");
		ck_assert_msg(sum != NULL && strlen(sum) == 64 && strspn(sum, "0123456789abcdef") == 64,
			      "%s", p.out);
		ck_assert_str_eq(sum, json_string_value(json_object_get(row, "file_checksum")));
	}
	snprintf(checksum, sizeof(checksum), "%s", lrt_test_value(conn,
		"SELECT checksum FROM lrt.schema_migrations WHERE version = 2"));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1),
							   "checksum")), checksum);
	json_decref(rows);

	/* a changed file, a pending one, one a newer lrt applied */
	lrt_test_exec(conn, "UPDATE lrt.schema_migrations SET checksum = repeat('0', 64)"
		      " WHERE version = 2");
	lrt_test_exec(conn, "DELETE FROM lrt.schema_migrations WHERE version ="
		      " (SELECT max(version) FROM lrt.schema_migrations)");
	lrt_test_exec(conn, "INSERT INTO lrt.schema_migrations (version, name, checksum)"
		      " VALUES (9999, 'from_the_future', repeat('a', 64))");
	lrt_test_run_ok(&p, read_only_status);
	ck_assert_uint_eq(count_lines_with(p.out, " applied  20"), (size_t)count - 2);
	snprintf(summary, sizeof(summary), "  000000000000  (the file's is %.12s now)\n",
		 checksum);
	ck_assert_msg(count_lines_with(p.out, "   0002  ingest  ") == 1
		      && count_lines_with(p.out, "  changed  ") == 1
		      && count_lines_with(p.out, summary) == 1, "%s", p.out);
	ck_assert_uint_eq(count_lines_with(p.out, "  pending  "), 1);
	ck_assert_msg(strstr(p.out, "   9999  from_the_future  unknown  ") != NULL
		      && strstr(p.out, "aaaaaaaaaaaa  (not in this lrt: a newer one applied "
				"it)\n") != NULL, "%s", p.out);
	snprintf(summary, sizeof(summary), "(%ld migrations: %ld applied, 1 pending, "
		 "1 changed, 1 unknown)\nlrt migrate refuses to run while an applied "
		 "migration has changed: restore its file, and write the change as a new "
		 "migration\n", count + 1, count - 2);
	ck_assert_msg(strstr(p.out, summary) != NULL, "%s", p.out);
	/* the same login cannot migrate: its transactions are read only */
	PQfinish(holder);
	snprintf(summary, sizeof(summary), "UPDATE lrt.schema_migrations SET checksum = '%s'"
		 " WHERE version = 2; DELETE FROM lrt.schema_migrations WHERE version = 9999",
		 checksum);
	lrt_test_exec(conn, summary);
	lrt_test_run(&p, read_only_migrate);
	ck_assert_msg(p.status == 1 && strstr(p.err, "read-only transaction") != NULL,
		      "%d %s", p.status, p.err);

	drop_login(conn, reader);
	drop_login(conn, read_only);
	PQfinish(conn);
}
END_TEST

/* ---- lrt product ------------------------------------------------------------------------ */

START_TEST(test_product_update)
{
	static const char *const products[] = {"01-erc4626-offset0", "rstETH", NULL};
	static lrt_test_process p;
	char reader[64], as_reader[128];
	const char *update[] = {"product", "update", "rstETH", "--settle-lag", "3600", NULL};
	const char *fee[] = {"product", "update", "rstETH", "--fee-bps", "10", NULL};
	const char *guard[] = {"product", "update", "rstETH", "--max-rate-change-bps=5", NULL};
	const char *points[] = {"product", "update", "rstETH", "--points", NULL};
	const char *model[] = {"product", "update", "rstETH", "--model", "plain", NULL};
	const char *nothing[] = {"product", "update", "rstETH", NULL};
	const char *unknown[] = {"product", "update", "nope", "--settle-lag", "1", NULL};
	const char *negative[] = {"product", "update", "rstETH", "--settle-lag", "-1", NULL};
	const char *huge[] = {"product", "update", "rstETH", "--settle-lag",
			      "99999999999999999999", NULL};
	const char *show_lag[] = {"product", "show", "rstETH", "--settle-lag", "1", NULL};
	const char *as_reader_update[] = {"-d", as_reader, "product", "update", "rstETH",
					  "--settle-lag", "1", NULL};
	PGconn *conn = lrt_test_connect();

	load(products);
	lrt_test_run_ok(&p, update);
	ck_assert_str_eq(p.out, "rstETH: settle lag 3600 s, was 0 s\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settle_lag_seconds FROM lrt.products"),
			 "3600");
	lrt_test_run_ok(&p, update);
	ck_assert_str_eq(p.out, "rstETH: settle lag 3600 s, as it was\n");

	run_fails(fee, 2, "lrt product: --fee-bps: fee_bps changes only by a config event, so"
		  " that the books say from which epoch: ingest {\"id\": ..., \"type\": "
		  "\"config\", \"epoch\": EPOCH, \"fee_bps\": ...} (SPEC section 3).");
	run_fails(guard, 2, "--max-rate-change-bps: max_rate_change_bps changes only by a "
		  "config event");
	run_fails(points, 2, "--points: points changes only by a config event");
	run_fails(model, 2, "--model: model never changes (SPEC section 2)");
	run_fails(nothing, 2, "update: say what changes: --settle-lag SECONDS");
	run_fails(unknown, 2, "no product nope in this database");
	run_fails(negative, 2, "--settle-lag: \"-1\" is not a number of seconds");
	run_fails(huge, 2, "is not a number of seconds");
	run_fails(show_lag, 2, "--settle-lag goes with create and update");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT fee_bps || ' ' || max_rate_change_bps"
		" FROM lrt.product_state"), "0 0");

	create_login(conn, reader, sizeof(reader), "update_reader", "lrt_reader", NULL);
	snprintf(as_reader, sizeof(as_reader), "user=%s", reader);
	run_fails(as_reader_update, 1, "permission denied");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settle_lag_seconds FROM lrt.products"),
			 "3600");
	drop_login(conn, reader);
	PQfinish(conn);
}
END_TEST

static const char shown_before[] =
"rstETH\n"
"  symbol               rstETH\n"
"  underlying           ETH\n"
"  assets               ETH, 18 decimals\n"
"  model                erc4626\n"
"  offset               0\n"
"  genesis_time         1970-01-01T00:00:00Z (0)\n"
"  epoch_seconds        86400\n"
"  fee_bps              0\n"
"  fee_recipients       treasury, 10000 bps\n"
"  delay_epochs         0\n"
"  max_apr_bps          0 (no cap)\n"
"  max_rate_change_bps  0 (no guard)\n"
"  fee_high_water_mark  false\n"
"  points               none\n"
"  settle_lag_seconds   0\n"
"  settled epoch        none\n"
"  total assets         0 ETH\n"
"  total shares         0 rstETH\n"
"  rate                 none\n"
"  deferred             0 ETH\n"
"  positions            none\n"
"  holders              0\n"
"  queued requests      0\n"
"  pending events       4\n";

static const char shown_after_tail[] =
"  settle_lag_seconds   0\n"
"  settled epoch        2\n"
"  total assets         111 ETH\n"
"  total shares         109.90099009900990099 rstETH\n"
"  rate                 1.01 ETH per rstETH\n"
"  deferred             0 ETH\n"
"  positions            111 ETH at buffer\n"
"  holders              2\n"
"  queued requests      0\n"
"  pending events       0\n";

START_TEST(test_product_show_and_list)
{
	static const char *const products[] = {"01-erc4626-offset0", "rstETH", NULL};
	static const char *const keys[] = {
		"symbol", "underlying", "assets", "model", "offset", "genesis_time",
		"epoch_seconds", "fee_bps", "fee_recipients", "delay_epochs",
		"max_apr_bps", "max_rate_change_bps", "fee_high_water_mark", "points",
		"settle_lag_seconds", "genesis_utc", "settled_epoch", "share_decimals",
		"total_assets", "total_assets_whole", "total_shares", "total_shares_whole",
		"rate", "rate_whole", "deferred", "deferred_whole", "positions",
		"holders", "queued_requests", "pending_events", "config", NULL};
	static lrt_test_process p;
	const char *show[] = {"product", "show", "rstETH", NULL};
	const char *show_json[] = {"product", "show", "rstETH", "--format", "json", NULL};
	const char *list[] = {"product", "list", NULL};
	const char *list_json[] = {"product", "list", "--format", "json", NULL};
	const char *settle[] = {"settle", NULL};
	const char *create_json[] = {"product", "create", "x.json", "--format", "json", NULL};
	json_t *product, *rows;
	const char *key;
	json_t *value;
	size_t i = 0;

	load(products);
	lrt_test_run_ok(&p, show);
	ck_assert_str_eq(p.out, shown_before);
	lrt_test_run_ok(&p, list);
	ck_assert_str_eq(p.out,
		"symbol       underlying model     settled  pending  total assets                 settle lag\n"
		"rstETH       ETH        erc4626      none        4  0 ETH                        0 s\n");
	lrt_test_run_ok(&p, list_json);
	rows = json_loads(p.out, 0, NULL);
	ck_assert_msg(json_array_size(rows) == 1, "%s", p.out);
	ck_assert(json_is_null(json_object_get(json_array_get(rows, 0), "settled_epoch")));
	json_decref(rows);

	lrt_test_run_ok(&p, settle);
	lrt_test_run_ok(&p, show);
	ck_assert_msg(strstr(p.out, shown_after_tail) != NULL, "%s", p.out);
	ck_assert_int_eq(strncmp(p.out, shown_before, strstr(shown_before,
		"  settle_lag_seconds") - shown_before), 0);
	lrt_test_run_ok(&p, list);
	ck_assert_ptr_nonnull(strstr(p.out, "\nrstETH       ETH        erc4626         2        0"
				     "  111 ETH                      0 s\n"));

	lrt_test_run_ok(&p, show_json);
	product = json_loads(p.out, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(product != NULL, "%s", p.out);
	json_object_foreach(product, key, value) {
		ck_assert_msg(keys[i] != NULL && strcmp(key, keys[i]) == 0,
			      "key %zu is %s, not %s", i, key, keys[i] ? keys[i] : "(end)");
		i++;
	}
	ck_assert_ptr_null(keys[i]);
	ck_assert_str_eq(json_string_value(json_object_get(product, "rate")),
			 "1010000000000000000");
	ck_assert_str_eq(json_string_value(json_object_get(product, "rate_whole")), "1.01");
	ck_assert_int_eq(json_integer_value(json_object_get(product, "settled_epoch")), 2);
	json_decref(product);
	run_fails(create_json, 2, "--format goes with show and list");
}
END_TEST

/* ---- help, version and the manual ---------------------------------------------------- */

START_TEST(test_help_help_and_version)
{
	static lrt_test_process p, q;
	const char *help_help[] = {"help", "help", NULL};
	const char *help_flag[] = {"help", "--help", NULL};
	const char *version[] = {"version", NULL};
	const char *help_verb[] = {"help", "migrate", "status", NULL};
	const char *help_migrate[] = {"migrate", "--help", NULL};
	const char *unknown[] = {"help", "nope", NULL};
	static const char *const databases[] = {"migrate", "product", "ingest", "settle",
		"export", "verify", "report", "status", "serve", "stress", NULL};
	size_t i;

	lrt_test_run_ok(&p, help_help);
	assert_starts_with(p.out, "Usage: lrt help [COMMAND [VERB]]\n\nExplains COMMAND");
	lrt_test_run_ok(&q, help_flag);
	ck_assert_str_eq(p.out, q.out);
	lrt_test_run_ok(&p, version);
	ck_assert_str_eq(p.out, "lrt " LRT_VERSION "\n");
	lrt_test_run_ok(&p, help_verb);
	lrt_test_run_ok(&q, help_migrate);
	ck_assert_str_eq(p.out, q.out);
	run_fails(unknown, 2, "lrt: unknown command nope");
	/* every command that connects says --db as psql users write it */
	for (i = 0; databases[i] != NULL; i++) {
		const char *help[] = {"help", databases[i], NULL};

		lrt_test_run_ok(&p, help);
		ck_assert_msg(strstr(p.out, "-d, --db DATABASE") != NULL
			      && strstr(p.out, "[--db DATABASE]") != NULL
			      && strstr(p.out, "CONNINFO") == NULL, "lrt help %s: %s",
			      databases[i], p.out);
	}
}
END_TEST

/* The page help2man made beside $LRT_BIN, as groff renders it for man(1). */
START_TEST(test_manual_page)
{
	static lrt_test_process p;
	const char *overview[] = {"--help", NULL};
	char bin[1024], page[1100], command[1300], name[64], wanted[192];
	const char *text, *line;
	char *rendered;
	size_t names = 0, length = 0;
	FILE *pipe;

	ck_assert_ptr_nonnull(getenv("LRT_BIN"));
	snprintf(bin, sizeof(bin), "%s", getenv("LRT_BIN"));
	snprintf(page, sizeof(page), "%s/lrt.1", dirname(bin));
	text = lrt_test_read_file(page, NULL);
	assert_starts_with(text, ".\\\" DO NOT MODIFY THIS FILE!  It was generated by help2man");
	ck_assert_ptr_nonnull(strstr(text, "\n.TH LRT \"1\" "));
	ck_assert_ptr_nonnull(strstr(text, "\"lrt " LRT_VERSION "\" \"User Commands\"\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n.SH NAME\nlrt \\- the liquid restaking token "
				     "accounting engine\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n.SH SYNOPSIS\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n.SH OPTIONS\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n.SH ENVIRONMENT\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n.SH COMMANDS\n"));
	/* a section per command `lrt --help` lists, each with its help */
	lrt_test_run_ok(&p, overview);
	for (line = strstr(p.out, "\nCommands:\n") + 11; strncmp(line, "  ", 2) == 0;
	     line = strchr(line, '\n') + 1) {
		ck_assert_int_eq(sscanf(line, " %63s", name), 1);
		snprintf(wanted, sizeof(wanted), "\n.SS \"lrt %s\"\n.nf\nUsage: lrt %s",
			 name, name);
		ck_assert_msg(strstr(text, wanted) != NULL, "no %s in %s", wanted, page);
		names++;
	}
	ck_assert_uint_ge(names, 14);

	/* groff: no warning, and the text a reader sees */
	snprintf(command, sizeof(command), "groff -man -Tutf8 -ww -z '%s' 2>&1", page);
	pipe = popen(command, "r");
	ck_assert_ptr_nonnull(pipe);
	rendered = calloc(1, 4096);
	length = fread(rendered, 1, 4095, pipe);
	ck_assert_msg(pclose(pipe) == 0 && length == 0, "groff: %s", rendered);
	free(rendered);
	snprintf(command, sizeof(command), "MANWIDTH=80 groff -man -Tutf8 -P-cbou '%s'", page);
	pipe = popen(command, "r");
	ck_assert_ptr_nonnull(pipe);
	rendered = calloc(1, 1 << 20);
	length = fread(rendered, 1, (1 << 20) - 1, pipe);
	ck_assert_int_eq(pclose(pipe), 0);
	ck_assert_uint_gt(length, 1000);
	ck_assert_ptr_nonnull(strstr(rendered, "lrt migrate status [--format table|json]"));
	ck_assert_ptr_nonnull(strstr(rendered, "LRT_PRODUCT"));
	ck_assert_ptr_nonnull(strstr(rendered, "lrt product update SYMBOL --settle-lag SECONDS"));
	free(rendered);
}
END_TEST

Suite *command_suite(void)
{
	Suite *suite = suite_create("command");
	TCase *database = tcase_create("database");
	TCase *usage = tcase_create("usage");

	tcase_add_checked_fixture(database, lrt_test_fresh_database, NULL);
	tcase_set_timeout(database, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(database, test_db_by_name_before_and_after_the_command);
	tcase_add_test(database, test_lrt_product_is_the_default_product);
	tcase_add_test(database, test_migrate_status_read_only);
	tcase_add_test(database, test_product_update);
	tcase_add_test(database, test_product_show_and_list);
	suite_add_tcase(suite, database);
	tcase_set_timeout(usage, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(usage, test_shared_option_errors);
	tcase_add_test(usage, test_help_help_and_version);
	tcase_add_test(usage, test_manual_page);
	suite_add_tcase(suite, usage);
	return suite;
}
