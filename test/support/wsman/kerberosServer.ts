/**
 * The Kerberos legs of the test server's authentication: `Authorization: Kerberos <token>`, or
 * `Negotiate <token>` whose token is SPNEGO rather than raw NTLMSSP, handed to the python3-gssapi
 * acceptor (../krb5/acceptor.py). A complete context answers with the acceptor's final token,
 * which a client verifies (mutual authentication); the connection's bodies are then encrypted by
 * the acceptor.
 */
import type { KerberosAcceptor, KerberosScheme } from "../krb5/acceptor";
import { unauthorized, type AuthDecision, type AuthenticatorOptions, type BodySeal, type ConnectionAuth } from "./authentication";

/** Whether an Authorization header is a Kerberos attempt (not Basic, not raw NTLMSSP). */
export function isKerberosAttempt(header: string): boolean {
    const [scheme, token = ""] = header.trim().split(/\s+/, 2);
    if (scheme.toLowerCase() === "kerberos") return true;
    if (scheme.toLowerCase() !== "negotiate") return false;
    return !Buffer.from(token, "base64").subarray(0, 8).equals(Buffer.from("NTLMSSP\0", "latin1"));
}

export async function kerberosLeg(
    header: string,
    acceptor: KerberosAcceptor,
    connection: number,
    options: AuthenticatorOptions,
): Promise<{ state: ConnectionAuth; decision: AuthDecision }> {
    const [rawScheme, encoded = ""] = header.trim().split(/\s+/, 2);
    const scheme: KerberosScheme = rawScheme.toLowerCase() === "kerberos" ? "Kerberos" : "Negotiate";
    const refuse = (failure: string): { state: ConnectionAuth; decision: AuthDecision } => ({ state: { kind: "anonymous" }, decision: unauthorized(options, failure) });
    let result;
    try {
        result = await acceptor.accept(connection, scheme, Buffer.from(encoded, "base64"), options.kerberosChannelBindings);
    } catch (error) {
        return refuse(`Kerberos: ${(error as Error).message}`);
    }
    const answer = result.token === undefined ? [] : [`${scheme} ${result.token.toString("base64")}`];
    const seal: BodySeal = {
        open: (body) => acceptor.decrypt(connection, body),
        close: (plaintext) => acceptor.encrypt(connection, plaintext),
    };
    if (!result.complete) {
        return { state: { kind: "kerberos", user: undefined, seal }, decision: { kind: "unauthorized", wwwAuthenticate: answer, failure: undefined } };
    }
    const user = result.user ?? "(unknown)";
    if (options.kerberosFinalToken === "omit") answer.length = 0;
    if (options.kerberosFinalToken === "corrupt" && result.token !== undefined) {
        const forged = Buffer.from(result.token);
        forged[forged.length - 5] ^= 0x01;
        answer.splice(0, answer.length, `${scheme} ${forged.toString("base64")}`);
    }
    if (result.delegated) options.onDelegation?.(user);
    return {
        state: { kind: "kerberos", user, seal },
        decision: { kind: "authenticated", user, seal, handshakeCompleted: true, wwwAuthenticate: answer },
    };
}
