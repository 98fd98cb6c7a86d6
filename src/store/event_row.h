/*
 * event_row.h - a well-formed event as a row of the inbox's typed columns,
 * and back: what `lrt ingest` COPYs and what settlement reads, so that no
 * event's JSON is parsed twice.
 *
 * The columns follow the members of lrt_event (include/lrt/event.h says
 * which member holds which field of each type): a new field of lrt_event
 * is one line of LRT_EVENT_ROW_COLUMNS below and one column added to
 * lrt.inbox by a migration; a new event type needs neither.  Texts travel
 * as text, amounts as numeric(78,0), prices as numeric, the fee recipients
 * as jsonb; a column an event's type does not use is NULL.
 */
#ifndef LRT_STORE_EVENT_ROW_H
#define LRT_STORE_EVENT_ROW_H

#include "core/arena.h"
#include "lrt/event.h"

/*
 * X(column, kind, member): every typed column of lrt.inbox in order.
 * Kinds: ID, TYPE, EPOCH, SEQ (the head); TEXT (a string member); AMOUNT,
 * AMOUNT_OUT (mpz_t members); PRICE (the mpq_t); BY_WAD (a slash's kind:
 * true when its amount is a wad); FEE_BPS, RECIPIENTS, DELAY, APR, GUARD,
 * MARK, POINTS (the policy fields a `config` event sets).
 */
#define LRT_EVENT_ROW_COLUMNS(X) \
	X(event_id, ID, id) \
	LRT_EVENT_ROW_COLUMNS_AFTER_ID(X)

#define LRT_EVENT_ROW_COLUMNS_AFTER_ID(X) \
	X(type, TYPE, type) \
	X(epoch, EPOCH, epoch) \
	X(seq, SEQ, seq) \
	X(holder, TEXT, holder) \
	X(from_name, TEXT, from) \
	X(to_name, TEXT, to) \
	X(source, TEXT, source) \
	X(location, TEXT, location) \
	X(asset, TEXT, asset) \
	X(asset_out, TEXT, asset_out) \
	X(request, TEXT, request) \
	X(amount, AMOUNT, amount) \
	X(amount_out, AMOUNT_OUT, amount_out) \
	X(price, PRICE, price) \
	X(fee_bps, FEE_BPS, config.fee_bps) \
	X(fee_recipients, RECIPIENTS, config.fee_recipients) \
	X(delay_epochs, DELAY, config.delay_epochs) \
	X(max_apr_bps, APR, config.max_apr_bps) \
	X(max_rate_change_bps, GUARD, config.max_rate_change_bps) \
	X(by_wad, BY_WAD, by_wad) \
	X(fee_high_water_mark, MARK, config.fee_high_water_mark) \
	X(points, POINTS, config.points)

#define LRT_EVENT_ROW_COUNT_ONE(column, kind, member) + 1
#define LRT_EVENT_ROW_NAME(column, kind, member) ", " #column

/* How many typed columns there are. */
#define LRT_EVENT_ROW_COLUMN_COUNT (0 LRT_EVENT_ROW_COLUMNS(LRT_EVENT_ROW_COUNT_ONE))

/* Their names as an SQL list, "event_id, type, ..." (a string literal). */
#define LRT_EVENT_ROW_COLUMN_LIST \
	"event_id" LRT_EVENT_ROW_COLUMNS_AFTER_ID(LRT_EVENT_ROW_NAME)

/* Bytes of the text of any number of a row: 2^256 - 1 has 78 digits, a
 * price at most 78 + 1 + 36. */
#define LRT_EVENT_ROW_NUMBER_BYTES 128

/* One event as text values, NULL for SQL NULL. */
typedef struct {
	const char *values[LRT_EVENT_ROW_COLUMN_COUNT];
	char epoch[24];
	char seq[24];
	char amount[LRT_EVENT_ROW_NUMBER_BYTES];
	char amount_out[LRT_EVENT_ROW_NUMBER_BYTES];
	char price[LRT_EVENT_ROW_NUMBER_BYTES * 2];
	char fee_bps[16];
	char delay_epochs[24];
	char max_apr_bps[16];
	char max_rate_change_bps[16];
	char *recipients;   /* malloc'd JSON, or NULL */
	char *points;       /* malloc'd JSON, or NULL */
} lrt_event_row;

/*
 * Fills `row` from a well-formed event (its strings are borrowed: the row
 * is valid while `event` is).  LRT_ENOMEM or LRT_ELIMIT; the caller calls
 * lrt_event_row_clear whatever the outcome.
 */
int lrt_event_row_from_event(lrt_event_row *row, const lrt_event *event);

void lrt_event_row_clear(lrt_event_row *row);

/*
 * An event from the text values of its typed columns (NULL for SQL NULL),
 * in LRT_EVENT_ROW_COLUMNS order, into an initialized `out`; its strings
 * are copied into `arena`.  LRT_EINVAL says which column cannot be read
 * (a row that C did not write), LRT_ENOMEM.
 */
int lrt_event_row_to_event(lrt_event *out, lrt_arena *arena,
			   const char *const *values);

/*
 * Compares the typed columns stored for an event (`stored`, NULL for SQL
 * NULL, as the server prints them) with what the event makes of them: 0
 * when they agree, 1 when they do not (then *column names the first that
 * differs, *stored_value and *event_value its two texts), or an error.
 * Numbers are compared as values, not as texts.
 */
int lrt_event_row_compare(const char **column, const char **stored_value,
			  const char **event_value, lrt_event_row *scratch,
			  const lrt_event *event, const char *const *stored);

#endif
