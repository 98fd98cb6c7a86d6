/*
 * amount.h - amounts (base units, mpz_t) and prices (exact rationals, mpq_t)
 * as SPEC section 1 defines them.
 *
 * An amount is a non-negative integer of at most 2^256 - 1 written as
 * [0-9]+; a price is [0-9]+(\.[0-9]{1,36})?.  Parsing never touches a double.
 * On error the functions return LRT_EINVAL, leave the output unchanged and set
 * a message without a field name ("exceeds 2^256-1"): the caller prefixes it
 * with the line and field.
 */
#ifndef LRT_AMOUNT_H
#define LRT_AMOUNT_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <gmp.h>

/* Parses an amount; `out` must be initialized. */
LRT_API int lrt_amount_parse(mpz_t out, const char *text, size_t length);

/* Parses a price into a canonical rational; `out` must be initialized. */
LRT_API int lrt_price_parse(mpq_t out, const char *text, size_t length);

/*
 * Parses a points rate [0-9]+(.[0-9]{1,18})? into the integer rate * 10^18
 * (SPEC section 5 step 7 counts points in units of 10^-18 point); the whole
 * part is bounded like an amount.
 */
LRT_API int lrt_points_rate_parse(mpz_t scaled_out, const char *text, size_t length);

/*
 * Writes a price as a decimal string ("0.9993", "1") into `out` of `size`
 * bytes.  Every parsed price has a denominator dividing 10^36, so the text is
 * exact; LRT_EINVAL for a price that is not such a decimal, LRT_ELIMIT when
 * `size` is too small.
 */
LRT_API int lrt_price_format(char *out, size_t size, const mpq_t price);

/* True when 0 <= x <= 2^256 - 1: a value that may be stored. */
LRT_API bool lrt_amount_fits(const mpz_t x);

/* The largest storable amount, 2^256 - 1 (a process-wide constant). */
LRT_API void lrt_amount_max(mpz_t out);

#endif
