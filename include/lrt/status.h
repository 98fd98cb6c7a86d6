/*
 * status.h - how each product's settlement stands (`lrt status`, and what
 * `lrt serve` reports after every cycle), and the Prometheus metrics file
 * written from it.
 *
 *     lrt_product_status *statuses = NULL;
 *     size_t count = 0;
 *
 *     if (lrt_status_read(&statuses, &count, store, NULL, 0) == 0 &&
 *         lrt_metrics_write("/var/lib/node_exporter/lrt.prom", statuses,
 *                           count, NULL) == 0)
 *             ...;
 *     lrt_status_free(statuses, count);
 *
 * A status is read in one statement (one snapshot) from the product's state
 * row, the inbox, lrt.submissions, the lrt_report.queue view, lrt.guard_trips
 * and, for the settlement lock, pg_locks and pg_stat_activity.  It costs a
 * count of the events waiting and of the queued requests, nothing in
 * proportion to holders or history.
 */
#ifndef LRT_STATUS_H
#define LRT_STATUS_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrt/store.h"

/* The session-level advisory lock a settling `lrt serve` holds per product:
 * pg_try_advisory_lock(LRT_SERVE_LOCK_CLASS, product_id). */
#define LRT_SERVE_LOCK_CLASS 0x4c525356  /* "LRSV" */

typedef struct {
	char *symbol;
	int64_t settled_epoch;     /* -1: none settled */
	int64_t due_epoch;         /* the last complete epoch by the clock: its end plus the settle lag has passed; -1: none */
	int64_t seconds_behind;    /* when due_epoch > settled_epoch: now - (the end of epoch settled_epoch + 1, plus the lag); else 0 */
	int64_t events_waiting;    /* inbox events of epochs after settled_epoch */
	int64_t submissions_waiting; /* rows of lrt.submissions for this product */
	int64_t queue_length;      /* queued withdrawal requests */
	char *queue_value;         /* their value now, underlying base units, decimal (lrt_report.queue.pending_value) */
	int64_t guard_trips;       /* rows of lrt.guard_trips */
	bool guard_stopped;        /* the last trip's epoch is still the next to settle */
	int64_t last_trip_epoch;   /* -1: never */
	char *last_trip_rate_before, *last_trip_rate_after, *last_trip_at; /* NULL: never */
	char *lock_holder;         /* application_name (and client address when TCP) of the session holding the serve lock, NULL: none */

	/* Beyond the contract of issue 12, for the people reading it: */
	int64_t product_id;        /* the second key of the serve lock */
	char *underlying;          /* the underlying's symbol ("ETH") */
	char *queue_value_whole;   /* queue_value in whole units of it, exact ("12.5") */
} lrt_product_status;

/*
 * Reads the status of product `symbol` (NULL: of every product, by symbol
 * in byte order) at `now` (Unix seconds; 0: the system clock) into a new
 * array of *count statuses, freed with lrt_status_free.  last_trip_at is
 * UTC, "2025-01-31T12:00:00Z".
 *
 * LRT_EINVAL when there is no product `symbol` ("no product X in this
 * database") or `now` is outside the years 1 to 9999; LRT_EDB when
 * the query fails (a database `lrt migrate` has not brought up to date
 * included); LRT_ENOMEM.  On error *out is NULL and *count 0.
 */
LRT_API int lrt_status_read(lrt_product_status **out, size_t *count, lrt_store *store,
			    const char *symbol /* NULL: every product */, int64_t now /* 0: the clock */);

/* Frees an array lrt_status_read made; NULL is a no-op. */
LRT_API void lrt_status_free(lrt_product_status *statuses, size_t count);

typedef struct {
	int64_t reconnects;        /* since the service started */
	int64_t epochs_settled;
	int64_t started_at;        /* Unix seconds */
	const char *const *leading; size_t leading_count; /* symbols this process holds the lock of */
} lrt_service_counters;

/*
 * Rewrites `path` atomically (a temporary file in the same folder, fsync,
 * rename) in the Prometheus text exposition format (node_exporter
 * textfile-collector convention): # HELP and # TYPE for each metric, one
 * sample per product labelled product="SYM".
 *
 * Per product (gauges unless said): lrt_settled_epoch, lrt_due_epoch,
 * lrt_seconds_behind, lrt_events_waiting, lrt_submissions_waiting,
 * lrt_queue_requests, lrt_queue_value_base_units (the exact decimal),
 * lrt_guard_trips_total (counter), lrt_guard_stopped (0/1), lrt_leader
 * (0/1: the product is among counters->leading).  Then, without a label:
 * lrt_reconnects_total (counter), lrt_epochs_settled_total (counter),
 * lrt_service_start_time_seconds.  No timestamps, as the collector wants.
 * With no product the per-product metrics are left out whole; `counters`
 * NULL (no service) leaves out the service's three and gives lrt_leader 0.
 *
 * LRT_EIO, naming the file and the reason, when the folder cannot be
 * written or the write fails: the old file is then left as it was and no
 * temporary file stays behind; LRT_ENOMEM.
 */
LRT_API int lrt_metrics_write(const char *path, const lrt_product_status *statuses, size_t count,
			      const lrt_service_counters *counters);

#endif
