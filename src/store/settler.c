/*
 * settler.c - settling epochs in the database (see include/lrt/settler.h):
 * the transaction.  Loading is settle_load.c's, applying and writing
 * settle_write.c's (settler_internal.h).
 *
 * One transaction per epoch:
 *
 *   lock     pg_advisory_xact_lock on the product; read its state row
 *   load     the book (only when this run has none, or another settler
 *            moved on), the epoch's events in apply order, and just the
 *            holders and finalized requests those events name
 *   apply    in memory, streaming the journal into a COPY
 *   write    holders touched, requests, locations, positions, prices, the
 *            epoch row, the events' outcomes, the state row
 *   commit
 *
 * The book stays in memory across the epochs of one run, so an epoch costs
 * queries in proportion to its events, not to the holders or the history.
 * LRT_FAILPOINT=NAME makes the process die at that step (for crash tests).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrt/amount.h"
#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/settler.h"
#include "store/settler_internal.h"
#include "store/store_internal.h"

/* Advisory lock namespace of settlement (the product id is the other key). */
#define SETTLE_LOCK_CLASS 0x4c525453  /* "LRTS" */

/* ---- small helpers ------------------------------------------------------- */

/*
 * LRT_FAILPOINT=NAME kills the process the first time it reaches step NAME,
 * NAME@N the N-th time (so N-1 epochs commit first): a crash at a chosen
 * point, for the tests that prove a rerun gives the same figures.
 */
void settler_failpoint(const char *name)
{
	static unsigned reached;
	const char *wanted = getenv("LRT_FAILPOINT");
	size_t length;
	unsigned long nth = 1;

	if (wanted == NULL)
		return;
	length = strcspn(wanted, "@");
	if (length != strlen(name) || strncmp(wanted, name, length) != 0)
		return;
	if (wanted[length] == '@')
		nth = strtoul(wanted + length + 1, NULL, 10);
	if (++reached < nth)
		return;
	fprintf(stderr, "lrt: failpoint %s: dying as a crash would\n", wanted);
	fflush(stderr);
	raise(SIGKILL);
}

int settler_command(settler *s, const char *query, int count, const char *const *params)
{
	return lrt_store_exec_command(s->store, query, count, params);
}

void settler_format_int(char *out, size_t size, int64_t value)
{
	snprintf(out, size, "%lld", (long long)value);
}

/* ---- the epoch's memory ------------------------------------------------------ */

static void clear_epoch(settler *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		lrt_event_clear(&s->events[i]);
		free(s->outcomes[i].reason);
	}
	free(s->events);
	free(s->outcomes);
	free(s->price_event);
	s->events = NULL;
	s->outcomes = NULL;
	s->price_event = NULL;
	s->count = 0;
	lrt_strmap_clear(&s->claims);
	lrt_strmap_clear(&s->new_holders);
	lrt_arena_clear(&s->arena);
	if (s->journal != NULL) {
		lrt_copy_abort(s->journal, "lrt: settlement abandoned");
		s->journal = NULL;
	}
}

/* ---- one epoch, one transaction ---------------------------------------------------- */

/* Locks the product and reads its state row: settled epoch, A, S, D and the
 * policy as JSON.  The caller has begun the transaction. */
static int lock_state(settler *s, PGresult **state)
{
	char lock_class[16];
	const char *params[2] = {lock_class, s->id};
	int rc;

	snprintf(lock_class, sizeof(lock_class), "%d", SETTLE_LOCK_CLASS);
	rc = lrt_store_exec_tuples(state, s->store,
		"SELECT pg_advisory_xact_lock($1::integer, $2::integer)", 2, params);
	if (rc != 0)
		return rc;
	PQclear(*state);
	rc = lrt_store_exec_tuples(state, s->store,
		"SELECT settled_epoch, total_assets::text, total_shares::text, deferred::text,"
		"       lrt.policy_json(s)::text, last_entry,"
		"       high_water_mark_assets::text, high_water_mark_shares::text"
		"  FROM lrt.product_state s WHERE product_id = $1 FOR UPDATE", 1, params + 1);
	if (rc == 0 && PQntuples(*state) != 1) {
		PQclear(*state);
		*state = NULL;
		lrt_error_set("product %s has no state row", s->product.symbol);
		rc = LRT_EDB;
	}
	return rc;
}

/* Settles the next epoch when it is at most `target`: 0 when it did, 1 when
 * there was nothing to settle, or an error (then nothing was written). */
static int settle_next(settler *s, int64_t target, lrt_epoch_report *report,
		       lrt_settle_report *totals)
{
	PGresult *state = NULL;
	int64_t settled;
	int rc;

	rc = settler_command(s, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = lock_state(s, &state);
	if (rc != 0)
		goto fail;
	settled = strtoll(PQgetvalue(state, 0, 0), NULL, 10);
	if (totals->settled_before == INT64_MIN)
		totals->settled_before = settled;
	totals->settled_after = settled;
	s->epoch = settled + 1;
	if (s->epoch > target) {
		PQclear(state);
		return settler_command(s, "COMMIT", 0, NULL) == 0 ? 1 : LRT_EDB;
	}
	if (s->book == NULL || lrt_book_settled_epoch(s->book) != settled
	    || s->queue_partial)
		rc = settler_load_book(s, state);
	PQclear(state);
	if (rc == 0)
		rc = settler_load_events(s);
	if (rc == 0)
		rc = settler_preload(s);
	settler_failpoint("loaded");
	if (rc == 0)
		rc = settler_apply_events(s, report);
	if (rc == 0)
		rc = settler_write_epoch(s, report);
	settler_failpoint("commit");
	if (rc == 0)
		rc = settler_command(s, "COMMIT", 0, NULL);
	if (rc != 0)
		goto fail;
	totals->settled_after = s->epoch;
	totals->events += s->count;
	totals->rejected += report->rejected_count;
	clear_epoch(s);
	return 0;
fail:
	clear_epoch(s);
	lrt_store_rollback(s->store);
	/* the book may hold half an epoch: the next attempt rebuilds it */
	lrt_book_free(s->book);
	s->book = NULL;
	return rc;
}

/* Records an accept of `rate` for the epoch next to settle.  It gets the
 * largest seq, so that an epoch whose events all have one keeps its order. */
static int record_accept(settler *s, const char *rate)
{
	PGresult *state = NULL;
	char epoch[24], id[128];
	const char *params[4];
	mpz_t value;
	int rc;

	mpz_init(value);
	rc = lrt_amount_parse(value, rate, strlen(rate));
	mpz_clear(value);
	if (rc != 0) {
		lrt_error_prefix("--accept-rate");
		return rc;
	}
	rc = settler_command(s, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = lock_state(s, &state);
	if (rc != 0) {
		lrt_store_rollback(s->store);
		return rc;
	}
	settler_format_int(epoch, sizeof(epoch), strtoll(PQgetvalue(state, 0, 0), NULL, 10) + 1);
	PQclear(state);
	snprintf(id, sizeof(id), "accept:%s:%s", epoch, rate);
	params[0] = s->id;
	params[1] = id;
	params[2] = epoch;
	params[3] = rate;
	rc = settler_command(s,
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, seq, type, amount, event,"
		"                       source_file)"
		" VALUES ($1, $2, $3, 9223372036854775807, 'accept', $4::numeric,"
		"         jsonb_build_object('id', $2::text, 'type', 'accept',"
		"                            'epoch', $3::bigint, 'rate', $4::text,"
		"                            'seq', 9223372036854775807),"
		"         'lrt settle --accept-rate')"
		" ON CONFLICT (product_id, event_id) DO NOTHING", 4, params);
	if (rc == 0)
		rc = settler_command(s, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(s->store);
	return rc;
}

/*
 * Keeps the guard's stop on record (lrt.guard_trips) once the epoch's
 * transaction has rolled back; the guard's message stays the error, and a
 * failure to record only adds to it.
 */
static void record_trip(settler *s, const lrt_epoch_report *r)
{
	char message[1024], epoch[24];
	char *before = mpz_get_str(NULL, 10, r->rate_before);
	char *after = mpz_get_str(NULL, 10, r->rate_after);
	const char *params[4] = {s->id, epoch, before, after};

	snprintf(message, sizeof(message), "%s", lrt_error_last());
	settler_format_int(epoch, sizeof(epoch), s->epoch);
	if (before == NULL || after == NULL
	    || settler_command(s, "INSERT INTO lrt.guard_trips"
			       " (product_id, epoch, rate_before, rate_after)"
			       " VALUES ($1, $2, $3, $4)", 4, params) != 0)
		lrt_error_set("%s (and the trip could not be recorded: %s)", message,
			      before == NULL || after == NULL ? "out of memory"
			      : lrt_error_last());
	else
		lrt_error_set("%s", message);
	free(before);
	free(after);
}

/* The last epoch to settle: --through, else the last complete epoch by the
 * clock, but (unless by_clock) no later than the last epoch that has an
 * event. */
static int find_target(settler *s, const lrt_settle_options *o, int64_t *target)
{
	const char *params[1] = {s->id};
	int64_t now = o->now > 0 ? o->now : (int64_t)time(NULL);
	int64_t since = now - s->settle_lag_seconds - s->product.genesis_time;
	int64_t complete = since < 0 ? -1 : since / s->product.epoch_seconds - 1;
	char value[32];
	int rc;

	if (o->through >= 0) {
		*target = o->through;
		return 0;
	}
	if (o->by_clock) {
		*target = complete;
		return 0;
	}
	rc = lrt_store_exec_value(value, sizeof(value), s->store,
		"SELECT coalesce(max(epoch), -1) FROM lrt.inbox WHERE product_id = $1",
		1, params);
	if (rc != 0)
		return rc;
	*target = strtoll(value, NULL, 10);
	if (complete < *target)
		*target = complete;
	return 0;
}

int lrt_settle(lrt_settle_report *report, lrt_store *store, const char *symbol,
	       const lrt_settle_options *options)
{
	lrt_settle_options defaults = LRT_SETTLE_OPTIONS_INIT;
	const lrt_settle_options *o = options ? options : &defaults;
	lrt_epoch_report epoch_report;
	settler s;
	int rc;

	memset(report, 0, sizeof(*report));
	report->settled_before = INT64_MIN;
	report->settled_after = -1;
	report->target = -1;
	memset(&s, 0, sizeof(s));
	s.store = store;
	lrt_product_init(&s.product);
	lrt_arena_init(&s.arena);
	lrt_strmap_init(&s.claims);
	lrt_strmap_init(&s.new_holders);
	lrt_epoch_report_init(&epoch_report);
	rc = lrt_catalog_load(&s.product, &s.product_id, &s.settle_lag_seconds, store, symbol);
	settler_format_int(s.id, sizeof(s.id), s.product_id);
	if (rc == 0 && o->accept_rate != NULL)
		rc = record_accept(&s, o->accept_rate);
	if (rc == 0)
		rc = find_target(&s, o, &report->target);
	while (rc == 0) {
		size_t before = report->events;

		if (o->stop != NULL && *o->stop) {
			report->stopped = report->settled_after < report->target;
			break;
		}
		rc = settle_next(&s, report->target, &epoch_report, report);
		if (rc == 0) {
			report->last_events = report->events - before;
			if (o->on_epoch != NULL)
				o->on_epoch(o->context, &epoch_report);
		}
	}
	if (rc == 1)
		rc = 0;
	if (rc == LRT_EGUARD)
		record_trip(&s, &epoch_report);
	if (report->settled_before == INT64_MIN)
		report->settled_before = report->settled_after;
	lrt_epoch_report_clear(&epoch_report);
	clear_epoch(&s);
	lrt_book_free(s.book);
	lrt_product_clear(&s.product);
	return rc;
}
