/*
 * sim/flows/latency.c - log-linear histogram with octaves allocated on use.
 */
#include "sim/flows/latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fl_latency_init(fl_latency *l)
{
	memset(l, 0, sizeof *l);
}

void fl_latency_free(fl_latency *l)
{
	for (size_t i = 0; i < FL_LATENCY_BLOCKS; i++)
		free(l->block[i]);
	fl_latency_init(l);
}

static uint64_t *block_of(fl_latency *l, size_t index)
{
	if (!l->block[index]) {
		l->block[index] = calloc(FL_LATENCY_BLOCK, sizeof *l->block[index]);
		if (!l->block[index]) {
			fprintf(stderr, "vrdmasim: out of memory for a latency histogram\n");
			abort();
		}
	}
	return l->block[index];
}

void fl_latency_add(fl_latency *l, int64_t value_ps)
{
	if (l->count == 0 || value_ps < l->min_ps)
		l->min_ps = value_ps;
	if (l->count == 0 || value_ps > l->max_ps)
		l->max_ps = value_ps;
	l->count++;
	uint64_t v = value_ps < 0 ? 0 : (uint64_t)value_ps;
	l->sum_ps += v;
	size_t bucket = histogram_bucket(FL_LATENCY_SUB_BITS, FL_LATENCY_BUCKETS, v);
	block_of(l, bucket >> FL_LATENCY_SUB_BITS)[bucket & (FL_LATENCY_BLOCK - 1)]++;
}

void fl_latency_merge(fl_latency *into, const fl_latency *from)
{
	if (!from->count)
		return;
	if (into->count == 0 || from->min_ps < into->min_ps)
		into->min_ps = from->min_ps;
	if (into->count == 0 || from->max_ps > into->max_ps)
		into->max_ps = from->max_ps;
	into->count += from->count;
	into->sum_ps += from->sum_ps;
	for (size_t b = 0; b < FL_LATENCY_BLOCKS; b++)
		if (from->block[b]) {
			uint64_t *counts = block_of(into, b);
			for (size_t i = 0; i < FL_LATENCY_BLOCK; i++)
				counts[i] += from->block[b][i];
		}
}

double fl_latency_mean_ns(const fl_latency *l)
{
	return l->count ? (double)l->sum_ps / (double)l->count / 1e3 : 0.0;
}

/* The bucket holding the RANK-th smallest sample; FL_LATENCY_BUCKETS if none. */
static size_t rank_bucket(const fl_latency *l, uint64_t rank)
{
	uint64_t below = 0;
	for (size_t b = 0; b < FL_LATENCY_BLOCKS; b++) {
		if (!l->block[b])
			continue;
		uint64_t in_block = 0;
		for (size_t i = 0; i < FL_LATENCY_BLOCK; i++)
			in_block += l->block[b][i];
		if (below + in_block >= rank)
			return b * FL_LATENCY_BLOCK + histogram_rank_bucket(l->block[b], FL_LATENCY_BLOCK, rank - below);
		below += in_block;
	}
	return FL_LATENCY_BUCKETS;
}

double fl_latency_quantile_ns(const fl_latency *l, double q)
{
	if (l->count == 0)
		return 0.0;
	uint64_t rank = (uint64_t)floor(q * (double)l->count) + 1;
	double min_ns = (double)l->min_ps / 1e3, max_ns = (double)l->max_ps / 1e3;
	if (rank >= l->count)
		return max_ns;
	if (rank == 1)
		return min_ns;
	size_t bucket = rank_bucket(l, rank);
	if (bucket >= FL_LATENCY_BUCKETS - 1)
		return max_ns;   /* the top bucket also holds every larger value */
	double v = histogram_bucket_middle(FL_LATENCY_SUB_BITS, bucket) / 1e3;
	return v < min_ns ? min_ns : (v > max_ns ? max_ns : v);
}
