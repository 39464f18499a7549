/**
 * IIS stores `session/@timeout` as a .NET TimeSpan string. This module reads the spellings .NET's
 * TimeSpan.Parse accepts and writes the one IIS itself writes (the "c" format: `hh:mm:ss`, and
 * `d.hh:mm:ss` past one day), so values compare by meaning, not by text.
 */
import { quote } from "./quote";

/** Whole seconds; IIS's session timeout is validated in whole minutes, 0 to 365 days. */
export const MAX_SESSION_TIMEOUT_SECONDS = 31_536_000;
const SECONDS_PER_MINUTE = 60;

export type TimeSpanParse =
    | { ok: true; seconds: number; fractional: boolean }
    | { ok: false; reason: string };

/**
 * Parses the .NET TimeSpan forms `[-]d`, `[-][d.]hh:mm`, `[-][d.]hh:mm:ss[.fffffff]`, with
 * surrounding white space. Hours must be 0-23 and minutes/seconds 0-59, as .NET requires
 * (`24:00:00` is not 24 hours there, so it is refused rather than guessed at).
 */
export function parseTimeSpan(text: string): TimeSpanParse {
    const match = /^\s*(-)?(?:(\d+)|(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?)\s*$/.exec(text);
    if (!match) {
        return { ok: false, reason: `${quote(text)} is not a TimeSpan (expected hh:mm:ss or d.hh:mm:ss)` };
    }
    const [, minus, daysOnly, days, hours, minutes, seconds, fraction] = match;
    if (daysOnly !== undefined) {
        const total = Number(daysOnly) * 86_400;
        return { ok: true, seconds: minus ? -total : total, fractional: false };
    }
    const h = Number(hours), m = Number(minutes), s = seconds === undefined ? 0 : Number(seconds);
    if (h > 23) return { ok: false, reason: `${quote(text)} has ${h} hours; hours must be 0-23 (write days as d.hh:mm:ss)` };
    if (m > 59) return { ok: false, reason: `${quote(text)} has ${m} minutes; minutes must be 0-59` };
    if (s > 59) return { ok: false, reason: `${quote(text)} has ${s} seconds; seconds must be 0-59` };
    const total = Number(days ?? 0) * 86_400 + h * 3600 + m * 60 + s;
    const fractional = fraction !== undefined && /[1-9]/.test(fraction);
    return { ok: true, seconds: minus ? -total : total, fractional };
}

/** Formats whole seconds the way IIS writes a TimeSpan: `hh:mm:ss`, or `d.hh:mm:ss` from one day. */
export function formatTimeSpan(totalSeconds: number): string {
    if (!Number.isSafeInteger(totalSeconds) || totalSeconds < 0) {
        throw new RangeError(`cannot format ${totalSeconds} seconds as a session timeout`);
    }
    const days = Math.floor(totalSeconds / 86_400);
    const rest = totalSeconds % 86_400;
    const pad = (n: number) => String(n).padStart(2, "0");
    const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    return days > 0 ? `${days}.${clock}` : clock;
}

export type SessionTimeoutParse = { ok: true; seconds: number } | { ok: false; reason: string };

/**
 * Checks a parsed TimeSpan against the schema's `timeSpanRange` "0,31536000,60": whole minutes
 * from 0 to 365 days. IIS refuses anything else when it loads the file.
 */
export function checkSessionTimeout(text: string): SessionTimeoutParse {
    const parsed = parseTimeSpan(text);
    if (!parsed.ok) return parsed;
    if (parsed.seconds < 0) return { ok: false, reason: `${quote(text)} is negative; the timeout must be 0 to 365 days` };
    if (parsed.fractional || parsed.seconds % SECONDS_PER_MINUTE !== 0) {
        return { ok: false, reason: `${quote(text)} is not a whole number of minutes; IIS accepts only whole minutes` };
    }
    if (parsed.seconds > MAX_SESSION_TIMEOUT_SECONDS) {
        return { ok: false, reason: `${quote(text)} is more than 365 days (365.00:00:00), the most IIS accepts` };
    }
    return { ok: true, seconds: parsed.seconds };
}
