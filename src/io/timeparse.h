/*
 * timeparse.h - times as events and products write them: Unix seconds, or
 * ISO-8601 (UTC when no zone is given).
 */
#ifndef LRT_IO_TIMEPARSE_H
#define LRT_IO_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses "1752194782" or "2025-07-11", "2025-07-11T01:05:14",
 * "2025-07-11T01:05:14.25Z", "2025-07-11 01:05:14+02:00" into Unix seconds
 * (a fraction of a second is dropped: epochs start on whole seconds).
 * LRT_EINVAL with a message saying what is wrong.
 */
int lrt_time_parse(int64_t *out, const char *text, size_t length);

#endif
