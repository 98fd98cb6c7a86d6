/*
 * record_reader.h - framing event files into records, for `lrt ingest`:
 * JSON Lines (one record a line) and CSV (RFC 4180: a record ends at a
 * newline outside quotes, so a quoted cell may span lines).
 *
 * The reader decides only where records begin and end, and whether their
 * bytes can travel as text: content (is it JSON, is it an event) is the
 * database's to judge.  A record it cannot frame or send is still returned,
 * with a `problem`, so that it can be kept aside with its line:
 *
 *   - not UTF-8, or a NUL byte (the text is then shown with \xNN escapes);
 *   - CSV: a quote inside an unquoted cell, text after a closing quote, a
 *     quoted cell still open at the end of the file (then only the record's
 *     first line is the record, and reading goes on at the next line);
 *   - longer than LRT_LINE_BYTES_MAX (the text is then a shortened preview,
 *     and reading goes on at the next line).
 *
 * Blank lines (spaces, tabs, carriage returns) are skipped; a carriage
 * return before a newline is dropped; a UTF-8 byte order mark at the start
 * of the stream is dropped (lrt_record_bom_bytes), in JSON Lines and CSV
 * alike.  Memory stays bounded by the longest record, whatever the file's
 * size.  One reader reads one stream, from one thread.
 */
#ifndef LRT_IO_RECORD_READER_H
#define LRT_IO_RECORD_READER_H

#include <stdint.h>
#include <stdio.h>

typedef enum {
	LRT_RECORDS_JSONL,
	LRT_RECORDS_CSV
} lrt_record_format;

typedef struct {
	const char *text;      /* NUL-terminated; valid until the next call */
	size_t length;
	uint64_t line;         /* the record's first line, from 1 */
	const char *problem;   /* NULL, or what is wrong with its framing */
} lrt_record;

typedef struct lrt_record_reader lrt_record_reader;

/* A reader of `in`, which stays the caller's.  LRT_ENOMEM. */
int lrt_record_reader_open(lrt_record_reader **out, FILE *in,
			   lrt_record_format format);

/*
 * The next record: 1 when *record is set, 0 at the end of the stream, or
 * LRT_EIO (the stream failed) / LRT_ENOMEM with the last error set.
 */
int lrt_record_reader_next(lrt_record_reader *reader, lrt_record *record);

/* Bytes of the stream consumed so far (for progress). */
uint64_t lrt_record_reader_offset(const lrt_record_reader *reader);

/* Frees the reader; NULL is a no-op. */
void lrt_record_reader_free(lrt_record_reader *reader);

/* True when a line holds only spaces, tabs and carriage returns: a blank
 * line, which every reader of event files skips. */
int lrt_record_is_blank(const char *text, size_t length);

/*
 * The bytes of a UTF-8 byte order mark (EF BB BF) at the start of a file's
 * `data`: 3, or 0 when there is none.  Every reader of input files skips
 * them (ingest's JSON Lines and CSV, simulate and stress, product create),
 * so that a file saved by a Windows editor or Excel's "CSV UTF-8" reads as
 * the same file without them, its first line still line 1.
 */
size_t lrt_record_bom_bytes(const char *data, size_t length);

#endif
