import { finished, type ProcessResult, type RunningProgram } from "../pwsh";
import { PowerShellStarter } from "./options";

/**
 * What WinRS does with a command line. WinRS (WINRS_SKIP_CMD_SHELL=FALSE) runs
 * `cmd.exe /c <command line>`: here `cmd /c` prefixes are peeled off, %SystemRoot% and %windir%
 * expand as cmd.exe expands them (to C:\Windows), `powershell ...` is started by the PowerShell
 * starter (real pwsh), and a few cmd built-ins cover plain commands such as pywinrm's
 * `cmd /c echo hi`. Anything else fails as cmd does for an unknown program (exit 9009).
 */

export interface CommandLineContext {
    readonly computerName: string;
    readonly applicationHostPath: string;
    readonly powershell: PowerShellStarter;
}

/** cmd.exe's limit on a command line, in characters. */
export const CMD_LINE_LIMIT = 8191;

/** Where Windows is installed, as cmd.exe expands %SystemRoot% and %windir% on the server played here. */
const WINDOWS_FOLDER = "C:\\Windows";

/**
 * Starts one command line, through `cmd.exe /c` when `viaCmd` (WinRS's default). Never throws:
 * failures become stderr and an exit code.
 */
export function startCommandLine(commandLine: string, viaCmd: boolean, consoleModeStdin: boolean, context: CommandLineContext): RunningProgram {
    if (viaCmd && commandLine.length > CMD_LINE_LIMIT) return finished(text("", "The command line is too long.\r\n", 1));
    const line = viaCmd ? expandVariables(withoutCmdPrefix(commandLine)) : commandLine.trim();
    if (/^"?(?:[^"\s]*\\)?powershell(?:\.exe)?"?(?:\s|$)/i.test(line)) {
        try {
            return context.powershell(line, { applicationHostPath: context.applicationHostPath, consoleModeStdin });
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            return finished(text("", `cannot start PowerShell: ${message}\r\n`, 1));
        }
    }
    return finished(runBatch(line, context));
}

/** "cmd /c x", "cmd.exe /C x" (repeated) → "x". */
export function withoutCmdPrefix(commandLine: string): string {
    let line = commandLine.trim();
    for (;;) {
        const match = /^"?(?:[^"\s]*\\)?cmd(?:\.exe)?"?\s+\/[cCkK]\s*/.exec(line);
        if (match === null) return line;
        line = line.slice(match[0].length).trim();
    }
}

/** cmd.exe's %SystemRoot% and %windir% (names case-insensitive); other %...% are left as they are. */
export function expandVariables(line: string): string {
    return line.replace(/%(SystemRoot|windir)%/gi, WINDOWS_FOLDER);
}

/** `a & b`, `a && b`: cmd's sequencing, with `"..."` protecting separators. */
function runBatch(line: string, context: CommandLineContext): ProcessResult {
    let stdout = "";
    let stderr = "";
    let exitCode = 0;
    for (const { command, onlyIfSucceeded } of splitSequence(line)) {
        if (onlyIfSucceeded && exitCode !== 0) break;
        const result = runBuiltin(command, context);
        stdout += result.stdout;
        stderr += result.stderr;
        exitCode = result.exitCode;
        if (result.exits) break;
    }
    return text(stdout, stderr, exitCode);
}
interface BuiltinResult {
    readonly stdout: string;
    readonly stderr: string;
    readonly exitCode: number;
    /** `exit`: stop the whole line. */
    readonly exits?: boolean;
}

function runBuiltin(command: string, context: CommandLineContext): BuiltinResult {
    // cmd keeps the spaces before "&" in what echo prints ("echo one & exit" prints "one ").
    const leading = command.trimStart();
    const trimmed = leading.trimEnd();
    const echo = /^echo(?:([.:])|\s+|$)(.*)$/is.exec(leading);
    if (echo !== null) {
        const rest = echo[2];
        if (echo[1] === undefined && rest.trim() === "") return { stdout: "ECHO is on.\r\n", stderr: "", exitCode: 0 };
        return { stdout: `${rest}\r\n`, stderr: "", exitCode: 0 };
    }
    if (/^hostname$/i.test(trimmed)) return { stdout: `${context.computerName}\r\n`, stderr: "", exitCode: 0 };
    const exit = /^exit(?:\s+\/b)?(?:\s+(-?\d+))?$/i.exec(trimmed);
    if (exit !== null) return { stdout: "", stderr: "", exitCode: exit[1] === undefined ? 0 : Number(exit[1]), exits: true };
    const program = /^("[^"]*"|\S*)/.exec(trimmed)?.[1] ?? trimmed;
    return {
        stdout: "",
        stderr: `'${program.replace(/"/g, "")}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`,
        exitCode: 9009,
    };
}

function splitSequence(line: string): Array<{ command: string; onlyIfSucceeded: boolean }> {
    const parts: Array<{ command: string; onlyIfSucceeded: boolean }> = [];
    let current = "";
    let quoted = false;
    let onlyIfSucceeded = false;
    for (let i = 0; i < line.length; i++) {
        const char = line[i];
        if (char === '"') quoted = !quoted;
        if (char === "&" && !quoted) {
            parts.push({ command: current, onlyIfSucceeded });
            current = "";
            onlyIfSucceeded = line[i + 1] === "&";
            if (onlyIfSucceeded) i++;
            continue;
        }
        current += char;
    }
    parts.push({ command: current, onlyIfSucceeded });
    return parts.filter((part) => part.command.trim() !== "");
}

function text(stdout: string, stderr: string, exitCode: number): ProcessResult {
    return { stdout: Buffer.from(stdout, "utf8"), stderr: Buffer.from(stderr, "utf8"), exitCode };
}
