/*
 * memory.h - the lrt command's answer when GMP runs out of memory.
 */
#ifndef LRT_CLI_MEMORY_H
#define LRT_CLI_MEMORY_H

/* Sets GMP's allocation functions (mp_set_memory_functions): called first
 * thing in main, before any number exists. */
void cli_memory_init(void);

#endif
