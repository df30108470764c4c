/*
 * fit.h - calibrating the SoftRoCE model against measurements.
 *
 * The model is the option softroce-loopback (rxe between two processes of
 * one host over a loopback netdev, as the measurements are made) on a base
 * preset.  Its SoftRoCE parameters fall into groups, each scaled by one
 * factor k that the fit finds:
 *   fixed       per message: rxe.post_send, rxe.completer, rxe.defer (a READ's
 *               deferred responder: a scheduling delay, kernel code like the rest)
 *   per_packet  per packet:  rxe.requester, rxe.responder, net.tx_per_packet, net.rx_per_packet
 *   per_byte    per byte:    mem.copy_bandwidth, rxe.icrc_bandwidth (divided by k)
 * and, when asked (--fit ...,overlap), the value of cpu.side_overlap itself
 * (0..1: whether the two ends' per-packet work overlaps or takes turns on
 * shared CPUs; fitted through a logistic, so it stays in range).
 * and the measured RoCE MTU replaces eth.mtu while fitting (the overlay
 * carries the costs only: the MTU belongs to each scenario's network).  The model predicts each
 * point with its uncontended arithmetic: the one-way time of a latency
 * test (for READ, request plus response), and for a bandwidth test the
 * size over the busiest of the two CPUs and the link per message.
 * GSL's nonlinear least squares (trust region, Levenberg-Marquardt) fits
 * ln k, so factors stay positive, weighing each point by its measured
 * spread; confidence intervals are 95% (Student t), scaled by the residual
 * variance.  A fit that does not converge, whose groups the data cannot
 * tell apart (an ill-conditioned Jacobian), or that explains too little of
 * the measurements (R^2 under R_SQUARED_MIN in fit.c, with its reason) is
 * refused, not reported.
 */
#ifndef CAL_FIT_H
#define CAL_FIT_H

#include <stdio.h>

#include "calibration/dataset.h"
#include "models/params.h"

typedef enum cal_group { GROUP_FIXED, GROUP_PER_PACKET, GROUP_PER_BYTE, GROUP_OVERLAP, GROUP_COUNT } cal_group;

/* Fitted unless --fit says otherwise: the three cost factors. */
#define CAL_GROUPS_DEFAULT ((1u << GROUP_FIXED) | (1u << GROUP_PER_PACKET) | (1u << GROUP_PER_BYTE))

extern const char *const cal_group_names[GROUP_COUNT + 1];

typedef struct cal_fit_request {
	const char *preset;          /* base preset, name or path */
	unsigned groups;             /* bit per cal_group to fit; the others stay at 1 */
} cal_fit_request;

typedef struct cal_fit_result {
	char preset[64];
	size_t used;                 /* points fitted */
	size_t skipped;              /* points of another setting */
	size_t fitted_count;         /* parameters fitted */
	int fitted[GROUP_COUNT];
	int at_bound[GROUP_COUNT];   /* overlap: fitted to 0 or 1, then held there */
	double k[GROUP_COUNT], k_low[GROUP_COUNT], k_high[GROUP_COUNT];   /* 95% CI; overlap: the value */
	double chi2, dof, r_squared;
	size_t iterations;
	double mtu_bytes;            /* used for eth.mtu */
	int normalised;              /* the points were scaled to the reference workload's nominal speed */
	int use[CAL_POINTS_MAX];     /* point fitted? */
	double predicted[CAL_POINTS_MAX];
	mdl_params base, calibrated;
} cal_fit_result;

/* Fit REQUEST's groups to D's loopback points.  Returns 0; -1 with DIAG
 * (bad data, a fit that fails to converge, an ill-conditioned problem). */
int cal_fit(const cal_dataset *d, const cal_fit_request *request, cal_fit_result *out, vr_diag *diag);

/* The factors with their intervals, the calibrated parameters, the
 * residuals and R^2, for people. */
void cal_fit_report(const cal_dataset *d, const cal_fit_result *fit, FILE *out);

/* The preset overlay a scenario names with `calibration: FILE`; INPUTS
 * (the dataset paths, joined) are recorded as its provenance. */
void cal_fit_write_overlay(const cal_fit_result *fit, const char *inputs, FILE *out);

/* The fit for scripts and `vrdmasim plot` (JSON, "kind": "calibration"):
 * the factors, every point measured and fitted, and the fitted curve of
 * each test over its size range. */
void cal_fit_write_json(const cal_dataset *d, const cal_fit_result *fit, const char *inputs, FILE *out);

/* --fit's LIST ("per_packet,per_byte") into *GROUPS, a bit per cal_group.
 * Returns 0; -1 with DIAG for an unknown name or an empty item (",,," is
 * not the default groups). */
int cal_groups_parse(const char *list, unsigned *groups, vr_diag *diag);

/* The model's prediction for point P with PARAMS (exposed for tests). */
double cal_predict(const cal_point *p, const mdl_params *params);

#endif
