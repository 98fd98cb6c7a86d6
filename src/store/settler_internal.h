/*
 * settler_internal.h - what the three files of the database settlement
 * share (see include/lrt/settler.h):
 *
 *   settler.c       the transaction: the lock, one epoch after another,
 *                   the target, --accept-rate, the dry run, the failpoints
 *   settle_load.c   loading the book and the epoch: the state, prices,
 *                   positions, the requests due, the epoch's events, the
 *                   holders and requests they name
 *   settle_write.c  applying the events with the journal streamed into its
 *                   partition, and writing the epoch: holders, requests,
 *                   locations, positions, prices, the epoch row, the
 *                   rejections, the state row
 *
 * Each function returns 0 or an LRT_E* code with the last error set; the
 * caller rolls the transaction back on any error.
 */
#ifndef LRT_STORE_SETTLER_INTERNAL_H
#define LRT_STORE_SETTLER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/strmap.h"
#include "lrt/book.h"
#include "lrt/event.h"
#include "lrt/product.h"
#include "lrt/settler.h"
#include "store/copy.h"

typedef struct {
	bool rejected;
	char *reason;           /* malloc'd when rejected */
} outcome;

typedef struct {
	lrt_store *store;
	lrt_product product;
	int64_t product_id;
	char id[24];
	int64_t settle_lag_seconds;
	bool dry_run;           /* one transaction for the run, rolled back */
	lrt_book *book;
	int64_t entry_base;     /* journal entries written before this book */
	int64_t last_entry;     /* the last entry written, stored in the state row */
	bool queue_loaded;      /* the queued requests due this epoch are in the book */
	bool queue_partial;     /* some queued requests are not: rebuild next epoch */
	int64_t next_queue_position;
	size_t stored_locations;

	/* the epoch in progress */
	int64_t epoch;
	lrt_arena arena;
	lrt_event *events;
	outcome *outcomes;
	size_t count;
	const char **price_event;   /* per asset: the last applied price event */
	lrt_strmap claims;          /* request -> index of its applied claim */
	lrt_strmap new_holders;     /* holders the events name that the database
				     * does not hold: written by COPY, not updated */
	lrt_copy *journal;
	int64_t journal_entry;      /* entry of the last transfer, for leg numbers */
	int journal_leg;
	int journal_failed;

	/* a dry run: the rows written so far in its transaction, per table,
	 * and those of the last epoch (lrt_settle_report.rows) */
	lrt_settle_table_rows *rows_seen;
	size_t rows_seen_count;
	lrt_settle_table_rows *rows_epoch;
	size_t rows_epoch_count;
} settler;


/* LRT_FAILPOINT=NAME[@N]: dies at step NAME (the N-th time), as a crash. */
void settler_failpoint(const char *name);

/* A statement that returns no rows, on the settler's store. */
int settler_command(settler *s, const char *query, int count, const char *const *params);

void settler_format_int(char *out, size_t size, int64_t value);

/* settle_load.c: a new book from the state row (settled epoch, A, S, D,
 * the policy as JSON, the last journal entry). */
int settler_load_book(settler *s, const PGresult *state);

/* settle_load.c: the epoch's events in apply order, from the typed columns. */
int settler_load_events(settler *s);

/* settle_load.c: the requests due, the holders and requests the events name. */
int settler_preload(settler *s);

/* settle_write.c: applies the events and settles, the journal COPYed. */
int settler_apply_events(settler *s, lrt_epoch_report *report);

/* settle_write.c: writes everything the epoch changed. */
int settler_write_epoch(settler *s, const lrt_epoch_report *report);

#endif
