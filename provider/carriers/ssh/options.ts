import { inspect } from "util";

/**
 * How to reach one SSH server (and, optionally, the jump host in front of it) and how long to
 * wait. Field names are the "ssh" target's (provider/targets/ssh.ts), which checks what a user
 * may ask for before a runner is made.
 */

/** One SSH server and the credentials for it. */
export interface SshEndpoint {
    readonly host: string;
    /** The target's declaration (provider/targets/ssh.ts) gives the default. */
    readonly port: number;
    readonly username: string;
    /** PEM or OpenSSH private key. */
    readonly privateKey?: string;
    /** For an encrypted privateKey. */
    readonly passphrase?: string;
    readonly password?: string;
    /** Use the SSH agent at $SSH_AUTH_SOCK. */
    readonly agent?: boolean;
    /** The pinned host key fingerprint ("SHA256:..."). Without one, the connection is refused and the message names the key the server offered. */
    readonly hostKey?: string;
}

export interface SshConnectionOptions extends SshEndpoint {
    /** A jump host: the connection to `host` is tunnelled through it (direct-tcpip, as `ssh -J`). */
    readonly proxy?: SshEndpoint;
    /** TCP connection to each server, in seconds (the target's field). Default 10 s. */
    readonly connectTimeoutSeconds?: number;
    /** The same in milliseconds, for tests that need less than a second; connectTimeoutSeconds wins. */
    readonly connectTimeoutMs?: number;
    /** Key exchange and authentication on each server, in seconds. Default 30 s. */
    readonly handshakeTimeoutSeconds?: number;
    /** Keepalive requests on an idle connection. Default 10 000 ms. */
    readonly keepaliveIntervalMs?: number;
    /** Unanswered keepalives before the connection counts as dead. Default 3. */
    readonly keepaliveCountMax?: number;
    /** Overall deadline of one command (RunOptions.timeoutMs overrides it). Default 120 000 ms. */
    readonly commandTimeoutMs?: number;
    /** Commands at once on the connection (OpenSSH's MaxSessions is 10). Default 4. */
    readonly maxConcurrentCommands?: number;
    /**
     * Ask for a pseudo-terminal (a console) for each command. Default false. A terminal never
     * passes end-of-file on, so commands that send stdin (scripts too long for the command line,
     * such as any real file's writeFile) are refused under it.
     */
    readonly requestPty?: boolean;
}

export const SSH_DEFAULTS = {
    connectTimeoutMs: 10_000,
    handshakeTimeoutMs: 30_000,
    keepaliveIntervalMs: 10_000,
    keepaliveCountMax: 3,
    commandTimeoutMs: 120_000,
    maxConcurrentCommands: 4,
} as const;

/** Credentials, hidden from util.inspect and JSON so a logged runner shows no secret. */
export class SshCredentials {
    readonly privateKey: string | undefined;
    readonly passphrase: string | undefined;
    readonly password: string | undefined;

    constructor(endpoint: SshEndpoint) {
        this.privateKey = endpoint.privateKey;
        this.passphrase = endpoint.passphrase;
        this.password = endpoint.password;
        Object.defineProperty(this, inspect.custom, { value: () => "SshCredentials [redacted]", enumerable: false });
    }

    toJSON(): string {
        return "[redacted]";
    }
}

/** An endpoint with defaults applied and its secrets put away. */
export interface ResolvedSshEndpoint {
    readonly host: string;
    readonly port: number;
    /** "host:port", the name every message uses. */
    readonly displayName: string;
    readonly username: string;
    readonly agent: boolean;
    readonly hostKey: string | undefined;
    readonly credentials: SshCredentials;
}

export function resolveEndpoint(endpoint: SshEndpoint): ResolvedSshEndpoint {
    const host = endpoint.host.trim();
    const port = endpoint.port;
    return {
        host,
        port,
        displayName: `${host.includes(":") ? `[${host}]` : host}:${port}`,
        username: endpoint.username,
        agent: endpoint.agent === true,
        hostKey: endpoint.hostKey,
        credentials: new SshCredentials(endpoint),
    };
}
