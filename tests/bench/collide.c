/*
 * collide.c - writes, for `make bench`, a scenario whose holder names all
 * collide in the index of an unkeyed FNV-1a hash table, or the same number
 * of random names of the same shape, to standard output.
 *
 *   collide NAMES colliding|random [SEED] > scenario.jsonl
 *
 * The scenario: a plain ETH product, then every name deposits once in epoch
 * 0 (each deposit inserts a name into the engine's holder index) and once
 * more in epoch 1 (each deposit looks one up).  Names are addresses, "0x"
 * and 40 lower-case hex digits, as a depositor's would be.
 *
 * What "colliding" means.  The engine's maps used to hash a name with 64-bit
 * FNV-1a folded to 32 bits (h ^ h >> 32) and take the home slot as those bits
 * modulo the table's capacity, a power of two, probing linearly from there.
 * A full 64-bit FNV collision search costs about 2^32 hashes, but nobody
 * needs one: only the index bits count.  The names written here all have
 * their home slot among the first WINDOW_SLOTS slots of the table the holder
 * index reaches for NAMES names (2^18 slots for 100,000), and so of every
 * smaller table it passes through while growing.  Under linear probing, names
 * whose homes fall in a window much narrower than their number pile into one
 * run of occupied slots as long as their number, exactly as if they shared
 * one home: the k-th insertion and every later lookup walk about k slots, so
 * n names cost about n^2 / 2 probes.  Finding one such name takes about
 * capacity / WINDOW_SLOTS hashes (4,096 for 100,000 names), each of them one
 * multiplication since only the last four hex digits vary from a prefix whose
 * FNV state is computed once: under a second for 100,000 names.  The
 * attacker needs no secret: FNV has no key.  (A name chosen this way is as
 * cheap for an attacker as a vanity address with 12 chosen bits.)
 *
 * The random names have the same length and the same prefix layout with
 * their last four hex digits drawn at random, so both scenarios parse,
 * print and sort the same number of bytes.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_SLOTS 64        /* the home slots every colliding name lands in */
#define OLD_MIN_CAPACITY 16    /* the old map's first table */
#define OTHER_HOLDERS 8        /* room for names the engine adds itself */
#define NAMES_MAX 10000000     /* 20 million events at most */
#define ADDRESS_BYTES 42       /* "0x" and 40 hex digits */
#define SEARCH_DIGITS 4        /* the hex digits searched, 16^4 choices */

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

typedef struct {
	uint64_t state;
} prng;

/* splitmix64: a different stream for each seed, nothing more. */
static uint64_t prng_next(prng *rng)
{
	uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t fnv1a_step(uint64_t hash, unsigned char byte)
{
	return (hash ^ byte) * FNV_PRIME;
}

/* The old map's home slot of a name whose FNV-1a state is `hash`. */
static uint64_t old_home(uint64_t hash, uint64_t mask)
{
	return (uint32_t)(hash ^ (hash >> 32)) & mask;
}

/* The capacity the old map reached holding `names` names: it doubled from
 * OLD_MIN_CAPACITY whenever an insertion would take it past half full. */
static uint64_t old_capacity(uint64_t names)
{
	uint64_t capacity = OLD_MIN_CAPACITY;

	while (names * 2 > capacity)
		capacity *= 2;
	return capacity;
}

static const char hex_digits[] = "0123456789abcdef";

/* The first ADDRESS_BYTES - SEARCH_DIGITS bytes of name `index`, attempt
 * `attempt`: random digits around the index, so that names are distinct. */
static void address_prefix(char out[ADDRESS_BYTES + 1], uint64_t seed,
			   uint64_t index, uint64_t attempt)
{
	prng rng = {seed ^ (index << 20) ^ (attempt << 52)};
	uint64_t first = prng_next(&rng);
	uint32_t last = (uint32_t)prng_next(&rng);

	snprintf(out, ADDRESS_BYTES + 1, "0x%016" PRIx64 "%012" PRIx64 "%08" PRIx32 "0000",
		 first, index, last);
}

/* Fills the last SEARCH_DIGITS digits of `name` so that its old home slot is
 * below WINDOW_SLOTS; 0 on success, -1 when no choice does. */
static int search_suffix(char name[ADDRESS_BYTES + 1], uint64_t mask)
{
	const size_t at = ADDRESS_BYTES - SEARCH_DIGITS;
	uint64_t prefix = FNV_OFFSET;
	unsigned a, b, c, d;
	size_t i;

	for (i = 0; i < at; i++)
		prefix = fnv1a_step(prefix, (unsigned char)name[i]);
	for (a = 0; a < 16; a++) {
		uint64_t ha = fnv1a_step(prefix, (unsigned char)hex_digits[a]);

		for (b = 0; b < 16; b++) {
			uint64_t hb = fnv1a_step(ha, (unsigned char)hex_digits[b]);

			for (c = 0; c < 16; c++) {
				uint64_t hc = fnv1a_step(hb, (unsigned char)hex_digits[c]);

				for (d = 0; d < 16; d++) {
					uint64_t hd = fnv1a_step(hc, (unsigned char)hex_digits[d]);

					if (old_home(hd, mask) < WINDOW_SLOTS) {
						name[at] = hex_digits[a];
						name[at + 1] = hex_digits[b];
						name[at + 2] = hex_digits[c];
						name[at + 3] = hex_digits[d];
						return 0;
					}
				}
			}
		}
	}
	return -1;
}

static void random_suffix(char name[ADDRESS_BYTES + 1], uint64_t seed, uint64_t index)
{
	prng rng = {~seed ^ index};
	uint64_t bits = prng_next(&rng);
	size_t i;

	for (i = ADDRESS_BYTES - SEARCH_DIGITS; i < ADDRESS_BYTES; i++, bits >>= 4)
		name[i] = hex_digits[bits & 15];
}

/* Name `index`; 0, or -1 when no colliding name was found (never seen: each
 * attempt fails with probability about e^-16). */
static int make_name(char name[ADDRESS_BYTES + 1], int colliding, uint64_t seed,
		     uint64_t index, uint64_t mask)
{
	uint64_t attempt;

	if (!colliding) {
		address_prefix(name, seed, index, 0);
		random_suffix(name, seed, index);
		return 0;
	}
	for (attempt = 0; attempt < 16; attempt++) {
		address_prefix(name, seed, index, attempt);
		if (search_suffix(name, mask) == 0)
			return 0;
	}
	return -1;
}

static int write_scenario(char (*names)[ADDRESS_BYTES + 1], uint64_t count)
{
	uint64_t i;
	int epoch;

	printf("{\"product\": {\"symbol\": \"eETH\", \"underlying\": \"ETH\", \"assets\": "
	       "[{\"symbol\": \"ETH\", \"decimals\": 18}], \"model\": \"plain\"}}\n");
	for (epoch = 0; epoch < 2; epoch++)
		for (i = 0; i < count; i++)
			printf("{\"id\": \"d%d-%" PRIu64 "\", \"epoch\": %d, \"type\": \"deposit\", "
			       "\"holder\": \"%s\", \"asset\": \"ETH\", "
			       "\"amount\": \"1000000000000000000\"}\n",
			       epoch, i, epoch, names[i]);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char (*names)[ADDRESS_BYTES + 1] = NULL;
	uint64_t count, seed, mask, i;
	int colliding, rc = 1;

	if (argc < 3 || argc > 4 || (strcmp(argv[2], "colliding") != 0
				     && strcmp(argv[2], "random") != 0)) {
		fprintf(stderr, "usage: collide NAMES colliding|random [SEED] > scenario.jsonl\n");
		return 2;
	}
	count = strtoull(argv[1], NULL, 10);
	if (count == 0 || count > NAMES_MAX) {
		fprintf(stderr, "collide: NAMES must be 1 to %d\n", NAMES_MAX);
		return 2;
	}
	colliding = strcmp(argv[2], "colliding") == 0;
	seed = argc == 4 ? strtoull(argv[3], NULL, 0) : 1;
	mask = old_capacity(count + OTHER_HOLDERS) - 1;
	names = calloc(count, sizeof *names);
	if (names == NULL) {
		fprintf(stderr, "collide: out of memory\n");
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (make_name(names[i], colliding, seed, i, mask) != 0) {
			fprintf(stderr, "collide: no colliding name found for %" PRIu64 "\n", i);
			goto done;
		}
	}
	rc = write_scenario(names, count);
done:
	free(names);
	return rc;
}
