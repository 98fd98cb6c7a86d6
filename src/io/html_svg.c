/*
 * html_svg.c - HTML text and the frame of an SVG chart (html_svg.h).
 *
 * A chart is laid out top to bottom: its title, the legend (as many rows
 * as its keys need), the plot area with its grid and ticks, the x axis'
 * label; the y axis' label runs up the left edge.  Text widths are
 * estimated (7 pixels a character at the page's 12-pixel font), which is
 * enough to wrap a legend; nothing depends on them being exact.
 */
#include <math.h>      /* isfinite, a macro: no libm */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "io/html_svg.h"

#define TITLE_Y 24              /* the title's baseline */
#define LEGEND_Y 48             /* the first legend row's middle */
#define LEGEND_ROW 20           /* between legend rows */
#define LEGEND_SWATCH 22        /* a key's sample line or block */
#define LEGEND_GAP 22           /* between two keys */
#define LEGEND_CHARACTERS 40    /* a key's label is cut past this */
#define CHARACTER_WIDTH 7.0     /* an estimate at 12px */
#define MARGIN_LEFT 92          /* room for the y ticks' labels */
#define MARGIN_RIGHT 28
#define MARGIN_BOTTOM 58        /* the x ticks' labels and the x label */
#define Y_TICKS 6               /* about this many y ticks */
#define X_TICKS 10              /* at most about this many x ticks */
#define TICKS_MAX 40            /* never more, whatever the range */

void lrt_html_escape(FILE *file, const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		switch (*p) {
		case '&': fputs("&amp;", file); break;
		case '<': fputs("&lt;", file); break;
		case '>': fputs("&gt;", file); break;
		case '"': fputs("&quot;", file); break;
		case '\'': fputs("&#39;", file); break;
		default: fputc(*p, file); break;
		}
	}
}

/* A UTF-8 continuation byte: part of the character before it. */
static bool continues(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

size_t lrt_html_characters(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += !continues(*text);
	return n;
}

void lrt_html_escape_cut(FILE *file, const char *text, size_t characters)
{
	char *copy;
	size_t n = 0, i;

	if (lrt_html_characters(text) <= characters) {
		lrt_html_escape(file, text);
		return;
	}
	for (i = 0; text[i] != '\0'; i++)
		if (!continues(text[i]) && n++ == characters)
			break;
	copy = strndup(text, i);
	if (copy == NULL) {            /* no memory for a label: its start only */
		fputs("\xE2\x80\xA6", file);
		return;
	}
	lrt_html_escape(file, copy);
	fputs("\xE2\x80\xA6", file);   /* U+2026 HORIZONTAL ELLIPSIS */
	free(copy);
}

double lrt_svg_number(const char *text)
{
	char *end;
	double value;

	if (text == NULL)
		return 0;
	value = strtod(text, &end);
	return end != text && *end == '\0' && isfinite(value) ? value : 0;
}

/*
 * The arithmetic of ticks without libm (the library links none): the
 * values drawn are at most about 10^78, so the loops below are short.
 */
static double absolute(double x)
{
	return x < 0 ? -x : x;
}

/* The largest whole number not above x. */
static double floor_of(double x)
{
	double whole;

	if (absolute(x) >= 4503599627370496.0)     /* 2^52: already whole */
		return x;
	whole = (double)(long long)x;
	return whole > x ? whole - 1 : whole;
}

static double ceil_of(double x)
{
	return -floor_of(-x);
}

/* The power of ten at or just below x (x > 0). */
static double power_below(double x)
{
	double power = 1;
	int i;

	for (i = 0; i < 400 && power * 10 <= x; i++)
		power *= 10;
	for (i = 0; i < 400 && power > x; i++)
		power /= 10;
	return power;
}

/* 1, 2 or 5 times a power of ten, about `x` (x > 0). */
static double nice_step(double x)
{
	double power = power_below(x);
	double fraction = x / power;

	if (fraction < 1.5)
		return power;
	if (fraction < 3.5)
		return 2 * power;
	if (fraction < 7.5)
		return 5 * power;
	return 10 * power;
}

/* The decimals a tick label needs at this step (1, 2 or 5 times 10^k). */
static int step_decimals(double step)
{
	int decimals = 0;

	while (decimals < 18 && step * (1 + 1e-9) < 1) {
		step *= 10;
		decimals++;
	}
	return decimals;
}

/* Widens [y_min, y_max] to whole steps; a flat series gets a band around
 * its value, so that its line sits in the middle of the plot. */
static double fit_y(lrt_svg_chart *c)
{
	double step;

	if (c->y_from_zero && c->y_min > 0)
		c->y_min = 0;
	if (!(c->y_max > c->y_min)) {
		double half = absolute(c->y_max) > 0 ? absolute(c->y_max) * 0.01 : 1;

		c->y_min = c->y_from_zero && c->y_min >= 0 ? 0 : c->y_min - half;
		c->y_max = c->y_max + half;
	}
	step = nice_step((c->y_max - c->y_min) / (Y_TICKS - 1));
	c->y_min = floor_of(c->y_min / step + 1e-9) * step;
	c->y_max = ceil_of(c->y_max / step - 1e-9) * step;
	if (!(c->y_max > c->y_min))
		c->y_max = c->y_min + step;
	return step;
}

/* The legend's keys placed left to right, wrapped at the plot's width;
 * with `file` NULL only counts the rows. */
static int legend(FILE *file, const lrt_svg_chart *c, double left, double right)
{
	double x = left;
	int row = 0;
	size_t i;

	for (i = 0; i < c->key_count; i++) {
		const lrt_svg_key *k = &c->keys[i];
		size_t characters = lrt_html_characters(k->label);
		double width = LEGEND_SWATCH + 6 + CHARACTER_WIDTH *
			       (double)(characters < LEGEND_CHARACTERS ? characters
					: LEGEND_CHARACTERS + 1);
		double y;

		if (x > left && x + width > right) {
			x = left;
			row++;
		}
		y = LEGEND_Y + row * LEGEND_ROW;
		if (file != NULL) {
			fputs("<g class=\"key\">", file);
			if (k->mark == LRT_SVG_AREA)
				fprintf(file, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"10\" "
					"fill=\"%s\" fill-opacity=\"0.75\"/>", x, y - 5,
					LEGEND_SWATCH, k->color);
			else if (k->mark == LRT_SVG_MARKER)
				fprintf(file, "<path d=\"M%.1f %.1fv14\" stroke=\"%s\" "
					"stroke-dasharray=\"3 2\"/><path d=\"M%.1f %.1fl-5 -7h10z\" "
					"fill=\"%s\"/>", x + LEGEND_SWATCH / 2.0, y - 5, k->color,
					x + LEGEND_SWATCH / 2.0, y + 2, k->color);
			else
				fprintf(file, "<path d=\"M%.1f %.1fh%d\" stroke=\"%s\" "
					"stroke-width=\"2.5\"%s/>", x, (double)y, LEGEND_SWATCH,
					k->color, k->mark == LRT_SVG_DASHED
					? " stroke-dasharray=\"6 4\"" : "");
			fprintf(file, "<text x=\"%.1f\" y=\"%.1f\" dy=\"0.35em\">",
				x + LEGEND_SWATCH + 6, (double)y);
			lrt_html_escape_cut(file, k->label, LEGEND_CHARACTERS);
			fputs("</text></g>\n", file);
		}
		x += width + LEGEND_GAP;
	}
	return row + 1;
}

double lrt_svg_x(const lrt_svg_chart *c, double x)
{
	return c->left + (x - c->x_min) / (c->x_max - c->x_min) * (c->right - c->left);
}

double lrt_svg_y(const lrt_svg_chart *c, double y)
{
	return c->bottom - (y - c->y_min) / (c->y_max - c->y_min) * (c->bottom - c->top);
}

static void y_ticks(FILE *file, const lrt_svg_chart *c, double step)
{
	int decimals = step_decimals(step), k;

	for (k = 0; k < TICKS_MAX; k++) {
		double value = c->y_min + k * step;
		double y = lrt_svg_y(c, value);

		if (value > c->y_max + step * 1e-6)
			break;
		fprintf(file, "<path class=\"grid\" d=\"M%.1f %.1fH%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" dy=\"0.35em\" "
			"text-anchor=\"end\">%.*f</text>\n", c->left, y, c->right,
			c->left - 8, y, decimals, absolute(value) < step * 1e-6 ? 0.0 : value);
	}
}

static void x_ticks(FILE *file, const lrt_svg_chart *c)
{
	double step = nice_step((c->x_max - c->x_min) / X_TICKS);
	double value;
	int k;

	if (step < 1)
		step = 1;
	value = ceil_of(c->x_min / step - 1e-9) * step;
	for (k = 0; k < TICKS_MAX && value <= c->x_max + 1e-9; k++, value += step) {
		double x = lrt_svg_x(c, value);

		fprintf(file, "<path class=\"tick-mark\" d=\"M%.1f %.1fv6\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
			"%.0f</text>\n", x, c->bottom, x, c->bottom + 20, value + 0.0);
	}
}

void lrt_svg_begin(FILE *file, lrt_svg_chart *c)
{
	double step;
	int rows;

	LRT_ASSERT(c->x_max > c->x_min);
	c->left = MARGIN_LEFT;
	c->right = LRT_SVG_WIDTH - MARGIN_RIGHT;
	rows = legend(NULL, c, c->left, c->right);
	c->top = LEGEND_Y + rows * LEGEND_ROW;
	c->bottom = LRT_SVG_HEIGHT - MARGIN_BOTTOM;
	step = fit_y(c);
	fprintf(file, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-labelledby=\"%s-title\">\n<title id=\"%s-title\">",
		c->id, LRT_SVG_WIDTH, LRT_SVG_HEIGHT, c->id, c->id);
	lrt_html_escape(file, c->title);
	fprintf(file, "</title>\n<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" "
		"width=\"%.1f\" height=\"%.1f\"/>\n<text class=\"chart-title\" x=\"%.1f\" "
		"y=\"%d\">", c->left, c->top, c->right - c->left, c->bottom - c->top,
		c->left, TITLE_Y);
	lrt_html_escape(file, c->title);
	fputs("</text>\n", file);
	legend(file, c, c->left, c->right);
	y_ticks(file, c, step);
	x_ticks(file, c);
	fprintf(file, "<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" "
		"text-anchor=\"middle\">", (c->left + c->right) / 2, LRT_SVG_HEIGHT - 12);
	lrt_html_escape(file, c->x_label);
	fprintf(file, "</text>\n<text class=\"axis-label\" transform=\"translate(18 %.1f) "
		"rotate(-90)\" text-anchor=\"middle\">", (c->top + c->bottom) / 2);
	lrt_html_escape(file, c->y_label);
	fputs("</text>\n", file);
}

void lrt_svg_note(FILE *file, const lrt_svg_chart *c, const char *text)
{
	fprintf(file, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		(c->left + c->right) / 2, (c->top + c->bottom) / 2);
	lrt_html_escape(file, text);
	fputs("</text>\n", file);
}

void lrt_svg_end(FILE *file, const lrt_svg_chart *c)
{
	fprintf(file, "<path class=\"axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n</svg>\n",
		c->left, c->top, c->bottom, c->right);
}
