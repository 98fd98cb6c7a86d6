/*
 * serve.h - what the files of `lrt serve` share:
 *
 *   cmd_serve.c      the command: its help, its options
 *   serve_log.c      the log: one line per event worth knowing, as text or
 *                    JSON Lines, on standard error or a file reopened on
 *                    SIGHUP
 *   serve_loop.c     the service: signals, connecting and reconnecting,
 *                    the products, waiting for a notice or the next epoch
 *   serve_cycle.c    one cycle of one product: leadership, submissions,
 *                    the guard, settling; and the metrics file after it
 *
 * The service's bounds and delays are named here, each with its reason.
 */
#ifndef LRT_CLI_SERVE_H
#define LRT_CLI_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/limits.h"  /* LRT_REJECTS_SHOWN: of a cycle's submissions */
#include "lrt/store.h"

/* --poll: how long the service may sleep at most when no notice and no
 * epoch's end wakes it.  The timer is the safety net under notices (lost
 * while reconnecting) and the clock (a product created since), so a minute
 * is plenty; a day bounds a typo. */
#define SERVE_POLL_DEFAULT_SECONDS 30
#define SERVE_POLL_MAX_SECONDS 86400

/* A service that does not lead a product asks for its lock this often:
 * after the leader dies, another takes over within about this long. */
#define SERVE_LEADER_RETRY_MS 2000

/* After an epoch's end (plus lag), wake this much later, so that the
 * settler's clock (whole seconds) sees the epoch complete. */
#define SERVE_WAKE_MARGIN_MS 20

/* Reconnecting: the first wait, doubled after each failure up to the
 * ceiling, each drawn within +-25% (jitter: services that lost one server
 * together do not knock on the next all in the same millisecond). */
#define SERVE_BACKOFF_FIRST_MS 500
#define SERVE_BACKOFF_MAX_MS 30000
#define SERVE_BACKOFF_JITTER_PERCENT 25

/* Products one service settles: every --product, or every product of the
 * database.  One connection serves them all in turn; a thousand is far past
 * what one back-office runs, and bounds the work of one cycle. */
#define SERVE_PRODUCTS_MAX 1024

/* After a cycle of a product failed (and the connection is fine), try it
 * again this much later at the latest: soon enough for a passing fault, far
 * enough apart not to hammer a server that refuses. */
#define SERVE_RETRY_AFTER_FAILURE_MS 5000

/* The longest line of the log, text or JSON: a message (an error quotes at
 * most about a kilobyte) with its fields. */
#define SERVE_LOG_LINE_BYTES 4096

typedef enum {
	SERVE_LOG_TEXT,
	SERVE_LOG_JSON
} serve_log_format;

typedef struct {
	serve_log_format format;
	const char *path;      /* NULL: standard error */
	FILE *file;
} serve_log;

typedef struct {
	const char *conninfo;
	const char **symbols;  /* --product, in order; NULL with count 0: all */
	size_t symbol_count;
	bool once;
	const char *metrics_path;
	const char *log_path;
	serve_log_format log_format;
	int poll_seconds;
} serve_options;

/* Opens the log (appending to `path`, or standard error when NULL): 0, or
 * -1 after printing why to standard error. */
int serve_log_open(serve_log *log, serve_log_format format, const char *path);

/* Reopens a log file (after logrotate moved it); keeps the old one when the
 * new cannot be opened, and says so in it.  Standard error: nothing. */
void serve_log_reopen(serve_log *log);

void serve_log_close(serve_log *log);

/*
 * Writes one line: the time (UTC, milliseconds), `level` ("info",
 * "warning", "error"), the product when not NULL, and the message.  As
 * JSON: {"time", "level", "event", "product", "message"} followed by
 * `fields` (an object, taken over; NULL for none).  `event` names the kind
 * of line ("settled", "guard_stop", ...) for machines; text leaves it out.
 */
void serve_log_write(serve_log *log, const char *level, const char *event,
		     const char *product, json_t *fields, const char *format, ...)
	__attribute__((format(printf, 6, 7)));

/* What the service knows of one product it serves. */
typedef struct {
	char *symbol;
	int64_t product_id;
	int64_t genesis_time;
	int64_t epoch_seconds;
	int64_t settle_lag_seconds;
	int64_t settled_epoch;     /* as last seen; -1: none */
	bool leading;              /* this process holds its serve lock */
	bool standby_said;         /* "standing by" logged since leading last */
	bool guard_stopped;        /* waiting for the stop to clear */
	int64_t trip_epoch;
	int64_t trip_settled;      /* the progress the stop was seen at */
	int64_t trip_events;
	bool failed;               /* the last cycle failed: retry on a delay */
	char *last_error;          /* logged once until another comes */
} serve_product;

/* The running service. */
typedef struct {
	const serve_options *options;
	serve_log log;
	lrt_store *store;          /* NULL while disconnected */
	serve_product *products;
	size_t product_count;
	char application_name[128];
	sigset_t signals;          /* SIGTERM, SIGINT, SIGHUP */
	int64_t reconnects;
	int64_t epochs_settled;
	int64_t started_at;
	int guard_status;          /* --once: LRT_EGUARD when a guard stopped */
	char *metrics_error;       /* logged once until another comes */
} serve_state;

/* Set by the signal handlers (serve_loop.c): SIGTERM or SIGINT's number;
 * SIGHUP.  lrt_settle reads the first between epochs. */
extern volatile sig_atomic_t serve_stop_signal;
extern volatile sig_atomic_t serve_reload_requested;

/* Runs the service until a stop signal (or, --once, one cycle); returns
 * the exit status. */
int serve_run(const serve_options *options);

/*
 * One cycle of product `p` (serve_cycle.c): takes its lock when free,
 * judges its submissions, and settles what is due unless the guard stopped
 * it and nothing changed since.  Returns 0, or LRT_EDB when the connection
 * is lost (everything else is logged and tried again next cycle).
 */
int serve_product_cycle(serve_state *s, serve_product *p);

/* Rewrites the metrics file, when asked for, from every served product's
 * status (serve_cycle.c); failures are logged. */
void serve_write_metrics(serve_state *s);

/* The Unix time, milliseconds. */
int64_t serve_clock_ms(void);

/* Logs `message` for the product (NULL: the service) at `level` unless it
 * is the one logged last at that place (*last): a failure repeating every
 * cycle is said once. */
void serve_log_once(serve_state *s, char **last, const char *level,
		    const char *event, const char *product, const char *message);

#endif
