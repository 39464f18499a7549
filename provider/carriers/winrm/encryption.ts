/**
 * MS-WSMV message encryption over HTTP (MS-WSMV 2.2.9.1.1.2.2): after an NTLM or Kerberos
 * handshake every SOAP body travels sealed inside a two-part multipart/encrypted body. This module
 * only frames and unframes; the sealing itself is the `MessageSealer` it is given
 * (NtlmSessionSecurity, or a GSSAPI context whose wrap_iov header stands where NTLM's signature does).
 *
 * ```
 * --Encrypted Boundary\r\n
 * \tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n
 * \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext bytes>\r\n
 * --Encrypted Boundary\r\n
 * \tContent-Type: application/octet-stream\r\n
 * <uint32 LE signature length><signature><sealed bytes>--Encrypted Boundary--\r\n
 * ```
 * The tabs are what the spec and Windows write; WinRb omits them and Windows accepts that, so the
 * parser accepts both.
 */

/** What encryption needs from a security context; NtlmSessionSecurity is one. The signature is Kerberos's token header. */
export interface MessageSealer {
    seal(plaintext: Uint8Array): { readonly sealed: Buffer; readonly signature: Buffer };
    unseal(sealed: Uint8Array, signature: Uint8Array): Buffer;
}

/**
 * The protocol named in the body and its Content-Type: SPNEGO for the Negotiate scheme (NTLM, or
 * Kerberos inside SPNEGO), Kerberos for the Kerberos scheme.
 */
export type EncryptionProtocol = "application/HTTP-SPNEGO-session-encrypted" | "application/HTTP-Kerberos-session-encrypted";

const SPNEGO_PROTOCOL: EncryptionProtocol = "application/HTTP-SPNEGO-session-encrypted";
const PROTOCOLS: readonly EncryptionProtocol[] = [SPNEGO_PROTOCOL, "application/HTTP-Kerberos-session-encrypted"];

/** The HTTP Content-Type of an encrypted request or response. */
export function encryptedContentType(protocol: EncryptionProtocol): string {
    return `multipart/encrypted;protocol="${protocol}";boundary="Encrypted Boundary"`;
}

/** The HTTP Content-Type of an encrypted request or response under Negotiate (NTLM). */
export const ENCRYPTED_CONTENT_TYPE = encryptedContentType(SPNEGO_PROTOCOL);

/** The Content-Type of the SOAP payload inside (OriginalContent's type). */
export const SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8";

const BOUNDARY_LINE = "--Encrypted Boundary\r\n";
const FINAL_BOUNDARY = "--Encrypted Boundary--";

export type EncryptedMessageProblem = "missing-boundary" | "bad-header" | "length-mismatch" | "truncated";

/** A body that is not a well-formed encrypted message. A bad signature is an NtlmError instead. */
export class EncryptedMessageError extends Error {
    readonly problem: EncryptedMessageProblem;

    constructor(problem: EncryptedMessageProblem, message: string) {
        super(`encrypted WinRM message: ${message}`);
        this.name = "EncryptedMessageError";
        this.problem = problem;
    }
}

export interface EncryptedBody {
    readonly body: Buffer;
    /** Use as the HTTP Content-Type header: encryptedContentType(protocol). */
    readonly contentType: string;
}

/** Seals `plaintext` (the next message in the sealer's sequence) and frames it. */
export function encryptMessage(
    sealer: MessageSealer,
    plaintext: Uint8Array,
    originalContentType: string = SOAP_CONTENT_TYPE,
    protocol: EncryptionProtocol = SPNEGO_PROTOCOL,
): EncryptedBody {
    const { sealed, signature } = sealer.seal(plaintext);
    const head = Buffer.from(
        BOUNDARY_LINE +
            `\tContent-Type: ${protocol}\r\n` +
            `\tOriginalContent: type=${originalContentType};Length=${plaintext.length}\r\n` +
            BOUNDARY_LINE +
            "\tContent-Type: application/octet-stream\r\n",
        "latin1",
    );
    const signatureLength = Buffer.alloc(4);
    signatureLength.writeUInt32LE(signature.length, 0);
    const tail = Buffer.from(`${FINAL_BOUNDARY}\r\n`, "latin1");
    return { body: Buffer.concat([head, signatureLength, signature, sealed, tail]), contentType: encryptedContentType(protocol) };
}

export interface DecryptedBody {
    readonly plaintext: Buffer;
    /** OriginalContent's type, e.g. "application/soap+xml;charset=UTF-8". */
    readonly originalContentType: string;
}

/**
 * Unframes and unseals one encrypted body (the sealer's next expected message). Throws
 * EncryptedMessageError for a malformed frame or a Length that does not match, and the sealer's
 * error (NtlmError "integrity" / "sequence") for a bad signature.
 */
export function decryptMessage(sealer: MessageSealer, body: Uint8Array, protocol: EncryptionProtocol = SPNEGO_PROTOCOL): DecryptedBody {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (!bytes.subarray(0, BOUNDARY_LINE.length).equals(Buffer.from(BOUNDARY_LINE, "latin1"))) {
        throw new EncryptedMessageError("missing-boundary", `body does not start with "--Encrypted Boundary\\r\\n"`);
    }
    const second = bytes.indexOf(BOUNDARY_LINE, BOUNDARY_LINE.length, "latin1");
    if (second < 0) {
        throw new EncryptedMessageError("missing-boundary", `body has no second "--Encrypted Boundary\\r\\n" before the sealed data`);
    }
    const headers = parseHeaderLines(bytes.subarray(BOUNDARY_LINE.length, second).toString("latin1"));

    const named = headers.get("content-type");
    if (named === undefined || named.toLowerCase() !== protocol.toLowerCase()) {
        throw new EncryptedMessageError(
            "bad-header",
            `first part has Content-Type ${JSON.stringify(named ?? "(none)")}, expected "${protocol}"`,
        );
    }
    const original = headers.get("originalcontent");
    const lengthMatch = original === undefined ? null : /(?:^|;)\s*Length=(\d+)\s*$/i.exec(original);
    if (original === undefined || lengthMatch === null) {
        throw new EncryptedMessageError(
            "bad-header",
            `OriginalContent header ${JSON.stringify(original ?? "(none)")} does not end with ";Length=<bytes>"`,
        );
    }
    const declaredLength = Number(lengthMatch[1]);
    const originalContentType = original.slice(0, lengthMatch.index).replace(/^\s*type=/i, "");

    // Second part: one header line, then binary data up to the final boundary.
    const partStart = second + BOUNDARY_LINE.length;
    const lineEnd = bytes.indexOf("\r\n", partStart, "latin1");
    const partHeader = lineEnd < 0 ? "" : bytes.subarray(partStart, lineEnd).toString("latin1").trim();
    if (!/^Content-Type:\s*application\/octet-stream$/i.test(partHeader)) {
        throw new EncryptedMessageError(
            "bad-header",
            `second part must start with "Content-Type: application/octet-stream", found ${JSON.stringify(partHeader.slice(0, 80))}`,
        );
    }
    const dataStart = lineEnd + 2;
    const dataEnd = finalBoundaryStart(bytes);
    if (dataEnd < dataStart + 4) {
        throw new EncryptedMessageError("truncated", "second part ends before its 4-byte signature length");
    }
    const signatureLength = bytes.readUInt32LE(dataStart);
    const signatureEnd = dataStart + 4 + signatureLength;
    if (signatureEnd > dataEnd) {
        throw new EncryptedMessageError(
            "truncated",
            `signature length ${signatureLength} runs past the end of the data (${dataEnd - dataStart - 4} bytes)`,
        );
    }
    const signature = bytes.subarray(dataStart + 4, signatureEnd);
    const sealed = bytes.subarray(signatureEnd, dataEnd);
    // RC4 sealing and Kerberos's AES (no padding) keep the length, so a mismatch here is a cut or padded body (or a lying header).
    if (sealed.length !== declaredLength) {
        throw new EncryptedMessageError(
            "length-mismatch",
            `OriginalContent says Length=${declaredLength} but ${sealed.length} sealed bytes follow the signature`,
        );
    }
    return { plaintext: sealer.unseal(sealed, signature), originalContentType };
}

/** True when an HTTP Content-Type says the body is an encrypted message (e.g. a 500 fault). */
export function isEncryptedContentType(contentType: string | undefined): boolean {
    if (contentType === undefined) return false;
    const lower = contentType.toLowerCase();
    return lower.startsWith("multipart/encrypted") && PROTOCOLS.some((protocol) => lower.includes(protocol.toLowerCase()));
}

/** "Name: value" lines with or without leading whitespace, keyed by lowercased name. */
function parseHeaderLines(block: string): Map<string, string> {
    const headers = new Map<string, string>();
    for (const line of block.split("\r\n")) {
        const trimmed = line.trim();
        if (trimmed === "") continue;
        const colon = trimmed.indexOf(":");
        if (colon <= 0) {
            throw new EncryptedMessageError("bad-header", `header line ${JSON.stringify(trimmed.slice(0, 80))} has no "name:"`);
        }
        headers.set(trimmed.slice(0, colon).trim().toLowerCase(), trimmed.slice(colon + 1).trim());
    }
    return headers;
}

/** Where the closing "--Encrypted Boundary--" starts (it must end the body, CRLF optional). */
function finalBoundaryStart(bytes: Buffer): number {
    for (const ending of [`${FINAL_BOUNDARY}\r\n`, FINAL_BOUNDARY]) {
        const start = bytes.length - ending.length;
        if (start >= 0 && bytes.subarray(start).toString("latin1") === ending) return start;
    }
    throw new EncryptedMessageError("missing-boundary", `body does not end with "--Encrypted Boundary--\\r\\n"`);
}
