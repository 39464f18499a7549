/**
 * What a Windows server does with one of the provider's PowerShell command lines, done by a real
 * PowerShell 7: the line is split as Windows splits it, the program must be powershell[.exe]
 * (any folder), and pwsh runs with exactly the arguments powershell.exe would have received
 * (-NoProfile … -Command loader, or -EncodedCommand), the same stdin, and %windir% pointing at a
 * scratch Windows folder that holds applicationHost.config and the Microsoft.Web.Administration
 * double. Its stdout, stderr and exit code are the result: nothing here interprets the script.
 */
import { installMwaDouble } from "../mwa/install";
import { isPowerShellProgram, splitWindowsCommandLine } from "./commandLine";
import { startPwsh, type ProcessResult, type RunningProgram } from "./process";

export interface WindowsPowerShellOptions {
    readonly pwsh: string;
    readonly windir: string;
    /** WINRS_CONSOLEMODE_STDIN=TRUE (see process.ts). */
    readonly consoleModeStdin: boolean;
}

/** Starts `commandLine` (cmd.exe's /c and %variables% already handled by the caller). */
export function startWindowsPowerShell(commandLine: string, options: WindowsPowerShellOptions): RunningProgram {
    const [program = "", ...args] = splitWindowsCommandLine(commandLine);
    if (!isPowerShellProgram(program)) {
        return finished({
            stdout: Buffer.alloc(0),
            stderr: Buffer.from(`'${program}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`),
            exitCode: 9009,
        });
    }
    installMwaDouble(options.windir, options.pwsh);
    return startPwsh({ pwsh: options.pwsh, args, windir: options.windir, consoleModeStdin: options.consoleModeStdin });
}

/** A program that has already ended with `result` and ignores its stdin. */
export function finished(result: ProcessResult): RunningProgram {
    return { write: () => undefined, endInput: () => undefined, result: Promise.resolve(result), kill: () => undefined };
}
