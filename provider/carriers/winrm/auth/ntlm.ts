import type { Socket } from "net";
import type { TLSSocket } from "tls";
import { decryptMessage, encryptMessage, isEncryptedContentType, SOAP_CONTENT_TYPE } from "../encryption";
import { excerpt, WinrmError, type WinrmStep } from "../errors";
import { channelBindingsHash, createAuthenticateMessage, createNegotiateMessage, NtlmError, NtlmSessionSecurity } from "../ntlm";
import type { Secrets } from "../options";
import { NotAuthenticated, refuseUnsealedSuccess, type CarriedRequest, type ConnectionFacts, type Exchange, type ExchangeResult, type HttpResponse, type OutgoingRequest } from "./exchange";
import type { WinrmAuthentication } from "./types";

/** A socket's NTLM state: sealing keys over HTTP; `null` over HTTPS, where TLS protects the bodies. */
type SocketSession = NtlmSessionSecurity | null;

/**
 * NTLMv2 under the Negotiate scheme. NTLM authenticates a connection, not a request: the
 * handshake runs on a fresh connection, and the session keys it yields belong to that socket
 * (kept in `sessions`, keyed by socket). Over HTTP every body is sealed (MS-WSMV message
 * encryption); over HTTPS the handshake carries the channel bindings of the server's certificate.
 */
export class NtlmAuthentication implements WinrmAuthentication {
    readonly clientCredentials = {};
    readonly rejectionHint: string;
    private readonly sessions = new WeakMap<Socket, SocketSession>();

    constructor(
        private readonly connection: ConnectionFacts,
        private readonly username: string,
        private readonly secrets: Secrets,
        private readonly workstation: string,
    ) {
        this.rejectionHint = `authentication failed for user "${username}" (auth ntlm): wrong user name or password, or the account may not use WinRM`;
    }

    needsHandshake(socket: Socket | undefined): boolean {
        return socket === undefined || socket.destroyed || !this.sessions.has(socket);
    }

    wrap(socket: Socket, soap: Buffer): OutgoingRequest {
        const session = this.sessions.get(socket);
        if (session === undefined) throw new NotAuthenticated();
        return seal(session, soap);
    }

    unwrap(response: HttpResponse, step: WinrmStep): Buffer {
        const host = this.connection.host;
        const session = this.sessions.get(response.socket);
        if (isEncryptedContentType(response.contentType)) {
            if (session === undefined || session === null) {
                throw new WinrmError(host, step, "malformed-response", "failed: the server sent an encrypted response on a connection without an NTLM session");
            }
            try {
                return decryptMessage(session, response.body).plaintext;
            } catch (error) {
                // A bad frame or signature leaves the session's sequence out of step: drop the connection.
                response.socket.destroy();
                throw new WinrmError(host, step, "malformed-response", `failed: cannot decrypt the HTTP ${response.status} response: ${(error as Error).message}`);
            }
        }
        if (session instanceof NtlmSessionSecurity) refuseUnsealedSuccess(host, step, response);
        return response.body;
    }

    /**
     * The handshake on a new connection: NEGOTIATE → 401 with CHALLENGE → AUTHENTICATE → 200, all
     * on one socket. Over HTTPS the AUTHENTICATE carries the channel bindings of the certificate
     * this very connection presented. Each leg may take `timeoutMs`, the wait of the request the
     * handshake is for.
     *
     * The AUTHENTICATE carries `first` (sealed with the new session over HTTP), so a new
     * connection costs one round trip before its first answer instead of two. The result is that
     * exchange's: `first`'s response, or "stale" when the connection was lost before any of it (the
     * caller resends by its own rules). Public clients written against Windows do the same:
     * WinRm.NET sends its AUTHENTICATE on its first sealed request, go-ntlmssp (masterzen/winrm's
     * NTLM, over HTTPS) repeats the body on every leg, and winrm_decrypt.py (J. Borean), written to
     * decrypt captured WinRM exchanges, reads the AUTHENTICATE token and then the sealed body of one
     * and the same request. A server that answers with an empty 200 has authenticated without
     * taking the body: the session starts afresh (the server unsealed nothing) and undefined says
     * `first` is still to go.
     */
    async handshake(exchange: Exchange, timeoutMs: number, first?: CarriedRequest): Promise<ExchangeResult | undefined> {
        const host = this.connection.host;
        const step: WinrmStep = "NTLM handshake";
        const negotiateMessage = createNegotiateMessage();
        let challenge: HttpResponse | undefined;
        for (let attempt = 0; challenge === undefined; attempt++) {
            const result = await exchange(step, timeoutMs, () => ({
                headers: { Authorization: `Negotiate ${negotiateMessage.toString("base64")}` },
                body: Buffer.alloc(0),
            }));
            if (result.kind === "response") challenge = result.response;
            else if (result.kind === "stale" && attempt > 0) throw result.error;
        }
        const handshakeSocket = challenge.socket;
        if (challenge.status !== 401) {
            throw new WinrmError(host, step, "authentication", `failed: expected HTTP 401 with an NTLM challenge, got HTTP ${challenge.status} ${challenge.statusText}`);
        }
        const challengeMessage = negotiateToken(challenge.authenticate);
        if (challengeMessage === undefined) {
            const offered = challenge.authenticate.map((value) => value.split(/\s+/)[0]).join(", ") || "nothing";
            throw new WinrmError(host, step, "authentication", `failed: the server offers no Negotiate/NTLM challenge (WWW-Authenticate: ${offered})`);
        }
        let channelBindings: Buffer | undefined;
        if (this.connection.https) {
            const certificate = (handshakeSocket as TLSSocket).getPeerCertificate(true);
            if (certificate === null || certificate.raw === undefined) {
                throw new WinrmError(host, step, "tls", "failed: no server certificate to bind the NTLM handshake to");
            }
            channelBindings = channelBindingsHash(certificate.raw);
        }
        let authenticate: { message: Buffer; exportedSessionKey: Buffer };
        try {
            authenticate = createAuthenticateMessage({
                credentials: { username: this.username, password: this.secrets.password ?? "" },
                negotiateMessage,
                challengeMessage,
                workstation: this.workstation,
                channelBindings,
            });
        } catch (error) {
            if (!(error instanceof NtlmError)) throw error;
            throw new WinrmError(host, step, "malformed-response", `failed: unusable NTLM challenge from the server: ${error.message}`);
        }
        const newSession = (): SocketSession => (this.connection.https ? null : new NtlmSessionSecurity("client", authenticate.exportedSessionKey));
        const session = newSession();
        const authorization = `Negotiate ${authenticate.message.toString("base64")}`;
        const result = await exchange(first?.step ?? step, first?.timeoutMs ?? timeoutMs, (socket) => {
            if (socket !== handshakeSocket) {
                throw new WinrmError(host, step, "connection-lost", "failed: the server closed the connection between the NTLM challenge and the answer");
            }
            if (first === undefined) return { headers: { Authorization: authorization }, body: Buffer.alloc(0) };
            const carried = seal(session, first.soap);
            return { headers: { ...carried.headers, Authorization: authorization }, body: carried.body };
        });
        if (result.kind === "stale" && first !== undefined) return result;
        if (result.kind !== "response") {
            throw new WinrmError(host, step, "connection-lost", "failed: the server closed the connection during the NTLM handshake");
        }
        const response = result.response;
        if (response.status === 401) throw new WinrmError(host, step, "authentication", `failed: the server rejected the NTLM credentials: ${this.rejectionHint}`);
        if (first === undefined || isEmptySuccess(response)) {
            if (response.status !== 200) {
                const body = isEncryptedContentType(response.contentType) ? "" : excerpt(response.body.toString("utf8"));
                throw new WinrmError(host, step, "authentication", `failed: expected HTTP 200 after NTLM authentication, got HTTP ${response.status} ${response.statusText}${body}`);
            }
            this.sessions.set(handshakeSocket, first === undefined ? session : newSession());
            return undefined;
        }
        // Any other answer is the carried request's (a fault included): the connection is authenticated.
        this.sessions.set(handshakeSocket, session);
        return result;
    }
}

/** The headers and body of `soap` on a session: sealed over HTTP, as is over HTTPS (TLS protects it). */
function seal(session: SocketSession, soap: Buffer): OutgoingRequest {
    if (session === null) return { headers: { "Content-Type": SOAP_CONTENT_TYPE }, body: soap };
    const sealed = encryptMessage(session, soap);
    return { headers: { "Content-Type": sealed.contentType }, body: sealed.body };
}

/** An HTTP 200 with nothing in it: what an AUTHENTICATE without a body gets. */
function isEmptySuccess(response: HttpResponse): boolean {
    return response.status === 200 && response.body.length === 0;
}

/** The token of the first "Negotiate <base64>" challenge, decoded. */
function negotiateToken(values: readonly string[]): Buffer | undefined {
    for (const value of values) {
        const match = /^\s*Negotiate\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(value);
        if (match !== null) return Buffer.from(match[1], "base64");
    }
    return undefined;
}
