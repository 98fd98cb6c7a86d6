/*
 * shim.c - an LD_PRELOAD library that makes an allocation fail on purpose,
 * for tests/check_oom.c: it stands in for malloc, calloc, realloc,
 * posix_memalign, aligned_alloc and memalign, counts their calls, and
 * answers NULL (errno ENOMEM) to the chosen ones.  Everything else goes to
 * the allocator that comes next (glibc's, or AddressSanitizer's in a
 * sanitizer build), found with dlsym(RTLD_NEXT).  glibc routes its own
 * calls (strdup, fopen, getline, ...) through the interposed malloc, and
 * so do GMP and jansson: every allocation of the process is counted.
 *
 * Only the allocations of main() and after are counted: those of the
 * libraries' constructors before it (GnuTLS, which libpq brings, makes
 * thousands) are not the program's, and fail nothing it could report.
 *
 *   LRT_OOM_FAIL_AT=N     the N-th allocation fails (counted from 1), and
 *                         only that one
 *   LRT_OOM_FAIL_FROM=N   the N-th and every later one fail
 *   LRT_OOM_COUNT_FILE=F  at exit, the number of allocations is written
 *                         to F (a run without failures tells the test how
 *                         many there are to step over)
 *
 * Built by the Makefile into $(BUILD)/tests/liblrt_oom.so, with neither
 * the sanitizers nor coverage (it is part of no program).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);

static malloc_fn next_malloc;
static calloc_fn next_calloc;
static realloc_fn next_realloc;
static free_fn next_free;
static posix_memalign_fn next_posix_memalign;
static aligned_alloc_fn next_aligned_alloc;
static aligned_alloc_fn next_memalign;

static int counting;            /* main() has begun */
static uint64_t calls;          /* allocations so far */
static uint64_t fail_at;        /* 0: none */
static uint64_t fail_from;      /* 0: none */
static int resolving;

/* dlsym may allocate (calloc) before the next allocator is known: those
 * few early requests are served from here and never freed. */
static _Alignas(16) unsigned char early[16384];
static size_t early_used;

static int is_early(const void *p)
{
	return (const unsigned char *)p >= early
	       && (const unsigned char *)p < early + sizeof(early);
}

static void *early_alloc(size_t size)
{
	size_t start = (early_used + 15) & ~(size_t)15;

	if (start + size > sizeof(early))
		return NULL;
	early_used = start + size;
	return early + start;       /* static storage: zero, as calloc's */
}

static uint64_t env_number(const char *name)
{
	const char *text = getenv(name);

	return text != NULL ? strtoull(text, NULL, 10) : 0;
}

static void resolve(void)
{
	if (next_malloc != NULL || resolving)
		return;
	resolving = 1;
	next_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
	next_malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
	next_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
	next_free = (free_fn)dlsym(RTLD_NEXT, "free");
	next_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
	next_aligned_alloc = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
	next_memalign = (aligned_alloc_fn)dlsym(RTLD_NEXT, "memalign");
	resolving = 0;
}

/* Counts one allocation; 1 when it is to fail. */
static int should_fail(void)
{
	if (!counting)
		return 0;
	calls++;
	return (fail_at != 0 && calls == fail_at)
	       || (fail_from != 0 && calls >= fail_from);
}

void *malloc(size_t size)
{
	resolve();
	if (next_malloc == NULL)
		return early_alloc(size);
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return next_malloc(size);
}

void *calloc(size_t count, size_t size)
{
	resolve();
	if (next_calloc == NULL)
		return count != 0 && size > SIZE_MAX / count ? NULL : early_alloc(count * size);
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return next_calloc(count, size);
}

void *realloc(void *old, size_t size)
{
	void *p;

	resolve();
	if (old == NULL)
		return malloc(size);
	if (is_early(old)) {
		/* from the early buffer: moved to the real allocator */
		size_t room = (size_t)(early + sizeof(early) - (unsigned char *)old);

		p = malloc(size);
		if (p != NULL)
			memcpy(p, old, size < room ? size : room);
		return p;
	}
	if (next_realloc == NULL || should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return next_realloc(old, size);
}

void free(void *p)
{
	if (p == NULL || is_early(p))
		return;
	resolve();
	next_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
	resolve();
	if (should_fail())
		return ENOMEM;
	return next_posix_memalign(out, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return next_aligned_alloc(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return next_memalign(alignment, size);
}

/* ---- the start of main() -------------------------------------------------- */

typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
			void (*)(void), void *);

static main_fn real_main;

/* The environment is read here, not at the first allocation: a sanitizer's
 * runtime allocates before libc has set `environ` up. */
static int counting_main(int argc, char **argv, char **envp)
{
	fail_at = env_number("LRT_OOM_FAIL_AT");
	fail_from = env_number("LRT_OOM_FAIL_FROM");
	counting = 1;
	return real_main(argc, argv, envp);
}

/* glibc calls main() from here: the program's own main is wrapped in one
 * that turns the counting on first. */
int __libc_start_main(main_fn main_function, int argc, char **argv,
		      void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end)
{
	start_fn next_start = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main_function;
	return next_start(counting_main, argc, argv, init, fini, rtld_fini, stack_end);
}

__attribute__((destructor))
static void write_count(void)
{
	const char *path = getenv("LRT_OOM_COUNT_FILE");
	char text[32];
	int fd, length;

	if (path == NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	length = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)calls);
	if (write(fd, text, (size_t)length) != length)
		length = -1;
	close(fd);
}
