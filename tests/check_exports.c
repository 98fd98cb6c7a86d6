/*
 * check_exports.c - liblrt.so exports exactly what the public headers
 * declare: every function and variable declared in the files of
 * include/lrt/ is a dynamic symbol of the library, and no other symbol is
 * (no internals such as book_rate or lrt_sha256_init, no helpers shared
 * between modules).
 *
 * Both lists are read, never kept by hand: the exported one from the
 * library the runner was built with ($(BUILD)/liblrt.so, next to
 * $(BUILD)/tests/runner) by `nm -D --defined-only`; the declared one from
 * the headers themselves, preprocessed by `cc -E` (every file of
 * include/lrt/ included once) and read declaration by declaration, keeping
 * only what the headers' own lines declare.  A declaration the reader below
 * does not understand fails the test rather than being skipped.
 *
 * Run from the repository's root, as the runner is.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Generous ceilings: a test that meets one fails instead of overflowing. */
#define NAMES_MAX 2048
#define NAME_BYTES 128
#define TOKENS_MAX 512
#define HEADERS_MAX 64
#define COMMAND_BYTES 4096
#define OUTPUT_BYTES (8 * 1024 * 1024)

typedef struct {
	char names[NAMES_MAX][NAME_BYTES];
	size_t count;
} name_list;

static void names_add(name_list *list, const char *name, size_t length)
{
	ck_assert_msg(length > 0 && length < NAME_BYTES, "a name of %zu bytes", length);
	ck_assert_msg(list->count < NAMES_MAX, "more than %d names", NAMES_MAX);
	memcpy(list->names[list->count], name, length);
	list->names[list->count][length] = '\0';
	list->count++;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void names_sort(name_list *list)
{
	qsort(list->names, list->count, NAME_BYTES, compare_names);
}

static int names_have(const name_list *list, const char *name)
{
	return bsearch(name, list->names, list->count, NAME_BYTES, compare_names) != NULL;
}

/* The whole output of `command` (standard error too); fails the test when it
 * cannot run or exits other than 0.  The caller frees it. */
static char *capture(const char *command)
{
	char *text = malloc(OUTPUT_BYTES);
	size_t length = 0, got;
	FILE *pipe;
	int status;

	ck_assert_ptr_nonnull(text);
	pipe = popen(command, "r");
	ck_assert_msg(pipe != NULL, "cannot run %s", command);
	while ((got = fread(text + length, 1, OUTPUT_BYTES - 1 - length, pipe)) > 0)
		length += got;
	text[length] = '\0';
	status = pclose(pipe);
	ck_assert_msg(length < OUTPUT_BYTES - 1, "%s: more than %d bytes of output",
		      command, OUTPUT_BYTES);
	ck_assert_msg(status == 0, "%s failed (%d):\n%.2000s", command, status, text);
	return text;
}

/* $(BUILD)/liblrt.so, from where this runner is: $(BUILD)/tests/runner. */
static void library_path(char *out, size_t size)
{
	char self[4096];
	ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	ck_assert_msg(length > 0, "cannot read /proc/self/exe");
	self[length] = '\0';
	slash = strrchr(self, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';                       /* $(BUILD)/tests */
	slash = strrchr(self, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';                       /* $(BUILD) */
	ck_assert_int_lt(snprintf(out, size, "%s/liblrt.so", self), (int)size);
	ck_assert_msg(access(out, R_OK) == 0, "no library at %s", out);
}

/* ---- exported: the library's dynamic symbols --------------------------- */

static void read_exported(name_list *out)
{
	char library[4096], command[COMMAND_BYTES];
	char *text, *line, *save = NULL;

	library_path(library, sizeof(library));
	ck_assert_int_lt(snprintf(command, sizeof(command),
				  "nm -D --defined-only --format=posix '%s' 2>&1", library),
			 (int)sizeof(command));
	text = capture(command);
	/* "NAME TYPE VALUE SIZE"; a versioned name would end "@@VERSION" */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t length = strcspn(line, " @");

		names_add(out, line, length);
	}
	free(text);
	names_sort(out);
}

/* ---- declared: what the headers declare ---------------------------------- */

/* The files of include/lrt/, sorted. */
static size_t list_headers(char names[][NAME_BYTES])
{
	DIR *folder = opendir("include/lrt");
	struct dirent *entry;
	size_t count = 0;

	ck_assert_msg(folder != NULL, "no include/lrt (run from the repository's root)");
	while ((entry = readdir(folder)) != NULL) {
		size_t length = strlen(entry->d_name);

		if (length < 3 || strcmp(entry->d_name + length - 2, ".h") != 0)
			continue;
		ck_assert_uint_lt(count, HEADERS_MAX);
		ck_assert_uint_lt(length, NAME_BYTES);
		strcpy(names[count++], entry->d_name);
	}
	closedir(folder);
	qsort(names, count, NAME_BYTES, compare_names);
	return count;
}

/*
 * `cc -E` of a file that includes `headers` (one per line), keeping only the
 * lines that come from include/lrt/ (the line markers name each line's
 * file): the text of the public declarations, without those of <stdio.h>
 * or <gmp.h>.  `seen` gets the headers whose lines were met.
 */
static char *preprocess(const char *includes, name_list *seen)
{
	char source[] = "/tmp/lrt-exports-XXXXXX.c";
	char command[COMMAND_BYTES];
	char *text, *kept, *line, *save = NULL;
	size_t used = 0;
	int in_public = 0, fd;

	fd = mkstemps(source, 2);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, includes, strlen(includes)), (ssize_t)strlen(includes));
	close(fd);
	snprintf(command, sizeof(command),
		 "${CC:-cc} -E -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude '%s' 2>&1",
		 source);
	text = capture(command);
	unlink(source);
	kept = malloc(strlen(text) + 1);
	ck_assert_ptr_nonnull(kept);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			const char *file = strchr(line, '"');
			const char *public = file ? strstr(file, "include/lrt/") : NULL;

			in_public = public != NULL;
			if (in_public && seen != NULL) {
				const char *base = public + strlen("include/lrt/");
				size_t length = strcspn(base, "\"");
				char name[NAME_BYTES];

				ck_assert_uint_lt(length, NAME_BYTES);
				memcpy(name, base, length);
				name[length] = '\0';
				if (!names_have(seen, name)) {
					names_add(seen, name, length);
					names_sort(seen);
				}
			}
			continue;
		}
		if (!in_public)
			continue;
		memcpy(kept + used, line, strlen(line));
		used += strlen(line);
		kept[used++] = '\n';
	}
	kept[used] = '\0';
	free(text);
	return kept;
}

typedef struct {
	const char *start;
	size_t length;
} token;

static int token_is(const token *t, const char *text)
{
	return t->length == strlen(text) && memcmp(t->start, text, t->length) == 0;
}

static int token_is_identifier(const token *t)
{
	return t->start[0] == '_' || (t->start[0] >= 'a' && t->start[0] <= 'z')
	       || (t->start[0] >= 'A' && t->start[0] <= 'Z');
}

/* The next token after *p: an identifier or number, a string or character
 * literal, or one punctuation character.  0 at the end of the text. */
static int next_token(token *t, const char **p)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return 0;
	t->start = s;
	if (*s == '"' || *s == '\'') {
		char quote = *s++;

		while (*s != '\0' && *s != quote)
			s += (*s == '\\' && s[1] != '\0') ? 2 : 1;
		ck_assert_msg(*s == quote, "an unclosed literal in the headers");
		s++;
	} else if (*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
		   || (*s >= '0' && *s <= '9')) {
		while (*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
		       || (*s >= '0' && *s <= '9'))
			s++;
	} else {
		s++;
	}
	t->length = (size_t)(s - t->start);
	*p = s;
	return 1;
}

/* The declaration's tokens as text, for a failure message. */
static const char *declaration_text(const token *tokens, size_t count)
{
	static char text[2048];
	size_t used = 0, i;

	text[0] = '\0';
	for (i = 0; i < count && used + tokens[i].length + 2 < sizeof(text); i++) {
		memcpy(text + used, tokens[i].start, tokens[i].length);
		used += tokens[i].length;
		text[used++] = ' ';
		text[used] = '\0';
	}
	return text;
}

/*
 * Adds the name one file-scope declaration declares, when it declares a
 * function or a variable: `int lrt_f(...)`, `extern T *lrt_v`,
 * `void (*lrt_hook)(...)`.  Type definitions and tag declarations declare
 * neither.  GCC's __attribute__((...)) (LRT_API among them) and
 * __extension__ are left out first.
 */
static void add_declared(name_list *out, const token *all, size_t all_count)
{
	token tokens[TOKENS_MAX];
	size_t count = 0, i;
	const token *name = NULL, *last = NULL;

	for (i = 0; i < all_count; i++) {
		if (token_is(&all[i], "__attribute__") || token_is(&all[i], "__asm__")) {
			size_t level = 0;

			for (i++; i < all_count; i++) {
				level += token_is(&all[i], "(");
				if (token_is(&all[i], ")") && --level == 0)
					break;
			}
			continue;
		}
		if (token_is(&all[i], "__extension__"))
			continue;
		tokens[count++] = all[i];
	}
	if (count == 0 || token_is(&tokens[0], "typedef"))
		return;
	for (i = 0; i < count; i++)
		if (token_is(&tokens[i], "{")) {
			/* `enum {...};` or `struct tag {...};`: a variable of such
			 * a type would need a declarator after the braces */
			ck_assert_msg(token_is(&tokens[count - 1], "}"),
				      "a declarator after a type's body: %s",
				      declaration_text(tokens, count));
			return;
		}
	if ((token_is(&tokens[0], "struct") || token_is(&tokens[0], "union")
	     || token_is(&tokens[0], "enum")) && count == 2)
		return;  /* a tag declared ahead */
	/* the name is the identifier before the first '(' (a function), the
	 * one after "(*" (a pointer to one), or else the last before '[', '='
	 * or the end (a variable) */
	for (i = 0; i < count && name == NULL; i++) {
		if (token_is(&tokens[i], "(")) {
			size_t j = i + 1;

			if (j < count && token_is(&tokens[j], "*")) {
				while (j < count && !token_is_identifier(&tokens[j]))
					j++;
				name = j < count ? &tokens[j] : NULL;
			} else {
				name = i > 0 && token_is_identifier(&tokens[i - 1])
				       ? &tokens[i - 1] : NULL;
			}
			ck_assert_msg(name != NULL, "cannot read the declaration: %s",
				      declaration_text(tokens, count));
			break;
		}
		if (token_is(&tokens[i], "[") || token_is(&tokens[i], "="))
			break;
		ck_assert_msg(!token_is(&tokens[i], ","),
			      "more than one declarator in one declaration: %s",
			      declaration_text(tokens, count));
		if (token_is_identifier(&tokens[i]))
			last = &tokens[i];
	}
	if (name == NULL)
		name = last;
	ck_assert_msg(name != NULL, "cannot read the declaration: %s",
		      declaration_text(tokens, count));
	if (token_is(&tokens[0], "static"))
		return;  /* a header's own, never exported */
	names_add(out, name->start, name->length);
}

/* Every function and variable the text declares at file scope. */
static void read_declarations(name_list *out, const char *text)
{
	static token tokens[TOKENS_MAX];
	size_t count = 0, depth = 0;
	bool in_body = false;
	const char *p = text;
	token t;

	while (next_token(&t, &p)) {
		ck_assert_msg(count < TOKENS_MAX, "a declaration of more than %d tokens: %s",
			      TOKENS_MAX, declaration_text(tokens, count));
		tokens[count++] = t;
		if (token_is(&t, "(") || token_is(&t, "[") || token_is(&t, "{")) {
			/* a function defined in a header (static inline) has a
			 * body where a declaration has its ';' */
			if (depth == 0 && token_is(&t, "{") && count >= 2
			    && token_is(&tokens[count - 2], ")")) {
				ck_assert_msg(token_is(&tokens[0], "static"),
					      "a function defined in a public header, not static: %s",
					      declaration_text(tokens, count));
				in_body = true;
			}
			depth++;
		} else if (token_is(&t, ")") || token_is(&t, "]") || token_is(&t, "}")) {
			ck_assert_msg(depth > 0, "unbalanced %.*s in the headers",
				      (int)t.length, t.start);
			depth--;
			if (depth == 0 && in_body) {
				in_body = false;
				count = 0;  /* the header's own: never exported */
			}
		} else if (depth == 0 && token_is(&t, ";")) {
			add_declared(out, tokens, count - 1);
			count = 0;
		}
	}
	ck_assert_msg(count == 0, "the headers end inside a declaration: %s",
		      declaration_text(tokens, count));
	names_sort(out);
}

static void read_declared(name_list *out, name_list *seen)
{
	char headers[HEADERS_MAX][NAME_BYTES];
	char includes[HEADERS_MAX * (NAME_BYTES + 32)];
	size_t count = list_headers(headers), used = 0, i;
	char *text;

	for (i = 0; i < count; i++)
		used += (size_t)snprintf(includes + used, sizeof(includes) - used,
					 "#include \"lrt/%s\"\n", headers[i]);
	text = preprocess(includes, seen);
	read_declarations(out, text);
	free(text);
}

/* The names of one list missing from the other, one per line. */
static void missing_from(char *out, size_t size, const name_list *from,
			 const name_list *in, size_t *missing)
{
	size_t used = 0, i;

	out[0] = '\0';
	*missing = 0;
	for (i = 0; i < from->count; i++) {
		if (names_have(in, from->names[i]))
			continue;
		(*missing)++;
		if (used + strlen(from->names[i]) + 4 < size)
			used += (size_t)snprintf(out + used, size - used, "  %s\n",
						 from->names[i]);
	}
}

/* ---- the tests ------------------------------------------------------------ */

START_TEST(test_exports_equal_declarations)
{
	static name_list exported, declared;
	static char only_exported[16384], only_declared[16384];
	size_t extra, absent;

	read_exported(&exported);
	read_declared(&declared, NULL);
	/* the reader found the API at all: two functions every version has */
	ck_assert_msg(names_have(&declared, "lrt_version") && names_have(&declared, "lrt_error_last"),
		      "the headers' declarations were not read (%zu names)", declared.count);
	missing_from(only_exported, sizeof(only_exported), &exported, &declared, &extra);
	missing_from(only_declared, sizeof(only_declared), &declared, &exported, &absent);
	ck_assert_msg(extra == 0,
		      "liblrt.so exports %zu symbols no public header declares "
		      "(make them static, or leave them hidden):\n%s", extra, only_exported);
	ck_assert_msg(absent == 0,
		      "%zu names the public headers declare are not exported "
		      "(LRT_API missing, or never defined):\n%s", absent, only_declared);
	ck_assert_uint_eq(exported.count, declared.count);
}
END_TEST

/* Every public name is lrt_<module>_<verb> (STYLE.md, rule 1). */
START_TEST(test_declarations_have_the_prefix)
{
	static name_list declared;
	size_t i;

	read_declared(&declared, NULL);
	for (i = 0; i < declared.count; i++)
		ck_assert_msg(strncmp(declared.names[i], "lrt_", 4) == 0,
			      "%s: a public name without the lrt_ prefix", declared.names[i]);
}
END_TEST

/* The umbrella lrt.h includes every header of include/lrt/. */
START_TEST(test_umbrella_includes_every_header)
{
	char headers[HEADERS_MAX][NAME_BYTES];
	static name_list seen;
	size_t count = list_headers(headers), i;
	char *text = preprocess("#include \"lrt/lrt.h\"\n", &seen);

	free(text);
	for (i = 0; i < count; i++)
		ck_assert_msg(names_have(&seen, headers[i]),
			      "lrt/lrt.h does not include lrt/%s", headers[i]);
}
END_TEST

/*
 * Each header compiles on its own as strict ISO C11 (what the README's
 * example is built with): it includes what it uses, and uses nothing a
 * feature macro must unlock.
 */
START_TEST(test_headers_stand_alone)
{
	char headers[HEADERS_MAX][NAME_BYTES];
	char command[COMMAND_BYTES];
	size_t count = list_headers(headers), i;

	for (i = 0; i < count; i++) {
		/* an object is declared after it: -pedantic refuses an empty unit */
		ck_assert_int_lt(snprintf(command, sizeof(command),
					  "printf '#include \"lrt/%s\"\\nextern int lrt_test_unit;\\n' "
					  "| ${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror "
					  "-Iinclude -fsyntax-only -x c - 2>&1", headers[i]),
				 (int)sizeof(command));
		free(capture(command));
	}
}
END_TEST

Suite *exports_suite(void)
{
	Suite *suite = suite_create("exports");
	TCase *tc = tcase_create("exports");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exports_equal_declarations);
	tcase_add_test(tc, test_declarations_have_the_prefix);
	tcase_add_test(tc, test_umbrella_includes_every_header);
	tcase_add_test(tc, test_headers_stand_alone);
	suite_add_tcase(suite, tc);
	return suite;
}
