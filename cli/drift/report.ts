/**
 * What the drift audit found, in the one shape every output is made from: the table, `--json`,
 * `--junit` and `--html`. `servers` keeps the fields scripts already read (name, location, status,
 * live, desired, differences, error) with their meaning.
 */
import type { SessionAttribute, SessionSettings } from "../../provider/settings/schema";

export type AuditStatus = "in-sync" | "drift" | "error";

/**
 * Why a server could not be read: `unreachable` (DNS, refused, timeout), `auth` (refused
 * credentials, host key), `config` (the file is malformed or IIS would refuse it), `missing` (file
 * or folder absent), `other`.
 */
export type ErrorKind = "unreachable" | "auth" | "config" | "missing" | "other";

/**
 * Where an effective value comes from: set at the `location` itself, a `parent` location (`from`
 * names it), the `server` level, the schema `default`; `inherited` when the backend knows only that
 * it is set above the location (IIS's API does not say where).
 */
export type EffectiveSource = "location" | "parent" | "server" | "default" | "inherited";

export type SessionValue = boolean | number | string;

export interface EffectiveValue {
    value: SessionValue;
    source: EffectiveSource;
    /** With source "parent": the location path the value is set at. */
    from?: string;
}

/** The server a row is about: its kind and host, or the file's path. */
export type AuditTarget = { kind: "file"; path: string } | { kind: "winrm" | "ssh"; host: string };

/** One server and location. */
export interface AuditEntry {
    name: string;
    target: AuditTarget;
    location: string;
    status: AuditStatus;
    /** The desired values of the managed attributes. */
    desired: SessionSettings;
    /** Each desired attribute as set at the location (null: not set there, so inherited); empty on error. */
    live: Partial<Record<SessionAttribute, SessionValue | null>>;
    /** Each desired attribute's effective value and where it comes from; empty on error. */
    effective: Partial<Record<SessionAttribute, EffectiveValue>>;
    /** The desired attributes that differ, in schema order. */
    differences: SessionAttribute[];
    /** On error: the host or file, the step and why. */
    error?: string;
    errorKind?: ErrorKind;
}

export interface AuditSummary {
    /** Distinct servers in the inventory (after --limit). */
    servers: number;
    /** Rows checked: servers x locations. */
    locations: number;
    inSync: number;
    drift: number;
    error: number;
}

export interface AuditReport {
    tool: { name: string; version: string };
    /** ISO 8601, UTC. */
    startedAt: string;
    durationMs: number;
    summary: AuditSummary;
    servers: AuditEntry[];
}

/** The counts of a set of rows. */
export function summarise(entries: readonly AuditEntry[]): AuditSummary {
    return {
        servers: new Set(entries.map((entry) => entry.name)).size,
        locations: entries.length,
        inSync: entries.filter((entry) => entry.status === "in-sync").length,
        drift: entries.filter((entry) => entry.status === "drift").length,
        error: entries.filter((entry) => entry.status === "error").length,
    };
}

const STATUS_ORDER: Readonly<Record<AuditStatus, number>> = { error: 0, drift: 1, "in-sync": 2 };

/** Errors first, then drift, then in sync; by server name, then location, within each. */
export function byStatusThenName(a: AuditEntry, b: AuditEntry): number {
    return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name) || a.location.localeCompare(b.location);
}
