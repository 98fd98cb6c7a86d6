/*
 * settler.c - settling epochs in the database (see include/lrt/settler.h).
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

#include <jansson.h>

#include "core/arena.h"
#include "core/strmap.h"
#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/scenario.h"
#include "lrt/settler.h"
#include "store/copy.h"
#include "store/event_row.h"
#include "store/store_internal.h"

/* Advisory lock namespace of settlement (the product id is the other key). */
#define SETTLE_LOCK_CLASS 0x4c525453  /* "LRTS" */

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
	lrt_copy *journal;
	int64_t journal_entry;      /* entry of the last transfer, for leg numbers */
	int journal_leg;
	int journal_failed;
} settler;

/* ---- small helpers ------------------------------------------------------- */

/*
 * LRT_FAILPOINT=NAME kills the process the first time it reaches step NAME,
 * NAME@N the N-th time (so N-1 epochs commit first): a crash at a chosen
 * point, for the tests that prove a rerun gives the same figures.
 */
static void failpoint(const char *name)
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

static int command(settler *s, const char *query, int count, const char *const *params)
{
	return lrt_store_exec_command(s->store, query, count, params);
}

static void format_int(char *out, size_t size, int64_t value)
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
	lrt_arena_clear(&s->arena);
	if (s->journal != NULL) {
		lrt_copy_abort(s->journal, "lrt: settlement abandoned");
		s->journal = NULL;
	}
}

/* ---- loading the book ----------------------------------------------------------- */

/* Requests from a result of (request_id, holder, shares, cap, request_epoch,
 * status, payout, finalized_epoch). */
static int restore_requests(settler *s, PGresult *res)
{
	lrt_request_view view;
	mpz_t shares, cap, payout;
	int i, rc = 0;

	mpz_init(shares);
	mpz_init(cap);
	mpz_init(payout);
	view.shares = (const mpz_t *)&shares;
	view.cap = (const mpz_t *)&cap;
	view.payout = (const mpz_t *)&payout;
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *status = PQgetvalue(res, i, 5);

		view.request = PQgetvalue(res, i, 0);
		view.holder = PQgetvalue(res, i, 1);
		mpz_set_str(shares, PQgetvalue(res, i, 2), 10);
		mpz_set_str(cap, PQgetvalue(res, i, 3), 10);
		view.epoch = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		view.state = strcmp(status, "queued") == 0 ? LRT_REQUEST_QUEUED
			     : strcmp(status, "finalized") == 0 ? LRT_REQUEST_FINALIZED
			     : LRT_REQUEST_CLAIMED;
		mpz_set_str(payout, PQgetisnull(res, i, 6) ? "0" : PQgetvalue(res, i, 6), 10);
		view.finalized_epoch = PQgetisnull(res, i, 7) ? -1
				       : strtoll(PQgetvalue(res, i, 7), NULL, 10);
		rc = lrt_book_restore_request(s->book, &view);
	}
	mpz_clear(shares);
	mpz_clear(cap);
	mpz_clear(payout);
	return rc;
}

#define REQUEST_COLUMNS \
	"request_id, holder, shares::text, cap::text, request_epoch, status," \
	" payout::text, finalized_epoch"

/* The next queue position, and the last journal entry from the state row. */
static int restore_counters(settler *s, const PGresult *state)
{
	const char *params[1] = {s->id};
	char value[32];
	int rc;

	rc = lrt_store_exec_value(value, sizeof(value), s->store,
		"SELECT coalesce(max(queue_position) + 1, 0) FROM lrt.withdrawal_requests"
		" WHERE product_id = $1", 1, params);
	if (rc == 0)
		s->next_queue_position = strtoll(value, NULL, 10);
	s->entry_base = s->last_entry = strtoll(PQgetvalue(state, 0, 5), NULL, 10);
	return rc;
}

/* The smallest withdrawal delay the epoch can end with: the policy's, or a
 * smaller one a `config` event of the epoch sets. */
static int64_t least_delay(const settler *s)
{
	int64_t delay = lrt_book_product(s->book)->policy.delay_epochs;
	size_t i;

	for (i = 0; i < s->count; i++)
		if (s->events[i].type == LRT_EVENT_CONFIG
		    && (s->events[i].config_mask & LRT_CONFIG_DELAY_EPOCHS)
		    && s->events[i].config.delay_epochs < delay)
			delay = s->events[i].config.delay_epochs;
	return delay;
}

/*
 * The queued requests this epoch may finalize (request epoch + delay <=
 * epoch), in queue order: not the whole queue.  Requests join the queue in
 * epoch order, so they are its head; the others stay in the database, and
 * the book is rebuilt for the next epoch, when more may be due.
 */
static int restore_due_queue(settler *s)
{
	char due[24];
	const char *params[2] = {s->id, due};
	int64_t delay = least_delay(s);
	PGresult *res;
	int rc;

	if (s->queue_loaded)
		return 0;
	format_int(due, sizeof(due), s->epoch - delay);
	rc = lrt_store_exec_tuples(&res, s->store,
		"SELECT " REQUEST_COLUMNS " FROM lrt.withdrawal_requests"
		" WHERE product_id = $1 AND status = 'queued' AND request_epoch <= $2"
		" ORDER BY queue_position", 2, params);
	if (rc != 0)
		return rc;
	rc = restore_requests(s, res);
	PQclear(res);
	s->queue_loaded = true;
	s->queue_partial = delay > 0;
	return rc;
}

static int count_location(void *context, const char *location, size_t index)
{
	(void)location;
	*(size_t *)context = index + 1;
	return 0;
}

/* A new book from the state row (A, S, D, settled epoch, policy JSON). */
static int load_book(settler *s, const PGresult *state)
{
	mpz_t assets, shares, deferred;
	json_t *policy_json;
	lrt_policy policy = {0};
	int rc;

	lrt_book_free(s->book);
	s->book = NULL;
	rc = lrt_book_new(&s->book, &s->product);
	if (rc != 0)
		return rc;
	mpz_init_set_str(assets, PQgetvalue(state, 0, 1), 10);
	mpz_init_set_str(shares, PQgetvalue(state, 0, 2), 10);
	mpz_init_set_str(deferred, PQgetvalue(state, 0, 3), 10);
	rc = lrt_book_restore_totals(s->book, strtoll(PQgetvalue(state, 0, 0), NULL, 10),
				     assets, shares, deferred);
	mpz_clear(assets);
	mpz_clear(shares);
	mpz_clear(deferred);
	policy_json = json_loads(PQgetvalue(state, 0, 4), 0, NULL);
	if (rc == 0)
		rc = policy_json ? lrt_json_policy(&policy, policy_json) : LRT_EDB;
	json_decref(policy_json);
	if (rc == 0)
		rc = lrt_book_restore_policy(s->book, &policy);
	lrt_policy_clear(&policy);
	if (rc == 0)
		rc = lrt_store_load_prices(s->book, s->store, s->id);
	if (rc == 0)
		rc = lrt_store_load_positions(s->book, s->store, s->id);
	if (rc == 0)
		rc = restore_counters(s, state);
	s->queue_loaded = false;
	s->stored_locations = 0;
	if (rc == 0)
		rc = lrt_book_each_location(s->book, count_location, &s->stored_locations);
	return rc;
}

/* ---- loading the epoch -------------------------------------------------------- */

/* Reads the typed columns of one row (from column 0) into an event. */
static int read_event(settler *s, lrt_event *event, const PGresult *res, int row)
{
	const char *values[LRT_EVENT_ROW_COLUMN_COUNT];
	int i;

	for (i = 0; i < LRT_EVENT_ROW_COLUMN_COUNT; i++)
		values[i] = PQgetisnull(res, row, i) ? NULL : PQgetvalue(res, row, i);
	return lrt_event_row_to_event(event, &s->arena, values);
}

/* The epoch's pending events in apply order (by seq when every event of the
 * epoch has one, ties in ingest order; else in ingest order), read from the
 * inbox's typed columns. */
static int load_events(settler *s)
{
	char epoch[24];
	const char *params[2] = {s->id, epoch};
	PGresult *res;
	size_t i;
	int rc;

	format_int(epoch, sizeof(epoch), s->epoch);
	rc = lrt_store_exec_tuples(&res, s->store,
		"SELECT " LRT_EVENT_ROW_COLUMN_LIST " FROM lrt.inbox"
		" WHERE product_id = $1 AND epoch = $2"
		" ORDER BY CASE WHEN bool_and(seq IS NOT NULL) OVER () THEN seq END,"
		"          ingest_order", 2, params);
	if (rc != 0)
		return rc;
	s->count = 0;
	s->events = calloc((size_t)PQntuples(res) + 1, sizeof(*s->events));
	s->outcomes = calloc((size_t)PQntuples(res) + 1, sizeof(*s->outcomes));
	s->price_event = calloc(s->product.asset_count, sizeof(*s->price_event));
	if (s->events == NULL || s->outcomes == NULL || s->price_event == NULL) {
		PQclear(res);
		lrt_error_set("out of memory loading epoch %s", epoch);
		return LRT_ENOMEM;
	}
	for (i = 0; i < (size_t)PQntuples(res) && rc == 0; i++) {
		lrt_event_init(&s->events[i]);
		s->count = i + 1;
		rc = read_event(s, &s->events[i], res, (int)i);
		if (rc == 0 && s->events[i].epoch != s->epoch) {
			lrt_error_set("its epoch is %lld", (long long)s->events[i].epoch);
			rc = LRT_EINVAL;
		}
		if (rc != 0)
			lrt_error_prefix("inbox event %s cannot be settled",
					 PQgetvalue(res, (int)i, 0));
	}
	PQclear(res);
	return rc;
}

/* Holders an event names: deposit and withdraw 1, transfer 2, config its
 * fee recipients. */
static size_t holders_named(const lrt_event *e)
{
	switch (e->type) {
	case LRT_EVENT_DEPOSIT:
	case LRT_EVENT_WITHDRAW: return 1;
	case LRT_EVENT_TRANSFER: return 2;
	case LRT_EVENT_CONFIG: return e->config.fee_recipient_count;
	default: return 0;
	}
}

/* Names the epoch's events refer to that the book has not met yet: every
 * holder they (and the fee recipients) name, every request they claim. */
static int collect_names(settler *s, const char ***holders, size_t *holder_count,
			 const char ***requests, size_t *request_count)
{
	const lrt_policy *policy = &lrt_book_product(s->book)->policy;
	size_t capacity = policy->fee_recipient_count + 1, i, j;

	for (i = 0; i < s->count; i++)
		capacity += holders_named(&s->events[i]);
	*holders = malloc(capacity * sizeof(**holders));
	*requests = malloc((s->count + 1) * sizeof(**requests));
	*holder_count = *request_count = 0;
	if (*holders == NULL || *requests == NULL)
		return LRT_ENOMEM;
#define ADD_HOLDER(name) \
	do { if (!lrt_book_knows_holder(s->book, (name))) \
		(*holders)[(*holder_count)++] = (name); } while (0)
	for (i = 0; i < policy->fee_recipient_count; i++)
		ADD_HOLDER(policy->fee_recipients[i].holder);
	for (i = 0; i < s->count; i++) {
		const lrt_event *e = &s->events[i];

		switch (e->type) {
		case LRT_EVENT_DEPOSIT:
		case LRT_EVENT_WITHDRAW:
			ADD_HOLDER(e->holder);
			break;
		case LRT_EVENT_TRANSFER:
			ADD_HOLDER(e->from);
			ADD_HOLDER(e->to);
			break;
		case LRT_EVENT_CONFIG:
			for (j = 0; j < e->config.fee_recipient_count; j++)
				ADD_HOLDER(e->config.fee_recipients[j].holder);
			break;
		case LRT_EVENT_CLAIM:
			if (!lrt_book_knows_request(s->book, e->request))
				(*requests)[(*request_count)++] = e->request;
			break;
		default:
			break;
		}
	}
#undef ADD_HOLDER
	return 0;
}

/* Sends `names` by COPY into the session's settle_names, emptied first. */
static int send_names(settler *s, const char **names, size_t count)
{
	lrt_copy *copy;
	size_t i;
	int rc;

	rc = command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_names"
		     " (name text COLLATE \"C\") ON COMMIT DELETE ROWS", 0, NULL);
	if (rc == 0)
		rc = command(s, "TRUNCATE settle_names", 0, NULL);
	if (rc == 0)
		rc = lrt_copy_begin(&copy, s->store, "COPY settle_names FROM STDIN");
	for (i = 0; i < count && rc == 0; i++)
		rc = lrt_copy_row(copy, 1, &names[i]);
	if (rc != 0) {
		lrt_copy_abort(copy, "lrt: names abandoned");
		return rc;
	}
	return lrt_copy_end(copy, NULL);
}

/* The holders of `names` the database holds, into the book. */
static int preload_holders(settler *s, const char **names, size_t count)
{
	const char *params[1] = {s->id};
	PGresult *res;
	mpz_t shares;
	int i, rc;

	if (count == 0)
		return 0;
	rc = send_names(s, names, count);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&res, s->store,
			"SELECT h.holder, h.shares::text FROM lrt.holders h"
			" WHERE h.product_id = $1 AND h.holder IN (SELECT name FROM settle_names)",
			1, params);
	if (rc != 0)
		return rc;
	mpz_init(shares);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		mpz_set_str(shares, PQgetvalue(res, i, 1), 10);
		rc = lrt_book_restore_holder(s->book, PQgetvalue(res, i, 0), shares);
	}
	mpz_clear(shares);
	PQclear(res);
	return rc;
}

/* The requests of `names` (claimed by the epoch's events) the book does
 * not hold yet, whatever their state, into the book. */
static int preload_requests(settler *s, const char **names, size_t count)
{
	const char *params[1] = {s->id};
	PGresult *res;
	int rc;

	if (count == 0)
		return 0;
	rc = send_names(s, names, count);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&res, s->store,
			"SELECT " REQUEST_COLUMNS " FROM lrt.withdrawal_requests"
			" WHERE product_id = $1 AND request_id IN (SELECT name FROM settle_names)"
			" ORDER BY queue_position", 1, params);
	if (rc != 0)
		return rc;
	rc = restore_requests(s, res);
	PQclear(res);
	return rc;
}

static int preload(settler *s)
{
	const char **holders = NULL, **requests = NULL;
	size_t holder_count, request_count;
	int rc = restore_due_queue(s);

	if (rc == 0)
		rc = collect_names(s, &holders, &holder_count, &requests, &request_count);
	if (rc == 0)
		rc = preload_holders(s, holders, holder_count);
	if (rc == 0)
		rc = preload_requests(s, requests, request_count);
	free(holders);
	free(requests);
	return rc;
}

/* ---- applying, with the journal streamed into COPY ------------------------------ */

static void journal_transfer(void *context, const lrt_journal_transfer *t)
{
	settler *s = context;
	char entry[24], leg[16], epoch[24], ledger[16];
	char *amount;
	const char *values[12];
	int64_t entry_number = s->entry_base + (int64_t)t->entry;

	if (s->journal_failed)
		return;
	if (entry_number > s->last_entry)
		s->last_entry = entry_number;
	if (entry_number != s->journal_entry) {
		s->journal_entry = entry_number;
		s->journal_leg = 0;
	}
	format_int(entry, sizeof(entry), entry_number);
	snprintf(leg, sizeof(leg), "%d", s->journal_leg++);
	format_int(epoch, sizeof(epoch), t->epoch);
	snprintf(ledger, sizeof(ledger), "%d", t->ledger);
	amount = mpz_get_str(NULL, 10, *t->amount);
	if (amount == NULL) {
		s->journal_failed = LRT_ENOMEM;
		return;
	}
	values[0] = s->id;
	values[1] = entry;
	values[2] = leg;
	values[3] = epoch;
	values[4] = t->event_id;
	values[5] = t->step;
	values[6] = ledger;
	values[7] = lrt_account_kind_name(t->debit_kind);
	values[8] = t->debit_name;
	values[9] = lrt_account_kind_name(t->credit_kind);
	values[10] = t->credit_name;
	values[11] = amount;
	s->journal_failed = lrt_copy_row(s->journal, 12, values);
	free(amount);
}

/* Starts the COPY of the epoch's transfers into its own journal partition
 * (made when missing). */
static int begin_journal(settler *s)
{
	char epoch[24], partition[128], statement[400];
	const char *params[1] = {epoch};
	int rc;

	format_int(epoch, sizeof(epoch), s->epoch);
	rc = lrt_store_exec_value(partition, sizeof(partition), s->store,
				  "SELECT lrt.journal_partition($1::bigint)", 1, params);
	if (rc != 0)
		return rc;
	/* the name is the server's quote_ident of journal_<digits> */
	snprintf(statement, sizeof(statement),
		 "COPY %s (product_id, entry, leg, epoch, event_id, step, ledger,"
		 " debit_kind, debit_name, credit_kind, credit_name, amount) FROM STDIN",
		 partition);
	return lrt_copy_begin(&s->journal, s->store, statement);
}

static int apply_events(settler *s, lrt_epoch_report *report)
{
	size_t i;
	int rc;

	lrt_book_clear_changes(s->book);
	rc = begin_journal(s);
	if (rc != 0)
		return rc;
	s->journal_entry = -1;
	s->journal_failed = 0;
	lrt_book_set_journal(s->book, journal_transfer, s);
	rc = lrt_book_begin_epoch(s->book, s->epoch);
	for (i = 0; i < s->count && rc == 0; i++) {
		const lrt_event *e = &s->events[i];

		rc = lrt_book_apply(s->book, e);
		if (rc == LRT_EREJECT) {
			s->outcomes[i].rejected = true;
			s->outcomes[i].reason = strdup(lrt_error_last());
			rc = s->outcomes[i].reason ? 0 : LRT_ENOMEM;
		} else if (rc == 0 && e->type == LRT_EVENT_PRICE) {
			s->price_event[lrt_product_asset_index(&s->product, e->asset)] = e->id;
		} else if (rc == 0 && e->type == LRT_EVENT_CLAIM) {
			rc = lrt_strmap_insert(&s->claims, e->request, (uint32_t)i);
		}
	}
	if (rc == 0)
		rc = lrt_book_settle(s->book, report);
	lrt_book_set_journal(s->book, NULL, NULL);
	if (rc == 0 && s->journal_failed)
		rc = s->journal_failed;
	if (rc != 0)
		return rc;
	failpoint("journal");
	rc = lrt_copy_end(s->journal, NULL);
	s->journal = NULL;
	return rc;
}

/* ---- writing the epoch -------------------------------------------------------- */

static int copy_holder(void *context, const char *holder, const mpz_t shares)
{
	char *text = mpz_get_str(NULL, 10, shares);
	const char *values[2] = {holder, text};
	int rc = text ? lrt_copy_row(context, 2, values) : LRT_ENOMEM;

	free(text);
	return rc;
}

static int write_holders(settler *s)
{
	const char *params[1] = {s->id};
	lrt_copy *copy;
	int rc;

	rc = command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_holders"
		     " (holder text, shares numeric) ON COMMIT DELETE ROWS", 0, NULL);
	if (rc == 0)
		rc = lrt_copy_begin(&copy, s->store, "COPY settle_holders FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_changed_holder(s->book, copy_holder, copy);
	if (rc != 0) {
		lrt_copy_abort(copy, "lrt: holders abandoned");
		return rc;
	}
	rc = lrt_copy_end(copy, NULL);
	/* An update of the holders there are, then an insert of the new ones:
	 * at a million new holders twice as fast as INSERT ... ON CONFLICT.
	 * Settlement holds the product's lock, so none appears in between. */
	if (rc == 0)
		rc = command(s,
			"UPDATE lrt.holders h SET shares = t.shares FROM settle_holders t"
			" WHERE h.product_id = $1 AND h.holder = t.holder", 1, params);
	if (rc == 0)
		rc = command(s,
			"INSERT INTO lrt.holders (product_id, holder, shares)"
			" SELECT $1, t.holder, t.shares FROM settle_holders t"
			" WHERE NOT EXISTS (SELECT 1 FROM lrt.holders h"
			"                    WHERE h.product_id = $1 AND h.holder = t.holder)",
			1, params);
	return rc;
}

typedef struct {
	settler *s;
	lrt_copy *copy;
} request_copy;

static int copy_request(void *context, const lrt_request_view *r)
{
	static const char *const states[] = {"queued", "finalized", "claimed"};
	request_copy *rq = context;
	settler *s = rq->s;
	char position[24], epoch[24], finalized[24];
	char *shares = mpz_get_str(NULL, 10, *r->shares);
	char *cap = mpz_get_str(NULL, 10, *r->cap);
	char *payout = mpz_get_str(NULL, 10, *r->payout);
	bool is_new = r->epoch == s->epoch;
	int64_t claim = lrt_strmap_find(&s->claims, r->request);
	const char *values[11];
	int rc = LRT_ENOMEM;

	format_int(position, sizeof(position), is_new ? s->next_queue_position++ : -1);
	format_int(epoch, sizeof(epoch), r->epoch);
	format_int(finalized, sizeof(finalized), r->finalized_epoch);
	values[0] = is_new ? "t" : "f";
	values[1] = r->request;
	values[2] = is_new ? position : NULL;
	values[3] = r->holder;
	values[4] = shares;
	values[5] = cap;
	values[6] = epoch;
	values[7] = states[r->state];
	values[8] = r->state == LRT_REQUEST_QUEUED ? NULL : payout;
	values[9] = r->state == LRT_REQUEST_QUEUED ? NULL : finalized;
	values[10] = r->state == LRT_REQUEST_CLAIMED && claim >= 0
		     ? s->events[claim].id : NULL;
	if (shares != NULL && cap != NULL && payout != NULL)
		rc = lrt_copy_row(rq->copy, 11, values);
	free(shares);
	free(cap);
	free(payout);
	return rc;
}

static int write_requests(settler *s)
{
	const char *params[1] = {s->id};
	request_copy rq = {s, NULL};
	int rc;

	rc = command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_requests"
		     " (is_new boolean, request_id text, queue_position bigint,"
		     "  holder text, shares numeric, cap numeric, request_epoch bigint,"
		     "  status text, payout numeric, finalized_epoch bigint,"
		     "  claim_event_id text) ON COMMIT DELETE ROWS", 0, NULL);
	if (rc == 0)
		rc = lrt_copy_begin(&rq.copy, s->store, "COPY settle_requests FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_changed_request(s->book, copy_request, &rq);
	if (rc != 0) {
		lrt_copy_abort(rq.copy, "lrt: requests abandoned");
		return rc;
	}
	rc = lrt_copy_end(rq.copy, NULL);
	if (rc == 0)
		rc = command(s,
			"INSERT INTO lrt.withdrawal_requests (product_id, request_id,"
			" queue_position, holder, shares, cap, request_epoch, status, payout,"
			" finalized_epoch, claim_event_id)"
			" SELECT $1, request_id, queue_position, holder, shares, cap,"
			"        request_epoch, status, payout, finalized_epoch, claim_event_id"
			"   FROM settle_requests WHERE is_new", 1, params);
	if (rc == 0)
		rc = command(s,
			"UPDATE lrt.withdrawal_requests w SET status = r.status,"
			"       payout = r.payout, finalized_epoch = r.finalized_epoch,"
			"       claim_event_id = coalesce(r.claim_event_id, w.claim_event_id)"
			"  FROM settle_requests r"
			" WHERE NOT r.is_new AND w.product_id = $1 AND w.request_id = r.request_id",
			1, params);
	return rc;
}

typedef struct {
	settler *s;
	int rc;
} location_writer;

static int write_location(void *context, const char *location, size_t index)
{
	location_writer *w = context;
	char ordinal[24];
	const char *params[4];

	if (index < w->s->stored_locations)
		return 0;
	format_int(ordinal, sizeof(ordinal), (int64_t)index);
	params[0] = w->s->id;
	params[1] = location;
	params[2] = ordinal;
	params[3] = "operator";
	w->rc = command(w->s, "INSERT INTO lrt.locations (product_id, location, ordinal, kind)"
			" VALUES ($1, $2, $3, $4)", 4, params);
	if (w->rc == 0)
		w->s->stored_locations = index + 1;
	return w->rc;
}

static int copy_position(void *context, const char *asset, const char *location,
			 const mpz_t amount)
{
	request_copy *pc = context;
	char ordinal[16];
	char *text = mpz_get_str(NULL, 10, amount);
	const char *values[4];
	int rc;

	if (text == NULL)
		return LRT_ENOMEM;
	snprintf(ordinal, sizeof(ordinal), "%d",
		 lrt_product_asset_index(&pc->s->product, asset));
	values[0] = pc->s->id;
	values[1] = ordinal;
	values[2] = location;
	values[3] = text;
	rc = lrt_copy_row(pc->copy, 4, values);
	free(text);
	return rc;
}

/* Positions are few (assets x locations): they are rewritten whole. */
static int write_positions(settler *s)
{
	const char *params[1] = {s->id};
	location_writer lw = {s, 0};
	request_copy pc = {s, NULL};
	int rc;

	rc = lrt_book_each_location(s->book, write_location, &lw);
	if (rc == 0)
		rc = command(s, "DELETE FROM lrt.positions WHERE product_id = $1", 1, params);
	if (rc == 0)
		rc = lrt_copy_begin(&pc.copy, s->store,
			"COPY lrt.positions (product_id, asset_ordinal, location, amount) FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_position(s->book, copy_position, &pc);
	if (rc != 0) {
		lrt_copy_abort(pc.copy, "lrt: positions abandoned");
		return rc;
	}
	return lrt_copy_end(pc.copy, NULL);
}

static int write_price(void *context, const char *asset, const mpq_t price)
{
	settler *s = context;
	int index = lrt_product_asset_index(&s->product, asset);
	char ordinal[16], text[400];
	const char *params[4];
	int rc;

	if (s->price_event[index] == NULL)
		return 0;  /* unchanged this epoch */
	rc = lrt_price_format(text, sizeof(text), price);
	if (rc != 0)
		return rc;
	snprintf(ordinal, sizeof(ordinal), "%d", index);
	params[0] = s->id;
	params[1] = ordinal;
	params[2] = text;
	params[3] = s->price_event[index];
	return command(s, "INSERT INTO lrt.prices (product_id, asset_ordinal, price, event_id)"
		       " VALUES ($1, $2, $3, $4) ON CONFLICT (product_id, asset_ordinal)"
		       " DO UPDATE SET price = EXCLUDED.price, event_id = EXCLUDED.event_id",
		       4, params);
}

static int write_epoch_row(settler *s, const lrt_epoch_report *r)
{
	const mpz_t *figures[14] = {
		&r->total_assets, &r->total_shares, &r->rate, &r->deferred,
		&r->rewards, &r->slashed, &r->revaluation, &r->recognized,
		&r->fee_value, &r->fee_shares, &r->buffer, &r->claimable,
		&r->rate_before, &r->rate_after,
	};
	char epoch[24], events[24];
	char *texts[14] = {0};
	const char *params[17];
	int i, rc = 0;

	format_int(epoch, sizeof(epoch), r->epoch);
	format_int(events, sizeof(events), (int64_t)s->count);
	params[0] = s->id;
	params[1] = epoch;
	params[16] = events;
	for (i = 0; i < 14; i++) {
		texts[i] = mpz_get_str(NULL, 10, *figures[i]);
		params[i + 2] = texts[i];
		if (texts[i] == NULL)
			rc = LRT_ENOMEM;
	}
	if (rc == 0)
		rc = command(s,
			"INSERT INTO lrt.epochs (product_id, epoch, total_assets, total_shares,"
			" rate, deferred, rewards, slashed, revaluation, recognized, fee_value,"
			" fee_shares, buffer, claimable, rate_before, rate_after, events)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
			" $15, $16, $17)", 17, params);
	for (i = 0; i < 14; i++)
		free(texts[i]);
	return rc;
}

/* The epoch's rejected events with their place in the apply order and the
 * reason; every other event of the epoch applied. */
static int write_rejections(settler *s)
{
	char order[24], epoch[24];
	lrt_copy *copy;
	size_t i;
	int rc;

	format_int(epoch, sizeof(epoch), s->epoch);
	rc = lrt_copy_begin(&copy, s->store,
		"COPY lrt.rejected_events (product_id, event_id, epoch, apply_order, reason)"
		" FROM STDIN");
	for (i = 0; i < s->count && rc == 0; i++) {
		const char *values[5];

		if (!s->outcomes[i].rejected)
			continue;
		format_int(order, sizeof(order), (int64_t)i);
		values[0] = s->id;
		values[1] = s->events[i].id;
		values[2] = epoch;
		values[3] = order;
		values[4] = s->outcomes[i].reason;
		rc = lrt_copy_row(copy, 5, values);
	}
	if (rc != 0) {
		lrt_copy_abort(copy, "lrt: rejections abandoned");
		return rc;
	}
	return lrt_copy_end(copy, NULL);
}

static int write_state(settler *s, const lrt_epoch_report *r)
{
	const lrt_policy *policy = &lrt_book_product(s->book)->policy;
	char epoch[24], fee[16], delay[24], apr[16], guard[16], last_entry[24];
	char *assets = mpz_get_str(NULL, 10, r->total_assets);
	char *shares = mpz_get_str(NULL, 10, r->total_shares);
	char *deferred = mpz_get_str(NULL, 10, r->deferred);
	char *recipients = lrt_json_recipients_text(policy);
	const char *params[11];
	int rc = LRT_ENOMEM;

	format_int(epoch, sizeof(epoch), r->epoch);
	format_int(last_entry, sizeof(last_entry), s->last_entry);
	snprintf(fee, sizeof(fee), "%u", policy->fee_bps);
	format_int(delay, sizeof(delay), policy->delay_epochs);
	snprintf(apr, sizeof(apr), "%u", policy->max_apr_bps);
	snprintf(guard, sizeof(guard), "%u", policy->max_rate_change_bps);
	params[0] = s->id;
	params[1] = assets;
	params[2] = shares;
	params[3] = deferred;
	params[4] = epoch;
	params[5] = fee;
	params[6] = recipients;
	params[7] = delay;
	params[8] = apr;
	params[9] = guard;
	params[10] = last_entry;
	if (assets && shares && deferred && recipients)
		rc = command(s,
			"UPDATE lrt.product_state SET total_assets = $2, total_shares = $3,"
			"       deferred = $4, settled_epoch = $5, fee_bps = $6,"
			"       fee_recipients = $7::jsonb, delay_epochs = $8, max_apr_bps = $9,"
			"       max_rate_change_bps = $10, last_entry = $11, updated_at = now()"
			" WHERE product_id = $1", 11, params);
	free(assets);
	free(shares);
	free(deferred);
	free(recipients);
	return rc;
}

static int write_epoch(settler *s, const lrt_epoch_report *report)
{
	int rc = write_holders(s);

	failpoint("holders");
	if (rc == 0)
		rc = write_requests(s);
	failpoint("requests");
	if (rc == 0)
		rc = write_positions(s);
	if (rc == 0)
		rc = lrt_book_each_price(s->book, write_price, s);
	failpoint("positions");
	if (rc == 0)
		rc = write_epoch_row(s, report);
	failpoint("epoch");
	if (rc == 0)
		rc = write_rejections(s);
	failpoint("rejections");
	if (rc == 0)
		rc = write_state(s, report);
	failpoint("state");
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
		"       jsonb_build_object('fee_bps', fee_bps, 'fee_recipients', fee_recipients,"
		"           'delay_epochs', delay_epochs, 'max_apr_bps', max_apr_bps,"
		"           'max_rate_change_bps', max_rate_change_bps)::text, last_entry"
		"  FROM lrt.product_state WHERE product_id = $1 FOR UPDATE", 1, params + 1);
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

	rc = command(s, "BEGIN", 0, NULL);
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
		return command(s, "COMMIT", 0, NULL) == 0 ? 1 : LRT_EDB;
	}
	if (s->book == NULL || lrt_book_settled_epoch(s->book) != settled
	    || s->queue_partial)
		rc = load_book(s, state);
	PQclear(state);
	if (rc == 0)
		rc = load_events(s);
	if (rc == 0)
		rc = preload(s);
	failpoint("loaded");
	if (rc == 0)
		rc = apply_events(s, report);
	if (rc == 0)
		rc = write_epoch(s, report);
	failpoint("commit");
	if (rc == 0)
		rc = command(s, "COMMIT", 0, NULL);
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
	rc = command(s, "BEGIN", 0, NULL);
	if (rc == 0)
		rc = lock_state(s, &state);
	if (rc != 0) {
		lrt_store_rollback(s->store);
		return rc;
	}
	format_int(epoch, sizeof(epoch), strtoll(PQgetvalue(state, 0, 0), NULL, 10) + 1);
	PQclear(state);
	snprintf(id, sizeof(id), "accept:%s:%s", epoch, rate);
	params[0] = s->id;
	params[1] = id;
	params[2] = epoch;
	params[3] = rate;
	rc = command(s,
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, seq, type, amount, event,"
		"                       source_file)"
		" VALUES ($1, $2, $3, 9223372036854775807, 'accept', $4::numeric,"
		"         jsonb_build_object('id', $2::text, 'type', 'accept',"
		"                            'epoch', $3::bigint, 'rate', $4::text,"
		"                            'seq', 9223372036854775807),"
		"         'lrt settle --accept-rate')"
		" ON CONFLICT (product_id, event_id) DO NOTHING", 4, params);
	if (rc == 0)
		rc = command(s, "COMMIT", 0, NULL);
	if (rc != 0)
		lrt_store_rollback(s->store);
	return rc;
}

/* The last epoch to settle: --through, else the last complete epoch by the
 * clock, but no later than the last epoch that has an event. */
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
	lrt_settle_options defaults = {-1, NULL, 0, NULL, NULL};
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
	lrt_epoch_report_init(&epoch_report);
	rc = lrt_catalog_load(&s.product, &s.product_id, &s.settle_lag_seconds, store, symbol);
	format_int(s.id, sizeof(s.id), s.product_id);
	if (rc == 0 && o->accept_rate != NULL)
		rc = record_accept(&s, o->accept_rate);
	if (rc == 0)
		rc = find_target(&s, o, &report->target);
	while (rc == 0) {
		rc = settle_next(&s, report->target, &epoch_report, report);
		if (rc == 0 && o->on_epoch != NULL)
			o->on_epoch(o->context, &epoch_report);
	}
	if (rc == 1)
		rc = 0;
	if (report->settled_before == INT64_MIN)
		report->settled_before = report->settled_after;
	lrt_epoch_report_clear(&epoch_report);
	clear_epoch(&s);
	lrt_book_free(s.book);
	lrt_product_clear(&s.product);
	return rc;
}
