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
 *
 * A dry run is one transaction for the whole run, rolled back at the end:
 * each epoch's steps run inside it (a later epoch sees the earlier ones),
 * and after each, PostgreSQL's own count of the rows the transaction wrote
 * (pg_stat_get_xact_tuples_*) gives the rows the epoch would write.  It
 * holds the product's lock until it rolls back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"
#include "core/limits.h"
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

/* The start and the end of a step's transaction: BEGIN and COMMIT, or
 * nothing in a dry run, which is one transaction from start to end. */
static int step_begin(settler *s)
{
	return s->dry_run ? 0 : settler_command(s, "BEGIN", 0, NULL);
}

static int step_commit(settler *s)
{
	return s->dry_run ? 0 : settler_command(s, "COMMIT", 0, NULL);
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

/* ---- a dry run ------------------------------------------------------------------- */

/* What the transaction wrote so far in each table of schema lrt, a
 * partition's rows counted in its table, in name order (as strcmp). */
static const char rows_written_query[] =
	"SELECT coalesce(p.relname, c.relname)::text,"
	"       sum(pg_stat_get_xact_tuples_inserted(c.oid))::text,"
	"       sum(pg_stat_get_xact_tuples_updated(c.oid))::text,"
	"       sum(pg_stat_get_xact_tuples_deleted(c.oid))::text"
	"  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	"  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid"
	"  LEFT JOIN pg_class p ON p.oid = i.inhparent"
	" WHERE n.nspname = 'lrt' AND c.relkind = 'r'"
	" GROUP BY 1 ORDER BY coalesce(p.relname, c.relname)::text COLLATE \"C\"";

static int read_count(int64_t *out, const PGresult *res, int row, int column)
{
	const char *text = PQgetvalue(res, row, column);
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < 0) {
		lrt_error_set("dry run: the row count of %s is \"%s\", not a count",
			      PQgetvalue(res, row, 0), text);
		return LRT_EDB;
	}
	*out = value;
	return 0;
}

static int read_table_rows(lrt_settle_table_rows *out, const PGresult *res, int row)
{
	const char *table = PQgetvalue(res, row, 0);
	int rc;

	if (strlen(table) >= sizeof(out->table)) {
		lrt_error_set("dry run: table name \"%s\" is longer than PostgreSQL's", table);
		return LRT_EDB;
	}
	strcpy(out->table, table);
	rc = read_count(&out->inserted, res, row, 1);
	if (rc == 0)
		rc = read_count(&out->updated, res, row, 2);
	if (rc == 0)
		rc = read_count(&out->deleted, res, row, 3);
	return rc;
}

/*
 * Reads the rows written so far (s->rows_seen) and keeps, in s->rows_epoch,
 * what changed since the last call: the rows of the epoch just written.
 * On error both stay as they were.
 */
static int capture_rows(settler *s)
{
	PGresult *res = NULL;
	lrt_settle_table_rows *seen = NULL, *epoch = NULL;
	size_t count, changed = 0, i, j = 0;
	int rc;

	rc = lrt_store_exec_tuples(&res, s->store, rows_written_query, 0, NULL);
	if (rc != 0)
		return rc;
	count = (size_t)PQntuples(res);
	seen = calloc(count + 1, sizeof(*seen));
	epoch = calloc(count + 1, sizeof(*epoch));
	if (seen == NULL || epoch == NULL) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	for (i = 0; rc == 0 && i < count; i++) {
		lrt_settle_table_rows d;

		rc = read_table_rows(&seen[i], res, (int)i);
		if (rc != 0)
			break;
		d = seen[i];
		while (j < s->rows_seen_count && strcmp(s->rows_seen[j].table, d.table) < 0)
			j++;
		if (j < s->rows_seen_count && strcmp(s->rows_seen[j].table, d.table) == 0) {
			d.inserted -= s->rows_seen[j].inserted;
			d.updated -= s->rows_seen[j].updated;
			d.deleted -= s->rows_seen[j].deleted;
		}
		if (d.inserted != 0 || d.updated != 0 || d.deleted != 0)
			epoch[changed++] = d;
	}
	PQclear(res);
	if (rc != 0) {
		free(seen);
		free(epoch);
		return rc;
	}
	free(s->rows_seen);
	free(s->rows_epoch);
	s->rows_seen = seen;
	s->rows_seen_count = count;
	s->rows_epoch = epoch;
	s->rows_epoch_count = changed;
	return 0;
}

/*
 * The end of an epoch in a dry run, in place of its commit: counts the rows
 * it wrote, and empties the session's temporary tables, which only a
 * commit would (ON COMMIT DELETE ROWS), so that the next epoch's statements
 * read that epoch's rows alone.
 */
static int dry_run_epoch_end(settler *s)
{
	int rc = capture_rows(s);

	if (rc == 0)
		rc = settler_command(s,
			"DO $$ DECLARE t regclass; BEGIN"
			"  FOR t IN SELECT c.oid::regclass FROM pg_class c"
			"            WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'r'"
			"  LOOP EXECUTE format('TRUNCATE %s', t); END LOOP;"
			" END $$", 0, NULL);
	return rc;
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

	rc = step_begin(s);
	if (rc == 0)
		rc = lock_state(s, &state);
	if (rc != 0)
		goto fail;
	rc = lrt_store_value_int64(&settled, state, 0, 0);
	if (rc != 0) {
		PQclear(state);
		goto fail;
	}
	if (totals->settled_before == INT64_MIN)
		totals->settled_before = settled;
	totals->settled_after = settled;
	s->epoch = settled + 1;
	if (s->epoch > target) {
		PQclear(state);
		return step_commit(s) == 0 ? 1 : LRT_EDB;
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
	if (rc == 0 && s->dry_run)
		rc = dry_run_epoch_end(s);
	settler_failpoint("commit");
	if (rc == 0)
		rc = step_commit(s);
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

/* ---- accepting a rate, and the guard's stops --------------------------------------- */

/* A --reason is one line of text: not empty, no control character, at most
 * LRT_ACCEPT_REASON_BYTES_MAX bytes.  NULL (none given) is allowed. */
static int check_reason(const char *reason)
{
	size_t length, i;

	if (reason == NULL)
		return 0;
	length = strlen(reason);
	if (length == 0) {
		lrt_error_set("--reason: empty; say why the rate is accepted, or leave"
			      " --reason out");
		return LRT_EINVAL;
	}
	if (length > LRT_ACCEPT_REASON_BYTES_MAX) {
		lrt_error_set("--reason: %zu bytes, more than %d", length,
			      LRT_ACCEPT_REASON_BYTES_MAX);
		return LRT_EINVAL;
	}
	for (i = 0; i < length; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f) {
			lrt_error_set("--reason: a control character at byte %zu: the"
				      " reason is one line of text", i + 1);
			return LRT_EINVAL;
		}
	return 0;
}

/*
 * Judges an accept of `rate` for `epoch` against the epoch's last guard
 * trip (`trip`: its id and rate_after, or no row): the guard must have
 * stopped the epoch at exactly that rate, unless `force`, and then
 * *forced says it took force.
 */
static int judge_accept(bool *forced, const PGresult *trip, const char *epoch,
			const mpz_t rate, const char *rate_text, bool force)
{
	const char *stopped_text;
	mpz_t stopped;
	int rc = 0;

	*forced = false;
	if (PQntuples(trip) == 0) {
		*forced = force;
		if (force)
			return 0;
		lrt_error_set("--accept-rate %s: the guard has not stopped epoch %s"
			      " (lrt.guard_trips holds no trip for it), so there is"
			      " nothing to accept: lrt settle stops there first, or"
			      " --force records the accept anyway", rate_text, epoch);
		return LRT_EINVAL;
	}
	stopped_text = PQgetvalue(trip, 0, 1);
	mpz_init(stopped);
	if (lrt_amount_parse(stopped, stopped_text, strlen(stopped_text)) != 0) {
		lrt_error_set("lrt.guard_trips: epoch %s: rate_after \"%s\" is not an"
			      " amount", epoch, stopped_text);
		rc = LRT_EDB;
	} else if (mpz_cmp(stopped, rate) != 0) {
		*forced = force;
		if (!force) {
			lrt_error_set("--accept-rate %s: the guard stopped epoch %s at rate"
				      " %s, not %s: --accept-rate %s accepts that one, and"
				      " --force records %s anyway", rate_text, epoch,
				      stopped_text, rate_text, stopped_text, rate_text);
			rc = LRT_EINVAL;
		}
	}
	mpz_clear(stopped);
	return rc;
}

/* Writes the accept: its event in the inbox (the largest seq, so that an
 * epoch whose events all have one keeps its order), and its record in
 * lrt.accepts.  The caller holds the product's lock. */
static int write_accept(settler *s, const char *epoch, const char *rate,
			const PGresult *trip, bool forced, const char *reason)
{
	char id[LRT_AMOUNT_CHARS_MAX + 48];
	const char *params[7];
	int rc;

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
	params[4] = PQntuples(trip) == 1 ? PQgetvalue(trip, 0, 0) : NULL;
	params[5] = forced ? "t" : "f";
	params[6] = reason;
	if (rc == 0)
		rc = settler_command(s,
			"INSERT INTO lrt.accepts (product_id, event_id, epoch, rate, trip_id,"
			"                         forced, reason)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, params);
	return rc;
}

/*
 * Records an accept of options->accept_rate for the epoch next to settle,
 * judged against the guard's last stop of that epoch (judge_accept), with
 * the reason; the role and the time are the database's.  In a dry run it
 * is written in the run's transaction, and goes with it.
 */
static int record_accept(settler *s, const lrt_settle_options *o)
{
	PGresult *state = NULL, *trip = NULL;
	const char *params[2];
	char epoch[24];
	char *rate = NULL;
	int64_t settled = -1;
	bool forced = false;
	mpz_t value;
	int rc;

	mpz_init(value);
	rc = lrt_amount_parse(value, o->accept_rate, strlen(o->accept_rate));
	if (rc != 0)
		lrt_error_prefix("--accept-rate");
	if (rc == 0)
		rc = check_reason(o->accept_reason);
	if (rc == 0 && (rate = mpz_get_str(NULL, 10, value)) == NULL) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	if (rc == 0)
		rc = step_begin(s);
	if (rc == 0)
		rc = lock_state(s, &state);
	if (rc == 0)
		rc = lrt_store_value_int64(&settled, state, 0, 0);
	if (rc == 0) {
		settler_format_int(epoch, sizeof(epoch), settled + 1);
		params[0] = s->id;
		params[1] = epoch;
		rc = lrt_store_exec_tuples(&trip, s->store,
			"SELECT trip_id, rate_after::text FROM lrt.guard_trips"
			" WHERE product_id = $1 AND epoch = $2"
			" ORDER BY trip_id DESC LIMIT 1", 2, params);
	}
	if (rc == 0)
		rc = judge_accept(&forced, trip, epoch, value, rate, o->accept_force);
	if (rc == 0)
		rc = write_accept(s, epoch, rate, trip, forced, o->accept_reason);
	if (rc == 0)
		rc = step_commit(s);
	if (rc != 0)
		lrt_store_rollback(s->store);
	PQclear(trip);
	PQclear(state);
	free(rate);
	mpz_clear(value);
	return rc;
}

/* `text` as one word of a POSIX shell command: as it is when it needs no
 * quoting, else in single quotes (a quote in it as '\''). */
static void shell_word(char *out, size_t size, const char *text)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-+:/@%=,";
	size_t used = 0;

	if (*text != '\0' && text[strspn(text, plain)] == '\0') {
		snprintf(out, size, "%s", text);
		return;
	}
	LRT_ASSERT(size >= 3);
	out[used++] = '\'';
	for (; *text != '\0' && used + 6 < size; text++) {
		if (*text == '\'') {
			memcpy(out + used, "'\\''", 4);
			used += 4;
		} else {
			out[used++] = *text;
		}
	}
	out[used++] = '\'';
	out[used] = '\0';
}

/* True when the last guard trip of the epoch being settled stopped it at
 * `rate`: then --accept-rate of that rate will be taken without --force. */
static bool trip_on_record(settler *s, const char *epoch, const char *rate)
{
	const char *params[3] = {s->id, epoch, rate};
	char value[8];

	return lrt_store_exec_value(value, sizeof(value), s->store,
		"SELECT coalesce((SELECT rate_after = $3::numeric FROM lrt.guard_trips"
		"                  WHERE product_id = $1 AND epoch = $2"
		"                  ORDER BY trip_id DESC LIMIT 1), false)", 3, params) == 0
	       && strcmp(value, "t") == 0;
}

/*
 * Keeps the guard's stop on record (lrt.guard_trips) once the epoch's
 * transaction has rolled back (a dry run records nothing), and ends the
 * guard's message with the `lrt settle` that accepts the rate as things
 * then stand; a failure to record only adds to the message.
 */
static void record_trip(settler *s, const lrt_epoch_report *r)
{
	char message[1024], failure[512] = "", epoch[24];
	char symbol[4 * LRT_NAME_BYTES_MAX + 3];
	char *before = mpz_get_str(NULL, 10, r->rate_before);
	char *after = mpz_get_str(NULL, 10, r->rate_after);
	const char *params[4] = {s->id, epoch, before, after};

	snprintf(message, sizeof(message), "%s", lrt_error_last());
	settler_format_int(epoch, sizeof(epoch), s->epoch);
	shell_word(symbol, sizeof(symbol), s->product.symbol);
	if (before == NULL || after == NULL)
		snprintf(failure, sizeof(failure), "out of memory");
	else if (!s->dry_run
		 && settler_command(s, "INSERT INTO lrt.guard_trips"
				    " (product_id, epoch, rate_before, rate_after)"
				    " VALUES ($1, $2, $3, $4)", 4, params) != 0)
		snprintf(failure, sizeof(failure), "%s", lrt_error_last());
	if (after == NULL)
		lrt_error_set("%s (and the trip could not be recorded: %s)", message, failure);
	else if (failure[0] != '\0')
		lrt_error_set("%s (and the trip could not be recorded: %s); to accept it"
			      " anyway: lrt settle --product %s --accept-rate %s --force",
			      message, failure, symbol, after);
	else if (s->dry_run && !trip_on_record(s, epoch, after))
		lrt_error_set("%s; a dry run records no trip: lrt settle --product %s"
			      " stops there and records it, then lrt settle --product %s"
			      " --accept-rate %s accepts it", message, symbol, symbol, after);
	else
		lrt_error_set("%s; to accept it: lrt settle --product %s --accept-rate %s",
			      message, symbol, after);
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
	s.dry_run = o->dry_run;
	lrt_product_init(&s.product);
	lrt_arena_init(&s.arena);
	lrt_strmap_init(&s.claims);
	lrt_strmap_init(&s.new_holders);
	lrt_epoch_report_init(&epoch_report);
	rc = lrt_catalog_load(&s.product, &s.product_id, &s.settle_lag_seconds, store, symbol);
	settler_format_int(s.id, sizeof(s.id), s.product_id);
	if (rc == 0 && s.dry_run)
		rc = settler_command(&s, "BEGIN", 0, NULL);
	if (rc == 0 && o->accept_rate != NULL)
		rc = record_accept(&s, o);
	if (rc == 0 && s.dry_run)
		rc = capture_rows(&s);  /* what the epochs write is counted from here */
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
			report->rows = s.rows_epoch;
			report->rows_count = s.rows_epoch_count;
			if (o->on_epoch != NULL)
				o->on_epoch(o->context, &epoch_report);
		}
	}
	if (rc == 1)
		rc = 0;
	if (s.dry_run)
		lrt_store_rollback(store);
	if (rc == LRT_EGUARD)
		record_trip(&s, &epoch_report);
	if (report->settled_before == INT64_MIN)
		report->settled_before = report->settled_after;
	report->rows = NULL;
	report->rows_count = 0;
	lrt_epoch_report_clear(&epoch_report);
	clear_epoch(&s);
	free(s.rows_seen);
	free(s.rows_epoch);
	lrt_book_free(s.book);
	lrt_product_clear(&s.product);
	return rc;
}
