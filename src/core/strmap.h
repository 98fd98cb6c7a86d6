/*
 * strmap.h - a hash index from strings to 32-bit values, for the names the
 * engine looks up per event: holders, requests, locations, event ids.
 *
 * Open addressing with linear probing and a stored hash per slot; the keys
 * are borrowed (their owner keeps them alive, usually in an arena) and
 * entries are never removed.  Lookups cost O(1) expected whatever the size,
 * so an epoch of a million events over a million holders stays linear.
 *
 * The names come from input, so whoever writes the events chooses them.  The
 * hash is therefore keyed: SipHash-2-4 under a key drawn at random once per
 * process, so that nobody can choose names that share slots (hash flooding)
 * without knowing the key, and the expected cost holds for any input.
 */
#ifndef LRT_CORE_STRMAP_H
#define LRT_CORE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const char *key;
	uint32_t hash;           /* lrt_strmap_hash(key) */
	uint32_t value;
} lrt_strmap_slot;

typedef struct {
	lrt_strmap_slot *slots;  /* capacity slots; key NULL = empty */
	size_t capacity;         /* a power of two, or 0 */
	size_t count;            /* at most capacity / 2 */
} lrt_strmap;

void lrt_strmap_init(lrt_strmap *map);
void lrt_strmap_clear(lrt_strmap *map);

/* The value of `key`, or -1 when absent. */
int64_t lrt_strmap_find(const lrt_strmap *map, const char *key);

/* Adds `key` (which must be absent: a duplicate is a caller's bug and
 * aborts) with `value`.  LRT_ENOMEM, or LRT_ELIMIT past 2^31 keys, leaves
 * the map unaltered. */
int lrt_strmap_insert(lrt_strmap *map, const char *key, uint32_t value);

/* The hash the maps store for `key`: 32 bits of SipHash-2-4 of its bytes
 * (without the NUL) under this process's key.  The home slot of `key` in a
 * map is hash & (capacity - 1).  Never fails. */
uint32_t lrt_strmap_hash(const char *key);

/* SipHash-2-4 of `length` bytes under the 16-byte `key`, as the reference
 * implementation computes it (the 64-bit output read little-endian). */
uint64_t lrt_strmap_siphash(const unsigned char key[16], const void *bytes,
			    size_t length);

#endif
