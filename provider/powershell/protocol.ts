/**
 * The contract between the provider and the PowerShell scripts it runs on a Windows server: one
 * request per run ("name:base64" fields, see render.ts), one line of JSON back on stdout. The
 * scripts in scripts/ implement the other side; names here are the wire names.
 */

import type { RawSessionAttributes, SessionAttribute, SessionValues } from "../settings/schema";

/** Attribute text as written at one location, or as the provider wants it written (canonical). */
export type SessionAttributeText = RawSessionAttributes;

/** What IIS applies at a location once inheritance and schema defaults are resolved. */
export type EffectiveSession = SessionValues;

/** Reads the session element at a location. `location` "" is the server level. */
export interface ReadRequest {
    op: "read";
    /** "" for the server level, else an IIS location path such as "Site" or "Site/app". */
    location: string;
}

/**
 * Makes a location hold `set` and not `remove`, through IIS's API, in one invocation: reads the
 * location first (reported as `before`), sets only the attributes whose value there differs,
 * deletes only those set there, commits only if something changed, and reads back. So the whole
 * wanted state may be sent; a request that changes nothing leaves applicationHost.config alone.
 * An attribute may not appear in both `set` and `remove`.
 */
export interface ApplyRequest {
    op: "apply";
    location: string;
    /**
     * Canonical text: "true"/"false", decimal uint32, TimeSpan "c" (`hh:mm:ss`, `d.hh:mm:ss`).
     * Compared by value with the text at the location (booleans in any case, max as a number,
     * timeout as a TimeSpan), so "True" already satisfies "true".
     */
    set: SessionAttributeText;
    /** Attributes to delete at exactly this location (so the inherited value applies again); absent ones are skipped. */
    remove: SessionAttribute[];
    /**
     * For runners that judge a command by its exit code alone (@pulumi/command's remote.Command):
     * exit with this code, after printing the result line, when the result is {ok:false}. The
     * provider leaves it out (the script exits 0) and reads the JSON line instead.
     */
    failureExitCode?: number;
}

/**
 * Reads a whole file (applicationHost.config) without blocking IIS's readers or writers. Without
 * `path`, the script finds the file IIS uses, on the server (see ConfigFileSource), in the same run.
 */
export interface ReadFileRequest {
    op: "readFile";
    /** Absolute path on the server: the user's configPath. Absent: IIS's own applicationHost.config. */
    path?: string;
}

/**
 * Compare-and-swap of a whole file: replaced only if its current SHA-256 is `expectedSha256`,
 * atomically (temp file in the same folder, then File.Replace), keeping a backup beside it. After
 * the replace, the backup must hold exactly the bytes that were checked: a writer that renamed
 * its own file into place between the check and the replace gets its file back, and the script
 * reports a conflict. Without `path`, the file is found as for readFile.
 */
export interface WriteFileRequest {
    op: "writeFile";
    /** Absolute path on the server of an existing file; absent: IIS's own applicationHost.config. */
    path?: string;
    /** Lowercase hex SHA-256 of the content the caller last read. */
    expectedSha256: string;
    /** The new bytes of the file. */
    content: Buffer;
    /** Appended to the file's path to name the backup of the replaced content (a file there is overwritten): ".asp-session.bak". */
    backupSuffix: string;
}

/**
 * Reads the web.config files IIS would read on the way to a location (apphost/webConfigPlaces.ts),
 * on the server: environment variables (%SystemDrive%) expanded there, each file read without
 * blocking IIS, or reported missing, or why it cannot be read. One request for all of them.
 */
export interface ReadWebConfigsRequest {
    op: "readWebConfigs";
    /** The files as <sites> gives their folders (unexpanded); none contains a line feed. */
    files: string[];
}

export type OperationRequest = ReadRequest | ApplyRequest | ReadFileRequest | WriteFileRequest | ReadWebConfigsRequest;
export type OperationName = OperationRequest["op"];
export const OPERATION_NAMES: readonly OperationName[] = ["read", "apply", "readFile", "writeFile", "readWebConfigs"];

/** What a location holds at one moment. */
export interface SessionState {
    /** Attributes written exactly at this location (not inherited), as raw text from the file. */
    explicit: SessionAttributeText;
    effective: EffectiveSession;
    /** The attributes whose effective value is the schema default (IIS's IsInheritedFromDefaultValue); absent: not reported. */
    defaulted?: SessionAttribute[];
    /**
     * In a site: the attributes whose value a web.config on the way changes (GetWebConfiguration's
     * differs from applicationHost.config's); `effective` is then what IIS applies with them.
     */
    overridden?: SessionAttribute[];
    /** IIS's error for a web.config it cannot read ("Filename: \\?\...\r\nError: ..."): `effective` is applicationHost.config's alone. */
    unread?: string;
}

/** A web.config that sets an attribute: the location path whose folder holds it, and the file as this server spells it. */
export interface OverridingWebConfig {
    path: string;
    file: string;
}

export interface ReadResponse extends SessionState {
    ok: true;
    /** The location as the request gave it. */
    location: string;
    /** IIS's configuration path: MACHINE/WEBROOT/APPHOST[/location]. */
    configPath: string;
    /** The applicationHost.config file `explicit` was read from (follows Shared Configuration). */
    configFile: string;
    /** read only: the names of the sites the file defines; absent when it has no <sites> (or for apply). */
    sites?: string[];
    /** read only: for each `overridden` attribute, the deepest web.config on the way that sets it (when found). */
    overriddenBy?: Partial<Record<SessionAttribute, OverridingWebConfig>>;
}

/** The read-back after the apply (explicit, effective, ...), plus what it replaced. */
export interface ApplyResponse extends ReadResponse {
    /** The location as the script found it, before changing anything (same ServerManager as the change). */
    before: SessionState;
    /** Whether anything was set or deleted, i.e. whether CommitChanges ran and applicationHost.config was written. */
    changed: boolean;
    /** The read-back (a new ServerManager, after CommitChanges) matched every requested change. */
    verified: true;
}

/**
 * How readFile and writeFile found the file:
 * - configPath: the request named it (the user's configPath);
 * - windir: %windir%\System32\inetsrv\config\applicationHost.config (redirection.config absent,
 *   or present with Shared Configuration disabled);
 * - sharedConfiguration: redirection.config enables IIS Shared Configuration; the file is
 *   applicationHost.config in the folder (usually a UNC share) it names.
 */
export type ConfigFileSource = "configPath" | "windir" | "sharedConfiguration";

export interface ReadFileResponse {
    ok: true;
    /** The file read: the requested path, or the one the script found. */
    path: string;
    source: ConfigFileSource;
    /** Lowercase hex SHA-256 of content. */
    sha256: string;
    /** The file's bytes (on the wire: the "content:" line before the JSON, whose contentBytes gives their length). */
    content: Buffer;
}

export interface WriteFileResponse {
    ok: true;
    /** The file replaced: the requested path, or the one the script found. */
    path: string;
    source: ConfigFileSource;
    /** Lowercase hex SHA-256 of the content now at `path`. */
    sha256: string;
}

/** One web.config as the server found it: `file` as requested, `path` with environment variables expanded. */
export type WebConfigResult = { file: string; path: string } & (
    | { state: "read"; content: Buffer }
    | { state: "missing" }
    | { state: "unreadable"; reason: string }
);

export interface ReadWebConfigsResponse {
    ok: true;
    /** One per requested file, in the request's order. */
    files: WebConfigResult[];
}

export type ResponseFor<R extends OperationRequest> = R extends ReadRequest
    ? ReadResponse
    : R extends ApplyRequest
      ? ApplyResponse
      : R extends ReadFileRequest
        ? ReadFileResponse
        : R extends WriteFileRequest
          ? WriteFileResponse
          : R extends ReadWebConfigsRequest
            ? ReadWebConfigsResponse
            : never;

/**
 * The codes a script reports in {ok:false,error}:
 * - badRequest: the request is malformed (unknown attribute, bad value, relative path, ...); nothing was touched.
 * - notFound: a file or folder does not exist.
 * - accessDenied: Windows refused access (not an administrator, ACL).
 * - busy: another process holds the file (sharing or lock violation); retrying may succeed.
 * - conflict: writeFile found content other than expectedSha256 (see actualSha256, path), or another
 *   writer renamed its file into place between the check and the replace (its file was put back);
 *   or IIS refused apply's commit because the file changed on disk since it was read (see path).
 *   Nothing was written; a fresh try may succeed.
 * - ambiguousLocation: two <location> elements with the path both hold <asp>; IIS's API would edit one of them.
 * - verifyFailed: the read-back after apply's commit differs (see attribute, expected, actual;
 *   committed says whether the commit changed anything, and before what the location held).
 * - overridden: apply would set attributes a web.config on the way sets (see attributes), so IIS
 *   would go on applying the web.config's values; nothing was set.
 * - iisUnavailable: Microsoft.Web.Administration cannot be loaded (IIS absent, 32-bit PowerShell).
 * - configError: IIS's configuration system or XML parser refused (malformed file, failed validation, lock).
 * - failed: anything else; the message carries the .NET exception and script line.
 */
export const SCRIPT_ERROR_CODES = [
    "badRequest",
    "notFound",
    "accessDenied",
    "busy",
    "conflict",
    "ambiguousLocation",
    "verifyFailed",
    "overridden",
    "iisUnavailable",
    "configError",
    "failed",
] as const;
export type ScriptErrorCode = (typeof SCRIPT_ERROR_CODES)[number];

/** {ok:false} as the scripts print it; the optional fields belong to particular codes. */
export interface ScriptFailure {
    ok: false;
    error: ScriptErrorCode;
    message: string;
    /** conflict: the SHA-256 of the file as found. */
    actualSha256?: string;
    /** conflict, notFound, badRequest of a file: the file the script checked (the requested path, or the one it found). */
    path?: string;
    /** notFound: "file" when the file is gone from a folder that still exists (not an unreachable share or folder). */
    missing?: "file";
    /** verifyFailed: the attribute that did not read back as written. */
    attribute?: string;
    /** verifyFailed: the value written ("(removed)" for a removal). */
    expected?: string;
    /** verifyFailed: the value read back ("" when not set). */
    actual?: string;
    /** verifyFailed: whether the commit before the failed read-back changed the file. */
    committed?: boolean;
    /** verifyFailed after a commit: the location as it was before it. */
    before?: SessionState;
    /** overridden: the attributes a web.config sets. */
    attributes?: SessionAttribute[];
}

/**
 * Codes the provider adds itself: "badOutput" when stdout cannot be trusted (empty, garbage, wrong
 * shape); "processFailed" when powershell.exe exited non-zero (our scripts always exit 0, so the
 * script did not run to its end: a PowerShell parse error, a loader failure, a crash).
 */
export type OutputErrorCode = "badOutput" | "processFailed";

/** A script run that did not produce the requested result, with enough context to act on. */
export class PowerShellScriptError extends Error {
    readonly code: ScriptErrorCode | OutputErrorCode;
    readonly operation: OperationName;
    /** The location ("" = server level) or file path the operation was about. */
    readonly target: string;
    /** The script's {ok:false} object, when there was one. */
    readonly failure: ScriptFailure | undefined;

    constructor(code: ScriptErrorCode | OutputErrorCode, operation: OperationName, target: string, message: string, failure?: ScriptFailure) {
        super(message);
        this.name = "PowerShellScriptError";
        this.code = code;
        this.operation = operation;
        this.target = target;
        this.failure = failure;
    }
}

/** What readFile and writeFile say they are about when the server is to find the file. */
export const SERVER_APPLICATION_HOST = "the server's applicationHost.config";

/** The location or path a request is about, for messages. */
export function requestTarget(request: OperationRequest): string {
    if (request.op === "readWebConfigs") return request.files.join(", ");
    return request.op === "read" || request.op === "apply" ? request.location : request.path ?? SERVER_APPLICATION_HOST;
}

/** "read of the server level", `apply at location "Site/app"`, `readFile of "C:\..."`. */
export function describeRequest(request: OperationRequest): string {
    switch (request.op) {
        case "read":
        case "apply":
            return request.location === ""
                ? `${request.op} at the server level`
                : `${request.op} at location ${JSON.stringify(request.location)}`;
        case "readFile":
        case "writeFile":
            return `${request.op} of ${request.path === undefined ? SERVER_APPLICATION_HOST : JSON.stringify(request.path)}`;
        case "readWebConfigs":
            return `readWebConfigs of ${request.files.map((file) => JSON.stringify(file)).join(", ")}`;
    }
}
