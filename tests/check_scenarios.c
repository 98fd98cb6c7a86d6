/*
 * check_scenarios.c - `lrt simulate` and `lrt stress` on the scenarios the
 * repository keeps, each compared with its expected output; and, when the
 * shared folder they are copies of is there, the copies compared with it
 * byte for byte, and what it has that the repository lacks run too, so that
 * the two never drift.
 *
 * The Makefile says what to run:
 *   LRT_SCENARIOS        the folder `lrt simulate` and `lrt stress` are
 *                        checked on (its SIMULATE_SCENARIOS)
 *   LRT_SCENARIO_COPIES  "COPY=SHARED ..." for every copy whose shared folder
 *                        is there; empty or unset without ../shared
 *
 * A scenario NAME.jsonl (not NAME.expected.jsonl) runs as `lrt simulate
 * NAME.jsonl`.  Its exit status must be the number in NAME.status (0 without
 * one), and every line of its stdout that is not blank, parsed as JSON, must
 * equal the same line of NAME.expected.jsonl: the same keys, equal values of
 * the same JSON type (strings stay strings), lists in order.  Only the value
 * of `reason` in `rejected` entries is free text; the key must be there.
 *
 * A stress case NAME.stress holds one line of arguments, split at blanks, for
 * `lrt stress NAME.jsonl ARGS...`.  Its exit status must be the number in
 * NAME.stress.status (0 without one) and its stdout, one JSON object on one
 * line, must equal NAME.stress.expected.json as above, but for the value of
 * `rejected` in `slashes` entries.  An empty expected file means nothing on
 * stdout.
 *
 * These are the rules of ../shared/tools/check-scenarios and check-stress; a
 * failure names the scenario and the first difference (line, key path, what
 * was expected, what came) as they do.  Each scenario and each stress case
 * is a test of its own, so Check's summary counts them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* The most scenarios (and the most stress cases) one run checks, the
 * repository's and the shared folder's together: edition 2 has 23. */
#define SCENARIOS_MAX 256
/* The most files of a shared folder (edition 2 has 55). */
#define SHARED_FILES_MAX 1024
/* The most copies of shared folders: one per edition of the SPEC. */
#define COPIES_MAX 8
/* The longest folder path, and a file's name in it. */
#define FOLDER_BYTES 2048
#define FILE_NAME_BYTES 256
#define FILE_PATH_BYTES (FOLDER_BYTES + FILE_NAME_BYTES + 32)
/* The longest message about one failure, and key path in it. */
#define MESSAGE_BYTES 4096
#define KEY_PATH_BYTES 1024
/* How much of a value, of a line that is not JSON and of stderr a message
 * shows (the shared tools' lengths). */
#define VALUE_SHOWN_CHARS 120
#define TEXT_SHOWN_CHARS 80
#define STDERR_SHOWN_CHARS 160
/* The most problems one copy's message lists before "and N more". */
#define PROBLEMS_LISTED 8
/* A scenario's timeout: the largest settles in well under a second, the
 * sanitizer and coverage builds are a few times slower. */
#define SCENARIO_TIMEOUT_SECONDS 120

/* A scenario or a stress case: its NAME and the folder it runs from. */
typedef struct {
	const char *folder;	/* repository_folder or shared_folder */
	char name[FILE_NAME_BYTES];
} scenario_case;

/* A folder of the repository and the shared folder it is a copy of. */
typedef struct {
	char copy[FOLDER_BYTES];
	char shared[FOLDER_BYTES];
} scenario_copy;

static char repository_folder[FOLDER_BYTES];
/* The shared folder repository_folder is a copy of; "" when not there. */
static char shared_folder[FOLDER_BYTES];
/* The repository's cases first, then the shared folder's it lacks. */
static scenario_case simulate_cases[SCENARIOS_MAX];
static scenario_case stress_cases[SCENARIOS_MAX];
static int simulate_count, stress_count;
static int repository_scenario_count, repository_stress_count;
static scenario_copy copies[COPIES_MAX];
static int copy_count;
/* What went wrong while finding them, reported by test_scenarios_found. */
static char finding_problem[MESSAGE_BYTES];

/* ---- finding the scenarios ------------------------------------------------ */

static int ends_with(const char *text, const char *suffix)
{
	size_t length = strlen(text), suffix_length = strlen(suffix);

	return length > suffix_length
	       && strcmp(text + length - suffix_length, suffix) == 0;
}

static int file_exists(const char *folder, const char *name, const char *suffix)
{
	char path[FILE_PATH_BYTES];
	struct stat info;

	snprintf(path, sizeof(path), "%s/%s%s", folder, name, suffix);
	return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

static int compare_cases(const void *a, const void *b)
{
	return strcmp(((const scenario_case *)a)->name,
		      ((const scenario_case *)b)->name);
}

/*
 * Adds every NAME of `folder` with a file NAME`suffix` (never an expected
 * output) to cases[*count...], sorted, but those that `unless_in` (when not
 * NULL) has too.  On failure, finding_problem says why.
 */
static void add_cases(scenario_case cases[], int *count, const char *folder,
		      const char *suffix, const char *unless_in)
{
	int first = *count;
	struct dirent *entry;
	DIR *dir = opendir(folder);

	if (dir == NULL) {
		snprintf(finding_problem, sizeof(finding_problem), "%s: %s",
			 folder, strerror(errno));
		return;
	}
	while ((entry = readdir(dir)) != NULL) {
		size_t length = strlen(entry->d_name) - strlen(suffix);

		if (!ends_with(entry->d_name, suffix)
		    || ends_with(entry->d_name, ".expected.jsonl")
		    || (unless_in != NULL && file_exists(unless_in, entry->d_name, "")))
			continue;
		if (*count == SCENARIOS_MAX || length >= FILE_NAME_BYTES) {
			snprintf(finding_problem, sizeof(finding_problem),
				 "%s: more than %d scenarios, or a name over %d "
				 "bytes", folder, SCENARIOS_MAX, FILE_NAME_BYTES - 1);
			break;
		}
		cases[*count].folder = folder;
		snprintf(cases[*count].name, FILE_NAME_BYTES, "%.*s", (int)length,
			 entry->d_name);
		(*count)++;
	}
	closedir(dir);
	qsort(cases + first, (size_t)(*count - first), sizeof(cases[0]),
	      compare_cases);
}

/* Reads LRT_SCENARIO_COPIES ("COPY=SHARED ..." at blanks) into copies[]. */
static void read_copies(void)
{
	const char *list = getenv("LRT_SCENARIO_COPIES");

	copy_count = 0;
	while (list != NULL && *list != '\0') {
		size_t length = strcspn(list, " \t\n");
		const char *equals = memchr(list, '=', length);

		if (length > 0 && (equals == NULL || copy_count == COPIES_MAX
				   || length >= FOLDER_BYTES)) {
			snprintf(finding_problem, sizeof(finding_problem),
				 "LRT_SCENARIO_COPIES: \"%.*s\" is not COPY=SHARED, "
				 "or more than %d copies", (int)length, list, COPIES_MAX);
			return;
		}
		if (length > 0) {
			scenario_copy *copy = &copies[copy_count++];

			snprintf(copy->copy, sizeof(copy->copy), "%.*s",
				 (int)(equals - list), list);
			snprintf(copy->shared, sizeof(copy->shared), "%.*s",
				 (int)(length - (size_t)(equals - list) - 1), equals + 1);
		}
		list += length + (list[length] != '\0');
	}
}

/* Fills every list of this file from the environment (see the top). */
static void find_cases(void)
{
	const char *folder = getenv("LRT_SCENARIOS");
	int i;

	simulate_count = stress_count = 0;
	if (folder == NULL || folder[0] == '\0') {
		snprintf(finding_problem, sizeof(finding_problem),
			 "LRT_SCENARIOS is not set: run the tests with `make check`");
		return;
	}
	snprintf(repository_folder, sizeof(repository_folder), "%s", folder);
	read_copies();
	for (i = 0; i < copy_count; i++)
		if (strcmp(copies[i].copy, repository_folder) == 0)
			snprintf(shared_folder, sizeof(shared_folder), "%s",
				 copies[i].shared);
	add_cases(simulate_cases, &simulate_count, repository_folder, ".jsonl", NULL);
	add_cases(stress_cases, &stress_count, repository_folder, ".stress", NULL);
	repository_scenario_count = simulate_count;
	repository_stress_count = stress_count;
	if (shared_folder[0] == '\0')
		return;
	add_cases(simulate_cases, &simulate_count, shared_folder, ".jsonl",
		  repository_folder);
	add_cases(stress_cases, &stress_count, shared_folder, ".stress",
		  repository_folder);
}

/* ---- comparing JSON --------------------------------------------------------- */

/* What is free text: the value of `free_key` in the entries of `list_key`. */
typedef struct {
	const char *list_key;
	const char *free_key;
} free_text_rule;

static const free_text_rule simulate_rule = { "rejected", "reason" };
static const free_text_rule stress_rule = { "slashes", "rejected" };

/* Where the comparison is, as "line 3 (epoch 2).finalized[0].payout":
 * grown on the way down, cut back on the way up. */
typedef struct {
	char text[KEY_PATH_BYTES];
	size_t length;
} key_path;

/* Adds to the path; returns its length before, for path_cut. */
static size_t path_add(key_path *path, const char *format, ...)
{
	size_t before = path->length;
	va_list arguments;
	int added;

	va_start(arguments, format);
	added = vsnprintf(path->text + before, sizeof(path->text) - before,
			  format, arguments);
	va_end(arguments);
	if (added > 0)
		path->length += (size_t)added;
	if (path->length >= sizeof(path->text))
		path->length = sizeof(path->text) - 1;
	return before;
}

static void path_cut(key_path *path, size_t length)
{
	path->length = length;
	path->text[length] = '\0';
}

/* A value as a message shows it: compact JSON, cut at VALUE_SHOWN_CHARS. */
static void show_value(char out[VALUE_SHOWN_CHARS + 1], const json_t *value)
{
	char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);

	if (text == NULL)
		snprintf(out, VALUE_SHOWN_CHARS + 1, "(unprintable)");
	else if (strlen(text) <= VALUE_SHOWN_CHARS)
		snprintf(out, VALUE_SHOWN_CHARS + 1, "%s", text);
	else
		snprintf(out, VALUE_SHOWN_CHARS + 1, "%.*s...",
			 VALUE_SHOWN_CHARS - 3, text);
	free(text);
}

static int value_difference(char *message, size_t size, json_t *want, json_t *got,
			    key_path *path, const free_text_rule *rule, int in_list);

/* One value's kind differs: "PATH: expected KIND, got VALUE". */
static int kind_difference(char *message, size_t size, const key_path *path,
			   const char *kind, const json_t *got)
{
	char shown[VALUE_SHOWN_CHARS + 1];

	show_value(shown, got);
	snprintf(message, size, "%s: expected %s, got %s", path->text, kind, shown);
	return 1;
}

static int object_difference(char *message, size_t size, json_t *want, json_t *got,
			     key_path *path, const free_text_rule *rule, int in_list)
{
	const char *key;
	json_t *value;

	if (!json_is_object(got))
		return kind_difference(message, size, path, "an object", got);
	json_object_foreach(want, key, value) {
		json_t *other = json_object_get(got, key);
		size_t before = path_add(path, ".%s", key);

		if (other == NULL) {
			snprintf(message, size, "%s: missing", path->text);
			return 1;
		}
		if (!(in_list && strcmp(key, rule->free_key) == 0)
		    && value_difference(message, size, value, other, path, rule,
					strcmp(key, rule->list_key) == 0))
			return 1;
		path_cut(path, before);
	}
	json_object_foreach(got, key, value) {
		if (json_object_get(want, key) == NULL) {
			snprintf(message, size, "%s: unexpected key %s", path->text, key);
			return 1;
		}
	}
	return 0;
}

static int array_difference(char *message, size_t size, json_t *want, json_t *got,
			    key_path *path, const free_text_rule *rule, int in_list)
{
	size_t i;

	if (!json_is_array(got))
		return kind_difference(message, size, path, "a list", got);
	for (i = 0; i < json_array_size(want) && i < json_array_size(got); i++) {
		size_t before = path_add(path, "[%zu]", i);

		if (value_difference(message, size, json_array_get(want, i),
				     json_array_get(got, i), path, rule, in_list))
			return 1;
		path_cut(path, before);
	}
	if (json_array_size(want) != json_array_size(got)) {
		snprintf(message, size, "%s: expected %zu entries, got %zu", path->text,
			 json_array_size(want), json_array_size(got));
		return 1;
	}
	return 0;
}

/*
 * The first difference between `want` and `got` at `path`, written into
 * `message`: 1, or 0 when they are equal.  `in_list`: the values are (in)
 * an entry of rule->list_key, where rule->free_key's value is free text.
 * An integer never equals a real, nor a string a number (json_equal).
 */
static int value_difference(char *message, size_t size, json_t *want, json_t *got,
			    key_path *path, const free_text_rule *rule, int in_list)
{
	char shown_want[VALUE_SHOWN_CHARS + 1], shown_got[VALUE_SHOWN_CHARS + 1];

	if (json_is_object(want))
		return object_difference(message, size, want, got, path, rule, in_list);
	if (json_is_array(want))
		return array_difference(message, size, want, got, path, rule, in_list);
	if (json_equal(want, got))
		return 0;
	show_value(shown_want, want);
	show_value(shown_got, got);
	snprintf(message, size, "%s: expected %s, got %s", path->text, shown_want,
		 shown_got);
	return 1;
}

/* ---- comparing outputs ------------------------------------------------------ */

static int is_blank(const char *text, size_t length)
{
	size_t i;

	for (i = 0; i < length; i++)
		if (!strchr(" \t\r\n\v\f", text[i]))
			return 0;
	return 1;
}

/* The next line of *cursor that is not blank: 1 with its start and length,
 * 0 at the end of the text. */
static int next_line(const char **cursor, const char **start, size_t *length)
{
	while (**cursor != '\0') {
		const char *end = strchr(*cursor, '\n');

		*start = *cursor;
		*length = end != NULL ? (size_t)(end - *cursor) : strlen(*cursor);
		*cursor += *length + (end != NULL);
		if (!is_blank(*start, *length))
			return 1;
	}
	return 0;
}

static size_t count_lines(const char *text)
{
	const char *start;
	size_t length, count = 0;

	while (next_line(&text, &start, &length))
		count++;
	return count;
}

/* "line N", with the epoch of an epoch line or "(final)" for the last. */
static void line_place(key_path *path, size_t line, json_t *want)
{
	json_t *epoch = json_object_get(want, "epoch");
	char shown[VALUE_SHOWN_CHARS + 1];

	path_cut(path, 0);
	if (json_is_string(epoch)) {
		path_add(path, "line %zu (epoch %s)", line, json_string_value(epoch));
	} else if (epoch != NULL) {
		show_value(shown, epoch);
		path_add(path, "line %zu (epoch %s)", line, shown);
	} else if (json_object_get(want, "holders") != NULL) {
		path_add(path, "line %zu (final)", line);
	} else {
		path_add(path, "line %zu", line);
	}
}

/* The first line of `got` that is not JSON, into `message`: 1, or 0. */
static int not_json_line(char *message, size_t size, const char *got)
{
	const char *start;
	size_t length, line = 0;
	json_error_t error;

	while (next_line(&got, &start, &length)) {
		json_t *value = json_loadb(start, length, JSON_DECODE_ANY, &error);

		line++;
		if (value == NULL) {
			snprintf(message, size, "line %zu: not JSON: \"%.*s\"", line,
				 (int)(length < TEXT_SHOWN_CHARS ? length : TEXT_SHOWN_CHARS),
				 start);
			return 1;
		}
		json_decref(value);
	}
	return 0;
}

/* `lrt simulate`'s stdout against the expected lines (see the top). */
static int lines_difference(char *message, size_t size, const char *want,
			    const char *got)
{
	const char *want_cursor = want, *got_cursor = got, *want_start, *got_start;
	size_t want_length, got_length, line = 0;
	json_error_t error;
	key_path path = { "", 0 };

	if (not_json_line(message, size, got))
		return 1;
	while (next_line(&want_cursor, &want_start, &want_length)
	       && next_line(&got_cursor, &got_start, &got_length)) {
		json_t *want_value = json_loadb(want_start, want_length,
						JSON_DECODE_ANY, &error);
		json_t *got_value = json_loadb(got_start, got_length,
					       JSON_DECODE_ANY, &error);
		int found;

		line++;
		if (want_value == NULL) {
			json_decref(got_value);
			snprintf(message, size, "the expected line %zu is not JSON", line);
			return 1;
		}
		line_place(&path, line, want_value);
		found = value_difference(message, size, want_value, got_value, &path,
					 &simulate_rule, 0);
		json_decref(want_value);
		json_decref(got_value);
		if (found)
			return 1;
	}
	if (count_lines(want) != count_lines(got)) {
		snprintf(message, size, "expected %zu lines, got %zu", count_lines(want),
			 count_lines(got));
		return 1;
	}
	return 0;
}

/* `text` without the blanks around it, as start and length. */
static size_t trimmed(const char **start, const char *text)
{
	size_t length = strlen(text);

	while (length > 0 && is_blank(text, 1)) {
		text++;
		length--;
	}
	while (length > 0 && is_blank(text + length - 1, 1))
		length--;
	*start = text;
	return length;
}

/* `lrt stress`'s stdout against the expected object (see the top). */
static int stress_difference(char *message, size_t size, const char *want,
			     const char *got)
{
	const char *want_start, *got_start, *cursor = got;
	size_t want_length = trimmed(&want_start, want);
	size_t got_length = trimmed(&got_start, got);
	json_t *want_value, *got_value;
	json_error_t error;
	key_path path = { "stress", 6 };
	int found;

	if (want_length == 0 && got_length == 0)
		return 0;
	if (want_length == 0) {
		snprintf(message, size, "expected nothing on stdout, got \"%.*s\"",
			 TEXT_SHOWN_CHARS, got_start);
		return 1;
	}
	if (got_length == 0) {
		snprintf(message, size, "nothing on stdout");
		return 1;
	}
	if (count_lines(got) != 1) {
		snprintf(message, size, "expected one JSON object on one line, got "
			 "%zu lines", count_lines(got));
		return 1;
	}
	next_line(&cursor, &got_start, &got_length);
	got_value = json_loadb(got_start, got_length, JSON_DECODE_ANY, &error);
	if (got_value == NULL) {
		snprintf(message, size, "not JSON: \"%.*s\"", TEXT_SHOWN_CHARS, got_start);
		return 1;
	}
	want_value = json_loadb(want_start, want_length, JSON_DECODE_ANY, &error);
	if (want_value == NULL) {
		json_decref(got_value);
		snprintf(message, size, "the expected output is not JSON: %s", error.text);
		return 1;
	}
	found = value_difference(message, size, want_value, got_value, &path,
				 &stress_rule, 0);
	json_decref(want_value);
	json_decref(got_value);
	return found;
}

/* ---- running them ----------------------------------------------------------- */

/* `path` as a message shows it: relative to the working folder under it. */
static const char *shown_path(const char *path)
{
	static char here[FOLDER_BYTES];
	size_t length;

	if (getcwd(here, sizeof(here)) == NULL)
		return path;
	length = strlen(here);
	if (strncmp(path, here, length) == 0 && path[length] == '/')
		return path + length + 1;
	return path;
}

/* The exit status a file NAME`suffix` asks for; 0 when there is none. */
static int expected_status(const char *folder, const char *name, const char *suffix)
{
	char path[FILE_PATH_BYTES], *text, *end;
	long status;

	if (!file_exists(folder, name, suffix))
		return 0;
	snprintf(path, sizeof(path), "%s/%s%s", folder, name, suffix);
	text = lrt_test_read_file(path, NULL);
	errno = 0;
	status = strtol(text, &end, 10);
	ck_assert_msg(end != text && errno == 0 && status >= 0 && status <= 255
		      && is_blank(end, strlen(end)),
		      "%s: not an exit status: \"%.20s\"", shown_path(path), text);
	return (int)status;
}

/*
 * Fails the test when the run's exit status is not `want_status` or
 * `difference` (the first difference of its stdout) is not empty, naming
 * `shown` and both: "exit status 1, expected 0 [stderr: ...]; and ...".
 */
static void assert_run(const char *shown, const lrt_test_process *run,
		       int want_status, const char *difference)
{
	const char *line, *cursor = run->err, *last = "";
	size_t length, last_length = 0;

	if (run->status == want_status) {
		ck_assert_msg(difference[0] == '\0', "%s: %s", shown, difference);
		return;
	}
	while (next_line(&cursor, &line, &length)) {
		last = line;
		last_length = length;
	}
	if (last_length > STDERR_SHOWN_CHARS)
		last_length = STDERR_SHOWN_CHARS;
	ck_abort_msg("%s: exit status %d, expected %d%s%.*s%s%s%s", shown, run->status,
		     want_status, last_length > 0 ? " [stderr: " : "",
		     (int)last_length, last, last_length > 0 ? "]" : "",
		     difference[0] != '\0' ? "; and " : "", difference);
}

/* No scenario found must fail, not pass by running nothing. */
START_TEST(test_scenarios_found)
{
	ck_assert_msg(finding_problem[0] == '\0', "%s", finding_problem);
	ck_assert_msg(repository_scenario_count > 0, "no NAME.jsonl in %s",
		      repository_folder);
}
END_TEST

START_TEST(test_simulate)
{
	const scenario_case *scenario = &simulate_cases[_i];
	char path[FILE_PATH_BYTES], expected[FILE_PATH_BYTES], message[MESSAGE_BYTES] = "";
	const char *args[] = { "simulate", path, NULL };
	lrt_test_process run;

	snprintf(path, sizeof(path), "%s/%s.jsonl", scenario->folder, scenario->name);
	snprintf(expected, sizeof(expected), "%s/%s.expected.jsonl", scenario->folder,
		 scenario->name);
	ck_assert_msg(file_exists(scenario->folder, scenario->name, ".expected.jsonl"),
		      "%s: no %s.expected.jsonl", shown_path(path), scenario->name);
	lrt_test_run(&run, args);
	lines_difference(message, sizeof(message), lrt_test_read_file(expected, NULL),
			 run.out);
	assert_run(shown_path(path), &run,
		   expected_status(scenario->folder, scenario->name, ".status"), message);
}
END_TEST

START_TEST(test_stress)
{
	const scenario_case *stress = &stress_cases[_i];
	char path[FILE_PATH_BYTES], scenario[FILE_PATH_BYTES], expected[FILE_PATH_BYTES];
	char message[MESSAGE_BYTES] = "";
	const char *args[LRT_TEST_ARGUMENTS_MAX + 1] = { "stress", scenario };
	int count = 2;
	char *words, *word, *save = NULL;
	lrt_test_process run;

	snprintf(path, sizeof(path), "%s/%s.stress", stress->folder, stress->name);
	snprintf(scenario, sizeof(scenario), "%s/%s.jsonl", stress->folder, stress->name);
	snprintf(expected, sizeof(expected), "%s/%s.stress.expected.json", stress->folder,
		 stress->name);
	ck_assert_msg(file_exists(stress->folder, stress->name, ".jsonl"), "%s: no %s.jsonl",
		      shown_path(path), stress->name);
	ck_assert_msg(file_exists(stress->folder, stress->name, ".stress.expected.json"),
		      "%s: no %s.stress.expected.json", shown_path(path), stress->name);
	/* the first line's words */
	words = lrt_test_read_file(path, NULL);
	words[strcspn(words, "\n")] = '\0';
	for (word = strtok_r(words, " \t", &save); word != NULL;
	     word = strtok_r(NULL, " \t", &save)) {
		ck_assert_msg(count < LRT_TEST_ARGUMENTS_MAX, "%s: more than %d arguments",
			      shown_path(path), LRT_TEST_ARGUMENTS_MAX - 2);
		args[count++] = word;
	}
	args[count] = NULL;
	lrt_test_run(&run, args);
	stress_difference(message, sizeof(message), lrt_test_read_file(expected, NULL),
			  run.out);
	assert_run(shown_path(path), &run,
		   expected_status(stress->folder, stress->name, ".stress.status"), message);
}
END_TEST

/* ---- the copies against the shared folder ---------------------------------- */

static int same_bytes(const char *one_path, const char *other_path)
{
	size_t one_length, other_length;
	const char *one = lrt_test_read_file(one_path, &one_length);
	const char *other = lrt_test_read_file(other_path, &other_length);

	return one_length == other_length && memcmp(one, other, one_length) == 0;
}

/* Whether `file` of the shared folder belongs to a case run from there. */
static int run_from_shared(const char *file)
{
	static const char *const simulate_suffixes[] = { ".jsonl", ".expected.jsonl", ".status" };
	static const char *const stress_suffixes[] = {
		".stress", ".stress.expected.json", ".stress.status"
	};
	char name[FILE_PATH_BYTES];
	size_t i;
	int j;

	for (j = 0; j < simulate_count; j++)
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "%s%s", simulate_cases[j].name,
				 simulate_suffixes[i]);
			if (simulate_cases[j].folder == shared_folder && strcmp(name, file) == 0)
				return 1;
		}
	for (j = 0; j < stress_count; j++)
		for (i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "%s%s", stress_cases[j].name,
				 stress_suffixes[i]);
			if (stress_cases[j].folder == shared_folder && strcmp(name, file) == 0)
				return 1;
		}
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files of `folder` (not those starting with a dot),
 * sorted, into names[]; returns how many. */
static int list_files(char *names[], const char *folder)
{
	char path[FILE_PATH_BYTES];
	struct dirent *entry;
	struct stat info;
	DIR *dir = opendir(folder);
	int count = 0;

	ck_assert_msg(dir != NULL, "%s: %s", folder, strerror(errno));
	while ((entry = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
		if (entry->d_name[0] == '.' || stat(path, &info) != 0
		    || !S_ISREG(info.st_mode))
			continue;
		ck_assert_msg(count < SHARED_FILES_MAX, "%s: more than %d files", folder,
			      SHARED_FILES_MAX);
		names[count] = strdup(entry->d_name);
		ck_assert_ptr_nonnull(names[count]);
		count++;
	}
	closedir(dir);
	qsort(names, (size_t)count, sizeof(names[0]), compare_names);
	return count;
}

/* Adds "NAME (what)" to the list of problems, up to PROBLEMS_LISTED. */
static void add_problem(char *problems, size_t size, int *count, const char *name,
			const char *what)
{
	size_t used = strlen(problems);

	if (*count < PROBLEMS_LISTED)
		snprintf(problems + used, size - used, "%s%s (%s)", *count ? ", " : "",
			 name, what);
	(*count)++;
}

/*
 * Every file of the copy is byte for byte the shared folder's, and every
 * file of the shared folder is in the copy, unless it belongs to a scenario
 * or stress case run from the shared folder (only for the folder that
 * `lrt simulate` is checked on: the other edition cannot run yet).
 */
START_TEST(test_copy_matches_shared)
{
	const scenario_copy *copy = &copies[_i];
	int active = strcmp(copy->copy, repository_folder) == 0;
	static char *shared_names[SHARED_FILES_MAX], *copy_names[SHARED_FILES_MAX];
	char problems[MESSAGE_BYTES] = "", one[FILE_PATH_BYTES], other[FILE_PATH_BYTES];
	int shared_count = list_files(shared_names, copy->shared);
	int copy_count_here = list_files(copy_names, copy->copy);
	int problem_count = 0, i;

	for (i = 0; i < shared_count; i++) {
		snprintf(one, sizeof(one), "%s/%s", copy->copy, shared_names[i]);
		snprintf(other, sizeof(other), "%s/%s", copy->shared, shared_names[i]);
		if (file_exists(copy->copy, shared_names[i], "")) {
			if (!same_bytes(one, other))
				add_problem(problems, sizeof(problems), &problem_count,
					    shared_names[i], "differs");
		} else if (!(active && run_from_shared(shared_names[i]))) {
			add_problem(problems, sizeof(problems), &problem_count,
				    shared_names[i], "missing here");
		}
	}
	for (i = 0; i < copy_count_here; i++)
		if (!file_exists(copy->shared, copy_names[i], ""))
			add_problem(problems, sizeof(problems), &problem_count,
				    copy_names[i], "not in the shared folder");
	ck_assert_msg(problem_count == 0, "%s is not a copy of %s: %s%s; copy the "
		      "shared folder again (rm %s/*; cp %s/* %s/)", shown_path(copy->copy),
		      copy->shared, problems,
		      problem_count > PROBLEMS_LISTED ? ", and more" : "",
		      shown_path(copy->copy), copy->shared, shown_path(copy->copy));
}
END_TEST

Suite *scenarios_suite(void)
{
	Suite *suite = suite_create("scenarios");
	TCase *simulate = tcase_create("simulate");
	TCase *stress = tcase_create("stress");
	TCase *drift = tcase_create("drift");

	find_cases();
	if (simulate_count > repository_scenario_count
	    || stress_count > repository_stress_count)
		fprintf(stderr, "scenarios: running from %s what %s lacks: %d "
			"scenario(s), %d stress case(s)\n", shared_folder,
			shown_path(repository_folder),
			simulate_count - repository_scenario_count,
			stress_count - repository_stress_count);
	tcase_set_timeout(simulate, SCENARIO_TIMEOUT_SECONDS);
	tcase_add_test(simulate, test_scenarios_found);
	tcase_add_loop_test(simulate, test_simulate, 0, simulate_count);
	suite_add_tcase(suite, simulate);
	tcase_set_timeout(stress, SCENARIO_TIMEOUT_SECONDS);
	tcase_add_loop_test(stress, test_stress, 0, stress_count);
	suite_add_tcase(suite, stress);
	tcase_set_timeout(drift, SCENARIO_TIMEOUT_SECONDS);
	tcase_add_loop_test(drift, test_copy_matches_shared, 0, copy_count);
	suite_add_tcase(suite, drift);
	return suite;
}
