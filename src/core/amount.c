/*
 * amount.c - parsing amounts and prices exactly (SPEC section 1).
 *
 * The text is checked character by character before GMP sees it, so that
 * mpz_set_str never meets a sign, a space or a base prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "lrt/amount.h"
#include "lrt/error.h"

static int all_digits(const char *text, size_t length)
{
	size_t i;

	for (i = 0; i < length; i++)
		if (text[i] < '0' || text[i] > '9')
			return 0;
	return 1;
}

bool lrt_amount_fits(const mpz_t x)
{
	return mpz_sgn(x) >= 0 && mpz_sizeinbase(x, 2) <= LRT_AMOUNT_BITS;
}

void lrt_amount_max(mpz_t out)
{
	mpz_set_ui(out, 0);
	mpz_setbit(out, LRT_AMOUNT_BITS);
	mpz_sub_ui(out, out, 1);
}

/* Sets out from `length` decimal digits; the text need not be terminated. */
static int set_digits(mpz_t out, const char *text, size_t length)
{
	char buffer[LRT_PRICE_CHARS_MAX + 1];

	memcpy(buffer, text, length);
	buffer[length] = '\0';
	return mpz_set_str(out, buffer, 10) == 0 ? 0 : LRT_EINVAL;
}

int lrt_amount_parse(mpz_t out, const char *text, size_t length)
{
	mpz_t value;
	int rc = 0;

	if (length == 0) {
		lrt_error_set("empty, expected a decimal integer string");
		return LRT_EINVAL;
	}
	if (length > LRT_AMOUNT_CHARS_MAX) {
		lrt_error_set("%zu characters, more than %d", length,
			      LRT_AMOUNT_CHARS_MAX);
		return LRT_EINVAL;
	}
	if (!all_digits(text, length)) {
		lrt_error_set("\"%.*s\" is not a decimal integer ([0-9]+)",
			      (int)(length > 40 ? 40 : length), text);
		return LRT_EINVAL;
	}
	mpz_init(value);
	if (set_digits(value, text, length) != 0) {
		lrt_error_set("not a decimal integer");
		rc = LRT_EINVAL;
		goto done;
	}
	if (!lrt_amount_fits(value)) {
		lrt_error_set("exceeds 2^256-1");
		rc = LRT_EINVAL;
		goto done;
	}
	mpz_swap(out, value);
done:
	mpz_clear(value);
	return rc;
}

/*
 * A decimal [0-9]+(.[0-9]{1,max_fraction})? as the integer of its digits
 * (`digits_out`, point removed) and the count of its fractional digits.
 * The whole part must fit in 2^256 - 1.  `what` names the form in messages.
 */
static int parse_decimal(mpz_t digits_out, size_t *fraction_out, const char *text,
			 size_t length, size_t max_fraction, const char *what)
{
	const char *dot = memchr(text, '.', length);
	size_t whole = dot ? (size_t)(dot - text) : length;
	size_t fraction = dot ? length - whole - 1 : 0;
	char digits[LRT_PRICE_CHARS_MAX + 1];
	mpz_t whole_part;
	int rc;

	if (length == 0 || length > LRT_PRICE_CHARS_MAX || whole == 0
	    || whole > LRT_AMOUNT_CHARS_MAX || !all_digits(text, whole)
	    || (dot && (fraction == 0 || !all_digits(dot + 1, fraction)))) {
		lrt_error_set("\"%.*s\" is not a %s ([0-9]+(.[0-9]{1,%zu})?)",
			      (int)(length > 40 ? 40 : length), text, what, max_fraction);
		return LRT_EINVAL;
	}
	if (fraction > max_fraction) {
		lrt_error_set("%zu fractional digits, more than %zu", fraction,
			      max_fraction);
		return LRT_EINVAL;
	}
	/* whole digits followed by the fraction's */
	memcpy(digits, text, whole);
	if (fraction > 0)
		memcpy(digits + whole, dot + 1, fraction);
	mpz_init(whole_part);
	rc = set_digits(whole_part, text, whole);
	if (rc == 0)
		rc = set_digits(digits_out, digits, whole + fraction);
	if (rc != 0) {
		lrt_error_set("not a %s", what);
	} else if (!lrt_amount_fits(whole_part)) {
		lrt_error_set("%s exceeds 2^256-1", what);
		rc = LRT_EINVAL;
	} else {
		*fraction_out = fraction;
	}
	mpz_clear(whole_part);
	return rc;
}

int lrt_price_parse(mpq_t out, const char *text, size_t length)
{
	size_t fraction = 0;
	mpq_t value;
	int rc;

	mpq_init(value);
	rc = parse_decimal(mpq_numref(value), &fraction, text, length,
			   LRT_PRICE_FRACTION_DIGITS_MAX, "price");
	if (rc == 0) {
		mpz_ui_pow_ui(mpq_denref(value), 10, fraction);
		mpq_canonicalize(value);
		mpq_swap(out, value);
	}
	mpq_clear(value);
	return rc;
}

int lrt_points_rate_parse(mpz_t scaled_out, const char *text, size_t length)
{
	size_t fraction = 0;
	mpz_t value, scale;
	int rc;

	mpz_init(value);
	mpz_init(scale);
	rc = parse_decimal(value, &fraction, text, length,
			   LRT_POINTS_FRACTION_DIGITS_MAX, "points rate");
	if (rc == 0) {
		mpz_ui_pow_ui(scale, 10, LRT_POINTS_FRACTION_DIGITS_MAX - fraction);
		mpz_mul(scaled_out, value, scale);
	}
	mpz_clear(scale);
	mpz_clear(value);
	return rc;
}

int lrt_price_format(char *out, size_t size, const mpq_t price)
{
	mpz_t scaled, remainder;
	size_t digits, whole;
	char *text;
	int rc = 0;

	mpz_init(scaled);
	mpz_init(remainder);
	/* price * 10^36 must be a whole number */
	mpz_ui_pow_ui(scaled, 10, LRT_PRICE_FRACTION_DIGITS_MAX);
	mpz_mul(scaled, scaled, mpq_numref(price));
	mpz_fdiv_qr(scaled, remainder, scaled, mpq_denref(price));
	if (mpz_sgn(remainder) != 0 || mpz_sgn(scaled) < 0) {
		lrt_error_set("price is not a decimal of at most 36 fractional digits");
		rc = LRT_EINVAL;
		goto done;
	}
	digits = mpz_sizeinbase(scaled, 10) + LRT_PRICE_FRACTION_DIGITS_MAX + 3;
	text = malloc(digits);
	if (text == NULL) {
		rc = LRT_ENOMEM;
		goto done;
	}
	/* left-pad to at least 37 digits, then place the point before the last 36 */
	mpz_get_str(text, 10, scaled);
	whole = strlen(text);
	if (whole <= LRT_PRICE_FRACTION_DIGITS_MAX) {
		size_t pad = LRT_PRICE_FRACTION_DIGITS_MAX + 1 - whole;

		memmove(text + pad, text, whole + 1);
		memset(text, '0', pad);
		whole += pad;
	}
	memmove(text + whole - LRT_PRICE_FRACTION_DIGITS_MAX + 1,
		text + whole - LRT_PRICE_FRACTION_DIGITS_MAX,
		LRT_PRICE_FRACTION_DIGITS_MAX + 1);
	text[whole - LRT_PRICE_FRACTION_DIGITS_MAX] = '.';
	/* drop trailing zeros of the fraction, and the point with them */
	whole = strlen(text);
	while (text[whole - 1] == '0')
		text[--whole] = '\0';
	if (text[whole - 1] == '.')
		text[--whole] = '\0';
	if (whole + 1 > size) {
		lrt_error_set("price needs %zu bytes", whole + 1);
		rc = LRT_ELIMIT;
	} else {
		memcpy(out, text, whole + 1);
	}
	free(text);
done:
	mpz_clear(scaled);
	mpz_clear(remainder);
	return rc;
}
