/*
 * ingest.c - event files into a product's inbox (see include/lrt/ingest.h).
 *
 * C frames and streams; the database judges.  For each file, in one
 * transaction:
 *
 *   SELECT lrt.ingest_begin()                  the session's staging tables
 *   COPY pg_temp.lrt_ingest_stage FROM STDIN   (line, raw, framing problem)
 *   SELECT ... FROM lrt.ingest_load(...)       validate and load, set-based
 *   SELECT ... FROM pg_temp.lrt_ingest_work    the first rejects, to show
 *   COMMIT
 *
 * Workload: files of up to millions of events; memory stays bounded by the
 * longest record (the reader) and a COPY chunk (copy.c), and the database
 * does a fixed number of statements per file, whatever its length.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/record_reader.h"
#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/ingest.h"
#include "lrt/product.h"
#include "store/copy.h"
#include "store/store_internal.h"

/* What one file's load returned. */
typedef struct {
	uint64_t read, loaded, duplicates, rejected;
} file_counts;

/* One file being ingested. */
typedef struct {
	lrt_store *store;
	const lrt_ingest_options *options;
	const char *path;          /* as given */
	const char *name;          /* as recorded and shown: "<stdin>" for "-" */
	lrt_record_format format;
	char product_id[24];
	size_t *details_left;      /* rejects still to pass to on_reject */
} ingest_file;

static const lrt_ingest_options default_options = { LRT_INGEST_AUTO, NULL, NULL, 0, NULL };

static lrt_record_format format_of(const char *path, lrt_ingest_format format)
{
	size_t length = strlen(path);

	if (format == LRT_INGEST_CSV)
		return LRT_RECORDS_CSV;
	if (format == LRT_INGEST_JSONL)
		return LRT_RECORDS_JSONL;
	return length >= 4 && strcasecmp(path + length - 4, ".csv") == 0
	       ? LRT_RECORDS_CSV : LRT_RECORDS_JSONL;
}

/* Opens the file ("-": standard input) and finds its size when it has one. */
static int open_input(FILE **in, uint64_t *size, const char *path)
{
	struct stat info;

	*size = 0;
	*in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (*in == NULL) {
		lrt_error_set("%s: cannot open: %s", path, strerror(errno));
		return LRT_EIO;
	}
	if (fstat(fileno(*in), &info) == 0 && S_ISREG(info.st_mode))
		*size = (uint64_t)info.st_size;
	return 0;
}

static void progress(const ingest_file *f, const lrt_record_reader *reader,
		     uint64_t total, uint64_t records, int done)
{
	lrt_ingest_progress p;

	if (f->options->on_progress == NULL)
		return;
	p.path = f->name;
	p.bytes_read = lrt_record_reader_offset(reader);
	p.bytes_total = total;
	p.records = records;
	p.done = done;
	f->options->on_progress(f->options->context, &p);
}

/* Streams every record of the file into the staging table. */
static int stage_records(const ingest_file *f, FILE *in, uint64_t total)
{
	lrt_record_reader *reader = NULL;
	lrt_copy *copy = NULL;
	lrt_record record;
	uint64_t records = 0;
	char line[24];
	const char *values[3] = {line, NULL, NULL};
	int rc;

	rc = lrt_record_reader_open(&reader, in, f->format);
	if (rc == 0)
		rc = lrt_copy_begin(&copy, f->store,
			"COPY pg_temp.lrt_ingest_stage (line, raw, problem) FROM STDIN");
	while (rc == 0 && (rc = lrt_record_reader_next(reader, &record)) == 1) {
		snprintf(line, sizeof(line), "%llu", (unsigned long long)record.line);
		values[1] = record.text;
		values[2] = record.problem;
		rc = lrt_copy_row(copy, 3, values);
		if (rc == 0 && ++records % LRT_INGEST_PROGRESS_RECORDS == 0)
			progress(f, reader, total, records, 0);
	}
	if (rc == LRT_EIO || rc == LRT_ENOMEM) {
		lrt_error_prefix("%s", f->name);
		lrt_copy_abort(copy, "lrt: reading the input failed");
	} else if (rc != 0) {
		lrt_copy_abort(copy, "lrt: COPY abandoned");
	} else if (copy != NULL) {
		rc = lrt_copy_end(copy, NULL);
	}
	if (rc == 0)
		progress(f, reader, total, records, 1);
	lrt_record_reader_free(reader);
	return rc;
}

/*
 * Validates and loads the staged rows.  A file refused whole (SQLSTATE
 * LRI01: its header) is LRT_EINVAL with the server's message, which names
 * the file and line; any other failure is LRT_EDB.
 */
static int load_staged(file_counts *counts, const ingest_file *f)
{
	const char *params[3] = {
		f->product_id, f->name, f->format == LRT_RECORDS_CSV ? "csv" : "jsonl"
	};
	PGresult *result = PQexecParams(lrt_store_conn(f->store),
		"SELECT read_count, loaded_count, duplicate_count, rejected_count"
		"  FROM lrt.ingest_load($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	const char *state, *primary, *detail;
	char message[1024];
	int rc = 0;

	if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
		counts->read = strtoull(PQgetvalue(result, 0, 0), NULL, 10);
		counts->loaded = strtoull(PQgetvalue(result, 0, 1), NULL, 10);
		counts->duplicates = strtoull(PQgetvalue(result, 0, 2), NULL, 10);
		counts->rejected = strtoull(PQgetvalue(result, 0, 3), NULL, 10);
		PQclear(result);
		return 0;
	}
	state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
	primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
	lrt_store_flatten(message, sizeof(message),
			  primary != NULL ? primary : PQerrorMessage(lrt_store_conn(f->store)));
	if (state != NULL && strcmp(state, "LRI01") == 0) {
		lrt_error_set("%s", message);
		rc = LRT_EINVAL;
	} else {
		lrt_error_set("%s: loading failed: %s%s%s (SQLSTATE %s)", f->name, message,
			      detail != NULL ? ": " : "", detail != NULL ? detail : "",
			      state != NULL ? state : "none");
		rc = LRT_EDB;
	}
	PQclear(result);
	return rc;
}

/* Passes the file's first rejects to on_reject, as many as are still due. */
static int show_rejects(const ingest_file *f, uint64_t rejected)
{
	char limit[24];
	const char *params[1] = {limit};
	PGresult *result = NULL;
	int i, rc;

	if (f->options->on_reject == NULL || *f->details_left == 0 || rejected == 0)
		return 0;
	snprintf(limit, sizeof(limit), "%zu", *f->details_left);
	rc = lrt_store_exec_tuples(&result, f->store,
		"SELECT line, problem FROM pg_temp.lrt_ingest_work"
		" WHERE problem IS NOT NULL ORDER BY line LIMIT $1", 1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(result); i++)
		f->options->on_reject(f->options->context, f->name,
				      strtoull(PQgetvalue(result, i, 0), NULL, 10),
				      PQgetvalue(result, i, 1));
	*f->details_left -= (size_t)PQntuples(result);
	PQclear(result);
	return 0;
}

/* One file, one transaction: all of it is loaded and kept aside, or none. */
static int ingest_one(file_counts *counts, const ingest_file *f)
{
	FILE *in = NULL;
	uint64_t total = 0;
	char nothing[8];
	int rc;

	rc = open_input(&in, &total, f->path);
	if (rc != 0)
		return rc;
	rc = lrt_store_exec_command(f->store, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = lrt_store_exec_value(nothing, sizeof(nothing), f->store,
					  "SELECT lrt.ingest_begin()", 0, NULL);
	if (rc == 0)
		rc = stage_records(f, in, total);
	if (rc == 0)
		rc = load_staged(counts, f);
	if (rc == 0)
		rc = show_rejects(f, counts->rejected);
	if (rc == 0)
		rc = lrt_store_exec_command(f->store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(f->store);
	if (in != stdin)
		fclose(in);
	return rc;
}

int lrt_ingest_files(lrt_ingest_report *report, lrt_store *store,
		     const char *symbol, const char *const *paths,
		     size_t path_count, const lrt_ingest_options *options)
{
	lrt_product product;
	int64_t product_id = 0;
	ingest_file f;
	size_t i, details_left;
	int rc;

	memset(report, 0, sizeof(*report));
	memset(&f, 0, sizeof(f));
	f.store = store;
	f.options = options != NULL ? options : &default_options;
	details_left = f.options->reject_detail_max;
	f.details_left = &details_left;
	lrt_product_init(&product);
	rc = lrt_catalog_load(&product, &product_id, NULL, store, symbol);
	lrt_product_clear(&product);
	if (rc != 0)
		return rc;
	snprintf(f.product_id, sizeof(f.product_id), "%lld", (long long)product_id);
	for (i = 0; i < path_count && rc == 0; i++) {
		file_counts counts = {0, 0, 0, 0};

		f.path = paths[i];
		f.name = strcmp(paths[i], "-") == 0 ? "<stdin>" : paths[i];
		f.format = format_of(paths[i], f.options->format);
		rc = ingest_one(&counts, &f);
		if (rc != 0)
			break;
		report->read += counts.read;
		report->loaded += counts.loaded;
		report->duplicates += counts.duplicates;
		report->rejected += counts.rejected;
		report->files_done++;
	}
	return rc;
}
