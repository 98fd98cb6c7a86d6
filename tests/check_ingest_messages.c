/*
 * check_ingest_messages.c - what `lrt ingest`, `lrt simulate` and `lrt
 * product create` tell a person about bad input, in one run:
 *
 *   - every problem of a line, not only the first: the validator's reason
 *     names them all (at most LRT_RECORD_PROBLEMS_MAX, the rest counted),
 *     the same in ingest's reject and simulate's message, a CSV cell that
 *     cannot become JSON among them and not named twice;
 *   - a CSV column that misspells a field is refused with the field meant
 *     ("tme": did you mean "time"?), a column far from every field is
 *     kept; a file separated by ";" or tabs is said to be;
 *   - a bad time is quoted as it was written, never reformatted;
 *   - a UTF-8 byte order mark is skipped alike by every reader: ingest's
 *     JSON Lines and CSV, simulate, product create (same outcome as without
 *     it, same line numbers);
 *   - one summary line per file;
 *   - a line kept aside is one row of lrt.ingest_rejects however often its
 *     file is ingested, even when its reason reads otherwise the second
 *     time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/arena.h"
#include "helpers.h"
#include "io/csv_event.h"
#include "io/json_parse.h"
#include "io/record_reader.h"
#include "lrt/error.h"
#include "lrt/event.h"
#include "lrt/product.h"
#include "lrt/scenario.h"
#include "lrt/store.h"
#include "store/embedded.h"

/* Genesis 2025-07-11T00:00:00Z, epochs of a day. */
#define PRODUCT_OBJECT \
	"{\"symbol\": \"rstETH\", \"underlying\": \"ETH\", \"assets\": [{\"symbol\": \"ETH\"," \
	" \"decimals\": 18}], \"genesis_time\": 1752192000, \"epoch_seconds\": 86400}"
#define PRODUCT_LINE "{\"product\": " PRODUCT_OBJECT "}\n"
#define BOM "\xef\xbb\xbf"

/* A line with three problems, and the reason that names them. */
#define THREE_PROBLEMS \
	"{\"id\": \"d2\", \"type\": \"deposit\", \"epoch\": 0, \"asset\": \"ETH\"," \
	" \"amount\": \"12x\", \"time\": \"2025-07-10T23:59:59Z\"}"
#define THREE_REASONS \
	"time: \"2025-07-10T23:59:59Z\" is before genesis_time 1752192000" \
	" (2025-07-11T00:00:00Z); holder: missing;" \
	" amount: \"12x\" is not a decimal integer ([0-9]+)"

#define GOOD_LINE \
	"{\"id\": \"d1\", \"type\": \"deposit\", \"epoch\": 0, \"holder\": \"alice\"," \
	" \"asset\": \"ETH\", \"amount\": \"1000\"}"

/* ---- helpers ------------------------------------------------------------------------ */

/* A scratch file NAME holding `text`; its path in `out`. */
static void scratch_file(char *out, size_t size, const char *name, const char *text)
{
	char folder[4096];

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(out, size, "%s/%s", folder, name);
	lrt_test_write_file(out, text);
}

/* `lrt migrate`, then `lrt product create` of `text` (a file NAME). */
static void migrate_and_create(const char *name, const char *text)
{
	static lrt_test_process p;
	const char *migrate[] = {"migrate", NULL};
	char path[4200];
	const char *create[] = {"product", "create", path, NULL};

	lrt_test_run_ok(&p, migrate);
	scratch_file(path, sizeof(path), name, text);
	lrt_test_run_ok(&p, create);
}

/* What the validator says of one event line (as simulate reads it): ""
 * when well-formed. */
static void judge(char *out, size_t size, const char *line)
{
	json_t *object = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	lrt_product product;
	lrt_arena arena;
	lrt_event event;

	ck_assert_ptr_nonnull(object);
	lrt_product_init(&product);
	product.genesis_time = 1752192000;
	product.epoch_seconds = 86400;
	lrt_arena_init(&arena);
	lrt_event_init(&event);
	out[0] = '\0';
	if (lrt_json_event(&event, &arena, object, &product) != 0)
		snprintf(out, size, "%s", lrt_error_last());
	lrt_event_clear(&event);
	lrt_arena_clear(&arena);
	lrt_product_clear(&product);
	json_decref(object);
}

/* "LINE: reason|LINE: reason" of the rejects, in line order. */
static const char *rejects(PGconn *conn)
{
	return lrt_test_value(conn,
		"SELECT coalesce(string_agg(source_line || ': ' || reason, '|'"
		"                           ORDER BY source_line), '') FROM lrt.ingest_rejects");
}

/* ---- every problem of a line ---------------------------------------------------------- */

START_TEST(test_validator_names_every_problem)
{
	char reason[2048];

	judge(reason, sizeof(reason), THREE_PROBLEMS);
	ck_assert_str_eq(reason, THREE_REASONS);
	/* one problem reads as before */
	judge(reason, sizeof(reason),
	      "{\"id\": \"a\", \"type\": \"deposit\", \"epoch\": 0, \"holder\": \"h\","
	      " \"asset\": \"ETH\", \"amount\": \"12x\"}");
	ck_assert_str_eq(reason, "amount: \"12x\" is not a decimal integer ([0-9]+)");
	/* an unknown type: its fields are not judged, the others are */
	judge(reason, sizeof(reason),
	      "{\"id\": 7, \"type\": \"depos\", \"epoch\": -1, \"seq\": \"1\", \"amount\": 5}");
	ck_assert_str_eq(reason, "id: must be a string; type: unknown type \"depos\"; "
			 "epoch: -1 is out of range 0..1099511627776; seq: must be a JSON integer");
	/* a config: each policy field; "names none" only when none is named */
	judge(reason, sizeof(reason),
	      "{\"id\": \"c\", \"type\": \"config\", \"epoch\": 0, \"fee_bps\": 10000,"
	      " \"fee_high_water_mark\": \"yes\"}");
	ck_assert_str_eq(reason, "fee_bps: 10000 is out of range 0..9999; "
			 "fee_high_water_mark: must be true or false");
	/* well-formed is still well-formed */
	judge(reason, sizeof(reason), GOOD_LINE);
	ck_assert_str_eq(reason, "");
}
END_TEST

/* At most LRT_RECORD_PROBLEMS_MAX named, the rest counted. */
START_TEST(test_problems_bounded)
{
	char reason[2048];
	const char *p;
	unsigned separators = 0;

	judge(reason, sizeof(reason),
	      "{\"id\": 5, \"type\": \"config\", \"epoch\": -1, \"time\": \"x\", \"seq\": \"1\","
	      " \"fee_bps\": -1, \"fee_recipients\": 3, \"delay_epochs\": -1, \"max_apr_bps\": -1,"
	      " \"max_rate_change_bps\": -1, \"fee_high_water_mark\": 1, \"points\": 2}");
	for (p = reason; (p = strstr(p, "; ")) != NULL; p += 2)
		separators++;
	ck_assert_uint_eq(separators, LRT_RECORD_PROBLEMS_MAX);
	ck_assert_msg(strstr(reason, "id: must be a string; epoch: -1 is out of range") == reason,
		      "%s", reason);
	ck_assert_msg(strcmp(reason + strlen(reason) - strlen("; and 1 more"), "; and 1 more") == 0,
		      "%s", reason);
	ck_assert_msg(strstr(reason, "points") == NULL, "%s", reason);
}
END_TEST

/* Simulate prints every problem of each bad line, at its line. */
START_TEST(test_simulate_names_every_problem)
{
	static lrt_test_process p;
	char path[4200], expected[8192];
	const char *simulate[] = {"simulate", path, NULL};

	scratch_file(path, sizeof(path), "three.jsonl",
		     PRODUCT_LINE GOOD_LINE "\n" THREE_PROBLEMS "\n");
	lrt_test_run(&p, simulate);
	ck_assert_int_eq(p.status, 2);
	snprintf(expected, sizeof(expected), "%s:3: %s\n", path, THREE_REASONS);
	ck_assert_str_eq(p.err, expected);
	ck_assert_str_eq(p.out, "");
}
END_TEST

/* Ingest keeps the line aside with the reason simulate gives, all three;
 * a CSV line's cell that is not JSON is one of them, named once. */
START_TEST(test_ingest_names_every_problem)
{
	static lrt_test_process p;
	char jsonl[4200], csv[4200], expected[8192];
	const char *ingest_jsonl[] = {"ingest", jsonl, NULL};
	const char *ingest_csv[] = {"ingest", csv, NULL};
	PGconn *conn;

	migrate_and_create("product.json", PRODUCT_OBJECT);
	conn = lrt_test_connect();
	scratch_file(jsonl, sizeof(jsonl), "three.jsonl",
		     PRODUCT_LINE GOOD_LINE "\n" THREE_PROBLEMS "\n");
	lrt_test_run(&p, ingest_jsonl);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(rejects(conn), "3: " THREE_REASONS);
	snprintf(expected, sizeof(expected), "%s:3: %s\n", jsonl, THREE_REASONS);
	ck_assert_msg(strstr(p.err, expected) != NULL, "%s", p.err);

	scratch_file(csv, sizeof(csv), "three.csv",
		     "id,type,epoch,seq,holder,asset,amount,fee_recipients\n"
		     "c1,deposit,0,99999999999999999999,,ETH,12x,\n"
		     "c2,config,0,,,,,not json\n");
	lrt_test_run(&p, ingest_csv);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(source_line || ': ' || reason, '|' ORDER BY source_line)"
		"  FROM lrt.ingest_rejects WHERE source_file LIKE '%.csv'"),
		"2: seq: 99999999999999999999 is out of range for a JSON integer; holder: missing;"
		" amount: \"12x\" is not a decimal integer ([0-9]+)|"
		"3: fee_recipients: not JSON: '[' or '{' expected near 'not'");
	PQfinish(conn);
}
END_TEST

/* ---- the CSV header -------------------------------------------------------------------- */

/* What lrt_csv_header_parse says of a header: "" when it takes it. */
static void header_verdict(char *out, size_t size, const char *header)
{
	lrt_csv_header parsed;
	lrt_arena arena;

	lrt_arena_init(&arena);
	out[0] = '\0';
	if (lrt_csv_header_parse(&parsed, &arena, header, strlen(header)) != 0)
		snprintf(out, size, "%s", lrt_error_last());
	lrt_arena_clear(&arena);
}

START_TEST(test_header_misspelled_column)
{
	static const struct {
		const char *header, *verdict;
	} cases[] = {
		{"id,type,tme,holder,asset,amount",
		 "header: column 3 \"tme\" is unknown; did you mean \"time\"?"},
		{"id,type,Time,holder", "header: column 3 \"Time\" is unknown; did you mean \"time\"?"},
		{"id,type,epcoh,holder", "header: column 3 \"epcoh\" is unknown; did you mean \"epoch\"?"},
		{"id,type,epoch,amout", "header: column 4 \"amout\" is unknown; did you mean \"amount\"?"},
		{"id,type,epoch,fee_recipient",
		 "header: column 4 \"fee_recipient\" is unknown; did you mean \"fee_recipients\"?"},
		{"id,tpye,epoch", "header: column 2 \"tpye\" is unknown; did you mean \"type\"?"},
		/* a field named already is not what a column meant */
		{"id,type,time,tme", ""},
		/* columns of their own, far from every field or too short */
		{"id,type,epoch,note,date,comment,tx,ts,tx_hash", ""},
		{"id,type,epoch,time,seq,holder,from,to,source,operator,avs,location,asset,"
		 "amount,wad,magnitude,shares,price,request,asset_in,amount_in,asset_out,"
		 "amount_out,rate,fee_bps,fee_recipients,delay_epochs,max_apr_bps,"
		 "max_rate_change_bps,fee_high_water_mark,points", ""},
		/* another delimiter */
		{"id;type;epoch;holder;asset;amount",
		 "header: no commas, but semicolons: the file looks separated by \";\", and lrt"
		 " reads CSV separated by commas (save it with \",\" as the delimiter)"},
		{"id\ttype\tepoch",
		 "header: no commas, but tabs: the file looks separated by tabs, and lrt reads"
		 " CSV separated by commas (save it with \",\" as the delimiter)"},
		/* as before */
		{"id,type,epoch,id", "header: column 4 \"id\" is named twice"},
		{"id,,epoch", "header: column 2 has no name"},
	};
	char verdict[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		header_verdict(verdict, sizeof(verdict), cases[i].header);
		ck_assert_msg(strcmp(verdict, cases[i].verdict) == 0, "%s\n  got:      %s\n"
			      "  expected: %s", cases[i].header, verdict, cases[i].verdict);
	}
}
END_TEST

/* The list the header is checked against: every field once, the CSV
 * reader's typed fields among them. */
START_TEST(test_event_fields_listed_once)
{
	const char *name, *other;
	size_t i, j;

	for (i = 0; (name = lrt_json_event_field(i)) != NULL; i++)
		for (j = 0; j < i; j++)
			ck_assert_str_ne(lrt_json_event_field(j), name);
	ck_assert_uint_ge(i, 30);
	for (i = 0; (name = lrt_csv_typed_field(i)) != NULL; i++) {
		for (j = 0; (other = lrt_json_event_field(j)) != NULL; j++)
			if (strcmp(other, name) == 0)
				break;
		ck_assert_msg(other != NULL, "%s is no field of an event", name);
	}
}
END_TEST

/* The header refused whole, with the file and line, nothing stored. */
START_TEST(test_ingest_header_hints)
{
	static lrt_test_process p;
	char typo[4200], semicolons[4200], expected[4400];
	const char *ingest_typo[] = {"ingest", typo, NULL};
	const char *ingest_semicolons[] = {"ingest", semicolons, NULL};
	PGconn *conn;

	migrate_and_create("product.json", PRODUCT_OBJECT);
	conn = lrt_test_connect();
	scratch_file(typo, sizeof(typo), "typo.csv",
		     "id,type,tme,holder,asset,amount\nd1,deposit,2025-07-11T10:00:00Z,alice,ETH,1\n");
	lrt_test_run(&p, ingest_typo);
	ck_assert_int_eq(p.status, 2);
	snprintf(expected, sizeof(expected),
		 "%s:1: header: column 3 \"tme\" is unknown; did you mean \"time\"?\n", typo);
	ck_assert_msg(strstr(p.err, expected) != NULL, "%s", p.err);

	scratch_file(semicolons, sizeof(semicolons), "semicolons.csv",
		     "id;type;epoch;holder;asset;amount\nd1;deposit;0;alice;ETH;1\n");
	lrt_test_run(&p, ingest_semicolons);
	ck_assert_int_eq(p.status, 2);
	snprintf(expected, sizeof(expected), "%s:1: header: no commas, but semicolons: the file"
		 " looks separated by \";\"", semicolons);
	ck_assert_msg(strstr(p.err, expected) != NULL, "%s", p.err);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT (SELECT count(*) FROM lrt.inbox) + (SELECT count(*) FROM lrt.ingest_rejects)"),
		"0");
	PQfinish(conn);
}
END_TEST

/* ---- times as written ------------------------------------------------------------------------ */

START_TEST(test_times_as_written)
{
	static const struct {
		const char *line, *reason;
	} cases[] = {
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"2025-07-10T23:59:59+00:00\"}",
		 "time: \"2025-07-10T23:59:59+00:00\" is before genesis_time 1752192000 (2025-07-11T00:00:00Z)"},
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": 1752191999}",
		 "time: 1752191999 is before genesis_time 1752192000 (2025-07-11T00:00:00Z)"},
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"2025-07-14 00:00:00+02:00\","
		 " \"epoch\": 3}",
		 "time: \"2025-07-14 00:00:00+02:00\" falls in epoch 2, but epoch says 3"},
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"2025-13-01\"}",
		 "time: \"2025-13-01\" is not an ISO-8601 time or Unix seconds"},
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"00001752192000000\"}",
		 "time: \"00001752192000000\" is out of range for Unix seconds (at most 253402300799)"},
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"9999-12-31T23:59:59Z\","
		 " \"epoch\": 3}",
		 "time: \"9999-12-31T23:59:59Z\" falls in epoch 2912616, but epoch says 3"},
		/* a long one is cut, on a character */
		{"{\"id\": \"a\", \"type\": \"claim\", \"request\": \"r\", \"time\": \"2025-07-11 "
		 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		 "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}",
		 "time: \"2025-07-11 "
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\" is not an ISO-8601 time or Unix seconds"},
	};
	char reason[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		judge(reason, sizeof(reason), cases[i].line);
		ck_assert_msg(strcmp(reason, cases[i].reason) == 0, "%s\n  got:      %s\n"
			      "  expected: %s", cases[i].line, reason, cases[i].reason);
	}
}
END_TEST

/* A CSV time cell is quoted as the cell says. */
START_TEST(test_csv_time_as_written)
{
	static lrt_test_process p;
	char csv[4200];
	const char *ingest[] = {"ingest", csv, NULL};
	PGconn *conn;

	migrate_and_create("product.json", PRODUCT_OBJECT);
	conn = lrt_test_connect();
	scratch_file(csv, sizeof(csv), "times.csv",
		     "id,type,time,holder,asset,amount\n"
		     "t1,deposit,2025-07-14T25:00:00Z,alice,ETH,1\n"
		     "t2,deposit,2025-07-10T23:59:59.5Z,alice,ETH,1\n"
		     "t3,deposit,99999999999999999999,alice,ETH,1\n"
		     "t4,deposit,2025-07-11T10:00:00Z,alice,ETH,1\n");
	lrt_test_run(&p, ingest);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(rejects(conn),
		"2: time: \"2025-07-14T25:00:00Z\" is not an ISO-8601 time or Unix seconds|"
		"3: time: \"2025-07-10T23:59:59.5Z\" is before genesis_time 1752192000"
		" (2025-07-11T00:00:00Z)|"
		"4: time: \"99999999999999999999\" is out of range for Unix seconds"
		" (at most 253402300799)");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(event_id, ',') FROM lrt.inbox"),
			 "t4");
	PQfinish(conn);
}
END_TEST

/* ---- the byte order mark ------------------------------------------------------------------------ */

/* The records a reader frames of `input`: "LINE:text|..." */
static void frame(char *out, size_t size, const char *input, lrt_record_format format)
{
	FILE *in = fmemopen((void *)input, strlen(input), "rb");
	lrt_record_reader *reader = NULL;
	lrt_record record;
	size_t used = 0;
	int rc;

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(lrt_record_reader_open(&reader, in, format), 0);
	out[0] = '\0';
	while ((rc = lrt_record_reader_next(reader, &record)) == 1)
		used += (size_t)snprintf(out + used, size - used, "%llu:%s|",
					 (unsigned long long)record.line, record.text);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_lt(used, size);
	lrt_record_reader_free(reader);
	fclose(in);
}

START_TEST(test_bom_framed_alike)
{
	char with[512], without[512];

	ck_assert_uint_eq(lrt_record_bom_bytes(BOM "x", 4), 3);
	ck_assert_uint_eq(lrt_record_bom_bytes(BOM, 3), 3);
	ck_assert_uint_eq(lrt_record_bom_bytes("\xef\xbb", 2), 0);
	ck_assert_uint_eq(lrt_record_bom_bytes("x" BOM, 4), 0);
	frame(with, sizeof(with), BOM "{\"a\": 1}\n\n{\"b\": 2}\n", LRT_RECORDS_JSONL);
	frame(without, sizeof(without), "{\"a\": 1}\n\n{\"b\": 2}\n", LRT_RECORDS_JSONL);
	ck_assert_str_eq(with, "1:{\"a\": 1}|3:{\"b\": 2}|");
	ck_assert_str_eq(with, without);
	frame(with, sizeof(with), BOM "id,type\na,b\n", LRT_RECORDS_CSV);
	ck_assert_str_eq(with, "1:id,type|2:a,b|");
	/* only at the start: later it is text */
	frame(with, sizeof(with), "x\n" BOM "y\n", LRT_RECORDS_JSONL);
	ck_assert_str_eq(with, "1:x|2:" BOM "y|");
}
END_TEST

/* lrt_scenario_read and `lrt simulate`: the same figures, the same lines. */
START_TEST(test_bom_simulate_alike)
{
	static lrt_test_process p;
	static const char scenario[] = PRODUCT_LINE GOOD_LINE "\n";
	static const char bad[] = PRODUCT_LINE GOOD_LINE "\n" THREE_PROBLEMS "\n";
	char plain[4200], marked[4200], bad_plain[4200], bad_marked[4200], text[2048];
	const char *simulate_plain[] = {"simulate", plain, NULL};
	const char *simulate_marked[] = {"simulate", marked, NULL};
	const char *simulate_bad_plain[] = {"simulate", bad_plain, NULL};
	const char *simulate_bad_marked[] = {"simulate", bad_marked, NULL};
	lrt_scenario *read = NULL;
	const char *expected_out, *expected_err, *at;

	snprintf(text, sizeof(text), BOM "%s", scenario);
	ck_assert_int_eq(lrt_scenario_read(&read, "in.jsonl", text, strlen(text), NULL, NULL), 0);
	ck_assert_uint_eq(lrt_scenario_event_count(read), 1);
	ck_assert_uint_eq(lrt_scenario_event_line(read, 0), 2);
	lrt_scenario_free(read);

	scratch_file(plain, sizeof(plain), "s.jsonl", scenario);
	scratch_file(marked, sizeof(marked), "s.jsonl", text);
	lrt_test_run_ok(&p, simulate_plain);
	expected_out = p.out;
	lrt_test_run_ok(&p, simulate_marked);
	ck_assert_str_eq(p.out, expected_out);

	scratch_file(bad_plain, sizeof(bad_plain), "bad.jsonl", bad);
	snprintf(text, sizeof(text), BOM "%s", bad);
	scratch_file(bad_marked, sizeof(bad_marked), "bad.jsonl", text);
	lrt_test_run(&p, simulate_bad_plain);
	ck_assert_int_eq(p.status, 2);
	expected_err = strstr(p.err, "bad.jsonl:3: ");
	ck_assert_ptr_nonnull(expected_err);
	lrt_test_run(&p, simulate_bad_marked);
	ck_assert_int_eq(p.status, 2);
	at = strstr(p.err, "bad.jsonl:");
	ck_assert_ptr_nonnull(at);
	ck_assert_str_eq(at, expected_err);
}
END_TEST

/* `lrt ingest` (JSON Lines and CSV) and `lrt product create`, with and
 * without the mark: the same products, rows, rejects and lines. */
START_TEST(test_bom_database_alike)
{
	static lrt_test_process p;
	static const char jsonl[] = PRODUCT_LINE GOOD_LINE "\n" THREE_PROBLEMS "\n";
	static const char csv[] =
		"id,type,epoch,holder,asset,amount\n"
		"c1,deposit,0,alice,ETH,5\n"
		"c2,deposit,0,,ETH,12x\n";
	char path[4200], text[2048];
	const char *create[] = {"product", "create", path, NULL};
	const char *ingest[] = {"ingest", "--product", "rstETH", path, NULL};
	PGconn *conn;
	const char *summary = "read 2, loaded 1, duplicates 0, rejected 1\n";

	migrate_and_create("product.json", BOM PRODUCT_OBJECT);
	conn = lrt_test_connect();
	/* the scenario form too: its first line is the product */
	snprintf(text, sizeof(text), BOM "%s", PRODUCT_LINE);
	*strstr(text, "rstETH") = 'X';
	scratch_file(path, sizeof(path), "scenario.jsonl", text);
	lrt_test_run_ok(&p, create);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(symbol || ' ' || genesis_time, ',' ORDER BY symbol)"
		"  FROM lrt.products"), "XstETH 1752192000,rstETH 1752192000");

	/* JSON Lines: the product line skipped, the bad line at line 3 */
	snprintf(text, sizeof(text), BOM "%s", jsonl);
	scratch_file(path, sizeof(path), "marked.jsonl", text);
	lrt_test_run(&p, ingest);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, summary);
	scratch_file(path, sizeof(path), "plain.jsonl", jsonl);
	lrt_test_run(&p, ingest);
	ck_assert_str_eq(p.out, "read 2, loaded 0, duplicates 1, rejected 1\n");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(f, '|' ORDER BY f) FROM (SELECT regexp_replace(source_file,"
		"       '^.*/', '') || ':' || source_line || ' ' || reason f"
		"  FROM lrt.ingest_rejects) r"),
		"marked.jsonl:3 " THREE_REASONS "|plain.jsonl:3 " THREE_REASONS);

	/* CSV: the header read, the bad row at line 3 */
	snprintf(text, sizeof(text), BOM "%s", csv);
	scratch_file(path, sizeof(path), "marked.csv", text);
	lrt_test_run(&p, ingest);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, summary);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT source_line || ' ' || raw || ' ' || reason FROM lrt.ingest_rejects"
		" WHERE source_file LIKE '%.csv'"),
		"3 c2,deposit,0,,ETH,12x holder: missing; amount: \"12x\" is not a decimal"
		" integer ([0-9]+)");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || '@' || source_line, ',' ORDER BY ingest_order)"
		"  FROM lrt.inbox"), "d1@2,c1@2");
	PQfinish(conn);
}
END_TEST

/* ---- per file, and once per line ------------------------------------------------------------------ */

START_TEST(test_summary_line_per_file)
{
	static lrt_test_process p;
	char first[4200], second[4200], expected[16384];
	const char *ingest[] = {"ingest", first, second, NULL};

	migrate_and_create("product.json", PRODUCT_OBJECT);
	scratch_file(first, sizeof(first), "first.jsonl",
		     GOOD_LINE "\n" THREE_PROBLEMS "\n");
	scratch_file(second, sizeof(second), "second.csv",
		     "id,type,epoch,holder,asset,amount\n"
		     "d1,deposit,0,alice,ETH,1000\n"
		     "c1,deposit,0,bob,ETH,5\n"
		     "c2,deposit,0,bob,ETH,6\n");
	lrt_test_run(&p, ingest);
	ck_assert_int_eq(p.status, 2);
	ck_assert_str_eq(p.out, "read 5, loaded 3, duplicates 1, rejected 1\n");
	snprintf(expected, sizeof(expected),
		 "%s:2: %s\n"
		 "%s: 2 records: 1 loaded, 0 duplicates, 1 kept aside\n"
		 "%s: 3 records: 2 loaded, 1 duplicate, 0 kept aside\n",
		 first, THREE_REASONS, first, second);
	ck_assert_str_eq(p.err, expected);
}
END_TEST

START_TEST(test_reject_once_per_line)
{
	static lrt_test_process p;
	char path[4200];
	const char *ingest[] = {"ingest", path, NULL};
	PGconn *conn;
	char before[64];

	migrate_and_create("product.json", PRODUCT_OBJECT);
	conn = lrt_test_connect();
	scratch_file(path, sizeof(path), "late.jsonl",
		     "{\"id\": \"l1\", \"type\": \"claim\", \"epoch\": 1, \"request\": \"r\"}\n"
		     THREE_PROBLEMS "\n"
		     "{\"id\": \"l2\", \"type\": \"claim\", \"epoch\": 9, \"request\": \"r\"}\n");
	lrt_test_exec(conn, "UPDATE lrt.product_state SET settled_epoch = 1");
	lrt_test_run(&p, ingest);
	ck_assert_str_eq(p.out, "read 3, loaded 1, duplicates 0, rejected 2\n");
	ck_assert_str_eq(rejects(conn),
		"1: epoch 1 is already settled (rstETH is settled through epoch 1)|2: " THREE_REASONS);
	snprintf(before, sizeof(before), "%s", lrt_test_value(conn,
		"SELECT max(rejected_at)::text FROM lrt.ingest_rejects"));

	/* the same file again: the same rows, nothing new */
	lrt_test_run(&p, ingest);
	ck_assert_str_eq(p.out, "read 3, loaded 0, duplicates 1, rejected 2\n");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.ingest_rejects"), "2");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT max(rejected_at)::text FROM lrt.ingest_rejects"), before);

	/* again once more epochs are settled: line 1's reason reads otherwise,
	 * and its one row says so */
	lrt_test_exec(conn, "UPDATE lrt.product_state SET settled_epoch = 2");
	lrt_test_run(&p, ingest);
	ck_assert_str_eq(p.out, "read 3, loaded 0, duplicates 1, rejected 2\n");
	ck_assert_str_eq(rejects(conn),
		"1: epoch 1 is already settled (rstETH is settled through epoch 2)|2: " THREE_REASONS);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) || ' ' || count(DISTINCT (source_file, source_line))"
		"  FROM lrt.ingest_rejects"), "2 2");
	/* and the table says so itself */
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.ingest_rejects (product_id, source_file, source_line, raw, reason)"
		" SELECT product_id, source_file, source_line, 'x', 'y' FROM lrt.ingest_rejects"
		" LIMIT 1"), "23505");
	PQfinish(conn);
}
END_TEST

/* A database of the schema before 0010 whose rejects hold a line twice
 * migrates to one row per line, the latest kept. */
START_TEST(test_reject_rows_merged_by_migration)
{
	static lrt_test_process p;
	const struct lrt_embedded_file *file;
	lrt_migrate_options options = LRT_MIGRATE_OPTIONS_INIT;
	lrt_migrate_report report;
	lrt_store *store = NULL;
	char share[4096], path[4200];
	const char *create[] = {"product", "create", path, NULL};
	const char *migrate[] = {"migrate", NULL};
	PGconn *conn;

	lrt_test_scratch(share, sizeof(share));
	for (file = lrt_embedded_files; file->path != NULL; file++) {
		if (strncmp(file->path, "migrations/", 11) != 0
		    || strtoul(file->path + 11, NULL, 10) >= 10)
			continue;
		snprintf(path, sizeof(path), "%s/%s", share, file->path);
		lrt_test_write_file(path, file->data);
	}
	options.share_dir = share;
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_msg(lrt_store_migrate(&report, store, &options) == 0, "%s", lrt_error_last());
	lrt_store_close(store);
	scratch_file(path, sizeof(path), "product.json", PRODUCT_OBJECT);
	lrt_test_run_ok(&p, create);
	conn = lrt_test_connect();
	lrt_test_exec(conn,
		"INSERT INTO lrt.ingest_rejects (product_id, source_file, source_line, raw, reason)"
		" SELECT product_id, f, l, r, why FROM lrt.products,"
		"  (VALUES ('a.jsonl', 5, 'x', 'first try'), ('a.jsonl', 5, 'x', 'second try'),"
		"          ('a.jsonl', 6, 'y', 'once'), ('b.jsonl', 5, 'z', 'other file')) v(f, l, r, why)");
	lrt_test_run_ok(&p, migrate);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(source_file || ':' || source_line || ' ' || reason, '|'"
		"                  ORDER BY source_file, source_line) FROM lrt.ingest_rejects"),
		"a.jsonl:5 second try|a.jsonl:6 once|b.jsonl:5 other file");
	PQfinish(conn);
}
END_TEST

Suite *ingest_messages_suite(void)
{
	Suite *suite = suite_create("ingest_messages");
	TCase *unit = tcase_create("unit");
	TCase *command = tcase_create("command");
	TCase *database = tcase_create("database");

	tcase_add_test(unit, test_validator_names_every_problem);
	tcase_add_test(unit, test_problems_bounded);
	tcase_add_test(unit, test_header_misspelled_column);
	tcase_add_test(unit, test_event_fields_listed_once);
	tcase_add_test(unit, test_times_as_written);
	tcase_add_test(unit, test_bom_framed_alike);
	suite_add_tcase(suite, unit);
	tcase_add_test(command, test_simulate_names_every_problem);
	tcase_add_test(command, test_bom_simulate_alike);
	suite_add_tcase(suite, command);
	tcase_set_timeout(database, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(database, lrt_test_fresh_database, NULL);
	tcase_add_test(database, test_ingest_names_every_problem);
	tcase_add_test(database, test_ingest_header_hints);
	tcase_add_test(database, test_csv_time_as_written);
	tcase_add_test(database, test_bom_database_alike);
	tcase_add_test(database, test_summary_line_per_file);
	tcase_add_test(database, test_reject_once_per_line);
	tcase_add_test(database, test_reject_rows_merged_by_migration);
	suite_add_tcase(suite, database);
	return suite;
}
