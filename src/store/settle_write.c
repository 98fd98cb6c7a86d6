/*
 * settle_write.c - what a settlement writes (see settler_internal.h): the
 * events applied in memory with every journal transfer streamed by COPY
 * into the epoch's own partition, then the holders the epoch changed, its
 * requests, new locations, the positions, changed prices, the epoch's
 * snapshot of positions and prices (for reporting), the epoch row, the
 * rejected events and the state row, each by COPY or one set-based
 * statement.
 *
 * Workload: up to millions of holders and journal lines an epoch; no
 * per-row round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "store/settler_internal.h"
#include "store/store_internal.h"

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
	settler_format_int(entry, sizeof(entry), entry_number);
	snprintf(leg, sizeof(leg), "%d", s->journal_leg++);
	settler_format_int(epoch, sizeof(epoch), t->epoch);
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

	settler_format_int(epoch, sizeof(epoch), s->epoch);
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

int settler_apply_events(settler *s, lrt_epoch_report *report)
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
	settler_failpoint("journal");
	rc = lrt_copy_end(s->journal, NULL);
	s->journal = NULL;
	return rc;
}

/* ---- writing the epoch -------------------------------------------------------- */

typedef struct {
	settler *s;
	lrt_copy *copy;
	bool new_ones;     /* this pass: the new holders, else the stored ones */
} holder_copy;

static int copy_holder(void *context, const char *holder, const mpz_t shares)
{
	holder_copy *h = context;
	char *text;
	const char *values[3] = {h->s->id, holder, NULL};
	int rc;

	if ((lrt_strmap_find(&h->s->new_holders, holder) >= 0) != h->new_ones)
		return 0;
	text = mpz_get_str(NULL, 10, shares);
	values[2] = text;
	rc = text ? lrt_copy_row(h->copy, h->new_ones ? 3 : 2,
				 h->new_ones ? values : values + 1) : LRT_ENOMEM;
	free(text);
	return rc;
}

/* One pass over the changed holders into the COPY `statement`. */
static int copy_holders(settler *s, bool new_ones, const char *statement)
{
	holder_copy h = {s, NULL, new_ones};
	int rc = lrt_copy_begin(&h.copy, s->store, statement);

	if (rc != 0)
		return rc;
	rc = lrt_book_each_changed_holder(s->book, copy_holder, &h);
	if (rc != 0) {
		lrt_copy_abort(h.copy, "lrt: holders abandoned");
		return rc;
	}
	return lrt_copy_end(h.copy, NULL);
}

/*
 * The holders the epoch changed: the new ones (named by its events, not in
 * the database when it loaded: settle_load.c) COPYed straight in, the
 * others COPYed into a temporary table and updated from it.  Settlement
 * holds the product's lock, so no holder appears in between.
 */
static int write_holders(settler *s)
{
	const char *params[1] = {s->id};
	int rc;

	rc = copy_holders(s, true, "COPY lrt.holders (product_id, holder, shares) FROM STDIN");
	if (rc == 0)
		rc = settler_command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_holders"
			     " (holder text COLLATE \"C\", shares numeric) ON COMMIT DELETE ROWS",
			     0, NULL);
	if (rc == 0)
		rc = copy_holders(s, false, "COPY settle_holders FROM STDIN");
	/* a temporary table has no statistics: without them the planner
	 * guesses, and may scan every holder to update two */
	if (rc == 0)
		rc = settler_command(s, "ANALYZE settle_holders", 0, NULL);
	if (rc == 0)
		rc = settler_command(s,
			"UPDATE lrt.holders h SET shares = t.shares FROM settle_holders t"
			" WHERE h.product_id = $1 AND h.holder = t.holder", 1, params);
	return rc;
}

typedef struct {
	settler *s;
	lrt_copy *copy;
} request_copy;

static int copy_request(void *context, const lrt_request_view *r)
{
	static const char *const states[] = {
		[LRT_REQUEST_QUEUED] = "queued",
		[LRT_REQUEST_FINALIZED] = "finalized",
		[LRT_REQUEST_CLAIMED] = "claimed",
		[LRT_REQUEST_CANCELLED] = "cancelled",
	};
	bool paid = r->state == LRT_REQUEST_FINALIZED || r->state == LRT_REQUEST_CLAIMED;
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

	settler_format_int(position, sizeof(position), is_new ? s->next_queue_position++ : -1);
	settler_format_int(epoch, sizeof(epoch), r->epoch);
	settler_format_int(finalized, sizeof(finalized), r->finalized_epoch);
	values[0] = is_new ? "t" : "f";
	values[1] = r->request;
	values[2] = is_new ? position : NULL;
	values[3] = r->holder;
	values[4] = shares;
	values[5] = cap;
	values[6] = epoch;
	values[7] = states[r->state];
	values[8] = paid ? payout : NULL;
	values[9] = paid ? finalized : NULL;
	values[10] = r->state == LRT_REQUEST_CLAIMED && claim >= 0
		     ? s->events[claim].id : NULL;
	if (shares != NULL && cap != NULL && payout != NULL)
		rc = lrt_copy_row(rq->copy, 11, values);
	free(shares);
	free(cap);
	free(payout);
	return rc;
}

static int count_request(void *context, const lrt_request_view *r)
{
	(void)r;
	++*(size_t *)context;
	return 0;
}

static int write_requests(settler *s)
{
	const char *params[1] = {s->id};
	request_copy rq = {s, NULL};
	size_t changed = 0;
	int rc;

	/* most epochs change no request: no temporary table to make then */
	rc = lrt_book_each_changed_request(s->book, count_request, &changed);
	if (rc != 0 || changed == 0)
		return rc;
	rc = settler_command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_requests"
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
		rc = settler_command(s, "ANALYZE settle_requests", 0, NULL);
	if (rc == 0)
		rc = settler_command(s,
			"INSERT INTO lrt.withdrawal_requests (product_id, request_id,"
			" queue_position, holder, shares, cap, request_epoch, status, payout,"
			" finalized_epoch, claim_event_id)"
			" SELECT $1, request_id, queue_position, holder, shares, cap,"
			"        request_epoch, status, payout, finalized_epoch, claim_event_id"
			"   FROM settle_requests WHERE is_new", 1, params);
	if (rc == 0)
		rc = settler_command(s,
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
	settler_format_int(ordinal, sizeof(ordinal), (int64_t)index);
	params[0] = w->s->id;
	params[1] = location;
	params[2] = ordinal;
	params[3] = "operator";
	w->rc = settler_command(w->s, "INSERT INTO lrt.locations (product_id, location, ordinal, kind)"
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
		rc = settler_command(s, "DELETE FROM lrt.positions WHERE product_id = $1", 1, params);
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

/* The end of the epoch, kept for reporting (TVL over time): its non-zero
 * positions and the prices in force, a few rows whatever the holders. */
static int write_snapshot(settler *s)
{
	char epoch[24];
	const char *params[2] = {s->id, epoch};
	int rc;

	settler_format_int(epoch, sizeof(epoch), s->epoch);
	rc = settler_command(s, "INSERT INTO lrt.epoch_positions"
		" (product_id, epoch, asset_ordinal, location, amount)"
		" SELECT product_id, $2, asset_ordinal, location, amount FROM lrt.positions"
		"  WHERE product_id = $1 AND amount > 0", 2, params);
	if (rc == 0)
		rc = settler_command(s, "INSERT INTO lrt.epoch_prices"
			" (product_id, epoch, asset_ordinal, price)"
			" SELECT product_id, $2, asset_ordinal, price FROM lrt.prices"
			"  WHERE product_id = $1", 2, params);
	return rc;
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
	return settler_command(s, "INSERT INTO lrt.prices (product_id, asset_ordinal, price, event_id)"
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

	settler_format_int(epoch, sizeof(epoch), r->epoch);
	settler_format_int(events, sizeof(events), (int64_t)s->count);
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
		rc = settler_command(s,
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

	settler_format_int(epoch, sizeof(epoch), s->epoch);
	rc = lrt_copy_begin(&copy, s->store,
		"COPY lrt.rejected_events (product_id, event_id, epoch, apply_order, reason)"
		" FROM STDIN");
	for (i = 0; i < s->count && rc == 0; i++) {
		const char *values[5];

		if (!s->outcomes[i].rejected)
			continue;
		settler_format_int(order, sizeof(order), (int64_t)i);
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

/* The epoch's applied attests against the book (SPEC section 5 step 8). */
static int write_reconciliations(settler *s, const lrt_epoch_report *r)
{
	char ordinal[24], epoch[24];
	lrt_copy *copy;
	size_t i;
	int rc;

	if (r->reconciliation_count == 0)
		return 0;
	settler_format_int(epoch, sizeof(epoch), s->epoch);
	rc = lrt_copy_begin(&copy, s->store,
		"COPY lrt.reconciliations (product_id, epoch, ordinal, event_id, asset,"
		" location, book, observed, difference) FROM STDIN");
	for (i = 0; i < r->reconciliation_count && rc == 0; i++) {
		const lrt_reconciliation *x = &r->reconciliation[i];
		char *book = mpz_get_str(NULL, 10, x->book);
		char *observed = mpz_get_str(NULL, 10, x->observed);
		char *difference = mpz_get_str(NULL, 10, x->difference);
		const char *values[9] = {s->id, epoch, ordinal, x->id, x->asset,
					 x->location, book, observed, difference};

		settler_format_int(ordinal, sizeof(ordinal), (int64_t)i);
		rc = book && observed && difference ? lrt_copy_row(copy, 9, values)
		     : (lrt_error_set("out of memory"), LRT_ENOMEM);
		free(book);
		free(observed);
		free(difference);
	}
	if (rc != 0) {
		lrt_copy_abort(copy, "lrt: reconciliations abandoned");
		return rc;
	}
	return lrt_copy_end(copy, NULL);
}

typedef struct {
	lrt_copy *copy;
	const char *id;
	int64_t ordinal;
} magnitude_copy;

static int count_program_rows(void *context, const char *program, const mpz_t index)
{
	(void)program;
	(void)index;
	(*(int64_t *)context)++;
	return 0;
}

static int copy_stake(void *context, const char *operator_name, const char *asset,
		      const mpz_t max_magnitude)
{
	magnitude_copy *c = context;
	char ordinal[24], *magnitude = mpz_get_str(NULL, 10, max_magnitude);
	const char *values[5] = {c->id, ordinal, operator_name, asset, magnitude};
	int rc;

	settler_format_int(ordinal, sizeof(ordinal), c->ordinal++);
	rc = magnitude ? lrt_copy_row(c->copy, 5, values)
	     : (lrt_error_set("out of memory"), LRT_ENOMEM);
	free(magnitude);
	return rc;
}

static int copy_allocation(void *context, const char *operator_name,
			   const char *asset, const char *avs, const mpz_t magnitude)
{
	magnitude_copy *c = context;
	char ordinal[24], *text = mpz_get_str(NULL, 10, magnitude);
	const char *values[6] = {c->id, ordinal, operator_name, asset, avs, text};
	int rc;

	settler_format_int(ordinal, sizeof(ordinal), c->ordinal++);
	rc = text ? lrt_copy_row(c->copy, 6, values)
	     : (lrt_error_set("out of memory"), LRT_ENOMEM);
	free(text);
	return rc;
}

/* EigenLayer's magnitudes, written again whole when an event of the epoch
 * may have changed them (an allocate, a slash by wad): a few rows per
 * operator. */
static int write_allocations(settler *s)
{
	magnitude_copy c = {NULL, s->id, 0};
	const char *params[1] = {s->id};
	bool changed = false;
	size_t i;
	int rc;

	for (i = 0; i < s->count; i++)
		changed = changed || s->events[i].type == LRT_EVENT_ALLOCATE
			  || (s->events[i].type == LRT_EVENT_SLASH && s->events[i].by_wad);
	if (!changed)
		return 0;
	rc = settler_command(s, "DELETE FROM lrt.stakes WHERE product_id = $1", 1, params);
	if (rc == 0)
		rc = settler_command(s, "DELETE FROM lrt.allocations WHERE product_id = $1",
				     1, params);
	if (rc == 0)
		rc = lrt_copy_begin(&c.copy, s->store,
			"COPY lrt.stakes (product_id, ordinal, operator, asset, max_magnitude)"
			" FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_stake(s->book, copy_stake, &c);
	if (rc != 0) {
		lrt_copy_abort(c.copy, "lrt: stakes abandoned");
		return rc;
	}
	rc = lrt_copy_end(c.copy, NULL);
	c.ordinal = 0;
	if (rc == 0)
		rc = lrt_copy_begin(&c.copy, s->store,
			"COPY lrt.allocations (product_id, ordinal, operator, asset, avs,"
			" magnitude) FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_allocation(s->book, copy_allocation, &c);
	if (rc != 0) {
		lrt_copy_abort(c.copy, "lrt: allocations abandoned");
		return rc;
	}
	return lrt_copy_end(c.copy, NULL);
}

static int copy_program(void *context, const char *program, const mpz_t index)
{
	magnitude_copy *c = context;
	char ordinal[24], *text = mpz_get_str(NULL, 10, index);
	const char *values[4] = {c->id, ordinal, program, text};
	int rc;

	settler_format_int(ordinal, sizeof(ordinal), c->ordinal++);
	rc = text ? lrt_copy_row(c->copy, 4, values)
	     : (lrt_error_set("out of memory"), LRT_ENOMEM);
	free(text);
	return rc;
}

static int copy_points(void *context, const char *holder_name, const char *program,
		       const mpz_t accrued, const mpz_t checkpoint)
{
	magnitude_copy *c = context;
	char *a = mpz_get_str(NULL, 10, accrued), *k = mpz_get_str(NULL, 10, checkpoint);
	const char *values[5] = {c->id, holder_name, program, a, k};
	int rc = a && k ? lrt_copy_row(c->copy, 5, values)
		 : (lrt_error_set("out of memory"), LRT_ENOMEM);

	free(a);
	free(k);
	return rc;
}

/* Points: every program's index (a few rows, every epoch) and the accounts
 * of the holders the epoch changed. */
static int write_points(settler *s)
{
	magnitude_copy c = {NULL, s->id, 0};
	const char *params[1] = {s->id};
	int rc;

	lrt_book_each_program_index(s->book, count_program_rows, &c.ordinal);
	if (c.ordinal == 0)
		return 0;
	c.ordinal = 0;
	rc = settler_command(s, "DELETE FROM lrt.points_programs WHERE product_id = $1",
			     1, params);
	if (rc == 0)
		rc = lrt_copy_begin(&c.copy, s->store,
			"COPY lrt.points_programs (product_id, ordinal, program, point_index)"
			" FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_program_index(s->book, copy_program, &c);
	if (rc != 0) {
		lrt_copy_abort(c.copy, "lrt: points programs abandoned");
		return rc;
	}
	rc = lrt_copy_end(c.copy, NULL);
	if (rc == 0)
		rc = settler_command(s, "CREATE TEMP TABLE IF NOT EXISTS settle_points"
			" (product_id bigint, holder text COLLATE \"C\", program text COLLATE \"C\","
			"  accrued numeric, checkpoint numeric) ON COMMIT DELETE ROWS", 0, NULL);
	if (rc == 0)
		rc = lrt_copy_begin(&c.copy, s->store, "COPY settle_points FROM STDIN");
	if (rc != 0)
		return rc;
	rc = lrt_book_each_changed_holder_points(s->book, copy_points, &c);
	if (rc != 0) {
		lrt_copy_abort(c.copy, "lrt: points abandoned");
		return rc;
	}
	rc = lrt_copy_end(c.copy, NULL);
	if (rc == 0)
		rc = settler_command(s,
			"INSERT INTO lrt.holder_points (product_id, holder, program, accrued,"
			" checkpoint) SELECT product_id, holder, program, accrued, checkpoint"
			"   FROM settle_points"
			" ON CONFLICT (product_id, holder, program) DO UPDATE"
			"   SET accrued = excluded.accrued, checkpoint = excluded.checkpoint",
			0, NULL);
	return rc;
}

static int write_state(settler *s, const lrt_epoch_report *r)
{
	const lrt_policy *policy = &lrt_book_product(s->book)->policy;
	char epoch[24], fee[16], delay[24], apr[16], guard[16], last_entry[24];
	char *assets = mpz_get_str(NULL, 10, r->total_assets);
	char *shares = mpz_get_str(NULL, 10, r->total_shares);
	char *deferred = mpz_get_str(NULL, 10, r->deferred);
	char *recipients = lrt_json_recipients_text(policy);
	char *mark_assets = NULL, *mark_shares = NULL;
	char *points = lrt_json_points_text(policy);
	const char *params[15];
	int rc = LRT_ENOMEM;
	mpq_t mark;

	mpq_init(mark);
	if (lrt_book_high_water_mark(mark, s->book)) {
		mark_assets = mpz_get_str(NULL, 10, mpq_numref(mark));
		mark_shares = mpz_get_str(NULL, 10, mpq_denref(mark));
	}
	mpq_clear(mark);

	settler_format_int(epoch, sizeof(epoch), r->epoch);
	settler_format_int(last_entry, sizeof(last_entry), s->last_entry);
	snprintf(fee, sizeof(fee), "%u", policy->fee_bps);
	settler_format_int(delay, sizeof(delay), policy->delay_epochs);
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
	params[11] = policy->fee_high_water_mark ? "t" : "f";
	params[12] = mark_assets;
	params[13] = mark_shares;
	params[14] = points;
	if (assets && shares && deferred && recipients && points)
		rc = settler_command(s,
			"UPDATE lrt.product_state SET total_assets = $2, total_shares = $3,"
			"       deferred = $4, settled_epoch = $5, fee_bps = $6,"
			"       fee_recipients = $7::jsonb, delay_epochs = $8, max_apr_bps = $9,"
			"       max_rate_change_bps = $10, last_entry = $11,"
			"       fee_high_water_mark = $12, high_water_mark_assets = $13,"
			"       high_water_mark_shares = $14, points = $15::jsonb, updated_at = now()"
			" WHERE product_id = $1", 15, params);
	free(mark_assets);
	free(mark_shares);
	free(points);
	free(assets);
	free(shares);
	free(deferred);
	free(recipients);
	return rc;
}

int settler_write_epoch(settler *s, const lrt_epoch_report *report)
{
	int rc = write_holders(s);

	settler_failpoint("holders");
	if (rc == 0)
		rc = write_requests(s);
	settler_failpoint("requests");
	if (rc == 0)
		rc = write_positions(s);
	if (rc == 0)
		rc = lrt_book_each_price(s->book, write_price, s);
	if (rc == 0)
		rc = write_snapshot(s);
	settler_failpoint("positions");
	if (rc == 0)
		rc = write_epoch_row(s, report);
	settler_failpoint("epoch");
	if (rc == 0)
		rc = write_rejections(s);
	if (rc == 0)
		rc = write_reconciliations(s, report);
	if (rc == 0)
		rc = write_allocations(s);
	if (rc == 0)
		rc = write_points(s);
	settler_failpoint("rejections");
	if (rc == 0)
		rc = write_state(s, report);
	settler_failpoint("state");
	return rc;
}

