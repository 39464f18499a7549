import { X509Certificate } from "crypto";
import * as http from "http";
import * as https from "https";
import { AddressInfo, Socket } from "net";
import { EncryptedMessageError, SOAP_CONTENT_TYPE, isEncryptedContentType } from "../../../provider/carriers/winrm/encryption";
import { NtlmError, channelBindingsHash, tlsServerEndPoint } from "../../../provider/carriers/winrm/ntlm";
import { startKerberosAcceptor, type KerberosAcceptor } from "../krb5/acceptor";
import { pwshOrThrow, startWindowsPowerShell } from "../pwsh";
import { windirOf } from "../windowsFolder";
import { XmlSyntaxError, newMessageId } from "../../../provider/carriers/winrm/wsman";
import { MalformedRequestError, WsmanRequest, readRequest } from "./requestReader";
import { buildFault } from "./responseBuilder";
import { AuthenticatorOptions, BodySeal, ConnectionAuth, authenticateRequest } from "./authentication";
import { createServerIdentity } from "./certificates";
import { FaultPlan } from "./faultInjection";
import { ShellFault, injectedInternalError } from "./faults";
import { FaultInjection, PowerShellStarter, WsmanServerOptions } from "./options";
import { ShellHost, ShellInfo } from "./shells";
import { StatsCounter, WsmanServerStats } from "./stats";

/**
 * The HTTP side of the in-repo WS-Management test server: one endpoint, /wsman, on 127.0.0.1,
 * plain or TLS, keep-alive; authentication per connection (NTLM, Kerberos) or per request (Basic,
 * certificate); MS-WSMV message encryption on NTLM and Kerberos connections; latency and fault injection; and
 * the Windows Remote Shell behind it (shells.ts).
 */

export interface WsmanServer {
    /** "http://127.0.0.1:PORT/wsman" or "https://...". */
    readonly url: string;
    readonly port: number;
    readonly https: boolean;
    /** The server certificate (PEM), to trust or pin; undefined over HTTP. */
    readonly certificatePem: string | undefined;
    /** The server certificate (DER): `channelBindingsHash(certificateDer)` is what NTLM clients bind to. */
    readonly certificateDer: Buffer | undefined;
    /** Counters since start (or the last resetStats). */
    readonly stats: WsmanServerStats;
    resetStats(): void;
    /** Arms more faults (see FaultInjection); what the plan leaves out stays as it was. */
    injectFaults(plan: FaultInjection): void;
    /** The open shells, with what Create recorded and the command lines run in them. */
    shells(): ShellInfo[];
    /** Stops listening and drops every connection, hung requests included. */
    close(): Promise<void>;
}

const ENDPOINT_PATH = "/wsman";
const SERVER_HEADER = "Microsoft-HTTPAPI/2.0";
/** HTTP.sys keeps idle connections for 2 minutes; NTLM clients rely on the connection surviving between requests. */
const KEEP_ALIVE_MS = 120_000;
const DEFAULT_COMPUTER_NAME = "WIN-WSMAN-TEST";

/** What one connection remembers between requests. */
interface ConnectionState {
    auth: ConnectionAuth;
    /** Names the connection to the Kerberos acceptor. */
    readonly id: number;
}

interface Reply {
    readonly status: number;
    readonly headers?: Readonly<Record<string, string | readonly string[]>>;
    readonly body?: Buffer;
    /** Close the connection after this response (the NTLM sealing state is unusable). */
    readonly close?: boolean;
}

export async function startWsmanServer(options: WsmanServerOptions): Promise<WsmanServer> {
    const methods = options.auth ?? ["ntlm"];
    const useHttps = options.https ?? false;
    if (methods.length === 0) throw new Error("startWsmanServer: auth must name at least one method (ntlm, basic, certificate)");
    if (methods.includes("certificate") && (!useHttps || options.clientCa === undefined)) {
        throw new Error("startWsmanServer: certificate auth needs https: true and clientCa (the CA client certificates chain to)");
    }
    if (options.requireChannelBinding === true && !useHttps) {
        throw new Error("startWsmanServer: requireChannelBinding needs https: true (channel bindings are a TLS certificate hash)");
    }
    if (methods.includes("kerberos") && options.kerberos === undefined) {
        throw new Error("startWsmanServer: kerberos auth needs kerberos: { keytab, environment } (see test/support/krb5)");
    }
    const computerName = options.computerName ?? DEFAULT_COMPUTER_NAME;
    const identity = useHttps ? options.tls ?? (await createServerIdentity()) : undefined;
    const certificateDer = identity === undefined ? undefined : new X509Certificate(identity.cert).raw;

    const stats = new StatsCounter();
    const faults = new FaultPlan(options.faults);
    const shellHost = new ShellHost({
        computerName,
        applicationHostPath: options.applicationHostPath,
        powershell: options.powershell ?? startRealPowerShell,
        skipCmdShellSearchesPath: options.skipCmdShellSearchesPath ?? false,
        maxShellsPerUser: options.maxShellsPerUser ?? 30,
        outputChunkBytes: options.outputChunkBytes ?? 4096,
        faults,
        stats,
    });
    const authOptions: { -readonly [K in keyof AuthenticatorOptions]: AuthenticatorOptions[K] } = {
        methods,
        users: options.users,
        https: useHttps,
        allowUnencrypted: options.allowUnencrypted ?? false,
        requireChannelBinding: options.requireChannelBinding ?? false,
        channelBindings: certificateDer === undefined ? undefined : channelBindingsHash(certificateDer),
        computerName,
        kerberos: undefined as KerberosAcceptor | undefined,
        onDelegation: () => stats.kerberosDelegations++,
        kerberosFinalToken: options.kerberosFinalToken,
        kerberosChannelBindings: options.kerberosChannelBindingsOverride ?? (certificateDer === undefined ? undefined : tlsServerEndPoint(certificateDer)),
    };
    if (options.kerberos !== undefined && methods.includes("kerberos")) {
        authOptions.kerberos = await startKerberosAcceptor(options.kerberos.keytab, options.kerberos.environment);
    }
    let connectionCount = 0;
    const latencyMs = options.latencyMs ?? 0;
    const connections = new WeakMap<Socket, ConnectionState>();
    const sockets = new Set<Socket>();

    const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const state = connections.get(request.socket) ?? newConnectionState(request.socket);
            connections.set(request.socket, state);
            serve(request, Buffer.concat(chunks), state)
                .then((reply) => {
                    if (reply !== undefined) send(response, reply);
                })
                .catch((error: unknown) => {
                    send(response, { status: 500, body: Buffer.from(`test server error: ${error instanceof Error ? error.stack : String(error)}`), close: true });
                });
        });
    };

    const newConnectionState = (socket: Socket): ConnectionState => {
        const state: ConnectionState = { auth: { kind: "anonymous" }, id: ++connectionCount };
        socket.once("close", () => authOptions.kerberos?.forget(state.id));
        return state;
    };

    const send = (response: http.ServerResponse, reply: Reply): void => {
        setTimeout(() => {
            if (response.destroyed) return;
            const body = reply.body ?? Buffer.alloc(0);
            response.statusCode = reply.status;
            response.setHeader("Server", SERVER_HEADER);
            for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, typeof value === "string" ? value : [...value]);
            response.setHeader("Content-Length", body.length);
            if (reply.close === true) response.setHeader("Connection", "close");
            response.end(body);
        }, latencyMs);
    };

    /** Everything after the body has arrived; undefined = never answer (the "hang" fault). */
    const serve = async (request: http.IncomingMessage, body: Buffer, state: ConnectionState): Promise<Reply | undefined> => {
        stats.httpRequests++;
        if (request.method !== "POST" || (request.url ?? "").split("?")[0].toLowerCase() !== ENDPOINT_PATH) {
            stats.count("rejected");
            return { status: 404 };
        }
        const { state: auth, decision } = await authenticateRequest(request, state.auth, authOptions, state.id);
        state.auth = auth;
        if (decision.kind === "bad-request") {
            stats.count("rejected");
            return { status: 400 };
        }
        if (decision.kind === "unauthorized") {
            if (decision.failure !== undefined) stats.authenticationFailed(decision.failure);
            stats.count(decision.wwwAuthenticate.some((value) => /^(Negotiate|Kerberos) /.test(value)) ? "authentication" : "rejected");
            return { status: 401, headers: decision.wwwAuthenticate.length === 0 ? {} : { "WWW-Authenticate": decision.wwwAuthenticate } };
        }
        if (decision.handshakeCompleted) {
            if (state.auth.kind === "kerberos") stats.kerberosHandshakes++;
            else stats.ntlmHandshakes++;
        }

        const encrypted = isEncryptedContentType(request.headers["content-type"]);
        let plaintext: Buffer;
        if (encrypted) {
            if (decision.seal === undefined) {
                stats.count("rejected");
                return { status: 400 };
            }
            try {
                plaintext = await decision.seal.open(body);
            } catch (error) {
                if (!(error instanceof EncryptedMessageError || error instanceof NtlmError || state.auth.kind === "kerberos")) throw error;
                state.auth = { kind: "anonymous" };
                stats.count("rejected");
                return { status: 400, close: true };
            }
        } else {
            if (body.length === 0) {
                stats.count("authentication");
                const answer = decision.wwwAuthenticate ?? [];
                return { status: 200, headers: answer.length === 0 ? {} : { "WWW-Authenticate": answer } };
            }
            if (decision.seal !== undefined && !useHttps && !authOptions.allowUnencrypted) {
                // Windows' AllowUnencrypted=false: NTLM over HTTP must seal its bodies.
                state.auth = { kind: "anonymous" };
                stats.authenticationFailed(`${auth.kind === "kerberos" ? "Kerberos" : "NTLM"} over HTTP with an unencrypted body (AllowUnencrypted is false)`);
                stats.count("rejected");
                return { status: 401, headers: { "WWW-Authenticate": ["Negotiate"] } };
            }
            plaintext = body;
        }
        const seal = encrypted ? decision.seal : undefined;
        return dispatch(plaintext.toString("utf8"), decision.user, seal, request);
    };

    const dispatch = async (xml: string, user: string, seal: BodySeal | undefined, request: http.IncomingMessage): Promise<Reply | undefined> => {
        let wsmanRequest: WsmanRequest;
        try {
            wsmanRequest = readRequest(xml);
        } catch (error) {
            if (!(error instanceof XmlSyntaxError || error instanceof MalformedRequestError)) throw error;
            stats.count("unreadable");
            const fault = buildFault({ messageId: newMessageId() }, {
                soapCode: "s:Sender",
                subcode: "w:InvalidMessageInformationHeader",
                code: 2150858817,
                reason: `The WS-Management service cannot process the request: ${error.message}`,
                machine: computerName,
            });
            return soapReply(500, fault, seal);
        }
        stats.count(wsmanRequest.kind);
        const injected = faults.take(wsmanRequest.kind);
        if (injected === "hang") return undefined;
        if (injected === "http500") {
            return soapReply(500, buildFault({ messageId: newMessageId(), relatesTo: wsmanRequest.messageId }, injectedInternalError(computerName)), seal);
        }
        if (injected === "malformed") return soapReply(200, "<s:Envelope this is not XML", seal);
        if (injected === "shellGone") shellHost.forgetShell(wsmanRequest.shellId);
        try {
            const reply = await soapReply(200, await shellHost.handle(wsmanRequest, user, endpointOf(request, useHttps)), seal);
            return injected === "tampered" ? tamper(reply) : reply;
        } catch (error) {
            if (!(error instanceof ShellFault)) throw error;
            return soapReply(500, buildFault({ messageId: newMessageId(), relatesTo: wsmanRequest.messageId }, error.details), seal);
        }
    };

    const server = identity === undefined
        ? http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, handler)
        : https.createServer(
              {
                  key: identity.key,
                  cert: identity.cert,
                  keepAliveTimeout: KEEP_ALIVE_MS,
                  requestCert: methods.includes("certificate"),
                  // Unverified client certificates are refused with a 401 by the auth layer, not at the TLS layer.
                  rejectUnauthorized: false,
                  ca: options.clientCa,
              },
              handler,
          );
    server.headersTimeout = KEEP_ALIVE_MS + 1000;
    server.requestTimeout = 0;
    server.on("connection", (socket: Socket) => {
        stats.connections++;
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, options.address ?? "127.0.0.1", () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${useHttps ? "https" : "http"}://${options.address ?? "127.0.0.1"}:${port}${ENDPOINT_PATH}`;

    return {
        url,
        port,
        https: useHttps,
        certificatePem: identity?.cert,
        certificateDer,
        get stats() {
            return stats.snapshot(shellHost.openShellCount);
        },
        resetStats: () => stats.reset(),
        injectFaults: (plan) => faults.arm(plan),
        shells: () => shellHost.describeShells(),
        close: () =>
            new Promise<void>((resolve) => {
                shellHost.closeAll();
                server.close(() => resolve());
                for (const socket of sockets) socket.destroy();
            }).then(() => authOptions.kerberos?.close()),
    };
}

/** The default: the command line run by real PowerShell 7 with %windir% at the applicationHost.config's Windows folder. */
export const startRealPowerShell: PowerShellStarter = (commandLine, context) =>
    startWindowsPowerShell(commandLine, { pwsh: pwshOrThrow(), windir: windirOf(context.applicationHostPath), consoleModeStdin: context.consoleModeStdin });

async function soapReply(status: number, xml: string, seal: BodySeal | undefined): Promise<Reply> {
    const plaintext = Buffer.from(xml, "utf8");
    if (seal === undefined) return { status, headers: { "Content-Type": SOAP_CONTENT_TYPE }, body: plaintext };
    const { body, contentType } = await seal.close(plaintext);
    return { status, headers: { "Content-Type": contentType }, body };
}

/** The reply with one byte changed near the end of its (encrypted) data, before the closing boundary. */
function tamper(reply: Reply): Reply {
    const body = Buffer.from(reply.body ?? Buffer.alloc(0));
    const at = body.length - "--Encrypted Boundary--\r\n".length - 3;
    if (at >= 0) body[at] ^= 0x01;
    return { ...reply, body };
}

/** The endpoint address as the client reached it (a:Address of created shells). */
function endpointOf(request: http.IncomingMessage, useHttps: boolean): string {
    return `${useHttps ? "https" : "http"}://${request.headers.host ?? "127.0.0.1"}${ENDPOINT_PATH}`;
}
