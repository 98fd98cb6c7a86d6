/*
 * strmap.c - the string hash index of strmap.h.
 *
 * Workload: a few maps per book holding up to millions of short names
 * (addresses of 42 bytes, event ids of about 80, every one at most
 * LRT_NAME_BYTES_MAX), one insertion per new name and a lookup or more per
 * event.
 *
 * Why keyed.  These maps used to hash with FNV-1a, which has no secret:
 * anyone can compute where a name lands and pick names whose home slots
 * all fall among a few adjacent slots (4,096 tries each for 100,000
 * names).  Under linear probing such names pile into one run, every
 * insertion and lookup walks it, and n of them cost n^2 / 2 probes: 100,000
 * made `lrt simulate` 6 to 9 times slower than random names here, 13 times
 * in issue 9 (tests/bench/collide.sh measures it).  SipHash is a pseudorandom function: without the
 * key, where a name lands cannot be told from the name, so the expected
 * cost holds whatever names the input chooses.
 *
 * Why SipHash-2-4 rather than SipHash-1-3.  2-4 is the reference's default,
 * the variant its designers make their claim for, and the one whose
 * published test vectors check this code exactly (tests/check_strmap.c).
 * 1-3, Rust's and Python's choice, would be enough against flooding but
 * saves only six rounds, a few nanoseconds a name against microseconds an
 * event.  Measured: 28 ns for a 42-byte address (FNV-1a took 25, one serial
 * multiplication per byte) and 44 ns for an 80-byte event id (FNV: 81).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif

#include "core/assert.h"
#include "core/strmap.h"
#include "lrt/error.h"

#define STRMAP_MIN_CAPACITY 16

/* The most slots: a name's home slot comes from its 32-bit stored hash, so
 * slots past 2^32 could be nobody's home.  2^32 slots of 16 bytes are 64 GiB
 * holding 2^31 names, far past any book (a million holders use 2^21 slots);
 * the load factor stays at or below 1/2, so the most names is half this. */
#define STRMAP_CAPACITY_MAX (UINT64_C(1) << 32)

/* ---- SipHash-2-4, from its specification (Aumasson and Bernstein, 2012) - */

#define SIPHASH_KEY_BYTES 16

typedef struct {
	uint64_t v0, v1, v2, v3;
} siphash_state;

static uint64_t rotate_left(uint64_t x, unsigned bits)
{
	return (x << bits) | (x >> (64 - bits));
}

/* Eight bytes as a little-endian word, whatever the host's byte order;
 * compilers turn this into one load on little-endian machines. */
static uint64_t load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16
		| (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40
		| (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static void sip_round(siphash_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotate_left(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotate_left(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotate_left(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotate_left(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotate_left(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotate_left(s->v2, 32);
}

/* Two compression rounds per message word. */
static void sip_compress(siphash_state *s, uint64_t word)
{
	s->v3 ^= word;
	sip_round(s);
	sip_round(s);
	s->v0 ^= word;
}

static uint64_t siphash24(uint64_t k0, uint64_t k1, const unsigned char *bytes,
			  size_t length)
{
	/* "somepseudorandomlygeneratedbytes", the specification's constants */
	siphash_state s = {
		k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
		k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573),
	};
	size_t words = length / 8, tail = length % 8, i;
	uint64_t last = (uint64_t)(length & 0xff) << 56;  /* length mod 256 on top */

	for (i = 0; i < words; i++)
		sip_compress(&s, load_le64(bytes + 8 * i));
	for (i = 0; i < tail; i++)
		last |= (uint64_t)bytes[8 * words + i] << (8 * i);
	sip_compress(&s, last);
	/* four finalization rounds */
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t lrt_strmap_siphash(const unsigned char key[SIPHASH_KEY_BYTES],
			    const void *bytes, size_t length)
{
	return siphash24(load_le64(key), load_le64(key + 8), bytes, length);
}

/* ---- the process's key ---------------------------------------------------- */

/* Drawn once, on the first insertion into any map (every map's first
 * insertion grows it), and never changed: the maps store their hashes. */
static uint64_t strmap_key[2];
static pthread_once_t strmap_key_once = PTHREAD_ONCE_INIT;

/* 0 when getrandom(2) filled `out`, else -1.  GRND_NONBLOCK: early in boot,
 * before the kernel's pool is ready, this fails rather than hang a batch. */
static int strmap_key_random(unsigned char out[SIPHASH_KEY_BYTES])
{
	size_t have = 0;

	while (have < SIPHASH_KEY_BYTES) {
		ssize_t got = getrandom(out + have, SIPHASH_KEY_BYTES - have,
					GRND_NONBLOCK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		have += (size_t)got;
	}
	return 0;
}

/*
 * The fallback when getrandom(2) fails (ENOSYS before Linux 3.17, EPERM
 * under a seccomp policy that forbids it, EAGAIN before the pool is ready):
 * a key that still differs between processes, SipHash under fixed keys of
 * what does: the 16 random bytes the kernel gives every program it starts
 * (AT_RANDOM; they also seed the stack protector, so they are hashed here,
 * never used as they are), the clocks, the process id and addresses that
 * address-space randomization moves.  Weaker than getrandom: without
 * AT_RANDOM, someone on the same machine could guess the rest.  But never
 * one key shared by every run, which is what a flood needs.
 */
static void strmap_key_fallback(unsigned char out[SIPHASH_KEY_BYTES])
{
	static const unsigned char label_low[] = "lrt strmap key 0";
	static const unsigned char label_high[] = "lrt strmap key 1";
	struct {
		unsigned char at_random[SIPHASH_KEY_BYTES];
		struct timespec realtime, monotonic;
		uint64_t pid, stack_address, data_address;
	} seed;
	uint64_t low, high;

	memset(&seed, 0, sizeof(seed));  /* no stray padding bytes */
#if defined(__linux__)
	{
		const unsigned char *at_random =
			(const unsigned char *)(uintptr_t)getauxval(AT_RANDOM);

		if (at_random != NULL)
			memcpy(seed.at_random, at_random, sizeof(seed.at_random));
	}
#endif
	clock_gettime(CLOCK_REALTIME, &seed.realtime);
	clock_gettime(CLOCK_MONOTONIC, &seed.monotonic);
	seed.pid = (uint64_t)getpid();
	seed.stack_address = (uint64_t)(uintptr_t)&seed;
	seed.data_address = (uint64_t)(uintptr_t)&strmap_key;
	low = lrt_strmap_siphash(label_low, &seed, sizeof(seed));
	high = lrt_strmap_siphash(label_high, &seed, sizeof(seed));
	memcpy(out, &low, sizeof(low));
	memcpy(out + sizeof(low), &high, sizeof(high));
}

static void strmap_key_draw(void)
{
	unsigned char bytes[SIPHASH_KEY_BYTES];
	int saved_errno = errno;  /* a lookup leaves errno as it found it */

	if (strmap_key_random(bytes) != 0)
		strmap_key_fallback(bytes);
	errno = saved_errno;
	strmap_key[0] = load_le64(bytes);
	strmap_key[1] = load_le64(bytes + 8);
}

static void strmap_key_ready(void)
{
	int rc = pthread_once(&strmap_key_once, strmap_key_draw);

	LRT_ASSERT(rc == 0);
}

/* The stored hash; the key is drawn already (see strmap_key). */
static uint32_t strmap_hash(const char *key)
{
	return (uint32_t)siphash24(strmap_key[0], strmap_key[1],
				   (const unsigned char *)key, strlen(key));
}

uint32_t lrt_strmap_hash(const char *key)
{
	strmap_key_ready();
	return strmap_hash(key);
}

/* ---- the index -------------------------------------------------------------- */

void lrt_strmap_init(lrt_strmap *map)
{
	map->slots = NULL;
	map->capacity = 0;
	map->count = 0;
}

void lrt_strmap_clear(lrt_strmap *map)
{
	free(map->slots);
	lrt_strmap_init(map);
}

int64_t lrt_strmap_find(const lrt_strmap *map, const char *key)
{
	uint32_t hash;
	size_t mask, i;

	LRT_ASSERT(key != NULL);
	if (map->capacity == 0)
		return -1;
	/* at most half full, so every probe sequence meets an empty slot */
	LRT_ASSERT(map->count * 2 <= map->capacity);
	hash = strmap_hash(key);
	mask = map->capacity - 1;
	for (i = hash & mask;; i = (i + 1) & mask) {
		const lrt_strmap_slot *slot = &map->slots[i];

		if (slot->key == NULL)
			return -1;
		if (slot->hash == hash && strcmp(slot->key, key) == 0)
			return slot->value;
	}
}

/* Puts an entry known to be absent in the first empty slot from its home. */
static void strmap_place(lrt_strmap_slot *slots, size_t capacity,
			 const lrt_strmap_slot *entry)
{
	size_t mask = capacity - 1;
	size_t i;

	for (i = entry->hash & mask; slots[i].key != NULL; i = (i + 1) & mask)
		;
	slots[i] = *entry;
}

/* Doubles the table, moving every entry by its stored hash.  On error the
 * map is unaltered. */
static int strmap_grow(lrt_strmap *map)
{
	uint64_t capacity = map->capacity ? (uint64_t)map->capacity * 2
		: STRMAP_MIN_CAPACITY;
	lrt_strmap_slot *slots;
	size_t i;

	if (capacity > STRMAP_CAPACITY_MAX) {
		lrt_error_set("an index holds at most %llu names",
			      (unsigned long long)(STRMAP_CAPACITY_MAX / 2));
		return LRT_ELIMIT;
	}
	strmap_key_ready();
	slots = capacity <= SIZE_MAX / sizeof(*slots)
		? calloc((size_t)capacity, sizeof(*slots)) : NULL;
	if (slots == NULL) {
		lrt_error_set("out of memory growing an index to %llu slots",
			      (unsigned long long)capacity);
		return LRT_ENOMEM;
	}
	for (i = 0; i < map->capacity; i++)
		if (map->slots[i].key != NULL)
			strmap_place(slots, (size_t)capacity, &map->slots[i]);
	free(map->slots);
	map->slots = slots;
	map->capacity = (size_t)capacity;
	return 0;
}

int lrt_strmap_insert(lrt_strmap *map, const char *key, uint32_t value)
{
	uint32_t hash;
	size_t mask, i;
	int rc;

	LRT_ASSERT(key != NULL);
	/* Keep the load factor at or below 1/2. */
	if ((map->count + 1) * 2 > map->capacity) {
		rc = strmap_grow(map);
		if (rc != 0)
			return rc;
	}
	hash = strmap_hash(key);
	mask = map->capacity - 1;
	for (i = hash & mask; map->slots[i].key != NULL; i = (i + 1) & mask)
		LRT_ASSERT(map->slots[i].hash != hash
			   || strcmp(map->slots[i].key, key) != 0);
	map->slots[i].key = key;
	map->slots[i].hash = hash;
	map->slots[i].value = value;
	map->count++;
	LRT_ASSERT(map->count * 2 <= map->capacity);
	return 0;
}
