/*
 * vrdma/host/state_file.h -- a moving guest's saved device state and memory
 * as files passed between processes (host/wire.h's SAVE, RESTORE, RESUME).
 *
 * Both are memfds.  The state is written once into a sealed memfd
 * (vhost_state_to_memfd) and read back with pread into a private buffer
 * (vhost_state_from_memfd), so whatever the guest does to the file after
 * handing it over, the destination parses a copy it alone holds.  A host
 * accepts only memfds from a guest: a pipe, a socket or a file on a slow
 * file system could make its reads block, and the host's one thread serves
 * every guest.
 */
#ifndef VRDMA_HOST_STATE_FILE_H
#define VRDMA_HOST_STATE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The largest saved state a host reads: at 8 bytes per registered page
 * this lists 8 Mi pages (32 GiB), more than any guest's memory here; the
 * buffer lives only while one restore runs, and restores run one at a
 * time on the host's thread. */
#define VHOST_MAX_STATE_BYTES (64u << 20)

/* A sealed memfd (no writes, no resizing) holding STATE.  0 and *fd, or an
 * errno with err filled. */
int vhost_state_to_memfd(const uint8_t *state, size_t bytes, int *fd, char *err, size_t err_bytes);

/* The whole of memfd FD (1..max_bytes) in a malloc'd copy: OUT *state,
 * *bytes.  Refused (EINVAL, err filled): not a memfd, empty, too large, or
 * shorter than it said while read. */
int vhost_state_from_memfd(int fd, uint64_t max_bytes, uint8_t **state, size_t *bytes, char *err,
			   size_t err_bytes);

/* 0 when FD is a memfd of at least MEMORY_BYTES, else EINVAL with err. */
int vhost_check_memory_file(int fd, uint64_t memory_bytes, char *err, size_t err_bytes);

#endif
