/*
 * event.h - one event of a product's stream (SPEC section 3).
 *
 * An lrt_event is a parsed, well-formed event: its strings are borrowed (the
 * reader that made it owns them, usually in an arena) and its numbers are GMP
 * values that lrt_event_init()/lrt_event_clear() manage.  Which fields are
 * set depends on the type, as the table below says; the others are NULL/zero.
 *
 *   type      strings                         numbers
 *   deposit   holder, asset                   amount
 *   withdraw  holder                          amount (the shares)
 *   transfer  from, to (holders)              amount (the shares)
 *   reward    source, location, asset         amount
 *   slash     location (the operator), source (the AVS), asset   amount, or
 *             the wad when by_wad
 *   move      from, to (locations), asset     amount
 *   swap      location, asset (in), asset_out amount (in), amount_out
 *   price     asset                           price
 *   claim     request
 *   config    -                               policy fields named by config_mask
 *   accept    -                               amount (the rate)
 *   allocate  location (the operator), source (the AVS), asset   amount (the
 *             magnitude)
 *   cancel    request
 *   attest    location, asset                 amount (the observed amount)
 */
#ifndef LRT_EVENT_H
#define LRT_EVENT_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stdint.h>
#include <gmp.h>

#include "lrt/product.h"

typedef enum {
	LRT_EVENT_DEPOSIT,
	LRT_EVENT_WITHDRAW,
	LRT_EVENT_TRANSFER,
	LRT_EVENT_REWARD,
	LRT_EVENT_SLASH,
	LRT_EVENT_MOVE,
	LRT_EVENT_SWAP,
	LRT_EVENT_PRICE,
	LRT_EVENT_CLAIM,
	LRT_EVENT_CONFIG,
	LRT_EVENT_ACCEPT,
	LRT_EVENT_ALLOCATE,
	LRT_EVENT_CANCEL,
	LRT_EVENT_ATTEST,
	LRT_EVENT_TYPE_COUNT
} lrt_event_type;

/* Bits of lrt_event.config_mask: which policy fields a `config` event sets. */
enum {
	LRT_CONFIG_FEE_BPS = 1u << 0,
	LRT_CONFIG_FEE_RECIPIENTS = 1u << 1,
	LRT_CONFIG_DELAY_EPOCHS = 1u << 2,
	LRT_CONFIG_MAX_APR_BPS = 1u << 3,
	LRT_CONFIG_MAX_RATE_CHANGE_BPS = 1u << 4,
	LRT_CONFIG_FEE_HIGH_WATER_MARK = 1u << 5,
	LRT_CONFIG_POINTS = 1u << 6
};

typedef struct {
	const char *id;
	lrt_event_type type;
	int64_t epoch;
	bool has_seq;
	int64_t seq;

	const char *holder;
	const char *from;
	const char *to;
	const char *source;
	const char *location;
	const char *asset;
	const char *asset_out;
	const char *request;

	bool by_wad;            /* slash: amount is a wad, not an amount */
	mpz_t amount;
	mpz_t amount_out;
	mpq_t price;

	unsigned config_mask;
	lrt_policy config;      /* fee_recipients, points borrowed, like the strings */
} lrt_event;

LRT_API void lrt_event_init(lrt_event *event);
LRT_API void lrt_event_clear(lrt_event *event);

/* "deposit", ...; NULL for an out-of-range type. */
LRT_API const char *lrt_event_type_name(lrt_event_type type);

/* The type named `name`, or -1. */
LRT_API int lrt_event_type_parse(const char *name);

#endif
