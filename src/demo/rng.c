/*
 * rng.c - xoshiro256**, seeded by splitmix64 (see rng.h): the reference
 * algorithms of https://prng.di.unimi.it/, in integer arithmetic only.
 */
#include "demo/rng.h"

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void demo_rng_seed(demo_rng *rng, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t demo_rng_next(demo_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t demo_rng_below(demo_rng *rng, uint64_t n)
{
	uint64_t limit, x;

	if (n == 0)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = demo_rng_next(rng);
	while (x >= limit);
	return x % n;
}

bool demo_rng_chance_bps(demo_rng *rng, unsigned bps)
{
	return demo_rng_below(rng, 10000) < bps;
}

void demo_rng_hex(demo_rng *rng, char *out, size_t digits)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = 0;
	size_t i;

	for (i = 0; i < digits; i++) {
		if (i % 16 == 0)
			bits = demo_rng_next(rng);
		out[i] = hex[bits & 15];
		bits >>= 4;
	}
	out[digits] = '\0';
}
