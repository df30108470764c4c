/*
 * sim/flows/batch.h - the confidence interval of a mean by batch means, in
 * fixed memory.
 *
 * Samples of a simulation are correlated (a long wait follows a long wait),
 * so the variance of single samples understates the error of their mean.
 * Batch means cut the sequence into consecutive batches whose means are
 * nearly independent when a batch is much longer than the correlation
 * (A. M. Law and W. D. Kelton, Simulation Modeling and Analysis, ch. 9.5).
 * Memory is fixed: up to FL_BATCHES batches; when they are all full,
 * neighbours merge in pairs and the batch size doubles, so a run of any
 * length ends with between FL_BATCHES/2 and FL_BATCHES batches.  The
 * partial last batch is left out.
 */
#ifndef FL_BATCH_H
#define FL_BATCH_H

#include <stdint.h>

enum { FL_BATCHES = 64 };   /* even: batches merge in pairs */

typedef struct fl_batch {
	double sum[FL_BATCHES];  /* sums of the full batches */
	unsigned full;           /* how many of them */
	uint64_t size;           /* samples per batch (a power of two) */
	uint64_t in_current;     /* samples in the batch being filled */
	double current;          /* their sum */
} fl_batch;

void fl_batch_reset(fl_batch *b);

/* Called by fl_batch_add when the current batch is full. */
void fl_batch_close(fl_batch *b);

static inline void fl_batch_add(fl_batch *b, double value)
{
	b->current += value;
	if (++b->in_current == b->size)
		fl_batch_close(b);
}

/* The mean over the full batches, and the half-width of its 95 % confidence
 * interval (Student's t with batches - 1 degrees of freedom); the
 * half-width is NaN with fewer than 2 batches. */
double fl_batch_mean(const fl_batch *b);
double fl_batch_half_width(const fl_batch *b);

#endif
