/*
 * vrdma/device/abi.h -- the paravirtual RDMA device as the guest sees it.
 *
 * This is the contract between the guest driver (vrdma/guest) and the device
 * backend (vrdma/backend), modelled on the VMware paravirtual RDMA device
 * (Linux's vmw_pvrdma) but defined here from scratch:
 *
 *   Guest memory   one memfd; guest-physical address (GPA) = offset in it;
 *                  4 KiB pages.  Every object that lives in guest memory
 *                  (rings, regions) is described by a two-level page
 *                  directory (device/page_dir.h).
 *   Registers      a small register file.  Every write is a trap (a VM exit):
 *                  the hypervisor's trap handler queues it for the backend
 *                  and kicks an eventfd, as KVM's ioeventfd does.
 *   UAR page       doorbells: "QP has new send/receive WQEs", "arm CQ".
 *                  Writes trap like register writes.
 *   DSR            the device shared region, a guest page whose GPA the driver
 *                  writes to DSR_LOW/DSR_HIGH: where the command slots and the
 *                  event rings are, and (written by the device) its limits.
 *   Commands       one request slot and one response slot (a page each).  The
 *                  driver fills the request, writes REQUEST; the device
 *                  executes it, fills the response, sets ERR and raises
 *                  interrupt vector 0.
 *   Rings          producer/consumer indices that carry a wrap bit: an index
 *                  runs modulo 2 x size, so full (indices differ by size) and
 *                  empty (indices equal) are told apart without a spare slot.
 *   Interrupts     eventfds, as KVM's irqfd: vector 0 command done, vector 1
 *                  async event, vector 2 CQ notification.  A CQ notification
 *                  interrupt is raised only when the CQ was armed.
 *
 * All fields are little-endian fixed-width integers.  Everything the guest
 * writes is untrusted by the backend.
 */
#ifndef VRDMA_DEVICE_ABI_H
#define VRDMA_DEVICE_ABI_H

#include <stdint.h>

#define VRDMA_ABI_VERSION 1u
#define VRDMA_PAGE_BYTES 4096u
#define VRDMA_PAGE_SHIFT 12u

/* ---- registers (offsets in the register file) ---- */
enum vrdma_register {
	VRDMA_REG_VERSION = 0x00,  /* read: VRDMA_ABI_VERSION */
	VRDMA_REG_DSR_LOW = 0x04,  /* write: DSR GPA, low 32 bits */
	VRDMA_REG_DSR_HIGH = 0x08, /* write: DSR GPA, high 32 bits */
	VRDMA_REG_CTL = 0x0c,      /* write: VRDMA_CTL_* */
	VRDMA_REG_REQUEST = 0x10,  /* write: any value; a command is in the request slot */
	VRDMA_REG_ERR = 0x14,      /* read: 0, or errno of the last command or activation */
	VRDMA_REG_IMR = 0x18,      /* write: interrupt mask, bit per vector (1 = masked) */
	VRDMA_REG_FILE_BYTES = 0x1c
};

enum vrdma_ctl {
	VRDMA_CTL_ACTIVATE = 1, /* read the DSR, fill its caps, start serving */
	VRDMA_CTL_RESET = 2     /* destroy every object of this device */
};

/* ---- UAR doorbells (offsets in the UAR page) ---- */
enum vrdma_uar {
	VRDMA_UAR_QP = 0x00, /* value: QP handle | VRDMA_UAR_QP_SEND and/or _RECV */
	VRDMA_UAR_CQ = 0x04  /* value: CQ handle | VRDMA_UAR_CQ_ARM [| _SOLICITED] or _POLL */
};
#define VRDMA_UAR_HANDLE_MASK 0x00ffffffu
#define VRDMA_UAR_QP_SEND (1u << 30)
#define VRDMA_UAR_QP_RECV (1u << 31)
#define VRDMA_UAR_CQ_ARM (1u << 29)
#define VRDMA_UAR_CQ_ARM_SOLICITED (1u << 30)
#define VRDMA_UAR_CQ_POLL (1u << 31)

/* ---- interrupt vectors ---- */
enum vrdma_vector {
	VRDMA_VECTOR_COMMAND = 0,
	VRDMA_VECTOR_ASYNC = 1,
	VRDMA_VECTOR_CQ_NOTIFY = 2,
	VRDMA_VECTOR_COUNT = 3
};

/* ---- ring indices ---- */
/* Lives at the start of a ring's first page.  The producer writes
 * prod_tail, the consumer cons_head; each index is in [0, 2 x size). */
struct vrdma_ring_state {
	uint32_t prod_tail;
	uint32_t cons_head;
};

/* A page directory: GPA of the directory page, and how many data pages it
 * maps.  See device/page_dir.h. */
struct vrdma_pdir_ref {
	uint64_t dir_gpa;
	uint32_t page_count;
	uint32_t reserved;
};

/* ---- device shared region (one guest page) ---- */
struct vrdma_caps {
	uint32_t device_id;        /* this guest's device number on its host (trace ids) */
	uint32_t max_qp, max_cq, max_mr, max_pd;
	uint32_t max_qp_wr, max_sge, max_cqe, max_inline_bytes;
	uint32_t port_lid;         /* the host's address (the soft HCA: its UDP port) */
	uint32_t active_mtu_bytes;
	uint32_t gid_index;        /* the GID peers should use as dgid (RoCE) */
	uint64_t max_mr_bytes;
	uint64_t node_guid;
};

struct vrdma_dsr {
	uint32_t driver_version;   /* guest: VRDMA_ABI_VERSION */
	uint32_t reserved;
	uint64_t request_slot_gpa; /* guest: one page */
	uint64_t response_slot_gpa;/* guest: one page */
	struct vrdma_pdir_ref async_ring;  /* guest: ring of struct vrdma_async_event */
	struct vrdma_pdir_ref notify_ring; /* guest: ring of struct vrdma_cq_notification */
	struct vrdma_caps caps;    /* device, on ACTIVATE */
};

/* Event rings: page 0 holds struct vrdma_ring_state, entries follow from
 * page 1; entry count = (page_count - 1) x entries per page. */
struct vrdma_async_event {
	uint32_t type;   /* enum ibv_event_type */
	uint32_t handle; /* QP or CQ handle, or 0 for the device */
};
struct vrdma_cq_notification {
	uint32_t cq_handle;
	uint32_t reserved;
};

/* ---- commands ---- */
enum vrdma_command {
	VRDMA_CMD_QUERY_PORT = 1,
	VRDMA_CMD_CREATE_PD,
	VRDMA_CMD_DESTROY_PD,
	VRDMA_CMD_CREATE_MR,
	VRDMA_CMD_DESTROY_MR,
	VRDMA_CMD_CREATE_CQ,
	VRDMA_CMD_DESTROY_CQ,
	VRDMA_CMD_CREATE_QP,
	VRDMA_CMD_MODIFY_QP,
	VRDMA_CMD_QUERY_QP,
	VRDMA_CMD_DESTROY_QP,
	VRDMA_CMD_QUERY_GID,
	VRDMA_CMD_COUNT_
};
#define VRDMA_RESPONSE_ACK 0x80000000u /* response.ack = command | this */

struct vrdma_cmd_header {
	uint64_t token;   /* echoed in the response */
	uint32_t command; /* enum vrdma_command */
	uint32_t reserved;
};

struct vrdma_resp_header {
	uint64_t token;
	uint32_t ack;     /* command | VRDMA_RESPONSE_ACK */
	uint32_t err;     /* 0 or errno */
};

/* Queue pair attributes as the device takes them (a fixed layout of what
 * ibv_qp_attr carries for RC). */
struct vrdma_qp_attr {
	uint32_t qp_state, cur_qp_state, path_mtu, qp_access_flags;
	uint32_t pkey_index, port_num, dest_qp_num, rq_psn, sq_psn;
	uint32_t max_rd_atomic, max_dest_rd_atomic, min_rnr_timer, timeout, retry_cnt, rnr_retry;
	uint32_t dlid, sl, reserved;
	uint32_t is_global, sgid_index, hop_limit, flow_label; /* the GRH (RoCE) */
	uint8_t dgid[16];
	uint32_t max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline_data, reserved2;
};

union vrdma_request {
	struct vrdma_cmd_header hdr;
	struct { struct vrdma_cmd_header hdr; uint32_t port_num, reserved; } query_port;
	struct { struct vrdma_cmd_header hdr; } create_pd;
	struct { struct vrdma_cmd_header hdr; uint32_t pd_handle, reserved; } destroy_pd;
	struct {
		struct vrdma_cmd_header hdr;
		uint64_t iova, length_bytes;
		uint32_t pd_handle, access_flags;
		struct vrdma_pdir_ref pages; /* the region's pages; first byte at iova % 4096 in page 0 */
	} create_mr;
	struct { struct vrdma_cmd_header hdr; uint32_t mr_handle, reserved; } destroy_mr;
	struct {
		struct vrdma_cmd_header hdr;
		uint32_t cqe_count, reserved; /* power of two */
		struct vrdma_pdir_ref ring;   /* page 0 ring state, then CQEs */
	} create_cq;
	struct { struct vrdma_cmd_header hdr; uint32_t cq_handle, reserved; } destroy_cq;
	struct {
		struct vrdma_cmd_header hdr;
		uint32_t pd_handle, send_cq_handle, recv_cq_handle, sq_sig_all;
		uint32_t max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline_data;
		uint32_t sq_first_page; /* SQ slots start at this page; page 0 holds both ring states */
		uint32_t rq_first_page;
		uint32_t reserved;
		struct vrdma_pdir_ref pages;
	} create_qp;
	struct {
		struct vrdma_cmd_header hdr;
		uint32_t qp_handle, attr_mask;
		struct vrdma_qp_attr attr;
	} modify_qp;
	struct { struct vrdma_cmd_header hdr; uint32_t qp_handle, reserved; } query_qp;
	struct { struct vrdma_cmd_header hdr; uint32_t qp_handle, reserved; } destroy_qp;
	struct { struct vrdma_cmd_header hdr; uint32_t port_num, index; } query_gid;
	/* any DESTROY_*: the same layout as each one above */
	struct { struct vrdma_cmd_header hdr; uint32_t handle, reserved; } destroy;
};

union vrdma_response {
	struct vrdma_resp_header hdr;
	struct {
		struct vrdma_resp_header hdr;
		uint32_t state, max_mtu, active_mtu, lid, gid_tbl_len, max_msg_bytes;
		uint32_t link_layer, reserved;
	} query_port;
	struct { struct vrdma_resp_header hdr; uint32_t pd_handle, reserved; } create_pd;
	struct { struct vrdma_resp_header hdr; uint32_t mr_handle, lkey, rkey, reserved; } create_mr;
	struct { struct vrdma_resp_header hdr; uint32_t cq_handle, cqe_count; } create_cq;
	struct {
		struct vrdma_resp_header hdr;
		uint32_t qp_handle, qpn;
		uint32_t max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline_data, reserved;
	} create_qp;
	struct { struct vrdma_resp_header hdr; struct vrdma_qp_attr attr; } query_qp;
	struct { struct vrdma_resp_header hdr; uint8_t gid[16]; } query_gid;
};

/* ---- work queue entries ---- */
#define VRDMA_WQE_BYTES 256u
#define VRDMA_MAX_SGE 12u
#define VRDMA_MAX_INLINE_BYTES (VRDMA_MAX_SGE * 16u)

struct vrdma_sge {
	uint64_t addr;   /* iova in a region of this guest */
	uint32_t length;
	uint32_t lkey;
};

struct vrdma_send_wqe {
	uint64_t wr_id;
	uint32_t opcode;       /* enum ibv_wr_opcode: WRITE, WRITE_WITH_IMM, SEND, SEND_WITH_IMM, READ */
	uint32_t send_flags;   /* IBV_SEND_SIGNALED, _SOLICITED, _INLINE, _FENCE */
	uint32_t num_sge;
	uint32_t imm_data;     /* network order, as in ibv_send_wr */
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t inline_bytes; /* with IBV_SEND_INLINE: payload bytes stored in place of the SGEs */
	uint64_t reserved[3];
	union {
		struct vrdma_sge sge[VRDMA_MAX_SGE];
		uint8_t inline_data[VRDMA_MAX_INLINE_BYTES];
	} u;
};

struct vrdma_recv_wqe {
	uint64_t wr_id;
	uint32_t num_sge;
	uint32_t reserved;
	uint64_t reserved2[6];
	struct vrdma_sge sge[VRDMA_MAX_SGE];
};

struct vrdma_cqe {
	uint64_t wr_id;
	uint32_t qp_handle;
	uint32_t opcode;   /* enum ibv_wc_opcode */
	uint32_t status;   /* enum ibv_wc_status */
	uint32_t byte_len;
	uint32_t imm_data;
	uint32_t src_qp;
	uint32_t wc_flags;
	uint32_t vendor_err;
	uint64_t trace_op_id;  /* the work request's op id (vtrace_op_id), for traces only */
	uint64_t reserved[2];
};
#define VRDMA_CQE_BYTES 64u

/* Ring states in a QP's page 0. */
#define VRDMA_QP_SQ_STATE_OFFSET 0u
#define VRDMA_QP_RQ_STATE_OFFSET 64u

_Static_assert(sizeof(struct vrdma_send_wqe) == VRDMA_WQE_BYTES, "send WQE layout");
_Static_assert(sizeof(struct vrdma_recv_wqe) == VRDMA_WQE_BYTES, "receive WQE layout");
_Static_assert(sizeof(struct vrdma_cqe) == VRDMA_CQE_BYTES, "CQE layout");
_Static_assert(sizeof(union vrdma_request) <= VRDMA_PAGE_BYTES, "request fits its slot");
_Static_assert(sizeof(union vrdma_response) <= VRDMA_PAGE_BYTES, "response fits its slot");
_Static_assert(sizeof(struct vrdma_dsr) <= VRDMA_PAGE_BYTES, "DSR fits a page");

#endif
