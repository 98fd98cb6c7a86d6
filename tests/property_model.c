/*
 * property_model.c - the reference model of the property test: SPEC
 * sections 2-5 and 7 written naively from the text (every holder touched
 * every epoch, magnitudes in plain arrays, points summed holder by holder),
 * and the world it lives in: the asset families, holders, locations, AVSs
 * and points programs of the random streams.
 */
#include "property.h"

/* ---- the world: assets, holders, locations ------------------------------- */

/* The underlying first, the reward token last. */
const asset_spec eth_family[ASSET_COUNT] = {
	{"ETH", 18, 1, 0, 40},
	{"stETH", 18, 999300, 6, 40},
	{"WBTC", 8, 215000, 4, 2},
	{"USDC", 6, 285714, 9, 100000},
	{"EIGEN", 18, 1211196, 9, 20000},
};

const asset_spec sol_family[ASSET_COUNT] = {
	{"SOL", 9, 1, 0, 2000},
	{"JitoSOL", 9, 1254100, 6, 2000},
	{"mSOL", 9, 1310202, 6, 2000},
	{"USDC", 6, 6700000, 9, 100000},
	{"EIGEN", 18, 18000000, 9, 20000},
};

const char *const locations[LOCATION_COUNT] = {
	"buffer", "p2p", "figment", "kiln", "claimable"
};

const char *const reward_sources[] = {"consensus", "eigenda", "symbiotic"};
const char *const slash_avss[] = {"eigenda", "symbiotic", "lagrange"};

const char *const type_names[LRT_EVENT_TYPE_COUNT] = {
	"deposit", "withdraw", "transfer", "reward", "slash", "move", "swap",
	"price", "claim", "config", "accept", "allocate", "cancel", "attest"
};

/* Points programs a stream may name. */
const char *const program_names[PROGRAM_COUNT] = {"season-1", "Drops", "eigen-pts"};
/* The operators in code-point order (indexes of `locations`), and the AVSs
 * of slash_avss in code-point order: the order of the exposure. */
const int operators_sorted[3] = {2, 3, 1};      /* figment, kiln, p2p */
const int avss_sorted[AVS_COUNT] = {0, 2, 1};   /* eigenda, lagrange, symbiotic */

/*
 * Holder names: plain words, lower-case addresses, an upper-case initial and
 * a non-ASCII one, so that the code-point order of the final line is tested.
 */
char names[NAME_COUNT][48];

void names_init(void)
{
	prng rng = {UINT64_C(42)};
	int i;

	for (i = 0; i < DEPOSITOR_COUNT; i++) {
		if (i % 4 == 0)
			snprintf(names[i], sizeof names[i], "0x%016" PRIx64 "%016" PRIx64 "%08" PRIx32,
				 prng_next(&rng), prng_next(&rng), (uint32_t)prng_next(&rng));
		else
			snprintf(names[i], sizeof names[i], "holder-%02d", i);
	}
	strcpy(names[1], "Zoe");
	strcpy(names[2], "alice");
	strcpy(names[3], "\xc3\xa9mile");
	strcpy(names[DEPOSITOR_COUNT], "treasury");
	strcpy(names[DEPOSITOR_COUNT + 1], "ops-multisig");
	strcpy(names[DEPOSITOR_COUNT + 2], "0x3c530ecfce36683947c8be77cee72c063ef0ef58");
}

int name_index(const char *name)
{
	int i;

	for (i = 0; i < NAME_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static int location_index(const char *name)
{
	int i;

	for (i = 0; i < LOCATION_COUNT; i++)
		if (strcmp(locations[i], name) == 0)
			return i;
	return -1;
}

/* ---- the reference model (SPEC sections 2-5, naively) -------------------- */

void model_init(model *m, const asset_spec *assets, lrt_model kind,
		       unsigned offset, int64_t epoch_seconds)
{
	int a, l, h;

	memset(m, 0, sizeof *m);
	m->assets = assets;
	m->kind = kind;
	m->offset = offset;
	m->epoch_seconds = epoch_seconds;
	mpz_inits(m->virtual_shares, m->virtual_assets, m->one_token, m->max,
		  m->total_assets, m->total_shares, m->deferred, NULL);
	if (kind == LRT_MODEL_ERC4626) {
		mpz_ui_pow_ui(m->virtual_shares, 10, offset);
		mpz_set_ui(m->virtual_assets, 1);
	}
	mpz_ui_pow_ui(m->one_token, 10,
		      assets[0].decimals + (kind == LRT_MODEL_ERC4626 ? offset : 0));
	mpz_setbit(m->max, 256);
	mpz_sub_ui(m->max, m->max, 1);
	for (h = 0; h < NAME_COUNT; h++)
		mpz_init(m->holder[h]);
	for (l = 0; l < LOCATION_COUNT; l++)
		for (a = 0; a < ASSET_COUNT; a++)
			mpz_init(m->position[l][a]);
	for (a = 0; a < ASSET_COUNT; a++)
		mpq_init(m->price[a]);
	mpq_set_ui(m->price[0], 1, 1);
	m->priced[0] = true;
	mpz_init(m->wad);
	mpz_ui_pow_ui(m->wad, 10, 18);
	mpq_init(m->mark);
	for (l = 0; l < LOCATION_COUNT; l++) {
		for (a = 0; a < ASSET_COUNT; a++) {
			mpz_init_set(m->max_magnitude[l][a], m->wad);
			for (h = 0; h < AVS_COUNT; h++)
				mpz_init(m->allocated[l][a][h]);
		}
	}
	for (a = 0; a < PROGRAM_COUNT; a++) {
		mpz_init(m->program_rate[a]);
		for (h = 0; h < NAME_COUNT; h++)
			mpz_init(m->points[a][h]);
	}
}

void model_clear(model *m)
{
	size_t i;
	int a, l, h;

	for (i = 0; i < m->request_count; i++)
		mpz_clears(m->requests[i].shares, m->requests[i].cap,
			   m->requests[i].payout, NULL);
	free(m->requests);
	for (i = 0; i < m->flow_capacity; i++)
		mpz_clear(m->flows[i].amount);
	free(m->flows);
	for (i = 0; i < m->attest_capacity; i++)
		mpz_clear(m->attests[i].observed);
	free(m->attests);
	for (a = 0; a < PROGRAM_COUNT; a++) {
		mpz_clear(m->program_rate[a]);
		for (h = 0; h < NAME_COUNT; h++)
			mpz_clear(m->points[a][h]);
	}
	for (l = 0; l < LOCATION_COUNT; l++) {
		for (a = 0; a < ASSET_COUNT; a++) {
			mpz_clear(m->max_magnitude[l][a]);
			for (h = 0; h < AVS_COUNT; h++)
				mpz_clear(m->allocated[l][a][h]);
		}
	}
	mpq_clear(m->mark);
	mpz_clear(m->wad);
	for (a = 0; a < ASSET_COUNT; a++)
		mpq_clear(m->price[a]);
	for (l = 0; l < LOCATION_COUNT; l++)
		for (a = 0; a < ASSET_COUNT; a++)
			mpz_clear(m->position[l][a]);
	for (h = 0; h < NAME_COUNT; h++)
		mpz_clear(m->holder[h]);
	mpz_clears(m->virtual_shares, m->virtual_assets, m->one_token, m->max,
		   m->total_assets, m->total_shares, m->deferred, NULL);
}

int model_asset_index(const model *m, const char *symbol)
{
	int a;

	for (a = 0; a < ASSET_COUNT; a++)
		if (strcmp(m->assets[a].symbol, symbol) == 0)
			return a;
	return -1;
}

static bool model_fits(const model *m, const mpz_t x)
{
	return mpz_sgn(x) >= 0 && mpz_cmp(x, m->max) <= 0;
}

/* value(a, q) = floor(q * price * 10^dec_u / 10^dec_a); 0 without a price. */
void model_value(mpz_t out, const model *m, int asset, const mpz_t amount)
{
	mpz_t numerator, denominator;

	if (!m->priced[asset]) {
		mpz_set_ui(out, 0);
		return;
	}
	mpz_inits(numerator, denominator, NULL);
	mpz_ui_pow_ui(numerator, 10, m->assets[0].decimals);
	mpz_mul(numerator, numerator, amount);
	mpz_mul(numerator, numerator, mpq_numref(m->price[asset]));
	mpz_ui_pow_ui(denominator, 10, m->assets[asset].decimals);
	mpz_mul(denominator, denominator, mpq_denref(m->price[asset]));
	mpz_fdiv_q(out, numerator, denominator);
	mpz_clears(numerator, denominator, NULL);
}

/* to_shares(v); false where SPEC leaves it undefined (plain, S > 0, A = 0). */
static bool model_to_shares(mpz_t out, const model *m, const mpz_t value)
{
	mpz_t numerator, denominator;

	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0) {
		mpz_set(out, value);
		return true;
	}
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_assets) == 0)
		return false;
	mpz_inits(numerator, denominator, NULL);
	mpz_add(numerator, m->total_shares, m->virtual_shares);
	mpz_mul(numerator, numerator, value);
	mpz_add(denominator, m->total_assets, m->virtual_assets);
	mpz_fdiv_q(out, numerator, denominator);
	mpz_clears(numerator, denominator, NULL);
	return true;
}

/* to_assets(s) at (assets, shares); 0 when shares + VS = 0. */
void model_to_assets(mpz_t out, const model *m, const mpz_t s,
			    const mpz_t assets, const mpz_t shares)
{
	mpz_t numerator, denominator;

	mpz_inits(numerator, denominator, NULL);
	mpz_add(denominator, shares, m->virtual_shares);
	if (mpz_sgn(denominator) == 0) {
		mpz_set_ui(out, 0);
	} else {
		mpz_add(numerator, assets, m->virtual_assets);
		mpz_mul(numerator, numerator, s);
		mpz_fdiv_q(out, numerator, denominator);
	}
	mpz_clears(numerator, denominator, NULL);
}

static void model_record_flow(model *m, int asset, bool slash, const mpz_t amount)
{
	if (m->flow_count == m->flow_capacity) {
		size_t capacity = m->flow_capacity ? 2 * m->flow_capacity : 16;
		size_t i;

		m->flows = realloc(m->flows, capacity * sizeof *m->flows);
		CHECK_ALLOC(m->flows);
		for (i = m->flow_capacity; i < capacity; i++)
			mpz_init(m->flows[i].amount);
		m->flow_capacity = capacity;
	}
	m->flows[m->flow_count].asset = asset;
	m->flows[m->flow_count].slash = slash;
	mpz_set(m->flows[m->flow_count].amount, amount);
	m->flow_count++;
}

static bool model_deposit(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int h = name_index(e->holder);
	mpz_t value, shares, sum;
	bool ok;

	if (a < 0 || h < 0 || !m->priced[a])
		return false;
	mpz_inits(value, shares, sum, NULL);
	model_value(value, m, a, e->amount);
	ok = model_to_shares(shares, m, value) && mpz_sgn(shares) > 0;
	mpz_add(sum, m->total_assets, value);
	ok = ok && model_fits(m, sum);
	mpz_add(sum, m->total_shares, shares);
	ok = ok && model_fits(m, sum);
	mpz_add(sum, m->position[BUFFER][a], e->amount);
	ok = ok && model_fits(m, sum);
	if (ok) {
		mpz_add(m->total_assets, m->total_assets, value);
		mpz_add(m->total_shares, m->total_shares, shares);
		mpz_add(m->holder[h], m->holder[h], shares);
		mpz_add(m->position[BUFFER][a], m->position[BUFFER][a], e->amount);
	}
	mpz_clears(value, shares, sum, NULL);
	return ok;
}

static bool model_withdraw(model *m, const lrt_event *e)
{
	int h = name_index(e->holder);
	request *r;

	if (h < 0 || mpz_sgn(e->amount) == 0 || mpz_cmp(e->amount, m->holder[h]) > 0)
		return false;
	if (m->request_count == m->request_capacity) {
		m->request_capacity = m->request_capacity ? 2 * m->request_capacity : 16;
		m->requests = realloc(m->requests,
				      m->request_capacity * sizeof *m->requests);
		CHECK_ALLOC(m->requests);
	}
	r = &m->requests[m->request_count++];
	r->id = e->id;
	r->holder = h;
	r->epoch = m->epoch;
	r->state = REQUEST_QUEUED;
	mpz_inits(r->shares, r->cap, r->payout, NULL);
	mpz_set(r->shares, e->amount);
	model_to_assets(r->cap, m, e->amount, m->total_assets, m->total_shares);
	mpz_sub(m->holder[h], m->holder[h], e->amount);
	return true;
}

static bool model_transfer(model *m, const lrt_event *e)
{
	int from = name_index(e->from);
	int to = name_index(e->to);

	if (from < 0 || to < 0 || mpz_sgn(e->amount) == 0 ||
	    mpz_cmp(e->amount, m->holder[from]) > 0)
		return false;
	mpz_sub(m->holder[from], m->holder[from], e->amount);
	mpz_add(m->holder[to], m->holder[to], e->amount);
	return true;
}

/* position (a, l) += amount when it fits; false otherwise. */
static bool model_position_add(model *m, int l, int a, const mpz_t amount)
{
	mpz_t sum;
	bool ok;

	mpz_init(sum);
	mpz_add(sum, m->position[l][a], amount);
	ok = model_fits(m, sum);
	if (ok)
		mpz_set(m->position[l][a], sum);
	mpz_clear(sum);
	return ok;
}

static bool model_reward(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);

	if (a < 0 || l < 0 || l == CLAIMABLE || !model_position_add(m, l, a, e->amount))
		return false;
	model_record_flow(m, a, false, e->amount);
	return true;
}

static int avs_index(const char *name)
{
	int i;

	for (i = 0; i < AVS_COUNT; i++)
		if (strcmp(slash_avss[i], name) == 0)
			return i;
	return -1;
}

/*
 * A slash by wad: d = ceil(a * wad / WAD); a -= d; M1 = M - d; the position
 * q becomes ceil(q * M1 / M) (unchanged when M = 0); M = M1.  The loss is
 * kept as the epoch's slash.
 */
static void model_slash_wad(model *m, int l, int a, int avs, const mpz_t wad)
{
	mpz_t d, m1, left, loss;

	if (avs < 0)
		return;  /* an AVS the model never allocates: a = 0, d = 0 */
	mpz_inits(d, m1, left, loss, NULL);
	mpz_mul(d, m->allocated[l][a][avs], wad);
	mpz_cdiv_q(d, d, m->wad);
	mpz_sub(m->allocated[l][a][avs], m->allocated[l][a][avs], d);
	mpz_sub(m1, m->max_magnitude[l][a], d);
	if (mpz_sgn(m->max_magnitude[l][a]) > 0) {
		mpz_mul(left, m->position[l][a], m1);
		mpz_cdiv_q(left, left, m->max_magnitude[l][a]);
		mpz_sub(loss, m->position[l][a], left);
		mpz_set(m->position[l][a], left);
		if (mpz_sgn(loss) > 0)
			model_record_flow(m, a, true, loss);
	}
	mpz_set(m->max_magnitude[l][a], m1);
	mpz_clears(d, m1, left, loss, NULL);
}

bool model_slash(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);

	if (a < 0 || l < 0 || l == CLAIMABLE || l == BUFFER)
		return false;
	if (e->by_wad) {
		model_slash_wad(m, l, a, avs_index(e->source), e->amount);
		return true;
	}
	if (mpz_cmp(m->position[l][a], e->amount) < 0)
		return false;
	mpz_sub(m->position[l][a], m->position[l][a], e->amount);
	model_record_flow(m, a, true, e->amount);
	return true;
}

static bool model_move(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int from = location_index(e->from);
	int to = location_index(e->to);

	if (a < 0 || from < 0 || to < 0 || from == CLAIMABLE || to == CLAIMABLE ||
	    mpz_cmp(m->position[from][a], e->amount) < 0)
		return false;
	if (from == to)
		return true;
	if (!model_position_add(m, to, a, e->amount))
		return false;
	mpz_sub(m->position[from][a], m->position[from][a], e->amount);
	return true;
}

static bool model_swap(model *m, const lrt_event *e)
{
	int in = model_asset_index(m, e->asset);
	int out = model_asset_index(m, e->asset_out);
	int l = location_index(e->location);

	/* The generator never swaps an asset for itself. */
	if (in < 0 || out < 0 || l < 0 || l == CLAIMABLE ||
	    mpz_cmp(m->position[l][in], e->amount) < 0)
		return false;
	if (!model_position_add(m, l, out, e->amount_out))
		return false;
	mpz_sub(m->position[l][in], m->position[l][in], e->amount);
	return true;
}

static bool model_price(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);

	if (a <= 0)
		return false;
	mpq_set(m->price[a], e->price);
	m->priced[a] = true;
	return true;
}

static request *model_find_request(model *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->request_count; i++)
		if (strcmp(m->requests[i].id, id) == 0)
			return &m->requests[i];
	return NULL;
}

static bool model_claim(model *m, const lrt_event *e)
{
	request *r = model_find_request(m, e->request);

	if (r == NULL || r->state != REQUEST_FINALIZED)
		return false;
	CHECK(mpz_cmp(m->position[CLAIMABLE][0], r->payout) >= 0, "model: claimable short of %s", r->id);
	mpz_sub(m->position[CLAIMABLE][0], m->position[CLAIMABLE][0], r->payout);
	r->state = REQUEST_CLAIMED;
	return true;
}

static bool model_cancel(model *m, const lrt_event *e)
{
	request *r = model_find_request(m, e->request);

	if (r == NULL || r->state != REQUEST_QUEUED)
		return false;
	mpz_add(m->holder[r->holder], m->holder[r->holder], r->shares);
	r->state = REQUEST_CANCELLED;
	return true;
}

/* Sets a(op, asset, avs); the sum over the AVSs may reach M, not pass it. */
static bool model_allocate(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	int l = location_index(e->location);
	int avs = avs_index(e->source);
	mpz_t sum;
	bool ok;
	int i;

	CHECK(avs >= 0, "the generator allocates to an unknown AVS %s", e->source);
	if (a < 0 || l < 0 || l == CLAIMABLE || l == BUFFER)
		return false;
	mpz_init_set(sum, e->amount);
	for (i = 0; i < AVS_COUNT; i++)
		if (i != avs)
			mpz_add(sum, sum, m->allocated[l][a][i]);
	ok = mpz_cmp(sum, m->max_magnitude[l][a]) <= 0;
	if (ok)
		mpz_set(m->allocated[l][a][avs], e->amount);
	mpz_clear(sum);
	return ok;
}

/* Kept for step 8; the location may be one the model never uses. */
static bool model_attest(model *m, const lrt_event *e)
{
	int a = model_asset_index(m, e->asset);
	attestation *t;

	if (a < 0)
		return false;
	if (m->attest_count == m->attest_capacity) {
		size_t capacity = m->attest_capacity ? 2 * m->attest_capacity : 8;
		size_t i;

		m->attests = realloc(m->attests, capacity * sizeof *m->attests);
		CHECK_ALLOC(m->attests);
		for (i = m->attest_capacity; i < capacity; i++)
			mpz_init(m->attests[i].observed);
		m->attest_capacity = capacity;
	}
	t = &m->attests[m->attest_count++];
	t->id = e->id;
	t->asset = a;
	t->location = e->location;
	mpz_set(t->observed, e->amount);
	return true;
}

static int program_index(const char *name)
{
	int i;

	for (i = 0; i < PROGRAM_COUNT; i++)
		if (strcmp(program_names[i], name) == 0)
			return i;
	return -1;
}

/* per_share_epoch [0-9]+(.[0-9]{1,18})? as the integer rate * 10^18. */
static void rate_scaled(mpz_t out, const char *text)
{
	const char *dot = strchr(text, '.');
	char digits[80];
	size_t whole = dot ? (size_t)(dot - text) : strlen(text);
	size_t fraction = dot ? strlen(dot + 1) : 0;

	CHECK(whole + 18 < sizeof digits && fraction <= 18, "bad rate %s", text);
	memcpy(digits, text, whole);
	memcpy(digits + whole, dot ? dot + 1 : "", fraction);
	memset(digits + whole + fraction, '0', 18 - fraction);
	digits[whole + 18] = '\0';
	CHECK(mpz_set_str(out, digits, 10) == 0, "bad rate %s", text);
}

/* The programs of a policy become the ones in force. */
void model_set_programs(model *m, const lrt_points_program *list, size_t count)
{
	size_t i;
	int p;

	for (p = 0; p < PROGRAM_COUNT; p++)
		m->program_in_force[p] = false;
	for (i = 0; i < count; i++) {
		p = program_index(list[i].name);
		CHECK(p >= 0, "the generator named program %s", list[i].name);
		m->program_in_force[p] = m->program_named[p] = true;
		rate_scaled(m->program_rate[p], list[i].per_share_epoch);
	}
}

static bool model_config(model *m, const lrt_event *e)
{
	size_t i;

	if (e->config_mask & LRT_CONFIG_FEE_BPS)
		m->fee_bps = e->config.fee_bps;
	if (e->config_mask & LRT_CONFIG_FEE_RECIPIENTS) {
		m->recipient_count = e->config.fee_recipient_count;
		for (i = 0; i < m->recipient_count; i++) {
			m->recipient[i] = name_index(e->config.fee_recipients[i].holder);
			m->recipient_bps[i] = e->config.fee_recipients[i].bps;
		}
	}
	if (e->config_mask & LRT_CONFIG_DELAY_EPOCHS)
		m->delay_epochs = e->config.delay_epochs;
	if (e->config_mask & LRT_CONFIG_MAX_APR_BPS)
		m->max_apr_bps = e->config.max_apr_bps;
	if (e->config_mask & LRT_CONFIG_FEE_HIGH_WATER_MARK)
		m->fee_high_water_mark = e->config.fee_high_water_mark;
	if (e->config_mask & LRT_CONFIG_POINTS)
		model_set_programs(m, e->config.points, e->config.points_count);
	return true;
}

/* Applies one event as SPEC section 3 says; false when section 4 rejects it. */
bool model_apply(model *m, const lrt_event *e)
{
	switch (e->type) {
	case LRT_EVENT_DEPOSIT: return model_deposit(m, e);
	case LRT_EVENT_WITHDRAW: return model_withdraw(m, e);
	case LRT_EVENT_TRANSFER: return model_transfer(m, e);
	case LRT_EVENT_REWARD: return model_reward(m, e);
	case LRT_EVENT_SLASH: return model_slash(m, e);
	case LRT_EVENT_MOVE: return model_move(m, e);
	case LRT_EVENT_SWAP: return model_swap(m, e);
	case LRT_EVENT_PRICE: return model_price(m, e);
	case LRT_EVENT_CLAIM: return model_claim(m, e);
	case LRT_EVENT_CONFIG: return model_config(m, e);
	case LRT_EVENT_ACCEPT: return true;
	case LRT_EVENT_ALLOCATE: return model_allocate(m, e);
	case LRT_EVENT_CANCEL: return model_cancel(m, e);
	case LRT_EVENT_ATTEST: return model_attest(m, e);
	default: ck_abort_msg("unknown event type %d", (int)e->type);
	}
	return false;
}

void expected_init(expected_report *x)
{
	mpz_inits(x->total_assets, x->total_shares, x->rate, x->deferred,
		  x->rewards, x->slashed, x->revaluation, x->recognized,
		  x->fee_value, x->fee_shares, x->buffer, x->claimable, NULL);
	x->finalized = NULL;
	x->finalized_count = 0;
	x->reconciled_book = NULL;
	x->reconciled_count = 0;
}

void expected_clear(expected_report *x)
{
	mpz_clears(x->total_assets, x->total_shares, x->rate, x->deferred,
		   x->rewards, x->slashed, x->revaluation, x->recognized,
		   x->fee_value, x->fee_shares, x->buffer, x->claimable, NULL);
	for (size_t i = 0; i < x->reconciled_count; i++)
		mpz_clear(x->reconciled_book[i]);
	free(x->reconciled_book);
	free(x->finalized);
}

/* Step 1: P, G, and R, L, V for the report. */
void model_value_step(mpz_t gain, expected_report *x, const model *m)
{
	mpz_t value, total;
	size_t i;
	int a, l;

	mpz_inits(value, total, NULL);
	for (l = 0; l < LOCATION_COUNT; l++) {
		if (l == CLAIMABLE)
			continue;
		for (a = 0; a < ASSET_COUNT; a++) {
			model_value(value, m, a, m->position[l][a]);
			mpz_add(total, total, value);
		}
	}
	mpz_sub(gain, total, m->deferred);
	mpz_sub(gain, gain, m->total_assets);
	for (i = 0; i < m->flow_count; i++) {
		model_value(value, m, m->flows[i].asset, m->flows[i].amount);
		mpz_add(m->flows[i].slash ? x->slashed : x->rewards,
			m->flows[i].slash ? x->slashed : x->rewards, value);
	}
	mpz_sub(x->revaluation, gain, x->rewards);
	mpz_add(x->revaluation, x->revaluation, x->slashed);
	mpz_clears(value, total, NULL);
}

/* Steps 2 and 3: smoothing, then the fee; leaves A1 and S1 in the model. */
void model_recognize_step(model *m, expected_report *x, const mpz_t gain)
{
	mpz_t available, cap, numerator, denominator, part, given;
	size_t i;

	mpz_inits(available, cap, numerator, denominator, part, given, NULL);
	mpz_add(available, gain, m->deferred);
	mpz_set(x->recognized, available);
	if (m->max_apr_bps > 0 && mpz_sgn(available) > 0) {
		mpz_mul_ui(cap, m->total_assets, m->max_apr_bps);
		mpz_mul_ui(cap, cap, (unsigned long)m->epoch_seconds);
		mpz_fdiv_q_ui(cap, cap, 10000UL * SECONDS_PER_YEAR);
		if (mpz_cmp(cap, available) < 0)
			mpz_set(x->recognized, cap);
	}
	mpz_sub(m->deferred, available, x->recognized);
	/* B = max(I, 0), or with the mark max(0, min(I, A1 + VA -
	 * ceil(H * (Srun + VS)))) */
	mpz_set(part, x->recognized);
	if (m->fee_high_water_mark && m->has_mark) {
		mpz_add(numerator, m->total_shares, m->virtual_shares);
		mpz_mul(numerator, numerator, mpq_numref(m->mark));
		mpz_cdiv_q(numerator, numerator, mpq_denref(m->mark));
		mpz_add(given, m->total_assets, x->recognized);
		mpz_add(given, given, m->virtual_assets);
		mpz_sub(given, given, numerator);
		if (mpz_cmp(given, part) < 0)
			mpz_set(part, given);
	}
	if (mpz_sgn(part) > 0) {
		mpz_mul_ui(x->fee_value, part, m->fee_bps);
		mpz_fdiv_q_ui(x->fee_value, x->fee_value, 10000);
	}
	mpz_set_ui(given, 0);
	mpz_add(m->total_assets, m->total_assets, x->recognized);
	if (mpz_sgn(x->fee_value) > 0) {
		mpz_add(numerator, m->total_shares, m->virtual_shares);
		mpz_mul(numerator, numerator, x->fee_value);
		mpz_add(denominator, m->total_assets, m->virtual_assets);
		mpz_sub(denominator, denominator, x->fee_value);
		mpz_fdiv_q(x->fee_shares, numerator, denominator);
	}
	mpz_add(m->total_shares, m->total_shares, x->fee_shares);
	for (i = 0; i < m->recipient_count; i++) {
		mpz_mul_ui(part, x->fee_shares, m->recipient_bps[i]);
		mpz_fdiv_q_ui(part, part, 10000);
		mpz_add(m->holder[m->recipient[i]], m->holder[m->recipient[i]], part);
		mpz_add(given, given, part);
	}
	mpz_sub(part, x->fee_shares, given);
	mpz_add(m->holder[m->recipient[0]], m->holder[m->recipient[0]], part);
	mpz_clears(available, cap, numerator, denominator, part, given, NULL);
}

/* Step 5: FIFO finalization at the batch rate of (A1, S1). */
static void model_finalize_step(model *m, expected_report *x)
{
	mpz_t a1, s1, payout, paid, burnt, sum;
	request *r;

	mpz_inits(a1, s1, payout, paid, burnt, sum, NULL);
	mpz_set(a1, m->total_assets);
	mpz_set(s1, m->total_shares);
	x->finalized = calloc(m->request_count + 1, sizeof *x->finalized);
	CHECK_ALLOC(x->finalized);
	while (m->queue_head < m->request_count) {
		r = &m->requests[m->queue_head];
		if (r->state == REQUEST_CANCELLED) {
			m->queue_head++;  /* left the queue */
			continue;
		}
		if (r->epoch + m->delay_epochs > m->epoch)
			break;
		model_to_assets(payout, m, r->shares, a1, s1);
		if (mpz_cmp(r->cap, payout) < 0)
			mpz_set(payout, r->cap);
		mpz_add(sum, paid, payout);
		if (mpz_cmp(sum, m->position[BUFFER][0]) > 0)
			break;
		mpz_set(paid, sum);
		mpz_add(burnt, burnt, r->shares);
		mpz_set(r->payout, payout);
		r->state = REQUEST_FINALIZED;
		x->finalized[x->finalized_count++] = m->queue_head;
		m->queue_head++;
	}
	mpz_sub(m->total_assets, m->total_assets, paid);
	mpz_sub(m->total_shares, m->total_shares, burnt);
	mpz_sub(m->position[BUFFER][0], m->position[BUFFER][0], paid);
	mpz_add(m->position[CLAIMABLE][0], m->position[CLAIMABLE][0], paid);
	mpz_clears(a1, s1, payout, paid, burnt, sum, NULL);
}

/* Step 8, before step 5: the position each attest names, 0 for none. */
static void model_reconcile_step(const model *m, expected_report *x)
{
	size_t i;

	x->reconciled_book = calloc(m->attest_count + 1, sizeof *x->reconciled_book);
	CHECK_ALLOC(x->reconciled_book);
	for (i = 0; i < m->attest_count; i++) {
		int l = location_index(m->attests[i].location);

		mpz_init(x->reconciled_book[i]);
		x->reconciled_count = i + 1;
		if (l >= 0)
			mpz_set(x->reconciled_book[i], m->position[l][m->attests[i].asset]);
	}
}

/* Step 6: H = max(H, (A2 + VA) / (S2 + VS)) when S2 + VS > 0. */
static void model_mark_step(model *m)
{
	mpq_t ratio;

	mpq_init(ratio);
	mpz_add(mpq_denref(ratio), m->total_shares, m->virtual_shares);
	if (mpz_sgn(mpq_denref(ratio)) > 0) {
		mpz_add(mpq_numref(ratio), m->total_assets, m->virtual_assets);
		mpq_canonicalize(ratio);
		if (!m->has_mark || mpq_cmp(ratio, m->mark) > 0)
			mpq_set(m->mark, ratio);
		m->has_mark = true;
	}
	mpq_clear(ratio);
}

/* Step 7, naively: every holder, every program in force. */
static void model_points_step(model *m)
{
	int p, h;

	for (p = 0; p < PROGRAM_COUNT; p++) {
		if (!m->program_in_force[p])
			continue;
		for (h = 0; h < NAME_COUNT; h++)
			mpz_addmul(m->points[p][h], m->holder[h], m->program_rate[p]);
	}
}

/* Settles the model's open epoch (the guard is never set here). */
void model_settle(model *m, expected_report *x)
{
	mpz_t gain;

	mpz_init(gain);
	model_value_step(gain, x, m);
	model_recognize_step(m, x, gain);
	model_reconcile_step(m, x);
	model_finalize_step(m, x);
	model_mark_step(m);
	model_points_step(m);
	mpz_set(x->total_assets, m->total_assets);
	mpz_set(x->total_shares, m->total_shares);
	mpz_set(x->deferred, m->deferred);
	mpz_set(x->buffer, m->position[BUFFER][0]);
	mpz_set(x->claimable, m->position[CLAIMABLE][0]);
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0)
		mpz_set_ui(x->rate, 0);
	else
		model_to_assets(x->rate, m, m->one_token, m->total_assets,
				m->total_shares);
	m->flow_count = 0;  /* the caller clears the attests once checked */
	mpz_clear(gain);
}

/* SPEC section 7 on the model: value(op), slashable(op, avs), hhi_bps. */
void model_exposure(const model *m, mpz_t value[3], mpz_t slashable[3][AVS_COUNT],
			   mpz_t hhi)
{
	mpz_t v, term, sum, squares;
	int o, a, k;

	mpz_inits(v, term, sum, squares, NULL);
	for (o = 0; o < 3; o++) {
		int l = operators_sorted[o];

		mpz_set_ui(value[o], 0);
		for (k = 0; k < AVS_COUNT; k++)
			mpz_set_ui(slashable[o][k], 0);
		for (a = 0; a < ASSET_COUNT; a++) {
			model_value(v, m, a, m->position[l][a]);
			mpz_add(value[o], value[o], v);
			if (mpz_sgn(m->max_magnitude[l][a]) == 0)
				continue;
			for (k = 0; k < AVS_COUNT; k++) {
				mpz_mul(term, v, m->allocated[l][a][avss_sorted[k]]);
				mpz_fdiv_q(term, term, m->max_magnitude[l][a]);
				mpz_add(slashable[o][k], slashable[o][k], term);
			}
		}
		mpz_add(sum, sum, value[o]);
		mpz_addmul(squares, value[o], value[o]);
	}
	mpz_set_ui(hhi, 0);
	if (mpz_sgn(sum) > 0) {
		mpz_mul_ui(squares, squares, 10000);
		mpz_mul(sum, sum, sum);
		mpz_fdiv_q(hhi, squares, sum);
	}
	mpz_clears(v, term, sum, squares, NULL);
}

/* The rate at (A, S); 0 in plain with S = 0. */
void model_rate(mpz_t out, const model *m)
{
	if (m->kind == LRT_MODEL_PLAIN && mpz_sgn(m->total_shares) == 0)
		mpz_set_ui(out, 0);
	else
		model_to_assets(out, m, m->one_token, m->total_assets, m->total_shares);
}

