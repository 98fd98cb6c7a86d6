/*
 * report_json.c - writing the lines of `lrt simulate` (SPEC section 6): one
 * object per epoch, then {"holders": ..., "queue": [...]}.
 *
 * Every integer is written as a decimal string.  Epoch lines are built as
 * jansson objects (a few dozen values); the final line is streamed holder by
 * holder, so a million holders cost no second copy of the book.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lrt/error.h"
#include "lrt/scenario.h"

/* Python's json.dumps layout: ", " and ": " on one line, ASCII only. */
#define DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)

static json_t *json_mpz(const mpz_t value)
{
	char small[96];
	size_t digits = mpz_sizeinbase(value, 10) + 2;
	char *text = digits <= sizeof(small) ? small : malloc(digits);
	json_t *string;

	if (text == NULL)
		return NULL;
	mpz_get_str(text, 10, value);
	string = json_string(text);
	if (text != small)
		free(text);
	return string;
}

static json_t *json_int64(int64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)value);
	return json_string(text);
}

/* json_object_set_new that remembers a failure instead of returning it. */
static void put(json_t *object, const char *key, json_t *value, int *failed)
{
	if (value == NULL || json_object_set_new(object, key, value) != 0)
		*failed = 1;
}

static json_t *finalized_list(const lrt_epoch_report *report, int *failed)
{
	json_t *list = json_array();
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < report->finalized_count; i++) {
		json_t *item = json_object();

		if (item == NULL || json_array_append_new(list, item) != 0) {
			*failed = 1;
			break;
		}
		put(item, "request", json_string(report->finalized[i].request), failed);
		put(item, "shares", json_mpz(report->finalized[i].shares), failed);
		put(item, "payout", json_mpz(report->finalized[i].payout), failed);
	}
	return list;
}

static json_t *rejected_list(const lrt_epoch_report *report, int *failed)
{
	json_t *list = json_array();
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < report->rejected_count; i++) {
		json_t *item = json_object();

		if (item == NULL || json_array_append_new(list, item) != 0) {
			*failed = 1;
			break;
		}
		put(item, "id", json_string(report->rejected[i].id), failed);
		put(item, "reason", json_string(report->rejected[i].reason), failed);
	}
	return list;
}

static int dump_line(FILE *out, json_t *value)
{
	if (json_dumpf(value, out, DUMP_FLAGS) != 0 || fputc('\n', out) == EOF) {
		lrt_error_set("cannot write the report");
		return LRT_EIO;
	}
	return 0;
}

int lrt_report_write_json(FILE *out, const lrt_epoch_report *report)
{
	json_t *line = json_object();
	int failed = line == NULL, rc;

	if (!failed) {
		put(line, "epoch", json_int64(report->epoch), &failed);
		put(line, "total_assets", json_mpz(report->total_assets), &failed);
		put(line, "total_shares", json_mpz(report->total_shares), &failed);
		put(line, "rate", json_mpz(report->rate), &failed);
		put(line, "deferred", json_mpz(report->deferred), &failed);
		put(line, "rewards", json_mpz(report->rewards), &failed);
		put(line, "slashed", json_mpz(report->slashed), &failed);
		put(line, "revaluation", json_mpz(report->revaluation), &failed);
		put(line, "recognized", json_mpz(report->recognized), &failed);
		put(line, "fee_value", json_mpz(report->fee_value), &failed);
		put(line, "fee_shares", json_mpz(report->fee_shares), &failed);
		put(line, "buffer", json_mpz(report->buffer), &failed);
		put(line, "claimable", json_mpz(report->claimable), &failed);
		put(line, "finalized", finalized_list(report, &failed), &failed);
		put(line, "rejected", rejected_list(report, &failed), &failed);
	}
	if (failed) {
		json_decref(line);
		lrt_error_set("out of memory writing epoch %lld", (long long)report->epoch);
		return LRT_ENOMEM;
	}
	rc = dump_line(out, line);
	json_decref(line);
	return rc;
}

/* ---- the final line ------------------------------------------------------------ */

struct lrt_final_writer {
	FILE *out;
	size_t written;         /* items of the current section */
	bool in_queue;          /* holders are done */
	int failed;             /* the first error, kept to the end */
};

static int writer_fail(lrt_final_writer *w, int rc)
{
	if (w->failed == 0)
		w->failed = rc;
	return rc;
}

int lrt_final_writer_begin(lrt_final_writer **out, FILE *stream)
{
	lrt_final_writer *w = calloc(1, sizeof(*w));

	*out = w;
	if (w == NULL) {
		lrt_error_set("out of memory writing the final line");
		return LRT_ENOMEM;
	}
	w->out = stream;
	if (fputs("{\"holders\": {", stream) == EOF)
		return writer_fail(w, LRT_EIO);
	return 0;
}

int lrt_final_writer_holder(lrt_final_writer *w, const char *holder,
			    const mpz_t shares)
{
	json_t *key = json_string(holder), *value = json_mpz(shares);
	int rc = LRT_ENOMEM;

	if (key != NULL && value != NULL) {
		rc = LRT_EIO;
		if ((w->written == 0 || fputs(", ", w->out) != EOF)
		    && json_dumpf(key, w->out, DUMP_FLAGS) == 0
		    && fputs(": ", w->out) != EOF
		    && json_dumpf(value, w->out, DUMP_FLAGS) == 0)
			rc = 0;
	}
	json_decref(key);
	json_decref(value);
	w->written++;
	return rc == 0 ? 0 : writer_fail(w, rc);
}

int lrt_final_writer_request(lrt_final_writer *w, const lrt_request_view *request)
{
	json_t *item = json_object();
	int failed = item == NULL, rc;

	if (!w->in_queue) {
		w->in_queue = true;
		w->written = 0;
		if (fputs("}, \"queue\": [", w->out) == EOF)
			failed = 1;
	}
	if (!failed) {
		put(item, "request", json_string(request->request), &failed);
		put(item, "holder", json_string(request->holder), &failed);
		put(item, "shares", json_mpz(*request->shares), &failed);
		put(item, "cap", json_mpz(*request->cap), &failed);
		put(item, "epoch", json_int64(request->epoch), &failed);
	}
	rc = failed ? LRT_ENOMEM
	     : (w->written++ == 0 || fputs(", ", w->out) != EOF)
	       && json_dumpf(item, w->out, DUMP_FLAGS) == 0 ? 0 : LRT_EIO;
	json_decref(item);
	return rc == 0 ? 0 : writer_fail(w, rc);
}

int lrt_final_writer_end(lrt_final_writer *w)
{
	int rc;

	if (w == NULL)
		return LRT_ENOMEM;
	if (!w->in_queue && fputs("}, \"queue\": [", w->out) == EOF)
		writer_fail(w, LRT_EIO);
	if (fputs("]}\n", w->out) == EOF)
		writer_fail(w, LRT_EIO);
	rc = w->failed;
	free(w);
	if (rc != 0)
		lrt_error_set(rc == LRT_ENOMEM ? "out of memory writing the final line"
					       : "cannot write the final line");
	return rc;
}

static int write_holder(void *context, const char *holder, const mpz_t shares)
{
	return lrt_final_writer_holder(context, holder, shares);
}

static int write_request(void *context, const lrt_request_view *request)
{
	return lrt_final_writer_request(context, request);
}

int lrt_book_write_final_json(FILE *out, const lrt_book *book)
{
	lrt_final_writer *w;
	int rc = lrt_final_writer_begin(&w, out);

	if (rc == 0)
		rc = lrt_book_each_holder(book, true, write_holder, w);
	if (rc == 0)
		rc = lrt_book_each_queued(book, write_request, w);
	if (rc == 0)
		return lrt_final_writer_end(w);
	lrt_final_writer_end(w);
	return rc;
}
