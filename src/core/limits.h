/*
 * limits.h - every bound of the engine, with its reason.
 *
 * Input past a limit is malformed (LRT_EINVAL or LRT_ELIMIT) and says which
 * limit it met; nothing is silently truncated.
 */
#ifndef LRT_CORE_LIMITS_H
#define LRT_CORE_LIMITS_H

/* Amounts are at most 2^256 - 1 (78 digits); leading zeros are allowed, but
 * no honest writer needs more characters than this. */
#define LRT_AMOUNT_CHARS_MAX 256

/* Prices: at most 36 fractional digits (SPEC section 1); the integer part is
 * bounded like an amount. */
#define LRT_PRICE_FRACTION_DIGITS_MAX 36
#define LRT_PRICE_CHARS_MAX (LRT_AMOUNT_CHARS_MAX + 1 + LRT_PRICE_FRACTION_DIGITS_MAX)

/* Points rates: at most 18 fractional digits (SPEC section 2), counted in
 * units of 10^-18 point. */
#define LRT_POINTS_FRACTION_DIGITS_MAX 18

/* Points programs of one policy: a handful in practice; each costs a
 * checkpoint per holder whose shares change. */
#define LRT_POINTS_PROGRAMS_MAX 64

/* EigenLayer's unit of magnitude (SPEC section 2): 10^18 = all of a stake. */
#define LRT_WAD_DIGITS 18

/* Bits of the largest storable value: 2^256 - 1 (SPEC section 1). */
#define LRT_AMOUNT_BITS 256

/* Names: ids, holders, locations, sources, symbols.  A transaction hash with
 * a log index is ~80 bytes; 512 leaves room without letting one line hold a
 * megabyte of name. */
#define LRT_NAME_BYTES_MAX 512

/* One line of JSON Lines input.  Events are a few hundred bytes; a product
 * with many assets and recipients stays far below this. */
#define LRT_LINE_BYTES_MAX (1024 * 1024)

/* Problems named of one record (`lrt ingest`'s reject reason, `lrt
 * simulate`'s message): a person fixes a line in one pass; a line with more
 * is not worth reading problem by problem, and the rest are counted. */
#define LRT_RECORD_PROBLEMS_MAX 10

/* Assets of one product and fee recipients: a handful in practice. */
#define LRT_ASSETS_MAX 256
#define LRT_FEE_RECIPIENTS_MAX 256

/* Decimals of an asset (SPEC section 2) and the erc4626 offset. */
#define LRT_DECIMALS_MAX 255
#define LRT_OFFSET_MAX 18

/* Basis points. */
#define LRT_BPS_DENOMINATOR 10000
#define LRT_FEE_BPS_MAX 9999

/* max_apr_bps and max_rate_change_bps: non-negative, no upper rule in the
 * SPEC; bounded so that every product of them fits comfortably. */
#define LRT_POLICY_BPS_MAX 1000000000u

/* Epochs: numbered from 0.  2^40 epochs of one second is 34,000 years past
 * genesis; a larger number is a typo, not a date. */
#define LRT_EPOCH_MAX ((int64_t)1 << 40)

/* Withdrawal delay in epochs. */
#define LRT_DELAY_EPOCHS_MAX ((int64_t)1 << 40)

/* Unix seconds accepted for times: 0001-01-01 .. 9999-12-31. */
#define LRT_TIME_MIN INT64_C(-62135596800)
#define LRT_TIME_MAX INT64_C(253402300799)

/* Submissions of lrt.submissions judged in one transaction (`lrt ingest
 * --pending`, lrt_ingest_pending): a batch is read whole into memory and
 * locks its rows until it commits; a backlog of millions goes in steps. */
#define LRT_INGEST_PENDING_BATCH 100000

/* Kept-aside lines named one by one where a person reads them (`lrt
 * ingest`'s standard error, a cycle of `lrt serve`'s log); the others are
 * counted, and every one is in lrt.ingest_rejects with its reason. */
#define LRT_REJECTS_SHOWN 20

/* Differences `lrt verify` describes; past them it counts: a broken book
 * shows its pattern in the first few hundred, and a million lines hide it. */
#define LRT_VERIFY_DIFFERENCES_SHOWN 200

/* Rows of an aligned table (`lrt report`'s table format): aligning holds them
 * in memory, at about a hundred bytes a row a hundred MB; past it, CSV and
 * JSON stream any number. */
#define LRT_REPORT_TABLE_ROWS_MAX 1000000

/* Rows of one view for one product that `lrt report html` holds for a page: a
 * thousand epochs of a hundred operators is a tenth of it; a history past it
 * would make charts of millions of points nobody can read. */
#define LRT_HTML_ROWS_MAX 1000000

/* Migrations are named NNNN_title.sql: four digits, 0001..9999.  More cannot
 * be named, and lrt.schema_migrations checks the same (src/store/migrate.c). */
#define LRT_MIGRATION_VERSION_MAX 9999
/* A migration's title, between "NNNN_" and ".sql", also checked by
 * lrt.schema_migrations: a title, not a sentence. */
#define LRT_MIGRATION_TITLE_BYTES_MAX 100
/* One migration file, read whole: a migration is reviewed by a person; one
 * larger than this is a data dump by mistake. */
#define LRT_MIGRATION_FILE_BYTES_MAX (16u * 1024u * 1024u)
/* Files of sql/ (reporting views and functions): a few dozen expected. */
#define LRT_SQL_FILES_MAX 1000

/* Seconds in the year of the smoothing cap (SPEC section 5, step 2). */
#define LRT_SECONDS_PER_YEAR 31536000

/* The reason given with `lrt settle --accept-rate` (lrt.accepts): a
 * sentence or a ticket reference, one line; a page is not a reason. */
#define LRT_ACCEPT_REASON_BYTES_MAX 1000

#endif
