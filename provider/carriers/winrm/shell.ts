import { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "../commandRunner";
import { WinrmError, WinrmStep } from "./errors";
import { WinrmHttpTransport } from "./http";
import { ResolvedWinrmOptions, WinrmConnectionOptions, resolveWinrmOptions } from "./options";
import {
    BuiltRequest,
    FAULT_CODE,
    ReadContext,
    RequestContext,
    WsmanFault,
    WsmanProtocolError,
    buildCommand,
    buildCreateShell,
    buildDeleteShell,
    buildReceive,
    buildSend,
    buildSignal,
    isOperationTimeout,
    newMessageId,
    readCommandResponse,
    readCreateResponse,
    readDeleteResponse,
    readReceiveResponse,
    readSendResponse,
    readSignalResponse,
    sendChunkCapacity,
} from "./wsman";

/**
 * Runs commands on a Windows server over WinRM: one cmd shell, created on first use and reused
 * for every command, on one connection (http.ts).
 *
 * Requests per run() on a warm connection with a live shell: Command, [Send per stdin chunk],
 * Receive (again after each w:TimedOut), then Signal terminate. The Signal, which MS-WSMV
 * 3.1.4.14 requires once the output is read, is sent after run() has resolved: it changes nothing
 * the caller waits for, so the critical path is Command, [Send], Receive. The next request on
 * the connection queues behind it, and close() waits for it.
 */

/** A shell fault that means "no such shell": it idled out or was deleted. */
function isShellGone(error: unknown): boolean {
    return error instanceof WsmanFault && error.code === FAULT_CODE.invalidSelectors;
}

/** When a run must be over, and what to call it in the message when it is not. */
interface Deadline {
    readonly at: number;
    readonly timeoutMs: number;
    readonly operation: string;
}

/** The largest Signal/Delete wait during cleanup: the server answers them at once when it answers at all. */
const CLEANUP_TIMEOUT_MS = 5000;

export class WinrmCommandRunner implements CommandRunner {
    readonly host: string;
    private readonly options: ResolvedWinrmOptions;
    private readonly transport: WinrmHttpTransport;
    private shellId: string | undefined;
    /** Tail of the run queue: commands run one at a time on the one connection. */
    private queue: Promise<unknown> = Promise.resolve();
    /** The deferred Signal of the last command, if still in flight. */
    private pendingSignal: Promise<void> = Promise.resolve();
    /** The step of the latest request, named when a run's deadline passes. */
    private lastStep: WinrmStep = "connect";

    constructor(options: WinrmConnectionOptions | ResolvedWinrmOptions) {
        this.options = "displayName" in options ? options : resolveWinrmOptions(options);
        this.host = this.options.displayName;
        this.transport = new WinrmHttpTransport(this.options);
    }

    run(command: RemoteCommand, options: RunOptions = {}): Promise<CommandOutput> {
        const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
        const result = this.queue.then(() =>
            this.runNow(command, { at: Date.now() + timeoutMs, timeoutMs, operation: options.step ?? `run ${command.command}` }),
        );
        this.queue = result.catch(() => undefined);
        return result;
    }

    /**
     * Deletes the shell (a shell the server no longer has is fine) and closes the connection.
     * Throws only when the Delete failed for another reason; the connection is closed regardless.
     */
    async close(): Promise<void> {
        const done = this.queue.then(async () => {
            await this.pendingSignal;
            const shellId = this.shellId;
            this.shellId = undefined;
            try {
                if (shellId !== undefined) {
                    await this.request("Delete shell", (context) => buildDeleteShell(context, shellId), readDeleteResponse, CLEANUP_TIMEOUT_MS).catch(
                        (error: unknown) => {
                            if (!isShellGone(error)) throw error;
                        },
                    );
                }
            } finally {
                this.transport.close();
            }
        });
        this.queue = done.catch(() => undefined);
        return done;
    }

    private async runNow(command: RemoteCommand, deadline: Deadline): Promise<CommandOutput> {
        let started: { shellId: string; commandId: string } | undefined;
        try {
            started = await this.startCommand(command, deadline);
            const { shellId, commandId } = started;
            if (command.stdin !== undefined) await this.sendStdin(shellId, commandId, command.stdin, deadline);
            const output = await this.receiveOutput(shellId, commandId, deadline);
            this.pendingSignal = this.signalTerminate(shellId, commandId);
            return output;
        } catch (error) {
            const failure = Date.now() >= deadline.at ? this.deadlineError(deadline, error) : error;
            if (started !== undefined) await this.signalTerminate(started.shellId, started.commandId);
            throw failure;
        }
    }

    /** Command in the current shell; when the server no longer has it, in a new shell (once). */
    private async startCommand(command: RemoteCommand, deadline: Deadline): Promise<{ shellId: string; commandId: string }> {
        for (let attempt = 0; ; attempt++) {
            const shellId = this.shellId ?? (await this.createShell(deadline));
            try {
                const { commandId } = await this.request(
                    "Command",
                    (context) =>
                        buildCommand(context, shellId, {
                            command: command.command,
                            arguments: command.arguments,
                            // With console-mode stdin the process reads a console, which never
                            // reports the end of what was sent (Ansible and pywinrm turn it off
                            // whenever they send stdin, for this reason).
                            consoleModeStdin: command.stdin === undefined,
                            skipCmdShell: this.options.skipCmdShell,
                        }),
                    readCommandResponse,
                    this.timeoutWithin(deadline),
                );
                return { shellId, commandId };
            } catch (error) {
                // The command did not start, so starting it in a new shell cannot run it twice.
                if (!isShellGone(error) || attempt > 0) throw error;
                this.shellId = undefined;
            }
        }
    }

    private async createShell(deadline: Deadline): Promise<string> {
        const { shellId } = await this.request(
            "Create shell",
            (context) => buildCreateShell(context, { noProfile: true, idleTimeoutSeconds: this.options.shellIdleTimeoutSeconds }),
            readCreateResponse,
            this.timeoutWithin(deadline),
        );
        this.shellId = shellId;
        return shellId;
    }

    /** stdin in chunks that fit the server's envelope, End on the last (an empty stdin is one empty End). */
    private async sendStdin(shellId: string, commandId: string, stdin: Buffer, deadline: Deadline): Promise<void> {
        const capacity = sendChunkCapacity(this.context(), shellId, commandId, this.options.maxEnvelopeSize);
        if (capacity <= 0) {
            throw new WinrmError(this.host, "Send", "invalid-options", `failed: maxEnvelopeSize ${this.options.maxEnvelopeSize} leaves no room for stdin`);
        }
        let offset = 0;
        do {
            const data = stdin.subarray(offset, offset + capacity);
            offset += data.length;
            const end = offset >= stdin.length;
            await this.request("Send", (context) => buildSend(context, shellId, { commandId, data, end }), readSendResponse, this.timeoutWithin(deadline));
        } while (offset < stdin.length);
    }

    /** Receive until the command is Done; w:TimedOut only means "no output yet". */
    private async receiveOutput(shellId: string, commandId: string, deadline: Deadline): Promise<CommandOutput> {
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        for (;;) {
            let received;
            try {
                received = await this.request(
                    "Receive",
                    (context) => buildReceive(context, shellId, { commandId }),
                    (xml, context) => readReceiveResponse(xml, { ...context, commandId }),
                    this.timeoutWithin(deadline),
                );
            } catch (error) {
                if (isOperationTimeout(error)) continue;
                throw error;
            }
            stdout.push(...received.streams.stdout);
            stderr.push(...received.streams.stderr);
            if (received.done) {
                if (received.exitCode === undefined) {
                    throw new WsmanProtocolError({ host: this.host, step: "Receive" }, "the command is Done but the response has no ExitCode");
                }
                return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: received.exitCode };
            }
        }
    }

    /** Best effort: a failed Signal changes nothing for the caller (the shell's IdleTimeOut reaps what is left). */
    private async signalTerminate(shellId: string, commandId: string): Promise<void> {
        try {
            await this.request("Signal", (context) => buildSignal(context, shellId, { commandId, signal: "terminate" }), readSignalResponse, CLEANUP_TIMEOUT_MS);
        } catch {
            // Ignored on purpose, see above.
        }
    }

    /** Posts one request and reads its answer; `read` throws WsmanFault / WsmanProtocolError. */
    private async request<T>(
        step: WinrmStep,
        build: (context: RequestContext) => BuiltRequest,
        read: (xml: string, context: ReadContext) => T,
        timeoutMs: number,
    ): Promise<T> {
        this.lastStep = step;
        const built = build(this.context());
        const xml = await this.transport.post(built.xml, step, { timeoutMs });
        return read(xml, { host: this.host, requestMessageId: built.messageId });
    }

    private context(): RequestContext {
        return {
            endpoint: this.options.endpoint,
            messageId: newMessageId(),
            operationTimeoutSeconds: this.options.operationTimeoutSeconds,
            maxEnvelopeSize: this.options.maxEnvelopeSize,
        };
    }

    /** The response wait for the next request: readTimeoutMs, cut short by the run's deadline. */
    private timeoutWithin(deadline: Deadline): number {
        const remaining = deadline.at - Date.now();
        if (remaining <= 0) throw this.deadlineError(deadline);
        return Math.min(this.options.readTimeoutMs, remaining);
    }

    /** The run's deadline passed: named at the step that was waiting (the one `cause` failed at, when it timed out), not the last one begun. */
    private deadlineError(deadline: Deadline, cause?: unknown): WinrmError {
        return new WinrmError(
            this.host,
            cause instanceof WinrmError && cause.problem === "timeout" ? cause.step : this.lastStep,
            "timeout",
            `timed out after ${deadline.timeoutMs} ms (the deadline of "${deadline.operation}")`,
        );
    }
}

