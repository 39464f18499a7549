/**
 * The file an edit would write, checked before it is written, without scanning all of it again.
 *
 * An edit splices a few places in one small part of the document (one `<session>` start tag, or
 * an element inserted into or removed from one parent). The bytes outside that part were already
 * checked by the scan that read the file; only the new text of the part needs checking, and the
 * elements after it only move. `spliceDocument` finds the smallest region around the splices
 * that starts and ends between two nodes of one materialised element's content — a whole child
 * element, or the run between two child elements (all of which are materialised there, so no
 * comment, tag or reference can straddle its ends) — scans the region's new text on its own with
 * `scanFragment`, and grafts what that finds into the tree.
 *
 * Why a fragment check accepts exactly what a scan of the whole new file would (for the balanced
 * fragments the editor writes; an unbalanced one is refused, so nothing unchecked is written):
 * - The new file is `prefix + fragment + suffix`; the old one was `prefix + old region + suffix`
 *   and was accepted. The scanner reads left to right; between two nodes of an element's content
 *   its state is the stack of open elements (and the materialised ancestors the policy sees).
 * - The prefix is the same text, so both scans reach the region's start in the same state, inside
 *   the parent element (never at the document level: regions lie inside the root's content; an
 *   edit of the root's own tags, possible only when the root is empty, is checked whole).
 * - The region starts just past a ">" and ends at a "<" (element boundaries, or the parent's own
 *   tags), so no text run, reference, comment or tag crosses either end: the fragment's text runs
 *   and markup are exactly those the whole scan would see there, and are checked by the same code.
 * - A balanced fragment leaves the stack as it found it, as the old region did, so the suffix is
 *   scanned from the same state as before and is accepted as before.
 * - File-level checks (UTF-8, encoding declaration, the root's name) concern bytes outside the
 *   region or hold for any string encoded by Buffer.from; the fragment checked is the encoded
 *   text decoded again, i.e. what a reader of the file will see.
 * So the fragment check accepts iff the whole scan would, and the tree built here (the old tree,
 * the fragment's elements, later offsets moved) is the tree the whole scan would materialise.
 * test/apphost/editedDocument.test.ts compares both on every corpus file, for real and random edits.
 */
import { ApplicationHostDocument, ConfigFileError, parseApplicationHost, wantsChildren } from "./document";
import { scanFragment, XmlElement, XmlSyntaxError } from "./xmlScanner";

/** One replacement in a document's text: text[start, end) becomes `text` (offsets into the original). */
export interface Splice {
    start: number;
    end: number;
    text: string;
}

/** The file an edit would write, checked. */
export interface EditedDocument {
    /**
     * The new file, byte-order mark included, as consecutive pieces: views of the bytes read before
     * and after the edited region, and the region's new bytes. A store writes them one after the
     * other, so a 50 MB file is written without a 50 MB copy.
     */
    pieces: readonly Buffer[];
    /** The pieces joined into one Buffer (a copy, made when asked for; the pieces themselves when there is one). */
    readonly bytes: Buffer;
    /** Its elements, exactly as parseApplicationHost(bytes) would materialise them, offsets included. */
    root: XmlElement;
}

function editedDocument(pieces: readonly Buffer[], root: XmlElement): EditedDocument {
    return { pieces, root, get bytes() { return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces); } };
}

/** Where the splices lie: children [first, last) of `parent`, or the run between them, are replaced by text[start, end)'s new text. */
interface Region {
    start: number;
    end: number;
    parent: XmlElement;
    /** The parent's ancestors, outermost (the root) first. */
    ancestors: XmlElement[];
    first: number;
    last: number;
    /** True if the region is exactly one child element (so it holds no other content of the parent). */
    wholeElement: boolean;
}

/**
 * Applies non-overlapping splices (offsets into `document.text`) to the file `bytes` that
 * `document` was parsed from, and checks the result as parseApplicationHost would (see the
 * comment at the top of this file). Throws ConfigFileError naming `file` if the result would not
 * be well-formed; nothing is written by this function.
 */
export function spliceDocument(document: ApplicationHostDocument, bytes: Buffer, splices: readonly Splice[], file: string): EditedDocument {
    const text = document.text;
    const ordered = [...splices].sort((a, b) => a.start - b.start || a.end - b.end);
    ordered.forEach((splice, k) => {
        const previous = ordered[k - 1] as Splice | undefined;
        // Two insertions at one offset would leave their order open: the editor merges them.
        const overlaps = previous !== undefined && (splice.start < previous.end || (previous.end === splice.end && previous.start === splice.start));
        if (splice.start < 0 || splice.end < splice.start || splice.end > text.length || overlaps) {
            throw new Error(`${file}: splices overlap or lie outside the text (${JSON.stringify(ordered.map(({ start, end }) => [start, end]))})`);
        }
    });
    const bomLength = document.bom ? 3 : 0;
    if (bytes.length - bomLength < text.length) throw new Error(`${file}: the bytes given are not the ones the document was parsed from`);
    if (ordered.length === 0) return editedDocument([bytes], document.root);
    const region = editedRegion(document.root, ordered[0].start, ordered[ordered.length - 1].end);
    if (!region) {
        // The root's own tags change (only possible when it is empty, so the file is small): check it whole.
        const edited = Buffer.concat([bytes.subarray(0, bomLength), Buffer.from(spliced(text, 0, text.length, ordered), "utf8")]);
        return editedDocument([edited], parseApplicationHost(edited, file).root);
    }
    const encoded = Buffer.from(spliced(text, region.start, region.end, ordered), "utf8");
    // What a reader of the file will see (a lone surrogate would have become U+FFFD).
    const fragment = encoded.toString("utf8");
    let scanned: ReturnType<typeof scanFragment>;
    try {
        scanned = scanFragment(fragment, wantsChildren, { parent: region.parent, ancestors: region.ancestors });
    } catch (error) {
        if (!(error instanceof XmlSyntaxError)) throw error;
        const excerpt = fragment.slice(Math.max(0, error.offset - 60), error.offset + 60);
        throw new ConfigFileError(`${file}: the edit would make it malformed XML: ${error.reason}, in the new text of <${region.parent.name}> near ${JSON.stringify(excerpt)}; nothing was written`);
    }
    const [byteStart, byteEnd] = byteRange(bytes.subarray(bomLength), text, region.start, region.end);
    const pieces = [bytes.subarray(0, bomLength + byteStart), encoded, bytes.subarray(bomLength + byteEnd)];
    return editedDocument(pieces, graft(region, scanned.children, scanned.hasOtherContent, fragment.length - (region.end - region.start), text));
}

/** The smallest region around [from, to) that starts and ends between nodes of a materialised element's content. */
function editedRegion(root: XmlElement, from: number, to: number): Region | undefined {
    if (root.selfClosing || from < root.startTagEnd || to > root.endTagStart || !wantsChildren(root, [])) return undefined;
    const ancestors: XmlElement[] = [];
    let parent = root;
    for (;;) {
        const children = parent.children;
        let first = 0;
        while (first < children.length && children[first].end <= from) first++;
        const child = children[first] as XmlElement | undefined;
        if (child && child.start <= from && to <= child.end) {
            const inside = [...ancestors, parent];
            if (!child.selfClosing && from >= child.startTagEnd && to <= child.endTagStart && wantsChildren(child, inside)) {
                ancestors.push(parent);
                parent = child;
                continue;
            }
            return { start: child.start, end: child.end, parent, ancestors, first, last: first + 1, wholeElement: true };
        }
        let last = first;
        while (last < children.length && children[last].start < to) last++;
        const start = first > 0 ? children[first - 1].end : parent.startTagEnd;
        const end = last < children.length ? children[last].start : parent.endTagStart;
        return { start, end, parent, ancestors, first, last, wholeElement: false };
    }
}

/** text[start, end) with the splices (all inside it) applied. */
function spliced(text: string, start: number, end: number, ordered: readonly Splice[]): string {
    let out = "";
    let at = start;
    for (const splice of ordered) {
        out += text.slice(at, splice.start) + splice.text;
        at = splice.end;
    }
    return out + text.slice(at, end);
}

/** The byte offsets in `body` (the UTF-8 of `text`) of the text offsets start and end. */
function byteRange(body: Buffer, text: string, start: number, end: number): [number, number] {
    // Every UTF-16 unit takes at least one byte, and exactly one only for ASCII.
    if (body.length === text.length) return [start, end];
    const byteStart = Buffer.byteLength(text.slice(0, start), "utf8");
    return [byteStart, byteStart + Buffer.byteLength(text.slice(start, end), "utf8")];
}

/**
 * The new tree: the region's children replaced by the fragment's (moved to the region's start),
 * later elements moved by `delta`, and the parent and its ancestors copied with their new ends.
 * Elements before the region are shared with the old tree (nothing changes them).
 */
function graft(region: Region, fragmentChildren: XmlElement[], fragmentHasOtherContent: boolean, delta: number, text: string): XmlElement {
    const { parent, ancestors, first, last } = region;
    const children = [
        ...parent.children.slice(0, first),
        ...fragmentChildren.map((child) => moved(child, region.start)),
        ...parent.children.slice(last).map((child) => moved(child, delta)),
    ];
    const hasOtherContent = fragmentHasOtherContent || (parent.hasOtherContent && otherContentOutside(region, text));
    let replacement = copyWith(parent, children, hasOtherContent, delta);
    let replaced = parent;
    for (let k = ancestors.length - 1; k >= 0; k--) {
        const ancestor = ancestors[k];
        const index = ancestor.children.indexOf(replaced);
        const siblings = [...ancestor.children.slice(0, index), replacement, ...ancestor.children.slice(index + 1).map((child) => moved(child, delta))];
        replaced = ancestor;
        replacement = copyWith(ancestor, siblings, ancestor.hasOtherContent, delta);
    }
    return replacement;
}

/** True if the parent holds text, comments, CDATA or processing instructions outside the region. */
function otherContentOutside(region: Region, text: string): boolean {
    // A whole-element region holds only that element: the parent's other content is all outside it.
    if (region.wholeElement) return true;
    const { parent, first, last } = region;
    const children = parent.children;
    // Run i lies before child i (run n after the last child); the region holds runs first..last.
    for (let i = 0; i <= children.length; i++) {
        if (i >= first && i <= last) continue;
        const from = i === 0 ? parent.startTagEnd : children[i - 1].end;
        const to = i === children.length ? parent.endTagStart : children[i].start;
        // All the parent's elements are materialised, so anything but white space between them is other content.
        for (let k = from; k < to; k++) {
            const c = text.charCodeAt(k);
            if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
        }
    }
    return false;
}

/** The parent or an ancestor with new children, and its end moved by `delta` (its start tag lies before the region). */
function copyWith(element: XmlElement, children: XmlElement[], hasOtherContent: boolean, delta: number): XmlElement {
    return {
        name: element.name, start: element.start, nameEnd: element.nameEnd, attributesEnd: element.attributesEnd,
        startTagEnd: element.startTagEnd, selfClosing: element.selfClosing, endTagStart: element.endTagStart + delta,
        end: element.end + delta, attributes: element.attributes, children, hasOtherContent,
    };
}

/** A copy of the element and its materialised descendants, every offset moved by `by`. */
function moved(element: XmlElement, by: number): XmlElement {
    if (by === 0) return element;
    return {
        name: element.name, start: element.start + by, nameEnd: element.nameEnd + by, attributesEnd: element.attributesEnd + by,
        startTagEnd: element.startTagEnd + by, selfClosing: element.selfClosing, endTagStart: element.endTagStart + by,
        end: element.end + by,
        attributes: element.attributes.map((a) => ({
            name: a.name, value: a.value, raw: a.raw, quote: a.quote,
            start: a.start + by, valueStart: a.valueStart + by, valueEnd: a.valueEnd + by, end: a.end + by,
        })),
        children: element.children.map((child) => moved(child, by)),
        hasOtherContent: element.hasOtherContent,
    };
}
