/**
 * The state a resource was stored with, read as untrusted: it may have been written by an older
 * version of this package, or edited by hand (`pulumi state edit`). It passes the same checks as a
 * program's inputs, so every problem names the field and says what is allowed, and the provider
 * answers with a clear error (or, in diff, a replacement) instead of failing on a missing field.
 */
import * as fs from "fs";
import { CreationRecord, CREATED_LEVELS, NOTHING_CREATED } from "./apphost/sessionEditor";
import { checkSettingsFields, CheckFailure, OnDelete, show } from "./settings/inputs";
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings, SessionValues } from "./settings/schema";
import { checkTarget, Target } from "./targets";

/** What the provider needs from a stored resource, validated. */
export interface PriorState extends SessionSettings {
    target: Target;
    location: string;
    onDelete: OnDelete;
    effective: SessionValues | undefined;
    previous: Partial<Record<SessionAttribute, string | null>>;
    created: CreationRecord;
}

/** On failure, the target and location when they alone were readable (diff still compares them). */
export type PriorStateReading =
    | { ok: true; state: PriorState }
    | { ok: false; failures: CheckFailure[]; target: Target | undefined; location: string | undefined };

/**
 * Raised by read, update and delete when the stored state cannot be used. Its advice is what works
 * with Pulumi's engine, which cannot import a dynamic resource (pulumi/pulumi#16175): forget the
 * entry and let create adopt the location again.
 */
export class PriorStateError extends Error {
    constructor(readonly id: string, readonly failures: CheckFailure[]) {
        super(`the stored state of AspSessionSettings "${id}" cannot be used (written by another version, or edited): ` +
            failures.map((failure) => failure.reason.startsWith(failure.property) ? failure.reason : `${failure.property}: ${failure.reason}`).join("; ") +
            `. To rebuild the entry, run pulumi state delete <its URN> (pulumi stack --show-urns lists them), then pulumi up: ` +
            `create adopts the values already at the location and records them, so a later delete restores them. Or fix the field with pulumi state edit`);
        this.name = "PriorStateError";
    }
}

/**
 * The id of a file target says where it lives ("file:<absolute path>|<location>"): enough for
 * state that lost its target and location (a hand edit). Other ids carry no credentials.
 */
export function fileTargetFromId(id: string, exists: (path: string) => boolean = (path) => fs.existsSync(path)): { target: Target; location: string } | undefined {
    const parts = splitFileTargetId(id, exists);
    return parts ? { target: { kind: "file", path: parts.path }, location: parts.location } : undefined;
}

/**
 * Splits "file:<path>|<location>". Either part may hold "|" (a location may; a POSIX path may),
 * so the split is the first "|" after which the path names an existing file, else the first "|"
 * (a Windows path cannot hold one).
 */
export function splitFileTargetId(id: string, exists: (path: string) => boolean): { path: string; location: string } | undefined {
    if (!id.startsWith("file:")) return undefined;
    const rest = id.slice("file:".length);
    const bars: number[] = [];
    for (let i = rest.indexOf("|"); i !== -1; i = rest.indexOf("|", i + 1)) bars.push(i);
    if (bars.length === 0 || bars[0] === 0) return undefined;
    const at = bars.find((bar) => exists(rest.slice(0, bar))) ?? bars[0];
    return { path: rest.slice(0, at), location: rest.slice(at + 1) };
}

export function readPriorState(id: string, props: Record<string, unknown>): PriorStateReading {
    const failures: CheckFailure[] = [];
    const fromId = props.target === undefined && props.location === undefined ? fileTargetFromId(id) : undefined;
    const targetValue = fromId?.target ?? props.target;
    let target: Target | undefined;
    if (targetValue === undefined || targetValue === null) {
        failures.push({ property: "target", reason: `target is missing (expected { kind: "file", path }, { kind: "winrm", host, ... } or { kind: "ssh", host, ... })` });
    } else {
        target = checkTarget(targetValue, failures) as Target | undefined;
    }
    const location = fromId?.location ?? props.location;
    if (location === undefined || location === null) {
        failures.push({ property: "location", reason: `location is missing (expected "" for the server, "Site" or "Site/app/...")` });
    }
    const settings = checkSettingsFields({ ...props, location }, failures) as SessionSettings & { location: string; onDelete: OnDelete };
    const previous = priorPrevious(props.previous, failures);
    if (failures.length > 0 || target === undefined) {
        const readable = (field: string) => !failures.some((failure) => failure.property === field || failure.property.startsWith(`${field}.`));
        return { ok: false, failures, target: readable("target") ? target : undefined, location: readable("location") ? settings.location : undefined };
    }
    const state: PriorState = {
        ...settings,
        target,
        location: settings.location,
        onDelete: settings.onDelete,
        effective: props.effective as SessionValues | undefined,
        previous,
        created: priorCreated(props.created),
    };
    return { ok: true, state };
}

/** Like readPriorState, but a failure is a PriorStateError (for read, update and delete). */
export function requirePriorState(id: string, props: Record<string, unknown>): PriorState {
    const reading = readPriorState(id, props);
    if (!reading.ok) throw new PriorStateError(id, reading.failures);
    return reading.state;
}

function priorPrevious(value: unknown, failures: CheckFailure[]): PriorState["previous"] {
    if (value === undefined || value === null) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
        failures.push({ property: "previous", reason: `previous must map attribute names to their text before this resource (or null), got ${show(value)}` });
        return {};
    }
    const previous: PriorState["previous"] = {};
    for (const [name, text] of Object.entries(value)) {
        if (!(SESSION_ATTRIBUTES as readonly string[]).includes(name)) {
            failures.push({ property: `previous.${name}`, reason: `previous.${name} is not a session attribute (${SESSION_ATTRIBUTES.join(", ")})` });
        } else if (text !== null && typeof text !== "string") {
            failures.push({ property: `previous.${name}`, reason: `previous.${name} must be the attribute's text or null, got ${show(text)}` });
        } else {
            previous[name as SessionAttribute] = text;
        }
    }
    return previous;
}

/** An unreadable creation record means "nothing created": delete then leaves the elements in place. */
function priorCreated(value: unknown): CreationRecord {
    const record = value as Partial<CreationRecord> | undefined;
    if (record && CREATED_LEVELS.includes(record.created as CreationRecord["created"]) && typeof record.parentCloseAs === "string") {
        return { created: record.created as CreationRecord["created"], parentCloseAs: record.parentCloseAs };
    }
    return NOTHING_CREATED;
}
