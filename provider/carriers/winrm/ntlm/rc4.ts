/**
 * RC4, needed by NTLM for the key exchange (RC4K) and for sealing (one handle per direction).
 *
 * Node 20's OpenSSL 3 default provider has no RC4 (`createCipheriv("rc4", ...)` throws
 * ERR_OSSL_EVP_UNSUPPORTED without --openssl-legacy-provider), so it is written out here.
 *
 * An `Rc4` object is a *stream*: each `update` continues the keystream where the previous call
 * stopped. NTLM sealing depends on this: the message and then its checksum are encrypted with the
 * same handle, and the handle lives for the whole security context (MS-NLMP 3.4.3).
 */
export class Rc4 {
    private readonly state: Uint8Array;
    private i = 0;
    private j = 0;

    constructor(key: Uint8Array) {
        if (key.length < 1 || key.length > 256) {
            throw new RangeError(`RC4 key must be 1 to 256 bytes long, got ${key.length}`);
        }
        const s = new Uint8Array(256);
        for (let n = 0; n < 256; n++) s[n] = n;
        let j = 0;
        for (let n = 0; n < 256; n++) {
            j = (j + s[n] + key[n % key.length]) & 0xff;
            const t = s[n];
            s[n] = s[j];
            s[j] = t;
        }
        this.state = s;
    }

    /** Encrypts (or, identically, decrypts) `data` with the next `data.length` keystream bytes. */
    update(data: Uint8Array): Buffer {
        const s = this.state;
        const out = Buffer.alloc(data.length);
        let { i, j } = this;
        for (let n = 0; n < data.length; n++) {
            i = (i + 1) & 0xff;
            j = (j + s[i]) & 0xff;
            const t = s[i];
            s[i] = s[j];
            s[j] = t;
            out[n] = data[n] ^ s[(s[i] + s[j]) & 0xff];
        }
        this.i = i;
        this.j = j;
        return out;
    }
}

/** RC4K(key, data) of MS-NLMP 6: a fresh handle used for one message only. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
    return new Rc4(key).update(data);
}
