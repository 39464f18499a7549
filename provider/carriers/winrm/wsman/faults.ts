import {
    FAULT_CODE,
    NS_SOAP,
    NS_WSMAN,
    NS_WSMAN_FAULT,
} from "./namespaces";
import { XmlElement, attributeValue, findChild, findChildren, findPath, resolveQName } from "./xml-reader";

/** The WinRS operation a message belongs to; errors name it so a user knows how far the exchange got. */
export type WsmanStep = "Create" | "Command" | "Send" | "Receive" | "Signal" | "Delete";

/** Where an error happened: the host as the user named it, and the operation. */
export interface WsmanErrorContext {
    readonly host: string;
    readonly step: WsmanStep;
}

/** What a SOAP fault said, independent of who raised it (the client reads these, the test server writes them). */
export interface FaultDetails {
    /** SOAP Code/Value, e.g. "s:Sender" or "s:Receiver". */
    readonly soapCode?: string;
    /** SOAP Subcode/Value, e.g. "w:TimedOut", "w:InvalidSelectors" (written with the conventional s/w prefix). */
    readonly subcode?: string;
    /** The WSManFault Code (or MSFT_WmiError error_Code): a Win32 error or HRESULT, unsigned. */
    readonly code?: number;
    /** Reason/Text, whitespace-collapsed. */
    readonly reason?: string;
    /** WSManFault/Message (including nested ProviderFault text) or MSFT_WmiError Message, whitespace-collapsed. */
    readonly detailMessage?: string;
    /** WSManFault/@Machine: the server that raised the fault. */
    readonly machine?: string;
}

/**
 * A SOAP fault returned by the WS-Management service. The message reads
 * `web01: WinRM Receive failed: fault 2150858843 (w:InvalidSelectors): <reason> <detail>`.
 */
export class WsmanFault extends Error {
    readonly host: string;
    readonly step: WsmanStep;
    readonly code: number | undefined;
    readonly soapCode: string | undefined;
    readonly subcode: string | undefined;
    readonly reason: string | undefined;
    readonly detailMessage: string | undefined;
    readonly machine: string | undefined;

    constructor(context: WsmanErrorContext, details: FaultDetails) {
        super(describeFault(context, details));
        this.name = "WsmanFault";
        this.host = context.host;
        this.step = context.step;
        this.code = details.code;
        this.soapCode = details.soapCode;
        this.subcode = details.subcode;
        this.reason = details.reason;
        this.detailMessage = details.detailMessage;
        this.machine = details.machine;
    }
}

/**
 * A response that is not a WS-Management message we can use: not XML, no SOAP Body, or a body
 * element other than the one the operation answers with. Names host and step.
 */
export class WsmanProtocolError extends Error {
    readonly host: string;
    readonly step: WsmanStep;

    constructor(context: WsmanErrorContext, problem: string) {
        super(`${context.host}: WinRM ${context.step} failed: unusable response: ${problem}`);
        this.name = "WsmanProtocolError";
        this.host = context.host;
        this.step = context.step;
    }
}

/**
 * True for the w:TimedOut fault (2150858793) a Receive gets when the command wrote nothing within
 * OperationTimeout. It means "poll again", not failure.
 */
export function isOperationTimeout(error: unknown): error is WsmanFault {
    return error instanceof WsmanFault && error.code === FAULT_CODE.operationTimeout;
}

/** Reads the details of an `s:Fault` element. */
export function readFaultDetails(fault: XmlElement): FaultDetails {
    const codeValue = findPath(fault, [[NS_SOAP, "Code"], [NS_SOAP, "Value"]]);
    const subcodeValue = findPath(fault, [[NS_SOAP, "Code"], [NS_SOAP, "Subcode"], [NS_SOAP, "Value"]]);
    const reasonTexts = findChild(fault, NS_SOAP, "Reason");
    const reason = reasonTexts === undefined ? undefined : collapse(findChildren(reasonTexts, NS_SOAP, "Text").map((t) => t.text).join(" "));
    const detail = findChild(fault, NS_SOAP, "Detail");
    const wsmanFault = detail === undefined ? undefined : findChild(detail, NS_WSMAN_FAULT, "WSManFault");
    const wmiError = detail?.children.find((child) => child.localName === "MSFT_WmiError");

    let code: number | undefined;
    let detailMessage: string | undefined;
    let machine: string | undefined;
    if (wsmanFault !== undefined) {
        code = parseUnsigned(attributeValue(wsmanFault, "Code"));
        machine = attributeValue(wsmanFault, "Machine");
        detailMessage = collapse(wsmanFaultMessage(wsmanFault));
    } else if (wmiError !== undefined) {
        // MSFT_WmiError's children share its (CIM class) namespace, whatever prefix it uses.
        const field = (name: string) => findChild(wmiError, wmiError.namespace, name)?.text;
        code = parseUnsigned(field("error_Code"));
        detailMessage = collapse(field("Message") ?? "");
    }
    return {
        soapCode: codeValue === undefined ? undefined : conventionalQName(codeValue),
        subcode: subcodeValue === undefined ? undefined : conventionalQName(subcodeValue),
        code,
        reason: reason === "" ? undefined : reason,
        detailMessage: detailMessage === "" ? undefined : detailMessage,
        machine,
    };
}

/**
 * The text of f:Message. Windows nests f:ProviderFault (and sometimes a further WSManFault)
 * inside it; their texts are joined in document order, duplicates dropped.
 */
function wsmanFaultMessage(wsmanFault: XmlElement): string {
    const message = findChild(wsmanFault, NS_WSMAN_FAULT, "Message");
    if (message === undefined) return "";
    const parts: string[] = [];
    const visit = (element: XmlElement): void => {
        const own = collapse(element.text);
        if (own !== "" && !parts.includes(own)) parts.push(own);
        for (const child of element.children) visit(child);
    };
    visit(message);
    return parts.join(" ");
}

function describeFault(context: WsmanErrorContext, details: FaultDetails): string {
    const code = details.code === undefined ? "fault" : `fault ${details.code}`;
    const kind = details.subcode ?? details.soapCode;
    const texts: string[] = [];
    if (details.reason !== undefined) texts.push(details.reason);
    if (details.detailMessage !== undefined && !texts.some((t) => t.includes(details.detailMessage as string))) {
        texts.push(details.detailMessage);
    }
    const text = texts.length === 0 ? "(no reason given)" : texts.join(" ");
    return `${context.host}: WinRM ${context.step} failed: ${code}${kind === undefined ? "" : ` (${kind})`}: ${text}`;
}

/** A QName-valued s:Value rewritten with the prefixes of the notes (s:, w:) whatever the server used. */
function conventionalQName(value: XmlElement): string {
    const resolved = resolveQName(value, value.text);
    if (resolved === undefined) return value.text.trim();
    if (resolved.namespace === NS_SOAP) return `s:${resolved.localName}`;
    if (resolved.namespace === NS_WSMAN) return `w:${resolved.localName}`;
    return value.text.trim();
}

function parseUnsigned(text: string | undefined): number | undefined {
    if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
    return Number(text.trim());
}

function collapse(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}
