import { randomUUID } from "crypto";
import { formatDuration } from "./duration";
import { WsmanErrorContext, WsmanFault, WsmanProtocolError, readFaultDetails } from "./faults";
import {
    ADDRESS_ANONYMOUS,
    NS_ADDRESSING,
    NS_SHELL,
    NS_SOAP,
    NS_WSMAN,
    NS_WSMV,
} from "./namespaces";
import { XmlElement, XmlSyntaxError, findChild, parseXml } from "./xml-reader";
import { element, textElement } from "./xml-writer";

/** What every request needs from the caller. */
export interface RequestContext {
    /** The endpoint URL the request is posted to, e.g. "http://web01:5985/wsman" (becomes a:To). */
    readonly endpoint: string;
    /**
     * This request's id. A bare UUID gets the "uuid:" prefix WinRM expects. Injectable so tests
     * are deterministic; production passes `newMessageId()`.
     */
    readonly messageId: string;
    /** w:OperationTimeout in seconds: how long the server may hold a Receive before w:TimedOut. */
    readonly operationTimeoutSeconds: number;
    /** w:MaxEnvelopeSize in bytes: the largest response the client accepts (clients send 153600). */
    readonly maxEnvelopeSize: number;
    /** w:Locale and p:DataLocale. Default "en-US". */
    readonly locale?: string;
    /** p:SessionId, sent by WinRb and pypsrp to tie requests together; optional. */
    readonly sessionId?: string;
}

/** A request ready to post, with the MessageID its response must relate to. */
export interface BuiltRequest {
    readonly xml: string;
    readonly messageId: string;
}

/** One w:Option of a w:OptionSet. */
export interface WsmanOption {
    readonly name: string;
    readonly value: string;
    /** w:Option/@MustComply; pypsrp sets it for WINRS_NOPROFILE. */
    readonly mustComply?: boolean;
}

/** The header fields that differ between operations. */
export interface RequestAddressing {
    readonly action: string;
    readonly resourceUri: string;
    /** The ShellId selector; every shell operation but Create has one. */
    readonly shellId?: string;
    readonly options?: readonly WsmanOption[];
}

/** A fresh "uuid:…" MessageID (upper case, as Windows writes them). */
export function newMessageId(): string {
    return `uuid:${randomUUID().toUpperCase()}`;
}

/** "uuid:"-prefixed form of a message id. */
export function normalizeMessageId(id: string): string {
    return /^uuid:/i.test(id) ? id : `uuid:${id}`;
}

/**
 * A complete SOAP envelope with the common WS-Management header of MS-WSMV 2.2.4 as the
 * notes list it (To, ReplyTo, MaxEnvelopeSize, MessageID, Locale, DataLocale, OperationTimeout,
 * ResourceURI, Action, SelectorSet, OptionSet). `body` is serialised markup (may be empty).
 */
export function buildRequestEnvelope(context: RequestContext, addressing: RequestAddressing, body: string): BuiltRequest {
    if (!Number.isInteger(context.maxEnvelopeSize) || context.maxEnvelopeSize <= 0) {
        throw new RangeError(`maxEnvelopeSize must be a positive whole number of bytes, got ${context.maxEnvelopeSize}`);
    }
    const messageId = normalizeMessageId(context.messageId);
    const locale = context.locale ?? "en-US";
    const must = (value: boolean) => ["s:mustUnderstand", value ? "true" : "false"] as const;
    const header = [
        textElement("a:To", [], context.endpoint),
        element("a:ReplyTo", [], textElement("a:Address", [must(true)], ADDRESS_ANONYMOUS)),
        textElement("w:MaxEnvelopeSize", [must(true)], String(context.maxEnvelopeSize)),
        textElement("a:MessageID", [], messageId),
        element("w:Locale", [must(false), ["xml:lang", locale]]),
        element("p:DataLocale", [must(false), ["xml:lang", locale]]),
        context.sessionId === undefined ? "" : textElement("p:SessionId", [must(false)], normalizeMessageId(context.sessionId)),
        textElement("w:OperationTimeout", [], formatDuration(context.operationTimeoutSeconds)),
        textElement("w:ResourceURI", [must(true)], addressing.resourceUri),
        textElement("a:Action", [must(true)], addressing.action),
        addressing.shellId === undefined
            ? ""
            : element("w:SelectorSet", [], textElement("w:Selector", [["Name", "ShellId"]], addressing.shellId)),
        addressing.options === undefined || addressing.options.length === 0
            ? ""
            : element(
                  "w:OptionSet",
                  [],
                  addressing.options
                      .map((option) =>
                          textElement(
                              "w:Option",
                              [["Name", option.name], ["MustComply", option.mustComply === true ? "true" : undefined]],
                              option.value,
                          ),
                      )
                      .join(""),
              ),
    ].join("");
    const xml =
        `<?xml version="1.0" encoding="utf-8"?>` +
        `<s:Envelope xmlns:s="${NS_SOAP}" xmlns:a="${NS_ADDRESSING}" xmlns:w="${NS_WSMAN}" xmlns:p="${NS_WSMV}" xmlns:rsp="${NS_SHELL}">` +
        `<s:Header>${header}</s:Header>` +
        (body === "" ? `<s:Body/>` : `<s:Body>${body}</s:Body>`) +
        `</s:Envelope>`;
    return { xml, messageId };
}

/** A parsed SOAP envelope. */
export interface SoapEnvelope {
    readonly root: XmlElement;
    readonly header: XmlElement | undefined;
    readonly body: XmlElement;
    /** a:Action, trimmed. */
    readonly action: string | undefined;
    readonly messageId: string | undefined;
    readonly relatesTo: string | undefined;
}

/**
 * Parses a SOAP 1.2 envelope. Throws XmlSyntaxError for malformed XML and a plain Error naming
 * what is missing for a document that is not an envelope; `readResponseEnvelope` turns both into
 * WsmanProtocolError with host and step.
 */
export function parseEnvelope(xml: string): SoapEnvelope {
    const root = parseXml(xml);
    if (root.namespace !== NS_SOAP || root.localName !== "Envelope") {
        throw new XmlSyntaxError(`the root element is <${root.qualifiedName}> in namespace "${root.namespace}", not a SOAP 1.2 Envelope`);
    }
    const header = findChild(root, NS_SOAP, "Header");
    const body = findChild(root, NS_SOAP, "Body");
    if (body === undefined) throw new XmlSyntaxError("the SOAP envelope has no Body");
    const headerText = (localName: string) => {
        const found = header === undefined ? undefined : findChild(header, NS_ADDRESSING, localName);
        return found === undefined ? undefined : found.text.trim();
    };
    return { root, header, body, action: headerText("Action"), messageId: headerText("MessageID"), relatesTo: headerText("RelatesTo") };
}

/** What a response reader needs to know about the request it answers. */
export interface ReadContext {
    /** The host as the user named it, for error messages. */
    readonly host: string;
    /** The request's MessageID; when given, a RelatesTo in the response must match it. */
    readonly requestMessageId?: string;
}

/** ReadContext plus the step, for the generic envelope functions. */
export interface ResponseContext extends ReadContext, WsmanErrorContext {}

/**
 * Parses a response envelope for `context.step`: throws WsmanFault when the body is a SOAP fault,
 * WsmanProtocolError when the text is not a usable envelope or relates to another request.
 */
export function readResponseEnvelope(xml: string, context: ResponseContext): SoapEnvelope {
    let envelope: SoapEnvelope;
    try {
        envelope = parseEnvelope(xml);
    } catch (error) {
        if (!(error instanceof XmlSyntaxError)) throw error;
        throw new WsmanProtocolError(context, `${error.message}; response starts ${JSON.stringify(xml.slice(0, 80))}`);
    }
    const fault = findChild(envelope.body, NS_SOAP, "Fault");
    if (fault !== undefined) throw new WsmanFault(context, readFaultDetails(fault));
    checkRelatesTo(envelope, context);
    return envelope;
}

/**
 * Checks that a response's a:RelatesTo names the request it answers (pywinrm asserts this for
 * Signal and Delete). Responses without RelatesTo pass: some servers omit it.
 */
export function checkRelatesTo(envelope: SoapEnvelope, context: ResponseContext): void {
    if (context.requestMessageId === undefined || envelope.relatesTo === undefined) return;
    const expected = normalizeMessageId(context.requestMessageId).toLowerCase();
    if (normalizeMessageId(envelope.relatesTo).toLowerCase() !== expected) {
        throw new WsmanProtocolError(
            context,
            `RelatesTo ${envelope.relatesTo} does not match the request's MessageID ${normalizeMessageId(context.requestMessageId)}`,
        );
    }
}

/** The single element of a response body, which must be `localName` in `namespace`. */
export function expectBodyElement(envelope: SoapEnvelope, context: WsmanErrorContext, namespace: string, localName: string): XmlElement {
    const found = findChild(envelope.body, namespace, localName);
    if (found !== undefined) return found;
    const actual = envelope.body.children.map((child) => `<${child.qualifiedName}>`).join(", ") || "an empty Body";
    throw new WsmanProtocolError(context, `expected <${localName}> in namespace ${namespace}, got ${actual}`);
}
