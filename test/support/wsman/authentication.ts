import { timingSafeEqual } from "crypto";
import { IncomingMessage } from "http";
import { TLSSocket } from "tls";
import { decryptMessage, encryptMessage } from "../../../provider/carriers/winrm/encryption";
import { NtlmError, NtlmSessionSecurity } from "../../../provider/carriers/winrm/ntlm";
import { ServerHandshake, createChallengeMessage, verifyAuthenticateMessage } from "./ntlmServer";
import { accountKey, parseUserName } from "../../../provider/carriers/winrm/ntlm/username";
import type { KerberosAcceptor } from "../krb5/acceptor";
import { isKerberosAttempt, kerberosLeg } from "./kerberosServer";
import { AuthMethod, WsmanUser } from "./options";

/**
 * HTTP authentication as the WinRM service does it. NTLM authenticates the TCP connection (raw
 * NTLMSSP tokens under the Negotiate scheme, three legs, then the connection is trusted and its
 * bodies sealed); Basic and certificate authentication are checked on every request.
 *
 * A 401 advertises `WWW-Authenticate: Negotiate` for NTLM and `Basic realm="WSMAN"` when Basic is
 * usable, and `Kerberos` when Kerberos is (as a default domain member does). Never a separate
 * `NTLM` scheme (WinRM has no such auth setting: NTLM only ever arrives inside Negotiate).
 * Kerberos (raw, or SPNEGO under Negotiate) is accepted by an independent python3-gssapi process
 * (kerberosServer.ts), which also encrypts and decrypts those connections' bodies.
 */

/**
 * How a connection's bodies are encrypted (MS-WSMV): NTLM sealing here, or the Kerberos
 * acceptor's wrap/unwrap. Asynchronous because the acceptor is another process.
 */
export interface BodySeal {
    open(body: Buffer): Promise<Buffer>;
    close(plaintext: Buffer): Promise<{ body: Buffer; contentType: string }>;
}

/** NTLM's sealing as a BodySeal. */
export function ntlmSeal(session: NtlmSessionSecurity): BodySeal {
    return {
        open: async (body) => decryptMessage(session, body).plaintext,
        close: async (plaintext) => encryptMessage(session, plaintext),
    };
}

/** The header pywinrm (and Windows' own client) sends for certificate authentication. */
export const MUTUAL_AUTH_HEADER = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual";

/** What authentication established about one TCP connection. */
export type ConnectionAuth =
    | { readonly kind: "anonymous" }
    | { readonly kind: "challenged"; readonly handshake: ServerHandshake }
    | { readonly kind: "ntlm"; readonly user: string; readonly session: NtlmSessionSecurity }
    /** Kerberos context established (complete) or being set up (SPNEGO legs) in the acceptor. */
    | { readonly kind: "kerberos"; readonly user: string | undefined; readonly seal: BodySeal };

export interface AuthenticatorOptions {
    readonly methods: readonly AuthMethod[];
    readonly users: readonly WsmanUser[];
    readonly https: boolean;
    readonly allowUnencrypted: boolean;
    readonly requireChannelBinding: boolean;
    /** channelBindingsHash of the server certificate (HTTPS only). */
    readonly channelBindings: Buffer | undefined;
    readonly computerName: string;
    /** The acceptor process, when `methods` includes "kerberos". */
    readonly kerberos: KerberosAcceptor | undefined;
    /** RFC 5929 application data the acceptor binds Kerberos contexts to (HTTPS). */
    readonly kerberosChannelBindings: Buffer | undefined;
    /** Test only: see WsmanServerOptions.kerberosFinalToken. */
    readonly kerberosFinalToken?: "omit" | "corrupt";
    /** Called when a client delegated a Kerberos ticket to the server. */
    readonly onDelegation?: (user: string) => void;
}

/** What to do with a request after looking at its credentials. */
export type AuthDecision =
    /** 401 with these WWW-Authenticate values (an NTLM CHALLENGE, or the list of schemes). */
    | {
          readonly kind: "unauthorized";
          readonly wwwAuthenticate: readonly string[];
          /** Why credentials were refused (for the server's own log, never sent): undefined = none were sent. */
          readonly failure: string | undefined;
      }
    /** 400: the Authorization header could not be read. */
    | { readonly kind: "bad-request"; readonly reason: string }
    | {
          readonly kind: "authenticated";
          readonly user: string;
          /** How the connection's bodies are sealed, when it authenticated with NTLM or Kerberos. */
          readonly seal: BodySeal | undefined;
          /** This request completed an NTLM or Kerberos handshake (it may still carry a SOAP body). */
          readonly handshakeCompleted: boolean;
          /** WWW-Authenticate values for the 200 (Kerberos's final token, which the client verifies). */
          readonly wwwAuthenticate?: readonly string[];
      };

/**
 * Decides one request, Kerberos legs included (asynchronous: the acceptor is another process).
 * `connection` names the TCP connection to the acceptor.
 */
export async function authenticateRequest(
    request: IncomingMessage,
    state: ConnectionAuth,
    options: AuthenticatorOptions,
    connection: number,
): Promise<{ state: ConnectionAuth; decision: AuthDecision }> {
    const header = request.headers.authorization;
    if (header !== undefined && options.kerberos !== undefined && options.methods.includes("kerberos") && isKerberosAttempt(header)) {
        return kerberosLeg(header, options.kerberos, connection, options);
    }
    return authenticate(request, state, options);
}

/** Decides one request; returns the connection's new state with the decision. */
export function authenticate(request: IncomingMessage, state: ConnectionAuth, options: AuthenticatorOptions): { state: ConnectionAuth; decision: AuthDecision } {
    const header = request.headers.authorization;
    const refuse = (failure: string | undefined) => ({ state: { kind: "anonymous" } as const, decision: unauthorized(options, failure) });
    if (header === undefined || header.trim() === "") {
        if (state.kind === "ntlm") {
            return { state, decision: { kind: "authenticated", user: state.user, seal: ntlmSeal(state.session), handshakeCompleted: false } };
        }
        if (state.kind === "kerberos" && state.user !== undefined) {
            return { state, decision: { kind: "authenticated", user: state.user, seal: state.seal, handshakeCompleted: false } };
        }
        return refuse(undefined);
    }
    const space = header.indexOf(" ");
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const token = space < 0 ? "" : header.slice(space + 1).trim();

    if ((scheme === "negotiate" || scheme === "ntlm") && options.methods.includes("ntlm")) {
        return ntlmLeg(Buffer.from(token, "base64"), state, options);
    }
    if (scheme === "basic" && basicUsable(options)) {
        const user = checkBasic(token, options.users);
        return user === undefined ? refuse("Basic: unknown user or wrong password") : { state, decision: { kind: "authenticated", user, seal: undefined, handshakeCompleted: false } };
    }
    if (header.trim() === MUTUAL_AUTH_HEADER && options.https && options.methods.includes("certificate")) {
        const user = certificateUser(request, options.users);
        return user === undefined
            ? refuse("certificate: no client certificate verified by clientCa whose subject CN is a known user")
            : { state, decision: { kind: "authenticated", user, seal: undefined, handshakeCompleted: false } };
    }
    return refuse(`scheme "${scheme}" is not accepted here`);
}

/** The 401 a request without usable credentials gets. */
export function unauthorized(options: AuthenticatorOptions, failure: string | undefined): AuthDecision {
    const schemes: string[] = [];
    if (options.methods.includes("ntlm") || options.methods.includes("kerberos")) schemes.push("Negotiate");
    if (options.methods.includes("kerberos")) schemes.push("Kerberos");
    if (basicUsable(options)) schemes.push('Basic realm="WSMAN"');
    return { kind: "unauthorized", wwwAuthenticate: schemes, failure };
}

function basicUsable(options: AuthenticatorOptions): boolean {
    return options.methods.includes("basic") && (options.https || options.allowUnencrypted);
}

function ntlmLeg(token: Buffer, state: ConnectionAuth, options: AuthenticatorOptions): { state: ConnectionAuth; decision: AuthDecision } {
    const isNtlmssp = token.length >= 12 && token.subarray(0, 8).toString("latin1") === "NTLMSSP\0";
    if (!isNtlmssp) {
        // A SPNEGO token with Kerberos not enabled: refused as a server without the mechanism refuses it.
        return { state: { kind: "anonymous" }, decision: unauthorized(options, "the Negotiate token is not a raw NTLMSSP message and Kerberos is not enabled") };
    }
    const messageType = token.readUInt32LE(8);
    try {
        if (messageType === 1) {
            const handshake = createChallengeMessage(token, {
                netbiosComputerName: options.computerName,
                netbiosDomainName: options.computerName,
                dnsComputerName: options.computerName.toLowerCase(),
            });
            return {
                state: { kind: "challenged", handshake },
                decision: { kind: "unauthorized", wwwAuthenticate: [`Negotiate ${handshake.challengeMessage.toString("base64")}`], failure: undefined },
            };
        }
        if (messageType === 3 && state.kind === "challenged") {
            const { user, exportedSessionKey } = verifyAgainstUsers(token, state.handshake, options);
            const session = new NtlmSessionSecurity("server", exportedSessionKey);
            return { state: { kind: "ntlm", user, session }, decision: { kind: "authenticated", user, seal: ntlmSeal(session), handshakeCompleted: true } };
        }
    } catch (error) {
        if (!(error instanceof NtlmError)) throw error;
        return { state: { kind: "anonymous" }, decision: unauthorized(options, `NTLM ${error.code}: ${error.message}`) };
    }
    // An AUTHENTICATE without a CHALLENGE on this connection (or an unknown message type).
    return { state: { kind: "anonymous" }, decision: unauthorized(options, `NTLM message type ${messageType} without a CHALLENGE on this connection`) };
}

/**
 * Verifies the AUTHENTICATE against each account until one is the sender. Channel bindings: with
 * requireChannelBinding they must be present and right (Strict); otherwise, as with Windows'
 * default Relaxed, they are checked only when the client sent them.
 */
function verifyAgainstUsers(token: Buffer, handshake: ServerHandshake, options: AuthenticatorOptions): { user: string; exportedSessionKey: Buffer } {
    for (const account of options.users) {
        try {
            const verified = verifyOne(token, handshake, account, options);
            return { user: verified.domain === "" ? verified.user : `${verified.domain}\\${verified.user}`, exportedSessionKey: verified.exportedSessionKey };
        } catch (error) {
            if (error instanceof NtlmError && error.code === "unknown-user") continue;
            throw error;
        }
    }
    throw new NtlmError("unknown-user", "no account matches the NTLM user");
}

function verifyOne(token: Buffer, handshake: ServerHandshake, account: WsmanUser, options: AuthenticatorOptions) {
    if (options.channelBindings === undefined) return verifyAuthenticateMessage(token, handshake, account);
    try {
        return verifyAuthenticateMessage(token, handshake, account, { expectedChannelBindings: options.channelBindings });
    } catch (error) {
        if (!options.requireChannelBinding && error instanceof NtlmError && error.code === "channel-bindings-missing") {
            return verifyAuthenticateMessage(token, handshake, account);
        }
        throw error;
    }
}

function checkBasic(token: string, users: readonly WsmanUser[]): string | undefined {
    const decoded = Buffer.from(token, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const name = decoded.slice(0, colon);
    const password = Buffer.from(decoded.slice(colon + 1), "utf8");
    const account = findAccount(name, users);
    if (account === undefined) return undefined;
    const expected = Buffer.from(account.password, "utf8");
    return expected.length === password.length && timingSafeEqual(expected, password) ? name : undefined;
}

/** A client certificate the TLS layer verified against clientCa, mapped by subject CN to an account. */
function certificateUser(request: IncomingMessage, users: readonly WsmanUser[]): string | undefined {
    const socket = request.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
    const commonName = socket.getPeerCertificate().subject?.CN;
    if (typeof commonName !== "string") return undefined;
    return findAccount(commonName, users)?.username;
}

function findAccount(name: string, users: readonly WsmanUser[]): WsmanUser | undefined {
    let key: string;
    try {
        key = accountKey(parseUserName(name));
    } catch {
        return undefined;
    }
    return users.find((user) => accountKey(parseUserName(user.username)) === key);
}
