/*
 * export.h - reading a product's settled books back out of the database:
 * `lrt export` (the format of `lrt simulate`), `lrt stress --product` (a
 * what-if on the stored state) and `lrt verify` (recompute everything and
 * compare).
 */
#ifndef LRT_EXPORT_H
#define LRT_EXPORT_H

#include "lrt/common.h"

#include <stdio.h>

#include "lrt/book.h"
#include "lrt/store.h"

/*
 * Writes one line per settled epoch, then the final {"holders", "queue"}
 * line of the state after the last one: exactly what `lrt simulate` prints
 * for the same events (SPEC section 6).  `symbol` NULL: the only product.
 */
LRT_API int lrt_export(FILE *out, lrt_store *store, const char *symbol);

/*
 * SPEC section 7's stress on the stored state after the last settled epoch:
 * the same report `lrt stress FILE` computes for the same history (see
 * lrt_book_stress).  Reads in one snapshot and writes nothing.
 */
LRT_API int lrt_stress_stored(lrt_stress_report *out, lrt_store *store, const char *symbol,
			      const lrt_stress_slash *slashes, size_t count);

/* Receives one difference found by lrt_verify, as a line of text. */
typedef void (*lrt_difference_fn)(void *context, const char *difference);

typedef struct {
	size_t differences;      /* found in all */
	size_t journal_checks;   /* balances compared with the journal */
	size_t epochs_replayed;
	size_t events_replayed;
} lrt_verify_report;

/*
 * Recomputes every balance from the journal and compares it with the stored
 * holders, queue, positions and totals; then replays the inbox from scratch
 * with the core and compares every settled epoch's figures, finalized
 * requests and rejections, and the final state.  Each difference goes to
 * `fn`; returns LRT_EVERIFY when there is any, 0 when none.
 */
LRT_API int lrt_verify(lrt_verify_report *report, lrt_store *store, const char *symbol,
		       lrt_difference_fn fn, void *context);

#endif
