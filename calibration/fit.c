/*
 * fit.c - the SoftRoCE model's factors by weighted nonlinear least squares.
 */
#include "config.h"

#include "calibration/fit.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/reference.h"
#include "common/json_write.h"
#include "common/yaml_quote.h"
#include "models/cpu_sides.h"
#include "models/plan.h"
#include "models/preset.h"
#include "models/workload.h"

const char *const cal_group_names[GROUP_COUNT + 1] = {"fixed", "per_packet", "per_byte", "overlap", NULL};

enum { GROUP_PARAMS_MAX = 4 };

/* How a group's fitted number acts on its parameters. */
enum { TIMES, DIVIDES, IS_VALUE };

static const struct {
	const char *params[GROUP_PARAMS_MAX + 1];
	int acts;
	const char *meaning;
} GROUPS[GROUP_COUNT] = {
	[GROUP_FIXED] = {{"rxe.post_send", "rxe.completer", "rxe.defer", NULL}, TIMES, "software cost per message"},
	[GROUP_PER_PACKET] = {{"rxe.requester", "rxe.responder", "net.tx_per_packet", "net.rx_per_packet", NULL}, TIMES,
			      "software cost per packet"},
	[GROUP_PER_BYTE] = {{"mem.copy_bandwidth", "rxe.icrc_bandwidth", NULL}, DIVIDES, "copy and ICRC cost per byte"},
	[GROUP_OVERLAP] = {{"cpu.side_overlap", NULL}, IS_VALUE, "the two ends' per-packet overlap (1: pipelined)"},
};

static const char *const MODEL_OPTION = "softroce-loopback";
static const double CONFIDENCE = 0.95;
static const double RCOND_MIN = 1e-4;      /* below: the groups cannot be told apart (good fits here: 1e-2 and up) */
static const size_t ITERATIONS_MAX = 200;
static const double FACTOR_MAX = 1e4;      /* a factor beyond this (or below its inverse) has run away */
static const double SHARE_EDGE = 6.0;      /* |logit| beyond: a share within 0.25% of 0 or 1, at its bound */
/* A fit must explain at least half of how the measurements vary around
 * their weighted mean (R^2 below): under that, the factors describe a point
 * far off the others, or measurements the model does not describe, more
 * than they describe costs.  The committed fits reach 0.85 (QEMU, three
 * factors) to 0.998 (published figures). */
static const double R_SQUARED_MIN = 0.5;

static mdl_option model;   /* loaded once per fit; read by cal_predict */
static int model_loaded;

/* The model option, loaded once (it is built in). */
static int ensure_model(vr_diag *diag)
{
	static const vr_where here = {"calibration/fit.c", 0, 0};
	if (!model_loaded && mdl_option_load(MODEL_OPTION, NULL, here, &model, diag) != 0)
		return -1;
	model_loaded = 1;
	return 0;
}

double cal_predict(const cal_point *p, const mdl_params *params)
{
	static const mdl_footprint one_qp = {1, 0};
	vr_diag diag;
	vr_diag_clear(&diag);
	if (ensure_model(&diag) != 0)
		return NAN;
	static mdl_plan a, b;   /* large: not on the stack */
	int read = mdl_verb_round_trip(p->verb);
	mdl_plan_build(&model, params, params, p->size_bytes, p->verb, COMPLETION_POLL,
		       read ? LEG_READ_REQUEST : LEG_MESSAGE, &one_qp, &a);
	if (read)
		mdl_plan_build(&model, params, params, p->size_bytes, p->verb, COMPLETION_POLL, LEG_READ_RESPONSE, &one_qp, &b);
	if (!mdl_verb_is_bandwidth(p->verb))
		return (mdl_plan_one_way_ns(&a) + (read ? mdl_plan_one_way_ns(&b) : 0.0)) / 1e3;
	/* A stream goes at the pace of its busiest resource: the payload's
	 * link, or the two ends' CPUs as they combine (models/cpu_sides.h),
	 * with perftest's defaults (one WR per doorbell, a completion every
	 * 100: the committed datasets' "CQ Moderation : 100"), as the
	 * simulated stream (sim/stream.c) charges them. */
	const mdl_plan *data = read ? &b : &a;
	unsigned moderation = SCN_TX_DEPTH_DEFAULT < SCN_CQ_MODERATION_DEFAULT ? SCN_TX_DEPTH_DEFAULT : SCN_CQ_MODERATION_DEFAULT;
	mdl_stream_cpu cpu = mdl_stream_cpu_of(&a, read ? &b : NULL, 1, moderation);
	double per_message_ns = fmax(data->serialization_ns,
				     mdl_sides_pace_ns(data->side_overlap, cpu.requester_ns, cpu.responder_ns));
	return p->size_bytes / (per_message_ns * 1e-9);
}

/* BASE with every group's parameters scaled by K. */
static void scale(const mdl_params *base, const double k[GROUP_COUNT], double mtu_bytes, mdl_params *out)
{
	*out = *base;
	for (int g = 0; g < GROUP_COUNT; g++)
		for (size_t i = 0; GROUPS[g].params[i]; i++) {
			int id = mdl_param_lookup(GROUPS[g].params[i]);
			if (GROUPS[g].acts == IS_VALUE)
				out->value[id] = isnan(k[g]) ? base->value[id] : k[g];
			else
				out->value[id] = GROUPS[g].acts == DIVIDES ? base->value[id] / k[g] : base->value[id] * k[g];
		}
	if (isfinite(mtu_bytes))
		out->value[MDL_ETH_MTU] = mtu_bytes;
}

typedef struct fit_context {
	const cal_dataset *d;
	cal_fit_result *r;
	size_t index[CAL_POINTS_MAX];   /* residual i -> point */
	int group_of[GROUP_COUNT];      /* parameter j -> group */
} fit_context;

/* A fitted coordinate into its group's number: a factor exp(x), or a
 * share 1 / (1 + exp(-x)). */
static double number_of(int group, double x)
{
	return GROUPS[group].acts == IS_VALUE ? 1.0 / (1.0 + exp(-x)) : exp(x);
}

/* The fitted coordinates X into every group's number (unfitted: factor 1,
 * value unchanged). */
static void factors(const fit_context *c, const gsl_vector *x, double k[GROUP_COUNT])
{
	for (int g = 0; g < GROUP_COUNT; g++)
		k[g] = GROUPS[g].acts == IS_VALUE ? NAN : 1.0;
	for (size_t j = 0; j < c->r->fitted_count; j++)
		k[c->group_of[j]] = number_of(c->group_of[j], gsl_vector_get(x, j));
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *f)
{
	fit_context *c = data;
	double k[GROUP_COUNT];
	factors(c, x, k);
	static mdl_params params;
	scale(&c->r->base, k, c->r->mtu_bytes, &params);
	for (size_t i = 0; i < c->r->used; i++) {
		const cal_point *p = &c->d->points[c->index[i]];
		double predicted = cal_predict(p, &params);
		if (!isfinite(predicted))
			return GSL_EDOM;
		gsl_vector_set(f, i, (predicted - p->value) / p->sigma);
	}
	return GSL_SUCCESS;
}

/* Points to fit: those measured in loopback, as the model; one MTU. */
static int select_points(const cal_dataset *d, fit_context *c, vr_diag *diag)
{
	cal_fit_result *r = c->r;
	r->mtu_bytes = NAN;
	r->normalised = d->normalised_files > 0;
	const cal_point *mtu_from = NULL;
	for (size_t i = 0; i < d->count; i++) {
		const cal_point *p = &d->points[i];
		if (p->setting != SETTING_LOOPBACK) {
			r->skipped++;
			continue;
		}
		if (isfinite(p->mtu_bytes)) {
			if (mtu_from && p->mtu_bytes != r->mtu_bytes)
				return vr_diag_at(diag, p->where, "found a RoCE MTU of %.0f B, expected the %.0f B of %s:%u: one fit, one MTU",
						  p->mtu_bytes, r->mtu_bytes, mtu_from->where.file, mtu_from->where.line);
			r->mtu_bytes = p->mtu_bytes;
			mtu_from = p;
		}
		r->use[i] = 1;
		c->index[r->used++] = i;
	}
	if (r->used <= r->fitted_count)
		return vr_diag_at(diag, (vr_where){d->count ? d->points[0].where.file : "the datasets", 0, 0},
				  "found %zu loopback measurements for %zu factors, expected more measurements than factors", r->used,
				  r->fitted_count);
	return 0;
}

static int load_base(const cal_fit_request *rq, cal_fit_result *r, vr_diag *diag)
{
	static const vr_where cli = {"--preset", 0, 0};
	if (mdl_preset_load(rq->preset, NULL, cli, &r->base, diag) != 0 ||
	    mdl_params_resolve(&r->base, rq->preset, diag) != 0)
		return -1;
	snprintf(r->preset, sizeof r->preset, "%s", r->base.preset);
	return ensure_model(diag);
}

/* What a fit's error names: the one file all fitted points came from, else
 * their one folder, else the first input and how many others (never an
 * arbitrary member, which would blame the wrong file). */
static const char *fit_subject(const fit_context *c, char *out, size_t size)
{
	const cal_fit_result *r = c->r;
	if (r->used == 0)
		return "the datasets";
	const char *first = c->d->points[c->index[0]].where.file;
	const char *slash = strrchr(first, '/');
	size_t dir_len = slash ? (size_t)(slash - first) : 0;
	int one_file = 1, one_dir = slash != NULL;
	size_t others = 0;
	for (size_t i = 1; i < r->used; i++) {
		const char *file = c->d->points[c->index[i]].where.file;
		if (file == first || strcmp(file, first) == 0)
			continue;
		if (one_file)
			others++;
		one_file = 0;
		if (strncmp(file, first, dir_len) != 0 || file[dir_len] != '/' || strchr(file + dir_len + 1, '/'))
			one_dir = 0;
	}
	if (one_file)
		snprintf(out, size, "%s", first);
	else if (one_dir)
		snprintf(out, size, "%.*s", (int)dir_len, first);
	else
		snprintf(out, size, "%s and the other inputs", first);
	return out;
}

/* Solve; fill factors, intervals and the statistics. */
static int solve(fit_context *c, vr_diag *diag)
{
	cal_fit_result *r = c->r;
	size_t n = r->used, p = r->fitted_count;
	gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
	gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, p);
	gsl_vector *x = gsl_vector_calloc(p);   /* ln k = 0: start at the preset */
	gsl_matrix *covar = gsl_matrix_alloc(p, p);
	gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = NULL, .fvv = NULL, .n = n, .p = p, .params = c};
	int info = 0, rc = 0;
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int status = gsl_multifit_nlinear_init(x, &fdf, w);
	if (status == GSL_SUCCESS)
		status = gsl_multifit_nlinear_driver(ITERATIONS_MAX, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, w);
	double rcond = 0;
	if (status == GSL_SUCCESS)
		gsl_multifit_nlinear_rcond(&rcond, w);
	char subject[1100];
	const char *file = fit_subject(c, subject, sizeof subject);
	/* A factor run off towards 0 or infinity: the data want a cost the
	 * model's groups cannot give (the fit "converged" to a boundary). */
	int runaway = -1;
	double runaway_k = 0;
	for (size_t j = 0; j < p; j++) {
		/* A share creeps towards its bound slowly (the logistic flattens):
		 * a smaller step off the middle counts, converged or not. */
		double lnk = gsl_vector_get(gsl_multifit_nlinear_position(w), j);
		int share = GROUPS[c->group_of[j]].acts == IS_VALUE;
		if ((status == GSL_SUCCESS || share) && !(fabs(lnk) < (share ? SHARE_EDGE : log(FACTOR_MAX)))) {
			runaway = c->group_of[j];
			runaway_k = number_of(runaway, lnk);
		}
	}
	if (runaway >= 0 && GROUPS[runaway].acts == IS_VALUE && isfinite(runaway_k)) {
		/* A share at its bound (no overlap, or full) is an answer: the
		 * caller holds it there and fits the rest. */
		r->at_bound[runaway] = 1;
		r->k[runaway] = r->k_low[runaway] = r->k_high[runaway] = round(runaway_k);
		rc = 1;
	} else if (status != GSL_SUCCESS)
		rc = vr_diag_at(diag, (vr_where){file, 0, 0}, "found that the fit does not converge (%s after %zu iterations), expected a fit: no overlay written",
				gsl_strerror(status), gsl_multifit_nlinear_niter(w));
	else if (runaway >= 0)
		rc = vr_diag_at(diag, (vr_where){file, 0, 0},
				"found the factor k_%s running off to %g, expected a factor within 1/%g..%g of the preset: these groups cannot fit the measurements (try fewer groups: --fit): no overlay written",
				cal_group_names[runaway], runaway_k, FACTOR_MAX, FACTOR_MAX);
	if (rc == 0 && !isfinite(rcond))   /* not to be printed: the bounds on a row should keep it finite */
		rc = vr_diag_at(diag, (vr_where){file, 0, 0},
				"found a fit whose condition cannot be computed (the measurements overflow it), expected figures of RDMA's range: no overlay written");
	else if (rc == 0 && !(rcond > RCOND_MIN))
		rc = vr_diag_at(diag, (vr_where){file, 0, 0},
				"found an ill-conditioned fit (reciprocal condition number %.2g): these measurements cannot tell the groups apart; expected sizes on both sides of the MTU, or fewer groups (--fit): no overlay written",
				rcond);
	if (rc == 0) {
		r->iterations = gsl_multifit_nlinear_niter(w);
		gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, covar);
		gsl_vector *f = gsl_multifit_nlinear_residual(w);
		gsl_blas_ddot(f, f, &r->chi2);
		r->dof = (double)(n - p);
		/* The spreads give the weights' proportions; the residuals their scale. */
		double scale_factor = sqrt(fmax(1.0, r->chi2 / r->dof));
		double t = gsl_cdf_tdist_Pinv(0.5 + CONFIDENCE / 2, r->dof);
		double k[GROUP_COUNT];
		factors(c, gsl_multifit_nlinear_position(w), k);
		for (int g = 0; g < GROUP_COUNT; g++)
			if (!r->at_bound[g])
				r->k[g] = r->k_low[g] = r->k_high[g] = k[g];
		for (size_t j = 0; j < p; j++) {
			double lnk = gsl_vector_get(gsl_multifit_nlinear_position(w), j), half = t * scale_factor * sqrt(gsl_matrix_get(covar, j, j));
			r->k_low[c->group_of[j]] = number_of(c->group_of[j], lnk - half);
			r->k_high[c->group_of[j]] = number_of(c->group_of[j], lnk + half);
		}
		double applied[GROUP_COUNT];
		for (int g = 0; g < GROUP_COUNT; g++)
			applied[g] = r->at_bound[g] ? NAN : r->k[g];   /* a held share is in the base already */
		scale(&r->base, applied, r->mtu_bytes, &r->calibrated);
	}
	gsl_set_error_handler(old);
	gsl_matrix_free(covar);
	gsl_vector_free(x);
	gsl_multifit_nlinear_free(w);
	return rc;
}

/* Weighted R^2 of the fitted points. */
static void goodness(const fit_context *c)
{
	cal_fit_result *r = c->r;
	double sw = 0, swy = 0;
	for (size_t i = 0; i < r->used; i++) {
		const cal_point *p = &c->d->points[c->index[i]];
		double w = 1 / (p->sigma * p->sigma);
		sw += w;
		swy += w * p->value;
	}
	double mean = swy / sw, total = 0;
	for (size_t i = 0; i < r->used; i++) {
		const cal_point *p = &c->d->points[c->index[i]];
		total += (p->value - mean) * (p->value - mean) / (p->sigma * p->sigma);
		r->predicted[c->index[i]] = cal_predict(p, &r->calibrated);
	}
	r->r_squared = total > 0 ? 1 - r->chi2 / total : 0;
}

/* The fitted point with the largest weighted residual: the likeliest outlier. */
static const cal_point *farthest_point(const fit_context *c)
{
	const cal_point *far = &c->d->points[c->index[0]];
	double far_residual = -1;
	for (size_t i = 0; i < c->r->used; i++) {
		const cal_point *p = &c->d->points[c->index[i]];
		double residual = fabs(c->r->predicted[c->index[i]] - p->value) / p->sigma;
		if (isnan(residual) ? far_residual < 0 : residual > far_residual) {
			far = p;
			far_residual = isnan(residual) ? 0 : residual;
		}
	}
	return far;
}

int cal_fit(const cal_dataset *d, const cal_fit_request *rq, cal_fit_result *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	static fit_context c;
	memset(&c, 0, sizeof c);
	c.d = d;
	c.r = out;
	for (int g = 0; g < GROUP_COUNT; g++)
		if (rq->groups & (1u << g)) {
			out->fitted[g] = 1;
			c.group_of[out->fitted_count++] = g;
		}
	if (out->fitted_count == 0)
		return vr_diag_at(diag, (vr_where){"--fit", 0, 0}, "found no group to fit, expected fixed, per_packet or per_byte");
	if (load_base(rq, out, diag) != 0 || select_points(d, &c, diag) != 0)
		return -1;
	int rc;
	while ((rc = solve(&c, diag)) == 1) {
		/* A share reached its bound: hold it there, fit the others. */
		size_t kept = 0;
		for (size_t j = 0; j < out->fitted_count; j++) {
			int g = c.group_of[j];
			if (out->at_bound[g] && out->fitted[g]) {
				out->fitted[g] = 0;
				out->base.value[mdl_param_lookup(GROUPS[g].params[0])] = out->k[g];
			} else {
				c.group_of[kept++] = g;
			}
		}
		out->fitted_count = kept;
		if (kept == 0 || out->used <= kept)
			break;
	}
	if (rc != 0)
		return rc < 0 ? -1 : vr_diag_at(diag, (vr_where){"--fit", 0, 0}, "found nothing left to fit once the overlap reached its bound, expected another group");
	goodness(&c);
	if (!(out->r_squared >= R_SQUARED_MIN)) {
		char subject[1100];
		const cal_point *far = farthest_point(&c);
		return vr_diag_at(diag, (vr_where){fit_subject(&c, subject, sizeof subject), 0, 0},
				  "found R^2 %.4f, expected at least %.2f: the fitted costs explain less than half of how the measurements vary (a point far off the others, the farthest %s:%u, or measurements this model does not describe): no overlay written",
				  isfinite(out->r_squared) ? fmax(out->r_squared, 0.0) : 0.0, R_SQUARED_MIN, far->where.file, far->where.line);
	}
	return 0;
}

int cal_groups_parse(const char *list, unsigned *groups, vr_diag *diag)
{
	static const vr_where option = {"--fit", 0, 0};
	*groups = 0;
	for (const char *item = list;; item++) {
		size_t len = strcspn(item, ",");
		if (len == 0)
			return vr_diag_at(diag, option, "found an empty item in '%s', expected a group: fixed, per_packet, per_byte or overlap (comma-separated)",
					  list);
		int group = -1;
		for (int g = 0; g < GROUP_COUNT; g++)
			if (strlen(cal_group_names[g]) == len && strncmp(item, cal_group_names[g], len) == 0)
				group = g;
		if (group < 0)
			return vr_diag_at(diag, option, "found '%.*s', expected a group to fit: fixed, per_packet, per_byte or overlap (comma-separated)",
					  (int)len, item);
		*groups |= 1u << group;
		item += len;
		if (*item == '\0')
			return 0;
	}
}

/* ---- reports --------------------------------------------------------- */

static const char *unit_of(mdl_verb verb)
{
	return mdl_verb_is_bandwidth(verb) ? "MB/s" : "us";
}

static double shown(mdl_verb verb, double value)
{
	return mdl_verb_is_bandwidth(verb) ? value / 1048576.0 : value;
}

/* How each file's times were scaled to the nominal CPU speed, and which
 * tests ran while the speed moved. */
static void report_normalisation(const cal_dataset *d, FILE *out)
{
	if (!d->normalised_files)
		return;
	fprintf(out, " normalised to the reference workload's nominal %.0f ms (times multiplied, bandwidths divided):\n",
		CAL_REFERENCE_NOMINAL_NS / 1e6);
	for (size_t i = 0; i < d->file_count; i++) {
		if (isnan(d->change[i]))
			continue;
		fprintf(out, "   %-60s x %.3f  (reference changed %.1f %% during the test%s)\n", d->files[i], d->scale[i],
			100 * d->change[i], d->change[i] > CAL_REFERENCE_MOVED ? ": MOVED, spreads widened" : "");
	}
}

/* Latency points whose median was the scheduler's, not the CPU's. */
static void report_stalls(const cal_dataset *d, const cal_fit_result *r, FILE *out)
{
	size_t stalled = 0, latency = 0;
	for (size_t i = 0; i < d->count; i++)
		if (r->use[i] && !mdl_verb_is_bandwidth(d->points[i].verb)) {
			latency++;
			stalled += d->points[i].stalled;
		}
	if (!stalled)
		return;
	fprintf(out, " warning: %zu of %zu latency points have a median over %.0fx their minimum: a polling side was descheduled in\n"
		     " half the iterations or more (the host ran more threads than cores), so they time the scheduler, not the CPU:",
		stalled, latency, CAL_STALL_RATIO);
	for (size_t i = 0, shown_count = 0; i < d->count && shown_count < 8; i++)
		if (r->use[i] && d->points[i].stalled && !mdl_verb_is_bandwidth(d->points[i].verb)) {
			fprintf(out, " %s %.0f B", mdl_verb_names[d->points[i].verb], d->points[i].size_bytes);
			shown_count++;
		}
	fprintf(out, "%s\n", stalled > 8 ? " ..." : "");
}

void cal_fit_report(const cal_dataset *d, const cal_fit_result *r, FILE *out)
{
	fprintf(out, "SoftRoCE model (option %s) fitted on preset %s: %zu measurements, %zu factors, %zu iterations",
		MODEL_OPTION, r->preset, r->used, r->fitted_count, r->iterations);
	if (r->skipped)
		fprintf(out, " (%zu measurements of another setting left out)", r->skipped);
	if (d->unusable)
		fprintf(out, " (%zu perftest rows with inf or nan left out)", d->unusable);
	fprintf(out, "\n");
	report_normalisation(d, out);
	report_stalls(d, r, out);
	fprintf(out, "\n factor       value   95%% interval          scales\n");
	for (int g = 0; g < GROUP_COUNT; g++) {
		fprintf(out, " %-10s %7.3f  ", cal_group_names[g],
			isnan(r->k[g]) ? r->base.value[mdl_param_lookup(GROUPS[g].params[0])] : r->k[g]);
		if (r->fitted[g])
			fprintf(out, "[%7.3f, %7.3f]    ", r->k_low[g], r->k_high[g]);
		else if (r->at_bound[g])
			fprintf(out, "(at its bound: held) ");
		else
			fprintf(out, GROUPS[g].acts == IS_VALUE ? "(the preset's)        " : "(held at 1)           ");
		fprintf(out, "%s:", GROUPS[g].meaning);
		for (size_t i = 0; GROUPS[g].params[i]; i++)
			fprintf(out, " %s", GROUPS[g].params[i]);
		fprintf(out, "\n");
	}
	if (isfinite(r->mtu_bytes))
		fprintf(out, " eth.mtu set to the measured RoCE MTU: %.0f B\n", r->mtu_bytes);
	fprintf(out, "\n calibrated parameter      preset        calibrated\n");
	for (int g = 0; g < GROUP_COUNT; g++)
		for (size_t i = 0; GROUPS[g].params[i]; i++) {
			int id = mdl_param_lookup(GROUPS[g].params[i]);
			const char *unit = GROUPS[g].acts == DIVIDES ? "MB/s" : GROUPS[g].acts == IS_VALUE ? "" : "ns";
			double div = GROUPS[g].acts == DIVIDES ? 8 * 1e6 : 1;
			fprintf(out, " %-24s %10.1f %-4s %10.1f %s\n", GROUPS[g].params[i], r->base.value[id] / div, unit,
				r->calibrated.value[id] / div, unit);
		}
	fprintf(out, "\n residuals: measured, fitted, (fitted - measured) / spread\n");
	for (size_t i = 0; i < d->count; i++) {
		const cal_point *p = &d->points[i];
		if (!r->use[i])
			continue;
		fprintf(out, " %-9s %8.0f B  %10.3f %-4s %10.3f %-4s %+7.2f   %s:%u\n", mdl_verb_names[p->verb], p->size_bytes,
			shown(p->verb, p->value), unit_of(p->verb), shown(p->verb, r->predicted[i]), unit_of(p->verb),
			(r->predicted[i] - p->value) / p->sigma, p->where.file, p->where.line);
	}
	fprintf(out, "\n chi^2 %.3g on %.0f degrees of freedom (%.3g per degree); R^2 %.4f (weighted)\n", r->chi2, r->dof,
		r->chi2 / r->dof, r->r_squared);
}

void cal_fit_write_overlay(const cal_fit_result *r, const char *inputs, FILE *out)
{
	fprintf(out, "# Calibration overlay written by vrdmasim %s calibrate --model softroce.\n", PACKAGE_VERSION);
	fprintf(out, "# Name it in a scenario (calibration: THIS_FILE): its values replace the preset's.\n");
	fprintf(out, "calibration: softroce\n");
	fprintf(out, "description: \"SoftRoCE factors fitted by nonlinear least squares (GSL)\"\n");
	fprintf(out, "dataset: ");
	vr_yaml_quoted(out, inputs);
	fprintf(out, "\n");
	fprintf(out, "base_preset: %s\n", r->preset);
	if (r->normalised)
		fprintf(out, "normalised: {reference_nominal_ns: %.0f, note: \"times scaled to a CPU on which calibration/reference-workload takes the nominal time\"}\n",
			CAL_REFERENCE_NOMINAL_NS);
	fprintf(out, "fit: {points: %zu, chi2: %.6g, dof: %.0f, r_squared: %.6f", r->used, r->chi2, r->dof, r->r_squared);
	for (int g = 0; g < GROUP_COUNT; g++)
		if (r->fitted[g])
			fprintf(out, ", k_%s: %.6g, k_%s_95: [%.6g, %.6g]", cal_group_names[g], r->k[g], cal_group_names[g],
				r->k_low[g], r->k_high[g]);
	fprintf(out, "}\nparameters:\n");
	for (int g = 0; g < GROUP_COUNT; g++) {
		if (!r->fitted[g] && !r->at_bound[g])
			continue;
		for (size_t i = 0; GROUPS[g].params[i]; i++) {
			int id = mdl_param_lookup(GROUPS[g].params[i]);
			double v = r->calibrated.value[id];
			fprintf(out, "  %s:\n", GROUPS[g].params[i]);
			if (GROUPS[g].acts == DIVIDES)
				fprintf(out, "    value: %.6gMBps\n", v / 8 / 1e6);
			else if (GROUPS[g].acts == IS_VALUE)
				fprintf(out, "    value: %.6g\n", v);
			else
				fprintf(out, "    value: %.6gns\n", v);
			char source[1024];
			snprintf(source, sizeof source, "calibrated: preset %s's value %s k_%s = %.4g (95%% CI %.4g-%.4g); fit of %zu measurements (%s), R^2 %.4f",
				 r->preset, GROUPS[g].acts == DIVIDES ? "divided by" : GROUPS[g].acts == IS_VALUE ? "replaced by" : "times",
				 cal_group_names[g], r->k[g], r->k_low[g],
				 r->k_high[g], r->used, inputs, r->r_squared);
			fprintf(out, "    source: ");
			vr_yaml_quoted(out, source);
			fprintf(out, "\n");
		}
	}
}

/* ---- JSON ------------------------------------------------------------ */


/* Values in JSON: latency in us, bandwidth in MiB/s (perftest's MB/sec). */
static double json_value(mdl_verb verb, double value)
{
	return mdl_verb_is_bandwidth(verb) ? value / 1048576.0 : value;
}

enum { CURVE_STEPS_PER_OCTAVE = 4 };

static const char *json_unit(mdl_verb verb)
{
	return mdl_verb_is_bandwidth(verb) ? "MiB/s" : "us";
}

static void json_header(json_writer *w, const cal_fit_result *r, const char *inputs)
{
	json_write_break(w, 2);
	json_write_key_string(w, "tool", "vrdmasim");
	json_write_key_string(w, "version", PACKAGE_VERSION);
	json_write_key_string(w, "kind", "calibration");
	json_write_key_uint(w, "schema_version", 1);
	json_write_break(w, 2);
	json_write_key_string(w, "model", "softroce");
	json_write_key_string(w, "option", MODEL_OPTION);
	json_write_key_string(w, "preset", r->preset);
	json_write_key_string(w, "datasets", inputs);
	json_write_break(w, 2);
	json_write_key_uint(w, "points_fitted", r->used);
	json_write_key_double(w, "chi2", "%.9g", r->chi2);
	json_write_key_double(w, "dof", "%.0f", r->dof);
	json_write_key_double(w, "r_squared", "%.9g", r->r_squared);
	json_write_key(w, "normalised");
	json_write_bool(w, r->normalised);
	if (r->normalised)
		json_write_key_double(w, "reference_nominal_ns", "%.0f", CAL_REFERENCE_NOMINAL_NS);
}

/* Each group's factor; a factor not fitted is the preset's, its interval
 * the point itself. */
static void json_factors(json_writer *w, const cal_fit_result *r)
{
	json_write_break(w, 2);
	json_write_key(w, "factors");
	json_write_object_begin(w);
	for (int g = 0; g < GROUP_COUNT; g++) {
		double v = isnan(r->k[g]) ? r->base.value[mdl_param_lookup(GROUPS[g].params[0])] : r->k[g];
		json_write_key(w, cal_group_names[g]);
		json_write_object_begin(w);
		json_write_key_double(w, "value", "%.9g", v);
		json_write_key_double(w, "ci95_low", "%.9g", r->fitted[g] ? r->k_low[g] : v);
		json_write_key_double(w, "ci95_high", "%.9g", r->fitted[g] ? r->k_high[g] : v);
		json_write_key(w, "fitted");
		json_write_bool(w, r->fitted[g]);
		json_write_object_end(w);
	}
	json_write_object_end(w);
}

/* The points fitted; the smallest and largest size of each verb into LO
 * and HI, the verbs seen as bits of the result. */
static unsigned json_points(json_writer *w, const cal_dataset *d, const cal_fit_result *r, double *lo, double *hi)
{
	unsigned verbs = 0;
	json_write_break(w, 2);
	json_write_key(w, "points");
	json_write_array_begin(w);
	for (size_t i = 0; i < d->count; i++) {
		const cal_point *p = &d->points[i];
		if (!r->use[i])
			continue;
		if (!(verbs & (1u << p->verb)) || p->size_bytes < lo[p->verb])
			lo[p->verb] = p->size_bytes;
		if (!(verbs & (1u << p->verb)) || p->size_bytes > hi[p->verb])
			hi[p->verb] = p->size_bytes;
		verbs |= 1u << p->verb;
		json_write_break(w, 4);
		json_write_object_begin(w);
		json_write_key_string(w, "verb", mdl_verb_names[p->verb]);
		json_write_key_double(w, "size_bytes", "%.0f", p->size_bytes);
		json_write_key_string(w, "unit", json_unit(p->verb));
		json_write_key_double(w, "measured", "%.9g", json_value(p->verb, p->value));
		if (p->stalled) {   /* the median timed the host's scheduler (CAL_STALL_RATIO) */
			json_write_key(w, "stalled");
			json_write_bool(w, 1);
		}
		if (p->measured > 0 && p->measured != p->value)   /* normalised: "measured" is then at the nominal speed */
			json_write_key_double(w, "as_measured", "%.9g", json_value(p->verb, p->measured));
		json_write_key_double(w, "spread", "%.9g", json_value(p->verb, p->sigma));
		json_write_key_double(w, "fitted", "%.9g", json_value(p->verb, r->predicted[i]));
		char from[1100];
		snprintf(from, sizeof from, "%s:%u", p->where.file, p->where.line);
		json_write_key_string(w, "from", from);
		json_write_object_end(w);
	}
	json_write_break(w, 2);
	json_write_array_end(w);
	return verbs;
}

/* The calibrated model's curve of each verb in VERBS: whole bytes, every
 * quarter octave from the smallest size measured to the largest. */
static void json_curves(json_writer *w, const cal_fit_result *r, unsigned verbs, const double *lo, const double *hi)
{
	json_write_break(w, 2);
	json_write_key(w, "curves");
	json_write_array_begin(w);
	for (int v = 0; v < VERB_COUNT; v++) {
		if (!(verbs & (1u << v)))
			continue;
		json_write_break(w, 4);
		json_write_object_begin(w);
		json_write_key_string(w, "verb", mdl_verb_names[v]);
		json_write_key_string(w, "unit", json_unit((mdl_verb)v));
		json_write_key(w, "points");
		json_write_array_begin(w);
		double previous = 0;
		for (double size = lo[v]; size <= hi[v] * 1.0001; size *= pow(2.0, 1.0 / CURVE_STEPS_PER_OCTAVE)) {
			if (round(size) == previous)
				continue;
			previous = round(size);
			cal_point at = {.verb = (mdl_verb)v, .size_bytes = round(size), .mtu_bytes = r->mtu_bytes, .setting = SETTING_LOOPBACK};
			json_write_array_begin(w);
			json_write_double(w, "%.0f", at.size_bytes);
			json_write_double(w, "%.9g", json_value((mdl_verb)v, cal_predict(&at, &r->calibrated)));
			json_write_array_end(w);
		}
		json_write_array_end(w);
		json_write_object_end(w);
	}
	json_write_break(w, 2);
	json_write_array_end(w);
}

void cal_fit_write_json(const cal_dataset *d, const cal_fit_result *r, const char *inputs, FILE *out)
{
	json_writer w;
	double lo[VERB_COUNT], hi[VERB_COUNT];
	json_write_init(&w, out);
	json_write_object_begin(&w);
	json_header(&w, r, inputs);
	json_factors(&w, r);
	unsigned verbs = json_points(&w, d, r, lo, hi);
	json_curves(&w, r, verbs, lo, hi);
	json_write_break(&w, 0);
	json_write_object_end(&w);
	json_write_end_document(&w);
}
