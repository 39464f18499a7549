/**
 * MD4 (RFC 1320), needed only for NTOWFv1 = MD4(UTF-16LE(password)).
 *
 * Node 20 ships OpenSSL 3, whose default provider has no MD4 (`createHash("md4")` throws
 * ERR_OSSL_EVP_UNSUPPORTED unless the whole process runs with --openssl-legacy-provider, which a
 * Pulumi provider cannot count on), so this is a small self-contained implementation. It is not
 * constant-time and is not meant for anything but NTLM's password hash.
 */
export function md4(data: Uint8Array): Buffer {
    // Padding as in MD5: a 1 bit, zeros up to 56 mod 64, then the bit length as 64-bit LE.
    const paddedLength = (((data.length + 8) >>> 6) + 1) << 6;
    const message = Buffer.alloc(paddedLength);
    message.set(data, 0);
    message[data.length] = 0x80;
    const bitLength = BigInt(data.length) * 8n;
    message.writeBigUInt64LE(bitLength & 0xffffffffffffffffn, paddedLength - 8);

    let a = 0x67452301;
    let b = 0xefcdab89;
    let c = 0x98badcfe;
    let d = 0x10325476;
    const x = new Uint32Array(16);

    for (let block = 0; block < paddedLength; block += 64) {
        for (let i = 0; i < 16; i++) x[i] = message.readUInt32LE(block + i * 4);
        const [aa, bb, cc, dd] = [a, b, c, d];

        // Round 1: F(x, y, z) = (x & y) | (~x & z), words in order, shifts 3 7 11 19.
        for (let i = 0; i < 16; i += 4) {
            a = rotl(a + ((b & c) | (~b & d)) + x[i], 3);
            d = rotl(d + ((a & b) | (~a & c)) + x[i + 1], 7);
            c = rotl(c + ((d & a) | (~d & b)) + x[i + 2], 11);
            b = rotl(b + ((c & d) | (~c & a)) + x[i + 3], 19);
        }
        // Round 2: G(x, y, z) = majority, words 0 4 8 12 / 1 5 9 13 / ..., shifts 3 5 9 13.
        for (let i = 0; i < 4; i++) {
            a = rotl(a + ((b & c) | (b & d) | (c & d)) + x[i] + 0x5a827999, 3);
            d = rotl(d + ((a & b) | (a & c) | (b & c)) + x[i + 4] + 0x5a827999, 5);
            c = rotl(c + ((d & a) | (d & b) | (a & b)) + x[i + 8] + 0x5a827999, 9);
            b = rotl(b + ((c & d) | (c & a) | (d & a)) + x[i + 12] + 0x5a827999, 13);
        }
        // Round 3: H(x, y, z) = x ^ y ^ z, words 0 8 4 12 / 2 10 6 14 / 1 9 5 13 / 3 11 7 15.
        for (const i of [0, 2, 1, 3]) {
            a = rotl(a + (b ^ c ^ d) + x[i] + 0x6ed9eba1, 3);
            d = rotl(d + (a ^ b ^ c) + x[i + 8] + 0x6ed9eba1, 9);
            c = rotl(c + (d ^ a ^ b) + x[i + 4] + 0x6ed9eba1, 11);
            b = rotl(b + (c ^ d ^ a) + x[i + 12] + 0x6ed9eba1, 15);
        }

        a = (a + aa) >>> 0;
        b = (b + bb) >>> 0;
        c = (c + cc) >>> 0;
        d = (d + dd) >>> 0;
    }

    const digest = Buffer.alloc(16);
    digest.writeUInt32LE(a, 0);
    digest.writeUInt32LE(b, 4);
    digest.writeUInt32LE(c, 8);
    digest.writeUInt32LE(d, 12);
    return digest;
}

/** 32-bit rotate left; the sum going in may exceed 32 bits, so it is truncated first. */
function rotl(value: number, shift: number): number {
    const v = value >>> 0;
    return ((v << shift) | (v >>> (32 - shift))) >>> 0;
}
