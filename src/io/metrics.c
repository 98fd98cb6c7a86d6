/*
 * metrics.c - the Prometheus metrics file of include/lrt/status.h: the text
 * exposition format (version 0.0.4) as node_exporter's textfile collector
 * reads it, written whole or not at all (io/atomic_file.h), so that the
 * collector, which reads the file whenever it is scraped, never sees half
 * of one.
 *
 * The workload: `lrt serve` rewrites it after every cycle, a few hundred
 * bytes per product.  Each metric is a family: "# HELP", "# TYPE", then its
 * samples, one per product in the order given, labelled product="SYM";
 * the service's own metrics have no label.  No timestamps: the collector
 * refuses them.  Values are integers; the queue's value is the exact
 * decimal of base units, which Prometheus reads as a float, but the file
 * keeps every digit for whoever reads it otherwise.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "io/atomic_file.h"
#include "lrt/error.h"
#include "lrt/status.h"

/* What a product's sample shows. */
typedef enum {
	VALUE_SETTLED_EPOCH,
	VALUE_DUE_EPOCH,
	VALUE_SECONDS_BEHIND,
	VALUE_EVENTS_WAITING,
	VALUE_SUBMISSIONS_WAITING,
	VALUE_QUEUE_REQUESTS,
	VALUE_QUEUE_VALUE,
	VALUE_GUARD_TRIPS,
	VALUE_GUARD_STOPPED,
	VALUE_LEADER
} product_value;

typedef struct {
	const char *name;
	const char *type;        /* "gauge" or "counter" */
	const char *help;        /* no backslash, no newline: written as is */
	product_value value;
} product_metric;

static const product_metric product_metrics[] = {
	{ "lrt_settled_epoch", "gauge",
	  "The last settled epoch of the product; -1 before the first.",
	  VALUE_SETTLED_EPOCH },
	{ "lrt_due_epoch", "gauge",
	  "The last epoch complete by the clock (its end plus the settle lag has"
	  " passed); -1 when none.",
	  VALUE_DUE_EPOCH },
	{ "lrt_seconds_behind", "gauge",
	  "Seconds since the epoch after the last settled one became due; 0 when"
	  " settlement is up to date.",
	  VALUE_SECONDS_BEHIND },
	{ "lrt_events_waiting", "gauge",
	  "Events in the inbox of epochs not yet settled.",
	  VALUE_EVENTS_WAITING },
	{ "lrt_submissions_waiting", "gauge",
	  "Events submitted with SQL (lrt.submissions) not yet ingested.",
	  VALUE_SUBMISSIONS_WAITING },
	{ "lrt_queue_requests", "gauge",
	  "Withdrawal requests queued.",
	  VALUE_QUEUE_REQUESTS },
	{ "lrt_queue_value_base_units", "gauge",
	  "Value of the queued withdrawal requests at the rate now, in base units"
	  " of the underlying.",
	  VALUE_QUEUE_VALUE },
	{ "lrt_guard_trips_total", "counter",
	  "Times the settlement guard stopped an epoch of the product.",
	  VALUE_GUARD_TRIPS },
	{ "lrt_guard_stopped", "gauge",
	  "1 while the settlement guard holds the next epoch (lrt settle"
	  " --accept-rate RATE lets it pass), else 0.",
	  VALUE_GUARD_STOPPED },
	{ "lrt_leader", "gauge",
	  "1 when this lrt serve holds the product's settlement lock, else 0.",
	  VALUE_LEADER },
};

#define PRODUCT_METRIC_COUNT (sizeof(product_metrics) / sizeof(product_metrics[0]))

static void write_family(FILE *file, const char *name, const char *type, const char *help)
{
	fprintf(file, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format quotes it: backslash, double quote and line
 * feed escaped, every other byte as it is (UTF-8 is welcome). */
static void write_label_value(FILE *file, const char *value)
{
	const char *p;

	fputc('"', file);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", file);
		else if (*p == '"')
			fputs("\\\"", file);
		else if (*p == '\n')
			fputs("\\n", file);
		else
			fputc(*p, file);
	}
	fputc('"', file);
}

static bool is_leading(const lrt_service_counters *counters, const char *symbol)
{
	size_t i;

	if (counters == NULL)
		return false;
	for (i = 0; i < counters->leading_count; i++)
		if (counters->leading[i] != NULL && strcmp(counters->leading[i], symbol) == 0)
			return true;
	return false;
}

static void write_sample_value(FILE *file, const product_metric *metric,
			       const lrt_product_status *s,
			       const lrt_service_counters *counters)
{
	int64_t value = 0;

	switch (metric->value) {
	case VALUE_SETTLED_EPOCH: value = s->settled_epoch; break;
	case VALUE_DUE_EPOCH: value = s->due_epoch; break;
	case VALUE_SECONDS_BEHIND: value = s->seconds_behind; break;
	case VALUE_EVENTS_WAITING: value = s->events_waiting; break;
	case VALUE_SUBMISSIONS_WAITING: value = s->submissions_waiting; break;
	case VALUE_QUEUE_REQUESTS: value = s->queue_length; break;
	case VALUE_QUEUE_VALUE:
		fputs(s->queue_value != NULL ? s->queue_value : "0", file);
		return;
	case VALUE_GUARD_TRIPS: value = s->guard_trips; break;
	case VALUE_GUARD_STOPPED: value = s->guard_stopped ? 1 : 0; break;
	case VALUE_LEADER: value = is_leading(counters, s->symbol) ? 1 : 0; break;
	}
	fprintf(file, "%" PRId64, value);
}

static void write_product_metrics(FILE *file, const lrt_product_status *statuses,
				  size_t count, const lrt_service_counters *counters)
{
	size_t m, i;

	if (count == 0)
		return;       /* a family with no sample says nothing */
	for (m = 0; m < PRODUCT_METRIC_COUNT; m++) {
		const product_metric *metric = &product_metrics[m];

		write_family(file, metric->name, metric->type, metric->help);
		for (i = 0; i < count; i++) {
			fprintf(file, "%s{product=", metric->name);
			write_label_value(file, statuses[i].symbol);
			fputs("} ", file);
			write_sample_value(file, metric, &statuses[i], counters);
			fputc('\n', file);
		}
	}
}

static void write_service_metrics(FILE *file, const lrt_service_counters *counters)
{
	write_family(file, "lrt_reconnects_total", "counter",
		     "Reconnections to the database since the service started.");
	fprintf(file, "lrt_reconnects_total %" PRId64 "\n", counters->reconnects);
	write_family(file, "lrt_epochs_settled_total", "counter",
		     "Epochs this service has settled since it started.");
	fprintf(file, "lrt_epochs_settled_total %" PRId64 "\n", counters->epochs_settled);
	write_family(file, "lrt_service_start_time_seconds", "gauge",
		     "When the service started, Unix seconds.");
	fprintf(file, "lrt_service_start_time_seconds %" PRId64 "\n", counters->started_at);
}

int lrt_metrics_write(const char *path, const lrt_product_status *statuses, size_t count,
		      const lrt_service_counters *counters)
{
	lrt_atomic_file out;
	size_t i;
	int rc;

	LRT_ASSERT(path != NULL && (statuses != NULL || count == 0));
	for (i = 0; i < count; i++)
		LRT_ASSERT(statuses[i].symbol != NULL);
	if ((rc = lrt_atomic_file_open(&out, path)) != 0)
		return rc;
	write_product_metrics(out.file, statuses, count, counters);
	if (counters != NULL)
		write_service_metrics(out.file, counters);
	/* a failed write leaves the stream's error set: the commit sees it,
	 * removes the temporary file and keeps the old one */
	return lrt_atomic_file_commit(&out);
}
