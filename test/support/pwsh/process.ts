/**
 * Starts a real PowerShell 7 process for a command line the provider meant for Windows
 * PowerShell, and counts every process started (the test run prints the count).
 *
 * stdin is a pipe. `consoleModeStdin` plays WinRS's WINRS_CONSOLEMODE_STDIN=TRUE: on Windows the
 * process's stdin is then a console, which never reports end-of-input, so the pipe stays open
 * whatever the client sends and a script reading stdin to the end waits until it is killed.
 */
import { spawn } from "child_process";
import * as fs from "fs";

/** What a process produced. */
export interface ProcessResult {
    readonly stdout: Buffer;
    readonly stderr: Buffer;
    readonly exitCode: number;
}

/** A started program: feed its stdin, wait for its result, or kill it. */
export interface RunningProgram {
    /** Writes to stdin (ignored once the program has ended). */
    write(data: Buffer): void;
    /** The client ended stdin: closes the pipe, unless stdin is a console (which never ends). */
    endInput(): void;
    readonly result: Promise<ProcessResult>;
    /** Ends the program (WinRS Signal terminate, shell Delete, server close); its result still settles. */
    kill(): void;
}

export interface PwshOptions {
    /** pwsh's path (see locate.ts). */
    readonly pwsh: string;
    /** Arguments after the program name, as powershell.exe would have received them. */
    readonly args: readonly string[];
    /** The folder the process sees as %windir% (where the scripts find IIS's configuration and API). */
    readonly windir: string;
    /** WINRS_CONSOLEMODE_STDIN=TRUE: stdin never reaches its end. */
    readonly consoleModeStdin: boolean;
}

/** Set by the test run's reporter: each process started appends one byte to this file. */
export const PROCESS_COUNT_FILE_VARIABLE = "ASP_SESSION_PWSH_COUNT_FILE";

/** Processes started by this Node process (the benchmark reads it). */
export const started = { count: 0 };

/** A process left running this long is killed: no test waits that long, and none may leak one. */
const RUNAWAY_MS = 10 * 60_000;

/** Counts one PowerShell process (every place that starts pwsh calls it). */
export function countProcess(): void {
    started.count++;
    const countFile = process.env[PROCESS_COUNT_FILE_VARIABLE];
    if (countFile !== undefined && countFile !== "") fs.appendFileSync(countFile, "1");
}

export function startPwsh(options: PwshOptions): RunningProgram {
    countProcess();
    const child = spawn(options.pwsh, [...options.args], {
        stdio: ["pipe", "pipe", "pipe"],
        env: {
            ...process.env,
            windir: options.windir,
            SystemRoot: options.windir,
            // No telemetry or update check: nothing here should reach the network.
            POWERSHELL_TELEMETRY_OPTOUT: "1",
            POWERSHELL_UPDATECHECK: "Off",
            // No .NET diagnostics pipes in the temp folder: a pwsh killed (kill() below) cannot remove them.
            DOTNET_EnableDiagnostics: "0",
        },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A process that exits without reading stdin closes the pipe under a pending write.
    child.stdin.on("error", () => undefined);
    const runaway = setTimeout(() => child.kill("SIGKILL"), RUNAWAY_MS);
    runaway.unref();
    const result = new Promise<ProcessResult>((resolve) => {
        child.on("error", (error) => {
            clearTimeout(runaway);
            resolve({ stdout: Buffer.alloc(0), stderr: Buffer.from(`cannot start ${options.pwsh}: ${error.message}\r\n`), exitCode: 1 });
        });
        child.on("close", (code, signal) => {
            clearTimeout(runaway);
            // Windows reports a terminated process with the code TerminateProcess was given; WinRS uses 1.
            resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: code ?? (signal === null ? 0 : 1) });
        });
    });
    return {
        write(data) {
            if (!child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(data);
        },
        endInput() {
            if (!options.consoleModeStdin && !child.stdin.writableEnded) child.stdin.end();
        },
        result,
        kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
    };
}
