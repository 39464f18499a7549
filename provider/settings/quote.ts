/**
 * How user values appear in messages: quoted, and never whole when long. A 1 MB timeout string
 * quoted whole would flood a terminal and the engine's log; a prefix says enough to find it.
 * Lone surrogates are shown as \u escapes (JSON.stringify does so), so a message built from any
 * input is well-formed Unicode and can travel over gRPC.
 */

/** The longest part of a value quoted in a message, in UTF-16 code units. */
export const QUOTED_PREFIX_LENGTH = 80;

/** `text` in double quotes (JSON escapes), cut to a prefix with the count of what was left out. */
export function quote(text: string, limit = QUOTED_PREFIX_LENGTH): string {
    if (text.length <= limit) return JSON.stringify(text);
    // Do not cut a surrogate pair in half: the half would be shown as an escape that was never typed.
    let end = limit;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    return `${JSON.stringify(text.slice(0, end))}… (${text.length - end} more characters)`;
}

/** Any value as a message shows it: strings quoted by `quote`, others as bounded JSON. */
export function show(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") return quote(value);
    if (typeof value === "number") return String(value); // NaN and Infinity too (JSON would say null)
    let json: string | undefined;
    try {
        json = JSON.stringify(value);
    } catch {
        json = undefined;
    }
    const text = json ?? String(value);
    return text.length <= QUOTED_PREFIX_LENGTH ? text : `${text.slice(0, QUOTED_PREFIX_LENGTH)}… (${text.length - QUOTED_PREFIX_LENGTH} more characters)`;
}

/** The index of the first lone surrogate in `text` (one not part of a pair), or -1. */
export function loneSurrogateAt(text: string): number {
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0xd800 || c > 0xdfff) continue;
        if (c <= 0xdbff) {
            const next = text.charCodeAt(i + 1);
            if (next >= 0xdc00 && next <= 0xdfff) {
                i++;
                continue;
            }
        }
        return i;
    }
    return -1;
}

/** `text` with each lone surrogate replaced by U+FFFD, as a UTF-8 encoder would write it. */
export function wellFormed(text: string): string {
    return loneSurrogateAt(text) === -1 ? text : text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}
