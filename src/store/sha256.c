/*
 * sha256.c - SHA-256 as FIPS 180-4 defines it (section 6.2), over whole
 * byte strings.  Migrations are small (kilobytes), so clarity wins over
 * speed here.
 */
#include <string.h>

#include "store/sha256.h"

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static uint32_t rotate_right(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block into the state (FIPS 180-4, 6.2.2). */
static void compress(uint32_t state[8], const unsigned char block[64])
{
	uint32_t w[64], v[8], t1, t2;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)block[4 * i] << 24 |
		       (uint32_t)block[4 * i + 1] << 16 |
		       (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = rotate_right(w[i - 15], 7) ^
			      rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotate_right(w[i - 2], 17) ^
			      rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, state, sizeof(v));
	for (i = 0; i < 64; i++) {
		uint32_t e = v[4], a = v[0];
		uint32_t sigma1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^
				  rotate_right(e, 25);
		uint32_t choose = (e & v[5]) ^ (~e & v[6]);
		uint32_t sigma0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^
				  rotate_right(a, 22);
		uint32_t majority = (a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]);

		t1 = v[7] + sigma1 + choose + round_constants[i] + w[i];
		t2 = sigma0 + majority;
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		state[i] += v[i];
}

void lrt_sha256_init(lrt_sha256 *context)
{
	/* The first 32 bits of the fractional parts of the square roots of the
	 * first 8 primes (FIPS 180-4, 5.3.3). */
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(context->state, initial, sizeof(initial));
	context->length_bytes = 0;
	context->block_bytes = 0;
}

void lrt_sha256_update(lrt_sha256 *context, const void *data, size_t size)
{
	const unsigned char *p = data;
	size_t take;

	context->length_bytes += size;
	while (size > 0) {
		take = sizeof(context->block) - context->block_bytes;
		if (take > size)
			take = size;
		memcpy(context->block + context->block_bytes, p, take);
		context->block_bytes += take;
		p += take;
		size -= take;
		if (context->block_bytes == sizeof(context->block)) {
			compress(context->state, context->block);
			context->block_bytes = 0;
		}
	}
}

void lrt_sha256_final(unsigned char digest[LRT_SHA256_BYTES],
		      lrt_sha256 *context)
{
	uint64_t length_bits = context->length_bytes * 8;
	unsigned char length_be[8];
	unsigned i;

	/* Padding: a 1 bit, zeros up to 56 bytes mod 64, the length in bits. */
	context->block[context->block_bytes++] = 0x80;
	if (context->block_bytes > 56) {
		memset(context->block + context->block_bytes, 0,
		       64 - context->block_bytes);
		compress(context->state, context->block);
		context->block_bytes = 0;
	}
	memset(context->block + context->block_bytes, 0,
	       56 - context->block_bytes);
	for (i = 0; i < 8; i++)
		length_be[i] = (unsigned char)(length_bits >> (56 - 8 * i));
	memcpy(context->block + 56, length_be, 8);
	compress(context->state, context->block);
	for (i = 0; i < 8; i++) {
		digest[4 * i] = (unsigned char)(context->state[i] >> 24);
		digest[4 * i + 1] = (unsigned char)(context->state[i] >> 16);
		digest[4 * i + 2] = (unsigned char)(context->state[i] >> 8);
		digest[4 * i + 3] = (unsigned char)context->state[i];
	}
}

void lrt_sha256_hex(char hex[LRT_SHA256_HEX_BYTES], const void *data,
		    size_t size)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char digest[LRT_SHA256_BYTES];
	lrt_sha256 context;
	unsigned i;

	lrt_sha256_init(&context);
	lrt_sha256_update(&context, data, size);
	lrt_sha256_final(digest, &context);
	for (i = 0; i < LRT_SHA256_BYTES; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0x0f];
	}
	hex[2 * LRT_SHA256_BYTES] = '\0';
}
