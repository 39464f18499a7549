/**
 * The `system.webServer/asp/session` element as IIS's schema defines it (identical from IIS 7.0
 * to 10): four attributes, their types, defaults and validation. Values travel through the
 * provider in canonical form: booleans, a uint32 number, and a TimeSpan string as IIS writes it.
 */
import { quote } from "./quote";
import { checkSessionTimeout, formatTimeSpan } from "./timespan";

/** The attributes in IIS's schema order, which is also the order new attributes are written in. */
export const SESSION_ATTRIBUTES = ["allowSessionState", "keepSessionIdSecure", "max", "timeout"] as const;
export type SessionAttribute = (typeof SESSION_ATTRIBUTES)[number];

/** Every attribute with a value: what IIS applies at a location once inheritance is resolved. */
export interface SessionValues {
    allowSessionState: boolean;
    keepSessionIdSecure: boolean;
    max: number;
    /** Canonical TimeSpan, `hh:mm:ss` or `d.hh:mm:ss`, whole minutes. */
    timeout: string;
}

/** The attributes a resource manages, or a location sets; an absent one is not set there. */
export type SessionSettings = Partial<SessionValues>;

/** Attribute text exactly as written in the file (not decoded or normalised); absent = not set. */
export type RawSessionAttributes = Partial<Record<SessionAttribute, string>>;

/** The schema's defaults, used where neither the server nor any location sets a value. */
export const SESSION_DEFAULTS: SessionValues = {
    allowSessionState: true,
    keepSessionIdSecure: true,
    max: 4294967295,
    timeout: "00:20:00",
};

export const UINT32_MAX = 4294967295;

export type ValueParse<T> = { ok: true; value: T } | { ok: false; reason: string };

export function isSessionAttribute(name: string): name is SessionAttribute {
    return (SESSION_ATTRIBUTES as readonly string[]).includes(name);
}

/** Reads an attribute's text as IIS reads it from a configuration file. */
export function parseAttributeText<A extends SessionAttribute>(attribute: A, text: string): ValueParse<SessionValues[A]>;
export function parseAttributeText(attribute: SessionAttribute, text: string): ValueParse<boolean | number | string> {
    switch (attribute) {
        case "allowSessionState":
        case "keepSessionIdSecure": {
            const lowered = text.trim().toLowerCase();
            if (lowered === "true") return { ok: true, value: true };
            if (lowered === "false") return { ok: true, value: false };
            return { ok: false, reason: `${quote(text)} is not a boolean (true or false)` };
        }
        case "max": {
            const trimmed = text.trim();
            if (!/^\d+$/.test(trimmed) || Number(trimmed) > UINT32_MAX) {
                return { ok: false, reason: `${quote(text)} is not a whole number from 0 to ${UINT32_MAX}` };
            }
            return { ok: true, value: Number(trimmed) };
        }
        case "timeout": {
            const checked = checkSessionTimeout(text);
            return checked.ok ? { ok: true, value: formatTimeSpan(checked.seconds) } : checked;
        }
    }
}

/** The text the provider writes for a canonical value: what IIS itself would write. */
export function formatAttribute(attribute: SessionAttribute, value: boolean | number | string): string {
    switch (attribute) {
        case "allowSessionState":
        case "keepSessionIdSecure":
            return value ? "true" : "false";
        case "max":
        case "timeout":
            return String(value);
    }
}

/** Compares two canonical values of one attribute. */
export function sameValue(attribute: SessionAttribute, a: unknown, b: unknown): boolean {
    if (attribute === "timeout" && typeof a === "string" && typeof b === "string") {
        const pa = checkSessionTimeout(a), pb = checkSessionTimeout(b);
        if (pa.ok && pb.ok) return pa.seconds === pb.seconds;
    }
    return a === b;
}
