/*
 * report_html_charts.c - the three charts of a product's section of the
 * HTML page (report_html_internal.h), drawn as inline SVG:
 *
 *   1. the rate at the end of each settled epoch (lrt_report.rates), a
 *      marker at each epoch with an applied slash (lrt_report.
 *      operator_slashes) whose hover label lists them;
 *   2. TVL by location over the epochs (lrt_report.tvl_by_location):
 *      stacked areas, the buffer at the bottom, then the largest operators;
 *   3. the withdrawal queue against the buffer (lrt_report.queue_history):
 *      the queued requests' value at each epoch's rate, the buffer and what
 *      is claimable.
 *
 * Each value's exact text becomes a double here (lrt_svg_number) only to
 * be a pixel position: drawing, not money.  The exact figure stays in the
 * tables, and in the hover labels of the rate's points, which print the
 * text itself.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "io/html_svg.h"
#include "io/report_html_internal.h"
#include "lrt/error.h"

/* Epochs up to which a series' points carry a hover label (a circle each),
 * and up to which those circles show as dots. */
#define HOVER_POINTS_MAX 400
#define DOT_POINTS_MAX 60
/* Slashes one marker's hover label lists before "and N more". */
#define MARKER_SLASHES_MAX 12
/* Areas of the TVL chart: the buffer and the largest operators; the rest
 * are summed into one "other operators" area, so the colours stay apart. */
#define TVL_SERIES_MAX 8
/* A chart's texts: a name of at most LRT_NAME_BYTES_MAX (512) bytes with
 * a few words around it. */
#define LABEL_BYTES 1200

#define COLOR_RATE "#0072b2"
#define COLOR_SLASH "#c0392b"
#define COLOR_BUFFER "#009e73"
#define COLOR_QUEUE "#e69f00"
#define COLOR_CLAIMABLE "#6b7785"

/* The TVL areas after the buffer (Okabe and Ito's colours), then a grey
 * for the others. */
static const char *const operator_colors[TVL_SERIES_MAX - 1] = {
	"#0072b2", "#e69f00", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#009e73"
};
#define COLOR_TVL_BUFFER "#9aa5b1"
#define COLOR_TVL_OTHERS "#5d6b79"

static int out_of_memory(void)
{
	lrt_error_set("out of memory drawing the HTML page's charts");
	return LRT_ENOMEM;
}

static void figure_begin(const lrt_html_section *s)
{
	fputs("<figure>\n", s->file);
}

static void figure_end(const lrt_html_section *s, const char *caption)
{
	fputs("<figcaption>", s->file);
	lrt_html_escape(s->file, caption);
	fputs("</figcaption>\n</figure>\n", s->file);
}

/* The x range of epochs first..last; one epoch gets a unit around it. */
static void epoch_range(lrt_svg_chart *c, const lrt_html_epoch_row *order, size_t count)
{
	c->x_min = count > 0 ? (double)order[0].epoch : 0;
	c->x_max = count > 0 ? (double)order[count - 1].epoch : 1;
	if (!(c->x_max > c->x_min)) {
		c->x_min -= 0.5;
		c->x_max += 0.5;
	}
}

/* A polyline through (epoch, value of column v) as a <path>. */
static void series_path(FILE *file, const lrt_svg_chart *c, const lrt_html_rows *rows,
			const lrt_html_epoch_row *order, int v, const char *color,
			const char *extra)
{
	size_t i;

	if (rows->count == 0)
		return;
	fprintf(file, "<path class=\"series\" stroke=\"%s\"%s d=\"", color, extra);
	for (i = 0; i < rows->count; i++)
		fprintf(file, "%s%.1f %.1f", i == 0 ? "M" : "L",
			lrt_svg_x(c, (double)order[i].epoch),
			lrt_svg_y(c, lrt_svg_number(lrt_html_value(rows, order[i].row, v))));
	if (rows->count == 1)              /* a lone point: a short level line */
		fprintf(file, "h0.1");
	fputs("\"/>\n", file);
}

/* The range of column v's values. */
static void value_range(double *low, double *high, const lrt_html_rows *rows, int v)
{
	size_t r;

	for (r = 0; r < rows->count; r++) {
		double y = lrt_svg_number(lrt_html_value(rows, r, v));

		*low = r == 0 || y < *low ? y : *low;
		*high = r == 0 || y > *high ? y : *high;
	}
}

/* ---- 1. the rate, slashes marked --------------------------------------------------------- */

/* One marker: a dashed rule at `epoch`, a triangle on top, and a hover
 * label listing the epoch's slashes (rows first..last of `order`). */
static void slash_marker(const lrt_html_section *s, const lrt_svg_chart *c,
			 const lrt_html_rows *x, const lrt_html_epoch_row *order,
			 size_t first, size_t last)
{
	int operator = lrt_html_column(x, "operator"), avs = lrt_html_column(x, "avs");
	int loss = lrt_html_column(x, "loss_whole"), asset = lrt_html_column(x, "asset");
	double px = lrt_svg_x(c, (double)order[first].epoch);
	FILE *f = s->file;
	size_t i;

	fprintf(f, "<g class=\"slash\"><title>epoch %lld: %zu slash%s",
		(long long)order[first].epoch, last - first + 1, last > first ? "es" : "");
	for (i = first; i <= last && i < first + MARKER_SLASHES_MAX; i++) {
		size_t r = order[i].row;

		fputs("\n", f);
		lrt_html_escape(f, lrt_html_value(x, r, operator));
		fputs(" lost ", f);
		lrt_html_escape(f, lrt_html_value(x, r, loss));
		fputs(" ", f);
		lrt_html_escape(f, lrt_html_value(x, r, asset));
		fputs(" to ", f);
		lrt_html_escape(f, lrt_html_value(x, r, avs));
	}
	if (last + 1 - first > MARKER_SLASHES_MAX)
		fprintf(f, "\nand %zu more", last + 1 - first - MARKER_SLASHES_MAX);
	fprintf(f, "</title><path d=\"M%.1f %.1fV%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"5 3\"/><path d=\"M%.1f %.1fl-6 -9h12z\" fill=\"%s\"/>"
		"</g>\n", px, c->top + 2, c->bottom, COLOR_SLASH, px, c->top + 10,
		COLOR_SLASH);
}

/* A marker for each epoch with slashes, within the chart's epochs. */
static int slash_markers(const lrt_html_section *s, const lrt_svg_chart *c)
{
	const lrt_html_rows *x = &s->product->views[LRT_HTML_SLASHES];
	lrt_html_epoch_row *order = lrt_html_by_epoch(x);
	size_t first = 0, i;

	if (order == NULL)
		return out_of_memory();
	for (i = 0; i < x->count; i++) {
		if (i + 1 < x->count && order[i + 1].epoch == order[first].epoch)
			continue;
		if ((double)order[first].epoch >= c->x_min &&
		    (double)order[first].epoch <= c->x_max)
			slash_marker(s, c, x, order, first, i);
		first = i + 1;
	}
	free(order);
	return 0;
}

/* Each epoch's rate as a circle whose hover label is the exact rate. */
static void rate_points(const lrt_html_section *s, const lrt_svg_chart *c,
			const lrt_html_epoch_row *order)
{
	const lrt_html_rows *rates = &s->product->views[LRT_HTML_RATES];
	int rate = lrt_html_column(rates, "rate_whole");
	bool dots = rates->count <= DOT_POINTS_MAX;
	size_t i;

	if (rates->count > HOVER_POINTS_MAX)
		return;
	for (i = 0; i < rates->count; i++) {
		const char *text = lrt_html_value(rates, order[i].row, rate);

		fprintf(s->file, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\"%s>"
			"<title>epoch %lld: ", dots ? "dot" : "hover",
			lrt_svg_x(c, (double)order[i].epoch),
			lrt_svg_y(c, lrt_svg_number(text)), dots ? "3" : "4",
			dots ? " fill=\"" COLOR_RATE "\"" : "", (long long)order[i].epoch);
		lrt_html_escape(s->file, text);
		fputs(" ", s->file);
		lrt_html_escape(s->file, s->underlying);
		fputs(" per ", s->file);
		lrt_html_escape(s->file, s->symbol);
		fputs("</title></circle>\n", s->file);
	}
}

static int chart_rate(const lrt_html_section *s)
{
	const lrt_html_rows *rates = &s->product->views[LRT_HTML_RATES];
	const lrt_svg_key keys[] = {
		{ "rate at the end of the epoch", COLOR_RATE, LRT_SVG_LINE },
		{ "epoch with a slash (hover for details)", COLOR_SLASH, LRT_SVG_MARKER },
	};
	lrt_html_epoch_row *order = lrt_html_by_epoch(rates);
	char id[32], title[LABEL_BYTES], y_label[LABEL_BYTES];
	lrt_svg_chart c = { 0 };
	int rc;

	if (order == NULL)
		return out_of_memory();
	snprintf(id, sizeof(id), "p%zu-rate", s->index + 1);
	snprintf(title, sizeof(title), "%s: the rate over epochs, slashes marked", s->symbol);
	snprintf(y_label, sizeof(y_label), "rate, %s per %s", s->underlying, s->symbol);
	c.id = id;
	c.title = title;
	c.x_label = "epoch";
	c.y_label = y_label;
	c.keys = keys;
	c.key_count = s->product->views[LRT_HTML_SLASHES].count > 0 ? 2 : 1;
	c.y_from_zero = rates->count == 0;          /* an empty frame from 0 to 1 */
	epoch_range(&c, order, rates->count);
	value_range(&c.y_min, &c.y_max, rates, lrt_html_column(rates, "rate_whole"));
	figure_begin(s);
	lrt_svg_begin(s->file, &c);
	if (rates->count == 0)
		lrt_svg_note(s->file, &c, "No epoch settled yet.");
	rc = slash_markers(s, &c);
	series_path(s->file, &c, rates, order, lrt_html_column(rates, "rate_whole"),
		    COLOR_RATE, "");
	rate_points(s, &c, order);
	lrt_svg_end(s->file, &c);
	snprintf(title, sizeof(title), "The rate (%s per whole %s, to_assets of one share) "
		 "at the end of each settled epoch; a red marker at each epoch in which an "
		 "operator was slashed.", s->underlying, s->symbol);
	figure_end(s, title);
	free(order);
	return rc;
}

/* ---- 2. TVL by location --------------------------------------------------------------- */

/* A location of the TVL rows, ranked by what it holds at the last epoch. */
typedef struct {
	const char *name;
	bool buffer;
	double last;                 /* its value at the last epoch (drawing) */
	size_t series;               /* the area it is drawn in */
} tvl_location;

/* The areas to stack: each epoch's value of each. */
typedef struct {
	lrt_html_epoch_row *order;   /* the rows by epoch */
	int64_t *epoch;              /* the distinct epochs, ascending */
	size_t epochs;
	tvl_location *location;
	size_t locations;
	size_t series;               /* areas: at most TVL_SERIES_MAX */
	double *value;               /* epochs x series */
	char others[64];             /* the label of the summed area */
} tvl_grid;

static void tvl_free(tvl_grid *g)
{
	free(g->value);
	free(g->location);
	free(g->epoch);
	free(g->order);
}

/* The buffer first, then the largest at the last epoch, then by name. */
static int compare_locations(const void *a, const void *b)
{
	const tvl_location *x = a, *y = b;

	if (x->buffer != y->buffer)
		return x->buffer ? -1 : 1;
	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The index of `name` among the locations, added when new. */
static size_t tvl_location_of(tvl_grid *g, const char *name, const char *kind)
{
	size_t i;

	for (i = 0; i < g->locations; i++)
		if (strcmp(g->location[i].name, name) == 0)
			return i;
	g->location[i].name = name;
	g->location[i].buffer = strcmp(kind, "buffer") == 0;
	g->location[i].last = 0;
	g->locations++;
	return i;
}

/* Epochs, locations ranked, and each location's area. */
static int tvl_layout(tvl_grid *g, const lrt_html_rows *t)
{
	int location = lrt_html_column(t, "location"), kind = lrt_html_column(t, "location_kind");
	int worth = lrt_html_column(t, "value_whole");
	size_t i;

	g->order = lrt_html_by_epoch(t);
	g->epoch = calloc(t->count + 1, sizeof(*g->epoch));
	g->location = calloc(t->count + 1, sizeof(*g->location));
	if (g->order == NULL || g->epoch == NULL || g->location == NULL)
		return out_of_memory();
	for (i = 0; i < t->count; i++) {
		size_t r = g->order[i].row, l;

		if (g->epochs == 0 || g->epoch[g->epochs - 1] != g->order[i].epoch)
			g->epoch[g->epochs++] = g->order[i].epoch;
		l = tvl_location_of(g, lrt_html_value(t, r, location), lrt_html_value(t, r, kind));
		if (g->order[i].epoch == g->order[t->count - 1].epoch)
			g->location[l].last = lrt_svg_number(lrt_html_value(t, r, worth));
	}
	qsort(g->location, g->locations, sizeof(*g->location), compare_locations);
	g->series = g->locations <= TVL_SERIES_MAX ? g->locations : TVL_SERIES_MAX;
	for (i = 0; i < g->locations; i++)
		g->location[i].series = i < g->series ? i : g->series - 1;
	if (g->locations > g->series)
		snprintf(g->others, sizeof(g->others), "%zu other operators",
			 g->locations - g->series + 1);
	return 0;
}

/* Each epoch's value of each area (summed for the others). */
static int tvl_values(tvl_grid *g, const lrt_html_rows *t)
{
	int location = lrt_html_column(t, "location"), worth = lrt_html_column(t, "value_whole");
	size_t i, e = 0;

	g->value = calloc(g->epochs * g->series + 1, sizeof(*g->value));
	if (g->value == NULL)
		return out_of_memory();
	for (i = 0; i < t->count; i++) {
		size_t r = g->order[i].row, l;

		while (g->epoch[e] != g->order[i].epoch) {
			e++;
			LRT_ASSERT(e < g->epochs);     /* the epochs came from these rows */
		}
		for (l = 0; strcmp(g->location[l].name, lrt_html_value(t, r, location)) != 0; l++)
			LRT_ASSERT(l + 1 < g->locations);
		g->value[e * g->series + g->location[l].series] +=
			lrt_svg_number(lrt_html_value(t, r, worth));
	}
	return 0;
}

/* The x of epoch e; a lone epoch is drawn as a band around it. */
static double tvl_x(const lrt_svg_chart *c, const tvl_grid *g, size_t e, bool right)
{
	if (g->epochs == 1)
		return lrt_svg_x(c, (double)g->epoch[0] + (right ? 0.3 : -0.3));
	return lrt_svg_x(c, (double)g->epoch[e]);
}

/* Area `a` stacked on the areas below it: along its top, back along its base. */
static void tvl_area(FILE *file, const lrt_svg_chart *c, const tvl_grid *g, size_t a,
		     const char *label, const char *color)
{
	size_t points = g->epochs == 1 ? 2 : g->epochs, i, k;

	fprintf(file, "<path class=\"area\" fill=\"%s\" fill-opacity=\"0.85\" stroke=\"#fff\" "
		"stroke-width=\"0.5\" d=\"", color);
	for (k = 0; k < 2 * points; k++) {
		bool top = k < points;
		size_t i_point = top ? k : 2 * points - 1 - k;
		size_t e = g->epochs == 1 ? 0 : i_point;
		double y = 0;

		for (i = 0; i < a + top; i++)
			y += g->value[e * g->series + i];
		fprintf(file, "%s%.1f %.1f", k == 0 ? "M" : "L",
			tvl_x(c, g, e, i_point == 1), lrt_svg_y(c, y));
	}
	fputs("Z\"><title>", file);
	lrt_html_escape(file, label);
	fputs("</title></path>\n", file);
}

/* The keys of the areas, in stacking order. */
static void tvl_keys(lrt_svg_key *keys, const tvl_grid *g)
{
	size_t a, colour = 0;

	for (a = 0; a < g->series; a++) {
		bool others = g->others[0] != '\0' && a == g->series - 1;

		keys[a].label = others ? g->others : g->location[a].name;
		keys[a].color = g->location[a].buffer ? COLOR_TVL_BUFFER
				: others ? COLOR_TVL_OTHERS
				: operator_colors[colour++ % (TVL_SERIES_MAX - 1)];
		keys[a].mark = LRT_SVG_AREA;
	}
}

static void tvl_draw(const lrt_html_section *s, tvl_grid *g, lrt_svg_key *keys)
{
	char id[32], title[LABEL_BYTES], y_label[LABEL_BYTES];
	lrt_svg_chart c;
	size_t e, a;

	snprintf(id, sizeof(id), "p%zu-tvl", s->index + 1);
	snprintf(title, sizeof(title), "%s: TVL by location over epochs", s->symbol);
	snprintf(y_label, sizeof(y_label), "value, %s", s->underlying);
	c = (lrt_svg_chart){ .id = id, .title = title, .x_label = "epoch",
			     .y_label = y_label, .y_from_zero = true, .keys = keys,
			     .key_count = g->series };
	c.x_min = g->epochs > 0 ? (double)g->epoch[0] : 0;
	c.x_max = g->epochs > 0 ? (double)g->epoch[g->epochs - 1] : 1;
	if (!(c.x_max > c.x_min)) {
		c.x_min -= 0.5;
		c.x_max += 0.5;
	}
	for (e = 0; e < g->epochs; e++) {
		double total = 0;

		for (a = 0; a < g->series; a++)
			total += g->value[e * g->series + a];
		c.y_max = total > c.y_max ? total : c.y_max;
	}
	lrt_svg_begin(s->file, &c);
	if (g->epochs == 0)
		lrt_svg_note(s->file, &c, "No epoch settled yet.");
	for (a = 0; a < g->series; a++)
		tvl_area(s->file, &c, g, a, keys[a].label, keys[a].color);
	lrt_svg_end(s->file, &c);
}

static int chart_tvl(const lrt_html_section *s)
{
	const lrt_html_rows *t = &s->product->views[LRT_HTML_TVL];
	lrt_svg_key keys[TVL_SERIES_MAX];
	tvl_grid g;
	char caption[LABEL_BYTES];
	int rc;

	memset(&g, 0, sizeof(g));
	if ((rc = tvl_layout(&g, t)) == 0 && (rc = tvl_values(&g, t)) == 0) {
		tvl_keys(keys, &g);
		figure_begin(s);
		tvl_draw(s, &g, keys);
		snprintf(caption, sizeof(caption), "What each location held at the end of "
			 "each settled epoch, valued in %s at that epoch's prices (each position "
			 "rounded down), stacked: the buffer at the bottom, then the operators, "
			 "largest last epoch first. Claimable withdrawals are not part of TVL.",
			 s->underlying);
		figure_end(s, caption);
	}
	tvl_free(&g);
	return rc;
}

/* ---- 3. the queue against the buffer ------------------------------------------------------ */

/* The buffer as a light area under its line. */
static void buffer_area(FILE *file, const lrt_svg_chart *c, const lrt_html_rows *q,
			const lrt_html_epoch_row *order, int v)
{
	size_t i;

	if (q->count < 2)
		return;
	fprintf(file, "<path fill=\"%s\" fill-opacity=\"0.15\" d=\"M%.1f %.1f", COLOR_BUFFER,
		lrt_svg_x(c, (double)order[0].epoch), c->bottom);
	for (i = 0; i < q->count; i++)
		fprintf(file, "L%.1f %.1f", lrt_svg_x(c, (double)order[i].epoch),
			lrt_svg_y(c, lrt_svg_number(lrt_html_value(q, order[i].row, v))));
	fprintf(file, "L%.1f %.1fZ\"/>\n", lrt_svg_x(c, (double)order[q->count - 1].epoch),
		c->bottom);
}

static int chart_queue(const lrt_html_section *s)
{
	const lrt_html_rows *q = &s->product->views[LRT_HTML_QUEUE_HISTORY];
	const lrt_svg_key keys[] = {
		{ "buffer", COLOR_BUFFER, LRT_SVG_AREA },
		{ "queued requests, at that epoch's rate", COLOR_QUEUE, LRT_SVG_LINE },
		{ "claimable (finalized, not yet claimed)", COLOR_CLAIMABLE, LRT_SVG_DASHED },
	};
	int buffer = lrt_html_column(q, "buffer_whole");
	int queued = lrt_html_column(q, "pending_value_whole");
	int claimable = lrt_html_column(q, "claimable_whole");
	lrt_html_epoch_row *order = lrt_html_by_epoch(q);
	char id[32], title[LABEL_BYTES], y_label[LABEL_BYTES];
	lrt_svg_chart c = { 0 };
	double low, high;

	if (order == NULL)
		return out_of_memory();
	snprintf(id, sizeof(id), "p%zu-queue", s->index + 1);
	snprintf(title, sizeof(title), "%s: the withdrawal queue against the buffer",
		 s->symbol);
	snprintf(y_label, sizeof(y_label), "%s", s->underlying);
	c = (lrt_svg_chart){ .id = id, .title = title, .x_label = "epoch",
			     .y_label = y_label, .y_from_zero = true, .keys = keys,
			     .key_count = 3 };
	epoch_range(&c, order, q->count);
	value_range(&c.y_min, &c.y_max, q, buffer);
	value_range(&low, &high, q, queued);
	c.y_max = q->count > 0 && high > c.y_max ? high : c.y_max;
	value_range(&low, &high, q, claimable);
	c.y_max = q->count > 0 && high > c.y_max ? high : c.y_max;
	figure_begin(s);
	lrt_svg_begin(s->file, &c);
	if (q->count == 0)
		lrt_svg_note(s->file, &c, "No epoch settled yet.");
	buffer_area(s->file, &c, q, order, buffer);
	series_path(s->file, &c, q, order, buffer, COLOR_BUFFER, "");
	series_path(s->file, &c, q, order, claimable, COLOR_CLAIMABLE,
		    " stroke-dasharray=\"6 4\"");
	series_path(s->file, &c, q, order, queued, COLOR_QUEUE, "");
	lrt_svg_end(s->file, &c);
	snprintf(title, sizeof(title), "At the end of each settled epoch, in %s: the "
		 "buffer, the value of the requests still queued (their shares at that "
		 "epoch's rate, before any cap) and what finalized requests leave "
		 "claimable. A request is paid when the buffer covers it and every one "
		 "before it.", s->underlying);
	figure_end(s, title);
	free(order);
	return 0;
}

int lrt_html_charts(const lrt_html_section *s)
{
	int rc;

	fputs("<h3>Charts</h3>\n", s->file);
	if ((rc = chart_rate(s)) == 0 && (rc = chart_tvl(s)) == 0)
		rc = chart_queue(s);
	return rc;
}
