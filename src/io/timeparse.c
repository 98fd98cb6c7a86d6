/*
 * timeparse.c - ISO-8601 and Unix-seconds times.  The C library reads the
 * date and the time of day (strptime) and does the calendar (timegm: UTC,
 * the proleptic Gregorian calendar, no time zone database).  What it lacks
 * is done here, in a few lines: the exact shape of the text (strptime skips
 * blanks and takes fewer digits than written: "2025-7-1" is not accepted
 * here), a fraction of a second (dropped), and the zone: Z, or an offset
 * "+hh", "+hhmm" or "+hh:mm" (strptime's %z takes neither "z" nor a colon
 * everywhere).
 */
#define _XOPEN_SOURCE 700  /* strptime */

#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "io/timeparse.h"
#include "lrt/error.h"

/* "YYYY-MM-DDThh:mm:ss": the longest date and time of day strptime reads. */
#define DATE_TIME_BYTES 19

/* Reads exactly `digits` decimal digits at *p; -1 when they are not there. */
static int read_digits(const char **p, const char *end, int digits)
{
	int value = 0;

	if (end - *p < digits)
		return -1;
	for (; digits > 0; digits--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		value = value * 10 + (**p - '0');
	}
	return value;
}

/*
 * The date and time of day at the start of the text, as strptime reads it:
 * the longest of "YYYY-MM-DD", "YYYY-MM-DDThh:mm" and "YYYY-MM-DDThh:mm:ss"
 * (T, t or a space between) that the text starts with, digit for digit.
 * Returns its strptime format and its length, or NULL when the text starts
 * with none.
 */
static const char *date_time_shape(size_t *bytes, const char *text, size_t length)
{
	static const struct {
		const char *shape;  /* # a digit, T one of "Tt " */
		const char *format;
	} shapes[] = {
		{ "####-##-##T##:##:##", "%Y-%m-%dT%H:%M:%S" },
		{ "####-##-##T##:##", "%Y-%m-%dT%H:%M" },
		{ "####-##-##", "%Y-%m-%d" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const char *shape = shapes[i].shape;

		for (k = 0; shape[k] != '\0' && k < length; k++) {
			char c = text[k];

			if (shape[k] == '#' ? c < '0' || c > '9'
			    : shape[k] == 'T' ? strchr("Tt ", c) == NULL || c == '\0'
			    : c != shape[k])
				break;
		}
		if (shape[k] == '\0') {
			*bytes = k;
			return shapes[i].format;
		}
	}
	return NULL;
}

/* Skips a fraction of a second, ".25" or ",25" (at least one digit). */
static int skip_fraction(const char **p, const char *end)
{
	const char *digits;

	if (*p == end || (**p != '.' && **p != ','))
		return 0;
	digits = ++*p;
	while (*p < end && **p >= '0' && **p <= '9')
		(*p)++;
	return *p > digits ? 0 : -1;
}

static int parse_zone(int64_t *offset_seconds, const char *p, const char *end)
{
	int sign, hours, minutes = 0;

	*offset_seconds = 0;
	if (p == end)
		return 0;
	if ((*p == 'Z' || *p == 'z') && p + 1 == end)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	hours = read_digits(&p, end, 2);
	if (hours < 0 || hours > 23)
		return -1;
	if (p < end && *p == ':')
		p++;
	if (p < end) {
		minutes = read_digits(&p, end, 2);
		if (minutes < 0 || minutes > 59)
			return -1;
	}
	if (p != end)
		return -1;
	*offset_seconds = sign * (hours * 3600 + minutes * 60);
	return 0;
}

/*
 * The date and time of day: strptime reads the fields (in ranges, a second
 * up to 61), timegm counts the days of the date alone, so that a date that
 * does not exist (2025-02-30), which timegm would carry into the next
 * month, is seen, and a leap second (23:59:60) is the next day's first.
 */
static int parse_date_time(int64_t *out, const char *text, size_t bytes,
			   const char *format)
{
	char copy[DATE_TIME_BYTES + 1];
	struct tm fields, date;
	time_t days_seconds;

	memcpy(copy, text, bytes);
	copy[bytes] = '\0';
	if (bytes > 10)
		copy[10] = 'T';  /* the format's separator, whichever was written */
	memset(&fields, 0, sizeof(fields));
	if (strptime(copy, format, &fields) != copy + bytes ||
	    fields.tm_year < 1 - 1900 || fields.tm_sec > 60)
		return -1;
	date = fields;
	date.tm_hour = date.tm_min = date.tm_sec = 0;
	days_seconds = timegm(&date);
	if (date.tm_mday != fields.tm_mday || date.tm_mon != fields.tm_mon)
		return -1;
	*out = (int64_t)days_seconds + fields.tm_hour * 3600 + fields.tm_min * 60
	       + fields.tm_sec;
	return 0;
}

static int parse_unix(int64_t *out, const char *text, size_t length)
{
	int64_t value = 0;
	size_t i;

	if (length > 12)
		goto range;
	for (i = 0; i < length; i++)
		value = value * 10 + (text[i] - '0');
	if (value > LRT_TIME_MAX)
		goto range;
	*out = value;
	return 0;
range:
	lrt_error_set("%.*s is out of range for Unix seconds", (int)(length > 20 ? 20 : length), text);
	return LRT_EINVAL;
}

int lrt_time_parse(int64_t *out, const char *text, size_t length)
{
	const char *end = text + length, *p, *format;
	int64_t local, offset;
	size_t bytes;

	if (length > 0 && strspn(text, "0123456789") >= length)
		return parse_unix(out, text, length);
	format = date_time_shape(&bytes, text, length);
	if (format == NULL || parse_date_time(&local, text, bytes, format) != 0)
		goto bad;
	p = text + bytes;
	if ((bytes == DATE_TIME_BYTES && skip_fraction(&p, end) != 0) ||
	    parse_zone(&offset, p, end) != 0)
		goto bad;
	*out = local - offset;
	return 0;
bad:
	lrt_error_set("\"%.*s\" is not an ISO-8601 time or Unix seconds",
		      (int)(length > 40 ? 40 : length), text);
	return LRT_EINVAL;
}
