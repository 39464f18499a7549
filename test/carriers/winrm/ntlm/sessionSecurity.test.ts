import * as assert from "assert";
import { randomBytes } from "crypto";
import { NtlmError, NtlmErrorCode } from "../../../../provider/carriers/winrm/ntlm/errors";
import { hmacMd5 } from "../../../../provider/carriers/winrm/ntlm/ntlmv2";
import { deriveSessionKeys, NtlmSessionSecurity } from "../../../../provider/carriers/winrm/ntlm/sessionSecurity";
import { loadNtlmVectors } from "./vectors";

function ntlmError(code: NtlmErrorCode, pattern: RegExp): (error: unknown) => boolean {
    return (error) => {
        assert.ok(error instanceof NtlmError, `expected an NtlmError, got ${String(error)}`);
        assert.strictEqual(error.code, code, error.message);
        assert.match(error.message, pattern);
        return true;
    };
}

function pair(key: Buffer = randomBytes(16)): { client: NtlmSessionSecurity; server: NtlmSessionSecurity } {
    return { client: new NtlmSessionSecurity("client", key), server: new NtlmSessionSecurity("server", key) };
}

describe("NTLM session security", () => {
    describe("MS-NLMP 4.2.4.4 (ntlm_vectors.md)", () => {
        const vectors = loadNtlmVectors();
        before(function () {
            if (vectors === undefined) this.skip();
        });

        it("derives the client and server sign and seal keys from the exported session key", () => {
            const v = vectors!;
            assert.deepStrictEqual(deriveSessionKeys(v.exportedSessionKey), {
                clientSignKey: v.clientSignKey,
                clientSealKey: v.clientSealKey,
                serverSignKey: v.serverSignKey,
                serverSealKey: v.serverSealKey,
            });
        });

        it("GSS_WrapEx checksum = HMAC_MD5(SignKey, SeqNum ‖ Plaintext)[0..7], before RC4", () => {
            const v = vectors!;
            assert.deepStrictEqual(hmacMd5(v.clientSignKey, Buffer.alloc(4), v.plaintext).subarray(0, 8), v.checksum);
        });

        it("GSS_WrapEx: seals \"Plaintext\" with sequence 0 into the spec's sealed data and signature", () => {
            const v = vectors!;
            const { sealed, signature } = new NtlmSessionSecurity("client", v.exportedSessionKey).seal(v.plaintext);
            assert.strictEqual(sealed.toString("hex"), v.sealedData.toString("hex"));
            assert.strictEqual(signature.toString("hex"), v.signature.toString("hex"));
        });

        it("a server unseals the spec's sealed data and signature back to \"Plaintext\"", () => {
            const v = vectors!;
            const plaintext = new NtlmSessionSecurity("server", v.exportedSessionKey).unseal(v.sealedData, v.signature);
            assert.strictEqual(plaintext.toString("utf16le"), "Plaintext");
        });
    });

    it("exchanges several messages both ways, each side's sequence numbers advancing on their own", () => {
        const { client, server } = pair();
        for (let round = 0; round < 5; round++) {
            const request = Buffer.from(`<request n="${round}"/>`.repeat(round + 1));
            const fromClient = client.seal(request);
            assert.strictEqual(fromClient.signature.readUInt32LE(12), round, "client's sequence number in the signature");
            assert.deepStrictEqual(server.unseal(fromClient.sealed, fromClient.signature), request);

            // The server answers twice per request, so its counter runs ahead of the client's.
            for (let reply = 0; reply < 2; reply++) {
                const response = Buffer.from(`<response n="${round}.${reply}"/>`);
                const fromServer = server.seal(response);
                assert.strictEqual(fromServer.signature.readUInt32LE(12), round * 2 + reply);
                assert.deepStrictEqual(client.unseal(fromServer.sealed, fromServer.signature), response);
            }
        }
        assert.deepStrictEqual(client.sequenceNumbers, { outgoing: 5, incoming: 10 });
        assert.deepStrictEqual(server.sequenceNumbers, { outgoing: 10, incoming: 5 });
    });

    it("actually encrypts: the sealed bytes differ from the plaintext and between identical messages", () => {
        const { client } = pair();
        const message = Buffer.from("<s:Envelope>same text</s:Envelope>");
        const first = client.seal(message);
        const second = client.seal(message);
        assert.notDeepStrictEqual(first.sealed, message);
        assert.notDeepStrictEqual(first.sealed, second.sealed);
    });

    it("seals an empty message", () => {
        const { client, server } = pair();
        const { sealed, signature } = client.seal(Buffer.alloc(0));
        assert.strictEqual(sealed.length, 0);
        assert.deepStrictEqual(server.unseal(sealed, signature), Buffer.alloc(0));
    });

    it("fails on one changed byte of ciphertext", () => {
        const { client, server } = pair();
        const { sealed, signature } = client.seal(Buffer.from("<s:Envelope>payload</s:Envelope>"));
        sealed[5] ^= 0x01;
        assert.throws(() => server.unseal(sealed, signature), ntlmError("integrity", /message 0 from the client fails its checksum/));
    });

    it("fails on one changed byte of the signature's checksum, in either direction", () => {
        const { client, server } = pair();
        const request = client.seal(Buffer.from("request"));
        request.signature[7] ^= 0x80;
        assert.throws(
            () => server.unseal(request.sealed, request.signature),
            ntlmError("integrity", /message 0 from the client fails its checksum/),
        );

        const other = pair();
        const response = other.server.seal(Buffer.from("response"));
        response.signature[4] ^= 0x01;
        assert.throws(
            () => other.client.unseal(response.sealed, response.signature),
            ntlmError("integrity", /message 0 from the server fails its checksum/),
        );
    });

    it("fails on a signature whose version is not 1", () => {
        const { client, server } = pair();
        const { sealed, signature } = client.seal(Buffer.from("payload"));
        signature[0] = 2;
        assert.throws(() => server.unseal(sealed, signature), ntlmError("integrity", /version 2, expected 1/));
    });

    it("fails on a replayed message, naming both sequence numbers", () => {
        const { client, server } = pair();
        const first = client.seal(Buffer.from("first"));
        const second = client.seal(Buffer.from("second"));
        server.unseal(first.sealed, first.signature);
        server.unseal(second.sealed, second.signature);
        assert.throws(
            () => server.unseal(first.sealed, first.signature),
            ntlmError("sequence", /sequence number 0, expected 2 \(a replayed, lost or reordered message\)/),
        );
    });

    it("fails on a skipped message (sequence number ahead)", () => {
        const { client, server } = pair();
        client.seal(Buffer.from("lost on the way"));
        const next = client.seal(Buffer.from("arrives"));
        assert.throws(() => server.unseal(next.sealed, next.signature), ntlmError("sequence", /sequence number 1, expected 0/));
    });

    it("refuses further use after a failure, since the RC4 streams are out of step", () => {
        const { client, server } = pair();
        const { sealed, signature } = client.seal(Buffer.from("payload"));
        sealed[0] ^= 0xff;
        assert.throws(() => server.unseal(sealed, signature), ntlmError("integrity", /checksum/));
        const next = client.seal(Buffer.from("next"));
        assert.throws(() => server.unseal(next.sealed, next.signature), ntlmError("session-broken", /authenticate again/));
        assert.throws(() => server.seal(Buffer.from("reply")), ntlmError("session-broken", /no longer be used/));
    });

    it("cannot be unsealed with another session key", () => {
        const client = new NtlmSessionSecurity("client", randomBytes(16));
        const server = new NtlmSessionSecurity("server", randomBytes(16));
        const { sealed, signature } = client.seal(Buffer.from("payload"));
        assert.throws(() => server.unseal(sealed, signature), ntlmError("integrity", /or the keys differ/));
    });

    it("rejects an exported session key that is not 16 bytes", () => {
        assert.throws(() => new NtlmSessionSecurity("client", Buffer.alloc(8)), /exported session key must be 16 bytes, got 8/);
    });
});
