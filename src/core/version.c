/* version.c - the library's version, set by the Makefile. */
#include "lrt/version.h"

const char *lrt_version(void)
{
	return LRT_VERSION;
}
