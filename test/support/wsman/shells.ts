import { randomUUID } from "crypto";
import { newMessageId } from "../../../provider/carriers/winrm/wsman";
import { CommandRequest, CreateShellRequest, DeleteShellRequest, ReceiveRequest, SendRequest, SignalRequest, WsmanRequest } from "./requestReader";
import { ResponseAddressing, buildCommandResponse, buildCreateResponse, buildDeleteResponse, buildReceiveResponse, buildSendResponse, buildSignalResponse } from "./responseBuilder";
import { accountKey, parseUserName } from "../../../provider/carriers/winrm/ntlm/username";
import { CommandLineContext, startCommandLine } from "./commandLine";
import { FaultPlan } from "./faultInjection";
import {
    commandLineTooLong,
    invalidParameter,
    operationTimedOut,
    programNotFound,
    stdinClosed,
    tooManyShells,
    unknownCommand,
    unknownShell,
} from "./faults";
import { ProcessResult, RunningProgram } from "./options";
import { OutputCursor, nextOutputBatch } from "./receiveOutput";
import { StatsCounter } from "./stats";

/**
 * The Windows Remote Shell side of the test server: shells and their commands, as WinRS keeps
 * them. A command's process starts at Command, as on Windows; Send writes to its stdin and
 * End="true" closes it, unless the Command asked for WINRS_CONSOLEMODE_STDIN=TRUE (the default),
 * where stdin is a console that never reports its end, as on Windows. Receive waits (up to
 * OperationTimeout) for the process to exit, then hands out its output.
 */

/** What Create recorded about a shell (for tests to inspect). */
export interface ShellInfo {
    readonly shellId: string;
    /** The authenticated user, as the client named itself. */
    readonly owner: string;
    readonly codepage: number | undefined;
    readonly noProfile: boolean;
    readonly workingDirectory: string | undefined;
    readonly environment: Readonly<Record<string, string>>;
    readonly idleTimeoutSeconds: number | undefined;
    readonly inputStreams: readonly string[];
    readonly outputStreams: readonly string[];
    /** Command lines run in this shell, in order. */
    readonly commandLines: readonly string[];
}

export interface ShellHostOptions extends CommandLineContext {
    readonly maxShellsPerUser: number;
    readonly outputChunkBytes: number;
    readonly faults: FaultPlan;
    readonly stats: StatsCounter;
    readonly skipCmdShellSearchesPath: boolean;
}

/** CreateProcess's limit on a command line, in characters. */
const CREATE_PROCESS_LIMIT = 32767;

/** OperationTimeout when a request does not say (WinRM's default is 60 s). */
const DEFAULT_OPERATION_TIMEOUT_SECONDS = 60;
const DEFAULT_MAX_ENVELOPE_SIZE = 153600;

interface Shell {
    readonly info: ShellInfo;
    readonly ownerKey: string;
    readonly commandLines: string[];
    readonly commands: Map<string, ShellCommand>;
}

interface ShellCommand {
    readonly id: string;
    readonly program: RunningProgram;
    stdinEnded: boolean;
    result: ProcessResult | undefined;
    cursor: OutputCursor;
    timeoutsLeft: number;
}

export class ShellHost {
    private readonly shells = new Map<string, Shell>();

    constructor(private readonly options: ShellHostOptions) {}

    get openShellCount(): number {
        return this.shells.size;
    }

    describeShells(): ShellInfo[] {
        return [...this.shells.values()].map((shell) => ({ ...shell.info, commandLines: [...shell.commandLines] }));
    }

    /** Drops a shell as if it had idled out (the "shellGone" fault), ending its processes. */
    forgetShell(shellId: string | undefined): void {
        const shell = shellId === undefined ? undefined : this.shells.get(shellId.toUpperCase());
        if (shell === undefined) return;
        this.endShell(shell);
    }

    /** Ends every process of every shell (the server is closing). */
    closeAll(): void {
        for (const shell of [...this.shells.values()]) this.endShell(shell);
    }

    private endShell(shell: Shell): void {
        for (const command of shell.commands.values()) command.program.kill();
        this.shells.delete(shell.info.shellId);
    }

    /**
     * Answers one request from `user` (the authenticated name). Returns the response envelope;
     * throws ShellFault for a WS-Man fault.
     */
    async handle(request: WsmanRequest, user: string, endpoint: string): Promise<string> {
        const addressing: ResponseAddressing = { relatesTo: request.messageId, messageId: newMessageId() };
        switch (request.kind) {
            case "Create":
                return this.create(request, user, endpoint, addressing);
            case "Command":
                return this.command(request, user, addressing);
            case "Send":
                return this.send(request, user, addressing);
            case "Receive":
                return this.receive(request, user, addressing);
            case "Signal":
                return this.signal(request, user, addressing);
            case "Delete":
                return this.delete(request, user, addressing);
        }
    }

    private create(request: CreateShellRequest, user: string, endpoint: string, addressing: ResponseAddressing): string {
        const ownerKey = accountKey(parseUserName(user));
        const open = [...this.shells.values()].filter((shell) => shell.ownerKey === ownerKey).length;
        if (open >= this.options.maxShellsPerUser) throw tooManyShells(this.options.computerName, this.options.maxShellsPerUser);
        const shellId = randomUUID().toUpperCase();
        const codepage = request.options.WINRS_CODEPAGE;
        const commandLines: string[] = [];
        const info: ShellInfo = {
            shellId,
            owner: user,
            codepage: codepage === undefined || !/^\d+$/.test(codepage) ? undefined : Number(codepage),
            noProfile: (request.options.WINRS_NOPROFILE ?? "").toUpperCase() === "TRUE",
            workingDirectory: request.workingDirectory,
            environment: request.environment,
            idleTimeoutSeconds: request.idleTimeoutSeconds,
            inputStreams: request.inputStreams,
            outputStreams: request.outputStreams,
            commandLines,
        };
        this.shells.set(shellId, { info, ownerKey, commandLines, commands: new Map() });
        this.options.stats.shellsCreated++;
        return buildCreateResponse(addressing, { shellId, endpoint, idleTimeoutSeconds: request.idleTimeoutSeconds });
    }

    private command(request: CommandRequest, user: string, addressing: ResponseAddressing): string {
        const shell = this.shellFor(request.shellId, user);
        const commandLine = [request.command, ...request.arguments].join(" ");
        if (commandLine.trim() === "") throw invalidParameter(this.options.computerName, "empty command line");
        const viaCmd = (request.options.WINRS_SKIP_CMD_SHELL ?? "").toUpperCase() !== "TRUE";
        if (!viaCmd) {
            if (commandLine.length > CREATE_PROCESS_LIMIT) throw commandLineTooLong(this.options.computerName);
            const program = request.command.trim().replace(/^"|"$/g, "");
            const fullPath = /^[A-Za-z]:\\|^\\\\/.test(program);
            if (!fullPath && !this.options.skipCmdShellSearchesPath) throw programNotFound(this.options.computerName);
        }
        const id = randomUUID().toUpperCase();
        // WinRS's default for WINRS_CONSOLEMODE_STDIN is TRUE.
        const consoleModeStdin = (request.options.WINRS_CONSOLEMODE_STDIN ?? "TRUE").toUpperCase() !== "FALSE";
        this.options.stats.commandsRun++;
        const command: ShellCommand = {
            id,
            program: startCommandLine(commandLine, viaCmd, consoleModeStdin, this.options),
            stdinEnded: false,
            result: undefined,
            cursor: { stdout: 0, stderr: 0 },
            timeoutsLeft: this.options.faults.receiveTimeoutsBeforeOutput,
        };
        void command.program.result.then((result) => {
            command.result = result;
        });
        shell.commands.set(id, command);
        shell.commandLines.push(commandLine);
        return buildCommandResponse(addressing, id);
    }

    private send(request: SendRequest, user: string, addressing: ResponseAddressing): string {
        const shell = this.shellFor(request.shellId, user);
        for (const stream of request.streams) {
            if (stream.name !== "stdin") throw invalidParameter(this.options.computerName, `Send to stream ${JSON.stringify(stream.name)}`);
            const command = this.commandIn(shell, stream.commandId);
            if (command.stdinEnded) throw stdinClosed(this.options.computerName);
            command.program.write(stream.data);
            if (stream.end) {
                command.stdinEnded = true;
                command.program.endInput();
            }
        }
        return buildSendResponse(addressing);
    }

    private async receive(request: ReceiveRequest, user: string, addressing: ResponseAddressing): Promise<string> {
        const shell = this.shellFor(request.shellId, user);
        const command = this.commandIn(shell, request.commandId);
        if (command.timeoutsLeft > 0) {
            command.timeoutsLeft--;
            throw operationTimedOut(this.options.computerName);
        }
        const timeoutMs = (request.operationTimeoutSeconds ?? DEFAULT_OPERATION_TIMEOUT_SECONDS) * 1000;
        const finished = await withinTimeout(command.program.result, timeoutMs);
        if (!finished || command.result === undefined) throw operationTimedOut(this.options.computerName);
        const result = command.result;
        const batch = nextOutputBatch({ stdout: result.stdout, stderr: result.stderr }, command.cursor, {
            desiredStreams: request.desiredStreams,
            chunkBytes: this.options.outputChunkBytes,
            maxEnvelopeSize: request.maxEnvelopeSize ?? DEFAULT_MAX_ENVELOPE_SIZE,
        });
        command.cursor = batch.cursor;
        return buildReceiveResponse(addressing, {
            commandId: command.id,
            chunks: batch.chunks,
            state: batch.complete ? "Done" : "Running",
            exitCode: batch.complete ? result.exitCode : undefined,
        });
    }

    private signal(request: SignalRequest, user: string, addressing: ResponseAddressing): string {
        const shell = this.shellFor(request.shellId, user);
        const command = this.commandIn(shell, request.commandId);
        // terminate and ctrl_c both end the process.
        command.program.kill();
        shell.commands.delete(command.id);
        return buildSignalResponse(addressing);
    }

    private delete(request: DeleteShellRequest, user: string, addressing: ResponseAddressing): string {
        const shell = this.shellFor(request.shellId, user);
        this.endShell(shell);
        return buildDeleteResponse(addressing);
    }

    /** The shell a request names; another user's shell is as unknown as a missing one. */
    private shellFor(shellId: string | undefined, user: string): Shell {
        const shell = shellId === undefined ? undefined : this.shells.get(shellId.toUpperCase());
        if (shell === undefined || shell.ownerKey !== accountKey(parseUserName(user))) throw unknownShell(this.options.computerName);
        return shell;
    }

    private commandIn(shell: Shell, commandId: string | undefined): ShellCommand {
        const command = commandId === undefined ? undefined : shell.commands.get(commandId.toUpperCase());
        if (command === undefined) throw unknownCommand(this.options.computerName);
        return command;
    }
}

/** True when `promise` settles within `ms`. */
async function withinTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
    });
    try {
        return await Promise.race([promise.then(() => true as const), timedOut]);
    } finally {
        clearTimeout(timer);
    }
}
