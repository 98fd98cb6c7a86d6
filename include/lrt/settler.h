/*
 * settler.h - settling a product's epochs in the database (`lrt settle`).
 *
 * Each epoch is one transaction under a per-product advisory lock: its
 * events are loaded in one query and applied by the core (book.h); the
 * holders they touched, the queue, positions, prices, the epoch's figures,
 * the events' outcomes and the journal are written with COPY or set-based
 * statements; the product's state row moves to the epoch; commit.  A crash
 * anywhere leaves the epoch unsettled, and a rerun settles it with the same
 * figures.  A second settler waits for the lock, then finds the epoch done.
 */
#ifndef LRT_SETTLER_H
#define LRT_SETTLER_H

#include "lrt/common.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lrt/book.h"
#include "lrt/store.h"

typedef struct {
	/* Settle through this epoch whatever the clock says; -1: every epoch
	 * that is complete (its end plus the product's settle lag has passed)
	 * and no later than the last epoch that has an event. */
	int64_t through;
	/* Record an `accept` of this rate for the epoch next to settle first
	 * (SPEC section 3): it lets exactly that rate pass the guard. */
	const char *accept_rate;
	/* The clock, Unix seconds; 0 reads the system clock. */
	int64_t now;
	/* Called after each epoch commits (in a dry run: is written). */
	void (*on_epoch)(void *context, const lrt_epoch_report *report);
	void *context;
	/* With through = -1: every complete epoch by the clock, whether it has
	 * events or not (`lrt serve`: an empty epoch settles when its time
	 * comes); false: no later than the last epoch that has an event. */
	bool by_clock;
	/* When not NULL and it becomes non-zero (a signal handler sets it),
	 * return 0 after the epoch in progress commits (or rolls back). */
	const volatile sig_atomic_t *stop;
	/* With accept_rate: why, kept in lrt.accepts with the database role
	 * and the time; NULL: no reason given (the role and time are kept). */
	const char *accept_reason;
	/* With accept_rate: record it even when it is not the rate the guard
	 * last stopped that epoch at, or the guard has not stopped it. */
	bool accept_force;
	/* Settle in one transaction and roll it back at the end: nothing is
	 * written, not the accept nor a guard trip.  on_epoch sees each epoch
	 * as it would settle, and the rows it would write (report.rows). */
	bool dry_run;
} lrt_settle_options;

/* The defaults: every complete epoch up to the last that has an event.
 * Start from it (`lrt_settle_options o = LRT_SETTLE_OPTIONS_INIT;`), then
 * set fields: a field added later is zero, or its default here, in every
 * caller that does. */
#define LRT_SETTLE_OPTIONS_INIT { .through = -1 }

/* The rows of one table of schema lrt that an epoch writes (a partition's
 * counted in its table), as PostgreSQL counts them in the transaction. */
typedef struct {
	char table[64];
	int64_t inserted, updated, deleted;
} lrt_settle_table_rows;

typedef struct {
	int64_t settled_before;  /* the last settled epoch when the call began */
	int64_t settled_after;   /* and when it ended */
	int64_t target;          /* the epoch it meant to reach */
	size_t events;           /* events applied or rejected */
	size_t rejected;
	size_t last_events;      /* those of the last epoch settled */
	bool stopped;            /* `stop` ended the run before the target */
	/* In a dry run, during on_epoch only: the rows that epoch would
	 * write, one entry per table it touches, in name order. */
	const lrt_settle_table_rows *rows;
	size_t rows_count;
} lrt_settle_report;

/*
 * Settles, in order, the epochs of product `symbol` (NULL: the only one) up
 * to the target.  Returns 0; LRT_EGUARD when the guard stopped an epoch
 * (nothing of that epoch is written but a row of lrt.guard_trips; the
 * message names both rates and ends with the `lrt settle` that accepts
 * the rate; the epochs before it stay settled); LRT_EINVAL for a bad
 * accept rate or reason, or an accept refused (not the rate the guard
 * stopped the epoch at, or no stop, without accept_force); LRT_EDB.
 * `report` is filled in every case.  A dry run returns the same, and
 * leaves nothing written.
 */
LRT_API int lrt_settle(lrt_settle_report *report, lrt_store *store, const char *symbol,
		       const lrt_settle_options *options);

#endif
