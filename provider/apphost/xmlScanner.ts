/**
 * A well-formedness-checking XML scanner that keeps offsets into the original text, so edits can
 * splice the text and leave every other byte as it was. A general parser throws offsets away and
 * re-serialises; that is why it cannot be used for applicationHost.config.
 *
 * It checks what makes IIS refuse a file (unbalanced or mismatched tags, bad attribute syntax,
 * duplicate attributes, stray "<" or "&", unterminated comments, text outside the root) and
 * materialises only the elements a caller asks for (see `ScanPolicy`): a 50 MB file with a
 * million elements yields a few thousand nodes.
 */

export interface XmlAttribute {
    name: string;
    /** The value with entity and character references decoded. */
    value: string;
    /** The value exactly as written between the quotes. */
    raw: string;
    quote: '"' | "'";
    /** Offset of the attribute's name. */
    start: number;
    /** Offsets of the value between the quotes. */
    valueStart: number;
    valueEnd: number;
    /** Offset just past the closing quote. */
    end: number;
}

export interface XmlElement {
    name: string;
    /** Offset of "<". */
    start: number;
    /** Offset just past the element name in the start tag. */
    nameEnd: number;
    /** Offset just past the last attribute (or the name): where new attributes go. */
    attributesEnd: number;
    /** Offset just past the start tag's ">" (or "/>"). */
    startTagEnd: number;
    selfClosing: boolean;
    /** Offset of "</" of the end tag; equals startTagEnd for a self-closing element. */
    endTagStart: number;
    /** Offset just past the element. */
    end: number;
    attributes: XmlAttribute[];
    /** Child elements, materialised only when the policy asks for this element's children. */
    children: XmlElement[];
    /** True if the element directly contains anything but white space and child elements. */
    hasOtherContent: boolean;
}

/** Which elements to materialise: the root always, then children of elements for which this says yes. */
export type ScanPolicy = (element: XmlElement, ancestors: readonly XmlElement[]) => boolean;

export interface XmlScan {
    root: XmlElement;
    /** Offset of the root's "<" and just past its end: what lies outside is prolog and epilog. */
    hasXmlDeclaration: boolean;
}

export class XmlSyntaxError extends Error {
    constructor(readonly reason: string, readonly offset: number, readonly line: number, readonly column: number) {
        super(`${reason} at line ${line}, column ${column}`);
        // Set explicitly: in Pulumi's serialised provider, `super(message)` does not set it.
        this.message = `${reason} at line ${line}, column ${column}`;
        this.name = "XmlSyntaxError";
    }
}

function fail(text: string, offset: number, reason: string): never {
    let line = 1, lineStart = 0;
    for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
        line++;
        lineStart = i + 1;
    }
    throw new XmlSyntaxError(reason, offset, line, offset - lineStart + 1);
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
function isSpace(c: number): boolean {
    return c === SPACE || c === LF || c === CR || c === TAB;
}
/** XML name characters, loosely: anything but white space and the markup delimiters. */
function isNameChar(c: number): boolean {
    return !(isSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */ || c === 0x3d /* = */ || c === 0x3c /* < */ ||
        c === 0x22 || c === 0x27 || c === 0x26 /* & */ || Number.isNaN(c));
}
function isNameStart(c: number): boolean {
    return isNameChar(c) && !(c >= 0x30 && c <= 0x39) && c !== 0x2d /* - */ && c !== 0x2e /* . */;
}

const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * The first "&" in [from, to), or -1. `text.indexOf("&", from)` alone would scan on to the next
 * "&" anywhere in the file: called for every attribute value and text run, that made a scan of a
 * 50 MB file take minutes where "&" is rare.
 */
function ampersandIn(text: string, from: number, to: number): number {
    for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x26) return i;
    return -1;
}

/** Decodes the references in an attribute value or text run, refusing malformed ones. */
function decodeReferences(text: string, from: number, to: number): string {
    let out = "";
    let last = from;
    for (let amp = ampersandIn(text, from, to); amp !== -1; amp = ampersandIn(text, last, to)) {
        const semi = text.indexOf(";", amp);
        if (semi === -1 || semi >= to || semi - amp > 12) fail(text, amp, `"&" that does not start a reference (write &amp;)`);
        const ref = text.slice(amp + 1, semi);
        let decoded: string | undefined;
        if (ref.startsWith("#x")) {
            decoded = /^#x[0-9a-fA-F]+$/.test(ref) ? codePoint(parseInt(ref.slice(2), 16)) : undefined;
        } else if (ref.startsWith("#")) {
            decoded = /^#[0-9]+$/.test(ref) ? codePoint(parseInt(ref.slice(1), 10)) : undefined;
        } else {
            decoded = Object.prototype.hasOwnProperty.call(PREDEFINED_ENTITIES, ref) ? PREDEFINED_ENTITIES[ref] : undefined;
        }
        if (decoded === undefined) fail(text, amp, `unknown or malformed reference "&${ref};"`);
        out += text.slice(last, amp) + decoded;
        last = semi + 1;
    }
    return last === from ? text.slice(from, to) : out + text.slice(last, to);
}

function codePoint(n: number): string | undefined {
    if (n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    return String.fromCodePoint(n);
}

function checkText(text: string, from: number, to: number): void {
    if (ampersandIn(text, from, to) !== -1) decodeReferences(text, from, to);
}

function isWhitespaceRun(text: string, from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
    return true;
}

interface Frame {
    element: XmlElement;
    /** Materialised (part of the returned tree) or scanned only. */
    materialised: boolean;
    materialiseChildren: boolean;
}

/**
 * Scans a whole document (text without a byte-order mark). Throws XmlSyntaxError with line and
 * column for anything that is not well-formed XML.
 */
export function scanXml(text: string, policy: ScanPolicy): XmlScan {
    const length = text.length;
    const stack: Frame[] = [];
    const ancestors: XmlElement[] = [];
    let root: XmlElement | undefined;
    let hasXmlDeclaration = false;
    let pos = 0;

    while (pos < length) {
        const lt = text.indexOf("<", pos);
        const textEnd = lt === -1 ? length : lt;
        if (textEnd > pos) {
            const top = stack[stack.length - 1];
            if (!top) {
                if (!isWhitespaceRun(text, pos, textEnd)) fail(text, pos, root ? "text after the root element" : "text before the root element");
            } else {
                checkText(text, pos, textEnd);
                if (top.materialised && !top.element.hasOtherContent && !isWhitespaceRun(text, pos, textEnd)) {
                    top.element.hasOtherContent = true;
                }
            }
        }
        if (lt === -1) break;
        const next = text.charCodeAt(lt + 1);
        if (next === 0x21 /* ! */) {
            if (text.startsWith("<!--", lt)) {
                const close = text.indexOf("-->", lt + 4);
                if (close === -1) fail(text, lt, "comment not closed (no -->)");
                const dashes = text.indexOf("--", lt + 4);
                if (dashes < close) fail(text, dashes, `"--" inside a comment`);
                markOtherContent(stack);
                pos = close + 3;
            } else if (text.startsWith("<![CDATA[", lt)) {
                if (stack.length === 0) fail(text, lt, "CDATA outside the root element");
                const close = text.indexOf("]]>", lt + 9);
                if (close === -1) fail(text, lt, "CDATA section not closed (no ]]>)");
                markOtherContent(stack);
                pos = close + 3;
            } else if (text.startsWith("<!DOCTYPE", lt)) {
                fail(text, lt, "DOCTYPE declarations are not supported in configuration files");
            } else {
                fail(text, lt, `"<!" that starts neither a comment nor CDATA`);
            }
        } else if (next === 0x3f /* ? */) {
            const close = text.indexOf("?>", lt + 2);
            if (close === -1) fail(text, lt, "processing instruction not closed (no ?>)");
            const target = /^<\?([^\s?]+)/.exec(text.slice(lt, Math.min(close + 2, lt + 64)));
            if (target && target[1].toLowerCase() === "xml") {
                if (lt !== 0) fail(text, lt, "XML declaration not at the start of the file");
                hasXmlDeclaration = true;
            }
            markOtherContent(stack);
            pos = close + 2;
        } else if (next === 0x2f /* / */) {
            let i = lt + 2;
            const nameStart = i;
            while (i < length && isNameChar(text.charCodeAt(i))) i++;
            const name = text.slice(nameStart, i);
            while (i < length && isSpace(text.charCodeAt(i))) i++;
            if (text.charCodeAt(i) !== 0x3e) fail(text, lt, `end tag </${name}> not closed with ">"`);
            const frame = stack.pop();
            if (!frame) fail(text, lt, `end tag </${name}> without a start tag`);
            if (frame.element.name !== name) fail(text, lt, `end tag </${name}> does not match <${frame.element.name}>`);
            frame.element.endTagStart = lt;
            frame.element.end = i + 1;
            if (frame.materialised) ancestors.pop();
            pos = i + 1;
        } else {
            const element = readStartTag(text, lt);
            const parent = stack[stack.length - 1];
            if (!parent && root) fail(text, lt, `a second root element <${element.name}>`);
            const materialised = !parent || parent.materialiseChildren;
            if (materialised) {
                if (parent) parent.element.children.push(element);
                else root = element;
            }
            pos = element.startTagEnd;
            if (!element.selfClosing) {
                const materialiseChildren = materialised && policy(element, ancestors);
                stack.push({ element, materialised, materialiseChildren });
                if (materialised) ancestors.push(element);
            }
        }
    }
    if (stack.length > 0) {
        const open = stack[stack.length - 1].element;
        fail(text, length, `<${open.name}> (opened at offset ${open.start}) is never closed: the file ends early`);
    }
    if (!root) fail(text, 0, "no root element");
    return { root, hasXmlDeclaration };
}

function markOtherContent(stack: Frame[]): void {
    const top = stack[stack.length - 1];
    if (top && top.materialised) top.element.hasOtherContent = true;
}

function readStartTag(text: string, lt: number): XmlElement {
    const length = text.length;
    let i = lt + 1;
    if (!isNameStart(text.charCodeAt(i))) fail(text, lt, `"<" that does not start a tag (write &lt;)`);
    while (i < length && isNameChar(text.charCodeAt(i))) i++;
    const name = text.slice(lt + 1, i);
    const nameEnd = i;
    const attributes: XmlAttribute[] = [];
    let attributesEnd = nameEnd;
    for (;;) {
        const spaceStart = i;
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        const c = text.charCodeAt(i);
        if (c === 0x3e /* > */) {
            return element(name, lt, nameEnd, attributesEnd, i + 1, false, attributes);
        }
        if (c === 0x2f /* / */) {
            if (text.charCodeAt(i + 1) !== 0x3e) fail(text, i, `"/" not followed by ">" in <${name}>`);
            return element(name, lt, nameEnd, attributesEnd, i + 2, true, attributes);
        }
        if (i >= length) fail(text, lt, `start tag <${name} is not closed: the file ends early`);
        if (i === spaceStart) fail(text, i, `attributes of <${name}> must be separated by white space`);
        if (!isNameStart(c)) fail(text, i, `unexpected character "${text[i]}" in <${name}>`);
        const attrStart = i;
        while (i < length && isNameChar(text.charCodeAt(i))) i++;
        const attrName = text.slice(attrStart, i);
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) !== 0x3d /* = */) fail(text, i, `attribute ${attrName} of <${name}> has no "="`);
        i++;
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        const quote = text[i];
        if (quote !== '"' && quote !== "'") fail(text, i, `value of attribute ${attrName} of <${name}> is not quoted`);
        const valueStart = i + 1;
        const valueEnd = text.indexOf(quote, valueStart);
        if (valueEnd === -1) fail(text, i, `value of attribute ${attrName} of <${name}> is never closed`);
        const stray = text.indexOf("<", valueStart);
        if (stray !== -1 && stray < valueEnd) fail(text, stray, `"<" inside the value of attribute ${attrName} of <${name}>`);
        for (const other of attributes) {
            if (other.name === attrName) fail(text, attrStart, `attribute ${attrName} appears twice in <${name}>`);
        }
        attributes.push({
            name: attrName,
            value: decodeReferences(text, valueStart, valueEnd),
            raw: text.slice(valueStart, valueEnd),
            quote,
            start: attrStart,
            valueStart,
            valueEnd,
            end: valueEnd + 1,
        });
        i = valueEnd + 1;
        attributesEnd = i;
    }
}

function element(name: string, start: number, nameEnd: number, attributesEnd: number, startTagEnd: number,
    selfClosing: boolean, attributes: XmlAttribute[]): XmlElement {
    return {
        name, start, nameEnd, attributesEnd, startTagEnd, selfClosing,
        endTagStart: startTagEnd,
        end: startTagEnd,
        attributes,
        children: [],
        hasOtherContent: false,
    };
}

/** Escapes text for an attribute value delimited by `quote`. */
export function escapeAttribute(value: string, quote: '"' | "'" = '"'): string {
    let out = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    out = quote === '"' ? out.replace(/"/g, "&quot;") : out.replace(/'/g, "&apos;");
    // Line breaks and tabs would be normalised to spaces by any XML reader: keep them as references.
    return out.replace(/\r/g, "&#xD;").replace(/\n/g, "&#xA;").replace(/\t/g, "&#x9;");
}

export function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
    for (const candidate of element.attributes) if (candidate.name === name) return candidate;
    return undefined;
}
