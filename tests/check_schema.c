/*
 * check_schema.c - the first schema (migrations/0001_schema.sql) refuses
 * what can never be valid: negative and oversized amounts, duplicate event
 * ids, unknown types, malformed journal transfers... each checked by its
 * SQLSTATE, after rows that are valid have been shown to pass.
 */
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "helpers.h"
#include "lrt/error.h"
#include "lrt/store.h"

#define MAX_AMOUNT "115792089237316195423570985008687907853269984665640564039457584007913129639935"
#define TWO_TO_256 "115792089237316195423570985008687907853269984665640564039457584007913129639936"

/* SQLSTATEs of the refusals (PostgreSQL, Appendix A). */
#define CHECK_VIOLATION "23514"
#define UNIQUE_VIOLATION "23505"
#define FOREIGN_KEY_VIOLATION "23503"
#define NOT_NULL_VIOLATION "23502"
#define NUMERIC_OUT_OF_RANGE "22003"
#define INSUFFICIENT_PRIVILEGE "42501"

/* Well-formed events (SPEC section 3): the inbox refuses any other. */
#define DEPOSIT(id, epoch) "{\"id\": \"" id "\", \"type\": \"deposit\", " \
	"\"epoch\": " epoch ", \"holder\": \"alice\", \"asset\": \"ETH\", " \
	"\"amount\": \"5\"}"
#define REWARD(id, type) "{\"id\": \"" id "\", \"type\": \"" type "\", " \
	"\"epoch\": 1, \"source\": \"consensus\", \"location\": \"p2p\", " \
	"\"asset\": \"ETH\", \"amount\": \"1\"}"

/*
 * A fresh, migrated database holding product 1 (rstETH: ETH and stETH) with
 * its state, a buffer and an operator, one deposit event, and epoch 0.
 */
static void migrated_product(void)
{
	lrt_migrate_report report;
	lrt_store *store = NULL;
	PGconn *conn;

	lrt_test_fresh_database();
	ck_assert_int_eq(lrt_store_connect(&store, NULL), 0);
	ck_assert_msg(lrt_store_migrate(&report, store, NULL) == 0, "%s",
		      lrt_error_last());
	lrt_store_close(store);
	conn = lrt_test_connect();
	lrt_test_exec(conn,
		"BEGIN;"
		"INSERT INTO lrt.products (symbol, underlying, config) VALUES"
		" ('rstETH', 'ETH', '{\"symbol\": \"rstETH\"}');"
		"INSERT INTO lrt.product_assets VALUES (1, 0, 'ETH', 18),"
		" (1, 1, 'stETH', 18);"
		"INSERT INTO lrt.product_state (product_id) VALUES (1);"
		"INSERT INTO lrt.locations VALUES (1, 'buffer', 0, 'buffer'),"
		" (1, 'p2p', 1, 'operator'), (1, 'claimable', 2, 'claimable');"
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, type, event)"
		" VALUES (1, 'd1', 0, 'deposit', '" DEPOSIT("d1", "0") "'),"
		" (1, 'w1', 0, 'withdraw', '{\"id\": \"w1\", \"type\":"
		" \"withdraw\", \"epoch\": 0, \"holder\": \"alice\","
		" \"shares\": \"3\"}');"
		"INSERT INTO lrt.epochs VALUES (1, 0, 10, 10, 1, 0, 0, 0, 0, 0, 0,"
		" 0, 10, 0, 0, 1, 1);"
		"COMMIT");
	PQfinish(conn);
}

START_TEST(test_valid_rows_are_accepted)
{
	PGconn *conn = lrt_test_connect();

	lrt_test_exec(conn, "INSERT INTO lrt.holders VALUES (1, 'alice', "
		      MAX_AMOUNT ")");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT shares FROM lrt.holders "
		"WHERE holder = 'alice'"), MAX_AMOUNT);
	lrt_test_exec(conn, "INSERT INTO lrt.holders VALUES (1, "
		"'0xab5801a7d398351b8be11c439e05c5b3259aec9b', 0)");
	lrt_test_exec(conn, "INSERT INTO lrt.positions VALUES (1, 0, 'buffer', 5),"
		" (1, 1, 'p2p', 0), (1, 0, 'claimable', 1)");
	lrt_test_exec(conn, "INSERT INTO lrt.prices VALUES (1, 1, "
		"0.999312345678901234567890123456789012, 'd1')");
	lrt_test_exec(conn, "INSERT INTO lrt.withdrawal_requests (product_id, "
		"request_id, queue_position, holder, shares, cap, request_epoch, "
		"status, payout, finalized_epoch) VALUES (1, 'w1', 0, 'alice', 3, "
		"2, 0, 'finalized', 2, 0)");
	lrt_test_exec(conn, "INSERT INTO lrt.ingest_rejects (product_id, "
		"source_file, source_line, raw, reason) VALUES (1, 'e.jsonl', 3, "
		"'{', 'not JSON')");
	lrt_test_exec(conn, "INSERT INTO lrt.journal (product_id, entry, leg, "
		"epoch, event_id, step, ledger, debit_kind, debit_name, credit_kind, "
		"credit_name, amount) VALUES (1, 1, 0, 0, 'd1', 'deposit', 0, "
		"'position', 'buffer', 'deposits', NULL, 5), (1, 1, 1, 0, 'd1', "
		"'deposit', -1, 'holder', 'alice', 'issued', NULL, 5), (1, 1, 2, 0, "
		"'d1', 'deposit', -2, 'total_assets', NULL, 'contributed', NULL, "
		MAX_AMOUNT ")");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.journal"),
			 "3");
	PQfinish(conn);
}
END_TEST

START_TEST(test_negative_amounts_are_refused)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.holders VALUES (1, 'alice', -1)"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET total_assets = -1"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET deferred = -5"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.positions VALUES (1, 0, 'buffer', -5)"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.journal "
		"(product_id, entry, leg, epoch, step, ledger, debit_kind, "
		"credit_kind, amount) VALUES (1, 1, 0, 0, 'fee', -2, 'gains', "
		"'total_assets', -1)"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.holders"),
			 "0");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT total_assets || ' ' || deferred FROM lrt.product_state"),
		"0 0");
	PQfinish(conn);
}
END_TEST

START_TEST(test_amounts_of_2_to_256_or_more_are_refused)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.holders VALUES (1, 'alice', " TWO_TO_256 ")"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET total_shares = " TWO_TO_256),
		CHECK_VIOLATION);
	/* 10^78 does not even fit NUMERIC(78,0). */
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET total_shares = 10::numeric ^ 78"),
		NUMERIC_OUT_OF_RANGE);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET total_shares = " MAX_AMOUNT),
		"00000");
	PQfinish(conn);
}
END_TEST

START_TEST(test_duplicate_event_id_is_refused)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.inbox "
		"(product_id, event_id, epoch, type, event) VALUES (1, 'd1', 4, "
		"'deposit', '" DEPOSIT("d1", "4") "')"), UNIQUE_VIOLATION);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) || ' ' || "
		"max(epoch) FROM lrt.inbox WHERE event_id = 'd1'"), "1 0");
	/* The same id in another product is another event. */
	lrt_test_exec(conn, "BEGIN;"
		"INSERT INTO lrt.products (symbol, underlying, model, config)"
		" VALUES ('eETH', 'ETH', 'plain', '{}');"
		"INSERT INTO lrt.product_assets VALUES (2, 0, 'ETH', 18);"
		"INSERT INTO lrt.inbox (product_id, event_id, epoch, type, event)"
		" VALUES (2, 'd1', 0, 'deposit', '" DEPOSIT("d1", "0") "');"
		"COMMIT");
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT count(*) FROM lrt.inbox WHERE event_id = 'd1'"), "2");
	PQfinish(conn);
}
END_TEST

/* One inbox row with every column chosen by the caller's SQL fragment. */
static const char *inbox_row(PGconn *conn, const char *values)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "INSERT INTO lrt.inbox (product_id, event_id,"
		 " epoch, type, event, source_file, source_line) VALUES (%s)", values);
	return lrt_test_sqlstate(conn, sql);
}

/*
 * The inbox keeps only the checks that cost nothing per row: its typed
 * columns come from the C validator (lrt ingest), and whether they are what
 * the event says is `lrt verify`'s to prove (tests/check_dbpath.c), as is a
 * product id the catalog does not know.
 */
START_TEST(test_inbox_refuses_inconsistent_events)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(inbox_row(conn, "1, 'e1', 1, 'reward', '"
		REWARD("e1", "reward") "', 'e.jsonl', 1"), "00000");
	ck_assert_str_eq(inbox_row(conn, "1, 'e4', -1, 'reward', '"
		REWARD("e4", "reward") "', NULL, NULL"), CHECK_VIOLATION);
	/* A line number needs its file. */
	ck_assert_str_eq(inbox_row(conn, "1, 'e8', 1, 'reward', '"
		REWARD("e8", "reward") "', NULL, 4"), CHECK_VIOLATION);
	ck_assert_str_eq(inbox_row(conn, "1, '', 1, 'reward', '"
		REWARD("", "reward") "', NULL, NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(inbox_row(conn, "1, NULL, 1, 'reward', '"
		REWARD("e5", "reward") "', NULL, NULL"), NOT_NULL_VIOLATION);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT string_agg(event_id, ', '"
		" ORDER BY event_id) FROM lrt.inbox WHERE epoch = 1"), "e1");
	PQfinish(conn);
}
END_TEST

START_TEST(test_rejected_events_need_an_event_and_a_reason)
{
	PGconn *conn = lrt_test_connect();

	/* the epoch is checked at commit: it is written in the same settlement */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.rejected_events"
		" VALUES (1, 'd1', 0, 0, '')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.rejected_events"
		" VALUES (1, 'nope', 0, 0, 'unknown asset')"), FOREIGN_KEY_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.rejected_events"
		" VALUES (1, 'd1', 5, 0, 'unknown asset')"), FOREIGN_KEY_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.rejected_events"
		" VALUES (1, 'd1', 0, -1, 'unknown asset')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.rejected_events"
		" VALUES (1, 'd1', 0, 0, 'unknown asset')"), "00000");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM"
		" lrt.rejected_events"), "1");
	PQfinish(conn);
}
END_TEST

START_TEST(test_products_refuse_invalid_configuration)
{
	PGconn *conn = lrt_test_connect();

	/* The underlying must be the asset of ordinal 0: checked at commit. */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "BEGIN;"
		"INSERT INTO lrt.products (symbol, underlying, config)"
		" VALUES ('jitoSOL', 'SOL', '{}');"
		"INSERT INTO lrt.product_assets VALUES (2, 0, 'JTO', 9),"
		" (2, 1, 'SOL', 9);"
		"COMMIT"), FOREIGN_KEY_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, config) VALUES ('lone', 'ETH', '{}')"),
		FOREIGN_KEY_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, model, decimals_offset, config) VALUES "
		"('p', 'ETH', 'plain', 3, '{}')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, model, config) VALUES ('p', 'ETH', 'curve', "
		"'{}')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, decimals_offset, config) VALUES ('p', 'ETH', "
		"19, '{}')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, epoch_seconds, config) VALUES ('p', 'ETH', 0, "
		"'{}')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, config) VALUES ('p', 'ETH', '[]')"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.products "
		"(symbol, underlying, config) VALUES ('rstETH', 'ETH', '{}')"),
		UNIQUE_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO "
		"lrt.product_assets VALUES (1, 2, 'EIGEN', 256)"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO "
		"lrt.product_assets VALUES (1, 2, 'stETH', 18)"), UNIQUE_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET fee_bps = 10000"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET fee_recipients = '[]'"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.product_state SET settled_epoch = -2"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.products"),
			 "1");
	PQfinish(conn);
}
END_TEST

START_TEST(test_balances_refuse_invalid_names_and_places)
{
	PGconn *conn = lrt_test_connect();

	/* An address is stored lower-cased; a mixed-case one never is. */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.holders VALUES"
		" (1, '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B', 1)"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.holders VALUES (1, '', 1)"), CHECK_VIOLATION);
	/* Any other name keeps its case. */
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.holders VALUES (1, 'Treasury', 1)"), "00000");
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.holders VALUES"
		" (1, '0XAB5801A7D398351B8BE11C439E05C5B3259AEC9B', 1)"), "00000");
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.locations VALUES (1, 'buffer2', 3, 'buffer')"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.locations VALUES (1, 'kiln', 1, 'operator')"),
		UNIQUE_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.positions VALUES (1, 1, 'claimable', 1)"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.positions VALUES (1, 0, 'nowhere', 1)"),
		FOREIGN_KEY_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.positions VALUES (1, 7, 'buffer', 1)"),
		FOREIGN_KEY_VIOLATION);
	/* The underlying's price is always 1: never stored. */
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.prices VALUES (1, 0, 1, 'd1')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"INSERT INTO lrt.prices VALUES (1, 1, -0.5, 'd1')"), CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.prices VALUES "
		"(1, 1, 0.1234567890123456789012345678901234567, 'd1')"),
		CHECK_VIOLATION);
	PQfinish(conn);
}
END_TEST

START_TEST(test_withdrawal_requests_stay_consistent)
{
	static const char insert[] = "INSERT INTO lrt.withdrawal_requests "
		"(product_id, request_id, queue_position, holder, shares, cap, "
		"request_epoch, status, payout, finalized_epoch, claim_event_id) "
		"VALUES ";
	char sql[600];
	PGconn *conn = lrt_test_connect();

#define REQUEST(values) (snprintf(sql, sizeof(sql), "%s(%s)", insert, values), \
			 lrt_test_sqlstate(conn, sql))
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 0, 'finalized', NULL, "
				 "0, NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 0, 'finalized', 3, 0, "
				 "NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 0, 'claimed', 2, 0, "
				 "NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 0, 0, 0, 'queued', NULL, "
				 "NULL, NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 1, 'finalized', 2, 0, "
				 "NULL"), CHECK_VIOLATION);
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 0, 'queued', 2, NULL, "
				 "NULL"), CHECK_VIOLATION);
	/* No foreign key on this hot table: a request of an event the inbox
	 * does not hold, or finalized in an epoch not settled, is for `lrt
	 * verify` to find (tests/check_dbpath.c). */
	ck_assert_str_eq(REQUEST("1, 'x9', 1, 'a', 3, 2, 0, 'queued', NULL, "
				 "NULL, NULL"), "00000");
	ck_assert_str_eq(REQUEST("1, 'w1', 0, 'a', 3, 2, 0, 'claimed', 2, 0, "
				 "'d1'"), "00000");
#undef REQUEST
	PQfinish(conn);
}
END_TEST

/* The bounds the product tables check are src/core/limits.h's, generated
 * into sql/limits.sql: written once, never drifting from the validator. */
START_TEST(test_bounds_come_from_limits_h)
{
	PGconn *conn = lrt_test_connect();
	char sql[200];

	ck_assert_str_eq(lrt_test_value(conn, "SELECT value FROM lrt.limits"
		" WHERE name = 'LRT_FEE_BPS_MAX'"), "9999");
	snprintf(sql, sizeof(sql), "UPDATE lrt.product_state SET max_apr_bps = %u",
		 LRT_POLICY_BPS_MAX);
	ck_assert_str_eq(lrt_test_sqlstate(conn, sql), "00000");
	snprintf(sql, sizeof(sql), "UPDATE lrt.product_state SET max_apr_bps = %u",
		 LRT_POLICY_BPS_MAX + 1);
	ck_assert_str_eq(lrt_test_sqlstate(conn, sql), CHECK_VIOLATION);
	snprintf(sql, sizeof(sql), "UPDATE lrt.product_state SET fee_bps = %d",
		 LRT_FEE_BPS_MAX + 1);
	ck_assert_str_eq(lrt_test_sqlstate(conn, sql), CHECK_VIOLATION);
	snprintf(sql, sizeof(sql), "UPDATE lrt.product_assets SET decimals = %d",
		 LRT_DECIMALS_MAX + 1);
	ck_assert_str_eq(lrt_test_sqlstate(conn, sql), CHECK_VIOLATION);
	PQfinish(conn);
}
END_TEST

START_TEST(test_epochs_refuse_impossible_figures)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.epochs VALUES"
		" (1, 0, 10, 10, 1, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 1)"),
		UNIQUE_VIOLATION);
	/* A fee larger than the recognized increase. */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.epochs VALUES"
		" (1, 1, 10, 10, 1, 0, 5, 0, 0, 4, 5, 1, 10, 0, 1, 1, 0)"),
		CHECK_VIOLATION);
	/* Fee shares with no fee. */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.epochs VALUES"
		" (1, 1, 10, 10, 1, 0, 5, 0, 0, 4, 0, 1, 10, 0, 1, 1, 0)"),
		CHECK_VIOLATION);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.epochs VALUES"
		" (1, 1, 10, 10, -1, 0, 5, 0, 0, 4, 0, 0, 10, 0, 1, 1, 0)"),
		CHECK_VIOLATION);
	/* Losses and revaluations are signed; a rate may exceed 2^256. */
	ck_assert_str_eq(lrt_test_sqlstate(conn, "INSERT INTO lrt.epochs VALUES"
		" (1, 1, 10, 10, 10::numeric ^ 300, 0, 0, 7, -3, -10, 0, 0, 10, 0,"
		" 1, 1, 0)"), "00000");
	ck_assert_str_eq(lrt_test_value(conn, "SELECT revaluation || ' ' || "
		"recognized FROM lrt.epochs WHERE epoch = 1"), "-3 -10");
	PQfinish(conn);
}
END_TEST

/* Journal transfers of entry 2, epoch 0, the rest chosen by the caller:
 * (leg, step, ledger, debit_kind, debit_name, credit_kind, credit_name, amount). */
static const char *journal_transfer(PGconn *conn, const char *values)
{
	char sql[800];

	snprintf(sql, sizeof(sql), "INSERT INTO lrt.journal (product_id, entry, "
		 "epoch, leg, step, ledger, debit_kind, debit_name, credit_kind, "
		 "credit_name, amount) SELECT 1, 2, 0, * FROM (VALUES %s) v", values);
	return lrt_test_sqlstate(conn, sql);
}

START_TEST(test_journal_refuses_malformed_transfers)
{
	PGconn *conn = lrt_test_connect();

	/* An account paying itself is no movement. */
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -1, 'holder', 'a', "
		"'holder', 'a', 4)"), CHECK_VIOLATION);
	/* Nothing, less than nothing, or more than 2^256 - 1. */
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -1, 'holder', 'a', "
		"'issued', NULL, 0)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -1, 'holder', 'a', "
		"'issued', NULL, -4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -1, 'holder', 'a', "
		"'issued', NULL, " TWO_TO_256 ")"), CHECK_VIOLATION);
	/* A holder on a value ledger; a position on the shares ledger. */
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', 0, 'holder', 'a', "
		"'position', 'buffer', 4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -1, 'position', "
		"'buffer', 'issued', NULL, 4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', -3, 'gains', NULL, "
		"'total_assets', NULL, 4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'fee', 1, 'mystery', NULL, "
		"'swaps', NULL, 4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'mint', -1, 'holder', 'a', "
		"'issued', NULL, 4)"), CHECK_VIOLATION);
	ck_assert_str_eq(journal_transfer(conn, "(0, 'Fee!', -2, 'gains', NULL, "
		"'total_assets', NULL, 4)"), CHECK_VIOLATION);
	/* Two transfers at one place of one entry: no key on this hot table,
	 * `lrt verify` finds them (tests/check_dbpath.c). */
	ck_assert_str_eq(lrt_test_value(conn, "SELECT count(*) FROM lrt.journal"),
			 "0");
	PQfinish(conn);
}
END_TEST

START_TEST(test_journal_is_append_only)
{
	PGconn *conn = lrt_test_connect();

	ck_assert_str_eq(journal_transfer(conn, "(0, 'recognize', -2, "
		"'total_assets', NULL, 'gains', NULL, 9)"), "00000");
	ck_assert_str_eq(lrt_test_sqlstate(conn,
		"UPDATE lrt.journal SET amount = 10 WHERE leg = 0"),
		INSUFFICIENT_PRIVILEGE);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "DELETE FROM lrt.journal"),
			 INSUFFICIENT_PRIVILEGE);
	ck_assert_str_eq(lrt_test_sqlstate(conn, "TRUNCATE lrt.journal"),
			 INSUFFICIENT_PRIVILEGE);
	ck_assert_str_eq(lrt_test_value(conn,
		"SELECT sum(amount) FROM lrt.journal"), "9");
	PQfinish(conn);
}
END_TEST

Suite *schema_suite(void)
{
	Suite *suite = suite_create("schema");
	TCase *refusals = tcase_create("refusals");

	tcase_add_checked_fixture(refusals, migrated_product, NULL);
	tcase_set_timeout(refusals, LRT_TEST_DB_TIMEOUT_SECONDS);
	tcase_add_test(refusals, test_valid_rows_are_accepted);
	tcase_add_test(refusals, test_negative_amounts_are_refused);
	tcase_add_test(refusals, test_amounts_of_2_to_256_or_more_are_refused);
	tcase_add_test(refusals, test_duplicate_event_id_is_refused);
	tcase_add_test(refusals, test_inbox_refuses_inconsistent_events);
	tcase_add_test(refusals, test_rejected_events_need_an_event_and_a_reason);
	tcase_add_test(refusals, test_products_refuse_invalid_configuration);
	tcase_add_test(refusals, test_balances_refuse_invalid_names_and_places);
	tcase_add_test(refusals, test_withdrawal_requests_stay_consistent);
	tcase_add_test(refusals, test_epochs_refuse_impossible_figures);
	tcase_add_test(refusals, test_journal_refuses_malformed_transfers);
	tcase_add_test(refusals, test_bounds_come_from_limits_h);
	tcase_add_test(refusals, test_journal_is_append_only);
	suite_add_tcase(suite, refusals);
	return suite;
}
