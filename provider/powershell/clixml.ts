import { XmlSyntaxError, attributeValue, parseXml } from "../carriers/winrm/wsman/xml-reader";

/**
 * PowerShell run with -EncodedCommand over a pipe writes its error, warning, verbose and
 * progress streams to stderr as CLIXML: a "#< CLIXML" line followed by an <Objs> document.
 * decodeClixml turns that back into the text a console would have shown.
 *
 * What PowerShell writes (recorded from PowerShell 7.6.9 in test fixtures): stream records as
 * <S S="Error">, and in lower case <S S="warning">, <S S="verbose">, <S S="debug">; with
 * -OutputFormat xml whole records as <Obj S="Error"> (an ErrorRecord) and <Obj S="information">,
 * each with the text a console shows in its <ToString>; progress as <Obj S="progress">, which a
 * console shows only as a transient bar and so is dropped. PowerShell 7 colours error text with
 * terminal escape sequences even when redirected, inside CLIXML and in plain stderr (-Command
 * writes errors as text); they are removed everywhere.
 *
 * Tolerated (all seen in Ansible's fixes): the header repeated ("#< CLIXML\r\n#< CLIXML\r\n"),
 * several <Objs> documents in a row, CLIXML after ordinary stderr text, and stderr with no
 * CLIXML at all (returned unchanged). A block that does not parse is kept verbatim, so nothing
 * the server said is lost.
 */

const HEADER = "#< CLIXML";
const OBJS_OPEN = "<Objs";
const OBJS_CLOSE = "</Objs>";

/** Prefixes PowerShell's console host puts on the streams of <S> records, by lower-cased stream name. */
const STREAM_PREFIX: Readonly<Record<string, string>> = { error: "", warning: "WARNING: ", verbose: "VERBOSE: ", debug: "DEBUG: " };
/** The <Obj> records shown as text (by their ToString), by lower-cased stream name. */
const OBJECT_STREAMS: ReadonlySet<string> = new Set(["error", "information"]);

/** Terminal control sequences (CSI, e.g. ESC[31;1m, and OSC) that PowerShell 7 puts around error text. */
const TERMINAL_SEQUENCES = /\u001b(?:\[[0-9;?]*[ -\/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\))/g;

/** True when `stderr` contains a CLIXML header. */
export function hasClixml(stderr: string): boolean {
    return stderr.includes(HEADER);
}

/**
 * Readable text for a stderr that may contain CLIXML: the error, warning, verbose, debug and
 * information records with their _xHHHH_ escapes decoded and terminal colours removed, progress
 * and other objects dropped, surrounding non-CLIXML text kept in place.
 */
export function decodeClixml(stderr: string): string {
    return decodeBlocks(stderr).replace(TERMINAL_SEQUENCES, "");
}

function decodeBlocks(stderr: string): string {
    const out: string[] = [];
    let position = 0;
    for (;;) {
        const header = stderr.indexOf(HEADER, position);
        if (header < 0) {
            out.push(stderr.slice(position));
            break;
        }
        out.push(stderr.slice(position, header));
        position = afterHeaders(stderr, header);
        // One header may be followed by several documents, each with or without its own header.
        while (stderr.startsWith(OBJS_OPEN, position)) {
            const close = stderr.indexOf(OBJS_CLOSE, position);
            if (close < 0) break;
            const end = close + OBJS_CLOSE.length;
            const decoded = decodeObjs(stderr.slice(position, end));
            position = skipLineEnd(stderr, end);
            const next = afterHeaders(stderr, position);
            if (stderr.startsWith(OBJS_OPEN, next)) position = next;
            // Records end with their own CRLF; keep one line break before whatever follows.
            out.push(decoded !== "" && position < stderr.length ? `${decoded}\r\n` : decoded);
        }
    }
    return out.join("");
}

/** Decodes PowerShell's _xHHHH_ escapes (XmlConvert.EncodeName style): "_x000D__x000A_" → "\r\n". */
export function decodeClixmlEscapes(text: string): string {
    return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** From a header at `from`: the position after it and any headers repeated directly after it. */
function afterHeaders(text: string, from: number): number {
    let position = from;
    while (text.startsWith(HEADER, position)) position = skipLineEnd(text, position + HEADER.length);
    return position;
}

function skipLineEnd(text: string, from: number): number {
    if (text.startsWith("\r\n", from)) return from + 2;
    if (text[from] === "\n") return from + 1;
    return from;
}

function decodeObjs(block: string): string {
    let root;
    try {
        root = parseXml(block);
    } catch (error) {
        if (error instanceof XmlSyntaxError) return block;
        throw error;
    }
    const lines: string[] = [];
    for (const record of root.children) {
        // <S S="Error">text</S> stream records; <Obj S="Error"> whole records, shown by their ToString.
        const stream = (attributeValue(record, "S") ?? "").toLowerCase();
        let prefix: string | undefined;
        let text: string | undefined;
        if (record.localName === "S") {
            prefix = STREAM_PREFIX[stream];
            text = record.text;
        } else if (record.localName === "Obj" && OBJECT_STREAMS.has(stream)) {
            prefix = "";
            text = record.children.find((child) => child.localName === "ToString")?.text;
        }
        if (prefix === undefined || text === undefined) continue;
        const line = decodeClixmlEscapes(text);
        // Error text ends with its own line break; warning, verbose and debug records and whole
        // records carry none, and a console shows each on a line of its own.
        lines.push(prefix + (line.endsWith("\n") ? line : `${line}\r\n`));
    }
    return lines.join("").replace(/\s+$/, "");
}
