/*
 * sha256.h - SHA-256 (FIPS 180-4), for the checksums of migrations.
 *
 * Self-contained so that a migration's checksum is computed the same way
 * before connecting as after, with no dependency beyond libc.  Not meant for
 * secrets: no effort is made to be constant-time.
 */
#ifndef LRT_STORE_SHA256_H
#define LRT_STORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LRT_SHA256_BYTES 32
#define LRT_SHA256_HEX_BYTES (2 * LRT_SHA256_BYTES + 1)  /* with the NUL */

typedef struct {
	uint32_t state[8];
	uint64_t length_bytes;     /* message bytes taken so far */
	unsigned char block[64];   /* a partial block */
	size_t block_bytes;
} lrt_sha256;

void lrt_sha256_init(lrt_sha256 *context);
void lrt_sha256_update(lrt_sha256 *context, const void *data, size_t size);
void lrt_sha256_final(unsigned char digest[LRT_SHA256_BYTES],
		      lrt_sha256 *context);

/* The digest of `size` bytes as 64 lower-case hex digits and a NUL. */
void lrt_sha256_hex(char hex[LRT_SHA256_HEX_BYTES], const void *data,
		    size_t size);

#endif
