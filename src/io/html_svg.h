/*
 * html_svg.h - the small pieces of an HTML page with SVG charts: text
 * escaped for HTML, and a chart's frame (title, legend, axes with their
 * labels and ticks, grid) into which the caller draws its series.
 *
 * Coordinates are doubles: a value's exact decimal text becomes a pixel
 * position through lrt_svg_number, which is drawing, not money; a chart
 * never prints a figure but its axis ticks, which are round numbers of the
 * axis, not values of the books.  The numbers are written with "%.1f" (a
 * tenth of a pixel); lrt never calls setlocale, so the C locale's "." is
 * the decimal point of strtod and printf alike.
 */
#ifndef LRT_IO_HTML_SVG_H
#define LRT_IO_HTML_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes `text` escaped for HTML, fit for an element's text and for a
 * quoted attribute value alike: & < > " ' become entities. */
void lrt_html_escape(FILE *file, const char *text);

/* The same, cut after `characters` characters (UTF-8 code points) with
 * "..." (one ellipsis character) when it is longer. */
void lrt_html_escape_cut(FILE *file, const char *text, size_t characters);

/* The characters (UTF-8 code points) of `text`. */
size_t lrt_html_characters(const char *text);

/* A value's decimal text ("1.000123", "-5") as a coordinate for drawing;
 * 0 for NULL or for text that is not a finite number. */
double lrt_svg_number(const char *text);

/* How a series looks in the legend. */
typedef enum {
	LRT_SVG_LINE = 0,     /* a solid line */
	LRT_SVG_DASHED,       /* a dashed line */
	LRT_SVG_AREA,         /* a filled block */
	LRT_SVG_MARKER        /* a dashed vertical rule with a triangle on top */
} lrt_svg_mark;

typedef struct {
	const char *label;    /* escaped when written; cut past 40 characters */
	const char *color;    /* a CSS colour of our own: "#0072b2" */
	lrt_svg_mark mark;
} lrt_svg_key;

/* The chart's size (its viewBox; the page scales it to its width). */
#define LRT_SVG_WIDTH 960
#define LRT_SVG_HEIGHT 380

/* A chart: filled in by the caller, then lrt_svg_begin fixes the plot area
 * and widens the y range to round ticks. */
typedef struct {
	const char *id;                /* unique in the page, [a-z0-9-] */
	const char *title;             /* escaped */
	const char *x_label;           /* escaped, e.g. "epoch" */
	const char *y_label;           /* escaped, e.g. "rate, ETH per rstETH" */
	double x_min, x_max;           /* epochs: the ticks are whole numbers */
	double y_min, y_max;           /* the data's range */
	bool y_from_zero;              /* the y axis starts at 0 (amounts) */
	const lrt_svg_key *keys;
	size_t key_count;
	/* set by lrt_svg_begin: the plot area in pixels */
	double left, right, top, bottom;
} lrt_svg_chart;

/*
 * Writes <svg> with its <title>, the chart's title, the legend, the grid,
 * the ticks with their labels and the two axis labels; the caller then
 * draws inside [left, right] x [top, bottom] and calls lrt_svg_end.
 */
void lrt_svg_begin(FILE *file, lrt_svg_chart *chart);

/* The pixel position of a data coordinate. */
double lrt_svg_x(const lrt_svg_chart *chart, double x);
double lrt_svg_y(const lrt_svg_chart *chart, double y);

/* A sentence in the middle of the plot area, for a chart with no data. */
void lrt_svg_note(FILE *file, const lrt_svg_chart *chart, const char *text);

/* The axes over what was drawn, then </svg>. */
void lrt_svg_end(FILE *file, const lrt_svg_chart *chart);

#endif
