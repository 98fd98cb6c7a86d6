/*
 * helpers.h - what the database and command-line suites share: a fresh
 * database per test on the runner's private cluster, libpq shortcuts that
 * fail the test on any surprise, running `lrt` ($LRT_BIN) as a child
 * process, and scratch folders.
 *
 * Scratch folders live inside the cluster's folder, so they go with it even
 * when a test fails half-way.
 */
#ifndef LRT_TESTS_HELPERS_H
#define LRT_TESTS_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>

/* The most a test reads of an `lrt` run's output; more fails the test. */
#define LRT_TEST_OUTPUT_BYTES (64 * 1024 * 1024)
/* The longest value lrt_test_value returns. */
#define LRT_TEST_VALUE_BYTES 8192
/* The most arguments lrt_test_spawn passes to `lrt`. */
#define LRT_TEST_ARGUMENTS_MAX 64
/* Timeout of a database test case: generous for the sanitizer build. */
#define LRT_TEST_DB_TIMEOUT_SECONDS 60

/*
 * A checked fixture: creates a fresh, empty database for the test and
 * points PGDATABASE at it, so that the library's default connection and
 * every `lrt` the test starts use it.
 */
void lrt_test_fresh_database(void);

/* The name of the test's database ("" before lrt_test_fresh_database). */
const char *lrt_test_database(void);

/* A libpq connection to the test's database; aborts the test on failure. */
PGconn *lrt_test_connect(void);

/* Runs a statement that must succeed (any result status but an error). */
void lrt_test_exec(PGconn *conn, const char *sql);

/*
 * The one value (one row, one column) of a query that must succeed, "" for
 * NULL.  The text lives in one of 8 rotating buffers: copy it to keep it
 * past seven more calls.
 */
const char *lrt_test_value(PGconn *conn, const char *sql);

/*
 * Runs a statement that must fail and returns its SQLSTATE ("00000" when it
 * succeeded, so that an assertion on the code fails).  Rolls back a
 * transaction the failure left open.
 */
const char *lrt_test_sqlstate(PGconn *conn, const char *sql);

/*
 * An `lrt` run.  After lrt_test_wait, `out` and `err` hold what it wrote,
 * NUL-terminated; they stay until the test's process ends (each test is a
 * process of its own), so a test never frees them.
 */
typedef struct {
	pid_t pid;
	int status;         /* exit status, or 128 + signal */
	char *out;          /* standard output */
	char *err;          /* standard error */
	int out_fd, err_fd;
} lrt_test_process;

/* Starts `$LRT_BIN args...` (args ends with NULL, after at most
 * LRT_TEST_ARGUMENTS_MAX arguments). */
void lrt_test_spawn(lrt_test_process *process, const char *const args[]);

/* Waits for it and reads what it wrote. */
void lrt_test_wait(lrt_test_process *process);

/* Both: runs `$LRT_BIN args...` to its end. */
void lrt_test_run(lrt_test_process *process, const char *const args[]);

/* Runs `$LRT_BIN args...` to its end; fails the test, with the command and
 * what it wrote, unless it exits 0. */
void lrt_test_run_ok(lrt_test_process *process, const char *const args[]);

/* lrt product create PATH, ingest and settle of SYMBOL, each exiting 0. */
void lrt_test_load_product(const char *path, const char *symbol);

/* Makes a new empty folder inside the cluster's folder; path into `out`. */
void lrt_test_scratch(char *out, size_t size);

/* Creates `path` (and its missing parent folders) holding `text`. */
void lrt_test_write_file(const char *path, const char *text);

/* Adds `text` at the end of an existing file. */
void lrt_test_append_file(const char *path, const char *text);

/*
 * The whole of a file, NUL-terminated, its length into `length` (when not
 * NULL); fails the test when it cannot be read.  Kept like an `lrt` run's
 * output: never freed by the test.
 */
char *lrt_test_read_file(const char *path, size_t *length);

/* Parses JSON Lines text (blank lines skipped) into an array of objects;
 * a line that is not a JSON object fails the test. */
json_t *lrt_test_json_lines(const char *text);

/* The longest scenario name lrt_test_find_scenarios keeps, with the NUL. */
#define LRT_TEST_SCENARIO_NAME_BYTES 256

/*
 * The NAMEs of every NAME.jsonl of the folder $LRT_DB_SCENARIOS names
 * (the expected outputs left out), sorted, at most `max`; their count (0
 * when the variable or the folder is missing: the caller's test that
 * enough were found fails then, never one that ran nothing).
 */
int lrt_test_find_scenarios(char (*names)[LRT_TEST_SCENARIO_NAME_BYTES], int max);

#endif
