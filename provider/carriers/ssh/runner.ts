import type { ClientChannel } from "ssh2";
import { inspect } from "util";
import type { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "../commandRunner";
import { SshError } from "./errors";
import { openConnection, SshConnection } from "./connection";
import { resolveEndpoint, SSH_DEFAULTS, type ResolvedSshEndpoint, type SshConnectionOptions } from "./options";

/**
 * Runs commands on a server over SSH: one connection, opened on first use and reused for every
 * command (each command is its own channel), with keepalives; reopened on the next command when
 * it was lost.
 *
 * The command line is the command and its arguments joined with spaces, exactly what WinRS hands
 * cmd.exe: Windows OpenSSH runs it through cmd.exe /c (unless DefaultShell names another shell).
 * stdin is written and closed, or closed at once when the command takes none: Windows OpenSSH
 * servers otherwise leave the process waiting for input (Win32-OpenSSH #780).
 */

/** The runner's own settings, defaults applied. */
type RunnerSettings = Required<Pick<SshConnectionOptions, "connectTimeoutMs" | "keepaliveIntervalMs" | "keepaliveCountMax" | "commandTimeoutMs" | "maxConcurrentCommands" | "requestPty">> & { handshakeTimeoutMs: number };

export class SshCommandRunner implements CommandRunner {
    readonly host: string;
    private readonly target: ResolvedSshEndpoint;
    private readonly proxy: ResolvedSshEndpoint | undefined;
    private readonly options: RunnerSettings;
    private connection: Promise<SshConnection> | undefined;
    private running = 0;
    private readonly waiting: Array<() => void> = [];
    private closed = false;

    constructor(options: SshConnectionOptions) {
        this.target = resolveEndpoint(options);
        this.proxy = options.proxy === undefined ? undefined : resolveEndpoint(options.proxy);
        this.host = this.target.displayName;
        this.options = {
            connectTimeoutMs: options.connectTimeoutSeconds !== undefined ? options.connectTimeoutSeconds * 1000 : options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs,
            handshakeTimeoutMs: options.handshakeTimeoutSeconds !== undefined ? options.handshakeTimeoutSeconds * 1000 : SSH_DEFAULTS.handshakeTimeoutMs,
            keepaliveIntervalMs: options.keepaliveIntervalMs ?? SSH_DEFAULTS.keepaliveIntervalMs,
            keepaliveCountMax: options.keepaliveCountMax ?? SSH_DEFAULTS.keepaliveCountMax,
            commandTimeoutMs: options.commandTimeoutMs ?? SSH_DEFAULTS.commandTimeoutMs,
            maxConcurrentCommands: options.maxConcurrentCommands ?? SSH_DEFAULTS.maxConcurrentCommands,
            requestPty: options.requestPty ?? false,
        };
        Object.defineProperty(this, inspect.custom, { value: () => `SshCommandRunner(${this.host})`, enumerable: false });
    }

    async run(command: RemoteCommand, options: RunOptions = {}): Promise<CommandOutput> {
        const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
        const operation = options.step ?? `run ${command.command}`;
        await this.slot();
        try {
            if (this.closed) throw new SshError(this.host, "command", "closed", "failed: the SSH runner was closed");
            const connection = await this.connect(timeoutMs);
            return await this.exec(connection, command, timeoutMs, operation);
        } finally {
            this.release();
        }
    }

    async close(): Promise<void> {
        this.closed = true;
        const connection = this.connection;
        this.connection = undefined;
        if (connection !== undefined) (await connection.catch(() => undefined))?.close();
    }

    toJSON(): string {
        return `SshCommandRunner(${this.host})`;
    }

    /**
     * The live connection, opened (again) when there is none. A failed open is not kept. A new
     * connection's connect and handshake waits are cut to `deadlineMs`, the deadline of the command
     * that opens it, so a server that never answers is named at the step it hangs in.
     */
    private connect(deadlineMs: number): Promise<SshConnection> {
        const current = this.connection;
        if (current !== undefined) {
            return current.then((connection) => (connection.alive ? connection : this.reopen(deadlineMs)));
        }
        return this.reopen(deadlineMs);
    }

    private reopen(deadlineMs: number): Promise<SshConnection> {
        const timings = {
            ...this.options,
            connectTimeoutMs: Math.min(this.options.connectTimeoutMs, deadlineMs),
            handshakeTimeoutMs: Math.min(this.options.handshakeTimeoutMs, deadlineMs),
        };
        const opening = openConnection(this.target, this.proxy, timings);
        this.connection = opening;
        opening.catch(() => {
            if (this.connection === opening) this.connection = undefined;
        });
        return opening;
    }

    private exec(connection: SshConnection, command: RemoteCommand, timeoutMs: number, operation: string): Promise<CommandOutput> {
        const commandLine = [command.command, ...command.arguments].join(" ");
        if (this.options.requestPty && command.stdin !== undefined) {
            // A terminal never passes end-of-file on: sshd cannot close a pty's input without
            // closing its output, so the command would wait for the rest of its input until the
            // deadline. Refused at once instead, before anything runs.
            return Promise.reject(
                new SshError(this.host, "command", "invalid-options", `refused "${operation}": it sends ${command.stdin.length} bytes on stdin, which cannot be ended under a pseudo-terminal (requestPty); run it without requestPty`),
            );
        }
        return new Promise<CommandOutput>((resolve, reject) => {
            const stdout: Buffer[] = [];
            const stderr: Buffer[] = [];
            let exitCode: number | undefined;
            let exitSignal: string | undefined;
            let settled = false;
            let timer: NodeJS.Timeout | undefined;
            let stopWatching: () => void = () => undefined;
            const finish = (outcome: { output: CommandOutput } | { error: SshError }) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                stopWatching();
                if ("output" in outcome) resolve(outcome.output);
                else reject(outcome.error);
            };
            timer = setTimeout(() => {
                // A server that stops answering mid-command: drop the connection, the next command opens a new one.
                connection.close();
                finish({ error: new SshError(this.host, "command", "timeout", `timed out after ${timeoutMs} ms (the deadline of "${operation}"); the connection was closed`) });
            }, timeoutMs);
            stopWatching = connection.onLost((why) =>
                finish({
                    error: new SshError(this.host, "command", "connection-lost", `failed: ${why} before "${operation}" finished (it may or may not have run to its end)`),
                }),
            );
            const started = (error: Error | undefined, channel: ClientChannel) => {
                if (error) {
                    finish({ error: new SshError(this.host, "command", "channel", `failed: the server would not start "${operation}": ${error.message}`) });
                    return;
                }
                if (settled) {
                    channel.close();
                    return;
                }
                channel.on("data", (chunk: Buffer) => stdout.push(chunk));
                channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
                channel.on("exit", (code: number | null, signal?: string) => {
                    if (typeof code === "number") exitCode = code;
                    if (typeof signal === "string") exitSignal = signal;
                });
                channel.on("close", () => {
                    if (exitCode !== undefined) {
                        finish({ output: { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode } });
                    } else {
                        finish({
                            error: new SshError(
                                this.host,
                                "command",
                                "connection-lost",
                                `failed: "${operation}" ended without an exit status${exitSignal === undefined ? "" : ` (signal ${exitSignal})`}`,
                            ),
                        });
                    }
                });
                // stdin: the bytes and end-of-file, or end-of-file at once.
                if (command.stdin !== undefined) channel.end(command.stdin);
                else channel.end();
            };
            try {
                if (this.options.requestPty) connection.client.exec(commandLine, { pty: { term: "dumb", cols: 32767, rows: 24 } }, started);
                else connection.client.exec(commandLine, started);
            } catch (error) {
                finish({ error: new SshError(this.host, "command", "connection-lost", `failed: ${(error as Error).message}`) });
            }
        });
    }

    private async slot(): Promise<void> {
        if (this.running < this.options.maxConcurrentCommands) {
            this.running++;
            return;
        }
        await new Promise<void>((resolve) => this.waiting.push(resolve));
    }

    private release(): void {
        const next = this.waiting.shift();
        if (next !== undefined) next();
        else this.running--;
    }
}
