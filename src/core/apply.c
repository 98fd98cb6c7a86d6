/*
 * apply.c - applying one event to the open epoch (SPEC sections 3 and 4).
 *
 * Each handler first checks everything that could reject the event, and only
 * then changes the book: a rejected event leaves no trace but its id and
 * reason.  Deposits, withdrawals and transfers move A and S at once; rewards,
 * slashes, moves, swaps and prices change only positions and prices, whose
 * value reaches A at settlement.
 */
#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "core/book_internal.h"
#include "lrt/amount.h"
#include "lrt/error.h"

#define REJECT(...) do { lrt_error_set(__VA_ARGS__); return LRT_EREJECT; } while (0)

static int asset_of(const lrt_book *book, const char *symbol)
{
	int index = lrt_product_asset_index(&book->product, symbol);

	if (index < 0)
		lrt_error_set("unknown asset %s", symbol);
	return index;
}

static bool names_claimable(const char *location)
{
	return strcmp(location, "claimable") == 0;
}

#define CLAIMABLE_REASON "the claimable location cannot be named by an event"

/* True when base + addend stays storable; sets the reason otherwise. */
static bool fits_after_add(const lrt_book *book, mpz_t scratch,
			   const mpz_t base, const mpz_t addend, const char *what)
{
	mpz_add(scratch, base, addend);
	if (mpz_cmp(scratch, book->amount_max) > 0) {
		lrt_error_set("%s would exceed 2^256-1", what);
		return false;
	}
	return true;
}

/* Sets the reason for taking `want` from a position holding `have`. */
static void reject_short_position(const lrt_book *book, int asset,
				  const char *location, const mpz_t have,
				  const mpz_t want)
{
	char reason[512];

	gmp_snprintf(reason, sizeof(reason), "position (%s, %s) is %Zd, less than %Zd",
		     book->product.assets[asset].symbol, location, have, want);
	lrt_error_set("%s", reason);
}

/* The current amount of (asset, location), or NULL when the location has
 * never been used (an amount of 0). */
static mpz_t *existing_position(lrt_book *book, int asset, const char *location)
{
	int64_t l = book_location(book, location, false);

	return l < 0 ? NULL : book_position(book, asset, (size_t)l);
}

static bool position_covers(lrt_book *book, int asset, const char *location,
			    const mpz_t amount)
{
	mpz_t *position = existing_position(book, asset, location);

	if (mpz_sgn(amount) == 0)
		return true;
	if (position != NULL && mpz_cmp(*position, amount) >= 0)
		return true;
	if (position == NULL) {
		mpz_t zero;

		mpz_init(zero);
		reject_short_position(book, asset, location, zero, amount);
		mpz_clear(zero);
	} else {
		reject_short_position(book, asset, location, *position, amount);
	}
	return false;
}

/* Adds `amount` to (asset, location), creating the location.  The caller has
 * checked that the sum fits. */
static int position_add(lrt_book *book, int asset, const char *location,
			const mpz_t amount, int sign)
{
	int64_t l = book_location(book, location, true);

	if (l < 0)
		return (int)LRT_ENOMEM;
	if (sign < 0)
		mpz_sub(*book_position(book, asset, (size_t)l),
			*book_position(book, asset, (size_t)l), amount);
	else
		mpz_add(*book_position(book, asset, (size_t)l),
			*book_position(book, asset, (size_t)l), amount);
	LRT_ASSERT(mpz_sgn(*book_position(book, asset, (size_t)l)) >= 0);
	return 0;
}

static bool position_fits_add(lrt_book *book, int asset, const char *location,
			      const mpz_t amount)
{
	mpz_t *position = existing_position(book, asset, location);

	if (position == NULL)
		return true;  /* amount itself is storable */
	mpz_add(book->scratch[3], *position, amount);
	if (mpz_cmp(book->scratch[3], book->amount_max) <= 0)
		return true;
	lrt_error_set("position (%s, %s) would exceed 2^256-1",
		      book->product.assets[asset].symbol, location);
	return false;
}

static int reject_short_shares(const char *holder_name, const mpz_t have,
			       const mpz_t want)
{
	char reason[512];

	gmp_snprintf(reason, sizeof(reason), "%s holds %Zd shares, fewer than %Zd",
		     holder_name, have, want);
	lrt_error_set("%s", reason);
	return LRT_EREJECT;
}

/* ---- the handlers --------------------------------------------------------- */

static int apply_deposit(lrt_book *book, const lrt_event *e)
{
	mpz_t *value = &book->scratch[0], *shares = &book->scratch[1];
	int asset = asset_of(book, e->asset);
	int64_t h;
	uint64_t entry;

	if (asset < 0)
		return LRT_EREJECT;
	if (!book->assets[asset].has_price)
		REJECT("no price yet for %s", e->asset);
	book_value(*value, book, asset, e->amount);
	if (!book_to_shares(*shares, book, *value))
		REJECT("pool has no assets");
	if (mpz_sgn(*shares) == 0)
		REJECT("deposit mints zero shares");
	if (!fits_after_add(book, book->scratch[2], book->total_assets, *value, "total assets")
	    || !fits_after_add(book, book->scratch[2], book->total_shares, *shares, "total shares")
	    || !position_fits_add(book, asset, "buffer", e->amount))
		return LRT_EREJECT;
	h = book_holder(book, e->holder, true);
	if (h < 0)
		return LRT_ENOMEM;
	if (book_holder_shares_change(book, h, *shares, +1) != 0
	    || position_add(book, asset, "buffer", e->amount, +1) != 0)
		return LRT_ENOMEM;
	mpz_add(book->total_assets, book->total_assets, *value);
	mpz_add(book->total_shares, book->total_shares, *shares);
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "deposit", LRT_LEDGER_SHARES,
		      LRT_ACCOUNT_HOLDER, e->holder,
		      LRT_ACCOUNT_ISSUED, NULL, *shares);
	book_transfer(book, entry, e->id, "deposit", asset,
		      LRT_ACCOUNT_POSITION, "buffer",
		      LRT_ACCOUNT_DEPOSITS, NULL, e->amount);
	book_transfer(book, entry, e->id, "deposit", LRT_LEDGER_BOOK,
		      LRT_ACCOUNT_TOTAL_ASSETS, NULL,
		      LRT_ACCOUNT_CONTRIBUTED, NULL, *value);
	return 0;
}

/* The holder's shares when they cover `shares` (> 0); else rejects. */
static int shares_available(lrt_book *book, const char *holder_name,
			    const mpz_t shares, int64_t *index_out)
{
	int64_t h;

	if (mpz_sgn(shares) == 0)
		REJECT("zero shares");
	h = book_holder(book, holder_name, false);
	if (h < 0 || mpz_cmp(book->holders.items[h].shares, shares) < 0) {
		mpz_t zero;
		int rc;

		mpz_init(zero);
		rc = reject_short_shares(holder_name,
					 h < 0 ? zero : book->holders.items[h].shares,
					 shares);
		mpz_clear(zero);
		return rc;
	}
	*index_out = h;
	return 0;
}

static int apply_withdraw(lrt_book *book, const lrt_event *e)
{
	int64_t h, r;
	request *req;
	uint64_t entry;
	int rc = shares_available(book, e->holder, e->amount, &h);

	if (rc != 0)
		return rc;
	r = book_push_request(book, e->id, e->holder);
	if (r < 0)
		return LRT_ENOMEM;
	req = &book->requests.items[r];
	mpz_set(req->shares, e->amount);
	book_to_assets(req->cap, book, e->amount, book->total_assets, book->total_shares);
	mpz_set_ui(req->payout, 0);
	req->epoch = book->settled_epoch + 1;
	req->finalized_epoch = -1;
	if (book_holder_shares_change(book, h, e->amount, -1) != 0
	    || book_request_changed(book, r) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "withdraw", LRT_LEDGER_SHARES,
		      LRT_ACCOUNT_QUEUE, e->id,
		      LRT_ACCOUNT_HOLDER, e->holder, e->amount);
	return 0;
}

static int apply_transfer(lrt_book *book, const lrt_event *e)
{
	int64_t from, to;
	uint64_t entry;
	int rc = shares_available(book, e->from, e->amount, &from);

	if (rc != 0)
		return rc;
	if (strcmp(e->from, e->to) == 0)
		return 0;
	to = book_holder(book, e->to, true);
	if (to < 0)
		return LRT_ENOMEM;
	/* A holder's shares never exceed S, so the sum stays storable. */
	if (book_holder_shares_change(book, from, e->amount, -1) != 0
	    || book_holder_shares_change(book, to, e->amount, +1) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "transfer", LRT_LEDGER_SHARES,
		      LRT_ACCOUNT_HOLDER, e->to,
		      LRT_ACCOUNT_HOLDER, e->from, e->amount);
	return 0;
}

static int apply_reward(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);
	uint64_t entry;

	if (asset < 0)
		return LRT_EREJECT;
	if (names_claimable(e->location))
		REJECT(CLAIMABLE_REASON);
	if (!position_fits_add(book, asset, e->location, e->amount))
		return LRT_EREJECT;
	if (mpz_sgn(e->amount) == 0)
		return 0;
	if (position_add(book, asset, e->location, e->amount, +1) != 0
	    || book_push_flow(book, true, asset, e->amount) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "reward", asset,
		      LRT_ACCOUNT_POSITION, e->location,
		      LRT_ACCOUNT_REWARDS, e->source, e->amount);
	return 0;
}

/* An operator named by a slash or an allocation: not buffer, not claimable. */
static bool is_operator(const char *name, const char *what)
{
	if (strcmp(name, "buffer") == 0) {
		lrt_error_set("buffer is not an operator: it cannot be %s", what);
		return false;
	}
	if (names_claimable(name)) {
		lrt_error_set(CLAIMABLE_REASON);
		return false;
	}
	return true;
}

/* Takes a slashed `loss` from (asset, operator) and keeps it for step 1. */
static int take_loss(lrt_book *book, const lrt_event *e, int asset, const mpz_t loss)
{
	uint64_t entry;

	if (mpz_sgn(loss) == 0)
		return 0;
	if (position_add(book, asset, e->location, loss, -1) != 0
	    || book_push_flow(book, false, asset, loss) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "slash", asset,
		      LRT_ACCOUNT_SLASHES, e->source,
		      LRT_ACCOUNT_POSITION, e->location, loss);
	return 0;
}

/*
 * A slash by wad, as EigenLayer computes it: the AVS's magnitude a loses
 * d = ceil(a * wad / WAD), the max magnitude M becomes M1 = M - d, and the
 * position q becomes ceil(q * M1 / M).  Since wad <= WAD, d <= a <= M.
 */
static int apply_slash_wad(lrt_book *book, const lrt_event *e, int asset)
{
	stake *k = book_stake(book, e->location, asset, false);
	allocation *a = k ? book_allocation(book, (uint32_t)(k - book->stakes.items),
					    e->source, false) : NULL;
	mpz_t *position = existing_position(book, asset, e->location);
	mpz_t slashed, max_after, left, loss;
	int rc;

	if (a == NULL || mpz_sgn(a->magnitude) == 0 || mpz_sgn(e->amount) == 0)
		return 0;  /* d = 0: no magnitude and no position changes */
	mpz_init(slashed);
	mpz_init(max_after);
	mpz_init(left);
	mpz_init(loss);
	mpz_mul(slashed, a->magnitude, e->amount);
	mpz_cdiv_q(slashed, slashed, book->wad);                /* d */
	LRT_ASSERT(mpz_cmp(slashed, a->magnitude) <= 0
		   && mpz_cmp(k->allocated, k->max_magnitude) <= 0);
	mpz_sub(max_after, k->max_magnitude, slashed);          /* M1 */
	if (position != NULL) {
		mpz_mul(left, *position, max_after);
		mpz_cdiv_q(left, left, k->max_magnitude);       /* ceil(q M1 / M) */
		mpz_sub(loss, *position, left);
	}
	rc = take_loss(book, e, asset, loss);
	if (rc == 0) {
		mpz_sub(a->magnitude, a->magnitude, slashed);
		mpz_sub(k->allocated, k->allocated, slashed);
		mpz_set(k->max_magnitude, max_after);
	}
	mpz_clear(slashed);
	mpz_clear(max_after);
	mpz_clear(left);
	mpz_clear(loss);
	return rc;
}

static int apply_slash(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);

	if (asset < 0)
		return LRT_EREJECT;
	if (!is_operator(e->location, "slashed"))
		return LRT_EREJECT;
	if (e->by_wad)
		return apply_slash_wad(book, e, asset);
	if (!position_covers(book, asset, e->location, e->amount))
		return LRT_EREJECT;
	return take_loss(book, e, asset, e->amount);
}

/* Sets a(operator, asset, avs); the sum over the AVSs stays <= M. */
static int apply_allocate(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);
	stake *k;
	allocation *a;
	mpz_t *total = &book->scratch[0];

	if (asset < 0)
		return LRT_EREJECT;
	if (!is_operator(e->location, "allocated"))
		return LRT_EREJECT;
	k = book_stake(book, e->location, asset, false);
	a = k ? book_allocation(book, (uint32_t)(k - book->stakes.items), e->source, false)
	      : NULL;
	mpz_set(*total, e->amount);
	if (k != NULL)
		mpz_add(*total, *total, k->allocated);
	if (a != NULL)
		mpz_sub(*total, *total, a->magnitude);
	if (mpz_cmp(*total, k ? k->max_magnitude : book->wad) > 0) {
		char reason[512];

		gmp_snprintf(reason, sizeof(reason),
			     "allocation of (%s, %s) would total %Zd, above its max magnitude %Zd",
			     e->location, e->asset, *total, k ? k->max_magnitude : book->wad);
		REJECT("%s", reason);
	}
	if (k == NULL && (k = book_stake(book, e->location, asset, true)) == NULL)
		return LRT_ENOMEM;
	if (a == NULL && (a = book_allocation(book, (uint32_t)(k - book->stakes.items),
					      e->source, true)) == NULL)
		return LRT_ENOMEM;
	mpz_set(a->magnitude, e->amount);
	mpz_set(k->allocated, *total);
	return 0;
}

static int apply_move(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);
	uint64_t entry;

	if (asset < 0)
		return LRT_EREJECT;
	if (names_claimable(e->from) || names_claimable(e->to))
		REJECT(CLAIMABLE_REASON);
	if (!position_covers(book, asset, e->from, e->amount))
		return LRT_EREJECT;
	if (mpz_sgn(e->amount) == 0 || strcmp(e->from, e->to) == 0)
		return 0;
	/* the moved amount was part of a storable position, and the two
	 * positions of one asset never sum past the asset's total */
	if (!position_fits_add(book, asset, e->to, e->amount))
		return LRT_EREJECT;
	if (position_add(book, asset, e->from, e->amount, -1) != 0
	    || position_add(book, asset, e->to, e->amount, +1) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "move", asset,
		      LRT_ACCOUNT_POSITION, e->to,
		      LRT_ACCOUNT_POSITION, e->from, e->amount);
	return 0;
}

static int apply_swap(lrt_book *book, const lrt_event *e)
{
	int asset_in = asset_of(book, e->asset), asset_out;
	mpz_t *after = &book->scratch[0];
	uint64_t entry;

	if (asset_in < 0)
		return LRT_EREJECT;
	asset_out = asset_of(book, e->asset_out);
	if (asset_out < 0)
		return LRT_EREJECT;
	if (names_claimable(e->location))
		REJECT(CLAIMABLE_REASON);
	if (!position_covers(book, asset_in, e->location, e->amount))
		return LRT_EREJECT;
	if (asset_in == asset_out) {
		mpz_t *position = existing_position(book, asset_in, e->location);

		mpz_set_ui(*after, 0);
		if (position != NULL)
			mpz_sub(*after, *position, e->amount);
		if (!fits_after_add(book, book->scratch[1], *after, e->amount_out, "position"))
			return LRT_EREJECT;
	} else if (!position_fits_add(book, asset_out, e->location, e->amount_out)) {
		return LRT_EREJECT;
	}
	if (position_add(book, asset_in, e->location, e->amount, -1) != 0
	    || position_add(book, asset_out, e->location, e->amount_out, +1) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "swap", asset_in,
		      LRT_ACCOUNT_SWAPS, e->location,
		      LRT_ACCOUNT_POSITION, e->location, e->amount);
	book_transfer(book, entry, e->id, "swap", asset_out,
		      LRT_ACCOUNT_POSITION, e->location,
		      LRT_ACCOUNT_SWAPS, e->location, e->amount_out);
	return 0;
}

void book_set_price(lrt_book *book, int asset, const mpq_t price)
{
	asset_state *state = &book->assets[asset];
	unsigned dec_u = book->product.assets[ASSET_UNDERLYING].decimals;
	unsigned dec_a = book->product.assets[asset].decimals;
	mpq_t factor;

	/* value(q) = floor(q * price * 10^dec_u / 10^dec_a): keep the factor
	 * in lowest terms so every valuation multiplies the smallest numbers */
	mpq_init(factor);
	mpz_ui_pow_ui(mpq_numref(factor), 10, dec_u);
	mpz_ui_pow_ui(mpq_denref(factor), 10, dec_a);
	mpq_canonicalize(factor);
	mpq_mul(factor, factor, price);
	mpq_set(state->price, price);
	mpz_set(state->value_numerator, mpq_numref(factor));
	mpz_set(state->value_denominator, mpq_denref(factor));
	state->value_is_identity = mpz_cmp_ui(mpq_numref(factor), 1) == 0
				   && mpz_cmp_ui(mpq_denref(factor), 1) == 0;
	state->has_price = true;
	mpq_clear(factor);
}

static int apply_price(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);

	if (asset < 0)
		return LRT_EREJECT;
	if (asset == ASSET_UNDERLYING)
		REJECT("the underlying's price is always 1");
	book_set_price(book, asset, e->price);
	return 0;
}

static int apply_claim(lrt_book *book, const lrt_event *e)
{
	int64_t index = lrt_strmap_find(&book->request_index, e->request);
	mpz_t *claimable = book_position(book, ASSET_UNDERLYING, LOCATION_CLAIMABLE);
	request *r;
	uint64_t entry;

	if (index < 0)
		REJECT("no request %s", e->request);
	r = &book->requests.items[index];
	if (r->state == LRT_REQUEST_QUEUED)
		REJECT("request %s is not finalized", e->request);
	if (r->state == LRT_REQUEST_CLAIMED)
		REJECT("request %s is already claimed", e->request);
	if (r->state == LRT_REQUEST_CANCELLED)
		REJECT("request %s was cancelled", e->request);
	LRT_ASSERT(mpz_cmp(*claimable, r->payout) >= 0);
	mpz_sub(*claimable, *claimable, r->payout);
	r->state = LRT_REQUEST_CLAIMED;
	if (book_request_changed(book, index) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "claim", ASSET_UNDERLYING,
		      LRT_ACCOUNT_CLAIMS, NULL,
		      LRT_ACCOUNT_POSITION, "claimable", r->payout);
	return 0;
}

/* A queued request leaves the queue and its shares go back to its holder. */
static int apply_cancel(lrt_book *book, const lrt_event *e)
{
	static const char *const states[] = {
		[LRT_REQUEST_FINALIZED] = "finalized",
		[LRT_REQUEST_CLAIMED] = "claimed",
		[LRT_REQUEST_CANCELLED] = "cancelled",
	};
	int64_t index = lrt_strmap_find(&book->request_index, e->request), h;
	request *r;
	uint64_t entry;

	if (index < 0)
		REJECT("no request %s", e->request);
	r = &book->requests.items[index];
	if (r->state != LRT_REQUEST_QUEUED)
		REJECT("request %s is %s, not queued", e->request, states[r->state]);
	h = book_holder(book, r->holder, true);
	if (h < 0)
		return LRT_ENOMEM;
	if (book_holder_shares_change(book, h, r->shares, +1) != 0
	    || book_request_changed(book, index) != 0)
		return LRT_ENOMEM;
	r->state = LRT_REQUEST_CANCELLED;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "cancel", LRT_LEDGER_SHARES,
		      LRT_ACCOUNT_HOLDER, r->holder, LRT_ACCOUNT_QUEUE, r->id, r->shares);
	return 0;
}

/* Kept for step 8, which reads the book after all the epoch's events. */
static int apply_attest(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);

	if (asset < 0)
		return LRT_EREJECT;
	return book_push_attestation(book, e->id, asset, e->location, e->amount);
}

/* A config event cannot be rejected: its fields were validated when it was
 * read, so a failure here is an error of the caller, not of the event. */
static int apply_config(lrt_book *book, const lrt_event *e)
{
	lrt_policy next = {0}, named = {0};
	unsigned mask = e->config_mask;
	int rc;

	/* the lists the event names, copied over the current policy's */
	named = book->product.policy;
	if (mask & LRT_CONFIG_FEE_RECIPIENTS) {
		named.fee_recipients = e->config.fee_recipients;
		named.fee_recipient_count = e->config.fee_recipient_count;
	}
	if (mask & LRT_CONFIG_POINTS) {
		named.points = e->config.points;
		named.points_count = e->config.points_count;
	}
	rc = lrt_policy_copy(&next, &named);
	if (rc != 0)
		return rc;
	if (mask & LRT_CONFIG_FEE_BPS)
		next.fee_bps = e->config.fee_bps;
	if (mask & LRT_CONFIG_DELAY_EPOCHS)
		next.delay_epochs = e->config.delay_epochs;
	if (mask & LRT_CONFIG_MAX_APR_BPS)
		next.max_apr_bps = e->config.max_apr_bps;
	if (mask & LRT_CONFIG_MAX_RATE_CHANGE_BPS)
		next.max_rate_change_bps = e->config.max_rate_change_bps;
	if (mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
		next.fee_high_water_mark = e->config.fee_high_water_mark;
	rc = lrt_policy_validate(&next);
	if (rc != 0) {
		lrt_error_prefix("config event %s", e->id);
		goto done;
	}
	if ((mask & LRT_CONFIG_POINTS) && (rc = book_programs_set(book, &next)) != 0)
		goto done;
	named = book->product.policy;
	book->product.policy = next;
	next = named;
done:
	lrt_policy_clear(&next);
	return rc;
}

static int apply_accept(lrt_book *book, const lrt_event *e)
{
	return book_push_accepted(book, e->amount);
}

int lrt_book_apply(lrt_book *book, const lrt_event *event)
{
	int rc;

	if (!book->epoch_open || event->epoch != book->settled_epoch + 1) {
		lrt_error_set("event %s is of epoch %lld, but the open epoch is %lld",
			      event->id, (long long)event->epoch,
			      (long long)(book->epoch_open ? book->settled_epoch + 1 : -1));
		return LRT_ESTATE;
	}
	switch (event->type) {
	case LRT_EVENT_DEPOSIT: rc = apply_deposit(book, event); break;
	case LRT_EVENT_WITHDRAW: rc = apply_withdraw(book, event); break;
	case LRT_EVENT_TRANSFER: rc = apply_transfer(book, event); break;
	case LRT_EVENT_REWARD: rc = apply_reward(book, event); break;
	case LRT_EVENT_SLASH: rc = apply_slash(book, event); break;
	case LRT_EVENT_MOVE: rc = apply_move(book, event); break;
	case LRT_EVENT_SWAP: rc = apply_swap(book, event); break;
	case LRT_EVENT_PRICE: rc = apply_price(book, event); break;
	case LRT_EVENT_CLAIM: rc = apply_claim(book, event); break;
	case LRT_EVENT_CONFIG: rc = apply_config(book, event); break;
	case LRT_EVENT_ACCEPT: rc = apply_accept(book, event); break;
	case LRT_EVENT_ALLOCATE: rc = apply_allocate(book, event); break;
	case LRT_EVENT_CANCEL: rc = apply_cancel(book, event); break;
	case LRT_EVENT_ATTEST: rc = apply_attest(book, event); break;
	default:
		lrt_error_set("event %s has an unknown type", event->id);
		return LRT_EINVAL;
	}
	if (rc == LRT_EREJECT)
		return book_reject(book, event->id);
	return rc;
}
