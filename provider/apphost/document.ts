/**
 * applicationHost.config (or web.config) as the session editor sees it: the text, how it is laid
 * out (BOM, line endings, indentation), and the elements on the way to `asp/session` at the
 * server level and in every `<location>`.
 */
import { hasLocationKey, isAscii, locationKey } from "../settings/location";
import { quote } from "../settings/quote";
import { attribute, lineColumn, scanXml, XmlElement, XmlSyntaxError } from "./xmlScanner";

export interface ApplicationHostDocument {
    /** The file's text without the byte-order mark. */
    text: string;
    bom: boolean;
    newline: "\r\n" | "\n";
    /** One level of indentation as the file writes it: "    ", "  " or "\t". */
    indentUnit: string;
    root: XmlElement;
}

/** Where a location's session settings live, as far as the elements exist. */
export interface SessionChain {
    /** The `<location>` element (absent for the server level, or when none exists yet). */
    location?: XmlElement;
    systemWebServer?: XmlElement;
    asp?: XmlElement;
    session?: XmlElement;
}

export class ConfigFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigFileError";
    }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decodes and scans a configuration file. `file` names it in errors. Only UTF-8 is accepted (what
 * IIS writes); bytes that are not valid UTF-8 are refused rather than silently replaced, since
 * writing them back would change them.
 */
export function parseApplicationHost(bytes: Buffer, file: string): ApplicationHostDocument {
    const utf16 = utf16Layout(bytes);
    if (utf16) throw new ConfigFileError(`${file}: looks UTF-16 encoded (${utf16}); only UTF-8 configuration files are supported: save it as UTF-8`);
    const bom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
    const body = bom ? bytes.subarray(3) : bytes;
    const text = body.toString("utf8");
    if (text.includes("\ufffd") && !Buffer.from(text, "utf8").equals(body)) {
        throw new ConfigFileError(`${file}: not valid UTF-8; refusing to edit it, since writing it back would change bytes`);
    }
    const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(text);
    if (declared && !/^utf-?8$/i.test(declared[1])) {
        throw new ConfigFileError(`${file}: declares encoding ${quote(declared[1])}; only UTF-8 configuration files are supported`);
    }
    let root: XmlElement;
    try {
        root = scanXml(text, wantsChildren).root;
    } catch (error) {
        if (error instanceof XmlSyntaxError) {
            throw new ConfigFileError(`${file}: not well-formed XML: ${error.message}; nothing was changed`);
        }
        throw error;
    }
    if (root.name !== "configuration") {
        throw new ConfigFileError(`${file}: the root element is <${quote(root.name).slice(1, -1)}>, not <configuration>; is this an IIS configuration file?`);
    }
    refuseMiscasedElements(text, root, file);
    return { text, bom, newline: text.includes("\r\n") ? "\r\n" : "\n", indentUnit: detectIndentUnit(text, root), root };
}

/**
 * How a UTF-16 file begins: a byte-order mark, or (without one) "<" or white space as one ASCII
 * byte beside a zero byte. undefined when the bytes do not look like UTF-16.
 */
function utf16Layout(bytes: Buffer): string | undefined {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return "little-endian, with a byte-order mark";
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return "big-endian, with a byte-order mark";
    if (bytes.length < 4) return undefined;
    const asciiAt = (i: number) => bytes[i] !== 0 && bytes[i] < 0x80;
    if (asciiAt(0) && bytes[1] === 0 && asciiAt(2) && bytes[3] === 0) return "little-endian, without a byte-order mark: every other byte is zero";
    if (bytes[0] === 0 && asciiAt(1) && bytes[2] === 0 && asciiAt(3)) return "big-endian, without a byte-order mark: every other byte is zero";
    return undefined;
}

/** The element names on the way to the session settings, as IIS spells them (it compares names case-sensitively). */
const SESSION_PATH_NAMES = ["location", "system.webServer", "asp", "session"];

/** The name of SESSION_PATH_NAMES that `name` spells in another case, if any. Runs on every materialised element: length and first letter rule out most names before any case folding. */
function miscasedName(name: string): string | undefined {
    for (const canonical of SESSION_PATH_NAMES) {
        if (canonical.length !== name.length || canonical === name || (name.charCodeAt(0) | 0x20) !== canonical.charCodeAt(0)) continue;
        if (canonical.toLowerCase() === name.toLowerCase()) return canonical;
    }
    return undefined;
}

/**
 * Refuses a materialised element whose name is one of SESSION_PATH_NAMES in another case
 * (`<Location>`, `<ASP>`): IIS refuses the whole file ("Unrecognized element"), and skipping it
 * here would read or write settings IIS never applies. Reported like a syntax error.
 */
function refuseMiscasedElements(text: string, element: XmlElement, file: string): void {
    for (const child of element.children) {
        const canonical = miscasedName(child.name);
        if (canonical !== undefined) {
            const { line, column } = lineColumn(text, child.start);
            throw new ConfigFileError(`${file}: not a valid IIS configuration file: element <${child.name}> at line ${line}, column ${column}; ` +
                `IIS element names are case-sensitive and IIS refuses this one (write <${canonical}>); nothing was changed`);
        }
        refuseMiscasedElements(text, child, file);
    }
}

/**
 * Materialise only the elements on the way to `asp/session`; the `<site>`, `<application>` and
 * `<virtualDirectory>` elements (sites.ts, webConfigPlaces.ts); and the section declarations
 * (`<configSections>`: whether asp may be set in web.config files, delegation.ts).
 */
export function wantsChildren(element: XmlElement, ancestors: readonly XmlElement[]): boolean {
    const depth = ancestors.length;
    const parent = ancestors[depth - 1]?.name;
    switch (element.name) {
        case "configuration": return depth === 0;
        case "location": return depth === 1;
        case "system.webServer": return depth === 1 || (depth === 2 && parent === "location");
        case "asp": return parent === "system.webServer";
        case "system.applicationHost": return depth === 1;
        case "sites": return depth === 2 && parent === "system.applicationHost";
        case "site": return depth === 3 && parent === "sites";
        case "application": return depth === 4 && parent === "site";
        case "configSections": return depth === 1;
        case "sectionGroup": return depth === 2 && parent === "configSections";
        default: return false;
    }
}

/** The serialised form of the document, BOM included. */
export function documentBytes(document: Pick<ApplicationHostDocument, "bom">, text: string): Buffer {
    const body = Buffer.from(text, "utf8");
    return document.bom ? Buffer.concat([Buffer.from(UTF8_BOM), body]) : body;
}

/** The white space before an element on its line ("" when something else precedes it there). */
export function lineIndent(text: string, offset: number): string {
    let i = offset;
    while (i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) i--;
    return i === 0 || text[i - 1] === "\n" ? text.slice(i, offset) : "";
}

/** The file's indentation step, from the first nested element that is indented deeper than its parent. */
function detectIndentUnit(text: string, root: XmlElement): string {
    const queue: XmlElement[] = [root];
    while (queue.length > 0) {
        const parent = queue.shift() as XmlElement;
        const parentIndent = lineIndent(text, parent.start);
        for (const child of parent.children) {
            const childIndent = lineIndent(text, child.start);
            if (childIndent.length > parentIndent.length && childIndent.startsWith(parentIndent)) {
                return childIndent.slice(parentIndent.length);
            }
            queue.push(child);
        }
    }
    return "    ";
}

function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
    return element ? element.children.filter((child) => child.name === name) : [];
}

/** The single child of that name, or an error naming the file and the duplicate. */
function onlyChild(element: XmlElement | undefined, name: string, file: string, where: string): XmlElement | undefined {
    const found = childrenNamed(element, name);
    if (found.length > 1) throw new ConfigFileError(`${file}: ${where} has ${found.length} <${name}> elements; IIS allows one. Fix the file by hand first`);
    return found[0];
}

/** All `<location>` elements whose path is this one (IIS compares case-insensitively). */
export function locationsAt(document: Pick<ApplicationHostDocument, "root">, path: string): XmlElement[] {
    // The key of `path` once, not once per <location>: a large file has tens of thousands.
    const key = locationKey(path);
    const keyIsAscii = isAscii(key);
    return childrenNamed(document.root, "location").filter((element) => hasLocationKey(attribute(element, "path")?.value ?? "", key, keyIsAscii));
}

/**
 * The elements holding the session settings for `path` ("" = server level). Several `<location>`
 * elements may share a path (each with other sections); if more than one holds `<asp>`, which one
 * IIS applies is unclear, so it is an error. With none holding `<asp>`, the one already holding
 * `<system.webServer>` is preferred, then the first.
 */
export function findSessionChain(document: Pick<ApplicationHostDocument, "root">, path: string, file: string): SessionChain {
    if (path === "") {
        const serverLevelAsp = locationsAt(document, "").filter((location) => aspIn(location, file) !== undefined);
        if (serverLevelAsp.length > 0) {
            throw new ConfigFileError(`${file}: <location path="${attribute(serverLevelAsp[0], "path")?.raw ?? ""}"> holds server-level <asp> settings; ` +
                `they are read and written only in the root <system.webServer>. Move them into <system.webServer><asp> by hand first`);
        }
        const systemWebServer = onlyChild(document.root, "system.webServer", file, "<configuration>");
        return chainFrom({ systemWebServer }, file, "the root <system.webServer>");
    }
    const candidates = locationsAt(document, path);
    const holdingAsp = candidates.filter((location) => aspIn(location, file) !== undefined);
    if (holdingAsp.length > 1) {
        throw new ConfigFileError(`${file}: ${holdingAsp.length} <location> elements for ${quote(path)} hold <asp> (at offsets ${holdingAsp.map((l) => l.start).join(", ")}); ` +
            `IIS would use only one. Merge them by hand first`);
    }
    const location = holdingAsp[0] ??
        candidates.find((candidate) => childrenNamed(candidate, "system.webServer").length > 0) ?? candidates[0];
    if (!location) return {};
    const systemWebServer = onlyChild(location, "system.webServer", file, `<location path="${path}">`);
    return chainFrom({ location, systemWebServer }, file, `<location path="${path}">`);
}

function aspIn(location: XmlElement, file: string): XmlElement | undefined {
    const where = `<location path="${attribute(location, "path")?.value ?? ""}">`;
    return onlyChild(onlyChild(location, "system.webServer", file, where), "asp", file, `${where}/<system.webServer>`);
}

function chainFrom(chain: SessionChain, file: string, where: string): SessionChain {
    const asp = onlyChild(chain.systemWebServer, "asp", file, `${where}`);
    const session = onlyChild(asp, "session", file, `${where}/<asp>`);
    return { ...chain, asp, session };
}
