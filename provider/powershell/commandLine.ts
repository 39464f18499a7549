/**
 * How powershell.exe is invoked, for every channel (WinRM, SSH, @pulumi/command): the executable
 * by full path, its fixed options, and the stdin bootstrap — a short fixed -EncodedCommand that
 * reads a script too large for the command line (base64 of UTF-8, so any code page is safe) from
 * stdin. Which of the two deliveries a script takes (the compressed command-line loader, or stdin)
 * is delivery.ts's business. Every script is prefixed with PROGRESS_PREAMBLE so progress records
 * do not pollute stderr as CLIXML.
 */

/** Prepended to every script: progress output would otherwise arrive on stderr as CLIXML. */
export const PROGRESS_PREAMBLE = "$ProgressPreference = 'SilentlyContinue'\n";

/**
 * Windows PowerShell 5.1, 64-bit, by full path: WinRS with WINRS_SKIP_CMD_SHELL=TRUE does not
 * search PATH (a bare "powershell.exe" fails with 2147942402 in a recorded exchange with Windows),
 * and a 32-bit PowerShell would be redirected to SysWOW64's configuration. cmd.exe (WinRS's
 * default shell, and OpenSSH's) expands %SystemRoot%, so Windows installed off C: works too.
 */
export const POWERSHELL_EXE = "%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

/** The longest command line cmd.exe accepts (characters). */
export const COMMAND_LINE_LIMIT = 8191;

/** The options every invocation uses: no profile, no prompts, no execution policy surprises. */
export const POWERSHELL_OPTIONS: readonly string[] = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass"];

/** A PowerShell invocation, ready for buildCommand (command + arguments) or as one line. */
export interface PowerShellCommand {
    /** POWERSHELL_EXE. */
    readonly command: string;
    readonly arguments: readonly string[];
    /** command and arguments joined with spaces, as cmd.exe will see them. */
    readonly commandLine: string;
    /** commandLine.length: compare with COMMAND_LINE_LIMIT. */
    readonly length: number;
    /** length ≤ COMMAND_LINE_LIMIT. */
    readonly fitsCommandLine: boolean;
}

/** A bootstrap command line plus the bytes to Send on its stdin (with End=true on the last chunk). */
export interface PowerShellStdinCommand extends PowerShellCommand {
    /** Base64 of the UTF-8 script (PROGRESS_PREAMBLE included), as ASCII bytes. */
    readonly stdin: Buffer;
}

/**
 * For scripts too long for the command line: the command line carries a fixed bootstrap that
 * reads all of stdin, base64-decodes it as UTF-8 and runs it as one script block (so multi-line
 * constructs work, unlike `-Command -`, which runs stdin line by line).
 */
export function buildPowerShellStdinCommand(script: string): PowerShellStdinCommand {
    const bootstrap =
        PROGRESS_PREAMBLE +
        "$source = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadToEnd().Trim()))\n" +
        "& ([ScriptBlock]::Create($source))";
    return {
        ...invocation(["-EncodedCommand", encodePowerShellScript(bootstrap)]),
        stdin: Buffer.from(Buffer.from(PROGRESS_PREAMBLE + script, "utf8").toString("base64"), "ascii"),
    };
}

/** Base64 of the script's UTF-16LE bytes: the form -EncodedCommand takes. */
export function encodePowerShellScript(script: string): string {
    return Buffer.from(script, "utf16le").toString("base64");
}

function invocation(scriptArguments: readonly string[]): PowerShellCommand {
    const command = POWERSHELL_EXE;
    const args = [...POWERSHELL_OPTIONS, ...scriptArguments];
    const commandLine = [command, ...args].join(" ");
    return { command, arguments: args, commandLine, length: commandLine.length, fitsCommandLine: commandLine.length <= COMMAND_LINE_LIMIT };
}
