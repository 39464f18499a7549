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
        this.name = "XmlSyntaxError";
    }
}

/** Line and column (both from 1, the column in UTF-16 code units) of an offset into `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
    let line = 1, lineStart = 0;
    for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
        line++;
        lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
}

function fail(text: string, offset: number, reason: string): never {
    const { line, column } = lineColumn(text, offset);
    throw new XmlSyntaxError(reason, offset, line, column);
}

/**
 * Characters XML 1.0 does not allow anywhere in a document (its `Char` production): C0 controls
 * but tab, line feed and carriage return, and U+FFFE/U+FFFF. IIS refuses a file holding one, even
 * inside a comment. (Lone surrogates cannot occur: the text was decoded from valid UTF-8.)
 */
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** "U+0000", for messages. */
function codePointName(text: string, offset: number): string {
    return `U+${text.charCodeAt(offset).toString(16).toUpperCase().padStart(4, "0")}`;
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
function isSpace(c: number): boolean {
    return c === SPACE || c === LF || c === CR || c === TAB;
}
/**
 * Name characters as XML 1.0 (fifth edition) defines them. ASCII, where real files' names live,
 * by table: letters, "_" and ":" start a name; digits, "-" and "." may follow. Other characters
 * by the standard's ranges, on UTF-16 code units: a high surrogate of planes 1 to 14 counts as
 * a start and a low surrogate as a following character (the text came from valid UTF-8, so
 * surrogates come in pairs).
 */
const ASCII_NAME_START = 2, ASCII_NAME_CHAR = 1;
const ASCII_NAMES = (() => {
    const table = new Uint8Array(128);
    for (let c = 0; c < 128; c++) {
        const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
        if (letter || c === 0x5f /* _ */ || c === 0x3a /* : */) table[c] = ASCII_NAME_START;
        else if ((c >= 0x30 && c <= 0x39) || c === 0x2d /* - */ || c === 0x2e /* . */) table[c] = ASCII_NAME_CHAR;
    }
    return table;
})();
function isNonAsciiNameStart(c: number): boolean {
    return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
        (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
        (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xd800 && c <= 0xdb7f) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd);
}
function isNameStart(c: number): boolean {
    return c < 0x80 ? ASCII_NAMES[c] === ASCII_NAME_START : isNonAsciiNameStart(c);
}
function isNameChar(c: number): boolean {
    if (c < 0x80) return ASCII_NAMES[c] !== 0;
    return isNonAsciiNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || (c >= 0xdc00 && c <= 0xdfff);
}

/** What may follow "<?xml" up to "?>": version 1.x, then optionally encoding and standalone, in that order (XML 1.0, XMLDecl). */
const XML_DECLARATION_BODY =
    /^[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*("1\.[0-9]+"|'1\.[0-9]+')([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*("[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*("(yes|no)"|'(yes|no)'))?[ \t\r\n]*$/;

const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** What one scan carries between its helpers; made afresh by each scanXml call. */
interface Scan {
    readonly text: string;
    /**
     * Offsets of every "&" in the text, ascending, found once up front, and the index of the first
     * one not yet known to lie before the ranges being checked. Every attribute value and text run
     * is checked for references; searching from each range instead (a first `indexOf` per range)
     * made the second and later 50 MB scans in one process take 30-40 times the first: V8's
     * optimised search there ran at hundreds of nanoseconds a character.
     */
    readonly ampersands: Int32Array;
    ampersandCursor: number;
    /** The first "]]>" at or after the last text run checked (-1: none), found the same way: text runs come in order. */
    cdataClose: number;
    /** Name offsets (start, end, start, end, ...) of the start tag being read, for the duplicate check. */
    readonly attributeNames: number[];
    attributeNameCount: number;
    /** Set by readStartTag: offsets just past the element name and just past the last attribute. */
    nameEnd: number;
    attributesEnd: number;
    /**
     * Element and attribute names already copied out of the text, by length and first character:
     * a file repeats a few dozen names, and one string for each is less for the garbage collector.
     */
    readonly names: Map<number, string>;
}

/** text[start, end) as a string, the same string each time the same name recurs. */
function internedName(scan: Scan, start: number, end: number): string {
    const key = (end - start) * 0x10000 + scan.text.charCodeAt(start);
    const known = scan.names.get(key);
    if (known !== undefined && scan.text.startsWith(known, start)) return known;
    const name = scan.text.slice(start, end);
    scan.names.set(key, name);
    return name;
}

/** The first "&" in [from, to), or -1. Ranges mostly come in order, so the cursor mostly moves forward. */
function ampersandIn(scan: Scan, from: number, to: number): number {
    const ampersands = scan.ampersands;
    let k = scan.ampersandCursor;
    if (k > 0 && ampersands[k - 1] >= from) {
        let low = 0, high = k - 1;
        while (low < high) {
            const middle = (low + high) >>> 1;
            if (ampersands[middle] < from) low = middle + 1;
            else high = middle;
        }
        k = low;
    }
    while (k < ampersands.length && ampersands[k] < from) k++;
    scan.ampersandCursor = k;
    return k < ampersands.length && ampersands[k] < to ? ampersands[k] : -1;
}

/** Offsets of every "&" in `text`, ascending. */
function ampersandOffsets(text: string): Int32Array {
    const found: number[] = [];
    for (let at = text.indexOf("&"); at !== -1; at = text.indexOf("&", at + 1)) found.push(at);
    return Int32Array.from(found);
}

/** Decodes the references in an attribute value or text run, refusing malformed ones. */
function decodeReferences(scan: Scan, from: number, to: number): string {
    const text = scan.text;
    let out = "";
    let last = from;
    for (let amp = ampersandIn(scan, from, to); amp !== -1; amp = ampersandIn(scan, last, to)) {
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

/** The character a reference names, if XML 1.0 allows it (see NOT_XML_CHARACTER; no surrogates, nothing past U+10FFFF). */
function codePoint(n: number): string | undefined {
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    const character = String.fromCodePoint(n);
    return NOT_XML_CHARACTER.test(character) ? undefined : character;
}

/** Refuses malformed references in [from, to) without building the decoded text. */
function checkReferences(scan: Scan, from: number, to: number): void {
    if (ampersandIn(scan, from, to) !== -1) decodeReferences(scan, from, to);
}

function isWhitespaceRun(text: string, from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
    return true;
}

/** An open element. Frames are reused by depth: a large file opens hundreds of thousands. */
interface Frame {
    /** The element if it is materialised (part of the returned tree); scanned-only elements have none. */
    element: XmlElement | undefined;
    /** Offsets of "<" and just past the name: the end tag is compared with the text, not a copy. */
    start: number;
    nameEnd: number;
    materialiseChildren: boolean;
}

/** The open elements, innermost at `depth - 1`. */
interface OpenElements {
    frames: Frame[];
    depth: number;
}

function open(stack: OpenElements, element: XmlElement | undefined, start: number, nameEnd: number, materialiseChildren: boolean): void {
    const frame = stack.frames[stack.depth];
    if (frame) {
        frame.element = element;
        frame.start = start;
        frame.nameEnd = nameEnd;
        frame.materialiseChildren = materialiseChildren;
    } else {
        stack.frames.push({ element, start, nameEnd, materialiseChildren });
    }
    stack.depth++;
}

function innermost(stack: OpenElements): Frame | undefined {
    return stack.depth > 0 ? stack.frames[stack.depth - 1] : undefined;
}

/**
 * Scans a whole document (text without a byte-order mark). Throws XmlSyntaxError with line and
 * column for anything that is not well-formed XML.
 */
export function scanXml(text: string, policy: ScanPolicy): XmlScan {
    const scanned = scanNodes(text, policy, undefined);
    if (!scanned.root) fail(text, 0, "no root element");
    return { root: scanned.root, hasXmlDeclaration: scanned.hasXmlDeclaration };
}

/** Where a fragment sits in a scanned document. */
export interface FragmentContext {
    /** The element whose content the fragment is part of; the policy must materialise its children. */
    parent: XmlElement;
    /** The parent's ancestors, outermost first, as the policy saw them. */
    ancestors: readonly XmlElement[];
}

export interface XmlFragment {
    /** The fragment's top-level elements (offsets into the fragment), materialised as a whole-document scan would. */
    children: XmlElement[];
    /** True if the fragment holds anything but white space and elements at its top level. */
    hasOtherContent: boolean;
}

/**
 * Scans `text` as part of the content of `context.parent`, with exactly the checks and the
 * materialisation a scan of the whole document applies there: the scanner's state between two
 * nodes of an element's content is only the stack of open elements (and the materialised
 * ancestors the policy sees), so content that leaves that stack as it found it can be checked on
 * its own. That is the one extra rule here: the fragment must be balanced — every element it
 * opens it closes, and it closes none it did not open. An XML declaration is refused: the
 * fragment's offset 0 is never the start of the file.
 */
export function scanFragment(text: string, policy: ScanPolicy, context: FragmentContext): XmlFragment {
    const parent: XmlElement = { ...context.parent, children: [], hasOtherContent: false };
    scanNodes(text, policy, { parent, ancestors: [...context.ancestors, context.parent] });
    return { children: parent.children, hasOtherContent: parent.hasOtherContent };
}

/**
 * The scanner proper. Without a fragment context it scans a whole document; with one, the
 * content of `fragment.parent` (a stand-in that collects the children), whose frame it starts
 * with and may not close.
 */
function scanNodes(text: string, policy: ScanPolicy, fragment: { parent: XmlElement; ancestors: XmlElement[] } | undefined):
    { root: XmlElement | undefined; hasXmlDeclaration: boolean } {
    const length = text.length;
    const forbidden = text.search(NOT_XML_CHARACTER);
    if (forbidden !== -1) fail(text, forbidden, `character ${codePointName(text, forbidden)} is not allowed in XML`);
    const scan: Scan = { text, ampersands: ampersandOffsets(text), ampersandCursor: 0, cdataClose: text.indexOf("]]>"), attributeNames: [], attributeNameCount: 0, nameEnd: 0, attributesEnd: 0, names: new Map() };
    const stack: OpenElements = { frames: [], depth: 0 };
    const ancestors: XmlElement[] = fragment ? fragment.ancestors : [];
    if (fragment) open(stack, fragment.parent, 0, 0, true);
    /** The depth the scan starts at and must end at; an end tag there would close the fragment's parent. */
    const floor = stack.depth;
    let root: XmlElement | undefined;
    let hasXmlDeclaration = false;
    let pos = 0;

    while (pos < length) {
        const lt = text.indexOf("<", pos);
        const textEnd = lt === -1 ? length : lt;
        if (textEnd > pos) {
            const top = innermost(stack);
            if (!top) {
                if (!isWhitespaceRun(text, pos, textEnd)) fail(text, pos, root ? "text after the root element" : "text before the root element");
            } else {
                checkReferences(scan, pos, textEnd);
                if (scan.cdataClose !== -1 && scan.cdataClose < pos) scan.cdataClose = text.indexOf("]]>", pos);
                if (scan.cdataClose !== -1 && scan.cdataClose < textEnd) fail(text, scan.cdataClose, `"]]>" in text outside a CDATA section (write ]]&gt;)`);
                if (top.element && !top.element.hasOtherContent && !isWhitespaceRun(text, pos, textEnd)) {
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
                if (stack.depth === 0) fail(text, lt, "CDATA outside the root element");
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
            let targetEnd = lt + 2;
            if (!isNameStart(text.charCodeAt(targetEnd))) fail(text, lt, `"<?" not followed by a processing instruction's target name`);
            while (targetEnd < close && isNameChar(text.charCodeAt(targetEnd))) targetEnd++;
            const target = text.slice(lt + 2, targetEnd);
            if (targetEnd < close && !isSpace(text.charCodeAt(targetEnd))) fail(text, targetEnd, `processing instruction <?${target} not followed by white space or "?>"`);
            if (target.toLowerCase() === "xml") {
                if (target !== "xml") fail(text, lt, `processing instruction target "${target}" is reserved (only <?xml ...?>, the declaration, may use it)`);
                if (lt !== 0 || fragment) fail(text, lt, "XML declaration not at the start of the file");
                if (!XML_DECLARATION_BODY.test(text.slice(targetEnd, close))) {
                    fail(text, lt, `malformed XML declaration: expected <?xml version="1.0"?>, optionally with encoding="..." and standalone="yes|no" after the version, in that order`);
                }
                hasXmlDeclaration = true;
            }
            markOtherContent(stack);
            pos = close + 2;
        } else if (next === 0x2f /* / */) {
            let i = lt + 2;
            const nameStart = i;
            while (i < length && isNameChar(text.charCodeAt(i))) i++;
            const nameEnd = i;
            while (i < length && isSpace(text.charCodeAt(i))) i++;
            if (text.charCodeAt(i) !== 0x3e) fail(text, lt, `end tag </${text.slice(nameStart, nameEnd)}> not closed with ">"`);
            const frame = innermost(stack);
            if (!frame) fail(text, lt, `end tag </${text.slice(nameStart, nameEnd)}> without a start tag`);
            if (stack.depth === floor) fail(text, lt, `end tag </${text.slice(nameStart, nameEnd)}> closes an element the edited text did not open`);
            if (!sameRange(text, frame.start + 1, frame.nameEnd, nameStart, nameEnd)) {
                fail(text, lt, `end tag </${text.slice(nameStart, nameEnd)}> does not match <${text.slice(frame.start + 1, frame.nameEnd)}>`);
            }
            stack.depth--;
            if (frame.element) {
                frame.element.endTagStart = lt;
                frame.element.end = i + 1;
                ancestors.pop();
            }
            pos = i + 1;
        } else {
            const parent = innermost(stack);
            if (parent && !parent.materialiseChildren) {
                // Most of a large file: check the tag, build nothing. Only an element that stays
                // open needs its name, to match its end tag.
                const startTagEnd = readStartTag(scan, lt, undefined);
                if (text.charCodeAt(startTagEnd - 2) !== 0x2f /* not "/>" */) open(stack, undefined, lt, scan.nameEnd, false);
                pos = startTagEnd;
                continue;
            }
            const attributes: XmlAttribute[] = [];
            const startTagEnd = readStartTag(scan, lt, attributes);
            const selfClosing = text.charCodeAt(startTagEnd - 2) === 0x2f;
            const element = newElement(internedName(scan, lt + 1, scan.nameEnd), lt, scan.nameEnd, scan.attributesEnd, startTagEnd, selfClosing, attributes);
            if (!parent && root) fail(text, lt, `a second root element <${element.name}>`);
            if (parent) (parent.element as XmlElement).children.push(element);
            else root = element;
            pos = startTagEnd;
            if (!selfClosing) {
                const materialiseChildren = policy(element, ancestors);
                open(stack, element, lt, scan.nameEnd, materialiseChildren);
                ancestors.push(element);
            }
        }
    }
    if (stack.depth > floor) {
        const unclosed = innermost(stack) as Frame;
        fail(text, length, `<${text.slice(unclosed.start + 1, unclosed.nameEnd)}> (opened at offset ${unclosed.start}) is never closed: the ${fragment ? "edited text" : "file"} ends early`);
    }
    return { root, hasXmlDeclaration };
}

function markOtherContent(stack: OpenElements): void {
    const top = innermost(stack);
    if (top && top.element) top.element.hasOtherContent = true;
}

/**
 * Reads and checks the start tag at `lt` and returns the offset just past its ">" (a tag ending in
 * "/>" is self-closing); leaves the name's and the attributes' end in `scan`. Attributes are built
 * (names sliced, values decoded) only when `attributes` is given: for a materialised element.
 */
function readStartTag(scan: Scan, lt: number, attributes: XmlAttribute[] | undefined): number {
    const text = scan.text;
    const length = text.length;
    const names = scan.attributeNames;
    scan.attributeNameCount = 0;
    let i = lt + 1;
    if (!isNameStart(text.charCodeAt(i))) fail(text, lt, `"<" that does not start a tag (write &lt;)`);
    while (i < length && isNameChar(text.charCodeAt(i))) i++;
    const nameEnd = i;
    scan.nameEnd = nameEnd;
    scan.attributesEnd = nameEnd;
    let nextLt = text.indexOf("<", nameEnd);
    for (;;) {
        const spaceStart = i;
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        const c = text.charCodeAt(i);
        if (c === 0x3e /* > */) return i + 1;
        if (c === 0x2f /* / */) {
            if (text.charCodeAt(i + 1) !== 0x3e) fail(text, i, `"/" not followed by ">" in <${tagName(text, lt)}>`);
            return i + 2;
        }
        if (i >= length) fail(text, lt, `start tag <${tagName(text, lt)} is not closed: the file ends early`);
        if (i === spaceStart) fail(text, i, `attributes of <${tagName(text, lt)}> must be separated by white space`);
        if (!isNameStart(c)) fail(text, i, `unexpected character "${text[i]}" in <${tagName(text, lt)}>`);
        const attrStart = i;
        while (i < length && isNameChar(text.charCodeAt(i))) i++;
        const attrEnd = i;
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) !== 0x3d /* = */) fail(text, i, `attribute ${text.slice(attrStart, attrEnd)} of <${tagName(text, lt)}> has no "="`);
        i++;
        while (i < length && isSpace(text.charCodeAt(i))) i++;
        const quote = text[i];
        if (quote !== '"' && quote !== "'") fail(text, i, `value of attribute ${text.slice(attrStart, attrEnd)} of <${tagName(text, lt)}> is not quoted`);
        const valueStart = i + 1;
        const valueEnd = text.indexOf(quote, valueStart);
        if (valueEnd === -1) fail(text, i, `value of attribute ${text.slice(attrStart, attrEnd)} of <${tagName(text, lt)}> is never closed`);
        // The first "<" after the tag's start serves every value's check (searching from each
        // value instead would re-read the rest of the tag once per attribute).
        if (nextLt !== -1 && nextLt < valueStart) nextLt = text.indexOf("<", valueStart);
        const stray = nextLt;
        if (stray !== -1 && stray < valueEnd) fail(text, stray, `"<" inside the value of attribute ${text.slice(attrStart, attrEnd)} of <${tagName(text, lt)}>`);
        for (let other = 0; other < scan.attributeNameCount; other += 2) {
            if (sameRange(text, names[other], names[other + 1], attrStart, attrEnd)) {
                fail(text, attrStart, `attribute ${text.slice(attrStart, attrEnd)} appears twice in <${tagName(text, lt)}>`);
            }
        }
        names[scan.attributeNameCount++] = attrStart;
        names[scan.attributeNameCount++] = attrEnd;
        if (attributes) {
            const raw = text.slice(valueStart, valueEnd);
            attributes.push({
                name: internedName(scan, attrStart, attrEnd),
                value: ampersandIn(scan, valueStart, valueEnd) === -1 ? raw : decodeReferences(scan, valueStart, valueEnd),
                raw,
                quote,
                start: attrStart,
                valueStart,
                valueEnd,
                end: valueEnd + 1,
            });
        } else {
            checkReferences(scan, valueStart, valueEnd);
        }
        i = valueEnd + 1;
        scan.attributesEnd = i;
    }
}

/** The name of the tag at `lt`, for messages. */
function tagName(text: string, lt: number): string {
    let i = lt + 1;
    while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
    return text.slice(lt + 1, i);
}

/** True if text[aStart, aEnd) and text[bStart, bEnd) hold the same characters. */
function sameRange(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
    if (aEnd - aStart !== bEnd - bStart) return false;
    for (let k = 0; k < aEnd - aStart; k++) if (text.charCodeAt(aStart + k) !== text.charCodeAt(bStart + k)) return false;
    return true;
}

function newElement(name: string, start: number, nameEnd: number, attributesEnd: number, startTagEnd: number,
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
