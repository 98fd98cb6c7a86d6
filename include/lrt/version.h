/* version.h - the version of the lrt library ("0.1.0"). */
#ifndef LRT_VERSION_H
#define LRT_VERSION_H

#include "lrt/common.h"

LRT_API const char *lrt_version(void);

#endif
