/*
 * property_journal.c - the journal of a book, checked line by line: every
 * entry balances in every ledger, lines are of the right kinds, epochs and
 * events, and running balances per account are kept for the invariants of
 * check_property.c.  A digest of every line compares the journals of runs.
 */
#include "property.h"

/* ---- the journal, checked line by line ----------------------------------- */

static uint64_t fnv_bytes(uint64_t hash, const void *data, size_t length)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < length; i++) {
		hash ^= p[i];
		hash *= UINT64_C(0x100000001b3);
	}
	return hash;
}

static uint64_t fnv_string(uint64_t hash, const char *text)
{
	return text ? fnv_bytes(hash, text, strlen(text) + 1) : fnv_bytes(hash, "", 0) ^ 1;
}

static uint64_t fnv_mpz(uint64_t hash, const mpz_t x)
{
	size_t i, size = mpz_size(x);
	int sign = mpz_sgn(x);

	hash = fnv_bytes(hash, &sign, sizeof sign);
	for (i = 0; i < size; i++) {
		mp_limb_t limb = mpz_getlimbn(x, i);

		hash = fnv_bytes(hash, &limb, sizeof limb);
	}
	return hash;
}

void journal_init(journal *j, size_t asset_count, bool strict)
{
	int i;

	memset(j, 0, sizeof *j);
	j->asset_count = asset_count;
	j->strict = strict;
	j->digest = UINT64_C(0xcbf29ce484222325);
	for (i = 0; i < LEDGER_SLOTS; i++)
		mpz_init(j->entry_sum[i]);
}

void journal_clear(journal *j)
{
	account *a, *next;
	int i;

	for (i = 0; i < ACCOUNT_BUCKETS; i++) {
		for (a = j->bucket[i]; a != NULL; a = next) {
			next = a->next;
			mpz_clear(a->balance);
			free(a->name);
			free(a);
		}
	}
	for (i = 0; i < LEDGER_SLOTS; i++)
		mpz_clear(j->entry_sum[i]);
}

static bool same_name(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* The account (ledger, kind, name), made on first use when `create`. */
static account *journal_account(journal *j, int ledger, lrt_account_kind kind,
				const char *name, bool create)
{
	uint64_t hash = fnv_string(UINT64_C(0xcbf29ce484222325), name);
	account **slot, *a;

	hash = fnv_bytes(hash, &ledger, sizeof ledger);
	hash = fnv_bytes(hash, &kind, sizeof kind);
	slot = &j->bucket[hash % ACCOUNT_BUCKETS];
	for (a = *slot; a != NULL; a = a->next)
		if (a->ledger == ledger && a->kind == kind && same_name(a->name, name))
			return a;
	if (!create)
		return NULL;
	a = calloc(1, sizeof *a);
	CHECK_ALLOC(a);
	a->ledger = ledger;
	a->kind = kind;
	a->name = name ? strdup(name) : NULL;
	mpz_init(a->balance);
	a->next = *slot;
	*slot = a;
	return a;
}

void journal_balance(mpz_t out, journal *j, int ledger,
			    lrt_account_kind kind, const char *name)
{
	account *a = journal_account(j, ledger, kind, name, false);

	if (a)
		mpz_set(out, a->balance);
	else
		mpz_set_ui(out, 0);
}

/* The sum of every account of one kind in one ledger, and how many are non-zero. */
size_t journal_kind_total(mpz_t out, const journal *j, int ledger,
				 lrt_account_kind kind)
{
	size_t nonzero = 0;
	account *a;
	int i;

	mpz_set_ui(out, 0);
	for (i = 0; i < ACCOUNT_BUCKETS; i++) {
		for (a = j->bucket[i]; a != NULL; a = a->next) {
			if (a->kind != kind || (ledger != INT32_MIN && a->ledger != ledger))
				continue;
			mpz_add(out, out, a->balance);
			nonzero += mpz_sgn(a->balance) != 0;
		}
	}
	return nonzero;
}

/* Ends the open entry: in every ledger its lines must sum to zero. */
void journal_close_entry(journal *j)
{
	int i;

	if (!j->entry_open)
		return;
	for (i = 0; i < LEDGER_SLOTS; i++) {
		CHECK(mpz_sgn(j->entry_sum[i]) == 0,
			      "journal entry %" PRIu64 " (epoch %" PRId64 ") does not balance in ledger %d: sum %s",
			      j->entry, j->epoch, i - 2, mpz_get_str(NULL, 10, j->entry_sum[i]));
	}
	j->entry_open = false;
}

static bool kind_fits_ledger(lrt_account_kind kind, int ledger)
{
	switch (kind) {
	case LRT_ACCOUNT_HOLDER:
	case LRT_ACCOUNT_QUEUE:
	case LRT_ACCOUNT_ISSUED:
		return ledger == LRT_LEDGER_SHARES;
	case LRT_ACCOUNT_POSITION:
	case LRT_ACCOUNT_DEPOSITS:
	case LRT_ACCOUNT_REWARDS:
	case LRT_ACCOUNT_SLASHES:
	case LRT_ACCOUNT_SWAPS:
	case LRT_ACCOUNT_CLAIMS:
		return ledger >= 0;
	case LRT_ACCOUNT_TOTAL_ASSETS:
	case LRT_ACCOUNT_DEFERRED:
	case LRT_ACCOUNT_CONTRIBUTED:
	case LRT_ACCOUNT_GAINS:
	case LRT_ACCOUNT_REDEEMED:
		return ledger == LRT_LEDGER_BOOK;
	default:
		return false;
	}
}

/* One side of a journal transfer, as a signed line: the debited account
 * gets +amount, the credited one -amount. */
typedef struct {
	uint64_t entry;
	int64_t epoch;
	const char *event_id;
	const char *step;
	int ledger;
	lrt_account_kind kind;
	const char *name;
	const mpz_t *amount;
} journal_line;

static void journal_check_line(const journal *j, const journal_line *line)
{
	CHECK(line->amount != NULL && mpz_sgn(*line->amount) != 0,
		      "journal entry %" PRIu64 " has a line of amount zero", line->entry);
	CHECK(line->ledger >= LRT_LEDGER_BOOK && line->ledger < (int)j->asset_count,
		      "journal entry %" PRIu64 ": ledger %d out of range", line->entry, line->ledger);
	CHECK(kind_fits_ledger(line->kind, line->ledger),
		      "journal entry %" PRIu64 ": account kind %d in ledger %d",
		      line->entry, (int)line->kind, line->ledger);
	CHECK(line->step != NULL, "journal entry %" PRIu64 " has no step", line->entry);
	if (!j->strict)
		return;
	CHECK(line->epoch == j->epoch, "journal entry %" PRIu64 ": epoch %" PRId64
		      ", expected %" PRId64, line->entry, line->epoch, j->epoch);
	if (j->current_id == NULL)
		CHECK(line->event_id == NULL, "settlement entry %" PRIu64
			      " (%s) names event %s", line->entry, line->step, line->event_id);
	else
		CHECK(line->event_id != NULL && strcmp(line->event_id, j->current_id) == 0,
			      "journal entry %" PRIu64 " written while applying %s names %s",
			      line->entry, j->current_id, line->event_id ? line->event_id : "no event");
}

static void journal_leg(void *context, const journal_line *line)
{
	journal *j = context;
	account *a;
	uint64_t h = j->digest;

	journal_check_line(j, line);
	if (!j->entry_open || line->entry != j->entry) {
		journal_close_entry(j);
		CHECK(!j->any_entry || line->entry > j->entry,
			      "journal entry %" PRIu64 " follows entry %" PRIu64,
			      line->entry, j->entry);
		j->entry = line->entry;
		j->entry_open = j->any_entry = true;
	}
	mpz_add(j->entry_sum[line->ledger + 2], j->entry_sum[line->ledger + 2], *line->amount);
	a = journal_account(j, line->ledger, line->kind, line->name, true);
	mpz_add(a->balance, a->balance, *line->amount);
	h = fnv_bytes(h, &line->entry, sizeof line->entry);
	h = fnv_bytes(h, &line->epoch, sizeof line->epoch);
	h = fnv_string(h, line->event_id);
	h = fnv_string(h, line->step);
	h = fnv_bytes(h, &line->ledger, sizeof line->ledger);
	h = fnv_bytes(h, &line->kind, sizeof line->kind);
	h = fnv_string(h, line->name);
	j->digest = fnv_mpz(h, *line->amount);
	j->line_count++;
}

void journal_sink(void *context, const lrt_journal_transfer *t)
{
	journal_line line = {t->entry, t->epoch, t->event_id, t->step, t->ledger,
			     t->debit_kind, t->debit_name, t->amount};
	mpz_t negative;

	CHECK(mpz_sgn(*t->amount) > 0, "journal entry %" PRIu64 ": a transfer of %s",
	      t->entry, mpz_sgn(*t->amount) == 0 ? "zero" : "a negative amount");
	CHECK(t->debit_kind != t->credit_kind || t->debit_name == NULL
	      || t->credit_name == NULL || strcmp(t->debit_name, t->credit_name) != 0,
	      "journal entry %" PRIu64 ": a transfer from an account to itself", t->entry);
	journal_leg(context, &line);
	mpz_init(negative);
	mpz_neg(negative, *t->amount);
	line.kind = t->credit_kind;
	line.name = t->credit_name;
	line.amount = (const mpz_t *)&negative;
	journal_leg(context, &line);
	mpz_clear(negative);
}

