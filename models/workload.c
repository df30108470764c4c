/*
 * workload.c - the strict reader of a workload: verb, sizes (a list, a
 * perftest -a range, or a flow's size mix), iterations and the bandwidth
 * tests' window.
 */
#include "models/workload.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "input/yaml_read.h"

static const char *const sweep_keys[] = {
	"verb", "sizes", "iterations", "warmup", "qps", "registered_memory", "tx_depth", "post_list", "cq_moderation", "atomic", NULL,
};
static const char *const flow_keys[] = {
	"verb", "sizes", "size_mix", "iterations", "warmup", "registered_memory", "tx_depth", "post_list", "cq_moderation", "atomic",
	NULL,
};
static const char *const range_keys[] = {"from", "to", NULL};

static const double PERFTEST_ALL_FROM = 2.0;        /* perftest -a: 2 B ... */
static const double PERFTEST_ALL_TO = 8388608.0;    /* ... to 8 MiB */

static int read_size(const yt_node *node, const char *what, double *out, vr_diag *diag)
{
	vr_quantity q;
	if (yr_quantity(node, VR_Q_SIZE, what, &q, diag) != 0)
		return -1;
	if (!scn_size_in_range(q.value))
		return vr_diag_at(diag, node->where, "found '%s' for %s, expected " SCN_SIZE_RANGE_TEXT, node->text, what);
	*out = q.value;
	return 0;
}

int scn_size_in_range(double bytes)
{
	return bytes >= SCN_SIZE_MIN_BYTES && bytes <= SCN_SIZE_MAX_BYTES;
}

static int is_power_of_two(double bytes)
{
	return bytes >= 1 && bytes == ldexp(1.0, (int)llround(log2(bytes)));
}

/* Powers of two from FROM to TO inclusive, as perftest's -a does. */
static int expand_range(scn_workload *w, const yt_node *at, double from, double to, vr_diag *diag)
{
	if (from > to)
		return vr_diag_at(diag, at->where, "found a size range from %.0f B down to %.0f B, expected 'from' at most 'to'",
				  from, to);
	if (!is_power_of_two(from) || !is_power_of_two(to))
		return vr_diag_at(diag, at->where, "found a size range from %.0f B to %.0f B, expected powers of two at both ends (sizes double, as perftest's -a)",
				  from, to);
	double first = pow(2.0, ceil(log2(from)));
	for (double size = first; size <= to; size *= 2) {
		if (w->size_count == SCN_SIZES_MAX)
			return vr_diag_at(diag, at->where, "found more than %d sizes, expected at most %d", SCN_SIZES_MAX, SCN_SIZES_MAX);
		w->sizes_bytes[w->size_count++] = size;
	}
	return 0;
}

static int read_sizes(scn_workload *s, const yt_node *node, vr_diag *diag)
{
	if (node->type == YT_SCALAR && strcmp(node->text, "all") == 0)
		return expand_range(s, node, PERFTEST_ALL_FROM, PERFTEST_ALL_TO, diag);
	if (node->type == YT_MAP) {
		const yt_node *from, *to;
		double lo, hi;
		if (yr_known_keys(node, range_keys, "a size range", diag) ||
		    yr_required(node, "from", "a size range", &from, diag) ||
		    yr_required(node, "to", "a size range", &to, diag) ||
		    read_size(from, "the smallest size", &lo, diag) ||
		    read_size(to, "the largest size", &hi, diag))
			return -1;
		return expand_range(s, node, lo, hi, diag);
	}
	if (node->type != YT_SEQ || node->count == 0)
		return vr_diag_at(diag, node->where,
				  "found %s for the sizes, expected a list of sizes ([2B, 4KiB]), a range ({from: 2B, to: 8MiB}) or 'all'",
				  node->type == YT_SEQ ? "an empty list" : (node->type == YT_SCALAR ? "a single value" : "a mapping"));
	if (node->count > SCN_SIZES_MAX)
		return vr_diag_at(diag, node->where, "found %zu sizes, expected at most %d", node->count, SCN_SIZES_MAX);
	for (size_t i = 0; i < node->count; i++) {
		if (read_size(node->items[i], "a message size", &s->sizes_bytes[i], diag) != 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (s->sizes_bytes[j] == s->sizes_bytes[i])
				return vr_diag_at(diag, node->items[i]->where, "found the size %.0f B twice, expected each size once",
						  s->sizes_bytes[i]);
	}
	s->size_count = node->count;
	return 0;
}

/* A flow's `size_mix: {64B: 9, 64KiB: 1}`: sizes and relative weights,
 * normalised into WEIGHTS. */
static int read_size_mix(scn_workload *w, double *weights, const yt_node *node, vr_diag *diag)
{
	if (yr_expect(node, YT_MAP, "the size mix ({64B: 9, 64KiB: 1}: sizes and their weights)", diag) != 0)
		return -1;
	if (node->count == 0 || node->count > SCN_SIZES_MAX)
		return vr_diag_at(diag, node->where, "found %zu sizes in the size mix, expected from 1 to %d", node->count,
				  SCN_SIZES_MAX);
	double total = 0;
	for (size_t i = 0; i < node->count; i++) {
		vr_quantity q;
		if (read_size(node->keys[i], "a size of the mix", &w->sizes_bytes[i], diag) ||
		    yr_quantity(node->items[i], VR_Q_RATIO, "the weight of a size", &q, diag))
			return -1;
		if (!(q.value > 0))
			return vr_diag_at(diag, node->items[i]->where, "found the weight '%s', expected a number above 0 (a size that is never sent has no place in the mix)",
					  node->items[i]->text);
		for (size_t j = 0; j < i; j++)
			if (w->sizes_bytes[j] == w->sizes_bytes[i])
				return vr_diag_at(diag, node->keys[i]->where, "found the size %.0f B twice in the size mix, expected each size once",
						  w->sizes_bytes[i]);
		weights[i] = q.value;
		total += q.value;
	}
	w->size_count = node->count;
	for (size_t i = 0; i < node->count; i++)
		weights[i] /= total;
	return 0;
}

/* A flow sends one size per operation: one size, or a mix. */
static int read_flow_sizes(scn_workload *w, double *weights, const yt_node *node, vr_diag *diag)
{
	const yt_node *sizes = yt_get(node, "sizes"), *mix = yt_get(node, "size_mix");
	if (sizes && mix)
		return vr_diag_at(diag, mix->where, "found both 'sizes' and 'size_mix' in a flow's workload, expected one of them");
	if (mix)
		return read_size_mix(w, weights, mix, diag);
	if (!sizes)
		return vr_diag_at(diag, node->where, "found a flow's workload without 'sizes', expected the key 'sizes' (one size, [64B]) or 'size_mix' ({64B: 9, 64KiB: 1})");
	if (read_sizes(w, sizes, diag) != 0)
		return -1;
	if (w->size_count != 1)
		return vr_diag_at(diag, sizes->where, "found %zu sizes in a flow's workload, expected one size (flows run at once, not as a sweep; 'size_mix' draws a size per operation)",
				  w->size_count);
	weights[0] = 1.0;
	return 0;
}

/* A bandwidth test's window: tx depth, post list and CQ moderation, with
 * perftest's defaults.  Latency tests keep one request in flight. */
static int read_window(scn_workload *s, const yt_node *node, vr_diag *diag)
{
	static const char *const keys[] = {"tx_depth", "post_list", "cq_moderation"};
	const yt_node *v;
	if (!mdl_verb_is_bandwidth(s->verb)) {
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if ((v = yt_get(node, keys[k])))
				return vr_diag_at(diag, v->where, "found '%s' in a %s workload, expected it only with a bandwidth test (write_bw, read_bw, send_bw, atomic_bw): perftest's latency tests keep one request in flight",
						  keys[k], mdl_verb_names[s->verb]);
		s->tx_depth = s->post_list = s->cq_moderation = 1;
		return 0;
	}
	unsigned long long depth = SCN_TX_DEPTH_DEFAULT, list = 1, moderation;
	if ((v = yt_get(node, "tx_depth")) && yr_count(v, "the tx depth", 1, SCN_TX_DEPTH_MAX, &depth, diag))
		return -1;
	if ((v = yt_get(node, "post_list")) && yr_count(v, "the post list (at most the tx depth)", 1, depth, &list, diag))
		return -1;
	moderation = depth < SCN_CQ_MODERATION_DEFAULT ? depth : SCN_CQ_MODERATION_DEFAULT;
	if ((v = yt_get(node, "cq_moderation")) && yr_count(v, "the CQ moderation (at most the tx depth)", 1, depth, &moderation, diag))
		return -1;
	s->tx_depth = (unsigned)depth;
	s->post_list = (unsigned)list;
	s->cq_moderation = (unsigned)moderation;
	return 0;
}

/* What the HCA's and IOMMU's caches must hold: by default one QP and the
 * message buffer (perftest's).  A flow's QPs are its group's connections. */
static int read_footprint(scn_workload *s, const yt_node *node, vr_diag *diag)
{
	const yt_node *v;
	unsigned long long qps = 1;
	if ((v = yt_get(node, "qps")) && yr_count(v, "the number of QPs", 1, SCN_QPS_MAX, &qps, diag))
		return -1;
	s->footprint.qps = (double)qps;
	s->footprint.registered_bytes = 0;
	vr_quantity q;
	if ((v = yt_get(node, "registered_memory"))) {
		if (yr_quantity(v, VR_Q_SIZE, "the registered memory", &q, diag) != 0)
			return -1;
		if (q.value < 1 || q.value > SCN_REGISTERED_MAX_BYTES)
			return vr_diag_at(diag, v->where, "found '%s' for the registered memory, expected a size from 1B to 1PiB", v->text);
		s->footprint.registered_bytes = q.value;
	}
	return 0;
}

/* An atomic test's operation (perftest -A; FETCH_AND_ADD by default, as
 * perftest's) and its one size: 8 B, written or not. */
static int read_atomic(scn_workload *s, const yt_node *node, double *weights, vr_diag *diag)
{
	const yt_node *v = yt_get(node, "atomic");
	int atomic = ATOMIC_FETCH_AND_ADD;
	if (!mdl_verb_is_atomic(s->verb)) {
		if (v)
			return vr_diag_at(diag, v->where, "found 'atomic' in a %s workload, expected it only with atomic_lat or atomic_bw (perftest's -A)",
					  mdl_verb_names[s->verb]);
		return 0;
	}
	if (v && yr_choice(v, "the atomic operation", mdl_atomic_names, &atomic, diag))
		return -1;
	s->atomic = (mdl_atomic)atomic;
	if (yt_get(node, "size_mix"))
		return vr_diag_at(diag, yt_get(node, "size_mix")->where, "found 'size_mix' in a %s workload, expected 'sizes: [8B]' or none (an atomic moves 8 bytes)",
				  mdl_verb_names[s->verb]);
	if (!(v = yt_get(node, "sizes"))) {
		s->sizes_bytes[0] = SCN_ATOMIC_BYTES;
		s->size_count = 1;
		if (weights)
			weights[0] = 1.0;
		return 0;
	}
	for (size_t i = 0; i < s->size_count; i++)
		if (s->sizes_bytes[i] != SCN_ATOMIC_BYTES)
			return vr_diag_at(diag, (v->type == YT_SEQ && i < v->count ? v->items[i] : v)->where,
					  "found the size %.0f B in an %s workload, expected 8B only (an atomic moves 8 bytes; perftest refuses other sizes)",
					  s->sizes_bytes[i], mdl_verb_names[s->verb]);
	return 0;
}

int scn_read_workload(const yt_node *node, scn_workload_use use, scn_workload *s, double *weights, vr_diag *diag)
{
	const int flow = use == SCN_WORKLOAD_FLOW;
	const char *what = flow ? "a flow's workload" : "the workload";
	const yt_node *v;
	int verb;
	if (yr_expect(node, YT_MAP, what, diag) != 0)
		return -1;
	if (flow && (v = yt_get(node, "qps")))
		return vr_diag_at(diag, v->where, "found 'qps' in a flow's workload, expected it beside 'workload' in the flow group (QPs per connected pair of VMs)");
	if (yr_known_keys(node, flow ? flow_keys : sweep_keys, what, diag) ||
	    yr_required(node, "verb", what, &v, diag) ||
	    yr_choice(v, "the verb", mdl_verb_names, &verb, diag))
		return -1;
	s->verb = (mdl_verb)verb;
	s->size_count = 0;
	s->atomic = ATOMIC_FETCH_AND_ADD;
	/* an atomic's size goes without saying (8 B) */
	int sizes_optional = mdl_verb_is_atomic(s->verb) && !yt_get(node, "sizes");
	if (!sizes_optional &&
	    (flow ? read_flow_sizes(s, weights, node, diag)
		  : (yr_required(node, "sizes", what, &v, diag) || read_sizes(s, v, diag))))
		return -1;
	if (read_atomic(s, node, weights, diag) != 0)
		return -1;
	if (yr_required(node, "iterations", what, &v, diag) ||
	    yr_count(v, "the iterations", 1, SCN_ITERATIONS_MAX, &s->iterations, diag))
		return -1;
	s->warmup = 0;
	if ((v = yt_get(node, "warmup")) && yr_count(v, "the warm-up iterations", 0, SCN_ITERATIONS_MAX, &s->warmup, diag))
		return -1;
	return read_window(s, node, diag) || read_footprint(s, node, diag);
}
