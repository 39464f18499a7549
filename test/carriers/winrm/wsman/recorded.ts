import * as fs from "fs";
import { parse as parseYaml } from "yaml";
import { sharedFile } from "../../../support/paths";
import { NS_SOAP, XmlElement, parseXml } from "../../../../provider/carriers/winrm/wsman";

/**
 * Access to the recorded WinRM exchanges under ../shared/reference/winrm, and a structural view
 * of XML for comparing our requests with recorded ones.
 */

export const RECORDED_DIR = ["reference", "winrm"] as const;

/** One request/response pair of a pypsrp cassette. */
export interface RecordedMessage {
    readonly request: string;
    readonly response: string;
    /** The cassette's transport_error: the server answered with this HTTP status (a fault). */
    readonly httpStatus: number | undefined;
}

/**
 * The text of a shared file, or undefined (after saying why) when ../shared is absent outside CI;
 * `sharedFile` makes a missing file an error under CI=true.
 */
export function readShared(...parts: string[]): string | undefined {
    const file = sharedFile(...RECORDED_DIR, ...parts);
    if (file === undefined) {
        console.warn(`    (skipping: ../shared/${[...RECORDED_DIR, ...parts].join("/")} is not available)`);
        return undefined;
    }
    return fs.readFileSync(file, "utf8");
}

/** The messages of a pypsrp cassette (pypsrp/<name>.yml). */
export function readCassette(name: string): RecordedMessage[] | undefined {
    const text = readShared("pypsrp", `${name}.yml`);
    if (text === undefined) return undefined;
    const document = parseYaml(text) as { messages: Array<{ request: string; response: string; transport_error?: { code: number } }> };
    return document.messages.map((message) => ({
        request: message.request,
        response: message.response,
        httpStatus: message.transport_error?.code,
    }));
}

/** The names of all cassettes in pypsrp/ (without .yml), or undefined when ../shared is absent. */
export function cassetteNames(): string[] | undefined {
    const dir = sharedFile(...RECORDED_DIR, "pypsrp");
    if (dir === undefined) return undefined;
    return fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".yml") && !name.startsWith("_"))
        .map((name) => name.slice(0, -4))
        .sort();
}

/** A namespace-resolved, prefix-free view of an element for deep-equal comparisons. */
export interface Structure {
    name: string;
    attributes: Record<string, string>;
    text: string;
    children: Structure[];
}

export interface StructureOptions {
    /** Element names ("{ns}local") whose text is replaced by "*" (MessageID, SessionId). */
    readonly ignoreTextOf?: readonly string[];
    /** Element names whose children are compared as a set (sorted), e.g. s:Header. */
    readonly unorderedChildrenOf?: readonly string[];
    /** Element names dropped entirely. */
    readonly drop?: readonly string[];
}

export const IGNORE_IDS: StructureOptions = {
    ignoreTextOf: [
        "{http://schemas.xmlsoap.org/ws/2004/08/addressing}MessageID",
        "{http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd}SessionId",
    ],
    unorderedChildrenOf: [`{${NS_SOAP}}Header`],
};

/**
 * The structure of an element. Normalisations, each for a difference the notes record as
 * equivalent on Windows: pywinrm's unqualified `mustUnderstand` counts as `s:mustUnderstand`;
 * xs:boolean attribute and option values compare case-insensitively (pypsrp writes "True").
 * Text of elements with children is ignored (indentation).
 */
export function structure(element: XmlElement, options: StructureOptions = {}): Structure {
    const name = `{${element.namespace}}${element.localName}`;
    const attributes: Record<string, string> = {};
    for (const attribute of element.attributes) {
        const namespace = attribute.namespace === "" && attribute.localName === "mustUnderstand" ? NS_SOAP : attribute.namespace;
        attributes[`{${namespace}}${attribute.localName}`] = normalizeBoolean(attribute.value);
    }
    let children = element.children
        .filter((child) => !(options.drop ?? []).includes(`{${child.namespace}}${child.localName}`))
        .map((child) => structure(child, options));
    if ((options.unorderedChildrenOf ?? []).includes(name)) {
        children = [...children].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    const text = (options.ignoreTextOf ?? []).includes(name)
        ? "*"
        : element.children.length > 0
          ? ""
          : element.localName === "Option"
            ? normalizeBoolean(element.text.trim())
            : element.text.trim();
    return { name, attributes, text, children };
}

/** Structure of a whole document. */
export function documentStructure(xml: string, options: StructureOptions = IGNORE_IDS): Structure {
    return structure(parseXml(xml), options);
}

function normalizeBoolean(value: string): string {
    return /^(true|false)$/i.test(value) ? value.toLowerCase() : value;
}

/** The concatenation of Buffers as UTF-8 text. */
export function utf8(chunks: readonly Buffer[]): string {
    return Buffer.concat(chunks).toString("utf8");
}
