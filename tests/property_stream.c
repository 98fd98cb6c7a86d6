/*
 * property_stream.c - the random streams of the property test: a seeded
 * generator (splitmix64), a product per stream, events drawn from the
 * model's state (about one in seven invalid on purpose), and the JSON
 * Lines of SPEC sections 2-3 that run 3 reads back.
 */
#include "property.h"

size_t stream_events = STREAM_EVENTS;
uint64_t seed_base = DEFAULT_SEED;

/* The per_share_epoch rates a config may give a program. */
static const char *const program_rates[] = {
	"1", "0.5", "0.000000000000000001", "2.25", "0", "1000000",
	"0.333333333333333333", "17.000000000000000001"
};
#define PROGRAM_RATE_COUNT (sizeof(program_rates) / sizeof(program_rates[0]))

/* ---- a seeded generator: splitmix64 ------------------------------------- */

uint64_t prng_next(prng *rng)
{
	uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* In [0, bound), 0 when bound is 0; the modulo bias does not matter here. */
uint64_t prng_below(prng *rng, uint64_t bound)
{
	return bound == 0 ? 0 : prng_next(rng) % bound;
}

bool prng_percent(prng *rng, unsigned percent)
{
	return prng_below(rng, 100) < percent;
}

/* A random integer in [0, bound); 0 when bound <= 0. */
static void prng_mpz_below(mpz_t out, prng *rng, const mpz_t bound)
{
	size_t words = mpz_sizeinbase(bound, 2) / 32 + 3;
	size_t i;

	mpz_set_ui(out, 0);
	if (mpz_sgn(bound) <= 0)
		return;
	for (i = 0; i < words; i++) {
		mpz_mul_2exp(out, out, 32);
		mpz_add_ui(out, out, (unsigned long)(prng_next(rng) >> 32));
	}
	mpz_fdiv_r(out, out, bound);
}

/* ---- a stream -------------------------------------------------------------- */

void *stream_keep(stream *s, void *p)
{
	CHECK_ALLOC(p);
	if (s->owned_count == s->owned_capacity) {
		s->owned_capacity = s->owned_capacity ? 2 * s->owned_capacity : 64;
		s->owned = realloc(s->owned, s->owned_capacity * sizeof *s->owned);
		CHECK_ALLOC(s->owned);
	}
	s->owned[s->owned_count++] = p;
	return p;
}

static char *stream_printf(stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *stream_printf(stream *s, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	CHECK_ALLOC(out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	CHECK_OK(fclose(out));
	return stream_keep(s, text);
}

recorded *stream_new_event(stream *s, int64_t epoch)
{
	recorded *r;

	if (s->event_count == s->event_capacity) {
		s->event_capacity = s->event_capacity ? 2 * s->event_capacity : 256;
		s->events = realloc(s->events, s->event_capacity * sizeof *s->events);
		CHECK_ALLOC(s->events);
	}
	r = &s->events[s->event_count++];
	memset(r, 0, sizeof *r);
	lrt_event_init(&r->event);
	r->event.epoch = epoch;
	return r;
}

/* `, "points": [...]` of a product or a config. */
static void write_programs_json(FILE *out, const lrt_points_program *list, size_t count)
{
	size_t i;

	fputs(", \"points\": [", out);
	for (i = 0; i < count; i++)
		fprintf(out, "%s{\"name\": \"%s\", \"per_share_epoch\": \"%s\"%s}",
			i ? ", " : "", list[i].name, list[i].per_share_epoch,
			i % 2 ? ", \"note\": 1" : "");
	fputs("]", out);
}

/* Writes one event as a JSON line of SPEC section 3. */
void event_write_json(FILE *out, const recorded *r)
{
	const lrt_event *e = &r->event;
	char iso[40];
	time_t t = (time_t)r->time;
	struct tm tm;
	size_t i;

	fprintf(out, "{\"id\": \"%s\", \"type\": \"%s\"", e->id, type_names[e->type]);
	if (r->time_form == 0 || r->time_form == 3)
		fprintf(out, ", \"epoch\": %" PRId64, e->epoch);
	if (r->time_form == 1 || r->time_form == 3)
		fprintf(out, ", \"time\": %" PRId64, r->time);
	if (r->time_form == 2) {
		gmtime_r(&t, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, ", \"time\": \"%s%s\"", iso, r->time % 2 ? "Z" : "");
	}
	switch (e->type) {
	case LRT_EVENT_DEPOSIT:
		gmp_fprintf(out, ", \"holder\": \"%s\", \"asset\": \"%s\", \"amount\": \"%Zd\"",
			    e->holder, e->asset, e->amount);
		break;
	case LRT_EVENT_WITHDRAW:
		gmp_fprintf(out, ", \"holder\": \"%s\", \"shares\": \"%Zd\"", e->holder, e->amount);
		break;
	case LRT_EVENT_TRANSFER:
		gmp_fprintf(out, ", \"from\": \"%s\", \"to\": \"%s\", \"shares\": \"%Zd\"",
			    e->from, e->to, e->amount);
		break;
	case LRT_EVENT_REWARD:
		gmp_fprintf(out, ", \"source\": \"%s\", \"location\": \"%s\", \"asset\": \"%s\", \"amount\": \"%Zd\"",
			    e->source, e->location, e->asset, e->amount);
		break;
	case LRT_EVENT_SLASH:
		gmp_fprintf(out, ", \"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", \"%s\": \"%Zd\"",
			    e->location, e->source, e->asset, e->by_wad ? "wad" : "amount", e->amount);
		break;
	case LRT_EVENT_ALLOCATE:
		gmp_fprintf(out, ", \"operator\": \"%s\", \"avs\": \"%s\", \"asset\": \"%s\", \"magnitude\": \"%Zd\"",
			    e->location, e->source, e->asset, e->amount);
		break;
	case LRT_EVENT_CANCEL:
		fprintf(out, ", \"request\": \"%s\"", e->request);
		break;
	case LRT_EVENT_ATTEST:
		gmp_fprintf(out, ", \"asset\": \"%s\", \"location\": \"%s\", \"amount\": \"%Zd\"",
			    e->asset, e->location, e->amount);
		break;
	case LRT_EVENT_MOVE:
		gmp_fprintf(out, ", \"asset\": \"%s\", \"amount\": \"%Zd\", \"from\": \"%s\", \"to\": \"%s\"",
			    e->asset, e->amount, e->from, e->to);
		break;
	case LRT_EVENT_SWAP:
		gmp_fprintf(out, ", \"location\": \"%s\", \"asset_in\": \"%s\", \"amount_in\": \"%Zd\", "
			    "\"asset_out\": \"%s\", \"amount_out\": \"%Zd\"",
			    e->location, e->asset, e->amount, e->asset_out, e->amount_out);
		break;
	case LRT_EVENT_PRICE:
		fprintf(out, ", \"asset\": \"%s\", \"price\": \"%s\"", e->asset, r->price_text);
		break;
	case LRT_EVENT_CLAIM:
		fprintf(out, ", \"request\": \"%s\"", e->request);
		break;
	case LRT_EVENT_CONFIG:
		if (e->config_mask & LRT_CONFIG_FEE_BPS)
			fprintf(out, ", \"fee_bps\": %u", e->config.fee_bps);
		if (e->config_mask & LRT_CONFIG_FEE_RECIPIENTS) {
			fputs(", \"fee_recipients\": [", out);
			for (i = 0; i < e->config.fee_recipient_count; i++)
				fprintf(out, "%s{\"holder\": \"%s\", \"bps\": %u}", i ? ", " : "",
					e->config.fee_recipients[i].holder,
					e->config.fee_recipients[i].bps);
			fputs("]", out);
		}
		if (e->config_mask & LRT_CONFIG_DELAY_EPOCHS)
			fprintf(out, ", \"delay_epochs\": %" PRId64, e->config.delay_epochs);
		if (e->config_mask & LRT_CONFIG_MAX_APR_BPS)
			fprintf(out, ", \"max_apr_bps\": %" PRIu32, e->config.max_apr_bps);
		if (e->config_mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
			fprintf(out, ", \"fee_high_water_mark\": %s",
				e->config.fee_high_water_mark ? "true" : "false");
		if (e->config_mask & LRT_CONFIG_POINTS)
			write_programs_json(out, e->config.points, e->config.points_count);
		break;
	case LRT_EVENT_ACCEPT:
		gmp_fprintf(out, ", \"rate\": \"%Zd\"", e->amount);
		break;
	default:
		break;
	}
	if (r->extra_field)
		fputs(", \"note\": {\"kept\": [1, \"and ignored\"]}", out);
	fputs("}\n", out);
}

/* The event as a JSON line, for failure messages (leaks: the test ends). */
const char *event_text(const recorded *r)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);

	if (out == NULL)
		return "(no memory)";
	event_write_json(out, r);
	fclose(out);
	if (length > 0)
		text[length - 1] = '\0';
	return text;
}

/* ---- generating events ------------------------------------------------------ */

static void power_of_ten(mpz_t out, unsigned exponent)
{
	mpz_ui_pow_ui(out, 10, exponent);
}

/* About `whole` whole units of an asset, with random lower digits. */
static void random_amount(mpz_t out, stream *s, int asset, uint64_t whole)
{
	unsigned decimals = s->m.assets[asset].decimals;
	mpz_t scale, low;

	mpz_inits(scale, low, NULL);
	power_of_ten(scale, decimals);
	mpz_mul_ui(out, scale, (unsigned long)prng_below(&s->rng, whole + 1));
	prng_mpz_below(low, &s->rng, scale);
	mpz_add(out, out, low);
	mpz_clears(scale, low, NULL);
}

/* A part of `of`: often all of it, else 1..100 percent, or any amount up to it. */
static void random_part(mpz_t out, stream *s, const mpz_t of)
{
	uint64_t roll = prng_below(&s->rng, 100);
	mpz_t bound;

	if (roll < 10) {
		mpz_set(out, of);
	} else if (roll < 60) {
		mpz_mul_ui(out, of, (unsigned long)(1 + prng_below(&s->rng, 100)));
		mpz_fdiv_q_ui(out, out, 100);
	} else {
		mpz_init(bound);
		mpz_add_ui(bound, of, 1);
		prng_mpz_below(out, &s->rng, bound);
		mpz_clear(bound);
	}
	if (mpz_sgn(out) == 0 && mpz_sgn(of) > 0)
		mpz_set_ui(out, 1);
}

static int holder_with_shares(stream *s)
{
	int start = (int)prng_below(&s->rng, NAME_COUNT);
	int i;

	for (i = 0; i < NAME_COUNT; i++)
		if (mpz_sgn(s->m.holder[(start + i) % NAME_COUNT]) > 0)
			return (start + i) % NAME_COUNT;
	return start;
}

/* An asset with a non-zero position at `location` (underlying allowed or not). */
static int asset_held_at(stream *s, int location, bool underlying)
{
	int first = underlying ? 0 : 1;
	int span = ASSET_COUNT - first;
	int start = (int)prng_below(&s->rng, (uint64_t)span);
	int i, a;

	for (i = 0; i < span; i++) {
		a = first + (start + i) % span;
		if (mpz_sgn(s->m.position[location][a]) > 0)
			return a;
	}
	return first + start;
}

static void gen_deposit(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int h = prng_percent(&s->rng, 5) ? DEPOSITOR_COUNT + (int)prng_below(&s->rng, 3)
					 : (int)prng_below(&s->rng, DEPOSITOR_COUNT);
	int a = prng_percent(&s->rng, 50) ? 0 : 1 + (int)prng_below(&s->rng, ASSET_COUNT - 1);

	e->type = LRT_EVENT_DEPOSIT;
	e->holder = names[h];
	e->asset = prng_percent(&s->rng, 3) ? "wBTC-unlisted" : s->m.assets[a].symbol;
	if (roll < 5)
		mpz_set_ui(e->amount, (unsigned long)prng_below(&s->rng, 1000));
	else if (roll < 7)
		mpz_set_ui(e->amount, 0);
	else if (roll < 9 && a == 0 && mpz_sgn(s->m.total_assets) > 0)
		mpz_set(e->amount, s->m.max);  /* A + v overflows: rejected */
	else
		random_amount(e->amount, s, a, s->m.assets[a].typical_whole);
}

static void gen_withdraw_or_transfer(stream *s, lrt_event *e, bool withdraw)
{
	int h = holder_with_shares(s);
	uint64_t roll = prng_below(&s->rng, 100);

	e->type = withdraw ? LRT_EVENT_WITHDRAW : LRT_EVENT_TRANSFER;
	if (withdraw) {
		e->holder = names[h];
	} else {
		e->from = names[h];
		e->to = prng_percent(&s->rng, 8) ? names[h]
			: names[prng_below(&s->rng, NAME_COUNT)];
	}
	if (roll < 4) {
		mpz_set_ui(e->amount, 0);
	} else if (roll < 8) {
		mpz_add_ui(e->amount, s->m.holder[h], 1);
	} else {
		random_part(e->amount, s, s->m.holder[h]);
		if (!withdraw && mpz_sgn(e->amount) > 0)
			mpz_fdiv_q_ui(e->amount, e->amount, 1 + prng_below(&s->rng, 4));
		if (mpz_sgn(e->amount) == 0)
			mpz_set_ui(e->amount, 1);
	}
}

static void gen_reward(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = prng_percent(&s->rng, 4) ? CLAIMABLE : (int)prng_below(&s->rng, CLAIMABLE);
	int a = roll < 55 ? 0 : roll < 85 ? ASSET_COUNT - 1
		: (int)prng_below(&s->rng, ASSET_COUNT);

	e->type = LRT_EVENT_REWARD;
	e->source = reward_sources[prng_below(&s->rng, 3)];
	e->location = locations[l];
	e->asset = prng_percent(&s->rng, 2) ? "XYZ" : s->m.assets[a].symbol;
	roll = prng_below(&s->rng, 100);
	if (roll < 5)
		mpz_set_ui(e->amount, 0);
	else if (roll < 7 && mpz_sgn(s->m.position[l][a]) > 0)
		mpz_set(e->amount, s->m.max);  /* the position overflows: rejected */
	else
		random_amount(e->amount, s, a, s->m.assets[a].typical_whole / 20);
}

/* A wad: 0, WAD, a simple fraction, or any amount up to WAD. */
void gen_wad(stream *s, mpz_t out)
{
	uint64_t roll = prng_below(&s->rng, 100);
	mpz_t bound;

	if (roll < 6) {
		mpz_set_ui(out, 0);
	} else if (roll < 20) {
		mpz_set(out, s->m.wad);
	} else if (roll < 50) {
		mpz_fdiv_q_ui(out, s->m.wad, 1 + prng_below(&s->rng, 7));
	} else {
		mpz_init(bound);
		mpz_add_ui(bound, s->m.wad, 1);
		prng_mpz_below(out, &s->rng, bound);
		mpz_clear(bound);
	}
}

/* An asset with an allocation at operator `l` when there is one. */
int allocated_asset(stream *s, int l)
{
	int start = (int)prng_below(&s->rng, ASSET_COUNT);
	int i, a, v;

	for (i = 0; i < ASSET_COUNT; i++) {
		a = (start + i) % ASSET_COUNT;
		for (v = 0; v < AVS_COUNT; v++)
			if (mpz_sgn(s->m.allocated[l][a][v]) > 0)
				return a;
	}
	return start;
}

/* A random (operator, asset, AVS) with an allocation and a position;
 * false when there is none. */
static bool exposed_stake(stream *s, int *l_out, int *a_out, int *avs_out)
{
	int total = 3 * ASSET_COUNT * AVS_COUNT;
	int start = (int)prng_below(&s->rng, (uint64_t)total), i;

	for (i = 0; i < total; i++) {
		int k = (start + i) % total;
		int l = 1 + k / (ASSET_COUNT * AVS_COUNT);
		int a = k / AVS_COUNT % ASSET_COUNT;
		int avs = k % AVS_COUNT;

		if (mpz_sgn(s->m.allocated[l][a][avs]) > 0 && mpz_sgn(s->m.position[l][a]) > 0) {
			*l_out = l;
			*a_out = a;
			*avs_out = avs;
			return true;
		}
	}
	return false;
}

static void gen_allocate(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = roll < 3 ? BUFFER : roll < 6 ? CLAIMABLE : 1 + (int)prng_below(&s->rng, 3);
	int a = l == BUFFER || l == CLAIMABLE ? 0 : asset_held_at(s, l, true);
	int avs = (int)prng_below(&s->rng, AVS_COUNT);
	mpz_t room;
	int i;

	e->type = LRT_EVENT_ALLOCATE;
	e->location = locations[l];
	e->source = slash_avss[avs];
	e->asset = prng_percent(&s->rng, 3) ? "XYZ" : s->m.assets[a].symbol;
	/* room = M - the other AVSs' sum: the most this AVS may hold */
	mpz_init_set(room, s->m.max_magnitude[l][a]);
	for (i = 0; i < AVS_COUNT; i++)
		if (i != avs)
			mpz_sub(room, room, s->m.allocated[l][a][i]);
	roll = prng_below(&s->rng, 100);
	if (roll < 8 || mpz_sgn(room) < 0)
		mpz_set_ui(e->amount, 0);
	else if (roll < 30)
		mpz_set(e->amount, room);
	else if (roll < 40)
		mpz_add_ui(e->amount, room, 1);  /* one wei too many */
	else if (roll < 45)
		mpz_add_ui(e->amount, s->m.wad, 1 + prng_below(&s->rng, 1000));  /* above WAD */
	else
		random_part(e->amount, s, room);
	mpz_clear(room);
}

static void gen_cancel(stream *s, lrt_event *e)
{
	model *m = &s->m;
	uint64_t roll = prng_below(&s->rng, 100);
	size_t i, start;

	e->type = LRT_EVENT_CANCEL;
	e->request = stream_printf(s, "no-such-request-%zu", s->event_count);
	if (roll < 5 || m->request_count == 0)
		return;
	start = (size_t)prng_below(&s->rng, m->request_count);
	for (i = 0; i < m->request_count; i++) {
		const request *r = &m->requests[(start + i) % m->request_count];

		/* mostly queued ones; else any (finalized, claimed, cancelled) */
		if (r->state == REQUEST_QUEUED || roll >= 80) {
			e->request = r->id;
			return;
		}
	}
}

static void gen_attest(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = (int)prng_below(&s->rng, LOCATION_COUNT);
	int a = asset_held_at(s, l, true);

	e->type = LRT_EVENT_ATTEST;
	e->location = prng_percent(&s->rng, 6) ? "nowhere" : locations[l];
	e->asset = prng_percent(&s->rng, 3) ? "XYZ" : s->m.assets[a].symbol;
	if (roll < 40) {
		mpz_set(e->amount, s->m.position[l][a]);
	} else if (roll < 60) {
		mpz_add_ui(e->amount, s->m.position[l][a], prng_below(&s->rng, 3));
		if (mpz_cmp_ui(e->amount, 2) >= 0 && prng_percent(&s->rng, 50))
			mpz_sub_ui(e->amount, e->amount, 2);
	} else if (roll < 65) {
		mpz_set(e->amount, s->m.max);
	} else {
		random_part(e->amount, s, s->m.position[l][a]);
	}
}

static void gen_slash(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int l = roll < 5 ? BUFFER : roll < 8 ? CLAIMABLE : 1 + (int)prng_below(&s->rng, 3);
	int a = asset_held_at(s, l, true), avs;
	mpz_srcptr held = s->m.position[l][a];

	e->type = LRT_EVENT_SLASH;
	e->location = locations[l];
	e->source = slash_avss[prng_below(&s->rng, 3)];
	e->asset = s->m.assets[a].symbol;
	roll = prng_below(&s->rng, 100);
	if (prng_percent(&s->rng, 50)) {
		gen_wad(s, e->amount);
		e->by_wad = true;
		if (prng_percent(&s->rng, 75) && exposed_stake(s, &l, &a, &avs)) {
			e->location = locations[l];
			e->asset = s->m.assets[a].symbol;
			e->source = slash_avss[avs];
		} else if (prng_percent(&s->rng, 60)) {
			e->asset = s->m.assets[allocated_asset(s, l)].symbol;
		}
		if (prng_percent(&s->rng, 3))
			e->asset = "XYZ";
		if (prng_percent(&s->rng, 4))
			e->source = "nobody-avs";
	} else if (roll < 6) {
		mpz_add_ui(e->amount, held, 1);
	} else if (roll < 12) {
		mpz_set(e->amount, held);
	} else {
		mpz_mul_ui(e->amount, held, (unsigned long)prng_below(&s->rng, 31));
		mpz_fdiv_q_ui(e->amount, e->amount, 100);
	}
}

static void gen_move(stream *s, lrt_event *e)
{
	uint64_t roll = prng_below(&s->rng, 100);
	int operator = 1 + (int)prng_below(&s->rng, 3);
	int from, to, a;

	if (roll < 50) {
		from = BUFFER, to = operator;
	} else if (roll < 85) {
		from = operator, to = BUFFER;
	} else if (roll < 94) {
		from = operator, to = 1 + (operator % 3);
	} else if (roll < 97) {
		from = to = (int)prng_below(&s->rng, CLAIMABLE);
	} else {
		from = prng_percent(&s->rng, 50) ? CLAIMABLE : BUFFER;
		to = from == CLAIMABLE ? BUFFER : CLAIMABLE;
	}
	a = asset_held_at(s, from, true);
	e->type = LRT_EVENT_MOVE;
	e->asset = s->m.assets[a].symbol;
	e->from = locations[from];
	e->to = locations[to];
	if (from != to && prng_percent(&s->rng, 5))
		mpz_add_ui(e->amount, s->m.position[from][a], 1);
	else if (from == BUFFER)
		random_part(e->amount, s, s->m.position[from][a]);
	else
		mpz_set(e->amount, s->m.position[from][a]);
	if (from == BUFFER && a == 0)  /* keep most of the buffer for withdrawals */
		mpz_fdiv_q_ui(e->amount, e->amount, 2);
}

static void gen_swap(stream *s, lrt_event *e)
{
	int l = prng_percent(&s->rng, 3) ? CLAIMABLE : (int)prng_below(&s->rng, CLAIMABLE);
	int in = asset_held_at(s, l, false);
	int out = prng_percent(&s->rng, 85) ? 0 : 1 + (int)((in + prng_below(&s->rng, 3)) % 4);
	mpz_t value;

	if (out == in)
		out = 0;
	e->type = LRT_EVENT_SWAP;
	e->location = locations[l];
	e->asset = s->m.assets[in].symbol;
	e->asset_out = s->m.assets[out].symbol;
	if (prng_percent(&s->rng, 5))
		mpz_add_ui(e->amount, s->m.position[l][in], 1);
	else
		random_part(e->amount, s, s->m.position[l][in]);
	mpz_init(value);
	model_value(value, &s->m, in, e->amount);
	if (out == 0) {
		mpz_mul_ui(e->amount_out, value, (unsigned long)(960 + prng_below(&s->rng, 60)));
		mpz_fdiv_q_ui(e->amount_out, e->amount_out, 1000);
	} else {
		random_amount(e->amount_out, s, out, 3);
	}
	mpz_clear(value);
}

/* A price near the asset's typical one, with 0 to 36 fractional digits. */
static void gen_price(stream *s, recorded *r)
{
	lrt_event *e = &r->event;
	uint64_t roll = prng_below(&s->rng, 100);
	int a = 1 + (int)prng_below(&s->rng, ASSET_COUNT - 1);
	const asset_spec *spec;
	unsigned exponent, extra;
	mpz_t numerator, scale, low, whole, fraction;
	char *whole_text, *fraction_text;

	e->type = LRT_EVENT_PRICE;
	if (roll < 2)
		e->asset = "XYZ";
	else if (roll < 5)
		a = 0;
	if (roll >= 2)
		e->asset = s->m.assets[a].symbol;
	spec = &s->m.assets[a];
	mpz_inits(numerator, scale, low, whole, fraction, NULL);
	roll = prng_below(&s->rng, 100);
	if (roll < 4) {
		exponent = 0;  /* "0" */
	} else if (roll < 8) {
		mpz_set_ui(numerator, 1 + prng_below(&s->rng, 30));
		exponent = 0;
	} else {
		mpz_set_ui(numerator, spec->price_base);
		mpz_mul_ui(numerator, numerator, (unsigned long)(9700 + prng_below(&s->rng, 601)));
		exponent = spec->price_exp + 4;
		extra = (unsigned)prng_below(&s->rng, 37 - exponent);
		power_of_ten(scale, extra);
		mpz_mul(numerator, numerator, scale);
		if (prng_percent(&s->rng, 80)) {  /* else trailing zeros */
			prng_mpz_below(low, &s->rng, scale);
			mpz_add(numerator, numerator, low);
		}
		exponent += extra;
	}
	power_of_ten(scale, exponent);
	mpz_fdiv_qr(whole, fraction, numerator, scale);
	mpz_add(fraction, fraction, scale);  /* a leading 1 keeps the zeros */
	whole_text = mpz_get_str(NULL, 10, whole);
	fraction_text = mpz_get_str(NULL, 10, fraction);
	r->price_text = exponent == 0 ? stream_printf(s, "%s", whole_text)
		: stream_printf(s, "%s.%s", whole_text, fraction_text + 1);
	free(whole_text);
	free(fraction_text);
	mpq_set_num(e->price, numerator);
	mpq_set_den(e->price, scale);
	mpq_canonicalize(e->price);
	mpz_clears(numerator, scale, low, whole, fraction, NULL);
}

static void gen_claim(stream *s, lrt_event *e)
{
	model *m = &s->m;
	uint64_t roll = prng_below(&s->rng, 100);
	size_t i, start;

	e->type = LRT_EVENT_CLAIM;
	e->request = stream_printf(s, "no-such-request-%zu", s->event_count);
	if (roll >= 90 || m->request_count == 0)
		return;
	start = (size_t)prng_below(&s->rng, m->request_count);
	for (i = 0; i < m->request_count; i++) {
		const request *r = &m->requests[(start + i) % m->request_count];

		/* finalized and unclaimed; else claimed again, queued or cancelled */
		if (r->state == REQUEST_FINALIZED || (roll >= 65 && r->state != REQUEST_FINALIZED)) {
			e->request = r->id;
			return;
		}
	}
}

/* A list of distinct programs with random rates (kept by the stream). */
static void gen_programs(stream *s, lrt_points_program **out, size_t *count_out)
{
	lrt_points_program *list = stream_keep(s, calloc(PROGRAM_COUNT, sizeof *list));
	size_t count = 0;
	int start = (int)prng_below(&s->rng, PROGRAM_COUNT), i;

	for (i = 0; i < PROGRAM_COUNT; i++) {
		if (!prng_percent(&s->rng, 55))
			continue;
		list[count].name = (char *)program_names[(start + i) % PROGRAM_COUNT];
		list[count].per_share_epoch =
			(char *)program_rates[prng_below(&s->rng, PROGRAM_RATE_COUNT)];
		count++;
	}
	*out = list;
	*count_out = count;
}

static void gen_config(stream *s, lrt_event *e)
{
	lrt_fee_recipient *recipients;
	size_t count, i;
	unsigned left;

	e->type = LRT_EVENT_CONFIG;
	e->config_mask = 1u + (unsigned)prng_below(&s->rng, 15);
	e->config.fee_bps = prng_percent(&s->rng, 3) ? 9999
		: prng_percent(&s->rng, 30) ? 0 : (unsigned)prng_below(&s->rng, 2001);
	e->config.delay_epochs = (int64_t)prng_below(&s->rng, 4);
	e->config.max_apr_bps = prng_percent(&s->rng, 40) ? 0
		: 50 + (uint32_t)prng_below(&s->rng, 20000);
	count = 1 + (size_t)prng_below(&s->rng, RECIPIENT_MAX);
	recipients = stream_keep(s, calloc(count, sizeof *recipients));
	left = 10000;
	for (i = 0; i < count; i++) {
		/* distinct: a recipient name, or (the last) a depositor */
		recipients[i].holder = names[i + 1 < count || prng_percent(&s->rng, 50)
					     ? DEPOSITOR_COUNT + (int)i
					     : (int)prng_below(&s->rng, DEPOSITOR_COUNT)];
		recipients[i].bps = i + 1 == count ? left
			: (unsigned)prng_below(&s->rng, left + 1);
		left -= recipients[i].bps;
	}
	e->config.fee_recipients = recipients;
	e->config.fee_recipient_count = count;
	if (prng_percent(&s->rng, 30)) {
		e->config_mask |= LRT_CONFIG_FEE_HIGH_WATER_MARK;
		e->config.fee_high_water_mark = prng_percent(&s->rng, 50);
	}
	if (prng_percent(&s->rng, 35)) {
		e->config_mask |= LRT_CONFIG_POINTS;
		gen_programs(s, &e->config.points, &e->config.points_count);
	}
	if (prng_percent(&s->rng, 20))  /* the new fields alone */
		e->config_mask &= LRT_CONFIG_FEE_HIGH_WATER_MARK | LRT_CONFIG_POINTS;
	if (e->config_mask == 0)
		e->config_mask = LRT_CONFIG_FEE_HIGH_WATER_MARK;
}

static void gen_accept(stream *s, lrt_event *e)
{
	e->type = LRT_EVENT_ACCEPT;
	model_to_assets(e->amount, &s->m, s->m.one_token, s->m.total_assets,
			s->m.total_shares);
	mpz_add_ui(e->amount, e->amount, (unsigned long)prng_below(&s->rng, 3));
}

/* One random event of the open epoch, its id, and how its JSON line says when. */
void gen_event(stream *s, recorded *r)
{
	lrt_event *e = &r->event;
	uint64_t roll = prng_below(&s->rng, 100);

	if (mpz_sgn(s->m.total_shares) == 0 && roll >= 40)
		roll = 0;  /* an empty pool mostly takes deposits */
	if (roll < 24)
		gen_deposit(s, e);
	else if (roll < 33)
		gen_withdraw_or_transfer(s, e, true);
	else if (roll < 42)
		gen_withdraw_or_transfer(s, e, false);
	else if (roll < 50)
		gen_reward(s, e);
	else if (roll < 57)
		gen_slash(s, e);
	else if (roll < 62)
		gen_allocate(s, e);
	else if (roll < 69)
		gen_move(s, e);
	else if (roll < 72)
		gen_swap(s, e);
	else if (roll < 79)
		gen_price(s, r);
	else if (roll < 86)
		gen_claim(s, e);
	else if (roll < 89)
		gen_cancel(s, e);
	else if (roll < 94)
		gen_attest(s, e);
	else if (roll < 98)
		gen_config(s, e);
	else
		gen_accept(s, e);
	if (prng_percent(&s->rng, 50))
		e->id = stream_printf(s, "%c%zu", type_names[e->type][0], s->event_count);
	else
		e->id = stream_printf(s, "0x%016" PRIx64 "%016" PRIx64 ":%zu",
				      prng_next(&s->rng), prng_next(&s->rng), s->event_count);
	r->time_form = (int)prng_below(&s->rng, 10);
	r->time_form = r->time_form < 7 ? 0 : r->time_form - 6;
	r->time = GENESIS_TIME + e->epoch * s->epoch_seconds
		+ (int64_t)prng_below(&s->rng, (uint64_t)s->epoch_seconds);
	r->extra_field = prng_percent(&s->rng, 3);
}

void write_product_json(FILE *out, const stream *s)
{
	const lrt_product *p = &s->product;
	size_t i;

	fprintf(out, "{\"product\": {\"symbol\": \"%s\", \"underlying\": \"%s\", \"assets\": [",
		p->symbol, p->underlying);
	for (i = 0; i < p->asset_count; i++)
		fprintf(out, "%s{\"symbol\": \"%s\", \"decimals\": %u}", i ? ", " : "",
			p->assets[i].symbol, p->assets[i].decimals);
	fprintf(out, "], \"model\": \"%s\"", p->model == LRT_MODEL_PLAIN ? "plain" : "erc4626");
	if (p->model == LRT_MODEL_ERC4626)
		fprintf(out, ", \"offset\": %u", p->offset);
	fprintf(out, ", \"genesis_time\": %" PRId64 ", \"epoch_seconds\": %" PRId64
		", \"fee_bps\": %u, \"fee_recipients\": [", p->genesis_time, p->epoch_seconds,
		p->policy.fee_bps);
	for (i = 0; i < p->policy.fee_recipient_count; i++)
		fprintf(out, "%s{\"holder\": \"%s\", \"bps\": %u}", i ? ", " : "",
			p->policy.fee_recipients[i].holder, p->policy.fee_recipients[i].bps);
	fprintf(out, "], \"delay_epochs\": %" PRId64 ", \"max_apr_bps\": %" PRIu32,
		p->policy.delay_epochs, p->policy.max_apr_bps);
	if (p->policy.fee_high_water_mark || s->index % 2)
		fprintf(out, ", \"fee_high_water_mark\": %s",
			p->policy.fee_high_water_mark ? "true" : "false");
	if (p->policy.points_count > 0 || s->index % 3 == 0)
		write_programs_json(out, p->policy.points, p->policy.points_count);
	fputs("}}\n", out);
}

/* ---- a stream's product --------------------------------------------------- */

static char *xstrdup(const char *text)
{
	char *copy = strdup(text);

	CHECK_ALLOC(copy);
	return copy;
}

static void stream_make_product(stream *s)
{
	static const int64_t lengths[] = {86400, 3600, 604800};
	lrt_product *p = &s->product;
	lrt_fee_recipient recipients[RECIPIENT_MAX];
	lrt_policy policy;
	const asset_spec *family = prng_percent(&s->rng, 50) ? eth_family : sol_family;
	lrt_model kind = prng_percent(&s->rng, 25) ? LRT_MODEL_PLAIN : LRT_MODEL_ERC4626;
	unsigned offset = kind == LRT_MODEL_PLAIN ? 0
		: prng_percent(&s->rng, 12) ? 9 + 9 * (unsigned)prng_below(&s->rng, 2)
		: (unsigned)prng_below(&s->rng, 4);
	size_t i;

	s->epoch_seconds = lengths[prng_below(&s->rng, 3)];
	model_init(&s->m, family, kind, offset, s->epoch_seconds);
	lrt_product_init(p);
	p->symbol = xstrdup(family == eth_family ? "rstETH" : "rstSOL");
	p->underlying = xstrdup(family[0].symbol);
	p->assets = calloc(ASSET_COUNT, sizeof *p->assets);
	CHECK_ALLOC(p->assets);
	for (i = 0; i < ASSET_COUNT; i++) {
		p->assets[i].symbol = xstrdup(family[i].symbol);
		p->assets[i].decimals = family[i].decimals;
	}
	p->asset_count = ASSET_COUNT;
	p->model = kind;
	p->offset = offset;
	p->genesis_time = GENESIS_TIME;
	p->epoch_seconds = s->epoch_seconds;

	s->m.fee_bps = prng_percent(&s->rng, 50) ? 0 : (unsigned)prng_below(&s->rng, 1501);
	s->m.recipient_count = 1 + (size_t)prng_below(&s->rng, RECIPIENT_MAX);
	for (i = 0; i < s->m.recipient_count; i++) {
		s->m.recipient[i] = DEPOSITOR_COUNT + (int)i;
		s->m.recipient_bps[i] = 2500;
	}
	s->m.recipient_bps[0] = 10000 - 2500 * (unsigned)(s->m.recipient_count - 1);
	s->m.delay_epochs = (int64_t)prng_below(&s->rng, 3);
	s->m.max_apr_bps = prng_percent(&s->rng, 50) ? 0 : 100 + (uint32_t)prng_below(&s->rng, 5000);

	policy = p->policy;
	policy.fee_bps = s->m.fee_bps;
	for (i = 0; i < s->m.recipient_count; i++) {
		recipients[i].holder = names[s->m.recipient[i]];
		recipients[i].bps = s->m.recipient_bps[i];
	}
	policy.fee_recipients = recipients;
	policy.fee_recipient_count = s->m.recipient_count;
	policy.delay_epochs = s->m.delay_epochs;
	policy.max_apr_bps = s->m.max_apr_bps;
	policy.max_rate_change_bps = 0;
	s->m.fee_high_water_mark = prng_percent(&s->rng, 40);
	policy.fee_high_water_mark = s->m.fee_high_water_mark;
	if (prng_percent(&s->rng, 60)) {
		gen_programs(s, &policy.points, &policy.points_count);
		model_set_programs(&s->m, policy.points, policy.points_count);
	} else {
		policy.points = NULL;
		policy.points_count = 0;
	}
	CHECK_OK(lrt_policy_copy(&p->policy, &policy));
	CHECK(lrt_product_validate(p) == 0, "product: %s", lrt_error_last());
}

void stream_init(stream *s, int index, bool database_path)
{
	prng mix = {seed_base + (uint64_t)index + (database_path ? UINT64_C(1) << 32 : 0)};

	memset(s, 0, sizeof *s);
	s->index = index;
	s->database_path = database_path;
	s->seed = prng_next(&mix);
	s->rng.state = s->seed;
	s->target_events = stream_events;
	s->mean_per_epoch = 1 + (size_t)prng_below(&s->rng, 25);
	stream_make_product(s);
}

void stream_clear(stream *s)
{
	size_t i;

	for (i = 0; i < s->event_count; i++)
		lrt_event_clear(&s->events[i].event);
	free(s->events);
	model_clear(&s->m);
	lrt_product_clear(&s->product);
	for (i = 0; i < s->owned_count; i++)
		free(s->owned[i]);
	free(s->owned);
	for (i = 0; i < 3; i++)
		free(s->output[i]);
}

