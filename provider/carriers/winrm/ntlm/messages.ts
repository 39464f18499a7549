import { AvPair, decodeAvPairs, encodeAvPairs } from "./avPairs";
import { MessageType, NegotiateFlag, NTLMSSP_SIGNATURE_HEX } from "./constants";
import { NtlmError } from "./errors";

/**
 * The byte layout of the three NTLM messages (MS-NLMP 2.2.1), and nothing else: no crypto, no
 * policy. Encoders always write Unicode strings and a Version field; decoders also read OEM
 * strings (as latin1) so that an OEM-only peer gets a clear "unsupported" from the layer above
 * rather than garbage here.
 */

/** The VERSION structure (MS-NLMP 2.2.2.10); informational only, never used for decisions. */
export interface NtlmVersion {
    readonly major: number;
    readonly minor: number;
    readonly build: number;
    /** NTLMRevisionCurrent; 15 (NTLMSSP_REVISION_W2K3) for everything current. */
    readonly revision: number;
}

export interface NegotiateMessage {
    readonly flags: number;
    /** OEM domain name, only when NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED was set. */
    readonly domain: string;
    readonly workstation: string;
    readonly version?: NtlmVersion;
}

export interface ChallengeMessage {
    readonly flags: number;
    /** 8 random bytes from the server. */
    readonly serverChallenge: Buffer;
    readonly targetName: string;
    readonly targetInfo: AvPair[];
    readonly version?: NtlmVersion;
}

export interface AuthenticateMessage {
    readonly flags: number;
    readonly lmChallengeResponse: Buffer;
    readonly ntChallengeResponse: Buffer;
    readonly domain: string;
    readonly user: string;
    readonly workstation: string;
    /** Empty unless NTLMSSP_NEGOTIATE_KEY_EXCH. */
    readonly encryptedRandomSessionKey: Buffer;
    readonly version?: NtlmVersion;
    /**
     * The 16 bytes at offset 0x48 when the payload starts late enough to leave room for them.
     * Whether they *are* a MIC is said by MsvAvFlags in the NTLMv2 response (see server.ts).
     */
    readonly mic?: Buffer;
}

/** Offset of the MIC field in an AUTHENTICATE_MESSAGE that has one. */
export const MIC_OFFSET = 0x48;

const NEGOTIATE_HEADER_LENGTH = 32;
const CHALLENGE_HEADER_LENGTH = 48;
const AUTHENTICATE_HEADER_LENGTH = 64;
const VERSION_LENGTH = 8;
const MIC_LENGTH = 16;
/** OEM_DOMAIN_SUPPLIED and OEM_WORKSTATION_SUPPLIED: only ever read, never sent. */
const OEM_DOMAIN_SUPPLIED = 0x00001000;
const OEM_WORKSTATION_SUPPLIED = 0x00002000;

export function encodeNegotiateMessage(message: { flags: number; version: NtlmVersion }): Buffer {
    const header = messageHeader(MessageType.NEGOTIATE, NEGOTIATE_HEADER_LENGTH);
    header.writeUInt32LE(message.flags >>> 0, 12);
    // Empty DomainNameFields and WorkstationFields still point at the payload (after Version).
    const payloadOffset = NEGOTIATE_HEADER_LENGTH + VERSION_LENGTH;
    writeSecurityBuffer(header, 16, 0, payloadOffset);
    writeSecurityBuffer(header, 24, 0, payloadOffset);
    return Buffer.concat([header, encodeVersion(message.version)]);
}

export function decodeNegotiateMessage(bytes: Uint8Array): NegotiateMessage {
    const message = checkHeader(bytes, MessageType.NEGOTIATE, 16, "NEGOTIATE_MESSAGE");
    const flags = message.readUInt32LE(12);
    const hasFields = message.length >= NEGOTIATE_HEADER_LENGTH;
    const domain =
        hasFields && flags & OEM_DOMAIN_SUPPLIED ? readSecurityBuffer(message, 16, "DomainName").toString("latin1") : "";
    const workstation =
        hasFields && flags & OEM_WORKSTATION_SUPPLIED
            ? readSecurityBuffer(message, 24, "Workstation").toString("latin1")
            : "";
    const version =
        flags & NegotiateFlag.VERSION && message.length >= NEGOTIATE_HEADER_LENGTH + VERSION_LENGTH
            ? decodeVersion(message, NEGOTIATE_HEADER_LENGTH)
            : undefined;
    return { flags, domain, workstation, version };
}

export function encodeChallengeMessage(message: {
    flags: number;
    serverChallenge: Buffer;
    targetName: string;
    targetInfo: readonly AvPair[];
    version: NtlmVersion;
}): Buffer {
    if (message.serverChallenge.length !== 8) {
        throw new RangeError(`server challenge must be 8 bytes, got ${message.serverChallenge.length}`);
    }
    const targetName = Buffer.from(message.targetName, "utf16le");
    const targetInfo = encodeAvPairs(message.targetInfo);
    const header = messageHeader(MessageType.CHALLENGE, CHALLENGE_HEADER_LENGTH);
    const payloadOffset = CHALLENGE_HEADER_LENGTH + VERSION_LENGTH;
    writeSecurityBuffer(header, 12, targetName.length, payloadOffset);
    header.writeUInt32LE(message.flags >>> 0, 20);
    message.serverChallenge.copy(header, 24);
    writeSecurityBuffer(header, 40, targetInfo.length, payloadOffset + targetName.length);
    return Buffer.concat([header, encodeVersion(message.version), targetName, targetInfo]);
}

export function decodeChallengeMessage(bytes: Uint8Array): ChallengeMessage {
    const message = checkHeader(bytes, MessageType.CHALLENGE, 32, "CHALLENGE_MESSAGE");
    const flags = message.readUInt32LE(20);
    const serverChallenge = Buffer.from(message.subarray(24, 32));
    const targetName = decodeString(readSecurityBuffer(message, 12, "TargetName"), flags);
    const hasTargetInfo = message.length >= CHALLENGE_HEADER_LENGTH;
    const targetInfo = hasTargetInfo ? decodeAvPairs(readSecurityBuffer(message, 40, "TargetInfo")) : [];
    const payloadStart = lowestPayloadOffset(message, hasTargetInfo ? [12, 40] : [12]);
    const version =
        flags & NegotiateFlag.VERSION && payloadStart >= CHALLENGE_HEADER_LENGTH + VERSION_LENGTH
            ? decodeVersion(message, CHALLENGE_HEADER_LENGTH)
            : undefined;
    return { flags, serverChallenge, targetName, targetInfo, version };
}

/**
 * Lays out an AUTHENTICATE_MESSAGE. With `withMic` the MIC field is present and zero: the caller
 * computes the MIC over this very buffer and then writes it at MIC_OFFSET.
 */
export function encodeAuthenticateMessage(message: {
    flags: number;
    lmChallengeResponse: Buffer;
    ntChallengeResponse: Buffer;
    domain: string;
    user: string;
    workstation: string;
    encryptedRandomSessionKey: Buffer;
    version: NtlmVersion;
    withMic: boolean;
}): Buffer {
    const fields: [number, Buffer][] = [
        [28, Buffer.from(message.domain, "utf16le")],
        [36, Buffer.from(message.user, "utf16le")],
        [44, Buffer.from(message.workstation, "utf16le")],
        [12, message.lmChallengeResponse],
        [20, message.ntChallengeResponse],
        [52, message.encryptedRandomSessionKey],
    ];
    const header = messageHeader(MessageType.AUTHENTICATE, AUTHENTICATE_HEADER_LENGTH);
    let offset = AUTHENTICATE_HEADER_LENGTH + VERSION_LENGTH + (message.withMic ? MIC_LENGTH : 0);
    for (const [fieldOffset, value] of fields) {
        writeSecurityBuffer(header, fieldOffset, value.length, offset);
        offset += value.length;
    }
    header.writeUInt32LE(message.flags >>> 0, 60);
    return Buffer.concat([
        header,
        encodeVersion(message.version),
        message.withMic ? Buffer.alloc(MIC_LENGTH) : Buffer.alloc(0),
        ...fields.map(([, value]) => value),
    ]);
}

export function decodeAuthenticateMessage(bytes: Uint8Array): AuthenticateMessage {
    const message = checkHeader(bytes, MessageType.AUTHENTICATE, AUTHENTICATE_HEADER_LENGTH, "AUTHENTICATE_MESSAGE");
    const flags = message.readUInt32LE(60);
    const payloadStart = lowestPayloadOffset(message, [12, 20, 28, 36, 44, 52]);
    return {
        flags,
        lmChallengeResponse: readSecurityBuffer(message, 12, "LmChallengeResponse"),
        ntChallengeResponse: readSecurityBuffer(message, 20, "NtChallengeResponse"),
        domain: decodeString(readSecurityBuffer(message, 28, "DomainName"), flags),
        user: decodeString(readSecurityBuffer(message, 36, "UserName"), flags),
        workstation: decodeString(readSecurityBuffer(message, 44, "Workstation"), flags),
        encryptedRandomSessionKey: readSecurityBuffer(message, 52, "EncryptedRandomSessionKey"),
        version:
            payloadStart >= AUTHENTICATE_HEADER_LENGTH + VERSION_LENGTH
                ? decodeVersion(message, AUTHENTICATE_HEADER_LENGTH)
                : undefined,
        mic:
            payloadStart >= MIC_OFFSET + MIC_LENGTH
                ? Buffer.from(message.subarray(MIC_OFFSET, MIC_OFFSET + MIC_LENGTH))
                : undefined,
    };
}

function messageHeader(type: number, length: number): Buffer {
    const header = Buffer.alloc(length);
    header.write(NTLMSSP_SIGNATURE_HEX, 0, "hex");
    header.writeUInt32LE(type, 8);
    return header;
}

function checkHeader(bytes: Uint8Array, type: number, minimumLength: number, name: string): Buffer {
    const message = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (message.length < 12 || message.subarray(0, 8).toString("hex") !== NTLMSSP_SIGNATURE_HEX) {
        throw new NtlmError("malformed-message", `not an NTLM message: it does not start with "NTLMSSP\\0"`);
    }
    const actual = message.readUInt32LE(8);
    if (actual !== type) {
        throw new NtlmError("malformed-message", `expected an NTLM ${name} (type ${type}), got message type ${actual}`);
    }
    if (message.length < minimumLength) {
        throw new NtlmError(
            "malformed-message",
            `NTLM ${name} is ${message.length} bytes long; at least ${minimumLength} are required`,
        );
    }
    return message;
}

function writeSecurityBuffer(target: Buffer, at: number, length: number, offset: number): void {
    if (length > 0xffff) throw new RangeError(`NTLM message field of ${length} bytes does not fit in 65535`);
    target.writeUInt16LE(length, at);
    target.writeUInt16LE(length, at + 2);
    target.writeUInt32LE(offset, at + 4);
}

function readSecurityBuffer(message: Buffer, at: number, field: string): Buffer {
    const length = message.readUInt16LE(at);
    const offset = message.readUInt32LE(at + 4);
    if (length === 0) return Buffer.alloc(0);
    if (offset + length > message.length) {
        throw new NtlmError(
            "malformed-message",
            `NTLM field ${field} (${length} bytes at offset ${offset}) runs past the end of the ${message.length}-byte message`,
        );
    }
    return Buffer.from(message.subarray(offset, offset + length));
}

/** Where the payload starts: the lowest offset of the non-empty fields (or the message length). */
function lowestPayloadOffset(message: Buffer, fieldPositions: readonly number[]): number {
    let lowest = message.length;
    for (const at of fieldPositions) {
        if (message.readUInt16LE(at) > 0) lowest = Math.min(lowest, message.readUInt32LE(at + 4));
    }
    return lowest;
}

function decodeString(bytes: Buffer, flags: number): string {
    return bytes.toString(flags & NegotiateFlag.UNICODE ? "utf16le" : "latin1");
}

function encodeVersion(version: NtlmVersion): Buffer {
    const bytes = Buffer.alloc(VERSION_LENGTH);
    bytes[0] = version.major;
    bytes[1] = version.minor;
    bytes.writeUInt16LE(version.build, 2);
    bytes[7] = version.revision;
    return bytes;
}

function decodeVersion(message: Buffer, at: number): NtlmVersion {
    return {
        major: message[at],
        minor: message[at + 1],
        build: message.readUInt16LE(at + 2),
        revision: message[at + 7],
    };
}
