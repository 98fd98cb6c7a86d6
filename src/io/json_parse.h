/*
 * json_parse.h - turning parsed JSON (jansson) into products and events,
 * with every rule of SPEC sections 1-4 that makes input well-formed.
 *
 * Errors are LRT_EINVAL with a message "field: what is wrong"; the caller
 * adds the file and line.  An event's message names every problem of it
 * (io/problems.h): "amount: ...; holder: missing".
 */
#ifndef LRT_IO_JSON_PARSE_H
#define LRT_IO_JSON_PARSE_H

#include <jansson.h>

#include "core/arena.h"
#include "io/problems.h"
#include "lrt/event.h"
#include "lrt/product.h"

/* Lower-cases a holder, location, operator or AVS name in place when it is
 * an address ("0x" + 40 hex digits), as SPEC section 3 says; other names
 * are left as they are. */
void lrt_party_name_normalize(char *name, size_t length);

/* A product object into an initialized `out` (validated). */
int lrt_json_product(lrt_product *out, const json_t *object);

/*
 * An event object into an initialized `out`; its strings (lower-cased where
 * they are addresses) are copied into `arena`.  `product` gives the genesis
 * and epoch length for `time`.  Every field is judged: LRT_EINVAL names
 * each problem (at most LRT_RECORD_PROBLEMS_MAX, the rest counted).
 */
int lrt_json_event(lrt_event *out, lrt_arena *arena, const json_t *object,
		   const lrt_product *product);

/*
 * lrt_json_event after problems already noted of the same record (a CSV
 * record's cells that could not become JSON): they come first in the
 * message, and a field they name is not named twice.
 */
int lrt_json_event_noted(lrt_event *out, lrt_arena *arena, const json_t *object,
			 const lrt_product *product, lrt_problems *problems);

/*
 * The name of the `index`-th field an event may have (any type's, a
 * config's, id, type, epoch, time, seq), each once; NULL past the last:
 * the one list a CSV header's columns are checked against.
 */
const char *lrt_json_event_field(size_t index);

/*
 * The policy fields of an object (as in a product or a `config` event) into
 * `out`, which owns its recipients afterwards; every one of the five fields
 * must be present.
 */
int lrt_json_policy(lrt_policy *out, const json_t *object);

/*
 * The fee recipients list of a policy or a `config` event (a JSON array of
 * {"holder", "bps"}) into `out`, its strings in `arena`; the list's own
 * rules (distinct holders, bps summing to 10000) are lrt_policy_validate's.
 */
int lrt_json_recipients(lrt_fee_recipient **out, size_t *count,
			const json_t *list, lrt_arena *arena);

/* The points programs of a policy or a `config` event (a JSON array of
 * {"name", "per_share_epoch"}, other keys ignored) into `out`, its strings
 * in `arena`; names and rates are checked by lrt_policy_validate. */
int lrt_json_points(lrt_points_program **out, size_t *count,
		    const json_t *list, lrt_arena *arena);

/* The points programs of a policy as compact JSON text, what
 * lrt_json_points reads back; NULL when out of memory (caller frees). */
char *lrt_json_points_text(const lrt_policy *policy);

/* The numbers an event of `type` carries, as its field table reads them:
 * LRT_EVENT_NUMBER_* bits. */
enum {
	LRT_EVENT_NUMBER_AMOUNT = 1u << 0,
	LRT_EVENT_NUMBER_AMOUNT_OUT = 1u << 1,
	LRT_EVENT_NUMBER_PRICE = 1u << 2
};
unsigned lrt_json_event_numbers(lrt_event_type type);

/* The fee recipients of a policy as compact JSON text, [{"holder": ...,
 * "bps": ...}, ...]: what lrt_json_policy reads back.  NULL when out of
 * memory; the caller frees the text. */
char *lrt_json_recipients_text(const lrt_policy *policy);

#endif
