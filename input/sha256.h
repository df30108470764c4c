/*
 * sha256.h - SHA-256 (FIPS 180-4) of a buffer, as `sha256sum` prints it:
 * results record the content hash of the files that shaped them (a
 * calibration overlay, the scenario), so that a reader can tell whether the
 * file they hold is the one that was used.
 */
#ifndef VR_SHA256_H
#define VR_SHA256_H

#include <stddef.h>

enum { VR_SHA256_BYTES = 32, VR_SHA256_HEX_BYTES = 2 * VR_SHA256_BYTES + 1 };

/* The digest of LENGTH bytes at DATA as 64 lowercase hex digits and a NUL. */
void vr_sha256_hex(const void *data, size_t length, char hex[VR_SHA256_HEX_BYTES]);

#endif
