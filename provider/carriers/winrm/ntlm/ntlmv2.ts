import { createHmac } from "crypto";
import { md4 } from "./md4";
import { rc4 } from "./rc4";

/**
 * The NTLMv2 computations of MS-NLMP 3.3.2, shared by client.ts and server.ts so that both sides
 * compute exactly the same thing. Pure functions of their inputs.
 */

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
    const hmac = createHmac("md5", key);
    for (const part of parts) hmac.update(part);
    return hmac.digest();
}

/** NTOWFv1 = MD4(UNICODE(Passwd)): the "NT hash". */
export function ntowfv1(password: string): Buffer {
    return md4(Buffer.from(password, "utf16le"));
}

/**
 * NTOWFv2 = HMAC_MD5(NTOWFv1, UNICODE(Uppercase(User) ‖ UserDom)); also LMOWFv2, and the
 * ResponseKeyNT/ResponseKeyLM of NTLMv2. Only the user is uppercased, never the domain.
 */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
    return hmacMd5(ntowfv1(password), Buffer.from(user.toUpperCase() + domain, "utf16le"));
}

/**
 * The NTLMv2 client blob, called `temp` in 3.3.2:
 * 0x01 0x01 Z(6) Time(8) ClientChallenge(8) Z(4) AvPairs(incl. EOL) Z(4).
 */
export function ntlmv2ClientBlob(time: Buffer, clientChallenge: Buffer, encodedAvPairs: Buffer): Buffer {
    if (time.length !== 8) throw new RangeError(`NTLMv2 time must be an 8-byte FILETIME, got ${time.length} bytes`);
    if (clientChallenge.length !== 8) {
        throw new RangeError(`NTLMv2 client challenge must be 8 bytes, got ${clientChallenge.length}`);
    }
    const head = Buffer.alloc(8);
    head[0] = 1;
    head[1] = 1;
    return Buffer.concat([head, time, clientChallenge, Buffer.alloc(4), encodedAvPairs, Buffer.alloc(4)]);
}

/** Offsets inside the client blob, for the server reading one back. */
export const CLIENT_BLOB_TIME_OFFSET = 8;
export const CLIENT_BLOB_AV_PAIRS_OFFSET = 28;

/** NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp). */
export function ntProofStr(responseKeyNt: Buffer, serverChallenge: Buffer, clientBlob: Buffer): Buffer {
    return hmacMd5(responseKeyNt, serverChallenge, clientBlob);
}

/** LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge. */
export function lmv2Response(responseKeyLm: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
    return Buffer.concat([hmacMd5(responseKeyLm, serverChallenge, clientChallenge), clientChallenge]);
}

/** SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr); for NTLMv2 it is also the KeyExchangeKey. */
export function sessionBaseKey(responseKeyNt: Buffer, proof: Buffer): Buffer {
    return hmacMd5(responseKeyNt, proof);
}

/**
 * EncryptedRandomSessionKey = RC4K(KeyExchangeKey, ExportedSessionKey); RC4 is its own inverse,
 * so the server recovers the exported key with the same call.
 */
export function exchangeSessionKey(keyExchangeKey: Buffer, sessionKey: Buffer): Buffer {
    return rc4(keyExchangeKey, sessionKey);
}

/** A FILETIME (100 ns ticks since 1601-01-01 UTC) as the 8 little-endian bytes NTLM carries. */
export function fileTime(date: Date): Buffer {
    const ticks = (BigInt(date.getTime()) + 11644473600000n) * 10000n;
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(ticks, 0);
    return bytes;
}
