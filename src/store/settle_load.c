/*
 * settle_load.c - what a settlement reads (see settler_internal.h): the
 * book from the state row, the prices and positions (few), the queued
 * requests due this epoch (not the whole queue), the epoch's events from
 * the inbox's typed columns, and only the holders and requests those
 * events name, their names sent by COPY.
 *
 * Workload: a fresh process per epoch (cron) as well as many epochs in one
 * run; the cost follows the epoch's events, not the number of holders or
 * the length of the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "io/json_load.h"
#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "store/event_row.h"
#include "store/settler_internal.h"
#include "store/store_internal.h"

/* ---- loading the book ----------------------------------------------------------- */

/* Requests from a result of LRT_STORE_REQUEST_COLUMNS. */
static int restore_requests(settler *s, PGresult *res)
{
	lrt_store_request request;
	int i, rc = 0;

	lrt_store_request_init(&request);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		rc = lrt_store_request_read(&request, res, i);
		if (rc == 0)
			rc = lrt_book_restore_request(s->book, &request.view);
	}
	lrt_store_request_clear(&request);
	return rc;
}

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
		s->next_queue_position = strtoll(value, NULL, 10);  /* a count, made here */
	if (rc == 0)
		rc = lrt_store_value_int64(&s->last_entry, state, 0, 5);
	s->entry_base = s->last_entry;
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
 * epoch order, so they are its head (and queue order is the order of
 * (request_epoch, queue_position), which withdrawal_requests_due serves); the others stay in the database, and
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
	settler_format_int(due, sizeof(due), s->epoch - delay);
	rc = lrt_store_exec_tuples(&res, s->store,
		"SELECT " LRT_STORE_REQUEST_COLUMNS " FROM lrt.withdrawal_requests"
		" WHERE product_id = $1 AND status = 'queued' AND request_epoch <= $2"
		" ORDER BY request_epoch, queue_position", 2, params);
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
int settler_load_book(settler *s, const PGresult *state)
{
	json_t *policy_json = NULL;
	lrt_policy policy = {0};
	lrt_product bare = s->product;  /* borrowed: lrt_book_new copies it */
	int rc;

	lrt_book_free(s->book);
	s->book = NULL;
	/* no programs from the product (its policy is the one in force when
	 * the settler started): they come from lrt.points_programs below */
	bare.policy.points = NULL;
	bare.policy.points_count = 0;
	rc = lrt_book_new(&s->book, &bare);
	if (rc != 0)
		return rc;
	rc = lrt_store_restore_totals(s->book, state, 0);
	if (rc == 0) {
		rc = lrt_json_load(&policy_json, PQgetvalue(state, 0, 4),
				   (size_t)PQgetlength(state, 0, 4), 0, NULL);
		if (rc == LRT_EINVAL) {
			lrt_error_set("the stored policy is not JSON");
			rc = LRT_EDB;
		}
	}
	if (rc == 0)
		rc = lrt_json_policy(&policy, policy_json);
	json_decref(policy_json);
	/* the programs before the policy: the book then lists them in order of
	 * first naming, as lrt.points_programs and a replay do, and not the
	 * policy's programs first (in the order of the last config naming
	 * them); the policy then says which are in force, and adds the
	 * product's before the first epoch that stores any */
	if (rc == 0)
		rc = lrt_store_load_programs(s->book, s->store, s->id);
	if (rc == 0)
		rc = lrt_book_restore_policy(s->book, &policy);
	lrt_policy_clear(&policy);
	if (rc == 0)
		rc = lrt_store_restore_mark(s->book, state, 0, 6);
	if (rc == 0)
		rc = lrt_store_load_holdings(s->book, s->store, s->id);
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
int settler_load_events(settler *s)
{
	char epoch[24];
	const char *params[2] = {s->id, epoch};
	PGresult *res;
	size_t i;
	int rc;

	settler_format_int(epoch, sizeof(epoch), s->epoch);
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
 * holder they (and the fee recipients) name, every request they claim or
 * cancel (whose holders preload_requests adds). */
static int collect_names(settler *s, const char ***holders, size_t *holder_count,
			 const char ***requests, size_t *request_count)
{
	const lrt_policy *policy = &lrt_book_product(s->book)->policy;
	size_t capacity = policy->fee_recipient_count + 1, i, j;

	for (i = 0; i < s->count; i++)
		capacity += holders_named(&s->events[i]) + 1;  /* + a request's holder */
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
		case LRT_EVENT_CANCEL:
			/* the shares go back to the request's holder */
			if (lrt_book_knows_request(s->book, e->request))
				ADD_HOLDER(lrt_book_request_holder(s->book, e->request));
			else
				(*requests)[(*request_count)++] = e->request;
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

	rc = settler_command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_names"
		     " (name text COLLATE \"C\") ON COMMIT DELETE ROWS", 0, NULL);
	if (rc == 0)
		rc = settler_command(s, "TRUNCATE settle_names", 0, NULL);
	if (rc == 0)
		rc = lrt_copy_begin(&copy, s->store, "COPY settle_names FROM STDIN");
	for (i = 0; i < count && rc == 0; i++)
		rc = lrt_copy_row(copy, 1, &names[i]);
	if (rc != 0) {
		lrt_copy_abort(copy, "lrt: names abandoned");
		return rc;
	}
	rc = lrt_copy_end(copy, NULL);
	return rc == 0 ? settler_command(s, "ANALYZE settle_names", 0, NULL) : rc;
}

/*
 * Names an epoch's events need, up to this many, travel as parameters of
 * the query itself (a fresh process settling a rewards epoch needs only
 * the fee recipients: no temporary table to make); more go by COPY.
 */
#define NAMES_AS_PARAMETERS 32

/*
 * Runs `select` (a query whose $1 is the product and which ends with
 * "IN (" to be closed here) on `names`: as parameters when they are few,
 * else sent by COPY into settle_names first.
 */
static int query_names(PGresult **res, settler *s, const char *select,
		       const char **names, size_t count, const char *order)
{
	const char *params[NAMES_AS_PARAMETERS + 1];
	char query[1024];
	size_t i, used;
	int rc;

	used = (size_t)snprintf(query, sizeof(query), "%s", select);
	if (count > NAMES_AS_PARAMETERS) {
		rc = send_names(s, names, count);
		if (rc != 0)
			return rc;
		snprintf(query + used, sizeof(query) - used,
			 "SELECT name FROM settle_names)%s", order);
		params[0] = s->id;
		return lrt_store_exec_tuples(res, s->store, query, 1, params);
	}
	params[0] = s->id;
	for (i = 0; i < count; i++) {
		params[i + 1] = names[i];
		used += (size_t)snprintf(query + used, sizeof(query) - used, "%s$%zu",
					 i > 0 ? ", " : "", i + 2);
	}
	snprintf(query + used, sizeof(query) - used, ")%s", order);
	return lrt_store_exec_tuples(res, s->store, query, (int)count + 1, params);
}

/* The names the database did not hold (the book does not know them after
 * preloading): new holders, which settle_write.c COPYs in. */
static int note_new_holders(settler *s, const char **names, size_t count)
{
	size_t i;
	char *copy;

	for (i = 0; i < count; i++) {
		if (lrt_book_knows_holder(s->book, names[i])
		    || lrt_strmap_find(&s->new_holders, names[i]) >= 0)
			continue;
		/* a copy: a fee recipient's name goes when a config event
		 * replaces the recipients */
		copy = lrt_arena_strndup(&s->arena, names[i], strlen(names[i]));
		if (copy == NULL || lrt_strmap_insert(&s->new_holders, copy, 0) != 0) {
			lrt_error_set("out of memory noting new holders");
			return LRT_ENOMEM;
		}
	}
	return 0;
}

/* The holders of `names` the database holds, into the book. */
static int count_program(void *context, const char *program, const mpz_t index)
{
	(void)program;
	(void)index;
	(*(size_t *)context)++;
	return 0;
}

/* The points accounts of the holders just restored, when there are points
 * programs at all. */
static int preload_points(settler *s, const char **names, size_t count)
{
	PGresult *res = NULL;
	size_t programs = 0;
	int rc;

	lrt_book_each_program_index(s->book, count_program, &programs);
	if (programs == 0)
		return 0;
	rc = query_names(&res, s, "SELECT holder, program, accrued::text, checkpoint::text"
			 "  FROM lrt.holder_points WHERE product_id = $1 AND holder IN (",
			 names, count, "");
	if (rc == 0)
		rc = lrt_store_restore_holder_points(s->book, res);
	PQclear(res);
	return rc;
}

static int preload_holders(settler *s, const char **names, size_t count)
{
	PGresult *res;
	mpz_t shares;
	int i, rc;

	if (count == 0)
		return 0;
	rc = query_names(&res, s, "SELECT h.holder, h.shares::text FROM lrt.holders h"
			 " WHERE h.product_id = $1 AND h.holder IN (", names, count, "");
	if (rc != 0)
		return rc;
	mpz_init(shares);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		rc = lrt_store_value_integer(shares, res, i, 1);
		if (rc == 0)
			rc = lrt_book_restore_holder(s->book, PQgetvalue(res, i, 0), shares);
	}
	mpz_clear(shares);
	PQclear(res);
	if (rc == 0)
		rc = preload_points(s, names, count);
	if (rc == 0)
		rc = note_new_holders(s, names, count);
	return rc;
}

/* The requests of `names` (claimed or cancelled by the epoch's events) the
 * book does not hold yet, whatever their state, into the book; their
 * holders join `holders` (a cancel gives the shares back), which has room
 * for one per event. */
static int preload_requests(settler *s, const char **names, size_t count,
			    const char **holders, size_t *holder_count)
{
	PGresult *res;
	char *holder;
	int i, rc;

	if (count == 0)
		return 0;
	rc = query_names(&res, s, "SELECT " LRT_STORE_REQUEST_COLUMNS
			 "  FROM lrt.withdrawal_requests"
			 " WHERE product_id = $1 AND request_id IN (", names, count,
			 " ORDER BY queue_position");
	if (rc != 0)
		return rc;
	rc = restore_requests(s, res);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		holder = lrt_arena_strndup(&s->arena, PQgetvalue(res, i, 1),
					   (size_t)PQgetlength(res, i, 1));
		if (holder == NULL)
			rc = (lrt_error_set("out of memory"), LRT_ENOMEM);
		else if (!lrt_book_knows_holder(s->book, holder))
			holders[(*holder_count)++] = holder;
	}
	PQclear(res);
	return rc;
}

int settler_preload(settler *s)
{
	const char **holders = NULL, **requests = NULL;
	size_t holder_count, request_count;
	int rc = restore_due_queue(s);

	if (rc == 0)
		rc = collect_names(s, &holders, &holder_count, &requests, &request_count);
	if (rc == 0)
		rc = preload_requests(s, requests, request_count, holders, &holder_count);
	if (rc == 0)
		rc = preload_holders(s, holders, holder_count);
	free(holders);
	free(requests);
	return rc;
}

