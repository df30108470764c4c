/*
 * vrdma/host/state_file.c -- saved state and guest memory as memfds.  See
 * state_file.h.
 */
#include "vrdma/host/state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only a memfd (shmem) answers F_GET_SEALS; every other file says EINVAL. */
static int is_memfd(int fd)
{
	return fcntl(fd, F_GET_SEALS) >= 0;
}

int vhost_state_to_memfd(const uint8_t *state, size_t bytes, int *fd, char *err, size_t err_bytes)
{
	int f = memfd_create("vrdma-saved-state", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (f < 0) {
		int e = errno;
		snprintf(err, err_bytes, "memfd_create: %s", strerror(e));
		return e;
	}
	for (size_t done = 0; done < bytes;) {
		ssize_t n = write(f, state + done, bytes - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			snprintf(err, err_bytes, "writing the saved state: %s", strerror(e));
			close(f);
			return e;
		}
		done += (size_t)n;
	}
	if (fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
		int e = errno;
		snprintf(err, err_bytes, "sealing the saved state: %s", strerror(e));
		close(f);
		return e;
	}
	*fd = f;
	return 0;
}

int vhost_state_from_memfd(int fd, uint64_t max_bytes, uint8_t **state, size_t *bytes, char *err,
			   size_t err_bytes)
{
	struct stat st;
	if (!is_memfd(fd) || fstat(fd, &st) != 0) {
		snprintf(err, err_bytes, "the saved state: found a file that is not a memfd, expected a memfd");
		return EINVAL;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > max_bytes) {
		snprintf(err, err_bytes, "the saved state: found %lld bytes, expected 1..%llu", (long long)st.st_size,
			 (unsigned long long)max_bytes);
		return EINVAL;
	}
	size_t want = (size_t)st.st_size;
	uint8_t *p = malloc(want);
	if (p == NULL) {
		snprintf(err, err_bytes, "out of memory for a saved state of %zu bytes", want);
		return ENOMEM;
	}
	size_t done = 0;
	while (done < want) {
		ssize_t n = pread(fd, p + done, want - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done != want) {
		snprintf(err, err_bytes, "the saved state: found %zu bytes when read, expected the %zu its size said",
			 done, want);
		free(p);
		return EINVAL;
	}
	*state = p;
	*bytes = want;
	return 0;
}

int vhost_check_memory_file(int fd, uint64_t memory_bytes, char *err, size_t err_bytes)
{
	struct stat st;
	if (!is_memfd(fd) || fstat(fd, &st) != 0) {
		snprintf(err, err_bytes, "the guest memory: found a file that is not a memfd, expected a memfd");
		return EINVAL;
	}
	if ((uint64_t)st.st_size < memory_bytes) {
		snprintf(err, err_bytes, "the guest memory: found a file of %lld bytes, expected at least %llu",
			 (long long)st.st_size, (unsigned long long)memory_bytes);
		return EINVAL;
	}
	return 0;
}
