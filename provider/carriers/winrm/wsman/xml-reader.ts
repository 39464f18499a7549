import { XMLParser, XMLValidator } from "fast-xml-parser";
import { NS_XML } from "./namespaces";

/**
 * A namespace-aware view of an XML document, built on fast-xml-parser (which only knows
 * prefixed names). WS-Management peers pick their own prefixes, so every lookup here is by
 * (namespace URI, local name), with prefixes resolved from the xmlns declarations in scope.
 */

/** One attribute with its prefix resolved. Unprefixed attributes have namespace "" (XML Namespaces §6.2). */
export interface XmlAttribute {
    readonly namespace: string;
    readonly localName: string;
    /** The name as written, e.g. "s:mustUnderstand". */
    readonly qualifiedName: string;
    readonly value: string;
}

export interface XmlElement {
    /** The element's namespace URI; "" when it has no prefix and no default namespace is in scope. */
    readonly namespace: string;
    readonly localName: string;
    /** The name as written, e.g. "rsp:Stream". */
    readonly qualifiedName: string;
    /** Attributes other than namespace declarations, in document order. */
    readonly attributes: readonly XmlAttribute[];
    readonly children: readonly XmlElement[];
    /** The concatenated character data directly inside this element (entities decoded, CDATA verbatim). */
    readonly text: string;
    /** Prefix → namespace URI in scope at this element ("" is the default namespace); for QName-valued text such as s:Value. */
    readonly namespacesInScope: Readonly<Record<string, string>>;
}

/** The document is not well-formed XML, or uses a prefix it never declared. */
export class XmlSyntaxError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WsmanXmlSyntaxError";
    }
}

/** The shape fast-xml-parser produces with preserveOrder: one key per node plus ":@" for attributes. */
type OrderedNode = Record<string, unknown>;

/**
 * Parses an XML document into its root element. Throws XmlSyntaxError for anything that is not
 * a single well-formed element (HTML error pages, truncated bodies, empty strings).
 */
export function parseXml(xml: string): XmlElement {
    const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
    if (text.trim() === "") throw new XmlSyntaxError("the document is empty");
    const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (validation !== true) {
        const { msg, line, col } = validation.err;
        throw new XmlSyntaxError(`not well-formed XML at line ${line}, column ${col}: ${msg}`);
    }
    // Entities are decoded here rather than by the parser so that CDATA stays verbatim and no
    // DOCTYPE-declared entity is ever expanded (SOAP 1.2 forbids DTDs anyway).
    const parser = new XMLParser({
        preserveOrder: true,
        ignoreAttributes: false,
        attributeNamePrefix: "",
        parseTagValue: false,
        parseAttributeValue: false,
        trimValues: false,
        processEntities: false,
        ignoreDeclaration: true,
        ignorePiTags: true,
        cdataPropName: "#cdata",
        commentPropName: false,
    });
    const nodes = parser.parse(text) as OrderedNode[];
    const roots = nodes.filter((node) => elementName(node) !== undefined);
    if (roots.length !== 1) throw new XmlSyntaxError(`expected one root element, found ${roots.length}`);
    return buildElement(roots[0], { xml: NS_XML });
}

/** The first child of `parent` with this namespace and local name, or undefined. */
export function findChild(parent: XmlElement, namespace: string, localName: string): XmlElement | undefined {
    return parent.children.find((child) => child.namespace === namespace && child.localName === localName);
}

/** Every child of `parent` with this namespace and local name, in document order. */
export function findChildren(parent: XmlElement, namespace: string, localName: string): XmlElement[] {
    return parent.children.filter((child) => child.namespace === namespace && child.localName === localName);
}

/** The first element below `root` (depth first, document order) with this namespace and local name. */
export function findDescendant(root: XmlElement, namespace: string, localName: string): XmlElement | undefined {
    for (const child of root.children) {
        if (child.namespace === namespace && child.localName === localName) return child;
        const found = findDescendant(child, namespace, localName);
        if (found !== undefined) return found;
    }
    return undefined;
}

/** Follows a path of (namespace, local name) steps from `root`, taking the first match at each step. */
export function findPath(root: XmlElement, path: ReadonlyArray<readonly [string, string]>): XmlElement | undefined {
    let current: XmlElement | undefined = root;
    for (const [namespace, localName] of path) {
        if (current === undefined) return undefined;
        current = findChild(current, namespace, localName);
    }
    return current;
}

/**
 * The value of an attribute. With the default namespace "" this finds unprefixed attributes
 * (Name, CommandId, End, State, Code); pass a namespace for qualified ones such as xml:lang.
 */
export function attributeValue(element: XmlElement, localName: string, namespace = ""): string | undefined {
    return element.attributes.find((attr) => attr.localName === localName && attr.namespace === namespace)?.value;
}

/**
 * Resolves a QName written as element text (SOAP's `<s:Value>s:Sender</s:Value>`) against the
 * namespaces in scope at that element. Undefined when the prefix is not declared.
 */
export function resolveQName(element: XmlElement, qname: string): { namespace: string; localName: string } | undefined {
    const trimmed = qname.trim();
    const colon = trimmed.indexOf(":");
    const prefix = colon < 0 ? "" : trimmed.slice(0, colon);
    const localName = colon < 0 ? trimmed : trimmed.slice(colon + 1);
    const namespace = element.namespacesInScope[prefix];
    if (namespace === undefined) return colon < 0 ? { namespace: "", localName } : undefined;
    return { namespace, localName };
}

function elementName(node: OrderedNode): string | undefined {
    return Object.keys(node).find((key) => key !== ":@" && key !== "#text" && key !== "#cdata");
}

function buildElement(node: OrderedNode, inherited: Readonly<Record<string, string>>): XmlElement {
    const qualifiedName = elementName(node);
    if (qualifiedName === undefined) throw new XmlSyntaxError("internal: node without a name");
    const rawAttributes = (node[":@"] ?? {}) as Record<string, string>;
    const scope: Record<string, string> = { ...inherited };
    for (const [name, raw] of Object.entries(rawAttributes)) {
        if (name === "xmlns") scope[""] = decodeAttribute(raw);
        else if (name.startsWith("xmlns:")) scope[name.slice(6)] = decodeAttribute(raw);
    }
    const attributes: XmlAttribute[] = [];
    for (const [name, raw] of Object.entries(rawAttributes)) {
        if (name === "xmlns" || name.startsWith("xmlns:")) continue;
        const { prefix, localName } = splitName(name);
        const namespace = prefix === "" ? "" : scope[prefix];
        if (namespace === undefined) throw new XmlSyntaxError(`attribute ${name} on <${qualifiedName}> uses an undeclared prefix`);
        attributes.push({ namespace, localName, qualifiedName: name, value: decodeAttribute(raw) });
    }
    const { prefix, localName } = splitName(qualifiedName);
    const namespace = scope[prefix];
    if (namespace === undefined) {
        if (prefix !== "") throw new XmlSyntaxError(`element <${qualifiedName}> uses an undeclared prefix`);
    }
    const children: XmlElement[] = [];
    let text = "";
    for (const child of (node[qualifiedName] ?? []) as OrderedNode[]) {
        if (typeof child["#text"] === "string") text += decodeText(child["#text"]);
        else if (Array.isArray(child["#cdata"])) {
            for (const part of child["#cdata"] as OrderedNode[]) if (typeof part["#text"] === "string") text += part["#text"];
        } else if (elementName(child) !== undefined) children.push(buildElement(child, scope));
    }
    return { namespace: namespace ?? "", localName, qualifiedName, attributes, children, text, namespacesInScope: scope };
}

function splitName(name: string): { prefix: string; localName: string } {
    const colon = name.indexOf(":");
    return colon < 0 ? { prefix: "", localName: name } : { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Character data: line ends normalised to LF (XML 1.0 §2.11), then references decoded. */
function decodeText(raw: string): string {
    return decodeReferences(raw.replace(/\r\n?/g, "\n"));
}

/** Attribute values: literal whitespace becomes a space (XML 1.0 §3.3.3), then references decoded. */
function decodeAttribute(raw: string): string {
    return decodeReferences(raw.replace(/\r\n|[\t\n\r]/g, " "));
}

function decodeReferences(raw: string): string {
    return raw.replace(/&([^;&\s]*);/g, (whole, name: string) => {
        if (name.startsWith("#x") || name.startsWith("#X")) return codePoint(whole, parseInt(name.slice(2), 16), /^#[xX][0-9a-fA-F]+$/.test(name));
        if (name.startsWith("#")) return codePoint(whole, parseInt(name.slice(1), 10), /^#[0-9]+$/.test(name));
        const replacement = PREDEFINED_ENTITIES[name];
        if (replacement === undefined) throw new XmlSyntaxError(`unknown entity ${whole} (only the five XML entities and character references are allowed)`);
        return replacement;
    });
}

function codePoint(reference: string, value: number, wellFormed: boolean): string {
    if (!wellFormed || !Number.isInteger(value) || value < 1 || value > 0x10ffff) {
        throw new XmlSyntaxError(`invalid character reference ${reference}`);
    }
    return String.fromCodePoint(value);
}
