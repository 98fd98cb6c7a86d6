/*
 * check_status.c - how a product's settlement stands (include/lrt/status.h)
 * and `lrt status`: the settled epoch, the epoch due and the seconds behind
 * at a fixed clock (at and around the moments an epoch falls due), events
 * and submissions waiting counted independently, the queue against the
 * SPEC's arithmetic done here, a guard trip before and after
 * --accept-rate, the holder of the serve lock (and locks that are not it);
 * the metrics file, text for text, escaping a symbol with a quote, a
 * backslash and a line feed, replaced by rename (a reader of the old file
 * keeps it), and an unwritable folder or a failing write that leave the
 * old file whole and no temporary file; the command's JSON against the
 * library's figures, its table, and its exit statuses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/limits.h"
#include "helpers.h"
#include "lrt/lrt.h"

/* The day of the scenarios' products: they set no epoch_seconds. */
#define DAY 86400

static void scenario_path(char *out, size_t size, const char *name)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");

	ck_assert_msg(folder != NULL, "LRT_DB_SCENARIOS is not set");
	snprintf(out, size, "%s/%s.jsonl", folder, name);
}

/* migrate, product create (with a settle lag when not NULL), ingest. */
static void load_scenario(const char *path, const char *settle_lag)
{
	static lrt_test_process p;
	const char *migrate[] = {"migrate", NULL};
	const char *create[] = {"product", "create", path, NULL};
	const char *create_lag[] = {"product", "create", path, "--settle-lag", settle_lag, NULL};
	const char *ingest[] = {"ingest", path, NULL};

	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, settle_lag != NULL ? create_lag : create);
	lrt_test_run_ok(&p, ingest);
}

/* The statuses of every product (symbol NULL) or one, at `now`. */
static lrt_product_status *read_status(size_t *count, const char *symbol, int64_t now)
{
	lrt_product_status *statuses = NULL;
	lrt_store *store = NULL;
	int rc;

	ck_assert_msg(lrt_store_connect(&store, NULL) == 0, "%s", lrt_error_last());
	rc = lrt_status_read(&statuses, count, store, symbol, now);
	ck_assert_msg(rc == 0, "lrt_status_read: %d %s", rc, lrt_error_last());
	lrt_store_close(store);
	return statuses;
}

/* Events of the scenario file whose epoch is after `epoch`, counted from
 * the file itself, not the database. */
static long events_after(const char *path, long epoch)
{
	char *text = lrt_test_read_file(path, NULL);
	json_t *lines = lrt_test_json_lines(text), *line;
	long count = 0;
	size_t i;

	json_array_foreach(lines, i, line) {
		json_t *e = json_object_get(line, "epoch");

		if (i > 0 && json_is_integer(e) && json_integer_value(e) > epoch)
			count++;
	}
	json_decref(lines);
	return count;
}

/* ---- the settled epoch, the clock, what waits ---------------------------------- */

/*
 * 07-withdraw-cap settled through epoch 1 with a lag of 600 s: genesis 0,
 * epochs of a day, so epoch e falls due at (e + 1) * DAY + 600.
 */
START_TEST(test_settled_through_and_the_clock)
{
	const char *settle[] = {"settle", "--through", "1", NULL};
	static lrt_test_process p;
	lrt_product_status *s;
	char path[1024];
	size_t count;
	PGconn *conn;

	scenario_path(path, sizeof(path), "07-withdraw-cap");
	load_scenario(path, "600");
	lrt_test_run_ok(&p, settle);
	conn = lrt_test_connect();
	lrt_test_exec(conn, "INSERT INTO lrt.submissions (product, event) VALUES"
		      " ('rstETH', '{}'), ('rstETH', '{\"id\": 1}'), ('other', '{}')");
	PQfinish(conn);

	/* two days and 1234 s after epoch 2 fell due: epochs 2, 3, 4 are due */
	s = read_status(&count, "rstETH", 600 + 5 * DAY + 1234);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(s->symbol, "rstETH");
	ck_assert_int_eq(s->settled_epoch, 1);
	ck_assert_int_eq(s->due_epoch, 4);
	ck_assert_int_eq(s->seconds_behind, 2 * DAY + 1234);
	ck_assert_int_eq(s->events_waiting, events_after(path, 1));
	ck_assert_int_eq(s->events_waiting, 6);
	ck_assert_int_eq(s->submissions_waiting, 2);
	/* w1, alice's 50e18 shares, queued at epoch 1 before its reward: the
	 * cap is their value then, A = S = 200e18, 50e18; worth now
	 * min(cap, 50e18 * (A + 1) / (S + 1)) with A = 202e18: the cap */
	ck_assert_int_eq(s->queue_length, 1);
	ck_assert_str_eq(s->queue_value, "50000000000000000000");
	ck_assert_str_eq(s->queue_value_whole, "50");
	conn = lrt_test_connect();
	ck_assert_str_eq(s->queue_value, lrt_test_value(conn,
		"SELECT pending_value FROM lrt_report.queue WHERE symbol = 'rstETH'"));
	PQfinish(conn);
	ck_assert_str_eq(s->underlying, "ETH");
	ck_assert_int_eq(s->guard_trips, 0);
	ck_assert(!s->guard_stopped);
	ck_assert_int_eq(s->last_trip_epoch, -1);
	ck_assert_ptr_null(s->last_trip_rate_before);
	ck_assert_ptr_null(s->last_trip_rate_after);
	ck_assert_ptr_null(s->last_trip_at);
	ck_assert_ptr_null(s->lock_holder);
	ck_assert_int_eq(s->product_id, 1);
	lrt_status_free(s, count);

	/* the moment epoch 2 falls due: due, 0 s behind; a second before: not */
	s = read_status(&count, NULL, 600 + 3 * DAY);
	ck_assert_int_eq(s->due_epoch, 2);
	ck_assert_int_eq(s->seconds_behind, 0);
	lrt_status_free(s, count);
	s = read_status(&count, NULL, 600 + 3 * DAY + 1);
	ck_assert_int_eq(s->seconds_behind, 1);
	lrt_status_free(s, count);
	s = read_status(&count, NULL, 600 + 3 * DAY - 1);
	ck_assert_int_eq(s->due_epoch, 1);
	ck_assert_int_eq(s->seconds_behind, 0);
	lrt_status_free(s, count);
	/* within the lag after epoch 0 ends nothing is due; then epoch 0 is */
	s = read_status(&count, NULL, DAY + 599);
	ck_assert_int_eq(s->due_epoch, -1);
	lrt_status_free(s, count);
	s = read_status(&count, NULL, DAY + 600);
	ck_assert_int_eq(s->due_epoch, 0);
	ck_assert_int_eq(s->seconds_behind, 0);
	lrt_status_free(s, count);
}
END_TEST

START_TEST(test_nothing_settled_yet)
{
	lrt_product_status *s;
	char path[1024];
	size_t count;

	scenario_path(path, sizeof(path), "07-withdraw-cap");
	load_scenario(path, NULL);
	/* epoch 0 due since 1000 s: behind by 1000 s, measured from its end */
	s = read_status(&count, NULL, DAY + 1000);
	ck_assert_int_eq(s->settled_epoch, -1);
	ck_assert_int_eq(s->due_epoch, 0);
	ck_assert_int_eq(s->seconds_behind, 1000);
	ck_assert_int_eq(s->events_waiting, events_after(path, -1));
	ck_assert_int_eq(s->queue_length, 0);
	ck_assert_str_eq(s->queue_value, "0");
	ck_assert_str_eq(s->queue_value_whole, "0");
	lrt_status_free(s, count);
}
END_TEST

START_TEST(test_read_refuses)
{
	lrt_product_status *s = (lrt_product_status *)1;
	lrt_store *store = NULL;
	size_t count = 7;
	char path[1024];

	scenario_path(path, sizeof(path), "07-withdraw-cap");
	load_scenario(path, NULL);
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_int_eq(lrt_status_read(&s, &count, store, "nope", 0), LRT_EINVAL);
	ck_assert_str_eq(lrt_error_last(), "no product nope in this database");
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(count, 0);
	ck_assert_int_eq(lrt_status_read(&s, &count, store, NULL, LRT_TIME_MAX + 1),
			 LRT_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(lrt_status_read(&s, &count, store, NULL, LRT_TIME_MAX), 0);
	ck_assert_uint_eq(count, 1);
	lrt_status_free(s, count);
	lrt_store_close(store);
}
END_TEST

/* ---- the guard ---------------------------------------------------------------- */

START_TEST(test_guard_trip_then_accept)
{
	const char *settle[] = {"settle", NULL};
	const char *accept[] = {"settle", "--accept-rate", "1034999999999999999", NULL};
	const char *status[] = {"status", NULL};
	static lrt_test_process p;
	lrt_product_status *s;
	char path[1024];
	size_t count;
	PGconn *conn;

	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path, NULL);
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 3);
	s = read_status(&count, NULL, 0);
	ck_assert_int_eq(s->settled_epoch, 2);
	ck_assert(s->guard_stopped);
	ck_assert_int_eq(s->guard_trips, 1);
	ck_assert_int_eq(s->last_trip_epoch, 3);
	ck_assert_str_eq(s->last_trip_rate_before, "1054999999999999999");
	ck_assert_str_eq(s->last_trip_rate_after, "1034999999999999999");
	conn = lrt_test_connect();
	ck_assert_str_eq(s->last_trip_at, lrt_test_value(conn,
		"SELECT to_char(tripped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
		"  FROM lrt.guard_trips"));
	ck_assert_int_eq(s->events_waiting, events_after(path, 2));
	lrt_status_free(s, count);
	lrt_test_run_ok(&p, status);
	ck_assert_msg(strstr(p.out, "  last guard trip  epoch 3 at ") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, ": rate 1054999999999999999 to 1034999999999999999\n"
				    "                   stopped, waiting for lrt settle"
				    " --product rstETH --accept-rate 1034999999999999999\n")
		      != NULL, "%s", p.out);

	lrt_test_run_ok(&p, accept);
	s = read_status(&count, NULL, 0);
	ck_assert_int_eq(s->settled_epoch, 4);
	ck_assert(!s->guard_stopped);
	ck_assert_int_eq(s->guard_trips, 1);
	ck_assert_int_eq(s->last_trip_epoch, 3);
	ck_assert_str_eq(s->last_trip_rate_after, "1034999999999999999");
	ck_assert_int_eq(s->events_waiting, 0);
	lrt_status_free(s, count);
	lrt_test_run_ok(&p, status);
	ck_assert_msg(strstr(p.out, "stopped") == NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "  last guard trip  epoch 3 at ") != NULL, "%s", p.out);
	PQfinish(conn);
}
END_TEST

/* ---- the serve lock ------------------------------------------------------------ */

/* A second product, "zzETH", with no events. */
static void create_second_product(void)
{
	static lrt_test_process p;
	char folder[1024], path[1100];
	const char *create[] = {"product", "create", path, NULL};

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/zz.json", folder);
	lrt_test_write_file(path, "{\"symbol\": \"zzETH\", \"underlying\": \"ETH\","
			    " \"assets\": [{\"symbol\": \"ETH\", \"decimals\": 18}]}");
	lrt_test_run_ok(&p, create);
}

/* A session of its own, named as a service names itself, in `database`
 * (NULL: the test's). */
static PGconn *connect_as(const char *application_name, const char *database)
{
	char conninfo[512];
	PGconn *conn;

	snprintf(conninfo, sizeof(conninfo), "application_name='%s' dbname=%s",
		 application_name, database != NULL ? database : lrt_test_database());
	conn = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	return conn;
}

static void lock(PGconn *conn, const char *function, long class_key, long object_key)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s(%ld, %ld)", function, class_key, object_key);
	lrt_test_value(conn, sql);
}

START_TEST(test_lock_holder)
{
	const char *status[] = {"status", "--product", "rstETH", NULL};
	static lrt_test_process p;
	lrt_product_status *s;
	PGconn *serve, *other, *elsewhere;
	char path[1024];
	size_t count;

	scenario_path(path, sizeof(path), "07-withdraw-cap");
	load_scenario(path, NULL);
	create_second_product();
	serve = connect_as("lrt serve on testhost pid 1", NULL);
	other = connect_as("not the lock", NULL);
	elsewhere = connect_as("another database", "postgres");
	/* locks that are not the serve lock of rstETH (id 1): another class
	 * (settlement's), another key, the same keys in another database */
	lock(other, "pg_advisory_lock", 0x4c525453, 1);
	lock(other, "pg_advisory_lock", LRT_SERVE_LOCK_CLASS, 3);
	lock(elsewhere, "pg_advisory_lock", LRT_SERVE_LOCK_CLASS, 1);
	lock(other, "pg_advisory_lock_shared", LRT_SERVE_LOCK_CLASS + 1, 1);
	s = read_status(&count, NULL, 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_ptr_null(s[0].lock_holder);
	ck_assert_ptr_null(s[1].lock_holder);
	lrt_status_free(s, count);

	lock(serve, "pg_advisory_lock", LRT_SERVE_LOCK_CLASS, 1);
	s = read_status(&count, NULL, 0);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(s[0].symbol, "rstETH");
	ck_assert_str_eq(s[0].lock_holder, "lrt serve on testhost pid 1");
	ck_assert_str_eq(s[1].symbol, "zzETH");
	ck_assert_int_eq(s[1].product_id, 2);
	ck_assert_ptr_null(s[1].lock_holder);
	lrt_status_free(s, count);
	lrt_test_run_ok(&p, status);
	ck_assert_msg(strstr(p.out, "\n  settlement lock  lrt serve on testhost pid 1\n")
		      != NULL, "%s", p.out);

	lock(serve, "pg_advisory_unlock", LRT_SERVE_LOCK_CLASS, 1);
	s = read_status(&count, "rstETH", 0);
	ck_assert_ptr_null(s->lock_holder);
	lrt_status_free(s, count);
	lrt_test_run_ok(&p, status);
	ck_assert_msg(strstr(p.out, "\n  settlement lock  none (no lrt serve is settling it)\n")
		      != NULL, "%s", p.out);

	/* a session with no name is named by its server process */
	lrt_test_exec(other, "SET application_name = ''");
	lock(other, "pg_advisory_lock", LRT_SERVE_LOCK_CLASS, 2);
	s = read_status(&count, "zzETH", 0);
	ck_assert_str_eq(s->lock_holder, lrt_test_value(other,
		"SELECT 'session pid ' || pg_backend_pid()"));
	lrt_status_free(s, count);
	PQfinish(elsewhere);
	PQfinish(other);
	PQfinish(serve);
}
END_TEST

/* ---- the metrics file ---------------------------------------------------------- */

static const char expected_synthetic[] =
"# HELP lrt_settled_epoch The last settled epoch of the product; -1 before the first.\n"
"# TYPE lrt_settled_epoch gauge\n"
"lrt_settled_epoch{product=\"a\\\"b\\\\c\\nd\"} 41\n"
"lrt_settled_epoch{product=\"zzETH\"} -1\n"
"# HELP lrt_due_epoch The last epoch complete by the clock (its end plus the settle lag"
" has passed); -1 when none.\n"
"# TYPE lrt_due_epoch gauge\n"
"lrt_due_epoch{product=\"a\\\"b\\\\c\\nd\"} 44\n"
"lrt_due_epoch{product=\"zzETH\"} -1\n"
"# HELP lrt_seconds_behind Seconds since the epoch after the last settled one became due;"
" 0 when settlement is up to date.\n"
"# TYPE lrt_seconds_behind gauge\n"
"lrt_seconds_behind{product=\"a\\\"b\\\\c\\nd\"} 7300\n"
"lrt_seconds_behind{product=\"zzETH\"} 0\n"
"# HELP lrt_events_waiting Events in the inbox of epochs not yet settled.\n"
"# TYPE lrt_events_waiting gauge\n"
"lrt_events_waiting{product=\"a\\\"b\\\\c\\nd\"} 12\n"
"lrt_events_waiting{product=\"zzETH\"} 0\n"
"# HELP lrt_submissions_waiting Events submitted with SQL (lrt.submissions) not yet"
" ingested.\n"
"# TYPE lrt_submissions_waiting gauge\n"
"lrt_submissions_waiting{product=\"a\\\"b\\\\c\\nd\"} 3\n"
"lrt_submissions_waiting{product=\"zzETH\"} 0\n"
"# HELP lrt_queue_requests Withdrawal requests queued.\n"
"# TYPE lrt_queue_requests gauge\n"
"lrt_queue_requests{product=\"a\\\"b\\\\c\\nd\"} 2\n"
"lrt_queue_requests{product=\"zzETH\"} 0\n"
"# HELP lrt_queue_value_base_units Value of the queued withdrawal requests at the rate"
" now, in base units of the underlying.\n"
"# TYPE lrt_queue_value_base_units gauge\n"
"lrt_queue_value_base_units{product=\"a\\\"b\\\\c\\nd\"}"
" 115792089237316195423570985008687907853269984665640564039457584007913129639935\n"
"lrt_queue_value_base_units{product=\"zzETH\"} 0\n"
"# HELP lrt_guard_trips_total Times the settlement guard stopped an epoch of the product.\n"
"# TYPE lrt_guard_trips_total counter\n"
"lrt_guard_trips_total{product=\"a\\\"b\\\\c\\nd\"} 2\n"
"lrt_guard_trips_total{product=\"zzETH\"} 0\n"
"# HELP lrt_guard_stopped 1 while the settlement guard holds the next epoch (lrt settle"
" --accept-rate RATE lets it pass), else 0.\n"
"# TYPE lrt_guard_stopped gauge\n"
"lrt_guard_stopped{product=\"a\\\"b\\\\c\\nd\"} 1\n"
"lrt_guard_stopped{product=\"zzETH\"} 0\n"
"# HELP lrt_leader 1 when this lrt serve holds the product's settlement lock, else 0.\n"
"# TYPE lrt_leader gauge\n"
"lrt_leader{product=\"a\\\"b\\\\c\\nd\"} 0\n"
"lrt_leader{product=\"zzETH\"} 1\n"
"# HELP lrt_reconnects_total Reconnections to the database since the service started.\n"
"# TYPE lrt_reconnects_total counter\n"
"lrt_reconnects_total 5\n"
"# HELP lrt_epochs_settled_total Epochs this service has settled since it started.\n"
"# TYPE lrt_epochs_settled_total counter\n"
"lrt_epochs_settled_total 9000000000\n"
"# HELP lrt_service_start_time_seconds When the service started, Unix seconds.\n"
"# TYPE lrt_service_start_time_seconds gauge\n"
"lrt_service_start_time_seconds 1767225600\n";

static void synthetic_statuses(lrt_product_status s[2])
{
	static char symbol0[] = "a\"b\\c\nd", symbol1[] = "zzETH";
	static char value0[] =
		"115792089237316195423570985008687907853269984665640564039457584007913129639935";
	static char value1[] = "0";

	memset(s, 0, 2 * sizeof(*s));
	s[0].symbol = symbol0;
	s[0].settled_epoch = 41;
	s[0].due_epoch = 44;
	s[0].seconds_behind = 7300;
	s[0].events_waiting = 12;
	s[0].submissions_waiting = 3;
	s[0].queue_length = 2;
	s[0].queue_value = value0;
	s[0].guard_trips = 2;
	s[0].guard_stopped = true;
	s[0].last_trip_epoch = 42;
	s[1].symbol = symbol1;
	s[1].settled_epoch = -1;
	s[1].due_epoch = -1;
	s[1].queue_value = value1;
	s[1].last_trip_epoch = -1;
}

/* `text` equals `expected`, or the first line that differs is named. */
static void assert_same_text(const char *text, const char *expected)
{
	size_t at = 0, line = 1, start = 0;

	while (text[at] != '\0' && text[at] == expected[at]) {
		if (text[at] == '\n') {
			line++;
			start = at + 1;
		}
		at++;
	}
	ck_assert_msg(text[at] == expected[at], "line %zu differs:\n got  %.200s\n want %.200s",
		      line, text + start, expected + start);
}

/* The names in `folder`, "." and ".." left out, sorted, joined by spaces. */
static const char *folder_names(const char *folder)
{
	static char names[4096];
	struct dirent **entries;
	int n, i;

	n = scandir(folder, &entries, NULL, alphasort);
	ck_assert_msg(n >= 0, "scandir %s: %s", folder, strerror(errno));
	names[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(entries[i]->d_name, ".") != 0 && strcmp(entries[i]->d_name, "..") != 0)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] != '\0' ? " " : "", entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	return names;
}

START_TEST(test_metrics_text)
{
	static const char *const leading[] = {"zzETH", "elsewhere"};
	lrt_service_counters counters = {5, 9000000000, 1767225600, leading, 2};
	lrt_product_status s[2];
	char folder[1024], path[1100];

	synthetic_statuses(s);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/lrt.prom", folder);
	ck_assert_msg(lrt_metrics_write(path, s, 2, &counters) == 0, "%s", lrt_error_last());
	assert_same_text(lrt_test_read_file(path, NULL), expected_synthetic);
	ck_assert_str_eq(folder_names(folder), "lrt.prom");

	/* no service: no service metrics, nobody leads */
	ck_assert_int_eq(lrt_metrics_write(path, &s[1], 1, NULL), 0);
	ck_assert_msg(strstr(lrt_test_read_file(path, NULL), "\nlrt_leader{product=\"zzETH\"} 0\n")
		      != NULL, "%s", lrt_test_read_file(path, NULL));
	ck_assert_ptr_null(strstr(lrt_test_read_file(path, NULL), "lrt_reconnects_total"));
	ck_assert_ptr_null(strstr(lrt_test_read_file(path, NULL), "a\\\"b"));
	/* no product: only the service's */
	ck_assert_int_eq(lrt_metrics_write(path, NULL, 0, &counters), 0);
	ck_assert_str_eq(lrt_test_read_file(path, NULL),
			 strstr(expected_synthetic, "# HELP lrt_reconnects_total"));
}
END_TEST

/*
 * A product whose symbol holds a quote and a backslash, stopped by the
 * guard, read from the database at a fixed clock: the whole file.
 */
START_TEST(test_metrics_from_the_database)
{
	static const char symbol[] = "r\"st\\ETH";
	const char *const leading[] = {symbol};
	lrt_service_counters counters = {0, 3, 1767225600, leading, 1};
	const char *settle[] = {"settle", NULL};
	static lrt_test_process p;
	char folder[1024], scenario[1100], metrics[1100], source[1024];
	char *text, *at;
	lrt_product_status *s;
	size_t count;

	scenario_path(source, sizeof(source), "10-guard-trip");
	text = strdup(lrt_test_read_file(source, NULL));
	ck_assert_ptr_nonnull(at = strstr(text, "\"symbol\": \"rstETH\""));
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(scenario, sizeof(scenario), "%s/quoted.jsonl", folder);
	snprintf(metrics, sizeof(metrics), "%s/lrt.prom", folder);
	*at = '\0';
	lrt_test_write_file(scenario, text);
	lrt_test_append_file(scenario, "\"symbol\": \"r\\\"st\\\\ETH\"");
	lrt_test_append_file(scenario, at + strlen("\"symbol\": \"rstETH\""));
	free(text);
	load_scenario(scenario, NULL);
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 3);

	/* epoch 3 fell due at 4 days, a day and 7 s ago; epoch 4 at 5 days */
	s = read_status(&count, NULL, 5 * DAY + 7);
	ck_assert_uint_eq(count, 1);
	ck_assert_str_eq(s->symbol, symbol);
	ck_assert_int_eq(lrt_metrics_write(metrics, s, count, &counters), 0);
	lrt_status_free(s, count);
	assert_same_text(lrt_test_read_file(metrics, NULL),
		"# HELP lrt_settled_epoch The last settled epoch of the product; -1 before the first.\n"
		"# TYPE lrt_settled_epoch gauge\n"
		"lrt_settled_epoch{product=\"r\\\"st\\\\ETH\"} 2\n"
		"# HELP lrt_due_epoch The last epoch complete by the clock (its end plus the settle"
		" lag has passed); -1 when none.\n"
		"# TYPE lrt_due_epoch gauge\n"
		"lrt_due_epoch{product=\"r\\\"st\\\\ETH\"} 4\n"
		"# HELP lrt_seconds_behind Seconds since the epoch after the last settled one became"
		" due; 0 when settlement is up to date.\n"
		"# TYPE lrt_seconds_behind gauge\n"
		"lrt_seconds_behind{product=\"r\\\"st\\\\ETH\"} 86407\n"
		"# HELP lrt_events_waiting Events in the inbox of epochs not yet settled.\n"
		"# TYPE lrt_events_waiting gauge\n"
		"lrt_events_waiting{product=\"r\\\"st\\\\ETH\"} 3\n"
		"# HELP lrt_submissions_waiting Events submitted with SQL (lrt.submissions) not yet"
		" ingested.\n"
		"# TYPE lrt_submissions_waiting gauge\n"
		"lrt_submissions_waiting{product=\"r\\\"st\\\\ETH\"} 0\n"
		"# HELP lrt_queue_requests Withdrawal requests queued.\n"
		"# TYPE lrt_queue_requests gauge\n"
		"lrt_queue_requests{product=\"r\\\"st\\\\ETH\"} 0\n"
		"# HELP lrt_queue_value_base_units Value of the queued withdrawal requests at the"
		" rate now, in base units of the underlying.\n"
		"# TYPE lrt_queue_value_base_units gauge\n"
		"lrt_queue_value_base_units{product=\"r\\\"st\\\\ETH\"} 0\n"
		"# HELP lrt_guard_trips_total Times the settlement guard stopped an epoch of the"
		" product.\n"
		"# TYPE lrt_guard_trips_total counter\n"
		"lrt_guard_trips_total{product=\"r\\\"st\\\\ETH\"} 1\n"
		"# HELP lrt_guard_stopped 1 while the settlement guard holds the next epoch (lrt"
		" settle --accept-rate RATE lets it pass), else 0.\n"
		"# TYPE lrt_guard_stopped gauge\n"
		"lrt_guard_stopped{product=\"r\\\"st\\\\ETH\"} 1\n"
		"# HELP lrt_leader 1 when this lrt serve holds the product's settlement lock, else 0.\n"
		"# TYPE lrt_leader gauge\n"
		"lrt_leader{product=\"r\\\"st\\\\ETH\"} 1\n"
		"# HELP lrt_reconnects_total Reconnections to the database since the service"
		" started.\n"
		"# TYPE lrt_reconnects_total counter\n"
		"lrt_reconnects_total 0\n"
		"# HELP lrt_epochs_settled_total Epochs this service has settled since it started.\n"
		"# TYPE lrt_epochs_settled_total counter\n"
		"lrt_epochs_settled_total 3\n"
		"# HELP lrt_service_start_time_seconds When the service started, Unix seconds.\n"
		"# TYPE lrt_service_start_time_seconds gauge\n"
		"lrt_service_start_time_seconds 1767225600\n");
}
END_TEST

START_TEST(test_metrics_replaced_whole)
{
	lrt_service_counters counters = {1, 2, 3, NULL, 0};
	lrt_product_status s[2];
	char folder[1024], path[1100], old_text[64];
	struct stat before, after;
	ssize_t n;
	int old;

	synthetic_statuses(s);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/lrt.prom", folder);
	ck_assert_int_eq(lrt_metrics_write(path, &s[1], 1, &counters), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	old = open(path, O_RDONLY);
	ck_assert_int_ge(old, 0);
	ck_assert_int_eq(lrt_metrics_write(path, s, 2, &counters), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	/* a new file took the name: a reader of the old one still reads it */
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	n = read(old, old_text, sizeof(old_text) - 1);
	ck_assert_int_gt(n, 0);
	old_text[n] = '\0';
	ck_assert_msg(strncmp(old_text, "# HELP lrt_settled_epoch", 24) == 0, "%s", old_text);
	close(old);
	ck_assert_msg(strstr(lrt_test_read_file(path, NULL), "product=\"a\\\"b") != NULL,
		      "the second write is not there");
	ck_assert_str_eq(folder_names(folder), "lrt.prom");
}
END_TEST

typedef enum { FAIL_BY_PERMISSION, FAIL_BY_FILE_SIZE } failure_kind;

/*
 * lrt_metrics_write in a child that cannot write `folder`: made read-only
 * and, as root (who writes anyway), the child runs as the owner of the
 * cluster's folder; or limited to files of 64 bytes, so that the write
 * itself fails after the temporary file is made.  Returns the child's code,
 * its message into `message`.
 */
static int write_in_a_child(char *message, size_t size, const char *folder,
			    const char *path, failure_kind kind)
{
	lrt_product_status s[2];
	int pipe_fds[2], status;
	ssize_t n;
	pid_t pid;

	synthetic_statuses(s);
	ck_assert_int_eq(pipe(pipe_fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stat cluster;
		int rc;

		close(pipe_fds[0]);
		if (kind == FAIL_BY_PERMISSION && geteuid() == 0) {
			if (stat(getenv("LRT_TEST_CLUSTER_DIR"), &cluster) != 0 ||
			    cluster.st_uid == 0 ||
			    chown(folder, cluster.st_uid, cluster.st_gid) != 0 ||
			    setgid(cluster.st_gid) != 0 || setuid(cluster.st_uid) != 0)
				_exit(100);
		}
		if (kind == FAIL_BY_FILE_SIZE) {
			struct rlimit limit = {64, 64};

			signal(SIGXFSZ, SIG_IGN);
			if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
				_exit(101);
		}
		rc = lrt_metrics_write(path, s, 2, NULL);
		if (write(pipe_fds[1], lrt_error_last(), strlen(lrt_error_last())) < 0)
			_exit(102);
		_exit(-rc);
	}
	close(pipe_fds[1]);
	n = read(pipe_fds[0], message, size - 1);
	message[n > 0 ? n : 0] = '\0';
	close(pipe_fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

START_TEST(test_metrics_unwritable_folder)
{
	lrt_product_status s[2];
	char folder[1024], path[1100], message[1024], expected[1200];
	char *old_text;

	synthetic_statuses(s);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/lrt.prom", folder);
	ck_assert_int_eq(lrt_metrics_write(path, &s[1], 1, NULL), 0);
	old_text = strdup(lrt_test_read_file(path, NULL));
	ck_assert_int_eq(chmod(folder, 0555), 0);
	ck_assert_int_eq(write_in_a_child(message, sizeof(message), folder, path,
					  FAIL_BY_PERMISSION), LRT_EIO);
	snprintf(expected, sizeof(expected), "cannot write %s: %s", path, strerror(EACCES));
	ck_assert_str_eq(message, expected);
	ck_assert_int_eq(chmod(folder, 0755), 0);
	ck_assert_str_eq(lrt_test_read_file(path, NULL), old_text);
	ck_assert_str_eq(folder_names(folder), "lrt.prom");
	free(old_text);

	/* a folder that is not there */
	snprintf(path, sizeof(path), "%s/missing/lrt.prom", folder);
	ck_assert_int_eq(lrt_metrics_write(path, s, 2, NULL), LRT_EIO);
	snprintf(expected, sizeof(expected), "cannot write %s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(lrt_error_last(), expected);
}
END_TEST

START_TEST(test_metrics_failing_write)
{
	lrt_product_status s[2];
	char folder[1024], path[1100], message[1024], expected[1200];
	char *old_text;

	synthetic_statuses(s);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/lrt.prom", folder);
	ck_assert_int_eq(lrt_metrics_write(path, &s[1], 1, NULL), 0);
	old_text = strdup(lrt_test_read_file(path, NULL));
	ck_assert_int_eq(write_in_a_child(message, sizeof(message), folder, path,
					  FAIL_BY_FILE_SIZE), LRT_EIO);
	snprintf(expected, sizeof(expected), "cannot write %s: %s", path, strerror(EFBIG));
	ck_assert_str_eq(message, expected);
	ck_assert_str_eq(lrt_test_read_file(path, NULL), old_text);
	ck_assert_str_eq(folder_names(folder), "lrt.prom");
	free(old_text);
}
END_TEST

/* ---- lrt status ---------------------------------------------------------------- */

static const char *json_text(json_t *object, const char *key)
{
	json_t *value = json_object_get(object, key);

	ck_assert_msg(value != NULL, "no %s", key);
	return json_is_null(value) ? NULL : json_string_value(value);
}

static int64_t json_int(json_t *object, const char *key)
{
	const char *text = json_text(object, key);

	ck_assert_msg(text != NULL, "%s is not a decimal string", key);
	return strtoll(text, NULL, 10);
}

static void assert_same_or_null(const char *got, const char *want)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

/* One object of the command's JSON against the library's statuses read
 * just before (`early`) and just after (`late`) it ran. */
static void assert_json_matches(json_t *o, const lrt_product_status *early,
				const lrt_product_status *late)
{
	ck_assert_uint_eq(json_object_size(o), 18);
	ck_assert_str_eq(json_text(o, "symbol"), early->symbol);
	ck_assert_int_eq(json_int(o, "settled_epoch"), early->settled_epoch);
	ck_assert_int_ge(json_int(o, "due_epoch"), early->due_epoch);
	ck_assert_int_le(json_int(o, "due_epoch"), late->due_epoch);
	ck_assert_int_eq(json_int(o, "epochs_behind"),
			 json_int(o, "due_epoch") - early->settled_epoch);
	ck_assert_int_ge(json_int(o, "seconds_behind"), early->seconds_behind);
	ck_assert_int_le(json_int(o, "seconds_behind"), late->seconds_behind);
	ck_assert_int_eq(json_int(o, "events_waiting"), early->events_waiting);
	ck_assert_int_eq(json_int(o, "submissions_waiting"), early->submissions_waiting);
	ck_assert_int_eq(json_int(o, "queue_length"), early->queue_length);
	ck_assert_str_eq(json_text(o, "queue_value"), early->queue_value);
	ck_assert_str_eq(json_text(o, "queue_value_whole"), early->queue_value_whole);
	ck_assert_str_eq(json_text(o, "underlying"), early->underlying);
	ck_assert_int_eq(json_int(o, "guard_trips"), early->guard_trips);
	ck_assert(json_is_boolean(json_object_get(o, "guard_stopped")));
	ck_assert_int_eq(json_is_true(json_object_get(o, "guard_stopped")), early->guard_stopped);
	ck_assert_int_eq(json_int(o, "last_trip_epoch"), early->last_trip_epoch);
	assert_same_or_null(json_text(o, "last_trip_rate_before"), early->last_trip_rate_before);
	assert_same_or_null(json_text(o, "last_trip_rate_after"), early->last_trip_rate_after);
	assert_same_or_null(json_text(o, "last_trip_at"), early->last_trip_at);
	assert_same_or_null(json_text(o, "lock_holder"), early->lock_holder);
}

START_TEST(test_command_json)
{
	const char *settle[] = {"settle", NULL};
	const char *json[] = {"status", "--format", "json", NULL};
	const char *one[] = {"status", "--format", "json", "--product", "zzETH", NULL};
	static lrt_test_process p;
	lrt_product_status *early, *late;
	size_t count, late_count, i;
	char path[1024];
	json_error_t error;
	json_t *array;
	PGconn *serve;

	scenario_path(path, sizeof(path), "10-guard-trip");
	load_scenario(path, NULL);
	lrt_test_run(&p, settle);
	ck_assert_int_eq(p.status, 3);
	create_second_product();
	serve = connect_as("lrt serve on testhost pid 1", NULL);
	lock(serve, "pg_advisory_lock", LRT_SERVE_LOCK_CLASS, 2);

	early = read_status(&count, NULL, 0);
	lrt_test_run_ok(&p, json);
	late = read_status(&late_count, NULL, 0);
	ck_assert_uint_eq(late_count, count);
	array = json_loads(p.out, 0, &error);
	ck_assert_msg(array != NULL, "not JSON (%s): %s", error.text, p.out);
	ck_assert(json_is_array(array));
	ck_assert_uint_eq(json_array_size(array), 2);
	for (i = 0; i < count; i++)
		assert_json_matches(json_array_get(array, i), &early[i], &late[i]);
	/* the figures themselves, not only the library's */
	ck_assert_str_eq(json_text(json_array_get(array, 0), "symbol"), "rstETH");
	ck_assert(json_is_true(json_object_get(json_array_get(array, 0), "guard_stopped")));
	ck_assert_str_eq(json_text(json_array_get(array, 1), "lock_holder"),
			 "lrt serve on testhost pid 1");
	ck_assert_str_eq(json_text(json_array_get(array, 1), "settled_epoch"), "-1");
	/* one object a line, as lrt report writes */
	ck_assert_msg(strncmp(p.out, "[\n{\"symbol\": \"rstETH\", ", 23) == 0, "%s", p.out);
	ck_assert_ptr_nonnull(strstr(p.out, "},\n{\"symbol\": \"zzETH\", "));
	json_decref(array);
	lrt_status_free(early, count);
	lrt_status_free(late, late_count);

	lrt_test_run_ok(&p, one);
	array = json_loads(p.out, 0, &error);
	ck_assert_msg(array != NULL, "not JSON (%s): %s", error.text, p.out);
	ck_assert_uint_eq(json_array_size(array), 1);
	ck_assert_str_eq(json_text(json_array_get(array, 0), "symbol"), "zzETH");
	json_decref(array);
	PQfinish(serve);
}
END_TEST

START_TEST(test_command_table)
{
	const char *settle[] = {"settle", "--through", "1", NULL};
	const char *status[] = {"status", NULL};
	static lrt_test_process p;
	char path[1024];

	scenario_path(path, sizeof(path), "07-withdraw-cap");
	load_scenario(path, NULL);
	lrt_test_run_ok(&p, settle);
	create_second_product();
	lrt_test_run_ok(&p, status);
	ck_assert_msg(strncmp(p.out, "rstETH\n  settled epoch    1 (epoch ", 35) == 0,
		      "%s", p.out);
	ck_assert_msg(strstr(p.out, " is the last due by the clock)\n  behind           ") != NULL,
		      "%s", p.out);
	ck_assert_msg(strstr(p.out, " behind (") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out,
		"\n  events waiting   6 (in epochs after the last settled)\n"
		"  submissions      0 waiting for lrt ingest --pending\n"
		"  queue            1 request, 50 ETH (50000000000000000000 base units)\n"
		"  last guard trip  none\n"
		"  settlement lock  none (no lrt serve is settling it)\n"
		"\nzzETH\n  settled epoch    none yet (epoch ") != NULL, "%s", p.out);
	ck_assert_msg(strstr(p.out, "\n  queue            0 requests, 0 ETH (0 base units)\n")
		      != NULL, "%s", p.out);
}
END_TEST

START_TEST(test_command_refuses)
{
	const char *migrate[] = {"migrate", NULL};
	const char *status[] = {"status", NULL};
	const char *json[] = {"status", "--format", "json", NULL};
	const char *unknown[] = {"status", "--product", "nope", NULL};
	const char *format[] = {"status", "--format", "xml", NULL};
	const char *extra[] = {"status", "rstETH", NULL};
	const char *help[] = {"help", "status", NULL};
	static lrt_test_process p;

	/* not migrated: the database's error, and what to do */
	lrt_test_run(&p, status);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "lrt migrate brings the database up to date") != NULL,
		      "%s", p.err);
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, status);
	ck_assert_str_eq(p.out, "no products in this database: lrt product create adds one\n");
	lrt_test_run_ok(&p, json);
	ck_assert_str_eq(p.out, "[]\n");
	lrt_test_run(&p, unknown);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.err, "lrt: no product nope in this database\n");
	ck_assert_str_eq(p.out, "");
	lrt_test_run(&p, format);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "--format: \"xml\" is not table or json") != NULL, "%s",
		      p.err);
	lrt_test_run(&p, extra);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run_ok(&p, help);
	ck_assert_msg(strncmp(p.out, "Usage: lrt status [--product SYMBOL]", 36) == 0, "%s", p.out);
	ck_assert_ptr_nonnull(strstr(p.out, "Exit status: 0 shown; 1 the database failed"));
	ck_assert_ptr_nonnull(strstr(p.out, "Examples:\n  lrt status\n"));
}
END_TEST

Suite *status_suite(void)
{
	Suite *suite = suite_create("status");
	TCase *read = tcase_create("read");
	TCase *metrics = tcase_create("metrics");
	TCase *command = tcase_create("command");

	tcase_add_checked_fixture(read, lrt_test_fresh_database, NULL);
	tcase_set_timeout(read, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(read, test_settled_through_and_the_clock);
	tcase_add_test(read, test_nothing_settled_yet);
	tcase_add_test(read, test_read_refuses);
	tcase_add_test(read, test_guard_trip_then_accept);
	tcase_add_test(read, test_lock_holder);
	suite_add_tcase(suite, read);
	tcase_add_checked_fixture(metrics, lrt_test_fresh_database, NULL);
	tcase_set_timeout(metrics, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(metrics, test_metrics_text);
	tcase_add_test(metrics, test_metrics_from_the_database);
	tcase_add_test(metrics, test_metrics_replaced_whole);
	tcase_add_test(metrics, test_metrics_unwritable_folder);
	tcase_add_test(metrics, test_metrics_failing_write);
	suite_add_tcase(suite, metrics);
	tcase_add_checked_fixture(command, lrt_test_fresh_database, NULL);
	tcase_set_timeout(command, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(command, test_command_json);
	tcase_add_test(command, test_command_table);
	tcase_add_test(command, test_command_refuses);
	suite_add_tcase(suite, command);
	return suite;
}
