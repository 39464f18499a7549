import * as http from "http";
import * as https from "https";
import type { Socket } from "net";
import type { TLSSocket } from "tls";
import { decryptMessage, encryptMessage, isEncryptedContentType, SOAP_CONTENT_TYPE } from "./encryption";
import { describeNetworkError, WinrmError, WinrmScheme, WinrmStep } from "./errors";
import { channelBindingsHash, createAuthenticateMessage, createNegotiateMessage, NtlmError, NtlmSessionSecurity } from "./ntlm";
import { ResolvedWinrmOptions } from "./options";

/**
 * HTTP(S) for one WinRM endpoint: one keep-alive connection, requests serialised on it,
 * authentication (NTLM, Basic, client certificate), MS-WSMV message encryption for NTLM over
 * HTTP, and timeouts. It posts SOAP text and returns SOAP text; what the SOAP means is the
 * shell's business.
 *
 * NTLM authenticates a connection, not a request: the handshake runs on a fresh connection, and
 * the session keys it yields belong to that socket (kept in `sessions`, a WeakMap keyed by
 * socket). A request that finds itself on a socket without a session is stopped before a byte is
 * written and the handshake runs again.
 */

/** Counters for benchmarks and tests. */
export interface TransportStats {
    /** HTTP requests sent, handshake legs included. */
    requests: number;
    /** NTLM handshakes started. */
    handshakes: number;
    /** TCP connections opened. */
    connections: number;
    /** Requests per step, handshake legs under "NTLM handshake". */
    requestsByStep: Partial<Record<WinrmStep, number>>;
}

export interface PostOptions {
    /** Time to wait for the response (default: readTimeoutMs). */
    readonly timeoutMs?: number;
}

/**
 * Steps whose request may be sent again, once, when the keep-alive connection it went out on
 * turns out to have been closed by the server before any response byte came back (the race with
 * the server closing an idle connection). Sending twice must then do no harm:
 * - the handshake has no effect on the server;
 * - Create shell: at worst an extra empty shell, deleted by the server after its IdleTimeOut;
 * - Signal terminate: terminating a command twice ends it all the same;
 * - Delete shell: a second Delete finds no shell, which the shell ignores.
 * Not resent: Command (the command could run twice — our scripts change configuration), Send
 * (stdin bytes would be duplicated) and Receive (a lost response may have carried output the
 * server will not send again). Those fail, and the next operation reconnects.
 */
const RESENDABLE_STEPS: readonly WinrmStep[] = ["NTLM handshake", "Create shell", "Signal", "Delete shell"];

/** What one HTTP exchange brought back. */
interface HttpResponse {
    readonly status: number;
    readonly statusText: string;
    readonly contentType: string | undefined;
    /** Every WWW-Authenticate header value. */
    readonly authenticate: readonly string[];
    readonly body: Buffer;
    readonly socket: Socket;
}

/** The request to write once the socket it will travel on is known. */
interface OutgoingRequest {
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
}

type ExchangeResult =
    | { readonly kind: "response"; readonly response: HttpResponse }
    /** The connection was reused and lost before any response byte: nothing can be known of the request's fate. */
    | { readonly kind: "stale"; readonly error: WinrmError }
    /** `prepare` refused the socket (an NTLM request on an unauthenticated one): nothing was written. */
    | { readonly kind: "unauthenticated" };

/** Thrown by `prepare` to stop a request before it is written. */
class NotAuthenticated {
    readonly reason = "socket-not-authenticated";
}

/** A socket's NTLM state: sealing keys over HTTP; `null` over HTTPS, where TLS protects the bodies. */
type SocketSession = NtlmSessionSecurity | null;

export class WinrmHttpTransport {
    readonly stats: TransportStats = { requests: 0, handshakes: 0, connections: 0, requestsByStep: {} };
    private readonly options: ResolvedWinrmOptions;
    private agent: http.Agent | undefined;
    private readonly sessions = new WeakMap<Socket, SocketSession>();
    /** Tail of the request queue: each post starts when the previous one has settled. */
    private queue: Promise<unknown> = Promise.resolve();
    /** The socket of the last exchange and when it ended, to retire connections idle too long. */
    private lastSocket: Socket | undefined;
    private lastUsedAt = 0;
    private closed = false;

    constructor(options: ResolvedWinrmOptions) {
        this.options = options;
    }

    /** "host:port", as messages name it. */
    get host(): string {
        return this.options.displayName;
    }

    private get scheme(): WinrmScheme {
        return { https: this.options.https, port: this.options.port };
    }

    /**
     * Posts one SOAP message and returns the response's SOAP text: the answer for HTTP 200, the
     * fault for HTTP 500 or 400 with a SOAP body (the reader turns it into a WsmanFault). Throws
     * WinrmError for everything else.
     */
    post(soap: string, step: WinrmStep, options: PostOptions = {}): Promise<string> {
        const result = this.queue.then(() => this.postNow(Buffer.from(soap, "utf8"), step, options.timeoutMs ?? this.options.readTimeoutMs));
        this.queue = result.catch(() => undefined);
        return result;
    }

    /** Closes the connection; later posts fail. Requests in flight are aborted. */
    close(): void {
        this.closed = true;
        this.agent?.destroy();
        this.agent = undefined;
    }

    private async postNow(body: Buffer, step: WinrmStep, timeoutMs: number): Promise<string> {
        if (this.closed) throw new WinrmError(this.host, step, "closed", "failed: the WinRM connection was closed");
        this.retireIdleConnection();
        let resent = false;
        // Each pass either returns, throws, or re-authenticates after a lost connection; the
        // bound keeps a server that drops every connection from looping forever.
        for (let pass = 0; pass < 4; pass++) {
            if (this.options.auth === "ntlm" && !this.hasAuthenticatedConnection()) await this.handshake(timeoutMs);
            const result = await this.exchange(step, timeoutMs, (socket) => this.outgoing(socket, body));
            if (result.kind === "response") return this.readResponse(result.response, step);
            if (result.kind === "stale") {
                if (resent || !RESENDABLE_STEPS.includes(step)) throw result.error;
                resent = true;
            }
        }
        throw new WinrmError(this.host, step, "connection-lost", "failed: the server kept closing the connection before answering");
    }

    /** Headers and body of a SOAP request on `socket`: sealed over NTLM/HTTP, plain otherwise. */
    private outgoing(socket: Socket, soap: Buffer): OutgoingRequest {
        switch (this.options.auth) {
            case "ntlm": {
                const session = this.sessions.get(socket);
                if (session === undefined) throw new NotAuthenticated();
                if (session === null) return { headers: { "Content-Type": SOAP_CONTENT_TYPE }, body: soap };
                const sealed = encryptMessage(session, soap);
                return { headers: { "Content-Type": sealed.contentType }, body: sealed.body };
            }
            case "basic": {
                const token = Buffer.from(`${this.options.username ?? ""}:${this.options.secrets.password ?? ""}`, "utf8").toString("base64");
                return { headers: { "Content-Type": SOAP_CONTENT_TYPE, Authorization: `Basic ${token}` }, body: soap };
            }
            case "certificate":
                return {
                    headers: {
                        "Content-Type": SOAP_CONTENT_TYPE,
                        Authorization: "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual",
                    },
                    body: soap,
                };
        }
    }

    /** The SOAP text of a response, unsealed when it is encrypted; WinrmError for what is not SOAP. */
    private readResponse(response: HttpResponse, step: WinrmStep): string {
        const { status } = response;
        if (status === 401) throw this.authenticationFailed(step, `HTTP 401 ${response.statusText}`);
        if (status !== 200 && status !== 400 && status !== 500) {
            throw new WinrmError(this.host, step, "http-status", `failed: HTTP ${status} ${response.statusText}${describeStatus(status)}${bodyExcerpt(response)}`);
        }
        let soap: Buffer;
        if (isEncryptedContentType(response.contentType)) {
            const session = this.sessions.get(response.socket);
            if (session === undefined || session === null) {
                throw new WinrmError(this.host, step, "malformed-response", "failed: the server sent an encrypted response on a connection without an NTLM session");
            }
            try {
                soap = decryptMessage(session, response.body).plaintext;
            } catch (error) {
                // A bad frame or signature leaves the session's sequence out of step: drop the connection.
                response.socket.destroy();
                throw new WinrmError(this.host, step, "malformed-response", `failed: cannot decrypt the HTTP ${status} response: ${(error as Error).message}`);
            }
        } else if (this.sessions.get(response.socket) instanceof NtlmSessionSecurity && status === 200) {
            // A plaintext answer to a sealed request cannot be authenticated; refuse it rather than trust it.
            throw new WinrmError(
                this.host,
                step,
                "malformed-response",
                `failed: the server answered an encrypted request with an unencrypted HTTP 200 (Content-Type ${JSON.stringify(response.contentType ?? "(none)")})`,
            );
        } else {
            soap = response.body;
        }
        const text = soap.toString("utf8");
        if (status !== 200 && !/<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(text)) {
            throw new WinrmError(this.host, step, "http-status", `failed: HTTP ${status} ${response.statusText} without a SOAP fault${excerpt(text)}`);
        }
        return text;
    }

    /**
     * The NTLM handshake on a new connection: NEGOTIATE → 401 with CHALLENGE → AUTHENTICATE →
     * 200, all with empty bodies, all on one socket. Over HTTPS the AUTHENTICATE carries the
     * channel bindings of the certificate this very connection presented. Each leg may take
     * `timeoutMs`, the wait of the request the handshake is for.
     */
    private async handshake(timeoutMs: number): Promise<void> {
        this.stats.handshakes++;
        const step: WinrmStep = "NTLM handshake";
        const negotiateMessage = createNegotiateMessage();
        let challenge: HttpResponse | undefined;
        for (let attempt = 0; challenge === undefined; attempt++) {
            const result = await this.exchange(step, timeoutMs, () => ({
                headers: { Authorization: `Negotiate ${negotiateMessage.toString("base64")}` },
                body: Buffer.alloc(0),
            }));
            if (result.kind === "response") challenge = result.response;
            else if (result.kind === "stale" && attempt > 0) throw result.error;
        }
        const handshakeSocket = challenge.socket;
        if (challenge.status !== 401) {
            throw new WinrmError(this.host, step, "authentication", `failed: expected HTTP 401 with an NTLM challenge, got HTTP ${challenge.status} ${challenge.statusText}`);
        }
        const challengeMessage = negotiateToken(challenge.authenticate);
        if (challengeMessage === undefined) {
            const offered = challenge.authenticate.map((value) => value.split(/\s+/)[0]).join(", ") || "nothing";
            throw new WinrmError(this.host, step, "authentication", `failed: the server offers no Negotiate/NTLM challenge (WWW-Authenticate: ${offered})`);
        }
        let channelBindings: Buffer | undefined;
        if (this.options.https) {
            const certificate = (handshakeSocket as TLSSocket).getPeerCertificate(true);
            if (certificate === null || certificate.raw === undefined) {
                throw new WinrmError(this.host, step, "tls", "failed: no server certificate to bind the NTLM handshake to");
            }
            channelBindings = channelBindingsHash(certificate.raw);
        }
        let authenticate: { message: Buffer; exportedSessionKey: Buffer };
        try {
            authenticate = createAuthenticateMessage({
                credentials: { username: this.options.username ?? "", password: this.options.secrets.password ?? "" },
                negotiateMessage,
                challengeMessage,
                workstation: this.options.workstation,
                channelBindings,
            });
        } catch (error) {
            if (!(error instanceof NtlmError)) throw error;
            throw new WinrmError(this.host, step, "malformed-response", `failed: unusable NTLM challenge from the server: ${error.message}`);
        }
        const result = await this.exchange(step, timeoutMs, (socket) => {
            if (socket !== handshakeSocket) {
                throw new WinrmError(this.host, step, "connection-lost", "failed: the server closed the connection between the NTLM challenge and the answer");
            }
            return { headers: { Authorization: `Negotiate ${authenticate.message.toString("base64")}` }, body: Buffer.alloc(0) };
        });
        if (result.kind !== "response") {
            throw new WinrmError(this.host, step, "connection-lost", "failed: the server closed the connection during the NTLM handshake");
        }
        if (result.response.status === 401) throw this.authenticationFailed(step, "the server rejected the NTLM credentials");
        if (result.response.status !== 200) {
            throw new WinrmError(
                this.host,
                step,
                "authentication",
                `failed: expected HTTP 200 after NTLM authentication, got HTTP ${result.response.status} ${result.response.statusText}${bodyExcerpt(result.response)}`,
            );
        }
        this.sessions.set(handshakeSocket, this.options.https ? null : new NtlmSessionSecurity("client", authenticate.exportedSessionKey));
    }

    private authenticationFailed(step: WinrmStep, what: string): WinrmError {
        const who =
            this.options.auth === "certificate"
                ? "the client certificate was not accepted (is it mapped to a user with winrm/config/service/certmapping, and Auth/Certificate enabled?)"
                : `authentication failed for user "${this.options.username ?? ""}" (auth ${this.options.auth}): wrong user name or password, ` +
                  `or the account may not use WinRM${this.options.auth === "basic" ? " (Basic needs a local account and Auth/Basic=true)" : ""}`;
        return new WinrmError(this.host, step, "authentication", `failed: ${what}: ${who}`);
    }

    private hasAuthenticatedConnection(): boolean {
        const socket = this.lastSocket;
        return socket !== undefined && !socket.destroyed && this.sessions.has(socket);
    }

    /** Closes the connection when it has been idle longer than connectionReuseLimitMs. */
    private retireIdleConnection(): void {
        if (this.lastSocket !== undefined && Date.now() - this.lastUsedAt > this.options.connectionReuseLimitMs) {
            this.lastSocket.destroy();
            this.lastSocket = undefined;
        }
    }

    private currentAgent(): http.Agent {
        if (this.agent !== undefined) return this.agent;
        // keepAlive: Node unrefs free sockets, so an idle connection does not keep the process alive.
        const common = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 };
        this.agent = this.options.https
            ? new https.Agent({
                  ...common,
                  ca: this.options.caCertificate,
                  rejectUnauthorized: !this.options.insecureSkipVerify,
                  cert: this.options.auth === "certificate" ? this.options.clientCertificate : undefined,
                  key: this.options.auth === "certificate" ? this.options.secrets.clientKey : undefined,
              })
            : new http.Agent(common);
        return this.agent;
    }

    /**
     * One HTTP POST. `prepare` sees the socket the request got before anything is written, and
     * returns the headers and body to send on it (or throws NotAuthenticated / a WinrmError).
     * Times the connection setup (connectTimeoutMs) and the response (timeoutMs) separately.
     */
    private exchange(step: WinrmStep, timeoutMs: number, prepare: (socket: Socket) => OutgoingRequest): Promise<ExchangeResult> {
        return new Promise<ExchangeResult>((resolve, reject) => {
            const options = this.options;
            let settled = false;
            let timer: NodeJS.Timeout | undefined;
            let connecting = false;
            let responseStarted = false;
            let reused = false;
            let assigned: Socket | undefined;
            const finish = (outcome: { result: ExchangeResult } | { error: unknown }) => {
                if (settled) return;
                settled = true;
                if (timer !== undefined) clearTimeout(timer);
                if ("result" in outcome) resolve(outcome.result);
                else reject(outcome.error);
            };
            // A holder, not a reference to the `request` const below: Pulumi's closure serialiser
            // refuses functions that capture a variable declared after them.
            const current: { request?: http.ClientRequest } = {};
            const fail = (error: unknown) => {
                finish({ error });
                current.request?.destroy();
            };
            const request = (options.https ? https : http).request({
                agent: this.currentAgent(),
                method: "POST",
                host: options.host,
                port: options.port,
                path: options.path,
                servername: options.https && !isIpAddress(options.host) ? options.host : undefined,
                headers: { "User-Agent": "pulumi-iis-asp-session WinRM client" },
            });
            current.request = request;
            const send = (socket: Socket) => {
                let outgoing: OutgoingRequest;
                try {
                    outgoing = prepare(socket);
                } catch (error) {
                    if (error instanceof NotAuthenticated) {
                        finish({ result: { kind: "unauthenticated" } });
                        request.destroy();
                        return;
                    }
                    fail(error);
                    return;
                }
                for (const [name, value] of Object.entries(outgoing.headers)) request.setHeader(name, value);
                request.setHeader("Content-Length", String(outgoing.body.length));
                this.stats.requests++;
                this.stats.requestsByStep[step] = (this.stats.requestsByStep[step] ?? 0) + 1;
                this.lastSocket = socket;
                timer = setTimeout(
                    () => fail(new WinrmError(this.host, step, "timeout", `timed out after ${timeoutMs} ms waiting for the server's response`)),
                    timeoutMs,
                );
                request.end(outgoing.body);
            };
            request.on("socket", (socket: Socket) => {
                if (settled) return;
                assigned = socket;
                reused = request.reusedSocket;
                if (!socket.connecting && reused) {
                    send(socket);
                    return;
                }
                connecting = true;
                this.stats.connections++;
                timer = setTimeout(
                    () => fail(new WinrmError(this.host, "connect", "timeout", `timed out after ${options.connectTimeoutMs} ms (TCP${options.https ? " and TLS" : ""} connection setup)`)),
                    options.connectTimeoutMs,
                );
                socket.once(options.https ? "secureConnect" : "connect", () => {
                    if (settled) return;
                    connecting = false;
                    clearTimeout(timer);
                    timer = undefined;
                    send(socket);
                });
            });
            request.on("response", (response: http.IncomingMessage) => {
                responseStarted = true;
                // Taken now: once the response ends, the agent takes the socket back.
                const socket = assigned ?? response.socket;
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("error", (error) => fail(describeNetworkError(this.host, step, error, false, this.scheme, true)));
                response.on("aborted", () => fail(new WinrmError(this.host, step, "connection-lost", "failed: the server closed the connection in the middle of its response")));
                response.on("end", () => {
                    this.lastUsedAt = Date.now();
                    finish({
                        result: {
                            kind: "response",
                            response: {
                                status: response.statusCode ?? 0,
                                statusText: response.statusMessage ?? "",
                                contentType: response.headers["content-type"],
                                authenticate: headerValues(response.rawHeaders, "www-authenticate"),
                                body: Buffer.concat(chunks),
                                socket,
                            },
                        },
                    });
                });
            });
            request.on("error", (error: unknown) => {
                if (settled) return;
                const described = describeNetworkError(this.host, step, error, connecting, this.scheme, responseStarted);
                if (reused && !responseStarted && described.problem === "connection-lost") {
                    finish({ result: { kind: "stale", error: described } });
                } else {
                    finish({ error: described });
                }
            });
        });
    }
}

/** The token of the first "Negotiate <base64>" challenge, decoded. */
function negotiateToken(values: readonly string[]): Buffer | undefined {
    for (const value of values) {
        const match = /^\s*Negotiate\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(value);
        if (match !== null) return Buffer.from(match[1], "base64");
    }
    return undefined;
}

/** Every value of a header, from Node's raw [name, value, name, value, ...] list. */
function headerValues(rawHeaders: readonly string[], name: string): string[] {
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1]);
    }
    return values;
}

function describeStatus(status: number): string {
    switch (status) {
        case 404:
            return " (no WinRM listener at this path; is the endpoint /wsman?)";
        case 413:
            return " (the request exceeds the server's MaxEnvelopeSizekb)";
        case 503:
            return " (the WinRM service is unavailable)";
        default:
            return "";
    }
}

function bodyExcerpt(response: HttpResponse): string {
    return isEncryptedContentType(response.contentType) ? "" : excerpt(response.body.toString("utf8"));
}

function excerpt(text: string): string {
    const trimmed = text.replace(/\s+/g, " ").trim();
    return trimmed === "" ? "" : `; body starts ${JSON.stringify(trimmed.slice(0, 120))}`;
}

function isIpAddress(host: string): boolean {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}
