/*
 * scenario.c - reading a scenario (JSON Lines: a product, then events) into
 * events in apply order, and running it through a book (SPEC section 6).
 *
 * Workload: up to millions of lines held in memory.  Every line is parsed
 * once; an id seen before is found by hash, and only then are the two lines
 * parsed again to compare their content.  Every malformed line is reported;
 * a scenario with one is not kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/limits.h"
#include "core/strmap.h"
#include "io/json_load.h"
#include "io/json_parse.h"
#include "io/record_reader.h"
#include "lrt/error.h"
#include "lrt/scenario.h"

struct lrt_scenario {
	lrt_product product;
	lrt_arena arena;        /* every string of every event */
	lrt_event *events;      /* input order */
	uint32_t *order;        /* apply order: indexes into events */
	size_t *lines;          /* the input line of each event, input order */
	size_t count;
	int64_t last_epoch;
};

/* What the reader keeps per event until the scenario is complete. */
typedef struct {
	const char *text;       /* the raw line, for comparing duplicates */
	size_t length;
	size_t line;
} source_line;

typedef struct {
	const char *name;
	lrt_diagnostic_fn diagnostic;
	void *context;
	size_t malformed;
	char first_message[1024];
	source_line *sources;   /* parallel to scenario->events while reading */
	size_t capacity;
	lrt_strmap ids;
} reader;

static void report_malformed(reader *r, size_t line)
{
	char message[1200];

	snprintf(message, sizeof(message), "%s:%zu: %s", r->name, line,
		 lrt_error_last());
	if (r->malformed++ == 0)
		memcpy(r->first_message, message, sizeof(r->first_message) - 1);
	if (r->diagnostic != NULL)
		r->diagnostic(r->context, message);
}

/* 0; LRT_EINVAL for a line too long or not JSON; LRT_ENOMEM. */
static int load_line(json_t **out, const char *text, size_t length)
{
	*out = NULL;
	if (length > LRT_LINE_BYTES_MAX) {
		lrt_error_set("line is longer than %d bytes", LRT_LINE_BYTES_MAX);
		return LRT_EINVAL;
	}
	return lrt_json_load(out, text, length, JSON_REJECT_DUPLICATES, NULL);
}

static int read_product(lrt_scenario *s, const char *text, size_t length)
{
	json_t *line, *product;
	int rc = load_line(&line, text, length);

	if (rc != 0)
		return rc;
	product = json_is_object(line) ? json_object_get(line, "product") : NULL;
	if (product == NULL) {
		lrt_error_set("product: the first line must be {\"product\": {...}}");
		rc = LRT_EINVAL;
	} else {
		rc = lrt_json_product(&s->product, product);
		if (rc == LRT_EINVAL)
			lrt_error_prefix("product");
	}
	json_decref(line);
	return rc;
}

static int grow(lrt_scenario *s, reader *r)
{
	size_t capacity = r->capacity ? r->capacity * 2 : 1024;
	lrt_event *events = realloc(s->events, capacity * sizeof(*events));
	source_line *sources;

	if (events == NULL)
		return LRT_ENOMEM;
	s->events = events;
	sources = realloc(r->sources, capacity * sizeof(*sources));
	if (sources == NULL)
		return LRT_ENOMEM;
	r->sources = sources;
	r->capacity = capacity;
	return 0;
}

/* Same id seen before: a repeat of the same content is dropped (returns 1),
 * other content is malformed (LRT_EINVAL); LRT_ENOMEM. */
static int check_repeat(reader *r, size_t first, const json_t *object)
{
	const source_line *earlier = &r->sources[first];
	json_t *before;
	int same, rc = lrt_json_load(&before, earlier->text, earlier->length, 0, NULL);

	if (rc != 0)
		return rc;  /* it was parsed once already: only memory can fail */
	same = json_equal(before, (json_t *)object);
	json_decref(before);
	if (same)
		return 1;
	lrt_error_set("id: %s was used on line %zu with other content",
		      json_string_value(json_object_get(object, "id")), earlier->line);
	return LRT_EINVAL;
}

/* Parses one event line into the next slot; 0 when kept, 1 when dropped as a
 * repeat, LRT_EINVAL when malformed, LRT_ENOMEM. */
static int read_event(lrt_scenario *s, reader *r, const char *text,
		      size_t length, size_t line)
{
	lrt_event *event;
	json_t *object;
	int64_t earlier;
	int rc;

	if (s->count >= UINT32_MAX) {
		lrt_error_set("more than %u events in one scenario", UINT32_MAX - 1);
		return LRT_ELIMIT;
	}
	if (s->count == r->capacity && grow(s, r) != 0)
		return LRT_ENOMEM;
	rc = load_line(&object, text, length);
	if (rc != 0)
		return rc;
	event = &s->events[s->count];
	lrt_event_init(event);
	rc = lrt_json_event(event, &s->arena, object, &s->product);
	if (rc == 0) {
		earlier = lrt_strmap_find(&r->ids, event->id);
		if (earlier >= 0)
			rc = check_repeat(r, (size_t)earlier, object);
		else if (lrt_strmap_insert(&r->ids, event->id, (uint32_t)s->count) != 0)
			rc = LRT_ENOMEM;
	}
	json_decref(object);
	if (rc != 0) {
		lrt_event_clear(event);
		return rc;
	}
	r->sources[s->count].text = text;
	r->sources[s->count].length = length;
	r->sources[s->count].line = line;
	s->count++;
	return 0;
}

/* ---- apply order --------------------------------------------------------- */

typedef struct {
	int64_t epoch;
	int64_t seq;            /* used only when the whole epoch has seq */
	size_t input;           /* input order: the tie-breaker */
	bool by_seq;
} order_key;

static int compare_order(const void *left, const void *right)
{
	const order_key *a = left, *b = right;

	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	if (a->by_seq && a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->input < b->input ? -1 : a->input > b->input;
}

static int compare_epoch_input(const void *left, const void *right)
{
	const order_key *a = left, *b = right;

	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	return a->input < b->input ? -1 : a->input > b->input;
}

/* Puts the events in apply order: by epoch; within an epoch by seq when
 * every event of it has one (ties in input order), else in input order.
 * Only indexes move: an event is large, and a million of them would double
 * the peak memory if they were copied. */
static int sort_events(lrt_scenario *s, const reader *r)
{
	order_key *keys = malloc((s->count + 1) * sizeof(*keys));
	size_t i, start, end;

	s->order = malloc((s->count + 1) * sizeof(*s->order));
	s->lines = malloc((s->count + 1) * sizeof(*s->lines));
	if (keys == NULL || s->order == NULL || s->lines == NULL) {
		free(keys);
		return LRT_ENOMEM;
	}
	for (i = 0; i < s->count; i++) {
		keys[i].epoch = s->events[i].epoch;
		keys[i].seq = s->events[i].seq;
		keys[i].input = i;
		keys[i].by_seq = false;
		s->lines[i] = r->sources[i].line;
	}
	qsort(keys, s->count, sizeof(*keys), compare_epoch_input);
	for (start = 0; start < s->count; start = end) {
		bool all_seq = true;

		for (end = start; end < s->count && keys[end].epoch == keys[start].epoch; end++)
			all_seq = all_seq && s->events[keys[end].input].has_seq;
		if (!all_seq)
			continue;
		for (i = start; i < end; i++)
			keys[i].by_seq = true;
		qsort(keys + start, end - start, sizeof(*keys), compare_order);
	}
	for (i = 0; i < s->count; i++)
		s->order[i] = (uint32_t)keys[i].input;
	s->last_epoch = s->count > 0 ? keys[s->count - 1].epoch : -1;
	free(keys);
	return 0;
}

/* ---- reading --------------------------------------------------------------- */

static int read_lines(lrt_scenario *s, reader *r, const char *data, size_t length)
{
	const char *p = data, *end = data + length;
	bool have_product = false;
	size_t line = 0;
	int rc;

	while (p < end) {
		const char *newline = memchr(p, '\n', (size_t)(end - p));
		size_t size = (size_t)((newline ? newline : end) - p);

		line++;
		if (!lrt_record_is_blank(p, size)) {
			if (!have_product) {
				rc = read_product(s, p, size);
				if (rc != 0) {
					if (rc == LRT_EINVAL)
						report_malformed(r, line);
					return rc;
				}
				have_product = true;
			} else {
				rc = read_event(s, r, p, size, line);
				if (rc == LRT_EINVAL)
					report_malformed(r, line);
				else if (rc < 0)
					return rc;
			}
		}
		p += size + 1;
	}
	if (!have_product) {
		lrt_error_set("no {\"product\": {...}} line");
		report_malformed(r, line > 0 ? line : 1);
		return LRT_EINVAL;
	}
	return r->malformed > 0 ? LRT_EINVAL : 0;
}

int lrt_scenario_read(lrt_scenario **out, const char *name, const char *data,
		      size_t length, lrt_diagnostic_fn diagnostic, void *context)
{
	lrt_scenario *s = calloc(1, sizeof(*s));
	size_t bom;
	reader r;
	int rc;

	*out = NULL;
	if (s == NULL) {
		lrt_error_set("out of memory reading %s", name);
		return LRT_ENOMEM;
	}
	memset(&r, 0, sizeof(r));
	r.name = name;
	r.diagnostic = diagnostic;
	r.context = context;
	lrt_strmap_init(&r.ids);
	lrt_product_init(&s->product);
	lrt_arena_init(&s->arena);
	s->last_epoch = -1;
	bom = lrt_record_bom_bytes(data, length);
	rc = read_lines(s, &r, data + bom, length - bom);
	if (rc == 0)
		rc = sort_events(s, &r);
	if (rc == LRT_EINVAL)
		lrt_error_set("%s", r.first_message);
	else if (rc == LRT_ENOMEM)
		lrt_error_set("out of memory after %zu events", s->count);
	free(r.sources);
	lrt_strmap_clear(&r.ids);
	if (rc != 0) {
		lrt_scenario_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void lrt_scenario_free(lrt_scenario *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->count; i++)
		lrt_event_clear(&s->events[i]);
	free(s->events);
	free(s->order);
	free(s->lines);
	lrt_arena_clear(&s->arena);
	lrt_product_clear(&s->product);
	free(s);
}

const lrt_product *lrt_scenario_product(const lrt_scenario *s)
{
	return &s->product;
}

size_t lrt_scenario_event_count(const lrt_scenario *s)
{
	return s->count;
}

const lrt_event *lrt_scenario_event(const lrt_scenario *s, size_t i)
{
	return i < s->count ? &s->events[s->order[i]] : NULL;
}

size_t lrt_scenario_event_line(const lrt_scenario *s, size_t i)
{
	return i < s->count ? s->lines[s->order[i]] : 0;
}

int64_t lrt_scenario_last_epoch(const lrt_scenario *s)
{
	return s->last_epoch;
}

/* ---- running ----------------------------------------------------------------- */

int lrt_scenario_run(const lrt_scenario *s, lrt_book *book,
		     lrt_epoch_fn on_epoch, void *context)
{
	return lrt_scenario_run_through(s, book, s->last_epoch, on_epoch, context);
}

int lrt_scenario_run_through(const lrt_scenario *s, lrt_book *book,
			     int64_t last_epoch, lrt_epoch_fn on_epoch,
			     void *context)
{
	lrt_epoch_report report;
	size_t next = 0;
	int64_t epoch;
	int rc = 0;

	if (lrt_book_settled_epoch(book) != -1) {
		lrt_error_set("a scenario runs on a new book");
		return LRT_ESTATE;
	}
	lrt_epoch_report_init(&report);
	for (epoch = 0; epoch <= last_epoch && rc == 0; epoch++) {
		rc = lrt_book_begin_epoch(book, epoch);
		for (; rc == 0 && next < s->count
		       && s->events[s->order[next]].epoch == epoch; next++) {
			rc = lrt_book_apply(book, &s->events[s->order[next]]);
			if (rc == LRT_EREJECT)
				rc = 0;
		}
		if (rc == 0)
			rc = lrt_book_settle(book, &report);
		if (rc == 0 && on_epoch != NULL)
			rc = on_epoch(context, &report);
	}
	lrt_epoch_report_clear(&report);
	return rc;
}
