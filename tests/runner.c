/*
 * runner.c - runs every Check suite of tests/check_*.c in one runner, so the
 * summary line counts every test that ran.
 *
 * The suites are found at build time (build/gen/suites.h, made by the
 * Makefile from the `Suite *NAME_suite(void)` definitions).  CK_RUN_SUITE and
 * CK_RUN_CASE select a part, as Check documents.
 */
#include <check.h>
#include <stdlib.h>

#define LRT_SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef LRT_SUITE

int main(void)
{
	SRunner *runner = srunner_create(NULL);
	int failed;

#define LRT_SUITE(name) srunner_add_suite(runner, name##_suite());
#include "suites.h"
#undef LRT_SUITE

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
