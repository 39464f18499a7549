/**
 * Where a resource's settings live and how to reach them. Each kind validates its own fields and
 * opens a backend. `identity` is what makes two targets the same server and file: changing it
 * replaces the resource; changing anything else (say, a password) is an update.
 */
import { X509Certificate } from "crypto";
import * as path from "path";
import { IisApiBackend } from "./backends/iisApi";
import { DEFAULT_APPLICATION_HOST_PATH, RemoteConfigFile } from "./backends/powershell/remoteConfigFile";
import { XmlFileBackend } from "./backends/xmlFile";
import { acquireWinrmRunner } from "./transports/connectionPool";
import { SessionBackend } from "./backends/types";
import { CheckFailure, isUnknown, show } from "./settings/inputs";
import { LocalConfigFile } from "./transports/localFile";

/** applicationHost.config on the machine that runs Pulumi, edited directly. */
export interface FileTarget {
    kind: "file";
    /** Path of the file; a relative path is taken from the Pulumi project's folder. */
    path: string;
}

/** A Windows server reached over WinRM (WS-Management). */
export interface WinrmTarget {
    kind: "winrm";
    /** Host name or IP address of the server. */
    host: string;
    /** Default 5985, or 5986 with https. */
    port?: number;
    /** Default false. With https, the server's certificate is verified unless insecureSkipVerify. */
    https?: boolean;
    /** PEM of the CA (or the server certificate) to trust for https; default: the system's CAs. */
    caCertificate?: string;
    /** Explicit opt-out of TLS verification (https only). */
    insecureSkipVerify?: boolean;
    /** Default "ntlm" (with message encryption over http, channel binding over https). */
    auth?: "ntlm" | "basic" | "certificate";
    /** "DOMAIN\\user", "user@domain" or a local "user". */
    username?: string;
    password?: string;
    /** PEM client certificate and key for auth "certificate". */
    clientCertificate?: string;
    clientKey?: string;
    /** "iis" (default): IIS's own API through PowerShell; "xml": edit applicationHost.config with this project's editor. */
    mode?: "iis" | "xml";
    /**
     * For mode "xml": the file to edit, as an absolute path on the server (a UNC path works; `/...`
     * for a server running PowerShell 7 on Linux, as the tests do). Default: the file IIS uses,
     * found on the server: %windir%\\System32\\inetsrv\\config\\applicationHost.config, or under
     * IIS Shared Configuration the one in the folder redirection.config names.
     */
    configPath?: string;
    /** Deadline for one operation on the server, in seconds (default 120). */
    timeoutSeconds?: number;
}

export type Target = FileTarget | WinrmTarget;
export const TARGET_KINDS = ["file", "winrm"] as const;


const WINRM_FIELDS = ["kind", "host", "port", "https", "caCertificate", "insecureSkipVerify", "auth", "username", "password",
    "clientCertificate", "clientKey", "mode", "configPath", "timeoutSeconds"];
/** Fields whose values are never quoted back in messages. */
const SECRET_FIELDS = ["password", "clientKey"];

/** Validates `target`; failures name the field (e.g. "target.path") and what is allowed. */
export function checkTarget(value: unknown, failures: CheckFailure[]): unknown {
    if (isUnknown(value)) return value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        failures.push({ property: "target", reason: `target must be an object such as { kind: "file", path: "C:\\\\Windows\\\\System32\\\\inetsrv\\\\config\\\\applicationHost.config" }, got ${show(value)}` });
        return undefined;
    }
    const fields = value as Record<string, unknown>;
    switch (fields.kind) {
        case "file": {
            for (const key of Object.keys(fields)) {
                if (key !== "kind" && key !== "path") failures.push({ property: `target.${key}`, reason: `target.${key} is not a field of a "file" target (fields: kind, path)` });
            }
            if (isUnknown(fields.path)) return { kind: "file", path: fields.path };
            if (typeof fields.path !== "string" || fields.path.trim() === "") {
                failures.push({ property: "target.path", reason: `target.path must be the path of applicationHost.config, got ${show(fields.path)}` });
                return undefined;
            }
            return { kind: "file", path: fields.path };
        }
        case "winrm":
            return checkWinrmTarget(fields, failures);
        default:
            failures.push({ property: "target.kind", reason: `target.kind must be one of ${TARGET_KINDS.map((k) => `"${k}"`).join(", ")}, got ${show(fields.kind)}` });
            return undefined;
    }
}

function checkWinrmTarget(fields: Record<string, unknown>, failures: CheckFailure[]): unknown {
    const fail = (field: string, reason: string) => failures.push({ property: `target.${field}`, reason: `target.${field} ${reason}` });
    const given = (field: string) => fields[field] !== undefined && fields[field] !== null;
    const known = (field: string) => given(field) && !isUnknown(fields[field]);
    for (const key of Object.keys(fields)) {
        if (!WINRM_FIELDS.includes(key)) fail(key, `is not a field of a "winrm" target (fields: ${WINRM_FIELDS.join(", ")})`);
    }
    const target: Record<string, unknown> = {};
    for (const key of WINRM_FIELDS) if (given(key)) target[key] = fields[key];
    const strings = ["host", "caCertificate", "username", "password", "clientCertificate", "clientKey", "configPath"];
    for (const field of strings) {
        if (known(field) && (typeof fields[field] !== "string" || (fields[field] as string).trim() === "")) {
            fail(field, `must be a non-empty string${SECRET_FIELDS.includes(field) ? "" : `, got ${show(fields[field])}`}`);
        }
    }
    for (const field of ["https", "insecureSkipVerify"]) {
        if (known(field) && typeof fields[field] !== "boolean") fail(field, `must be true or false, got ${show(fields[field])}`);
    }
    if (!given("host")) fail("host", "is required: the server's host name or IP address");
    else if (known("host") && typeof fields.host === "string" && !/^(\[[0-9a-fA-F:.]+\]|[^\s/:\\@]+|[0-9a-fA-F:]+)$/.test(fields.host)) {
        fail("host", `must be a host name or IP address (no scheme, port or path), got ${show(fields.host)}`);
    }
    if (known("port") && !(Number.isInteger(fields.port) && (fields.port as number) >= 1 && (fields.port as number) <= 65535)) {
        fail("port", `must be a whole number from 1 to 65535, got ${show(fields.port)}`);
    }
    if (known("timeoutSeconds") && !(typeof fields.timeoutSeconds === "number" && fields.timeoutSeconds >= 1 && fields.timeoutSeconds <= 3600)) {
        fail("timeoutSeconds", `must be a number of seconds from 1 to 3600, got ${show(fields.timeoutSeconds)}`);
    }
    const https = fields.https === true;
    const auth = given("auth") ? fields.auth : "ntlm";
    if (!isUnknown(auth) && auth !== "ntlm" && auth !== "basic" && auth !== "certificate") {
        fail("auth", `must be "ntlm", "basic" or "certificate", got ${show(auth)}`);
    }
    const httpsKnown = !isUnknown(fields.https);
    if (auth === "basic" && httpsKnown && !https) fail("auth", `"basic" sends the password in clear: use it only with https: true (or use "ntlm", which encrypts over http)`);
    if (auth === "certificate") {
        if (httpsKnown && !https) fail("auth", `"certificate" needs https: true`);
        for (const field of ["clientCertificate", "clientKey"]) if (!given(field)) fail(field, `is required with auth "certificate" (PEM)`);
    } else if (!isUnknown(auth)) {
        for (const field of ["username", "password"]) if (!given(field)) fail(field, `is required with auth "${auth}"`);
    }
    if (fields.insecureSkipVerify === true && httpsKnown && !https) fail("insecureSkipVerify", "only applies with https: true");
    if (known("caCertificate") && typeof fields.caCertificate === "string") {
        const problem = pemCertificateProblem(fields.caCertificate);
        if (problem !== undefined) fail("caCertificate", `must be the PEM of the CA (or server) certificate to trust: ${problem}`);
    }
    if (known("clientCertificate") && typeof fields.clientCertificate === "string" && !fields.clientCertificate.includes("-----BEGIN CERTIFICATE-----")) {
        fail("clientCertificate", "must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    const mode = given("mode") ? fields.mode : "iis";
    if (!isUnknown(mode) && mode !== "iis" && mode !== "xml") fail("mode", `must be "iis" (IIS's API through PowerShell) or "xml" (edit applicationHost.config), got ${show(mode)}`);
    if (given("configPath") && mode === "iis") fail("configPath", `only applies with mode "xml" (IIS's API finds its own configuration)`);
    if (known("configPath") && typeof fields.configPath === "string" && !/^([a-zA-Z]:\\|\\\\[^\\]+\\|\/)/.test(fields.configPath)) {
        fail("configPath", `must be an absolute path on the server such as ${DEFAULT_APPLICATION_HOST_PATH} or \\\\server\\share\\applicationHost.config (or /... where PowerShell runs on Linux), got ${show(fields.configPath)}`);
    }
    return { ...target, kind: "winrm" };
}

/**
 * Why `pem` is not one or more readable PEM certificates, or undefined: each
 * -----BEGIN CERTIFICATE----- block must parse as X.509 (a truncated or garbled one would
 * otherwise pass check and fail at connect time as "not trusted").
 */
export function pemCertificateProblem(pem: string): string | undefined {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
    if (!blocks) return "no -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block";
    for (const [index, block] of blocks.entries()) {
        try {
            new X509Certificate(block);
        } catch (error) {
            return `certificate ${index + 1} of ${blocks.length} cannot be read (${error instanceof Error ? error.message : String(error)})`;
        }
    }
    return undefined;
}

/** True if any part of the target that identifies the server or file is not known yet (preview). */
export function identityUnknown(target: unknown): boolean {
    if (isUnknown(target)) return true;
    const fields = target as Record<string, unknown>;
    return isUnknown(fields.kind) || isUnknown(fields.path) || isUnknown(fields.host) || isUnknown(fields.configPath);
}

/** What names the server and file: equal identities are the same settings. */
export function targetIdentity(target: Target): string {
    switch (target.kind) {
        case "file":
            return `file:${path.resolve(target.path)}`;
        case "winrm":
            return `winrm:${target.host.toLowerCase()}:${(target.configPath ?? DEFAULT_APPLICATION_HOST_PATH).toLowerCase()}`;
    }
}

/** Compares two targets field by field (an update is needed when anything but identity differs). */
export function sameTarget(a: unknown, b: unknown): boolean {
    return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

export function openBackend(target: Target): SessionBackend {
    switch (target.kind) {
        case "file":
            return new XmlFileBackend(new LocalConfigFile(path.resolve(target.path)));
        case "winrm": {
            const timeoutMs = (target.timeoutSeconds ?? 120) * 1000;
            // Reused across operations on this host within the provider process (see connectionPool.ts).
            const runner = acquireWinrmRunner({
                host: target.host,
                port: target.port,
                https: target.https,
                auth: target.auth,
                username: target.username,
                password: target.password,
                caCertificate: target.caCertificate,
                insecureSkipVerify: target.insecureSkipVerify,
                clientCertificate: target.clientCertificate,
                clientKey: target.clientKey,
                commandTimeoutMs: timeoutMs,
            });
            return target.mode === "xml"
                ? new XmlFileBackend(new RemoteConfigFile(runner, target.configPath, { timeoutMs }))
                : new IisApiBackend(runner, { timeoutMs });
        }
    }
}
