/*
 * arena.h - a bump allocator for strings that live as long as their owner
 * (the names in a book, the fields of a scenario's events).
 *
 * Allocation is a pointer bump in 64 KiB blocks; everything is freed at once
 * by lrt_arena_clear().  Workload: millions of short names per run.
 */
#ifndef LRT_CORE_ARENA_H
#define LRT_CORE_ARENA_H

#include <stddef.h>

typedef struct lrt_arena_block lrt_arena_block;

typedef struct {
	lrt_arena_block *head;  /* the block being filled; older ones chained */
	size_t used;            /* bytes used in head */
	size_t size;            /* bytes available in head */
} lrt_arena;

void lrt_arena_init(lrt_arena *arena);
void lrt_arena_clear(lrt_arena *arena);

/* `length` bytes aligned for any object, or NULL when out of memory. */
void *lrt_arena_alloc(lrt_arena *arena, size_t length);

/* A NUL-terminated copy of `length` bytes of `text`, or NULL. */
char *lrt_arena_strndup(lrt_arena *arena, const char *text, size_t length);

#endif
