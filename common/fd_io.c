/*
 * common/fd_io.c -- whole reads and writes on a file descriptor.
 */
#include "common/fd_io.h"

#include <errno.h>
#include <unistd.h>

int fd_write_all(int fd, const void *data, size_t length)
{
	const char *p = data;
	while (length > 0) {
		ssize_t n = write(fd, p, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		p += n;
		length -= (size_t)n;
	}
	return 0;
}

int fd_read_all(int fd, void *data, size_t length)
{
	char *p = data;
	while (length > 0) {
		ssize_t n = read(fd, p, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;   /* the end of the file came first */
		p += n;
		length -= (size_t)n;
	}
	return 0;
}
