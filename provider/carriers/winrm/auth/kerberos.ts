import type { Socket } from "net";
import type { TLSSocket } from "tls";
import { decryptMessage, encryptMessage, isEncryptedContentType, SOAP_CONTENT_TYPE, type EncryptionProtocol, type MessageSealer } from "../encryption";
import { excerpt, WinrmError, type WinrmStep } from "../errors";
import { GssapiError, GssapiUnavailableError, GssCredential, InitiatorContext, type CredentialSource, type GssMechanism } from "../gssapi";
import { tlsServerEndPoint } from "../ntlm";
import type { Secrets } from "../options";
import { NotAuthenticated, refuseUnsealedSuccess, type ConnectionFacts, type Exchange, type HttpResponse, type OutgoingRequest } from "./exchange";
import type { WinrmAuthentication } from "./types";

/** The two ways WinRM carries Kerberos: raw under the Kerberos scheme, or inside SPNEGO under Negotiate. */
export type KerberosScheme = "kerberos" | "negotiate";

const SCHEMES: Readonly<Record<KerberosScheme, { header: string; mechanism: GssMechanism; protocol: EncryptionProtocol; step: WinrmStep }>> = {
    kerberos: { header: "Kerberos", mechanism: "kerberos", protocol: "application/HTTP-Kerberos-session-encrypted", step: "Kerberos handshake" },
    negotiate: { header: "Negotiate", mechanism: "spnego", protocol: "application/HTTP-SPNEGO-session-encrypted", step: "Negotiate handshake" },
};

/**
 * A context with less than this left (or less than half its life, for a short one) is renewed
 * before the next request rather than let expire in the middle of an operation. The half keeps a
 * ticket that cannot give a longer context (its TGT ends soon) from costing a handshake per request.
 */
const RENEW_BEFORE_SECONDS = 60;

export interface KerberosSettings {
    readonly scheme: KerberosScheme;
    /** "HTTP/host" or "HTTP/host@REALM". */
    readonly servicePrincipal: string;
    /** "user@REALM" or "user"; with a password, a ticket is got for this operation; without, the ticket cache. */
    readonly username: string | undefined;
    readonly secrets: Secrets;
    readonly delegate: boolean;
}

/** A socket's established context; `seal` over HTTP (MS-WSMV encryption), not over HTTPS. */
interface SocketSession {
    readonly context: InitiatorContext;
    readonly seal: boolean;
    /** Seconds left at which it is renewed. */
    readonly renewAt: number;
}

/**
 * Kerberos through the system's GSSAPI (MIT's libgssapi_krb5), as WinRM does it: the context is
 * set up on a connection with `Authorization: Kerberos|Negotiate <token>` legs on empty bodies,
 * the server's last token is verified (mutual authentication) before any SOAP body is sent, and
 * the context belongs to that socket. Over HTTP every body is encrypted with gss_wrap_iov
 * (MS-WSMV); over HTTPS the context is bound to the server's certificate (tls-server-end-point).
 */
export class KerberosAuthentication implements WinrmAuthentication {
    readonly clientCredentials = {};
    readonly rejectionHint: string;
    private readonly sessions = new WeakMap<Socket, SocketSession>();
    private readonly scheme: (typeof SCHEMES)[KerberosScheme];

    constructor(private readonly connection: ConnectionFacts, private readonly settings: KerberosSettings) {
        this.scheme = SCHEMES[settings.scheme];
        const who = settings.username !== undefined && settings.secrets.password !== undefined ? `user "${settings.username}"` : "the ticket cache's user";
        this.rejectionHint =
            `the server refused ${who} (auth ${settings.scheme}, service principal ${settings.servicePrincipal}): ` +
            "is the account allowed to use WinRM, and is the SPN registered for this server's account?";
    }

    needsHandshake(socket: Socket | undefined): boolean {
        if (socket === undefined || socket.destroyed) return true;
        const session = this.sessions.get(socket);
        return session === undefined || session.context.secondsLeft() < session.renewAt;
    }

    wrap(socket: Socket, soap: Buffer): OutgoingRequest {
        const session = this.sessions.get(socket);
        if (session === undefined) throw new NotAuthenticated();
        if (!session.seal) return { headers: { "Content-Type": SOAP_CONTENT_TYPE }, body: soap };
        let sealed: { contentType: string; body: Buffer };
        try {
            sealed = encryptMessage(sealerOf(session.context), soap, SOAP_CONTENT_TYPE, this.scheme.protocol);
        } catch (error) {
            if (!(error instanceof GssapiError)) throw error;
            // The context cannot seal any more (it expired in between): nothing was written; authenticate again.
            this.sessions.delete(socket);
            session.context.release();
            throw new NotAuthenticated();
        }
        return { headers: { "Content-Type": sealed.contentType }, body: sealed.body };
    }

    unwrap(response: HttpResponse, step: WinrmStep): Buffer {
        const host = this.connection.host;
        const session = this.sessions.get(response.socket);
        if (isEncryptedContentType(response.contentType)) {
            if (session === undefined || !session.seal) {
                throw new WinrmError(host, step, "malformed-response", "failed: the server sent an encrypted response on a connection without a Kerberos session");
            }
            try {
                return decryptMessage(sealerOf(session.context), response.body, this.scheme.protocol).plaintext;
            } catch (error) {
                // A context whose sequence is out of step cannot be used again: drop the connection.
                response.socket.destroy();
                if (error instanceof GssapiError) {
                    throw new WinrmError(
                        host,
                        step,
                        "integrity",
                        `failed: the HTTP ${response.status} response failed its Kerberos integrity check (changed on the way, or not sealed by the authenticated server): ${error.message}`,
                    );
                }
                throw new WinrmError(host, step, "malformed-response", `failed: cannot decrypt the HTTP ${response.status} response: ${(error as Error).message}`);
            }
        }
        if (session?.seal === true) refuseUnsealedSuccess(host, step, response);
        return response.body;
    }

    /**
     * Sets up a context on a connection. Over HTTPS an unauthenticated request first opens the
     * connection, so the token can be bound to the certificate that connection presents; over
     * HTTP the first token goes out at once. A password is turned into a ticket for this
     * handshake only (in memory; no cache on disk). The request the handshake is for is not
     * carried: the server's final token is verified before any body goes out.
     */
    async handshake(exchange: Exchange, timeoutMs: number): Promise<undefined> {
        const step = this.scheme.step;
        const credential = await this.gss(step, "getting credentials", () => GssCredential.acquire(this.credentialSource(), this.scheme.mechanism));
        try {
            // A kept-alive connection the server closed before answering the first leg: once more on
            // a new one, with a new context (the old token may have reached the server: no replay).
            for (let attempt = 0; ; attempt++) {
                try {
                    await this.establish(exchange, timeoutMs, credential);
                    return undefined;
                } catch (error) {
                    if (!(error instanceof StaleConnection) || attempt > 0) throw error instanceof StaleConnection ? error.error : error;
                }
            }
        } finally {
            credential.release();
        }
    }

    private async establish(exchange: Exchange, timeoutMs: number, credential: GssCredential): Promise<void> {
        const step = this.scheme.step;
        let context: InitiatorContext | undefined;
        try {
            let socket: Socket | undefined;
            let channelBindings: Buffer | undefined;
            if (this.connection.https) {
                const probe = await this.send(exchange, step, timeoutMs, undefined, undefined);
                socket = probe.socket;
                if (probe.status !== 401) {
                    throw new WinrmError(this.connection.host, step, "authentication", `failed: expected HTTP 401 to an unauthenticated request, got HTTP ${probe.status} ${probe.statusText}`);
                }
                this.checkOffered(probe, step);
                const certificate = (socket as TLSSocket).getPeerCertificate(true);
                if (certificate === null || certificate.raw === undefined) {
                    throw new WinrmError(this.connection.host, step, "tls", "failed: no server certificate to bind the Kerberos context to");
                }
                channelBindings = tlsServerEndPoint(certificate.raw);
            }
            const established = await this.gss(step, `naming the service principal ${this.settings.servicePrincipal}`, async () =>
                new InitiatorContext({
                    servicePrincipal: this.settings.servicePrincipal,
                    mechanism: this.scheme.mechanism,
                    credential,
                    delegate: this.settings.delegate,
                    channelBindings,
                }),
            );
            context = established;
            let outgoing = await this.gss(step, `getting a ticket for ${this.settings.servicePrincipal}`, () => established.step(undefined));
            // SPNEGO may take more than one leg; each 401 with a token asks for another.
            for (let leg = 0; leg < 4; leg++) {
                const response = await this.send(exchange, step, timeoutMs, outgoing.token, socket);
                socket = response.socket;
                const serverToken = tokenOf(response.authenticate, this.scheme.header);
                if (response.status === 200) {
                    if (!established.complete) {
                        if (serverToken === undefined) {
                            throw new WinrmError(
                                this.connection.host,
                                step,
                                "authentication",
                                "failed: the server accepted the request without its final Kerberos token, so it could not be verified (mutual authentication)",
                            );
                        }
                        outgoing = await this.gss(step, "verifying the server's final token (mutual authentication)", () => established.step(serverToken));
                        if (!established.complete) {
                            throw new WinrmError(this.connection.host, step, "authentication", "failed: the server accepted the request before the Kerberos context was complete");
                        }
                    }
                    this.keep(socket, established);
                    context = undefined;
                    return;
                }
                if (response.status !== 401) {
                    const body = isEncryptedContentType(response.contentType) ? "" : excerpt(response.body.toString("utf8"));
                    throw new WinrmError(this.connection.host, step, "authentication", `failed: expected HTTP 200 or 401, got HTTP ${response.status} ${response.statusText}${body}`);
                }
                if (serverToken === undefined || established.complete) {
                    this.checkOffered(response, step);
                    throw new WinrmError(this.connection.host, step, "authentication", `failed: HTTP 401: ${this.rejectionHint}`);
                }
                outgoing = await this.gss(step, "answering the server's token", () => established.step(serverToken));
            }
            throw new WinrmError(this.connection.host, step, "authentication", "failed: the server kept asking for more tokens");
        } finally {
            context?.release();
        }
    }

    private credentialSource(): CredentialSource {
        const password = this.settings.secrets.password;
        if (this.settings.username === undefined || password === undefined) return { kind: "cache" };
        return { kind: "password", principal: kerberosPrincipal(this.settings.username), password };
    }

    /** One POST with an empty body, carrying `token` if given, on `socket` when the handshake has one. */
    private async send(exchange: Exchange, step: WinrmStep, timeoutMs: number, token: Buffer | undefined, socket: Socket | undefined): Promise<HttpResponse> {
        const result = await exchange(step, timeoutMs, (assigned) => {
            if (socket !== undefined && assigned !== socket) {
                throw new WinrmError(this.connection.host, step, "connection-lost", "failed: the server closed the connection in the middle of the Kerberos handshake");
            }
            const headers: Record<string, string> = token === undefined ? {} : { Authorization: `${this.scheme.header} ${token.toString("base64")}` };
            return { headers, body: Buffer.alloc(0) };
        });
        if (result.kind === "response") return result.response;
        if (result.kind === "stale") throw socket === undefined ? new StaleConnection(result.error) : result.error;
        throw new WinrmError(this.connection.host, step, "connection-lost", "failed: the connection was lost during the Kerberos handshake");
    }

    /** Throws when the server's 401 does not offer this scheme at all (it refuses the mechanism). */
    private checkOffered(response: HttpResponse, step: WinrmStep): void {
        const offered = response.authenticate.map((value) => value.trim().split(/\s+/)[0]);
        if (!offered.some((scheme) => scheme.toLowerCase() === this.scheme.header.toLowerCase())) {
            throw new WinrmError(
                this.connection.host,
                step,
                "authentication",
                `failed: the server refused the ${this.scheme.header} mechanism: it offers ${offered.join(", ") || "no scheme"} ` +
                    `(enable it on the server with winrm set winrm/config/service/auth @{${this.scheme.header === "Kerberos" ? "Kerberos" : "Negotiate"}="true"}, or choose another auth)`,
            );
        }
    }

    private keep(socket: Socket, context: InitiatorContext): void {
        const previous = this.sessions.get(socket);
        this.sessions.set(socket, { context, seal: !this.connection.https, renewAt: Math.min(RENEW_BEFORE_SECONDS, context.secondsLeft() / 2) });
        previous?.context.release();
        if (previous === undefined) {
            socket.once("close", () => {
                this.sessions.get(socket)?.context.release();
                this.sessions.delete(socket);
            });
        }
    }

    /** Runs a GSSAPI call, turning its failure into a WinrmError naming the host, the step and what was being done. */
    private async gss<T>(step: WinrmStep, doing: string, call: () => Promise<T>): Promise<T> {
        try {
            return await call();
        } catch (error) {
            if (error instanceof GssapiError) {
                throw new WinrmError(this.connection.host, step, "authentication", `failed while ${doing}: ${error.message}`);
            }
            if (error instanceof GssapiUnavailableError) throw new WinrmError(this.connection.host, step, "authentication", `failed: ${error.message}`);
            throw error;
        }
    }
}

/** The first request of a handshake went out on a kept-alive connection the server had closed. */
class StaleConnection {
    constructor(readonly error: WinrmError) {}
}

/** Kerberos realms are upper case in Active Directory; "user@corp.example" means user@CORP.EXAMPLE. */
export function kerberosPrincipal(username: string): string {
    const at = username.lastIndexOf("@");
    return at < 0 ? username : `${username.slice(0, at)}@${username.slice(at + 1).toUpperCase()}`;
}

/** The token of the first "<scheme> <base64>" value, decoded. */
function tokenOf(values: readonly string[], scheme: string): Buffer | undefined {
    for (const value of values) {
        const match = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})\s*$/.exec(value);
        if (match !== null && match[1].toLowerCase() === scheme.toLowerCase()) return Buffer.from(match[2], "base64");
    }
    return undefined;
}

/** The context as the MS-WSMV framing's sealer: the wrap_iov header stands where NTLM's signature does. */
function sealerOf(context: InitiatorContext): MessageSealer {
    return {
        seal: (plaintext) => {
            const { header, encrypted } = context.wrap(plaintext);
            return { sealed: encrypted, signature: header };
        },
        unseal: (sealed, signature) => context.unwrap(signature, sealed),
    };
}
