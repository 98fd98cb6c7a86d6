/*
 * store.c - opening and closing the connection behind an lrt_store.
 *
 * One connection per store, opened once per command: the work that follows
 * (a migration, an ingest, a settlement) dwarfs the connection's cost, so
 * there is no pool.  A failure names the server that was tried, because the
 * usual cause is a connection that went somewhere the user did not expect
 * (a stale PGHOST, the default socket directory, another database).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrt/error.h"
#include "store/store_internal.h"

/* Server messages go nowhere: lrt reports what failed through its errors. */
static void discard_notice(void *context, const PGresult *result)
{
	(void)context;
	(void)result;
}

void lrt_store_flatten(char *out, size_t size, const char *message)
{
	size_t n = 0;
	const char *p;

	for (p = message; *p != '\0' && n + 3 < size; p++) {
		if (*p == '\n' && p[1] == '\t') {
			out[n++] = ' ';
			p++;
		} else if (*p == '\n') {
			if (p[1] != '\0') {
				out[n++] = ';';
				out[n++] = ' ';
			}
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/* "socket /tmp/x port 5432 database lrt user bob", also after a failure. */
static void describe_server(lrt_store *store)
{
	PGconn *conn = store->conn;
	const char *host = PQhost(conn);
	const char *port = PQport(conn);
	const char *database = PQdb(conn);
	const char *user = PQuser(conn);
	int is_socket;

	if (host == NULL || host[0] == '\0')
		host = "(default)";
	is_socket = host[0] == '/' || host[0] == '@';
	snprintf(store->description, sizeof(store->description),
		 "%s %s port %s database %s user %s",
		 is_socket ? "socket" : "host", host,
		 port && port[0] ? port : "(default)",
		 database && database[0] ? database : "(default)",
		 user && user[0] ? user : "(default)");
}

/*
 * A connection string ("host=/tmp dbname=books") or URI ("postgresql://..."),
 * as opposed to a database's name ("books"), which psql -d takes too.  libpq
 * expands the "dbname" given below only when it holds '=' or starts with
 * its URI prefix; "://" anywhere is taken for a URI meant, so that a typo
 * in the scheme is refused with libpq's reason instead of sought as a name.
 */
static bool is_connection_string(const char *conninfo)
{
	return strchr(conninfo, '=') != NULL || strstr(conninfo, "://") != NULL;
}

/* LRT_EINVAL, with libpq's reason, when `conninfo` cannot be parsed. */
static int check_conninfo(const char *conninfo)
{
	PQconninfoOption *options;
	char *reason = NULL;
	char line[512];

	options = PQconninfoParse(conninfo, &reason);
	if (options != NULL) {
		PQconninfoFree(options);
		return 0;
	}
	if (reason == NULL) {
		lrt_error_set("out of memory parsing the connection string");
		return LRT_ENOMEM;
	}
	lrt_store_flatten(line, sizeof(line), reason);
	PQfreemem(reason);
	lrt_error_set("invalid connection string: %s", line);
	return LRT_EINVAL;
}

static int check_connection(lrt_store *store)
{
	char reason[768];
	int version;

	if (PQstatus(store->conn) != CONNECTION_OK) {
		lrt_store_flatten(reason, sizeof(reason),
				PQerrorMessage(store->conn));
		lrt_error_set("cannot connect to PostgreSQL at %s: %s",
			      store->description, reason);
		return LRT_EDB;
	}
	version = PQserverVersion(store->conn);
	if (version < LRT_STORE_SERVER_VERSION_MIN) {
		lrt_error_set("PostgreSQL at %s is version %d.%d; lrt needs %d "
			      "or newer", store->description, version / 10000,
			      version % 10000, LRT_STORE_SERVER_VERSION_MIN / 10000);
		return LRT_EDB;
	}
	return 0;
}

int lrt_store_connect(lrt_store **out, const char *conninfo)
{
	/* Later entries win: the caller's string may not change the encoding. */
	const char *keywords[4];
	const char *values[4];
	lrt_store *store = NULL;
	int count = 0;
	int rc = 0;

	*out = NULL;
	keywords[count] = "fallback_application_name";
	values[count++] = "lrt";
	if (conninfo != NULL && conninfo[0] != '\0') {
		if (is_connection_string(conninfo) && (rc = check_conninfo(conninfo)) != 0)
			goto done;
		keywords[count] = "dbname";
		values[count++] = conninfo;
	}
	keywords[count] = "client_encoding";
	values[count++] = "UTF8";
	keywords[count] = NULL;
	values[count] = NULL;

	store = calloc(1, sizeof(*store));
	if (store == NULL || (store->conn = PQconnectdbParams(keywords, values,
							       1)) == NULL) {
		lrt_error_set("out of memory connecting to PostgreSQL");
		rc = LRT_ENOMEM;
		goto done;
	}
	describe_server(store);
	if ((rc = check_connection(store)) != 0)
		goto done;
	PQsetNoticeReceiver(store->conn, discard_notice, NULL);
	*out = store;
	store = NULL;
done:
	lrt_store_close(store);
	return rc;
}

void lrt_store_close(lrt_store *store)
{
	if (store == NULL)
		return;
	PQfinish(store->conn);
	free(store);
}

const char *lrt_store_describe(const lrt_store *store)
{
	return store->description;
}

PGconn *lrt_store_conn(lrt_store *store)
{
	return store->conn;
}

const char *lrt_store_sqlstate(const lrt_store *store)
{
	return store->sqlstate;
}
