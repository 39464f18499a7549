/**
 * Where a resource's settings live and how to reach them. Each kind validates its own fields and
 * opens a backend. `identity` is what makes two targets the same server and file: changing it
 * replaces the resource; changing anything else (say, a password) is an update.
 */
import * as path from "path";
import { XmlFileBackend } from "./backends/xmlFile";
import { SessionBackend } from "./backends/types";
import { CheckFailure, isUnknown, show } from "./settings/inputs";
import { LocalConfigFile } from "./transports/localFile";

/** applicationHost.config on the machine that runs Pulumi, edited directly. */
export interface FileTarget {
    kind: "file";
    /** Path of the file; a relative path is taken from the Pulumi project's folder. */
    path: string;
}

export type Target = FileTarget;
export const TARGET_KINDS = ["file"] as const;

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
        default:
            failures.push({ property: "target.kind", reason: `target.kind must be one of ${TARGET_KINDS.map((k) => `"${k}"`).join(", ")}, got ${show(fields.kind)}` });
            return undefined;
    }
}

/** True if any part of the target that identifies the server or file is not known yet (preview). */
export function identityUnknown(target: unknown): boolean {
    if (isUnknown(target)) return true;
    const fields = target as Record<string, unknown>;
    return isUnknown(fields.kind) || isUnknown(fields.path);
}

/** What names the server and file: equal identities are the same settings. */
export function targetIdentity(target: Target): string {
    switch (target.kind) {
        case "file":
            return `file:${path.resolve(target.path)}`;
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
    }
}
