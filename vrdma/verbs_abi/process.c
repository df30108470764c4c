/*
 * vrdma/verbs_abi/process.c -- where this process's vRDMA device comes
 * from, and its one struct ibv_device.
 *
 * The device is made on first use (ibv_get_device_list), once per process:
 *   VRDMA_HOST=SOCKET  the process attaches as a VM of a separate host
 *                      process (attach_to_host_process, the one place that
 *                      call goes);
 *   unset              the library starts a private host inside the
 *                      process: a software HCA on a UDP port of 127.0.0.1
 *                      (its LID), a backend thread and one VM, as
 *                      vrdma-perf's --demo does for each side.  Two such
 *                      processes are two hosts talking over UDP.
 * The driver's context is opened at once, so the device's GUID is known
 * to ibv_get_device_guid; every ibv_open_device shares it.  At exit the
 * private host is torn down in order (device, VM, backend, HCA) and the
 * trace, if any, published.
 *
 * Environment (docs/verbs-abi.md): VRDMA_HOST, VRDMA_GUEST_MEMORY_BYTES,
 * VRDMA_UDP_PORT, VRDMA_MTU, VRDMA_BACKEND_POLL_US, VRDMA_VERBS_TRACE
 * (trace_config.c).
 */
#include "config.h"
#include "vrdma/verbs_abi/abi.h"
#include "vrdma/verbs_abi/trace_config.h"
#include "vrdma/backend/backend.h"
#include "vrdma/hca/hca.h"
#include "vrdma/host/attach.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sparse: a memfd costs only the pages the program registers or the
 * driver uses for rings, so the default can be generous. */
#define DEFAULT_GUEST_MEMORY_BYTES (1ull << 30)
#define MIN_GUEST_MEMORY_BYTES (16ull << 20)  /* rings, directories, the DSR */

struct vab_process {
	pthread_mutex_t lock;
	int tried;                  /* made (or failed to make) already */
	struct vhca *hca;           /* private host only */
	struct vbackend *backend;   /* private host only */
	struct vrdma_vm *vm;
	struct vtrace *trace;
	struct vrdma_context *driver;
	struct ibv_device device;
};

static struct vab_process proc = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static int parse_bytes(const char *text, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || text[0] == '-')
		return -1;
	unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	if (shift != 0)
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int env_number(const char *name, uint64_t lo, uint64_t hi, uint64_t fallback, uint64_t *out,
		      char *err, size_t err_bytes)
{
	const char *text = getenv(name);
	*out = fallback;
	if (text == NULL || text[0] == '\0')
		return 0;
	if (parse_bytes(text, out) != 0 || *out < lo || *out > hi) {
		snprintf(err, err_bytes, "%s='%s': expected a number from %" PRIu64 " to %" PRIu64, name,
			 text, lo, hi);
		return EINVAL;
	}
	return 0;
}

/* ---- the host process (VRDMA_HOST) ---- */

/* THE place where a guest process attaches to a separate host process:
 * vrdma_attach() (vrdma/host/attach.h) maps this VM's guest memory and
 * device pins from the vrdma-host behind `socket_path`. */
static int attach_to_host_process(const char *socket_path, uint64_t memory_bytes, struct vrdma_vm **out,
				  char *err, size_t err_bytes)
{
	char why[400];
	int rc = vrdma_attach(socket_path, memory_bytes, out, why, sizeof why);
	if (rc != 0)
		snprintf(err, err_bytes, "VRDMA_HOST=%s: %s", socket_path, why);
	return rc;
}

/* ---- the private host ---- */

static int start_private_host(uint64_t memory_bytes, char *err, size_t err_bytes)
{
	uint64_t port, mtu;
	uint64_t poll_us;
	int rc = env_number("VRDMA_UDP_PORT", 0, 65535, 0, &port, err, err_bytes);
	if (rc == 0)
		rc = env_number("VRDMA_BACKEND_POLL_US", 0, 1000000, VBACKEND_SERVE_POLL_US, &poll_us, err, err_bytes);
	if (rc == 0)
		rc = env_number("VRDMA_MTU", 256, 4096, 0, &mtu, err, err_bytes);
	if (rc == 0 && mtu != 0 && (mtu & (mtu - 1)) != 0) {
		snprintf(err, err_bytes, "VRDMA_MTU=%" PRIu64 ": expected 256, 512, 1024, 2048 or 4096", mtu);
		rc = EINVAL;
	}
	if (rc != 0)
		return rc;
	struct vhca_soft_config hc;
	vhca_soft_default_config(&hc);
	hc.udp_port = (uint16_t)port;
	if (mtu != 0)
		hc.mtu_bytes = (uint32_t)mtu;
	rc = vhca_soft_create(&hc, proc.trace, 1, &proc.hca, err, err_bytes);
	if (rc != 0)
		return rc;
	struct vbackend_config bc;
	vbackend_default_config(&bc);
	bc.hca = proc.hca;
	bc.trace = proc.trace;
	bc.host_id = 1;
	bc.poll_ns = poll_us * 1000u;
	rc = vbackend_start(&bc, &proc.backend, err, err_bytes);
	if (rc == 0)
		rc = vbackend_create_vm(proc.backend, memory_bytes, &proc.vm, err, err_bytes);
	return rc;
}

static void fill_device(void)
{
	struct ibv_device *d = &proc.device;
	d->node_type = IBV_NODE_CA;
	d->transport_type = IBV_TRANSPORT_IB;
	snprintf(d->name, sizeof d->name, "vrdma0");
	snprintf(d->dev_name, sizeof d->dev_name, "uverbs-vrdma0");
	snprintf(d->dev_path, sizeof d->dev_path, "/nonexistent/vrdma0");
	snprintf(d->ibdev_path, sizeof d->ibdev_path, "/nonexistent/vrdma0");
}

static void teardown(void)
{
	char err[512];
	if (proc.driver)
		vrdma_close_device(proc.driver);
	if (proc.vm && proc.backend)
		vbackend_destroy_vm(proc.backend, proc.vm);
	else if (proc.vm)
		vrdma_detach(proc.vm);   /* the host process destroys the VM */
	if (proc.backend)
		vbackend_stop(proc.backend);
	if (proc.hca)
		proc.hca->ops->destroy(proc.hca);
	/* Every thread that records is stopped: the trace is complete. */
	if (proc.trace && vtrace_close(proc.trace, err, sizeof err) != 0)
		fprintf(stderr, "vrdma: VRDMA_VERBS_TRACE: %s\n", err);
	proc.driver = NULL;
	proc.vm = NULL;
	proc.backend = NULL;
	proc.hca = NULL;
	proc.trace = NULL;
}

static int make_device(char *err, size_t err_bytes)
{
	uint64_t memory_bytes;
	int rc = env_number("VRDMA_GUEST_MEMORY_BYTES", MIN_GUEST_MEMORY_BYTES, 1ull << 40,
			    DEFAULT_GUEST_MEMORY_BYTES, &memory_bytes, err, err_bytes);
	const char *host = getenv("VRDMA_HOST");
	int private_host = host == NULL || host[0] == '\0';
	if (rc == 0)
		rc = vab_trace_open(private_host, &proc.trace, err, err_bytes);
	if (rc == 0)
		rc = private_host ? start_private_host(memory_bytes, err, err_bytes)
				  : attach_to_host_process(host, memory_bytes, &proc.vm, err, err_bytes);
	if (rc == 0 && !private_host)
		proc.vm->trace = proc.trace;   /* the guest's side; vrdma-host --trace records the device's */
	if (rc == 0 && (proc.driver = vrdma_open_device(proc.vm)) == NULL) {
		rc = errno ? errno : EIO;
		snprintf(err, err_bytes, "opening the vRDMA device: %s", strerror(rc));
	}
	if (rc != 0) {
		if (proc.trace) {
			vtrace_abandon(proc.trace);
			proc.trace = NULL;
		}
		teardown();
		return rc;
	}
	fill_device();
	atexit(teardown);
	return 0;
}

struct vrdma_context *vab_device_driver(void)
{
	static int failure;
	pthread_mutex_lock(&proc.lock);
	if (!proc.tried) {
		char err[512] = "";
		proc.tried = 1;
		failure = make_device(err, sizeof err);
		if (failure != 0)
			fprintf(stderr, "vrdma: no vRDMA device: %s\n", err);
	}
	struct vrdma_context *driver = proc.driver;
	pthread_mutex_unlock(&proc.lock);
	if (driver == NULL)
		errno = failure ? failure : ENODEV;
	return driver;
}

struct ibv_device *vab_device(void)
{
	return vab_device_driver() ? &proc.device : NULL;
}

struct vrdma_vm *vab_device_vm(void)
{
	return proc.vm;
}
