/**
 * What can go wrong in the NTLM layer, as a closed set of codes a caller can branch on (the HTTP
 * transport retries nothing on "wrong-password"; the test server answers 401 or 400).
 *
 * - malformed-message: bytes are not the NTLM message they claim to be (truncated, bad signature,
 *   out-of-range field)
 * - unsupported: a valid message asks for something this implementation does not do (OEM
 *   strings, NTLMv1, no key exchange, ...)
 * - anonymous: an AUTHENTICATE_MESSAGE without credentials
 * - unknown-user: the user name is not the account the server knows
 * - wrong-password: the NTLMv2 proof does not match (also a wrong domain or user name spelling)
 * - mic-missing / mic-mismatch: the message integrity code over the three messages is absent
 *   although the server sent a timestamp, or wrong (tampering, or a different key)
 * - channel-bindings-missing / channel-bindings-mismatch: the TLS channel binding the server
 *   expects is absent, or bound to another certificate (a TLS-terminating man in the middle)
 * - integrity / sequence: a sealed message failed its checksum or arrived out of order
 * - session-broken: a session that has already failed an integrity check was used again
 *
 * Messages never contain the password, password hashes, keys or proofs.
 */
export type NtlmErrorCode =
    | "malformed-message"
    | "unsupported"
    | "anonymous"
    | "unknown-user"
    | "wrong-password"
    | "mic-missing"
    | "mic-mismatch"
    | "channel-bindings-missing"
    | "channel-bindings-mismatch"
    | "integrity"
    | "sequence"
    | "session-broken";

export class NtlmError extends Error {
    readonly code: NtlmErrorCode;

    constructor(code: NtlmErrorCode, message: string) {
        super(message);
        this.name = "NtlmError";
        this.code = code;
    }
}
