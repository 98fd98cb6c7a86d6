/*
 * check_serve.c - `lrt serve`, the settlement service, run as a process
 * against the runner's cluster (and, for a server restart, a cluster of the
 * test's own), driven by products of short epochs (one or two seconds, the
 * genesis at the start of the test):
 *
 *   once       --once settles what is due and exits 0, also when nothing
 *              is; a lock held elsewhere leaves it standing by; usage errors
 *   events     events ingested and submitted with SQL while it runs settle
 *              when their epoch completes, not before; empty epochs settle
 *              by the timer alone; the metrics file; SIGTERM exits 0
 *   failover   two services for one product settle every epoch exactly
 *              once; the survivor takes over within seconds of SIGKILL
 *   restart    `pg_ctl restart -m immediate` under the service: it
 *              reconnects, loses nothing, settles nothing twice
 *   sigterm    SIGTERM during a long epoch: that epoch commits whole, and
 *              nothing after it is settled
 *   guard      a guard stop halts that product only, once (log, table,
 *              status, metrics), and settlement resumes after
 *              `lrt settle --accept-rate` or an accept submitted with SQL
 *   sighup     the log file reopened and a new product served
 *
 * Every wait polls for its condition against a deadline; no test sleeps
 * for a fixed time to let something happen.  Services are started with a
 * parent-death signal, so that a failing test leaves none behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <grp.h>
#include <jansson.h>

#include "cluster.h"
#include "helpers.h"

/* The most a condition is waited for: far more than any needs, well inside
 * the test's timeout. */
#define WAIT_SECONDS 15.0
/* How often a condition is checked. */
#define POLL_MS 20

/* The settler's and the service's advisory lock classes ("LRTS", "LRSV"). */
#define SETTLE_LOCK_CLASS "1280463955"
#define SERVE_LOCK_CLASS "1280463702"

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long milliseconds)
{
	struct timespec t = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* ---- running services --------------------------------------------------------- */

static int output_file(void)
{
	FILE *file = tmpfile();
	int fd;

	ck_assert_msg(file != NULL, "tmpfile: %s", strerror(errno));
	fd = dup(fileno(file));
	fclose(file);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/*
 * Starts `$LRT_BIN args...` as lrt_test_spawn does, but with SIGKILL as
 * its parent-death signal: a test that fails half-way leaves no service
 * running.  lrt_test_wait ends it as any other.
 */
static void spawn_service(lrt_test_process *process, const char *const args[])
{
	const char *lrt = getenv("LRT_BIN");
	const char *argv[LRT_TEST_ARGUMENTS_MAX + 2];
	pid_t parent = getpid();
	size_t count = 0;

	ck_assert_msg(lrt != NULL && lrt[0] != '\0', "LRT_BIN is not set");
	argv[count++] = lrt;
	while (args[count - 1] != NULL && count <= LRT_TEST_ARGUMENTS_MAX) {
		argv[count] = args[count - 1];
		count++;
	}
	argv[count] = NULL;
	memset(process, 0, sizeof(*process));
	process->out_fd = output_file();
	process->err_fd = output_file();
	fflush(NULL);
	process->pid = fork();
	ck_assert_int_ge(process->pid, 0);
	if (process->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent
		    || null < 0 || dup2(null, 0) < 0 || dup2(process->out_fd, 1) < 0
		    || dup2(process->err_fd, 2) < 0)
			_exit(126);
		execv(lrt, (char *const *)argv);
		_exit(127);
	}
}

/* What the service has written to standard error so far (its log). */
static char *log_so_far(const lrt_test_process *process)
{
	static char *text;
	struct stat info;
	ssize_t got;

	ck_assert_int_eq(fstat(process->err_fd, &info), 0);
	free(text);
	text = malloc((size_t)info.st_size + 1);
	ck_assert_ptr_nonnull(text);
	got = pread(process->err_fd, text, (size_t)info.st_size, 0);
	ck_assert_int_ge(got, 0);
	text[got] = '\0';
	return text;
}

/* At most the last 3000 bytes of `text`: what an assertion's message shows
 * of a log (Check's messages are short). */
static const char *tail_of(const char *text)
{
	size_t length = strlen(text);

	return length > 3000 ? text + length - 3000 : text;
}

static int count_of(const char *text, const char *needle)
{
	int count = 0;

	for (text = strstr(text, needle); text != NULL; text = strstr(text + 1, needle))
		count++;
	return count;
}

/* Waits until the log holds `needle` `times` times. */
static void wait_log(const lrt_test_process *process, const char *needle, int times)
{
	double deadline = now_seconds() + WAIT_SECONDS;

	while (count_of(log_so_far(process), needle) < times) {
		ck_assert_msg(now_seconds() < deadline, "no %d x \"%s\" in %.0f s; the log:\n%s",
			      times, needle, WAIT_SECONDS, tail_of(log_so_far(process)));
		ck_assert_msg(waitpid(process->pid, NULL, WNOHANG) == 0,
			      "the service died; its log:\n%s", tail_of(log_so_far(process)));
		sleep_ms(POLL_MS);
	}
}

/* Waits until `sql` (one value) returns `expected`. */
static void wait_value(PGconn *conn, const char *sql, const char *expected)
{
	double deadline = now_seconds() + WAIT_SECONDS;

	while (strcmp(lrt_test_value(conn, sql), expected) != 0) {
		ck_assert_msg(now_seconds() < deadline, "%s: still %s, not %s after %.0f s",
			      sql, lrt_test_value(conn, sql), expected, WAIT_SECONDS);
		sleep_ms(POLL_MS);
	}
}

/* SIGTERM, then the exit status: 0. */
static void stop_service(lrt_test_process *process)
{
	ck_assert_int_eq(kill(process->pid, SIGTERM), 0);
	lrt_test_wait(process);
	ck_assert_msg(process->status == 0, "lrt serve exited %d:\n%s", process->status,
		      tail_of(process->err));
}

/* ---- products and events ----------------------------------------------------------- */

/*
 * Creates product SYMBOL (ETH, erc4626) whose epoch 0 starts at `genesis`
 * and lasts `epoch_seconds`, the guard at `guard_bps` (0: off).  `db` is a
 * conninfo, or NULL for the test's database.
 */
static void create_product(const char *db, const char *symbol, int64_t genesis,
			   int epoch_seconds, int guard_bps)
{
	char folder[1024], path[1100], text[512];
	const char *with_db[] = {"product", "create", path, "--db", db, NULL};
	const char *plain[] = {"product", "create", path, NULL};
	static lrt_test_process p;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/%s.json", folder, symbol);
	snprintf(text, sizeof(text),
		 "{\"symbol\": \"%s\", \"underlying\": \"ETH\", \"assets\": [{\"symbol\":"
		 " \"ETH\", \"decimals\": 18}], \"model\": \"erc4626\", \"offset\": 0,"
		 " \"genesis_time\": %lld, \"epoch_seconds\": %d, \"max_rate_change_bps\": %d}\n",
		 symbol, (long long)genesis, epoch_seconds, guard_bps);
	lrt_test_write_file(path, text);
	lrt_test_run_ok(&p, db != NULL ? with_db : plain);
}

/* Ingests JSON Lines `events` into product `symbol` with `lrt ingest`. */
static void ingest(const char *db, const char *symbol, const char *events)
{
	char folder[1024], path[1100];
	const char *with_db[] = {"ingest", "--product", symbol, path, "--db", db, NULL};
	const char *plain[] = {"ingest", "--product", symbol, path, NULL};
	static lrt_test_process p;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/events.jsonl", folder);
	lrt_test_write_file(path, events);
	lrt_test_run_ok(&p, db != NULL ? with_db : plain);
	ck_assert_msg(strstr(p.out, "rejected 0") != NULL, "%s", p.out);
}

/* The epoch the clock is in for a product of `genesis` and `seconds`. */
static int64_t epoch_now(int64_t genesis, int seconds)
{
	return ((int64_t)time(NULL) - genesis) / seconds;
}

static int64_t value_int(PGconn *conn, const char *sql)
{
	return strtoll(lrt_test_value(conn, sql), NULL, 10);
}

/* The epochs the log's JSON lines say were settled, counted into `seen`
 * (indexed by epoch, below `size`); returns the most settled by one line. */
static void count_settled(const char *log, int *seen, int size)
{
	json_t *lines = lrt_test_json_lines(log), *line;
	size_t i;

	json_array_foreach(lines, i, line) {
		json_int_t epoch;

		if (strcmp(json_string_value(json_object_get(line, "event")), "settled") != 0)
			continue;
		epoch = json_integer_value(json_object_get(line, "epoch"));
		ck_assert_msg(epoch >= 0 && epoch < size, "epoch %lld", (long long)epoch);
		seen[epoch]++;
	}
	json_decref(lines);
}

static void verify_ok(const char *db, const char *symbol)
{
	const char *with_db[] = {"verify", "--product", symbol, "--db", db, NULL};
	const char *plain[] = {"verify", "--product", symbol, NULL};
	static lrt_test_process p;

	lrt_test_run_ok(&p, db != NULL ? with_db : plain);
	ck_assert_msg(strstr(p.out, ", 0 differences") != NULL, "%s", p.out);
}

/* ---- --once, and what is not a service at all ------------------------------------ */

START_TEST(test_once)
{
	const char *migrate[] = {"migrate", NULL};
	const char *once[] = {"serve", "--once", NULL};
	const char *once_json[] = {"serve", "--once", "--log-format", "json", NULL};
	const char *bad_poll[] = {"serve", "--poll", "0", NULL};
	const char *bad_format[] = {"serve", "--log-format", "xml", NULL};
	const char *unknown[] = {"serve", "--once", "--product", "nope", NULL};
	const char *extra[] = {"serve", "now", NULL};
	const char *help[] = {"help", "serve", NULL};
	static lrt_test_process p;
	int64_t genesis = (int64_t)time(NULL) - 100;
	PGconn *conn, *other;
	json_t *lines;

	lrt_test_run_ok(&p, migrate);
	/* epochs of 10 s from 100 s ago: 0..9 are complete */
	create_product(NULL, "onceETH", genesis, 10, 0);
	lrt_test_run_ok(&p, once);
	ck_assert_msg(strstr(p.err, "onceETH: settled epoch 9: rate 1000000000000000000,"
			     " 0 events (0 rejected), ") != NULL, "%s", p.err);
	ck_assert_msg(strstr(p.err, "stopped after one cycle (--once): 10 epochs settled")
		      != NULL, "%s", p.err);
	conn = lrt_test_connect();
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"),
			 "9");
	/* nothing due: exit 0, every line JSON */
	lrt_test_run_ok(&p, once_json);
	lines = lrt_test_json_lines(p.err);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(lines, 0), "event")),
			 "start");
	ck_assert_msg(strstr(p.err, "\"event\":\"settled\"") == NULL, "%s", p.err);
	ck_assert_msg(strstr(p.err, "\"epochs_settled\":0") != NULL, "%s", p.err);
	json_decref(lines);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"),
			 "9");
	/* another session holds the serve lock: stand by, settle nothing */
	create_product(NULL, "lockETH", genesis, 10, 0);
	other = lrt_test_connect();
	lrt_test_exec(other, "SELECT pg_advisory_lock(" SERVE_LOCK_CLASS ", product_id::integer)"
		      "  FROM lrt.products WHERE symbol = 'lockETH'");
	lrt_test_run_ok(&p, once);
	ck_assert_msg(strstr(p.err, "lockETH: standing by: ") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(symbol || ' ' || settled_epoch,"
		" ', ' ORDER BY symbol) FROM lrt.products JOIN lrt.product_state USING (product_id)"),
		"lockETH -1, onceETH 9");
	PQfinish(other);
	lrt_test_run_ok(&p, once);
	ck_assert_msg(strstr(p.err, "lockETH: leading: ") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(symbol || ' ' || settled_epoch,"
		" ', ' ORDER BY symbol) FROM lrt.products JOIN lrt.product_state USING (product_id)"),
		"lockETH 9, onceETH 9");
	PQfinish(conn);
	/* usage */
	lrt_test_run(&p, bad_poll);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "--poll: \"0\"") != NULL, "%s", p.err);
	lrt_test_run(&p, bad_format);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run(&p, extra);
	ck_assert_int_eq(p.status, 2);
	lrt_test_run(&p, unknown);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "no product nope") != NULL, "%s", p.err);
	lrt_test_run_ok(&p, help);
	ck_assert_msg(strstr(p.out, "--metrics-file PATH") != NULL
		      && strstr(p.out, "SIGHUP") != NULL, "%s", p.out);
}
END_TEST

/* ---- events settle as their epochs complete -------------------------------------- */

START_TEST(test_events_settle_as_epochs_complete)
{
	const char *migrate[] = {"migrate", NULL};
	static lrt_test_process service;
	char folder[1024], metrics[1100], sql[512], events[512], expected[160];
	const char *serve[] = {"serve", "--product", "liveETH", "--poll", "60",
			       "--metrics-file", metrics, NULL};
	int64_t genesis = (int64_t)time(NULL), e, last;
	PGconn *conn;
	char *text;

	lrt_test_run_ok(&service, migrate);
	create_product(NULL, "liveETH", genesis, 2, 0);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(metrics, sizeof(metrics), "%s/lrt.prom", folder);
	spawn_service(&service, serve);
	wait_log(&service, "liveETH: leading: ", 1);
	conn = lrt_test_connect();

	/* events ingested for the next epoch settle when it completes, not before */
	e = epoch_now(genesis, 2) + 1;
	snprintf(events, sizeof(events),
		 "{\"id\": \"d1\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"alice\","
		 " \"asset\": \"ETH\", \"amount\": \"100000000000000000000\"}\n"
		 "{\"id\": \"d2\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"bob\","
		 " \"asset\": \"ETH\", \"amount\": \"50000000000000000000\"}\n",
		 (long long)e, (long long)e);
	ingest(NULL, "liveETH", events);
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)e);
	wait_value(conn, sql, "t");
	snprintf(sql, sizeof(sql), "SELECT events || ' ' || (extract(epoch FROM settled_at)"
		 " >= %lld) FROM lrt.epochs WHERE epoch = %lld",
		 (long long)(genesis + (e + 1) * 2), (long long)e);
	ck_assert_str_eq(lrt_test_value(conn, sql), "2 true");
	snprintf(expected, sizeof(expected), "liveETH: settled epoch %lld: rate "
		 "1000000000000000000, 2 events (0 rejected), ", (long long)e);
	ck_assert_msg(strstr(log_so_far(&service), expected) != NULL, "%s",
		      tail_of(log_so_far(&service)));

	/* an event submitted with SQL: judged by the C validator, then settled */
	e = epoch_now(genesis, 2) + 1;
	snprintf(sql, sizeof(sql), "INSERT INTO lrt.submissions (product, event) VALUES"
		 " ('liveETH', '{\"id\": \"s1\", \"epoch\": %lld, \"type\": \"deposit\","
		 " \"holder\": \"carol\", \"asset\": \"ETH\", \"amount\": \"7\"}')", (long long)e);
	lrt_test_exec(conn, sql);
	wait_log(&service, "liveETH: judged 1 submission: 1 loaded, 0 duplicates, 0 rejected", 1);
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)e);
	wait_value(conn, sql, "t");
	snprintf(sql, sizeof(sql), "SELECT events FROM lrt.epochs WHERE epoch = %lld",
		 (long long)e);
	ck_assert_str_eq(lrt_test_value(conn, sql), "1");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT source_file || ' ' ||"
		" (SELECT count(*) FROM lrt.submissions) FROM lrt.inbox WHERE event_id = 's1'"),
		"lrt.submissions 0");

	/* no event, no notice, --poll 60: the timer alone settles the next two */
	last = value_int(conn, "SELECT settled_epoch FROM lrt.product_state");
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)last + 2);
	wait_value(conn, sql, "t");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) = max(epoch) + 1 AND"
		" sum(events) = 3 FROM lrt.epochs"), "t");

	/* the metrics file after every cycle */
	text = lrt_test_read_file(metrics, NULL);
	ck_assert_msg(strstr(text, "lrt_settled_epoch{product=\"liveETH\"} ") != NULL
		      && strstr(text, "lrt_leader{product=\"liveETH\"} 1") != NULL
		      && strstr(text, "lrt_guard_stopped{product=\"liveETH\"} 0") != NULL
		      && strstr(text, "lrt_reconnects_total 0") != NULL, "%s", text);

	stop_service(&service);
	ck_assert_msg(strstr(service.err, "stopped on SIGTERM: ") != NULL, "%s",
		      tail_of(service.err));
	PQfinish(conn);
	verify_ok(NULL, "liveETH");
}
END_TEST

/* ---- two services, one leader ------------------------------------------------------ */

START_TEST(test_failover)
{
	const char *migrate[] = {"migrate", NULL};
	const char *serve[] = {"serve", "--product", "haETH", "--log-format", "json", NULL};
	static lrt_test_process first, second;
	int64_t genesis = (int64_t)time(NULL), e, settled, i;
	char sql[256], events[512];
	static int by_first[4096], by_second[4096];
	int first_count = 0;
	double killed_at, took;
	PGconn *conn;

	lrt_test_run_ok(&first, migrate);
	create_product(NULL, "haETH", genesis, 1, 0);
	spawn_service(&first, serve);
	wait_log(&first, "\"event\":\"leading\"", 1);
	spawn_service(&second, serve);
	wait_log(&second, "\"event\":\"standby\"", 1);
	ck_assert_msg(strstr(log_so_far(&second), "standing by: lrt serve on ") != NULL,
		      "the holder is named: %s", log_so_far(&second));
	e = epoch_now(genesis, 1) + 2;
	snprintf(events, sizeof(events),
		 "{\"id\": \"d1\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"alice\","
		 " \"asset\": \"ETH\", \"amount\": \"1000\"}\n"
		 "{\"id\": \"d2\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"bob\","
		 " \"asset\": \"ETH\", \"amount\": \"2000\"}\n", (long long)e, (long long)e + 1);
	ingest(NULL, "haETH", events);
	conn = lrt_test_connect();
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)e + 1);
	wait_value(conn, sql, "t");

	/* the leader dies outright; its session's lock goes with it */
	ck_assert_int_eq(kill(first.pid, SIGKILL), 0);
	killed_at = now_seconds();
	lrt_test_wait(&first);
	ck_assert_int_eq(first.status, 128 + SIGKILL);
	wait_log(&second, "\"event\":\"leading\"", 1);
	took = now_seconds() - killed_at;
	ck_assert_msg(took < 5.0, "took over in %.1f s", took);
	settled = value_int(conn, "SELECT settled_epoch FROM lrt.product_state");
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)settled + 2);
	wait_value(conn, sql, "t");
	stop_service(&second);

	/* every epoch settled once, by one of them, none skipped */
	settled = value_int(conn, "SELECT settled_epoch FROM lrt.product_state");
	ck_assert_int_lt(settled, 4096);
	count_settled(first.err, by_first, 4096);
	count_settled(second.err, by_second, 4096);
	for (i = 0; i <= settled; i++) {
		ck_assert_msg(by_first[i] + by_second[i] == 1, "epoch %lld settled %d + %d times",
			      (long long)i, by_first[i], by_second[i]);
		first_count += by_first[i];
	}
	ck_assert_msg(first_count >= e + 2 && first_count <= settled - 1,
		      "the first settled %d of %lld epochs", first_count, (long long)settled + 1);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) = max(epoch) + 1 FROM lrt.epochs"),
			 "t");
	PQfinish(conn);
	verify_ok(NULL, "haETH");
}
END_TEST

/* ---- SIGTERM during a long epoch ------------------------------------------------------ */

/* Deposits in epoch 0 that take the settler over a second. */
#define BIG_EPOCH_EVENTS 40000

START_TEST(test_sigterm_mid_epoch)
{
	const char *migrate[] = {"migrate", NULL};
	const char *serve[] = {"serve", "--product", "bigETH", NULL};
	static lrt_test_process service;
	char folder[1024], path[1100], expected[128];
	const char *ingest_big[] = {"ingest", "--product", "bigETH", path, NULL};
	FILE *file;
	PGconn *conn;
	int i;

	lrt_test_run_ok(&service, migrate);
	/* epochs 0..98 are all due: only the stop can leave them unsettled */
	create_product(NULL, "bigETH", (int64_t)time(NULL) - 100, 1, 0);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/big.jsonl", folder);
	file = fopen(path, "w");
	ck_assert_ptr_nonnull(file);
	for (i = 0; i < BIG_EPOCH_EVENTS; i++)
		fprintf(file, "{\"id\": \"d%d\", \"epoch\": 0, \"type\": \"deposit\", \"holder\":"
			" \"h%d\", \"asset\": \"ETH\", \"amount\": \"1000000000\"}\n", i, i);
	ck_assert_int_eq(fclose(file), 0);
	lrt_test_run_ok(&service, ingest_big);
	spawn_service(&service, serve);

	/* the service is inside epoch 0's transaction: it holds the settler's lock */
	conn = lrt_test_connect();
	wait_value(conn, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
		   " WHERE l.locktype = 'advisory' AND l.classid = " SETTLE_LOCK_CLASS
		   "   AND a.application_name LIKE 'lrt serve on %'", "1");
	stop_service(&service);

	/* epoch 0 committed whole; nothing after it was begun */
	snprintf(expected, sizeof(expected), "settled epoch 0: rate 1000000000000000000,"
		 " %d events (0 rejected)", BIG_EPOCH_EVENTS);
	ck_assert_msg(strstr(service.err, expected) != NULL
		      && strstr(service.err, "settled epoch 1:") == NULL
		      && strstr(service.err, "stopped on SIGTERM: 1 epoch settled") != NULL,
		      "%s", tail_of(service.err));
	ck_assert_str_eq(lrt_test_value(conn, "SELECT settled_epoch FROM lrt.product_state"),
			 "0");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) || ' ' || sum(events)"
		" FROM lrt.epochs"), "1 40000");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.holders"), "40000");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.journal WHERE epoch > 0"),
			 "0");
	PQfinish(conn);
	verify_ok(NULL, "bigETH");
}
END_TEST

/* ---- the guard ---------------------------------------------------------------------------- */

/* The whole of a file, "" while it is not there. */
static char *file_text(const char *path)
{
	return access(path, R_OK) == 0 ? lrt_test_read_file(path, NULL) : "";
}

static void wait_metric(const char *path, const char *line)
{
	double deadline = now_seconds() + WAIT_SECONDS;

	while (strstr(file_text(path), line) == NULL) {
		ck_assert_msg(now_seconds() < deadline, "no \"%s\" in %s:\n%s", line, path,
			      file_text(path));
		sleep_ms(POLL_MS);
	}
}

/* `lrt status --product SYMBOL --format json`: the product's object. */
static json_t *status_of(const char *symbol)
{
	const char *status[] = {"status", "--product", symbol, "--format", "json", NULL};
	static lrt_test_process p;
	json_t *all, *one;

	lrt_test_run_ok(&p, status);
	all = json_loads(p.out, 0, NULL);
	ck_assert_msg(json_is_array(all) && json_array_size(all) == 1, "%s", p.out);
	one = json_incref(json_array_get(all, 0));
	json_decref(all);
	return one;
}

static void ingest_reward(const char *symbol, const char *id, int64_t epoch)
{
	char events[256];

	snprintf(events, sizeof(events), "{\"id\": \"%s\", \"epoch\": %lld, \"type\": \"reward\","
		 " \"source\": \"consensus\", \"location\": \"buffer\", \"asset\": \"ETH\","
		 " \"amount\": \"5000000000000000000\"}\n", id, (long long)epoch);
	ingest(NULL, symbol, events);
}

static void wait_settled(PGconn *conn, const char *symbol, int64_t epoch)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state"
		 " JOIN lrt.products USING (product_id) WHERE symbol = '%s'",
		 (long long)epoch, symbol);
	wait_value(conn, sql, "t");
}

START_TEST(test_guard_stops_one_product)
{
	const char *migrate[] = {"migrate", NULL};
	static lrt_test_process service, p;
	char folder[1024], metrics[1100], events[512], sql[512], rate[128];
	const char *serve[] = {"serve", "--log-format", "json", "--metrics-file", metrics, NULL};
	const char *accept[] = {"settle", "--product", "guardETH", "--accept-rate", rate, NULL};
	int64_t genesis = (int64_t)time(NULL), e, m;
	json_t *status;
	PGconn *conn;

	lrt_test_run_ok(&p, migrate);
	create_product(NULL, "guardETH", genesis, 1, 100);
	create_product(NULL, "freeETH", genesis, 1, 0);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(metrics, sizeof(metrics), "%s/lrt.prom", folder);
	spawn_service(&service, serve);
	wait_log(&service, "\"event\":\"leading\"", 2);
	conn = lrt_test_connect();

	/* a 5% reward where the guard allows 1% */
	e = epoch_now(genesis, 1) + 2;
	snprintf(events, sizeof(events),
		 "{\"id\": \"d1\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"alice\","
		 " \"asset\": \"ETH\", \"amount\": \"100000000000000000000\"}\n", (long long)e);
	ingest(NULL, "guardETH", events);
	ingest(NULL, "freeETH", events);
	ingest_reward("guardETH", "r1", e + 1);
	wait_value(conn, "SELECT count(*) FROM lrt.guard_trips", "1");
	wait_log(&service, "\"event\":\"guard_stop\"", 1);
	wait_metric(metrics, "lrt_guard_stopped{product=\"guardETH\"} 1");

	/* the other product goes on, notices and all; the stop is said once */
	snprintf(events, sizeof(events),
		 "{\"id\": \"d2\", \"epoch\": %lld, \"type\": \"deposit\", \"holder\": \"bob\","
		 " \"asset\": \"ETH\", \"amount\": \"1000\"}\n", (long long)epoch_now(genesis, 1) + 1);
	ingest(NULL, "freeETH", events);
	wait_settled(conn, "freeETH", epoch_now(genesis, 1) + 1);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.guard_trips"), "1");
	ck_assert_int_eq(count_of(log_so_far(&service), "\"event\":\"guard_stop\""), 1);
	snprintf(sql, sizeof(sql), "SELECT settled_epoch = %lld FROM lrt.product_state"
		 " JOIN lrt.products USING (product_id) WHERE symbol = 'guardETH'", (long long)e);
	ck_assert_str_eq(lrt_test_value(conn, sql), "t");
	status = status_of("guardETH");
	ck_assert_msg(json_is_true(json_object_get(status, "guard_stopped"))
		      && strncmp(json_string_value(json_object_get(status, "lock_holder")),
				 "lrt serve on ", 13) == 0, "%s", json_dumps(status, 0));
	json_decref(status);

	/* a person accepts the rate: the service settles on from there */
	snprintf(rate, sizeof(rate), "%s",
		 lrt_test_value(conn, "SELECT rate_after FROM lrt.guard_trips"));
	lrt_test_run_ok(&p, accept);
	wait_log(&service, "\"event\":\"guard_cleared\"", 1);
	wait_settled(conn, "guardETH", epoch_now(genesis, 1) - 1);
	wait_metric(metrics, "lrt_guard_stopped{product=\"guardETH\"} 0");

	/* again, and this time an accept event submitted with SQL lets it pass */
	m = epoch_now(genesis, 1) + 2;
	ingest_reward("guardETH", "r2", m);
	wait_value(conn, "SELECT count(*) FROM lrt.guard_trips", "2");
	wait_log(&service, "\"event\":\"guard_stop\"", 2);
	snprintf(sql, sizeof(sql), "INSERT INTO lrt.submissions (product, event)"
		 " SELECT 'guardETH', json_build_object('id', 'a2', 'type', 'accept', 'epoch', %lld,"
		 " 'rate', rate_after::text) FROM lrt.guard_trips WHERE epoch = %lld",
		 (long long)m, (long long)m);
	lrt_test_exec(conn, sql);
	wait_log(&service, "\"event\":\"guard_cleared\"", 2);
	wait_settled(conn, "guardETH", m + 1);
	snprintf(sql, sizeof(sql), "SELECT e.rate = t.rate_after FROM lrt.epochs e"
		 " JOIN lrt.guard_trips t USING (product_id, epoch) WHERE epoch = %lld",
		 (long long)m);
	ck_assert_str_eq(lrt_test_value(conn, sql), "t");
	ck_assert_int_eq(count_of(log_so_far(&service), "\"event\":\"guard_stop\""), 2);
	stop_service(&service);
	PQfinish(conn);
	verify_ok(NULL, "guardETH");
	verify_ok(NULL, "freeETH");
}
END_TEST

/* ---- SIGHUP ------------------------------------------------------------------------------ */

static void wait_file(const char *path, const char *needle)
{
	double deadline = now_seconds() + WAIT_SECONDS;

	while (strstr(file_text(path), needle) == NULL) {
		ck_assert_msg(now_seconds() < deadline, "no \"%s\" in %s:\n%s", needle, path,
			      file_text(path));
		sleep_ms(POLL_MS);
	}
}

START_TEST(test_sighup)
{
	const char *migrate[] = {"migrate", NULL};
	static lrt_test_process service;
	char folder[1024], log[1100], moved[1200];
	const char *serve[] = {"serve", "--log-file", log, NULL};
	int64_t genesis = (int64_t)time(NULL) - 1;
	PGconn *conn;

	lrt_test_run_ok(&service, migrate);
	create_product(NULL, "hupETH", genesis, 1, 0);
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(log, sizeof(log), "%s/serve.log", folder);
	snprintf(moved, sizeof(moved), "%s.1", log);
	spawn_service(&service, serve);
	wait_file(log, "hupETH: leading: ");
	/* logrotate moves the file; a product is created; then SIGHUP */
	ck_assert_int_eq(rename(log, moved), 0);
	create_product(NULL, "newETH", genesis, 1, 0);
	ck_assert_int_eq(kill(service.pid, SIGHUP), 0);
	wait_file(log, "SIGHUP: log reopened, products read again: settling hupETH, newETH");
	wait_file(log, "newETH: leading: ");
	conn = lrt_test_connect();
	wait_settled(conn, "newETH", 1);
	PQfinish(conn);
	stop_service(&service);
	ck_assert_str_eq(service.err, "");
	ck_assert_msg(strstr(file_text(moved), "SIGHUP") == NULL, "%s", file_text(moved));
	ck_assert_msg(strstr(file_text(log), "stopped on SIGTERM") != NULL, "%s",
		      file_text(log));
}
END_TEST

/* ---- a server restart under the service ------------------------------------------------ */

/* In a child: become the cluster's owner, as cluster.c runs the server. */
static void become_owner(const lrt_test_cluster *cluster)
{
	if (cluster->as_other_user
	    && (setgroups(1, &cluster->gid) != 0 || setgid(cluster->gid) != 0
		|| setuid(cluster->uid) != 0))
		_exit(126);
}

/* In a child: pg_ctl ARGS... as the owner, its output into FOLDER/pg_ctl.log. */
static void exec_pg_ctl(const lrt_test_cluster *cluster, const char *const args[])
{
	char program[PATH_MAX + 16], log[PATH_MAX + 16];
	const char *argv[16] = {"pg_ctl"};
	int fd, i;

	snprintf(program, sizeof(program), "%s/pg_ctl", cluster->bindir);
	snprintf(log, sizeof(log), "%s/pg_ctl.log", cluster->folder);
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	become_owner(cluster);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execv(program, (char *const *)argv);
	_exit(127);
}

static int run_pg_ctl(const lrt_test_cluster *cluster, const char *const args[])
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		exec_pg_ctl(cluster, args);
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * The server pg_ctl restarts is no child of ours: it would outlive a test
 * that fails.  A watchdog, in a session of its own (out of reach of Check's
 * signals to the test's group), waits for the test's process to die, then
 * stops the server at once.  The test kills it when done.
 */
static pid_t start_watchdog(const lrt_test_cluster *cluster)
{
	const char *stop[] = {"stop", "-D", cluster->data, "-m", "immediate", "-w", NULL};
	pid_t parent = getpid(), pid;
	sigset_t term;
	int number;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid != 0)
		return pid;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	setsid();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 && getppid() == parent)
		sigwait(&term, &number);
	exec_pg_ctl(cluster, stop);
	return 0;
}

START_TEST(test_server_restart)
{
	static lrt_test_cluster own;
	static lrt_test_process service, p;
	char db[PATH_MAX + 128], log[PATH_MAX + 16], sql[256], events[512];
	const char *migrate[] = {"migrate", "--db", db, NULL};
	const char *serve[] = {"serve", "--product", "rsETH", "--log-format", "json",
			       "--db", db, NULL};
	const char *restart[] = {"restart", "-D", own.data, "-m", "immediate", "-w",
				 "-l", log, NULL};
	const char *stop[] = {"stop", "-D", own.data, "-m", "fast", "-w", NULL};
	static int seen[4096];
	int64_t genesis, e, f, settled, i;
	pid_t watchdog;
	PGconn *conn;

	/* a cluster of the test's own, inside the runner's (it goes with it) */
	setenv("LRT_TEST_TMPDIR", getenv("LRT_TEST_CLUSTER_DIR"), 1);
	if (lrt_test_cluster_start(&own) != 0) {
		lrt_test_cluster_stop(&own);
		ck_abort_msg("could not start a cluster of the test's own");
	}
	watchdog = start_watchdog(&own);
	snprintf(db, sizeof(db), "host=%s port=%s dbname=postgres user=%s", own.folder,
		 LRT_TEST_CLUSTER_PORT, LRT_TEST_CLUSTER_SUPERUSER);
	snprintf(log, sizeof(log), "%s/restarted.log", own.folder);
	conn = PQconnectdb(db);
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	/* the test clusters commit asynchronously: a crash would forget the
	 * last commits, which a real server does not */
	lrt_test_exec(conn, "ALTER DATABASE postgres SET synchronous_commit = on");
	lrt_test_run_ok(&p, migrate);
	genesis = (int64_t)time(NULL);
	create_product(db, "rsETH", genesis, 1, 0);
	spawn_service(&service, serve);
	wait_log(&service, "\"event\":\"leading\"", 1);
	e = epoch_now(genesis, 1) + 2;
	snprintf(events, sizeof(events), "{\"id\": \"before\", \"epoch\": %lld, \"type\":"
		 " \"deposit\", \"holder\": \"alice\", \"asset\": \"ETH\", \"amount\": \"1000\"}\n",
		 (long long)e);
	ingest(db, "rsETH", events);
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)e);
	wait_value(conn, sql, "t");

	ck_assert_int_eq(run_pg_ctl(&own, restart), 0);
	PQfinish(conn);
	wait_log(&service, "\"event\":\"reconnected\"", 1);
	ck_assert_msg(strstr(log_so_far(&service), "\"event\":\"lost_leadership\"") != NULL,
		      "%s", tail_of(log_so_far(&service)));
	conn = PQconnectdb(db);
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	f = epoch_now(genesis, 1) + 2;
	snprintf(events, sizeof(events), "{\"id\": \"after\", \"epoch\": %lld, \"type\":"
		 " \"deposit\", \"holder\": \"bob\", \"asset\": \"ETH\", \"amount\": \"2000\"}\n",
		 (long long)f);
	ingest(db, "rsETH", events);
	snprintf(sql, sizeof(sql), "SELECT settled_epoch >= %lld FROM lrt.product_state",
		 (long long)f + 1);
	wait_value(conn, sql, "t");
	stop_service(&service);

	/* nothing lost, nothing twice */
	settled = value_int(conn, "SELECT settled_epoch FROM lrt.product_state");
	ck_assert_int_lt(settled, 4096);
	count_settled(service.err, seen, 4096);
	for (i = 0; i <= settled; i++)
		ck_assert_msg(seen[i] == 1, "epoch %lld settled %d times", (long long)i, seen[i]);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) = max(epoch) + 1 AND"
		" sum(events) = 2 FROM lrt.epochs"), "t");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(holder || ' ' || shares, ', '"
		" ORDER BY holder) FROM lrt.holders"), "alice 1000, bob 2000");
	PQfinish(conn);
	verify_ok(db, "rsETH");

	ck_assert_int_eq(run_pg_ctl(&own, stop), 0);
	kill(watchdog, SIGKILL);
	waitpid(watchdog, NULL, 0);
	ck_assert_int_eq(lrt_test_cluster_stop(&own), 0);
}
END_TEST

Suite *serve_suite(void)
{
	Suite *suite = suite_create("serve");
	TCase *service = tcase_create("service");

	tcase_add_checked_fixture(service, lrt_test_fresh_database, NULL);
	tcase_set_timeout(service, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(service, test_once);
	tcase_add_test(service, test_events_settle_as_epochs_complete);
	tcase_add_test(service, test_failover);
	tcase_add_test(service, test_server_restart);
	tcase_add_test(service, test_sigterm_mid_epoch);
	tcase_add_test(service, test_guard_stops_one_product);
	tcase_add_test(service, test_sighup);
	suite_add_tcase(suite, service);
	return suite;
}
