/*
 * common/histogram.h - the one log-linear histogram (HDR-histogram style):
 * its bucket layout and the walk that finds a rank.
 *
 * With S sub-bucket bits, values below 2^(S+1) have a bucket each (exact);
 * above, each power of two [2^k, 2^(k+1)) is cut into 2^S equal buckets of
 * width 2^(k-S), so a bucket's middle is within 2^-(S+1) of any value in
 * it.  Bucket index of a value v >= 2^(S+1), with k = floor(log2 v):
 *     (k - S + 1) * 2^S + (v >> (k - S)) - 2^S
 * so HISTOGRAM_BUCKETS(S, K) buckets hold every value below 2^(S+K): the
 * exact values count as two octaves, then K - 1 octaves of 2^S buckets.
 *
 * The counts are the caller's (an array of uint64_t it embeds where it
 * likes), as are the exact count, min and max that clamp an estimate.
 * Users: sim/stats (latencies in picoseconds, S = 10) and
 * vrdma/trace/duration (durations in nanoseconds, S = 5).
 */
#ifndef COMMON_HISTOGRAM_H
#define COMMON_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

/* Buckets for every value below 2^(SUB_BITS + OCTAVES). */
#define HISTOGRAM_BUCKETS(sub_bits, octaves) (((size_t)(octaves) + 1) << (sub_bits))

/* The bucket of VALUE; a value beyond the last bucket counts in the last.
 * Inline: the engine files every sample it measures. */
static inline size_t histogram_bucket(unsigned sub_bits, size_t bucket_count, uint64_t value)
{
	uint64_t sub = (uint64_t)1 << sub_bits;
	if (value < 2 * sub)
		return value < bucket_count ? (size_t)value : bucket_count - 1;
	unsigned top = 63u - (unsigned)__builtin_clzll(value);   /* floor(log2(value)) >= sub_bits + 1 */
	unsigned shift = top - sub_bits;
	size_t index = (size_t)(shift + 1) * sub + (size_t)((value >> shift) - sub);
	return index < bucket_count ? index : bucket_count - 1;
}

/* The smallest value of BUCKET, and how many values it holds (a power of
 * two). */
uint64_t histogram_bucket_low(unsigned sub_bits, size_t bucket);
uint64_t histogram_bucket_width(unsigned sub_bits, size_t bucket);

/* The middle of BUCKET: low + (width - 1) / 2, exactly (a half for buckets
 * wider than one; exact buckets are their value). */
double histogram_bucket_middle(unsigned sub_bits, size_t bucket);
/* The same rounded down, exact for any 64-bit bucket. */
uint64_t histogram_bucket_middle_floor(unsigned sub_bits, size_t bucket);

/* The bucket holding the RANK-th smallest value (1-based) of the counts
 * BUCKETS[0 .. BUCKET_COUNT): the first where the running count reaches
 * RANK; BUCKET_COUNT when the counts hold fewer than RANK values. */
size_t histogram_rank_bucket(const uint64_t *buckets, size_t bucket_count, uint64_t rank);

#endif
