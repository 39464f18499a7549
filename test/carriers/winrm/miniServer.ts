import { randomUUID, X509Certificate } from "crypto";
import * as http from "http";
import * as https from "https";
import type { AddressInfo, Socket } from "net";
import type { TLSSocket } from "tls";
import { decryptMessage, encryptMessage, isEncryptedContentType } from "../../../provider/carriers/winrm/encryption";
import { channelBindingsHash, NtlmError, NtlmSessionSecurity } from "../../../provider/carriers/winrm/ntlm";
import { createChallengeMessage, ServerHandshake, verifyAuthenticateMessage } from "../../support/wsman/ntlmServer";
import { FAULT_CODE, FaultDetails, newMessageId } from "../../../provider/carriers/winrm/wsman";
import { CommandRequest, CreateShellRequest, WsmanRequest, readRequest } from "../../support/wsman/requestReader";
import { OutputChunk, buildCommandResponse, buildCreateResponse, buildDeleteResponse, buildFault, buildReceiveResponse, buildSendResponse, buildSignalResponse } from "../../support/wsman/responseBuilder";

/**
 * A small in-process WinRM endpoint for the client tests: the server half of NTLM (with message
 * encryption over HTTP and channel bindings over HTTPS), Basic and client-certificate auth, and a
 * cmd shell whose commands run a JavaScript `program`. Hooks inject the failures a real server
 * shows: hanging, faults, garbage, dropped connections, shells that idled out.
 */

export interface CommandResult {
    readonly stdout?: string | Buffer;
    readonly stderr?: string | Buffer;
    readonly exitCode?: number;
}

/** What `intercept` can make the server do instead of answering normally. */
export type Intercept =
    | { readonly kind: "hang" }
    /** Answer normally, after a pause. */
    | { readonly kind: "delay"; readonly ms: number }
    | { readonly kind: "fault"; readonly fault: FaultDetails }
    /** Answer this body (sealed when the connection has an NTLM session, unless `plaintext`). */
    | { readonly kind: "raw"; readonly status: number; readonly body: string; readonly plaintext?: boolean }
    /** Drop the connection without answering. */
    | { readonly kind: "drop" };

export interface MiniServerOptions {
    readonly auth: "ntlm" | "basic" | "certificate";
    readonly account: { readonly username: string; readonly password: string };
    /** Serve HTTPS with this certificate; `clientCa` asks for and checks client certificates. */
    readonly tls?: { readonly certificate: string; readonly key: string; readonly clientCa?: string };
    /** NTLM over HTTPS: insist on MsvAvChannelBindings for our certificate (CbtHardeningLevel=Strict). */
    readonly requireChannelBindings?: boolean;
    /** Default: stdout "ran <command> <args...>\r\n", exit code 0. */
    readonly program?: (command: CommandRequest, stdin: Buffer) => CommandResult;
    /** w:TimedOut faults each command's Receive gets before its output. Default 0. */
    readonly timeoutsBeforeOutput?: number;
    /** Split stdout over this many Receive responses (Running, ..., Done). Default 1. */
    readonly receiveResponses?: number;
    /**
     * A SOAP body on the NTLM AUTHENTICATE: "process" (default) authenticates and then answers the
     * body, as Windows does; "ignore" authenticates with an empty 200 and drops the body.
     */
    readonly bodyOnAuthenticate?: "process" | "ignore";
    /** Called for each decoded request; `count` is how many of this kind came before, plus one. */
    readonly intercept?: (request: WsmanRequest, count: number) => Intercept | undefined;
}

/** One request as the server saw it. */
export interface LoggedRequest {
    readonly kind: WsmanRequest["kind"] | "handshake-negotiate" | "handshake-authenticate" | "rejected";
    readonly connection: number;
    readonly encrypted: boolean;
}

interface Connection {
    readonly id: number;
    handshake?: ServerHandshake;
    /** Sealing keys over HTTP; null over HTTPS; undefined before authentication. */
    session?: NtlmSessionSecurity | null;
}

interface RunningCommand {
    readonly request: CommandRequest;
    readonly stdin: Buffer[];
    stdinEnded: boolean;
    timeoutsLeft: number;
    pending?: { stdout: Buffer[]; stderr: Buffer; exitCode: number };
    signalled: boolean;
}

export class MiniWinrmServer {
    readonly log: LoggedRequest[] = [];
    /** Messages of rejected authentications, to check they hold no secret. */
    readonly authFailures: string[] = [];
    /** Whether each successful NTLM authentication carried verified channel bindings. */
    readonly channelBindingsVerified: boolean[] = [];
    readonly shells = new Map<string, Map<string, RunningCommand>>();
    /** Every Create request, in order. */
    readonly creates: CreateShellRequest[] = [];
    /** Every command ever started, in order. */
    readonly commands: RunningCommand[] = [];
    connections = 0;
    /** HTTP requests received (a handshake leg carrying a SOAP body is one). */
    httpRequests = 0;
    private readonly options: MiniServerOptions;
    private readonly server: http.Server;
    private readonly states = new WeakMap<Socket, Connection>();
    private readonly sockets = new Set<Socket>();
    private readonly counts = new Map<string, number>();
    private port = 0;
    private unrefed = false;

    private constructor(options: MiniServerOptions) {
        this.options = options;
        const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
            const chunks: Buffer[] = [];
            request.on("data", (chunk: Buffer) => chunks.push(chunk));
            request.on("end", () => this.handle(request, Buffer.concat(chunks), response));
        };
        this.server =
            options.tls === undefined
                ? http.createServer({ keepAliveTimeout: 60_000 }, handler)
                : https.createServer(
                      {
                          keepAliveTimeout: 60_000,
                          cert: options.tls.certificate,
                          key: options.tls.key,
                          ca: options.tls.clientCa,
                          requestCert: options.tls.clientCa !== undefined,
                          rejectUnauthorized: false,
                      },
                      handler,
                  );
        this.server.on(options.tls === undefined ? "connection" : "secureConnection", (socket: Socket) => {
            this.connections++;
            this.states.set(socket, { id: this.connections });
            this.sockets.add(socket);
            if (this.unrefed) socket.unref();
            socket.on("close", () => this.sockets.delete(socket));
        });
    }

    static async start(options: MiniServerOptions): Promise<MiniWinrmServer> {
        const server = new MiniWinrmServer(options);
        await new Promise<void>((resolve) => server.server.listen(0, "127.0.0.1", resolve));
        server.port = (server.server.address() as AddressInfo).port;
        return server;
    }

    get address(): { host: string; port: number } {
        return { host: "127.0.0.1", port: this.port };
    }

    /** Requests of one kind, in order. */
    requests(kind: LoggedRequest["kind"]): LoggedRequest[] {
        return this.log.filter((entry) => entry.kind === kind);
    }

    /** Lets the process exit while the server (and its connections) are still open. */
    unref(): void {
        this.unrefed = true;
        this.server.unref();
        for (const socket of this.sockets) socket.unref();
    }

    /** Closes every open connection, as a server restart or idle timeout would. */
    dropConnections(): void {
        for (const socket of this.sockets) socket.destroy();
    }

    /** Forgets every shell, as the server does when a shell's IdleTimeOut passes. */
    forgetShells(): void {
        this.shells.clear();
    }

    async stop(): Promise<void> {
        this.dropConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private handle(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
        this.httpRequests++;
        const socket = request.socket;
        const connection = this.states.get(socket) ?? { id: 0 };
        if (!this.authenticate(request, body, response, connection)) return;

        let xml: string;
        let encrypted = false;
        if (connection.session instanceof NtlmSessionSecurity) {
            if (!isEncryptedContentType(request.headers["content-type"])) {
                this.log.push({ kind: "rejected", connection: connection.id, encrypted: false });
                response.writeHead(400).end("unencrypted body on an NTLM connection over HTTP");
                return;
            }
            xml = decryptMessage(connection.session, body).plaintext.toString("utf8");
            encrypted = true;
        } else {
            xml = body.toString("utf8");
        }
        const wsman = readRequest(xml);
        this.log.push({ kind: wsman.kind, connection: connection.id, encrypted });
        const count = (this.counts.get(wsman.kind) ?? 0) + 1;
        this.counts.set(wsman.kind, count);

        const reply = (status: number, text: string, plaintext = false) => {
            if (connection.session instanceof NtlmSessionSecurity && !plaintext) {
                const sealed = encryptMessage(connection.session, Buffer.from(text, "utf8"));
                response.writeHead(status, { "Content-Type": sealed.contentType }).end(sealed.body);
            } else {
                response.writeHead(status, { "Content-Type": "application/soap+xml;charset=UTF-8" }).end(text);
            }
        };
        const fault = (details: FaultDetails) => reply(500, buildFault({ relatesTo: wsman.messageId, messageId: newMessageId() }, details));

        const intercepted = this.options.intercept?.(wsman, count);
        if (intercepted !== undefined) {
            switch (intercepted.kind) {
                case "hang":
                    return;
                case "delay":
                    setTimeout(() => this.answer(wsman, reply, fault), intercepted.ms);
                    return;
                case "drop":
                    socket.destroy();
                    return;
                case "fault":
                    fault(intercepted.fault);
                    return;
                case "raw":
                    reply(intercepted.status, intercepted.body, intercepted.plaintext);
                    return;
            }
        }
        this.answer(wsman, reply, fault);
    }

    /** What a Windows server would answer. */
    private answer(wsman: WsmanRequest, reply: (status: number, text: string) => void, fault: (details: FaultDetails) => void): void {
        const addressing = { relatesTo: wsman.messageId, messageId: newMessageId() };
        const shellGone = () =>
            fault({ soapCode: "s:Sender", subcode: "w:InvalidSelectors", code: FAULT_CODE.invalidSelectors, reason: "The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server." });
        switch (wsman.kind) {
            case "Create": {
                const shellId = randomUUID().toUpperCase();
                this.shells.set(shellId, new Map());
                this.creates.push(wsman);
                reply(200, buildCreateResponse(addressing, { shellId, endpoint: `http://127.0.0.1:${this.port}/wsman`, idleTimeoutSeconds: wsman.idleTimeoutSeconds }));
                return;
            }
            case "Command": {
                const shell = this.shells.get(wsman.shellId ?? "");
                if (shell === undefined) return shellGone();
                const commandId = randomUUID().toUpperCase();
                const command: RunningCommand = { request: wsman, stdin: [], stdinEnded: false, timeoutsLeft: this.options.timeoutsBeforeOutput ?? 0, signalled: false };
                shell.set(commandId, command);
                this.commands.push(command);
                reply(200, buildCommandResponse(addressing, commandId));
                return;
            }
            case "Send": {
                const shell = this.shells.get(wsman.shellId ?? "");
                if (shell === undefined) return shellGone();
                for (const stream of wsman.streams) {
                    const command = shell.get(stream.commandId ?? "");
                    if (command === undefined) return shellGone();
                    command.stdin.push(stream.data);
                    if (stream.end) command.stdinEnded = true;
                }
                reply(200, buildSendResponse(addressing));
                return;
            }
            case "Receive": {
                const shell = this.shells.get(wsman.shellId ?? "");
                const command = shell?.get(wsman.commandId ?? "");
                if (command === undefined) return shellGone();
                if (command.timeoutsLeft > 0) {
                    command.timeoutsLeft--;
                    fault({ soapCode: "s:Receiver", subcode: "w:TimedOut", code: FAULT_CODE.operationTimeout, reason: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout." });
                    return;
                }
                if (command.pending === undefined) {
                    const program = this.options.program ?? ((c: CommandRequest): CommandResult => ({ stdout: `ran ${[c.command, ...c.arguments].join(" ")}\r\n` }));
                    const result = program(command.request, Buffer.concat(command.stdin));
                    const stdout = Buffer.from(result.stdout ?? "");
                    const parts = Math.max(1, this.options.receiveResponses ?? 1);
                    const size = Math.ceil(stdout.length / parts);
                    const stdoutParts = Array.from({ length: parts }, (_, i) => stdout.subarray(i * size, (i + 1) * size));
                    command.pending = { stdout: stdoutParts, stderr: Buffer.from(result.stderr ?? ""), exitCode: result.exitCode ?? 0 };
                }
                const pending = command.pending;
                const part = pending.stdout.shift() ?? Buffer.alloc(0);
                const last = pending.stdout.length === 0;
                const chunks: OutputChunk[] = [{ name: "stdout", data: part }];
                if (last) chunks.push({ name: "stdout", data: Buffer.alloc(0) }, { name: "stderr", data: pending.stderr });
                reply(
                    200,
                    buildReceiveResponse(addressing, {
                        commandId: wsman.commandId ?? "",
                        chunks: last ? chunks.map((chunk, i) => (i === 0 ? chunk : { ...chunk, end: true })) : chunks,
                        state: last ? "Done" : "Running",
                        exitCode: last ? pending.exitCode : undefined,
                    }),
                );
                return;
            }
            case "Signal": {
                const command = this.shells.get(wsman.shellId ?? "")?.get(wsman.commandId ?? "");
                if (command === undefined) return shellGone();
                command.signalled = true;
                this.shells.get(wsman.shellId ?? "")?.delete(wsman.commandId ?? "");
                reply(200, buildSignalResponse(addressing));
                return;
            }
            case "Delete": {
                if (!this.shells.delete(wsman.shellId ?? "")) return shellGone();
                reply(200, buildDeleteResponse(addressing));
                return;
            }
        }
    }

    /** True when the request may go on to the WS-Man layer; otherwise the response is written. */
    private authenticate(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse, connection: Connection): boolean {
        const authorization = request.headers.authorization;
        const reject = (why: string, challenge: string) => {
            this.authFailures.push(why);
            this.log.push({ kind: "rejected", connection: connection.id, encrypted: false });
            response.writeHead(401, { "WWW-Authenticate": challenge, "Content-Length": "0" }).end();
            return false;
        };
        switch (this.options.auth) {
            case "basic": {
                const expected = `Basic ${Buffer.from(`${this.options.account.username}:${this.options.account.password}`).toString("base64")}`;
                return authorization === expected || reject("wrong Basic credentials", 'Basic realm="WSMAN"');
            }
            case "certificate": {
                const tlsSocket = request.socket as TLSSocket;
                const mutual = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual";
                if (authorization !== mutual) return reject(`Authorization is not the mutual scheme`, "Negotiate");
                if (!tlsSocket.authorized) return reject(`client certificate not accepted: ${String(tlsSocket.authorizationError)}`, "Negotiate");
                return true;
            }
            case "ntlm": {
                const token = /^Negotiate (.+)$/.exec(authorization ?? "")?.[1];
                if (token === undefined) {
                    if (connection.session !== undefined) return true;
                    return reject("no Authorization on an unauthenticated connection", "Negotiate");
                }
                const message = Buffer.from(token, "base64");
                const type = message.length >= 12 ? message.readUInt32LE(8) : 0;
                try {
                    if (type === 1) {
                        if (body.length !== 0) return reject("NEGOTIATE with a body", "Negotiate");
                        connection.handshake = createChallengeMessage(message, { netbiosComputerName: "WIN-TEST", netbiosDomainName: "WIN-TEST" });
                        connection.session = undefined;
                        this.log.push({ kind: "handshake-negotiate", connection: connection.id, encrypted: false });
                        response.writeHead(401, { "WWW-Authenticate": `Negotiate ${connection.handshake.challengeMessage.toString("base64")}`, "Content-Length": "0" }).end();
                        return false;
                    }
                    if (type === 3 && connection.handshake !== undefined) {
                        const expectedChannelBindings =
                            this.options.requireChannelBindings === true && this.options.tls !== undefined
                                ? channelBindingsHash(new X509Certificate(this.options.tls.certificate).raw)
                                : undefined;
                        const client = verifyAuthenticateMessage(message, connection.handshake, this.options.account, { expectedChannelBindings });
                        this.channelBindingsVerified.push(client.channelBindingsVerified);
                        connection.session = this.options.tls === undefined ? new NtlmSessionSecurity("server", client.exportedSessionKey) : null;
                        connection.handshake = undefined;
                        this.log.push({ kind: "handshake-authenticate", connection: connection.id, encrypted: false });
                        if (body.length !== 0 && this.options.bodyOnAuthenticate !== "ignore") return true;
                        response.writeHead(200, { "Content-Length": "0" }).end();
                        return false;
                    }
                    return reject(`unexpected NTLM message type ${type}`, "Negotiate");
                } catch (error) {
                    if (!(error instanceof NtlmError)) throw error;
                    connection.handshake = undefined;
                    return reject(error.message, "Negotiate");
                }
            }
        }
    }
}
