/*
 * run_tool.c - fork/exec with captured output, and small CSV helpers.
 */
#include "tests/e2e/run_tool.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(FILE *f, size_t *len)
{
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	size_t got = fread(buf, 1, (size_t)n, f);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

tool_output run_tool(const char *const *args)
{
	const char *tool = getenv("VRDMASIM");
	return run_program(tool ? tool : "./vrdmasim", args);
}

tool_output run_program(const char *tool, const char *const *args)
{
	return run_program_within(tool, args, 0);
}

tool_output run_program_within(const char *tool, const char *const *args, unsigned seconds)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = tool;
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	FILE *out = tmpfile(), *err = tmpfile();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		alarm(seconds);   /* kept across execv: a hung program dies of SIGALRM */
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	tool_output o;
	o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	o.out = slurp(out, &o.out_len);
	o.err = slurp(err, NULL);
	fclose(out);
	fclose(err);
	return o;
}

void tool_output_free(tool_output *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}

const char *src_path(const char *rel)
{
	static char path[4096];
	const char *src = getenv("VRDMASIM_SRCDIR");
	snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
	return path;
}

const char *temp_dir(void)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "/tmp/vrdmasim-test-XXXXXX");
	return mkdtemp(dir);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

void remove_tree(const char *dir)
{
	ck_assert_msg(nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) == 0, "cannot remove %s", dir);
}

/* Field K (0-based) of LINE (up to the newline) into BUF. */
static void field(const char *line, size_t k, char *buf, size_t len)
{
	const char *p = line;
	for (size_t i = 0; i < k && p; i++) {
		p = strpbrk(p, ",\n");
		if (p && *p == ',')
			p++;
		else
			p = NULL;
	}
	buf[0] = '\0';
	if (!p)
		return;
	size_t n = strcspn(p, ",\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* The first row of PRESET, OPTION, SIZE and, unless VERB is NULL, VERB. */
static const char *find_row(const char *csv, const char *preset, const char *option, const char *verb,
			    const char *size)
{
	char a[128], b[128], c[128], v[128];
	for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		field(line + 1, 0, a, sizeof a);
		field(line + 1, 1, b, sizeof b);
		field(line + 1, 2, v, sizeof v);
		field(line + 1, 3, c, sizeof c);
		if (!strcmp(a, preset) && !strcmp(b, option) && !strcmp(c, size) && (!verb || !strcmp(v, verb)))
			return line + 1;
	}
	return NULL;
}

static double row_value(const char *csv, const char *row, const char *column)
{
	if (!row)
		return NAN;
	char name[128], value[128];
	for (size_t k = 0;; k++) {
		field(csv, k, name, sizeof name);
		if (!name[0])
			return NAN;
		if (!strcmp(name, column)) {
			field(row, k, value, sizeof value);
			return value[0] ? atof(value) : NAN;
		}
	}
}

double csv_value(const char *csv, const char *preset, const char *option, const char *size,
		 const char *column)
{
	return row_value(csv, find_row(csv, preset, option, NULL, size), column);
}

double csv_value_verb(const char *csv, const char *preset, const char *option, const char *verb,
		      const char *size, const char *column)
{
	return row_value(csv, find_row(csv, preset, option, verb, size), column);
}

static double row_breakdown_sum(const char *csv, const char *row)
{
	if (!row)
		return NAN;
	double sum = 0;
	char name[128], value[128];
	for (size_t k = 0;; k++) {
		field(csv, k, name, sizeof name);
		if (!name[0])
			return sum;
		if (!strncmp(name, "breakdown_", 10)) {
			field(row, k, value, sizeof value);
			if (value[0])
				sum += atof(value);
		}
	}
}

double csv_breakdown_sum(const char *csv, const char *preset, const char *option, const char *size)
{
	return row_breakdown_sum(csv, find_row(csv, preset, option, NULL, size));
}

double csv_breakdown_sum_verb(const char *csv, const char *preset, const char *option, const char *verb,
			      const char *size)
{
	return row_breakdown_sum(csv, find_row(csv, preset, option, verb, size));
}

const char *write_test_file(const char *dir, const char *name, const char *text)
{
	static char path[1100];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

double flows_csv_cell(const char *csv, const char *kind, const char *name, int column)
{
	char key[128];
	snprintf(key, sizeof key, ",%s,%s,", kind, name);
	const char *hit = strstr(csv, key);
	if (!hit)
		return NAN;
	const char *line = hit;
	while (line > csv && line[-1] != '\n')
		line--;
	for (int c = 0; c < column && line; c++)
		line = strchr(line, ',') ? strchr(line, ',') + 1 : NULL;
	return line && *line != ',' && *line != '\n' ? strtod(line, NULL) : NAN;
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *text = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *sweep_lines_canonical(const char *path, size_t *lines)
{
	enum { LINES_MAX = 4096 };
	char *text = read_file(path), *list[LINES_MAX], *save = NULL;
	size_t n = 0, length = strlen(text);
	ck_assert_msg(length == 0 || text[length - 1] == '\n', "%s ends in a partial line", path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ran = strstr(line, ",\"ran\":{");
		ck_assert_msg(ran != NULL, "%s: a line without \"ran\"", path);
		ck_assert_msg(n < LINES_MAX, "%s: more than %d lines", path, LINES_MAX);
		*ran = '\0';
		list[n++] = line;
	}
	qsort(list, n, sizeof list[0], by_text);
	char *joined = calloc(length + 1, 1);
	for (size_t i = 0; i < n; i++)
		strcat(strcat(joined, list[i]), "\n");
	free(text);
	if (lines)
		*lines = n;
	return joined;
}

int markdown_cell(const char *line, int k, char *out, size_t size)
{
	const char *p = line;
	for (int i = 0; i <= k; i++) {
		p = strchr(p, '|');
		if (!p)
			return -1;
		p++;
	}
	const char *end = strchr(p, '|');
	if (!end)
		return -1;
	size_t n = 0;
	for (; p < end && n + 1 < size; p++)
		if (*p != '`' && !(*p == ' ' && (n == 0 || p + 1 == end || p[1] == ' ' || p[1] == '|')))
			out[n++] = *p;
	out[n] = '\0';
	return 0;
}
