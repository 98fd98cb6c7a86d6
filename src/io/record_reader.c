/*
 * record_reader.c - framing JSON Lines and CSV into records (see
 * record_reader.h).
 *
 * Workload: files of millions of records read once, front to back.  The
 * stream is read in chunks into one buffer that holds the unread part; a
 * record is a slice of it, NUL-terminated in place where its line end was.
 * Only a record with a problem is copied (shown with \xNN escapes, or
 * shortened).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "io/record_reader.h"
#include "lrt/error.h"

/* Bytes asked of the stream at a time. */
#define READ_CHUNK_BYTES (64 * 1024)

/* Bytes of an over-long record kept to show what it was. */
#define PREVIEW_BYTES 256

/* One more than the longest problem text. */
#define PROBLEM_BYTES 160

struct lrt_record_reader {
	FILE *in;
	lrt_record_format format;
	char *data;            /* data[start, end) is read and not yet framed */
	size_t start, end, capacity;
	int eof;
	int at_beginning;      /* a byte order mark may come */
	uint64_t line;         /* the line of data[start] */
	uint64_t consumed;     /* bytes of the stream before data[start] */
	char *scratch;         /* a problem record's text as shown */
	size_t scratch_capacity;
	char problem[PROBLEM_BYTES];
};

int lrt_record_reader_open(lrt_record_reader **out, FILE *in,
			   lrt_record_format format)
{
	lrt_record_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL || (r->data = malloc(READ_CHUNK_BYTES + 1)) == NULL) {
		free(r);
		lrt_error_set("out of memory opening a record reader");
		return LRT_ENOMEM;
	}
	r->in = in;
	r->format = format;
	r->capacity = READ_CHUNK_BYTES + 1;
	r->at_beginning = 1;
	r->line = 1;
	*out = r;
	return 0;
}

void lrt_record_reader_free(lrt_record_reader *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->scratch);
	free(r);
}

uint64_t lrt_record_reader_offset(const lrt_record_reader *r)
{
	return r->consumed;
}

/*
 * Reads more of the stream after what is unread, moving that to the front
 * and growing the buffer when it is full.  One byte always stays spare, for
 * the NUL after a record that ends at the end of the data.
 */
static int fill(lrt_record_reader *r)
{
	size_t got;

	if (r->start > 0) {
		memmove(r->data, r->data + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->capacity - r->end - 1 < READ_CHUNK_BYTES) {
		size_t capacity = r->capacity * 2;
		char *bigger = realloc(r->data, capacity);

		if (bigger == NULL) {
			lrt_error_set("out of memory reading a record of %zu bytes",
				      r->end);
			return LRT_ENOMEM;
		}
		r->data = bigger;
		r->capacity = capacity;
	}
	errno = 0;
	got = fread(r->data + r->end, 1, r->capacity - r->end - 1, r->in);
	r->end += got;
	if (got == 0) {
		if (ferror(r->in)) {
			lrt_error_set("cannot read: %s",
				      errno != 0 ? strerror(errno) : "read error");
			return LRT_EIO;
		}
		r->eof = 1;
	}
	return 0;
}

static int reserve_scratch(lrt_record_reader *r, size_t bytes)
{
	char *bigger;

	if (bytes <= r->scratch_capacity)
		return 0;
	bigger = realloc(r->scratch, bytes);
	if (bigger == NULL) {
		lrt_error_set("out of memory showing a record of %zu bytes", bytes);
		return LRT_ENOMEM;
	}
	r->scratch = bigger;
	r->scratch_capacity = bytes;
	return 0;
}

/* ---- UTF-8 -------------------------------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence at s[0] (at most n bytes), or 0 when it
 * is not one: strict, as PostgreSQL and jansson read it (no overlong forms,
 * no surrogates, nothing past U+10FFFF, no NUL).
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char low = 0x80, high = 0xBF;
	size_t length, i;

	if (s[0] >= 0x01 && s[0] <= 0x7F)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		length = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		length = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		length = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		low = 0xA0;
	else if (s[0] == 0xED)
		high = 0x9F;
	else if (s[0] == 0xF0)
		low = 0x90;
	else if (s[0] == 0xF4)
		high = 0x8F;
	if (n < length || s[1] < low || s[1] > high)
		return 0;
	for (i = 2; i < length; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return length;
}

/* Offset of the first byte that is not valid UTF-8 text, or n. */
static size_t utf8_invalid_at(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, length;

	while (i < n) {
		if (s[i] >= 0x01 && s[i] <= 0x7F) {
			i++;
			continue;
		}
		length = utf8_sequence(s + i, n - i);
		if (length == 0)
			return i;
		i += length;
	}
	return n;
}

/*
 * Copies at most `limit` bytes of text into the scratch buffer, every byte
 * that is not valid UTF-8 (or NUL) written as \xNN; a sequence cut by the
 * limit is dropped.  `suffix` is appended.
 */
static int show_text(lrt_record_reader *r, const char *text, size_t n,
		     size_t limit, const char *suffix)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, used = 0, length;
	int rc = reserve_scratch(r, 4 * (n < limit ? n : limit) + strlen(suffix) + 1);

	if (rc != 0)
		return rc;
	while (i < n && i < limit) {
		length = utf8_sequence(s + i, n - i);
		if (length == 0) {
			snprintf(r->scratch + used, 5, "\\x%02X", s[i]);
			used += 4;
			i++;
		} else if (i + length > limit) {
			break;
		} else {
			memcpy(r->scratch + used, s + i, length);
			used += length;
			i += length;
		}
	}
	strcpy(r->scratch + used, suffix);
	return 0;
}

/* ---- framing ------------------------------------------------------------------ */

typedef struct {
	size_t stop;           /* where the record ends: its '\n', or the data's end */
	int complete;          /* a line end ended it */
	int open_quote;        /* the data ended inside a quoted cell */
	unsigned cell;         /* the cell `problem` is about, from 1 */
	const char *problem;
} frame;

/*
 * Finds where a CSV record that starts at data[from] ends: at the first
 * newline outside quotes.  Checks the quoting on the way (RFC 4180: a quote
 * opens a cell, "" is a quote inside it, and the closing quote is followed
 * by a comma or the record's end); after a fault the record ends at the end
 * of the line.
 */
static void frame_csv(frame *f, const char *data, size_t from, size_t to)
{
	enum { CELL_START, UNQUOTED, QUOTED, QUOTE_SEEN, QUOTE_CR, BROKEN } state = CELL_START;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->cell = 1;
	for (i = from; i < to; i++) {
		char c = data[i];

		if (c == '\n' && state != QUOTED) {
			f->stop = i;
			f->complete = 1;
			return;
		}
		switch (state) {
		case CELL_START:
			state = c == '"' ? QUOTED : c == ',' ? CELL_START : UNQUOTED;
			f->cell += c == ',';
			break;
		case UNQUOTED:
			if (c == ',') {
				f->cell++;
				state = CELL_START;
			} else if (c == '"') {
				f->problem = "CSV: a quote inside unquoted cell %u (quote the "
					     "whole cell and double the quote)";
				state = BROKEN;
			}
			break;
		case QUOTED:
			if (c == '"')
				state = QUOTE_SEEN;
			break;
		case QUOTE_SEEN:
			if (c == '"') {
				state = QUOTED;
			} else if (c == ',') {
				f->cell++;
				state = CELL_START;
			} else if (c == '\r') {
				state = QUOTE_CR;
			} else {
				f->problem = "CSV: text after the closing quote of cell %u";
				state = BROKEN;
			}
			break;
		case QUOTE_CR:
			f->problem = "CSV: text after the closing quote of cell %u";
			state = BROKEN;
			break;
		case BROKEN:
			break;
		}
	}
	f->stop = to;
	f->open_quote = state == QUOTED;
}

static void frame_jsonl(frame *f, const char *data, size_t from, size_t to)
{
	const char *newline = memchr(data + from, '\n', to - from);

	memset(f, 0, sizeof(*f));
	f->complete = newline != NULL;
	f->stop = newline != NULL ? (size_t)(newline - data) : to;
}

size_t lrt_record_bom_bytes(const char *data, size_t length)
{
	return length >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int lrt_record_is_blank(const char *text, size_t length)
{
	size_t i;

	for (i = 0; i < length; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
			return 0;
	return 1;
}

/* Moves past `bytes` of the data, counting the lines they end. */
static void consume(lrt_record_reader *r, size_t bytes)
{
	const char *p = r->data + r->start, *end = p + bytes;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		r->line++;
		p++;
	}
	r->start += bytes;
	r->consumed += bytes;
}

/*
 * A record longer than LRT_LINE_BYTES_MAX: returns a preview of it with the
 * problem, and skips the rest of its line, however long, without keeping it.
 */
static int too_long(lrt_record_reader *r, lrt_record *record)
{
	const char *newline;
	int rc;

	rc = show_text(r, r->data + r->start, r->end - r->start, PREVIEW_BYTES, "...");
	if (rc != 0)
		return rc;
	record->text = r->scratch;
	record->length = strlen(r->scratch);
	record->line = r->line;
	snprintf(r->problem, sizeof(r->problem), "%s longer than %d bytes",
		 r->format == LRT_RECORDS_CSV ? "CSV: record is" : "line is",
		 LRT_LINE_BYTES_MAX);
	record->problem = r->problem;
	for (;;) {
		newline = memchr(r->data + r->start, '\n', r->end - r->start);
		if (newline != NULL) {
			consume(r, (size_t)(newline - (r->data + r->start)) + 1);
			return 1;
		}
		consume(r, r->end - r->start);
		if (r->eof)
			return 1;
		if ((rc = fill(r)) != 0)
			return rc;
	}
}

/* Sets the record's problem when its bytes cannot travel as text. */
static int check_text(lrt_record_reader *r, lrt_record *record)
{
	size_t bad = utf8_invalid_at(record->text, record->length);
	int rc;

	if (bad == record->length)
		return 0;
	if (record->text[bad] == '\0')
		snprintf(r->problem, sizeof(r->problem),
			 "holds a NUL byte at column %zu", bad + 1);
	else
		snprintf(r->problem, sizeof(r->problem),
			 "not UTF-8: byte 0x%02X at column %zu",
			 (unsigned char)record->text[bad], bad + 1);
	record->problem = r->problem;
	rc = show_text(r, record->text, record->length, record->length, "");
	if (rc != 0)
		return rc;
	record->text = r->scratch;
	record->length = strlen(r->scratch);
	return 0;
}

/*
 * Frames the next record from the data read so far: 1 when *record is set,
 * 2 when a blank line was skipped, 0 when more data is needed, or an error.
 */
static int frame_next(lrt_record_reader *r, lrt_record *record)
{
	size_t length = r->end - r->start;
	char *text = r->data + r->start;
	frame f;

	if (r->format == LRT_RECORDS_CSV)
		frame_csv(&f, r->data, r->start, r->end);
	else
		frame_jsonl(&f, r->data, r->start, r->end);
	if (!f.complete && !r->eof)
		return length > LRT_LINE_BYTES_MAX ? too_long(r, record) : 0;
	if (f.stop - r->start > LRT_LINE_BYTES_MAX)
		return too_long(r, record);
	if (f.open_quote) {
		/* never closed: the record is its first line only */
		const char *newline = memchr(text, '\n', length);

		f.complete = newline != NULL;
		f.stop = newline != NULL ? (size_t)(newline - r->data) : r->end;
		f.problem = "CSV: quoted cell %u is not closed";
	}
	length = f.stop - r->start;
	record->line = r->line;
	consume(r, length + (f.complete ? 1 : 0));
	if (length > 0 && text[length - 1] == '\r')
		length--;
	if (lrt_record_is_blank(text, length))
		return 2;
	text[length] = '\0';
	record->text = text;
	record->length = length;
	record->problem = NULL;
	if (f.problem != NULL) {
		snprintf(r->problem, sizeof(r->problem), f.problem, f.cell);
		record->problem = r->problem;
	}
	return check_text(r, record) == 0 ? 1 : LRT_ENOMEM;
}

int lrt_record_reader_next(lrt_record_reader *r, lrt_record *record)
{
	int rc;

	for (;;) {
		if (r->end - r->start < 3 && !r->eof) {
			if ((rc = fill(r)) != 0)
				return rc;
			continue;
		}
		if (r->at_beginning) {
			size_t bom = lrt_record_bom_bytes(r->data + r->start,
							  r->end - r->start);

			r->at_beginning = 0;
			r->start += bom;
			r->consumed += bom;
		}
		if (r->start == r->end)
			return 0;
		rc = frame_next(r, record);
		if (rc == 1 || rc < 0)
			return rc;
		if (rc == 0 && (rc = fill(r)) != 0)
			return rc;
	}
}
