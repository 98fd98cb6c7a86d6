/*
 * arena.c - the bump allocator of arena.h.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK_BYTES (64 * 1024)

struct lrt_arena_block {
	lrt_arena_block *next;
	alignas(max_align_t) unsigned char data[];
};

void lrt_arena_init(lrt_arena *arena)
{
	arena->head = NULL;
	arena->used = 0;
	arena->size = 0;
}

void lrt_arena_clear(lrt_arena *arena)
{
	lrt_arena_block *block = arena->head;

	while (block != NULL) {
		lrt_arena_block *next = block->next;

		free(block);
		block = next;
	}
	lrt_arena_init(arena);
}

void *lrt_arena_alloc(lrt_arena *arena, size_t length)
{
	const size_t align = alignof(max_align_t);
	size_t start = (arena->used + align - 1) & ~(align - 1);
	lrt_arena_block *block;
	size_t size;

	if (arena->head != NULL && start <= arena->size
	    && length <= arena->size - start) {
		arena->used = start + length;
		return arena->head->data + start;
	}
	size = length > ARENA_BLOCK_BYTES ? length : ARENA_BLOCK_BYTES;
	if (size > SIZE_MAX - sizeof(*block))
		return NULL;
	block = malloc(sizeof(*block) + size);
	if (block == NULL)
		return NULL;
	block->next = arena->head;
	arena->head = block;
	arena->size = size;
	arena->used = length;
	return block->data;
}

char *lrt_arena_strndup(lrt_arena *arena, const char *text, size_t length)
{
	char *copy;

	if (length == SIZE_MAX)
		return NULL;
	copy = lrt_arena_alloc(arena, length + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, text, length);
	copy[length] = '\0';
	return copy;
}
