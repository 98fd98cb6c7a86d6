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
	mpz_add(book->total_assets, book->total_assets, *value);
	mpz_add(book->total_shares, book->total_shares, *shares);
	mpz_add(book->holders.items[h].shares, book->holders.items[h].shares, *shares);
	if (position_add(book, asset, "buffer", e->amount, +1) != 0
	    || book_holder_changed(book, h) != 0)
		return LRT_ENOMEM;
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
	mpz_sub(book->holders.items[h].shares, book->holders.items[h].shares, e->amount);
	if (book_holder_changed(book, h) != 0 || book_request_changed(book, r) != 0)
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
	mpz_sub(book->holders.items[from].shares, book->holders.items[from].shares, e->amount);
	mpz_add(book->holders.items[to].shares, book->holders.items[to].shares, e->amount);
	if (book_holder_changed(book, from) != 0 || book_holder_changed(book, to) != 0)
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

static int apply_slash(lrt_book *book, const lrt_event *e)
{
	int asset = asset_of(book, e->asset);
	uint64_t entry;

	if (asset < 0)
		return LRT_EREJECT;
	if (strcmp(e->location, "buffer") == 0)
		REJECT("the buffer cannot be slashed; name an operator");
	if (names_claimable(e->location))
		REJECT(CLAIMABLE_REASON);
	if (!position_covers(book, asset, e->location, e->amount))
		return LRT_EREJECT;
	if (mpz_sgn(e->amount) == 0)
		return 0;
	if (position_add(book, asset, e->location, e->amount, -1) != 0
	    || book_push_flow(book, false, asset, e->amount) != 0)
		return LRT_ENOMEM;
	entry = book_journal_entry(book);
	book_transfer(book, entry, e->id, "slash", asset,
		      LRT_ACCOUNT_SLASHES, e->source,
		      LRT_ACCOUNT_POSITION, e->location, e->amount);
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

static void swap_recipients(lrt_policy *a, lrt_policy *b)
{
	lrt_fee_recipient *recipients = a->fee_recipients;
	size_t count = a->fee_recipient_count;

	a->fee_recipients = b->fee_recipients;
	a->fee_recipient_count = b->fee_recipient_count;
	b->fee_recipients = recipients;
	b->fee_recipient_count = count;
}

/* A config event cannot be rejected: its fields were validated when it was
 * read, so a failure here is an error of the caller, not of the event. */
static int apply_config(lrt_book *book, const lrt_event *e)
{
	lrt_policy next = {0}, fresh = {0};
	int rc;

	rc = lrt_policy_copy(&next, &book->product.policy);
	if (rc != 0)
		return rc;
	if (e->config_mask & LRT_CONFIG_FEE_BPS)
		next.fee_bps = e->config.fee_bps;
	if (e->config_mask & LRT_CONFIG_DELAY_EPOCHS)
		next.delay_epochs = e->config.delay_epochs;
	if (e->config_mask & LRT_CONFIG_MAX_APR_BPS)
		next.max_apr_bps = e->config.max_apr_bps;
	if (e->config_mask & LRT_CONFIG_MAX_RATE_CHANGE_BPS)
		next.max_rate_change_bps = e->config.max_rate_change_bps;
	if (e->config_mask & LRT_CONFIG_FEE_RECIPIENTS) {
		rc = lrt_policy_copy(&fresh, &e->config);
		if (rc != 0)
			goto done;
		swap_recipients(&next, &fresh);
	}
	rc = lrt_policy_validate(&next);
	if (rc != 0) {
		lrt_error_prefix("config event %s", e->id);
		goto done;
	}
	swap_recipients(&book->product.policy, &next);
	book->product.policy.fee_bps = next.fee_bps;
	book->product.policy.delay_epochs = next.delay_epochs;
	book->product.policy.max_apr_bps = next.max_apr_bps;
	book->product.policy.max_rate_change_bps = next.max_rate_change_bps;
done:
	lrt_policy_clear(&fresh);
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
	default:
		lrt_error_set("event %s has an unknown type", event->id);
		return LRT_EINVAL;
	}
	if (rc == LRT_EREJECT)
		return book_reject(book, event->id);
	return rc;
}
