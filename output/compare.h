/*
 * compare.h - published figures beside the model's (`vrdmasim compare`):
 * a perftest-shaped table of published, model and error per figure, how
 * much of each estimate rests on assumptions, and the parameters it
 * depends on; as text, JSON or CSV (units in the keys: _us for
 * latencies, _gbit_per_s for bandwidths).
 */
#ifndef VR_OUTPUT_COMPARE_H
#define VR_OUTPUT_COMPARE_H

#include <stdio.h>

#include "models/params.h"
#include "models/published.h"
#include "output/report.h"

/* One figure, run. */
typedef struct vr_compare_row {
	const pub_figure *figure;
	double model;                 /* ns (latencies) or bits/s (bandwidths), as the figure's metric */
	double error_percent;         /* pub_compare's */
	pub_verdict verdict;
	double assumed_share;         /* of t_typical, or of a bandwidth test's pace: 0 to 1 */
	double shares[MDL_PARAM_COUNT]; /* per parameter: the share of the estimate in stages that read it */
} vr_compare_row;

/* How many parameters the text table names per figure, largest share first. */
enum { VR_COMPARE_TEXT_PARAMS = 8 };

/* Is ROW beyond MAX_ERROR_PERCENT?  Estimates never are (they are no
 * measurement); a range or a bound only by its distance outside. */
int vr_compare_beyond(const vr_compare_row *row, double max_error_percent);

/* Write FILE's figures, ROWS (one per figure, in order), and the figures
 * not modelled yet, as FORMAT.  SETS (SET_COUNT of them) are the command
 * line's --set overrides, said in the output: with any, the table is a
 * what-if, not the presets' model.  0, or -1 when OUT failed or a number
 * was not finite. */
int vr_compare_write(const pub_file *file, const vr_compare_row *rows, const char *const *sets, size_t set_count,
		     vr_format format, FILE *out);

#endif
