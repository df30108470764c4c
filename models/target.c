/*
 * target.c - a sweep's `target:` read.  See target.h.
 */
#include "models/target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/units.h"
#include "input/yaml_read.h"

static const char *const target_keys[] = {"require", "group", "variable", "refine", NULL};
static const char *const metric_names[] = {"p50", "p99", "p99.9", "throughput", NULL};
static const char *const group_keys[] = {"p50_us", "p99_us", "p999_us", "ops_per_s"};
static const char *const single_keys[] = {"median", "p99", "p999", NULL};

const char *swp_metric_name(swp_metric m) { return metric_names[m]; }
const char *swp_metric_group_key(swp_metric m) { return group_keys[m]; }
const char *swp_metric_single_key(swp_metric m) { return single_keys[m]; }

static int refuse(const swp_target *t, const char *found, const char *expected, vr_diag *diag)
{
	return vr_diag_at(diag, t->require->where, "found %s in the target '%s', expected %s", found, t->text, expected);
}

/* "Nx first" or "N%": the bound relative to the series or to the offered load. */
static int read_relative(swp_target *t, const char *bound, const char *rest, vr_diag *diag)
{
	char *end;
	double n = strtod(bound, &end);
	if (end == bound || !(n > 0) || !isfinite(n))
		return refuse(t, "a bound that is not a positive number", "a time (10us), a rate (150k/s), N% or Nx first", diag);
	if (strcmp(end, "%") == 0 && !*rest) {
		if (t->metric != SWP_METRIC_THROUGHPUT)
			return refuse(t, "a share of the offered load on a latency", "a time (10us) or Nx first", diag);
		t->bound_kind = SWP_BOUND_OFFERED;
		t->bound = n / 100;
		return 0;
	}
	if (strcmp(end, "x") == 0 && strcmp(rest, "first") == 0) {
		t->bound_kind = SWP_BOUND_FIRST;
		t->bound = n;
		return 0;
	}
	return refuse(t, "an unknown bound", "a time (10us), a rate (150k/s), N% or Nx first", diag);
}

/* "METRIC OP BOUND" (BOUND perhaps "2x first"). */
static int read_require(swp_target *t, vr_diag *diag)
{
	if (yr_expect(t->require, YT_SCALAR, "a requirement such as 'p99 <= 10us'", diag))
		return -1;
	snprintf(t->text, sizeof t->text, "%s", t->require->text);
	char metric[32] = "", op[8] = "", bound[64] = "", rest[32] = "", extra[8] = "";
	int n = sscanf(t->text, "%31s %7s %63s %31s %7s", metric, op, bound, rest, extra);
	if (n < 3 || n > 4)
		return refuse(t, "no 'METRIC OP BOUND'", "a requirement such as 'p99 <= 10us' or 'throughput >= 90%'", diag);
	size_t m = 0;
	while (metric_names[m] && strcmp(metric_names[m], metric) != 0)
		m++;
	if (!metric_names[m])
		return refuse(t, "an unknown metric", "p50, p99, p99.9 or throughput", diag);
	t->metric = (swp_metric)m;
	int latency = t->metric != SWP_METRIC_THROUGHPUT;
	if (strcmp(op, latency ? "<=" : ">=") != 0)
		return refuse(t, latency ? "a latency not bounded from above" : "a throughput not bounded from below",
			      latency ? "'<=' (a latency meets a target by staying under it)" : "'>=' (a throughput meets a target by staying over it)",
			      diag);
	t->at_most = latency;
	vr_quantity q;
	char expected[128];
	if (n == 3 && vr_parse_quantity(bound, latency ? VR_Q_TIME : VR_Q_OP_RATE, &q, expected, sizeof expected) == 0 && !q.is_cycles) {
		t->bound_kind = SWP_BOUND_ABSOLUTE;
		t->bound = latency ? q.value / 1000.0 : q.value;   /* ns -> us; ops/s */
		return 0;
	}
	return read_relative(t, bound, n == 4 ? rest : "", diag);
}

int swp_target_read(const yt_node *node, swp_target *t, vr_diag *diag)
{
	memset(t, 0, sizeof *t);
	t->present = 1;
	t->node = node;
	if (node->type == YT_SCALAR) {
		t->require = node;
		return read_require(t, diag);
	}
	if (yr_expect(node, YT_MAP, "a target: 'p99 <= 10us' or {require, group, variable, refine}", diag) ||
	    yr_known_keys(node, target_keys, "the target", diag) ||
	    yr_required(node, "require", "the target", &t->require, diag) || read_require(t, diag))
		return -1;
	t->group = yt_get(node, "group");
	t->variable = yt_get(node, "variable");
	if (t->group && yr_expect(t->group, YT_SCALAR, "the name of a flow group", diag))
		return -1;
	if (t->variable && yr_expect(t->variable, YT_SCALAR, "a swept variable", diag))
		return -1;
	const yt_node *refine = yt_get(node, "refine");
	unsigned long long rounds = 0;
	if (refine && yr_count(refine, "the rounds of refinement", 0, SWP_REFINE_MAX, &rounds, diag))
		return -1;
	t->refine = (unsigned)rounds;
	return 0;
}

int swp_target_meets(const swp_target *t, double value, double first, double offered)
{
	double bound = t->bound_kind == SWP_BOUND_FIRST ? t->bound * first
		       : t->bound_kind == SWP_BOUND_OFFERED ? t->bound * offered : t->bound;
	return t->at_most ? value <= bound : value >= bound;
}
