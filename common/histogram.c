/*
 * common/histogram.c - see histogram.h.
 */
#include "common/histogram.h"

/* How far the bucket's values are shifted: 0 for the exact buckets. */
static unsigned shift_of(unsigned sub_bits, size_t bucket)
{
	size_t octave = bucket >> sub_bits;
	return octave < 2 ? 0 : (unsigned)(octave - 1);
}

uint64_t histogram_bucket_low(unsigned sub_bits, size_t bucket)
{
	uint64_t sub = (uint64_t)1 << sub_bits;
	if (bucket < 2 * sub)
		return bucket;
	return ((uint64_t)(bucket & (sub - 1)) + sub) << shift_of(sub_bits, bucket);
}

uint64_t histogram_bucket_width(unsigned sub_bits, size_t bucket)
{
	return (uint64_t)1 << shift_of(sub_bits, bucket);
}

double histogram_bucket_middle(unsigned sub_bits, size_t bucket)
{
	return (double)histogram_bucket_low(sub_bits, bucket) +
	       ((double)histogram_bucket_width(sub_bits, bucket) - 1.0) / 2.0;
}

uint64_t histogram_bucket_middle_floor(unsigned sub_bits, size_t bucket)
{
	return histogram_bucket_low(sub_bits, bucket) + (histogram_bucket_width(sub_bits, bucket) - 1) / 2;
}

size_t histogram_rank_bucket(const uint64_t *buckets, size_t bucket_count, uint64_t rank)
{
	uint64_t seen = 0;
	for (size_t b = 0; b < bucket_count; b++) {
		seen += buckets[b];
		if (seen >= rank)
			return b;
	}
	return bucket_count;
}
