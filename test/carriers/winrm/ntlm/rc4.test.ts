import * as assert from "assert";
import { rc4, Rc4 } from "../../../../provider/carriers/winrm/ntlm/rc4";
import { loadNtlmVectors } from "./vectors";

function keystream(key: string, length: number): Buffer {
    return rc4(Buffer.from(key, "hex"), Buffer.alloc(length));
}

describe("rc4", () => {
    // RFC 6229 section 2, keystream bytes at offsets 0, 16 and 4096.
    const rfc6229: [string, number, string][] = [
        ["0102030405", 0, "b2396305f03dc027ccc3524a0a1118a8"],
        ["0102030405", 16, "6982944f18fc82d589c403a47a0d0919"],
        ["0102030405", 4096, "ff25b58995996707e51fbdf08b34d875"],
        ["0102030405060708090a0b0c0d0e0f10", 0, "9ac7cc9a609d1ef7b2932899cde41b97"],
        ["0102030405060708090a0b0c0d0e0f10", 16, "5248c4959014126a6e8a84f11d1a9e1c"],
        ["0102030405060708090a0b0c0d0e0f10", 4096, "a36a4c301ae8ac13610ccbc12256cacc"],
    ];
    for (const [key, offset, expected] of rfc6229) {
        it(`matches RFC 6229 for key ${key.length * 4} bits at offset ${offset}`, () => {
            assert.strictEqual(keystream(key, offset + 16).subarray(offset).toString("hex"), expected);
        });
    }

    it("matches the classic ASCII examples (Key/Plaintext, Wiki/pedia, Secret/Attack at dawn)", () => {
        const encrypt = (key: string, text: string): string => rc4(Buffer.from(key), Buffer.from(text)).toString("hex");
        assert.strictEqual(encrypt("Key", "Plaintext"), "bbf316e8d940af0ad3");
        assert.strictEqual(encrypt("Wiki", "pedia"), "1021bf0420");
        assert.strictEqual(encrypt("Secret", "Attack at dawn"), "45a01f645fc35b383552544b9bf5");
    });

    it("continues the keystream across update calls, whatever the chunking", () => {
        const key = Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex");
        const whole = rc4(key, Buffer.alloc(100));
        const cipher = new Rc4(key);
        const pieces = [cipher.update(Buffer.alloc(1)), cipher.update(Buffer.alloc(0)), cipher.update(Buffer.alloc(40)), cipher.update(Buffer.alloc(59))];
        assert.deepStrictEqual(Buffer.concat(pieces), whole);
    });

    it("keeps two handles with the same key independent (no shared state)", () => {
        const key = Buffer.from("0102030405", "hex");
        const first = new Rc4(key);
        const second = new Rc4(key);
        first.update(Buffer.alloc(16));
        assert.strictEqual(second.update(Buffer.alloc(16)).toString("hex"), "b2396305f03dc027ccc3524a0a1118a8");
    });

    it("decrypts what it encrypted", () => {
        const key = Buffer.from("secret key");
        const message = Buffer.from("round trip through a stream cipher");
        assert.deepStrictEqual(rc4(key, rc4(key, message)), message);
    });

    it("rejects an empty key", () => {
        assert.throws(() => new Rc4(Buffer.alloc(0)), /RC4 key must be 1 to 256 bytes long, got 0/);
    });

    describe("MS-NLMP values (ntlm_vectors.md)", () => {
        const vectors = loadNtlmVectors();
        before(function () {
            if (vectors === undefined) this.skip();
        });

        it("RC4K(KeyExchangeKey, RandomSessionKey) = EncryptedRandomSessionKey (4.2.4.2.3)", () => {
            const v = vectors!;
            assert.deepStrictEqual(rc4(v.sessionBaseKey, v.randomSessionKey), v.encryptedRandomSessionKey);
        });

        it("seals the 4.2.4.4 plaintext and then its checksum with one continuing handle", () => {
            const v = vectors!;
            const handle = new Rc4(v.clientSealKey);
            assert.deepStrictEqual(handle.update(v.plaintext), v.sealedData);
            assert.deepStrictEqual(handle.update(v.checksum), v.encryptedChecksum);
        });
    });
});
