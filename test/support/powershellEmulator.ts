/**
 * The server side of our PowerShell invocations, without Windows: what powershell.exe would do
 * with the command lines and stdin the provider sends, performed with the project's own code
 * against a local applicationHost.config. The in-repo WS-Management test server (test/support/
 * wsman/) calls it for every Command; backend tests call it from a fake CommandRunner.
 *
 * Recognised (anything else is refused the way PowerShell would refuse it, see below):
 * - the command-line loader: `powershell.exe … -Command . ([ScriptBlock]::Create(…'<gzip b64>'…))`;
 * - the stdin bootstrap: `powershell.exe … -EncodedCommand <bootstrap>` with base64 of the
 *   UTF-8 script on stdin;
 * - a plain `powershell -encodedcommand <base64 of the UTF-16LE script>`, as pywinrm's run_ps
 *   sends it (parameter names case-insensitive, abbreviations -e/-ec/-enc and -c accepted).
 * The script must be one of this build's four, byte for byte apart from the request literal (an
 * optional "$ProgressPreference = …" first line excepted): its marker line names the operation,
 * and the request is decoded from the base64 literal. Then:
 * - read/apply go through XmlFileBackend(LocalConfigFile) on `applicationHostPath` and print the
 *   JSON the real script prints (explicit raw text, effective values, configPath, configFile;
 *   for apply also before, changed and verified, leaving the file untouched when nothing
 *   differs); the request is checked as the script checks it (badRequest), IIS's validation
 *   becomes configError, two <location> elements holding <asp> become ambiguousLocation;
 * - readFile/writeFile work on the local file system with the script's compare-and-swap and
 *   error codes (notFound, conflict with actualSha256, badRequest, accessDenied, failed).
 *   Paths: a local absolute path is used as is; a Windows path in
 *   C:\Windows\System32\inetsrv\config\ maps into applicationHostPath's folder, with
 *   applicationHost.config[suffix] mapping to applicationHostPath[suffix]; other Windows paths
 *   do not exist (notFound). The real script accepts only Windows paths.
 * Output: one line of JSON on stdout (escaped as Windows PowerShell 5.1's ConvertTo-Json does),
 * exit code 0, even for {ok:false}. An invocation that is not ours: exit code 1 and a CLIXML
 * error record on stderr (`#< CLIXML\r\n<Objs …><S S="Error">…</S></Objs>`); an executable other
 * than powershell: cmd.exe's "is not recognized" text and exit code 9009.
 */
import { createHash, randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigFileError } from "../../provider/apphost/document";
import { LOADER_DOT_ARGUMENT, LOADER_PREFIX, LOADER_SUFFIX, decompressScript } from "../../provider/backends/powershell/delivery";
import { OPERATION_NAMES, type OperationName, type ScriptErrorCode } from "../../provider/backends/powershell/protocol";
import { REQUEST_PLACEHOLDER, SCRIPT_MARKERS, SCRIPT_TEMPLATES } from "../../provider/backends/powershell/scripts";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import type { SessionReading } from "../../provider/backends/types";
import {
    isSessionAttribute, parseAttributeText, sameValue, SESSION_ATTRIBUTES, UINT32_MAX,
    type RawSessionAttributes, type SessionAttribute, type SessionSettings,
} from "../../provider/settings/schema";
import { LocalConfigFile } from "../../provider/transports/localFile";
import { buildPowerShellStdinCommand, PROGRESS_PREAMBLE } from "../../provider/backends/powershell/commandLine";

export interface EmulatorOptions {
    /** The local file that stands for the server's %windir%\System32\inetsrv\config\applicationHost.config. */
    applicationHostPath: string;
}

export interface EmulatedOutput {
    stdout: Buffer;
    stderr: Buffer;
    exitCode: number;
}

/** Where the real script finds applicationHost.config (without Shared Configuration); reported as configFile. */
export const WINDOWS_APPLICATION_HOST = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";
const WINDOWS_CONFIG_FOLDER = "c:\\windows\\system32\\inetsrv\\config\\";
const APPLICATION_HOST_NAME = "applicationhost.config";

/**
 * Runs a command line as a WS-Man Command request carries it: `rsp:Command` and the
 * `rsp:Arguments` joined with single spaces (pywinrm puts everything in rsp:Command). `stdin`
 * is everything Sent to the command's stdin (empty when nothing was Sent).
 */
export async function runEmulatedPowerShell(commandLine: string, stdin: Buffer, options: EmulatorOptions): Promise<EmulatedOutput> {
    const tokens = splitCommandLine(commandLine);
    const executable = (tokens[0] ?? "").replace(/^.*[\\/]/, "").toLowerCase();
    if (executable !== "powershell" && executable !== "powershell.exe") {
        return {
            stdout: Buffer.alloc(0),
            stderr: Buffer.from(`'${tokens[0] ?? ""}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`, "utf8"),
            exitCode: 9009,
        };
    }
    const script = scriptOf(tokens.slice(1), stdin);
    if (typeof script !== "string") return powerShellError(script.problem);
    const operation = recogniseScript(script);
    if (typeof operation === "string") return powerShellError(operation);
    const result = await perform(operation.op, operation.requestB64, options);
    return { stdout: Buffer.from(toPowerShellJson(result) + "\n", "utf8"), stderr: Buffer.alloc(0), exitCode: 0 };
}

/** The same, for a command and its arguments as separate values (joined as WinRS joins them). */
export function runEmulatedCommand(command: string, args: readonly string[], stdin: Buffer, options: EmulatorOptions): Promise<EmulatedOutput> {
    return runEmulatedPowerShell([command, ...args].join(" "), stdin, options);
}

/** A PowerShell error record on stderr as powershell.exe writes it to a pipe, and exit code 1. */
export function powerShellError(message: string): EmulatedOutput {
    const lines = [
        ...message.split(/\r?\n/),
        "    + CategoryInfo          : NotImplemented: (:) [], RuntimeException",
        "    + FullyQualifiedErrorId : UnknownScript",
        " ",
    ];
    const records = lines.map((line) => `<S S="Error">${clixmlText(line)}_x000D__x000A_</S>`).join("");
    const stderr = `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">${records}</Objs>`;
    return { stdout: Buffer.alloc(0), stderr: Buffer.from(stderr, "utf8"), exitCode: 1 };
}

/**
 * Splits a command line roughly as CommandLineToArgvW does: white space separates, double
 * quotes group (and are dropped). Our command lines have no quotes; pywinrm's neither.
 */
function splitCommandLine(line: string): string[] {
    const tokens: string[] = [];
    let current = "";
    let quoted = false;
    let started = false;
    for (const char of line) {
        if (char === '"') {
            quoted = !quoted;
            started = true;
        } else if (/\s/.test(char) && !quoted) {
            if (started) tokens.push(current);
            current = "";
            started = false;
        } else {
            current += char;
            started = true;
        }
    }
    if (started) tokens.push(current);
    return tokens;
}

/** powershell.exe's parameters that take a value, and those that do not (5.1, full names). */
const VALUE_PARAMETERS = ["executionpolicy", "inputformat", "outputformat", "windowstyle", "version", "configurationname"];
const FLAG_PARAMETERS = ["noprofile", "noninteractive", "nologo", "noexit", "sta", "mta"];

function parameterIs(given: string, full: string, shortest: number, aliases: readonly string[] = []): boolean {
    return aliases.includes(given) || (given.length >= shortest && full.startsWith(given));
}

/** The script text powershell.exe would run for these arguments, or why there is none we know. */
function scriptOf(args: readonly string[], stdin: Buffer): string | { problem: string } {
    for (let i = 0; i < args.length; i++) {
        const token = args[i];
        if (!token.startsWith("-") && !token.startsWith("/")) return commandText(args.slice(i).join(" "));
        const name = token.slice(1).toLowerCase();
        if (parameterIs(name, "encodedcommand", 3, ["e", "ec"])) {
            const encoded = args[i + 1];
            if (encoded === undefined) return { problem: "Missing argument for parameter EncodedCommand." };
            return encodedCommand(encoded, stdin);
        }
        if (parameterIs(name, "command", 3, ["c"])) return commandText(args.slice(i + 1).join(" "));
        if (FLAG_PARAMETERS.some((full) => parameterIs(name, full, full.length))) continue;
        if (VALUE_PARAMETERS.some((full) => parameterIs(name, full, 2)) || name === "ep") {
            i++;
            continue;
        }
        return { problem: `-${name} : The term '-${name}' is not recognized as a parameter of powershell.exe.` };
    }
    return { problem: "powershell.exe was given no script (an interactive shell would start)." };
}

function encodedCommand(encoded: string, stdin: Buffer): string | { problem: string } {
    const bootstrap = buildPowerShellStdinCommand("").arguments;
    if (encoded === bootstrap[bootstrap.length - 1]) {
        const text = stdin.toString("ascii").trim();
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
            return { problem: `Exception calling "FromBase64String" with "1" argument(s): "The input is not a valid Base-64 string." (stdin held ${stdin.length} bytes)` };
        }
        return Buffer.from(text, "base64").toString("utf8");
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
        return { problem: "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded." };
    }
    return Buffer.from(encoded, "base64").toString("utf16le");
}

function commandText(text: string): string | { problem: string } {
    const prefix = `${LOADER_DOT_ARGUMENT} ${LOADER_PREFIX}`;
    if (text.startsWith(prefix) && text.endsWith(LOADER_SUFFIX)) {
        const data = text.slice(prefix.length, text.length - LOADER_SUFFIX.length);
        try {
            return decompressScript(data);
        } catch (error) {
            return { problem: `Exception calling "ReadToEnd" with "0" argument(s): "${(error as Error).message}"` };
        }
    }
    return { problem: `This test server runs only the provider's own scripts; -Command was given ${JSON.stringify(text.slice(0, 80))}.` };
}

/** The operation a script performs and its request literal, or why the script is not one of ours. */
function recogniseScript(received: string): { op: OperationName; requestB64: string } | string {
    const script = received.startsWith(PROGRESS_PREAMBLE) ? received.slice(PROGRESS_PREAMBLE.length) : received;
    const firstLine = script.split("\n", 1)[0].replace(/\r$/, "");
    const op = OPERATION_NAMES.find((name) => SCRIPT_MARKERS[name] === firstLine);
    if (op === undefined) {
        return `This test server runs only the provider's own scripts; this one begins ${JSON.stringify(script.slice(0, 80))}.`;
    }
    const template = SCRIPT_TEMPLATES[op];
    const at = template.indexOf(REQUEST_PLACEHOLDER);
    const before = template.slice(0, at);
    const after = template.slice(at + REQUEST_PLACEHOLDER.length);
    if (!script.startsWith(before) || !script.endsWith(after) || script.length < before.length + after.length) {
        return `The ${op} script differs from this build's template outside its request literal (a different version of the provider?).`;
    }
    return { op, requestB64: script.slice(before.length, script.length - after.length) };
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** Ends an operation with {ok:false,error,...}, as the scripts' Stop-Operation does. */
class OperationFailure extends Error {
    constructor(readonly code: ScriptErrorCode, message: string, readonly fields: Record<string, string> = {}) {
        super(message);
        this.message = message;
        this.name = "OperationFailure";
    }
}

async function perform(op: OperationName, requestB64: string, options: EmulatorOptions): Promise<JsonObject> {
    try {
        const request = readRequest(requestB64);
        if (text(request, "op") !== op) throw new OperationFailure("badRequest", `this script runs op "${op}", not "${String(request.op)}"`);
        switch (op) {
            case "read":
                return await readState(location(request), options);
            case "apply":
                return await apply(request, options);
            case "readFile":
                return await readFile(request, options);
            case "writeFile":
                return await writeFile(request, options);
        }
    } catch (error) {
        return failure(error);
    }
}

function readRequest(requestB64: string): Record<string, unknown> {
    let request: unknown;
    try {
        request = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(requestB64, "base64")));
    } catch (error) {
        throw new OperationFailure("badRequest", `the request is not base64 of UTF-8 JSON: ${(error as Error).message}`);
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) throw new OperationFailure("badRequest", "the request is not a JSON object");
    return request as Record<string, unknown>;
}

function text(request: Record<string, unknown>, name: string): string {
    const value = request[name];
    if (typeof value !== "string") throw new OperationFailure("badRequest", `the request field "${name}" must be a string`);
    return value;
}

function location(request: Record<string, unknown>): string {
    const value = text(request, "location");
    if (/[\u0000-\u001f]/.test(value)) throw new OperationFailure("badRequest", "the location contains control characters");
    return value;
}

function backend(options: EmulatorOptions): XmlFileBackend {
    if (!fs.existsSync(options.applicationHostPath)) {
        throw new OperationFailure("notFound", `System.IO.FileNotFoundException: Could not find file '${WINDOWS_APPLICATION_HOST}'.`);
    }
    return new XmlFileBackend(new LocalConfigFile(options.applicationHostPath));
}

/** PowerShell's `.Trim('/')`, which the scripts apply before asking IIS. */
function trimSlashes(value: string): string {
    return value.replace(/^\/+|\/+$/g, "");
}

async function readState(requested: string, options: EmulatorOptions): Promise<JsonObject> {
    const trimmed = trimSlashes(requested);
    return stateJson(requested, await backend(options).read(trimmed));
}

function stateJson(requested: string, reading: SessionReading): JsonObject {
    const trimmed = trimSlashes(requested);
    const explicit: JsonObject = {};
    for (const name of SESSION_ATTRIBUTES) {
        const raw = reading.explicitRaw[name];
        if (raw !== undefined) explicit[name] = raw;
    }
    return {
        ok: true,
        location: requested,
        configPath: trimmed === "" ? "MACHINE/WEBROOT/APPHOST" : `MACHINE/WEBROOT/APPHOST/${trimmed}`,
        configFile: WINDOWS_APPLICATION_HOST,
        explicit,
        effective: { ...reading.effective },
    };
}

/** What the apply script's ConvertTo-SessionValue accepts, as a canonical value for our code. */
function sessionValue(name: SessionAttribute, value: unknown): boolean | number | string {
    if (typeof value !== "string") throw new OperationFailure("badRequest", `the value for ${name} must be a string`);
    const refuse = (why: string): never => {
        throw new OperationFailure("badRequest", `"${value}" is not a valid ${name}: ${why}`);
    };
    switch (name) {
        case "allowSessionState":
        case "keepSessionIdSecure": {
            // bool.Parse: "true"/"false" in any case, surrounding white space allowed.
            const word = value.trim().toLowerCase();
            if (word !== "true" && word !== "false") refuse("String was not recognized as a valid Boolean.");
            return word === "true";
        }
        case "max": {
            // uint32 with NumberStyles.None: digits only.
            if (!/^[0-9]+$/.test(value)) refuse("Input string was not in a correct format.");
            if (Number(value) > UINT32_MAX) refuse("Value was either too large or too small for a UInt32.");
            return Number(value);
        }
        case "timeout": {
            // TimeSpan "c": [-][d.]hh:mm:ss[.fffffff]; IIS's own validation (whole minutes, 0 to 365 days) comes later.
            if (!/^-?(\d+\.)?\d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,7})?$/.test(value)) refuse("String was not recognized as a valid TimeSpan.");
            const checked = parseAttributeText("timeout", value);
            if (!checked.ok) {
                throw new OperationFailure("configError", `System.Runtime.InteropServices.COMException: Value does not fall within the expected range (${checked.reason})`);
            }
            return checked.value;
        }
    }
}

async function apply(request: Record<string, unknown>, options: EmulatorOptions): Promise<JsonObject> {
    const requested = location(request);
    const set = request.set;
    if (typeof set !== "object" || set === null || Array.isArray(set)) throw new OperationFailure("badRequest", 'the request field "set" must be an object');
    if (!Array.isArray(request.remove)) throw new OperationFailure("badRequest", 'the request field "remove" must be an array');
    const values: SessionSettings = {};
    const wanted: RawSessionAttributes = {};
    for (const [name, value] of Object.entries(set as Record<string, unknown>)) {
        if (!isSessionAttribute(name)) {
            throw new OperationFailure("badRequest", `unknown session attribute "${name}"; expected allowSessionState, keepSessionIdSecure, max or timeout`);
        }
        Object.assign(values, { [name]: sessionValue(name, value) });
        wanted[name] = String(value);
    }
    const remove: SessionAttribute[] = [];
    for (const name of request.remove as unknown[]) {
        if (typeof name !== "string" || !isSessionAttribute(name)) {
            throw new OperationFailure("badRequest", `cannot remove "${String(name)}"; expected allowSessionState, keepSessionIdSecure, max or timeout`);
        }
        if (name in values) throw new OperationFailure("badRequest", `${name} is both set and removed`);
        remove.push(name);
    }
    const trimmed = trimSlashes(requested);
    const files = backend(options);
    const before = await files.read(trimmed);
    // The script's Test-SameValue: what the location already holds by value is not set again,
    // and only what is set there is deleted; with nothing to do, nothing is committed.
    const differing: SessionSettings = {};
    for (const name of SESSION_ATTRIBUTES) {
        const value = values[name];
        const current = before.explicitRaw[name];
        const parsed = current === undefined ? undefined : parseAttributeText(name, current);
        if (value !== undefined && !(parsed?.ok === true && sameValue(name, parsed.value, value))) Object.assign(differing, { [name]: value });
    }
    const present = remove.filter((name) => before.explicitRaw[name] !== undefined);
    const changed = Object.keys(differing).length > 0 || present.length > 0;
    if (changed) await files.write(trimmed, { set: differing, restore: {}, remove: present });
    const after = await files.read(trimmed);
    const state = stateJson(requested, after);
    for (const name of SESSION_ATTRIBUTES) {
        const value = values[name];
        if (value === undefined) continue;
        const actual = after.explicitRaw[name];
        if (actual === undefined || after.explicit[name] !== value) {
            throw new OperationFailure("verifyFailed", `after the commit, ${name} at ${String(state.configPath)} reads back as "${actual ?? "(not set)"}", not "${wanted[name]}"`, {
                attribute: name, expected: wanted[name] ?? "", actual: actual ?? "(not set)",
            });
        }
    }
    for (const name of remove) {
        const actual = after.explicitRaw[name];
        if (actual !== undefined) {
            throw new OperationFailure("verifyFailed", `after the commit, ${name} is still set at ${String(state.configPath)} ("${actual}")`, { attribute: name, expected: "(removed)", actual });
        }
    }
    const replaced = stateJson(requested, before);
    return { ...state, before: { explicit: replaced.explicit, effective: replaced.effective }, changed, verified: true };
}

/** The script's Get-AbsolutePath, plus this machine's absolute paths, mapped to a local path. */
function localPath(request: Record<string, unknown>, name: string, options: EmulatorOptions): string {
    const requested = text(request, name);
    if (requested.startsWith("/")) return requested;
    if (!/^([A-Za-z]:\\|\\\\)/.test(requested)) {
        throw new OperationFailure("badRequest", `the request field "${name}" must be an absolute path (C:\\... or \\\\server\\share\\...)`);
    }
    const lowered = requested.toLowerCase();
    if (lowered.startsWith(WINDOWS_CONFIG_FOLDER)) {
        const file = requested.slice(WINDOWS_CONFIG_FOLDER.length);
        if (!file.includes("\\")) {
            if (file.toLowerCase().startsWith(APPLICATION_HOST_NAME)) return options.applicationHostPath + file.slice(APPLICATION_HOST_NAME.length);
            return path.join(path.dirname(options.applicationHostPath), file);
        }
    }
    // Nowhere on this emulated server.
    return path.join(path.dirname(options.applicationHostPath), "nonexistent-windows-folder", randomUUID(), "missing");
}

async function readFile(request: Record<string, unknown>, options: EmulatorOptions): Promise<JsonObject> {
    const requested = text(request, "path");
    const bytes = await fileOperation(requested, () => fs.promises.readFile(localPath(request, "path", options)));
    return { ok: true, path: requested, sha256: sha256(bytes), contentBase64: bytes.toString("base64") };
}

async function writeFile(request: Record<string, unknown>, options: EmulatorOptions): Promise<JsonObject> {
    const requested = text(request, "path");
    const target = localPath(request, "path", options);
    const backup = localPath(request, "backupPath", options);
    const expected = text(request, "expectedSha256");
    if (!/^[0-9a-f]{64}$/.test(expected)) throw new OperationFailure("badRequest", "expectedSha256 must be 64 lowercase hex digits");
    const contentBase64 = text(request, "contentBase64");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64) || contentBase64.length % 4 !== 0) {
        throw new OperationFailure("badRequest", "contentBase64 is not base64: The input is not a valid Base-64 string as it contains a non-base 64 character.");
    }
    const content = Buffer.from(contentBase64, "base64");
    await fileOperation(requested, async () => {
        const actual = sha256(await fs.promises.readFile(target));
        if (actual !== expected) {
            throw new OperationFailure("conflict", `${requested} changed since it was read: expected SHA-256 ${expected}, found ${actual}`, { actualSha256: actual });
        }
        const temp = path.join(path.dirname(target), `${path.basename(target)}.${randomUUID().replace(/-/g, "")}.tmp`);
        await fs.promises.writeFile(temp, content, { flag: "wx" });
        try {
            // File.Replace: the old content becomes the backup, the temp file takes the name.
            await fs.promises.copyFile(target, backup);
            await fs.promises.rename(temp, target);
        } finally {
            await fs.promises.rm(temp, { force: true });
        }
    });
    return { ok: true, path: requested, sha256: sha256(content) };
}

/** Runs a file-system step, turning Node's errors into the codes the script's classifier gives .NET's. */
async function fileOperation<T>(requested: string, work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (error) {
        if (error instanceof OperationFailure) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw new OperationFailure("notFound", `System.IO.FileNotFoundException: Could not find file '${requested}'.`);
        if (code === "EACCES" || code === "EPERM" || code === "EISDIR") {
            throw new OperationFailure("accessDenied", `System.UnauthorizedAccessException: Access to the path '${requested}' is denied.`);
        }
        if (code === "EBUSY") throw new OperationFailure("busy", `System.IO.IOException: The process cannot access the file '${requested}' because it is being used by another process.`);
        throw error;
    }
}

function failure(error: unknown): JsonObject {
    if (error instanceof OperationFailure) return { ok: false, error: error.code, message: error.message, ...error.fields };
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ConfigFileError) {
        return { ok: false, error: / hold <asp>|holds <asp> as well/.test(message) ? "ambiguousLocation" : "configError", message };
    }
    return { ok: false, error: "failed", message: `System.Exception: ${message} (script line 1)` };
}

function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/** Compact JSON as Windows PowerShell 5.1's ConvertTo-Json writes it: <, >, ' and & escaped. */
function toPowerShellJson(value: JsonObject): string {
    return JSON.stringify(value).replace(/[<>'&]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Text for an <S> record: XML-escaped, with "_x" escaped as PowerShell's serializer does. */
function clixmlText(line: string): string {
    return line
        .replace(/_x/g, "_x005F_x")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (char) => `_x${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`);
}

