/**
 * Edits `asp/session` at one location by splicing the original text, so that everything outside
 * the touched element keeps its bytes. Each edit has an exact inverse:
 * - a new attribute is written as ` name="value"` right after the attribute before it in schema
 *   order (or the element name); removing it removes the white space before it and itself;
 * - a changed attribute keeps its quotes and position; restoring writes the old text back;
 * - a missing element is inserted as newline + indentation + element right after a ">", so
 *   removing it removes the white space run before it and itself; a parent with no child
 *   elements (`<asp />`, `<asp></asp>`) is opened up, and what it was is recorded so that it
 *   can be closed again exactly (`CreationRecord.parentCloseAs`).
 * So apply-then-revert gives back the original bytes (tested on every corpus file).
 */
import { quote } from "../settings/quote";
import { SESSION_ATTRIBUTES, SessionAttribute } from "../settings/schema";
import { ApplicationHostDocument, ConfigFileError, findSessionChain, lineIndent, SessionChain } from "./document";
import { Splice } from "./editedDocument";
import { attribute, escapeAttribute, XmlElement } from "./xmlScanner";

/** The outermost element an edit created ("" = none), from the innermost up. */
export type CreatedElement = "" | "session" | "asp" | "system.webServer" | "location";
export const CREATED_LEVELS: readonly CreatedElement[] = ["session", "asp", "system.webServer", "location"];

export interface CreationRecord {
    created: CreatedElement;
    /**
     * When the created element's parent had no child elements, the parent's original text from
     * the end of its attributes to its end (e.g. " />"), to close it again on removal; else "".
     */
    parentCloseAs: string;
}

export const NOTHING_CREATED: CreationRecord = { created: "", parentCloseAs: "" };

/** Text for one attribute: a value to escape, or raw text to write verbatim (restoring what was there). */
export type AttributeText = { value: string } | { raw: string };

export interface SessionEdit {
    set: Partial<Record<SessionAttribute, AttributeText>>;
    remove: SessionAttribute[];
    /** Remove the elements this record says were created, where the edit leaves them empty. */
    prune?: CreationRecord;
}

export interface EditResult {
    /**
     * The edited text, built when asked for (a copy of the whole file: the provider writes the
     * splices through spliceDocument instead, and only tests read this).
     */
    readonly text: string;
    /** The replacements that turn the original text into `text` (offsets into the original); spliceDocument checks them. */
    splices: Splice[];
    /** What this edit created (NOTHING_CREATED when it created nothing). */
    record: CreationRecord;
    changed: boolean;
    /** True when the edit removed elements named by `prune`. */
    pruned: boolean;
}

const ASP_CHILD_ORDER = ["session", "comPlus", "cache", "limits"];

export function editSession(document: ApplicationHostDocument, path: string, file: string, edit: SessionEdit): EditResult {
    for (const name of [...Object.keys(edit.set), ...edit.remove]) {
        if (!(SESSION_ATTRIBUTES as readonly string[]).includes(name)) throw new ConfigFileError(`unknown session attribute "${name}"`);
    }
    const chain = findSessionChain(document, path, file);
    const splices = chain.session
        ? editExistingSession(document, chain, chain.session, edit)
        : createMissing(document, chain, path, edit);
    if (splices === undefined) return { text: document.text, splices: [], record: NOTHING_CREATED, changed: false, pruned: false };
    return {
        get text() { return applySplices(document.text, splices.splices); },
        splices: splices.splices, record: splices.record, changed: splices.splices.length > 0, pruned: splices.pruned,
    };
}

function editExistingSession(document: ApplicationHostDocument, chain: SessionChain, session: XmlElement, edit: SessionEdit):
    { splices: Splice[]; record: CreationRecord; pruned: boolean } {
    const text = document.text;
    const remaining = session.attributes.filter((a) => !edit.remove.includes(a.name as SessionAttribute) || a.name in edit.set);
    const becomesEmpty = remaining.length === 0 && Object.keys(edit.set).length === 0 && isEmptyElement(text, session);
    if (becomesEmpty && edit.prune && edit.prune.created !== "") {
        return { splices: [pruneSplice(document, chain, edit.prune)], record: NOTHING_CREATED, pruned: true };
    }
    const splices: Splice[] = [];
    const inserts: Record<number, string> = {};
    for (const name of SESSION_ATTRIBUTES) {
        const wanted = edit.set[name];
        const existing = attribute(session, name);
        if (wanted === undefined) {
            if (existing && edit.remove.includes(name)) splices.push({ start: whitespaceBefore(text, existing.start), end: existing.end, text: "" });
            continue;
        }
        if (existing) {
            const written = attributeText(wanted, existing.quote);
            if (written !== existing.raw) splices.push({ start: existing.valueStart, end: existing.valueEnd, text: written });
            continue;
        }
        const anchor = insertionAnchor(session, name, edit.remove);
        inserts[anchor] = (inserts[anchor] ?? "") + ` ${name}="${attributeText(wanted, '"')}"`;
    }
    for (const [anchor, insertion] of Object.entries(inserts)) splices.push({ start: Number(anchor), end: Number(anchor), text: insertion });
    return { splices, record: NOTHING_CREATED, pruned: false };
}

/** New attributes go after the nearest earlier attribute in schema order that stays, else after the name. */
function insertionAnchor(session: XmlElement, name: SessionAttribute, removed: SessionAttribute[]): number {
    const index = SESSION_ATTRIBUTES.indexOf(name);
    for (let i = index - 1; i >= 0; i--) {
        const earlier = attribute(session, SESSION_ATTRIBUTES[i]);
        if (earlier && !removed.includes(SESSION_ATTRIBUTES[i])) return earlier.end;
    }
    return session.nameEnd;
}

function attributeText(text: AttributeText, delimiter: '"' | "'"): string {
    if ("value" in text) return escapeAttribute(text.value, delimiter);
    if (text.raw.includes(delimiter) || text.raw.includes("<")) {
        throw new ConfigFileError(`cannot restore attribute text ${quote(text.raw)} inside ${delimiter} quotes`);
    }
    return text.raw;
}

/** Builds the missing elements down to `<session>` and inserts them into the deepest existing one. */
function createMissing(document: ApplicationHostDocument, chain: SessionChain, path: string, edit: SessionEdit):
    { splices: Splice[]; record: CreationRecord; pruned: boolean } | undefined {
    const attributes = SESSION_ATTRIBUTES.filter((name) => edit.set[name] !== undefined)
        .map((name) => ` ${name}="${attributeText(edit.set[name] as AttributeText, '"')}"`).join("");
    if (attributes === "") return undefined;
    const levels: Array<{ name: CreatedElement; container: XmlElement | undefined }> = path === ""
        ? [{ name: "system.webServer", container: document.root }, { name: "asp", container: chain.systemWebServer }, { name: "session", container: chain.asp }]
        : [{ name: "location", container: document.root }, { name: "system.webServer", container: chain.location },
            { name: "asp", container: chain.systemWebServer }, { name: "session", container: chain.asp }];
    // The first level whose element is missing; its container exists.
    let first = 0;
    while (first + 1 < levels.length && levels[first + 1].container !== undefined) first++;
    const container = levels[first].container as XmlElement;
    const names = levels.slice(first).map((level) => level.name);
    const nl = document.newline, unit = document.indentUnit;
    const containerIndent = lineIndent(document.text, container.start);
    const build = (depth: number, indent: string): string => {
        const name = names[depth];
        if (name === "session") return `<session${attributes} />`;
        const open = name === "location" ? `<location path="${escapeAttribute(path)}">` : `<${name}>`;
        return `${open}${nl}${indent}${unit}${build(depth + 1, indent + unit)}${nl}${indent}</${name}>`;
    };
    const childIndent = containerIndent + unit;
    const child = build(0, childIndent);
    const text = document.text;
    if (container.children.length === 0 && !container.hasOtherContent && isEmptyElement(text, container)) {
        const parentCloseAs = text.slice(container.attributesEnd, container.end);
        return {
            splices: [{ start: container.attributesEnd, end: container.end, text: `>${nl}${childIndent}${child}${nl}${containerIndent}</${container.name}>` }],
            record: { created: names[0], parentCloseAs },
            pruned: false,
        };
    }
    const anchor = childAnchor(container, names[0]);
    return { splices: [{ start: anchor, end: anchor, text: `${nl}${childIndent}${child}` }], record: { created: names[0], parentCloseAs: "" }, pruned: false };
}

/**
 * Where a new child goes: `<session>` before comPlus/cache/limits (IIS's schema order), a new
 * `<location>` after the last `<location>`, anything else after the last child element.
 */
function childAnchor(container: XmlElement, name: CreatedElement): number {
    const children = container.children;
    if (name === "session") {
        const later = children.findIndex((child) => ASP_CHILD_ORDER.indexOf(child.name) > 0);
        if (later === 0) return container.startTagEnd;
        if (later > 0) return children[later - 1].end;
    }
    if (name === "location") {
        const locations = children.filter((child) => child.name === "location");
        if (locations.length > 0) return locations[locations.length - 1].end;
    }
    return children.length > 0 ? children[children.length - 1].end : container.startTagEnd;
}

/** The splice that removes the outermost created element left empty, closing its parent again if it was opened for it. */
function pruneSplice(document: ApplicationHostDocument, chain: SessionChain, record: CreationRecord): Splice {
    const text = document.text;
    // The chain's elements from the session up, in the order of CREATED_LEVELS.
    const path: Array<XmlElement | undefined> = [chain.session, chain.asp, chain.systemWebServer, chain.location];
    const top = CREATED_LEVELS.indexOf(record.created);
    let removable = path[0] as XmlElement;
    let level = 0;
    while (level < top) {
        const parent = path[level + 1];
        if (!parent || !onlyHolds(parent, removable)) break;
        removable = parent;
        level++;
    }
    const parent = (level + 1 < path.length ? path[level + 1] : undefined) ?? document.root;
    if (level === top && record.parentCloseAs !== "" && parent.children.length === 1 && !parent.hasOtherContent) {
        return { start: parent.attributesEnd, end: parent.end, text: record.parentCloseAs };
    }
    return { start: whitespaceBefore(text, removable.start), end: removable.end, text: "" };
}

/** True if `parent` holds nothing but `child` and white space, and has no attributes of its own but a location's path. */
function onlyHolds(parent: XmlElement, child: XmlElement): boolean {
    const ownAttributes = parent.attributes.filter((a) => !(parent.name === "location" && a.name === "path"));
    return ownAttributes.length === 0 && parent.children.length === 1 && parent.children[0] === child && !parent.hasOtherContent;
}

function isEmptyElement(text: string, element: XmlElement): boolean {
    if (element.selfClosing) return true;
    for (let i = element.startTagEnd; i < element.endTagStart; i++) {
        const c = text.charCodeAt(i);
        if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    }
    return true;
}

function whitespaceBefore(text: string, offset: number): number {
    let i = offset;
    while (i > 0) {
        const c = text.charCodeAt(i - 1);
        if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
        i--;
    }
    return i;
}

/** Applies non-overlapping splices (offsets into the original text). */
function applySplices(text: string, splices: Splice[]): string {
    const ordered = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
    let out = text;
    for (const splice of ordered) out = out.slice(0, splice.start) + splice.text + out.slice(splice.end);
    return out;
}
