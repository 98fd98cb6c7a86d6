/*
 * verify.c - `lrt verify`: recomputes a product's books two independent
 * ways and compares them with what is stored (see include/lrt/export.h).
 *
 *   1. the journal: every balance summed from the double-entry lines (and
 *      every entry balanced) against the stored holders, queue, positions,
 *      A, D and S; and each epoch's snapshot of positions and prices, kept
 *      for reporting, against the journal and the price events up to it;
 *   2. a replay: every event of the settled epochs, re-read from the inbox
 *      as received (its JSON, judged again by the C validator, whose typed
 *      columns must be the stored ones: settlement read those) and
 *      re-ordered, put through a new book from the product as created,
 *      against every stored epoch row, finalized request, rejection and the
 *      final state: holders, queue, positions, high-water mark, magnitudes,
 *      points indexes and every holder's points account.
 *
 * The replay streams the inbox (single-row mode) and keeps one epoch's
 * events at a time; the stored lists it compares with are read once.  The
 * stored holders and their points accounts are streamed too, each row
 * looked up in the replay's book (the accounts through an index of them,
 * built once), so verify's cost is linear in what it reads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/strmap.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/book.h"
#include "lrt/catalog.h"
#include "lrt/error.h"
#include "lrt/export.h"
#include "store/event_row.h"
#include "store/store_internal.h"

typedef struct {
	lrt_store *store;
	char id[24];
	lrt_verify_report *report;
	lrt_difference_fn fn;
	void *context;
} verifier;

static void differ(verifier *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void differ(verifier *v, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (v->report->differences++ >= LRT_VERIFY_DIFFERENCES_SHOWN || v->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	v->fn(v->context, line);
}

/* ---- 1. the journal ----------------------------------------------------------- */

static int check_journal(verifier *v)
{
	const char *params[1] = {v->id};
	PGresult *res;
	int i, rc;

	/* what the journal names must exist: its events, its epochs */
	rc = lrt_store_exec_tuples(&res, v->store,
		"SELECT 'event ' || j.event_id FROM lrt.journal j"
		" WHERE j.product_id = $1 AND j.event_id IS NOT NULL AND NOT EXISTS"
		"  (SELECT 1 FROM lrt.inbox i WHERE i.product_id = j.product_id"
		"      AND i.event_id = j.event_id)"
		" UNION ALL SELECT 'epoch ' || j.epoch FROM lrt.journal j"
		" WHERE j.product_id = $1 AND NOT EXISTS"
		"  (SELECT 1 FROM lrt.epochs e WHERE e.product_id = j.product_id"
		"      AND e.epoch = j.epoch)"
		" LIMIT 20", 1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		differ(v, "journal: names %s, which the database does not hold",
		       PQgetvalue(res, i, 0));
	PQclear(res);
	/* what the hot tables carry no key for (migrations/0004_hot_tables.sql) */
	rc = lrt_store_exec_tuples(&res, v->store,
		"(SELECT 'journal: entry ' || entry || ' leg ' || leg || ' is written '"
		"        || count(*) || ' times' FROM lrt.journal WHERE product_id = $1"
		"  GROUP BY entry, leg HAVING count(*) > 1 ORDER BY entry, leg LIMIT 20)"
		" UNION ALL (SELECT 'request ' || w.request_id || ': ' || x.what"
		"   || ', which the database does not hold' FROM lrt.withdrawal_requests w"
		"  CROSS JOIN LATERAL (VALUES"
		"   (CASE WHEN NOT EXISTS (SELECT 1 FROM lrt.inbox i WHERE i.product_id = $1"
		"         AND i.event_id = w.request_id) THEN 'its withdraw event' END),"
		"   (CASE WHEN w.claim_event_id IS NOT NULL AND NOT EXISTS (SELECT 1"
		"         FROM lrt.inbox i WHERE i.product_id = $1 AND i.event_id = w.claim_event_id)"
		"         THEN 'claim event ' || w.claim_event_id END),"
		"   (CASE WHEN w.finalized_epoch IS NOT NULL AND NOT EXISTS (SELECT 1"
		"         FROM lrt.epochs e WHERE e.product_id = $1 AND e.epoch = w.finalized_epoch)"
		"         THEN 'settled epoch ' || w.finalized_epoch END)) x(what)"
		"  WHERE w.product_id = $1 AND x.what IS NOT NULL LIMIT 20)"
		" UNION ALL (SELECT 'state: last journal entry ' || s.last_entry || ', but the"
		" journal''s is ' || coalesce(max(j.entry), 0) FROM lrt.product_state s"
		"  LEFT JOIN lrt.journal j ON j.product_id = s.product_id"
		"  WHERE s.product_id = $1 GROUP BY s.last_entry"
		"  HAVING s.last_entry <> coalesce(max(j.entry), 0))", 1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		differ(v, "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	/* each balance the journal sums to, against the stored one */
	rc = lrt_store_exec_tuples(&res, v->store,
		"WITH legs AS ("
		"  SELECT ledger, debit_kind AS kind, coalesce(debit_name, '') AS name, amount"
		"    FROM lrt.journal WHERE product_id = $1"
		"  UNION ALL"
		"  SELECT ledger, credit_kind, coalesce(credit_name, ''), -amount"
		"    FROM lrt.journal WHERE product_id = $1),"
		" balances AS ("
		"  SELECT ledger, kind, name, sum(amount) AS balance FROM legs"
		"   WHERE kind IN ('holder', 'queue', 'issued', 'position', 'total_assets',"
		"                  'deferred')"
		"   GROUP BY 1, 2, 3),"
		" stored AS ("
		"  SELECT -1 AS ledger, 'holder' AS kind, holder::text AS name, shares::numeric AS balance"
		"    FROM lrt.holders WHERE product_id = $1"
		"  UNION ALL SELECT -1, 'queue', request_id, shares FROM lrt.withdrawal_requests"
		"    WHERE product_id = $1 AND status = 'queued'"
		"  UNION ALL SELECT -1, 'issued', '', -total_shares FROM lrt.product_state"
		"    WHERE product_id = $1"
		"  UNION ALL SELECT asset_ordinal, 'position', location, amount FROM lrt.positions"
		"    WHERE product_id = $1"
		"  UNION ALL SELECT -2, 'total_assets', '', total_assets FROM lrt.product_state"
		"    WHERE product_id = $1"
		"  UNION ALL SELECT -2, 'deferred', '', deferred FROM lrt.product_state"
		"    WHERE product_id = $1)"
		" SELECT coalesce(s.ledger, b.ledger), coalesce(s.kind, b.kind),"
		"        coalesce(s.name, b.name), coalesce(s.balance, 0)::text,"
		"        coalesce(b.balance, 0)::text,"
		"        coalesce(s.balance, 0) = coalesce(b.balance, 0)"
		"   FROM stored s FULL JOIN balances b"
		"     ON s.ledger = b.ledger AND s.kind = b.kind AND s.name = b.name",
		1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		v->report->journal_checks++;
		if (strcmp(PQgetvalue(res, i, 5), "t") != 0)
			differ(v, "journal: ledger %s %s %s: stored %s, journal says %s",
			       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			       PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			       PQgetvalue(res, i, 4));
	}
	PQclear(res);
	return 0;
}

/*
 * Each settled epoch's snapshot for reporting (lrt.epoch_positions and
 * lrt.epoch_prices) against the journal summed up to that epoch and the
 * price events applied by then: the same SQL functions that filled the
 * snapshots of epochs settled before migration 0007.
 */
static int check_snapshots(verifier *v)
{
	const char *params[1] = {v->id};
	PGresult *res;
	int rc, i;

	rc = lrt_store_exec_tuples(&res, v->store,
		"WITH stored AS ("
		"  SELECT epoch, asset_ordinal, location, amount FROM lrt.epoch_positions"
		"   WHERE product_id = $1),"
		" journal AS (SELECT * FROM lrt.epoch_positions_from_journal($1))"
		" SELECT 'epoch ' || coalesce(s.epoch, j.epoch) || ': position (asset '"
		"        || coalesce(s.asset_ordinal, j.asset_ordinal) || ', '"
		"        || coalesce(s.location, j.location) || '): stored '"
		"        || coalesce(s.amount, 0) || ', journal says ' || coalesce(j.amount, 0)"
		"   FROM stored s FULL JOIN journal j ON s.epoch = j.epoch"
		"        AND s.asset_ordinal = j.asset_ordinal AND s.location = j.location"
		"  WHERE s.amount IS DISTINCT FROM j.amount"
		" UNION ALL"
		" SELECT 'epoch ' || coalesce(s.epoch, x.epoch) || ': price of asset '"
		"        || coalesce(s.asset_ordinal, x.asset_ordinal) || ': stored '"
		"        || coalesce(s.price::text, 'none') || ', the price events say '"
		"        || coalesce(x.price::text, 'none')"
		"   FROM (SELECT epoch, asset_ordinal, price FROM lrt.epoch_prices"
		"          WHERE product_id = $1) s"
		"   FULL JOIN lrt.epoch_prices_from_inbox($1) x ON s.epoch = x.epoch"
		"        AND s.asset_ordinal = x.asset_ordinal"
		"  WHERE s.price IS DISTINCT FROM x.price"
		" LIMIT 50", 1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		differ(v, "snapshot: %s", PQgetvalue(res, i, 0));
	PQclear(res);
	return 0;
}

/* ---- 2. the replay ------------------------------------------------------------ */

typedef struct {
	verifier *v;
	lrt_product product;
	lrt_book *book;
	int64_t settled;        /* the stored last settled epoch */
	int64_t open_epoch;     /* the epoch open in the book, or -1 */
	PGresult *epochs;       /* stored rows, by epoch */
	PGresult *finalized;    /* finalized_epoch, request, shares, payout */
	PGresult *rejected;     /* epoch, event_id */
	PGresult *reconciled;   /* epoch, event_id, asset, location, book, observed */
	int next_row, next_finalized, next_rejected, next_reconciled;
	lrt_arena arena;        /* strings of the open epoch's events */
	lrt_event event;
	lrt_epoch_report report;
} replay;

static void compare_figure(replay *r, int64_t epoch, const char *name,
			   const char *stored, const mpz_t computed)
{
	char *text = mpz_get_str(NULL, 10, computed);

	if (text != NULL && strcmp(stored, text) != 0)
		differ(r->v, "epoch %lld: %s: stored %s, replay %s", (long long)epoch,
		       name, stored, text);
	free(text);
}

static void compare_lists(replay *r, const lrt_epoch_report *rep)
{
	size_t i;
	char *shares, *payout;

	for (i = 0; i < rep->finalized_count; i++, r->next_finalized++) {
		int row = r->next_finalized;

		if (row >= PQntuples(r->finalized)
		    || strtoll(PQgetvalue(r->finalized, row, 0), NULL, 10) != rep->epoch
		    || strcmp(PQgetvalue(r->finalized, row, 1), rep->finalized[i].request) != 0) {
			differ(r->v, "epoch %lld: replay finalizes %s, the database does not",
			       (long long)rep->epoch, rep->finalized[i].request);
			return;
		}
		shares = mpz_get_str(NULL, 10, rep->finalized[i].shares);
		payout = mpz_get_str(NULL, 10, rep->finalized[i].payout);
		if (shares && payout && (strcmp(shares, PQgetvalue(r->finalized, row, 2))
					 || strcmp(payout, PQgetvalue(r->finalized, row, 3))))
			differ(r->v, "epoch %lld: request %s: stored %s shares paid %s, replay"
			       " %s shares paid %s", (long long)rep->epoch,
			       rep->finalized[i].request, PQgetvalue(r->finalized, row, 2),
			       PQgetvalue(r->finalized, row, 3), shares, payout);
		free(shares);
		free(payout);
	}
	if (r->next_finalized < PQntuples(r->finalized)
	    && strtoll(PQgetvalue(r->finalized, r->next_finalized, 0), NULL, 10) == rep->epoch)
		differ(r->v, "epoch %lld: the database finalizes %s, the replay does not",
		       (long long)rep->epoch, PQgetvalue(r->finalized, r->next_finalized, 1));
	for (i = 0; i < rep->rejected_count; i++, r->next_rejected++) {
		int row = r->next_rejected;

		if (row >= PQntuples(r->rejected)
		    || strtoll(PQgetvalue(r->rejected, row, 0), NULL, 10) != rep->epoch
		    || strcmp(PQgetvalue(r->rejected, row, 1), rep->rejected[i].id) != 0) {
			differ(r->v, "epoch %lld: replay rejects %s (%s), the database does not",
			       (long long)rep->epoch, rep->rejected[i].id, rep->rejected[i].reason);
			return;
		}
	}
	if (r->next_rejected < PQntuples(r->rejected)
	    && strtoll(PQgetvalue(r->rejected, r->next_rejected, 0), NULL, 10) == rep->epoch)
		differ(r->v, "epoch %lld: the database rejects %s, the replay does not",
		       (long long)rep->epoch, PQgetvalue(r->rejected, r->next_rejected, 1));
}

/* The epoch's attests against the stored reconciliation rows. */
static void compare_reconciliation(replay *r, const lrt_epoch_report *rep)
{
	const PGresult *res = r->reconciled;
	size_t i;

	for (i = 0; i < rep->reconciliation_count; i++, r->next_reconciled++) {
		const lrt_reconciliation *x = &rep->reconciliation[i];
		int row = r->next_reconciled;
		char *book, *observed;

		if (row >= PQntuples(res)
		    || strtoll(PQgetvalue(res, row, 0), NULL, 10) != rep->epoch
		    || strcmp(PQgetvalue(res, row, 1), x->id) != 0) {
			differ(r->v, "epoch %lld: replay reconciles attest %s, the database does not",
			       (long long)rep->epoch, x->id);
			return;
		}
		book = mpz_get_str(NULL, 10, x->book);
		observed = mpz_get_str(NULL, 10, x->observed);
		if (book && observed && (strcmp(PQgetvalue(res, row, 2), x->asset)
					 || strcmp(PQgetvalue(res, row, 3), x->location)
					 || strcmp(PQgetvalue(res, row, 4), book)
					 || strcmp(PQgetvalue(res, row, 5), observed)))
			differ(r->v, "epoch %lld: attest %s: stored (%s, %s) book %s observed %s,"
			       " replay (%s, %s) book %s observed %s", (long long)rep->epoch,
			       x->id, PQgetvalue(res, row, 2), PQgetvalue(res, row, 3),
			       PQgetvalue(res, row, 4), PQgetvalue(res, row, 5), x->asset,
			       x->location, book, observed);
		free(book);
		free(observed);
	}
	if (r->next_reconciled < PQntuples(res)
	    && strtoll(PQgetvalue(res, r->next_reconciled, 0), NULL, 10) == rep->epoch)
		differ(r->v, "epoch %lld: the database reconciles attest %s, the replay does not",
		       (long long)rep->epoch, PQgetvalue(res, r->next_reconciled, 1));
}

static void compare_epoch(replay *r, const lrt_epoch_report *rep)
{
	static const char *const names[14] = {
		"total_assets", "total_shares", "rate", "deferred", "rewards",
		"slashed", "revaluation", "recognized", "fee_value", "fee_shares",
		"buffer", "claimable", "rate_before", "rate_after",
	};
	const mpz_t *figures[14] = {
		&rep->total_assets, &rep->total_shares, &rep->rate, &rep->deferred,
		&rep->rewards, &rep->slashed, &rep->revaluation, &rep->recognized,
		&rep->fee_value, &rep->fee_shares, &rep->buffer, &rep->claimable,
		&rep->rate_before, &rep->rate_after,
	};
	int row = r->next_row, i;

	if (row >= PQntuples(r->epochs)
	    || strtoll(PQgetvalue(r->epochs, row, 0), NULL, 10) != rep->epoch) {
		differ(r->v, "epoch %lld: settled by the replay, but has no stored row",
		       (long long)rep->epoch);
		return;
	}
	r->next_row++;
	for (i = 0; i < 14; i++)
		compare_figure(r, rep->epoch, names[i], PQgetvalue(r->epochs, row, i + 1),
			       *figures[i]);
	compare_lists(r, rep);
	compare_reconciliation(r, rep);
	r->v->report->epochs_replayed++;
}

/* Settles the open epoch and compares it with the stored one. */
static int settle_open(replay *r)
{
	int rc = lrt_book_settle(r->book, &r->report);

	if (rc == LRT_EGUARD) {
		differ(r->v, "replay: %s, but the epoch is stored as settled",
		       lrt_error_last());
		return LRT_EVERIFY;
	}
	if (rc != 0)
		return rc;
	compare_epoch(r, &r->report);
	r->open_epoch = -1;
	lrt_event_clear(&r->event);
	lrt_event_init(&r->event);
	lrt_arena_clear(&r->arena);
	return 0;
}

/* Settles every epoch before `epoch` (empty ones too) and opens `epoch`. */
static int advance_to(replay *r, int64_t epoch)
{
	int rc = 0;

	while (rc == 0 && r->open_epoch != epoch) {
		if (r->open_epoch >= 0 && r->open_epoch < epoch) {
			rc = settle_open(r);
		} else if (r->open_epoch < 0 && lrt_book_settled_epoch(r->book) < epoch) {
			r->open_epoch = lrt_book_settled_epoch(r->book) + 1;
			rc = lrt_book_begin_epoch(r->book, r->open_epoch);
		} else {
			lrt_error_set("replay: an event of epoch %lld comes after epoch %lld",
				      (long long)epoch, (long long)r->open_epoch);
			rc = LRT_ESTATE;
		}
	}
	return rc;
}

/* The typed columns of an inbox row (from column 3) against what the C
 * validator makes of its event: settlement reads the columns. */
static int check_columns(replay *r, const PGresult *row)
{
	const char *stored[LRT_EVENT_ROW_COLUMN_COUNT];
	const char *column, *stored_value, *event_value;
	lrt_event_row scratch;
	int i, rc;

	for (i = 0; i < LRT_EVENT_ROW_COLUMN_COUNT; i++)
		stored[i] = PQgetisnull(row, 0, i + 3) ? NULL : PQgetvalue(row, 0, i + 3);
	rc = lrt_event_row_compare(&column, &stored_value, &event_value, &scratch,
				   &r->event, stored);
	if (rc == 1)
		differ(r->v, "inbox event %s: %s is %.80s, but its event says %.80s",
		       PQgetvalue(row, 0, 1), column, stored_value, event_value);
	lrt_event_row_clear(&scratch);
	return rc == 1 ? 0 : rc;
}

static int replay_event(void *context, const PGresult *row)
{
	replay *r = context;
	int64_t epoch = strtoll(PQgetvalue(row, 0, 0), NULL, 10);
	json_t *object;
	int rc = advance_to(r, epoch);

	if (rc != 0)
		return rc;
	rc = lrt_json_load(&object, PQgetvalue(row, 0, 2), (size_t)PQgetlength(row, 0, 2),
			   0, NULL);
	if (rc == LRT_ENOMEM)
		return rc;      /* not a difference */
	lrt_event_clear(&r->event);
	lrt_event_init(&r->event);
	if (rc == 0)
		rc = lrt_json_event(&r->event, &r->arena, object, &r->product);
	json_decref(object);
	if (rc == LRT_ENOMEM)
		return rc;
	if (rc != 0) {
		differ(r->v, "inbox event %s cannot be read: %s", PQgetvalue(row, 0, 1),
		       lrt_error_last());
		return 0;
	}
	rc = check_columns(r, row);
	if (rc != 0)
		return rc;
	rc = lrt_book_apply(r->book, &r->event);
	r->v->report->events_replayed++;
	return rc == LRT_EREJECT ? 0 : rc;
}

/* Streams the rows of a query on the product (the inbox is never one
 * result in memory). */
static int stream_rows(lrt_store *store, const char *query, const char *id,
		       lrt_store_row_fn fn, void *context)
{
	const char *params[1] = {id};

	return lrt_store_each_row(store, query, 1, params, fn, context);
}

/* ---- the final state ------------------------------------------------------------ */

typedef struct {
	replay *r;
	size_t nonzero;
} holder_check;

static int check_holder(void *context, const PGresult *row)
{
	holder_check *h = context;
	mpz_t stored, computed;

	mpz_init_set_str(stored, PQgetvalue(row, 0, 1), 10);
	mpz_init(computed);
	lrt_book_holder_shares(computed, h->r->book, PQgetvalue(row, 0, 0));
	if (mpz_cmp(stored, computed) != 0) {
		char line[300];

		gmp_snprintf(line, sizeof(line), "stored %Zd, replay %Zd", stored, computed);
		differ(h->r->v, "holder %s: %s", PQgetvalue(row, 0, 0), line);
	}
	if (mpz_sgn(stored) != 0)
		h->nonzero++;
	mpz_clear(stored);
	mpz_clear(computed);
	return 0;
}

static int count_holder(void *context, const char *holder, const mpz_t shares)
{
	(void)holder;
	(void)shares;
	(*(size_t *)context)++;
	return 0;
}

typedef struct {
	replay *r;
	PGresult *queue;
	int next;
} queue_check;

static int check_queued(void *context, const lrt_request_view *view)
{
	queue_check *q = context;
	char *shares = mpz_get_str(NULL, 10, *view->shares);
	char *cap = mpz_get_str(NULL, 10, *view->cap);
	int row = q->next++;

	if (row >= PQntuples(q->queue))
		differ(q->r->v, "queue: replay holds request %s, the database does not",
		       view->request);
	else if (strcmp(PQgetvalue(q->queue, row, 0), view->request) != 0
		 || strcmp(PQgetvalue(q->queue, row, 1), shares) != 0
		 || strcmp(PQgetvalue(q->queue, row, 2), cap) != 0)
		differ(q->r->v, "queue position %d: stored %s (%s shares, cap %s), replay"
		       " %s (%s shares, cap %s)", row, PQgetvalue(q->queue, row, 0),
		       PQgetvalue(q->queue, row, 1), PQgetvalue(q->queue, row, 2),
		       view->request, shares, cap);
	free(shares);
	free(cap);
	return 0;
}

static int check_position(void *context, const PGresult *row)
{
	replay *r = context;
	mpz_t computed;
	char *text;

	mpz_init(computed);
	lrt_book_position(computed, r->book, PQgetvalue(row, 0, 0), PQgetvalue(row, 0, 1));
	text = mpz_get_str(NULL, 10, computed);
	if (text != NULL && strcmp(text, PQgetvalue(row, 0, 2)) != 0)
		differ(r->v, "position (%s, %s): stored %s, replay %s", PQgetvalue(row, 0, 0),
		       PQgetvalue(row, 0, 1), PQgetvalue(row, 0, 2), text);
	free(text);
	mpz_clear(computed);
	return 0;
}

static int count_position(void *context, const char *asset, const char *location,
			  const mpz_t amount)
{
	(void)asset;
	(void)location;
	(void)amount;
	(*(size_t *)context)++;
	return 0;
}

static int check_positions(replay *r)
{
	char count[32];
	const char *params[1] = {r->v->id};
	size_t replayed = 0;
	int rc;

	rc = stream_rows(r->v->store,
		"SELECT a.symbol, x.location, x.amount::text FROM lrt.positions x"
		"  JOIN lrt.product_assets a ON a.product_id = x.product_id"
		"   AND a.ordinal = x.asset_ordinal WHERE x.product_id = $1",
		r->v->id, check_position, r);
	if (rc == 0)
		rc = lrt_store_exec_value(count, sizeof(count), r->v->store,
			"SELECT count(*) FROM lrt.positions WHERE product_id = $1 AND amount > 0",
			1, params);
	if (rc == 0)
		rc = lrt_book_each_position(r->book, count_position, &replayed);
	if (rc == 0 && (size_t)strtoull(count, NULL, 10) != replayed)
		differ(r->v, "positions: the database has %s non-zero, the replay %zu",
		       count, replayed);
	return rc;
}

/* One stake or allocation of the replay against the next stored row. */
typedef struct {
	replay *r;
	PGresult *rows;
	int next;
	const char *what;
} magnitude_check;

static void compare_magnitude(magnitude_check *c, const char *key, const mpz_t value)
{
	char *text = mpz_get_str(NULL, 10, value);
	int row = c->next++;

	if (row >= PQntuples(c->rows))
		differ(c->r->v, "%s %s: the replay has it, the database does not", c->what, key);
	else if (strcmp(PQgetvalue(c->rows, row, 0), key) != 0
		 || (text != NULL && strcmp(PQgetvalue(c->rows, row, 1), text) != 0))
		differ(c->r->v, "%s: stored %s = %s, replay %s = %s", c->what,
		       PQgetvalue(c->rows, row, 0), PQgetvalue(c->rows, row, 1), key,
		       text ? text : "?");
	free(text);
}

static int check_stake(void *context, const char *operator_name, const char *asset,
		       const mpz_t max_magnitude)
{
	char key[2 * 520];

	snprintf(key, sizeof(key), "%s/%s", operator_name, asset);
	compare_magnitude(context, key, max_magnitude);
	return 0;
}

static int check_allocation(void *context, const char *operator_name, const char *asset,
			    const char *avs, const mpz_t magnitude)
{
	char key[3 * 520];

	snprintf(key, sizeof(key), "%s/%s/%s", operator_name, asset, avs);
	compare_magnitude(context, key, magnitude);
	return 0;
}

/* The stored stakes and allocations against the replay's, in order. */
static int check_magnitudes(replay *r)
{
	const char *params[1] = {r->v->id};
	magnitude_check c = {r, NULL, 0, "max magnitude"};
	int rc;

	rc = lrt_store_exec_tuples(&c.rows, r->v->store,
		"SELECT operator || '/' || asset, max_magnitude::text FROM lrt.stakes"
		" WHERE product_id = $1 ORDER BY ordinal", 1, params);
	if (rc == 0)
		rc = lrt_book_each_stake(r->book, check_stake, &c);
	if (rc == 0 && c.next < PQntuples(c.rows))
		differ(r->v, "max magnitude %s: stored, but not in the replay",
		       PQgetvalue(c.rows, c.next, 0));
	PQclear(c.rows);
	c.rows = NULL;
	c.next = 0;
	c.what = "allocation";
	if (rc == 0)
		rc = lrt_store_exec_tuples(&c.rows, r->v->store,
			"SELECT operator || '/' || asset || '/' || avs, magnitude::text"
			"  FROM lrt.allocations WHERE product_id = $1 ORDER BY ordinal",
			1, params);
	if (rc == 0)
		rc = lrt_book_each_allocation(r->book, check_allocation, &c);
	if (rc == 0 && c.next < PQntuples(c.rows))
		differ(r->v, "allocation %s: stored, but not in the replay",
		       PQgetvalue(c.rows, c.next, 0));
	PQclear(c.rows);
	return rc;
}

static int check_program(void *context, const char *program, const mpz_t index)
{
	compare_magnitude(context, program, index);
	return 0;
}

/* The stored points programs' indexes against the replay's. */
static int check_programs(replay *r)
{
	const char *params[1] = {r->v->id};
	magnitude_check c = {r, NULL, 0, "points index"};
	int rc;

	rc = lrt_store_exec_tuples(&c.rows, r->v->store,
		"SELECT program, point_index::text FROM lrt.points_programs"
		" WHERE product_id = $1 ORDER BY ordinal", 1, params);
	if (rc == 0)
		rc = lrt_book_each_program_index(r->book, check_program, &c);
	if (rc == 0 && c.next < PQntuples(c.rows))
		differ(r->v, "points index %s: stored, but not in the replay",
		       PQgetvalue(c.rows, c.next, 0));
	PQclear(c.rows);
	return rc;
}

/* ---- holders' points accounts ------------------------------------------------ */

/* One account of the replay: a holder's (accrued, checkpoint) in a program.
 * The names and values are the book's own, borrowed: the book is not
 * changed once the replay is done, so they stay where they are. */
typedef struct {
	const char *holder;
	const char *program;
	mpz_srcptr accrued, checkpoint;
	bool seen;              /* a stored row named it */
} account_view;

/* Every account of the replay, each holder's one after the other (as the
 * book lists them), found by holder name in O(1) and then among that
 * holder's few programs: one pass over the stored rows, one over these. */
typedef struct {
	account_view *accounts;
	size_t count, capacity;
	lrt_strmap holders;     /* holder -> index of its first account */
} account_index;

static int index_account(void *context, const char *holder_name, const char *program,
			 const mpz_t accrued, const mpz_t checkpoint)
{
	account_index *x = context;
	bool first = x->count == 0 || strcmp(x->accounts[x->count - 1].holder, holder_name) != 0;
	int rc;

	if (x->count == x->capacity) {
		size_t capacity = x->capacity ? 2 * x->capacity : 256;
		account_view *grown = capacity <= UINT32_MAX
			? realloc(x->accounts, capacity * sizeof(*grown)) : NULL;

		if (grown == NULL) {
			lrt_error_set("out of memory indexing the replay's points");
			return LRT_ENOMEM;
		}
		x->accounts = grown;
		x->capacity = capacity;
	}
	if (first && lrt_strmap_find(&x->holders, holder_name) >= 0) {
		lrt_error_set("replay: the points of %s are not listed together", holder_name);
		return LRT_ESTATE;
	}
	if (first) {
		rc = lrt_strmap_insert(&x->holders, holder_name, (uint32_t)x->count);
		if (rc != 0)
			return rc;
	}
	x->accounts[x->count++] = (account_view){holder_name, program, accrued, checkpoint,
						  false};
	return 0;
}

/* The replay's account of `holder_name` in `program`, or NULL. */
static account_view *find_account(account_index *x, const char *holder_name,
				  const char *program)
{
	int64_t first = lrt_strmap_find(&x->holders, holder_name);
	size_t i;

	if (first < 0)
		return NULL;
	for (i = (size_t)first; i < x->count && strcmp(x->accounts[i].holder, holder_name) == 0;
	     i++)
		if (strcmp(x->accounts[i].program, program) == 0)
			return &x->accounts[i];
	return NULL;
}

typedef struct {
	replay *r;
	account_index *index;
} points_check;

/* One stored row (holder, program, accrued, checkpoint) against the replay. */
static int check_holder_points(void *context, const PGresult *row)
{
	points_check *c = context;
	const char *holder_name = PQgetvalue(row, 0, 0), *program = PQgetvalue(row, 0, 1);
	const char *accrued = PQgetvalue(row, 0, 2), *checkpoint = PQgetvalue(row, 0, 3);
	account_view *account = find_account(c->index, holder_name, program);
	char *a, *k;

	if (account == NULL) {
		differ(c->r->v, "points of %s in %s: stored accrued %s checkpoint %s, but not"
		       " in the replay", holder_name, program, accrued, checkpoint);
		return 0;
	}
	account->seen = true;
	a = mpz_get_str(NULL, 10, account->accrued);
	k = mpz_get_str(NULL, 10, account->checkpoint);
	if (a == NULL || k == NULL) {
		free(a);
		free(k);
		lrt_error_set("out of memory comparing points");
		return LRT_ENOMEM;
	}
	if (strcmp(accrued, a) != 0 || strcmp(checkpoint, k) != 0)
		differ(c->r->v, "points of %s in %s: stored accrued %s checkpoint %s, replay"
		       " accrued %s checkpoint %s", holder_name, program, accrued, checkpoint,
		       a, k);
	free(a);
	free(k);
	return 0;
}

/* Every stored holder's points account (lrt.holder_points) against the
 * replay's, both ways: a stored row the replay lacks, a changed one, and an
 * account of the replay no row holds.  The accounts are the book's exact
 * sums, not points: a checkpoint moved by one is a difference even when
 * the floor hides it. */
static int check_holders_points(replay *r)
{
	account_index x;
	points_check c = {r, &x};
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	lrt_strmap_init(&x.holders);
	/* the replay's book never clears its changes: every holder it changed,
	 * which is every holder with an account */
	rc = lrt_book_each_changed_holder_points(r->book, index_account, &x);
	if (rc == 0)
		rc = stream_rows(r->v->store,
			"SELECT holder, program, accrued::text, checkpoint::text"
			"  FROM lrt.holder_points WHERE product_id = $1",
			r->v->id, check_holder_points, &c);
	for (i = 0; rc == 0 && i < x.count; i++) {
		char *a, *k;

		if (x.accounts[i].seen)
			continue;
		a = mpz_get_str(NULL, 10, x.accounts[i].accrued);
		k = mpz_get_str(NULL, 10, x.accounts[i].checkpoint);
		if (a != NULL && k != NULL)
			differ(r->v, "points of %s in %s: replay accrued %s checkpoint %s, but"
			       " the database has no row", x.accounts[i].holder,
			       x.accounts[i].program, a, k);
		else
			rc = (lrt_error_set("out of memory comparing points"), LRT_ENOMEM);
		free(a);
		free(k);
	}
	lrt_strmap_clear(&x.holders);
	free(x.accounts);
	return rc;
}

/* The stored high-water mark against the replay's. */
static int check_mark(replay *r)
{
	const char *params[1] = {r->v->id};
	lrt_book *stored = NULL;
	PGresult *res = NULL;
	mpq_t replayed, kept;
	bool has_replayed, has_kept;
	int rc;

	rc = lrt_store_exec_tuples(&res, r->v->store,
		"SELECT high_water_mark_assets::text, high_water_mark_shares::text"
		"  FROM lrt.product_state WHERE product_id = $1", 1, params);
	if (rc == 0)
		rc = lrt_book_new(&stored, &r->product);
	if (rc == 0 && PQntuples(res) == 1)
		rc = lrt_store_restore_mark(stored, res, 0, 0);
	if (rc == 0) {
		mpq_inits(replayed, kept, NULL);
		has_replayed = lrt_book_high_water_mark(replayed, r->book);
		has_kept = lrt_book_high_water_mark(kept, stored);
		if (has_replayed != has_kept || (has_kept && !mpq_equal(replayed, kept))) {
			char a[400] = "none", b[400] = "none";

			if (has_kept)
				gmp_snprintf(a, sizeof(a), "%Qd", kept);
			if (has_replayed)
				gmp_snprintf(b, sizeof(b), "%Qd", replayed);
			differ(r->v, "high-water mark: stored %s, replay %s", a, b);
		}
		mpq_clears(replayed, kept, NULL);
	}
	lrt_book_free(stored);
	PQclear(res);
	return rc;
}

static int check_final(replay *r)
{
	const char *params[1] = {r->v->id};
	holder_check h = {r, 0};
	queue_check q = {r, NULL, 0};
	size_t replayed = 0;
	int rc;

	rc = stream_rows(r->v->store,
		"SELECT holder, shares::text FROM lrt.holders WHERE product_id = $1",
		r->v->id, check_holder, &h);
	if (rc == 0)
		rc = lrt_book_each_holder(r->book, false, count_holder, &replayed);
	if (rc == 0 && replayed != h.nonzero)
		differ(r->v, "holders: the database has %zu with shares, the replay %zu",
		       h.nonzero, replayed);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&q.queue, r->v->store,
			"SELECT request_id, shares::text, cap::text FROM lrt.withdrawal_requests"
			" WHERE product_id = $1 AND status = 'queued' ORDER BY queue_position",
			1, params);
	if (rc == 0)
		rc = lrt_book_each_queued(r->book, check_queued, &q);
	if (rc == 0 && q.next < PQntuples(q.queue))
		differ(r->v, "queue: the database holds request %s, the replay does not",
		       PQgetvalue(q.queue, q.next, 0));
	PQclear(q.queue);
	if (rc == 0)
		rc = check_positions(r);
	if (rc == 0)
		rc = check_mark(r);
	if (rc == 0)
		rc = check_magnitudes(r);
	if (rc == 0)
		rc = check_programs(r);
	if (rc == 0)
		rc = check_holders_points(r);
	return rc;
}

static int load_stored(replay *r)
{
	const char *params[1] = {r->v->id};
	int rc;

	rc = lrt_store_exec_tuples(&r->epochs, r->v->store,
		"SELECT epoch, total_assets::text, total_shares::text, rate::text,"
		"       deferred::text, rewards::text, slashed::text, revaluation::text,"
		"       recognized::text, fee_value::text, fee_shares::text, buffer::text,"
		"       claimable::text, rate_before::text, rate_after::text"
		"  FROM lrt.epochs WHERE product_id = $1 ORDER BY epoch", 1, params);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&r->finalized, r->v->store,
			"SELECT finalized_epoch, request_id, shares::text, payout::text"
			"  FROM lrt.withdrawal_requests"
			" WHERE product_id = $1 AND finalized_epoch IS NOT NULL"
			" ORDER BY finalized_epoch, queue_position", 1, params);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&r->rejected, r->v->store,
			"SELECT epoch, event_id FROM lrt.rejected_events"
			" WHERE product_id = $1 ORDER BY epoch, apply_order", 1, params);
	if (rc == 0)
		rc = lrt_store_exec_tuples(&r->reconciled, r->v->store,
			"SELECT epoch, event_id, asset, location, book::text, observed::text"
			"  FROM lrt.reconciliations WHERE product_id = $1"
			" ORDER BY epoch, ordinal", 1, params);
	return rc;
}

/* Each settled epoch's stored event count against the inbox: an event that
 * reached the inbox after its epoch settled was never applied. */
static int check_event_counts(replay *r)
{
	const char *params[1] = {r->v->id};
	PGresult *res;
	int i, rc;

	rc = lrt_store_exec_tuples(&res, r->v->store,
		"SELECT e.epoch, e.events, count(i.event_id)"
		"  FROM lrt.epochs e LEFT JOIN lrt.inbox i"
		"    ON i.product_id = e.product_id AND i.epoch = e.epoch"
		" WHERE e.product_id = $1 GROUP BY e.epoch, e.events"
		" HAVING e.events <> count(i.event_id) ORDER BY e.epoch LIMIT 20",
		1, params);
	if (rc != 0)
		return rc;
	for (i = 0; i < PQntuples(res); i++)
		differ(r->v, "epoch %s settled %s events, but the inbox holds %s for it",
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	PQclear(res);
	return 0;
}

static int check_replay(verifier *v, const char *symbol)
{
	replay r;
	int64_t product_id;
	char settled[32];
	const char *params[1] = {v->id};
	int rc;

	memset(&r, 0, sizeof(r));
	r.v = v;
	r.open_epoch = -1;
	lrt_product_init(&r.product);
	lrt_arena_init(&r.arena);
	lrt_event_init(&r.event);
	lrt_epoch_report_init(&r.report);
	rc = lrt_catalog_load_as_created(&r.product, &product_id, v->store, symbol);
	if (rc == 0)
		rc = lrt_book_new(&r.book, &r.product);
	if (rc == 0)
		rc = lrt_store_exec_value(settled, sizeof(settled), v->store,
			"SELECT settled_epoch FROM lrt.product_state WHERE product_id = $1",
			1, params);
	if (rc == 0)
		rc = load_stored(&r);
	r.settled = strtoll(settled, NULL, 10);
	if (rc == 0)
		rc = check_event_counts(&r);
	if (rc == 0)
		rc = stream_rows(v->store,
			"SELECT i.epoch, i.event_id, i.event::text, " LRT_EVENT_ROW_COLUMN_LIST
			"  FROM lrt.inbox i"
			" WHERE i.product_id = $1 AND i.epoch <= (SELECT s.settled_epoch"
			"       FROM lrt.product_state s WHERE s.product_id = $1)"
			" ORDER BY i.epoch, CASE WHEN bool_and(i.seq IS NOT NULL)"
			"          OVER (PARTITION BY i.epoch) THEN i.seq END, i.ingest_order",
			v->id, replay_event, &r);
	if (rc == 0 && r.settled >= 0)
		rc = advance_to(&r, r.settled);
	if (rc == 0 && r.open_epoch >= 0)
		rc = settle_open(&r);
	if (rc == 0 && r.next_row < PQntuples(r.epochs))
		differ(v, "epoch %s: stored, but the replay stops before it",
		       PQgetvalue(r.epochs, r.next_row, 0));
	if (rc == 0)
		rc = check_final(&r);
	PQclear(r.epochs);
	PQclear(r.finalized);
	PQclear(r.rejected);
	PQclear(r.reconciled);
	lrt_epoch_report_clear(&r.report);
	lrt_event_clear(&r.event);
	lrt_arena_clear(&r.arena);
	lrt_book_free(r.book);
	lrt_product_clear(&r.product);
	return rc;
}

int lrt_verify(lrt_verify_report *report, lrt_store *store, const char *symbol,
	       lrt_difference_fn fn, void *context)
{
	lrt_product product;
	int64_t product_id = 0;
	verifier v;
	int rc;

	memset(report, 0, sizeof(*report));
	v.store = store;
	v.report = report;
	v.fn = fn;
	v.context = context;
	lrt_product_init(&product);
	rc = lrt_catalog_load(&product, &product_id, NULL, store, symbol);
	lrt_product_clear(&product);
	snprintf(v.id, sizeof(v.id), "%lld", (long long)product_id);
	/* one snapshot for both checks */
	if (rc == 0)
		rc = lrt_store_exec_command(store,
			"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	if (rc == 0)
		rc = check_journal(&v);
	if (rc == 0)
		rc = check_snapshots(&v);
	if (rc == 0)
		rc = check_replay(&v, symbol);
	if (rc == 0)
		rc = lrt_store_exec_command(store, "COMMIT", 0, NULL);
	else
		lrt_store_rollback(store);
	if (rc == LRT_EVERIFY)
		rc = 0;
	if (rc == 0 && report->differences > 0) {
		lrt_error_set("%zu difference%s found", report->differences,
			      report->differences == 1 ? "" : "s");
		rc = LRT_EVERIFY;
	}
	return rc;
}
