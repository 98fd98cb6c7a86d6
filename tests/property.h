/*
 * property.h - the pieces of the property test (check_property.c): limits,
 * the world of the random streams, the naive reference model of the SPEC
 * (property_model.c), the journal checker (property_journal.c), and the
 * streams with their generator and JSON writer (property_stream.c).
 *
 * Test code: every failure aborts the running test through Check.
 */
#ifndef LRT_TESTS_PROPERTY_H
#define LRT_TESTS_PROPERTY_H

#include <stdio.h>  /* before gmp.h, for gmp_fprintf */

#include <check.h>
#include <gmp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrt/amount.h"
#include "lrt/book.h"
#include "lrt/error.h"
#include "lrt/event.h"
#include "lrt/product.h"
#include "lrt/scenario.h"

/* ---- limits -------------------------------------------------------------- */

#define DEFAULT_EVENTS 12000     /* issue 3: at least 10,000 in `make check` */
#define STREAM_EVENTS 300        /* events of one stream by default */
#define STREAM_MAX 64            /* past this, more events lengthen streams */
#define DEPOSITOR_COUNT 40       /* holders who deposit */
#define NAME_COUNT 43            /* the depositors and three fee recipients */
#define LOCATION_COUNT 5         /* buffer, three operators, claimable */
#define BUFFER 0
#define CLAIMABLE 4
#define ASSET_COUNT 5            /* every product has the five of a family */
#define LEDGER_SLOTS (ASSET_COUNT + 2)
#define RECIPIENT_MAX 3
#define ACCOUNT_BUCKETS 1021     /* journal accounts: a few hundred a stream */
#define SECONDS_PER_YEAR 31536000
#define GENESIS_TIME 1752192000  /* 2025-07-11T00:00:00Z */
#define DEFAULT_SEED UINT64_C(0x6c72742d70726f70)
#define AVS_COUNT 3              /* the AVSs that allocate and slash */
#define PROGRAM_COUNT 3          /* points programs a stream may name */
#define STRESS_MAX 4             /* what-if slashes on the final state */
#define DATABASE_STREAMS 6       /* streams also put through the database */
#define DATABASE_SETTLES 4       /* random settle stops besides the cut and the end */

/*
 * Check's ck_assert* records a mark point (a write to a file) each time it
 * passes; with hundreds of checks an event that dominated the run.  These
 * cost nothing until they fail.
 */
#define CHECK(condition, ...) \
	do { \
		if (!(condition)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)
#define CHECK_OK(call) \
	do { \
		int check_rc_ = (call); \
		CHECK(check_rc_ == 0, "%s returned %d: %s", #call, check_rc_, lrt_error_last()); \
	} while (0)
#define CHECK_ALLOC(pointer) CHECK((pointer) != NULL, "out of memory: %s", #pointer)

/* ---- types ---------------------------------------------------------------- */

typedef struct {
	const char *symbol;
	unsigned decimals;
	uint64_t price_base;     /* a typical price: price_base / 10^price_exp */
	unsigned price_exp;
	uint64_t typical_whole;  /* a typical deposit, in whole units */
} asset_spec;

typedef struct {
	const char *id;          /* the withdraw event's id (the stream owns it) */
	int holder;
	int64_t epoch;
	mpz_t shares, cap, payout;
	int state;               /* REQUEST_* */
} request;

typedef struct {
	const char *id;          /* the stream owns the strings */
	int asset;
	const char *location;
	mpz_t observed;
} attestation;  /* an attest applied in the open epoch */

typedef struct {
	int asset;
	bool slash;
	mpz_t amount;
} flow;  /* a reward or slash applied in the open epoch */

typedef struct {
	/* the product; never changes */
	const asset_spec *assets;
	lrt_model kind;
	unsigned offset;
	int64_t epoch_seconds;
	mpz_t virtual_shares, virtual_assets, one_token, max;
	/* the policy */
	unsigned fee_bps;
	int recipient[RECIPIENT_MAX];
	unsigned recipient_bps[RECIPIENT_MAX];
	size_t recipient_count;
	int64_t delay_epochs;
	uint32_t max_apr_bps;
	bool fee_high_water_mark;
	bool program_in_force[PROGRAM_COUNT];
	mpz_t program_rate[PROGRAM_COUNT];  /* per_share_epoch * 10^18 */
	/* the state of the second edition */
	mpz_t wad;
	bool has_mark;
	mpq_t mark;              /* H */
	mpz_t max_magnitude[LOCATION_COUNT][ASSET_COUNT];
	mpz_t allocated[LOCATION_COUNT][ASSET_COUNT][AVS_COUNT];
	bool program_named[PROGRAM_COUNT];
	mpz_t points[PROGRAM_COUNT][NAME_COUNT];  /* exact sums: shares * rate */
	attestation *attests;
	size_t attest_count, attest_capacity;
	/* the state */
	int64_t epoch;
	mpz_t total_assets, total_shares, deferred;
	mpz_t holder[NAME_COUNT];
	mpz_t position[LOCATION_COUNT][ASSET_COUNT];
	mpq_t price[ASSET_COUNT];
	bool priced[ASSET_COUNT];
	request *requests;       /* queue order; [0, queue_head) no longer queued */
	size_t request_count, request_capacity, queue_head;
	flow *flows;
	size_t flow_count, flow_capacity;
} model;

/* What SPEC section 5 says the epoch's report holds. */
typedef struct {
	mpz_t total_assets, total_shares, rate, deferred;
	mpz_t rewards, slashed, revaluation, recognized, fee_value, fee_shares;
	mpz_t buffer, claimable;
	size_t *finalized;       /* model requests, in queue order */
	size_t finalized_count;
	mpz_t *reconciled_book;  /* `book` of each attest of the epoch */
	size_t reconciled_count;
} expected_report;

enum { REQUEST_QUEUED, REQUEST_FINALIZED, REQUEST_CLAIMED, REQUEST_CANCELLED };

typedef struct account {
	struct account *next;
	int ledger;
	lrt_account_kind kind;
	char *name;              /* NULL when the lines had none */
	mpz_t balance;
} account;

typedef struct {
	account *bucket[ACCOUNT_BUCKETS];
	size_t asset_count;
	size_t line_count;
	uint64_t digest;         /* FNV-1a of every line, to compare runs */
	bool strict;             /* check epochs and event ids of lines */
	const char *current_id;  /* the event being applied; NULL while settling */
	int64_t epoch;
	bool entry_open, any_entry;
	uint64_t entry;
	mpz_t entry_sum[LEDGER_SLOTS];
} journal;

typedef struct {
	uint64_t state;
} prng;

typedef struct {
	lrt_event event;
	const char *price_text;  /* the price as written in the JSON line */
	int time_form;           /* 0 epoch, 1 Unix time, 2 ISO time, 3 both */
	int64_t time;
	bool extra_field;        /* an unknown field, kept and ignored */
	bool applied;            /* the outcome in run 1 */
} recorded;

typedef struct {
	int index;
	uint64_t seed;
	prng rng;
	size_t target_events;
	lrt_product product;
	model m;
	int64_t epoch_seconds;
	size_t mean_per_epoch;
	recorded *events;
	size_t event_count, event_capacity;
	void **owned;            /* strings and arrays made for the events */
	size_t owned_count, owned_capacity;
	char *output[3];         /* reports and final line of each run */
	size_t output_length[3];
	uint64_t digest[3];
	size_t applied, rejected;
	size_t applied_by_type[LRT_EVENT_TYPE_COUNT], rejected_by_type[LRT_EVENT_TYPE_COUNT];
	size_t wad_losses;       /* slashes by wad that took something */
	size_t stress_trips;     /* 0 or 1: the final stress tripped its guard */
	bool database_path;      /* also put through the database (own seeds) */
	const char *scenario_text; /* run 3's JSON Lines (owned) */
	int64_t last_epoch;
} stream;

/* ---- the world and the reference model (property_model.c) --------------- */

extern char names[NAME_COUNT][48];
extern const int avss_sorted[AVS_COUNT];
extern const int operators_sorted[3];
extern const char *const program_names[PROGRAM_COUNT];
extern const char *const type_names[LRT_EVENT_TYPE_COUNT];
extern const char *const slash_avss[];
extern const char *const reward_sources[];
extern const char *const locations[LOCATION_COUNT];
extern const asset_spec sol_family[ASSET_COUNT];
extern const asset_spec eth_family[ASSET_COUNT];
void names_init(void);
int name_index(const char *name);
void model_init(model *m, const asset_spec *assets, lrt_model kind,
		       unsigned offset, int64_t epoch_seconds);
void model_clear(model *m);
int model_asset_index(const model *m, const char *symbol);
void model_value(mpz_t out, const model *m, int asset, const mpz_t amount);
void model_to_assets(mpz_t out, const model *m, const mpz_t s,
			    const mpz_t assets, const mpz_t shares);
bool model_slash(model *m, const lrt_event *e);
void model_set_programs(model *m, const lrt_points_program *list, size_t count);
bool model_apply(model *m, const lrt_event *e);
void expected_init(expected_report *x);
void expected_clear(expected_report *x);
void model_value_step(mpz_t gain, expected_report *x, const model *m);
void model_recognize_step(model *m, expected_report *x, const mpz_t gain);
void model_settle(model *m, expected_report *x);
void model_exposure(const model *m, mpz_t value[3], mpz_t slashable[3][AVS_COUNT],
			   mpz_t hhi);
void model_rate(mpz_t out, const model *m);

/* ---- the journal (property_journal.c) ------------------------------------ */

void journal_init(journal *j, size_t asset_count, bool strict);
void journal_clear(journal *j);
void journal_balance(mpz_t out, journal *j, int ledger,
			    lrt_account_kind kind, const char *name);
size_t journal_kind_total(mpz_t out, const journal *j, int ledger,
				 lrt_account_kind kind);
void journal_close_entry(journal *j);
void journal_sink(void *context, const lrt_journal_transfer *t);

/* ---- streams: the generator and the JSON writer (property_stream.c) ------ */

extern size_t stream_events;   /* events of one stream */
extern uint64_t seed_base;     /* every stream's seed derives from it */

uint64_t prng_next(prng *rng);
uint64_t prng_below(prng *rng, uint64_t bound);
bool prng_percent(prng *rng, unsigned percent);
/* Keeps `p` until stream_clear (fails the test when NULL); returns it. */
void *stream_keep(stream *s, void *p);
recorded *stream_new_event(stream *s, int64_t epoch);
void event_write_json(FILE *out, const recorded *r);
const char *event_text(const recorded *r);
void gen_wad(stream *s, mpz_t out);
int allocated_asset(stream *s, int l);
void gen_event(stream *s, recorded *r);
void write_product_json(FILE *out, const stream *s);
/* A stream's product and generator; a `database_path` stream draws from
 * seeds of its own, and from every event type, as the others do. */
void stream_init(stream *s, int index, bool database_path);
void stream_clear(stream *s);

#endif
