/**
 * Writing XML as strings. Every text and attribute value that reaches a message goes through
 * escapeText/escapeAttribute, so values holding `<>&"'` (environment variables, command
 * arguments, paths) round-trip unchanged through a conforming parser.
 */

/**
 * Escapes character data. CR is written as a character reference because a parser would
 * otherwise normalise CRLF to LF (XML 1.0 §2.11) and a command argument would change.
 */
export function escapeText(value: string): string {
    assertXmlChars(value);
    return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]);
}

/** Escapes an attribute value for use inside double quotes; tab/LF/CR survive attribute normalisation as references. */
export function escapeAttribute(value: string): string {
    assertXmlChars(value);
    return value.replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

/** Attributes of an element in the order written; undefined values are left out. */
export type AttributeList = ReadonlyArray<readonly [string, string | undefined]>;

/**
 * One element as a string. `content` is already-serialised markup (from other `element` calls),
 * or use `textElement` for character data. Empty content gives a self-closing tag.
 */
export function element(qualifiedName: string, attributes: AttributeList, content = ""): string {
    const attrs = serializeAttributes(attributes);
    return content === "" ? `<${qualifiedName}${attrs}/>` : `<${qualifiedName}${attrs}>${content}</${qualifiedName}>`;
}

/** An element whose content is the escaped text (written with an end tag even when empty). */
export function textElement(qualifiedName: string, attributes: AttributeList, text: string): string {
    return `<${qualifiedName}${serializeAttributes(attributes)}>${escapeText(text)}</${qualifiedName}>`;
}

function serializeAttributes(attributes: AttributeList): string {
    return attributes
        .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
        .map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`)
        .join("");
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
};

/**
 * XML 1.0 cannot carry NUL or most C0 controls even as references; refuse them here with a
 * message naming the character rather than let the server fault on an unreadable request.
 */
function assertXmlChars(value: string): void {
    // eslint-disable-next-line no-control-regex
    const bad = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.exec(value);
    if (bad !== null) {
        const code = bad[0].charCodeAt(0).toString(16).padStart(4, "0");
        throw new RangeError(`U+${code} at offset ${bad.index} cannot be sent in XML 1.0 (value: ${JSON.stringify(value.slice(0, 60))})`);
    }
}
