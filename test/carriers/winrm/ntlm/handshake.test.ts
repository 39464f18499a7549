import * as assert from "assert";
import { decodeAvPairs, describeTargetInfo } from "../../../../provider/carriers/winrm/ntlm/avPairs";
import { createAuthenticateMessage, createNegotiateMessage } from "../../../../provider/carriers/winrm/ntlm/client";
import { AvId, NegotiateFlag } from "../../../../provider/carriers/winrm/ntlm/constants";
import { NtlmError, NtlmErrorCode } from "../../../../provider/carriers/winrm/ntlm/errors";
import {
    decodeAuthenticateMessage,
    decodeChallengeMessage,
    encodeChallengeMessage,
    encodeNegotiateMessage,
} from "../../../../provider/carriers/winrm/ntlm/messages";
import { ntowfv1, ntowfv2 } from "../../../../provider/carriers/winrm/ntlm/ntlmv2";
import {
    ChallengeOptions,
    createChallengeMessage,
    ServerHandshake,
    verifyAuthenticateMessage,
    VerifyOptions,
} from "../../../support/wsman/ntlmServer";
import { NtlmSessionSecurity } from "../../../../provider/carriers/winrm/ntlm/sessionSecurity";
import { loadNtlmVectors } from "./vectors";

const SERVER: ChallengeOptions = { netbiosComputerName: "WIN-TEST", netbiosDomainName: "CORP", dnsComputerName: "win-test.corp.example" };
const ACCOUNT = { username: "CORP\\alice", password: "S3cret-Pässword!" };

function ntlmError(code: NtlmErrorCode, pattern: RegExp): (error: unknown) => boolean {
    return (error) => {
        assert.ok(error instanceof NtlmError, `expected an NtlmError, got ${String(error)}`);
        assert.strictEqual(error.code, code, error.message);
        assert.match(error.message, pattern);
        return true;
    };
}

/** Client and server messages of one handshake, with hooks to alter what travels between them. */
function runHandshake(options: {
    username?: string;
    password?: string;
    server?: Partial<ChallengeOptions>;
    channelBindings?: Buffer;
    alterChallenge?: (challenge: Buffer) => Buffer;
}): { handshake: ServerHandshake; authenticate: ReturnType<typeof createAuthenticateMessage> } {
    const negotiateMessage = createNegotiateMessage();
    const handshake = createChallengeMessage(negotiateMessage, { ...SERVER, ...options.server });
    const challengeMessage = (options.alterChallenge ?? ((c) => c))(handshake.challengeMessage);
    const authenticate = createAuthenticateMessage({
        credentials: { username: options.username ?? ACCOUNT.username, password: options.password ?? ACCOUNT.password },
        negotiateMessage,
        challengeMessage,
        workstation: "BUILD-AGENT",
        channelBindings: options.channelBindings,
    });
    return { handshake, authenticate };
}

function verify(run: ReturnType<typeof runHandshake>, options?: VerifyOptions, message?: Buffer) {
    return verifyAuthenticateMessage(message ?? run.authenticate.message, run.handshake, ACCOUNT, options);
}

describe("NTLM handshake (client.ts ↔ server.ts)", () => {
    it("authenticates with a MIC when the challenge carries a timestamp, both sides holding the same key", () => {
        const run = runHandshake({});
        assert.strictEqual(run.handshake.timestampSent, true);
        assert.strictEqual(run.authenticate.micSent, true);
        assert.ok(run.authenticate.serverTargetInfo.timestamp, "client saw the server's timestamp");
        assert.strictEqual(run.authenticate.serverTargetInfo.dnsComputerName, "win-test.corp.example");

        const result = verify(run);
        assert.strictEqual(result.user, "alice");
        assert.strictEqual(result.domain, "CORP");
        assert.strictEqual(result.workstation, "BUILD-AGENT");
        assert.strictEqual(result.micVerified, true);
        assert.strictEqual(result.channelBindingsVerified, false);
        assert.deepStrictEqual(result.exportedSessionKey, run.authenticate.exportedSessionKey);
        assert.strictEqual(result.negotiateFlags, run.authenticate.negotiateFlags);
    });

    it("sends Z(24) as LM response and MsvAvFlags=0x2 beside the server's timestamp when sending a MIC", () => {
        const run = runHandshake({});
        const message = decodeAuthenticateMessage(run.authenticate.message);
        assert.deepStrictEqual(message.lmChallengeResponse, Buffer.alloc(24));
        const pairs = decodeAvPairs(message.ntChallengeResponse.subarray(16 + 28));
        const info = describeTargetInfo(pairs);
        assert.strictEqual(info.flags, 0x2);
        assert.deepStrictEqual(info.timestamp, describeTargetInfo(decodeChallengeMessage(run.handshake.challengeMessage).targetInfo).timestamp);
        assert.ok(message.mic && !message.mic.equals(Buffer.alloc(16)), "a non-zero MIC at 0x48");
    });

    it("uses a fresh random session key, client challenge and server challenge each time", () => {
        const first = runHandshake({});
        const second = runHandshake({});
        const clientChallenge = (run: ReturnType<typeof runHandshake>): Buffer =>
            decodeAuthenticateMessage(run.authenticate.message).ntChallengeResponse.subarray(16 + 16, 16 + 24);
        assert.notDeepStrictEqual(first.authenticate.exportedSessionKey, second.authenticate.exportedSessionKey);
        assert.notDeepStrictEqual(clientChallenge(first), clientChallenge(second));
        assert.notDeepStrictEqual(first.handshake.serverChallenge, second.handshake.serverChallenge);
    });

    it("authenticates without a MIC (and with an LMv2 response) when the server sends no timestamp", () => {
        const run = runHandshake({ server: { includeTimestamp: false } });
        assert.strictEqual(run.authenticate.micSent, false);
        const message = decodeAuthenticateMessage(run.authenticate.message);
        assert.strictEqual(message.lmChallengeResponse.length, 24);
        assert.notDeepStrictEqual(message.lmChallengeResponse, Buffer.alloc(24));
        const result = verify(run);
        assert.strictEqual(result.micVerified, false);
        assert.deepStrictEqual(result.exportedSessionKey, run.authenticate.exportedSessionKey);
    });

    it("leads to client and server sessions that talk to each other", () => {
        const run = runHandshake({});
        const result = verify(run);
        const client = new NtlmSessionSecurity("client", run.authenticate.exportedSessionKey);
        const server = new NtlmSessionSecurity("server", result.exportedSessionKey);
        for (let n = 0; n < 3; n++) {
            const request = client.seal(Buffer.from(`request ${n}`));
            assert.strictEqual(server.unseal(request.sealed, request.signature).toString(), `request ${n}`);
            const response = server.seal(Buffer.from(`response ${n}`));
            assert.strictEqual(client.unseal(response.sealed, response.signature).toString(), `response ${n}`);
        }
    });

    it("accepts a UPN user name for an account configured as DOMAIN\\user", () => {
        const run = runHandshake({ username: "Alice@corp.example" });
        const result = verify(run);
        assert.strictEqual(result.user, "Alice@corp.example");
        assert.strictEqual(result.domain, "");
    });

    describe("failures", () => {
        it("a wrong password fails as wrong-password, and the error holds neither the password nor a hash", () => {
            const wrong = "not-the-password";
            const run = runHandshake({ password: wrong });
            let caught: unknown;
            assert.throws(() => verify(run), (error) => {
                caught = error;
                return ntlmError("wrong-password", /NTLM authentication failed for user "CORP\\alice": wrong password/)(error);
            });
            const error = caught as NtlmError;
            const text = `${error.message}\n${error.stack ?? ""}\n${JSON.stringify(error)}`;
            const secrets = [
                ACCOUNT.password,
                wrong,
                ...[ntowfv1(ACCOUNT.password), ntowfv1(wrong), ntowfv2(ACCOUNT.password, "alice", "CORP"), ntowfv2(wrong, "alice", "CORP")].flatMap(
                    (hash) => [hash.toString("hex"), hash.toString("hex").toUpperCase(), hash.toString("base64")],
                ),
            ];
            for (const secret of secrets) assert.ok(!text.includes(secret), `error text must not contain ${secret.length}-char secret`);
        });

        it("a different user fails as unknown-user", () => {
            const run = runHandshake({ username: "CORP\\mallory" });
            assert.throws(() => verify(run), ntlmError("unknown-user", /"CORP\\mallory" is not an account this server knows/));
        });

        it("an altered AUTHENTICATE header (Version bytes) fails the MIC", () => {
            const run = runHandshake({});
            const altered = Buffer.from(run.authenticate.message);
            altered[0x42] ^= 0x01;
            assert.throws(() => verify(run, {}, altered), ntlmError("mic-mismatch", /message integrity code does not match/));
        });

        it("an altered MIC fails as mic-mismatch", () => {
            const run = runHandshake({});
            const altered = Buffer.from(run.authenticate.message);
            altered[0x48 + 15] ^= 0xff;
            assert.throws(() => verify(run, {}, altered), ntlmError("mic-mismatch", /NEGOTIATE, CHALLENGE and AUTHENTICATE/));
        });

        it("a challenge stripped of its timestamp on the way leads to mic-missing", () => {
            const stripTimestamp = (bytes: Buffer): Buffer => {
                const challenge = decodeChallengeMessage(bytes);
                return encodeChallengeMessage({
                    ...challenge,
                    targetInfo: challenge.targetInfo.filter((pair) => pair.id !== AvId.TIMESTAMP),
                    version: challenge.version!,
                });
            };
            const run = runHandshake({ alterChallenge: stripTimestamp });
            assert.strictEqual(run.authenticate.micSent, false);
            assert.throws(() => verify(run), ntlmError("mic-missing", /sent no MIC although the challenge carried a timestamp/));
        });

        it("an anonymous AUTHENTICATE fails as anonymous", () => {
            const run = runHandshake({});
            const message = Buffer.from(run.authenticate.message);
            message.writeUInt16LE(0, 0x14); // NtChallengeResponseFields.Len
            message.writeUInt16LE(0, 0x16);
            assert.throws(() => verify(run, {}, message), ntlmError("anonymous", /anonymous NTLM authentication is not accepted/));
        });

        it("the client refuses a challenge without key exchange, naming the missing flag", () => {
            const negotiateMessage = createNegotiateMessage();
            const handshake = createChallengeMessage(negotiateMessage, SERVER);
            const challenge = Buffer.from(handshake.challengeMessage);
            challenge.writeUInt32LE((challenge.readUInt32LE(20) & ~NegotiateFlag.KEY_EXCH) >>> 0, 20);
            assert.throws(
                () => createAuthenticateMessage({ credentials: ACCOUNT, negotiateMessage, challengeMessage: challenge }),
                ntlmError("unsupported", /does not grant NTLMSSP_NEGOTIATE_KEY_EXCH \(server flags 0x/),
            );
        });

        it("the server answers an OEM-only NEGOTIATE (ntlm-auth, pywinrm) with OEM and accepts OEM names", () => {
            // requests_ntlm 1.1 / ntlm-auth 1.4 (Debian python3-winrm) for domain WIN-TEST: flags 0xe2889032, OEM without UNICODE.
            const negotiate = Buffer.from("TlRMTVNTUAABAAAAMpCI4ggACAAoAAAAAAAAADAAAAAGAbEdAAAAD1dJTi1URVNU", "base64");
            const handshake = createChallengeMessage(negotiate, SERVER);
            assert.strictEqual(handshake.negotiateFlags & (NegotiateFlag.UNICODE | NegotiateFlag.OEM), NegotiateFlag.OEM);
        });

        it("the server refuses a NEGOTIATE that does not ask for sealing, naming the flag", () => {
            const negotiate = encodeNegotiateMessage({
                flags: NegotiateFlag.UNICODE | NegotiateFlag.NTLM | NegotiateFlag.EXTENDED_SESSIONSECURITY | NegotiateFlag.SIGN | NegotiateFlag.KEY_EXCH | NegotiateFlag.NEGOTIATE_128,
                version: { major: 10, minor: 0, build: 0, revision: 15 },
            });
            assert.throws(() => createChallengeMessage(negotiate, SERVER), ntlmError("unsupported", /does not request NTLMSSP_NEGOTIATE_SEAL/));
        });
    });

    describe("channel bindings", () => {
        const bindingsA = Buffer.from("00112233445566778899aabbccddeeff", "hex");
        const bindingsB = Buffer.from("ffeeddccbbaa99887766554433221100", "hex");

        it("are sent as MsvAvChannelBindings and verified when the server expects them", () => {
            const run = runHandshake({ channelBindings: bindingsA });
            const message = decodeAuthenticateMessage(run.authenticate.message);
            const pairs = decodeAvPairs(message.ntChallengeResponse.subarray(16 + 28));
            assert.deepStrictEqual(describeTargetInfo(pairs).channelBindings, bindingsA);
            assert.strictEqual(verify(run, { expectedChannelBindings: bindingsA }).channelBindingsVerified, true);
        });

        it("fail as channel-bindings-mismatch when bound to another certificate", () => {
            const run = runHandshake({ channelBindings: bindingsB });
            assert.throws(
                () => verify(run, { expectedChannelBindings: bindingsA }),
                ntlmError("channel-bindings-mismatch", /channel bindings for a different TLS certificate/),
            );
        });

        it("fail as channel-bindings-missing when the client sends none", () => {
            const run = runHandshake({});
            assert.throws(
                () => verify(run, { expectedChannelBindings: bindingsA }),
                ntlmError("channel-bindings-missing", /sent no TLS channel bindings, which this server requires/),
            );
        });

        it("are ignored when the server does not expect them", () => {
            const run = runHandshake({ channelBindings: bindingsB });
            assert.strictEqual(verify(run).channelBindingsVerified, false);
        });

        it("must be 16 bytes", () => {
            assert.throws(() => runHandshake({ channelBindings: Buffer.alloc(32) }), /channelBindings must be the 16-byte MD5/);
        });
    });

    describe("MS-NLMP 4.2.4 vectors (ntlm_vectors.md)", () => {
        const vectors = loadNtlmVectors();
        before(function () {
            if (vectors === undefined) this.skip();
        });

        /** The server state for the spec's CHALLENGE_MESSAGE (no timestamp, so no MIC expected). */
        function specHandshake(): ServerHandshake {
            const v = vectors!;
            return {
                negotiateMessage: Buffer.alloc(0),
                challengeMessage: v.challengeMessage,
                serverChallenge: v.serverChallenge,
                negotiateFlags: v.challengeFlags,
                timestampSent: false,
            };
        }

        it("the server verifies the spec's AUTHENTICATE_MESSAGE and recovers RandomSessionKey", () => {
            const v = vectors!;
            const result = verifyAuthenticateMessage(v.authenticateMessage, specHandshake(), {
                username: `${v.domain}\\${v.user}`,
                password: v.password,
            });
            assert.strictEqual(result.user, v.user);
            assert.strictEqual(result.domain, v.domain);
            assert.strictEqual(result.workstation, v.workstation);
            assert.deepStrictEqual(result.exportedSessionKey, v.randomSessionKey);
        });

        it("the server rejects the spec's AUTHENTICATE_MESSAGE for another password", () => {
            const v = vectors!;
            assert.throws(
                () => verifyAuthenticateMessage(v.authenticateMessage, specHandshake(), { username: v.user, password: "password" }),
                ntlmError("wrong-password", /wrong password/),
            );
        });

        it("the client rebuilds the spec's AUTHENTICATE_MESSAGE from the spec's inputs", () => {
            const v = vectors!;
            const result = createAuthenticateMessage({
                credentials: { username: `${v.domain}\\${v.user}`, password: v.password },
                negotiateMessage: Buffer.alloc(0),
                challengeMessage: v.challengeMessage,
                workstation: v.workstation,
                fixed: {
                    clientChallenge: v.clientChallenge,
                    exportedSessionKey: v.randomSessionKey,
                    time: new Date(Number(v.time.readBigUInt64LE(0) / 10000n) - 11644473600000),
                },
            });
            // Only NegotiateFlags and Version are the client's own choice: ours are the intersection
            // of what we ask for and what the challenge grants (the spec's client also keeps
            // REQUEST_TARGET, 0x4) and our Version. Everything else must match byte for byte.
            const ours = Buffer.from(result.message);
            assert.strictEqual(ours.readUInt32LE(0x3c), (v.authenticateFlags & ~NegotiateFlag.REQUEST_TARGET) >>> 0);
            v.authenticateMessage.copy(ours, 0x3c, 0x3c, 0x48);
            assert.strictEqual(ours.toString("hex"), v.authenticateMessage.toString("hex"));
            assert.strictEqual(result.micSent, false);
            assert.deepStrictEqual(result.exportedSessionKey, v.randomSessionKey);
        });
    });
});
