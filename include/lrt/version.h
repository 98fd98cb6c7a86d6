/* version.h - the version of the lrt library ("0.1.0"). */
#ifndef LRT_VERSION_H
#define LRT_VERSION_H

const char *lrt_version(void);

#endif
