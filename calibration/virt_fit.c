/*
 * virt_fit.c - virt.* parameters from VM-exit round trips (virt_fit.h).
 */
#include "config.h"

#include "calibration/virt_fit.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration/vmexits/stats.h"
#include "common/yaml_quote.h"
#include "models/preset.h"

const char *const cal_vx_combo_names[VC_COUNT + 1] = {
	"exit_entry", "mmio_dispatch", "pio_dispatch", "mmio_user_trip", "pio_user_trip", "injection", NULL};

static const double CONFIDENCE = 0.95;
static const double SIGMA_FLOOR_NS = 0.05;   /* half the samples' 0.1 ns resolution: identical blocks still weigh */

/* Which combinations make up each test's round trip (virt_fit.h's table). */
static const unsigned ROWS[VX_COUNT] = {
	[VX_HYPERCALL] = 1u << VC_EXIT_ENTRY,
	[VX_MMIO_KERNEL] = 1u << VC_EXIT_ENTRY | 1u << VC_MMIO_DISPATCH,
	[VX_PIO_KERNEL] = 1u << VC_EXIT_ENTRY | 1u << VC_PIO_DISPATCH,
	[VX_MMIO_USER] = 1u << VC_EXIT_ENTRY | 1u << VC_MMIO_DISPATCH | 1u << VC_MMIO_USER,
	[VX_PIO_USER] = 1u << VC_EXIT_ENTRY | 1u << VC_PIO_DISPATCH | 1u << VC_PIO_USER,
	[VX_IRQ_GUEST] = 1u << VC_EXIT_ENTRY | 1u << VC_MMIO_DISPATCH | 1u << VC_INJECTION,
	[VX_IRQ_HOST] = 0,
};

/* The combination each test adds to those it builds on. */
static const int ADDS[VX_COUNT] = {
	[VX_HYPERCALL] = VC_EXIT_ENTRY,  [VX_MMIO_KERNEL] = VC_MMIO_DISPATCH, [VX_PIO_KERNEL] = VC_PIO_DISPATCH,
	[VX_MMIO_USER] = VC_MMIO_USER,   [VX_PIO_USER] = VC_PIO_USER,         [VX_IRQ_GUEST] = VC_INJECTION,
	[VX_IRQ_HOST] = -1,
};

/* The model's parameters the fit sets, in cal_virt_result's order. */
static const char *const PARAMS[CAL_VX_MODEL_PARAMS] = {"virt.vm_exit", "virt.trap_dispatch", "virt.vm_entry", "virt.interrupt_injection"};
enum { P_EXIT, P_DISPATCH, P_ENTRY, P_INJECTION };

/* Whether test T takes part: present, and the tests it builds on too
 * (a user trip needs its in-kernel round trip to be told apart). */
static int fitted_test(const cal_vx_dataset *d, cal_vx_test t)
{
	if (!d->present[t] || t == VX_IRQ_HOST)
		return 0;
	if (t == VX_PIO_USER)
		return d->present[VX_PIO_KERNEL];
	return 1;
}

/* Column of combination C in the design, or -1 when not fitted. */
static int column_of(const cal_virt_result *r, int c)
{
	int col = 0;
	for (int k = 0; k < c; k++)
		col += r->fitted[k];
	return r->fitted[c] ? col : -1;
}

static int load_base(const char *preset, cal_virt_result *r, vr_diag *diag)
{
	static const vr_where cli = {"--preset", 0, 0};
	if (mdl_preset_load(preset, NULL, cli, &r->base, diag) != 0 || mdl_params_resolve(&r->base, preset, diag) != 0)
		return -1;
	snprintf(r->preset, sizeof r->preset, "%s", r->base.preset);
	r->calibrated = r->base;
	return 0;
}

/* The median of each of CAL_VX_BLOCKS consecutive blocks of test T. */
static void block_medians(const cal_vx_dataset *d, cal_vx_test t, double out[CAL_VX_BLOCKS])
{
	size_t n = d->count[t];
	for (size_t b = 0; b < CAL_VX_BLOCKS; b++) {
		size_t from = n * b / CAL_VX_BLOCKS, to = n * (b + 1) / CAL_VX_BLOCKS;
		vmx_summary s;
		vmx_summarise(d->ns[t] + from, to - from, &s);
		out[b] = s.median;
	}
}

static double spread(const double v[CAL_VX_BLOCKS])
{
	double mean = 0, squares = 0;
	for (size_t b = 0; b < CAL_VX_BLOCKS; b++)
		mean += v[b] / CAL_VX_BLOCKS;
	for (size_t b = 0; b < CAL_VX_BLOCKS; b++)
		squares += (v[b] - mean) * (v[b] - mean);
	return fmax(sqrt(squares / (CAL_VX_BLOCKS - 1)), SIGMA_FLOOR_NS);
}

/* Fill the design X, weights W and observations Y, one row per block. */
static void build(const cal_vx_dataset *d, const cal_virt_result *r, gsl_matrix *x, gsl_vector *w, gsl_vector *y)
{
	size_t row = 0;
	for (int t = 0; t < VX_COUNT; t++) {
		if (!fitted_test(d, (cal_vx_test)t))
			continue;
		double medians[CAL_VX_BLOCKS];
		block_medians(d, (cal_vx_test)t, medians);
		double sigma = spread(medians);
		for (size_t b = 0; b < CAL_VX_BLOCKS; b++, row++) {
			for (int c = 0; c < VC_COUNT; c++)
				if (column_of(r, c) >= 0)
					gsl_matrix_set(x, row, (size_t)column_of(r, c), (ROWS[t] >> c) & 1u);
			gsl_vector_set(y, row, medians[b]);
			gsl_vector_set(w, row, 1.0 / (sigma * sigma));
		}
	}
}

/* Value and 95% interval of the combination ROW (bits of cal_vx_combo). */
static void combine(const cal_virt_result *r, const gsl_vector *c, const gsl_matrix *cov, double t_quantile, unsigned row,
		    double *value, double *low, double *high)
{
	double v = 0, var = 0;
	for (int a = 0; a < VC_COUNT; a++) {
		int ca = column_of(r, a);
		if (!((row >> a) & 1u) || ca < 0)
			continue;
		v += gsl_vector_get(c, (size_t)ca);
		for (int b = 0; b < VC_COUNT; b++) {
			int cb = column_of(r, b);
			if (((row >> b) & 1u) && cb >= 0)
				var += gsl_matrix_get(cov, (size_t)ca, (size_t)cb);
		}
	}
	double half = t_quantile * sqrt(r->scale * var);
	*value = v;
	*low = v - half;
	*high = v + half;
}

static int solve(const cal_vx_dataset *d, cal_virt_result *r, vr_diag *diag)
{
	size_t p = 0;
	for (int c = 0; c < VC_COUNT; c++)
		p += (size_t)r->fitted[c];
	size_t n = r->observations;
	gsl_matrix *x = gsl_matrix_calloc(n, p), *cov = gsl_matrix_alloc(p, p);
	gsl_vector *w = gsl_vector_alloc(n), *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
	gsl_multifit_linear_workspace *work = gsl_multifit_linear_alloc(n, p);
	build(d, r, x, w, y);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int status = gsl_multifit_wlinear(x, w, y, c, cov, &r->chi2, work);
	gsl_set_error_handler(old);
	int rc = 0;
	if (status != GSL_SUCCESS)
		rc = vr_diag_at(diag, (vr_where){d->dir, 0, 0}, "found a least-squares problem GSL cannot solve (%s), expected round trips to fit: no overlay written",
				gsl_strerror(status));
	if (rc == 0) {
		r->dof = (double)(n - p);
		r->scale = fmax(1.0, r->chi2 / r->dof);
		double tq = gsl_cdf_tdist_Pinv(0.5 + CONFIDENCE / 2, r->dof);
		for (int k = 0; k < VC_COUNT; k++)
			if (r->fitted[k])
				combine(r, c, cov, tq, 1u << k, &r->ns[k], &r->low[k], &r->high[k]);
		for (int t = 0; t < VX_COUNT; t++)
			if (fitted_test(d, (cal_vx_test)t))
				combine(r, c, cov, tq, ROWS[t], &r->fit[t], &r->fit_low[t], &r->fit_high[t]);
	}
	gsl_multifit_linear_free(work);
	gsl_vector_free(c);
	gsl_vector_free(y);
	gsl_vector_free(w);
	gsl_matrix_free(cov);
	gsl_matrix_free(x);
	return rc;
}

/* Model parameter K = SHARE x combination C (value and interval). */
static void set_param(cal_virt_result *r, int k, int c, double share, const char *how)
{
	int id = mdl_param_lookup(PARAMS[k]);
	r->param_set[k] = 1;
	r->param_ns[k] = share * r->ns[c];
	r->param_low[k] = share * r->low[c];
	r->param_high[k] = share * r->high[c];
	r->calibrated.value[id] = r->param_ns[k];
	snprintf(r->param_how[k], sizeof r->param_how[k], "%s", how);
}

/* The fitted combinations into the model's parameters (virt_fit.h). */
static void assign(cal_virt_result *r)
{
	double e = r->base.value[mdl_param_lookup(PARAMS[P_EXIT])], n = r->base.value[mdl_param_lookup(PARAMS[P_ENTRY])];
	double t = r->base.value[mdl_param_lookup(PARAMS[P_DISPATCH])];
	char how[256];
	if (!r->doorbell_whole) {
		double s = e + n > 0 ? e / (e + n) : 0.5;
		snprintf(how, sizeof how, "%.0f%% of the hypercall round trip exit_entry (the preset's exit:entry split; the data see only their sum)", 100 * s);
		set_param(r, P_EXIT, VC_EXIT_ENTRY, s, how);
		snprintf(how, sizeof how, "%.0f%% of the hypercall round trip exit_entry (the preset's exit:entry split; the data see only their sum)", 100 * (1 - s));
		set_param(r, P_ENTRY, VC_EXIT_ENTRY, 1 - s, how);
		set_param(r, P_DISPATCH, VC_MMIO_DISPATCH, 1.0, "mmio_kernel minus the hypercall round trip");
	} else {
		double sum = e + n + t;
		double share[3] = {sum > 0 ? e / sum : 1.0 / 3, sum > 0 ? t / sum : 1.0 / 3, sum > 0 ? n / sum : 1.0 / 3};
		for (int k = P_EXIT; k <= P_ENTRY; k++) {
			snprintf(how, sizeof how, "%.0f%% of the whole doorbell round trip mmio_kernel (the preset's exit:dispatch:entry proportions; without a hypercall test the data see only their sum)",
				 100 * share[k]);
			set_param(r, k, VC_MMIO_DISPATCH, share[k], how);
		}
	}
	if (r->fitted[VC_INJECTION])
		set_param(r, P_INJECTION, VC_INJECTION, 1.0, "irq_guest minus mmio_kernel (irqfd work item, kick, injection, entry; auto-EOI, so no EOI exit)");
}

/* Each test's median and its distribution-free 95% interval. */
static void medians(const cal_vx_dataset *d, cal_virt_result *r)
{
	for (int t = 0; t < VX_COUNT; t++) {
		if (!d->present[t])
			continue;
		vmx_summary s;
		vmx_summarise(d->ns[t], d->count[t], &s);
		r->median[t] = s.median;
		r->median_low[t] = s.median_low;
		r->median_high[t] = s.median_high;
	}
}

int cal_virt_fit(const cal_vx_dataset *d, const char *preset, cal_virt_result *out, vr_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (!d->present[VX_MMIO_KERNEL])
		return vr_diag_at(diag, (vr_where){d->dir, 0, 0},
				  "found no mmio_kernel test, expected the doorbell round trip (an MMIO write matched by an ioeventfd) the virt.* parameters rest on");
	if (load_base(preset, out, diag) != 0)
		return -1;
	out->doorbell_whole = !d->present[VX_HYPERCALL];
	out->emulated_per_doorbell = d->emulated[VX_MMIO_KERNEL];
	for (int t = 0; t < VX_COUNT; t++)
		if (fitted_test(d, (cal_vx_test)t)) {
			out->fitted[ADDS[t]] = 1;
			out->observations += CAL_VX_BLOCKS;
		}
	medians(d, out);
	if (solve(d, out, diag) != 0)
		return -1;
	static const int modelled[] = {VC_EXIT_ENTRY, VC_MMIO_DISPATCH, VC_INJECTION};
	for (size_t i = 0; i < sizeof modelled / sizeof modelled[0]; i++) {
		int k = modelled[i];
		if (out->fitted[k] && !(out->ns[k] > 0))
			return vr_diag_at(diag, (vr_where){d->dir, 0, 0},
					  "found the combination %s fitted to %.1f ns, expected a cost above zero (a round trip cheaper than the one it builds on: %s)",
					  cal_vx_combo_names[k], out->ns[k],
					  k == VC_MMIO_DISPATCH ? "mmio_kernel below hypercall" : k == VC_INJECTION ? "irq_guest below mmio_kernel" : "hypercall");
	}
	assign(out);
	return 0;
}

/* ---- reports --------------------------------------------------------- */

/* What the model makes of test T's round trip, for people. */
static const char *composition(cal_vx_test t)
{
	switch (t) {
	case VX_HYPERCALL: return "virt.vm_exit + virt.vm_entry";
	case VX_MMIO_KERNEL: return "virt.vm_exit + virt.trap_dispatch + virt.vm_entry (a doorbell)";
	case VX_IRQ_GUEST: return "a doorbell + virt.interrupt_injection";
	case VX_PIO_KERNEL: return "no mechanism (a PIO doorbell)";
	case VX_MMIO_USER:
	case VX_PIO_USER: return "no mechanism (a device model in user space)";
	case VX_IRQ_HOST: return "not fitted: the host's eventfd write and wake-ups are in it";
	default: return "";
	}
}

static void report_measured(const cal_vx_dataset *d, FILE *out)
{
	fprintf(out, " %-12s %9s %11s %11s %15s %11s %13s %9s %11s\n", "#round trip", "#samples", "t_min[usec]", "t_max[usec]",
		"t_typical[usec]", "t_avg[usec]", "t_stdev[usec]", "99%[usec]", "99.9%[usec]");
	for (int t = 0; t < VX_COUNT; t++) {
		if (!d->present[t])
			continue;
		vmx_summary s;
		vmx_summarise(d->ns[t], d->count[t], &s);
		fprintf(out, " %-12s %9zu %11.3f %11.3f %15.3f %11.3f %13.3f %9.3f %11.3f\n", cal_vx_test_names[t], s.n, s.min / 1e3,
			s.max / 1e3, s.median / 1e3, s.mean / 1e3, s.stdev / 1e3, s.p99 / 1e3, s.p999 / 1e3);
	}
}

static void report_fit(const cal_vx_dataset *d, const cal_virt_result *r, FILE *out)
{
	fprintf(out, "\n %-12s %-27s %-27s %s\n", "round trip", "measured median [95%] us", "fitted [95%] us", "the model");
	for (int t = 0; t < VX_COUNT; t++) {
		if (!d->present[t])
			continue;
		char measured[64], fitted[64] = "-";
		snprintf(measured, sizeof measured, "%.3f [%.3f, %.3f]", r->median[t] / 1e3, r->median_low[t] / 1e3, r->median_high[t] / 1e3);
		if (fitted_test(d, (cal_vx_test)t))
			snprintf(fitted, sizeof fitted, "%.3f [%.3f, %.3f]", r->fit[t] / 1e3, r->fit_low[t] / 1e3, r->fit_high[t] / 1e3);
		fprintf(out, " %-12s %-27s %-27s %s\n", cal_vx_test_names[t], measured, fitted, composition((cal_vx_test)t));
	}
}

static void report_combos(const cal_virt_result *r, FILE *out)
{
	static const char *const meaning[VC_COUNT] = {
		"hypercall: exit + entry (+ KVM's answer)", "mmio_kernel - hypercall: decode, ioeventfd",
		"pio_kernel - hypercall", "mmio_user - mmio_kernel: to user space and back",
		"pio_user - pio_kernel", "irq_guest - mmio_kernel: irqfd to the guest's handler"};
	fprintf(out, "\n %-15s %10s   %-22s %s\n", "combination", "ns", "95% interval", "what");
	for (int k = 0; k < VC_COUNT; k++) {
		if (!r->fitted[k])
			continue;
		const char *what = k == VC_MMIO_DISPATCH && r->doorbell_whole ? "mmio_kernel: the whole doorbell (no hypercall test)"
					 : k == VC_PIO_DISPATCH && r->doorbell_whole ? "pio_kernel: the whole PIO doorbell" : meaning[k];
		fprintf(out, " %-15s %10.1f   [%8.1f, %8.1f]   %s\n", cal_vx_combo_names[k], r->ns[k], r->low[k], r->high[k], what);
	}
}

static void report_params(const cal_virt_result *r, FILE *out)
{
	fprintf(out, "\n %-26s %10s %12s   %-22s %s\n", "calibrated parameter", "preset ns", "calibrated", "95% interval", "from");
	for (int k = 0; k < CAL_VX_MODEL_PARAMS; k++) {
		int id = mdl_param_lookup(PARAMS[k]);
		if (!r->param_set[k]) {
			fprintf(out, " %-26s %10.1f %12s   %-22s %s\n", PARAMS[k], r->base.value[id], "(kept)", "", "no test measured it");
			continue;
		}
		fprintf(out, " %-26s %10.1f %12.1f   [%8.1f, %8.1f]   %s\n", PARAMS[k], r->base.value[id], r->param_ns[k], r->param_low[k],
			r->param_high[k], r->param_how[k]);
	}
}

void cal_virt_report(const cal_vx_dataset *d, const cal_virt_result *r, FILE *out)
{
	fprintf(out, "VM-exit round trips (%s) against the virt model on preset %s: %zu observations (%d block medians per test), %zu combinations\n",
		d->dir, r->preset, r->observations, CAL_VX_BLOCKS, r->observations / CAL_VX_BLOCKS);
	if (d->host[0])
		fprintf(out, "measured on: %s\n", d->host);
	if (d->emulated[VX_MMIO_KERNEL] >= 2)
		fprintf(out, "caution: KVM emulated %.3g instructions and counted %.3g exits per mmio_kernel round trip: the guest ran in KVM's\n"
			     "instruction emulator, not on the CPU, so these round trips time the emulator, not hardware exits\n",
			d->emulated[VX_MMIO_KERNEL], d->exits[VX_MMIO_KERNEL]);
	fprintf(out, "\n");
	report_measured(d, out);
	report_fit(d, r, out);
	report_combos(r, out);
	report_params(r, out);
	fprintf(out, "\n chi^2 %.3g on %.0f degrees of freedom: each test adds one combination, so the fit is exact up to the scatter of\n"
		     " its block medians (chi^2 is %d per test by construction); the intervals say how well each median reproduces in the run\n",
		r->chi2, r->dof, CAL_VX_BLOCKS - 1);
	fprintf(out, " Told apart: %s, the injection, the user-space trips.\n",
		r->doorbell_whole ? "the whole doorbell (exit + dispatch + entry)" : "the hypercall round trip (exit + entry), the doorbell's dispatch");
	fprintf(out, " Not told apart: virt.vm_exit from virt.vm_entry (only their sum: split as the preset splits it)%s;\n",
		r->doorbell_whole ? ", nor from virt.trap_dispatch (no hypercall test)" : "");
	fprintf(out, " not measured: virt.eoi_exit (auto-EOI), virt.posted_*, virt.vcpu_wakeup, virt.halt_poll (the guest never halts), virt.timer_tick_*.\n");
}

void cal_virt_write_overlay(const cal_virt_result *r, const char *input, FILE *out)
{
	fprintf(out, "# Calibration overlay written by vrdmasim %s calibrate --model virt.\n", PACKAGE_VERSION);
	fprintf(out, "# Name it in a scenario (calibration: THIS_FILE): its values replace the preset's.\n");
	fprintf(out, "# It describes the host the dataset was measured on (see its metadata.yaml), not any preset's hardware.\n");
	if (r->emulated_per_doorbell >= 2)
		fprintf(out, "# KVM emulated %.3g instructions per doorbell round trip there: its guest ran in KVM's instruction emulator.\n",
			r->emulated_per_doorbell);
	fprintf(out, "calibration: virt\n");
	fprintf(out, "description: \"virt.* parameters fitted to VM-exit round trips by weighted linear least squares (GSL)\"\n");
	fprintf(out, "dataset: ");
	vr_yaml_quoted(out, input);
	fprintf(out, "\nbase_preset: %s\n", r->preset);
	fprintf(out, "fit: {observations: %zu, chi2: %.6g, dof: %.0f", r->observations, r->chi2, r->dof);
	for (int k = 0; k < VC_COUNT; k++)
		if (r->fitted[k])
			fprintf(out, ", %s_ns: %.6g, %s_95: [%.6g, %.6g]", cal_vx_combo_names[k], r->ns[k], cal_vx_combo_names[k], r->low[k], r->high[k]);
	fprintf(out, "}\nparameters:\n");
	for (int k = 0; k < CAL_VX_MODEL_PARAMS; k++) {
		if (!r->param_set[k])
			continue;
		fprintf(out, "  %s:\n    value: %.6gns\n    source: ", PARAMS[k], r->param_ns[k]);
		char source[1024];
		snprintf(source, sizeof source, "calibrated: %s = %.1f ns (95%% CI %.1f-%.1f); fit of %zu block medians of %s",
			 r->param_how[k], r->param_ns[k], r->param_low[k], r->param_high[k], r->observations, input);
		vr_yaml_quoted(out, source);
		fprintf(out, "\n");
	}
}
