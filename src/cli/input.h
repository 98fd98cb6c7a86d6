/*
 * input.h - reading a whole input file (or standard input for "-") into
 * memory, for the commands that take event files.
 */
#ifndef LRT_CLI_INPUT_H
#define LRT_CLI_INPUT_H

#include <stddef.h>

/* Reads all of `path` into a NUL-terminated buffer the caller frees.
 * LRT_EIO names the file and the reason. */
int cli_read_input(char **data_out, size_t *length_out, const char *path);

#endif
