import { createHmac, randomBytes } from "crypto";
import { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "./commandRunner";
import { resolveWinrmOptions, WinrmConnectionOptions } from "./winrm/options";
import { WinrmCommandRunner } from "./winrm/shell";

/**
 * Runners shared by every operation on the same host within one provider process, so a
 * `pulumi up` pays for one connection, one NTLM handshake and one shell per host rather than one
 * per resource operation.
 *
 * The provider's code is serialised into Pulumi state by closure serialisation, so this module
 * keeps nothing itself: the pool lives on `globalThis` under a registered symbol, created on
 * first use in the running process, and nothing reachable from the provider object holds a
 * connection. Runners are closed (shells deleted) when the process is about to exit, best effort:
 * a killed process leaves its shell to the server's IdleTimeOut.
 */

const POOL_SYMBOL_NAME = "pulumi-iis-asp-session/connections";

/** How long the exit hooks wait for shells to be deleted. */
const EXIT_CLOSE_LIMIT_MS = 3000;

interface PoolEntry {
    /** The identity part of the key: host, port, scheme, auth, user (no secret). */
    readonly identity: string;
    readonly runner: WinrmCommandRunner;
}

interface Pool {
    readonly entries: Record<string, PoolEntry>;
    /** Random per process: keys hash the credentials with it, so a key reveals nothing about them. */
    readonly keySalt: Buffer;
    hooksInstalled: boolean;
}

function pool(): Pool {
    const holder = globalThis as unknown as Record<symbol, Pool | undefined>;
    const symbol = Symbol.for(POOL_SYMBOL_NAME);
    const existing = holder[symbol];
    if (existing !== undefined) return existing;
    const created: Pool = { entries: {}, keySalt: randomBytes(32), hooksInstalled: false };
    holder[symbol] = created;
    return created;
}

/**
 * The pool key of a set of options: host, port, scheme, auth and user in clear, then a keyed hash
 * of everything else (password, client key and certificate, TLS and timeout settings), so a
 * changed password or CA gets a new runner and the key never contains a secret.
 */
export function winrmPoolKey(options: WinrmConnectionOptions): { key: string; identity: string } {
    const resolved = resolveWinrmOptions(options);
    const identity = JSON.stringify([
        resolved.host.toLowerCase(),
        resolved.port,
        resolved.https ? "https" : "http",
        resolved.auth,
        (resolved.username ?? "").toLowerCase(),
    ]);
    const settings = JSON.stringify([
        resolved.path,
        resolved.username ?? "",
        resolved.secrets.password ?? "",
        resolved.secrets.clientKey ?? "",
        resolved.clientCertificate ?? "",
        resolved.caCertificate ?? "",
        resolved.insecureSkipVerify,
        resolved.connectTimeoutMs,
        resolved.operationTimeoutSeconds,
        resolved.readTimeoutMs,
        resolved.commandTimeoutMs,
        resolved.shellIdleTimeoutSeconds,
        resolved.maxEnvelopeSize,
        resolved.skipCmdShell,
        resolved.connectionReuseLimitMs,
        resolved.workstation,
    ]);
    const digest = createHmac("sha256", pool().keySalt).update(settings).digest("hex").slice(0, 32);
    return { key: `${identity}#${digest}`, identity };
}

/**
 * The shared runner for these options, created on first use. Its close() only hands it back to
 * the pool (the connection and shell stay open for the next operation); the pool closes runners
 * when the process exits, or on closePooledRunners(). Throws WinrmError for invalid options.
 */
export function acquireWinrmRunner(options: WinrmConnectionOptions): CommandRunner {
    const state = pool();
    const { key, identity } = winrmPoolKey(options);
    let entry = state.entries[key];
    if (entry === undefined) {
        // Same host and user with other credentials or settings: the old session is stale.
        for (const [otherKey, other] of Object.entries(state.entries)) {
            if (other.identity === identity) {
                delete state.entries[otherKey];
                other.runner.close().catch(() => undefined);
            }
        }
        entry = { identity, runner: new WinrmCommandRunner(options) };
        state.entries[key] = entry;
        installExitHooks(state);
    }
    return new PooledRunner(entry.runner);
}

/** Closes every pooled runner (deleting its shell) and empties the pool. */
export async function closePooledRunners(): Promise<void> {
    const state = pool();
    const runners = Object.values(state.entries).map((entry) => entry.runner);
    for (const key of Object.keys(state.entries)) delete state.entries[key];
    await Promise.all(runners.map((runner) => runner.close().catch(() => undefined)));
}

/** How many runners the pool holds (for tests and diagnostics). */
export function pooledRunnerCount(): number {
    return Object.keys(pool().entries).length;
}

/** A caller's view of a pooled runner: close() releases it instead of closing it. */
class PooledRunner implements CommandRunner {
    readonly host: string;
    private readonly runner: WinrmCommandRunner;
    private released = false;

    constructor(runner: WinrmCommandRunner) {
        this.runner = runner;
        this.host = runner.host;
    }

    run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput> {
        if (this.released) return Promise.reject(new Error(`${this.host}: this pooled WinRM runner was released; acquire it again`));
        return this.runner.run(command, options);
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
        if (pooledRunnerCount() > 0) void closeWithin(EXIT_CLOSE_LIMIT_MS);
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
