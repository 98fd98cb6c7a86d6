/*
 * check_strmap.c - the string hash index (src/core/strmap.h).
 *
 * Exact behaviour: an empty map allocates nothing; the capacity is 16 at the
 * first insertion and doubles exactly when an insertion would make it more
 * than half full; every key inserted is found with its value across growth;
 * absent keys, prefixes and extensions of keys are not; a duplicate aborts.
 * After every insertion the table is checked against the probing invariant
 * (every slot from a key's home slot to the key's slot is occupied).
 *
 * The hash: SipHash-2-4 against the reference's published vectors (key 00
 * 01 .. 0f, message 00 01 .. of lengths 0 to 63; these tests take a handful
 * of lengths around the 8-byte words), and keyed: names chosen so that all
 * of them share one home slot under the unkeyed FNV-1a the maps used before
 * cost about as many probes as random names.  Probes are counted from the
 * table itself: a lookup walks from the key's home slot (hash & (capacity -
 * 1)) to its slot, or to the first empty slot when absent, one probe per slot.
 */
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"

/* ---- SipHash-2-4 against the reference's vectors ------------------------ */

/* From the reference implementation's vectors.h (vectors_sip64): the output
 * bytes of SipHash-2-4 with key 00 01 .. 0f on the message 00 01 .. (n-1). */
typedef struct {
	size_t length;
	unsigned char output[8];
} siphash_vector;

static const siphash_vector siphash_vectors[] = {
	{0, {0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72}},
	{1, {0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74}},
	{7, {0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab}},
	{8, {0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93}},
	{9, {0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e}},
	{15, {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1}},
	{16, {0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f}},
	{31, {0x42, 0xc3, 0x41, 0xd8, 0xfa, 0x92, 0xd8, 0x32}},
	{63, {0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95}},
};

#define SIPHASH_VECTOR_COUNT (sizeof(siphash_vectors) / sizeof(siphash_vectors[0]))

static uint64_t little_endian(const unsigned char bytes[8])
{
	uint64_t value = 0;
	int i;

	for (i = 7; i >= 0; i--)
		value = value << 8 | bytes[i];
	return value;
}

START_TEST(test_siphash_reference_vectors)
{
	unsigned char key[16], message[64];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	/* one buffer for every length: bytes past `length` must not count */
	for (i = 0; i < sizeof(message); i++)
		message[i] = (unsigned char)i;
	for (i = 0; i < SIPHASH_VECTOR_COUNT; i++) {
		const siphash_vector *v = &siphash_vectors[i];
		uint64_t got = lrt_strmap_siphash(key, message, v->length);

		ck_assert_msg(got == little_endian(v->output),
			      "length %zu: got %016" PRIx64 ", expected %016" PRIx64,
			      v->length, got, little_endian(v->output));
	}
}
END_TEST

/* The paper's worked example (appendix A): the same key, 15 bytes, and the
 * result written as a number, 0xa129ca6149be45e5. */
START_TEST(test_siphash_paper_example)
{
	unsigned char key[16], message[15];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < sizeof(message); i++)
		message[i] = (unsigned char)i;
	ck_assert_uint_eq(lrt_strmap_siphash(key, message, sizeof(message)),
			  UINT64_C(0xa129ca6149be45e5));
}
END_TEST

/* ---- the maps' hash --------------------------------------------------------- */

/* The hash the maps used before: 64-bit FNV-1a folded to 32 bits. */
static uint32_t fnv1a_folded(const char *text)
{
	uint64_t hash = UINT64_C(14695981039346656037);
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		hash = (hash ^ *p) * UINT64_C(1099511628211);
	return (uint32_t)(hash ^ (hash >> 32));
}

START_TEST(test_hash_is_stable_and_keyed)
{
	static const unsigned char reference_key[16] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	static const unsigned char zero_key[16];
	static const char *const names[] = {"alice", "bob", "", "treasury",
		"0x52908400098527886e0f7030069857d2e4169ee7"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *name = names[i];
		uint32_t hash = lrt_strmap_hash(name);
		char copy[64];

		/* a function of the bytes, not of where they are */
		snprintf(copy, sizeof(copy), "%s", name);
		ck_assert_uint_eq(lrt_strmap_hash(copy), hash);
		/* and not a hash anyone can compute without this process's key
		 * (each fails by chance with probability 2^-32) */
		ck_assert_uint_ne(hash, fnv1a_folded(name));
		ck_assert_uint_ne(hash, (uint32_t)lrt_strmap_siphash(zero_key, name,
								   strlen(name)));
		ck_assert_uint_ne(hash, (uint32_t)lrt_strmap_siphash(reference_key, name,
								   strlen(name)));
	}
}
END_TEST

/* ---- exact behaviour of insert, find and growth ----------------------------- */

/* Checks every slot of `map`: the stored hash is the key's, no slot between a
 * key's home and its slot is empty, and `count` keys are stored. */
static void assert_table(const lrt_strmap *map)
{
	size_t mask = map->capacity - 1, count = 0, i, j;

	ck_assert(map->capacity == 0 || (map->capacity & mask) == 0);
	ck_assert_uint_le(map->count * 2, map->capacity);
	for (i = 0; i < map->capacity; i++) {
		const lrt_strmap_slot *slot = &map->slots[i];

		if (slot->key == NULL)
			continue;
		count++;
		if (slot->hash != lrt_strmap_hash(slot->key))
			ck_abort_msg("slot %zu: stored hash %" PRIu32 " is not %s's",
				     i, slot->hash, slot->key);
		/* no ck_assert per step: each one writes to Check's pipe */
		for (j = slot->hash & mask; j != i; j = (j + 1) & mask)
			if (map->slots[j].key == NULL)
				ck_abort_msg("slot %zu is empty, between %s's home and "
					     "its slot %zu", j, slot->key, i);
	}
	ck_assert_uint_eq(count, map->count);
}

START_TEST(test_empty_map)
{
	lrt_strmap map;

	lrt_strmap_init(&map);
	ck_assert_ptr_null(map.slots);
	ck_assert_uint_eq(map.capacity, 0);
	ck_assert_uint_eq(map.count, 0);
	ck_assert_int_eq(lrt_strmap_find(&map, "alice"), -1);
	ck_assert_int_eq(lrt_strmap_find(&map, ""), -1);
	lrt_strmap_clear(&map);
	lrt_strmap_clear(&map);  /* clearing a cleared map is harmless */
	ck_assert_ptr_null(map.slots);
}
END_TEST

/* The capacity after `count` insertions: 16, doubled while under 2 * count. */
static size_t expected_capacity(size_t count)
{
	size_t capacity = 16;

	while (capacity < 2 * count)
		capacity *= 2;
	return capacity;
}

#define GROWTH_NAMES 1000

START_TEST(test_insert_find_grow)
{
	static char names[GROWTH_NAMES][16];
	lrt_strmap map;
	size_t i, j;

	lrt_strmap_init(&map);
	for (i = 0; i < GROWTH_NAMES; i++) {
		snprintf(names[i], sizeof(names[i]), "holder-%zu", i);
		ck_assert_int_eq(lrt_strmap_insert(&map, names[i], (uint32_t)(i * 7)), 0);
		ck_assert_uint_eq(map.count, i + 1);
		ck_assert_uint_eq(map.capacity, expected_capacity(i + 1));
		if (i < 64 || (i & (i + 1)) == 0)
			assert_table(&map);
	}
	/* growth happened exactly at 9, 17, 33, ... names */
	ck_assert_uint_eq(expected_capacity(8), 16);
	ck_assert_uint_eq(expected_capacity(9), 32);
	ck_assert_uint_eq(map.capacity, 2048);
	assert_table(&map);
	for (i = 0; i < GROWTH_NAMES; i++) {
		char copy[16];

		/* found through another pointer to the same bytes */
		memcpy(copy, names[i], sizeof(copy));
		ck_assert_int_eq(lrt_strmap_find(&map, copy), (int64_t)(i * 7));
	}
	for (i = 0; i < 100; i++) {
		char absent[24];

		j = GROWTH_NAMES + i;
		snprintf(absent, sizeof(absent), "holder-%zu", j);
		ck_assert_int_eq(lrt_strmap_find(&map, absent), -1);
	}
	/* prefixes and extensions of a key are other keys */
	ck_assert_int_eq(lrt_strmap_find(&map, "holder-"), -1);
	ck_assert_int_eq(lrt_strmap_find(&map, "holder-1 "), -1);
	ck_assert_int_eq(lrt_strmap_find(&map, "Holder-1"), -1);
	ck_assert_int_eq(lrt_strmap_find(&map, ""), -1);
	lrt_strmap_clear(&map);
	ck_assert_ptr_null(map.slots);
	ck_assert_uint_eq(map.capacity, 0);
	ck_assert_uint_eq(map.count, 0);
}
END_TEST

START_TEST(test_values_and_empty_key)
{
	lrt_strmap map;

	lrt_strmap_init(&map);
	ck_assert_int_eq(lrt_strmap_insert(&map, "", 0), 0);
	ck_assert_int_eq(lrt_strmap_insert(&map, "max", UINT32_MAX), 0);
	ck_assert_int_eq(lrt_strmap_insert(&map, "a", 1), 0);
	ck_assert_uint_eq(map.capacity, 16);
	ck_assert_int_eq(lrt_strmap_find(&map, ""), 0);
	ck_assert_int_eq(lrt_strmap_find(&map, "max"), (int64_t)UINT32_MAX);
	ck_assert_int_eq(lrt_strmap_find(&map, "a"), 1);
	ck_assert_int_eq(lrt_strmap_find(&map, "b"), -1);
	assert_table(&map);
	/* a cleared map is empty and takes keys again */
	lrt_strmap_clear(&map);
	ck_assert_int_eq(lrt_strmap_find(&map, "a"), -1);
	ck_assert_int_eq(lrt_strmap_insert(&map, "a", 2), 0);
	ck_assert_int_eq(lrt_strmap_find(&map, "a"), 2);
	lrt_strmap_clear(&map);
}
END_TEST

/* A key inserted twice is the caller's bug: the map aborts (SIGABRT). */
START_TEST(test_duplicate_aborts)
{
	lrt_strmap map;
	char again[] = "alice";

	lrt_strmap_init(&map);
	ck_assert_int_eq(lrt_strmap_insert(&map, "alice", 1), 0);
	lrt_strmap_insert(&map, again, 2);
	ck_abort_msg("a duplicate key was inserted");
}
END_TEST

/* ---- names that collide under FNV-1a ------------------------------------------ */

/* 4,000 names in a table of 2^13 slots, the table the map reaches for them
 * (at most half full): under FNV-1a every one of them has home slot 0. */
#define FLOOD_NAMES 4000
#define FLOOD_ABSENT 1000
#define FLOOD_CAPACITY 8192
#define FLOOD_NAME_BYTES 24

static const char hex_digits[] = "0123456789abcdef";

/* Writes "flood-<index>-<attempt>-" and five hex digits into `name` so that
 * its FNV-1a home slot in a FLOOD_CAPACITY table is 0: about FLOOD_CAPACITY
 * tries, one multiplication each from the prefix's state. */
static void fnv_colliding_name(char name[FLOOD_NAME_BYTES], size_t index)
{
	const uint64_t prime = UINT64_C(1099511628211);
	unsigned attempt, digits;
	int at;

	for (attempt = 0;; attempt++) {
		uint64_t prefix = UINT64_C(14695981039346656037);
		int i;

		at = snprintf(name, FLOOD_NAME_BYTES, "flood-%zu-%u-", index, attempt);
		ck_assert(at > 0 && at + 6 <= FLOOD_NAME_BYTES);
		for (i = 0; i < at; i++)
			prefix = (prefix ^ (unsigned char)name[i]) * prime;
		for (digits = 0; digits < 1u << 20; digits++) {
			uint64_t hash = prefix;
			uint32_t folded;

			for (i = 0; i < 5; i++)
				hash = (hash ^ (unsigned char)hex_digits[(digits >> (4 * i)) & 15])
					* prime;
			folded = (uint32_t)(hash ^ (hash >> 32));
			if ((folded & (FLOOD_CAPACITY - 1)) == 0) {
				for (i = 0; i < 5; i++)
					name[at + i] = hex_digits[(digits >> (4 * i)) & 15];
				name[at + 5] = '\0';
				return;
			}
		}
	}
}

/* Probes of a successful lookup of every key: from its home to its slot. */
static uint64_t probes_found(const lrt_strmap *map, size_t *longest)
{
	size_t mask = map->capacity - 1, i;
	uint64_t total = 0;

	*longest = 0;
	for (i = 0; i < map->capacity; i++) {
		size_t probes;

		if (map->slots[i].key == NULL)
			continue;
		probes = ((i - (map->slots[i].hash & mask)) & mask) + 1;
		total += probes;
		if (probes > *longest)
			*longest = probes;
	}
	return total;
}

/* Probes of a lookup of an absent key whose home slot is `home`: every
 * occupied slot from there, and the empty one that ends the search. */
static size_t probes_absent(const lrt_strmap *map, size_t home)
{
	size_t mask = map->capacity - 1, probes = 1, i;

	for (i = home; map->slots[i].key != NULL; i = (i + 1) & mask)
		probes++;
	return probes;
}

/* The probes FNV-1a's table would take for keys all homed at slot 0: linear
 * probing puts the k-th at slot k-1, k probes, n(n+1)/2 in all. */
static uint64_t fnv_probes_found(size_t count)
{
	return (uint64_t)count * (count + 1) / 2;
}

START_TEST(test_fnv_colliding_names_stay_cheap)
{
	static char names[FLOOD_NAMES + FLOOD_ABSENT][FLOOD_NAME_BYTES];
	uint64_t total, absent_total = 0;
	size_t longest, absent_longest = 0, i;
	lrt_strmap map;

	for (i = 0; i < FLOOD_NAMES + FLOOD_ABSENT; i++) {
		fnv_colliding_name(names[i], i);
		/* the premise: under the old hash, all share home slot 0 */
		ck_assert_uint_eq(fnv1a_folded(names[i]) & (FLOOD_CAPACITY - 1), 0);
	}
	lrt_strmap_init(&map);
	for (i = 0; i < FLOOD_NAMES; i++)
		ck_assert_int_eq(lrt_strmap_insert(&map, names[i], (uint32_t)i), 0);
	ck_assert_uint_eq(map.capacity, FLOOD_CAPACITY);

	/* Keyed, the names spread as random ones do: at this load (0.49) a
	 * lookup takes about 1.5 probes on average when the key is present and
	 * 2.5 when absent, with runs of a few dozen at worst.  FNV-1a's table
	 * took 2,000.5 on average and 4,000 at worst for these names. */
	total = probes_found(&map, &longest);
	ck_assert_uint_eq(fnv_probes_found(FLOOD_NAMES), 8002000);
	ck_assert_msg(total <= 3 * FLOOD_NAMES, "%" PRIu64 " probes for %d names",
		      total, FLOOD_NAMES);
	ck_assert_msg(longest <= 100, "a lookup takes %zu probes", longest);
	assert_table(&map);
	for (i = 0; i < FLOOD_NAMES; i++)
		ck_assert_int_eq(lrt_strmap_find(&map, names[i]), (int64_t)i);
	for (i = FLOOD_NAMES; i < FLOOD_NAMES + FLOOD_ABSENT; i++) {
		size_t probes = probes_absent(&map, lrt_strmap_hash(names[i])
					      & (map.capacity - 1));

		ck_assert_int_eq(lrt_strmap_find(&map, names[i]), -1);
		absent_total += probes;
		if (probes > absent_longest)
			absent_longest = probes;
	}
	ck_assert_msg(absent_total <= 6 * FLOOD_ABSENT, "%" PRIu64 " probes for %d absent names",
		      absent_total, FLOOD_ABSENT);
	ck_assert_msg(absent_longest <= 100, "a miss takes %zu probes", absent_longest);
	lrt_strmap_clear(&map);
}
END_TEST

Suite *strmap_suite(void)
{
	Suite *suite = suite_create("strmap");
	TCase *siphash = tcase_create("siphash");
	TCase *map = tcase_create("map");
	TCase *flood = tcase_create("flood");

	tcase_add_test(siphash, test_siphash_reference_vectors);
	tcase_add_test(siphash, test_siphash_paper_example);
	tcase_add_test(siphash, test_hash_is_stable_and_keyed);
	suite_add_tcase(suite, siphash);

	tcase_add_test(map, test_empty_map);
	tcase_add_test(map, test_insert_find_grow);
	tcase_add_test(map, test_values_and_empty_key);
	tcase_add_test_raise_signal(map, test_duplicate_aborts, SIGABRT);
	suite_add_tcase(suite, map);

	tcase_add_test(flood, test_fnv_colliding_names_stay_cheap);
	suite_add_tcase(suite, flood);
	return suite;
}
