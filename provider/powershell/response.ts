/**
 * Reads a script's stdout: finds its one JSON line, checks it against the contract for the
 * request's operation, and returns the typed result or throws a PowerShellScriptError whose
 * message names the operation, the location or path, and the host.
 *
 * Tolerated: noise lines before the JSON (a profile, a module's banner), a UTF-8 BOM, CRLF.
 * Not tolerated: no JSON line, a JSON line of the wrong shape, a result about another location
 * or path, file content whose SHA-256 differs from the one reported (code "badOutput").
 */
import { createHash } from "crypto";
import { SESSION_ATTRIBUTES, UINT32_MAX, type SessionAttribute } from "../settings/schema";
import {
    describeRequest,
    PowerShellScriptError,
    requestTarget,
    SCRIPT_ERROR_CODES,
    type ApplyResponse,
    type ConfigFileSource,
    type EffectiveSession,
    type OperationRequest,
    type OverridingWebConfig,
    type ReadFileRequest,
    type ReadFileResponse,
    type ReadResponse,
    type ReadWebConfigsResponse,
    type WebConfigResult,
    type ResponseFor,
    type ScriptErrorCode,
    type ScriptFailure,
    type SessionAttributeText,
    type SessionState,
    type WriteFileRequest,
    type WriteFileResponse,
} from "./protocol";

/** Where the output came from, for messages. */
export interface OutputContext {
    /** The server the script ran on. */
    host?: string;
    /** The script's stderr as text (CLIXML already decoded), quoted when stdout is unusable. */
    stderr?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** .NET TimeSpan "c" as IIS's API returns it: [d.]hh:mm:ss[.fffffff]. */
const TIMESPAN_C = /^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{7})?$/;
const EXCERPT = 300;
/** Starts readFile's line of content (base64), just before its result line. */
const CONTENT_PREFIX = "content:";

type JsonObject = Record<string, unknown>;

/** Parses and checks the stdout of the script run for `request`. */
export function parseScriptOutput<R extends OperationRequest>(request: R, stdout: string | Buffer, context: OutputContext = {}): ResponseFor<R> {
    const where = describeRequest(request) + (context.host ? ` on ${context.host}` : "");
    const bad = (problem: string): PowerShellScriptError =>
        new PowerShellScriptError("badOutput", request.op, requestTarget(request), `${where}: ${problem}${stderrNote(context.stderr)}`);

    const found = findResultLine(typeof stdout === "string" ? stdout : stdout.toString("utf8"));
    if (typeof found === "string") throw bad(found);
    const { result, previousLine } = found;

    if (result.ok === false) {
        const failure = readFailure(request.op, result);
        if (typeof failure === "string") throw bad(failure);
        throw new PowerShellScriptError(failure.error, request.op, requestTarget(request), `${where} failed (${failure.error}): ${failure.message}`, failure);
    }

    const checked = readSuccess(request, result, previousLine);
    if (typeof checked === "string") throw bad(checked);
    return checked as ResponseFor<R>;
}

/** The last line that is a JSON object with a boolean `ok` and the line before it, or why there is none. */
function findResultLine(text: string): { result: JsonObject; previousLine: string | undefined } | string {
    const lines = text.split(/\r\n|\n|\r/).map((line) => line.replace(/^\uFEFF/, "").trim());
    const nonEmpty = lines.filter((line) => line !== "");
    if (nonEmpty.length === 0) return "the script printed nothing on stdout (expected one line of JSON)";
    for (let i = nonEmpty.length - 1; i >= 0; i--) {
        const line = nonEmpty[i];
        if (!line.startsWith("{")) continue;
        let parsed: unknown;
        try {
            parsed = JSON.parse(line);
        } catch {
            continue;
        }
        if (isObject(parsed) && typeof parsed.ok === "boolean") return { result: parsed, previousLine: nonEmpty[i - 1] };
    }
    return `no JSON result line with "ok" on stdout; last line was ${JSON.stringify(excerpt(nonEmpty[nonEmpty.length - 1]))}`;
}

function readFailure(op: OperationRequest["op"], result: JsonObject): ScriptFailure | string {
    const { error, message } = result;
    if (typeof error !== "string" || !(SCRIPT_ERROR_CODES as readonly string[]).includes(error)) {
        return `the script reported a failure with an unknown error code ${JSON.stringify(error)} (known: ${SCRIPT_ERROR_CODES.join(", ")})`;
    }
    if (typeof message !== "string") return `the script's ${error} failure has no message`;
    const failure: ScriptFailure = { ok: false, error: error as ScriptErrorCode, message };
    for (const field of ["actualSha256", "path", "attribute", "expected", "actual"] as const) {
        const value = result[field];
        if (value === undefined) continue;
        if (typeof value !== "string") return `the script's ${error} failure has a non-string ${field}`;
        failure[field] = value;
    }
    if (result.missing !== undefined) {
        if (result.missing !== "file") return `the script's ${error} failure has an unknown missing ${JSON.stringify(excerpt(String(result.missing)))}`;
        failure.missing = "file";
    }
    if (error === "conflict" && op === "writeFile" && (failure.actualSha256 === undefined || !SHA256_HEX.test(failure.actualSha256))) {
        return "the script reported a conflict without a valid actualSha256";
    }
    if (error === "overridden" && result.attributes !== undefined) {
        const attributes = readNames(result.attributes, "attributes");
        if (typeof attributes === "string") return `the script's ${error} failure: ${attributes}`;
        failure.attributes = attributes;
    }
    if (error === "verifyFailed" && result.committed !== undefined) {
        if (typeof result.committed !== "boolean") return `the script's ${error} failure has a non-boolean committed`;
        failure.committed = result.committed;
        if (result.committed) {
            if (!isObject(result.before)) return `the script's ${error} failure after a commit lacks before (the state it replaced)`;
            const before = readSessionState(result.before, "before.");
            if (typeof before === "string") return before;
            failure.before = before;
        }
    }
    return failure;
}

/** `previousLine`: the stdout line before the result (readFile's content). */
function readSuccess(request: OperationRequest, result: JsonObject, previousLine: string | undefined): ReadResponse | ApplyResponse | ReadFileResponse | WriteFileResponse | ReadWebConfigsResponse | string {
    switch (request.op) {
        case "read": {
            const state = readState(request.location, result);
            if (typeof state === "string") return state;
            const { sites } = result;
            // PowerShell prints an empty array as null or {} (Windows PowerShell 5.1): no names either way.
            if (sites === null || sites === undefined || (isObject(sites) && Object.keys(sites).length === 0)) {
                const overriddenBy = readOverriddenBy(result.overriddenBy);
                if (typeof overriddenBy === "string") return overriddenBy;
                const named = overriddenBy === undefined ? state : { ...state, overriddenBy };
                return sites === undefined || sites === null ? named : { ...named, sites: [] };
            }
            if (!Array.isArray(sites) || !sites.every((name) => typeof name === "string")) return "sites is not a list of site names";
            const overriddenBy = readOverriddenBy(result.overriddenBy);
            if (typeof overriddenBy === "string") return overriddenBy;
            return overriddenBy === undefined ? { ...state, sites } : { ...state, sites, overriddenBy };
        }
        case "apply": {
            const state = readState(request.location, result);
            if (typeof state === "string") return state;
            if (!isObject(result.before)) return "the apply result lacks before (the state it replaced)";
            const before = readSessionState(result.before, "before.");
            if (typeof before === "string") return before;
            if (typeof result.changed !== "boolean") return "the apply result lacks changed: true|false";
            if (result.verified !== true) return "the apply result lacks verified: true";
            return { ...state, before, changed: result.changed, verified: true };
        }
        case "readFile": {
            const { sha256, contentBytes } = result;
            const file = readFileIdentity(request, result);
            if (typeof file === "string") return file;
            if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) return `sha256 ${JSON.stringify(sha256)} is not 64 lowercase hex digits`;
            if (typeof contentBytes !== "number" || !Number.isSafeInteger(contentBytes) || contentBytes < 0) return `contentBytes ${JSON.stringify(contentBytes)} is not a byte count`;
            const encoded = previousLine?.startsWith(CONTENT_PREFIX) ? previousLine.slice(CONTENT_PREFIX.length) : undefined;
            if (encoded === undefined) return `the line before the result is not the file's "${CONTENT_PREFIX}" line`;
            if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return `the "${CONTENT_PREFIX}" line is not base64`;
            const content = Buffer.from(encoded, "base64");
            if (content.length !== contentBytes) return `the "${CONTENT_PREFIX}" line holds ${content.length} bytes, but the script reported ${contentBytes} (output cut short?)`;
            const actual = sha256Hex(content);
            if (actual !== sha256) return `the content's SHA-256 is ${actual}, but the script reported ${sha256} (output damaged in transit?)`;
            return { ok: true, ...file, sha256, content };
        }
        case "writeFile": {
            const { sha256 } = result;
            const file = readFileIdentity(request, result);
            if (typeof file === "string") return file;
            if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) return `sha256 ${JSON.stringify(sha256)} is not 64 lowercase hex digits`;
            const sent = sha256Hex(request.content);
            if (sent !== sha256) return `the script reports writing content with SHA-256 ${sha256}, but the content sent has ${sent}`;
            return { ok: true, ...file, sha256 };
        }
        case "readWebConfigs":
            return readWebConfigs(request.files, result.files);
    }
}

/** One entry per requested file, in order, each read, missing or unreadable (with why). */
function readWebConfigs(requested: readonly string[], files: unknown): ReadWebConfigsResponse | string {
    if (!Array.isArray(files) || files.length !== requested.length) return `files is not a list of ${requested.length} entries`;
    const results: WebConfigResult[] = [];
    for (const [index, entry] of files.entries()) {
        if (!isObject(entry) || entry.file !== requested[index] || typeof entry.path !== "string") return `files[${index}] is not the result for ${JSON.stringify(requested[index])}`;
        const { file, path } = entry as { file: string; path: string };
        if (entry.state === "missing") results.push({ file, path, state: "missing" });
        else if (entry.state === "unreadable" && typeof entry.reason === "string") results.push({ file, path, state: "unreadable", reason: entry.reason });
        else if (entry.state === "read" && typeof entry.content === "string" && entry.content.length % 4 === 0 && BASE64.test(entry.content)) {
            results.push({ file, path, state: "read", content: Buffer.from(entry.content, "base64") });
        } else return `files[${index}] has no state read (with base64 content), missing or unreadable (with reason)`;
    }
    return { ok: true, files: results };
}

/**
 * Which file a readFile or writeFile result is about: the requested path (source "configPath"), or,
 * for a request without one, the absolute path the script found and how it found it.
 */
function readFileIdentity(request: ReadFileRequest | WriteFileRequest, result: JsonObject): { path: string; source: ConfigFileSource } | string {
    const { path, source } = result;
    if (request.path !== undefined) {
        if (path !== request.path) return `the result is for path ${JSON.stringify(path)}, not the requested one`;
        if (source !== "configPath") return `the result says the file was found by ${JSON.stringify(source)}, but the request named it`;
        return { path, source };
    }
    if (typeof path !== "string" || path === "") return "the result does not say which file the script found";
    if (source !== "windir" && source !== "sharedConfiguration") {
        return `the result says the file was found by ${JSON.stringify(source)}; expected "windir" or "sharedConfiguration"`;
    }
    return { path, source };
}

function readState(location: string, result: JsonObject): ReadResponse | string {
    const { configPath, configFile } = result;
    if (result.location !== location) {
        return `the result is for location ${JSON.stringify(result.location)}, not ${JSON.stringify(location)}`;
    }
    if (typeof configPath !== "string" || !configPath.startsWith("MACHINE/WEBROOT/APPHOST")) {
        return `configPath ${JSON.stringify(configPath)} is not an IIS configuration path`;
    }
    if (typeof configFile !== "string" || configFile === "") return "configFile is missing";
    const state = readSessionState(result, "");
    if (typeof state === "string") return state;
    return { ok: true, location, configPath, configFile, ...state };
}

/** A list of attribute names (defaulted, overridden); PowerShell prints an empty array as null or {}, and one of one element as the element. */
function readNames(value: unknown, field: string): SessionAttribute[] | string {
    if (value === null || (isObject(value) && Object.keys(value).length === 0)) return [];
    const names = typeof value === "string" ? [value] : value;
    if (!Array.isArray(names)) return `${field} is not a list of attribute names`;
    const found: SessionAttribute[] = [];
    for (const name of names) {
        const attribute = SESSION_ATTRIBUTES.find((known) => known === name);
        if (attribute === undefined) return `${field} names an unknown attribute ${JSON.stringify(name)}`;
        found.push(attribute);
    }
    return found;
}

/** read's overriddenBy: attribute → { path, file }; absent when nothing is overridden. */
function readOverriddenBy(value: unknown): Partial<Record<SessionAttribute, OverridingWebConfig>> | undefined | string {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return "overriddenBy is not an object";
    const found: Partial<Record<SessionAttribute, OverridingWebConfig>> = {};
    for (const [name, entry] of Object.entries(value)) {
        const attribute = SESSION_ATTRIBUTES.find((known) => known === name);
        if (attribute === undefined) return `overriddenBy has an unknown attribute ${JSON.stringify(name)}`;
        if (!isObject(entry) || typeof entry.path !== "string" || typeof entry.file !== "string") return `overriddenBy.${name} is not { path, file }`;
        found[attribute] = { path: entry.path, file: entry.file };
    }
    return found;
}

/** `explicit` and `effective` of a result (prefix "") or of its `before` (prefix "before."), for messages. */
function readSessionState(holder: JsonObject, prefix: string): SessionState | string {
    const explicit = readExplicit(holder.explicit, prefix);
    if (typeof explicit === "string") return explicit;
    const effective = readEffective(holder.effective, prefix);
    if (typeof effective === "string") return effective;
    const state: SessionState = { explicit, effective };
    if (holder.defaulted !== undefined) {
        const defaulted = readNames(holder.defaulted, `${prefix}defaulted`);
        if (typeof defaulted === "string") return defaulted;
        state.defaulted = defaulted;
    }
    if (holder.overridden !== undefined) {
        const overridden = readNames(holder.overridden, `${prefix}overridden`);
        if (typeof overridden === "string") return overridden;
        state.overridden = overridden;
    }
    if (holder.unread !== undefined) {
        if (typeof holder.unread !== "string") return `${prefix}unread is not IIS's error text`;
        state.unread = holder.unread;
    }
    return state;
}

function readExplicit(explicit: unknown, prefix: string): SessionAttributeText | string {
    if (!isObject(explicit)) return `${prefix}explicit is not an object`;
    const text: SessionAttributeText = {};
    for (const [name, value] of Object.entries(explicit)) {
        const attribute = SESSION_ATTRIBUTES.find((known) => known === name);
        if (attribute === undefined) return `${prefix}explicit has an unknown attribute ${JSON.stringify(name)}`;
        if (typeof value !== "string") return `${prefix}explicit.${name} is not a string`;
        text[attribute] = value;
    }
    return text;
}

function readEffective(effective: unknown, prefix: string): EffectiveSession | string {
    if (!isObject(effective)) return `${prefix}effective is not an object`;
    const { allowSessionState, keepSessionIdSecure, max, timeout } = effective;
    if (typeof allowSessionState !== "boolean") return `${prefix}effective.allowSessionState is not a boolean`;
    if (typeof keepSessionIdSecure !== "boolean") return `${prefix}effective.keepSessionIdSecure is not a boolean`;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > UINT32_MAX) {
        return `${prefix}effective.max ${JSON.stringify(max)} is not a uint32`;
    }
    if (typeof timeout !== "string" || !TIMESPAN_C.test(timeout)) return `${prefix}effective.timeout ${JSON.stringify(timeout)} is not a TimeSpan`;
    return { allowSessionState, keepSessionIdSecure, max, timeout };
}

function isObject(value: unknown): value is JsonObject {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sha256Hex(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

function excerpt(text: string): string {
    return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
}

function stderrNote(stderr: string | undefined): string {
    const trimmed = stderr?.trim();
    return trimmed ? `; stderr: ${excerpt(trimmed)}` : "";
}
