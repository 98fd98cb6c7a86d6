/*
 * ingest.h - loading event files into a product's inbox (`lrt ingest`).
 *
 * Each file is framed into records (JSON Lines: a line; CSV: a record of a
 * file whose header row names the fields), streamed with COPY into a
 * temporary staging table, then validated and loaded by the database in a
 * few set-based statements (migrations/0002_ingest.sql, lrt.ingest_load):
 * nothing is judged row by row from C.  One file is one transaction.
 *
 * What a file's rows become:
 *   loaded      well-formed, an epoch not yet settled, an id new to the
 *               product: into lrt.inbox, in file order (ingest_order);
 *   duplicate   an id stored before (or earlier in the file) with the same
 *               content: counted and ignored, so ingesting a file twice
 *               changes nothing;
 *   rejected    malformed (SPEC section 4), an id stored before with other
 *               content, or an epoch already settled: into
 *               lrt.ingest_rejects with the file, line and reason.
 * Events that are well-formed but cannot apply (an unknown asset, an
 * overdraw) load, and settlement rejects them.
 *
 * Concurrent ingests of overlapping files are safe: every event is stored
 * once, and each ingest counts the other's as duplicates.
 *
 *     lrt_ingest_report report;
 *     const char *paths[] = {"events.jsonl"};
 *
 *     if (lrt_ingest_files(&report, store, "rstETH", paths, 1, NULL) != 0)
 *             fprintf(stderr, "%s\n", lrt_error_last());
 */
#ifndef LRT_INGEST_H
#define LRT_INGEST_H

#include "lrt/common.h"

#include <stddef.h>
#include <stdint.h>

#include "lrt/store.h"

typedef enum {
	LRT_INGEST_AUTO,   /* by extension: .csv is CSV, anything else JSON Lines */
	LRT_INGEST_JSONL,
	LRT_INGEST_CSV
} lrt_ingest_format;

typedef struct {
	const char *path;        /* the file as given, "<stdin>" for "-" */
	uint64_t bytes_read;
	uint64_t bytes_total;    /* 0 when unknown (standard input, a pipe) */
	uint64_t records;        /* records framed so far */
	int done;                /* the last call for this file */
} lrt_ingest_progress;

typedef struct {
	lrt_ingest_format format;
	/* Called every LRT_INGEST_PROGRESS_RECORDS records and when a file is
	 * done; NULL for none. */
	void (*on_progress)(void *context, const lrt_ingest_progress *progress);
	/* Called for each rejected line, in file order, for the first
	 * `reject_detail_max` of the call (the others are only counted, and
	 * kept in lrt.ingest_rejects); NULL for none.  `file` is the path as
	 * given ("<stdin>" for "-"). */
	void (*on_reject)(void *context, const char *file, uint64_t line,
			  const char *reason);
	size_t reject_detail_max;
	void *context;
} lrt_ingest_options;

/* The defaults: the format by extension, no callbacks.  Start from it
 * (`lrt_ingest_options o = LRT_INGEST_OPTIONS_INIT;`), then set fields: a
 * field added later is zero, or its default here, in every caller that
 * does. */
#define LRT_INGEST_OPTIONS_INIT { .format = LRT_INGEST_AUTO }

/* Records between two progress calls. */
#define LRT_INGEST_PROGRESS_RECORDS 65536

typedef struct {
	uint64_t read;           /* records read (not blank lines, not a header) */
	uint64_t loaded;
	uint64_t duplicates;
	uint64_t rejected;       /* read = loaded + duplicates + rejected */
	size_t files_done;       /* files committed */
} lrt_ingest_report;

/*
 * Ingests `paths` in order into product `symbol` (NULL: the only product of
 * the database), each file in its own transaction.  `options` may be NULL
 * (auto format, no callbacks).
 *
 * Returns 0 when every file was ingested, rejected lines or not (the
 * report counts them).  On error the failing file is rolled back, the files
 * before it stay committed and counted in `report`, and the files after it
 * are not read: LRT_EIO names a file that cannot be read; LRT_EINVAL a
 * product that does not exist or a file refused whole (its leading
 * {"product": ...} line names another product; its CSV header is
 * malformed), with FILE:LINE; LRT_EDB a database failure; LRT_ENOMEM.
 */
LRT_API int lrt_ingest_files(lrt_ingest_report *report, lrt_store *store,
			     const char *symbol, const char *const *paths,
			     size_t path_count, const lrt_ingest_options *options);

/* The source_file of the events and rejects that came from lrt.submissions. */
#define LRT_INGEST_SUBMISSIONS "lrt.submissions"

/*
 * Judges the events submitted with SQL for product `symbol` (rows of
 * lrt.submissions naming it) with the same validator as files, oldest
 * first, in batches of 100,000 (LRT_INGEST_PENDING_BATCH of
 * src/core/limits.h), each in one transaction:
 * every submission is loaded into the inbox, counted as a duplicate, or
 * kept aside in lrt.ingest_rejects with its reason (source_file
 * LRT_INGEST_SUBMISSIONS, source_line its submission_id), and leaves
 * lrt.submissions.  `report` counts them as lrt_ingest_files does
 * (files_done: the batches).  Errors as lrt_ingest_files; a failing batch
 * is rolled back and its submissions stay.
 */
LRT_API int lrt_ingest_pending(lrt_ingest_report *report, lrt_store *store,
			       const char *symbol, const lrt_ingest_options *options);

#endif
