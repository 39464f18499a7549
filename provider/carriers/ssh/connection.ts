import * as net from "net";
import type { Duplex } from "stream";
import { inspect } from "util";
import { Client, utils, type ConnectConfig } from "ssh2";
import { SshError, type SshStep } from "./errors";
import { hostKeyFingerprint, sameFingerprint } from "./hostKey";
import type { ResolvedSshEndpoint } from "./options";

/**
 * One authenticated SSH connection (ssh2's Client), tunnelled through a jump host when one is
 * given. Opening it goes through named steps, each with its own failure message: TCP connect,
 * handshake (key exchange), host key (checked against the pinned fingerprint: an unknown or
 * different key is refused before any credential is sent), authentication; through a jump host,
 * the same for the jump host, then the tunnel ("jump").
 */

export interface ConnectionTimings {
    readonly connectTimeoutMs: number;
    /** Key exchange and authentication. */
    readonly handshakeTimeoutMs: number;
    readonly keepaliveIntervalMs: number;
    readonly keepaliveCountMax: number;
}

export class SshConnection {
    /** False once the connection (or the jump host's) closed or failed. */
    alive = true;
    /** Why it is no longer alive, for commands that were running on it. */
    lostBecause: string | undefined;
    private readonly closeListeners: Array<(why: string) => void> = [];

    constructor(readonly client: Client, private readonly jump: Client | undefined, readonly endpoint: ResolvedSshEndpoint) {
        const lost = (why: string) => {
            if (!this.alive) return;
            this.alive = false;
            this.lostBecause = why;
            for (const listener of this.closeListeners.splice(0)) listener(why);
        };
        for (const side of jump === undefined ? [client] : [client, jump]) {
            side.on("error", (error: Error) => lost(describeLoss(error)));
            side.on("close", () => lost("the server closed the connection"));
        }
        // ssh2 keeps the credentials in client.config: never show them.
        Object.defineProperty(this, inspect.custom, { value: () => `SshConnection(${endpoint.displayName})`, enumerable: false });
    }

    /** Calls `listener` once if the connection is lost (now, if it already is). */
    onLost(listener: (why: string) => void): () => void {
        if (!this.alive) {
            listener(this.lostBecause ?? "the connection is closed");
            return () => undefined;
        }
        this.closeListeners.push(listener);
        return () => {
            const at = this.closeListeners.indexOf(listener);
            if (at >= 0) this.closeListeners.splice(at, 1);
        };
    }

    close(): void {
        this.alive = false;
        this.client.end();
        this.jump?.end();
    }

    toJSON(): string {
        return `SshConnection(${this.endpoint.displayName})`;
    }
}

/** Connects to `target`, through `proxy` when given. Throws SshError naming the server and step that failed. */
export async function openConnection(target: ResolvedSshEndpoint, proxy: ResolvedSshEndpoint | undefined, timings: ConnectionTimings): Promise<SshConnection> {
    if (proxy === undefined) {
        const client = await authenticate(target, await tcpConnect(target, timings.connectTimeoutMs), timings, "");
        return new SshConnection(client, undefined, target);
    }
    const role = ` (jump host to ${target.displayName})`;
    const jump = await authenticate(proxy, await tcpConnect(proxy, timings.connectTimeoutMs, role), timings, role);
    try {
        const tunnel = await forward(jump, proxy, target, timings.connectTimeoutMs);
        const client = await authenticate(target, tunnel, timings, ` (through jump host ${proxy.displayName})`);
        return new SshConnection(client, jump, target);
    } catch (error) {
        jump.end();
        throw error;
    }
}

function tcpConnect(endpoint: ResolvedSshEndpoint, timeoutMs: number, role = ""): Promise<net.Socket> {
    const name = endpoint.displayName + role;
    return new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ host: endpoint.host, port: endpoint.port });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new SshError(name, "connect", "timeout", `timed out after ${timeoutMs} ms (TCP connection)`));
        }, timeoutMs);
        socket.once("connect", () => {
            clearTimeout(timer);
            socket.removeAllListeners("error");
            resolve(socket);
        });
        socket.once("error", (error: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            reject(connectError(name, error));
        });
    });
}

function connectError(name: string, error: NodeJS.ErrnoException): SshError {
    switch (error.code) {
        case "ECONNREFUSED":
            return new SshError(name, "connect", "connection-refused", "failed: connection refused (is sshd running and listening on this port?)");
        case "ENOTFOUND":
        case "EAI_AGAIN":
            return new SshError(name, "connect", "host-not-found", `failed: host name not found (${error.code})`);
        default:
            return new SshError(name, "connect", "network", `failed: ${error.code ?? error.message}`);
    }
}

/** A direct-tcpip channel from the jump host to the target, used as the target connection's socket. */
function forward(jump: Client, proxy: ResolvedSshEndpoint, target: ResolvedSshEndpoint, timeoutMs: number): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
        const timer = setTimeout(
            () => reject(new SshError(proxy.displayName, "jump", "timeout", `timed out after ${timeoutMs} ms opening a tunnel to ${target.displayName}`)),
            timeoutMs,
        );
        jump.forwardOut("127.0.0.1", 0, target.host, target.port, (error, channel) => {
            clearTimeout(timer);
            if (error) {
                reject(
                    new SshError(
                        proxy.displayName,
                        "jump",
                        "channel",
                        `failed: the jump host could not open a tunnel to ${target.displayName}: ${error.message} (is AllowTcpForwarding on, and ${target.displayName} reachable from it?)`,
                    ),
                );
            } else {
                resolve(channel);
            }
        });
    });
}

/** Key exchange, host key check and authentication on a connected socket. */
function authenticate(endpoint: ResolvedSshEndpoint, sock: Duplex, timings: ConnectionTimings, role: string): Promise<Client> {
    const name = endpoint.displayName + role;
    const credentials = endpoint.credentials;
    const methods = [credentials.privateKey !== undefined ? "private key" : "", credentials.password !== undefined ? "password" : "", endpoint.agent ? "agent" : ""]
        .filter((method) => method !== "")
        .join(", ");
    if (credentials.privateKey !== undefined) {
        const parsed = utils.parseKey(credentials.privateKey, credentials.passphrase);
        if (parsed instanceof Error) {
            sock.destroy();
            const reason = [credentials.passphrase, credentials.privateKey].some((secret) => secret !== undefined && secret !== "" && parsed.message.includes(secret))
                ? "it does not parse"
                : parsed.message;
            return Promise.reject(new SshError(name, "authentication", "authentication", `failed: the private key cannot be used: ${reason}; nothing was sent`));
        }
    }
    const agentSocket = process.env.SSH_AUTH_SOCK;
    if (endpoint.agent && (agentSocket === undefined || agentSocket === "")) {
        sock.destroy();
        return Promise.reject(new SshError(name, "authentication", "authentication", "failed: agent: true, but SSH_AUTH_SOCK is not set in the provider's environment"));
    }
    return new Promise<Client>((resolve, reject) => {
        const client = new Client();
        let step: SshStep = "handshake";
        let refusal: SshError | undefined;
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
        const fail = (error: SshError) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            client.end();
            sock.destroy();
            reject(error);
        };
        timer = setTimeout(() => fail(new SshError(name, step, "timeout", `timed out after ${timings.handshakeTimeoutMs} ms`)), timings.handshakeTimeoutMs);
        const hostVerifier = (key: Buffer): boolean => {
            const offered = hostKeyFingerprint(key);
            if (endpoint.hostKey === undefined) {
                refusal = new SshError(
                    name,
                    "host key",
                    "host-key-unknown",
                    `refused: no hostKey is pinned and the server offered ${offered}. Check that fingerprint out of band ` +
                        `(on the server: ssh-keygen -lf C:\\ProgramData\\ssh\\ssh_host_ed25519_key.pub) and set hostKey to it; no credential was sent`,
                );
                return false;
            }
            if (!sameFingerprint(offered, endpoint.hostKey)) {
                refusal = new SshError(
                    name,
                    "host key",
                    "host-key-mismatch",
                    `refused: the server's host key is ${offered}, not the pinned ${endpoint.hostKey}: the server was re-keyed or reinstalled, ` +
                        `or something is in between; no credential was sent`,
                );
                return false;
            }
            return true;
        };
        client.on("handshake", () => {
            step = "authentication";
        });
        client.once("ready", () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            client.removeAllListeners("error");
            client.removeAllListeners("close");
            resolve(client);
        });
        client.on("error", (error: Error & { level?: string }) => {
            if (refusal !== undefined) return fail(refusal);
            if (error.level === "client-authentication") {
                return fail(
                    new SshError(
                        name,
                        "authentication",
                        "authentication",
                        `failed for user "${endpoint.username}" with ${methods || "no method"}: the server refused (wrong key, password or passphrase, or the user may not log in)`,
                    ),
                );
            }
            if (error.level === "client-timeout") return fail(new SshError(name, step, "timeout", `timed out after ${timings.handshakeTimeoutMs} ms`));
            fail(new SshError(name, step, "connection-lost", `failed: ${describeLoss(error)}`));
        });
        client.on("close", () => fail(refusal ?? new SshError(name, step, "connection-lost", "failed: the server closed the connection")));
        const config: ConnectConfig = {
            sock,
            host: endpoint.host,
            port: endpoint.port,
            username: endpoint.username,
            privateKey: credentials.privateKey,
            passphrase: credentials.passphrase,
            password: credentials.password,
            agent: endpoint.agent ? agentSocket : undefined,
            tryKeyboard: false,
            hostVerifier,
            // Our own timer names the step; ssh2's is only a backstop.
            readyTimeout: timings.handshakeTimeoutMs + 1000,
            keepaliveInterval: timings.keepaliveIntervalMs,
            keepaliveCountMax: timings.keepaliveCountMax,
        };
        try {
            client.connect(config);
        } catch (error) {
            fail(new SshError(name, "handshake", "invalid-options", `failed: ${(error as Error).message}`));
        }
    });
}

/** What an ssh2 or socket error means, without anything secret (ssh2's messages carry none). */
function describeLoss(error: Error & { code?: unknown; level?: string }): string {
    if (error.level === "client-timeout") return `the server stopped answering (${error.message})`;
    if (typeof error.code === "string") return `${error.code}: ${error.message}`;
    return error.message;
}
