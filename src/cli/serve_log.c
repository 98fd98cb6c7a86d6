/*
 * serve_log.c - the log of `lrt serve` (see serve.h): one line per event
 * worth knowing, never per cycle, as plain text for people or JSON Lines
 * for a log shipper.
 *
 *   2025-07-01T12:00:00.123Z info rstETH: settled epoch 12: rate ..., 3 events (0 rejected), 14 ms
 *   {"time":"2025-07-01T12:00:00.123Z","level":"info","event":"settled","product":"rstETH",
 *    "message":"settled epoch 12: ...","epoch":12,"rate":"...","events":3,"rejected":0,"ms":14}
 *
 * Each line is made whole, then written with one fputs and flushed, so that a line is
 * never split between two writers or lost in a buffer when the process is
 * killed.  A few lines a minute: nothing here is fast or needs to be.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/serve.h"

int serve_log_open(serve_log *log, serve_log_format format, const char *path)
{
	memset(log, 0, sizeof(*log));
	log->format = format;
	log->path = path;
	log->file = stderr;
	if (path == NULL)
		return 0;
	log->file = fopen(path, "a");
	if (log->file == NULL) {
		fprintf(stderr, "lrt serve: --log-file %s: %s\n", path, strerror(errno));
		log->file = stderr;
		return -1;
	}
	return 0;
}

void serve_log_reopen(serve_log *log)
{
	FILE *reopened;

	if (log->path == NULL)
		return;
	reopened = fopen(log->path, "a");
	if (reopened == NULL) {
		serve_log_write(log, "error", "log_reopen", NULL,
				json_pack("{s:s}", "path", log->path),
				"cannot reopen the log %s: %s; writing on here",
				log->path, strerror(errno));
		return;
	}
	if (log->file != stderr)
		fclose(log->file);
	log->file = reopened;
}

void serve_log_close(serve_log *log)
{
	if (log->file != NULL && log->file != stderr)
		fclose(log->file);
	log->file = NULL;
}

/* "2025-07-01T12:00:00.123Z" */
static void format_time(char *out, size_t size)
{
	int64_t now_ms = serve_clock_ms();
	time_t seconds = (time_t)(now_ms / 1000);
	struct tm utc;
	char whole[32];

	gmtime_r(&seconds, &utc);
	strftime(whole, sizeof(whole), "%Y-%m-%dT%H:%M:%S", &utc);
	snprintf(out, size, "%s.%03dZ", whole, (int)(now_ms % 1000));
}

/* The JSON line, newline included, into `out`; false when it cannot be made. */
static bool format_json(char *out, size_t size, const char *time_text,
			const char *level, const char *event, const char *product,
			json_t *fields, const char *message)
{
	json_t *line = json_pack("{s:s, s:s, s:s}", "time", time_text, "level", level,
				 "event", event);
	char *text = NULL;
	bool made;

	if (line != NULL && product != NULL)
		json_object_set_new(line, "product", json_string(product));
	if (line != NULL)
		json_object_set_new(line, "message", json_string(message));
	if (line != NULL && fields != NULL)
		json_object_update(line, fields);
	if (line != NULL)
		text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	made = text != NULL && strlen(text) + 2 <= size;
	if (made)
		snprintf(out, size, "%s\n", text);
	free(text);
	json_decref(line);
	return made;
}

void serve_log_write(serve_log *log, const char *level, const char *event,
		     const char *product, json_t *fields, const char *format, ...)
{
	/* JSON escapes a byte in at most 6 (\u0001); the fields are short */
	char message[SERVE_LOG_LINE_BYTES], line[SERVE_LOG_LINE_BYTES * 6 + 1024];
	char time_text[40];
	va_list ap;

	va_start(ap, format);
	vsnprintf(message, sizeof(message), format, ap);
	va_end(ap);
	format_time(time_text, sizeof(time_text));
	if (log->format != SERVE_LOG_JSON
	    || !format_json(line, sizeof(line), time_text, level, event, product,
			    fields, message))
		snprintf(line, sizeof(line), "%s %s %s%s%s\n", time_text, level,
			 product != NULL ? product : "", product != NULL ? ": " : "",
			 message);
	fputs(line, log->file);
	fflush(log->file);
	json_decref(fields);
}
