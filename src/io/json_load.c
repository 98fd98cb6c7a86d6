/*
 * json_load.c - jansson parsing and writing that survive running out of
 * memory, and say so (see json_load.h).
 *
 * Every allocation jansson makes goes through counting_malloc
 * (json_set_alloc_funcs, set once per process, chained to the functions
 * in place before, so that a program that set its own keeps them).  Inside
 * lrt_json_load, lrt_json_dumpf and lrt_json_dumps, an allocation that fails is counted and
 * served from a static reserve instead: jansson never sees NULL, so it
 * never runs the paths that drop bytes or corrupt its heap, and finishes
 * its work as if memory were plenty; the call then throws the result away
 * and says LRT_ENOMEM.  Nothing taken from the reserve outlives the call
 * (the parsed value is freed, a dump frees what it used), so it is whole
 * again after each.
 *
 * The reserve is RESERVE_BYTES, one thread's at a time: a second thread
 * that runs out while another holds it, or a call that needs more after
 * the first failure (a line of a megabyte with memory gone for good), gets
 * NULL from jansson's allocator, as without all this.  A program that sets
 * jansson's functions again after the first call takes the counting away.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "io/json_load.h"
#include "lrt/error.h"

/* Enough for what a line of a few kilobytes needs once memory has gone. */
#define RESERVE_BYTES (256 * 1024)

static json_malloc_t next_malloc;
static json_free_t next_free;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static alignas(max_align_t) unsigned char reserve[RESERVE_BYTES];
static size_t reserve_used;
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local bool in_call;        /* inside lrt_json_load or _dumpf */
static _Thread_local bool holds_reserve;
static _Thread_local unsigned long failures;

static bool in_reserve(const void *p)
{
	return (const unsigned char *)p >= reserve
	       && (const unsigned char *)p < reserve + sizeof(reserve);
}

static void *from_reserve(size_t size)
{
	size_t start = (reserve_used + alignof(max_align_t) - 1)
		       & ~(alignof(max_align_t) - 1);

	if (!holds_reserve) {
		if (pthread_mutex_trylock(&reserve_lock) != 0)
			return NULL;
		holds_reserve = true;
	}
	if (size > sizeof(reserve) - start)
		return NULL;
	reserve_used = start + size;
	return reserve + start;
}

static void *counting_malloc(size_t size)
{
	void *p = next_malloc(size);

	if (p == NULL) {
		failures++;
		if (in_call)
			p = from_reserve(size);
	}
	return p;
}

static void counting_free(void *p)
{
	if (!in_reserve(p))
		next_free(p);
}

static void install(void)
{
	json_get_alloc_funcs(&next_malloc, &next_free);
	json_set_alloc_funcs(counting_malloc, counting_free);
}

/* Starts a call; returns the failures so far. */
static unsigned long enter(void)
{
	pthread_once(&installed, install);
	in_call = true;
	return failures;
}

/* Ends a call, the reserve whole again; true when memory ran out in it. */
static bool leave(unsigned long failures_before)
{
	in_call = false;
	if (holds_reserve) {
		reserve_used = 0;
		holds_reserve = false;
		pthread_mutex_unlock(&reserve_lock);
	}
	return failures != failures_before;
}

int lrt_json_load(json_t **out, const char *text, size_t length, size_t flags,
		  json_error_t *error)
{
	unsigned long before = enter();
	json_error_t own;
	json_t *value;
	bool exhausted;

	if (error == NULL)
		error = &own;
	value = json_loadb(text, length, flags, error);
	if (failures != before) {
		json_decref(value);     /* before the reserve is reused */
		value = NULL;
	}
	exhausted = leave(before);
	*out = NULL;
	if (exhausted || (value == NULL && json_error_code(error) == json_error_out_of_memory)) {
		json_decref(value);
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	if (value == NULL) {
		lrt_error_set("not JSON: %s", error->text);
		return LRT_EINVAL;
	}
	*out = value;
	return 0;
}

int lrt_json_dumps(char **out, const json_t *value, size_t flags)
{
	unsigned long before = enter();
	char *text = json_dumps(value, flags);
	bool exhausted;

	if (failures != before) {
		counting_free(text);    /* it may be the reserve's */
		text = NULL;
	}
	exhausted = leave(before);
	*out = text;
	if (exhausted || text == NULL) {
		lrt_error_set("out of memory");
		return LRT_ENOMEM;
	}
	return 0;
}

int lrt_json_dumpf(const json_t *value, FILE *out, size_t flags)
{
	unsigned long before = enter();
	int rc = json_dumpf(value, out, flags);

	if (leave(before))
		return LRT_ENOMEM;
	return rc == 0 ? 0 : LRT_EIO;
}
