import { randomBytes, timingSafeEqual } from "crypto";
import { AvPair, decodeAvPairs, describeTargetInfo, findAvPair } from "../../../provider/carriers/winrm/ntlm/avPairs";
import { AV_FLAG_MIC_PRESENT, AvId, formatFlags, missingRequiredFlags, NegotiateFlag } from "../../../provider/carriers/winrm/ntlm/constants";
import { NtlmError } from "../../../provider/carriers/winrm/ntlm/errors";
import {
    decodeAuthenticateMessage,
    decodeNegotiateMessage,
    encodeChallengeMessage,
    MIC_OFFSET,
    NtlmVersion,
} from "../../../provider/carriers/winrm/ntlm/messages";
import {
    CLIENT_BLOB_AV_PAIRS_OFFSET,
    exchangeSessionKey,
    fileTime,
    hmacMd5,
    ntowfv2,
    ntProofStr,
    sessionBaseKey,
} from "../../../provider/carriers/winrm/ntlm/ntlmv2";
import { accountKey, parseUserName } from "../../../provider/carriers/winrm/ntlm/username";

/**
 * The server side of the NTLM handshake, for the in-repo WS-Management test server: read the
 * client's NEGOTIATE, answer with a CHALLENGE, and verify the AUTHENTICATE against one known
 * account — the NTLMv2 proof, the MIC and, when asked, the TLS channel bindings — deriving the same
 * exported session key the client holds. Only the mode WinRM encryption uses is accepted.
 *
 * Not done (a real domain controller's job): timestamp freshness, MsvAvTargetName (SPN) checks.
 */

export interface ChallengeOptions {
    /** MsvAvNbComputerName, and the TargetName the challenge carries. */
    readonly netbiosComputerName: string;
    /** MsvAvNbDomainName (the machine name again for a workgroup server). */
    readonly netbiosDomainName: string;
    readonly dnsComputerName?: string;
    readonly dnsDomainName?: string;
    /**
     * Send MsvAvTimestamp, which obliges the client to send a MIC (and makes a missing MIC an
     * error). Default true, as every current Windows server does.
     */
    readonly includeTimestamp?: boolean;
    /** Values that are otherwise random or read from the clock; only for tests. */
    readonly fixed?: { readonly serverChallenge?: Buffer; readonly time?: Date };
}

/** What the server must remember between its CHALLENGE and the client's AUTHENTICATE. */
export interface ServerHandshake {
    readonly negotiateMessage: Buffer;
    /** The CHALLENGE_MESSAGE to send (`WWW-Authenticate: Negotiate <base64>` with a 401). */
    readonly challengeMessage: Buffer;
    readonly serverChallenge: Buffer;
    readonly negotiateFlags: number;
    readonly timestampSent: boolean;
}

export interface ServerAccount {
    /** "user", "DOMAIN\\user" or "user@domain"; matched on the user part, case-insensitively. */
    readonly username: string;
    readonly password: string;
}

export interface VerifyOptions {
    /**
     * `channelBindingsHash(serverCertificateDer)` for the certificate this server presents. When
     * set, the client must have sent exactly this MsvAvChannelBindings (CbtHardeningLevel=Strict).
     */
    readonly expectedChannelBindings?: Buffer;
}

export interface AuthenticatedClient {
    /** UserName and DomainName as the client sent them. */
    readonly user: string;
    readonly domain: string;
    readonly workstation: string;
    /** The key to build `new NtlmSessionSecurity("server", exportedSessionKey)` from. */
    readonly exportedSessionKey: Buffer;
    readonly negotiateFlags: number;
    readonly micVerified: boolean;
    readonly channelBindingsVerified: boolean;
}

/** The flags a server grants when the client asks for them. */
const GRANTABLE_FLAGS =
    NegotiateFlag.REQUEST_TARGET |
    NegotiateFlag.SIGN |
    NegotiateFlag.SEAL |
    NegotiateFlag.ALWAYS_SIGN |
    NegotiateFlag.EXTENDED_SESSIONSECURITY |
    NegotiateFlag.NEGOTIATE_128 |
    NegotiateFlag.KEY_EXCH |
    NegotiateFlag.NEGOTIATE_56;

/** The flags a server always sets in its CHALLENGE. */
const SERVER_FLAGS = NegotiateFlag.NTLM | NegotiateFlag.TARGET_INFO | NegotiateFlag.TARGET_TYPE_SERVER | NegotiateFlag.VERSION;

const SERVER_VERSION: NtlmVersion = { major: 10, minor: 0, build: 20348, revision: 15 };

/**
 * UNICODE when the client offers it, else OEM when it offers that (MS-NLMP 3.2.5.1.1).
 * ntlm-auth (pywinrm's NTLM) offers OEM only, and fails on a CHALLENGE granting UNICODE without OEM.
 */
function characterSet(clientFlags: number): number {
    if (clientFlags & NegotiateFlag.UNICODE) return NegotiateFlag.UNICODE;
    return clientFlags & NegotiateFlag.OEM ? NegotiateFlag.OEM : 0;
}

/** missingRequiredFlags with OEM strings accepted in place of Unicode: only names are encoded differently. */
function missingServerFlags(flags: number): string[] {
    return missingRequiredFlags(flags & NegotiateFlag.OEM ? flags | NegotiateFlag.UNICODE : flags);
}

/**
 * Reads the client's NEGOTIATE_MESSAGE and builds the CHALLENGE_MESSAGE. Throws NtlmError
 * "malformed-message", or "unsupported" when the client does not ask for what WinRM encryption needs.
 */
export function createChallengeMessage(negotiateMessage: Buffer, options: ChallengeOptions): ServerHandshake {
    const negotiate = decodeNegotiateMessage(negotiateMessage);
    const flags = ((negotiate.flags & GRANTABLE_FLAGS) | characterSet(negotiate.flags) | SERVER_FLAGS) >>> 0;
    const missing = missingServerFlags(flags);
    if (missing.length > 0) {
        throw new NtlmError(
            "unsupported",
            `the client's NTLM NEGOTIATE does not request ${missing.join(", ")} (client flags ${formatFlags(negotiate.flags)}); ` +
                `this server only does NTLMv2 with extended session security, key exchange, 128-bit keys, sign and seal`,
        );
    }
    const serverChallenge = options.fixed?.serverChallenge ?? randomBytes(8);
    const timestampSent = options.includeTimestamp ?? true;
    const text = (id: number, value: string): AvPair => ({ id, value: Buffer.from(value, "utf16le") });
    const targetInfo: AvPair[] = [
        text(AvId.NB_DOMAIN_NAME, options.netbiosDomainName),
        text(AvId.NB_COMPUTER_NAME, options.netbiosComputerName),
    ];
    if (options.dnsDomainName !== undefined) targetInfo.push(text(AvId.DNS_DOMAIN_NAME, options.dnsDomainName));
    if (options.dnsComputerName !== undefined) targetInfo.push(text(AvId.DNS_COMPUTER_NAME, options.dnsComputerName));
    if (timestampSent) targetInfo.push({ id: AvId.TIMESTAMP, value: fileTime(options.fixed?.time ?? new Date()) });

    const challengeMessage = encodeChallengeMessage({
        flags,
        serverChallenge,
        targetName: options.netbiosComputerName,
        targetInfo,
        version: SERVER_VERSION,
    });
    return { negotiateMessage, challengeMessage, serverChallenge, negotiateFlags: flags, timestampSent };
}

/**
 * Verifies the client's AUTHENTICATE_MESSAGE against `account`. Returns who authenticated and the
 * exported session key; throws NtlmError with code "malformed-message", "unsupported",
 * "anonymous", "unknown-user", "wrong-password", "mic-missing", "mic-mismatch",
 * "channel-bindings-missing" or "channel-bindings-mismatch". Error messages name the user but
 * never contain the password, a hash, a proof or a key.
 */
export function verifyAuthenticateMessage(
    authenticateMessage: Buffer,
    handshake: ServerHandshake,
    account: ServerAccount,
    options: VerifyOptions = {},
): AuthenticatedClient {
    const message = decodeAuthenticateMessage(authenticateMessage);
    const who = message.domain === "" ? message.user : `${message.domain}\\${message.user}`;
    if (message.ntChallengeResponse.length === 0) {
        throw new NtlmError("anonymous", "anonymous NTLM authentication is not accepted");
    }
    if (message.ntChallengeResponse.length <= 24) {
        throw new NtlmError("unsupported", `NTLM user "${who}" sent an NTLMv1 response; only NTLMv2 is accepted`);
    }
    const minimumLength = 16 + CLIENT_BLOB_AV_PAIRS_OFFSET + 4;
    const clientBlob = message.ntChallengeResponse.subarray(16);
    if (message.ntChallengeResponse.length < minimumLength || clientBlob[0] !== 1 || clientBlob[1] !== 1) {
        throw new NtlmError("malformed-message", `NTLM user "${who}" sent an NTLMv2 response that is not a version 1.1 client blob`);
    }
    const missing = missingServerFlags(message.flags);
    if (missing.length > 0) {
        throw new NtlmError(
            "unsupported",
            `NTLM user "${who}" authenticated without ${missing.join(", ")}; WinRM message encryption needs them`,
        );
    }
    if (accountKey({ user: message.user, domain: message.domain }) !== accountKey(parseUserName(account.username))) {
        throw new NtlmError("unknown-user", `NTLM user "${who}" is not an account this server knows`);
    }

    const responseKey = ntowfv2(account.password, message.user, message.domain);
    const proof = ntProofStr(responseKey, handshake.serverChallenge, clientBlob);
    if (!timingSafeEqual(proof, message.ntChallengeResponse.subarray(0, 16))) {
        throw new NtlmError("wrong-password", `NTLM authentication failed for user "${who}": wrong password`);
    }
    // Everything below is covered by the proof just checked: the client's AV pairs cannot have
    // been altered on the way.
    const clientPairs = decodeAvPairs(clientBlob.subarray(CLIENT_BLOB_AV_PAIRS_OFFSET));
    if (message.encryptedRandomSessionKey.length !== 16) {
        throw new NtlmError(
            "malformed-message",
            `NTLM user "${who}" sent a ${message.encryptedRandomSessionKey.length}-byte encrypted session key; 16 are required with key exchange`,
        );
    }
    const exportedSessionKey = exchangeSessionKey(sessionBaseKey(responseKey, proof), message.encryptedRandomSessionKey);

    const micVerified = verifyMic(authenticateMessage, message.mic, clientPairs, handshake, exportedSessionKey, who);
    const channelBindingsVerified = verifyChannelBindings(clientPairs, options.expectedChannelBindings, who);
    return {
        user: message.user,
        domain: message.domain,
        workstation: message.workstation,
        exportedSessionKey,
        negotiateFlags: message.flags,
        micVerified,
        channelBindingsVerified,
    };
}

function verifyMic(
    authenticateMessage: Buffer,
    mic: Buffer | undefined,
    clientPairs: readonly AvPair[],
    handshake: ServerHandshake,
    exportedSessionKey: Buffer,
    who: string,
): boolean {
    const micFlagged = ((describeTargetInfo(clientPairs).flags ?? 0) & AV_FLAG_MIC_PRESENT) !== 0;
    if (!micFlagged) {
        if (handshake.timestampSent) {
            throw new NtlmError(
                "mic-missing",
                `NTLM user "${who}" sent no MIC although the challenge carried a timestamp (the messages may have been tampered with)`,
            );
        }
        return false;
    }
    if (mic === undefined) {
        throw new NtlmError("malformed-message", `NTLM user "${who}" flags a MIC but the message has no room for one`);
    }
    const zeroed = Buffer.from(authenticateMessage);
    zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
    const expected = hmacMd5(exportedSessionKey, handshake.negotiateMessage, handshake.challengeMessage, zeroed);
    if (!timingSafeEqual(expected, mic)) {
        throw new NtlmError(
            "mic-mismatch",
            `NTLM user "${who}": the message integrity code does not match the NEGOTIATE, CHALLENGE and AUTHENTICATE messages`,
        );
    }
    return true;
}

function verifyChannelBindings(clientPairs: readonly AvPair[], expected: Buffer | undefined, who: string): boolean {
    if (expected === undefined) return false;
    const sent = findAvPair(clientPairs, AvId.CHANNEL_BINDINGS);
    if (sent === undefined || sent.every((byte) => byte === 0)) {
        throw new NtlmError(
            "channel-bindings-missing",
            `NTLM user "${who}" sent no TLS channel bindings, which this server requires`,
        );
    }
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        throw new NtlmError(
            "channel-bindings-mismatch",
            `NTLM user "${who}" sent channel bindings for a different TLS certificate than this server's ` +
                `(a TLS-intercepting proxy between client and server?)`,
        );
    }
    return true;
}
