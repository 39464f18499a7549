/**
 * Location paths as IIS uses them in `<location path="...">`: "" for the whole server, "Site" for a
 * site, "Site/app/sub" for an application or folder. IIS compares them case-insensitively.
 */
import { quote } from "./quote";

export type LocationParse = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalises a user's location: surrounding slashes are dropped ("/Site/app/" is "Site/app").
 * Refused, with the reason: backslashes (IIS separates with "/"), empty, "." or ".." segments,
 * control characters (XML 1.0 cannot carry most of them in an attribute), and white space at
 * either end of a segment: IIS site and application names cannot have it, so "Site " would name
 * a location no site ever has, and the settings would silently apply nowhere.
 */
export function parseLocation(input: string): LocationParse {
    if (/[\u0000-\u001f\u007f]/.test(input)) {
        return { ok: false, reason: `${quote(input)} contains a control character; location paths are "Site" or "Site/app/..."` };
    }
    if (input.includes("\\")) {
        return { ok: false, reason: `${quote(input)} contains "\\"; separate site and application with "/", e.g. "Default Web Site/shop"` };
    }
    const path = input.replace(/^\/+|\/+$/g, "");
    if (path === "" || path === ".") return { ok: true, path: "" };
    const segments = path.split("/");
    for (const segment of segments) {
        if (segment === "") return { ok: false, reason: `${quote(input)} has an empty segment ("//"); use "Site" or "Site/app/..."` };
        if (segment === "." || segment === "..") return { ok: false, reason: `${quote(input)} has a "${segment}" segment; use "Site" or "Site/app/..."` };
        if (segment.trim() === "") return { ok: false, reason: `${quote(input)} has a segment of only spaces` };
        if (segment.trim() !== segment) {
            return { ok: false, reason: `${quote(input)} has white space at the start or end of ${quote(segment)}; IIS site and application names cannot, so no site would match (did you mean ${quote(segment.trim())}?)` };
        }
    }
    return { ok: true, path };
}

/** The form two paths are compared in, as IIS compares them: without surrounding "/", ignoring case. */
export function locationKey(path: string): string {
    // Without the regular expression for a path that has no "/" at either end (nearly all: an
    // index of 300,000 locations computes a key for each).
    const trimmed = path.charCodeAt(0) === 0x2f || path.charCodeAt(path.length - 1) === 0x2f ? path.replace(/^\/+|\/+$/g, "") : path;
    return (trimmed === "." ? "" : trimmed).toLowerCase();
}

/**
 * True if `path` (as written in a file) has the key `key` (from locationKey): the same as
 * `locationKey(path) === key`, without a regular expression or a lowered copy for the many paths
 * that differ in length (a large applicationHost.config has tens of thousands of locations).
 * The length test is taken only for an ASCII key: lowering a non-ASCII character can change a
 * string's length, but never turns it into ASCII.
 */
export function hasLocationKey(path: string, key: string, keyIsAscii: boolean): boolean {
    let start = 0, end = path.length;
    while (start < end && path.charCodeAt(start) === 0x2f) start++;
    while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
    if (end - start === 1 && path.charCodeAt(start) === 0x2e) return key === "";
    if (keyIsAscii && end - start !== key.length) return false;
    return path.slice(start, end).toLowerCase() === key;
}

export function isAscii(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
    return true;
}

export function sameLocation(a: string, b: string): boolean {
    return locationKey(a) === locationKey(b);
}

/**
 * The paths whose settings a location inherits, nearest last, not including the server level:
 * "Site/app/sub" gives ["Site", "Site/app", "Site/app/sub"].
 */
export function locationLineage(path: string): string[] {
    const normal = path.replace(/^\/+|\/+$/g, "");
    if (normal === "" || normal === ".") return [];
    const segments = normal.split("/");
    return segments.map((_, i) => segments.slice(0, i + 1).join("/"));
}

/** How a location reads in messages: the server level has no path of its own. */
export function describeLocation(path: string): string {
    return path === "" ? "the server level" : `location ${quote(path)}`;
}
