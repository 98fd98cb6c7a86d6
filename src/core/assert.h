/*
 * assert.h - LRT_ASSERT, which stays on in release builds: a crash beats a
 * wrong balance.  Assert proven invariants only; input is rejected instead.
 */
#ifndef LRT_CORE_ASSERT_H
#define LRT_CORE_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define LRT_ASSERT(condition)                                               \
	do {                                                                \
		if (!(condition)) {                                         \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",    \
				__FILE__, __LINE__, #condition);            \
			abort();                                            \
		}                                                           \
	} while (0)

#endif
