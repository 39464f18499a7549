import * as assert from "assert";
import { randomBytes } from "crypto";
import * as fs from "fs";
import {
    decryptMessage,
    ENCRYPTED_CONTENT_TYPE,
    EncryptedMessageError,
    EncryptedMessageProblem,
    encryptMessage,
    encryptedContentType,
    isEncryptedContentType,
    type MessageSealer,
} from "../../../provider/carriers/winrm/encryption";
import { NtlmError } from "../../../provider/carriers/winrm/ntlm/errors";
import { NtlmSessionSecurity } from "../../../provider/carriers/winrm/ntlm/sessionSecurity";
import { sharedFile } from "../../support/paths";
import { loadNtlmVectors } from "./ntlm/vectors";

function sessions(): { client: NtlmSessionSecurity; server: NtlmSessionSecurity } {
    const key = randomBytes(16);
    return { client: new NtlmSessionSecurity("client", key), server: new NtlmSessionSecurity("server", key) };
}

function problem(expected: EncryptedMessageProblem, pattern: RegExp): (error: unknown) => boolean {
    return (error) => {
        assert.ok(error instanceof EncryptedMessageError, `expected an EncryptedMessageError, got ${String(error)}`);
        assert.strictEqual(error.problem, expected, error.message);
        assert.match(error.message, pattern);
        return true;
    };
}

/** A SOAP request recorded from pywinrm when ../shared is present, else a small stand-in. */
function soapRequest(): Buffer {
    const file = sharedFile("reference", "winrm", "pywinrm", "open_shell_request.xml");
    return file === undefined
        ? Buffer.from('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>')
        : fs.readFileSync(file);
}

const HEAD =
    "--Encrypted Boundary\r\n" +
    "\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
    "\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=";

describe("MS-WSMV message encryption framing", () => {
    it("returns the multipart/encrypted content type", () => {
        const { client } = sessions();
        const { contentType } = encryptMessage(client, Buffer.from("<x/>"));
        assert.strictEqual(
            contentType,
            'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"',
        );
        assert.strictEqual(contentType, ENCRYPTED_CONTENT_TYPE);
    });

    it("writes the tab-prefixed header lines, signature length 16, signature, sealed bytes and trailing boundary", () => {
        const { client } = sessions();
        const plaintext = Buffer.from("<s:Envelope>héllo</s:Envelope>", "utf8");
        const { body } = encryptMessage(client, plaintext);
        const head = Buffer.from(
            `${HEAD}${plaintext.length}\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n`,
            "latin1",
        );
        assert.strictEqual(body.subarray(0, head.length).toString("latin1"), head.toString("latin1"));
        assert.strictEqual(body.readUInt32LE(head.length), 16);
        const signature = body.subarray(head.length + 4, head.length + 20);
        assert.strictEqual(signature.readUInt32LE(0), 1, "signature version");
        assert.strictEqual(signature.readUInt32LE(12), 0, "first message has sequence number 0");
        const sealed = body.subarray(head.length + 20, body.length - "--Encrypted Boundary--\r\n".length);
        assert.strictEqual(sealed.length, plaintext.length);
        assert.ok(!sealed.equals(plaintext), "the payload is not sent in clear");
        assert.strictEqual(body.subarray(body.length - 24).toString("latin1"), "--Encrypted Boundary--\r\n");
    });

    it("frames the MS-NLMP 4.2.4.4 sealed data and signature for the spec's session key", function () {
        const vectors = loadNtlmVectors();
        if (vectors === undefined) this.skip();
        const v = vectors!;
        const { body } = encryptMessage(new NtlmSessionSecurity("client", v.exportedSessionKey), v.plaintext);
        const expected = Buffer.concat([
            Buffer.from(`${HEAD}18\r\n--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n`, "latin1"),
            Buffer.from("10000000", "hex"),
            v.signature,
            v.sealedData,
            Buffer.from("--Encrypted Boundary--\r\n", "latin1"),
        ]);
        assert.strictEqual(body.toString("hex"), expected.toString("hex"));
    });

    it("round-trips several SOAP messages each way, in sequence", () => {
        const { client, server } = sessions();
        const request = soapRequest();
        for (let n = 0; n < 4; n++) {
            const sent = encryptMessage(client, request);
            const received = decryptMessage(server, sent.body);
            assert.deepStrictEqual(received.plaintext, request);
            assert.strictEqual(received.originalContentType, "application/soap+xml;charset=UTF-8");

            const fault = Buffer.from(`<s:Fault n="${n}">…</s:Fault>`, "utf8");
            assert.deepStrictEqual(decryptMessage(client, encryptMessage(server, fault).body).plaintext, fault);
        }
        assert.deepStrictEqual(client.sequenceNumbers, { outgoing: 4, incoming: 4 });
    });

    it("accepts header lines without the leading tab (as WinRb sends them)", () => {
        const { client, server } = sessions();
        const plaintext = Buffer.from("<s:Envelope/>");
        const { body } = encryptMessage(client, plaintext);
        const binaryStart = body.indexOf("application/octet-stream\r\n", 0, "latin1") + "application/octet-stream\r\n".length;
        const header = body.subarray(0, binaryStart).toString("latin1").replace(/\t/g, "");
        const untabbed = Buffer.concat([Buffer.from(header, "latin1"), body.subarray(binaryStart)]);
        assert.ok(!untabbed.subarray(0, header.length).includes(0x09));
        assert.deepStrictEqual(decryptMessage(server, untabbed).plaintext, plaintext);
    });

    describe("malformed bodies", () => {
        function encrypted(): { server: NtlmSessionSecurity; body: Buffer; plaintext: Buffer } {
            const { client, server } = sessions();
            const plaintext = Buffer.from("<s:Envelope><s:Body>data</s:Body></s:Envelope>");
            return { server, body: encryptMessage(client, plaintext).body, plaintext };
        }

        it("a body without the opening boundary is missing-boundary", () => {
            const { server } = encrypted();
            assert.throws(
                () => decryptMessage(server, Buffer.from("<s:Envelope/>")),
                problem("missing-boundary", /does not start with "--Encrypted Boundary\\r\\n"/),
            );
        });

        it("a body without the closing boundary is missing-boundary", () => {
            const { server, body } = encrypted();
            assert.throws(
                () => decryptMessage(server, body.subarray(0, body.length - 24)),
                problem("missing-boundary", /does not end with "--Encrypted Boundary--/),
            );
        });

        it("a Length that does not match the sealed bytes is length-mismatch, quoting both", () => {
            const { server, body, plaintext } = encrypted();
            const altered = Buffer.from(body.toString("latin1").replace(`Length=${plaintext.length}`, `Length=${plaintext.length + 1}`), "latin1");
            assert.throws(
                () => decryptMessage(server, altered),
                problem("length-mismatch", new RegExp(`Length=${plaintext.length + 1} but ${plaintext.length} sealed bytes`)),
            );
        });

        it("sealed data cut short is length-mismatch", () => {
            const { server, body, plaintext } = encrypted();
            const cut = Buffer.concat([body.subarray(0, body.length - 24 - 3), body.subarray(body.length - 24)]);
            assert.throws(
                () => decryptMessage(server, cut),
                problem("length-mismatch", new RegExp(`Length=${plaintext.length} but ${plaintext.length - 3} sealed bytes`)),
            );
        });

        it("a missing Length is bad-header", () => {
            const { server, body } = encrypted();
            const altered = Buffer.from(body.toString("latin1").replace(/;Length=\d+/, ""), "latin1");
            assert.throws(() => decryptMessage(server, altered), problem("bad-header", /OriginalContent header .* does not end with ";Length=<bytes>"/));
        });

        it("another protocol in the first part is bad-header, naming it", () => {
            const { server, body } = encrypted();
            const altered = Buffer.from(
                body.toString("latin1").replace("application/HTTP-SPNEGO-session-encrypted", "application/HTTP-CredSSP-session-encrypted"),
                "latin1",
            );
            assert.throws(() => decryptMessage(server, altered), problem("bad-header", /"application\/HTTP-CredSSP-session-encrypted", expected/));
        });

        it("a signature length running past the data is truncated", () => {
            const { server, body } = encrypted();
            const at = body.indexOf("octet-stream\r\n", 0, "latin1") + "octet-stream\r\n".length;
            const altered = Buffer.from(body);
            altered.writeUInt32LE(0xffff, at);
            assert.throws(() => decryptMessage(server, altered), problem("truncated", /signature length 65535 runs past the end/));
        });

        it("a changed signature byte fails the checksum (NtlmError integrity)", () => {
            const { server, body } = encrypted();
            const at = body.indexOf("octet-stream\r\n", 0, "latin1") + "octet-stream\r\n".length + 4;
            const altered = Buffer.from(body);
            altered[at + 6] ^= 0x10;
            assert.throws(
                () => decryptMessage(server, altered),
                (error) => error instanceof NtlmError && error.code === "integrity" && /fails its checksum/.test(error.message),
            );
        });

        it("a changed ciphertext byte fails the checksum (NtlmError integrity)", () => {
            const { server, body } = encrypted();
            const altered = Buffer.from(body);
            altered[body.length - 24 - 5] ^= 0x01;
            assert.throws(() => decryptMessage(server, altered), (error) => error instanceof NtlmError && error.code === "integrity");
        });

        it("a replayed body fails on its sequence number (NtlmError sequence)", () => {
            const { client, server } = sessions();
            const first = encryptMessage(client, Buffer.from("<a/>")).body;
            decryptMessage(server, first);
            assert.throws(
                () => decryptMessage(server, first),
                (error) => error instanceof NtlmError && error.code === "sequence" && /sequence number 0, expected 1/.test(error.message),
            );
        });
    });

    it("recognises the encrypted content type, case-insensitively, and nothing else", () => {
        assert.strictEqual(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE), true);
        assert.strictEqual(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE.toUpperCase()), true);
        assert.strictEqual(isEncryptedContentType("application/soap+xml;charset=UTF-8"), false);
        assert.strictEqual(
            isEncryptedContentType('multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="Encrypted Boundary"'),
            false,
        );
        assert.strictEqual(isEncryptedContentType(undefined), false);
    });

    it("frames Kerberos bodies under their own protocol: a header of any length (the wrap_iov HEADER) where NTLM's signature goes", () => {
        // A stand-in for a GSSAPI context: a 60-byte "header" (aes256-cts-hmac-sha1-96's size) and the bytes reversed.
        const header = Buffer.alloc(60, 0x05);
        const sealer: MessageSealer = {
            seal: (plaintext) => ({ sealed: Buffer.from(plaintext).reverse(), signature: header }),
            unseal: (sealed, signature) => {
                assert.ok(Buffer.from(signature).equals(header));
                return Buffer.from(sealed).reverse();
            },
        };
        const protocol = "application/HTTP-Kerberos-session-encrypted";
        const soap = soapRequest();
        const { body, contentType } = encryptMessage(sealer, soap, undefined, protocol);
        assert.strictEqual(contentType, 'multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"');
        assert.strictEqual(contentType, encryptedContentType(protocol));
        assert.ok(isEncryptedContentType(contentType));
        assert.ok(body.includes(`\tContent-Type: ${protocol}\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${soap.length}\r\n`));
        const dataStart = body.indexOf("application/octet-stream\r\n") + "application/octet-stream\r\n".length;
        assert.strictEqual(body.readUInt32LE(dataStart), 60);
        assert.ok(decryptMessage(sealer, body, protocol).plaintext.equals(soap));
        assert.throws(() => decryptMessage(sealer, body), problem("bad-header", /expected "application\/HTTP-SPNEGO-session-encrypted"/));
    });
});
