/*
 * input.c - reading a whole file or standard input (see input.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/input.h"
#include "lrt/error.h"

int cli_read_input(char **data_out, size_t *length_out, const char *path)
{
	int from_stdin = strcmp(path, "-") == 0;
	FILE *in = from_stdin ? stdin : fopen(path, "rb");
	size_t length = 0, capacity = 1 << 16, got;
	char *data = NULL, *bigger;
	int rc = 0;

	*data_out = NULL;
	*length_out = 0;
	if (in == NULL && errno == ENOMEM) {
		lrt_error_set("%s: out of memory opening it", path);
		return LRT_ENOMEM;
	}
	if (in == NULL) {
		lrt_error_set("%s: cannot open: %s", path, strerror(errno));
		return LRT_EIO;
	}
	data = malloc(capacity);
	while (data != NULL) {
		got = fread(data + length, 1, capacity - length - 1, in);
		length += got;
		if (length + 1 < capacity)
			break;
		capacity *= 2;
		bigger = realloc(data, capacity);
		if (bigger == NULL)
			free(data);
		data = bigger;
	}
	if (data == NULL) {
		lrt_error_set("%s: out of memory reading it", path);
		rc = LRT_ENOMEM;
	} else if (ferror(in)) {
		lrt_error_set("%s: cannot read: %s", from_stdin ? "<stdin>" : path,
			      strerror(errno));
		rc = LRT_EIO;
	}
	if (!from_stdin)
		fclose(in);
	if (rc != 0) {
		free(data);
		return rc;
	}
	data[length] = '\0';
	*data_out = data;
	*length_out = length;
	return 0;
}
