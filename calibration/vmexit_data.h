/*
 * vmexit_data.h - a VM-exit dataset as calibration/measure-vmexits writes
 * it, read for `vrdmasim calibrate DATASET --model virt`.
 *
 *   DIR/metadata.yaml       `format: vrdmasim-vmexits-1`; `tests:` lists each
 *                           test run ({name, clock, file, includes}); the rest
 *                           (host, kernel, nested, load, placement) is for people
 *   DIR/samples/TEST.csv    one round trip per line under the header
 *                           `tsc_cycles,round_trip_ns` (guest-timed tests) or
 *                           `round_trip_ns` (irq_host, timed by the host)
 * Every error is located (FILE:LINE:COL: found X, expected Y): another
 * format (a perftest dataset), an unknown test, a wrong header, a field
 * that is not a finite number above zero or beyond a second, too few
 * samples for a test (CAL_VX_SAMPLES_MIN).
 */
#ifndef CAL_VMEXIT_DATA_H
#define CAL_VMEXIT_DATA_H

#include <stddef.h>

#include "input/diag.h"

typedef enum cal_vx_test {
	VX_HYPERCALL, VX_PIO_KERNEL, VX_MMIO_KERNEL, VX_PIO_USER, VX_MMIO_USER, VX_IRQ_GUEST, VX_IRQ_HOST, VX_COUNT
} cal_vx_test;

extern const char *const cal_vx_test_names[VX_COUNT + 1];

/* The format a dataset's metadata.yaml names. */
#define CAL_VX_FORMAT "vrdmasim-vmexits-1"
/* The samples files' header lines: guest-timed tests, host-timed tests. */
#define CAL_VX_HEADER_GUEST "tsc_cycles,round_trip_ns"
#define CAL_VX_HEADER_HOST "round_trip_ns"

/* A test needs this many round trips: the fit takes the medians of ten
 * blocks of them, each of at least ten. */
enum { CAL_VX_SAMPLES_MIN = 100, CAL_VX_PATH_MAX = 1100 };

typedef struct cal_vx_dataset {
	char dir[1024];                        /* as given */
	int present[VX_COUNT];                 /* listed in metadata.yaml and read */
	double *ns[VX_COUNT];                  /* round trips, ns, in the order measured (owned) */
	size_t count[VX_COUNT];
	char file[VX_COUNT][CAL_VX_PATH_MAX];  /* each test's samples file, for messages */
	char host[256];                        /* "nested: true, kvm_vendor_module: kvm_pvm, cpu_model: ..." as given, for provenance */
	double emulated[VX_COUNT];             /* instructions KVM emulated per round trip (metadata's
	                                          kvm_vcpu_stats_per_round_trip.insn_emulation); NAN if not recorded */
	double exits[VX_COUNT];                /* the same for KVM's exit counter */
} cal_vx_dataset;

/* Read the dataset folder DIR into D (zeroed first).  Returns 0; -1 with
 * DIAG (D then holds nothing to free). */
int cal_vx_load(const char *dir, cal_vx_dataset *d, vr_diag *diag);

void cal_vx_free(cal_vx_dataset *d);

#endif
