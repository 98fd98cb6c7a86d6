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

#include <stdbool.h>
#include <stddef.h>
#include <gmp.h>

/* Parses an amount; `out` must be initialized. */
int lrt_amount_parse(mpz_t out, const char *text, size_t length);

/* Parses a price into a canonical rational; `out` must be initialized. */
int lrt_price_parse(mpq_t out, const char *text, size_t length);

/* True when 0 <= x <= 2^256 - 1: a value that may be stored. */
bool lrt_amount_fits(const mpz_t x);

/* The largest storable amount, 2^256 - 1 (a process-wide constant). */
void lrt_amount_max(mpz_t out);

#endif
