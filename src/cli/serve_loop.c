/*
 * serve_loop.c - the service loop of `lrt serve` (see serve.h):
 *
 *   connect    name the session "lrt serve on HOST pid N", LISTEN, read the
 *              products; on failure, try again after 0.5 s, 1 s, 2 s, ...
 *              up to 30 s, each with jitter, saying so in the log
 *   cycle      each product in turn (serve_cycle.c), then the metrics
 *   wait       for a notice, the next epoch's end (plus its lag), the next
 *              try for a lock another process holds, or --poll, whichever
 *              comes first
 *
 * Signals only set flags.  They are blocked while the flags are checked
 * and unblocked atomically by the wait (pselect), so that one arriving just
 * before the wait is not slept through.  SIGTERM and SIGINT stop the
 * service after the epoch in progress commits; SIGHUP reopens the log file
 * and reads the products again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/serve.h"
#include "lrt/lrt.h"
#include "lrt/service.h"

volatile sig_atomic_t serve_stop_signal;
volatile sig_atomic_t serve_reload_requested;

static void on_stop(int number)
{
	serve_stop_signal = number;
}

static void on_reload(int number)
{
	(void)number;
	serve_reload_requested = 1;
}

/* No SA_RESTART: a signal ends a wait at once. */
static void install_signals(serve_state *s)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	sigemptyset(&action.sa_mask);
	action.sa_handler = on_stop;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	action.sa_handler = on_reload;
	sigaction(SIGHUP, &action, NULL);
	sigemptyset(&s->signals);
	sigaddset(&s->signals, SIGTERM);
	sigaddset(&s->signals, SIGINT);
	sigaddset(&s->signals, SIGHUP);
}

int64_t serve_clock_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void serve_log_once(serve_state *s, char **last, const char *level,
		    const char *event, const char *product, const char *message)
{
	if (*last != NULL && strcmp(*last, message) == 0)
		return;
	free(*last);
	*last = strdup(message);
	serve_log_write(&s->log, level, event, product, NULL, "%s", message);
}

/*
 * Waits `timeout_ms` at most for a notice (or, disconnected, just the
 * time), ending early on a signal.  Returns 0, or LRT_EDB when the
 * connection is lost while waiting.
 */
static int wait_for_work(serve_state *s, int64_t timeout_ms, unsigned *notices)
{
	sigset_t previous, during;
	int rc = 0;

	*notices = 0;
	if (timeout_ms < 0)
		timeout_ms = 0;
	if (timeout_ms > (int64_t)SERVE_POLL_MAX_SECONDS * 1000)
		timeout_ms = (int64_t)SERVE_POLL_MAX_SECONDS * 1000;
	sigprocmask(SIG_BLOCK, &s->signals, &previous);
	during = previous;
	sigdelset(&during, SIGTERM);
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGHUP);
	if (!serve_stop_signal && !serve_reload_requested) {
		if (s->store != NULL) {
			rc = lrt_service_wait(notices, s->store, (int)timeout_ms, &during);
		} else {
			struct timespec t = { (time_t)(timeout_ms / 1000),
					      (long)(timeout_ms % 1000) * 1000000L };

			pselect(0, NULL, NULL, NULL, &t, &during);
		}
	}
	sigprocmask(SIG_SETMASK, &previous, NULL);
	return rc;
}

/* ---- products -------------------------------------------------------------------- */

static void free_products(serve_product *products, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(products[i].symbol);
		free(products[i].last_error);
	}
	free(products);
}

typedef struct {
	char **symbols;
	size_t count;
	int rc;
} symbol_list;

static int add_symbol(void *context, const lrt_catalog_row *row)
{
	symbol_list *list = context;
	char **grown;

	if (list->count == SERVE_PRODUCTS_MAX) {
		lrt_error_set("the database holds more than %d products: name those"
			      " to settle with --product", SERVE_PRODUCTS_MAX);
		return list->rc = LRT_ELIMIT;
	}
	grown = realloc(list->symbols, (list->count + 1) * sizeof(*grown));
	if (grown == NULL || (grown[list->count] = strdup(row->symbol)) == NULL) {
		if (grown != NULL)
			list->symbols = grown;
		lrt_error_set("out of memory listing the products");
		return list->rc = LRT_ENOMEM;
	}
	list->symbols = grown;
	list->count++;
	return 0;
}

/* One product's id and clock, by symbol, into `p` (symbol owned). */
static int load_product(serve_product *p, lrt_store *store, const char *symbol)
{
	lrt_product product;
	int rc;

	memset(p, 0, sizeof(*p));
	p->settled_epoch = -1;
	lrt_product_init(&product);
	rc = lrt_catalog_load(&product, &p->product_id, &p->settle_lag_seconds, store,
			      symbol);
	if (rc == 0 && (p->symbol = strdup(product.symbol)) == NULL) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	p->genesis_time = product.genesis_time;
	p->epoch_seconds = product.epoch_seconds;
	lrt_product_clear(&product);
	return rc;
}

/* The same product in the old list: what the service knew of it stays
 * (its lock, a guard stop, the error said). */
static void carry_over(serve_product *p, serve_product *old, size_t old_count)
{
	size_t i;

	for (i = 0; i < old_count; i++) {
		if (old[i].product_id != p->product_id)
			continue;
		p->settled_epoch = old[i].settled_epoch;
		p->leading = old[i].leading;
		p->standby_said = old[i].standby_said;
		p->guard_stopped = old[i].guard_stopped;
		p->trip_epoch = old[i].trip_epoch;
		p->trip_settled = old[i].trip_settled;
		p->trip_events = old[i].trip_events;
		p->last_error = old[i].last_error;
		old[i].last_error = NULL;
		old[i].leading = false;
	}
}

static int load_symbols(serve_state *s, const char *const *symbols, size_t count,
			serve_product **out)
{
	serve_product *products = calloc(count > 0 ? count : 1, sizeof(*products));
	size_t i;
	int rc = 0;

	if (products == NULL) {
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	for (i = 0; i < count && rc == 0; i++)
		rc = load_product(&products[i], s->store, symbols[i]);
	if (rc != 0) {
		free_products(products, count);
		return rc;
	}
	*out = products;
	return 0;
}

/*
 * Reads the products again: every --product, else every product of the
 * database.  The locks of products no longer served are let go.  On error
 * the old list stays.
 */
static int read_products(serve_state *s)
{
	const serve_options *o = s->options;
	symbol_list list = { NULL, 0, 0 };
	serve_product *products = NULL;
	size_t count = o->symbol_count, i;
	int rc = 0;

	if (o->symbol_count == 0) {
		rc = lrt_catalog_list(s->store, add_symbol, &list);
		if (rc == 0)
			rc = list.rc;
		count = list.count;
	}
	if (rc == 0)
		rc = load_symbols(s, o->symbol_count > 0 ? o->symbols
				  : (const char *const *)list.symbols, count, &products);
	for (i = 0; i < list.count; i++)
		free(list.symbols[i]);
	free(list.symbols);
	if (rc != 0)
		return rc;
	for (i = 0; i < count; i++)
		carry_over(&products[i], s->products, s->product_count);
	for (i = 0; i < s->product_count; i++)
		if (s->products[i].leading
		    && lrt_service_unlock(s->store, s->products[i].product_id) == 0)
			serve_log_write(&s->log, "info", "released", s->products[i].symbol,
					NULL, "no longer served: settlement lock released");
	free_products(s->products, s->product_count);
	s->products = products;
	s->product_count = count;
	return 0;
}

static void log_products(serve_state *s, const char *event, const char *why)
{
	char names[1024] = "";
	json_t *symbols = json_array();
	size_t i, used = 0;

	for (i = 0; i < s->product_count; i++) {
		json_array_append_new(symbols, json_string(s->products[i].symbol));
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i > 0 ? ", " : "", s->products[i].symbol);
	}
	serve_log_write(&s->log, s->product_count > 0 ? "info" : "warning", event, NULL,
			json_pack("{s:o}", "products", symbols), "%s: %s%s", why,
			s->product_count > 0 ? "settling " : "no product to settle",
			s->product_count > 0 ? names : s->options->symbol_count > 0 ? ""
			: " yet (lrt product create, then kill -HUP this process)");
}

/* ---- connecting ------------------------------------------------------------------ */

/* Lost: every lock went with the connection. */
static void drop_connection(serve_state *s, const char *reason)
{
	size_t i;

	serve_log_write(&s->log, "error", "disconnected", NULL, NULL, "%s", reason);
	for (i = 0; i < s->product_count; i++) {
		serve_product *p = &s->products[i];

		if (p->leading)
			serve_log_write(&s->log, "warning", "lost_leadership", p->symbol, NULL,
					"lost leadership: the connection holding the"
					" settlement lock is gone");
		p->leading = false;
		p->standby_said = false;
	}
	lrt_store_close(s->store);
	s->store = NULL;
}

/* Connects, names the session, LISTENs and reads the products. */
static int connect_once(serve_state *s)
{
	int rc = lrt_store_connect(&s->store, s->options->conninfo);

	if (rc == 0)
		rc = lrt_service_identify(s->store, s->application_name);
	if (rc == 0)
		rc = lrt_service_listen(s->store);
	if (rc == 0)
		rc = read_products(s);
	if (rc != 0) {
		lrt_store_close(s->store);
		s->store = NULL;
	}
	return rc;
}

/* 0.5 s, 1 s, 2 s, ... 30 s, each +-25%. */
static int64_t backoff_ms(unsigned attempt)
{
	int64_t wait = SERVE_BACKOFF_FIRST_MS;
	int64_t spread;

	while (attempt-- > 1 && wait < SERVE_BACKOFF_MAX_MS)
		wait *= 2;
	if (wait > SERVE_BACKOFF_MAX_MS)
		wait = SERVE_BACKOFF_MAX_MS;
	spread = wait * SERVE_BACKOFF_JITTER_PERCENT / 100;
	return wait - spread + (int64_t)(random() % (2 * spread + 1));
}

/*
 * Connects, and on failure tries again with capped exponential backoff
 * until it succeeds or a stop signal comes.  `first` is the start (then the
 * products are read for the first time, and a missing one is a usage
 * error, not a reason to wait).  Returns 0 connected, 1 stopped, or the
 * error that waiting cannot mend.
 */
static int connect_with_backoff(serve_state *s, bool first)
{
	int64_t since = serve_clock_ms();
	unsigned attempt = 0;
	int rc;

	for (;;) {
		rc = connect_once(s);
		if (rc == 0)
			break;
		if (rc != LRT_EDB || s->options->once)
			return rc;
		attempt++;
		{
			int64_t wait = backoff_ms(attempt);
			unsigned notices;

			serve_log_write(&s->log, "warning", "reconnect", NULL,
					json_pack("{s:i, s:I}", "attempt", (int)attempt,
						  "wait_ms", (json_int_t)wait),
					"connection attempt %u failed: %s; next in %lld.%lld s",
					attempt, lrt_error_last(), (long long)(wait / 1000),
					(long long)(wait % 1000 / 100));
			wait_for_work(s, wait, &notices);
		}
		if (serve_stop_signal)
			return 1;
		if (serve_reload_requested) {
			/* the products are read when connected */
			serve_reload_requested = 0;
			serve_log_reopen(&s->log);
		}
	}
	if (!first)
		s->reconnects++;
	serve_log_write(&s->log, "info", first ? "connected" : "reconnected", NULL,
			json_pack("{s:s, s:i, s:I}", "server", lrt_store_describe(s->store),
				  "failed_attempts", (int)attempt,
				  "ms", (json_int_t)(serve_clock_ms() - since)),
			"%s to %s as \"%s\" (%u failed attempt%s, %lld ms)",
			first ? "connected" : "reconnected", lrt_store_describe(s->store),
			s->application_name, attempt, attempt == 1 ? "" : "s",
			(long long)(serve_clock_ms() - since));
	if (first || attempt > 0)
		log_products(s, "products", "products");
	return 0;
}

/* ---- the loop -------------------------------------------------------------------- */

/* When the next epoch of `p` is complete (its end plus the lag), Unix ms;
 * INT64_MAX when that is past year 9999. */
static int64_t next_due_ms(const serve_product *p)
{
	int64_t next = p->settled_epoch + 2;  /* the end of settled + 1 */

	if (next > (INT64_MAX / 1000 - p->genesis_time - p->settle_lag_seconds)
		   / p->epoch_seconds)
		return INT64_MAX;
	return (p->genesis_time + next * p->epoch_seconds + p->settle_lag_seconds) * 1000
	       + SERVE_WAKE_MARGIN_MS;
}

/* The next moment anything is to be done: a product's next epoch, a lock
 * to ask for again, a failure to retry, or --poll from now. */
static int64_t next_wake_ms(const serve_state *s, int64_t now)
{
	int64_t wake = now + (int64_t)s->options->poll_seconds * 1000;
	size_t i;

	if (s->store == NULL)
		return now;
	for (i = 0; i < s->product_count; i++) {
		const serve_product *p = &s->products[i];
		int64_t at;

		if (!p->leading)
			at = now + SERVE_LEADER_RETRY_MS;
		else if (p->failed)
			at = now + SERVE_RETRY_AFTER_FAILURE_MS;
		else if (p->guard_stopped)
			continue;  /* a notice wakes it: an accept, a settle */
		else
			at = next_due_ms(p);
		if (at < wake)
			wake = at;
	}
	return wake;
}

/* Every product in turn; LRT_EDB when the connection is lost. */
static int run_cycle(serve_state *s)
{
	size_t i;
	int rc;

	for (i = 0; i < s->product_count && !serve_stop_signal; i++)
		if ((rc = serve_product_cycle(s, &s->products[i])) != 0)
			return rc;
	serve_write_metrics(s);
	return 0;
}

static void reload(serve_state *s)
{
	serve_reload_requested = 0;
	serve_log_reopen(&s->log);
	if (s->store == NULL)
		return;  /* read at the reconnection */
	if (read_products(s) != 0) {
		serve_log_write(&s->log, "error", "reload", NULL, NULL,
				"SIGHUP: the products could not be read again, the old"
				" list stays: %s", lrt_error_last());
		return;
	}
	log_products(s, "reload", "SIGHUP: log reopened, products read again");
}

/* The connection is lost: say so, then connect again.  0 connected; 1
 * stopped; else the error. */
static int recover(serve_state *s)
{
	char reason[1200];

	snprintf(reason, sizeof(reason), "%s", lrt_error_last());
	drop_connection(s, reason);
	if (s->options->once)
		return LRT_EDB;
	return connect_with_backoff(s, false);
}

/* Cycles until a stop signal (or after one, --once).  0, or an error. */
static int serve_loop(serve_state *s)
{
	unsigned notices;
	int rc = 0;

	while (!serve_stop_signal) {
		if (serve_reload_requested)
			reload(s);
		rc = run_cycle(s);
		if (rc == 0 && (s->options->once || serve_stop_signal))
			break;
		if (rc == 0) {
			int64_t now = serve_clock_ms();

			rc = wait_for_work(s, next_wake_ms(s, now) - now, &notices);
		}
		if (rc != 0 && (rc = recover(s)) != 0)
			break;
	}
	return rc == 1 ? 0 : rc;
}

static void log_start(serve_state *s)
{
	const serve_options *o = s->options;

	serve_log_write(&s->log, "info", "start", NULL,
			json_pack("{s:s, s:i, s:i, s:b, s:s?}", "version", lrt_version(),
				  "pid", (int)getpid(), "poll_seconds", o->poll_seconds,
				  "once", o->once, "metrics_file", o->metrics_path),
			"lrt serve %s starting: pid %d, %s, poll every %d s%s%s%s",
			lrt_version(), (int)getpid(),
			o->symbol_count > 0 ? "the products named" : "every product",
			o->poll_seconds, o->once ? ", once" : "",
			o->metrics_path ? ", metrics to " : "",
			o->metrics_path ? o->metrics_path : "");
}

static void log_stop(serve_state *s, int rc)
{
	int number = serve_stop_signal;

	serve_log_write(&s->log, rc == 0 ? "info" : "error", "stop", NULL,
			json_pack("{s:I, s:I}", "epochs_settled", (json_int_t)s->epochs_settled,
				  "reconnects", (json_int_t)s->reconnects),
			"stopped%s%s%s: %lld epoch%s settled, %lld reconnection%s%s%s",
			number ? " on " : "", number == SIGTERM ? "SIGTERM"
			: number == SIGINT ? "SIGINT" : "", s->options->once && !number
			? " after one cycle (--once)" : "", (long long)s->epochs_settled,
			s->epochs_settled == 1 ? "" : "s", (long long)s->reconnects,
			s->reconnects == 1 ? "" : "s", rc != 0 ? "; " : "",
			rc != 0 ? lrt_error_last() : "");
}

int serve_run(const serve_options *options)
{
	serve_state s;
	char host[65];  /* HOST_NAME_MAX on Linux, and its NUL */
	int rc;

	memset(&s, 0, sizeof(s));
	s.options = options;
	if (serve_log_open(&s.log, options->log_format, options->log_path) != 0)
		return LRT_EXIT_FAILURE;
	install_signals(&s);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	snprintf(s.application_name, sizeof(s.application_name), "lrt serve on %s pid %d",
		 host, (int)getpid());
	s.started_at = serve_clock_ms() / 1000;
	srandom((unsigned)getpid() ^ (unsigned)serve_clock_ms());
	log_start(&s);
	rc = connect_with_backoff(&s, true);
	if (rc == 0)
		rc = serve_loop(&s);
	log_stop(&s, rc == 1 ? 0 : rc);
	free_products(s.products, s.product_count);
	free(s.metrics_error);
	lrt_store_close(s.store);
	serve_log_close(&s.log);
	if (rc == 1 || rc == 0)
		return options->once && s.guard_status == LRT_EGUARD ? LRT_EXIT_POLICY
		       : LRT_EXIT_OK;
	return cli_exit_status(rc);
}
