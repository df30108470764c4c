/*
 * vrdma/device/ring.h -- ring index arithmetic shared by guest and backend.
 *
 * A ring of `size` slots (a power of two) has a producer index and a consumer
 * index, each running modulo 2 x size: the extra bit tells a full ring
 * (indices differ by exactly size) from an empty one (indices equal).  The
 * indices live in guest memory, so the backend must treat what it reads as
 * untrusted: vring_index_ok() first, then vring_used() <= size.
 *
 * The producer publishes with a release store after writing the slot; the
 * consumer reads the index with an acquire load before reading the slot.
 */
#ifndef VRDMA_RING_H
#define VRDMA_RING_H

#include <stdint.h>

static inline int vring_size_ok(uint32_t size)
{
	return size != 0 && (size & (size - 1)) == 0 && size <= (1u << 30);
}

static inline int vring_index_ok(uint32_t index, uint32_t size)
{
	return index < 2u * size;
}

static inline uint32_t vring_used(uint32_t prod, uint32_t cons, uint32_t size)
{
	return (prod - cons) & (2u * size - 1u);
}

static inline uint32_t vring_next(uint32_t index, uint32_t size)
{
	return (index + 1u) & (2u * size - 1u);
}

static inline uint32_t vring_slot(uint32_t index, uint32_t size)
{
	return index & (size - 1u);
}

static inline uint32_t vring_load(const uint32_t *index)
{
	return __atomic_load_n(index, __ATOMIC_ACQUIRE);
}

static inline void vring_store(uint32_t *index, uint32_t value)
{
	__atomic_store_n(index, value, __ATOMIC_RELEASE);
}

#endif
