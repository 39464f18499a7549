import { randomBytes } from "crypto";
import { AvPair, describeTargetInfo, encodeAvPairs, findAvPair, TargetInfo, withAvPair } from "./avPairs";
import { AV_FLAG_MIC_PRESENT, AvId, formatFlags, missingRequiredFlags, NegotiateFlag } from "./constants";
import { NtlmError } from "./errors";
import { decodeChallengeMessage, encodeAuthenticateMessage, encodeNegotiateMessage, MIC_OFFSET, NtlmVersion } from "./messages";
import {
    exchangeSessionKey,
    fileTime,
    hmacMd5,
    lmv2Response,
    ntlmv2ClientBlob,
    ntowfv2,
    ntProofStr,
    sessionBaseKey,
} from "./ntlmv2";
import { parseUserName } from "./username";

/**
 * The client side of the NTLM handshake as WinRM uses it over HTTP: NEGOTIATE out, CHALLENGE in,
 * AUTHENTICATE out (NTLMv2, key exchange, MIC when the server sent a timestamp, optional channel
 * bindings). Pure: the caller moves the bytes (base64 in `Authorization: Negotiate ...`).
 */

export interface NtlmCredentials {
    /** "DOMAIN\\user", "user@domain.example" or "user" (a local account); see username.ts. */
    readonly username: string;
    readonly password: string;
}

/**
 * What the client asks for: Unicode, NTLM with Extended Session Security, signing and sealing with
 * a random session key and 128-bit keys (56 as well, as Windows does; with both granted, 128 wins).
 */
const CLIENT_FLAGS =
    NegotiateFlag.UNICODE |
    NegotiateFlag.REQUEST_TARGET |
    NegotiateFlag.SIGN |
    NegotiateFlag.SEAL |
    NegotiateFlag.NTLM |
    NegotiateFlag.ALWAYS_SIGN |
    NegotiateFlag.EXTENDED_SESSIONSECURITY |
    NegotiateFlag.VERSION |
    NegotiateFlag.NEGOTIATE_128 |
    NegotiateFlag.KEY_EXCH |
    NegotiateFlag.NEGOTIATE_56;

/** Sent in the Version fields; servers only log it. Windows Server 2022's numbers. */
const CLIENT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 20348, revision: 15 };

/** The NEGOTIATE_MESSAGE to send first. Keep the exact bytes: the MIC covers them. */
export function createNegotiateMessage(): Buffer {
    return encodeNegotiateMessage({ flags: CLIENT_FLAGS, version: CLIENT_VERSION });
}

export interface AuthenticateInput {
    readonly credentials: NtlmCredentials;
    /** The bytes createNegotiateMessage returned and were sent. */
    readonly negotiateMessage: Buffer;
    /** The server's CHALLENGE_MESSAGE, base64-decoded from `WWW-Authenticate: Negotiate ...`. */
    readonly challengeMessage: Buffer;
    /** This machine's name, informational for the server's logs; default "". */
    readonly workstation?: string;
    /**
     * MsvAvChannelBindings for HTTPS: `channelBindingsHash(serverCertificateDer)` (16 bytes).
     * Omit over plain HTTP.
     */
    readonly channelBindings?: Buffer;
    /**
     * Values that are otherwise random or read from the clock. Only for reproducing the MS-NLMP
     * test vectors; never set them in real use.
     */
    readonly fixed?: {
        readonly clientChallenge?: Buffer;
        readonly exportedSessionKey?: Buffer;
        readonly time?: Date;
    };
}

export interface AuthenticateResult {
    /** The AUTHENTICATE_MESSAGE to send. */
    readonly message: Buffer;
    /** The key to build `new NtlmSessionSecurity("client", exportedSessionKey)` from. */
    readonly exportedSessionKey: Buffer;
    /** The flags both sides now share. */
    readonly negotiateFlags: number;
    /** What the server said about itself in the CHALLENGE_MESSAGE (names, timestamp). */
    readonly serverTargetInfo: TargetInfo;
    /** Whether a MIC was sent (the server's challenge carried MsvAvTimestamp). */
    readonly micSent: boolean;
}

/**
 * Answers the server's CHALLENGE_MESSAGE. Throws NtlmError "malformed-message" for a broken
 * challenge and "unsupported" when the server does not grant what WinRM encryption needs.
 */
export function createAuthenticateMessage(input: AuthenticateInput): AuthenticateResult {
    const challenge = decodeChallengeMessage(input.challengeMessage);
    const flags = challenge.flags & (CLIENT_FLAGS | NegotiateFlag.TARGET_INFO);
    const missing = missingRequiredFlags(flags);
    if (missing.length > 0) {
        throw new NtlmError(
            "unsupported",
            `the server's NTLM CHALLENGE does not grant ${missing.join(", ")} (server flags ${formatFlags(challenge.flags)}); ` +
                `WinRM message encryption needs NTLMv2 with extended session security, key exchange, 128-bit keys, sign and seal`,
        );
    }
    if (input.channelBindings !== undefined && input.channelBindings.length !== 16) {
        throw new RangeError(
            `channelBindings must be the 16-byte MD5 from channelBindingsHash(), got ${input.channelBindings.length} bytes`,
        );
    }

    const { user, domain } = parseUserName(input.credentials.username);
    const serverTimestamp = findAvPair(challenge.targetInfo, AvId.TIMESTAMP);
    const withMic = serverTimestamp !== undefined;
    const time = serverTimestamp ?? fileTime(input.fixed?.time ?? new Date());
    const clientChallenge = input.fixed?.clientChallenge ?? randomBytes(8);
    const avPairs = clientAvPairs(challenge.targetInfo, withMic, input.channelBindings);

    const responseKey = ntowfv2(input.credentials.password, user, domain);
    const clientBlob = ntlmv2ClientBlob(time, clientChallenge, encodeAvPairs(avPairs));
    const proof = ntProofStr(responseKey, challenge.serverChallenge, clientBlob);
    // With a server timestamp the LM response is redundant and MS-NLMP 3.1.5.1.2 says send Z(24).
    const lmResponse = withMic ? Buffer.alloc(24) : lmv2Response(responseKey, challenge.serverChallenge, clientChallenge);

    const keyExchangeKey = sessionBaseKey(responseKey, proof);
    const exportedSessionKey = input.fixed?.exportedSessionKey ?? randomBytes(16);
    const message = encodeAuthenticateMessage({
        flags,
        lmChallengeResponse: lmResponse,
        ntChallengeResponse: Buffer.concat([proof, clientBlob]),
        domain,
        user,
        workstation: input.workstation ?? "",
        encryptedRandomSessionKey: exchangeSessionKey(keyExchangeKey, exportedSessionKey),
        version: CLIENT_VERSION,
        withMic,
    });
    if (withMic) {
        hmacMd5(exportedSessionKey, input.negotiateMessage, input.challengeMessage, message).copy(message, MIC_OFFSET);
    }
    return {
        message,
        exportedSessionKey,
        negotiateFlags: flags >>> 0,
        serverTargetInfo: describeTargetInfo(challenge.targetInfo),
        micSent: withMic,
    };
}

/** The server's AV pairs plus what the client adds: MsvAvFlags (MIC present), channel bindings. */
function clientAvPairs(serverPairs: readonly AvPair[], withMic: boolean, channelBindings: Buffer | undefined): AvPair[] {
    let pairs = [...serverPairs];
    if (withMic) {
        const avFlags = Buffer.alloc(4);
        avFlags.writeUInt32LE(((describeTargetInfo(serverPairs).flags ?? 0) | AV_FLAG_MIC_PRESENT) >>> 0, 0);
        pairs = withAvPair(pairs, AvId.FLAGS, avFlags);
    }
    if (channelBindings !== undefined) pairs = withAvPair(pairs, AvId.CHANNEL_BINDINGS, channelBindings);
    return pairs;
}
