/*
 * rng.h - the demo's own PRNG: xoshiro256** (Blackman and Vigna), seeded by
 * splitmix64.  The same seed gives the same draws on every machine, so the
 * same options write the same history; nothing here reads a clock.
 */
#ifndef LRT_DEMO_RNG_H
#define LRT_DEMO_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t s[4];
} demo_rng;

void demo_rng_seed(demo_rng *rng, uint64_t seed);

/* The next 64 bits. */
uint64_t demo_rng_next(demo_rng *rng);

/* Uniform in 0..n-1 (0 when n is 0), without modulo bias. */
uint64_t demo_rng_below(demo_rng *rng, uint64_t n);

/* True `bps` times in 10,000. */
bool demo_rng_chance_bps(demo_rng *rng, unsigned bps);

/* `digits` random lowercase hex digits and a NUL: `out` holds digits + 1. */
void demo_rng_hex(demo_rng *rng, char *out, size_t digits);

#endif
