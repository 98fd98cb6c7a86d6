/*
 * memory.c - GMP's allocation functions for the lrt command: out of memory
 * ends the command as it does anywhere else, "lrt: out of memory" and exit
 * status 1, instead of an abort.
 *
 * GMP has no way to report a failed allocation (its functions return no
 * error), so whoever sets its allocation functions decides what happens:
 * GMP's own print "GNU MP: Cannot allocate memory" and abort, and GnuTLS,
 * which libpq loads, sets functions at start-up that abort with no word at
 * all.  The library leaves the choice to the program (it is one setting for
 * the whole process); the command makes it here, in the one place that may
 * end the process besides main, and only for the failure no caller could
 * be told of.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/memory.h"

static void out_of_memory(void)
{
	static const char message[] = "lrt: out of memory\n";

	/* no stdio: it may need the memory there is not */
	if (write(STDERR_FILENO, message, sizeof(message) - 1) < 0) {
		/* nothing more can be said */
	}
	exit(LRT_EXIT_FAILURE);
}

static void *allocate(size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		out_of_memory();
	return p;
}

static void *reallocate(void *p, size_t old_size, size_t new_size)
{
	void *bigger = realloc(p, new_size);

	(void)old_size;
	if (bigger == NULL)
		out_of_memory();
	return bigger;
}

static void release(void *p, size_t size)
{
	(void)size;
	free(p);
}

void cli_memory_init(void)
{
	mp_set_memory_functions(allocate, reallocate, release);
}
