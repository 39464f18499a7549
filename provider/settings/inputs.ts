/**
 * `check`: turns what a Pulumi program passed into validated, canonical inputs, or into failures
 * that each name the field and say what is allowed. Nothing is written anywhere from here.
 */
import { parseLocation } from "./location";
import { loneSurrogateAt, quote, show } from "./quote";
import { SESSION_ATTRIBUTES, SessionAttribute, UINT32_MAX } from "./schema";
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
    if (/^\s*\d+\s*$/.test(value)) return { ok: false, reason: bareNumberHint(value) };
    const checked = checkSessionTimeout(value);
    if (!checked.ok) return { ok: false, reason: `${checked.reason}; must be ${allowed}` };
    return { ok: true, value: formatTimeSpan(checked.seconds) };
}

/**
 * Why a bare string of digits is refused, and what to write instead: the TimeSpan for that many
 * minutes, or for that many days (how .NET reads it), only where either fits IIS's range.
 */
export function bareNumberHint(value: string): string {
    const digits = value.trim().replace(/^0+(?=\d)/, "");
    const count = Number(digits);
    const maxMinutes = MAX_SESSION_TIMEOUT_SECONDS / 60, maxDays = MAX_SESSION_TIMEOUT_SECONDS / 86_400;
    const meanings: string[] = [];
    if (count <= maxMinutes) meanings.push(`write "${formatTimeSpan(count * 60)}" or pass the number ${count} for ${count} minutes`);
    if (count <= maxDays) meanings.push(`write "${formatTimeSpan(count * 86_400)}" for ${count} days`);
    const head = `${quote(value)} is ambiguous (.NET reads a bare number as days)`;
    if (meanings.length > 0) return `${head}; ${meanings.join(", or ")}`;
    return `${head}, and is out of range either way: the most IIS accepts is 365.00:00:00 (${maxMinutes} minutes)`;
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

/**
 * Refuses every string among the inputs that is not valid Unicode (a lone surrogate: half of a
 * UTF-16 pair, which no file or protocol can carry), naming the field. Returns the inputs without
 * the fields holding one, or undefined when there is none.
 */
export function refuseMalformedText(news: Record<string, unknown>, failures: CheckFailure[]): Record<string, unknown> | undefined {
    const before = failures.length;
    const refused = new Set<string>();
    const visit = (value: unknown, property: string, field: string): void => {
        if (typeof value === "string") {
            const at = loneSurrogateAt(value);
            if (at === -1) return;
            refused.add(field);
            failures.push({ property, reason: `${property} is not valid Unicode text: it holds half of a UTF-16 surrogate pair at position ${at} (${quote(value)}); type the text again` });
        } else if (Array.isArray(value)) {
            value.forEach((item, i) => visit(item, `${property}[${i}]`, field));
        } else if (typeof value === "object" && value !== null) {
            for (const [key, inner] of Object.entries(value)) {
                if (loneSurrogateAt(key) !== -1) {
                    refused.add(field);
                    failures.push({ property, reason: `${property} has a field name that is not valid Unicode text (${quote(key)})` });
                } else {
                    visit(inner, `${property}.${key}`, field);
                }
            }
        }
    };
    for (const [key, value] of Object.entries(news)) {
        if (key === "__provider") continue;
        if (loneSurrogateAt(key) !== -1) {
            refused.add(key);
            failures.push({ property: "(input name)", reason: `an input name is not valid Unicode text (${quote(key)})` });
        } else {
            visit(value, key, key);
        }
    }
    if (failures.length === before) return undefined;
    const inputs = { ...news };
    for (const field of refused) delete inputs[field];
    return inputs;
}

export { show } from "./quote";
