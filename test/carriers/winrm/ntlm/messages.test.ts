import * as assert from "assert";
import { AvId, NegotiateFlag } from "../../../../provider/carriers/winrm/ntlm/constants";
import { describeTargetInfo, decodeAvPairs } from "../../../../provider/carriers/winrm/ntlm/avPairs";
import { NtlmError } from "../../../../provider/carriers/winrm/ntlm/errors";
import {
    decodeAuthenticateMessage,
    decodeChallengeMessage,
    decodeNegotiateMessage,
    encodeAuthenticateMessage,
    encodeChallengeMessage,
    encodeNegotiateMessage,
} from "../../../../provider/carriers/winrm/ntlm/messages";
import { loadNtlmVectors } from "./vectors";

function isMalformed(pattern: RegExp): (error: unknown) => boolean {
    return (error) => error instanceof NtlmError && error.code === "malformed-message" && pattern.test(error.message);
}

describe("NTLM message layout", () => {
    describe("MS-NLMP 4.2.4.3 messages (ntlm_vectors.md)", () => {
        const vectors = loadNtlmVectors();
        before(function () {
            if (vectors === undefined) this.skip();
        });

        it("decodes the CHALLENGE_MESSAGE: flags, challenge, target name, AV pairs, version", () => {
            const v = vectors!;
            const challenge = decodeChallengeMessage(v.challengeMessage);
            assert.strictEqual(challenge.flags, v.challengeFlags);
            assert.deepStrictEqual(challenge.serverChallenge, v.serverChallenge);
            assert.strictEqual(challenge.targetName, "Server");
            assert.deepStrictEqual(challenge.version, { major: 6, minor: 0, build: 6000, revision: 15 });
            const info = describeTargetInfo(challenge.targetInfo);
            assert.strictEqual(info.netbiosDomainName, "Domain");
            assert.strictEqual(info.netbiosComputerName, "Server");
            assert.strictEqual(info.timestamp, undefined);
            assert.deepStrictEqual(challenge.targetInfo, decodeAvPairs(v.targetInfo));
        });

        it("re-encodes the CHALLENGE_MESSAGE byte for byte", () => {
            const v = vectors!;
            const challenge = decodeChallengeMessage(v.challengeMessage);
            const encoded = encodeChallengeMessage({ ...challenge, version: challenge.version! });
            assert.strictEqual(encoded.toString("hex"), v.challengeMessage.toString("hex"));
        });

        it("encodes the AUTHENTICATE_MESSAGE from the 4.2.4 values byte for byte", () => {
            const v = vectors!;
            const encoded = encodeAuthenticateMessage({
                flags: v.authenticateFlags,
                lmChallengeResponse: v.lmv2Response,
                ntChallengeResponse: Buffer.concat([v.ntProofStr, v.clientBlob]),
                domain: v.domain,
                user: v.user,
                workstation: v.workstation,
                encryptedRandomSessionKey: v.encryptedRandomSessionKey,
                version: { major: 5, minor: 1, build: 2600, revision: 15 },
                withMic: false,
            });
            assert.strictEqual(encoded.toString("hex"), v.authenticateMessage.toString("hex"));
        });

        it("decodes the AUTHENTICATE_MESSAGE, finding no MIC in it", () => {
            const v = vectors!;
            const message = decodeAuthenticateMessage(v.authenticateMessage);
            assert.strictEqual(message.flags, v.authenticateFlags);
            assert.strictEqual(message.user, v.user);
            assert.strictEqual(message.domain, v.domain);
            assert.strictEqual(message.workstation, v.workstation);
            assert.deepStrictEqual(message.lmChallengeResponse, v.lmv2Response);
            assert.deepStrictEqual(message.ntChallengeResponse, Buffer.concat([v.ntProofStr, v.clientBlob]));
            assert.deepStrictEqual(message.encryptedRandomSessionKey, v.encryptedRandomSessionKey);
            assert.strictEqual(message.mic, undefined);
        });
    });

    it("round-trips an AUTHENTICATE_MESSAGE with a MIC field at 0x48 and Unicode names", () => {
        const encoded = encodeAuthenticateMessage({
            flags: NegotiateFlag.UNICODE | NegotiateFlag.KEY_EXCH,
            lmChallengeResponse: Buffer.alloc(24),
            ntChallengeResponse: Buffer.alloc(60, 7),
            domain: "DÖMAIN",
            user: "usér",
            workstation: "WS",
            encryptedRandomSessionKey: Buffer.alloc(16, 9),
            version: { major: 10, minor: 0, build: 20348, revision: 15 },
            withMic: true,
        });
        assert.strictEqual(encoded.readUInt32LE(0x20), 0x58, "the first payload field (DomainName) starts after the MIC");
        Buffer.alloc(16, 0xab).copy(encoded, 0x48);
        const decoded = decodeAuthenticateMessage(encoded);
        assert.deepStrictEqual(decoded.mic, Buffer.alloc(16, 0xab));
        assert.strictEqual(decoded.domain, "DÖMAIN");
        assert.strictEqual(decoded.user, "usér");
        assert.deepStrictEqual(decoded.ntChallengeResponse, Buffer.alloc(60, 7));
    });

    it("encodes a 40-byte NEGOTIATE_MESSAGE with Version and decodes it back", () => {
        const flags = NegotiateFlag.UNICODE | NegotiateFlag.NTLM | NegotiateFlag.VERSION | NegotiateFlag.NEGOTIATE_56;
        const encoded = encodeNegotiateMessage({ flags, version: { major: 10, minor: 0, build: 20348, revision: 15 } });
        assert.strictEqual(encoded.length, 40);
        assert.strictEqual(encoded.subarray(0, 12).toString("hex"), "4e544c4d5353500001000000");
        const decoded = decodeNegotiateMessage(encoded);
        assert.strictEqual(decoded.flags, flags >>> 0);
        assert.deepStrictEqual(decoded.version, { major: 10, minor: 0, build: 20348, revision: 15 });
    });

    it("decodes a challenge carrying MsvAvTimestamp and DNS names", () => {
        const utf16 = (s: string): Buffer => Buffer.from(s, "utf16le");
        const time = Buffer.from("0090d336b734c301", "hex");
        const encoded = encodeChallengeMessage({
            flags: NegotiateFlag.UNICODE | NegotiateFlag.TARGET_INFO,
            serverChallenge: Buffer.alloc(8, 1),
            targetName: "WIN",
            targetInfo: [
                { id: AvId.DNS_COMPUTER_NAME, value: utf16("win.example.test") },
                { id: AvId.TIMESTAMP, value: time },
            ],
            version: { major: 10, minor: 0, build: 17763, revision: 15 },
        });
        const info = describeTargetInfo(decodeChallengeMessage(encoded).targetInfo);
        assert.strictEqual(info.dnsComputerName, "win.example.test");
        assert.deepStrictEqual(info.timestamp, time);
    });

    describe("malformed input", () => {
        it("rejects bytes without the NTLMSSP signature", () => {
            assert.throws(() => decodeChallengeMessage(Buffer.from("HTTP/1.1 401 Unauthorized")), isMalformed(/NTLMSSP/));
        });

        it("rejects a message of the wrong type, naming both", () => {
            const negotiate = encodeNegotiateMessage({ flags: 1, version: { major: 1, minor: 0, build: 0, revision: 15 } });
            assert.throws(() => decodeChallengeMessage(negotiate), isMalformed(/expected an NTLM CHALLENGE_MESSAGE \(type 2\), got message type 1/));
        });

        it("rejects a field that points past the end of the message", () => {
            const message = encodeChallengeMessage({
                flags: NegotiateFlag.UNICODE,
                serverChallenge: Buffer.alloc(8),
                targetName: "S",
                targetInfo: [],
                version: { major: 10, minor: 0, build: 0, revision: 15 },
            });
            message.writeUInt32LE(0xfff0, 44); // TargetInfoFields.BufferOffset
            assert.throws(() => decodeChallengeMessage(message), isMalformed(/TargetInfo .* runs past the end/));
        });

        it("rejects a truncated AV pair list", () => {
            const pairs = Buffer.from("02000c0044006f006d00", "hex");
            assert.throws(() => decodeAvPairs(pairs), isMalformed(/AV pair 2 at byte 0 .* claims 12 bytes/));
        });
    });
});
