/*
 * csv_event.c - CSV records as event objects (see csv_event.h).
 *
 * Workload: every record of a CSV file, once; a record's cells are split
 * into one scratch buffer as long as the record.
 *
 * The header is checked here, once per file, against the one list of the
 * fields an event may have (json_parse.c).  PostgreSQL's COPY ... (FORMAT
 * csv, HEADER MATCH) does not fit: COPY never reads the file (C frames and
 * judges every record, and COPYs typed rows of its own), HEADER MATCH wants
 * a table's columns, all of them in its order, where an event file names
 * any of the fields in any order, and it stops at the first mismatch
 * without saying what was meant.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_event.h"
#include "io/json_load.h"
#include "io/json_parse.h"
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

/* ---- the header ---------------------------------------------------------- */

/* Bytes of a column name compared with the fields' names: a longer one is
 * no misspelling of any. */
#define NAME_COMPARED_BYTES 64
/* A name shorter than this is never taken for a misspelling ("tx", "ts"
 * are columns of their own, not "to"). */
#define MISSPELLING_BYTES_MIN 3

/*
 * The optimal string alignment distance of a and b, compared without case:
 * letters inserted, deleted, replaced, or two neighbours swapped, one step
 * each ("tme" is 1 from "time", "epcoh" 1 from "epoch").  Both at most
 * NAME_COMPARED_BYTES long.
 */
static size_t name_distance(const char *a, size_t a_length, const char *b, size_t b_length)
{
	unsigned char d[NAME_COMPARED_BYTES + 1][NAME_COMPARED_BYTES + 1];
	size_t i, j, best;

	for (i = 0; i <= a_length; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= b_length; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= a_length; i++) {
		for (j = 1; j <= b_length; j++) {
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);

			best = d[i - 1][j - 1] + !same;
			if (d[i - 1][j] + 1u < best)
				best = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < best)
				best = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2])
			    && tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1])
			    && d[i - 2][j - 2] + 1u < best)
				best = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)best;
		}
	}
	return d[a_length][b_length];
}

static int header_names(char *const *names, size_t count, const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * The field `name` misspells, or NULL: the closest field the header does
 * not name, when it begins with the same letter and is one step away (two
 * for names of six bytes or more).  A column that is no field and no
 * misspelling is data kept with the event and ignored (SPEC section 3:
 * unknown fields are kept); one this close to a field would leave that
 * field out of every event without a word.
 */
static const char *misspelled_field(char *const *names, size_t count, const char *name)
{
	size_t length = strlen(name), limit = length >= 6 ? 2 : 1, best = limit + 1, i, d;
	const char *field, *closest = NULL;

	if (length < MISSPELLING_BYTES_MIN || length > NAME_COMPARED_BYTES)
		return NULL;
	for (i = 0; (field = lrt_json_event_field(i)) != NULL; i++) {
		if (strcmp(field, name) == 0)
			return NULL;  /* a field */
		if (tolower((unsigned char)field[0]) != tolower((unsigned char)name[0])
		    || strlen(field) > NAME_COMPARED_BYTES || header_names(names, count, field))
			continue;
		d = name_distance(name, length, field, strlen(field));
		if (d < best) {
			best = d;
			closest = field;
		}
	}
	return closest;
}

/* What is wrong with column i + 1 of the header, LRT_EINVAL; or 0. */
static int check_column(char *const *names, size_t count, size_t i)
{
	const char *name = names[i], *meant;
	size_t n = strlen(name), j;

	if (n == 0)
		FAIL("header: column %zu has no name", i + 1);
	if (name[0] == ' ' || name[0] == '\t' || name[n - 1] == ' ' || name[n - 1] == '\t')
		FAIL("header: column %zu \"%.64s\" has spaces around its name", i + 1, name);
	for (j = 0; j < i; j++)
		if (strcmp(names[j], name) == 0)
			FAIL("header: column %zu \"%.64s\" is named twice", i + 1, name);
	if ((meant = misspelled_field(names, count, name)) != NULL)
		FAIL("header: column %zu \"%.64s\" is unknown; did you mean \"%s\"?", i + 1,
		     name, meant);
	return 0;
}

/* The header's one check, over the one list of fields. */
static int check_header(char *const *names, size_t count)
{
	size_t i;
	int rc;

	/* one column holding separators of another kind: another delimiter */
	if (count == 1 && strchr(names[0], ';') != NULL)
		FAIL("header: no commas, but semicolons: the file looks separated by \";\","
		     " and lrt reads CSV separated by commas (save it with \",\" as the"
		     " delimiter)");
	if (count == 1 && strchr(names[0], '\t') != NULL)
		FAIL("header: no commas, but tabs: the file looks separated by tabs, and lrt"
		     " reads CSV separated by commas (save it with \",\" as the delimiter)");
	for (i = 0; i < count; i++)
		if ((rc = check_column(names, count, i)) != 0)
			return rc;
	return 0;
}

int lrt_csv_header_parse(lrt_csv_header *out, lrt_arena *arena,
			 const char *text, size_t length)
{
	size_t count = count_cells(text, length);
	char *scratch = lrt_arena_alloc(arena, length + 1);
	char **names = lrt_arena_alloc(arena, count * sizeof(*names));
	int rc;

	if (scratch == NULL || names == NULL) {
		lrt_error_set("out of memory reading a CSV header");
		return LRT_ENOMEM;
	}
	count = split_cells(names, count, scratch, text, length);
	if ((rc = check_header(names, count)) != 0)
		return rc;
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

/*
 * The JSON of one cell.  A cell that cannot become what its field holds (an
 * integer past 64 bits, a list that is not JSON) is noted in `problems`
 * and kept as the string it is, so that the record is still judged whole
 * (the validator's word on that field is not repeated).
 */
static int cell_value(json_t **value, lrt_problems *problems, const char *name,
		      const char *cell)
{
	cell_kind kind = kind_of(name);
	json_error_t error;
	long long number;
	char *end;

	*value = NULL;
	if ((kind == CELL_INTEGER && is_integer(cell, 1))
	    || (kind == CELL_TIME && is_integer(cell, 0))) {
		errno = 0;
		number = strtoll(cell, &end, 10);
		if (errno == ERANGE && kind == CELL_TIME) {
			;  /* a string: the validator says it is out of range, as written */
		} else if (errno == ERANGE) {
			lrt_error_set("%s: %.40s is out of range for a JSON integer", name, cell);
			lrt_problems_note(problems, LRT_EINVAL);
		} else if ((*value = json_integer(number)) == NULL) {
			goto out_of_memory;  /* not kept as a string: not a problem */
		}
	} else if (kind == CELL_LIST) {
		int rc = lrt_json_load(value, cell, strlen(cell), JSON_REJECT_DUPLICATES,
				       &error);

		if (rc == LRT_ENOMEM)
			goto out_of_memory;
		if (rc != 0) {
			lrt_error_set("%s: not JSON: %s", name, error.text);
			lrt_problems_note(problems, LRT_EINVAL);
		}
	} else if (kind == CELL_BOOLEAN && (strcmp(cell, "true") == 0
					    || strcmp(cell, "false") == 0)) {
		*value = json_boolean(cell[0] == 't');
	}
	if (*value == NULL)
		*value = json_string(cell);
	if (*value != NULL)
		return 0;
out_of_memory:
	lrt_error_set("out of memory reading a CSV record");
	return LRT_ENOMEM;
}

static int fill_object(json_t *object, lrt_problems *problems,
		       const lrt_csv_header *header, char **cells)
{
	size_t i;
	int rc;

	for (i = 0; i < header->count; i++) {
		json_t *value;

		if (cells[i][0] == '\0')
			continue;
		rc = cell_value(&value, problems, header->names[i], cells[i]);
		if (rc != 0)
			return rc;
		if (json_object_set_new(object, header->names[i], value) != 0) {
			lrt_error_set("out of memory reading a CSV record");
			return LRT_ENOMEM;
		}
	}
	return 0;
}

int lrt_csv_event_object(json_t **out, lrt_problems *problems,
			 const lrt_csv_header *header, const char *text, size_t length)
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
	rc = fill_object(object, problems, header, cells);
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
