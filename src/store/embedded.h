/*
 * embedded.h - the migrations and reporting SQL compiled into the library
 * (generated at build time by src/tools/embed.c from migrations/ and sql/).
 */
#ifndef LRT_STORE_EMBEDDED_H
#define LRT_STORE_EMBEDDED_H

#include <stddef.h>

struct lrt_embedded_file {
	const char *path;   /* "migrations/0001_schema.sql", "sql/views.sql" */
	const char *data;   /* the file's bytes, NUL-terminated */
	size_t length;      /* bytes, not counting the NUL */
};

/* Ends with an entry whose path is NULL. */
extern const struct lrt_embedded_file lrt_embedded_files[];

#endif
