/*
 * store.h - the PostgreSQL store: connecting to a server and bringing its
 * `lrt` schema up to date.
 *
 * A store is one libpq connection, used by one thread at a time.  The
 * connection follows libpq's conventions: a conninfo string or URI when one
 * is given, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE and libpq's
 * defaults.  libpq's types never appear here; the store modules that need the
 * connection use src/store/store_internal.h.
 *
 *     lrt_store *store = NULL;
 *     lrt_migrate_report report;
 *
 *     if (lrt_store_connect(&store, NULL) == 0 &&
 *         lrt_store_migrate(&report, store, NULL) == 0)
 *             printf("%u migrations applied\n", report.applied_count);
 *     else
 *             fprintf(stderr, "%s\n", lrt_error_last());
 *     lrt_store_close(store);
 */
#ifndef LRT_STORE_H
#define LRT_STORE_H

#include "lrt/common.h"

#include <stddef.h>

typedef struct lrt_store lrt_store;

/*
 * Connects.  `conninfo` is a libpq connection string ("host=/tmp dbname=x"),
 * a URI ("postgresql://...") or, as psql -d takes it, a database's name
 * ("books": no '=' and no "://"), the rest from the environment; NULL or ""
 * uses the environment and libpq's defaults.  Returns LRT_EINVAL when the
 * string cannot be parsed and LRT_EDB when the server cannot be reached or
 * is older than PostgreSQL 15; the message then names the server tried
 * (socket directory or host, port, database, user) and libpq's reason.  On
 * error *out is NULL.
 */
LRT_API int lrt_store_connect(lrt_store **out, const char *conninfo);

/* Closes the connection and frees the store; NULL is a no-op. */
LRT_API void lrt_store_close(lrt_store *store);

/* "socket /tmp/x port 5432 database lrt user bob": the server connected to. */
LRT_API const char *lrt_store_describe(const lrt_store *store);

/* Where the migrations come from, and who hears about each file applied. */
typedef struct {
	/*
	 * A folder laid out as the installed share/lrt/: DIR/migrations/
	 * NNNN_title.sql and, optionally, DIR/sql/ *.sql.  NULL: the files
	 * embedded in the library at build time.
	 */
	const char *share_dir;
	/* Called before each migration is applied ("migrations/0001_x.sql"). */
	void (*on_apply)(void *context, const char *path);
	void *context;
} lrt_migrate_options;

/* The defaults: the migrations built in, no callback.  Start from it
 * (`lrt_migrate_options o = LRT_MIGRATE_OPTIONS_INIT;`), then set fields: a
 * field added later is zero, or its default here, in every caller that
 * does. */
#define LRT_MIGRATE_OPTIONS_INIT { .share_dir = NULL }

typedef struct {
	unsigned applied_count;   /* migrations this call applied */
	unsigned already_count;   /* migrations found applied before the call */
	unsigned sql_count;       /* files of sql/ re-applied */
	unsigned latest_version;  /* the highest applied version, 0 when none */
} lrt_migrate_report;

/*
 * Brings the schema up to date: applies every migration not yet applied, in
 * version order, each in its own transaction with its row in
 * lrt.schema_migrations, then re-applies the files of sql/ (views and
 * functions written as CREATE OR REPLACE) in one transaction.  Concurrent
 * callers wait for one another on an advisory lock, so the second finds
 * nothing left to do.  `options` may be NULL.
 *
 * Before applying anything it checks every applied migration against its
 * file: LRT_ECHANGED, naming the file, when one has changed since it was
 * applied, and LRT_ESTATE when the database holds a migration this lrt does
 * not know (it is newer).  LRT_EINVAL names a misnamed or duplicate file,
 * LRT_EIO a file that cannot be read, LRT_EDB a statement the server refused
 * (with the file and line).  On any error nothing of the failing migration
 * is applied; the migrations applied before it stay, and are counted in
 * `report`.
 */
LRT_API int lrt_store_migrate(lrt_migrate_report *report, lrt_store *store,
			      const lrt_migrate_options *options);

/* Where a migration stands, as lrt_store_migrate_status reports it. */
typedef enum {
	LRT_MIGRATION_APPLIED,   /* applied, and its file is what was applied */
	LRT_MIGRATION_PENDING,   /* a file not applied yet */
	LRT_MIGRATION_CHANGED,   /* applied, but its file has changed since
				  * (other bytes, or another title):
				  * lrt_store_migrate refuses to run */
	LRT_MIGRATION_UNKNOWN    /* applied, but this lrt has no such file: a
				  * newer lrt migrated the database */
} lrt_migration_state;

typedef struct {
	unsigned version;          /* NNNN of NNNN_title.sql */
	lrt_migration_state state;
	const char *name;          /* the title as applied; the file's if pending */
	const char *checksum;      /* SHA-256 as applied (hex); NULL if pending */
	const char *applied_at;    /* "2025-07-11 09:12:03 UTC"; NULL if pending */
	const char *file_name;     /* the file's title now; NULL if unknown */
	const char *file_checksum; /* the file's SHA-256 now; NULL if unknown */
} lrt_migration_status;

/* Receives one migration; the strings live until it returns.  A non-zero
 * return stops the walk and is returned. */
typedef int (*lrt_migration_status_fn)(void *context,
				       const lrt_migration_status *status);

/*
 * Calls `fn` for every migration, applied or not, by version: the files
 * (built in, or options->share_dir's) against lrt.schema_migrations.  It
 * only reads that table, in a READ ONLY transaction: no lock, nothing
 * created, so a role that may only read it (lrt_reader), a read-only
 * session or a hot standby may ask, and a running lrt_store_migrate does
 * not hold it up.  A database never migrated has every migration pending.
 * LRT_EDB when the table cannot be read (the message names the privilege
 * missing); the errors of the files as lrt_store_migrate's.
 */
LRT_API int lrt_store_migrate_status(lrt_store *store,
				     const lrt_migrate_options *options,
				     lrt_migration_status_fn fn, void *context);

#endif
