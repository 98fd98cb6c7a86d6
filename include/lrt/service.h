/*
 * service.h - what `lrt serve` needs of a connection besides settling
 * (settler.h) and reading the status (status.h): naming the session,
 * listening for the inbox's notices, the per-product leadership lock, and
 * the little it reads to know whether a guard stop may have cleared.
 *
 * The service keeps one connection: it LISTENs, holds the leadership locks
 * and settles on it, so that its death (a crash, a kill, a network cut the
 * server notices) frees every lock it held at once, and another service
 * takes over.
 *
 *     bool leading;
 *
 *     lrt_service_identify(store, "lrt serve on host1 pid 42");
 *     lrt_service_listen(store);
 *     lrt_service_lock(&leading, store, product_id);
 *     ... settle when leading ...
 *     lrt_service_wait(&notices, store, 30000, NULL);
 */
#ifndef LRT_SERVICE_H
#define LRT_SERVICE_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stdint.h>
/* sigset_t as pselect has it: <signal.h> hides it from strict ISO C
 * (cc -std=c11), POSIX's <sys/select.h> does not */
#include <sys/select.h>

#include "lrt/store.h"

/* The channels the migrations NOTIFY on (migrations/0008_service.sql). */
#define LRT_SERVICE_CHANNEL_INBOX "lrt_inbox"
#define LRT_SERVICE_CHANNEL_SUBMISSIONS "lrt_submissions"

/*
 * Sets the session's application_name, which pg_stat_activity shows (and
 * so `lrt status` as the holder of the settlement lock) and lrt.guard_trips
 * records.  The server keeps its first 63 bytes.  LRT_EDB on failure.
 */
LRT_API int lrt_service_identify(lrt_store *store, const char *application_name);

/* LISTEN on both channels.  LRT_EDB on failure. */
LRT_API int lrt_service_listen(lrt_store *store);

/*
 * Tries the session-level lock pg_try_advisory_lock(LRT_SERVE_LOCK_CLASS,
 * product_id) without waiting: *held_out is true when this session holds it
 * now (taken by this call or held before; a session takes it at most once,
 * however often it asks), false when another session does.  LRT_EDB on
 * failure, *held_out false.
 */
LRT_API int lrt_service_lock(bool *held_out, lrt_store *store, int64_t product_id);

/* Releases it (a no-op when this session does not hold it).  LRT_EDB. */
LRT_API int lrt_service_unlock(lrt_store *store, int64_t product_id);

/*
 * Waits until a notice arrives on a channel the session listens to, until
 * `timeout_ms` (>= 0) has passed, or until a signal interrupts the wait,
 * whichever comes first; notices that arrived while other statements ran
 * count at once.  `wait_mask`, when not NULL, is the signal mask during
 * the wait (pselect): a caller that blocks its signals, checks its flags,
 * then waits with them unblocked here misses none.  Returns 0 with
 * *notices_out the notices consumed (0 after a timeout or a signal), or
 * LRT_EDB when the connection is lost (the message says so).
 */
LRT_API int lrt_service_wait(unsigned *notices_out, lrt_store *store, int timeout_ms,
			     const sigset_t *wait_mask);

/*
 * False once the connection is lost, or once a statement failed because
 * this server will take no more: it is shutting down (SQLSTATE class 57P),
 * the connection broke (class 08), or it is a read-only standby (25006, as
 * the old primary after a failover).  The caller closes the store and
 * connects again; with several hosts and target_session_attrs=read-write
 * in the connection string, libpq then finds the primary.
 */
LRT_API bool lrt_service_connected(const lrt_store *store);

typedef struct {
	int64_t settled_epoch;      /* -1: none settled */
	int64_t next_epoch_events;  /* inbox events of settled_epoch + 1 */
	bool submissions_waiting;   /* rows of lrt.submissions name it */
	int64_t settle_lag_seconds; /* now: `lrt product update` changes it */
} lrt_service_progress;

/*
 * Where product `product_id` stands, in one snapshot and a few index
 * probes: its settled epoch, the events the inbox holds for the next one,
 * whether events submitted with SQL wait to be judged, and its settle lag
 * (which `lrt product update` may have changed since).  After the guard
 * stopped an epoch, a change of the first two (it was settled elsewhere; an
 * accept or another event arrived for it) is what makes trying it again
 * worthwhile.  LRT_EDB; LRT_EINVAL when there is no such product.
 */
LRT_API int lrt_service_read_progress(lrt_service_progress *out, lrt_store *store,
				      int64_t product_id);

#endif
