/*
 * check_amount.c - amounts and prices as SPEC section 1 writes them
 * (include/lrt/amount.h).
 *
 * Amounts: [0-9]+ of value 0..2^256-1, leading zeros allowed; anything else
 * (a sign, a space, an exponent, hex, a fraction, the empty string) is
 * LRT_EINVAL and leaves the output as it was.  Prices: [0-9]+(.[0-9]{1,36})?
 * as exact canonical rationals; 37 fractional digits, "1." and ".5" are
 * malformed.  Also lrt_amount_fits and lrt_amount_max, and that the parsers
 * read `length` bytes, not up to a NUL.
 */
#include <check.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "lrt/amount.h"
#include "lrt/error.h"

#define MAX_256 "1157920892373161954235709850086879078532699846656405640394" \
		"57584007913129639935"
#define TWO_256 "1157920892373161954235709850086879078532699846656405640394" \
		"57584007913129639936"

static int parse_amount(mpz_t out, const char *text)
{
	return lrt_amount_parse(out, text, strlen(text));
}

static int parse_price(mpq_t out, const char *text)
{
	return lrt_price_parse(out, text, strlen(text));
}

/* Parses `text`, which must give the decimal value `expected`. */
static void assert_amount(const char *text, const char *expected)
{
	mpz_t out;
	char *got;
	int rc;

	mpz_init_set_ui(out, 12345);
	rc = parse_amount(out, text);
	ck_assert_msg(rc == 0, "\"%s\": %d (%s)", text, rc, lrt_error_last());
	got = mpz_get_str(NULL, 10, out);
	ck_assert_msg(strcmp(got, expected) == 0, "\"%s\" gave %s, expected %s",
		      text, got, expected);
	free(got);
	mpz_clear(out);
}

/* `text` must be LRT_EINVAL, with a message, and leave the output alone. */
static void assert_amount_rejected(const char *text, size_t length)
{
	mpz_t out;
	int rc;

	mpz_init_set_ui(out, 12345);
	lrt_error_clear();
	rc = lrt_amount_parse(out, text, length);
	ck_assert_msg(rc == LRT_EINVAL, "\"%.*s\" gave %d, expected LRT_EINVAL",
		      (int)length, text, rc);
	ck_assert_msg(lrt_error_last()[0] != '\0', "\"%.*s\": no message",
		      (int)length, text);
	ck_assert_msg(mpz_cmp_ui(out, 12345) == 0, "\"%.*s\" changed the output",
		      (int)length, text);
	mpz_clear(out);
}

/* `text` must give exactly numerator/denominator, in canonical form. */
static void assert_price(const char *text, const char *numerator,
			 const char *denominator)
{
	mpq_t out;
	char *num, *den;
	int rc;

	mpq_init(out);
	mpq_set_ui(out, 7, 3);
	rc = parse_price(out, text);
	ck_assert_msg(rc == 0, "\"%s\": %d (%s)", text, rc, lrt_error_last());
	num = mpz_get_str(NULL, 10, mpq_numref(out));
	den = mpz_get_str(NULL, 10, mpq_denref(out));
	ck_assert_msg(strcmp(num, numerator) == 0 && strcmp(den, denominator) == 0,
		      "\"%s\" gave %s/%s, expected %s/%s", text, num, den,
		      numerator, denominator);
	free(num);
	free(den);
	mpq_clear(out);
}

static void assert_price_rejected(const char *text)
{
	mpq_t out;
	int rc;

	mpq_init(out);
	mpq_set_ui(out, 7, 3);
	lrt_error_clear();
	rc = parse_price(out, text);
	ck_assert_msg(rc == LRT_EINVAL, "\"%s\" gave %d, expected LRT_EINVAL",
		      text, rc);
	ck_assert_msg(lrt_error_last()[0] != '\0', "\"%s\": no message", text);
	ck_assert_msg(mpz_cmp_ui(mpq_numref(out), 7) == 0 &&
		      mpz_cmp_ui(mpq_denref(out), 3) == 0,
		      "\"%s\" changed the output", text);
	mpq_clear(out);
}

/* ---- amounts ------------------------------------------------------------ */

START_TEST(test_amount_plain_values)
{
	assert_amount("0", "0");
	assert_amount("1", "1");
	assert_amount("42", "42");
	assert_amount("100000000000000000000", "100000000000000000000");
	/* Past 64 bits: GMP, not a machine word. */
	assert_amount("18446744073709551616", "18446744073709551616");
}
END_TEST

START_TEST(test_amount_leading_zeros)
{
	/* [0-9]+ allows leading zeros; the value is what counts. */
	assert_amount("007", "7");
	assert_amount("0000", "0");
	assert_amount("00" MAX_256, MAX_256);
}
END_TEST

START_TEST(test_amount_max_accepted)
{
	assert_amount(MAX_256, MAX_256);
}
END_TEST

START_TEST(test_amount_past_max_rejected)
{
	static const char *const texts[] = {
		TWO_256,
		"000" TWO_256,
		/* 10^78 > 2^256 - 1 (78 digits, the largest is 1.15...e77) */
		"1000000000000000000000000000000000000000000000000000000000000000000000000000000",
		MAX_256 "0",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_amount_rejected(texts[i], strlen(texts[i]));
}
END_TEST

START_TEST(test_amount_malformed_rejected)
{
	static const char *const texts[] = {
		"", "-1", "+1", "-0", "1e3", "1E3", " 1", "1 ", "\t1", "1\n",
		"0x10", "0X10", "1.0", "1.", ".1", "1,000", "1_000", "abc",
		"12a", "\xd9\xa1", /* ARABIC-INDIC DIGIT ONE */
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_amount_rejected(texts[i], strlen(texts[i]));
}
END_TEST

START_TEST(test_amount_reads_length_bytes)
{
	mpz_t out;

	mpz_init(out);
	/* Only the first three bytes are the amount. */
	ck_assert_int_eq(lrt_amount_parse(out, "12345", 3), 0);
	ck_assert_int_eq(mpz_cmp_ui(out, 123), 0);
	ck_assert_int_eq(lrt_amount_parse(out, "7x", 1), 0);
	ck_assert_int_eq(mpz_cmp_ui(out, 7), 0);
	mpz_clear(out);
	/* A NUL inside the given length is not a digit; length 0 is empty. */
	assert_amount_rejected("12\0" "3", 4);
	assert_amount_rejected("123", 0);
}
END_TEST

START_TEST(test_amount_fits)
{
	mpz_t x;

	mpz_init(x);
	ck_assert(lrt_amount_fits(x));                  /* 0 */
	mpz_set_str(x, MAX_256, 10);
	ck_assert(lrt_amount_fits(x));
	mpz_add_ui(x, x, 1);                            /* 2^256 */
	ck_assert(!lrt_amount_fits(x));
	mpz_set_si(x, -1);
	ck_assert(!lrt_amount_fits(x));
	mpz_ui_pow_ui(x, 2, 512);
	ck_assert(!lrt_amount_fits(x));
	mpz_clear(x);
}
END_TEST

START_TEST(test_amount_max_value)
{
	mpz_t x, expected;
	char *text;

	mpz_init(x);
	mpz_init(expected);
	mpz_ui_pow_ui(expected, 2, 256);
	mpz_sub_ui(expected, expected, 1);
	lrt_amount_max(x);
	ck_assert_int_eq(mpz_cmp(x, expected), 0);
	text = mpz_get_str(NULL, 10, x);
	ck_assert_str_eq(text, MAX_256);
	free(text);
	mpz_clear(expected);
	mpz_clear(x);
}
END_TEST

/* ---- prices ------------------------------------------------------------- */

START_TEST(test_price_values)
{
	assert_price("1", "1", "1");
	assert_price("0", "0", "1");            /* 0 is allowed */
	assert_price("0.9993", "9993", "10000");
	/* 1087412345/10^9 has no common factor with 10 (it ends in 5, but
	 * 1087412345 = 5 * 217482469 and 10^9 = 2^9 * 5^9) */
	assert_price("1.087412345", "217482469", "200000000");
	assert_price("0.50", "1", "2");         /* canonical */
	assert_price("00.5", "1", "2");
	assert_price("2.000", "2", "1");
	assert_price("3000", "3000", "1");
	assert_price("0.0", "0", "1");
}
END_TEST

START_TEST(test_price_36_fraction_digits)
{
	assert_price("0.000000000000000000000000000000000001", "1",
		     "1000000000000000000000000000000000000");
	assert_price("0.999999999999999999999999999999999999",
		     "999999999999999999999999999999999999",
		     "1000000000000000000000000000000000000");
	assert_price("1.999999999999999999999999999999999999",
		     "1999999999999999999999999999999999999",
		     "1000000000000000000000000000000000000");
	/* 36 digits that reduce: 0.25 written long */
	assert_price("0.250000000000000000000000000000000000", "1", "4");
}
END_TEST

START_TEST(test_price_malformed_rejected)
{
	static const char *const texts[] = {
		"0.0000000000000000000000000000000000001",  /* 37 digits */
		"1.0000000000000000000000000000000000000",  /* 37 zeros */
		"1.", ".5", ".", "", "-1", "-0.5", "+1", " 1", "1 ", "1e3",
		"1.5e3", "0x1", "1..5", "1.5.5", "1,5", "1/2", "NaN", "inf",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_price_rejected(texts[i]);
}
END_TEST

START_TEST(test_price_reads_length_bytes)
{
	mpq_t out;

	mpq_init(out);
	ck_assert_int_eq(lrt_price_parse(out, "0.5xyz", 3), 0);
	ck_assert_int_eq(mpq_cmp_ui(out, 1, 2), 0);
	/* "1." when only two bytes are read */
	ck_assert_int_eq(lrt_price_parse(out, "1.5", 2), LRT_EINVAL);
	ck_assert_int_eq(mpq_cmp_ui(out, 1, 2), 0);
	mpq_clear(out);
}
END_TEST

Suite *amount_suite(void)
{
	Suite *suite = suite_create("amount");
	TCase *amounts = tcase_create("amounts");
	TCase *prices = tcase_create("prices");

	tcase_add_test(amounts, test_amount_plain_values);
	tcase_add_test(amounts, test_amount_leading_zeros);
	tcase_add_test(amounts, test_amount_max_accepted);
	tcase_add_test(amounts, test_amount_past_max_rejected);
	tcase_add_test(amounts, test_amount_malformed_rejected);
	tcase_add_test(amounts, test_amount_reads_length_bytes);
	tcase_add_test(amounts, test_amount_fits);
	tcase_add_test(amounts, test_amount_max_value);
	suite_add_tcase(suite, amounts);

	tcase_add_test(prices, test_price_values);
	tcase_add_test(prices, test_price_36_fraction_digits);
	tcase_add_test(prices, test_price_malformed_rejected);
	tcase_add_test(prices, test_price_reads_length_bytes);
	suite_add_tcase(suite, prices);
	return suite;
}
