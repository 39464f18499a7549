/**
 * What the drift audit found, in the one shape every output is made from: the table, `--json`,
 * `--junit` and `--html`. `servers` keeps the fields scripts already read (name, location, status,
 * live, desired, differences, error) with their meaning.
 */
import type { SessionAttribute, SessionSettings } from "../../provider/settings/schema";

/**
 * `overridden`: a web.config on the way sets a desired attribute, so IIS applies its value whatever
 * applicationHost.config says; `no-such-site`: the location names a site the server does not have,
 * so its settings apply to nothing.
 */
export type AuditStatus = "in-sync" | "drift" | "overridden" | "no-such-site" | "error";

/**
 * Why a server could not be read: `unreachable` (DNS, refused, timeout), `auth` (refused
 * credentials, host key), `config` (the file is malformed or IIS would refuse it), `missing` (file
 * or folder absent), `other`.
 */
export type ErrorKind = "unreachable" | "auth" | "config" | "missing" | "other";

/**
 * Where an effective value comes from: set at the `location` itself, a `parent` location (`from`
 * names it), the `server` level, the schema `default`, a `webConfig` (`from` names the file);
 * `inherited` when the backend knows only that it is set above the location (IIS's API does not
 * say where).
 */
export type EffectiveSource = "location" | "parent" | "server" | "default" | "inherited" | "webConfig";

export type SessionValue = boolean | number | string;

export interface EffectiveValue {
    value: SessionValue;
    source: EffectiveSource;
    /** With source "parent": the location path the value is set at; with "webConfig": the file. */
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
    /** With overridden and no-such-site: why, naming the web.config or the closest site. */
    reason?: string;
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
    overridden: number;
    noSuchSite: number;
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
        overridden: entries.filter((entry) => entry.status === "overridden").length,
        noSuchSite: entries.filter((entry) => entry.status === "no-such-site").length,
        error: entries.filter((entry) => entry.status === "error").length,
    };
}

const STATUS_ORDER: Readonly<Record<AuditStatus, number>> = { error: 0, "no-such-site": 1, overridden: 2, drift: 3, "in-sync": 4 };

/** Where an effective value comes from, in words: "default", "parent Site", "web.config D:\\site\\web.config". */
export function describeSource(effective: EffectiveValue): string {
    if (effective.source === "parent") return `parent ${effective.from === "" || effective.from === undefined ? "(server)" : effective.from}`;
    return effective.source === "webConfig" ? `web.config ${effective.from ?? ""}` : effective.source;
}

/** Errors first, then missing sites, overrides, drift, in sync; by server name, then location, within each. */
export function byStatusThenName(a: AuditEntry, b: AuditEntry): number {
    return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name) || a.location.localeCompare(b.location);
}
