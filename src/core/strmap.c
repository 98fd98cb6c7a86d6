/*
 * strmap.c - the string hash index of strmap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "lrt/error.h"

#define STRMAP_MIN_CAPACITY 16

/* FNV-1a, folded to 32 bits: names are short and not adversarial enough to
 * need a keyed hash; a probe compares the full hash before the string. */
static uint32_t strmap_hash(const char *key)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const unsigned char *p;

	for (p = (const unsigned char *)key; *p != '\0'; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
	}
	return (uint32_t)(h ^ (h >> 32));
}

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

	if (map->capacity == 0)
		return -1;
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

static void strmap_place(lrt_strmap_slot *slots, size_t capacity,
			 const lrt_strmap_slot *entry)
{
	size_t mask = capacity - 1;
	size_t i;

	for (i = entry->hash & mask; slots[i].key != NULL; i = (i + 1) & mask)
		;
	slots[i] = *entry;
}

static int strmap_grow(lrt_strmap *map)
{
	size_t capacity = map->capacity ? map->capacity * 2 : STRMAP_MIN_CAPACITY;
	lrt_strmap_slot *slots = calloc(capacity, sizeof(*slots));
	size_t i;

	if (slots == NULL) {
		lrt_error_set("out of memory growing an index to %zu slots",
			      capacity);
		return LRT_ENOMEM;
	}
	for (i = 0; i < map->capacity; i++)
		if (map->slots[i].key != NULL)
			strmap_place(slots, capacity, &map->slots[i]);
	free(map->slots);
	map->slots = slots;
	map->capacity = capacity;
	return 0;
}

int lrt_strmap_insert(lrt_strmap *map, const char *key, uint32_t value)
{
	lrt_strmap_slot entry;
	int rc;

	/* Keep the load factor at or below 1/2. */
	if ((map->count + 1) * 2 > map->capacity) {
		rc = strmap_grow(map);
		if (rc != 0)
			return rc;
	}
	entry.key = key;
	entry.hash = strmap_hash(key);
	entry.value = value;
	strmap_place(map->slots, map->capacity, &entry);
	map->count++;
	return 0;
}
