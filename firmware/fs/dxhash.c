/*
 * The htree name hashes (legacy, half-MD4, TEA; signed and unsigned char
 * variants) as the ext4 on-disk format defines them. Written from the format
 * description: names are packed into 32-bit words padded with the length,
 * then mixed by the chosen function, seeded by the superblock hash seed.
 */
#include "ext4.h"

#define DX_LEGACY 0
#define DX_HALF_MD4 1
#define DX_TEA 2
#define DX_LEGACY_U 3
#define DX_HALF_MD4_U 4
#define DX_TEA_U 5

static uint32_t rol(uint32_t x, int s) { return x << s | x >> (32 - s); }

/* Packs up to 4*num bytes of the name into num words. */
static void pack(const char *name, size_t len, uint32_t *out, int num, int is_unsigned)
{
	uint32_t pad = (uint32_t)len | ((uint32_t)len << 8);
	uint32_t val;

	pad |= pad << 16;
	val = pad;
	if (len > (size_t)num * 4)
		len = (size_t)num * 4;
	for (size_t i = 0; i < len; i++) {
		int c = is_unsigned ? (int)(unsigned char)name[i] : (int)(signed char)name[i];
		val = (uint32_t)c + (val << 8);
		if ((i % 4) == 3) {
			*out++ = val;
			val = pad;
			num--;
		}
	}
	if (--num >= 0)
		*out++ = val;
	while (--num >= 0)
		*out++ = pad;
}

#define F1(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G1(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define H1(x, y, z) ((x) ^ (y) ^ (z))
#define STEP(f, a, b, c, d, x, s) (a = rol(a + f(b, c, d) + (x), s))

static void half_md4(uint32_t buf[4], const uint32_t in[8])
{
	uint32_t a = buf[0], b = buf[1], c = buf[2], d = buf[3];
	const uint32_t k2 = 0x5a827999u, k3 = 0x6ed9eba1u;

	STEP(F1, a, b, c, d, in[0], 3);
	STEP(F1, d, a, b, c, in[1], 7);
	STEP(F1, c, d, a, b, in[2], 11);
	STEP(F1, b, c, d, a, in[3], 19);
	STEP(F1, a, b, c, d, in[4], 3);
	STEP(F1, d, a, b, c, in[5], 7);
	STEP(F1, c, d, a, b, in[6], 11);
	STEP(F1, b, c, d, a, in[7], 19);

	STEP(G1, a, b, c, d, in[1] + k2, 3);
	STEP(G1, d, a, b, c, in[3] + k2, 5);
	STEP(G1, c, d, a, b, in[5] + k2, 9);
	STEP(G1, b, c, d, a, in[7] + k2, 13);
	STEP(G1, a, b, c, d, in[0] + k2, 3);
	STEP(G1, d, a, b, c, in[2] + k2, 5);
	STEP(G1, c, d, a, b, in[4] + k2, 9);
	STEP(G1, b, c, d, a, in[6] + k2, 13);

	STEP(H1, a, b, c, d, in[3] + k3, 3);
	STEP(H1, d, a, b, c, in[7] + k3, 9);
	STEP(H1, c, d, a, b, in[2] + k3, 11);
	STEP(H1, b, c, d, a, in[6] + k3, 15);
	STEP(H1, a, b, c, d, in[1] + k3, 3);
	STEP(H1, d, a, b, c, in[5] + k3, 9);
	STEP(H1, c, d, a, b, in[0] + k3, 11);
	STEP(H1, b, c, d, a, in[4] + k3, 15);

	buf[0] += a;
	buf[1] += b;
	buf[2] += c;
	buf[3] += d;
}

static void tea(uint32_t buf[4], const uint32_t in[4])
{
	uint32_t sum = 0, b0 = buf[0], b1 = buf[1];

	for (int n = 0; n < 16; n++) {
		sum += 0x9e3779b9u;
		b0 += ((b1 << 4) + in[0]) ^ (b1 + sum) ^ ((b1 >> 5) + in[1]);
		b1 += ((b0 << 4) + in[2]) ^ (b0 + sum) ^ ((b0 >> 5) + in[3]);
	}
	buf[0] += b0;
	buf[1] += b1;
}

static uint32_t legacy(const char *name, size_t len, int is_unsigned)
{
	uint32_t h, h0 = 0x12a3fe2du, h1 = 0x37abe8f9u;

	while (len--) {
		int c = is_unsigned ? (int)(unsigned char)*name : (int)(signed char)*name;
		name++;
		h = h1 + (h0 ^ (uint32_t)(c * 7152373));
		if (h & 0x80000000u)
			h -= 0x7fffffffu;
		h1 = h0;
		h0 = h;
	}
	return h0 << 1;
}

/* Returns 0, or -EOPNOTSUPP for a hash version this code does not know. */
int ext4_dx_hash(const uint32_t seed[4], int version, const char *name, size_t len,
		 uint32_t *major, uint32_t *minor)
{
	uint32_t buf[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };
	uint32_t in[8], h = 0, mi = 0;
	int uns = version >= DX_LEGACY_U;

	if (seed[0] | seed[1] | seed[2] | seed[3])
		memcpy(buf, seed, sizeof(buf));
	switch (version) {
	case DX_LEGACY:
	case DX_LEGACY_U:
		h = legacy(name, len, uns);
		break;
	case DX_HALF_MD4:
	case DX_HALF_MD4_U:
		for (const char *p = name; ; p += 32) {
			size_t left = len - (size_t)(p - name);
			pack(p, left, in, 8, uns);
			half_md4(buf, in);
			if (left <= 32)
				break;
		}
		h = buf[1];
		mi = buf[2];
		break;
	case DX_TEA:
	case DX_TEA_U:
		for (const char *p = name; ; p += 16) {
			size_t left = len - (size_t)(p - name);
			pack(p, left, in, 4, uns);
			tea(buf, in);
			if (left <= 16)
				break;
		}
		h = buf[0];
		mi = buf[1];
		break;
	default:
		return -EOPNOTSUPP;
	}
	h &= ~1u;
	if (h == (0x7fffffffu << 1))
		h = (0x7fffffffu - 1) << 1;
	*major = h;
	*minor = mi;
	return 0;
}
