/*
 * common.h - what every public header shares: LRT_API, the one export
 * marker (as libgit2's GIT_EXTERN).
 *
 * The library is built with -fvisibility=hidden, so a function is exported
 * from liblrt.so only when its declaration in include/lrt/ says LRT_API;
 * everything else (the helpers src/ shares between modules) stays inside the
 * library, where the static liblrt.a still offers it to the lrt command and
 * the tests.  tests/check_exports.c holds the two lists equal: every
 * function these headers declare is exported, and nothing else is.
 */
#ifndef LRT_COMMON_H
#define LRT_COMMON_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define LRT_API __attribute__((visibility("default")))
#else
#define LRT_API
#endif

#endif
