import * as http from "http";
import * as https from "https";
import type { Socket } from "net";
import { authenticationFor, NotAuthenticated, type ExchangeResult, type HttpResponse, type OutgoingRequest, type WinrmAuthentication } from "./auth";
import { isEncryptedContentType } from "./encryption";
import { describeNetworkError, excerpt, WinrmError, WinrmScheme, WinrmStep } from "./errors";
import { ResolvedWinrmOptions } from "./options";

/**
 * HTTP(S) for one WinRM endpoint: one keep-alive connection, requests serialised on it, and
 * timeouts. It posts SOAP text and returns SOAP text; what the SOAP means is the shell's
 * business, and how requests are authenticated (and, for NTLM over HTTP, sealed) is the
 * authentication piece's (auth/): this code holds only the connection.
 *
 * A connection-oriented scheme (NTLM) authenticates a socket: when the piece says the current
 * socket needs a handshake, it runs one through `exchange`, and may send the request on its last
 * leg (NTLM does). A request that finds itself on a socket without a session is stopped before a
 * byte is written and the handshake runs again.
 */

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

export class WinrmHttpTransport {
    private readonly options: ResolvedWinrmOptions;
    private readonly auth: WinrmAuthentication;
    private agent: http.Agent | undefined;
    /** Tail of the request queue: each post starts when the previous one has settled. */
    private queue: Promise<unknown> = Promise.resolve();
    /** The socket of the last exchange and when it ended, to retire connections idle too long. */
    private lastSocket: Socket | undefined;
    private lastUsedAt = 0;
    private closed = false;

    constructor(options: ResolvedWinrmOptions) {
        this.options = options;
        this.auth = authenticationFor(options);
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
            let carried: ExchangeResult | undefined;
            if (this.auth.needsHandshake(this.lastSocket)) {
                // Each leg waits handshakeTimeoutMs at most, and never past the request's own wait
                // (the operation's deadline); a leg carrying the request waits as the request would.
                carried = await this.auth.handshake(
                    (handshakeStep, legTimeoutMs, prepare) => this.exchange(handshakeStep, legTimeoutMs, prepare),
                    Math.min(this.options.handshakeTimeoutMs, timeoutMs),
                    { step, soap: body, timeoutMs },
                );
            }
            const result = carried ?? (await this.exchange(step, timeoutMs, (socket) => this.auth.wrap(socket, body)));
            if (result.kind === "response") return this.readResponse(result.response, step);
            if (result.kind === "stale") {
                if (resent || !RESENDABLE_STEPS.includes(step)) throw result.error;
                resent = true;
            }
        }
        throw new WinrmError(this.host, step, "connection-lost", "failed: the server kept closing the connection before answering");
    }

    /** The SOAP text of a response, unsealed when it is encrypted; WinrmError for what is not SOAP. */
    private readResponse(response: HttpResponse, step: WinrmStep): string {
        const { status } = response;
        if (status === 401) throw this.authenticationFailed(step, `HTTP 401 ${response.statusText}`);
        if (status !== 200 && status !== 400 && status !== 500) {
            throw new WinrmError(this.host, step, "http-status", `failed: HTTP ${status} ${response.statusText}${describeStatus(status)}${bodyExcerpt(response)}`);
        }
        const soap = this.auth.unwrap(response, step);
        const text = soap.toString("utf8");
        if (status !== 200 && !/<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(text)) {
            throw new WinrmError(this.host, step, "http-status", `failed: HTTP ${status} ${response.statusText} without a SOAP fault${excerpt(text)}`);
        }
        return text;
    }

    private authenticationFailed(step: WinrmStep, what: string): WinrmError {
        return new WinrmError(this.host, step, "authentication", `failed: ${what}: ${this.auth.rejectionHint}`);
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
                  cert: this.auth.clientCredentials.cert,
                  key: this.auth.clientCredentials.key,
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
            // A holder: `fail` may run (a timeout) before the request below exists.
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

function isIpAddress(host: string): boolean {
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}
