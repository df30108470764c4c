#include <check.h>
#include "tests/check_run.h"
int main(void) { Suite *s = suite_create("regress"); return run_suite(s); }
