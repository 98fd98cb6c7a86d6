/*
 * check_timeparse.c - times as events and products write them
 * (src/io/timeparse.c): Unix seconds, or ISO-8601 read by strptime and
 * counted by timegm, UTC when no zone is given.
 *
 * Exactly the accepted forms: a date, a date and hh:mm, a date and hh:mm:ss
 * (T, t or a space between), a fraction of a second after the seconds only
 * (dropped), then nothing, Z or z, or an offset +hh, +hhmm or +hh:mm (hours
 * 0-23); every field with all its digits.  A date that does not exist is
 * refused (timegm would carry it into the next month); a leap second is the
 * next minute's first.  The values: what `date -u -d TEXT +%s` gives.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/timeparse.h"
#include "lrt/error.h"

static const struct {
	const char *text;
	int64_t seconds;
} accepted[] = {
	{ "1752194782", 1752194782 },
	{ "0", 0 },
	{ "2025-07-11", 1752192000 },
	{ "2025-07-11T01:05:14", 1752195914 },
	{ "2025-07-11t01:05:14z", 1752195914 },
	{ "2025-07-11 01:05", 1752195900 },
	{ "2025-07-11T01:05:14.25Z", 1752195914 },
	{ "2025-07-11T01:05:14,999+02:00", 1752188714 },
	{ "2025-07-11T01:05:14+0200", 1752188714 },
	{ "2025-07-11T01:05:14-05", 1752213914 },
	{ "2024-02-29T23:59:60Z", 1709251200 },
	{ "2016-12-31T23:59:60Z", 1483228800 },
	{ "0001-01-01T00:00:00Z", INT64_C(-62135596800) },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "1970-01-01T00:00:00+23:59", -86340 },
	{ "2000-02-29", 951782400 },
};

static const char *const refused[] = {
	"2025-02-29", "2025-04-31", "1900-02-29", "2025-13-01", "2025-07-11T24:00",
	"2025-07-11T01:60", "2025-07-11T01:05:61", "2025-7-11", "2025-07-1",
	"2025-07-11T1:05", "2025-07-11T", "2025-07-11T01:05:1", "0000-01-01",
	"2025-07-11T01:05:14.", "2025-07-11T01:05.5", "2025-07-11T01:05:14+24",
	"2025-07-11T01:05:14+02:60", "2025-07-11T01:05:14+2",
	"2025-07-11T01:05:14 Z", " 2025-07-11", "2025-07-11 ", "2025-07- 1",
	"+2025-07-11", "2025-07-11T01:05:14+02:00:00", "", "1e9", "yesterday",
};

START_TEST(test_accepted_forms)
{
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		int64_t seconds = 42;
		int rc = lrt_time_parse(&seconds, accepted[i].text,
					strlen(accepted[i].text));

		ck_assert_msg(rc == 0, "%s: %s", accepted[i].text, lrt_error_last());
		ck_assert_msg(seconds == accepted[i].seconds, "%s: %lld, not %lld",
			      accepted[i].text, (long long)seconds,
			      (long long)accepted[i].seconds);
	}
}
END_TEST

START_TEST(test_refused_forms_say_so)
{
	char expected[100];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int64_t seconds = 42;

		ck_assert_int_eq(lrt_time_parse(&seconds, refused[i], strlen(refused[i])),
				 LRT_EINVAL);
		snprintf(expected, sizeof(expected),
			 "\"%s\" is not an ISO-8601 time or Unix seconds", refused[i]);
		ck_assert_str_eq(lrt_error_last(), expected);
	}
}
END_TEST

/* Only the bytes given are read: a date followed by more text in the
 * buffer is the date. */
START_TEST(test_reads_only_length_bytes)
{
	int64_t seconds = 0;

	ck_assert_int_eq(lrt_time_parse(&seconds, "2025-07-11T01:05:14Zjunk", 10), 0);
	ck_assert_int_eq(seconds, 1752192000);
	ck_assert_int_eq(lrt_time_parse(&seconds, "2025-07-11\0Z", 12), LRT_EINVAL);
}
END_TEST

START_TEST(test_unix_seconds_out_of_range)
{
	int64_t seconds = 0;

	ck_assert_int_eq(lrt_time_parse(&seconds, "9999999999999", 13), LRT_EINVAL);
	ck_assert_str_eq(lrt_error_last(), "9999999999999 is out of range for Unix seconds");
	ck_assert_int_eq(lrt_time_parse(&seconds, "253402300800", 12), LRT_EINVAL);
	ck_assert_int_eq(lrt_time_parse(&seconds, "253402300799", 12), 0);
	ck_assert_int_eq(seconds, INT64_C(253402300799));
}
END_TEST

Suite *timeparse_suite(void)
{
	Suite *suite = suite_create("timeparse");
	TCase *forms = tcase_create("forms");

	tcase_add_test(forms, test_accepted_forms);
	tcase_add_test(forms, test_refused_forms_say_so);
	tcase_add_test(forms, test_reads_only_length_bytes);
	tcase_add_test(forms, test_unix_seconds_out_of_range);
	suite_add_tcase(suite, forms);
	return suite;
}
