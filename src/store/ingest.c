/*
 * ingest.c - event files into a product's inbox (see include/lrt/ingest.h).
 *
 * C judges; the database keeps only what must be set-based.  Each record is
 * framed (record_reader.c), parsed (JSON, or a CSV record as the JSON of its
 * cells: csv_event.c) and judged by the validator of `lrt simulate`
 * (json_parse.c); a well-formed event is staged as the inbox's typed
 * columns (event_row.c), a malformed one with its reason.  A file that can
 * be read twice goes first the direct way: the product locked
 * (lrt.ingest_lock), every record COPYed straight into the inbox in a
 * savepoint, which is all when every record is a new, well-formed event of
 * an unsettled epoch.  Any other file (a record kept aside, late, an id
 * used twice or met in the inbox: the savepoint rolled back, the file
 * rewound), and standard input, goes through the stage, in one
 * transaction:
 *
 *   SELECT lrt.ingest_begin()                  the session's staging table
 *   COPY pg_temp.lrt_ingest_stage FROM STDIN   typed rows, or reasons
 *   SELECT ... FROM lrt.ingest_load(...)       duplicates, late events,
 *                                              the inbox, the rejects
 *   SELECT ... FROM pg_temp.lrt_ingest_stage   the first rejects, to show
 *   COMMIT
 *
 * Workload: files of up to millions of events; memory stays bounded by the
 * longest record (the reader), a COPY chunk (copy.c) and the file's event
 * ids (to find an id used twice in one file), and the database does a
 * fixed number of statements per file, whatever its length.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/strmap.h"
#include "io/csv_event.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "io/problems.h"
#include "io/record_reader.h"
#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/ingest.h"
#include "lrt/product.h"
#include "store/copy.h"
#include "store/event_row.h"
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
	const char *symbol;        /* the product's */
	lrt_product product;       /* its genesis and epoch length judge `time` */
	char product_id[24];
	size_t *details_left;      /* rejects still to pass to on_reject */
} ingest_file;

static const lrt_ingest_options default_options = LRT_INGEST_OPTIONS_INIT;

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

/* ---- judging records ------------------------------------------------------ */

/* Records between two clearings of the arena of event strings. */
#define ARENA_RECORDS 4096

/* What staging a file keeps from one record to the next. */
typedef struct {
	const ingest_file *f;
	lrt_copy *copy;
	int first_done;          /* the first record (header, product line) seen */
	lrt_csv_header header;   /* CSV */
	lrt_arena header_arena;
	lrt_arena arena;         /* the current events' strings */
	unsigned arena_records;
	lrt_arena id_arena;      /* the ids of the well-formed records */
	lrt_strmap ids;          /* id -> index into first_lines */
	uint64_t *first_lines;
	size_t id_count, id_capacity;
	/* straight into the inbox: every record so far well-formed, new, of
	 * an epoch after `settled` (else the file goes through the stage) */
	int direct;
	int64_t settled;
	uint64_t direct_rows;
} stager;

/* stage_record's answer when a record cannot go straight into the inbox. */
#define NOT_DIRECT 1

/* The stage's columns: the record, then the inbox's typed ones. */
#define STAGE_COLUMNS 5
#define STAGE_COPY "COPY pg_temp.lrt_ingest_stage (line, raw, problem, first_line," \
	" event, %s) FROM STDIN"

static void stager_init(stager *st, const ingest_file *f)
{
	memset(st, 0, sizeof(*st));
	st->f = f;
	lrt_arena_init(&st->header_arena);
	lrt_arena_init(&st->arena);
	lrt_arena_init(&st->id_arena);
	lrt_strmap_init(&st->ids);
}

static void stager_clear(stager *st)
{
	lrt_strmap_clear(&st->ids);
	lrt_arena_clear(&st->id_arena);
	lrt_arena_clear(&st->arena);
	lrt_arena_clear(&st->header_arena);
	free(st->first_lines);
}

/* One stage row: the record's line and text, and either why it is kept
 * aside, or its event (event_json: a CSV record's JSON; NULL for JSON). */
static int stage_row(stager *st, uint64_t line, const char *raw, const char *problem,
		     const char *first_line, const char *event_json,
		     const lrt_event_row *row)
{
	const char *values[STAGE_COLUMNS + LRT_EVENT_ROW_COLUMN_COUNT] = {0};
	char line_text[24];

	if (st->direct)
		return NOT_DIRECT;
	snprintf(line_text, sizeof(line_text), "%llu", (unsigned long long)line);
	values[0] = line_text;
	values[1] = raw;
	values[2] = problem;
	values[3] = first_line;
	values[4] = event_json;
	if (row != NULL)
		memcpy(values + STAGE_COLUMNS, row->values, sizeof(row->values));
	return lrt_copy_row(st->copy, STAGE_COLUMNS + LRT_EVENT_ROW_COLUMN_COUNT, values);
}

/* The line of the first well-formed record with this id, when one came
 * before; else remembers this one.  *first 0 when none. */
static int note_id(uint64_t *first, stager *st, const char *id, uint64_t line)
{
	int64_t found = lrt_strmap_find(&st->ids, id);
	char *copy;

	*first = 0;
	if (found >= 0) {
		*first = st->first_lines[found];
		return 0;
	}
	if (st->id_count == st->id_capacity) {
		size_t capacity = st->id_capacity ? st->id_capacity * 2 : 4096;
		uint64_t *bigger = realloc(st->first_lines, capacity * sizeof(*bigger));

		if (bigger == NULL || capacity > UINT32_MAX)
			goto nomem;
		st->first_lines = bigger;
		st->id_capacity = capacity;
	}
	copy = lrt_arena_strndup(&st->id_arena, id, strlen(id));
	if (copy == NULL || lrt_strmap_insert(&st->ids, copy, (uint32_t)st->id_count) != 0)
		goto nomem;
	st->first_lines[st->id_count++] = line;
	return 0;
nomem:
	lrt_error_set("out of memory remembering event ids");
	return LRT_ENOMEM;
}

/* An event straight into the inbox: the product, the typed columns, the
 * event as received, where it came from. */
static int insert_direct(stager *st, const lrt_record *record, const char *event_json,
			 const lrt_event_row *row)
{
	const char *values[LRT_EVENT_ROW_COLUMN_COUNT + 4];
	char line_text[24];

	snprintf(line_text, sizeof(line_text), "%llu", (unsigned long long)record->line);
	values[0] = st->f->product_id;
	memcpy(values + 1, row->values, sizeof(row->values));
	values[LRT_EVENT_ROW_COLUMN_COUNT + 1] = event_json != NULL ? event_json : record->text;
	values[LRT_EVENT_ROW_COLUMN_COUNT + 2] = st->f->name;
	values[LRT_EVENT_ROW_COLUMN_COUNT + 3] = line_text;
	st->direct_rows++;
	return lrt_copy_row(st->copy, LRT_EVENT_ROW_COLUMN_COUNT + 4, values);
}

/* Stages a well-formed event (or inserts it, on the direct way). */
static int stage_event(stager *st, const lrt_record *record, const lrt_event *event,
		       const char *event_json)
{
	lrt_event_row row;
	uint64_t first;
	char first_text[24];
	int rc = note_id(&first, st, event->id, record->line);

	if (rc != 0)
		return rc;
	if (st->direct && (first != 0 || event->epoch <= st->settled))
		return NOT_DIRECT;
	snprintf(first_text, sizeof(first_text), "%llu", (unsigned long long)first);
	rc = lrt_event_row_from_event(&row, event);
	if (rc == 0 && st->direct)
		rc = insert_direct(st, record, event_json, &row);
	else if (rc == 0)
		rc = stage_row(st, record->line, record->text, NULL, first ? first_text : NULL,
			       event_json, &row);
	lrt_event_row_clear(&row);
	return rc;
}

/*
 * The first record of a file: a CSV header (read, not staged), or a JSON
 * Lines {"product": {...}} line (skipped when it is this product's, and the
 * whole file refused when it is another's).  1 when the record was taken.
 */
static int first_record(stager *st, const lrt_record *record, const json_t *object)
{
	const ingest_file *f = st->f;
	const json_t *product, *symbol;
	int rc;

	if (f->format == LRT_RECORDS_CSV) {
		if (record->problem != NULL) {
			lrt_error_set("%s:%llu: header: %s", f->name,
				      (unsigned long long)record->line, record->problem);
			return LRT_EINVAL;
		}
		rc = lrt_csv_header_parse(&st->header, &st->header_arena, record->text,
					  record->length);
		if (rc == LRT_EINVAL)
			lrt_error_prefix("%s:%llu", f->name, (unsigned long long)record->line);
		return rc == 0 ? 1 : rc;
	}
	product = json_is_object(object) ? json_object_get(object, "product") : NULL;
	if (product == NULL || f->symbol == NULL)
		return 0;
	symbol = json_object_get(product, "symbol");
	if (json_is_string(symbol) && strcmp(json_string_value(symbol), f->symbol) == 0)
		return 1;
	lrt_error_set("%s:%llu: this file is for product %s, not %s (name the product "
		      "with --product SYMBOL)", f->name, (unsigned long long)record->line,
		      json_is_string(symbol) ? json_string_value(symbol) : "(no symbol)",
		      f->symbol);
	return LRT_EINVAL;
}

/* The record's JSON: a line parsed, or a CSV record's cells as an object
 * (a cell that cannot be its field's JSON noted in `problems`). */
static json_t *record_object(stager *st, const lrt_record *record,
			     lrt_problems *problems, int *rc)
{
	json_t *object;

	*rc = 0;
	if (st->f->format == LRT_RECORDS_CSV) {
		*rc = lrt_csv_event_object(&object, problems, &st->header, record->text,
					   record->length);
		return object;
	}
	/* "not JSON: ..." (LRT_EINVAL, a reject) or out of memory (stop) */
	*rc = lrt_json_load(&object, record->text, record->length,
			    JSON_REJECT_DUPLICATES, NULL);
	return object;
}

/* Judges one record with the validator of `lrt simulate` and stages it. */
static int stage_record(stager *st, const lrt_record *record)
{
	json_t *object = NULL;
	char *event_json = NULL;
	lrt_problems problems;
	lrt_event event;
	int rc = 0;

	lrt_problems_init(&problems);
	if (record->problem == NULL
	    && (st->first_done || st->f->format != LRT_RECORDS_CSV))
		object = record_object(st, record, &problems, &rc);
	if (!st->first_done) {
		st->first_done = 1;
		if (rc != LRT_ENOMEM) {
			int taken = first_record(st, record, object);

			if (taken != 0) {
				json_decref(object);
				return taken < 0 ? taken : 0;
			}
		}
	}
	if (record->problem != NULL || rc == LRT_EINVAL) {
		json_decref(object);
		return stage_row(st, record->line, record->text,
				 record->problem ? record->problem : lrt_error_last(),
				 NULL, NULL, NULL);
	}
	if (rc != 0)
		return rc;
	if (++st->arena_records == ARENA_RECORDS) {
		lrt_arena_clear(&st->arena);
		st->arena_records = 0;
	}
	lrt_event_init(&event);
	/* every problem of the record: its cells', then the validator's */
	rc = lrt_json_event_noted(&event, &st->arena, object, &st->f->product, &problems);
	if (rc == LRT_EINVAL) {
		rc = stage_row(st, record->line, record->text, lrt_error_last(), NULL, NULL,
			       NULL);
	} else if (rc == 0) {
		if (st->f->format == LRT_RECORDS_CSV)
			rc = lrt_json_dumps(&event_json, object, JSON_COMPACT);
		if (rc == 0)
			rc = stage_event(st, record, &event, event_json);
	}
	free(event_json);
	lrt_event_clear(&event);
	json_decref(object);
	return rc;
}

static int begin_stage(stager *st)
{
	char statement[1024];

	if (st->direct)
		snprintf(statement, sizeof(statement),
			 "COPY lrt.inbox (product_id, %s, event, source_file, source_line)"
			 " FROM STDIN", LRT_EVENT_ROW_COLUMN_LIST);
	else
		snprintf(statement, sizeof(statement), STAGE_COPY, LRT_EVENT_ROW_COLUMN_LIST);
	return lrt_copy_begin(&st->copy, st->f->store, statement);
}

/*
 * Judges every record of the file and streams it into the staging table,
 * or, when `settled` >= -1, straight into the inbox: then NOT_DIRECT as
 * soon as a record needs the stage (kept aside, late, an id used twice),
 * and *direct_rows the events inserted when all went in.
 */
static int stage_records(const ingest_file *f, FILE *in, uint64_t total,
			 int64_t settled, uint64_t *direct_rows)
{
	lrt_record_reader *reader = NULL;
	lrt_record record;
	uint64_t records = 0;
	stager st;
	int rc;

	stager_init(&st, f);
	st.direct = settled >= -1;
	st.settled = settled;
	rc = lrt_record_reader_open(&reader, in, f->format);
	if (rc == 0)
		rc = begin_stage(&st);
	while (rc == 0 && (rc = lrt_record_reader_next(reader, &record)) == 1) {
		rc = stage_record(&st, &record);
		if (rc == 0 && ++records % LRT_INGEST_PROGRESS_RECORDS == 0)
			progress(f, reader, total, records, 0);
	}
	if (rc == LRT_EIO || rc == LRT_ENOMEM) {
		lrt_error_prefix("%s", f->name);
		lrt_copy_abort(st.copy, "lrt: reading the input failed");
	} else if (rc != 0) {
		lrt_copy_abort(st.copy, "lrt: COPY abandoned");
	} else if (st.copy != NULL) {
		rc = lrt_copy_end(st.copy, NULL);
	}
	if (rc == 0)
		progress(f, reader, total, records, 1);
	if (direct_rows != NULL)
		*direct_rows = st.direct_rows;
	lrt_record_reader_free(reader);
	stager_clear(&st);
	return rc;
}

/*
 * Validates and loads the staged rows.  A file refused whole (SQLSTATE
 * LRI01: its header) is LRT_EINVAL with the server's message, which names
 * the file and line; any other failure is LRT_EDB.
 */
static int load_staged(file_counts *counts, const ingest_file *f)
{
	const char *params[2] = {f->product_id, f->name};
	PGresult *result = PQexecParams(lrt_store_conn(f->store),
		"SELECT read_count, loaded_count, duplicate_count, rejected_count"
		"  FROM lrt.ingest_load($1, $2)", 2, NULL, params, NULL, NULL, 0);
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
		"SELECT line, problem FROM pg_temp.lrt_ingest_stage"
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

/*
 * The direct way of a file that can be read twice: the product locked, its
 * records COPYed straight into the inbox in a savepoint.  1 when that did
 * not do (a record that needs the stage, an id the inbox holds already:
 * the savepoint is rolled back and the file rewound for the stage), 0 when
 * every record went in.
 */
static int ingest_direct(file_counts *counts, const ingest_file *f, FILE *in,
			 uint64_t total)
{
	const char *params[1] = {f->product_id};
	char settled[32];
	uint64_t rows = 0;
	int rc;

	rc = lrt_store_exec_value(settled, sizeof(settled), f->store,
				  "SELECT lrt.ingest_lock($1)", 1, params);
	if (rc == 0)
		rc = lrt_store_exec_command(f->store, "SAVEPOINT direct", 0, NULL);
	if (rc != 0)
		return rc;
	rc = stage_records(f, in, total, strtoll(settled, NULL, 10), &rows);
	if (rc == 0) {
		counts->read = counts->loaded = rows;
		return lrt_store_exec_command(f->store, "RELEASE SAVEPOINT direct", 0, NULL);
	}
	if (rc != NOT_DIRECT && rc != LRT_EDB)
		return rc;
	/* back in the transaction itself: lrt.ingest_load knows the rows it
	 * inserts by the transaction's id */
	rc = lrt_store_exec_command(f->store, "ROLLBACK TO SAVEPOINT direct", 0, NULL);
	if (rc == 0)
		rc = lrt_store_exec_command(f->store, "RELEASE SAVEPOINT direct", 0, NULL);
	if (rc == 0 && fseek(in, 0, SEEK_SET) != 0) {
		lrt_error_set("%s: cannot read it again: %s", f->name, strerror(errno));
		rc = LRT_EIO;
	}
	clearerr(in);
	return rc == 0 ? 1 : rc;
}

/*
 * One file, one transaction: all of it is loaded and kept aside, or none.
 * A file of new, well-formed events (the usual case) is COPYed straight
 * into the inbox; any other, or standard input, goes through the stage.
 */
static int ingest_one(file_counts *counts, const ingest_file *f)
{
	FILE *in = NULL;
	uint64_t total = 0;
	char nothing[8];
	int rc, staged = 1;

	rc = open_input(&in, &total, f->path);
	if (rc != 0)
		return rc;
	rc = lrt_store_exec_command(f->store, "BEGIN", 0, NULL);
	if (rc == 0 && in != stdin && total > 0)
		rc = staged = ingest_direct(counts, f, in, total);
	if (staged && rc == 1)
		rc = 0;
	if (rc == 0 && staged)
		rc = lrt_store_exec_value(nothing, sizeof(nothing), f->store,
					  "SELECT lrt.ingest_begin()", 0, NULL);
	if (rc == 0 && staged)
		rc = stage_records(f, in, total, -2, NULL);
	if (rc == 0 && staged)
		rc = load_staged(counts, f);
	if (rc == 0 && staged)
		rc = show_rejects(f, counts->rejected);
	if (rc == 0)
		rc = lrt_store_exec_command(f->store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(f->store);
	if (in != stdin)
		fclose(in);
	return rc;
}

/* ---- events submitted with SQL ------------------------------------------------ */

/* Stages one batch of the product's submissions, oldest first, locked
 * until the transaction ends; *fetched how many. */
static int stage_submissions(const ingest_file *f, uint64_t *fetched)
{
	char batch[24];
	const char *params[2] = {f->symbol, batch};
	PGresult *res = NULL;
	lrt_record record;
	char too_long[64];
	stager st;
	int i, rc;

	snprintf(too_long, sizeof(too_long), "event is longer than %d bytes",
		 LRT_LINE_BYTES_MAX);
	snprintf(batch, sizeof(batch), "%d", LRT_INGEST_PENDING_BATCH);
	rc = lrt_store_exec_tuples(&res, f->store,
		"SELECT submission_id, event FROM lrt.submissions WHERE product = $1"
		" ORDER BY submission_id LIMIT $2 FOR UPDATE", 2, params);
	if (rc != 0)
		return rc;
	*fetched = (uint64_t)PQntuples(res);
	stager_init(&st, f);
	st.first_done = 1;   /* each submission is an event, never a product */
	rc = begin_stage(&st);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		record.line = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		record.text = PQgetvalue(res, i, 1);
		record.length = (size_t)PQgetlength(res, i, 1);
		record.problem = record.length > LRT_LINE_BYTES_MAX ? too_long : NULL;
		rc = stage_record(&st, &record);
	}
	if (rc != 0)
		lrt_copy_abort(st.copy, "lrt: COPY abandoned");
	else if (st.copy != NULL)
		rc = lrt_copy_end(st.copy, NULL);
	stager_clear(&st);
	PQclear(res);
	return rc;
}

/* One batch of submissions, one transaction: judged, loaded or kept aside,
 * and deleted from lrt.submissions. */
static int ingest_submissions(file_counts *counts, uint64_t *fetched,
			      const ingest_file *f)
{
	const char *params[1] = {f->symbol};
	char nothing[8];
	int rc;

	rc = lrt_store_exec_command(f->store, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = lrt_store_exec_value(nothing, sizeof(nothing), f->store,
					  "SELECT lrt.ingest_begin()", 0, NULL);
	if (rc == 0)
		rc = stage_submissions(f, fetched);
	if (rc == 0 && *fetched > 0)
		rc = load_staged(counts, f);
	if (rc == 0 && *fetched > 0)
		rc = show_rejects(f, counts->rejected);
	if (rc == 0 && *fetched > 0)
		rc = lrt_store_exec_command(f->store,
			"DELETE FROM lrt.submissions s USING pg_temp.lrt_ingest_stage w"
			" WHERE s.product = $1 AND s.submission_id = w.line", 1, params);
	if (rc == 0)
		rc = lrt_store_exec_command(f->store, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(f->store);
	return rc;
}

/* ---- the calls ------------------------------------------------------------------ */

static int open_product(ingest_file *f, size_t *details_left, lrt_store *store,
			const char *symbol, const lrt_ingest_options *options)
{
	int64_t product_id = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	f->store = store;
	f->options = options != NULL ? options : &default_options;
	*details_left = f->options->reject_detail_max;
	f->details_left = details_left;
	lrt_product_init(&f->product);
	rc = lrt_catalog_load(&f->product, &product_id, NULL, store, symbol);
	f->symbol = f->product.symbol;
	snprintf(f->product_id, sizeof(f->product_id), "%lld", (long long)product_id);
	return rc;
}

static void count_file(lrt_ingest_report *report, const file_counts *counts)
{
	report->read += counts->read;
	report->loaded += counts->loaded;
	report->duplicates += counts->duplicates;
	report->rejected += counts->rejected;
	report->files_done++;
}

int lrt_ingest_files(lrt_ingest_report *report, lrt_store *store,
		     const char *symbol, const char *const *paths,
		     size_t path_count, const lrt_ingest_options *options)
{
	ingest_file f;
	size_t i, details_left;
	int rc;

	memset(report, 0, sizeof(*report));
	rc = open_product(&f, &details_left, store, symbol, options);
	for (i = 0; i < path_count && rc == 0; i++) {
		file_counts counts = {0, 0, 0, 0};

		f.path = paths[i];
		f.name = strcmp(paths[i], "-") == 0 ? "<stdin>" : paths[i];
		f.format = format_of(paths[i], f.options->format);
		rc = ingest_one(&counts, &f);
		if (rc == 0)
			count_file(report, &counts);
	}
	lrt_product_clear(&f.product);
	return rc;
}

int lrt_ingest_pending(lrt_ingest_report *report, lrt_store *store,
		       const char *symbol, const lrt_ingest_options *options)
{
	ingest_file f;
	size_t details_left;
	uint64_t fetched = LRT_INGEST_PENDING_BATCH;
	int rc;

	memset(report, 0, sizeof(*report));
	rc = open_product(&f, &details_left, store, symbol, options);
	f.path = f.name = LRT_INGEST_SUBMISSIONS;
	f.format = LRT_RECORDS_JSONL;
	while (rc == 0 && fetched == LRT_INGEST_PENDING_BATCH) {
		file_counts counts = {0, 0, 0, 0};

		rc = ingest_submissions(&counts, &fetched, &f);
		if (rc == 0 && fetched > 0)
			count_file(report, &counts);
	}
	lrt_product_clear(&f.product);
	return rc;
}
