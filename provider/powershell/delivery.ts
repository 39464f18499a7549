/**
 * How a rendered script gets to powershell.exe: on the command line when it fits, else on stdin.
 *
 * Command line: the UTF-8 script, gzip-compressed and base64-encoded, inside a short fixed loader
 * passed with -Command. Our scripts compress to about a third, so read, apply and readFile fit
 * (about 6,000-7,200 characters; apply with an incompressible 745-character location about
 * 8,150, the most that fits since apply reads web.config files too) where -EncodedCommand (8/3 characters per script character) fits none of them. Over
 * WinRM that saves the Send request that stdin costs.
 *
 * Stdin: the bootstrap of commandLine.ts, for whatever does not fit
 * (writeFile with a file's content, or a read of an extraordinarily long location).
 *
 * The command line is built for cmd.exe, the shell both WinRM (unless WINRS_SKIP_CMD_SHELL) and
 * Windows OpenSSH (by default) run commands through: at most COMMAND_LINE_LIMIT (8191) characters,
 * and none that cmd.exe or CreateProcess's argument splitting would touch (no `"`, `%`, `^`, `&`,
 * `|`, `<`, `>`, `!`, no whitespace inside an argument). It is NOT safe behind a PowerShell shell
 * (OpenSSH with DefaultShell set to powershell.exe), which would evaluate the parenthesised
 * loader itself; such a host needs the stdin delivery.
 */
import { gzipSync } from "zlib";
import {
    buildPowerShellStdinCommand,
    COMMAND_LINE_LIMIT,
    POWERSHELL_EXE,
    POWERSHELL_OPTIONS,
    type PowerShellCommand,
} from "./commandLine";
import type { OperationRequest } from "./protocol";
import { renderScript } from "./render";

export type ScriptDelivery = "commandLine" | "stdin";

/** What to run for one request. */
export interface ScriptInvocation {
    /** The script that runs: the operation's template with the request in its base64 literal. */
    script: string;
    /** How the script travels: inside the command line, or on stdin behind a bootstrap. */
    delivery: ScriptDelivery;
    /** powershell.exe and its arguments (commandLine is the one-line form cmd.exe sees). */
    command: PowerShellCommand;
    /** For "stdin": write these bytes to the process's stdin, then close it. Undefined for "commandLine". */
    stdin: Buffer | undefined;
}

/**
 * powershell.exe's options for the command-line delivery. `-InputFormat None`: nothing is sent on
 * stdin, and Windows PowerShell may otherwise wait for a redirected stdin to close before exiting
 * (a known hang when a launcher keeps the pipe open; Chocolatey's install line uses the same option).
 */
export const COMMAND_LINE_OPTIONS: readonly string[] = [...POWERSHELL_OPTIONS, "-InputFormat", "None"];

/**
 * The loader's text around the base64 of the gzip-compressed script. PowerShell joins the
 * arguments after -Command with single spaces, so the loader is passed as two arguments, "." and
 * the rest, neither with a space in it: no client or shell has a reason to quote either.
 *
 * `.` (dot-sourcing) rather than `&`, which cmd.exe would take as a command separator, and rather
 * than Invoke-Expression: a script block runs the multi-line script as one unit, and an `exit N`
 * in it ends powershell.exe with N, as it would in a script file.
 */
export const LOADER_DOT_ARGUMENT = ".";
export const LOADER_PREFIX =
    "([ScriptBlock]::Create([IO.StreamReader]::new([IO.Compression.GZipStream]::new([IO.MemoryStream]::new([Convert]::FromBase64String('";
export const LOADER_SUFFIX = "')),[IO.Compression.CompressionMode]::Decompress),[Text.Encoding]::UTF8).ReadToEnd()))";

/** Characters cmd.exe or CreateProcess's argument splitting would act on (`!`: delayed expansion, if enabled). */
const UNSAFE_ON_COMMAND_LINE = /["%^&|<>!\s]/;

/**
 * The compressed form of the last few scripts, for as long as the process lives. A fleet sends one
 * request (same location, same settings), so one script, to every server, and gzip at level 9
 * costs the provider host about 0.5 ms of CPU per command; a 200-server preview paid it 200 times. Only
 * scripts of command-line size are kept: a larger one goes on stdin anyway, and holding it costs memory.
 */
const recentlyCompressed = new Map<string, string>();
const RECENTLY_COMPRESSED_LIMIT = 8;
const RECENTLY_COMPRESSED_MAX_SCRIPT = 64 * 1024;

/** Base64 of the gzip-compressed UTF-8 script: what goes between LOADER_PREFIX and LOADER_SUFFIX. */
export function compressScript(script: string): string {
    const known = recentlyCompressed.get(script);
    if (known !== undefined) return known;
    const compressed = gzipSync(Buffer.from(script, "utf8"), { level: 9 }).toString("base64");
    if (script.length <= RECENTLY_COMPRESSED_MAX_SCRIPT) {
        if (recentlyCompressed.size >= RECENTLY_COMPRESSED_LIMIT) recentlyCompressed.delete(recentlyCompressed.keys().next().value!);
        recentlyCompressed.set(script, compressed);
    }
    return compressed;
}

/**
 * powershell.exe running `script` through the command-line loader. Always built; check
 * `fitsCommandLine` before using it.
 */
export function buildLoaderCommand(script: string): PowerShellCommand {
    const loader = LOADER_PREFIX + compressScript(script) + LOADER_SUFFIX;
    // Base64 holds none of these, nor a quote; the check keeps the loader honest if it is edited.
    if (UNSAFE_ON_COMMAND_LINE.test(loader) || loader.split("'").length !== 3) {
        throw new Error(`the command-line loader must be one quoted literal and no character cmd.exe or CreateProcess acts on: ${LOADER_PREFIX}…${LOADER_SUFFIX}`);
    }
    return powerShellCommand([...COMMAND_LINE_OPTIONS, "-Command", LOADER_DOT_ARGUMENT, loader]);
}

/**
 * The script for a request, and how to run it: on the command line when the whole line stays
 * within cmd.exe's 8191 characters, else on stdin. Decided per invocation, by size alone.
 */
export function prepareInvocation(request: OperationRequest): ScriptInvocation {
    const script = renderScript(request);
    const onCommandLine = buildLoaderCommand(script);
    if (onCommandLine.fitsCommandLine) return { script, delivery: "commandLine", command: onCommandLine, stdin: undefined };
    const { stdin, ...command } = buildPowerShellStdinCommand(script);
    return { script, delivery: "stdin", command, stdin };
}

function powerShellCommand(args: readonly string[]): PowerShellCommand {
    const command = POWERSHELL_EXE;
    const commandLine = [command, ...args].join(" ");
    return { command, arguments: args, commandLine, length: commandLine.length, fitsCommandLine: commandLine.length <= COMMAND_LINE_LIMIT };
}
