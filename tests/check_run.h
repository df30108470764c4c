/*
 * check_run.h - the one way every Check test program runs its suite:
 * normal verbosity (CK_VERBOSITY overrides), exit status from the failures.
 */
#ifndef VR_TEST_CHECK_RUN_H
#define VR_TEST_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	srunner_run_all(runner, CK_ENV);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
