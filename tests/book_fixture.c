/*
 * book_fixture.c - building products and events in C for the accounting
 * suites, and a text dump of a book's observable state (see book_fixture.h).
 *
 * Test code: every failure here fails the running test through Check.
 */
#include <stdio.h>
#include <string.h>

#include "book_fixture.h"

#define FX_NAME_BYTES 64
#define FX_LIST_MAX 16

/* Splits "a:1,b:2" into names and numbers; returns the count. */
static size_t split_pairs(char names[][FX_NAME_BYTES], unsigned *numbers,
			  const char *text)
{
	size_t count = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *colon = strchr(p, ':');
		char *end;
		unsigned long number;

		ck_assert_msg(colon != NULL && colon > p, "bad list: %s", text);
		ck_assert_msg(count < FX_LIST_MAX, "list too long: %s", text);
		ck_assert_msg((size_t)(colon - p) < FX_NAME_BYTES, "long name");
		memcpy(names[count], p, (size_t)(colon - p));
		names[count][colon - p] = '\0';
		number = strtoul(colon + 1, &end, 10);
		ck_assert_msg(end != colon + 1, "bad number in %s", text);
		numbers[count++] = (unsigned)number;
		p = *end == ',' ? end + 1 : end;
	}
	return count;
}

static char *copy_string(const char *text)
{
	char *copy = strdup(text);

	ck_assert_ptr_nonnull(copy);
	return copy;
}

void fx_product(lrt_product *product, const char *assets, lrt_model model,
		unsigned offset)
{
	char names[FX_LIST_MAX][FX_NAME_BYTES];
	unsigned decimals[FX_LIST_MAX];
	size_t count = split_pairs(names, decimals, assets);

	ck_assert_uint_gt(count, 0);
	product->symbol = copy_string("rstETH");
	product->underlying = copy_string(names[0]);
	product->assets = calloc(count, sizeof(*product->assets));
	ck_assert_ptr_nonnull(product->assets);
	for (size_t i = 0; i < count; i++) {
		product->assets[i].symbol = copy_string(names[i]);
		product->assets[i].decimals = decimals[i];
	}
	product->asset_count = count;
	product->model = model;
	product->offset = offset;
	fx_product_recipients(product, "treasury:10000");
}

void fx_product_recipients(lrt_product *product, const char *recipients)
{
	char names[FX_LIST_MAX][FX_NAME_BYTES];
	unsigned bps[FX_LIST_MAX];
	lrt_fee_recipient list[FX_LIST_MAX];
	size_t count = split_pairs(names, bps, recipients);
	lrt_policy policy = product->policy;

	for (size_t i = 0; i < count; i++) {
		list[i].holder = names[i];
		list[i].bps = bps[i];
	}
	policy.fee_recipients = list;
	policy.fee_recipient_count = count;
	ck_assert_int_eq(lrt_policy_copy(&product->policy, &policy), 0);
}

lrt_book *fx_book_new(const lrt_product *product)
{
	lrt_book *book = NULL;
	int rc = lrt_book_new(&book, product);

	ck_assert_msg(rc == 0, "lrt_book_new: %d (%s)", rc, lrt_error_last());
	ck_assert_ptr_nonnull(book);
	ck_assert_int_eq(lrt_book_settled_epoch(book), -1);
	ck_assert_int_eq(lrt_book_begin_epoch(book, 0), 0);
	return book;
}

lrt_book *fx_book_eth(lrt_model model, unsigned offset)
{
	lrt_product product;
	lrt_book *book;

	lrt_product_init(&product);
	fx_product(&product, "ETH:18", model, offset);
	book = fx_book_new(&product);
	lrt_product_clear(&product);
	return book;
}

int64_t fx_open_epoch(const lrt_book *book)
{
	return lrt_book_settled_epoch(book) + 1;
}

static void set_amount(mpz_t out, const char *text)
{
	ck_assert_msg(text[0] >= '0' && text[0] <= '9', "bad amount %s", text);
	ck_assert_msg(mpz_set_str(out, text, 10) == 0, "bad amount %s", text);
}

void fx_decimal_to_mpq(mpq_t out, const char *text)
{
	const char *dot = strchr(text, '.');
	mpz_t numerator, denominator;
	char *digits = copy_string(text);

	mpz_init(numerator);
	mpz_init_set_ui(denominator, 1);
	if (dot != NULL) {
		size_t fraction = strlen(dot + 1);

		memmove(digits + (dot - text), dot + 1, fraction + 1);
		mpz_ui_pow_ui(denominator, 10, fraction);
	}
	set_amount(numerator, digits);
	mpq_set_num(out, numerator);
	mpq_set_den(out, denominator);
	mpq_canonicalize(out);
	mpz_clear(denominator);
	mpz_clear(numerator);
	free(digits);
}

int fx_apply(lrt_book *book, lrt_event *event)
{
	event->epoch = fx_open_epoch(book);
	return lrt_book_apply(book, event);
}

/* Applies `event` and clears it: the common tail of the fx_ verbs. */
static int apply_and_clear(lrt_book *book, lrt_event *event)
{
	int rc = fx_apply(book, event);

	lrt_event_clear(event);
	return rc;
}

int fx_deposit(lrt_book *book, const char *id, const char *holder,
	       const char *asset, const char *amount)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_DEPOSIT;
	event.holder = holder;
	event.asset = asset;
	set_amount(event.amount, amount);
	return apply_and_clear(book, &event);
}

int fx_withdraw(lrt_book *book, const char *id, const char *holder,
		const char *shares)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_WITHDRAW;
	event.holder = holder;
	set_amount(event.amount, shares);
	return apply_and_clear(book, &event);
}

int fx_transfer(lrt_book *book, const char *id, const char *from,
		const char *to, const char *shares)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_TRANSFER;
	event.from = from;
	event.to = to;
	set_amount(event.amount, shares);
	return apply_and_clear(book, &event);
}

int fx_reward(lrt_book *book, const char *id, const char *source,
	      const char *location, const char *asset, const char *amount)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_REWARD;
	event.source = source;
	event.location = location;
	event.asset = asset;
	set_amount(event.amount, amount);
	return apply_and_clear(book, &event);
}

int fx_slash(lrt_book *book, const char *id, const char *operator_name,
	     const char *avs, const char *asset, const char *amount)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_SLASH;
	event.location = operator_name;
	event.source = avs;
	event.asset = asset;
	set_amount(event.amount, amount);
	return apply_and_clear(book, &event);
}

int fx_move(lrt_book *book, const char *id, const char *asset,
	    const char *amount, const char *from, const char *to)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_MOVE;
	event.asset = asset;
	event.from = from;
	event.to = to;
	set_amount(event.amount, amount);
	return apply_and_clear(book, &event);
}

int fx_swap(lrt_book *book, const char *id, const char *location,
	    const char *asset_in, const char *amount_in,
	    const char *asset_out, const char *amount_out)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_SWAP;
	event.location = location;
	event.asset = asset_in;
	event.asset_out = asset_out;
	set_amount(event.amount, amount_in);
	set_amount(event.amount_out, amount_out);
	return apply_and_clear(book, &event);
}

int fx_price(lrt_book *book, const char *id, const char *asset,
	     const char *price)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_PRICE;
	event.asset = asset;
	fx_decimal_to_mpq(event.price, price);
	return apply_and_clear(book, &event);
}

int fx_claim(lrt_book *book, const char *id, const char *request)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_CLAIM;
	event.request = request;
	return apply_and_clear(book, &event);
}

int fx_accept(lrt_book *book, const char *id, const char *rate)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_ACCEPT;
	set_amount(event.amount, rate);
	return apply_and_clear(book, &event);
}

int fx_config(lrt_book *book, const char *id, unsigned mask,
	      const lrt_policy *policy)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_CONFIG;
	event.config_mask = mask;
	event.config = *policy;
	if ((mask & LRT_CONFIG_FEE_RECIPIENTS) == 0) {
		event.config.fee_recipients = NULL;
		event.config.fee_recipient_count = 0;
	}
	/* The policy is borrowed: lrt_event_clear must not free it. */
	return apply_and_clear(book, &event);
}

int fx_slash_wad(lrt_book *book, const char *id, const char *operator_name,
		 const char *avs, const char *asset, const char *wad)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_SLASH;
	event.location = operator_name;
	event.source = avs;
	event.asset = asset;
	event.by_wad = true;
	set_amount(event.amount, wad);
	return apply_and_clear(book, &event);
}

int fx_allocate(lrt_book *book, const char *id, const char *operator_name,
		const char *avs, const char *asset, const char *magnitude)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_ALLOCATE;
	event.location = operator_name;
	event.source = avs;
	event.asset = asset;
	set_amount(event.amount, magnitude);
	return apply_and_clear(book, &event);
}

int fx_cancel(lrt_book *book, const char *id, const char *request)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_CANCEL;
	event.request = request;
	return apply_and_clear(book, &event);
}

int fx_attest(lrt_book *book, const char *id, const char *asset,
	      const char *location, const char *amount)
{
	lrt_event event;

	lrt_event_init(&event);
	event.id = id;
	event.type = LRT_EVENT_ATTEST;
	event.asset = asset;
	event.location = location;
	set_amount(event.amount, amount);
	return apply_and_clear(book, &event);
}

/* Parses "name=rate,name=rate" into `programs` (the strings point into
 * `text`, which the caller keeps); returns the count. */
static size_t split_programs(lrt_points_program *programs, char *text)
{
	size_t count = 0;
	char *save = NULL;

	for (char *item = strtok_r(text, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *equals = strchr(item, '=');

		ck_assert_msg(equals != NULL && equals > item, "bad program %s", item);
		ck_assert_msg(count < FX_LIST_MAX, "too many programs");
		*equals = '\0';
		programs[count].name = item;
		programs[count].per_share_epoch = equals + 1;
		count++;
	}
	return count;
}

void fx_product_points(lrt_product *product, const char *programs)
{
	lrt_points_program list[FX_LIST_MAX];
	char *text = copy_string(programs);
	lrt_policy policy = product->policy;

	policy.points = list;
	policy.points_count = split_programs(list, text);
	ck_assert_int_eq(lrt_policy_copy(&product->policy, &policy), 0);
	free(text);
}

int fx_config_high_water_mark(lrt_book *book, const char *id, bool on)
{
	lrt_policy policy;

	memset(&policy, 0, sizeof(policy));
	policy.fee_high_water_mark = on;
	return fx_config(book, id, LRT_CONFIG_FEE_HIGH_WATER_MARK, &policy);
}

int fx_config_points(lrt_book *book, const char *id, const char *programs)
{
	lrt_points_program list[FX_LIST_MAX];
	char *text = copy_string(programs);
	lrt_policy policy;
	int rc;

	memset(&policy, 0, sizeof(policy));
	policy.points = list;
	policy.points_count = split_programs(list, text);
	rc = fx_config(book, id, LRT_CONFIG_POINTS, &policy);
	free(text);
	return rc;
}

int fx_settle_close(lrt_book *book, lrt_epoch_report *report)
{
	lrt_epoch_report_clear(report);
	lrt_epoch_report_init(report);
	return lrt_book_settle(book, report);
}

int fx_settle(lrt_book *book, lrt_epoch_report *report)
{
	int rc;

	lrt_epoch_report_clear(report);
	lrt_epoch_report_init(report);
	rc = lrt_book_settle(book, report);
	if (rc == 0)
		ck_assert_int_eq(lrt_book_begin_epoch(book,
				 lrt_book_settled_epoch(book) + 1), 0);
	return rc;
}

void fx_settle_ok(lrt_book *book)
{
	lrt_epoch_report report;
	int rc;

	lrt_epoch_report_init(&report);
	rc = fx_settle(book, &report);
	ck_assert_msg(rc == 0, "settle epoch %lld: %d (%s)",
		      (long long)fx_open_epoch(book), rc, lrt_error_last());
	lrt_epoch_report_clear(&report);
}

/* ---- the state dump ---------------------------------------------------- */

static int dump_holder(void *context, const char *holder, const mpz_t shares)
{
	gmp_fprintf(context, "holder %s %Zd\n", holder, shares);
	return 0;
}

static int dump_position(void *context, const char *asset,
			 const char *location, const mpz_t amount)
{
	gmp_fprintf(context, "position %s %s %Zd\n", asset, location, amount);
	return 0;
}

static int dump_request(void *context, const lrt_request_view *request)
{
	gmp_fprintf(context, "queued %s %s %Zd cap %Zd epoch %lld\n",
		    request->request, request->holder, *request->shares,
		    *request->cap, (long long)request->epoch);
	return 0;
}

static int dump_location(void *context, const char *location, size_t index)
{
	fprintf(context, "location %zu %s\n", index, location);
	return 0;
}

typedef struct {
	FILE *out;
	const lrt_book *book;
} program_dump;

static int dump_program(void *context, const char *program)
{
	const program_dump *dump = context;
	char *points = fx_points_text(dump->book, program);

	fprintf(dump->out, "program %s %s\n", program, points);
	free(points);
	return 0;
}

char *fx_state_dump(const lrt_book *book)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	program_dump dump = {out, book};
	char *exposure;
	mpz_t x;

	ck_assert_ptr_nonnull(out);
	mpz_init(x);
	lrt_book_total_assets(x, book);
	gmp_fprintf(out, "A %Zd\n", x);
	lrt_book_total_shares(x, book);
	gmp_fprintf(out, "S %Zd\n", x);
	lrt_book_deferred(x, book);
	gmp_fprintf(out, "D %Zd\n", x);
	lrt_book_rate(x, book);
	gmp_fprintf(out, "rate %Zd\n", x);
	fprintf(out, "settled %lld\n", (long long)lrt_book_settled_epoch(book));
	ck_assert_int_eq(lrt_book_each_holder(book, true, dump_holder, out), 0);
	ck_assert_int_eq(lrt_book_each_position(book, dump_position, out), 0);
	ck_assert_int_eq(lrt_book_each_location(book, dump_location, out), 0);
	ck_assert_int_eq(lrt_book_each_queued(book, dump_request, out), 0);
	ck_assert_int_eq(lrt_book_each_program(book, dump_program, (void *)&dump), 0);
	exposure = fx_exposure_text(book);
	fputs(exposure, out);
	free(exposure);
	mpz_clear(x);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

/* ---- exposure, points and reconciliation as text -------------------------- */

char *fx_exposure_text(const lrt_book *book)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	lrt_exposure exposure;
	int rc;

	ck_assert_ptr_nonnull(out);
	lrt_exposure_init(&exposure);
	rc = lrt_book_exposure(&exposure, book);
	ck_assert_msg(rc == 0, "lrt_book_exposure: %d (%s)", rc, lrt_error_last());
	for (size_t i = 0; i < exposure.operator_count; i++) {
		const lrt_operator_exposure *op = &exposure.operators[i];

		gmp_fprintf(out, "%s %Zd", op->name, op->value);
		for (size_t k = 0; k < op->avs_count; k++)
			gmp_fprintf(out, " %s=%Zd", op->avs[k].avs, op->avs[k].slashable);
		fputc('\n', out);
	}
	gmp_fprintf(out, "hhi %Zd\n", exposure.hhi_bps);
	lrt_exposure_clear(&exposure);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static int points_line(void *context, const char *holder, const mpz_t points)
{
	FILE *out = context;

	ck_assert_msg(mpz_sgn(points) != 0, "holder %s listed with 0 points", holder);
	if (ftell(out) > 0)
		fputc(',', out);
	gmp_fprintf(out, "%s=%Zd", holder, points);
	return 0;
}

char *fx_points_text(const lrt_book *book, const char *program)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	int rc;

	ck_assert_ptr_nonnull(out);
	rc = lrt_book_each_points(book, program, points_line, out);
	ck_assert_msg(rc == 0, "lrt_book_each_points(%s): %d", program, rc);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

char *fx_reconciliation_text(const lrt_epoch_report *report)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < report->reconciliation_count; i++) {
		const lrt_reconciliation *r = &report->reconciliation[i];

		gmp_fprintf(out, "%s %s %s %Zd %Zd %Zd\n", r->id, r->asset,
			    r->location, r->book, r->observed, r->difference);
	}
	ck_assert_int_eq(fclose(out), 0);
	return text;
}
