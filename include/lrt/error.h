/*
 * error.h - error codes and the thread-local "last error" message.
 *
 * Every fallible public function returns 0 on success or one of the negative
 * LRT_E* codes below, and leaves a one-line message naming what is wrong
 * (for example "events.jsonl:17: amount: exceeds 2^256-1") that the caller
 * reads with lrt_error_last().  The message is per thread, in the manner of
 * libgit2's giterr_last(); it stays until the next lrt_error_set() or
 * lrt_error_clear() on that thread.
 */
#ifndef LRT_ERROR_H
#define LRT_ERROR_H

#include "lrt/common.h"

enum {
	LRT_OK = 0,
	LRT_ENOMEM = -1,    /* out of memory */
	LRT_EINVAL = -2,    /* malformed input: bad JSON, number, field, product */
	LRT_EREJECT = -3,   /* an event that cannot apply (SPEC section 4) */
	LRT_EGUARD = -4,    /* the settlement guard stopped an epoch */
	LRT_EIO = -5,       /* a file could not be read or written */
	LRT_EDB = -6,       /* the database refused or failed */
	LRT_ECHANGED = -7,  /* an applied migration's file has changed */
	LRT_EVERIFY = -8,   /* lrt verify found a difference */
	LRT_ESTATE = -9,    /* the call does not fit the object's state */
	LRT_ELIMIT = -10    /* a named limit (limits.h) was exceeded */
};

/* Sets the calling thread's message, printf-style; truncated past 1023 bytes. */
LRT_API void lrt_error_set(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Prefixes the current message with "prefix: " (for adding a file:line). */
LRT_API void lrt_error_prefix(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The calling thread's last message; "" when none. Never NULL. */
LRT_API const char *lrt_error_last(void);

LRT_API void lrt_error_clear(void);

/* A short constant name for a code ("malformed input", ...). */
LRT_API const char *lrt_error_name(int code);

#endif
