/*
 * check_ingest.c - `lrt ingest` (src/store/ingest.c), its framing
 * (src/io/record_reader.c), its CSV cells (src/io/csv_event.c) and its SQL
 * (lrt.ingest_load, migrations/0003_typed_inbox.sql):
 *
 *   - framing: JSON Lines and CSV records, line numbers, blank lines, CRLF,
 *     quoted newlines, broken quotes, invalid UTF-8, over-long lines;
 *   - one validator: ingest keeps aside a table of edge cases with the
 *     reasons of the C parser (src/io/json_parse.c) that `lrt simulate`
 *     gives, word for word;
 *   - every scenario loads every event, in file order, as written;
 *   - the same file twice changes nothing;
 *   - tables of malformed rows in JSON Lines and in CSV each land in
 *     lrt.ingest_rejects with their line and reason, and nothing else
 *     changes;
 *   - files refused whole, several files, standard input, the callbacks;
 *   - events submitted with SQL, judged at `lrt ingest --pending`;
 *   - two ingests of overlapping files at once store each event once.
 *
 * Each database test gets a fresh database cloned from one migrated
 * template, which keeps the suite to a few seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/arena.h"
#include "helpers.h"
#include "io/json_parse.h"
#include "io/record_reader.h"
#include "lrt/error.h"
#include "lrt/event.h"
#include "lrt/ingest.h"
#include "lrt/product.h"
#include "lrt/store.h"

/* The product of the hand-written tests: genesis 2025-07-11T00:00:00Z. */
static const char product_json[] =
	"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": ["
	"{\"symbol\": \"ETH\", \"decimals\": 18}, {\"symbol\": \"stETH\", \"decimals\": 18}],"
	" \"genesis_time\": 1752192000, \"epoch_seconds\": 86400}";
#define GENESIS 1752192000LL
#define EPOCH_SECONDS 86400LL

/* ---- a migrated database per test ------------------------------------------------ */

static char template_name[64];

static PGconn *connect_maintenance(void)
{
	PGconn *conn = PQconnectdb("dbname=postgres");

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "test cluster: %s",
		      PQerrorMessage(conn));
	return conn;
}

/* Once per test case: a database migrated by the library, to clone. */
static void make_template(void)
{
	PGconn *conn = connect_maintenance();
	lrt_migrate_report report;
	lrt_store *store = NULL;
	char sql[160], conninfo[96];

	snprintf(template_name, sizeof(template_name), "ingest_template_%ld",
		 (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", template_name);
	lrt_test_exec(conn, sql);
	PQfinish(conn);
	snprintf(conninfo, sizeof(conninfo), "dbname=%s", template_name);
	ck_assert_msg(lrt_store_connect(&store, conninfo) == 0, "%s", lrt_error_last());
	ck_assert_msg(lrt_store_migrate(&report, store, NULL) == 0, "%s", lrt_error_last());
	lrt_store_close(store);
}

static void drop_template(void)
{
	PGconn *conn = connect_maintenance();
	char sql[160];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", template_name);
	lrt_test_exec(conn, sql);
	PQfinish(conn);
}

/* Checked fixture: a fresh clone of the template, in PGDATABASE. */
static void fresh_migrated_database(void)
{
	static unsigned counter;
	PGconn *conn = connect_maintenance();
	char name[64], sql[200];

	snprintf(name, sizeof(name), "ingest_%ld_%u", (long)getpid(), counter++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", name, template_name);
	lrt_test_exec(conn, sql);
	PQfinish(conn);
	ck_assert_int_eq(setenv("PGDATABASE", name, 1), 0);
}

/* ---- small helpers --------------------------------------------------------------------- */

/* A scratch file NAME holding `text`; its path in `out`. */
static void scratch_file(char *out, size_t size, const char *name, const char *text)
{
	char folder[4096];

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(out, size, "%s/%s", folder, name);
	lrt_test_write_file(out, text);
}

/* The product of product_json, created with `lrt product create`. */
static void create_product(void)
{
	static lrt_test_process p;
	char path[4200];
	const char *create[] = {"product", "create", path, NULL};

	scratch_file(path, sizeof(path), "product.json", product_json);
	lrt_test_run_ok(&p, create);
}

static char *read_whole(const char *path)
{
	FILE *in = fopen(path, "rb");
	char *text;
	long length;

	ck_assert_msg(in != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(in, 0, SEEK_END), 0);
	length = ftell(in);
	ck_assert_int_ge(length, 0);
	rewind(in);
	text = malloc((size_t)length + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)length, in), (size_t)length);
	text[length] = '\0';
	fclose(in);
	return text;
}

/*
 * Everything the lrt schema holds but the inbox and the rejects, as one
 * digest: what an ingest must never change.
 */
static const char *digest_outside_inbox(PGconn *conn)
{
	return lrt_test_value(conn,
		"SELECT md5(string_agg(d, ';' ORDER BY d)) FROM ("
		" SELECT 'p' || t::text d FROM lrt.products t"
		" UNION ALL SELECT 'a' || t::text FROM lrt.product_assets t"
		" UNION ALL SELECT 's' || t::text FROM lrt.product_state t"
		" UNION ALL SELECT 'h' || t::text FROM lrt.holders t"
		" UNION ALL SELECT 'l' || t::text FROM lrt.locations t"
		" UNION ALL SELECT 'x' || t::text FROM lrt.positions t"
		" UNION ALL SELECT 'r' || t::text FROM lrt.prices t"
		" UNION ALL SELECT 'e' || t::text FROM lrt.epochs t"
		" UNION ALL SELECT 'w' || t::text FROM lrt.withdrawal_requests t"
		" UNION ALL SELECT 'j' || t::text FROM lrt.journal t) x");
}

/* Every row of the inbox and the rejects, as one digest. */
static const char *digest_inbox(PGconn *conn)
{
	return lrt_test_value(conn,
		"SELECT md5(coalesce((SELECT string_agg(t::text, ';' ORDER BY t.ingest_order)"
		"                       FROM lrt.inbox t), '') || '|' ||"
		"           coalesce((SELECT string_agg(t::text, ';' ORDER BY t.reject_id)"
		"                       FROM lrt.ingest_rejects t), ''))");
}

/* ---- framing ------------------------------------------------------------------------------ */

typedef struct {
	unsigned long long line;
	size_t length;
	char text[256];
	char problem[160];
} framed;

/* Frames `input` (length bytes) into at most `max` records. */
static size_t frame_all(framed *out, size_t max, const char *input, size_t length,
			lrt_record_format format)
{
	FILE *in = fmemopen((void *)input, length, "rb");
	lrt_record_reader *reader = NULL;
	lrt_record record;
	size_t count = 0;
	int rc;

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(lrt_record_reader_open(&reader, in, format), 0);
	while ((rc = lrt_record_reader_next(reader, &record)) == 1) {
		ck_assert_uint_lt(count, max);
		ck_assert_uint_eq(strlen(record.text), record.length);
		out[count].line = record.line;
		out[count].length = record.length;
		snprintf(out[count].text, sizeof(out[count].text), "%s", record.text);
		snprintf(out[count].problem, sizeof(out[count].problem), "%s",
			 record.problem != NULL ? record.problem : "");
		count++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(lrt_record_reader_offset(reader), length);
	lrt_record_reader_free(reader);
	fclose(in);
	return count;
}

START_TEST(test_frame_jsonl_lines)
{
	static const char input[] =
		"{\"a\": 1}\n"
		"\n"
		"  \t \r\n"
		"{\"b\": 2}\r\n"
		"not json, still a record\n"
		"{\"c\": \"\xc3\xa9\"}";
	framed r[8];
	size_t n = frame_all(r, 8, input, sizeof(input) - 1, LRT_RECORDS_JSONL);

	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(r[0].line, 1);
	ck_assert_str_eq(r[0].text, "{\"a\": 1}");
	ck_assert_uint_eq(r[1].line, 4);
	ck_assert_str_eq(r[1].text, "{\"b\": 2}");
	ck_assert_uint_eq(r[2].line, 5);
	ck_assert_str_eq(r[2].text, "not json, still a record");
	ck_assert_uint_eq(r[3].line, 6);
	ck_assert_str_eq(r[3].text, "{\"c\": \"\xc3\xa9\"}");
	ck_assert_str_eq(r[3].problem, "");
}
END_TEST

START_TEST(test_frame_jsonl_bad_bytes)
{
	static const char input[] =
		"{\"a\": \"\xff\"}\n"
		"{\"a\": \"\xc0\xaf\"}\n"          /* an overlong '/' */
		"{\"a\": \"\xed\xa0\x80\"}\n"      /* a surrogate */
		"{\"a\": \"x\0y\"}\n"
		"{\"a\": \"\xf0\x9f\x98\x80\"}\n"; /* fine: U+1F600 */
	framed r[8];
	size_t n = frame_all(r, 8, input, sizeof(input) - 1, LRT_RECORDS_JSONL);

	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(r[0].problem, "not UTF-8: byte 0xFF at column 8");
	ck_assert_str_eq(r[0].text, "{\"a\": \"\\xFF\"}");
	ck_assert_str_eq(r[1].problem, "not UTF-8: byte 0xC0 at column 8");
	ck_assert_str_eq(r[2].problem, "not UTF-8: byte 0xED at column 8");
	ck_assert_str_eq(r[3].problem, "holds a NUL byte at column 9");
	ck_assert_str_eq(r[3].text, "{\"a\": \"x\\x00y\"}");
	ck_assert_str_eq(r[4].problem, "");
	ck_assert_uint_eq(r[4].line, 5);
}
END_TEST

START_TEST(test_frame_long_line)
{
	size_t length = 1024 * 1024 + 100;
	char *input = malloc(length + 40);
	framed r[4];
	size_t n;

	ck_assert_ptr_nonnull(input);
	memset(input, 'x', length);
	memcpy(input + length, "\n{\"ok\": 1}\n", 11);
	n = frame_all(r, 4, input, length + 11, LRT_RECORDS_JSONL);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0].line, 1);
	ck_assert_str_eq(r[0].problem, "line is longer than 1048576 bytes");
	ck_assert_uint_eq(r[0].length, 256 + 3);
	ck_assert_int_eq(strncmp(r[0].text, "xxxxxxxx", 8), 0);
	ck_assert_uint_eq(r[1].line, 2);
	ck_assert_str_eq(r[1].text, "{\"ok\": 1}");
	free(input);
}
END_TEST

START_TEST(test_frame_csv_records)
{
	static const char input[] =
		"\xef\xbb\xbf" "id,note\r\n"
		"a,\"two\r\nlines, \"\"quoted\"\"\"\r\n"
		"\n"
		"b,plain\n"
		"c,bro\"ken\n"
		"d,\"closed\"after\n"
		"e,\"\"\n"
		"f,\"never closed\n"
		"g,last";
	framed r[10];
	size_t n = frame_all(r, 10, input, sizeof(input) - 1, LRT_RECORDS_CSV);

	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(r[0].line, 1);
	ck_assert_str_eq(r[0].text, "id,note");
	ck_assert_uint_eq(r[1].line, 2);
	ck_assert_str_eq(r[1].text, "a,\"two\r\nlines, \"\"quoted\"\"\"");
	ck_assert_str_eq(r[1].problem, "");
	ck_assert_uint_eq(r[2].line, 5);
	ck_assert_str_eq(r[2].text, "b,plain");
	ck_assert_uint_eq(r[3].line, 6);
	ck_assert_str_eq(r[3].problem, "CSV: a quote inside unquoted cell 2 (quote the "
			 "whole cell and double the quote)");
	ck_assert_uint_eq(r[4].line, 7);
	ck_assert_str_eq(r[4].problem, "CSV: text after the closing quote of cell 2");
	ck_assert_uint_eq(r[5].line, 8);
	ck_assert_str_eq(r[5].text, "e,\"\"");
	ck_assert_str_eq(r[5].problem, "");
	/* an unclosed quote takes its line only: reading goes on after it */
	ck_assert_uint_eq(r[6].line, 9);
	ck_assert_str_eq(r[6].text, "f,\"never closed");
	ck_assert_str_eq(r[6].problem, "CSV: quoted cell 2 is not closed");
	ck_assert_uint_eq(r[7].line, 10);
	ck_assert_str_eq(r[7].text, "g,last");
}
END_TEST

/* ---- one validator ------------------------------------------------------------------------- */

/* Edge cases of SPEC sections 3-4 for a product of genesis 1000 and epochs of
 * 100 seconds, judged by `lrt ingest` and by json_parse.c as `lrt simulate`
 * reads a line. */
static const char *const edge_cases[] = {
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":\"12\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":\"12x\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":12}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":null}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":\"\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":\"-5\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":"
	"\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":"
	"\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"h\",\"asset\":\"ETH\",\"amount\":"
	"\"0000115792089237316195423570985008687907853269984665640564039457584007913129639935\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":\"\",\"asset\":\"ETH\",\"amount\":\"1\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"holder\":5,\"asset\":\"ETH\",\"amount\":\"1\"}",
	"{\"id\":\"a\",\"type\":\"deposit\",\"epoch\":0,\"asset\":\"ETH\",\"amount\":\"1\"}",
	"{\"id\":\"\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\"}",
	"{\"type\":\"claim\",\"epoch\":0,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"foo\",\"epoch\":0}",
	"{\"id\":\"a\",\"type\":7,\"epoch\":0}",
	"{\"id\":\"a\",\"epoch\":0}",
	"{\"id\":\"a\",\"type\":\"claim\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":-1,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":1.0,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":1e2,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":1099511627777,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":9223372036854775808,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"seq\":-9223372036854775808,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"seq\":\"1\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":999,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":1100,\"epoch\":0,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1100\",\"epoch\":1,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1234567890123\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":253402300800,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":1100.5,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":true,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01T01:18:20+01:00\",\"epoch\":1,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01t00:18:20.5z\",\"epoch\":1,\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01 00:18:20+01:\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01T00:18:60\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01T24:00\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-02-29\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1972-02-29Z\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"2100-02-29\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"0000-01-01\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01T\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"time\":\"1970-01-01T00:18:20+24:00\",\"request\":\"r\"}",
	"{\"id\":\"a\",\"type\":\"withdraw\",\"epoch\":0,\"holder\":\"h\",\"shares\":\"5\"}",
	"{\"id\":\"a\",\"type\":\"transfer\",\"epoch\":0,\"from\":\"h\",\"shares\":\"5\"}",
	"{\"id\":\"a\",\"type\":\"reward\",\"epoch\":0,\"location\":\"buffer\",\"asset\":\"ETH\",\"amount\":\"5\"}",
	"{\"id\":\"a\",\"type\":\"slash\",\"epoch\":0,\"operator\":\"p2p\",\"asset\":\"ETH\",\"amount\":\"5\"}",
	"{\"id\":\"a\",\"type\":\"move\",\"epoch\":0,\"asset\":\"ETH\",\"amount\":\"5\",\"from\":\"buffer\"}",
	"{\"id\":\"a\",\"type\":\"swap\",\"epoch\":0,\"location\":\"buffer\",\"asset_in\":\"E\","
	"\"amount_in\":\"5\",\"asset_out\":\"ETH\",\"amount_out\":1}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\",\"price\":\"0.9993\"}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\",\"price\":\"1.\"}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\",\"price\":\"1.2.3\"}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\","
	"\"price\":\"1.123456789012345678901234567890123456\"}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\","
	"\"price\":\"1.1234567890123456789012345678901234567\"}",
	"{\"id\":\"a\",\"type\":\"price\",\"epoch\":0,\"asset\":\"stETH\",\"price\":"
	"\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}",
	"{\"id\":\"a\",\"type\":\"accept\",\"epoch\":0,\"rate\":1034999999999999999}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_bps\":10000}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"delay_epochs\":1099511627777}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"max_apr_bps\":1000000001}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[{\"holder\":\"a\",\"bps\":5000},"
	"{\"holder\":\"b\",\"bps\":4000}]}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[{\"holder\":"
	"\"0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"bps\":5000},{\"holder\":"
	"\"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"bps\":5000}]}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[]}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[{\"holder\":\"a\"}]}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[{\"holder\":\"a\",\"bps\":1e4}]}",
	"{\"id\":\"a\",\"type\":\"config\",\"epoch\":0,\"fee_recipients\":[{\"holder\":\"a\",\"bps\":10000}],"
	"\"max_rate_change_bps\":100}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":{\"a\":1,\"a\":2}}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"request\":\"s\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":[1,{\"y\":1e400}]}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":1.7976931348623158e308}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":1.797693134862315808e308}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":-99999999999999999999}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":99999999999999999999.5}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":\"\\u0000\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\",\"x\":\"\\ud800\"}",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":0,\"request\":\"r\"} x",
	"{\"id\":\"a\",\"type\":\"claim\",\"epoch\":01,\"request\":\"r\"}",
	"[1, 2]",
	"\"text\"",
};

/* What json_parse.c says of `text` (as `lrt simulate` reads a line): "" when
 * well-formed, else the reason. */
static void c_reason(char *out, size_t size, const char *text)
{
	json_error_t error;
	json_t *value = json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &error);
	lrt_product product;
	lrt_arena arena;
	lrt_event event;

	out[0] = '\0';
	if (value == NULL) {
		snprintf(out, size, "not JSON: %s", error.text);
		return;
	}
	lrt_product_init(&product);
	product.genesis_time = 1000;
	product.epoch_seconds = 100;
	lrt_arena_init(&arena);
	lrt_event_init(&event);
	if (lrt_json_event(&event, &arena, value, &product) != 0)
		snprintf(out, size, "%s", lrt_error_last());
	lrt_event_clear(&event);
	lrt_arena_clear(&arena);
	lrt_product_clear(&product);
	json_decref(value);
}

/*
 * One validator: each edge case, ingested alone, is kept aside with exactly
 * the reason `lrt simulate` gives it (the product of genesis 1000 and
 * epochs of 100 seconds), or loaded when that reason is none.
 */
START_TEST(test_ingest_judges_as_simulate)
{
	static lrt_test_process p;
	PGconn *conn = lrt_test_connect();
	size_t i, count = sizeof(edge_cases) / sizeof(edge_cases[0]);
	unsigned malformed = 0;
	char product[4200], path[4200];
	const char *create[] = {"product", "create", product, NULL};
	const char *paths[1] = {path};
	lrt_store *store = NULL;

	scratch_file(product, sizeof(product), "edge.json",
		     "{\"symbol\": \"EDGE\", \"underlying\": \"ETH\", \"assets\": [{\"symbol\":"
		     " \"ETH\", \"decimals\": 18}], \"genesis_time\": 1000, \"epoch_seconds\": 100}");
	lrt_test_run_ok(&p, create);
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	for (i = 0; i < count; i++) {
		lrt_ingest_report report;
		char expected[1200], line[1300];
		const char *got;

		snprintf(line, sizeof(line), "%s\n", edge_cases[i]);
		scratch_file(path, sizeof(path), "edge.jsonl", line);
		ck_assert_msg(lrt_ingest_files(&report, store, "EDGE", paths, 1, NULL) == 0,
			      "%s: %s", edge_cases[i], lrt_error_last());
		c_reason(expected, sizeof(expected), edge_cases[i]);
		got = lrt_test_value(conn, "SELECT coalesce(string_agg(reason, '; '), '')"
				     "  FROM lrt.ingest_rejects");
		ck_assert_msg(strcmp(expected, got) == 0, "%s\n  simulate: %s\n  ingest:   %s",
			      edge_cases[i], expected, got);
		ck_assert_uint_eq(report.loaded, expected[0] == '\0');
		malformed += expected[0] != '\0';
		lrt_test_exec(conn, "DELETE FROM lrt.inbox; DELETE FROM lrt.ingest_rejects");
	}
	/* the table is mostly malformed cases; a few are fine on purpose */
	ck_assert_uint_eq(malformed, count - 15);
	lrt_store_close(store);
	PQfinish(conn);
}
END_TEST

/* ---- the scenarios ------------------------------------------------------------------------- */

typedef struct {
	int events, loaded, duplicates, rejected;
} scenario_counts;

/* What ingest must report for a scenario: each event line once per id; a
 * repeat with the same content a duplicate, with other content a reject. */
static void count_scenario(scenario_counts *c, const char *text)
{
	json_t *seen = json_object();
	const char *p = text;
	int line = 0;

	memset(c, 0, sizeof(*c));
	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t length = end != NULL ? (size_t)(end - p) : strlen(p);
		json_t *event, *before;
		const char *id;

		if (line++ > 0 && length > 0) {
			event = json_loadb(p, length, 0, NULL);
			ck_assert_ptr_nonnull(event);
			id = json_string_value(json_object_get(event, "id"));
			ck_assert_ptr_nonnull(id);
			before = json_object_get(seen, id);
			c->events++;
			if (before == NULL) {
				c->loaded++;
				json_object_set(seen, id, event);
			} else if (json_equal(before, event)) {
				c->duplicates++;
			} else {
				c->rejected++;
			}
			json_decref(event);
		}
		p += length + (end != NULL);
	}
	json_decref(seen);
}

/* The scenario with its product renamed SYMBOL, so that every scenario can
 * live in one database; the rest of the file is kept byte for byte. */
static void rename_scenario(char *out, size_t size, const char *text, const char *symbol)
{
	const char *newline = strchr(text, '\n');
	json_t *first = json_loadb(text, (size_t)(newline - text), 0, NULL);
	char *dumped;

	ck_assert_ptr_nonnull(first);
	json_object_set_new(json_object_get(first, "product"), "symbol", json_string(symbol));
	dumped = json_dumps(first, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_uint_lt(strlen(dumped) + strlen(newline), size);
	snprintf(out, size, "%s%s", dumped, newline);
	free(dumped);
	json_decref(first);
}

/* Each stored event is the line it came from, in file order. */
static void assert_stored_as_written(PGconn *conn, const char *symbol, const char *text)
{
	const char *params[1] = {symbol};
	PGresult *result = PQexecParams(conn,
		"SELECT i.source_line, i.event::text FROM lrt.inbox i"
		"  JOIN lrt.products p USING (product_id)"
		" WHERE p.symbol = $1 ORDER BY i.ingest_order", 1, NULL, params, NULL, NULL, 0);
	long previous = 0;
	int row;

	ck_assert_int_eq(PQresultStatus(result), PGRES_TUPLES_OK);
	for (row = 0; row < PQntuples(result); row++) {
		long line = strtol(PQgetvalue(result, row, 0), NULL, 10), i;
		const char *p = text;
		json_t *stored, *written;

		ck_assert_int_gt(line, previous);
		previous = line;
		for (i = 1; i < line; i++)
			p = strchr(p, '\n') + 1;
		written = json_loadb(p, (size_t)(strchr(p, '\n') - p), 0, NULL);
		stored = json_loads(PQgetvalue(result, row, 1), 0, NULL);
		ck_assert_msg(written != NULL && stored != NULL && json_equal(written, stored),
			      "%s line %ld: stored %s", symbol, line, PQgetvalue(result, row, 1));
		json_decref(written);
		json_decref(stored);
	}
	PQclear(result);
}

START_TEST(test_every_scenario_loads)
{
	static const char *const names[] = {
		"01-erc4626-offset0", "02-erc4626-offset3", "03-plain-first-deposit",
		"04-fee-shares", "05-smoothing-cap", "06-slash-writedown",
		"07-withdraw-cap", "08-fifo-stop", "09-multi-asset-price",
		"10-guard-trip", "11-rejections", "12-malformed-duplicate-id",
		"13-realistic-erc4626-eth-usdc", "14-realistic-erc4626-sol",
		"15-realistic-plain-eth",
	};
	static lrt_test_process p;
	static char renamed[1 << 20];
	const char *folder = getenv("LRT_DB_SCENARIOS");
	PGconn *conn = lrt_test_connect();
	size_t i;

	ck_assert_msg(folder != NULL, "LRT_DB_SCENARIOS is not set: run the tests with `make check`");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[1200], copy[4200], symbol[16], expected[160], count[32];
		const char *create[] = {"product", "create", copy, NULL};
		const char *ingest[] = {"ingest", "--product", symbol, copy, NULL};
		const char *params[1] = {symbol};
		scenario_counts c;
		char *text;
		PGresult *result;

		snprintf(path, sizeof(path), "%s/%s.jsonl", folder, names[i]);
		snprintf(symbol, sizeof(symbol), "S%02zu", i + 1);
		text = read_whole(path);
		count_scenario(&c, text);
		rename_scenario(renamed, sizeof(renamed), text, symbol);
		scratch_file(copy, sizeof(copy), "scenario.jsonl", renamed);
		lrt_test_run_ok(&p, create);
		lrt_test_run(&p, ingest);
		snprintf(expected, sizeof(expected),
			 "read %d, loaded %d, duplicates %d, rejected %d\n",
			 c.events, c.loaded, c.duplicates, c.rejected);
		ck_assert_msg(strcmp(p.out, expected) == 0, "%s: %s (expected %s) %s",
			      names[i], p.out, expected, p.err);
		ck_assert_int_eq(p.status, c.rejected > 0 ? 2 : 0);
		result = PQexecParams(conn,
			"SELECT count(*) FROM lrt.inbox i JOIN lrt.products p USING (product_id)"
			" WHERE p.symbol = $1", 1, NULL, params, NULL, NULL, 0);
		ck_assert_int_eq(PQresultStatus(result), PGRES_TUPLES_OK);
		snprintf(count, sizeof(count), "%d", c.loaded);
		ck_assert_str_eq(PQgetvalue(result, 0, 0), count);
		PQclear(result);
		assert_stored_as_written(conn, symbol, renamed);
		free(text);
	}
	/* the one malformed scenario: its fourth line, and nothing else */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(source_line || ': ' || reason, '; ') FROM lrt.ingest_rejects"),
		"4: id d1 was used on line 2 with other content");
	PQfinish(conn);
}
END_TEST

/* A scenario file as it is: its product line is skipped. */
START_TEST(test_scenario_file_as_it_is)
{
	static lrt_test_process p;
	char path[1200];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	const char *folder = getenv("LRT_DB_SCENARIOS");
	PGconn *conn = lrt_test_connect();

	ck_assert_ptr_nonnull(folder);
	snprintf(path, sizeof(path), "%s/12-malformed-duplicate-id.jsonl", folder);
	lrt_test_run_ok(&p, create);
	lrt_test_run(&p, ingest);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, "read 3, loaded 2, duplicates 0, rejected 1\n");
	ck_assert_msg(strstr(p.err, "12-malformed-duplicate-id.jsonl:4: id d1 was used on "
			     "line 2 with other content\n") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || '@' || source_line, ',' ORDER BY ingest_order)"
		"  FROM lrt.inbox"), "d1@2,r1@3");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT source_line || ' ' || (raw::jsonb ->> 'amount') FROM lrt.ingest_rejects"),
		"4 200000000000000000000");
	PQfinish(conn);
}
END_TEST

START_TEST(test_same_file_twice_changes_nothing)
{
	static lrt_test_process p;
	char path[1200];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", path, NULL};
	const char *folder = getenv("LRT_DB_SCENARIOS");
	PGconn *conn = lrt_test_connect();
	char inbox[64], outside[64], summary[1400];

	ck_assert_ptr_nonnull(folder);
	snprintf(path, sizeof(path), "%s/13-realistic-erc4626-eth-usdc.jsonl", folder);
	lrt_test_run_ok(&p, create);
	lrt_test_run_ok(&p, ingest);
	ck_assert_str_eq(p.out, "read 1650, loaded 1640, duplicates 10, rejected 0\n");
	snprintf(inbox, sizeof(inbox), "%s", digest_inbox(conn));
	snprintf(outside, sizeof(outside), "%s", digest_outside_inbox(conn));
	lrt_test_run_ok(&p, ingest);
	ck_assert_str_eq(p.out, "read 1650, loaded 0, duplicates 1650, rejected 0\n");
	/* nothing kept aside: only the file's summary line */
	snprintf(summary, sizeof(summary),
		 "%s: 1650 records: 0 loaded, 1650 duplicates, 0 kept aside\n", path);
	ck_assert_str_eq(p.err, summary);
	ck_assert_str_eq(digest_inbox(conn), inbox);
	ck_assert_str_eq(digest_outside_inbox(conn), outside);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.inbox"), "1640");
	PQfinish(conn);
}
END_TEST

/* ---- malformed rows ------------------------------------------------------------------------ */

/* One row of a malformed-input table: its text, and NULL when it loads or a
 * piece of the reason it must be kept aside for.  A row with reason "=" is a
 * duplicate (counted, not stored again). */
typedef struct {
	const char *text;
	const char *reason;
} table_row;

#define DUPLICATE "="

#define EV(fields) "{\"id\": " fields "}"
#define DEPOSIT(id, amount) \
	"{\"id\": \"" id "\", \"type\": \"deposit\", \"epoch\": 3, \"holder\": \"alice\"," \
	" \"asset\": \"ETH\", \"amount\": " amount "}"

static const table_row jsonl_rows[] = {
	{DEPOSIT("v1", "\"1000\""), NULL},
	{"this is not JSON", "not JSON"},
	{DEPOSIT("m1", "\"12x\""), "amount: \"12x\" is not a decimal integer ([0-9]+)"},
	{DEPOSIT("m2", "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\""),
	 "amount: exceeds 2^256-1"},
	{DEPOSIT("m3", "\"-5\""), "amount: \"-5\" is not a decimal integer"},
	{DEPOSIT("m4", "1000"), "amount: must be a decimal string, not a JSON number"},
	{DEPOSIT("m5", "\"\""), "amount: empty, expected a decimal integer string"},
	{DEPOSIT("m6", "\"1.5\""), "amount: \"1.5\" is not a decimal integer"},
	{EV("\"m7\", \"type\": \"price\", \"epoch\": 3, \"asset\": \"stETH\","
	    " \"price\": \"0.1234567890123456789012345678901234567\""),
	 "price: 37 fractional digits, more than 36"},
	{EV("\"m8\", \"type\": \"price\", \"epoch\": 3, \"asset\": \"stETH\", \"price\": \"1.\""),
	 "price: \"1.\" is not a price"},
	{EV("\"m9\", \"type\": \"foo\", \"epoch\": 3"), "type: unknown type \"foo\""},
	{EV("\"m10\", \"epoch\": 3, \"holder\": \"alice\""), "type: missing"},
	{"{\"type\": \"claim\", \"epoch\": 3, \"request\": \"w\"}", "id: missing"},
	{EV("\"m12\", \"type\": \"deposit\", \"epoch\": 3, \"asset\": \"ETH\", \"amount\": \"1\""),
	 "holder: missing"},
	{EV("\"m13\", \"type\": \"transfer\", \"epoch\": 3, \"from\": \"a\", \"shares\": \"1\""),
	 "to: missing"},
	{EV("\"m14\", \"type\": \"claim\", \"request\": \"w\""), "epoch: missing (give \"epoch\" or \"time\")"},
	{EV("\"m15\", \"type\": \"claim\", \"time\": \"2025-13-01\", \"request\": \"w\""),
	 "time: \"2025-13-01\" is not an ISO-8601 time or Unix seconds"},
	{EV("\"m16\", \"type\": \"claim\", \"time\": \"2025-07-10T23:59:59Z\", \"request\": \"w\""),
	 "time: \"2025-07-10T23:59:59Z\" is before genesis_time 1752192000 (2025-07-11T00:00:00Z)"},
	{EV("\"m17\", \"type\": \"claim\", \"time\": 1752451200, \"epoch\": 2, \"request\": \"w\""),
	 "time: 1752451200 falls in epoch 3, but epoch says 2"},
	{EV("\"m18\", \"type\": \"claim\", \"epoch\": 1, \"request\": \"w\""),
	 "epoch 1 is already settled (rstETH is settled through epoch 2)"},
	{EV("\"m19\", \"type\": \"claim\", \"time\": 1752300000, \"request\": \"w\""),
	 "epoch 1 is already settled"},
	{DEPOSIT("v2", "\"5\""), NULL},
	{DEPOSIT("v2", "\"6\""), "id v2 was used on line 23 with other content"},
	{DEPOSIT("v2", "\"5\""), DUPLICATE},
	{DEPOSIT("pre1", "\"7\""), "id pre1 was used before with other content (earlier.jsonl:1)"},
	{DEPOSIT("pre2", "\"8\""), DUPLICATE},
	{EV("\"m20\", \"type\": \"config\", \"epoch\": 3, \"fee_recipients\":"
	    " [{\"holder\": \"a\", \"bps\": 5000}, {\"holder\": \"b\", \"bps\": 4000}]"),
	 "fee_recipients: bps sum to 9000, not 10000"},
	{EV("\"m21\", \"type\": \"config\", \"epoch\": 3, \"fee_recipients\":"
	    " [{\"holder\": \"a\", \"bps\": 5000}, {\"holder\": \"a\", \"bps\": 5000}]"),
	 "fee_recipients[1].holder: a is listed twice"},
	{EV("\"m22\", \"type\": \"config\", \"epoch\": 3"),
	 "config: names none of fee_bps, fee_recipients, delay_epochs, max_apr_bps, max_rate_change_bps"},
	{EV("\"m23\", \"type\": \"config\", \"epoch\": 3, \"fee_bps\": 10000"),
	 "fee_bps: 10000 is out of range 0..9999"},
	{EV("\"m24\", \"type\": \"claim\", \"epoch\": -1, \"request\": \"w\""),
	 "epoch: -1 is out of range 0..1099511627776"},
	{EV("\"m25\", \"type\": \"claim\", \"epoch\": 3.5, \"request\": \"w\""), "epoch: must be a JSON integer"},
	{EV("\"m26\", \"type\": \"claim\", \"epoch\": 1e1, \"request\": \"w\""), "epoch: must be a JSON integer"},
	{EV("\"m27\", \"type\": \"claim\", \"epoch\": 3, \"seq\": \"7\", \"request\": \"w\""),
	 "seq: must be a JSON integer"},
	{EV("\"m28\", \"type\": \"claim\", \"epoch\": 3, \"request\": \"w\", \"request\": \"x\""),
	 "not JSON: duplicate object key"},
	{EV("\"m29\", \"type\": \"claim\", \"epoch\": 3, \"seq\": 9223372036854775808, \"request\": \"w\""),
	 "not JSON: too big integer"},
	{EV("\"m30\", \"type\": \"deposit\", \"epoch\": 3, \"holder\": \"\", \"asset\": \"ETH\", \"amount\": \"1\""),
	 "holder: must not be empty"},
	{EV("\"m31\", \"type\": \"deposit\", \"epoch\": 3, \"holder\": 7, \"asset\": \"ETH\", \"amount\": \"1\""),
	 "holder: must be a string"},
	{"[\"m32\", \"deposit\"]", "event: must be a JSON object"},
	{EV("\"m33\", \"type\": \"deposit\", \"epoch\": 3, \"holder\": \"al\xff" "ce\", \"asset\": \"ETH\", \"amount\": \"1\""),
	 "not UTF-8: byte 0xFF at column 59"},
	{EV("\"m34\", \"type\": \"claim\", \"time\": 1752451200.5, \"request\": \"w\""),
	 "time: must be ISO-8601 text or Unix seconds"},
	{EV("\"m35\", \"type\": \"swap\", \"epoch\": 3, \"location\": \"buffer\", \"asset_in\": \"stETH\","
	    " \"amount_in\": \"1\", \"asset_out\": \"ETH\", \"amount_out\": 1"),
	 "amount_out: must be a decimal string, not a JSON number"},
	{EV("\"m36\", \"type\": \"slash\", \"epoch\": 3, \"operator\": \"p2p\", \"asset\": \"ETH\", \"amount\": \"1\""),
	 "avs: missing"},
	{EV("\"m37\", \"type\": \"accept\", \"epoch\": 3, \"rate\": \"1.5\""),
	 "rate: \"1.5\" is not a decimal integer"},
	{EV("\"v3\", \"type\": \"deposit\", \"time\": \"2025-07-14T10:00:00+02:00\", \"seq\": 12,"
	    " \"holder\": \"0xAbCdEf0123456789aBcDeF0123456789AbCdEf01\", \"asset\": \"ETH\","
	    " \"amount\": \"3\", \"note\": {\"kept\": [1, 2.5]}"), NULL},
	{EV("\"v4\", \"type\": \"config\", \"epoch\": 4, \"fee_bps\": 500, \"fee_recipients\":"
	    " [{\"holder\": \"treasury\", \"bps\": 6000}, {\"holder\": \"ops\", \"bps\": 4000}]"), NULL},
	{EV("\"v5\", \"type\": \"reward\", \"epoch\": 3, \"source\": \"consensus\", \"location\": \"nowhere\","
	    " \"asset\": \"DOGE\", \"amount\": \"1\""), NULL},
};

/* Writes the rows, one a line, with blank lines among them; line numbers
 * into `lines`. */
static void write_jsonl_table(char *path, size_t size, const table_row *rows, size_t count,
			      unsigned *lines)
{
	size_t i, used = 0, capacity = 1 << 16;
	char *text = malloc(capacity);
	unsigned line = 1;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < count; i++) {
		size_t length = strlen(rows[i].text);

		ck_assert_uint_lt(used + length + 3, capacity);
		lines[i] = line;
		memcpy(text + used, rows[i].text, length);
		used += length;
		text[used++] = '\n';
		line++;
		if (i == 5) {
			text[used++] = '\n';   /* a blank line counts, and is skipped */
			line++;
		}
	}
	text[used] = '\0';
	scratch_file(path, size, "events.jsonl", text);
	free(text);
}

/*
 * Checks what an ingest of `rows` (at `lines`) left: each reject at its
 * line with its reason, in line order, and exactly the valid rows' ids in
 * the inbox after `before` (ids stored by earlier ingests).
 */
static void assert_table_outcome(PGconn *conn, const char *file, const table_row *rows,
				 size_t count, const unsigned *lines, const char *before)
{
	char query[512], loaded[1024];
	const char *params[1] = {file};
	PGresult *result;
	size_t i;
	int row = 0;

	snprintf(loaded, sizeof(loaded), "%s", before);
	snprintf(query, sizeof(query),
		 "SELECT source_line, reason FROM lrt.ingest_rejects"
		 " WHERE source_file = $1 ORDER BY source_line");
	result = PQexecParams(conn, query, 1, NULL, params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(result), PGRES_TUPLES_OK);
	for (i = 0; i < count; i++) {
		if (rows[i].reason == NULL && rows[i].text[0] != '{') {
			/* a CSV row: its id is its first cell */
			snprintf(loaded + strlen(loaded), sizeof(loaded) - strlen(loaded), "%s%.*s",
				 loaded[0] ? "," : "", (int)strcspn(rows[i].text, ","), rows[i].text);
			continue;
		}
		if (rows[i].reason == NULL) {
			json_t *event = json_loads(rows[i].text, 0, NULL);

			ck_assert_ptr_nonnull(event);
			snprintf(loaded + strlen(loaded), sizeof(loaded) - strlen(loaded), "%s%s",
				 loaded[0] ? "," : "",
				 json_string_value(json_object_get(event, "id")));
			json_decref(event);
			continue;
		}
		if (strcmp(rows[i].reason, DUPLICATE) == 0)
			continue;
		ck_assert_msg(row < PQntuples(result), "no reject for line %u (%s)",
			      lines[i], rows[i].reason);
		ck_assert_msg(strtoul(PQgetvalue(result, row, 0), NULL, 10) == lines[i]
			      && strstr(PQgetvalue(result, row, 1), rows[i].reason) != NULL,
			      "line %u: expected \"%s\", got line %s: \"%s\"", lines[i],
			      rows[i].reason, PQgetvalue(result, row, 0),
			      PQgetvalue(result, row, 1));
		row++;
	}
	ck_assert_int_eq(row, PQntuples(result));
	PQclear(result);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id, ',' ORDER BY ingest_order) FROM lrt.inbox"), loaded);
}

/*
 * The product at settled epoch 2, with pre1 and pre2 ingested before from
 * "earlier.jsonl" (the test runs in its folder, so that the name is short).
 */
static void prepare_table_test(PGconn *conn, lrt_test_process *p)
{
	char earlier[4200];
	const char *ingest[] = {"ingest", "earlier.jsonl", NULL};

	create_product();
	scratch_file(earlier, sizeof(earlier), "earlier.jsonl",
		     DEPOSIT("pre1", "\"70\"") "\n" DEPOSIT("pre2", "\"8\"") "\n");
	*strrchr(earlier, '/') = '\0';
	ck_assert_int_eq(chdir(earlier), 0);
	lrt_test_run_ok(p, ingest);
	lrt_test_exec(conn, "UPDATE lrt.product_state SET settled_epoch = 2");
}

START_TEST(test_malformed_jsonl_rows)
{
	static lrt_test_process p;
	size_t count = sizeof(jsonl_rows) / sizeof(jsonl_rows[0]);
	unsigned lines[64];
	char path[4200], outside[64], summary[160];
	const char *ingest[] = {"ingest", path, NULL};
	PGconn *conn = lrt_test_connect();
	size_t i, valid = 0, duplicates = 0;

	ck_assert_uint_le(count, 64);
	prepare_table_test(conn, &p);
	write_jsonl_table(path, sizeof(path), jsonl_rows, count, lines);
	snprintf(outside, sizeof(outside), "%s", digest_outside_inbox(conn));
	lrt_test_run(&p, ingest);
	for (i = 0; i < count; i++) {
		valid += jsonl_rows[i].reason == NULL;
		duplicates += jsonl_rows[i].reason != NULL
			      && strcmp(jsonl_rows[i].reason, DUPLICATE) == 0;
	}
	ck_assert_uint_ge(count - valid - duplicates, 30);
	snprintf(summary, sizeof(summary), "read %zu, loaded %zu, duplicates %zu, rejected %zu\n",
		 count, valid, duplicates, count - valid - duplicates);
	ck_assert_str_eq(p.out, summary);
	ck_assert_int_eq(p.status, 2);
	/* the first 20 rejects on stderr, as FILE:LINE: reason, then a count */
	ck_assert_msg(strstr(p.err, "events.jsonl:2: not JSON: ") != NULL, "%s", p.err);
	ck_assert_msg(strstr(p.err, "events.jsonl:3: amount: \"12x\" is not a decimal "
			     "integer ([0-9]+)\n") != NULL, "%s", p.err);
	ck_assert_msg(strstr(p.err, "more lines kept aside") != NULL, "%s", p.err);
	assert_table_outcome(conn, path, jsonl_rows, count, lines, "pre1,pre2");
	ck_assert_str_eq(digest_outside_inbox(conn), outside);
	/* stored as given: the address keeps its case, unknown fields stay */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT event ->> 'holder' || ' ' || epoch || ' ' || seq || ' ' || (event -> 'note')::text"
		"  FROM lrt.inbox WHERE event_id = 'v3'"),
		"0xAbCdEf0123456789aBcDeF0123456789AbCdEf01 3 12 {\"kept\": [1, 2.5]}");
	/* the raw text of a reject is kept */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT raw FROM lrt.ingest_rejects WHERE source_line = 2"), "this is not JSON");
	PQfinish(conn);
}
END_TEST

/* The CSV table: a header, then rows; "\n" inside a quoted cell stays. */
static const char csv_header[] =
	"id,type,epoch,time,seq,holder,from,to,asset,amount,price,fee_bps,fee_recipients,note";

static const table_row csv_rows[] = {
	{"c1,deposit,3,,,alice,,,ETH,1000,,,,", NULL},
	{"c2,deposit,3,,,alice,,,ETH,12x,,,,", "amount: \"12x\" is not a decimal integer ([0-9]+)"},
	{"c3,deposit,3,,,alice,,,ETH,"
	 "115792089237316195423570985008687907853269984665640564039457584007913129639936,,,,",
	 "amount: exceeds 2^256-1"},
	{"c4,deposit,3,,,alice,,,ETH,-5,,,,", "amount: \"-5\" is not a decimal integer"},
	{"c5,deposit,3,,,alice,,,ETH, 5,,,,", "amount: \" 5\" is not a decimal integer"},
	{"c6,price,3,,,,,,stETH,,0.1234567890123456789012345678901234567,,,",
	 "price: 37 fractional digits, more than 36"},
	{"c7,price,3,,,,,,stETH,,1.,,,", "price: \"1.\" is not a price"},
	{"c8,foo,3,,,,,,,,,,,", "type: unknown type \"foo\""},
	{"c9,,3,,,alice,,,ETH,1,,,,", "type: missing"},
	{",deposit,3,,,alice,,,ETH,1,,,,", "id: missing"},
	{"c11,deposit,3,,,,,,ETH,1,,,,", "holder: missing"},
	{"c12,deposit,,,,alice,,,ETH,1,,,,", "epoch: missing (give \"epoch\" or \"time\")"},
	{"c13,deposit,,2025-07-14T25:00:00Z,,alice,,,ETH,1,,,,",
	 "time: \"2025-07-14T25:00:00Z\" is not an ISO-8601 time or Unix seconds"},
	{"c14,deposit,,1752191999,,alice,,,ETH,1,,,,",
	 "time: 1752191999 is before genesis_time 1752192000 (2025-07-11T00:00:00Z)"},
	{"c15,deposit,2,2025-07-14T00:00:00Z,,alice,,,ETH,1,,,,",
	 "time: \"2025-07-14T00:00:00Z\" falls in epoch 3, but epoch says 2"},
	{"c16,deposit,2,,,alice,,,ETH,1,,,,", "epoch 2 is already settled (rstETH is settled through epoch 2)"},
	{"c17,deposit,x,,,alice,,,ETH,1,,,,", "epoch: must be a JSON integer"},
	{"c18,deposit,-1,,,alice,,,ETH,1,,,,", "epoch: -1 is out of range 0..1099511627776"},
	{"c19,deposit,3,,1.5,alice,,,ETH,1,,,,", "seq: must be a JSON integer"},
	{"c1,deposit,3,,,alice,,,ETH,1001,,,,", "id c1 was used on line 2 with other content"},
	{"c1,deposit,3,,,alice,,,ETH,1000,,,,", DUPLICATE},
	{"c20,deposit,3,,,al\"ice,,,ETH,1,,,,", "CSV: a quote inside unquoted cell 6"},
	{"c21,deposit,3,,,\"alice\"x,,,ETH,1,,,,", "CSV: text after the closing quote of cell 6"},
	{"c22,deposit,3,,,al\xc3" "ce,,,ETH,1,,,,", "not UTF-8: byte 0xC3 at column 19"},
	{"c23,deposit,3,,,alice,,,ETH,1", "CSV: 10 cells, but the header names 14 columns"},
	{"c24,config,3,,,,,,,,,,\"not json\",", "fee_recipients: not JSON"},
	{"c25,config,3,,,,,,,,,,\"[{\"\"holder\"\": \"\"a\"\", \"\"bps\"\": 9000}]\",",
	 "fee_recipients: bps sum to 9000, not 10000"},
	{"c26,config,3,,,,,,,,,,,", "config: names none of fee_bps"},
	{"c27,config,3,,,,,,,,,10000,,", "fee_bps: 10000 is out of range 0..9999"},
	{"c28,transfer,3,,,,alice,,,,,,,", "to: missing"},
	{"c29,claim,3,,99999999999999999999,,,,,,,,,", "seq: 99999999999999999999 is out of range"},
	{"c30,withdraw,3,,,alice,,,,,,,,", "shares: missing"},
	{"c31,deposit,3,,,\"two\nlines\",,,ETH,2,,,,\"a, b\"", NULL},
	{"c32,config,4,,,,,,,,,100,\"[{\"\"holder\"\": \"\"t\"\", \"\"bps\"\": 10000}]\",", NULL},
	{"c33,deposit,,1752451200,7,0xAbCdEf0123456789aBcDeF0123456789AbCdEf01,,,ETH,3,,,,", NULL},
	{"c34,deposit,3,,,alice,,,ETH,\"unclosed,,,,", "CSV: quoted cell 10 is not closed"},
};

START_TEST(test_malformed_csv_rows)
{
	static lrt_test_process p;
	size_t count = sizeof(csv_rows) / sizeof(csv_rows[0]), i, used, valid = 0;
	size_t duplicates = 0;
	unsigned lines[64], line = 2;
	char path[4200], outside[64], summary[160], text[16384];
	const char *ingest[] = {"ingest", path, NULL};
	PGconn *conn = lrt_test_connect();

	ck_assert_uint_le(count, 64);
	prepare_table_test(conn, &p);
	used = (size_t)snprintf(text, sizeof(text), "%s\r\n", csv_header);
	for (i = 0; i < count; i++) {
		const char *c;

		lines[i] = line;
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\r\n", csv_rows[i].text);
		for (c = csv_rows[i].text; *c != '\0'; c++)
			line += *c == '\n';
		line++;
		valid += csv_rows[i].reason == NULL;
		duplicates += csv_rows[i].reason != NULL && strcmp(csv_rows[i].reason, DUPLICATE) == 0;
	}
	ck_assert_uint_lt(used, sizeof(text) - 1);
	scratch_file(path, sizeof(path), "events.csv", text);
	snprintf(outside, sizeof(outside), "%s", digest_outside_inbox(conn));
	lrt_test_run(&p, ingest);
	ck_assert_uint_ge(count - valid - duplicates, 30);
	snprintf(summary, sizeof(summary), "read %zu, loaded %zu, duplicates %zu, rejected %zu\n",
		 count, valid, duplicates, count - valid - duplicates);
	ck_assert_str_eq(p.out, summary);
	ck_assert_int_eq(p.status, 2);
	assert_table_outcome(conn, path, csv_rows, count, lines, "pre1,pre2");
	ck_assert_str_eq(digest_outside_inbox(conn), outside);
	/* cells become the JSON of the event: numbers, strings, the list */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event::text, ' | ' ORDER BY ingest_order) FROM lrt.inbox"
		" WHERE event_id IN ('c1', 'c31', 'c32', 'c33')"),
		"{\"id\": \"c1\", \"type\": \"deposit\", \"asset\": \"ETH\", \"epoch\": 3,"
		" \"amount\": \"1000\", \"holder\": \"alice\"} | "
		"{\"id\": \"c31\", \"note\": \"a, b\", \"type\": \"deposit\", \"asset\": \"ETH\","
		" \"epoch\": 3, \"amount\": \"2\", \"holder\": \"two\\nlines\"} | "
		"{\"id\": \"c32\", \"type\": \"config\", \"epoch\": 4, \"fee_bps\": 100,"
		" \"fee_recipients\": [{\"bps\": 10000, \"holder\": \"t\"}]} | "
		"{\"id\": \"c33\", \"seq\": 7, \"time\": 1752451200, \"type\": \"deposit\","
		" \"asset\": \"ETH\", \"amount\": \"3\","
		" \"holder\": \"0xAbCdEf0123456789aBcDeF0123456789AbCdEf01\"}");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT epoch || ' ' || seq FROM lrt.inbox WHERE event_id = 'c33'"), "3 7");
	PQfinish(conn);
}
END_TEST

/* ---- files ----------------------------------------------------------------------------------- */

START_TEST(test_files_refused_whole)
{
	static lrt_test_process p;
	char other[4200], header[4200], good[4200];
	const char *ingest_other[] = {"ingest", other, NULL};
	const char *ingest_header[] = {"ingest", header, NULL};
	const char *ingest_missing[] = {"ingest", good, "/nonexistent/x.jsonl", NULL};
	const char *no_product[] = {"ingest", "--product", "nope", good, NULL};
	PGconn *conn = lrt_test_connect();

	create_product();
	scratch_file(other, sizeof(other), "other.jsonl",
		     "{\"product\": {\"symbol\": \"rstSOL\"}}\n" DEPOSIT("o1", "\"1\"") "\n");
	lrt_test_run(&p, ingest_other);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "other.jsonl:1: this file is for product rstSOL, not rstETH")
		      != NULL, "%s", p.err);
	ck_assert_str_eq(p.out, "");
	scratch_file(header, sizeof(header), "events.csv",
		     "id,type,epoch,id\nh1,claim,3,w\n");
	lrt_test_run(&p, ingest_header);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "events.csv:1: header: column 4 \"id\" is named twice")
		      != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT (SELECT count(*) FROM lrt.inbox) + (SELECT count(*) FROM lrt.ingest_rejects)"), "0");
	/* the first file loads, the missing second fails: exit 1, the first stays */
	scratch_file(good, sizeof(good), "good.jsonl", DEPOSIT("g1", "\"1\"") "\n");
	lrt_test_run(&p, ingest_missing);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "/nonexistent/x.jsonl: cannot open") != NULL, "%s", p.err);
	ck_assert_str_eq(p.out, "read 1, loaded 1, duplicates 0, rejected 0 (before the failure)\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(event_id, ',') FROM lrt.inbox"), "g1");
	lrt_test_run(&p, no_product);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "no product nope") != NULL, "%s", p.err);
	PQfinish(conn);
}
END_TEST

START_TEST(test_usage_and_help)
{
	static lrt_test_process p;
	const char *help[] = {"help", "ingest", NULL};
	const char *none[] = {"ingest", NULL};
	const char *format[] = {"ingest", "--format", "xml", "x.csv", NULL};

	lrt_test_run_ok(&p, help);
	ck_assert_msg(strstr(p.out, "Usage: lrt ingest") != NULL && strstr(p.out, "CSV") != NULL
		      && strstr(p.out, "Exit status") != NULL, "%s", p.out);
	lrt_test_run(&p, none);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "name at least one FILE") != NULL, "%s", p.err);
	lrt_test_run(&p, format);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strstr(p.err, "--format: \"xml\" is not auto, jsonl or csv") != NULL, "%s", p.err);
}
END_TEST

typedef struct {
	char rejects[2048];
	unsigned progress_calls;
	int done_seen;
	uint64_t records;
} callbacks_seen;

static void on_reject(void *context, const char *file, uint64_t line, const char *reason)
{
	callbacks_seen *seen = context;
	size_t used = strlen(seen->rejects);

	snprintf(seen->rejects + used, sizeof(seen->rejects) - used, "%s:%llu: %s\n",
		 strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file,
		 (unsigned long long)line, reason);
}

static void on_progress(void *context, const lrt_ingest_progress *progress)
{
	callbacks_seen *seen = context;

	seen->progress_calls++;
	if (progress->done) {
		seen->done_seen++;
		seen->records = progress->records;
		ck_assert_uint_eq(progress->bytes_read, progress->bytes_total);
	}
}

/* The library: several files in order, standard input, the callbacks. */
START_TEST(test_library_files_in_order)
{
	char first[4200], second[4200];
	const char *paths[3] = {first, "-", second};
	lrt_ingest_options options = LRT_INGEST_OPTIONS_INIT;
	lrt_ingest_report report;
	callbacks_seen seen;
	lrt_store *store = NULL;
	PGconn *conn = lrt_test_connect();
	FILE *in;

	create_product();
	scratch_file(first, sizeof(first), "first.csv",
		     "id,type,epoch,holder,asset,amount\na1,deposit,3,alice,ETH,1\n"
		     "a2,deposit,3,bob,ETH,x\na3,deposit,3,carol,ETH,3\n");
	scratch_file(second, sizeof(second), "second.jsonl",
		     DEPOSIT("b1", "\"1\"") "\n" DEPOSIT("a1", "\"2\"") "\n");
	/* standard input: a scratch file put in its place */
	{
		char piped[4200];

		scratch_file(piped, sizeof(piped), "stdin.jsonl",
			     DEPOSIT("s1", "\"1\"") "\n"
			     "{\"id\": \"a3\", \"type\": \"deposit\", \"epoch\": 3, \"holder\":"
			     " \"carol\", \"asset\": \"ETH\", \"amount\": \"3\"}\n");
		in = freopen(piped, "rb", stdin);
		ck_assert_ptr_nonnull(in);
	}
	memset(&seen, 0, sizeof(seen));
	options.on_reject = on_reject;
	options.on_progress = on_progress;
	options.reject_detail_max = 1;
	options.context = &seen;
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_msg(lrt_ingest_files(&report, store, "rstETH", paths, 3, &options) == 0,
		      "%s", lrt_error_last());
	lrt_store_close(store);
	ck_assert_uint_eq(report.read, 7);
	ck_assert_uint_eq(report.loaded, 4);
	ck_assert_uint_eq(report.duplicates, 1);
	ck_assert_uint_eq(report.rejected, 2);
	ck_assert_uint_eq(report.files_done, 3);
	/* only the first reject in detail: reject_detail_max is 1 */
	ck_assert_str_eq(seen.rejects, "first.csv:3: amount: \"x\" is not a decimal integer ([0-9]+)\n");
	ck_assert_int_eq(seen.done_seen, 3);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || '@' || source_file, ',' ORDER BY ingest_order)"
		"  FROM (SELECT event_id, regexp_replace(source_file, '.*/', '') source_file,"
		"               ingest_order FROM lrt.inbox) i"),
		"a1@first.csv,a3@first.csv,s1@<stdin>,b1@second.jsonl");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(regexp_replace(source_file, '.*/', '') || ':' || source_line"
		"                  || ' ' || regexp_replace(reason, '[(].*/', '('), '; '"
		"                  ORDER BY reject_id)"
		"  FROM lrt.ingest_rejects"),
		"first.csv:3 amount: \"x\" is not a decimal integer ([0-9]+); "
		"second.jsonl:2 id a1 was used before with other content (first.csv:2)");
	PQfinish(conn);
}
END_TEST

/* ---- events submitted with SQL --------------------------------------------------------------- */

#define SUBMIT(event) \
	"INSERT INTO lrt.submissions (product, event) VALUES ('rstETH', '" event "')"

/*
 * A back-office submits with plain SQL as lrt_writer, which may neither
 * write the inbox nor read the submissions; `lrt ingest --pending` judges
 * each submission with the validator of files, in order, and empties the
 * product's submissions.
 */
START_TEST(test_submissions_judged_at_pending)
{
	static lrt_test_process p;
	const char *pending[] = {"ingest", "--pending", NULL};
	PGconn *conn = lrt_test_connect();

	create_product();
	lrt_test_exec(conn, "UPDATE lrt.product_state SET settled_epoch = 2");
	lrt_test_exec(conn, "SET ROLE lrt_writer");
	lrt_test_exec(conn, SUBMIT("{\"id\": \"ok1\", \"type\": \"claim\","
		" \"time\": \"2025-07-15T01:00:00+02:00\", \"seq\": 9, \"request\": \"w\"}"));
	lrt_test_exec(conn, SUBMIT("{\"id\": \"x1\", \"type\": \"deposit\", \"epoch\": 3,"
		" \"holder\": \"alice\", \"asset\": \"ETH\", \"amount\": 5}"));
	lrt_test_exec(conn, SUBMIT("{\"id\": \"x6\", \"type\": \"claim\", \"epoch\": 2,"
		" \"request\": \"w\"}"));
	lrt_test_exec(conn, SUBMIT("{\"id\": \"ok1\", \"type\": \"claim\", \"epoch\": 3,"
		" \"request\": \"v\"}"));
	lrt_test_exec(conn, SUBMIT("{\"id\": \"ok1\", \"type\": \"claim\","
		" \"time\": \"2025-07-15T01:00:00+02:00\", \"seq\": 9, \"request\": \"w\"}"));
	lrt_test_exec(conn, "INSERT INTO lrt.submissions (product, event) VALUES"
		      " ('rstSOL', 'not yet')");
	ck_assert_str_eq(lrt_test_sqlstate(conn, "SELECT count(*) FROM lrt.submissions"),
			 "42501");
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, type, event) VALUES"
		" (1, 'x', 3, 'claim', '{}')"), "42501");
	lrt_test_exec(conn, "RESET ROLE");
	lrt_test_run(&p, pending);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, "read 5, loaded 1, duplicates 1, rejected 3\n");
	ck_assert_msg(strstr(p.err, "lrt.submissions:2: amount: must be a decimal string, not a"
			     " JSON number\n") != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(source_line || ' ' || reason, '; ' ORDER BY source_line)"
		"  FROM lrt.ingest_rejects WHERE source_file = 'lrt.submissions'"),
		"2 amount: must be a decimal string, not a JSON number; "
		"3 epoch 2 is already settled (rstETH is settled through epoch 2); "
		"4 id ok1 was used on line 1 with other content");
	/* typed columns, the event as submitted */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT event_id || ' ' || type || ' ' || epoch || ' ' || seq || ' ' || request"
		"       || ' ' || source_file || ':' || source_line || ' ' || (event ->> 'time')"
		"  FROM lrt.inbox"), "ok1 claim 3 9 w lrt.submissions:1 2025-07-15T01:00:00+02:00");
	/* another product's submission waits for its own --pending */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(product || ' ' || event, ',') FROM lrt.submissions"),
		"rstSOL not yet");
	lrt_test_run(&p, pending);
	ck_assert_int_eq(p.status, 0);
	ck_assert_str_eq(p.out, "read 0, loaded 0, duplicates 0, rejected 0\n");
	PQfinish(conn);
}
END_TEST

/* ---- concurrency ------------------------------------------------------------------------------ */

/* Events e0000.. of `from` to `to` (inclusive), forwards or backwards. */
static void write_events(char *path, size_t size, const char *name, int from, int to, int step)
{
	char *text = malloc(400 * 1000);
	size_t used = 0;
	int i;

	ck_assert_ptr_nonnull(text);
	for (i = from; step > 0 ? i <= to : i >= to; i += step)
		used += (size_t)sprintf(text + used,
			"{\"id\": \"e%04d\", \"type\": \"deposit\", \"epoch\": %d, \"seq\": %d,"
			" \"holder\": \"h%d\", \"asset\": \"ETH\", \"amount\": \"%d\"}\n",
			i, 3 + i % 4, i, i % 97, 1000 + i);
	scratch_file(path, size, name, text);
	free(text);
}

START_TEST(test_concurrent_overlapping_ingests)
{
	static lrt_test_process workers[2];
	char first[4200], second[4200];
	const char *ingest_first[] = {"ingest", first, NULL};
	const char *ingest_second[] = {"ingest", second, NULL};
	PGconn *conn = lrt_test_connect();
	unsigned long read[2], loaded[2], duplicates[2], rejected[2];
	int round, i;

	create_product();
	/* 0..599 forwards and 300..899 backwards: 300 shared ids met in
	 * opposite orders */
	write_events(first, sizeof(first), "first.jsonl", 0, 599, 1);
	write_events(second, sizeof(second), "second.jsonl", 899, 300, -1);
	for (round = 0; round < 2; round++) {
		lrt_test_spawn(&workers[0], ingest_first);
		lrt_test_spawn(&workers[1], ingest_second);
		for (i = 0; i < 2; i++) {
			lrt_test_wait(&workers[i]);
			ck_assert_msg(workers[i].status == 0, "ingest %d exited %d: %s", i,
				      workers[i].status, workers[i].err);
			ck_assert_int_eq(sscanf(workers[i].out,
				"read %lu, loaded %lu, duplicates %lu, rejected %lu",
				&read[i], &loaded[i], &duplicates[i], &rejected[i]), 4);
			ck_assert_uint_eq(read[i], 600);
			ck_assert_uint_eq(rejected[i], 0);
		}
		/* each event stored once, by one of them; the other counted it */
		ck_assert_uint_eq(loaded[0] + loaded[1], round == 0 ? 900 : 0);
		ck_assert_uint_eq(duplicates[0] + duplicates[1], round == 0 ? 300 : 1200);
	}
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) || ' ' || count(DISTINCT event_id) || ' ' || min(event_id) || ' '"
		"       || max(event_id) FROM lrt.inbox"), "900 900 e0000 e0899");
	/* within each file, ingest_order follows its lines */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT bool_and(ok) FROM (SELECT source_line > lag(source_line)"
		"   OVER (PARTITION BY source_file ORDER BY ingest_order) AS ok FROM lrt.inbox) x"
		" WHERE ok IS NOT NULL"), "t");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.ingest_rejects"), "0");
	PQfinish(conn);
}
END_TEST

/*
 * A settlement that commits while an ingest inserts: the ingest waits for
 * it, sees the new settled epoch, and keeps the events that became late
 * aside instead of storing them.
 */
START_TEST(test_settlement_during_ingest)
{
	static lrt_test_process p;
	char path[4200];
	const char *ingest[] = {"ingest", path, NULL};
	PGconn *conn = lrt_test_connect(), *settler = lrt_test_connect();
	int waited;

	create_product();
	scratch_file(path, sizeof(path), "events.jsonl",
		"{\"id\": \"s2\", \"type\": \"claim\", \"epoch\": 2, \"request\": \"w\"}\n"
		"{\"id\": \"s3\", \"type\": \"claim\", \"epoch\": 3, \"request\": \"w\"}\n"
		"{\"id\": \"s4\", \"type\": \"claim\", \"epoch\": 4, \"request\": \"w\"}\n");
	lrt_test_exec(settler, "BEGIN");
	lrt_test_exec(settler, "UPDATE lrt.product_state SET settled_epoch = 3");
	lrt_test_spawn(&p, ingest);
	for (waited = 0; waited < 400; waited++) {
		if (strcmp(lrt_test_value(conn,
			"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
			"   AND datname = current_database()"), "1") == 0)
			break;
		usleep(25 * 1000);
	}
	ck_assert_msg(waited < 400, "the ingest never waited for the settlement");
	lrt_test_exec(settler, "COMMIT");
	lrt_test_wait(&p);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, "read 3, loaded 1, duplicates 0, rejected 2\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(event_id, ',') FROM lrt.inbox"), "s4");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(source_line || ' ' || reason, '; ' ORDER BY source_line)"
		"  FROM lrt.ingest_rejects"),
		"1 epoch 2 is already settled (rstETH is settled through epoch 3); "
		"2 epoch 3 is already settled (rstETH is settled through epoch 3)");
	PQfinish(settler);
	PQfinish(conn);
}
END_TEST

Suite *ingest_suite(void)
{
	Suite *suite = suite_create("ingest");
	TCase *framing = tcase_create("framing");
	TCase *database = tcase_create("database");

	tcase_add_test(framing, test_frame_jsonl_lines);
	tcase_add_test(framing, test_frame_jsonl_bad_bytes);
	tcase_add_test(framing, test_frame_long_line);
	tcase_add_test(framing, test_frame_csv_records);
	suite_add_tcase(suite, framing);

	tcase_add_unchecked_fixture(database, make_template, drop_template);
	tcase_add_checked_fixture(database, fresh_migrated_database, NULL);
	tcase_set_timeout(database, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(database, test_ingest_judges_as_simulate);
	tcase_add_test(database, test_every_scenario_loads);
	tcase_add_test(database, test_scenario_file_as_it_is);
	tcase_add_test(database, test_same_file_twice_changes_nothing);
	tcase_add_test(database, test_malformed_jsonl_rows);
	tcase_add_test(database, test_malformed_csv_rows);
	tcase_add_test(database, test_files_refused_whole);
	tcase_add_test(database, test_usage_and_help);
	tcase_add_test(database, test_library_files_in_order);
	tcase_add_test(database, test_submissions_judged_at_pending);
	tcase_add_test(database, test_concurrent_overlapping_ingests);
	tcase_add_test(database, test_settlement_during_ingest);
	suite_add_tcase(suite, database);
	return suite;
}
