import { parseDuration } from "../../../provider/carriers/winrm/wsman/duration";
import { parseEnvelope } from "../../../provider/carriers/winrm/wsman/envelope";
import {
    ACTION_COMMAND,
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_RECEIVE,
    ACTION_SEND,
    ACTION_SIGNAL,
    NS_ADDRESSING,
    NS_SHELL,
    NS_WSMAN,
    NS_WSMV,
    NS_XML,
    SIGNAL_CTRL_C,
    SIGNAL_TERMINATE,
} from "../../../provider/carriers/winrm/wsman/namespaces";
import { ShellSignal } from "../../../provider/carriers/winrm/wsman/shell-requests";
import { XmlElement, attributeValue, findChild, findChildren } from "../../../provider/carriers/winrm/wsman/xml-reader";

/**
 * The server side of the shell requests: what our in-repo WS-Management test server needs to
 * understand a client's request. Tolerant of the prefixes and header orders different clients use.
 */

/** A request that parsed as XML but is not a usable WinRS request; a server answers it with a fault. */
export class MalformedRequestError extends Error {
    constructor(message: string) {
        super(message);
        // Set explicitly: in Pulumi's serialised provider, super(message) does not.
        this.message = message;
        this.name = "MalformedRequestError";
    }
}

/** Header fields common to every request. */
export interface RequestHeader {
    readonly action: string;
    readonly messageId: string;
    readonly to: string | undefined;
    readonly resourceUri: string | undefined;
    /** w:OperationTimeout in seconds. */
    readonly operationTimeoutSeconds: number | undefined;
    readonly maxEnvelopeSize: number | undefined;
    readonly locale: string | undefined;
    readonly sessionId: string | undefined;
    /** The ShellId selector. */
    readonly shellId: string | undefined;
    /** w:OptionSet as name → value. */
    readonly options: Readonly<Record<string, string>>;
}

export interface CreateShellRequest extends RequestHeader {
    readonly kind: "Create";
    readonly inputStreams: readonly string[];
    readonly outputStreams: readonly string[];
    readonly workingDirectory: string | undefined;
    readonly environment: Readonly<Record<string, string>>;
    readonly idleTimeoutSeconds: number | undefined;
}

export interface CommandRequest extends RequestHeader {
    readonly kind: "Command";
    readonly command: string;
    readonly arguments: readonly string[];
}

export interface SendRequest extends RequestHeader {
    readonly kind: "Send";
    readonly streams: ReadonlyArray<{ readonly name: string; readonly commandId: string | undefined; readonly data: Buffer; readonly end: boolean }>;
}

export interface ReceiveRequest extends RequestHeader {
    readonly kind: "Receive";
    readonly commandId: string | undefined;
    readonly desiredStreams: readonly string[];
}

export interface SignalRequest extends RequestHeader {
    readonly kind: "Signal";
    readonly commandId: string | undefined;
    /** The known signals by name; any other code URI verbatim. */
    readonly signal: ShellSignal | { readonly code: string };
}

export interface DeleteShellRequest extends RequestHeader {
    readonly kind: "Delete";
}

export type WsmanRequest = CreateShellRequest | CommandRequest | SendRequest | ReceiveRequest | SignalRequest | DeleteShellRequest;

/**
 * Reads a client's request. Throws XmlSyntaxError for malformed XML and MalformedRequestError
 * for an unknown action or a body that does not match it.
 */
export function readRequest(xml: string): WsmanRequest {
    const envelope = parseEnvelope(xml);
    const header = envelope.header;
    if (header === undefined) throw new MalformedRequestError("the request has no SOAP Header");
    const text = (namespace: string, localName: string) => findChild(header, namespace, localName)?.text.trim();
    const action = envelope.action;
    if (action === undefined || action === "") throw new MalformedRequestError("the request has no a:Action");
    const messageId = envelope.messageId;
    if (messageId === undefined || messageId === "") throw new MalformedRequestError("the request has no a:MessageID");
    const timeout = text(NS_WSMAN, "OperationTimeout");
    const maxEnvelope = text(NS_WSMAN, "MaxEnvelopeSize");
    const localeElement = findChild(header, NS_WSMAN, "Locale");
    const selectorSet = findChild(header, NS_WSMAN, "SelectorSet");
    const shellSelector = selectorSet === undefined ? undefined : findChildren(selectorSet, NS_WSMAN, "Selector").find((s) => attributeValue(s, "Name") === "ShellId");
    const optionSet = findChild(header, NS_WSMAN, "OptionSet");
    const options: Record<string, string> = {};
    for (const option of optionSet === undefined ? [] : findChildren(optionSet, NS_WSMAN, "Option")) {
        const name = attributeValue(option, "Name");
        if (name !== undefined) options[name] = option.text;
    }
    const common: RequestHeader = {
        action,
        messageId,
        to: text(NS_ADDRESSING, "To"),
        resourceUri: text(NS_WSMAN, "ResourceURI"),
        operationTimeoutSeconds: timeout === undefined ? undefined : parseDuration(timeout),
        maxEnvelopeSize: maxEnvelope === undefined || !/^\d+$/.test(maxEnvelope) ? undefined : Number(maxEnvelope),
        locale: localeElement === undefined ? undefined : attributeValue(localeElement, "lang", NS_XML),
        sessionId: text(NS_WSMV, "SessionId"),
        shellId: shellSelector?.text.trim(),
        options,
    };
    const body = envelope.body;
    const bodyElement = (localName: string): XmlElement => {
        const found = findChild(body, NS_SHELL, localName);
        if (found === undefined) throw new MalformedRequestError(`${action} request without rsp:${localName} in its Body`);
        return found;
    };
    switch (action) {
        case ACTION_CREATE: {
            const shell = bodyElement("Shell");
            const list = (localName: string) => (findChild(shell, NS_SHELL, localName)?.text ?? "").split(/\s+/).filter((s) => s !== "");
            const environment: Record<string, string> = {};
            const environmentElement = findChild(shell, NS_SHELL, "Environment");
            for (const variable of environmentElement === undefined ? [] : findChildren(environmentElement, NS_SHELL, "Variable")) {
                const name = attributeValue(variable, "Name");
                if (name === undefined) throw new MalformedRequestError("rsp:Variable without a Name");
                environment[name] = variable.text;
            }
            const idle = findChild(shell, NS_SHELL, "IdleTimeOut")?.text;
            return {
                ...common,
                kind: "Create",
                inputStreams: list("InputStreams"),
                outputStreams: list("OutputStreams"),
                workingDirectory: findChild(shell, NS_SHELL, "WorkingDirectory")?.text,
                environment,
                idleTimeoutSeconds: idle === undefined ? undefined : parseDuration(idle),
            };
        }
        case ACTION_COMMAND: {
            const commandLine = bodyElement("CommandLine");
            const command = findChild(commandLine, NS_SHELL, "Command");
            if (command === undefined) throw new MalformedRequestError("rsp:CommandLine without rsp:Command");
            return {
                ...common,
                kind: "Command",
                command: command.text,
                arguments: findChildren(commandLine, NS_SHELL, "Arguments").map((argument) => argument.text),
            };
        }
        case ACTION_SEND: {
            const streams = findChildren(bodyElement("Send"), NS_SHELL, "Stream").map((stream) => {
                const data = stream.text.replace(/\s+/g, "");
                if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) throw new MalformedRequestError("rsp:Stream content is not base64");
                const end = attributeValue(stream, "End")?.trim().toLowerCase();
                return {
                    name: attributeValue(stream, "Name") ?? "",
                    commandId: attributeValue(stream, "CommandId"),
                    data: Buffer.from(data, "base64"),
                    end: end === "true" || end === "1",
                };
            });
            return { ...common, kind: "Send", streams };
        }
        case ACTION_RECEIVE: {
            const desired = findChild(bodyElement("Receive"), NS_SHELL, "DesiredStream");
            if (desired === undefined) throw new MalformedRequestError("rsp:Receive without rsp:DesiredStream");
            return {
                ...common,
                kind: "Receive",
                commandId: attributeValue(desired, "CommandId"),
                desiredStreams: desired.text.split(/\s+/).filter((s) => s !== ""),
            };
        }
        case ACTION_SIGNAL: {
            const signal = bodyElement("Signal");
            const code = findChild(signal, NS_SHELL, "Code")?.text.trim() ?? "";
            return {
                ...common,
                kind: "Signal",
                commandId: attributeValue(signal, "CommandId"),
                signal: code === SIGNAL_TERMINATE ? "terminate" : code === SIGNAL_CTRL_C ? "ctrl_c" : { code },
            };
        }
        case ACTION_DELETE:
            return { ...common, kind: "Delete" };
        default:
            throw new MalformedRequestError(`unsupported action ${action}`);
    }
}
