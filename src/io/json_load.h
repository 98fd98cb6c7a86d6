/*
 * json_load.h - jansson, with out of memory told apart from malformed input.
 *
 * jansson 2.14 cannot tell them apart itself, and worse: an allocation
 * that fails while it parses is reported as a syntax error ("string or '}'
 * expected near ...") or as nothing at all; one that fails while a string
 * is read drops a byte of it, silently ("100000000000000000000" parsed as
 * "10000000000000000000"); and after some failures it corrupts its heap.
 * These two calls keep jansson away from all of that (json_load.c says
 * how) and say LRT_ENOMEM when memory ran out, whatever jansson returned.
 * Every other jansson call reports a failed allocation as jansson does
 * (NULL, -1), which its constructors do correctly.
 */
#ifndef LRT_IO_JSON_LOAD_H
#define LRT_IO_JSON_LOAD_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Parses `length` bytes of JSON text (json_loadb with `flags`) into *out.
 * Returns 0; LRT_ENOMEM ("out of memory") when an allocation failed;
 * LRT_EINVAL, *error filled and the message "not JSON: TEXT", when the text
 * is malformed.  *out is NULL on failure; `error` may be NULL.
 */
int lrt_json_load(json_t **out, const char *text, size_t length, size_t flags,
		  json_error_t *error);

/*
 * json_dumpf: 0; LRT_ENOMEM when an allocation failed (jansson allocates
 * while it writes); LRT_EIO when the stream refused.  Sets no message: the
 * caller names what it was writing.
 */
int lrt_json_dumpf(const json_t *value, FILE *out, size_t flags);

/* json_dumps into *out (freed with free()): 0, or LRT_ENOMEM ("out of
 * memory") and *out NULL. */
int lrt_json_dumps(char **out, const json_t *value, size_t flags);

#endif
