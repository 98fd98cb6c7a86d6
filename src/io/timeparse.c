/*
 * timeparse.c - ISO-8601 and Unix-seconds times, without the C library's
 * time zone machinery: the civil-date arithmetic is done here, exactly.
 */
#include <string.h>

#include "core/limits.h"
#include "io/timeparse.h"
#include "lrt/error.h"

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

static int is_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int64_t year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian
 * calendar: count whole 400-year eras from year 0 (146097 days each), then
 * the day of the era, with March as the first month so that the leap day
 * falls at the end of the counted year. */
static int64_t days_from_civil(int64_t year, int month, int day)
{
	int64_t era, year_of_era, day_of_year, day_of_era;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	year_of_era = year - era * 400;
	day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100
		     + day_of_year;
	return era * 146097 + day_of_era - 719468;
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
	const char *p = text, *end = text + length;
	int year, month, day, hour = 0, minute = 0, second = 0;
	int64_t offset;

	if (length > 0 && strspn(text, "0123456789") >= length)
		return parse_unix(out, text, length);
	year = read_digits(&p, end, 4);
	if (year < 0 || p == end || *p++ != '-')
		goto bad;
	month = read_digits(&p, end, 2);
	if (month < 1 || month > 12 || p == end || *p++ != '-')
		goto bad;
	day = read_digits(&p, end, 2);
	if (year < 1 || day < 1 || day > days_in_month(year, month))
		goto bad;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		hour = read_digits(&p, end, 2);
		if (hour < 0 || hour > 23 || p == end || *p++ != ':')
			goto bad;
		minute = read_digits(&p, end, 2);
		if (minute < 0 || minute > 59)
			goto bad;
		if (p < end && *p == ':') {
			p++;
			second = read_digits(&p, end, 2);
			if (second < 0 || second > 60)
				goto bad;
			if (p < end && (*p == '.' || *p == ',')) {
				const char *fraction = ++p;

				while (p < end && *p >= '0' && *p <= '9')
					p++;
				if (p == fraction)
					goto bad;
			}
		}
	}
	if (parse_zone(&offset, p, end) != 0)
		goto bad;
	*out = days_from_civil(year, month, day) * 86400 + hour * 3600
	       + minute * 60 + second - offset;
	return 0;
bad:
	lrt_error_set("\"%.*s\" is not an ISO-8601 time or Unix seconds",
		      (int)(length > 40 ? 40 : length), text);
	return LRT_EINVAL;
}
