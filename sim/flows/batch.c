/*
 * sim/flows/batch.c - batch means with pairwise merging.
 */
#include "sim/flows/batch.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

void fl_batch_reset(fl_batch *b)
{
	memset(b, 0, sizeof *b);
	b->size = 1;
}

void fl_batch_close(fl_batch *b)
{
	if (b->full == FL_BATCHES) {
		for (unsigned i = 0; i < FL_BATCHES / 2; i++)
			b->sum[i] = b->sum[2 * i] + b->sum[2 * i + 1];
		b->full = FL_BATCHES / 2;
		b->size *= 2;
		/* The batch just filled has the old size: it starts the next
		 * (doubled) batch rather than standing as a short one. */
		if (b->in_current < b->size)
			return;
	}
	b->sum[b->full++] = b->current;
	b->current = 0;
	b->in_current = 0;
}

double fl_batch_mean(const fl_batch *b)
{
	if (!b->full)
		return NAN;
	double total = 0;
	for (unsigned i = 0; i < b->full; i++)
		total += b->sum[i];
	return total / ((double)b->full * (double)b->size);
}

double fl_batch_half_width(const fl_batch *b)
{
	if (b->full < 2)
		return NAN;
	double mean = fl_batch_mean(b), squares = 0;
	for (unsigned i = 0; i < b->full; i++) {
		double d = b->sum[i] / (double)b->size - mean;
		squares += d * d;
	}
	double n = b->full, stdev = sqrt(squares / (n - 1));
	return gsl_cdf_tdist_Pinv(0.975, n - 1) * stdev / sqrt(n);
}
