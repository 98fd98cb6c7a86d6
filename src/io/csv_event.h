/*
 * csv_event.h - a CSV record of an event file as the JSON object of its
 * event, so that CSV events are judged by the same validator as JSON ones
 * (json_parse.c).
 *
 * The header row names the fields.  A record's cells become the object's
 * members: an empty cell is an absent field; a cell of an integer field
 * (epoch, seq, fee_bps, delay_epochs, max_apr_bps, max_rate_change_bps, and
 * time when all digits) written as an integer is a JSON integer; a cell of
 * a list field (fee_recipients, points) holds its JSON; a cell of a boolean
 * field (fee_high_water_mark) is true or false; any other cell is a string.
 */
#ifndef LRT_IO_CSV_EVENT_H
#define LRT_IO_CSV_EVENT_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "io/problems.h"

/* A CSV file's header: its column names. */
typedef struct {
	char **names;      /* in the arena */
	size_t count;
} lrt_csv_header;

/*
 * The header from the file's first record (its quotes known balanced: the
 * record reader checked them), checked against the fields an event may
 * have (lrt_json_event_field).  LRT_EINVAL "header: ..." when a column has
 * no name, spaces around its name, or the name of an earlier column; when
 * it misspells a field the header does not name ("column 3 \"tme\" is
 * unknown; did you mean \"time\"?"); when the one column holds semicolons
 * or tabs (the file is separated by another delimiter).  A column far from
 * every field is kept with each event and ignored.  LRT_ENOMEM.
 */
int lrt_csv_header_parse(lrt_csv_header *out, lrt_arena *arena,
			 const char *text, size_t length);

/*
 * The name of the `index`-th field whose cell is not a string (a number, a
 * time, a JSON list or a boolean, as above), NULL past the last: for help
 * texts and their tests.
 */
const char *lrt_csv_typed_field(size_t index);

/*
 * The event object of one record.  A cell that cannot become its field's
 * JSON is noted in `problems` ("fee_recipients: not JSON: ...", "seq:
 * 99999999999999999999 is out of range for a JSON integer") and kept as a
 * string, so that the validator judges the rest of the record
 * (lrt_json_event_noted).  LRT_EINVAL when the record cannot be read as
 * cells at all ("CSV: 3 cells, but the header names 5 columns");
 * LRT_ENOMEM.  The caller owns *out (json_decref).
 */
int lrt_csv_event_object(json_t **out, lrt_problems *problems,
			 const lrt_csv_header *header, const char *text, size_t length);

#endif
