/*
 * points.c - points programs (SPEC section 5 step 7): a per-program index
 * and a checkpoint per holder, so that an epoch costs one addition per
 * program whatever the number of holders.
 *
 * A program's index is the sum of its rate (per_share_epoch * 10^18) over
 * the settled epochs in which it was in force.  A holder's account holds
 * the exact sum credited so far and the index at that moment; it is brought
 * up to date just before the holder's shares change, so the shares it held
 * through the epochs since are the ones credited.  The division by
 * 10^share_decimals happens once, when points are read: the SPEC's one
 * floor over the exact sum.
 */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/book_internal.h"
#include "lrt/amount.h"
#include "lrt/error.h"

int book_programs_set(lrt_book *book, const lrt_policy *policy)
{
	size_t i;

	for (i = 0; i < book->programs.count; i++)
		book->programs.items[i].in_force = false;
	for (i = 0; i < policy->points_count; i++) {
		const lrt_points_program *named = &policy->points[i];
		int64_t p = lrt_strmap_find(&book->program_index, named->name);
		points_program *program;
		int parsed;

		if (p < 0)
			p = book_push_program(book, named->name);
		if (p < 0)
			return LRT_ENOMEM;
		program = &book->programs.items[p];
		parsed = lrt_points_rate_parse(program->rate, named->per_share_epoch,
					       strlen(named->per_share_epoch));
		LRT_ASSERT(parsed == 0);  /* validated with the policy */
		program->in_force = true;
	}
	return 0;
}

void book_programs_settle(lrt_book *book)
{
	size_t i;

	for (i = 0; i < book->programs.count; i++) {
		points_program *program = &book->programs.items[i];

		if (program->in_force)
			mpz_add(program->index, program->index, program->rate);
	}
}

/* Gives the holder an account for every program; a new one is (0, 0),
 * which is right: the program's index was 0 when it was added, and the
 * holder's shares have not changed since (or they would have an account). */
static int holder_accounts(holder *h, size_t count)
{
	points_account *accounts;
	size_t i;

	if (h->points_count >= count)
		return 0;
	accounts = realloc(h->points, count * sizeof(*accounts));
	if (accounts == NULL) {
		lrt_error_set("out of memory crediting the points of %s", h->name);
		return LRT_ENOMEM;
	}
	for (i = h->points_count; i < count; i++) {
		mpz_init(accounts[i].accrued);
		mpz_init(accounts[i].checkpoint);
	}
	h->points = accounts;
	h->points_count = (uint32_t)count;
	return 0;
}

int book_holder_restore_points(lrt_book *book, int64_t holder_index, size_t program,
			       const mpz_t accrued, const mpz_t checkpoint)
{
	holder *h = &book->holders.items[holder_index];

	if (holder_accounts(h, book->programs.count) != 0)
		return LRT_ENOMEM;
	mpz_set(h->points[program].accrued, accrued);
	mpz_set(h->points[program].checkpoint, checkpoint);
	return 0;
}

void book_holder_points(mpz_t out, const lrt_book *book, const holder *h,
			size_t program)
{
	const mpz_t *index = (const mpz_t *)&book->programs.items[program].index;

	if (program < h->points_count) {
		mpz_sub(out, *index, h->points[program].checkpoint);
		mpz_mul(out, out, h->shares);
		mpz_add(out, out, h->points[program].accrued);
	} else {
		mpz_mul(out, *index, h->shares);
	}
}

int book_holder_shares_change(lrt_book *book, int64_t holder_index,
			      const mpz_t shares, int sign)
{
	holder *h = &book->holders.items[holder_index];
	size_t p;

	if (book->programs.count > 0 && mpz_sgn(shares) != 0) {
		if (holder_accounts(h, book->programs.count) != 0)
			return LRT_ENOMEM;
		for (p = 0; p < book->programs.count; p++) {
			points_account *account = &h->points[p];
			const mpz_t *index = (const mpz_t *)&book->programs.items[p].index;

			/* accrued += shares * (index - checkpoint) */
			mpz_sub(account->checkpoint, *index, account->checkpoint);
			mpz_addmul(account->accrued, account->checkpoint, h->shares);
			mpz_set(account->checkpoint, *index);
		}
	}
	if (sign < 0)
		mpz_sub(h->shares, h->shares, shares);
	else
		mpz_add(h->shares, h->shares, shares);
	LRT_ASSERT(mpz_sgn(h->shares) >= 0);
	return book_holder_changed(book, holder_index);
}

/* ---- reading ------------------------------------------------------------ */

static int compare_program_names(const void *left, const void *right)
{
	const points_program *const *a = left;
	const points_program *const *b = right;

	return strcmp((*a)->name, (*b)->name);
}

int lrt_book_each_program(const lrt_book *book, lrt_program_fn fn, void *context)
{
	const points_program **order;
	size_t i, count = book->programs.count;
	int rc = 0;

	order = malloc((count + 1) * sizeof(*order));
	if (order == NULL) {
		lrt_error_set("out of memory listing points programs");
		return LRT_ENOMEM;
	}
	for (i = 0; i < count; i++)
		order[i] = &book->programs.items[i];
	qsort(order, count, sizeof(*order), compare_program_names);
	for (i = 0; i < count && rc == 0; i++)
		rc = fn(context, order[i]->name);
	free(order);
	return rc;
}

static int compare_holder_names(const void *left, const void *right)
{
	const holder *const *a = left;
	const holder *const *b = right;

	return strcmp((*a)->name, (*b)->name);
}

int lrt_book_each_points(const lrt_book *book, const char *program,
			 lrt_points_fn fn, void *context)
{
	int64_t p = lrt_strmap_find(&book->program_index, program);
	const holder **order = NULL;
	size_t i, count = 0;
	mpz_t points;
	int rc = 0;

	if (p < 0)
		return 0;
	order = malloc((book->holders.count + 1) * sizeof(*order));
	if (order == NULL) {
		lrt_error_set("out of memory listing points");
		return LRT_ENOMEM;
	}
	mpz_init(points);
	for (i = 0; i < book->holders.count; i++) {
		book_holder_points(points, book, &book->holders.items[i], (size_t)p);
		if (mpz_cmp(points, book->share_unit) >= 0)
			order[count++] = &book->holders.items[i];
	}
	qsort(order, count, sizeof(*order), compare_holder_names);
	for (i = 0; i < count && rc == 0; i++) {
		book_holder_points(points, book, order[i], (size_t)p);
		mpz_fdiv_q(points, points, book->share_unit);
		rc = fn(context, order[i]->name, points);
	}
	mpz_clear(points);
	free(order);
	return rc;
}
