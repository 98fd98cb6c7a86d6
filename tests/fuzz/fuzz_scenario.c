/*
 * fuzz_scenario.c - a libFuzzer target for the scenario and event reader
 * (lrt_scenario_read) and, when an input parses, the book behind it.
 *
 * Each input is one scenario file's bytes.  When it parses and its last
 * epoch is at most FUZZ_EPOCHS_MAX, it is settled on a fresh book with
 * lrt_scenario_run, its reports and final line are written (to /dev/null),
 * and two cheap invariants are checked, aborting so that libFuzzer keeps the
 * input: every journal transfer moves a positive amount between two
 * different accounts of a known ledger (so every entry balances), and
 * holders' shares plus queued shares equal S.  Built and run by tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "lrt/book.h"
#include "lrt/error.h"
#include "lrt/scenario.h"

/* Settling costs time per epoch even when empty; a far epoch is legal input
 * but only slows the search down. */
#define FUZZ_EPOCHS_MAX 1000

/* Ledgers: the shares ledger, the book ledger and one per asset; limits.h
 * allows 256 assets. */
#define FUZZ_LEDGERS (256 + 2)

static FILE *output;

static void fail(const char *what, uint64_t entry)
{
	fprintf(stderr, "fuzz_scenario: %s (journal entry %llu)\n", what,
		(unsigned long long)entry);
	abort();
}

static void journal_transfer(void *context, const lrt_journal_transfer *t)
{
	(void)context;
	if (t->amount == NULL || mpz_sgn(*t->amount) <= 0)
		fail("a journal transfer of zero or less", t->entry);
	if (t->ledger < -2 || t->ledger >= FUZZ_LEDGERS - 2)
		fail("a journal transfer in an unknown ledger", t->entry);
	if (t->debit_kind == t->credit_kind && t->debit_name != NULL
	    && t->credit_name != NULL && strcmp(t->debit_name, t->credit_name) == 0)
		fail("a journal transfer from an account to itself", t->entry);
}

static int add_holder(void *context, const char *holder, const mpz_t shares)
{
	(void)holder;
	mpz_add(*(mpz_t *)context, *(mpz_t *)context, shares);
	return 0;
}

static int add_queued(void *context, const lrt_request_view *request)
{
	mpz_add(*(mpz_t *)context, *(mpz_t *)context, *request->shares);
	return 0;
}

static void check_shares(const lrt_book *book)
{
	mpz_t sum, total;

	mpz_inits(sum, total, NULL);
	lrt_book_each_holder(book, 0, add_holder, &sum);
	lrt_book_each_queued(book, add_queued, &sum);
	lrt_book_total_shares(total, book);
	if (mpz_cmp(sum, total) != 0)
		fail("holders' and queued shares do not sum to S", 0);
	mpz_clears(sum, total, NULL);
}

static void diagnostic(void *context, const char *message)
{
	*(size_t *)context += strlen(message);
}

static int write_epoch(void *context, const lrt_epoch_report *report)
{
	return lrt_report_write_json(context, report);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	output = fopen("/dev/null", "w");
	return output == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lrt_scenario *scenario = NULL;
	lrt_book *book = NULL;
	size_t diagnostic_bytes = 0;
	int rc;

	rc = lrt_scenario_read(&scenario, "fuzz.jsonl", (const char *)data, size,
			       size % 2 ? diagnostic : NULL, &diagnostic_bytes);
	if (rc != 0) {
		if (scenario != NULL)
			fail("lrt_scenario_read failed but returned a scenario", 0);
		if (lrt_error_last()[0] == '\0')
			fail("lrt_scenario_read failed without a message", 0);
		return 0;
	}
	if (lrt_scenario_last_epoch(scenario) > FUZZ_EPOCHS_MAX)
		goto done;
	if (lrt_book_new(&book, lrt_scenario_product(scenario)) != 0)
		goto done;
	lrt_book_set_journal(book, journal_transfer, NULL);
	rc = lrt_scenario_run(scenario, book, write_epoch, output);
	if (rc == 0) {
		check_shares(book);
		lrt_book_write_final_json(output, book);
	}
done:
	lrt_book_free(book);
	lrt_scenario_free(scenario);
	return 0;
}
