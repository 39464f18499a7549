import { createHmac, randomBytes } from "crypto";
import { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "./commandRunner";

/**
 * Runners shared by every operation on the same host within one provider process, so a
 * `pulumi up` pays for one connection (and, over WinRM, one NTLM handshake and one shell; over
 * SSH, one key exchange and authentication) per host rather than one per resource operation.
 *
 * Keyed by a target's connection identity (the fields its declaration marks `connection`, host
 * names in lower case), so one pool serves every kind and every spelling of a server's name: the
 * key names the kind, host and port in clear and a keyed hash of the rest, credentials included,
 * so a changed password gets a new runner and the key never contains a secret.
 *
 * Runners are closed when the process is about to exit, best effort: a killed process leaves a
 * WinRM shell to the server's IdleTimeOut and an SSH connection to TCP.
 */

/** How long the exit hooks wait for shells to be deleted. */
const EXIT_CLOSE_LIMIT_MS = 3000;

interface PoolEntry {
    /** The clear part of the key: kind, host and port (no secret). */
    readonly endpoint: string;
    readonly runner: CommandRunner;
    /** Commands running on it now: a runner is closed only when none is. */
    inFlight: number;
    /** Replaced (other settings for the same endpoint) while busy: closed when the last command ends. */
    retired: boolean;
}

interface Pool {
    readonly entries: Record<string, PoolEntry>;
    /** Random per process: keys hash the credentials with it, so a key reveals nothing about them. */
    readonly keySalt: Buffer;
    hooksInstalled: boolean;
}

const POOL: Pool = { entries: {}, keySalt: randomBytes(32), hooksInstalled: false };

function pool(): Pool {
    return POOL;
}

/**
 * A target's connection identity (declaration.ts, connectionIdentity): host and port at least, the
 * rest kind-specific, each field in the form in which equal values reach the server the same way.
 */
export type ConnectionSettings = Readonly<Record<string, unknown>> & { readonly host: string; readonly port?: number };

/**
 * The pool key of a kind's connection settings: kind, host (lower case) and port in clear, then a
 * keyed hash of all the settings, so equal settings share a runner and the key reveals no secret.
 */
export function poolKey(kind: string, settings: ConnectionSettings): { key: string; endpoint: string } {
    const endpoint = JSON.stringify([kind, settings.host, settings.port ?? null]);
    const digest = createHmac("sha256", pool().keySalt).update(JSON.stringify(sortKeys(settings))).digest("hex").slice(0, 32);
    return { key: `${endpoint}#${digest}`, endpoint };
}

function sortKeys(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

/**
 * The shared runner for these settings, made by `create` on first use. Its close() only releases
 * the caller's handle (the connection stays open for the next operation); the pool closes runners
 * when the process exits, or on closePooledRunners(). `create` may throw for unusable settings.
 */
export function acquireRunner(kind: string, settings: ConnectionSettings, create: () => CommandRunner): CommandRunner {
    const { key, endpoint } = poolKey(kind, settings);
    return new PooledRunner(() => entryFor(key, endpoint, create));
}

/** The live entry for `key`, made now if there is none. */
function entryFor(key: string, endpoint: string, create: () => CommandRunner): PoolEntry {
    const state = pool();
    const existing = state.entries[key];
    if (existing !== undefined) return existing;
    // The same server with other settings (a rotated password): the old connection is stale. It
    // is closed now if idle, else when its last command ends; never under a running command.
    for (const [otherKey, other] of Object.entries(state.entries)) {
        if (other.endpoint !== endpoint) continue;
        delete state.entries[otherKey];
        other.retired = true;
        if (other.inFlight === 0) other.runner.close().catch(() => undefined);
    }
    const entry: PoolEntry = { endpoint, runner: create(), inFlight: 0, retired: false };
    state.entries[key] = entry;
    installExitHooks(state);
    return entry;
}

/** Closes every pooled runner (deleting its shell) and empties the pool. */
export async function closePooledRunners(): Promise<void> {
    const state = pool();
    const runners = Object.values(state.entries).map((entry) => entry.runner);
    for (const key of Object.keys(state.entries)) delete state.entries[key];
    await Promise.all(runners.map((runner) => runner.close().catch(() => undefined)));
}

/**
 * A caller's view of a pooled runner: each run() uses the pool's current runner for the settings
 * (made again if it was retired and closed since), counted while it runs; close() releases the
 * handle instead of closing the connection.
 */
class PooledRunner implements CommandRunner {
    readonly host: string;
    private released = false;

    constructor(private readonly current: () => PoolEntry) {
        this.host = current().runner.host;
    }

    async run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput> {
        if (this.released) throw new Error(`${this.host}: this pooled runner was released; acquire it again`);
        const entry = this.current();
        entry.inFlight++;
        try {
            return await entry.runner.run(command, options);
        } finally {
            entry.inFlight--;
            if (entry.retired && entry.inFlight === 0) entry.runner.close().catch(() => undefined);
        }
    }

    async close(): Promise<void> {
        this.released = true;
    }
}

/**
 * Once per process: close pooled runners before a normal exit (beforeExit fires when nothing is
 * left to do; idle keep-alive sockets are unref'd, so they do not hold the process open) and on
 * SIGTERM, then let SIGTERM do what it would have done.
 */
function installExitHooks(state: Pool): void {
    if (state.hooksInstalled) return;
    state.hooksInstalled = true;
    process.on("beforeExit", () => {
        // Closing empties the pool, so the beforeExit that follows these requests does nothing.
        if (Object.keys(state.entries).length > 0) void closeWithin(EXIT_CLOSE_LIMIT_MS);
    });
    const onSigterm = () => {
        void closeWithin(EXIT_CLOSE_LIMIT_MS).then(() => {
            process.removeListener("SIGTERM", onSigterm);
            // With no other handler, re-raise so the process ends as SIGTERM would have ended it.
            if (process.listenerCount("SIGTERM") === 0) process.kill(process.pid, "SIGTERM");
        });
    };
    process.on("SIGTERM", onSigterm);
}

function closeWithin(limitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limitMs);
        timer.unref();
        closePooledRunners().then(
            () => {
                clearTimeout(timer);
                resolve();
            },
            () => resolve(),
        );
    });
}
