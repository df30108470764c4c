/*
 * virt_fit.h - the model's virt.* parameters from VM-exit round trips
 * (calibration/vmexit_data.h), by weighted linear least squares.
 *
 * What each measured round trip is made of, as the model composes a
 * doorbell (doorbell_trap + trap_dispatch + vm_entry in models/options/):
 *   hypercall    X                 X = virt.vm_exit + virt.vm_entry
 *   mmio_kernel  X + Dm            Dm = virt.trap_dispatch (an MMIO doorbell's decode and dispatch)
 *   pio_kernel   X + Dp            Dp: a PIO doorbell's; no mechanism uses it
 *   mmio_user    X + Dm + Um       Um: the trip to the VMM in user space and back; no mechanism uses it
 *   pio_user     X + Dp + Up       Up: the same for PIO
 *   irq_guest    X + Dm + I        I = virt.interrupt_injection (through an irqfd, auto-EOI: no EOI exit)
 *   irq_host     reported, not fitted: the host's eventfd write and wake-ups are in it
 * Each combination is fitted only when a test shows it.  Without the
 * hypercall test, X cannot be told from Dm and Dp: Dm then stands for the
 * whole doorbell (X + Dm), and the three model parameters are split in the
 * base preset's proportions.  With it, X is split into exit and entry in
 * the base preset's proportion: no measurement here sees them apart.
 *
 * Observations: each test's round trips cut into CAL_VX_BLOCKS blocks in
 * the order measured; the median of each block is one observation,
 * weighed by the spread of its test's block medians (so the intervals say
 * how well a median reproduces within the run).  Intervals are 95%
 * (Student t on the residual degrees of freedom), the covariance scaled
 * by the residual variance when that exceeds 1 per degree.  A combination
 * fitted below zero (a test cheaper than the one it builds on) is refused.
 */
#ifndef CAL_VIRT_FIT_H
#define CAL_VIRT_FIT_H

#include <stdio.h>

#include "calibration/vmexit_data.h"
#include "models/params.h"

typedef enum cal_vx_combo { VC_EXIT_ENTRY, VC_MMIO_DISPATCH, VC_PIO_DISPATCH, VC_MMIO_USER, VC_PIO_USER, VC_INJECTION, VC_COUNT } cal_vx_combo;

extern const char *const cal_vx_combo_names[VC_COUNT + 1];

enum { CAL_VX_BLOCKS = 10, CAL_VX_MODEL_PARAMS = 4 };

typedef struct cal_virt_result {
	char preset[64];
	int fitted[VC_COUNT];                      /* shown by a test, fitted */
	double ns[VC_COUNT], low[VC_COUNT], high[VC_COUNT];   /* each combination, ns, 95% interval */
	int doorbell_whole;                        /* no hypercall: VC_MMIO_DISPATCH is X + Dm */
	double emulated_per_doorbell;              /* instructions KVM emulated per mmio_kernel round trip; NAN unknown */
	size_t observations;
	double chi2, dof, scale;                   /* scale: the covariance's factor (>= 1) */
	/* per test: measured median and its 95% interval (order statistics),
	 * the fit's value and its 95% interval, ns */
	double median[VX_COUNT], median_low[VX_COUNT], median_high[VX_COUNT];
	double fit[VX_COUNT], fit_low[VX_COUNT], fit_high[VX_COUNT];
	/* the model's parameters the fit sets, their shares and intervals */
	int param_set[CAL_VX_MODEL_PARAMS];
	double param_ns[CAL_VX_MODEL_PARAMS], param_low[CAL_VX_MODEL_PARAMS], param_high[CAL_VX_MODEL_PARAMS];
	char param_how[CAL_VX_MODEL_PARAMS][256];  /* how it was derived, for the overlay's source */
	mdl_params base, calibrated;
} cal_virt_result;

/* Fit D on the preset PRESET (name or path: the proportions and the
 * report's "preset" column).  Returns 0; -1 with DIAG (no doorbell test,
 * a negative combination, a preset that does not load). */
int cal_virt_fit(const cal_vx_dataset *d, const char *preset, cal_virt_result *out, vr_diag *diag);

/* The measured round trips perftest-style, against the fit, the fitted
 * combinations and the calibrated parameters, what the data cannot tell
 * apart. */
void cal_virt_report(const cal_vx_dataset *d, const cal_virt_result *r, FILE *out);

/* The overlay a scenario names with `calibration: FILE`; INPUT (the
 * dataset path) is its provenance. */
void cal_virt_write_overlay(const cal_virt_result *r, const char *input, FILE *out);

#endif
