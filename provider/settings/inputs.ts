/**
 * `check`: turns what a Pulumi program passed into validated, canonical inputs, or into failures
 * that each name the field and say what is allowed. Nothing is written anywhere from here.
 */
import { parseLocation } from "./location";
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings, UINT32_MAX } from "./schema";
import { checkSessionTimeout, formatTimeSpan, MAX_SESSION_TIMEOUT_SECONDS } from "./timespan";

/** The value the engine sends for inputs not yet known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

export type OnDelete = "restore" | "inherit";

/**
 * What a failed create or update does: "fail" the step (the default), or "record" the failure in
 * the resource's state and succeed, so a fleet rollout can tolerate a few failed servers.
 */
export type OnApplyFailure = "fail" | "record";

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Booleans: true/false, or their strings in any case (as IIS reads them, and as config values arrive). */
export function normalizeBoolean(value: unknown): Normalized<boolean> {
    if (typeof value === "boolean") return { ok: true, value };
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
        return { ok: true, value: value.trim().toLowerCase() === "true" };
    }
    return { ok: false, reason: `must be true or false, got ${show(value)}` };
}

/** `max`: a uint32, as a number or a string of digits. */
export function normalizeMax(value: unknown): Normalized<number> {
    const number = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > UINT32_MAX) {
        return { ok: false, reason: `must be a whole number from 0 to ${UINT32_MAX} (uint32), got ${show(value)}` };
    }
    return { ok: true, value: number };
}

/**
 * `timeout`: a TimeSpan string (`hh:mm:ss`, `d.hh:mm:ss`, or `hh:mm`) or a number of minutes,
 * in whole minutes from 0 to 365 days; written back as IIS writes it. A bare string of digits is
 * refused: .NET would read "10" as ten days, which is never what "10" was meant to say.
 */
export function normalizeTimeout(value: unknown): Normalized<string> {
    const allowed = `a TimeSpan in whole minutes from 00:00:00 to 365.00:00:00 (hh:mm:ss or d.hh:mm:ss), or a number of minutes`;
    if (typeof value === "number") {
        if (!Number.isInteger(value) || value < 0 || value * 60 > MAX_SESSION_TIMEOUT_SECONDS) {
            return { ok: false, reason: `must be ${allowed}; ${value} minutes is not` };
        }
        return { ok: true, value: formatTimeSpan(value * 60) };
    }
    if (typeof value !== "string") return { ok: false, reason: `must be ${allowed}, got ${show(value)}` };
    if (/^\s*\d+\s*$/.test(value)) {
        return { ok: false, reason: `"${value}" is ambiguous (.NET reads it as days); write "${formatTimeSpan(Math.min(Number(value), 525600) * 60)}" for ${Number(value)} minutes, or pass the number ${Number(value)}` };
    }
    const checked = checkSessionTimeout(value);
    if (!checked.ok) return { ok: false, reason: `${checked.reason}; must be ${allowed}` };
    return { ok: true, value: formatTimeSpan(checked.seconds) };
}

export function normalizeAttribute(attribute: SessionAttribute, value: unknown): Normalized<boolean | number | string> {
    switch (attribute) {
        case "allowSessionState":
        case "keepSessionIdSecure":
            return normalizeBoolean(value);
        case "max":
            return normalizeMax(value);
        case "timeout":
            return normalizeTimeout(value);
    }
}

export function normalizeOnDelete(value: unknown): Normalized<OnDelete> {
    if (value === undefined || value === null) return { ok: true, value: "restore" };
    if (value === "restore" || value === "inherit") return { ok: true, value };
    return { ok: false, reason: `must be "restore" (put back what was there before) or "inherit" (remove the managed attributes), got ${show(value)}` };
}

/**
 * Checks the settings fields shared by every target kind: location, the four attributes and
 * onDelete. Unknown values (preview) pass through untouched, to be checked once known.
 */
export function checkSettingsFields(news: Record<string, unknown>, failures: CheckFailure[]): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    const location = news.location;
    if (isUnknown(location)) inputs.location = location;
    else if (location === undefined || location === null) inputs.location = "";
    else if (typeof location !== "string") failures.push({ property: "location", reason: `must be a string ("" for the server, "Site" or "Site/app/..."), got ${show(location)}` });
    else {
        const parsed = parseLocation(location);
        if (parsed.ok) inputs.location = parsed.path;
        else failures.push({ property: "location", reason: parsed.reason });
    }
    for (const attribute of SESSION_ATTRIBUTES) {
        const value = news[attribute];
        if (value === undefined || value === null) continue;
        if (isUnknown(value)) {
            inputs[attribute] = value;
            continue;
        }
        const normalized = normalizeAttribute(attribute, value);
        if (normalized.ok) inputs[attribute] = normalized.value;
        else failures.push({ property: attribute, reason: `${attribute} ${normalized.reason}` });
    }
    const onDelete = normalizeOnDelete(news.onDelete);
    if (onDelete.ok) inputs.onDelete = onDelete.value;
    else failures.push({ property: "onDelete", reason: `onDelete ${onDelete.reason}` });
    const onApplyFailure = news.onApplyFailure;
    if (onApplyFailure === "record") inputs.onApplyFailure = onApplyFailure;
    else if (onApplyFailure !== undefined && onApplyFailure !== null && onApplyFailure !== "fail") {
        failures.push({ property: "onApplyFailure", reason: `onApplyFailure must be "fail" (a failed apply fails the deployment) or "record" (it is recorded in applyFailure), got ${show(onApplyFailure)}` });
    }
    return inputs;
}

/** The managed attributes of canonical inputs (unknowns included as they are). */
export function managedSettings(inputs: Record<string, unknown>): SessionSettings {
    const settings: Record<string, unknown> = {};
    for (const attribute of SESSION_ATTRIBUTES) {
        if (inputs[attribute] !== undefined && inputs[attribute] !== null) settings[attribute] = inputs[attribute];
    }
    return settings as SessionSettings;
}

export function show(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") return JSON.stringify(value);
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
