/*
 * problems.c - the problems of one record (see problems.h).
 *
 * Workload: every record of every file; a well-formed record notes
 * nothing, so the list costs its init and one comparison at the end.
 */
#include <string.h>

#include "io/problems.h"
#include "lrt/error.h"

/* Room kept at the end of the text for "; and 4294967295 more". */
#define MORE_BYTES 32

void lrt_problems_init(lrt_problems *problems)
{
	problems->text[0] = '\0';
	problems->length = 0;
	problems->count = 0;
	problems->more = 0;
	problems->noted = 0;
}

/* The field a problem is about: its text before the first ": ". */
static size_t field_length(const char *problem, size_t length)
{
	const char *colon = strstr(problem, ": ");

	return colon != NULL ? (size_t)(colon - problem) : length;
}

/* True when a problem about the same field is named already. */
static int field_named(const lrt_problems *problems, const char *problem,
		       size_t field)
{
	unsigned i;

	for (i = 0; i < problems->count; i++)
		if (problems->field_bytes[i] == field
		    && memcmp(problems->text + problems->start[i], problem, field) == 0)
			return 1;
	return 0;
}

int lrt_problems_note(lrt_problems *problems, int rc)
{
	const char *problem = lrt_error_last();
	size_t length = strlen(problem), field, room;

	if (rc != LRT_EINVAL)
		return rc;
	problems->noted++;
	if (length == 0)
		problem = "malformed", length = strlen(problem);
	field = field_length(problem, length);
	if (field_named(problems, problem, field))
		return 0;
	room = sizeof(problems->text) - MORE_BYTES - problems->length;
	if (problems->count == 0 && length >= room)
		length = room - 1;  /* the first is always named, cut if need be */
	if (problems->count >= LRT_RECORD_PROBLEMS_MAX
	    || length + (problems->count > 0 ? 2 : 0) >= room) {
		problems->more++;
		return 0;
	}
	if (problems->count > 0) {
		memcpy(problems->text + problems->length, "; ", 2);
		problems->length += 2;
	}
	problems->start[problems->count] = problems->length;
	problems->field_bytes[problems->count] = field < length ? field : length;
	memcpy(problems->text + problems->length, problem, length);
	problems->length += length;
	problems->text[problems->length] = '\0';
	problems->count++;
	return 0;
}

unsigned lrt_problems_count(const lrt_problems *problems)
{
	return problems->noted;
}

int lrt_problems_end(const lrt_problems *problems)
{
	if (problems->count == 0 && problems->more == 0)
		return 0;
	if (problems->more == 0)
		lrt_error_set("%s", problems->text);
	else
		lrt_error_set("%s; and %u more", problems->text, problems->more);
	return LRT_EINVAL;
}
