/*
 * service.c - the connection work of `lrt serve` (see include/lrt/service.h):
 * the session's name, LISTEN, the leadership lock, waiting for notices.
 *
 * Workload: a handful of statements per cycle, a cycle per notice or timer
 * (seconds apart), on one long-lived connection; nothing here is in
 * proportion to events or holders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "lrt/error.h"
#include "lrt/service.h"
#include "lrt/status.h"
#include "store/store_internal.h"

int lrt_service_identify(lrt_store *store, const char *application_name)
{
	const char *params[1] = {application_name};
	char value[128];

	return lrt_store_exec_value(value, sizeof(value), store,
		"SELECT set_config('application_name', $1, false)", 1, params);
}

int lrt_service_listen(lrt_store *store)
{
	int rc = lrt_store_exec_command(store, "LISTEN " LRT_SERVICE_CHANNEL_INBOX, 0, NULL);

	if (rc == 0)
		rc = lrt_store_exec_command(store, "LISTEN " LRT_SERVICE_CHANNEL_SUBMISSIONS,
					    0, NULL);
	return rc;
}

/* The two int4 keys of the serve lock, as text parameters. */
static void lock_keys(char *lock_class, char *id, size_t size, int64_t product_id)
{
	snprintf(lock_class, size, "%ld", (long)LRT_SERVE_LOCK_CLASS);
	snprintf(id, size, "%lld", (long long)product_id);
}

/*
 * A session-level advisory lock is counted: taken twice, it needs two
 * unlocks.  So the lock is asked for only when pg_locks does not show it
 * held by this session already, and one unlock always frees it.
 */
int lrt_service_lock(bool *held_out, lrt_store *store, int64_t product_id)
{
	char lock_class[24], id[24], value[8];
	const char *params[2] = {lock_class, id};
	int rc;

	*held_out = false;
	lock_keys(lock_class, id, sizeof(lock_class), product_id);
	rc = lrt_store_exec_value(value, sizeof(value), store,
		"SELECT CASE WHEN EXISTS ("
		"         SELECT FROM pg_locks"
		"          WHERE locktype = 'advisory' AND granted"
		"            AND pid = pg_backend_pid() AND database = ("
		"                SELECT oid FROM pg_database"
		"                 WHERE datname = current_database())"
		"            AND classid = $1::bigint::oid AND objid = $2::bigint::oid"
		"            AND objsubid = 2)"
		"       THEN true ELSE pg_try_advisory_lock($1::integer, $2::integer) END",
		2, params);
	if (rc == 0)
		*held_out = strcmp(value, "t") == 0;
	return rc;
}

int lrt_service_unlock(lrt_store *store, int64_t product_id)
{
	char lock_class[24], id[24], value[8];
	const char *params[2] = {lock_class, id};

	lock_keys(lock_class, id, sizeof(lock_class), product_id);
	return lrt_store_exec_value(value, sizeof(value), store,
		"SELECT pg_advisory_unlock($1::integer, $2::integer)", 2, params);
}

bool lrt_service_connected(const lrt_store *store)
{
	const char *state;

	if (store == NULL || PQstatus(store->conn) != CONNECTION_OK)
		return false;
	state = lrt_store_sqlstate(store);
	return strncmp(state, "08", 2) != 0 && strncmp(state, "57P", 3) != 0
	       && strcmp(state, "25006") != 0;
}

static int connection_lost(lrt_store *store, const char *doing)
{
	char reason[512];

	lrt_store_flatten(reason, sizeof(reason), PQerrorMessage(store->conn));
	lrt_error_set("connection to PostgreSQL at %s lost %s: %s",
		      store->description, doing,
		      reason[0] != '\0' ? reason : "the server closed it");
	return LRT_EDB;
}

/* Reads what the server sent and counts the notices libpq now holds. */
static int take_notices(unsigned *count, lrt_store *store)
{
	PGnotify *notice;

	if (!PQconsumeInput(store->conn))
		return connection_lost(store, "while listening");
	while ((notice = PQnotifies(store->conn)) != NULL) {
		(*count)++;
		PQfreemem(notice);
	}
	return 0;
}

static int64_t monotonic_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int lrt_service_wait(unsigned *notices_out, lrt_store *store, int timeout_ms,
		     const sigset_t *wait_mask)
{
	int64_t deadline = monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int socket = PQsocket(store->conn);
	int rc;

	*notices_out = 0;
	if (socket < 0 || socket >= FD_SETSIZE)
		return connection_lost(store, "before waiting");
	/* A message other than a notice (a parameter status, a server
	 * notice) wakes the wait too: wait again for what is left. */
	for (;;) {
		int64_t left = deadline - monotonic_ms();
		struct timespec timeout;
		fd_set readable;
		int ready;

		if ((rc = take_notices(notices_out, store)) != 0 || *notices_out > 0)
			return rc;
		if (left <= 0)
			return 0;
		timeout.tv_sec = (time_t)(left / 1000);
		timeout.tv_nsec = (long)(left % 1000) * 1000000L;
		FD_ZERO(&readable);
		FD_SET(socket, &readable);
		ready = pselect(socket + 1, &readable, NULL, NULL, &timeout, wait_mask);
		if (ready < 0 && errno == EINTR)
			return 0;
		if (ready < 0) {
			lrt_error_set("waiting for notices: %s", strerror(errno));
			return LRT_EDB;
		}
		if (ready == 0)
			return 0;
	}
}

int lrt_service_read_progress(lrt_service_progress *out, lrt_store *store,
			      int64_t product_id)
{
	char id[24];
	const char *params[1] = {id};
	PGresult *result = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(id, sizeof(id), "%lld", (long long)product_id);
	rc = lrt_store_exec_tuples(&result, store,
		"SELECT s.settled_epoch,"
		"       (SELECT count(*) FROM lrt.inbox i"
		"         WHERE i.product_id = s.product_id"
		"           AND i.epoch = s.settled_epoch + 1),"
		"       EXISTS (SELECT FROM lrt.submissions u WHERE u.product = p.symbol),"
		"       p.settle_lag_seconds"
		"  FROM lrt.product_state s JOIN lrt.products p USING (product_id)"
		" WHERE s.product_id = $1", 1, params);
	if (rc != 0)
		return rc;
	if (PQntuples(result) != 1) {
		lrt_error_set("no product of id %s in this database", id);
		rc = LRT_EINVAL;
	} else {
		rc = lrt_store_value_int64(&out->settled_epoch, result, 0, 0);
		if (rc == 0)
			rc = lrt_store_value_int64(&out->next_epoch_events, result, 0, 1);
		out->submissions_waiting = strcmp(PQgetvalue(result, 0, 2), "t") == 0;
		if (rc == 0)
			rc = lrt_store_value_int64(&out->settle_lag_seconds, result, 0, 3);
	}
	PQclear(result);
	return rc;
}
