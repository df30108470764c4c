/*
 * test_bad_input.c - every file in tests/bad-input/ is a scenario that must
 * be refused.  Its first line says what the error must contain:
 *     # expect: FILE:LINE:COL: found ..., expected ...
 * (any substring of the message; FILE is matched as a suffix of the path, so
 * write it relative to tests/bad-input/).  One Check test per file, found at
 * run time, so adding a case is adding a file.  A file named sweep-*.yaml
 * is a sweep (models/sweep.h): its block and every point must load; one
 * named published-*.yaml a file of published figures (models/published.h,
 * `vrdmasim compare`).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/published.h"
#include "models/scenario.h"
#include "models/sweep.h"
#include "tests/check_run.h"

enum { CASES_MAX = 512 };

static char case_paths[CASES_MAX][1024];
static size_t case_count;

static const char *bad_input_dir(void)
{
	static char dir[1024];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(dir, sizeof dir, "%s/tests/bad-input", src ? src : ".");
	return dir;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void find_cases(void)
{
	DIR *d = opendir(bad_input_dir());
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && case_count < CASES_MAX) {
		size_t n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0)
			snprintf(case_paths[case_count++], sizeof case_paths[0], "%s/%s", bad_input_dir(), e->d_name);
	}
	closedir(d);
	qsort(case_paths, case_count, sizeof case_paths[0], by_name);
}

/* The text after "# expect: " on the first line. */
static int read_expectation(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[1024] = "";
	char *got = fgets(line, sizeof line, f);
	fclose(f);
	const char *tag = "# expect: ";
	if (!got || strncmp(line, tag, strlen(tag)) != 0)
		return -1;
	snprintf(out, len, "%s", line + strlen(tag));
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

START_TEST(refuses_bad_input)
{
	const char *path = case_paths[_i];
	char expected[1024];
	ck_assert_msg(read_expectation(path, expected, sizeof expected) == 0,
		      "%s: first line must be '# expect: ...'", path);
	scn_scenario s;
	vr_diag diag;
	vr_diag_clear(&diag);
	int rc;
	if (strstr(path, "/sweep-")) {
		swp_sweep sw;
		rc = swp_open(path, &sw, &diag) ? -1 : swp_check_points(&sw, &diag);
		swp_close(&sw);
	} else if (strstr(path, "/published-")) {
		pub_file file;
		rc = pub_load(path, &file, &diag);
		pub_free(&file);
	} else {
		rc = scn_load_file(path, &s, &diag);
		scn_free(&s);
	}
	ck_assert_msg(rc == -1, "%s: was accepted, expected: %s", path, expected);
	ck_assert_msg(strstr(diag.message, expected) != NULL,
		      "%s:\n  message:  %s\n  expected: %s", path, diag.message, expected);
	/* Every message names a place and says what was found and expected. */
	ck_assert_msg(strstr(diag.message, "found") && strstr(diag.message, "expected"),
		      "%s: message lacks found/expected: %s", path, diag.message);
}
END_TEST

START_TEST(has_cases)
{
	ck_assert_msg(case_count >= 20, "only %zu bad-input cases in %s", case_count, bad_input_dir());
}
END_TEST

int main(void)
{
	find_cases();
	Suite *suite = suite_create("bad_input");
	TCase *tc = tcase_create("scenarios");
	tcase_add_test(tc, has_cases);
	tcase_add_loop_test(tc, refuses_bad_input, 0, (int)case_count);
	suite_add_tcase(suite, tc);
	return run_suite(suite);
}
