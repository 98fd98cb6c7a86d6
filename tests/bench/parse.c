/*
 * parse.c - the JSON-parsing floor of `lrt simulate`, for tests/bench/run.sh:
 * reads a JSON Lines file whole, as lrt simulate does, and parses every
 * non-blank line with jansson, doing nothing else.
 *
 *   parse FILE
 *
 * Prints the number of lines parsed; exits 1 when a line is not JSON or the
 * file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static char *read_all(const char *path, size_t *length)
{
	FILE *in = fopen(path, "rb");
	char *data = NULL, *grown;
	size_t capacity = 0, used = 0, n;

	if (in == NULL)
		return NULL;
	for (;;) {
		if (capacity - used < 65536) {
			capacity = capacity ? 2 * capacity : 1 << 20;
			grown = realloc(data, capacity);
			if (grown == NULL) {
				free(data);
				fclose(in);
				return NULL;
			}
			data = grown;
		}
		n = fread(data + used, 1, capacity - used, in);
		used += n;
		if (n == 0)
			break;
	}
	fclose(in);
	*length = used;
	return data;
}

int main(int argc, char **argv)
{
	size_t length = 0, start = 0, end, parsed = 0;
	json_error_t error;
	json_t *value;
	char *data;

	if (argc != 2) {
		fprintf(stderr, "usage: parse FILE\n");
		return 2;
	}
	data = read_all(argv[1], &length);
	if (data == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (start < length) {
		const char *newline = memchr(data + start, '\n', length - start);

		end = newline ? (size_t)(newline - data) : length;
		if (end > start) {
			value = json_loadb(data + start, end - start, 0, &error);
			if (value == NULL) {
				fprintf(stderr, "%s:%zu: %s\n", argv[1], parsed + 1, error.text);
				free(data);
				return 1;
			}
			json_decref(value);
			parsed++;
		}
		start = end + 1;
	}
	printf("%zu\n", parsed);
	free(data);
	return 0;
}
