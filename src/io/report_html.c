/*
 * report_html.c - the HTML page of the reports (report_html.h): a product's
 * summary tables and its three charts, from the rows of the reporting
 * views.
 *
 * The workload is small and bounded: a product's views hold an epoch's row
 * (rates, the queue's history), an epoch's row per location (TVL) and a
 * row per operator, slash and attest.  Tables show a few dozen rows at
 * most (the last epochs, the last slashes and breaks, saying how many
 * there are in all); charts draw every epoch.
 *
 * Every figure in a table is the text PostgreSQL printed for an X_whole
 * column (whole units, every decimal) or exact decimal arithmetic on text
 * (decimal_scale: basis points as a percentage); numbers line up on their
 * decimal points through hidden padding digits, never by rounding.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/limits.h"
#include "io/html_svg.h"
#include "io/report_html.h"
#include "io/report_html_internal.h"
#include "lrt/error.h"
#include "lrt/version.h"

/* Rows the tables show of a longer history: the last ones. */
#define RATES_SHOWN 10
#define SLASHES_SHOWN 50
#define BREAKS_SHOWN 50
/* The longest decimal text decimal_scale rewrites (78 digits, a point and
 * up to LRT_DECIMALS_MAX = 255 decimals fit), and the most places it moves
 * a point. */
#define DECIMAL_CHARS_MAX 600
/* A decimal scaled: what decimal_scale needs for any text it rewrites. */
#define NUMBER_BYTES (2 * DECIMAL_CHARS_MAX + 8)
/* A unit: "ETH per rstETH", two names of at most LRT_NAME_BYTES_MAX. */
#define UNIT_BYTES (2 * LRT_NAME_BYTES_MAX + 8)
/* A cell's or a label's text: a decimal scaled, or two names with words
 * around them. */
#define TEXT_BYTES (NUMBER_BYTES + 2 * LRT_NAME_BYTES_MAX + 64)

static const char *const products_columns[] = {
	"symbol", "underlying", "model", "decimals_offset", "share_decimals",
	"genesis", "epoch_seconds", "settled_epoch", "total_assets_whole",
	"total_shares_whole", "rate_whole", "deferred_whole", "fee_bps",
	"fee_high_water_mark", "delay_epochs", "max_apr_bps", "max_rate_change_bps", NULL
};
static const char *const yield_columns[] = {
	"window", "epochs", "from_epoch", "to_epoch", "apr", "apy", NULL
};
static const char *const concentration_columns[] = {
	"operators", "total_value_whole", "hhi_bps", "largest_operator",
	"largest_share_bps", NULL
};
static const char *const operators_columns[] = {
	"operator", "value_whole", "share_bps", NULL
};
static const char *const queue_columns[] = {
	"pending_count", "pending_shares_whole", "pending_value_whole",
	"oldest_request_epoch", "oldest_age_epochs", "due_count", "covered_count",
	"buffer_whole", "claimable_whole", "delay_epochs", NULL
};
static const char *const rates_columns[] = {
	"epoch", "epoch_end", "total_assets_whole", "total_shares_whole", "rate_whole",
	"rewards_whole", "slashed_whole", "fee_value_whole", "events_applied",
	"events_rejected", NULL
};
static const char *const slashes_columns[] = {
	"epoch", "event_id", "operator", "avs", "asset", "amount_whole", "wad", "loss_whole",
	NULL
};
static const char *const reconciliation_columns[] = {
	"epoch", "event_id", "asset", "location", "book_whole", "observed_whole",
	"difference_whole", "matched", NULL
};
static const char *const tvl_columns[] = {
	"epoch", "location", "location_kind", "value_whole", NULL
};
static const char *const queue_history_columns[] = {
	"epoch", "pending_count", "pending_value_whole", "buffer_whole",
	"claimable_whole", NULL
};

const lrt_html_source lrt_html_sources[LRT_HTML_VIEW_COUNT] = {
	[LRT_HTML_PRODUCTS] = { "products", products_columns },
	[LRT_HTML_YIELD] = { "yield", yield_columns },
	[LRT_HTML_CONCENTRATION] = { "concentration", concentration_columns },
	[LRT_HTML_OPERATORS] = { "operators", operators_columns },
	[LRT_HTML_QUEUE] = { "queue", queue_columns },
	[LRT_HTML_RATES] = { "rates", rates_columns },
	[LRT_HTML_SLASHES] = { "operator_slashes", slashes_columns },
	[LRT_HTML_RECONCILIATION] = { "reconciliation", reconciliation_columns },
	[LRT_HTML_TVL] = { "tvl_by_location", tvl_columns },
	[LRT_HTML_QUEUE_HISTORY] = { "queue_history", queue_history_columns },
};

/* ---- rows ------------------------------------------------------------------------ */

void lrt_html_rows_init(lrt_html_rows *rows, lrt_html_view which,
			const lrt_report_view *view)
{
	LRT_ASSERT(rows != NULL && which < LRT_HTML_VIEW_COUNT && view != NULL);
	memset(rows, 0, sizeof(*rows));
	rows->source = &lrt_html_sources[which];
	rows->view = view;
}

int lrt_html_rows_add(void *context, const char *const *values)
{
	lrt_html_rows *rows = context;
	size_t n = rows->view->column_count, bytes = n * sizeof(char *), i;
	char **row, *text;

	if (rows->count == LRT_HTML_ROWS_MAX) {
		lrt_error_set("report \"%s\" has more than %d rows for one product: too "
			      "many for a page", rows->view->name, LRT_HTML_ROWS_MAX);
		return LRT_ELIMIT;
	}
	if (rows->count == rows->capacity) {
		size_t capacity = rows->capacity == 0 ? 64 : 2 * rows->capacity;
		char ***grown = realloc(rows->row, capacity * sizeof(*grown));

		if (grown == NULL)
			goto nomem;
		rows->row = grown;
		rows->capacity = capacity;
	}
	for (i = 0; i < n; i++)
		bytes += values[i] != NULL ? strlen(values[i]) + 1 : 0;
	if ((row = malloc(bytes + 1)) == NULL)
		goto nomem;
	text = (char *)(row + n);
	for (i = 0; i < n; i++) {
		row[i] = NULL;
		if (values[i] != NULL) {
			size_t length = strlen(values[i]) + 1;

			row[i] = memcpy(text, values[i], length);
			text += length;
		}
	}
	rows->row[rows->count++] = row;
	return 0;
nomem:
	lrt_error_set("out of memory reading report \"%s\"", rows->view->name);
	return LRT_ENOMEM;
}

void lrt_html_rows_clear(lrt_html_rows *rows)
{
	size_t i;

	if (rows == NULL)
		return;
	for (i = 0; i < rows->count; i++)
		free(rows->row[i]);
	free(rows->row);
	rows->row = NULL;
	rows->count = rows->capacity = 0;
}

int lrt_html_column(const lrt_html_rows *rows, const char *name)
{
	const char *const *listed;
	size_t i;

	for (listed = rows->source->columns; *listed != NULL; listed++)
		if (strcmp(*listed, name) == 0)
			break;
	LRT_ASSERT(*listed != NULL);
	for (i = 0; i < rows->view->column_count; i++)
		if (strcmp(rows->view->columns[i].name, name) == 0)
			return (int)i;
	LRT_ASSERT(!"a column the reader checked is missing");
	return -1;
}

const char *lrt_html_value_or(const lrt_html_rows *rows, size_t r, int c,
			    const char *otherwise)
{
	LRT_ASSERT(r < rows->count && c >= 0);
	return rows->row[r][c] != NULL ? rows->row[r][c] : otherwise;
}

const char *lrt_html_value(const lrt_html_rows *rows, size_t r, int c)
{
	return lrt_html_value_or(rows, r, c, "");
}

/* A view without an order of its own comes by epoch already (the reader's
 * ORDER BY), but the page does not depend on it. */
static int compare_epoch_rows(const void *a, const void *b)
{
	const lrt_html_epoch_row *x = a, *y = b;

	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

lrt_html_epoch_row *lrt_html_by_epoch(const lrt_html_rows *rows)
{
	lrt_html_epoch_row *order = calloc(rows->count + 1, sizeof(*order));
	int c = lrt_html_column(rows, "epoch");
	size_t r;

	if (order == NULL)
		return NULL;
	for (r = 0; r < rows->count; r++) {
		order[r].epoch = strtoll(lrt_html_value_or(rows, r, c, "0"), NULL, 10);
		order[r].row = r;
	}
	qsort(order, rows->count, sizeof(*order), compare_epoch_rows);
	return order;
}

/* ---- exact decimal text ------------------------------------------------------------ */

/* Whether `text` is [-]digits[.digits]. */
static bool is_decimal(const char *text)
{
	const char *p = text + (text[0] == '-');
	size_t digits = strspn(p, "0123456789");

	if (digits == 0)
		return false;
	p += digits;
	if (*p == '.') {
		digits = strspn(p + 1, "0123456789");
		if (digits == 0)
			return false;
		p += 1 + digits;
	}
	return *p == '\0';
}

/*
 * `text` times 10^exponent, exactly: the decimal point moved.  Leading
 * zeros go; with `trim`, trailing zeros of the fraction go too.  Returns
 * `out`, or `text` itself when it is not a decimal or `out` is too small.
 */
static const char *decimal_scale(char *out, size_t size, const char *text,
				 int exponent, bool trim)
{
	char digits[DECIMAL_CHARS_MAX];
	bool negative = text[0] == '-', started = false;
	const char *p;
	long point = -1, n = 0, position, i;
	size_t length = 0;

	if (!is_decimal(text) || strlen(text) >= sizeof(digits) ||
	    exponent < -DECIMAL_CHARS_MAX || exponent > DECIMAL_CHARS_MAX ||
	    size < strlen(text) + (size_t)(exponent < 0 ? -exponent : exponent) + 4)
		return text;
	for (p = text + negative; *p != '\0'; p++) {
		if (*p == '.')
			point = n;
		else
			digits[n++] = *p;
	}
	position = (point < 0 ? n : point) + exponent;  /* digits before the point */
	if (negative && strspn(text + 1, "0.") < strlen(text + 1))
		out[length++] = '-';
	for (i = 0; i < position; i++) {       /* the whole part, zeros added */
		char digit = i < n ? digits[i] : '0';

		if (started || digit != '0' || i == position - 1) {
			out[length++] = digit;
			started = true;
		}
	}
	if (position <= 0)
		out[length++] = '0';
	if (position < n) {
		size_t point_at = length;

		out[length++] = '.';
		for (i = position; i < n; i++)
			out[length++] = i < 0 ? '0' : digits[i];
		while (trim && length > point_at + 1 && out[length - 1] == '0')
			length--;
		if (trim && length == point_at + 1)
			length--;
	}
	out[length] = '\0';
	return out;
}

/* ---- tables -------------------------------------------------------------------------- */

/* A table built in memory, since a number's alignment depends on every
 * number below it: cells are owned copies, NULL for an empty cell. */
typedef struct {
	const char *const *headers;
	size_t columns;
	bool pairs;                  /* labelled values: no header, no alignment */
	char **cell;
	size_t rows;
	size_t capacity;
	bool out_of_memory;
} html_table;

static void table_row(html_table *t, const char *const *values)
{
	size_t i;

	if (t->out_of_memory)
		return;
	if (t->rows == t->capacity) {
		size_t capacity = t->capacity == 0 ? 16 : 2 * t->capacity;
		char **grown = realloc(t->cell, capacity * t->columns * sizeof(*grown));

		if (grown == NULL) {
			t->out_of_memory = true;
			return;
		}
		t->cell = grown;
		t->capacity = capacity;
	}
	for (i = 0; i < t->columns; i++) {
		char **cell = &t->cell[t->rows * t->columns + i];

		*cell = NULL;
		if (values[i] != NULL && values[i][0] != '\0' &&
		    (*cell = strdup(values[i])) == NULL)
			t->out_of_memory = true;
	}
	t->rows++;
}

static void table_clear(html_table *t)
{
	size_t i;

	for (i = 0; i < t->rows * t->columns; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

/* The characters after the integer part of a decimal: ".5" is 2, "7" 0. */
static size_t fraction_width(const char *text)
{
	const char *point = strchr(text, '.');

	return point != NULL ? strlen(point) : 0;
}

/* A number right-aligned on its decimal point: hidden "0" digits (and a
 * hidden point) make up for the decimals it has fewer of than the widest. */
static void write_number(FILE *file, const char *text, size_t widest)
{
	size_t width = fraction_width(text);

	lrt_html_escape(file, text);
	if (width < widest) {
		fputs("<span class=\"pad\" aria-hidden=\"true\">", file);
		fputs(width == 0 ? "." : "0", file);
		for (width++; width < widest; width++)
			fputc('0', file);
		fputs("</span>", file);
	}
}

/* The widest fraction of column i's numbers, or -1 when it has none. */
static long column_fraction(const html_table *t, size_t i)
{
	long widest = -1;
	size_t r;

	for (r = 0; r < t->rows; r++) {
		const char *cell = t->cell[r * t->columns + i];

		if (cell != NULL && is_decimal(cell) && (long)fraction_width(cell) > widest)
			widest = (long)fraction_width(cell);
	}
	return widest;
}

/* Texts longer than this that are not numbers (event ids, transaction
 * hashes) may break anywhere, so that a table stays about a screen wide. */
#define LONG_TEXT_CHARACTERS 40

static void write_cell(FILE *file, const char *cell, long widest)
{
	bool number = cell != NULL && is_decimal(cell);

	if (widest >= 0)
		fputs("<td class=\"num\">", file);
	else if (cell != NULL && !number && lrt_html_characters(cell) > LONG_TEXT_CHARACTERS)
		fputs("<td class=\"long\">", file);
	else
		fputs("<td>", file);
	if (number && widest >= 0)
		write_number(file, cell, (size_t)widest);
	else if (cell != NULL)
		lrt_html_escape(file, cell);
	fputs("</td>", file);
}

static void write_headers(FILE *file, const html_table *t, const long *widest)
{
	size_t i;

	fputs("<thead><tr>", file);
	for (i = 0; i < t->columns; i++) {
		fputs(widest[i] >= 0 ? "<th class=\"num\">" : "<th>", file);
		lrt_html_escape(file, t->headers[i]);
		fputs("</th>", file);
	}
	fputs("</tr></thead>\n", file);
}

/* Writes the table, then empties it; LRT_ENOMEM when a row could not be
 * kept. */
static int table_write(FILE *file, html_table *t)
{
	long *widest = calloc(t->columns, sizeof(*widest));
	size_t r, i;

	if (t->out_of_memory || widest == NULL) {
		free(widest);
		table_clear(t);
		lrt_error_set("out of memory writing the HTML page");
		return LRT_ENOMEM;
	}
	for (i = 0; i < t->columns; i++)
		widest[i] = t->pairs ? (i == 0 ? -1 : 0) : column_fraction(t, i);
	fprintf(file, "<div class=\"wide\"><table%s>\n", t->pairs ? " class=\"pairs\"" : "");
	if (!t->pairs)
		write_headers(file, t, widest);
	fputs("<tbody>\n", file);
	for (r = 0; r < t->rows; r++) {
		fputs("<tr>", file);
		for (i = 0; i < t->columns; i++)
			write_cell(file, t->cell[r * t->columns + i], widest[i]);
		fputs("</tr>\n", file);
	}
	fputs("</tbody>\n</table></div>\n", file);
	free(widest);
	table_clear(t);
	return 0;
}

/* A table of columns under their headers, their numbers aligned on
 * their decimal points. */
#define TABLE(headers, columns) \
	((html_table){ (headers), (columns), false, NULL, 0, 0, false })
/* A table of labelled values, one a row: the values of different things
 * (a count, an amount, a name), so right-aligned with no common point. */
#define PAIRS_TABLE ((html_table){ NULL, 2, true, NULL, 0, 0, false })

static void pair(html_table *t, const char *label, const char *text)
{
	const char *values[2] = { label, text };

	table_row(t, values);
}

/* A heading, then `text` escaped, as a card's title. */
static void card_begin(FILE *file, const char *title)
{
	fputs("<div class=\"card\">\n<h3>", file);
	lrt_html_escape(file, title);
	fputs("</h3>\n", file);
}

/* The card's table, then its end. */
static int card_end(FILE *file, html_table *t)
{
	int rc = table_write(file, t);

	fputs("</div>\n", file);
	return rc;
}

static void paragraph(FILE *file, const char *class, const char *text)
{
	fprintf(file, "<p class=\"%s\">", class);
	lrt_html_escape(file, text);
	fputs("</p>\n", file);
}

/* ---- the page's head and end ------------------------------------------------------- */

static const char style[] =
"<style>\n"
":root{color-scheme:light}\n"
"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
"margin:0;background:#f4f6f8;color:#1f2933}\n"
"header.page{background:#1f2933;color:#fff;padding:18px 32px}\n"
"header.page h1{margin:0 0 6px;font-size:22px}\n"
"header.page p{margin:4px 0;color:#cbd2d9;max-width:72em}\n"
"header.page nav a{color:#9fd3ff;margin-right:14px}\n"
"main{padding:4px 32px 24px}\n"
"section.product{background:#fff;border:1px solid #d9dee3;border-radius:8px;"
"margin:24px 0;padding:6px 24px 20px}\n"
"h2{font-size:21px;margin:14px 0 2px}\n"
"h2 small{font-weight:normal;color:#616e7c;font-size:14px;margin-left:8px}\n"
"h3{font-size:15px;margin:18px 0 6px}\n"
".meta{color:#52606d;margin:0 0 6px}\n"
".cards{display:flex;flex-wrap:wrap;gap:4px 36px;align-items:flex-start}\n"
".card{max-width:100%}\n"
".card .meta{max-width:34em}\n"
".wide{overflow-x:auto;max-width:100%}\n"
"table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
"th,td{padding:3px 10px;border-bottom:1px solid #e4e7eb;text-align:left;"
"white-space:nowrap;vertical-align:top}\n"
"thead th{font-weight:600;color:#3e4c59;background:#f5f7fa}\n"
"tbody td:first-child{color:#3e4c59}\n"
"th.num,td.num{text-align:right}\n"
".pad{visibility:hidden;user-select:none}\n"
"td.long{white-space:normal;word-break:break-all;min-width:18em;max-width:32em}\n"
"table.pairs td.num{text-align:right;padding-left:24px}\n"
"figure{margin:18px 0 8px}\n"
"figcaption{color:#52606d;font-size:13px;max-width:72em;margin-top:4px}\n"
"svg.chart{width:100%;max-width:960px;height:auto;display:block;font-size:12px;"
"font-family:inherit;background:#fff}\n"
"svg .plot{fill:#fafbfc}\n"
"svg .grid{stroke:#e4e7eb;fill:none}\n"
"svg .axis,svg .tick-mark{stroke:#3e4c59;fill:none}\n"
"svg text{fill:#3e4c59}\n"
"svg .chart-title{font-size:15px;font-weight:600;fill:#1f2933}\n"
"svg .axis-label{font-size:13px;font-weight:600}\n"
"svg .note{font-size:14px;fill:#7b8794}\n"
"svg .series{fill:none;stroke-width:2;stroke-linejoin:round}\n"
"svg .hover{fill:transparent}\n"
"svg .hover:hover{fill:#1f2933}\n"
".ok{color:#1b7f3b}\n"
".bad{color:#b42318;font-weight:600}\n"
"footer{color:#7b8794;padding:0 32px 24px;font-size:12px}\n"
"</style>\n";

void lrt_html_page_begin(FILE *file, const lrt_html_rows *products, const char *source)
{
	int symbol = lrt_html_column(products, "symbol");
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      file);
	fprintf(file, "<meta name=\"generator\" content=\"lrt %s\">\n<title>", lrt_version());
	fputs("Liquid restaking books", file);
	for (i = 0; i < products->count; i++) {
		fputs(i == 0 ? ": " : ", ", file);
		lrt_html_escape(file, lrt_html_value(products, i, symbol));
	}
	fputs("</title>\n", file);
	fputs(style, file);
	fputs("</head>\n<body>\n<header class=\"page\">\n<h1>Liquid restaking books</h1>\n"
	      "<p>From the reporting views (schema lrt_report) of ", file);
	lrt_html_escape(file, source);
	fprintf(file, ", written by lrt %s. Amounts are in whole units with every decimal "
		"the books hold: nothing is rounded. The charts are drawn from the same "
		"figures, to the precision of the screen.</p>\n<nav>", lrt_version());
	if (products->count == 0)
		fputs("This database holds no product yet.", file);
	for (i = 0; i < products->count; i++) {
		fprintf(file, "<a href=\"#product-%zu\">", i + 1);
		lrt_html_escape(file, lrt_html_value(products, i, symbol));
		fputs("</a>", file);
	}
	fputs("</nav>\n</header>\n<main>\n", file);
}

void lrt_html_page_end(FILE *file)
{
	fprintf(file, "</main>\n<footer>lrt %s: lrt report html. The same figures, row "
		"by row: lrt report NAME (table, CSV or JSON), or SQL on schema "
		"lrt_report.</footer>\n</body>\n</html>\n", lrt_version());
}

/* ---- a product's summary ------------------------------------------------------------- */

static const lrt_html_rows *rows_of(const lrt_html_section *s, lrt_html_view which)
{
	return &s->product->views[which];
}

/* "12.34" for 1234 basis points: a percentage, exactly. */
static const char *percent_of_bps(char *out, size_t size, const char *bps)
{
	return decimal_scale(out, size, bps, -2, false);
}

/* `label` with the unit after a comma: "total assets, ETH". */
static const char *with_unit(char *out, size_t size, const char *label, const char *unit)
{
	snprintf(out, size, "%s, %s", label, unit);
	return out;
}

static void heading(const lrt_html_section *s)
{
	const lrt_html_rows *p = rows_of(s, LRT_HTML_PRODUCTS);
	const lrt_html_rows *rates = rows_of(s, LRT_HTML_RATES);
	FILE *f = s->file;

	fputs("<h2>", f);
	lrt_html_escape(f, s->symbol);
	fputs("<small>", f);
	lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "model")));
	fputs(" model on ", f);
	lrt_html_escape(f, s->underlying);
	fputs(", shares of ", f);
	lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "share_decimals")));
	fputs(" decimals (offset ", f);
	lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "decimals_offset")));
	fputs(")</small></h2>\n<p class=\"meta\">", f);
	if (rates->count == 0) {
		fputs("No epoch settled yet. ", f);
	} else {
		int end = lrt_html_column(rates, "epoch_end");
		size_t last = rates->count - 1;

		fputs("Settled through epoch ", f);
		lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "settled_epoch")));
		fputs(", which ended ", f);
		lrt_html_escape(f, lrt_html_value(rates, last, end));
		fputs(". ", f);
	}
	fputs("Genesis ", f);
	lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "genesis")));
	fputs(", epochs of ", f);
	lrt_html_escape(f, lrt_html_value(p, 0, lrt_html_column(p, "epoch_seconds")));
	fputs(" seconds.</p>\n", f);
}

/* The product now: its state and the policy in force. */
static int card_now(const lrt_html_section *s)
{
	/* label, column, and its unit: u the underlying, s the share, r the
	 * rate, % basis points as a percentage, c the same for a cap that 0
	 * turns off, b a boolean, - none */
	static const char *const rows[][3] = {
		{ "total assets (A)", "total_assets_whole", "u" },
		{ "total shares (S)", "total_shares_whole", "s" },
		{ "rate", "rate_whole", "r" },
		{ "deferred (smoothing)", "deferred_whole", "u" },
		{ "fee, % of increases", "fee_bps", "%" },
		{ "fee high-water mark", "fee_high_water_mark", "b" },
		{ "withdrawal delay, epochs", "delay_epochs", "-" },
		{ "smoothing cap, % APR", "max_apr_bps", "c" },
		{ "guard, % rate change an epoch", "max_rate_change_bps", "c" },
	};
	const lrt_html_rows *p = rows_of(s, LRT_HTML_PRODUCTS);
	html_table t = PAIRS_TABLE;
	char label[TEXT_BYTES], number[NUMBER_BYTES], unit[UNIT_BYTES];
	size_t i;

	snprintf(unit, sizeof(unit), "%s per %s", s->underlying, s->symbol);
	card_begin(s->file, "Now");
	pair(&t, "settled epoch", lrt_html_value_or(p, 0, lrt_html_column(p, "settled_epoch"),
						    "none yet"));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *text = lrt_html_value(p, 0, lrt_html_column(p, rows[i][1]));
		char kind = rows[i][2][0];

		if (kind == 'u' || kind == 's' || kind == 'r')
			with_unit(label, sizeof(label), rows[i][0], kind == 'u' ? s->underlying
				  : kind == 's' ? s->symbol : unit);
		else
			snprintf(label, sizeof(label), "%s", rows[i][0]);
		if (kind == 'c' && strcmp(text, "0") == 0)
			text = "none";
		else if (kind == '%' || kind == 'c')
			text = percent_of_bps(number, sizeof(number), text);
		else if (kind == 'b')
			text = strcmp(text, "t") == 0 ? "yes" : "no";
		pair(&t, label, text);
	}
	return card_end(s->file, &t);
}

/* APR and APY over the trailing windows. */
static int card_yield(const lrt_html_section *s)
{
	static const char *const headers[] = {
		"window", "epochs", "from epoch", "to epoch", "APR, %", "APY, %"
	};
	const lrt_html_rows *y = rows_of(s, LRT_HTML_YIELD);
	html_table t = TABLE(headers, 6);
	char apr[NUMBER_BYTES], apy[NUMBER_BYTES];
	int c[6];
	size_t r;

	c[0] = lrt_html_column(y, "window");
	c[1] = lrt_html_column(y, "epochs");
	c[2] = lrt_html_column(y, "from_epoch");
	c[3] = lrt_html_column(y, "to_epoch");
	c[4] = lrt_html_column(y, "apr");
	c[5] = lrt_html_column(y, "apy");
	card_begin(s->file, "Yield");
	for (r = 0; r < y->count; r++) {
		const char *values[6] = {
			lrt_html_value(y, r, c[0]), lrt_html_value(y, r, c[1]),
			lrt_html_value(y, r, c[2]), lrt_html_value(y, r, c[3]),
			decimal_scale(apr, sizeof(apr), lrt_html_value(y, r, c[4]), 2, false),
			decimal_scale(apy, sizeof(apy), lrt_html_value(y, r, c[5]), 2, false),
		};

		table_row(&t, values);
	}
	if (y->count == 0) {
		paragraph(s->file, "meta", "No window yet: a yield needs two settled epochs.");
		table_clear(&t);
		fputs("</div>\n", s->file);
		return 0;
	}
	paragraph(s->file, "meta", "From the rate; a 365-day year. APR is simple, "
		  "truncated toward zero at 12 decimals of the ratio; APY is compounded, "
		  "accurate to the 12 decimals shown.");
	return card_end(s->file, &t);
}

/* The withdrawal queue now. */
static int card_queue(const lrt_html_section *s)
{
	const lrt_html_rows *q = rows_of(s, LRT_HTML_QUEUE);
	html_table t = PAIRS_TABLE;
	char label[TEXT_BYTES];

	card_begin(s->file, "Withdrawal queue");
	if (q->count == 0) {
		fputs("<p class=\"meta\">No queue.</p>\n</div>\n", s->file);
		return 0;
	}
	pair(&t, "queued requests", lrt_html_value(q, 0, lrt_html_column(q, "pending_count")));
	pair(&t, with_unit(label, sizeof(label), "queued shares", s->symbol),
	     lrt_html_value(q, 0, lrt_html_column(q, "pending_shares_whole")));
	pair(&t, with_unit(label, sizeof(label), "their value now", s->underlying),
	     lrt_html_value(q, 0, lrt_html_column(q, "pending_value_whole")));
	pair(&t, "oldest request, epoch",
	     lrt_html_value_or(q, 0, lrt_html_column(q, "oldest_request_epoch"), "none"));
	pair(&t, "oldest request's age, epochs",
	     lrt_html_value_or(q, 0, lrt_html_column(q, "oldest_age_epochs"), "none"));
	pair(&t, "due next epoch", lrt_html_value(q, 0, lrt_html_column(q, "due_count")));
	pair(&t, "covered by the buffer now",
	     lrt_html_value(q, 0, lrt_html_column(q, "covered_count")));
	pair(&t, with_unit(label, sizeof(label), "buffer", s->underlying),
	     lrt_html_value(q, 0, lrt_html_column(q, "buffer_whole")));
	pair(&t, with_unit(label, sizeof(label), "claimable", s->underlying),
	     lrt_html_value(q, 0, lrt_html_column(q, "claimable_whole")));
	pair(&t, "delay, epochs", lrt_html_value(q, 0, lrt_html_column(q, "delay_epochs")));
	return card_end(s->file, &t);
}

/* Concentration, then each operator's value and share. */
static int card_operators(const lrt_html_section *s)
{
	const lrt_html_rows *c = rows_of(s, LRT_HTML_CONCENTRATION);
	const lrt_html_rows *o = rows_of(s, LRT_HTML_OPERATORS);
	html_table t = PAIRS_TABLE;
	char label[TEXT_BYTES], number[NUMBER_BYTES], value_header[TEXT_BYTES];
	const char *headers[3] = {
		"operator", with_unit(value_header, sizeof(value_header), "value", s->underlying),
		"share, %"
	};
	int name = lrt_html_column(o, "operator"), worth = lrt_html_column(o, "value_whole");
	int share = lrt_html_column(o, "share_bps");
	size_t r;
	int rc;

	card_begin(s->file, "Operators and concentration");
	if (c->count > 0) {
		pair(&t, "operators", lrt_html_value(c, 0, lrt_html_column(c, "operators")));
		pair(&t, with_unit(label, sizeof(label), "their value", s->underlying),
		     lrt_html_value(c, 0, lrt_html_column(c, "total_value_whole")));
		pair(&t, "HHI, of 10000", lrt_html_value(c, 0, lrt_html_column(c, "hhi_bps")));
		pair(&t, "largest operator",
		     lrt_html_value_or(c, 0, lrt_html_column(c, "largest_operator"), "none"));
		pair(&t, "its share, %", percent_of_bps(number, sizeof(number),
			lrt_html_value(c, 0, lrt_html_column(c, "largest_share_bps"))));
	}
	if ((rc = table_write(s->file, &t)) != 0 || o->count == 0) {
		fputs("</div>\n", s->file);
		return rc;
	}
	t = TABLE(headers, 3);
	for (r = 0; r < o->count; r++) {
		const char *values[3] = {
			lrt_html_value(o, r, name), lrt_html_value(o, r, worth),
			percent_of_bps(number, sizeof(number), lrt_html_value(o, r, share)),
		};

		table_row(&t, values);
	}
	paragraph(s->file, "meta", "Value now at the last prices, in the underlying; "
		  "shares of the operators' value, rounded down to a basis point.");
	return card_end(s->file, &t);
}

static int section_summary(const lrt_html_section *s)
{
	int rc;

	heading(s);
	fputs("<div class=\"cards\">\n", s->file);
	if ((rc = card_now(s)) == 0 && (rc = card_yield(s)) == 0 &&
	    (rc = card_queue(s)) == 0)
		rc = card_operators(s);
	fputs("</div>\n", s->file);
	return rc;
}

/* ---- a product's history -------------------------------------------------------------- */

/* "Settled epochs: the last 10 of 90", "Slashes: 3", in `out`. */
static const char *count_title(char *out, size_t size, const char *what,
			       size_t shown, size_t total)
{
	if (shown < total)
		snprintf(out, size, "%s: the last %zu of %zu", what, shown, total);
	else
		snprintf(out, size, "%s: %zu", what, total);
	return out;
}

static void history_heading(FILE *file, const char *title)
{
	fputs("<h3>", file);
	lrt_html_escape(file, title);
	fputs("</h3>\n", file);
}

/* The last RATES_SHOWN epochs of the rate history. */
static int table_rates(const lrt_html_section *s, const lrt_html_epoch_row *order)
{
	static const char *const names[] = {
		"epoch", "epoch_end", "total_assets_whole", "total_shares_whole", "rate_whole",
		"rewards_whole", "slashed_whole", "fee_value_whole", "events_applied",
		"events_rejected"
	};
	const lrt_html_rows *rates = rows_of(s, LRT_HTML_RATES);
	char h[6][TEXT_BYTES], unit[UNIT_BYTES], title[TEXT_BYTES];
	const char *headers[10] = {
		"epoch", "ended", with_unit(h[0], sizeof(h[0]), "total assets", s->underlying),
		with_unit(h[1], sizeof(h[1]), "total shares", s->symbol), h[2],
		with_unit(h[3], sizeof(h[3]), "rewards", s->underlying),
		with_unit(h[4], sizeof(h[4]), "slashed", s->underlying),
		with_unit(h[5], sizeof(h[5]), "fee value", s->underlying),
		"events applied", "rejected"
	};
	html_table t = TABLE(headers, 10);
	size_t shown = rates->count < RATES_SHOWN ? rates->count : RATES_SHOWN, r, i;
	int c[10];

	snprintf(unit, sizeof(unit), "%s per %s", s->underlying, s->symbol);
	with_unit(h[2], sizeof(h[2]), "rate", unit);
	for (i = 0; i < 10; i++)
		c[i] = lrt_html_column(rates, names[i]);
	history_heading(s->file, count_title(title, sizeof(title), "Settled epochs",
					     shown, rates->count));
	if (rates->count == 0) {
		paragraph(s->file, "meta", "None yet.");
		return 0;
	}
	for (r = rates->count - shown; r < rates->count; r++) {
		const char *values[10];

		for (i = 0; i < 10; i++)
			values[i] = lrt_html_value(rates, order[r].row, c[i]);
		table_row(&t, values);
	}
	return table_write(s->file, &t);
}

/* What a slash took: a wad as a percentage of what the AVS may slash, an
 * amount in whole units of its asset; exact either way. */
static const char *slash_size(char *out, size_t size, const lrt_html_rows *x, size_t r)
{
	const char *wad = lrt_html_value_or(x, r, lrt_html_column(x, "wad"), NULL);
	char number[NUMBER_BYTES];

	if (wad != NULL)
		snprintf(out, size, "%s%% of its allocation",
			 decimal_scale(number, sizeof(number), wad, -16, true));
	else
		snprintf(out, size, "%s %s",
			 lrt_html_value(x, r, lrt_html_column(x, "amount_whole")),
			 lrt_html_value(x, r, lrt_html_column(x, "asset")));
	return out;
}

/* The applied slashes, the last SLASHES_SHOWN of them. */
static int table_slashes(const lrt_html_section *s)
{
	static const char *const headers[] = {
		"epoch", "operator", "AVS", "asset", "slashed", "loss, in the asset", "event"
	};
	const lrt_html_rows *x = rows_of(s, LRT_HTML_SLASHES);
	html_table t = TABLE(headers, 7);
	lrt_html_epoch_row *order = lrt_html_by_epoch(x);
	size_t shown = x->count < SLASHES_SHOWN ? x->count : SLASHES_SHOWN, r;
	char title[TEXT_BYTES], size[TEXT_BYTES];

	if (order == NULL) {
		lrt_error_set("out of memory writing the HTML page");
		return LRT_ENOMEM;
	}
	history_heading(s->file, count_title(title, sizeof(title), "Slashes", shown,
					     x->count));
	if (x->count == 0) {
		paragraph(s->file, "meta", "No operator has been slashed.");
		free(order);
		return 0;
	}
	for (r = x->count - shown; r < x->count; r++) {
		size_t row = order[r].row;
		const char *values[7] = {
			lrt_html_value(x, row, lrt_html_column(x, "epoch")),
			lrt_html_value(x, row, lrt_html_column(x, "operator")),
			lrt_html_value(x, row, lrt_html_column(x, "avs")),
			lrt_html_value(x, row, lrt_html_column(x, "asset")),
			slash_size(size, sizeof(size), x, row),
			lrt_html_value(x, row, lrt_html_column(x, "loss_whole")),
			lrt_html_value(x, row, lrt_html_column(x, "event_id")),
		};

		table_row(&t, values);
	}
	free(order);
	return table_write(s->file, &t);
}

/* The attests whose observed balance differs from the book's. */
static int table_breaks(const lrt_html_section *s)
{
	static const char *const names[] = {
		"epoch", "asset", "location", "book_whole", "observed_whole",
		"difference_whole", "event_id"
	};
	static const char *const headers[] = {
		"epoch", "asset", "location", "book, in the asset", "observed, in the asset",
		"observed - book", "event"
	};
	const lrt_html_rows *x = rows_of(s, LRT_HTML_RECONCILIATION);
	html_table t = TABLE(headers, 7);
	lrt_html_epoch_row *order = lrt_html_by_epoch(x);
	int matched = lrt_html_column(x, "matched"), c[7];
	size_t breaks = 0, seen = 0, r, i;
	char title[TEXT_BYTES];

	if (order == NULL) {
		lrt_error_set("out of memory writing the HTML page");
		return LRT_ENOMEM;
	}
	for (i = 0; i < 7; i++)
		c[i] = lrt_html_column(x, names[i]);
	for (r = 0; r < x->count; r++)
		breaks += strcmp(lrt_html_value(x, r, matched), "t") != 0;
	history_heading(s->file, count_title(title, sizeof(title), "Reconciliation breaks",
					     breaks < BREAKS_SHOWN ? breaks : BREAKS_SHOWN,
					     breaks));
	snprintf(title, sizeof(title), "Attests applied: %zu, of which %zu match the books "
		 "to the base unit.", x->count, x->count - breaks);
	fprintf(s->file, "<p class=\"%s\">", breaks > 0 ? "bad" : "ok");
	lrt_html_escape(s->file, x->count == 0 ? "No attest applied." : title);
	fputs("</p>\n", s->file);
	for (r = 0; r < x->count && breaks > 0; r++) {
		size_t row = order[r].row;
		const char *values[7];

		if (strcmp(lrt_html_value(x, row, matched), "t") == 0 ||
		    breaks - seen++ > BREAKS_SHOWN)
			continue;
		for (i = 0; i < 7; i++)
			values[i] = lrt_html_value(x, row, c[i]);
		table_row(&t, values);
	}
	free(order);
	return breaks > 0 ? table_write(s->file, &t) : (table_clear(&t), 0);
}

static int section_history(const lrt_html_section *s)
{
	lrt_html_epoch_row *order = lrt_html_by_epoch(rows_of(s, LRT_HTML_RATES));
	int rc;

	if (order == NULL) {
		lrt_error_set("out of memory writing the HTML page");
		return LRT_ENOMEM;
	}
	rc = table_rates(s, order);
	free(order);
	if (rc == 0)
		rc = table_slashes(s);
	if (rc == 0)
		rc = table_breaks(s);
	return rc;
}

int lrt_html_page_product(FILE *file, size_t index, const lrt_html_product *product)
{
	const lrt_html_rows *products = &product->views[LRT_HTML_PRODUCTS];
	lrt_html_section s = { file, index, product, "", "" };
	int rc;

	LRT_ASSERT(file != NULL && product != NULL);
	fprintf(file, "<section class=\"product\" id=\"product-%zu\">\n", index + 1);
	if (products->count == 0) {     /* gone since the list was read */
		fputs("<p class=\"meta\">This product is no longer in the database.</p>\n"
		      "</section>\n", file);
		return 0;
	}
	s.symbol = lrt_html_value(products, 0, lrt_html_column(products, "symbol"));
	s.underlying = lrt_html_value(products, 0, lrt_html_column(products, "underlying"));
	if ((rc = section_summary(&s)) == 0 && (rc = lrt_html_charts(&s)) == 0)
		rc = section_history(&s);
	fputs("</section>\n", file);
	return rc;
}
