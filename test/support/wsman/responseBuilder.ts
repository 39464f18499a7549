import { formatDuration } from "../../../provider/carriers/winrm/wsman/duration";
import { normalizeMessageId } from "../../../provider/carriers/winrm/wsman/envelope";
import { FaultDetails } from "../../../provider/carriers/winrm/wsman/faults";
import {
    ACTION_COMMAND_RESPONSE,
    ACTION_CREATE_RESPONSE,
    ACTION_DELETE_RESPONSE,
    ACTION_FAULT,
    ACTION_RECEIVE_RESPONSE,
    ACTION_SEND_RESPONSE,
    ACTION_SIGNAL_RESPONSE,
    ADDRESS_ANONYMOUS,
    COMMAND_STATE_PREFIX,
    NS_ADDRESSING,
    NS_SHELL,
    NS_SOAP,
    NS_TRANSFER,
    NS_WSMAN,
    NS_WSMAN_FAULT,
    NS_WSMV,
    RESOURCE_URI_CMD,
} from "../../../provider/carriers/winrm/wsman/namespaces";
import { OutputStreamName } from "../../../provider/carriers/winrm/wsman/shell-requests";
import { CommandState } from "../../../provider/carriers/winrm/wsman/shell-responses";
import { element, textElement } from "../../../provider/carriers/winrm/wsman/xml-writer";

/**
 * Responses as Windows writes them (prefixes s/a/x/w/rsp/p, header Action/MessageID/To/RelatesTo),
 * for the in-repo WS-Management test server. The client never uses these.
 */

/** Which request a response answers, and its own id. */
export interface ResponseAddressing {
    /** The request's MessageID, echoed as a:RelatesTo. */
    readonly relatesTo: string;
    /** This response's MessageID ("uuid:" added if missing). */
    readonly messageId: string;
}

export interface CreateResponseOptions {
    readonly shellId: string;
    /** a:Address of the created resource: the endpoint URL. */
    readonly endpoint: string;
    /** Also echo an rsp:Shell block, as Windows 2012+ does. Default true. */
    readonly echoShell?: boolean;
    readonly idleTimeoutSeconds?: number;
}

export function buildCreateResponse(addressing: ResponseAddressing, options: CreateResponseOptions): string {
    const created = element(
        "x:ResourceCreated",
        [],
        textElement("a:Address", [], options.endpoint) +
            element(
                "a:ReferenceParameters",
                [],
                textElement("w:ResourceURI", [], RESOURCE_URI_CMD) +
                    element("w:SelectorSet", [], textElement("w:Selector", [["Name", "ShellId"]], options.shellId)),
            ),
    );
    const shell =
        options.echoShell === false
            ? ""
            : element(
                  "rsp:Shell",
                  [],
                  textElement("rsp:ShellId", [], options.shellId) +
                      textElement("rsp:ResourceUri", [], RESOURCE_URI_CMD) +
                      textElement("rsp:IdleTimeOut", [], formatDuration(options.idleTimeoutSeconds ?? 7200)) +
                      textElement("rsp:InputStreams", [], "stdin") +
                      textElement("rsp:OutputStreams", [], "stdout stderr"),
              );
    return responseEnvelope(addressing, ACTION_CREATE_RESPONSE, created + shell);
}

export function buildCommandResponse(addressing: ResponseAddressing, commandId: string): string {
    return responseEnvelope(addressing, ACTION_COMMAND_RESPONSE, element("rsp:CommandResponse", [], textElement("rsp:CommandId", [], commandId)));
}

export function buildSendResponse(addressing: ResponseAddressing): string {
    return responseEnvelope(addressing, ACTION_SEND_RESPONSE, element("rsp:SendResponse", []));
}

/** One rsp:Stream of a ReceiveResponse. Empty data with end=true is the end-of-stream marker. */
export interface OutputChunk {
    readonly name: OutputStreamName;
    readonly data: Uint8Array;
    readonly end?: boolean;
}

export interface ReceiveResponseOptions {
    readonly commandId: string;
    readonly chunks: readonly OutputChunk[];
    /** Omit to send no rsp:CommandState. */
    readonly state?: CommandState;
    /** Written as an unsigned DWORD (-1 → 4294967295), as Windows does. Only with state Done. */
    readonly exitCode?: number;
}

export function buildReceiveResponse(addressing: ResponseAddressing, options: ReceiveResponseOptions): string {
    const streams = options.chunks
        .map((chunk) =>
            textElement(
                "rsp:Stream",
                [["Name", chunk.name], ["CommandId", options.commandId], ["End", chunk.end === true ? "true" : undefined]],
                Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength).toString("base64"),
            ),
        )
        .join("");
    const exitCode =
        options.exitCode === undefined ? "" : textElement("rsp:ExitCode", [], String(options.exitCode < 0 ? options.exitCode + 0x100000000 : options.exitCode));
    const state =
        options.state === undefined
            ? ""
            : element("rsp:CommandState", [["CommandId", options.commandId], ["State", COMMAND_STATE_PREFIX + options.state]], exitCode);
    return responseEnvelope(addressing, ACTION_RECEIVE_RESPONSE, element("rsp:ReceiveResponse", [], streams + state));
}

export function buildSignalResponse(addressing: ResponseAddressing): string {
    return responseEnvelope(addressing, ACTION_SIGNAL_RESPONSE, element("rsp:SignalResponse", []));
}

export function buildDeleteResponse(addressing: ResponseAddressing): string {
    return responseEnvelope(addressing, ACTION_DELETE_RESPONSE, "");
}

/** A fault as Windows writes it (served with HTTP 500). `relatesTo` may be absent when the request was unreadable. */
export function buildFault(addressing: Partial<Pick<ResponseAddressing, "relatesTo">> & Pick<ResponseAddressing, "messageId">, fault: FaultDetails): string {
    const subcode = fault.subcode === undefined ? "" : element("s:Subcode", [], textElement("s:Value", [], fault.subcode));
    const code = element("s:Code", [], textElement("s:Value", [], fault.soapCode ?? "s:Receiver") + subcode);
    const reason = element("s:Reason", [], textElement("s:Text", [["xml:lang", "en-US"]], fault.reason ?? fault.detailMessage ?? ""));
    const detail =
        fault.code === undefined && fault.detailMessage === undefined
            ? ""
            : element(
                  "s:Detail",
                  [],
                  element(
                      "f:WSManFault",
                      [["xmlns:f", NS_WSMAN_FAULT], ["Code", fault.code === undefined ? undefined : String(fault.code)], ["Machine", fault.machine]],
                      textElement("f:Message", [], fault.detailMessage ?? fault.reason ?? ""),
                  ),
              );
    return responseEnvelope({ relatesTo: addressing.relatesTo, messageId: addressing.messageId }, ACTION_FAULT, element("s:Fault", [], code + reason + detail));
}

function responseEnvelope(addressing: { relatesTo?: string; messageId: string }, action: string, body: string): string {
    const header = [
        textElement("a:Action", [], action),
        textElement("a:MessageID", [], normalizeMessageId(addressing.messageId)),
        textElement("a:To", [], ADDRESS_ANONYMOUS),
        addressing.relatesTo === undefined ? "" : textElement("a:RelatesTo", [], normalizeMessageId(addressing.relatesTo)),
    ].join("");
    return (
        `<s:Envelope xml:lang="en-US" xmlns:s="${NS_SOAP}" xmlns:a="${NS_ADDRESSING}" xmlns:x="${NS_TRANSFER}" ` +
        `xmlns:w="${NS_WSMAN}" xmlns:rsp="${NS_SHELL}" xmlns:p="${NS_WSMV}">` +
        `<s:Header>${header}</s:Header>` +
        (body === "" ? `<s:Body/>` : `<s:Body>${body}</s:Body>`) +
        `</s:Envelope>`
    );
}
