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

#include "io/json_load.h"
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

static json_t *reconciliation_list(const lrt_epoch_report *report, int *failed)
{
	json_t *list = json_array();
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < report->reconciliation_count; i++) {
		const lrt_reconciliation *r = &report->reconciliation[i];
		json_t *item = json_object();

		if (item == NULL || json_array_append_new(list, item) != 0) {
			*failed = 1;
			break;
		}
		put(item, "id", json_string(r->id), failed);
		put(item, "asset", json_string(r->asset), failed);
		put(item, "location", json_string(r->location), failed);
		put(item, "book", json_mpz(r->book), failed);
		put(item, "observed", json_mpz(r->observed), failed);
		put(item, "difference", json_mpz(r->difference), failed);
	}
	return list;
}

static int dump_line(FILE *out, json_t *value)
{
	int rc = lrt_json_dumpf(value, out, DUMP_FLAGS);

	if (rc == 0 && fputc('\n', out) == EOF)
		rc = LRT_EIO;
	if (rc != 0)
		lrt_error_set(rc == LRT_ENOMEM ? "out of memory writing the report"
			      : "cannot write the report");
	return rc;
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
		put(line, "reconciliation", reconciliation_list(report, &failed), &failed);
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

/* ---- the stress report (SPEC section 7) -------------------------------------- */

static json_t *slash_list(const lrt_stress_report *report,
			  const lrt_stress_slash *slashes, int *failed)
{
	json_t *list = json_array();
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < report->outcome_count; i++) {
		const lrt_stress_outcome *outcome = &report->outcomes[i];
		json_t *item = json_object();

		if (item == NULL || json_array_append_new(list, item) != 0) {
			*failed = 1;
			break;
		}
		put(item, "operator", json_string(slashes[i].operator_name), failed);
		put(item, "avs", json_string(slashes[i].avs), failed);
		put(item, "asset", json_string(slashes[i].asset), failed);
		put(item, "wad", json_mpz(slashes[i].wad), failed);
		if (outcome->rejected != NULL)
			put(item, "rejected", json_string(outcome->rejected), failed);
		else
			put(item, "loss", json_mpz(outcome->loss), failed);
	}
	return list;
}

int lrt_stress_write_json(FILE *out, const lrt_stress_report *report,
			  const lrt_stress_slash *slashes)
{
	json_t *line = json_object();
	int failed = line == NULL, rc = 0;

	if (!failed) {
		put(line, "epoch", json_int64(report->epoch), &failed);
		put(line, "slashes", slash_list(report, slashes, &failed), &failed);
		put(line, "loss_value", json_mpz(report->loss_value), &failed);
		put(line, "total_assets", json_mpz(report->total_assets), &failed);
		put(line, "total_shares", json_mpz(report->total_shares), &failed);
		put(line, "deferred", json_mpz(report->deferred), &failed);
		put(line, "rate_before", json_mpz(report->rate_before), &failed);
		put(line, "rate", json_mpz(report->rate), &failed);
		put(line, "guard", json_string(report->guard_trips ? "trip" : "pass"), &failed);
	}
	if (failed) {
		lrt_error_set("out of memory writing the stress report");
		rc = LRT_ENOMEM;
	} else {
		rc = dump_line(out, line);
		if (rc != 0)
			lrt_error_set(rc == LRT_ENOMEM ? "out of memory writing the stress report"
				      : "cannot write the stress report");
	}
	json_decref(line);
	return rc;
}

/* ---- the final line ------------------------------------------------------------ */

/* The sections of the final line, in the order SPEC section 6 lists them;
 * the writer only moves forward, closing what it leaves. */
typedef enum {
	SECTION_HOLDERS,
	SECTION_QUEUE,
	SECTION_POINTS,
	SECTION_EXPOSURE
} section;

struct lrt_final_writer {
	FILE *out;
	section at;             /* the section being written */
	size_t written;         /* items of the current section */
	bool in_program;        /* a program's object is open (points) */
	size_t program_items;   /* holders written in it */
	int failed;             /* the first error, kept to the end */
};

/* Keeps the first error, and says it there: the callers only pass the code
 * up through the book's iterators. */
static int writer_fail(lrt_final_writer *w, int rc)
{
	if (w->failed == 0) {
		w->failed = rc;
		lrt_error_set(rc == LRT_ENOMEM ? "out of memory writing the final line"
			      : rc == LRT_ESTATE ? "the final line's sections came out of order"
			      : "cannot write the final line");
	}
	return rc;
}

/* Writes text, remembering a failure; nothing more after one, so that
 * what was written is a beginning of the line, cut, never a line with a
 * piece missing. */
static int emit(lrt_final_writer *w, const char *text)
{
	if (w->failed != 0)
		return w->failed;
	return fputs(text, w->out) == EOF ? writer_fail(w, LRT_EIO) : 0;
}

/* Writes a JSON value (a string key or a value), remembering a failure. */
static int emit_json(lrt_final_writer *w, json_t *value)
{
	int rc = w->failed != 0 ? w->failed
		 : value == NULL ? LRT_ENOMEM : lrt_json_dumpf(value, w->out, DUMP_FLAGS);

	json_decref(value);
	return rc == 0 ? 0 : writer_fail(w, rc);
}

/* Closes the current section and opens the next until `target`. */
static int writer_reach(lrt_final_writer *w, section target)
{
	static const char *const openers[] = {
		[SECTION_QUEUE] = "}, \"queue\": [",
		[SECTION_POINTS] = "], \"points\": {",
		[SECTION_EXPOSURE] = "}, \"exposure\": ",
	};

	while (w->at < target) {
		if (w->at == SECTION_POINTS && w->in_program) {
			emit(w, "}");
			w->in_program = false;
		}
		w->at++;
		w->written = 0;
		emit(w, openers[w->at]);
	}
	return w->failed;
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
	w->at = SECTION_HOLDERS;
	return emit(w, "{\"holders\": {");
}

/* One "key": value item of an object, with its separator. */
static int emit_item(lrt_final_writer *w, size_t *written, const char *key,
		     json_t *value)
{
	if (*written > 0)
		emit(w, ", ");
	(*written)++;
	emit_json(w, json_string(key));
	emit(w, ": ");
	emit_json(w, value);
	return w->failed;
}

int lrt_final_writer_holder(lrt_final_writer *w, const char *holder,
			    const mpz_t shares)
{
	if (w->at != SECTION_HOLDERS)
		return writer_fail(w, LRT_ESTATE);
	return emit_item(w, &w->written, holder, json_mpz(shares));
}

int lrt_final_writer_request(lrt_final_writer *w, const lrt_request_view *request)
{
	json_t *item = json_object();
	int failed = item == NULL;

	if (w->at > SECTION_QUEUE || writer_reach(w, SECTION_QUEUE) != 0) {
		json_decref(item);
		return writer_fail(w, w->failed ? w->failed : LRT_ESTATE);
	}
	if (!failed) {
		put(item, "request", json_string(request->request), &failed);
		put(item, "holder", json_string(request->holder), &failed);
		put(item, "shares", json_mpz(*request->shares), &failed);
		put(item, "cap", json_mpz(*request->cap), &failed);
		put(item, "epoch", json_int64(request->epoch), &failed);
	}
	if (failed) {
		json_decref(item);
		return writer_fail(w, LRT_ENOMEM);
	}
	if (w->written++ > 0)
		emit(w, ", ");
	emit_json(w, item);
	return w->failed;
}

int lrt_final_writer_points(lrt_final_writer *w)
{
	if (w->at > SECTION_POINTS)
		return writer_fail(w, LRT_ESTATE);
	return writer_reach(w, SECTION_POINTS);
}

int lrt_final_writer_program(lrt_final_writer *w, const char *program)
{
	if (w->at > SECTION_POINTS || writer_reach(w, SECTION_POINTS) != 0)
		return writer_fail(w, w->failed ? w->failed : LRT_ESTATE);
	if (w->in_program)
		emit(w, "}");
	if (w->written++ > 0)
		emit(w, ", ");
	emit_json(w, json_string(program));
	emit(w, ": {");
	w->in_program = true;
	w->program_items = 0;
	return w->failed;
}

int lrt_final_writer_holder_points(lrt_final_writer *w, const char *holder,
				   const mpz_t points)
{
	if (w->at != SECTION_POINTS || !w->in_program)
		return writer_fail(w, LRT_ESTATE);
	return emit_item(w, &w->program_items, holder, json_mpz(points));
}

static json_t *exposure_value(const lrt_exposure *exposure)
{
	json_t *value = json_object(), *operators = json_object();
	int failed = value == NULL || operators == NULL;
	size_t i, j;

	for (i = 0; !failed && i < exposure->operator_count; i++) {
		const lrt_operator_exposure *op = &exposure->operators[i];
		json_t *entry = json_object(), *avs = json_object();

		put(operators, op->name, entry, &failed);
		if (failed) {
			json_decref(avs);
			break;
		}
		put(entry, "value", json_mpz(op->value), &failed);
		put(entry, "avs", avs, &failed);
		for (j = 0; !failed && j < op->avs_count; j++)
			put(avs, op->avs[j].avs, json_mpz(op->avs[j].slashable), &failed);
	}
	put(value, "operators", operators, &failed);
	put(value, "hhi_bps", json_mpz(exposure->hhi_bps), &failed);
	if (failed) {
		json_decref(value);
		return NULL;
	}
	return value;
}

int lrt_final_writer_exposure(lrt_final_writer *w, const lrt_exposure *exposure)
{
	if (w->at >= SECTION_EXPOSURE || writer_reach(w, SECTION_EXPOSURE) != 0)
		return writer_fail(w, w->failed ? w->failed : LRT_ESTATE);
	return emit_json(w, exposure_value(exposure));
}

int lrt_final_writer_end(lrt_final_writer *w)
{
	static const char *const closers[] = {
		[SECTION_HOLDERS] = "}, \"queue\": []}\n",
		[SECTION_QUEUE] = "]}\n",
		[SECTION_POINTS] = "}}\n",
		[SECTION_EXPOSURE] = "}\n",
	};
	int rc;

	if (w == NULL)
		return LRT_ENOMEM;
	if (w->failed == 0 && w->at == SECTION_POINTS && w->in_program)
		emit(w, "}");
	if (w->failed == 0)
		emit(w, closers[w->at]);
	rc = w->failed;
	free(w);
	return rc;
}

void lrt_final_writer_abandon(lrt_final_writer *w)
{
	free(w);
}

static int write_holder(void *context, const char *holder, const mpz_t shares)
{
	return lrt_final_writer_holder(context, holder, shares);
}

static int write_request(void *context, const lrt_request_view *request)
{
	return lrt_final_writer_request(context, request);
}

static int write_points(void *context, const char *holder, const mpz_t points)
{
	return lrt_final_writer_holder_points(context, holder, points);
}

typedef struct {
	lrt_final_writer *writer;
	const lrt_book *book;
} program_context;

static int write_program(void *context, const char *program)
{
	program_context *c = context;
	int rc = lrt_final_writer_program(c->writer, program);

	if (rc == 0)
		rc = lrt_book_each_points(c->book, program, write_points, c->writer);
	return rc;
}

int lrt_book_write_final_json(FILE *out, const lrt_book *book)
{
	program_context programs;
	lrt_final_writer *w;
	lrt_exposure exposure;
	int rc = lrt_final_writer_begin(&w, out);

	lrt_exposure_init(&exposure);
	programs.writer = w;
	programs.book = book;
	if (rc == 0)
		rc = lrt_book_each_holder(book, true, write_holder, w);
	if (rc == 0)
		rc = lrt_book_each_queued(book, write_request, w);
	if (rc == 0)
		rc = lrt_final_writer_points(w);
	if (rc == 0)
		rc = lrt_book_each_program(book, write_program, &programs);
	if (rc == 0)
		rc = lrt_book_exposure(&exposure, book);
	if (rc == 0)
		rc = lrt_final_writer_exposure(w, &exposure);
	lrt_exposure_clear(&exposure);
	if (rc == 0)
		return lrt_final_writer_end(w);
	lrt_final_writer_abandon(w);
	return rc;
}
