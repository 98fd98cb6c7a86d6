/*
 * strmap.h - a hash index from strings to 32-bit values, for the names the
 * engine looks up per event: holders, requests, locations, event ids.
 *
 * Open addressing with linear probing and a stored hash per slot; the keys
 * are borrowed (their owner keeps them alive, usually in an arena) and
 * entries are never removed.  Lookups cost O(1) expected whatever the size,
 * so an epoch of a million events over a million holders stays linear.
 */
#ifndef LRT_CORE_STRMAP_H
#define LRT_CORE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	const char *key;
	uint32_t hash;
	uint32_t value;
} lrt_strmap_slot;

typedef struct {
	lrt_strmap_slot *slots;  /* capacity slots; key NULL = empty */
	size_t capacity;         /* a power of two, or 0 */
	size_t count;
} lrt_strmap;

void lrt_strmap_init(lrt_strmap *map);
void lrt_strmap_clear(lrt_strmap *map);

/* The value of `key`, or -1 when absent. */
int64_t lrt_strmap_find(const lrt_strmap *map, const char *key);

/* Adds `key` (which must be absent) with `value`; LRT_ENOMEM leaves the map
 * unaltered. */
int lrt_strmap_insert(lrt_strmap *map, const char *key, uint32_t value);

#endif
