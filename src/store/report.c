/*
 * report.c - the reports of include/lrt/report.h: the views of the
 * lrt_report schema, found in the catalog, and their rows read by name.
 *
 * Two small catalog queries (the views; their columns) make the catalog,
 * whose strings stay in the two results.  A report's query is written from
 * the catalog's spelling of the view and column names, each quoted by
 * PQescapeIdentifier; what a user typed only ever travels as a parameter.
 * Rows stream in single-row mode, so a report costs the memory of one row
 * whatever its size.
 *
 * A view's own order is recognised by a top-level ORDER BY in its
 * definition (pg_get_viewdef): the query then adds none, and PostgreSQL,
 * which never flattens a sorted subquery into the outer query, returns the
 * rows the view sorted, its filters pushed down below the sort.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/assert.h"
#include "core/limits.h"
#include "io/json_parse.h"
#include "lrt/error.h"
#include "lrt/report.h"
#include "store/store_internal.h"

/* PostgreSQL's identifiers are at most NAMEDATALEN - 1 = 63 bytes. */
#define IDENTIFIER_BYTES_MAX 63

struct lrt_report_catalog {
	PGresult *views;              /* name, comment, definition */
	PGresult *columns;            /* view, name, type, category */
	lrt_report_view *view;        /* view_count of them, by name */
	size_t view_count;
	lrt_report_column *column;    /* every view's, view after view */
};

static const char views_query[] =
	"SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''),"
	"       CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) ELSE '' END"
	"  FROM pg_catalog.pg_class c"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')"
	" ORDER BY c.relname COLLATE \"C\"";

static const char columns_query[] =
	"SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),"
	"       t.typcategory"
	"  FROM pg_catalog.pg_class c"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  JOIN pg_catalog.pg_attribute a"
	"    ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
	"  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')"
	" ORDER BY c.relname COLLATE \"C\", a.attnum";

/*
 * Whether a view's definition, as pg_get_viewdef prints it, ends in its own
 * ORDER BY: the words ORDER BY outside every parenthesis (a subquery's, a
 * window's, an aggregate's are inside one), string literal and quoted
 * identifier.  The deparser writes literals '...' with quotes doubled and
 * no comments, so this small scan reads it exactly.
 */
static bool definition_is_ordered(const char *sql)
{
	int depth = 0;
	const char *p;

	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			char quote = *p;

			for (p++; *p != '\0' && !(*p == quote && p[1] != quote); p++)
				if (*p == quote)
					p++;     /* a doubled quote */
			if (*p == '\0')
				return false;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth--;
		} else if (depth == 0 && strncasecmp(p, "order", 5) == 0 &&
			   (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			const char *q = p + 5;

			if (!isspace((unsigned char)*q))
				continue;
			while (isspace((unsigned char)*q))
				q++;
			if (strncasecmp(q, "by", 2) == 0 &&
			    !(isalnum((unsigned char)q[2]) || q[2] == '_'))
				return true;
		}
	}
	return false;
}

static lrt_report_kind kind_of_category(const char *category)
{
	switch (category[0]) {
	case 'N': return LRT_REPORT_NUMBER;
	case 'B': return LRT_REPORT_BOOLEAN;
	default: return LRT_REPORT_TEXT;
	}
}

/* The index of the column named `name` among `count`, or -1. */
static int column_named(const lrt_report_column *columns, size_t count,
			const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The X_whole siblings and the filter columns of a view. */
static void link_columns(lrt_report_view *view, lrt_report_column *columns)
{
	size_t i;

	for (i = 0; i < view->column_count; i++) {
		char whole[IDENTIFIER_BYTES_MAX + 8];
		int j;

		snprintf(whole, sizeof(whole), "%s_whole", columns[i].name);
		j = column_named(columns, view->column_count, whole);
		columns[i].whole = j;
		if (j >= 0)
			columns[j].is_whole = true;
	}
	view->symbol_column = column_named(columns, view->column_count, "symbol");
	view->epoch_column = column_named(columns, view->column_count, "epoch");
	view->holder_column = column_named(columns, view->column_count, "holder");
}

/*
 * Gives each view of c->views its run of c->columns.  Both results are
 * sorted by view name; a column of a view created between the two queries
 * is skipped, and a view dropped between them keeps no column.
 */
static void assign_columns(lrt_report_catalog *c)
{
	int rows = PQntuples(c->columns);
	int row = 0;
	size_t v;

	for (v = 0; v < c->view_count; v++) {
		lrt_report_view *view = &c->view[v];
		lrt_report_column *first = &c->column[row];

		while (row < rows && strcmp(PQgetvalue(c->columns, row, 0), view->name) < 0)
			first = &c->column[++row];
		view->columns = first;
		while (row < rows && strcmp(PQgetvalue(c->columns, row, 0), view->name) == 0) {
			lrt_report_column *column = &c->column[row];

			column->name = PQgetvalue(c->columns, row, 1);
			column->type = PQgetvalue(c->columns, row, 2);
			column->kind = kind_of_category(PQgetvalue(c->columns, row, 3));
			column->whole = -1;
			column->is_whole = false;
			row++;
			view->column_count++;
		}
		link_columns(view, first);
	}
}

int lrt_report_catalog_load(lrt_report_catalog **out, lrt_store *store)
{
	const char *params[1] = {LRT_REPORT_SCHEMA};
	lrt_report_catalog *c;
	int rc, i;

	LRT_ASSERT(out != NULL && store != NULL);
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		lrt_error_set("out of memory reading the reports");
		return LRT_ENOMEM;
	}
	if ((rc = lrt_store_exec_tuples(&c->views, store, views_query, 1, params)) != 0 ||
	    (rc = lrt_store_exec_tuples(&c->columns, store, columns_query, 1, params)) != 0)
		goto done;
	c->view_count = (size_t)PQntuples(c->views);
	if (c->view_count == 0) {
		lrt_error_set("the database at %s holds no reports (no views in schema "
			      "%s): lrt migrate creates them", lrt_store_describe(store),
			      LRT_REPORT_SCHEMA);
		rc = LRT_ESTATE;
		goto done;
	}
	c->view = calloc(c->view_count, sizeof(*c->view));
	c->column = calloc((size_t)PQntuples(c->columns) + 1, sizeof(*c->column));
	if (c->view == NULL || c->column == NULL) {
		lrt_error_set("out of memory reading the reports");
		rc = LRT_ENOMEM;
		goto done;
	}
	for (i = 0; i < (int)c->view_count; i++) {
		c->view[i].name = PQgetvalue(c->views, i, 0);
		c->view[i].comment = PQgetvalue(c->views, i, 1);
		c->view[i].ordered = definition_is_ordered(PQgetvalue(c->views, i, 2));
	}
	assign_columns(c);
	*out = c;
	c = NULL;
done:
	lrt_report_catalog_free(c);
	return rc;
}

void lrt_report_catalog_free(lrt_report_catalog *catalog)
{
	if (catalog == NULL)
		return;
	free(catalog->column);
	free(catalog->view);
	PQclear(catalog->columns);
	PQclear(catalog->views);
	free(catalog);
}

size_t lrt_report_catalog_count(const lrt_report_catalog *catalog)
{
	return catalog->view_count;
}

const lrt_report_view *lrt_report_catalog_view(const lrt_report_catalog *catalog,
					       size_t i)
{
	LRT_ASSERT(i < catalog->view_count);
	return &catalog->view[i];
}

/*
 * The edit distance of `a` and `b` (insertions, deletions, substitutions),
 * counting only the first IDENTIFIER_BYTES_MAX bytes of each: view names are
 * never longer, and a longer text is far from all of them anyway.
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t row[IDENTIFIER_BYTES_MAX + 1];
	size_t la = strnlen(a, IDENTIFIER_BYTES_MAX), lb = strnlen(b, IDENTIFIER_BYTES_MAX);
	size_t i, j;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[lb];
}

/* The names of the views of `catalog` that have a column named `column`
 * (every view when NULL), ", "-separated, cut at `size`. */
static void list_views(char *out, size_t size, const lrt_report_catalog *catalog,
		       const char *column)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < catalog->view_count && n < size; i++) {
		const lrt_report_view *view = &catalog->view[i];

		if (column != NULL &&
		    column_named(view->columns, view->column_count, column) < 0)
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s", n > 0 ? ", " : "",
				      view->name);
	}
}

int lrt_report_catalog_find(const lrt_report_view **out,
			    const lrt_report_catalog *catalog, const char *name)
{
	char names[768];
	size_t i, closest = 0, best = SIZE_MAX;

	LRT_ASSERT(out != NULL && catalog != NULL && name != NULL);
	LRT_ASSERT(catalog->view_count > 0);
	*out = NULL;
	for (i = 0; i < catalog->view_count; i++) {
		size_t distance;

		if (strcmp(catalog->view[i].name, name) == 0) {
			*out = &catalog->view[i];
			return 0;
		}
		distance = edit_distance(name, catalog->view[i].name);
		if (distance < best) {
			best = distance;
			closest = i;
		}
	}
	list_views(names, sizeof(names), catalog, NULL);
	lrt_error_set("unknown report \"%.*s\"; did you mean \"%s\"? The reports: %s",
		      IDENTIFIER_BYTES_MAX, name, catalog->view[closest].name, names);
	return LRT_EINVAL;
}

/*
 * Whether rows sort by a column of this pg_type category: numbers, text,
 * booleans, times, intervals, enums and bit strings do; json, arrays,
 * composites and the like are left out of ORDER BY.
 */
static bool category_sorts(const char *category)
{
	return category[0] != '\0' && strchr("NSBDTEV", category[0]) != NULL;
}

/* Writes `name` quoted as an identifier into `sql`. */
static int put_identifier(FILE *sql, lrt_store *store, const char *name)
{
	char *quoted = PQescapeIdentifier(lrt_store_conn(store), name, strlen(name));

	if (quoted == NULL) {
		lrt_error_set("cannot quote the name \"%s\": out of memory", name);
		return LRT_ENOMEM;
	}
	fputs(quoted, sql);
	PQfreemem(quoted);
	return 0;
}

/* A filter on `column`, which the view must have: " AND column = $n". */
static int put_filter(FILE *sql, lrt_store *store, const lrt_report_catalog *catalog,
		      const lrt_report_view *view, int column, const char *name,
		      int *param_count)
{
	char names[768];
	int rc;

	if (column < 0) {
		list_views(names, sizeof(names), catalog, name);
		lrt_error_set("report \"%s\" has no %s column; the reports that have one: %s",
			      view->name, name, names[0] != '\0' ? names : "none");
		return LRT_EINVAL;
	}
	fputs(*param_count == 0 ? " WHERE " : " AND ", sql);
	if ((rc = put_identifier(sql, store, view->columns[column].name)) != 0)
		return rc;
	fprintf(sql, " = $%d", ++*param_count);
	return 0;
}

/*
 * " ORDER BY symbol, epoch, holder, then the other sortable columns" for a
 * view that does not sort its rows; nothing for one that does.
 */
static int put_order(FILE *sql, lrt_store *store, const lrt_report_catalog *catalog,
		     const lrt_report_view *view)
{
	size_t first_row = (size_t)(view->columns - catalog->column);
	int keys[3] = {view->symbol_column, view->epoch_column, view->holder_column};
	int count = 0, rc;
	size_t i, k;

	if (view->ordered)
		return 0;
	for (k = 0; k < 3; k++) {
		if (keys[k] < 0)
			continue;
		fputs(count++ == 0 ? " ORDER BY " : ", ", sql);
		if ((rc = put_identifier(sql, store, view->columns[keys[k]].name)) != 0)
			return rc;
	}
	for (i = 0; i < view->column_count; i++) {
		if ((int)i == keys[0] || (int)i == keys[1] || (int)i == keys[2] ||
		    !category_sorts(PQgetvalue(catalog->columns, (int)(first_row + i), 3)))
			continue;
		fputs(count++ == 0 ? " ORDER BY " : ", ", sql);
		if ((rc = put_identifier(sql, store, view->columns[i].name)) != 0)
			return rc;
	}
	return 0;
}

/* SELECT the view's columns FROM lrt_report.view WHERE ... ORDER BY ...;
 * the filters' parameters, in order, into params[*param_count]. */
static int write_query(FILE *sql, const char **params, int *param_count,
		       lrt_store *store, const lrt_report_catalog *catalog,
		       const lrt_report_view *view, const lrt_report_filter *filter,
		       const char *epoch_text, const char *holder)
{
	size_t i;
	int rc;

	fputs("SELECT ", sql);
	for (i = 0; i < view->column_count; i++) {
		if (i > 0)
			fputs(", ", sql);
		if ((rc = put_identifier(sql, store, view->columns[i].name)) != 0)
			return rc;
	}
	fputs(" FROM ", sql);
	if ((rc = put_identifier(sql, store, LRT_REPORT_SCHEMA)) != 0)
		return rc;
	fputc('.', sql);
	if ((rc = put_identifier(sql, store, view->name)) != 0)
		return rc;
	*param_count = 0;
	if (filter->symbol != NULL) {
		params[*param_count] = filter->symbol;
		if ((rc = put_filter(sql, store, catalog, view, view->symbol_column,
				     "symbol", param_count)) != 0)
			return rc;
	}
	if (filter->epoch >= 0) {
		params[*param_count] = epoch_text;
		if ((rc = put_filter(sql, store, catalog, view, view->epoch_column,
				     "epoch", param_count)) != 0)
			return rc;
	}
	if (filter->holder != NULL) {
		params[*param_count] = holder;
		if ((rc = put_filter(sql, store, catalog, view, view->holder_column,
				     "holder", param_count)) != 0)
			return rc;
	}
	return put_order(sql, store, catalog, view);
}

typedef struct {
	const lrt_report_view *view;
	const char **values;          /* column_count of them, for each row */
	lrt_report_row_fn fn;
	void *context;
} row_reader;

static int read_row(void *context, const PGresult *row)
{
	row_reader *r = context;
	size_t i;

	if ((size_t)PQnfields(row) != r->view->column_count) {
		lrt_error_set("report \"%s\" changed while it was read: %d columns, "
			      "not %zu", r->view->name, PQnfields(row),
			      r->view->column_count);
		return LRT_EDB;
	}
	for (i = 0; i < r->view->column_count; i++)
		r->values[i] = PQgetisnull(row, 0, (int)i) ? NULL
			       : PQgetvalue(row, 0, (int)i);
	return r->fn(r->context, r->values);
}

static int out_of_memory(const lrt_report_view *view)
{
	lrt_error_set("out of memory reading report \"%s\"", view->name);
	return LRT_ENOMEM;
}

int lrt_report_read(lrt_store *store, const lrt_report_catalog *catalog,
		    const lrt_report_view *view, const lrt_report_filter *filter,
		    lrt_report_row_fn fn, void *context)
{
	const char *params[3] = {NULL, NULL, NULL};
	char epoch_text[24];
	char *holder = NULL, *query = NULL;
	size_t query_size = 0;
	row_reader reader = {view, NULL, fn, context};
	int param_count = 0, rc;
	FILE *sql = NULL;

	LRT_ASSERT(store != NULL && catalog != NULL && view != NULL);
	LRT_ASSERT(filter != NULL && fn != NULL);
	LRT_ASSERT(view >= catalog->view && view < catalog->view + catalog->view_count);
	if (filter->epoch < -1 || filter->epoch > LRT_EPOCH_MAX) {
		lrt_error_set("epoch %" PRId64 ": not an epoch (0 to %" PRId64 ")",
			      filter->epoch, (int64_t)LRT_EPOCH_MAX);
		return LRT_EINVAL;
	}
	snprintf(epoch_text, sizeof(epoch_text), "%" PRId64, filter->epoch);
	if (filter->holder != NULL) {
		if ((holder = strdup(filter->holder)) == NULL) {
			rc = out_of_memory(view);
			goto done;
		}
		lrt_party_name_normalize(holder, strlen(holder));
	}
	reader.values = calloc(view->column_count + 1, sizeof(*reader.values));
	if (reader.values == NULL || (sql = open_memstream(&query, &query_size)) == NULL) {
		rc = out_of_memory(view);
		goto done;
	}
	rc = write_query(sql, params, &param_count, store, catalog, view, filter,
			 epoch_text, holder);
	if (fclose(sql) != 0 && rc == 0)
		rc = out_of_memory(view);
	sql = NULL;
	if (rc == 0)
		rc = lrt_store_each_row(store, query, param_count, params, read_row,
					&reader);
done:
	if (sql != NULL)
		fclose(sql);
	free(query);
	free(reader.values);
	free(holder);
	return rc;
}
