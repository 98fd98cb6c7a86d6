/*
 * serve_cycle.c - one cycle of `lrt serve` for one product (see serve.h),
 * and the metrics file written after each cycle.
 *
 *   lead       hold the product's serve lock (pg_try_advisory_lock), or
 *              stand by and ask again in a few seconds
 *   judge      the events submitted with SQL, with the C validator, as
 *              `lrt ingest --pending` does
 *   guard      after a guard stop, wait until the epoch was settled
 *              elsewhere or its events changed (an accept arrived)
 *   settle     every complete epoch by the clock, in order, with the code
 *              of `lrt settle`: one transaction per epoch, a stop signal
 *              honoured between two
 *
 * A cycle costs a query or two when nothing is due: the progress (an index
 * probe), then the settler's lock and state row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "cli/serve.h"
#include "lrt/lrt.h"
#include "lrt/service.h"
#include "lrt/status.h"

/*
 * A failure of the product's cycle: LRT_EDB when the connection is lost
 * (the loop reconnects), else logged once and tried again next cycle.
 */
static int failed(serve_state *s, serve_product *p, const char *doing)
{
	char message[1200];

	if (!lrt_service_connected(s->store))
		return LRT_EDB;
	snprintf(message, sizeof(message), "%s failed: %s", doing, lrt_error_last());
	serve_log_once(s, &p->last_error, "error", "failure", p->symbol, message);
	p->failed = true;
	return 0;
}

/* The application_name of the session holding the product's serve lock,
 * into `out` ("another process" when it cannot be read). */
static void lock_holder(char *out, size_t size, serve_state *s, const serve_product *p)
{
	lrt_product_status *status = NULL;
	size_t count = 0;

	snprintf(out, size, "another process");
	if (lrt_status_read(&status, &count, s->store, p->symbol, 0) == 0 && count == 1
	    && status[0].lock_holder != NULL)
		snprintf(out, size, "%s", status[0].lock_holder);
	lrt_status_free(status, count);
}

static int lead(serve_state *s, serve_product *p)
{
	char holder[256];
	bool held;

	if (lrt_service_lock(&held, s->store, p->product_id) != 0)
		return failed(s, p, "taking the settlement lock");
	if (held) {
		p->leading = true;
		p->standby_said = false;
		serve_log_write(&s->log, "info", "leading", p->symbol, NULL,
				"leading: this process holds the settlement lock and"
				" settles %s", p->symbol);
		return 0;
	}
	if (!p->standby_said) {
		p->standby_said = true;
		lock_holder(holder, sizeof(holder), s, p);
		serve_log_write(&s->log, "info", "standby", p->symbol,
				json_pack("{s:s}", "leader", holder),
				"standing by: %s holds the settlement lock; asking again"
				" every %d s", holder, SERVE_LEADER_RETRY_MS / 1000);
	}
	return 0;
}

/* ---- submissions ------------------------------------------------------------------ */

typedef struct {
	serve_state *s;
	serve_product *p;
} product_context;

static void log_reject(void *context, const char *file, uint64_t line, const char *reason)
{
	product_context *c = context;

	(void)file;
	serve_log_write(&c->s->log, "warning", "submission_rejected", c->p->symbol,
			json_pack("{s:I, s:s}", "submission_id", (json_int_t)line,
				  "reason", reason),
			"submission %llu rejected: %s (kept in lrt.ingest_rejects)",
			(unsigned long long)line, reason);
}

static int judge_submissions(serve_state *s, serve_product *p)
{
	product_context context = { s, p };
	lrt_ingest_options options = LRT_INGEST_OPTIONS_INIT;
	lrt_ingest_report report;

	options.on_reject = log_reject;
	options.reject_detail_max = LRT_REJECTS_SHOWN;
	options.context = &context;
	if (lrt_ingest_pending(&report, s->store, p->symbol, &options) != 0)
		return failed(s, p, "judging the submissions");
	if (report.read > 0)
		serve_log_write(&s->log, "info", "submissions", p->symbol,
				json_pack("{s:I, s:I, s:I, s:I}",
					  "read", (json_int_t)report.read,
					  "loaded", (json_int_t)report.loaded,
					  "duplicates", (json_int_t)report.duplicates,
					  "rejected", (json_int_t)report.rejected),
				"judged %llu submission%s: %llu loaded, %llu duplicates,"
				" %llu rejected", (unsigned long long)report.read,
				report.read == 1 ? "" : "s",
				(unsigned long long)report.loaded,
				(unsigned long long)report.duplicates,
				(unsigned long long)report.rejected);
	return 0;
}

/* ---- the guard -------------------------------------------------------------------- */

/* After a guard stop: true when the epoch was settled elsewhere or its
 * events changed since, so that settling again may pass. */
static bool guard_cleared(serve_state *s, serve_product *p,
			  const lrt_service_progress *progress)
{
	if (progress->settled_epoch == p->trip_settled
	    && progress->next_epoch_events == p->trip_events)
		return false;
	p->guard_stopped = false;
	if (progress->settled_epoch >= p->trip_epoch)
		serve_log_write(&s->log, "info", "guard_cleared", p->symbol,
				json_pack("{s:I}", "epoch", (json_int_t)p->trip_epoch),
				"epoch %lld was settled elsewhere (lrt settle --accept-rate):"
				" settling on", (long long)p->trip_epoch);
	else
		serve_log_write(&s->log, "info", "guard_cleared", p->symbol,
				json_pack("{s:I, s:I}", "epoch", (json_int_t)p->trip_epoch,
					  "events", (json_int_t)progress->next_epoch_events),
				"epoch %lld has new events (%lld now): trying it again",
				(long long)p->trip_epoch,
				(long long)progress->next_epoch_events);
	return true;
}

/*
 * The guard stopped epoch settled_after + 1 (lrt.guard_trips has its row).
 * What the stop was seen at is kept: the progress read before settling
 * when the stopped epoch was the first of the call (a count no later than
 * the settler's, so an event arriving meanwhile is not missed), else the
 * progress now.  Logged once; the product waits until that changes.
 */
static int guard_stop(serve_state *s, serve_product *p, const lrt_settle_report *report,
		      const lrt_service_progress *before)
{
	char message[1200];
	lrt_service_progress now = *before;
	lrt_product_status *status = NULL;
	size_t count = 0;
	json_t *fields;

	snprintf(message, sizeof(message), "%s", lrt_error_last());
	p->guard_stopped = true;
	p->trip_epoch = report->settled_after + 1;
	if (p->trip_epoch != before->settled_epoch + 1
	    && lrt_service_read_progress(&now, s->store, p->product_id) != 0) {
		if (!lrt_service_connected(s->store))
			return LRT_EDB;
		now.settled_epoch = -2;  /* unknown: try again next cycle */
	}
	p->trip_settled = now.settled_epoch;
	p->trip_events = now.next_epoch_events;
	s->guard_status = LRT_EGUARD;
	fields = json_pack("{s:I}", "epoch", (json_int_t)p->trip_epoch);
	if (lrt_status_read(&status, &count, s->store, p->symbol, 0) == 0 && count == 1
	    && status[0].last_trip_rate_before != NULL) {
		json_object_set_new(fields, "rate_before",
				    json_string(status[0].last_trip_rate_before));
		json_object_set_new(fields, "rate_after",
				    json_string(status[0].last_trip_rate_after));
	}
	lrt_status_free(status, count);
	serve_log_write(&s->log, "warning", "guard_stop", p->symbol, fields,
			"guard stop: %s; %s waits (others go on) until it is accepted:"
			" that command, or an accept event for epoch %lld submitted with"
			" SQL", message, p->symbol, (long long)p->trip_epoch);
	return 0;
}

/* ---- settling --------------------------------------------------------------------- */

typedef struct {
	serve_state *s;
	serve_product *p;
	const lrt_settle_report *report;  /* last_events is the epoch's */
	int64_t last_ms;
} epoch_context;

static void log_epoch(void *context, const lrt_epoch_report *epoch)
{
	epoch_context *c = context;
	int64_t now = serve_clock_ms();
	int64_t elapsed = now - c->last_ms;
	char *rate = mpz_get_str(NULL, 10, epoch->rate);

	c->last_ms = now;
	c->p->settled_epoch = epoch->epoch;
	c->s->epochs_settled++;
	serve_log_write(&c->s->log, "info", "settled", c->p->symbol,
			json_pack("{s:I, s:s, s:I, s:I, s:I}", "epoch", (json_int_t)epoch->epoch,
				  "rate", rate != NULL ? rate : "",
				  "events", (json_int_t)c->report->last_events,
				  "rejected", (json_int_t)epoch->rejected_count,
				  "ms", (json_int_t)elapsed),
			"settled epoch %lld: rate %s, %zu event%s (%zu rejected), %lld ms",
			(long long)epoch->epoch, rate != NULL ? rate : "?",
			c->report->last_events, c->report->last_events == 1 ? "" : "s",
			epoch->rejected_count, (long long)elapsed);
	free(rate);
}

/* Settles the epochs that were complete at `looked_seconds`. */
static int settle(serve_state *s, serve_product *p, const lrt_service_progress *before,
		  int64_t looked_seconds)
{
	lrt_settle_options options = LRT_SETTLE_OPTIONS_INIT;
	lrt_settle_report report;
	epoch_context context = { s, p, &report, serve_clock_ms() };
	int rc;

	options.by_clock = true;
	options.now = looked_seconds;
	options.stop = &serve_stop_signal;
	options.on_epoch = log_epoch;
	options.context = &context;
	rc = lrt_settle(&report, s->store, p->symbol, &options);
	if (rc == LRT_EGUARD)
		return guard_stop(s, p, &report, before);
	if (rc != 0)
		return failed(s, p, "settling");
	p->settled_epoch = report.settled_after;
	p->failed = false;
	free(p->last_error);
	p->last_error = NULL;
	return 0;
}

int serve_product_cycle(serve_state *s, serve_product *p)
{
	lrt_service_progress progress;
	int64_t looked_seconds;
	int rc;

	if (!p->leading && (rc = lead(s, p)) != 0)
		return rc;
	if (!p->leading)
		return 0;
	/*
	 * The clock before the submissions are looked for: this cycle settles
	 * only the epochs complete by then.  A submission committed before its
	 * epoch was complete is then judged into the inbox before that epoch
	 * settles, even when judging the submissions ahead of it runs past the
	 * epoch's end plus the lag (the clock read after judging would settle
	 * the epoch without it, and it would be rejected as late).
	 */
	looked_seconds = serve_clock_ms() / 1000;
	if (lrt_service_read_progress(&progress, s->store, p->product_id) != 0)
		return failed(s, p, "reading its progress");
	p->settled_epoch = progress.settled_epoch;
	p->settle_lag_seconds = progress.settle_lag_seconds;  /* lrt product update */
	if (progress.submissions_waiting) {
		if ((rc = judge_submissions(s, p)) != 0)
			return rc;
		if (lrt_service_read_progress(&progress, s->store, p->product_id) != 0)
			return failed(s, p, "reading its progress");
	}
	if (p->guard_stopped && !guard_cleared(s, p, &progress))
		return 0;
	return settle(s, p, &progress, looked_seconds);
}

/* ---- the metrics file ------------------------------------------------------------- */

static bool is_served(const serve_state *s, const char *symbol)
{
	size_t i;

	for (i = 0; i < s->product_count; i++)
		if (strcmp(s->products[i].symbol, symbol) == 0)
			return true;
	return false;
}

void serve_write_metrics(serve_state *s)
{
	lrt_product_status *all = NULL, *served = NULL;
	const char **leading = NULL;
	lrt_service_counters counters;
	size_t count = 0, served_count = 0, i;
	char message[1200];
	int rc;

	if (s->options->metrics_path == NULL || s->store == NULL)
		return;
	rc = lrt_status_read(&all, &count, s->store, NULL, 0);
	served = calloc(count + 1, sizeof(*served));
	leading = calloc(s->product_count + 1, sizeof(*leading));
	if (rc == 0 && (served == NULL || leading == NULL)) {
		lrt_error_set("out of memory");
		rc = LRT_ENOMEM;
	}
	memset(&counters, 0, sizeof(counters));
	for (i = 0; rc == 0 && i < count; i++)
		if (is_served(s, all[i].symbol))
			served[served_count++] = all[i];
	for (i = 0; rc == 0 && i < s->product_count; i++)
		if (s->products[i].leading)
			leading[counters.leading_count++] = s->products[i].symbol;
	counters.reconnects = s->reconnects;
	counters.epochs_settled = s->epochs_settled;
	counters.started_at = s->started_at;
	counters.leading = leading;
	if (rc == 0)
		rc = lrt_metrics_write(s->options->metrics_path, served, served_count,
				       &counters);
	if (rc != 0) {
		snprintf(message, sizeof(message), "metrics file %s not written: %s",
			 s->options->metrics_path, lrt_error_last());
		serve_log_once(s, &s->metrics_error, "warning", "metrics", NULL, message);
	} else {
		free(s->metrics_error);
		s->metrics_error = NULL;
	}
	free(leading);
	free(served);
	lrt_status_free(all, count);
}
