/*
 * csv_event.c - CSV records as event objects (see csv_event.h).
 *
 * Workload: every record of a CSV file, once; a record's cells are split
 * into one scratch buffer as long as the record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_event.h"
#include "lrt/error.h"

#define FAIL(...) do { lrt_error_set(__VA_ARGS__); return LRT_EINVAL; } while (0)

/* How a field's cell becomes JSON: the one list of the fields whose cell
 * is not a string (`lrt help ingest` names them; check_ingest_csv2 checks
 * that it names every one). */
typedef enum { CELL_STRING, CELL_INTEGER, CELL_LIST, CELL_BOOLEAN, CELL_TIME } cell_kind;

static const struct {
	const char *name;
	cell_kind kind;
} typed_fields[] = {
	{"epoch", CELL_INTEGER}, {"seq", CELL_INTEGER}, {"fee_bps", CELL_INTEGER},
	{"delay_epochs", CELL_INTEGER}, {"max_apr_bps", CELL_INTEGER},
	{"max_rate_change_bps", CELL_INTEGER}, {"time", CELL_TIME},
	{"fee_recipients", CELL_LIST}, {"points", CELL_LIST},
	{"fee_high_water_mark", CELL_BOOLEAN},
};

const char *lrt_csv_typed_field(size_t index)
{
	return index < sizeof(typed_fields) / sizeof(typed_fields[0])
	       ? typed_fields[index].name : NULL;
}

static cell_kind kind_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(typed_fields) / sizeof(typed_fields[0]); i++)
		if (strcmp(typed_fields[i].name, name) == 0)
			return typed_fields[i].kind;
	return CELL_STRING;
}

/*
 * Splits a record into NUL-terminated cells written into `scratch` (at
 * least length + 1 bytes), their starts into `cells` (at most `max`).
 * Returns the number of cells, which may exceed `max` (then only the first
 * `max` are set).  Quoted cells lose their quotes and doubled quotes.
 */
static size_t split_cells(char **cells, size_t max, char *scratch,
			  const char *text, size_t length)
{
	size_t i = 0, count = 0;
	char *out = scratch;

	for (;;) {
		if (count < max)
			cells[count] = out;
		count++;
		if (i < length && text[i] == '"') {
			for (i++; i < length; i++) {
				if (text[i] == '"' && i + 1 < length && text[i + 1] == '"')
					*out++ = '"', i++;
				else if (text[i] == '"')
					break;
				else
					*out++ = text[i];
			}
			i++;   /* the closing quote */
		}
		while (i < length && text[i] != ',')
			*out++ = text[i++];
		*out++ = '\0';
		if (i >= length)
			return count;
		i++;      /* the comma */
	}
}

static size_t count_cells(const char *text, size_t length)
{
	size_t i, count = 1;
	int quoted = 0;

	for (i = 0; i < length; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (text[i] == ',' && !quoted)
			count++;
	}
	return count;
}

int lrt_csv_header_parse(lrt_csv_header *out, lrt_arena *arena,
			 const char *text, size_t length)
{
	size_t count = count_cells(text, length), i, j;
	char *scratch = lrt_arena_alloc(arena, length + 1);
	char **names = lrt_arena_alloc(arena, count * sizeof(*names));

	if (scratch == NULL || names == NULL) {
		lrt_error_set("out of memory reading a CSV header");
		return LRT_ENOMEM;
	}
	count = split_cells(names, count, scratch, text, length);
	for (i = 0; i < count; i++) {
		size_t n = strlen(names[i]);

		if (n == 0)
			FAIL("header: column %zu has no name", i + 1);
		if (names[i][0] == ' ' || names[i][0] == '\t' || names[i][n - 1] == ' '
		    || names[i][n - 1] == '\t')
			FAIL("header: column %zu \"%s\" has spaces around its name", i + 1,
			     names[i]);
		for (j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0)
				FAIL("header: column %zu \"%s\" is named twice", i + 1, names[i]);
	}
	out->names = names;
	out->count = count;
	return 0;
}

/* "-?[0-9]+" */
static int is_integer(const char *cell, int sign_allowed)
{
	const char *p = cell + (sign_allowed && cell[0] == '-');

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static int cell_value(json_t **value, const char *name, const char *cell)
{
	cell_kind kind = kind_of(name);
	json_error_t error;
	long long number;
	char *end;

	if ((kind == CELL_INTEGER && is_integer(cell, 1))
	    || (kind == CELL_TIME && is_integer(cell, 0))) {
		errno = 0;
		number = strtoll(cell, &end, 10);
		if (errno == ERANGE)
			FAIL("%s: %.40s is out of range for a JSON integer", name, cell);
		*value = json_integer(number);
	} else if (kind == CELL_LIST) {
		*value = json_loads(cell, JSON_REJECT_DUPLICATES, &error);
		if (*value == NULL)
			FAIL("%s: not JSON: %s", name, error.text);
		return 0;
	} else if (kind == CELL_BOOLEAN && (strcmp(cell, "true") == 0
					    || strcmp(cell, "false") == 0)) {
		*value = json_boolean(cell[0] == 't');
	} else {
		*value = json_string(cell);
	}
	if (*value == NULL) {
		lrt_error_set("out of memory reading a CSV record");
		return LRT_ENOMEM;
	}
	return 0;
}

static int fill_object(json_t *object, const lrt_csv_header *header, char **cells)
{
	size_t i;
	int rc;

	for (i = 0; i < header->count; i++) {
		json_t *value;

		if (cells[i][0] == '\0')
			continue;
		rc = cell_value(&value, header->names[i], cells[i]);
		if (rc != 0)
			return rc;
		if (json_object_set_new(object, header->names[i], value) != 0) {
			lrt_error_set("out of memory reading a CSV record");
			return LRT_ENOMEM;
		}
	}
	return 0;
}

int lrt_csv_event_object(json_t **out, const lrt_csv_header *header,
			 const char *text, size_t length)
{
	char *scratch = malloc(length + 1);
	char **cells = malloc((header->count + 1) * sizeof(*cells));
	json_t *object = json_object();
	size_t count;
	int rc;

	*out = NULL;
	if (scratch == NULL || cells == NULL || object == NULL) {
		lrt_error_set("out of memory reading a CSV record");
		rc = LRT_ENOMEM;
		goto done;
	}
	count = split_cells(cells, header->count, scratch, text, length);
	if (count != header->count) {
		lrt_error_set("CSV: %zu cells, but the header names %zu columns", count,
			      header->count);
		rc = LRT_EINVAL;
		goto done;
	}
	rc = fill_object(object, header, cells);
	if (rc == 0) {
		*out = object;
		object = NULL;
	}
done:
	json_decref(object);
	free(cells);
	free(scratch);
	return rc;
}
