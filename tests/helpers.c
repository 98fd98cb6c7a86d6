/*
 * helpers.c - shared test helpers (see helpers.h).  Every helper fails the
 * test, with a message saying what went wrong, instead of returning an
 * error: a test reads as a list of steps and assertions.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static char database_name[64];

void lrt_test_fresh_database(void)
{
	static unsigned counter;
	char *quoted, sql[160];
	PGconn *conn = PQconnectdb("dbname=postgres");
	PGresult *result;

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "test cluster: %s",
		      PQerrorMessage(conn));
	snprintf(database_name, sizeof(database_name), "test_%ld_%u",
		 (long)getpid(), counter++);
	quoted = PQescapeIdentifier(conn, database_name, strlen(database_name));
	ck_assert_ptr_nonnull(quoted);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", quoted);
	PQfreemem(quoted);
	result = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(result) == PGRES_COMMAND_OK, "%s: %s", sql,
		      PQerrorMessage(conn));
	PQclear(result);
	PQfinish(conn);
	ck_assert_int_eq(setenv("PGDATABASE", database_name, 1), 0);
}

const char *lrt_test_database(void)
{
	return database_name;
}

PGconn *lrt_test_connect(void)
{
	PGconn *conn = PQconnectdb("");

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "connecting: %s",
		      PQerrorMessage(conn));
	return conn;
}

void lrt_test_exec(PGconn *conn, const char *sql)
{
	PGresult *result = PQexec(conn, sql);
	ExecStatusType status = PQresultStatus(result);

	ck_assert_msg(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQerrorMessage(conn));
	PQclear(result);
}

const char *lrt_test_value(PGconn *conn, const char *sql)
{
	static char values[8][LRT_TEST_VALUE_BYTES];
	static unsigned next;
	char *value = values[next++ % 8];
	PGresult *result = PQexec(conn, sql);

	ck_assert_msg(PQresultStatus(result) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQerrorMessage(conn));
	ck_assert_msg(PQntuples(result) == 1 && PQnfields(result) == 1,
		      "%s: %d rows of %d columns, not one value", sql,
		      PQntuples(result), PQnfields(result));
	ck_assert_int_lt(PQgetlength(result, 0, 0), LRT_TEST_VALUE_BYTES);
	memcpy(value, PQgetvalue(result, 0, 0),
	       (size_t)PQgetlength(result, 0, 0) + 1);
	PQclear(result);
	return value;
}

const char *lrt_test_sqlstate(PGconn *conn, const char *sql)
{
	static char state[6];
	PGresult *result = PQexec(conn, sql);
	const char *code = PQresultErrorField(result, PG_DIAG_SQLSTATE);

	snprintf(state, sizeof(state), "%s", code != NULL ? code : "00000");
	PQclear(result);
	if (PQtransactionStatus(conn) == PQTRANS_INERROR) {
		result = PQexec(conn, "ROLLBACK");
		PQclear(result);
	}
	return state;
}

static int output_file(void)
{
	FILE *file = tmpfile();
	int fd;

	ck_assert_msg(file != NULL, "tmpfile: %s", strerror(errno));
	fd = dup(fileno(file));
	fclose(file);
	ck_assert_int_ge(fd, 0);
	return fd;
}

void lrt_test_spawn(lrt_test_process *process, const char *const args[])
{
	const char *lrt = getenv("LRT_BIN");
	const char *argv[LRT_TEST_ARGUMENTS_MAX + 2];
	size_t count = 0;

	ck_assert_msg(lrt != NULL && lrt[0] != '\0',
		      "LRT_BIN is not set: run the tests with `make check`");
	argv[count++] = lrt;
	while (args[count - 1] != NULL && count <= LRT_TEST_ARGUMENTS_MAX) {
		argv[count] = args[count - 1];
		count++;
	}
	ck_assert_ptr_null(args[count - 1]);
	argv[count] = NULL;
	memset(process, 0, sizeof(*process));
	process->out_fd = output_file();
	process->err_fd = output_file();
	fflush(NULL);
	process->pid = fork();
	ck_assert_int_ge(process->pid, 0);
	if (process->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(process->out_fd, 1) < 0 ||
		    dup2(process->err_fd, 2) < 0)
			_exit(126);
		execv(lrt, (char *const *)argv);
		_exit(127);
	}
}

/*
 * Every output buffer handed to a test, so that they stay reachable (and
 * LeakSanitizer quiet) until the test's process ends and takes them all.
 */
static char **kept_outputs;
static size_t kept_count;

static char *keep_output(char *text)
{
	char **grown = realloc(kept_outputs, (kept_count + 1) * sizeof(*grown));

	ck_assert_ptr_nonnull(grown);
	kept_outputs = grown;
	kept_outputs[kept_count++] = text;
	return text;
}

/* Reads the whole of `fd`, from its start, into a new kept buffer; its
 * length into `length_out` when not NULL. */
static char *read_output(int fd, size_t *length_out)
{
	size_t length = 0, size = 64 * 1024;
	char *text = malloc(size), *grown;
	ssize_t got;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	while ((got = read(fd, text + length, size - 1 - length)) > 0) {
		length += (size_t)got;
		if (length < size - 1)
			continue;
		ck_assert_msg(size < LRT_TEST_OUTPUT_BYTES, "output over %d bytes",
			      LRT_TEST_OUTPUT_BYTES);
		grown = realloc(text, size *= 2);
		ck_assert_ptr_nonnull(grown);
		text = grown;
	}
	ck_assert_int_ge(got, 0);
	text[length] = '\0';
	close(fd);
	if (length_out != NULL)
		*length_out = length;
	return keep_output(text);
}

char *lrt_test_read_file(const char *path, size_t *length)
{
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	return read_output(fd, length);
}

void lrt_test_wait(lrt_test_process *process)
{
	int status;

	while (waitpid(process->pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	process->status = WIFEXITED(status) ? WEXITSTATUS(status)
					    : 128 + WTERMSIG(status);
	process->out = read_output(process->out_fd, NULL);
	process->err = read_output(process->err_fd, NULL);
}

void lrt_test_run(lrt_test_process *process, const char *const args[])
{
	lrt_test_spawn(process, args);
	lrt_test_wait(process);
}

void lrt_test_scratch(char *out, size_t size)
{
	const char *cluster = getenv("LRT_TEST_CLUSTER_DIR");

	ck_assert_msg(cluster != NULL, "LRT_TEST_CLUSTER_DIR is not set");
	snprintf(out, size, "%s/scratch-XXXXXX", cluster);
	ck_assert_msg(mkdtemp(out) != NULL, "mkdtemp %s: %s", out,
		      strerror(errno));
}

static void make_parents(const char *path)
{
	char folder[4096];
	char *slash;

	snprintf(folder, sizeof(folder), "%s", path);
	for (slash = strchr(folder + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		ck_assert_msg(mkdir(folder, 0755) == 0 || errno == EEXIST,
			      "mkdir %s: %s", folder, strerror(errno));
		*slash = '/';
	}
}

static void put_file(const char *path, const char *text, const char *mode)
{
	FILE *out;

	make_parents(path);
	out = fopen(path, mode);
	ck_assert_msg(out != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, out) >= 0, 1);
	ck_assert_int_eq(fclose(out), 0);
}

void lrt_test_write_file(const char *path, const char *text)
{
	put_file(path, text, "w");
}

void lrt_test_append_file(const char *path, const char *text)
{
	struct stat info;

	ck_assert_msg(stat(path, &info) == 0, "%s: %s", path, strerror(errno));
	put_file(path, text, "a");
}

json_t *lrt_test_json_lines(const char *text)
{
	json_t *lines = json_array();
	const char *p = text;

	ck_assert_ptr_nonnull(lines);
	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t length = end ? (size_t)(end - p) : strlen(p);
		json_error_t error;
		json_t *line;

		if (length > 0) {
			line = json_loadb(p, length, 0, &error);
			ck_assert_msg(json_is_object(line), "not a JSON object: %.120s (%s)",
				      p, error.text);
			json_array_append_new(lines, line);
		}
		p += length + (end != NULL);
	}
	return lines;
}

/* ---- the scenarios ------------------------------------------------------------- */

static int compare_scenario_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int lrt_test_find_scenarios(char (*names)[LRT_TEST_SCENARIO_NAME_BYTES], int max)
{
	const char *folder = getenv("LRT_DB_SCENARIOS");
	struct dirent *entry;
	int count = 0;
	DIR *dir;

	if (folder == NULL || (dir = opendir(folder)) == NULL)
		return 0;
	while ((entry = readdir(dir)) != NULL && count < max) {
		size_t length = strlen(entry->d_name);

		if (length < 7 || strcmp(entry->d_name + length - 6, ".jsonl") != 0
		    || strstr(entry->d_name, ".expected.") != NULL)
			continue;
		snprintf(names[count++], LRT_TEST_SCENARIO_NAME_BYTES, "%.*s",
			 (int)(length - 6), entry->d_name);
	}
	closedir(dir);
	qsort(names, (size_t)count, LRT_TEST_SCENARIO_NAME_BYTES, compare_scenario_names);
	return count;
}

/* ---- running lrt ------------------------------------------------------------------ */

void lrt_test_run_ok(lrt_test_process *process, const char *const args[])
{
	lrt_test_run(process, args);
	ck_assert_msg(process->status == 0, "lrt %s %s exited %d: %.2000s%.2000s", args[0],
		      args[1] != NULL ? args[1] : "", process->status, process->err,
		      process->out);
}

void lrt_test_load_product(const char *path, const char *symbol)
{
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", "--product", symbol, path, NULL};
	const char *settle[] = {"settle", "--product", symbol, NULL};
	static lrt_test_process p;

	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	lrt_test_run_ok(&p, settle);
}
