/*
 * problems.h - every problem of one record, gathered so that a person reads
 * them all in one run instead of fixing a line once per problem.
 *
 * The validator (json_parse.c) and the CSV reader (csv_event.c) note each
 * problem as they meet it ("field: what"), and go on with the next field;
 * the reason shown and stored is all of them, joined by "; ", in the order
 * met:
 *
 *   amount: "12x" is not a decimal integer ([0-9]+); holder: missing
 *
 * One problem per field: a problem about a field already named is left out
 * (a CSV cell that cannot become JSON is not judged again as the JSON it
 * did not become).  At most LRT_RECORD_PROBLEMS_MAX are named; the rest are
 * counted ("; and 3 more").  No allocation: a list lives on the stack.
 */
#ifndef LRT_IO_PROBLEMS_H
#define LRT_IO_PROBLEMS_H

#include <stddef.h>

#include "core/limits.h"

/* Bytes of the joined text: it becomes the last-error message (1024 bytes),
 * after "FILE:LINE: " where a file is named. */
#define LRT_PROBLEMS_TEXT_BYTES 800

typedef struct {
	char text[LRT_PROBLEMS_TEXT_BYTES];
	size_t length;
	unsigned count;        /* problems named in text */
	unsigned more;         /* problems counted but not named */
	unsigned noted;        /* every problem noted, a field's second too */
	/* where each named problem starts in text, and its field's bytes */
	size_t start[LRT_RECORD_PROBLEMS_MAX];
	size_t field_bytes[LRT_RECORD_PROBLEMS_MAX];
} lrt_problems;

void lrt_problems_init(lrt_problems *problems);

/*
 * After a step that returned `rc`: LRT_EINVAL notes the last error message
 * as a problem and returns 0 (go on with the next field); any other code is
 * returned unchanged (0: nothing to note; LRT_ENOMEM and the like: stop).
 */
int lrt_problems_note(lrt_problems *problems, int rc);

/* The problems noted so far, a field's second one included: a step that
 * changed it found something wrong. */
unsigned lrt_problems_count(const lrt_problems *problems);

/*
 * 0 when no problem was noted; else sets the last error to all of them
 * and returns LRT_EINVAL.
 */
int lrt_problems_end(const lrt_problems *problems);

#endif
