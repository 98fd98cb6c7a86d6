/*
 * error.c - the thread-local last-error message (see include/lrt/error.h).
 *
 * One fixed buffer per thread: setting an error never allocates, so it works
 * on the out-of-memory path too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lrt/error.h"

#define LRT_ERROR_MESSAGE_BYTES 1024

static _Thread_local char error_message[LRT_ERROR_MESSAGE_BYTES];

void lrt_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
	va_end(ap);
}

void lrt_error_prefix(const char *fmt, ...)
{
	char prefix[LRT_ERROR_MESSAGE_BYTES];
	size_t prefix_length, old_length = strlen(error_message);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	prefix_length = strlen(prefix);
	/* shift the old message right, keeping what fits, then put the prefix */
	if (prefix_length + old_length >= sizeof(error_message))
		old_length = sizeof(error_message) - 1 - prefix_length;
	memmove(error_message + prefix_length, error_message, old_length);
	error_message[prefix_length + old_length] = '\0';
	memcpy(error_message, prefix, prefix_length);
}

const char *lrt_error_last(void)
{
	return error_message;
}

void lrt_error_clear(void)
{
	error_message[0] = '\0';
}

const char *lrt_error_name(int code)
{
	switch (code) {
	case LRT_OK: return "ok";
	case LRT_ENOMEM: return "out of memory";
	case LRT_EINVAL: return "malformed input";
	case LRT_EREJECT: return "event rejected";
	case LRT_EGUARD: return "settlement guard";
	case LRT_EIO: return "input/output error";
	case LRT_EDB: return "database error";
	case LRT_ECHANGED: return "migration changed";
	case LRT_EVERIFY: return "verification failed";
	case LRT_ESTATE: return "invalid state";
	case LRT_ELIMIT: return "limit exceeded";
	}
	return "unknown error";
}
