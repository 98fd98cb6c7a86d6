/*
 * status.c - how each product's settlement stands (include/lrt/status.h):
 * one statement reads every product's row, so that the figures of one
 * status are of one snapshot; the clock's part (which epoch is due, how far
 * behind) is arithmetic on the product's genesis, epoch length and settle
 * lag, done here the way the settler decides what is complete.
 *
 * The workload: `lrt status` once, `lrt serve` once a cycle.  Per product
 * the statement counts the events waiting (the inbox's index on product and
 * epoch), the submissions waiting, the trips, and reads the queue through
 * lrt_report.queue; the lock holder is a look into pg_locks, which every
 * role may read, and pg_stat_activity, whose application_name every role
 * sees (the client address only a superuser or pg_read_all_stats).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"
#include "core/limits.h"
#include "lrt/error.h"
#include "lrt/status.h"
#include "store/store_internal.h"

/* The columns of status_query, in order. */
enum {
	COLUMN_PRODUCT_ID, COLUMN_SYMBOL, COLUMN_SETTLED_EPOCH, COLUMN_GENESIS_TIME,
	COLUMN_EPOCH_SECONDS, COLUMN_SETTLE_LAG, COLUMN_EVENTS_WAITING,
	COLUMN_SUBMISSIONS_WAITING, COLUMN_QUEUE_LENGTH, COLUMN_QUEUE_VALUE,
	COLUMN_QUEUE_VALUE_WHOLE, COLUMN_UNDERLYING, COLUMN_GUARD_TRIPS,
	COLUMN_TRIP_EPOCH, COLUMN_TRIP_RATE_BEFORE, COLUMN_TRIP_RATE_AFTER,
	COLUMN_TRIP_AT, COLUMN_LOCK_HOLDER, COLUMN_COUNT
};

/*
 * $1 the symbol (NULL: every product), $2 LRT_SERVE_LOCK_CLASS.  The lock
 * of pg_advisory_lock(int4 a, int4 b) shows in pg_locks as classid a,
 * objid b, objsubid 2, in the database it was taken in.
 */
static const char status_query[] =
	"SELECT p.product_id, p.symbol, s.settled_epoch, p.genesis_time, p.epoch_seconds,"
	"       p.settle_lag_seconds,"
	"       (SELECT count(*) FROM lrt.inbox i"
	"         WHERE i.product_id = p.product_id AND i.epoch > s.settled_epoch),"
	"       (SELECT count(*) FROM lrt.submissions m WHERE m.product = p.symbol),"
	"       coalesce(q.pending_count, 0), coalesce(q.pending_value, 0)::text,"
	"       coalesce(q.pending_value_whole, 0)::text, p.underlying,"
	"       (SELECT count(*) FROM lrt.guard_trips g WHERE g.product_id = p.product_id),"
	"       t.epoch, t.rate_before::text, t.rate_after::text,"
	"       to_char(t.tripped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	"       h.holder"
	"  FROM lrt.products p"
	"  JOIN lrt.product_state s USING (product_id)"
	"  LEFT JOIN lrt_report.queue q ON q.symbol = p.symbol"
	"  LEFT JOIN LATERAL (SELECT g.epoch, g.rate_before, g.rate_after, g.tripped_at"
	"                       FROM lrt.guard_trips g WHERE g.product_id = p.product_id"
	"                      ORDER BY g.trip_id DESC LIMIT 1) t ON true"
	"  LEFT JOIN LATERAL (SELECT coalesce(nullif(a.application_name, ''),"
	"                                     'session pid ' || l.pid)"
	"                            || coalesce(' (' || host(a.client_addr) || ')', '')"
	"                            AS holder"
	"                       FROM pg_catalog.pg_locks l"
	"                       LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
	"                      WHERE l.locktype = 'advisory' AND l.granted"
	"                        AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d"
	"                                           WHERE d.datname = current_database())"
	"                        AND l.classid = $2::bigint::oid"
	"                        AND l.objid = p.product_id::oid AND l.objsubid = 2"
	"                      ORDER BY l.pid LIMIT 1) h ON true"
	" WHERE $1::text IS NULL OR p.symbol = $1"
	" ORDER BY p.symbol COLLATE \"C\"";

/*
 * The last complete epoch at `now`: epoch e is complete once its end,
 * genesis + (e + 1) * epoch_seconds, plus the lag has passed, as the
 * settler's by-clock target has it; -1 when none is.  Every operand is a
 * time of LRT_TIME_MIN..LRT_TIME_MAX or a positive length, and the lag,
 * which may be any bigint, is only compared, never added: nothing
 * overflows.
 */
static int64_t due_epoch_at(int64_t now, int64_t genesis_time, int64_t epoch_seconds,
			    int64_t settle_lag_seconds)
{
	int64_t elapsed = now - genesis_time;

	LRT_ASSERT(epoch_seconds > 0 && settle_lag_seconds >= 0);
	if (elapsed < 0 || elapsed - settle_lag_seconds < epoch_seconds)
		return -1;
	return (elapsed - settle_lag_seconds) / epoch_seconds - 1;
}

/* Seconds since epoch settled_epoch + 1 became due, when it has (else 0). */
static int64_t seconds_behind_at(int64_t now, int64_t genesis_time, int64_t epoch_seconds,
				 int64_t settle_lag_seconds, int64_t settled_epoch,
				 int64_t due_epoch)
{
	if (due_epoch <= settled_epoch)
		return 0;
	/* settled_epoch + 1 <= due_epoch: its end plus the lag is at most now */
	LRT_ASSERT(settled_epoch >= -1);
	return now - genesis_time - settle_lag_seconds - (settled_epoch + 2) * epoch_seconds;
}

/* A bigint column PostgreSQL printed; a NULL reads as `null_value`. */
static int64_t int64_of(const PGresult *res, int row, int column, int64_t null_value)
{
	if (PQgetisnull(res, row, column))
		return null_value;
	return strtoll(PQgetvalue(res, row, column), NULL, 10);
}

/* A copy of a text column into *out (NULL for SQL NULL); -1 out of memory. */
static int copy_text(char **out, const PGresult *res, int row, int column)
{
	*out = NULL;
	if (PQgetisnull(res, row, column))
		return 0;
	*out = strdup(PQgetvalue(res, row, column));
	return *out != NULL ? 0 : -1;
}

static int fill_status(lrt_product_status *s, const PGresult *res, int row, int64_t now)
{
	int64_t genesis_time = int64_of(res, row, COLUMN_GENESIS_TIME, 0);
	int64_t epoch_seconds = int64_of(res, row, COLUMN_EPOCH_SECONDS, 0);
	int64_t settle_lag = int64_of(res, row, COLUMN_SETTLE_LAG, 0);

	s->product_id = int64_of(res, row, COLUMN_PRODUCT_ID, 0);
	s->settled_epoch = int64_of(res, row, COLUMN_SETTLED_EPOCH, -1);
	s->due_epoch = due_epoch_at(now, genesis_time, epoch_seconds, settle_lag);
	s->seconds_behind = seconds_behind_at(now, genesis_time, epoch_seconds, settle_lag,
					      s->settled_epoch, s->due_epoch);
	s->events_waiting = int64_of(res, row, COLUMN_EVENTS_WAITING, 0);
	s->submissions_waiting = int64_of(res, row, COLUMN_SUBMISSIONS_WAITING, 0);
	s->queue_length = int64_of(res, row, COLUMN_QUEUE_LENGTH, 0);
	s->guard_trips = int64_of(res, row, COLUMN_GUARD_TRIPS, 0);
	s->last_trip_epoch = int64_of(res, row, COLUMN_TRIP_EPOCH, -1);
	s->guard_stopped = s->last_trip_epoch >= 0
			   && s->last_trip_epoch == s->settled_epoch + 1;
	if (copy_text(&s->symbol, res, row, COLUMN_SYMBOL) != 0 ||
	    copy_text(&s->queue_value, res, row, COLUMN_QUEUE_VALUE) != 0 ||
	    copy_text(&s->queue_value_whole, res, row, COLUMN_QUEUE_VALUE_WHOLE) != 0 ||
	    copy_text(&s->underlying, res, row, COLUMN_UNDERLYING) != 0 ||
	    copy_text(&s->last_trip_rate_before, res, row, COLUMN_TRIP_RATE_BEFORE) != 0 ||
	    copy_text(&s->last_trip_rate_after, res, row, COLUMN_TRIP_RATE_AFTER) != 0 ||
	    copy_text(&s->last_trip_at, res, row, COLUMN_TRIP_AT) != 0 ||
	    copy_text(&s->lock_holder, res, row, COLUMN_LOCK_HOLDER) != 0) {
		lrt_error_set("out of memory reading the status of %s",
			      PQgetvalue(res, row, COLUMN_SYMBOL));
		return LRT_ENOMEM;
	}
	return 0;
}

/* The statement's failure, with what to do when the schema is not there. */
static void explain_missing_schema(lrt_store *store)
{
	/* 42P01 undefined table, 3F000 undefined schema */
	if (strcmp(lrt_store_sqlstate(store), "42P01") == 0 ||
	    strcmp(lrt_store_sqlstate(store), "3F000") == 0)
		lrt_error_set("%s; lrt migrate brings the database up to date",
			      lrt_error_last());
}

int lrt_status_read(lrt_product_status **out, size_t *count, lrt_store *store,
		    const char *symbol, int64_t now)
{
	char lock_class[24];
	const char *params[2] = {symbol, lock_class};
	lrt_product_status *statuses = NULL;
	PGresult *res = NULL;
	size_t rows = 0, i;
	int rc;

	LRT_ASSERT(out != NULL && count != NULL && store != NULL);
	*out = NULL;
	*count = 0;
	if (now == 0)
		now = (int64_t)time(NULL);
	if (now < LRT_TIME_MIN || now > LRT_TIME_MAX) {
		lrt_error_set("status: the time %lld is not of the years 1 to 9999",
			      (long long)now);
		return LRT_EINVAL;
	}
	snprintf(lock_class, sizeof(lock_class), "%ld", (long)LRT_SERVE_LOCK_CLASS);
	rc = lrt_store_exec_tuples(&res, store, status_query, 2, params);
	if (rc != 0) {
		explain_missing_schema(store);
		goto done;
	}
	LRT_ASSERT(PQnfields(res) == COLUMN_COUNT);
	rows = (size_t)PQntuples(res);
	if (rows == 0 && symbol != NULL) {
		lrt_error_set("no product %s in this database", symbol);
		rc = LRT_EINVAL;
		goto done;
	}
	if (rows > 0 && (statuses = calloc(rows, sizeof(*statuses))) == NULL) {
		lrt_error_set("out of memory reading the status of %zu products", rows);
		rc = LRT_ENOMEM;
		goto done;
	}
	for (i = 0; i < rows && rc == 0; i++)
		rc = fill_status(&statuses[i], res, (int)i, now);
done:
	PQclear(res);
	if (rc != 0) {
		lrt_status_free(statuses, rows);
		return rc;
	}
	*out = statuses;
	*count = rows;
	return 0;
}

void lrt_status_free(lrt_product_status *statuses, size_t count)
{
	size_t i;

	if (statuses == NULL)
		return;
	for (i = 0; i < count; i++) {
		lrt_product_status *s = &statuses[i];

		free(s->symbol);
		free(s->queue_value);
		free(s->last_trip_rate_before);
		free(s->last_trip_rate_after);
		free(s->last_trip_at);
		free(s->lock_holder);
		free(s->underlying);
		free(s->queue_value_whole);
	}
	free(statuses);
}
