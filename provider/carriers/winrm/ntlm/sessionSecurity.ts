import { createHash, timingSafeEqual } from "crypto";
import { NtlmError } from "./errors";
import { hmacMd5 } from "./ntlmv2";
import { Rc4 } from "./rc4";

/**
 * NTLM session security after the handshake (MS-NLMP 3.4), in the one mode WinRM uses: Extended
 * Session Security, key exchange and 128-bit keys (the handshake in client.ts / server.ts refuses
 * anything else, so no flags are needed here).
 *
 * Each direction has its own sign key, seal key, RC4 handle and sequence number starting at 0. A
 * sealed message is RC4(sealHandle, plaintext); its 16-byte NTLMSSP_MESSAGE_SIGNATURE is
 * Version(1) ‖ RC4(sealHandle, HMAC_MD5(signKey, seq ‖ plaintext)[0..7]) ‖ seq — the checksum is
 * encrypted with the *same* handle, continuing its keystream after the message.
 */

export type NtlmRole = "client" | "server";

export interface SealedMessage {
    readonly sealed: Buffer;
    /** The 16-byte NTLMSSP_MESSAGE_SIGNATURE. */
    readonly signature: Buffer;
}

/** The four directional keys derived from the exported session key (MS-NLMP 3.4.5.2, 3.4.5.3). */
export interface SessionKeys {
    readonly clientSignKey: Buffer;
    readonly clientSealKey: Buffer;
    readonly serverSignKey: Buffer;
    readonly serverSealKey: Buffer;
}

/** The magic constants, each hashed with its trailing NUL byte. */
const MAGIC = {
    clientSign: "session key to client-to-server signing key magic constant\0",
    clientSeal: "session key to client-to-server sealing key magic constant\0",
    serverSign: "session key to server-to-client signing key magic constant\0",
    serverSeal: "session key to server-to-client sealing key magic constant\0",
};

const SIGNATURE_LENGTH = 16;
const SIGNATURE_VERSION = 1;

export function deriveSessionKeys(exportedSessionKey: Uint8Array): SessionKeys {
    if (exportedSessionKey.length !== 16) {
        throw new RangeError(`exported session key must be 16 bytes, got ${exportedSessionKey.length}`);
    }
    const derive = (magic: string): Buffer =>
        createHash("md5").update(exportedSessionKey).update(Buffer.from(magic, "latin1")).digest();
    return {
        clientSignKey: derive(MAGIC.clientSign),
        clientSealKey: derive(MAGIC.clientSeal),
        serverSignKey: derive(MAGIC.serverSign),
        serverSealKey: derive(MAGIC.serverSeal),
    };
}

/**
 * One side's sealing state for a whole connection. The client and the server each build one from
 * the same exported session key; the client's outgoing keys are the server's incoming ones.
 *
 * After any failed `unseal` the RC4 stream is out of step with the peer's, so the object refuses
 * further use: the caller must drop the connection and authenticate again.
 */
export class NtlmSessionSecurity {
    readonly role: NtlmRole;
    private readonly outgoingSignKey: Buffer;
    private readonly incomingSignKey: Buffer;
    private readonly outgoingSeal: Rc4;
    private readonly incomingSeal: Rc4;
    private outgoingSequence = 0;
    private incomingSequence = 0;
    private failure: string | undefined;

    constructor(role: NtlmRole, exportedSessionKey: Uint8Array) {
        const keys = deriveSessionKeys(exportedSessionKey);
        const client = { sign: keys.clientSignKey, seal: keys.clientSealKey };
        const server = { sign: keys.serverSignKey, seal: keys.serverSealKey };
        const [outgoing, incoming] = role === "client" ? [client, server] : [server, client];
        this.role = role;
        this.outgoingSignKey = outgoing.sign;
        this.incomingSignKey = incoming.sign;
        this.outgoingSeal = new Rc4(outgoing.seal);
        this.incomingSeal = new Rc4(incoming.seal);
    }

    /** Sequence numbers of the next message to send and the next one expected. */
    get sequenceNumbers(): { readonly outgoing: number; readonly incoming: number } {
        return { outgoing: this.outgoingSequence, incoming: this.incomingSequence };
    }

    /** Encrypts one message and signs it with the next outgoing sequence number. */
    seal(plaintext: Uint8Array): SealedMessage {
        this.checkUsable();
        const sequence = uint32le(this.outgoingSequence);
        const sealed = this.outgoingSeal.update(plaintext);
        const checksum = this.outgoingSeal.update(hmacMd5(this.outgoingSignKey, sequence, plaintext).subarray(0, 8));
        this.outgoingSequence = (this.outgoingSequence + 1) >>> 0;
        return { sealed, signature: Buffer.concat([uint32le(SIGNATURE_VERSION), checksum, sequence]) };
    }

    /**
     * Decrypts one message from the peer and checks its signature: version 1, the expected
     * sequence number (so a replayed, dropped or reordered message fails) and the checksum (so a
     * changed byte fails). Throws NtlmError "sequence" or "integrity".
     */
    unseal(sealed: Uint8Array, signature: Uint8Array): Buffer {
        this.checkUsable();
        const expected = this.incomingSequence;
        const signatureBytes = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
        if (signatureBytes.length !== SIGNATURE_LENGTH) {
            throw this.fail("integrity", `NTLM message signature must be ${SIGNATURE_LENGTH} bytes, got ${signatureBytes.length}`);
        }
        const version = signatureBytes.readUInt32LE(0);
        if (version !== SIGNATURE_VERSION) {
            throw this.fail("integrity", `NTLM message signature has version ${version}, expected ${SIGNATURE_VERSION}`);
        }
        const received = signatureBytes.readUInt32LE(12);
        if (received !== expected) {
            throw this.fail(
                "sequence",
                `NTLM message from the ${this.peer} has sequence number ${received}, expected ${expected} ` +
                    `(a replayed, lost or reordered message)`,
            );
        }
        const plaintext = this.incomingSeal.update(sealed);
        const checksum = this.incomingSeal.update(
            hmacMd5(this.incomingSignKey, uint32le(expected), plaintext).subarray(0, 8),
        );
        if (!timingSafeEqual(checksum, signatureBytes.subarray(4, 12))) {
            throw this.fail(
                "integrity",
                `NTLM message ${expected} from the ${this.peer} fails its checksum: ` +
                    `the sealed bytes or the signature were altered, or the keys differ`,
            );
        }
        this.incomingSequence = (this.incomingSequence + 1) >>> 0;
        return plaintext;
    }

    private get peer(): NtlmRole {
        return this.role === "client" ? "server" : "client";
    }

    private checkUsable(): void {
        if (this.failure !== undefined) {
            throw new NtlmError(
                "session-broken",
                `this NTLM session can no longer be used after an earlier failure (${this.failure}); authenticate again`,
            );
        }
    }

    private fail(code: "integrity" | "sequence", message: string): NtlmError {
        this.failure = message;
        return new NtlmError(code, message);
    }
}

function uint32le(value: number): Buffer {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value, 0);
    return bytes;
}
