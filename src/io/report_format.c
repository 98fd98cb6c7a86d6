/*
 * report_format.c - writing a report's rows (include/lrt/report.h): an
 * aligned table for people, CSV and JSON for machines.
 *
 * Values arrive as the text PostgreSQL prints and leave as that same text:
 * nothing here parses a number, so an amount of 78 digits or a whole-unit
 * value of 18 decimals prints exactly, with no double anywhere near it.
 * CSV and JSON stream row by row; the table keeps its cells until the end,
 * since a column's width is known only after its last row.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/assert.h"
#include "core/limits.h"
#include "lrt/error.h"
#include "lrt/report.h"

/* The table's column separator: blanks, so that a number's text can be
 * copied out of it whole. */
#define TABLE_GAP "  "

/* Key order kept, non-ASCII escaped: one object per line, Python's layout. */
#define JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)

struct lrt_report_writer {
	FILE *file;
	lrt_report_format format;
	const lrt_report_view *view;
	size_t rows;
	/* The table: the columns shown (a whole-unit sibling shown under its
	 * amount's name), and their cells, row after row. */
	size_t *shown;               /* view column index of each shown column */
	size_t shown_count;
	char **cells;                /* cell_count of them, row after row */
	size_t cell_count;           /* rows * shown_count for a table, else 0 */
	size_t cell_capacity;
};

static int out_of_memory(void)
{
	lrt_error_set("out of memory writing a report");
	return LRT_ENOMEM;
}

int lrt_report_writer_open(lrt_report_writer **out, FILE *file,
			   lrt_report_format format, const lrt_report_view *view)
{
	lrt_report_writer *w;
	size_t i;

	LRT_ASSERT(out != NULL && file != NULL && view != NULL);
	LRT_ASSERT(format == LRT_REPORT_TABLE || format == LRT_REPORT_CSV ||
		   format == LRT_REPORT_JSON);
	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->shown = calloc(view->column_count + 1,
					    sizeof(*w->shown))) == NULL) {
		free(w);
		return out_of_memory();
	}
	w->file = file;
	w->format = format;
	w->view = view;
	for (i = 0; i < view->column_count; i++)
		if (!view->columns[i].is_whole)
			w->shown[w->shown_count++] = i;
	*out = w;
	return 0;
}

void lrt_report_writer_free(lrt_report_writer *writer)
{
	size_t i;

	if (writer == NULL)
		return;
	for (i = 0; i < writer->cell_count; i++)
		free(writer->cells[i]);
	free(writer->cells);
	free(writer->shown);
	free(writer);
}

/* ---- CSV ----------------------------------------------------------------------- */

/* One field of RFC 4180: quoted when it holds a comma, a quote, CR or LF,
 * and when it is the empty string (so that NULL, unquoted, differs). */
static void csv_field(FILE *file, const char *value)
{
	const char *p;

	if (value == NULL)
		return;
	if (value[0] != '\0' && strpbrk(value, ",\"\r\n") == NULL) {
		fputs(value, file);
		return;
	}
	fputc('"', file);
	for (p = value; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', file);
		fputc(*p, file);
	}
	fputc('"', file);
}

static void csv_header(lrt_report_writer *w)
{
	size_t i;

	for (i = 0; i < w->view->column_count; i++) {
		if (i > 0)
			fputc(',', w->file);
		csv_field(w->file, w->view->columns[i].name);
	}
	fputs("\r\n", w->file);
}

static void csv_row(lrt_report_writer *w, const char *const *values)
{
	size_t i;

	if (w->rows == 0)
		csv_header(w);
	for (i = 0; i < w->view->column_count; i++) {
		if (i > 0)
			fputc(',', w->file);
		csv_field(w->file, values[i]);
	}
	fputs("\r\n", w->file);
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *json_value(lrt_report_kind kind, const char *value)
{
	if (value == NULL)
		return json_null();
	if (kind == LRT_REPORT_BOOLEAN)
		return json_boolean(value[0] == 't');
	return json_string(value);   /* numbers too: exact decimal strings */
}

static int json_row(lrt_report_writer *w, const char *const *values)
{
	json_t *object = json_object();
	size_t i;
	int rc = 0;

	if (object == NULL)
		return out_of_memory();
	for (i = 0; i < w->view->column_count && rc == 0; i++) {
		const lrt_report_column *column = &w->view->columns[i];
		json_t *value = json_value(column->kind, values[i]);

		if (value == NULL) {
			lrt_error_set("report \"%s\": column %s: not UTF-8 text",
				      w->view->name, column->name);
			rc = LRT_EINVAL;
		} else if (json_object_set_new(object, column->name, value) != 0) {
			rc = out_of_memory();
		}
	}
	if (rc == 0) {
		fputs(w->rows == 0 ? "[\n" : ",\n", w->file);
		if (json_dumpf(object, w->file, JSON_FLAGS) != 0) {
			lrt_error_set("cannot write the report");
			rc = LRT_EIO;
		}
	}
	json_decref(object);
	return rc;
}

/* ---- the table ----------------------------------------------------------------- */

/*
 * A value as the table shows it, in new memory: booleans as true/false,
 * NULL as nothing, and control characters (a newline would break the
 * alignment) as C escapes.
 */
static char *table_text(lrt_report_kind kind, const char *value)
{
	size_t length = 0;
	const char *p;
	char *text, *q;

	if (value == NULL)
		return strdup("");
	if (kind == LRT_REPORT_BOOLEAN)
		return strdup(value[0] == 't' ? "true" : "false");
	for (p = value; *p != '\0'; p++)
		length += (unsigned char)*p < 0x20 || *p == 0x7f ? 4 : 1;
	if ((text = malloc(length + 1)) == NULL)
		return NULL;
	for (p = value, q = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c != 0x7f)
			*q++ = (char)c;
		else
			q += sprintf(q, "\\x%02x", c);
	}
	*q = '\0';
	return text;
}

static int table_row(lrt_report_writer *w, const char *const *values)
{
	size_t i, first = w->rows * w->shown_count;

	if (w->rows >= LRT_REPORT_TABLE_ROWS_MAX) {
		lrt_error_set("report \"%s\": more than %d rows to align in a table; "
			      "--format csv or json streams any number, or filter it",
			      w->view->name, LRT_REPORT_TABLE_ROWS_MAX);
		return LRT_ELIMIT;
	}
	if (first + w->shown_count > w->cell_capacity) {
		size_t capacity = w->cell_capacity == 0 ? 64 * (w->shown_count + 1)
						       : 2 * w->cell_capacity;
		char **cells = realloc(w->cells, capacity * sizeof(*cells));

		if (cells == NULL)
			return out_of_memory();
		w->cells = cells;
		w->cell_capacity = capacity;
	}
	for (i = 0; i < w->shown_count; i++) {
		const lrt_report_column *column = &w->view->columns[w->shown[i]];
		int source = column->whole >= 0 ? column->whole : (int)w->shown[i];
		char *cell = table_text(w->view->columns[source].kind, values[source]);

		if (cell == NULL) {
			while (i-- > 0)
				free(w->cells[first + i]);
			return out_of_memory();
		}
		w->cells[first + i] = cell;
	}
	w->cell_count = first + w->shown_count;
	return 0;
}

/* Characters of UTF-8 text: its bytes but continuation bytes. */
static size_t text_width(const char *text, size_t bytes)
{
	size_t width = 0, i;

	for (i = 0; i < bytes; i++)
		width += ((unsigned char)text[i] & 0xC0) != 0x80;
	return width;
}

/*
 * A line of the table: spaces are held back until something follows them,
 * so that no line ends in blanks whatever its last cells hold.
 */
typedef struct {
	FILE *file;
	size_t spaces;
} table_line;

static void line_pad(table_line *line, size_t count)
{
	line->spaces += count;
}

static void line_put(table_line *line, const char *text)
{
	if (text[0] == '\0')
		return;
	for (; line->spaces > 0; line->spaces--)
		fputc(' ', line->file);
	fputs(text, line->file);
}

static void line_end(table_line *line)
{
	line->spaces = 0;
	fputc('\n', line->file);
}

/* A column's layout: its width, and for numbers the widest integer part
 * and the widest fraction (from the point) of its cells. */
typedef struct {
	size_t width;
	size_t integer;
	size_t fraction;
	bool number;
} table_column;

/* The integer part's length of a number's text; the rest is its fraction. */
static size_t integer_length(const char *text)
{
	const char *point = strchr(text, '.');

	return point != NULL ? (size_t)(point - text) : strlen(text);
}

static void measure(table_column *layout, const lrt_report_writer *w)
{
	size_t i, row;

	for (i = 0; i < w->shown_count; i++) {
		const lrt_report_column *column = &w->view->columns[w->shown[i]];
		int source = column->whole >= 0 ? column->whole : (int)w->shown[i];
		table_column *l = &layout[i];

		memset(l, 0, sizeof(*l));
		l->number = w->view->columns[source].kind == LRT_REPORT_NUMBER;
		l->width = text_width(column->name, strlen(column->name));
		for (row = 0; row < w->rows; row++) {
			const char *cell = w->cells[row * w->shown_count + i];
			size_t length = strlen(cell), integer = integer_length(cell);

			if (!l->number) {
				size_t width = text_width(cell, length);

				l->width = width > l->width ? width : l->width;
				continue;
			}
			l->integer = integer > l->integer ? integer : l->integer;
			l->fraction = length - integer > l->fraction ? length - integer
								     : l->fraction;
		}
		if (l->number && l->integer + l->fraction > l->width)
			l->width = l->integer + l->fraction;
	}
}

/*
 * One cell: text to the left; numbers to the right with their points in
 * one column, a number with fewer decimals padded after it.  An empty cell
 * (NULL) is blank.
 */
static void put_cell(table_line *line, const table_column *l, const char *cell)
{
	size_t length = strlen(cell), integer = integer_length(cell);

	if (!l->number || length == 0) {
		line_put(line, cell);
		line_pad(line, l->width - text_width(cell, length));
		return;
	}
	/* the numbers' block is right-aligned in the column's width */
	line_pad(line, l->width - l->fraction - integer);
	line_put(line, cell);
	line_pad(line, l->fraction - (length - integer));
}

/* The header: names over text to the left, over numbers to the right. */
static void put_header(table_line *line, const lrt_report_writer *w,
		       const table_column *layout)
{
	size_t i, dash;

	for (i = 0; i < w->shown_count; i++) {
		const char *name = w->view->columns[w->shown[i]].name;
		size_t width = text_width(name, strlen(name));

		if (i > 0)
			line_pad(line, sizeof(TABLE_GAP) - 1);
		if (layout[i].number)
			line_pad(line, layout[i].width - width);
		line_put(line, name);
		if (!layout[i].number)
			line_pad(line, layout[i].width - width);
	}
	line_end(line);
	for (i = 0; i < w->shown_count; i++) {
		if (i > 0)
			line_pad(line, sizeof(TABLE_GAP) - 1);
		for (dash = 0; dash < layout[i].width; dash++)
			line_put(line, "-");
	}
	line_end(line);
}

static void table_write(lrt_report_writer *w, const table_column *layout)
{
	table_line line = {w->file, 0};
	size_t i, row;

	put_header(&line, w, layout);
	for (row = 0; row < w->rows; row++) {
		for (i = 0; i < w->shown_count; i++) {
			if (i > 0)
				line_pad(&line, sizeof(TABLE_GAP) - 1);
			put_cell(&line, &layout[i], w->cells[row * w->shown_count + i]);
		}
		line_end(&line);
	}
	fprintf(w->file, "(%zu row%s)\n", w->rows, w->rows == 1 ? "" : "s");
}

static int table_close(lrt_report_writer *w)
{
	table_column *layout = calloc(w->shown_count + 1, sizeof(*layout));

	if (layout == NULL)
		return out_of_memory();
	measure(layout, w);
	table_write(w, layout);
	free(layout);
	return 0;
}

/* ---- the writer ---------------------------------------------------------------- */

int lrt_report_writer_row(lrt_report_writer *writer, const char *const *values)
{
	int rc = 0;

	LRT_ASSERT(writer != NULL && values != NULL);
	switch (writer->format) {
	case LRT_REPORT_CSV: csv_row(writer, values); break;
	case LRT_REPORT_JSON: rc = json_row(writer, values); break;
	case LRT_REPORT_TABLE: rc = table_row(writer, values); break;
	}
	if (rc == 0)
		writer->rows++;
	return rc;
}

int lrt_report_writer_close(lrt_report_writer *writer)
{
	int rc = 0;

	LRT_ASSERT(writer != NULL);
	switch (writer->format) {
	case LRT_REPORT_CSV:
		if (writer->rows == 0)
			csv_header(writer);
		break;
	case LRT_REPORT_JSON:
		fputs(writer->rows == 0 ? "[]\n" : "\n]\n", writer->file);
		break;
	case LRT_REPORT_TABLE:
		rc = table_close(writer);
		break;
	}
	if (rc == 0 && (fflush(writer->file) != 0 || ferror(writer->file))) {
		lrt_error_set("cannot write the report \"%s\"", writer->view->name);
		rc = LRT_EIO;
	}
	return rc;
}
