/*
 * migration_set.h - the migrations and reporting SQL that `lrt migrate`
 * applies, found either in the library (embedded at build time) or in a
 * folder laid out as share/lrt/, checked and ordered, with their checksums.
 */
#ifndef LRT_STORE_MIGRATION_SET_H
#define LRT_STORE_MIGRATION_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/limits.h"  /* LRT_MIGRATION_*_MAX, LRT_SQL_FILES_MAX */

/* A checksum: the SHA-256 of a file's bytes, 64 lower-case hex digits. */
#define LRT_MIGRATION_CHECKSUM_BYTES (2 * 32 + 1)  /* with the NUL */

typedef struct {
	char *path;          /* for messages: "migrations/0001_schema.sql" */
	const char *name;    /* the last part of path: "0001_schema.sql" */
	unsigned version;    /* 1 for a migration 0001_...; 0 for sql/ */
	char title[LRT_MIGRATION_TITLE_BYTES_MAX + 1];  /* "schema" */
	const char *text;    /* the file's bytes, NUL-terminated */
	size_t length;       /* bytes, not counting the NUL */
	char *owned_text;    /* text when read from a folder; NULL if embedded */
	char checksum[LRT_MIGRATION_CHECKSUM_BYTES];  /* lower-case hex */
	bool applied;        /* set by the runner */
} lrt_migration_file;

typedef struct {
	lrt_migration_file *migrations;  /* ascending version, no duplicates */
	size_t migration_count;
	lrt_migration_file *sql;         /* ascending name */
	size_t sql_count;
} lrt_migration_set;

/*
 * Loads the embedded files (share_dir NULL) or DIR/migrations/ *.sql and
 * DIR/sql/ *.sql (sql/ may be absent).  LRT_EINVAL names a file not named
 * NNNN_title.sql (title of [a-z0-9_]), two files of one version, or a file
 * holding a NUL byte; LRT_EIO a folder or file that cannot be read;
 * LRT_ELIMIT a file or a folder over the limits above.  On error the set is
 * empty.
 */
int lrt_migration_set_load(lrt_migration_set *set, const char *share_dir);

/* Frees what the set holds and empties it; an empty set is a no-op. */
void lrt_migration_set_clear(lrt_migration_set *set);

/*
 * The SHA-256 of `length` bytes, by libcrypto (which libpq links already), as
 * 64 lower-case hex digits and a NUL, the form lrt.schema_migrations keeps.
 * Returns 0, or LRT_ENOMEM when libcrypto cannot allocate its context (its
 * one way to fail here), with the message set.
 */
int lrt_migration_checksum(char hex[LRT_MIGRATION_CHECKSUM_BYTES],
			   const void *data, size_t length);

/* The migration of `version`, or NULL. */
lrt_migration_file *lrt_migration_set_find(lrt_migration_set *set,
					   unsigned version);

#endif
