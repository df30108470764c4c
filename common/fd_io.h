/*
 * common/fd_io.h -- whole reads and writes on a file descriptor.
 *
 * read(2) and write(2) may move fewer bytes than asked (pipes, signals,
 * full disks); these loop until all of them moved, retrying EINTR.
 * Contract: 0 when every byte moved, else an errno value: the call's own,
 * or EIO when write moved nothing or read met the end of the file first.
 */
#ifndef COMMON_FD_IO_H
#define COMMON_FD_IO_H

#include <stddef.h>

int fd_write_all(int fd, const void *data, size_t length);
int fd_read_all(int fd, void *data, size_t length);

#endif
