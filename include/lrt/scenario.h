/*
 * scenario.h - reading products, events and scenarios written as JSON, and
 * writing epoch reports in the format of `lrt simulate` (SPEC section 6).
 *
 * A scenario is JSON Lines: the first line {"product": {...}}, every other
 * line one event; blank lines are skipped.  Reading validates every line
 * (SPEC section 4, second paragraph) and reports each malformed one as
 * "NAME:LINE: field: what is wrong"; nothing of a malformed scenario is kept.
 * Events come back in apply order: by epoch, and within an epoch by `seq`
 * when every event of the epoch has one (ties in input order), else in input
 * order.  A repeated line (same id, same parsed content) is dropped.
 */
#ifndef LRT_SCENARIO_H
#define LRT_SCENARIO_H

#include "lrt/common.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lrt/book.h"
#include "lrt/event.h"
#include "lrt/product.h"

typedef struct lrt_scenario lrt_scenario;

/* Receives one diagnostic line, without a newline. */
typedef void (*lrt_diagnostic_fn)(void *context, const char *message);

/*
 * Parses a scenario held in memory; `name` is used in diagnostics.  Returns
 * LRT_EINVAL when a line is malformed (each reported to `diagnostic` when it
 * is not NULL; the last error is the first of them), LRT_ENOMEM or
 * LRT_ELIMIT; *out is then NULL.
 */
LRT_API int lrt_scenario_read(lrt_scenario **out, const char *name, const char *data,
			      size_t length, lrt_diagnostic_fn diagnostic,
			      void *context);
LRT_API void lrt_scenario_free(lrt_scenario *scenario);

LRT_API const lrt_product *lrt_scenario_product(const lrt_scenario *scenario);
LRT_API size_t lrt_scenario_event_count(const lrt_scenario *scenario);

/* The i-th event in apply order. */
LRT_API const lrt_event *lrt_scenario_event(const lrt_scenario *scenario, size_t i);

/* The input line an event came from (1-based). */
LRT_API size_t lrt_scenario_event_line(const lrt_scenario *scenario, size_t i);

/* The last epoch that has an event, or -1 when there is none. */
LRT_API int64_t lrt_scenario_last_epoch(const lrt_scenario *scenario);

/* Receives each settled epoch's report; a non-zero return stops the run. */
typedef int (*lrt_epoch_fn)(void *context, const lrt_epoch_report *report);

/*
 * Settles epochs 0 through the last that has an event on a new `book`
 * (made from the scenario's product), calling `on_epoch` after each.
 * Returns 0, LRT_EGUARD (the epochs before have been reported), or another
 * error code.
 */
LRT_API int lrt_scenario_run(const lrt_scenario *scenario, lrt_book *book,
			     lrt_epoch_fn on_epoch, void *context);

/* The same, through epoch `last_epoch` only (-1: none). */
LRT_API int lrt_scenario_run_through(const lrt_scenario *scenario, lrt_book *book,
				     int64_t last_epoch, lrt_epoch_fn on_epoch,
				     void *context);

/*
 * Parses one --slash argument of `lrt stress`, OPERATOR:AVS:ASSET:WAD
 * (SPEC section 7): four non-empty parts, names at most LRT_NAME_BYTES_MAX
 * bytes, OPERATOR and AVS lower-cased when addresses, WAD an amount of at
 * most 10^18.  The names point into `text`, which is modified; `out->wad`
 * must be initialized.  LRT_EINVAL names the part that is wrong.
 */
LRT_API int lrt_stress_slash_parse(lrt_stress_slash *out, char *text);

/* Writes the stress report of SPEC section 7 as one JSON line; `slashes`
 * are the ones the report was computed from. */
LRT_API int lrt_stress_write_json(FILE *out, const lrt_stress_report *report,
				  const lrt_stress_slash *slashes);

/* Parses a product object (the value of "product"), validated. */
LRT_API int lrt_product_parse_json(lrt_product *out, const char *text, size_t length);

/* Writes one epoch line of SPEC section 6, with a newline. */
LRT_API int lrt_report_write_json(FILE *out, const lrt_epoch_report *report);

/* Writes the final {"holders", "queue", "points", "exposure"} line, with a
 * newline. */
LRT_API int lrt_book_write_final_json(FILE *out, const lrt_book *book);

/*
 * The final line written piece by piece, for callers whose holders and queue
 * are not in a book (the database export): begin, every holder with
 * non-zero shares in code-point order, every queued request in queue order,
 * then (second edition) the points: lrt_final_writer_points to open them,
 * each program in code-point order with its holders' non-zero points in
 * code-point order; then the exposure; end.  Sections come in that order
 * (LRT_ESTATE otherwise) and a section not written is left out of the line.
 * The writer is freed by end, also on error; end closes the line only when
 * every piece went out, and leaves it cut otherwise (no closing brace, no
 * newline), so that no reader takes a part for the whole.  After an error
 * of the caller's own, abandon frees it the same way, the line cut.
 */
typedef struct lrt_final_writer lrt_final_writer;

LRT_API int lrt_final_writer_begin(lrt_final_writer **out, FILE *stream);
LRT_API int lrt_final_writer_holder(lrt_final_writer *writer, const char *holder,
				    const mpz_t shares);
LRT_API int lrt_final_writer_request(lrt_final_writer *writer,
				     const lrt_request_view *request);
LRT_API int lrt_final_writer_points(lrt_final_writer *writer);
LRT_API int lrt_final_writer_program(lrt_final_writer *writer, const char *program);
LRT_API int lrt_final_writer_holder_points(lrt_final_writer *writer, const char *holder,
					   const mpz_t points);
LRT_API int lrt_final_writer_exposure(lrt_final_writer *writer, const lrt_exposure *exposure);
LRT_API int lrt_final_writer_end(lrt_final_writer *writer);
LRT_API void lrt_final_writer_abandon(lrt_final_writer *writer);

#endif
