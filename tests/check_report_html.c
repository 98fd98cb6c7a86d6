/*
 * check_report_html.c - `lrt report html --output FILE` against a database
 * holding three settled products: rstETH (scenario 16: allocations and
 * slashes by wad), wqETH (scenario 07 renamed: a withdrawal queue, a slash
 * by amount) and a product whose symbol, operator, AVS and holder are
 * hostile HTML.  The page: a section per product with its tables and three
 * SVG charts (axes labelled with units, ticks, legend, title, slashes
 * marked), every amount exactly as the views print it; names escaped; no
 * fetch from a network; written atomically (a failure leaves the old file
 * and no temporary one); opened in headless Chromium, which must render it
 * with its charts and report no error.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "helpers.h"

/* Names that are HTML: escaped, they show as text; raw, they would be
 * markup (a script, an image fetched, the end of a chart). */
#define HOSTILE_SYMBOL "<b>s'ETH\"</b>"
#define HOSTILE_OPERATOR "<img src=x onerror=alert('op')>&amp;"
#define HOSTILE_AVS "</svg><script>alert(\"avs\")</script>"
#define HOSTILE_HOLDER "<script>alert(1)</script>"
#define HOSTILE_OPERATOR_ESCAPED "&lt;img src=x onerror=alert(&#39;op&#39;)&gt;&amp;amp;"
#define HOSTILE_AVS_ESCAPED "&lt;/svg&gt;&lt;script&gt;alert(&quot;avs&quot;)&lt;/script&gt;"
#define HOSTILE_SYMBOL_ESCAPED "&lt;b&gt;s&#39;ETH&quot;&lt;/b&gt;"

/* How long Chromium may take to load the page (it takes about a second). */
#define CHROMIUM_SECONDS 60

/* a, b and c joined, in a new string. */
static char *join(const char *a, const char *b, const char *c)
{
	size_t size = strlen(a) + strlen(b) + strlen(c) + 1;
	char *joined = malloc(size);

	ck_assert_ptr_nonnull(joined);
	snprintf(joined, size, "%s%s%s", a, b, c);
	return joined;
}

/* One JSON line of the hostile scenario, built by jansson (so the names
 * need no escaping by hand). */
static void add_line(char **text, json_t *object)
{
	char *line = json_dumps(object, JSON_COMPACT);
	char *joined;

	ck_assert_ptr_nonnull(line);
	joined = join(*text, line, "\n");
	free(*text);
	free(line);
	json_decref(object);
	*text = joined;
}

static char *hostile_scenario(void)
{
	char *text = strdup("");

	ck_assert_ptr_nonnull(text);
	add_line(&text, json_pack("{s:{s:s, s:s, s:[{s:s, s:i}], s:s}}", "product",
				  "symbol", HOSTILE_SYMBOL, "underlying", "ETH", "assets",
				  "symbol", "ETH", "decimals", 18, "model", "plain"));
	add_line(&text, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "id", "d1", "epoch", 0,
				  "type", "deposit", "holder", HOSTILE_HOLDER, "asset", "ETH",
				  "amount", "100000000000000000000"));
	add_line(&text, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "id", "m1",
				  "epoch", 0, "type", "move", "asset", "ETH", "amount",
				  "60000000000000000000", "from", "buffer", "to",
				  HOSTILE_OPERATOR));
	add_line(&text, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "id", "a1",
				  "epoch", 0, "type", "allocate", "operator", HOSTILE_OPERATOR,
				  "avs", HOSTILE_AVS, "asset", "ETH", "magnitude",
				  "500000000000000000"));
	add_line(&text, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "id", "s1",
				  "epoch", 1, "type", "slash", "operator", HOSTILE_OPERATOR,
				  "avs", HOSTILE_AVS, "asset", "ETH", "wad",
				  "100000000000000000"));
	add_line(&text, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "id", "t1", "epoch", 1,
				  "type", "attest", "asset", "ETH", "location", HOSTILE_OPERATOR,
				  "amount", "1"));
	return text;
}

/* Scenario 07 (a withdrawal queue) as product wqETH. */
static void load_queue_product(const char *folder, const char *scratch)
{
	char path[1100], *text, *symbol;

	snprintf(path, sizeof(path), "%s/07-withdraw-cap.jsonl", folder);
	text = lrt_test_read_file(path, NULL);
	symbol = strstr(text, "\"symbol\": \"rstETH\"");
	ck_assert_ptr_nonnull(symbol);
	memcpy(symbol + strlen("\"symbol\": \""), "wqETH\" ", 7);   /* same length */
	snprintf(path, sizeof(path), "%s/wq.jsonl", scratch);
	lrt_test_write_file(path, text);
	lrt_test_load_product(path, "wqETH");
}

/* The checked fixture: a fresh database, migrated, three products settled. */
static void books(void)
{
	const char *migrate[] = {"migrate", NULL};
	const char *folder = getenv("LRT_DB_SCENARIOS");
	static lrt_test_process p;
	char path[1100], scratch[1024], *text;

	ck_assert_ptr_nonnull(folder);
	lrt_test_fresh_database();
	lrt_test_run_ok(&p, migrate);
	snprintf(path, sizeof(path), "%s/16-allocations-wad-slash.jsonl", folder);
	lrt_test_load_product(path, "rstETH");
	lrt_test_scratch(scratch, sizeof(scratch));
	load_queue_product(folder, scratch);
	snprintf(path, sizeof(path), "%s/hostile.jsonl", scratch);
	text = hostile_scenario();
	lrt_test_write_file(path, text);
	free(text);
	lrt_test_load_product(path, HOSTILE_SYMBOL);
}

/* ---- the page ------------------------------------------------------------------- */

/* `lrt report html --output FOLDER/books.html [more]`, which must succeed;
 * the page's text, its path into `path`. */
static char *write_page(char *path, size_t size, const char *more[])
{
	const char *args[16] = {"report", "html", "--output", path};
	static lrt_test_process p;
	char scratch[1024];
	int n = 4;

	lrt_test_scratch(scratch, sizeof(scratch));
	snprintf(path, size, "%s/books.html", scratch);
	while (more != NULL && *more != NULL)
		args[n++] = *more++;
	args[n] = NULL;
	lrt_test_run_ok(&p, args);
	ck_assert_msg(p.out[0] == '\0' && p.err[0] == '\0', "lrt report html wrote "
		      "\"%s\" and \"%s\"", p.out, p.err);
	return lrt_test_read_file(path, NULL);
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (text = strstr(text, what); text != NULL; text = strstr(text + 1, what))
		n++;
	return n;
}

static void assert_has(const char *page, const char *what)
{
	ck_assert_msg(strstr(page, what) != NULL, "the page lacks \"%s\"", what);
}

/* The text of the section of product n (from 1). */
static char *section(const char *page, int n)
{
	char id[64];
	const char *start, *end;
	char *text;

	snprintf(id, sizeof(id), "<section class=\"product\" id=\"product-%d\">", n);
	start = strstr(page, id);
	ck_assert_msg(start != NULL, "no section %d", n);
	end = strstr(start, "</section>");
	ck_assert_ptr_nonnull(end);
	text = strndup(start, (size_t)(end - start));
	ck_assert_ptr_nonnull(text);
	return text;
}

/* The one value of a query, copied. */
static char *query_value(const char *sql)
{
	PGconn *conn = lrt_test_connect();
	char *value = strdup(lrt_test_value(conn, sql));

	PQfinish(conn);
	ck_assert_ptr_nonnull(value);
	return value;
}

/* The section whose title is this symbol (as the page writes it): the
 * sections come in the products view's order, which the test leaves to it. */
static char *section_of(const char *page, const char *symbol_html)
{
	char title[256];
	int n;

	snprintf(title, sizeof(title), "<h2>%s<small>", symbol_html);
	for (n = 1; n <= 3; n++) {
		char *text = section(page, n);

		if (strstr(text, title) != NULL)
			return text;
		free(text);
	}
	ck_abort_msg("no section titled %s", symbol_html);
	return NULL;
}

START_TEST(test_page_of_every_product)
{
	char path[1100];
	char *page = write_page(path, sizeof(path), NULL);
	char *rst = section_of(page, "rstETH"), *wq = section_of(page, "wqETH");
	char *rate = query_value("SELECT rate_whole FROM lrt_report.products "
				 "WHERE symbol = 'rstETH'");
	char *assets = query_value("SELECT total_assets_whole FROM lrt_report.products "
				   "WHERE symbol = 'wqETH'");
	char *loss = query_value("SELECT loss_whole FROM lrt_report.operator_slashes "
				 "WHERE symbol = 'rstETH' AND event_id = 's1'");

	ck_assert_msg(strncmp(page, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0, "%.80s", page);
	assert_has(page, "<meta charset=\"utf-8\">");
	ck_assert_uint_eq(count(page, "<section class=\"product\""), 3);
	ck_assert_uint_eq(count(page, "<svg "), 9);
	ck_assert_uint_eq(count(page, "</svg>"), 9);
	ck_assert_msg(strstr(page + strlen(page) - 20, "</html>\n") != NULL, "no end");
	/* the three charts, each with its title, axis labels and legend */
	ck_assert_uint_eq(count(rst, "<svg "), 3);
	assert_has(rst, "-rate\" class=\"chart\" viewBox=\"0 0 960 380\"");
	assert_has(rst, "-tvl\" class=\"chart\"");
	assert_has(rst, "-queue\" class=\"chart\"");
	assert_has(rst, "rstETH: the rate over epochs, slashes marked</text>");
	assert_has(rst, ">rate, ETH per rstETH</text>");
	assert_has(rst, ">epoch</text>");
	assert_has(rst, "rstETH: TVL by location over epochs</text>");
	assert_has(rst, ">value, ETH</text>");
	assert_has(rst, "rstETH: the withdrawal queue against the buffer</text>");
	assert_has(rst, ">ETH</text>");
	assert_has(rst, "class=\"tick\"");
	assert_has(rst, "class=\"key\"");
	assert_has(rst, ">rate at the end of the epoch</text>");
	assert_has(rst, ">kiln</text>");                   /* TVL's legend */
	assert_has(rst, ">buffer</text>");
	/* the slashes of epoch 1 marked, with what each took */
	assert_has(rst, "<g class=\"slash\"><title>epoch 1: 5 slashes");
	assert_has(rst, ">epoch with a slash (hover for details)</text>");
	assert_has(rst, "33.3333333333333333% of its allocation");
	assert_has(rst, loss);
	/* amounts exactly as the views print them, whole units */
	assert_has(rst, rate);
	assert_has(wq, assets);
	assert_has(wq, "<td>15.2 ETH</td>");       /* a slash by amount */
	assert_has(wq, ">queued requests, at that epoch&#39;s rate</text>");
	assert_has(wq, "<h3>Reconciliation breaks: 0</h3>");
	assert_has(page, "Settled epochs: ");
	free(loss);
	free(assets);
	free(rate);
	free(wq);
	free(rst);
}
END_TEST

/* Every name from the database is text: escaped wherever it shows. */
START_TEST(test_hostile_names_escaped)
{
	char path[1100];
	char *page = write_page(path, sizeof(path), NULL);
	char *hostile = section_of(page, HOSTILE_SYMBOL_ESCAPED);

	ck_assert_msg(strstr(page, "<script") == NULL && strstr(page, "<img") == NULL &&
		      strstr(page, "<b>") == NULL && strstr(page, "alert('op')") == NULL,
		      "a name reached the page as markup");
	ck_assert_uint_eq(count(page, "</svg>"), 9);
	assert_has(page, "<title>Liquid restaking books: ");
	assert_has(page, HOSTILE_SYMBOL_ESCAPED "</a>");                 /* the contents */
	assert_has(hostile, "<td>" HOSTILE_OPERATOR_ESCAPED "</td>");  /* operators, slashes */
	assert_has(hostile, "<td>" HOSTILE_AVS_ESCAPED "</td>");
	assert_has(hostile, ">" HOSTILE_OPERATOR_ESCAPED "</text>");     /* TVL's legend */
	assert_has(hostile, "\n" HOSTILE_OPERATOR_ESCAPED " lost ");     /* a slash's label */
	assert_has(hostile, " to " HOSTILE_AVS_ESCAPED "</title>");
	assert_has(hostile, ">" HOSTILE_SYMBOL_ESCAPED ": the rate over epochs, slashes "
		   "marked</text>");
	assert_has(hostile, ">rate, ETH per " HOSTILE_SYMBOL_ESCAPED "</text>");
	assert_has(hostile, "<h3>Reconciliation breaks: 1</h3>");
	free(hostile);
}
END_TEST

/* Nothing is fetched: no URL, no element that loads, links within the page. */
START_TEST(test_self_contained)
{
	static const char *const loaders[] = {
		"<script", "<link", "<img", "<iframe", "<object", "<embed", "<image",
		"<use", "<audio", "<video", "<source", "<base", "url(", "@import",
		"src=\"", "xlink:href"
	};
	char path[1100];
	char *page = write_page(path, sizeof(path), NULL);
	const char *href;
	size_t i;

	ck_assert_msg(strstr(page, "http://") == NULL && strstr(page, "https://") == NULL,
		      "the page names a URL");
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++)
		ck_assert_msg(strstr(page, loaders[i]) == NULL, "the page has %s", loaders[i]);
	for (href = strstr(page, "href="); href != NULL; href = strstr(href + 1, "href="))
		ck_assert_msg(strncmp(href, "href=\"#product-", 15) == 0, "a link out: %.60s",
			      href);
	ck_assert_uint_eq(count(page, "href=\"#product-"), 3);
	assert_has(page, "<style>\n");
}
END_TEST

/* --product: that product's section only; an unknown one is a usage error
 * that writes nothing. */
START_TEST(test_one_product)
{
	const char *only[] = {"--product", "wqETH", NULL};
	const char *args[] = {"report", "html", "--product", "nope", "--output", NULL, NULL};
	static lrt_test_process p;
	char path[1100], other[1200];
	char *page = write_page(path, sizeof(path), only);

	ck_assert_uint_eq(count(page, "<section class=\"product\""), 1);
	ck_assert_uint_eq(count(page, "<svg "), 3);
	assert_has(page, "<h2>wqETH<small>");
	ck_assert_msg(strstr(page, "rstETH") == NULL, "rstETH on wqETH's page");
	snprintf(other, sizeof(other), "%s.other", path);
	args[5] = other;
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "no product nope in this database") != NULL, "%s", p.err);
	ck_assert_int_eq(access(other, F_OK), -1);
}
END_TEST

/* The names in a folder but "." and "..", one a line, sorted. */
static char *folder_names(const char *folder)
{
	struct dirent *entry;
	char *names = strdup(""), *joined;
	DIR *dir = opendir(folder);

	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		joined = join(names, entry->d_name, "\n");
		free(names);
		names = joined;
	}
	closedir(dir);
	return names;
}

/* The folder holds books.html and nothing else: no temporary file. */
static void assert_only_books(const char *folder)
{
	char *names = folder_names(folder);

	ck_assert_str_eq(names, "books.html\n");
	free(names);
}

/* A view that fails once rows are read: the page fails half-way through. */
static const char failing_view[] =
	"DROP VIEW lrt_report.queue_history CASCADE;"
	"CREATE VIEW lrt_report.queue_history AS"
	" SELECT symbol, epoch, 0::bigint AS pending_count,"
	"        0::numeric AS pending_value_whole,"
	"        (1 / (epoch - epoch))::numeric AS buffer_whole,"
	"        0::numeric AS claimable_whole"
	"   FROM lrt_report.rates;";

/* The file is replaced whole or left as it was, and no temporary file stays. */
START_TEST(test_atomic_write)
{
	const char *args[] = {"report", "html", "--output", NULL, NULL};
	const char *migrate[] = {"migrate", NULL};
	static lrt_test_process p;
	char folder[1024], path[1100], missing[1200], under_file[1200];
	PGconn *conn;

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/books.html", folder);
	/* a folder that is not there; a "folder" that is a file */
	snprintf(missing, sizeof(missing), "%s/no/such/folder/books.html", folder);
	args[3] = missing;
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "cannot write") != NULL &&
		      strstr(p.err, "No such file or directory") != NULL, "%s", p.err);
	lrt_test_write_file(path, "the old page\n");
	snprintf(under_file, sizeof(under_file), "%s/books.html", path);
	args[3] = under_file;
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "Not a directory") != NULL, "%s", p.err);
	/* a failure half-way: the old page stays, nothing else is left */
	conn = lrt_test_connect();
	lrt_test_exec(conn, failing_view);
	args[3] = path;
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "division by zero") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_read_file(path, NULL), "the old page\n");
	assert_only_books(folder);
	/* the view mended (migrate makes sql/ again): the page replaces the old one */
	lrt_test_exec(conn, "DROP VIEW lrt_report.queue_history");
	PQfinish(conn);
	lrt_test_run_ok(&p, migrate);
	lrt_test_run_ok(&p, args);
	ck_assert_uint_eq(count(lrt_test_read_file(path, NULL), "<svg "), 9);
	assert_only_books(folder);
}
END_TEST

/* ---- headless Chromium ------------------------------------------------------------ */

/* Chromium's path on $PATH (Debian's package installs /usr/bin/chromium),
 * or NULL. */
static char *find_chromium(void)
{
	const char *path = getenv("PATH");
	char *copy, *folder, *save = NULL, *found = NULL;

	copy = strdup(path != NULL ? path : "/usr/bin:/bin");
	ck_assert_ptr_nonnull(copy);
	for (folder = strtok_r(copy, ":", &save); folder != NULL && found == NULL;
	     folder = strtok_r(NULL, ":", &save)) {
		char candidate[4096];

		snprintf(candidate, sizeof(candidate), "%s/chromium", folder);
		if (access(candidate, X_OK) == 0)
			found = strdup(candidate);
	}
	free(copy);
	return found;
}

/*
 * Runs `argv` in a process group of its own, its output into out_path and
 * err_path, HOME (and the XDG folders) in `home`, so that nothing is
 * written outside the test's scratch folder.  Returns its exit status, or
 * -1 when it was killed after `seconds`; the group is killed afterwards
 * either way, so that no helper process of the browser outlives the test.
 */
static int run_program(const char *const argv[], const char *home, const char *out_path,
		       const char *err_path, int seconds)
{
	struct timespec pause = {0, 50 * 1000 * 1000};
	int status = 0, waited = 0;
	pid_t pid = fork(), done = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(126);
		setenv("HOME", home, 1);
		setenv("XDG_CONFIG_HOME", home, 1);
		setenv("XDG_CACHE_HOME", home, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	while ((done = waitpid(pid, &status, WNOHANG)) == 0 && waited < seconds * 20) {
		nanosleep(&pause, NULL);
		waited++;
	}
	kill(-pid, SIGKILL);
	if (done == 0) {
		waitpid(pid, &status, 0);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * The lines of Chromium's log that say something went wrong with the page:
 * any console message (the page has no script, so one can only be the
 * engine's complaint about its markup, e.g. "Error: <path> attribute d:
 * Expected number") and every ERROR or FATAL line, but those of D-Bus: a
 * container or CI machine has no system bus, and Chromium logs an ERROR
 * each time it looks for one (dbus/bus.cc, dbus/object_proxy.cc), which
 * says nothing of the page.  Warnings (no GPU, no screensaver service) are
 * not errors.
 */
static char *page_errors(const char *log)
{
	char *errors = strdup(""), *copy = strdup(log), *line, *save = NULL, *joined;

	ck_assert(errors != NULL && copy != NULL);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		bool console = strstr(line, ":CONSOLE") != NULL;
		bool error = strstr(line, ":ERROR:") != NULL || strstr(line, ":FATAL:") != NULL;

		if (!console && (!error || strstr(line, ":ERROR:dbus/") != NULL))
			continue;
		joined = join(errors, line, "\n");
		free(errors);
		errors = joined;
	}
	free(copy);
	return errors;
}

/* Chromium opens the page, with no network at all (every host name
 * resolves to nothing) and its shared memory in files (a container's
 * /dev/shm is small): what it prints (`mode` --dump-dom: the DOM it built)
 * into `dom`, its log into `log`.  Fails the test unless it exits 0. */
static void chromium_run(const char *chromium, const char *scratch, const char *page_path,
			 const char *mode, const char *dom, const char *log)
{
	char url[1200], profile[1100];
	const char *argv[] = {
		chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--no-default-browser-check", "--disable-extensions", "--disable-sync",
		"--disable-background-networking", "--disable-component-update",
		"--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND", profile,
		"--enable-logging=stderr",
		"--v=0", "--window-size=1280,2400", "--hide-scrollbars", mode, url, NULL
	};
	int status;

	snprintf(url, sizeof(url), "file://%s", page_path);
	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", scratch);
	status = run_program(argv, scratch, dom, log, CHROMIUM_SECONDS);
	ck_assert_msg(status == 0, "chromium %s exited %d: %.2000s", mode, status,
		      lrt_test_read_file(log, NULL));
}

START_TEST(test_chromium_renders)
{
	char *chromium = find_chromium();
	char path[1100], scratch[1024], dom[1100], log[1100], png[1100], shot[1200];
	char *page, *text, *errors;
	struct stat st;

	ck_assert_msg(chromium != NULL, "chromium is not installed (no chromium on PATH): "
		      "tests/deps.sh installs Debian's chromium; as root: apt-get install "
		      "chromium");
	page = write_page(path, sizeof(path), NULL);
	lrt_test_scratch(scratch, sizeof(scratch));
	snprintf(dom, sizeof(dom), "%s/dom.html", scratch);
	snprintf(log, sizeof(log), "%s/chromium.log", scratch);
	chromium_run(chromium, scratch, path, "--dump-dom", dom, log);
	text = lrt_test_read_file(dom, NULL);
	errors = page_errors(lrt_test_read_file(log, NULL));
	ck_assert_msg(errors[0] == '\0', "chromium reported errors:\n%.3000s", errors);
	free(errors);
	/* the DOM Chromium built holds the charts, with their drawing */
	ck_assert_uint_eq(count(text, "<svg "), count(page, "<svg "));
	ck_assert_uint_eq(count(text, "<svg "), 9);
	ck_assert_uint_eq(count(text, "<path class=\"series\""),
			  count(page, "<path class=\"series\""));
	ck_assert_uint_eq(count(text, "<path class=\"area\""), count(page, "<path class=\"area\""));
	ck_assert_uint_ge(count(text, "<path class=\"series\""), 9);
	ck_assert_msg(strstr(text, "<script") == NULL, "a script in the DOM");
	/* and it paints them: a screenshot of a page of tables and charts is far
	 * larger than one of a blank page (a few kB at this size) */
	snprintf(png, sizeof(png), "%s/page.png", scratch);
	snprintf(shot, sizeof(shot), "--screenshot=%s", png);
	chromium_run(chromium, scratch, path, shot, dom, log);
	errors = page_errors(lrt_test_read_file(log, NULL));
	ck_assert_msg(errors[0] == '\0', "chromium reported errors:\n%.3000s", errors);
	free(errors);
	ck_assert_msg(stat(png, &st) == 0 && st.st_size > 50000,
		      "the screenshot is %lld bytes", (long long)st.st_size);
	free(chromium);
}
END_TEST

/* ---- usage ---------------------------------------------------------------------------- */

START_TEST(test_usage)
{
	const char *no_output[] = {"report", "html", NULL};
	const char *format[] = {"report", "html", "--output", "x.html", "--format", "csv", NULL};
	const char *extra[] = {"report", "html", "--output", "x.html", "rates", NULL};
	const char *help[] = {"help", "report", NULL};
	static lrt_test_process p;

	lrt_test_run(&p, no_output);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "--output FILE is required") != NULL &&
		      strstr(p.err, "Try \"lrt help report\"") != NULL, "%s", p.err);
	lrt_test_run(&p, format);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "unknown option --format") != NULL, "%s", p.err);
	lrt_test_run(&p, extra);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "unexpected argument rates") != NULL, "%s", p.err);
	ck_assert_int_eq(access("x.html", F_OK), -1);
	lrt_test_run_ok(&p, help);
	ck_assert_msg(strstr(p.out, "lrt report html --output FILE") != NULL, "%s", p.out);
}
END_TEST

/* Not migrated: no reports, a runtime failure that says what to run. */
START_TEST(test_no_reports)
{
	const char *args[] = {"report", "html", "--output", NULL, NULL};
	static lrt_test_process p;
	char folder[1024], path[1100];

	lrt_test_fresh_database();
	lrt_test_scratch(folder, sizeof(folder));
	snprintf(path, sizeof(path), "%s/books.html", folder);
	args[3] = path;
	lrt_test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "lrt migrate") != NULL, "%s", p.err);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* The books made once for the tests that only read them (an unchecked
 * fixture runs in the runner's process, so the test processes inherit its
 * PGDATABASE); afterwards the runner's default database again. */
static void books_once(void)
{
	books();
}

static void books_done(void)
{
	setenv("PGDATABASE", "postgres", 1);
}

Suite *report_html_suite(void)
{
	Suite *suite = suite_create("report_html");
	TCase *page = tcase_create("page");
	TCase *atomic = tcase_create("atomic");
	TCase *bare = tcase_create("bare");

	tcase_add_unchecked_fixture(page, books_once, books_done);
	tcase_set_timeout(page, LRT_TEST_DB_TIMEOUT_SECONDS + CHROMIUM_SECONDS);
	tcase_add_test(page, test_page_of_every_product);
	tcase_add_test(page, test_hostile_names_escaped);
	tcase_add_test(page, test_self_contained);
	tcase_add_test(page, test_one_product);
	tcase_add_test(page, test_chromium_renders);
	suite_add_tcase(suite, page);
	/* this one changes a view of its books: a database of its own */
	tcase_add_checked_fixture(atomic, books, NULL);
	tcase_set_timeout(atomic, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(atomic, test_atomic_write);
	suite_add_tcase(suite, atomic);
	tcase_set_timeout(bare, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(bare, test_usage);
	tcase_add_test(bare, test_no_reports);
	suite_add_tcase(suite, bare);
	return suite;
}
