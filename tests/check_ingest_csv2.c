/*
 * check_ingest_csv2.c - `lrt ingest` of CSV files that hold the SPEC's
 * second edition (src/io/csv_event.c): allocations, slashes by wad,
 * cancels, attests, and configs of fee_high_water_mark and points.
 *
 *   - the same events as CSV and as JSON Lines load the same typed inbox
 *     rows (the JSON kept too), in the same order, and settle, export and
 *     verify to the same figures, which are `lrt simulate`'s;
 *   - malformed CSV rows of the new events (a slash with both amount and
 *     wad or neither, a wad above 10^18, a magnitude above 2^256-1, an
 *     attest without its location, bad points lists, a mark that is not
 *     true or false, ...) are kept aside in lrt.ingest_rejects at their
 *     line with a reason naming the field, and nothing else changes; rows
 *     that are well-formed but cannot apply (an allocation above the max
 *     magnitude, a cancel of an unknown request) load, and settlement
 *     rejects them;
 *   - `lrt help ingest` names every field whose CSV cell is not a string
 *     (csv_event.c's one list of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "io/csv_event.h"
#include "store/event_row.h"

/* The product of both files but its symbol: a points program from the
 * start, a fee, requests that wait an epoch. */
#define PRODUCT_JSON(symbol) \
	"{\"symbol\": \"" symbol "\", \"underlying\": \"ETH\", \"assets\": [" \
	"{\"symbol\": \"ETH\", \"decimals\": 18}, {\"symbol\": \"stETH\", \"decimals\": 18}]," \
	" \"genesis_time\": 1752192000, \"epoch_seconds\": 86400, \"fee_bps\": 1000," \
	" \"delay_epochs\": 1, \"points\": [{\"name\": \"season-1\", \"per_share_epoch\": \"1\"}]}"

/*
 * Four epochs of the new events among the old ones, as JSON Lines and as
 * CSV, line for line.  a3 (above the max magnitude), x2 (a cancelled
 * request) and s3 (`buffer` slashed) are well-formed and rejected at
 * settlement; c1 turns the mark on, c2 off, c3 on again before epoch 3's
 * gain; w3 is cancelled in the epoch it was made.
 */
static const char events_jsonl[] =
	"{\"id\": \"p1\", \"type\": \"price\", \"epoch\": 0, \"asset\": \"stETH\", \"price\": \"1.01\"}\n"
	"{\"id\": \"d1\", \"type\": \"deposit\", \"epoch\": 0, \"holder\": \"alice\", \"asset\": \"ETH\", \"amount\": \"10000000000000000000\"}\n"
	"{\"id\": \"d2\", \"type\": \"deposit\", \"epoch\": 0, \"holder\": \"bob\", \"asset\": \"ETH\", \"amount\": \"5000000000000000000\"}\n"
	"{\"id\": \"m1\", \"type\": \"move\", \"epoch\": 0, \"asset\": \"ETH\", \"amount\": \"8000000000000000000\", \"from\": \"buffer\", \"to\": \"p2p\"}\n"
	"{\"id\": \"a1\", \"type\": \"allocate\", \"epoch\": 0, \"operator\": \"p2p\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"magnitude\": \"500000000000000000\"}\n"
	"{\"id\": \"a2\", \"type\": \"allocate\", \"epoch\": 0, \"operator\": \"p2p\", \"avs\": \"altlayer\", \"asset\": \"ETH\", \"magnitude\": \"300000000000000000\"}\n"
	"{\"id\": \"a3\", \"type\": \"allocate\", \"epoch\": 0, \"operator\": \"p2p\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"magnitude\": \"1000000000000000001\"}\n"
	"{\"id\": \"w1\", \"type\": \"withdraw\", \"epoch\": 0, \"holder\": \"bob\", \"shares\": \"1000000000000000000\"}\n"
	"{\"id\": \"t1\", \"type\": \"attest\", \"epoch\": 0, \"asset\": \"ETH\", \"location\": \"p2p\", \"amount\": \"8000000000000000001\"}\n"
	"{\"id\": \"c1\", \"type\": \"config\", \"epoch\": 0, \"fee_high_water_mark\": true, \"points\": [{\"name\": \"season-1\", \"per_share_epoch\": \"1\"}, {\"name\": \"drops\", \"per_share_epoch\": \"0.5\"}]}\n"
	"{\"id\": \"r1\", \"type\": \"reward\", \"epoch\": 1, \"source\": \"consensus\", \"location\": \"p2p\", \"asset\": \"ETH\", \"amount\": \"100000000000000000\"}\n"
	"{\"id\": \"s1\", \"type\": \"slash\", \"epoch\": 1, \"operator\": \"p2p\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"wad\": \"250000000000000000\"}\n"
	"{\"id\": \"s2\", \"type\": \"slash\", \"epoch\": 1, \"operator\": \"p2p\", \"avs\": \"altlayer\", \"asset\": \"ETH\", \"amount\": \"1000\"}\n"
	"{\"id\": \"x1\", \"type\": \"cancel\", \"epoch\": 1, \"request\": \"w1\"}\n"
	"{\"id\": \"w2\", \"type\": \"withdraw\", \"epoch\": 1, \"holder\": \"alice\", \"shares\": \"2000000000000000000\"}\n"
	"{\"id\": \"t2\", \"type\": \"attest\", \"epoch\": 1, \"asset\": \"ETH\", \"location\": \"claimable\", \"amount\": \"0\"}\n"
	"{\"id\": \"c2\", \"type\": \"config\", \"epoch\": 1, \"fee_high_water_mark\": false, \"points\": [{\"name\": \"drops\", \"per_share_epoch\": \"2\"}]}\n"
	"{\"id\": \"x2\", \"type\": \"cancel\", \"epoch\": 2, \"request\": \"w1\"}\n"
	"{\"id\": \"s3\", \"type\": \"slash\", \"epoch\": 2, \"operator\": \"buffer\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"wad\": \"1\"}\n"
	"{\"id\": \"s4\", \"type\": \"slash\", \"epoch\": 2, \"operator\": \"p2p\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"wad\": \"1000000000000000000\"}\n"
	"{\"id\": \"r2\", \"type\": \"reward\", \"epoch\": 2, \"source\": \"eigenda\", \"location\": \"buffer\", \"asset\": \"ETH\", \"amount\": \"3000000000000000000\"}\n"
	"{\"id\": \"t3\", \"type\": \"attest\", \"epoch\": 2, \"asset\": \"stETH\", \"location\": \"buffer\", \"amount\": \"0\"}\n"
	"{\"id\": \"d3\", \"type\": \"deposit\", \"epoch\": 2, \"holder\": \"0xAbCdEf0123456789aBcDeF0123456789AbCdEf01\", \"asset\": \"ETH\", \"amount\": \"1000000000000000000\"}\n"
	"{\"id\": \"c3\", \"type\": \"config\", \"epoch\": 2, \"fee_high_water_mark\": true}\n"
	"{\"id\": \"r3\", \"type\": \"reward\", \"epoch\": 3, \"source\": \"consensus\", \"location\": \"p2p\", \"asset\": \"ETH\", \"amount\": \"2000000000000000000\"}\n"
	"{\"id\": \"w3\", \"type\": \"withdraw\", \"epoch\": 3, \"holder\": \"bob\", \"shares\": \"500000000000000000\"}\n"
	"{\"id\": \"x3\", \"type\": \"cancel\", \"epoch\": 3, \"request\": \"w3\"}\n";

static const char events_csv[] =
	"id,type,epoch,holder,from,to,source,operator,avs,location,asset,amount,wad,magnitude,shares,price,request,fee_high_water_mark,points\n"
	"p1,price,0,,,,,,,,stETH,,,,,1.01,,,\n"
	"d1,deposit,0,alice,,,,,,,ETH,10000000000000000000,,,,,,,\n"
	"d2,deposit,0,bob,,,,,,,ETH,5000000000000000000,,,,,,,\n"
	"m1,move,0,,buffer,p2p,,,,,ETH,8000000000000000000,,,,,,,\n"
	"a1,allocate,0,,,,,p2p,eigenda,,ETH,,,500000000000000000,,,,,\n"
	"a2,allocate,0,,,,,p2p,altlayer,,ETH,,,300000000000000000,,,,,\n"
	"a3,allocate,0,,,,,p2p,eigenda,,ETH,,,1000000000000000001,,,,,\n"
	"w1,withdraw,0,bob,,,,,,,,,,,1000000000000000000,,,,\n"
	"t1,attest,0,,,,,,,p2p,ETH,8000000000000000001,,,,,,,\n"
	"c1,config,0,,,,,,,,,,,,,,,true,\"[{\"\"name\"\": \"\"season-1\"\", \"\"per_share_epoch\"\": \"\"1\"\"},"
	" {\"\"name\"\": \"\"drops\"\", \"\"per_share_epoch\"\": \"\"0.5\"\"}]\"\n"
	"r1,reward,1,,,,consensus,,,p2p,ETH,100000000000000000,,,,,,,\n"
	"s1,slash,1,,,,,p2p,eigenda,,ETH,,250000000000000000,,,,,,\n"
	"s2,slash,1,,,,,p2p,altlayer,,ETH,1000,,,,,,,\n"
	"x1,cancel,1,,,,,,,,,,,,,,w1,,\n"
	"w2,withdraw,1,alice,,,,,,,,,,,2000000000000000000,,,,\n"
	"t2,attest,1,,,,,,,claimable,ETH,0,,,,,,,\n"
	"c2,config,1,,,,,,,,,,,,,,,false,\"[{\"\"name\"\": \"\"drops\"\", \"\"per_share_epoch\"\": \"\"2\"\"}]\"\n"
	"x2,cancel,2,,,,,,,,,,,,,,w1,,\n"
	"s3,slash,2,,,,,buffer,eigenda,,ETH,,1,,,,,,\n"
	"s4,slash,2,,,,,p2p,eigenda,,ETH,,1000000000000000000,,,,,,\n"
	"r2,reward,2,,,,eigenda,,,buffer,ETH,3000000000000000000,,,,,,,\n"
	"t3,attest,2,,,,,,,buffer,stETH,0,,,,,,,\n"
	"d3,deposit,2,0xAbCdEf0123456789aBcDeF0123456789AbCdEf01,,,,,,,ETH,1000000000000000000,,,,,,,\n"
	"c3,config,2,,,,,,,,,,,,,,,true,\n"
	"r3,reward,3,,,,consensus,,,p2p,ETH,2000000000000000000,,,,,,,\n"
	"w3,withdraw,3,bob,,,,,,,,,,,500000000000000000,,,,\n"
	"x3,cancel,3,,,,,,,,,,,,,,w3,,\n";

#define EVENT_COUNT 27

/* ---- helpers ---------------------------------------------------------------------- */

/* A scratch file NAME holding `text`; its path in `out`. */
static void scratch_file(char *out, size_t size, const char *name, const char *text)
{
	char folder[4096];

	lrt_test_scratch(folder, sizeof(folder));
	snprintf(out, size, "%s/%s", folder, name);
	lrt_test_write_file(out, text);
}

/* `lrt migrate`, then `lrt product create` of `product_json`. */
static void create_product(const char *product_json)
{
	static lrt_test_process p;
	const char *migrate[] = {"migrate", NULL};
	char path[4200];
	const char *create[] = {"product", "create", path, NULL};

	lrt_test_run_ok(&p, migrate);
	scratch_file(path, sizeof(path), "product.json", product_json);
	lrt_test_run_ok(&p, create);
}

/* What `lrt export --product SYMBOL` prints (kept: the test never frees it). */
static const char *export_of(const char *symbol)
{
	static lrt_test_process p;
	const char *export[] = {"export", "--product", symbol, NULL};

	lrt_test_run_ok(&p, export);
	return p.out;
}

/* `lrt verify --product SYMBOL` finds no difference. */
static void assert_verified(const char *symbol)
{
	static lrt_test_process p;
	const char *verify[] = {"verify", "--product", symbol, NULL};

	lrt_test_run_ok(&p, verify);
	ck_assert_msg(strstr(p.out, ", 0 differences") != NULL, "%s: %s", symbol, p.out);
}

/* `key` of the epoch line `epoch` of an export, as text. */
static const char *epoch_value(json_t *lines, size_t epoch, const char *key)
{
	const char *value = json_string_value(json_object_get(json_array_get(lines, epoch), key));

	ck_assert_msg(value != NULL, "epoch %zu has no %s", epoch, key);
	return value;
}

/* "EPOCH:ID,ID EPOCH:ID" of every rejected event of an export's epochs. */
static void rejected_ids(char *out, size_t size, json_t *lines)
{
	size_t used = 0, e, k;
	json_t *line, *item;

	out[0] = '\0';
	json_array_foreach(lines, e, line) {
		json_t *rejected = json_object_get(line, "rejected");

		if (json_array_size(rejected) == 0)
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s%zu:", used ? " " : "", e);
		json_array_foreach(rejected, k, item)
			used += (size_t)snprintf(out + used, size - used, "%s%s", k ? "," : "",
						 json_string_value(json_object_get(item, "id")));
		ck_assert_uint_lt(used, size);
	}
}

/* The inbox of SYMBOL, one row a line in ingest order: its typed columns
 * (what settlement reads) and its JSON (what verify replays). */
static const char *inbox_rows(PGconn *conn, const char *symbol)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT md5(string_agg(ROW(" LRT_EVENT_ROW_COLUMN_LIST ")::text || ' ' || event::text,"
		 "                      E'\\n' ORDER BY ingest_order)) || ' ' || count(*)"
		 "  FROM lrt.inbox WHERE product_id ="
		 "       (SELECT product_id FROM lrt.products WHERE symbol = '%s')", symbol);
	return lrt_test_value(conn, sql);
}

/* ---- the same events, CSV and JSON Lines ------------------------------------------ */

START_TEST(test_csv_settles_as_jsonl)
{
	static lrt_test_process p;
	char csv[4200], jsonl[4200], scenario[4200], text[8192], ids[256], digest[64];
	const char *ingest_csv[] = {"ingest", "--product", "CSVE", csv, NULL};
	const char *ingest_jsonl[] = {"ingest", "--product", "JSNE", jsonl, NULL};
	const char *settle_csv[] = {"settle", "--product", "CSVE", "--through", "3", NULL};
	const char *settle_jsonl[] = {"settle", "--product", "JSNE", "--through", "3", NULL};
	const char *simulate[] = {"simulate", scenario, NULL};
	const char *from_csv, *from_jsonl, *simulated;
	char *points;
	PGconn *conn;
	json_t *lines;

	create_product(PRODUCT_JSON("CSVE"));
	create_product(PRODUCT_JSON("JSNE"));
	scratch_file(csv, sizeof(csv), "events.csv", events_csv);
	scratch_file(jsonl, sizeof(jsonl), "events.jsonl", events_jsonl);
	lrt_test_run_ok(&p, ingest_csv);
	ck_assert_str_eq(p.out, "read 27, loaded 27, duplicates 0, rejected 0\n");
	lrt_test_run_ok(&p, ingest_jsonl);
	ck_assert_str_eq(p.out, "read 27, loaded 27, duplicates 0, rejected 0\n");

	/* the typed inbox: the same rows, and the new columns as the cells say */
	conn = lrt_test_connect();
	snprintf(digest, sizeof(digest), "%s", inbox_rows(conn, "JSNE"));
	ck_assert_str_eq(inbox_rows(conn, "CSVE"), digest);
	ck_assert_str_eq(digest + strlen(digest) - 3, " 27");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || ' ' || coalesce(location, '-') || ' '"
		"                  || coalesce(source, '-') || ' ' || coalesce(by_wad::text, '-')"
		"                  || ' ' || amount, '; ' ORDER BY ingest_order)"
		"  FROM lrt.inbox WHERE type IN ('allocate', 'slash') AND product_id ="
		"       (SELECT product_id FROM lrt.products WHERE symbol = 'CSVE')"),
		"a1 p2p eigenda - 500000000000000000; a2 p2p altlayer - 300000000000000000; "
		"a3 p2p eigenda - 1000000000000000001; s1 p2p eigenda true 250000000000000000; "
		"s2 p2p altlayer false 1000; s3 buffer eigenda true 1; "
		"s4 p2p eigenda true 1000000000000000000");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || ' ' || coalesce(fee_high_water_mark::text, '-')"
		"                  || ' ' || coalesce(points::text, '-'), '; ' ORDER BY ingest_order)"
		"  FROM lrt.inbox WHERE type = 'config' AND product_id ="
		"       (SELECT product_id FROM lrt.products WHERE symbol = 'CSVE')"),
		"c1 true [{\"name\": \"season-1\", \"per_share_epoch\": \"1\"},"
		" {\"name\": \"drops\", \"per_share_epoch\": \"0.5\"}]; "
		"c2 false [{\"name\": \"drops\", \"per_share_epoch\": \"2\"}]; c3 true -");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id || ' ' || coalesce(asset, '-') || ' '"
		"                  || coalesce(location, '-') || ' ' || coalesce(request, '-')"
		"                  || ' ' || coalesce(amount::text, '-'), '; ' ORDER BY ingest_order)"
		"  FROM lrt.inbox WHERE type IN ('attest', 'cancel') AND product_id ="
		"       (SELECT product_id FROM lrt.products WHERE symbol = 'CSVE')"),
		"t1 ETH p2p - 8000000000000000001; x1 - - w1 -; t2 ETH claimable - 0; "
		"x2 - - w1 -; t3 stETH buffer - 0; x3 - - w3 -");
	PQfinish(conn);

	/* settled, the same figures: each other's, and lrt simulate's */
	lrt_test_run_ok(&p, settle_csv);
	ck_assert_str_eq(p.out, "settled epochs 0..3: 27 events, 3 rejected\n");
	lrt_test_run_ok(&p, settle_jsonl);
	from_csv = export_of("CSVE");
	from_jsonl = export_of("JSNE");
	ck_assert_str_eq(from_csv, from_jsonl);
	snprintf(text, sizeof(text), "{\"product\": %s}\n%s", PRODUCT_JSON("SIM"), events_jsonl);
	scratch_file(scenario, sizeof(scenario), "scenario.jsonl", text);
	lrt_test_run_ok(&p, simulate);
	simulated = p.out;
	ck_assert_str_eq(from_csv, simulated);
	assert_verified("CSVE");
	assert_verified("JSNE");

	/* and the new events did something: the figures that show it */
	lines = lrt_test_json_lines(from_csv);
	ck_assert_uint_eq(json_array_size(lines), 5);
	rejected_ids(ids, sizeof(ids), lines);
	ck_assert_str_eq(ids, "0:a3 2:x2,s3");
	/* t1 is one wei above the book */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(lines, 0), "reconciliation"), 0), "difference")), "1");
	/* s1 takes ceil(0.5 * 0.25) = 0.125 of p2p's magnitude 1: an eighth of
	 * its 8.1 ETH, 1.0125 ETH; s2 takes 1000 wei */
	ck_assert_str_eq(epoch_value(lines, 1, "slashed"), "1012500000000001000");
	/* the mark (H = 1) on again: 10% of what lifts A1 + 1 above S + 1,
	 * 15176335266500966094 - 14064773735581189073, not of the 2 ETH */
	ck_assert_str_eq(epoch_value(lines, 3, "fee_value"), "111156153091977702");
	points = json_dumps(json_object_get(json_array_get(lines, 4), "points"),
			    JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(points,
		"{\"drops\":{\"0xabcdef0123456789abcdef0123456789abcdef01\":\"4259094942324756288\","
		"\"alice\":\"53000000000000000000\",\"bob\":\"32000000000000000000\","
		"\"treasury\":\"207549625635021424\"},"
		"\"season-1\":{\"alice\":\"10000000000000000000\",\"bob\":\"4000000000000000000\"}}");
	free(points);
	json_decref(lines);
}
END_TEST

/* ---- malformed rows of the new events --------------------------------------------- */

/* The settled past the table is ingested into: epochs 0 and 1. */
static const char base_jsonl[] =
	"{\"id\": \"d1\", \"type\": \"deposit\", \"epoch\": 0, \"holder\": \"alice\", \"asset\": \"ETH\", \"amount\": \"10000000000000000000\"}\n"
	"{\"id\": \"m1\", \"type\": \"move\", \"epoch\": 0, \"asset\": \"ETH\", \"amount\": \"5000000000000000000\", \"from\": \"buffer\", \"to\": \"p2p\"}\n"
	"{\"id\": \"a1\", \"type\": \"allocate\", \"epoch\": 0, \"operator\": \"p2p\", \"avs\": \"eigenda\", \"asset\": \"ETH\", \"magnitude\": \"400000000000000000\"}\n"
	"{\"id\": \"w1\", \"type\": \"withdraw\", \"epoch\": 1, \"holder\": \"alice\", \"shares\": \"1000000000000000000\"}\n"
	"{\"id\": \"t1\", \"type\": \"attest\", \"epoch\": 1, \"asset\": \"ETH\", \"location\": \"p2p\", \"amount\": \"5000000000000000000\"}\n"
	"{\"id\": \"c1\", \"type\": \"config\", \"epoch\": 1, \"fee_high_water_mark\": true, \"points\": [{\"name\": \"drops\", \"per_share_epoch\": \"1\"}]}\n";

static const char table_header[] =
	"id,type,epoch,operator,avs,location,asset,amount,wad,magnitude,request,fee_high_water_mark,points";

typedef struct {
	const char *text;
	const char *reason;      /* NULL: well-formed, loads */
} table_row;

#define DUPLICATE "(duplicate)"

static const table_row table_rows[] = {
	{"v1,allocate,3,p2p,eigenda,,ETH,,,1000000000000000001,,,", NULL},
	{"b1,slash,3,p2p,eigenda,,ETH,5,1,,,,", "wad: a slash gives amount or wad, not both"},
	{"b2,slash,3,p2p,eigenda,,ETH,,,,,,", "amount: missing (a slash gives amount or wad)"},
	{"b3,slash,3,p2p,eigenda,,ETH,,1000000000000000001,,,,",
	 "wad: above WAD (10^18, all of the allocation)"},
	{"b4,slash,3,p2p,eigenda,,ETH,,0.5,,,,", "wad: \"0.5\" is not a decimal integer ([0-9]+)"},
	{"b5,slash,3,p2p,,,ETH,,5,,,,", "avs: missing"},
	{"v2,slash,3,p2p,eigenda,,ETH,,1000000000000000000,,,,", NULL},
	{"b6,allocate,3,p2p,eigenda,,ETH,,,,,,", "magnitude: missing"},
	{"b7,allocate,3,p2p,,,ETH,,,5,,,", "avs: missing"},
	{"b8,allocate,3,p2p,eigenda,,ETH,,,-1,,,", "magnitude: \"-1\" is not a decimal integer ([0-9]+)"},
	{"b9,allocate,3,p2p,eigenda,,ETH,,,"
	 "115792089237316195423570985008687907853269984665640564039457584007913129639936,,,",
	 "magnitude: exceeds 2^256-1"},
	{"v3,attest,3,,,claimable,ETH,0,,,,,", NULL},
	{"b10,attest,3,,,,ETH,5,,,,,", "location: missing"},
	{"b11,attest,3,,,p2p,ETH,,,,,,", "amount: missing"},
	{"b12,attest,1,,,p2p,ETH,5,,,,,", "epoch 1 is already settled (CSVB is settled through epoch 1)"},
	{"b13,cancel,3,,,,,,,,,,", "request: missing"},
	{"v4,config,3,,,,,,,,,true,[]", NULL},
	{"b14,config,3,,,,,,,,,yes,", "fee_high_water_mark: must be true or false"},
	{"b15,config,3,,,,,,,,,TRUE,", "fee_high_water_mark: must be true or false"},
	{"b16,config,3,,,,,,,,,,not json", "points: not JSON: '[' or '{' expected near 'not'"},
	{"b17,config,3,,,,,,,,,,\"{\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\": \"\"1\"\"}\"",
	 "points: must be a list of {\"name\", \"per_share_epoch\"}"},
	{"b18,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\": \"\"1\"\"},"
	 " {\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\": \"\"2\"\"}]\"",
	 "points[1].name: s1 is listed twice"},
	{"b19,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\":"
	 " \"\"1.0000000000000000001\"\"}]\"",
	 "points[0].per_share_epoch: 19 fractional digits, more than 18"},
	{"b20,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\": \"\"-1\"\"}]\"",
	 "points[0].per_share_epoch: \"-1\" is not a points rate ([0-9]+(.[0-9]{1,18})?)"},
	{"b21,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"\"\", \"\"per_share_epoch\"\": \"\"1\"\"}]\"",
	 "points[0]: name: must not be empty"},
	{"b22,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"s1\"\", \"\"per_share_epoch\"\": 1}]\"",
	 "points[0]: per_share_epoch: must be a string"},
	{"b23,config,3,,,,,,,,,,\"[{\"\"name\"\": \"\"s1\"\"}]\"", "points[0]: per_share_epoch: missing"},
	{"b24,config,3,,,,,,,,,,[1]", "points[0]: must be an object"},
	{"b25,config,3,,,,,,,,,,",
	 "config: names none of fee_bps, fee_recipients, delay_epochs, max_apr_bps,"
	 " max_rate_change_bps, fee_high_water_mark, points"},
	{"v5,cancel,3,,,,,,,,w9,,", NULL},
	{"v6,slash,3,claimable,eigenda,,ETH,,1,,,,", NULL},
	{"v7,cancel,3,,,,,,,,w1,,", NULL},
	{"v2,slash,3,p2p,eigenda,,ETH,,1000000000000000000,,,,", DUPLICATE},
	{"v2,slash,3,p2p,eigenda,,ETH,,999999999999999999,,,,",
	 "id v2 was used on line 8 with other content"},
};

#define TABLE_ROWS (sizeof(table_rows) / sizeof(table_rows[0]))

/*
 * Every table of the schema lrt but the inbox and the rejects, one digest
 * each (the catalog lists them, so a table added later counts too): what
 * an ingest must never change.  Malloc'd.
 */
static char *digest_outside_inbox(PGconn *conn)
{
	PGresult *queries = PQexec(conn,
		"SELECT format('SELECT %L || '' '' || md5(coalesce(string_agg(t::text, '';''"
		" ORDER BY t::text), '''')) FROM %I.%I t', c.relname, n.nspname, c.relname)"
		"  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = 'lrt' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
		"   AND c.relname NOT IN ('inbox', 'ingest_rejects') ORDER BY c.relname");
	size_t length = 0, used = 0;
	char *digest = NULL;
	int i;

	ck_assert_msg(PQresultStatus(queries) == PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	ck_assert_int_ge(PQntuples(queries), 20);
	for (i = 0; i < PQntuples(queries); i++) {
		const char *one = lrt_test_value(conn, PQgetvalue(queries, i, 0));
		size_t n = strlen(one);

		if (used + n + 2 > length) {
			length = 2 * (used + n + 2);
			digest = realloc(digest, length);
			ck_assert_ptr_nonnull(digest);
		}
		memcpy(digest + used, one, n);
		used += n;
		digest[used++] = '\n';
		digest[used] = '\0';
	}
	PQclear(queries);
	return digest;
}

START_TEST(test_malformed_new_events_kept_aside)
{
	static lrt_test_process p;
	char base[4200], path[4200], text[16384], summary[128], expected[4400], ids[256];
	const char *ingest_base[] = {"ingest", base, NULL};
	const char *settle_past[] = {"settle", "--through", "1", NULL};
	const char *ingest[] = {"ingest", path, NULL};
	const char *settle[] = {"settle", "--through", "3", NULL};
	size_t used, i, valid = 0, duplicates = 0, rejected;
	char loaded[512] = "d1,m1,a1,w1,t1,c1";
	char *before, *after;
	PGconn *conn = lrt_test_connect();
	PGresult *rejects;
	json_t *lines;
	int row = 0;

	create_product("{\"symbol\": \"CSVB\", \"underlying\": \"ETH\", \"assets\":"
		       " [{\"symbol\": \"ETH\", \"decimals\": 18}], \"genesis_time\": 1752192000,"
		       " \"epoch_seconds\": 86400, \"fee_bps\": 500, \"delay_epochs\": 5}");
	scratch_file(base, sizeof(base), "base.jsonl", base_jsonl);
	lrt_test_run_ok(&p, ingest_base);
	lrt_test_run_ok(&p, settle_past);
	/* the tables the new events fill are not empty: a change would show */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT (SELECT count(*) FROM lrt.allocations) || ' '"
		"    || (SELECT count(*) FROM lrt.points_programs) || ' '"
		"    || (SELECT count(*) FROM lrt.reconciliations) || ' '"
		"    || (SELECT count(*) FROM lrt.withdrawal_requests)"), "1 1 1 1");

	used = (size_t)snprintf(text, sizeof(text), "%s\n", table_header);
	for (i = 0; i < TABLE_ROWS; i++) {
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", table_rows[i].text);
		valid += table_rows[i].reason == NULL;
		duplicates += table_rows[i].reason != NULL
			      && strcmp(table_rows[i].reason, DUPLICATE) == 0;
		if (table_rows[i].reason == NULL)  /* its id is its first cell */
			snprintf(loaded + strlen(loaded), sizeof(loaded) - strlen(loaded), ",%.*s",
				 (int)strcspn(table_rows[i].text, ","), table_rows[i].text);
	}
	ck_assert_uint_lt(used, sizeof(text) - 1);
	scratch_file(path, sizeof(path), "events.csv", text);
	before = digest_outside_inbox(conn);
	lrt_test_run(&p, ingest);
	rejected = TABLE_ROWS - valid - duplicates;
	ck_assert_uint_eq(rejected, 26);
	snprintf(summary, sizeof(summary), "read %zu, loaded %zu, duplicates %zu, rejected %zu\n",
		 TABLE_ROWS, valid, duplicates, rejected);
	ck_assert_str_eq(p.out, summary);
	ck_assert_int_eq(p.status, 2);
	/* on standard error as FILE:LINE: reason, the first 20 */
	snprintf(expected, sizeof(expected), "%s:3: %s\n", path, table_rows[1].reason);
	ck_assert_msg(strstr(p.err, expected) != NULL, "%s", p.err);

	/* each reject at its line (header line 1, rows from 2), exactly its reason */
	rejects = PQexec(conn, "SELECT source_file, source_line, reason, raw FROM lrt.ingest_rejects"
			       " ORDER BY source_line");
	ck_assert_int_eq(PQresultStatus(rejects), PGRES_TUPLES_OK);
	for (i = 0; i < TABLE_ROWS; i++) {
		if (table_rows[i].reason == NULL || strcmp(table_rows[i].reason, DUPLICATE) == 0)
			continue;
		ck_assert_int_lt(row, PQntuples(rejects));
		ck_assert_str_eq(PQgetvalue(rejects, row, 0), path);
		ck_assert_msg(strtoul(PQgetvalue(rejects, row, 1), NULL, 10) == i + 2,
			      "line %zu (%s): the reject is of line %s", i + 2, table_rows[i].reason,
			      PQgetvalue(rejects, row, 1));
		ck_assert_str_eq(PQgetvalue(rejects, row, 2), table_rows[i].reason);
		ck_assert_str_eq(PQgetvalue(rejects, row, 3), table_rows[i].text);
		row++;
	}
	ck_assert_int_eq(row, PQntuples(rejects));
	PQclear(rejects);

	/* the inbox gained exactly the well-formed rows; nothing else changed */
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT string_agg(event_id, ',' ORDER BY ingest_order) FROM lrt.inbox"), loaded);
	after = digest_outside_inbox(conn);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	PQfinish(conn);

	/* well-formed is not applicable: settlement rejects v1 (above the max
	 * magnitude), v5 (an unknown request) and v6 (`claimable` slashed) */
	lrt_test_run_ok(&p, settle);
	lines = lrt_test_json_lines(export_of("CSVB"));
	rejected_ids(ids, sizeof(ids), lines);
	ck_assert_str_eq(ids, "3:v1,v5,v6");
	json_decref(lines);
	assert_verified("CSVB");
}
END_TEST

/* ---- the help text ---------------------------------------------------------------- */

/* `lrt help ingest` names every field whose cell is not a string, from the
 * one list csv_event.c reads cells by. */
START_TEST(test_help_names_typed_fields)
{
	static lrt_test_process p;
	const char *help[] = {"help", "ingest", NULL};
	const char *name;
	size_t i;

	lrt_test_run_ok(&p, help);
	for (i = 0; (name = lrt_csv_typed_field(i)) != NULL; i++)
		ck_assert_msg(strstr(p.out, name) != NULL,
			      "lrt help ingest does not say how a %s cell is read", name);
	ck_assert_uint_ge(i, 10);
	ck_assert_msg(strstr(p.out, "fee_high_water_mark is\ntrue or false") != NULL, "%s", p.out);
}
END_TEST

Suite *ingest_csv2_suite(void)
{
	Suite *suite = suite_create("ingest_csv2");
	TCase *database = tcase_create("database");
	TCase *help = tcase_create("help");

	tcase_set_timeout(database, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_checked_fixture(database, lrt_test_fresh_database, NULL);
	tcase_add_test(database, test_csv_settles_as_jsonl);
	tcase_add_test(database, test_malformed_new_events_kept_aside);
	suite_add_tcase(suite, database);
	tcase_add_test(help, test_help_names_typed_fields);
	suite_add_tcase(suite, help);
	return suite;
}
