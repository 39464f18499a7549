import * as assert from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    certificateHashAlgorithm,
    channelBindingsHash,
    gssChannelBindingsStruct,
    tlsServerEndPoint,
} from "../../../../provider/carriers/winrm/ntlm/channelBindings";
import { createAuthenticateMessage, createNegotiateMessage } from "../../../../provider/carriers/winrm/ntlm/client";
import { NtlmError } from "../../../../provider/carriers/winrm/ntlm/errors";
import { createChallengeMessage, verifyAuthenticateMessage } from "../../../support/wsman/ntlmServer";
import { projectRoot } from "../../../support/paths";

/**
 * Fixtures: self-signed certificates made for these tests with OpenSSL 3.0
 * (`openssl req -x509 -newkey <type> -sha1|-md5|-sha256|... -subj /CN=win-test.corp.example`).
 * Expected hashes come from `openssl x509 -outform der | openssl dgst -<hash>`.
 */
function certificateDer(name: string): Buffer {
    const pem = fs.readFileSync(path.join(projectRoot, "test", "carriers", "winrm", "ntlm", "fixtures", name), "utf8");
    return new X509Certificate(pem).raw;
}

describe("channel bindings (RFC 5929 tls-server-end-point)", () => {
    const cases: [file: string, hash: string, digest: string, why: string][] = [
        ["rsa-md5.pem", "sha256", "141eb97436fb5a66fc6d56d93946d200dd1b054a368598fcf5607baca1e86639", "MD5 is upgraded to SHA-256"],
        ["rsa-sha1.pem", "sha256", "a2bf0b48b364a8c00dfccbeb8eb778ad6b1f7312e8aec764fed9a5ce04c3a7c6", "SHA-1 is upgraded to SHA-256"],
        ["rsa-sha256.pem", "sha256", "63bdefb8d1ad0b53d5b719c22e511eafc8147ccc302e4118202b20eb6cdad9e9", "the signature's hash"],
        [
            "rsa-sha384.pem",
            "sha384",
            "a4b366eb546c7e6f5d746512381fe9b0b5cb20037c75332c33f711a35aa5bdcde3d139e413dc83270638d3e2b8a232c3",
            "the signature's hash",
        ],
        [
            "ecdsa-sha512.pem",
            "sha512",
            "0eee011cbe64b29b9d1219a8a431ab07009696bc83856a2f9684695e41dd4ccc729abac71235159b9b6c78561621b52e9e09118c4bb17df288ebfe7aef22c55a",
            "ECDSA's hash",
        ],
        [
            "rsa-pss-sha384.pem",
            "sha384",
            "7327a98f51b4e74e165bdd57533d96799eb7f8366c4e686afd73cbfbbf38745ad60af01b45e25f42323b3fc5577944ff",
            "the hash named in the RSASSA-PSS parameters",
        ],
    ];
    for (const [file, hash, digest, why] of cases) {
        it(`${file}: hashes the DER with ${hash} (${why})`, () => {
            const der = certificateDer(file);
            assert.strictEqual(certificateHashAlgorithm(der), hash);
            const applicationData = tlsServerEndPoint(der);
            assert.strictEqual(applicationData.subarray(0, 21).toString("latin1"), "tls-server-end-point:");
            assert.strictEqual(applicationData.subarray(21).toString("hex"), digest);
        });
    }

    it("MsvAvChannelBindings = MD5 of the gss_channel_bindings_struct (value computed independently in Python)", () => {
        assert.strictEqual(channelBindingsHash(certificateDer("rsa-sha256.pem")).toString("hex"), "d4d6f4d1a5dfaba713ebff504f588b0d");
    });

    it("lays out gss_channel_bindings_struct as four zero words, then the application data length and bytes", () => {
        const data = Buffer.from("tls-server-end-point:abc", "latin1");
        const struct = gssChannelBindingsStruct(data);
        assert.deepStrictEqual(struct.subarray(0, 16), Buffer.alloc(16));
        assert.strictEqual(struct.readUInt32LE(16), data.length);
        assert.deepStrictEqual(struct.subarray(20), data);
    });

    it("differs between certificates", () => {
        assert.notDeepStrictEqual(channelBindingsHash(certificateDer("rsa-sha256.pem")), channelBindingsHash(certificateDer("rsa-sha1.pem")));
    });

    it("refuses Ed25519, for which RFC 5929 defines no bindings, naming the OID", () => {
        assert.throws(() => certificateHashAlgorithm(certificateDer("ed25519.pem")), /signature algorithm 1\.3\.101\.112 has no single hash function/);
    });

    it("refuses bytes that are not a DER certificate, saying where", () => {
        assert.throws(() => certificateHashAlgorithm(Buffer.from("-----BEGIN CERTIFICATE-----")), /not a DER X\.509 certificate: Certificate at byte 0: expected tag 0x30/);
        const der = certificateDer("rsa-sha256.pem");
        assert.throws(() => certificateHashAlgorithm(der.subarray(0, 100)), /not a DER X\.509 certificate: Certificate at byte 0: length \d+ runs past the end/);
    });

    it("bind a handshake to the certificate: the server accepts its own and refuses another", () => {
        const account = { username: "WIN-TEST\\admin", password: "pw" };
        const authenticate = (seen: string): { message: Buffer; handshake: ReturnType<typeof createChallengeMessage> } => {
            const negotiateMessage = createNegotiateMessage();
            const handshake = createChallengeMessage(negotiateMessage, { netbiosComputerName: "WIN-TEST", netbiosDomainName: "WIN-TEST" });
            const { message } = createAuthenticateMessage({
                credentials: account,
                negotiateMessage,
                challengeMessage: handshake.challengeMessage,
                channelBindings: channelBindingsHash(certificateDer(seen)),
            });
            return { message, handshake };
        };
        const expectedChannelBindings = channelBindingsHash(certificateDer("rsa-sha256.pem"));

        const direct = authenticate("rsa-sha256.pem");
        assert.strictEqual(
            verifyAuthenticateMessage(direct.message, direct.handshake, account, { expectedChannelBindings }).channelBindingsVerified,
            true,
        );
        const intercepted = authenticate("ecdsa-sha512.pem"); // the client saw a proxy's certificate
        assert.throws(
            () => verifyAuthenticateMessage(intercepted.message, intercepted.handshake, account, { expectedChannelBindings }),
            (error) => error instanceof NtlmError && error.code === "channel-bindings-mismatch",
        );
    });
});
