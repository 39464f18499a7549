/**
 * Where a resource's settings live and how to reach them. Each kind is declared once (its fields,
 * which are secret, which make its identity, their defaults and docs: see declaration.ts) in its
 * own module; this one dispatches on `kind`. `identity` is what makes two targets the same server
 * and file: changing it replaces the resource; changing anything else (say, a password) is an update.
 * Declarations only: the SDK and the CLI load this without any transport (open.ts opens targets).
 */
import { CheckFailure, isUnknown, show } from "../settings/inputs";
import { checkTargetOf, holdsSecret, identityFieldUnknown, identityOf, type TargetKind } from "./declaration";
import { FILE_KIND, type FileTarget } from "./file";
import { SSH_KIND, type SshTarget } from "./ssh";
import { WINRM_KIND, type WinrmTarget } from "./winrm";

export type { FileTarget } from "./file";
export type { SshTarget } from "./ssh";
export type { WinrmTarget } from "./winrm";

export type Target = FileTarget | WinrmTarget | SshTarget;

/** Every kind's declaration, by name. */
export const TARGET_KINDS: Readonly<Record<Target["kind"], TargetKind>> = { file: FILE_KIND, winrm: WINRM_KIND, ssh: SSH_KIND };

/** "kind" and every kind's identity fields: what must be known to tell which server and file a target names. */
export const IDENTITY_FIELDS: readonly string[] = [
    "kind",
    ...new Set(Object.values(TARGET_KINDS).flatMap((kind) => Object.entries(kind.fields).filter(([, spec]) => spec.identity).map(([name]) => name))),
];

function kindOf(target: unknown): TargetKind | undefined {
    const kind = (target as { kind?: unknown } | undefined)?.kind;
    return typeof kind === "string" && Object.prototype.hasOwnProperty.call(TARGET_KINDS, kind) ? TARGET_KINDS[kind as Target["kind"]] : undefined;
}

/** Validates `target`; failures name the field (e.g. "target.path") and what is allowed. */
export function checkTarget(value: unknown, failures: CheckFailure[]): unknown {
    if (isUnknown(value)) return value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        failures.push({ property: "target", reason: `target must be an object such as { kind: "file", path: "C:\\\\Windows\\\\System32\\\\inetsrv\\\\config\\\\applicationHost.config" }, got ${show(value)}` });
        return undefined;
    }
    const fields = value as Record<string, unknown>;
    const kind = kindOf(fields);
    if (kind === undefined) {
        const kinds = Object.keys(TARGET_KINDS).map((name) => `"${name}"`).join(", ");
        failures.push({ property: "target.kind", reason: `target.kind must be one of ${kinds}, got ${show(fields.kind)}` });
        return undefined;
    }
    return checkTargetOf(kind, fields, failures);
}

/** True if any part of the target that identifies the server or file is not known yet (preview). */
export function identityUnknown(target: unknown): boolean {
    if (isUnknown(target)) return true;
    const kind = kindOf(target);
    return kind === undefined || identityFieldUnknown(kind, target as Record<string, unknown>);
}

/** What names the server and file: equal identities are the same settings. */
export function targetIdentity(target: Target): string {
    const kind = kindOf(target);
    if (kind === undefined) throw new Error(`unknown target kind ${show((target as { kind?: unknown }).kind)}`);
    return identityOf(kind, target as unknown as Record<string, unknown>);
}

/** Whether the target holds a secret field (password, key, ...), nested ones included. */
export function targetHoldsSecret(target: Readonly<Record<string, unknown>>): boolean {
    const kind = kindOf(target);
    return kind !== undefined && holdsSecret(kind.fields, target);
}

/** Compares two targets field by field (an update is needed when anything but identity differs). */
export function sameTarget(a: unknown, b: unknown): boolean {
    return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}
