import { formatDuration } from "./duration";
import { BuiltRequest, RequestContext, WsmanOption, buildRequestEnvelope } from "./envelope";
import {
    ACTION_COMMAND,
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_RECEIVE,
    ACTION_SEND,
    ACTION_SIGNAL,
    RESOURCE_URI_CMD,
    SIGNAL_CTRL_C,
    SIGNAL_TERMINATE,
} from "./namespaces";
import { element, textElement } from "./xml-writer";

/**
 * Requests of the Windows Remote Shell (MS-WSMV 3.1.4.1x) on the cmd resource: Create a shell,
 * run a Command in it, Send stdin, Receive output, Signal the command, Delete the shell.
 */

/** Output streams of a cmd shell. */
export type OutputStreamName = "stdout" | "stderr";
/** Signals a client sends to a command: terminate after output is read (MS-WSMV 3.1.4.14 requires it), ctrl_c to interrupt. */
export type ShellSignal = "terminate" | "ctrl_c";

/** The code page every shell is created with: output is UTF-8 and decoded as such. */
export const SHELL_CODEPAGE = 65001;

export interface CreateShellOptions {
    /** rsp:WorkingDirectory: the directory commands start in. Default: the user's profile directory. */
    readonly workingDirectory?: string;
    /** rsp:Environment: variables added to the shell's environment. */
    readonly environment?: Readonly<Record<string, string>>;
    /** rsp:IdleTimeOut in seconds: the server deletes the shell after this long without requests. Default: the server's (2 h). */
    readonly idleTimeoutSeconds?: number;
    /** WINRS_NOPROFILE: skip loading the user profile. Default false, as pywinrm and WinRb send. */
    readonly noProfile?: boolean;
}

/** transfer/Create of a cmd shell with stdin and stdout/stderr, UTF-8 code page. */
export function buildCreateShell(context: RequestContext, options: CreateShellOptions = {}): BuiltRequest {
    const environment = Object.entries(options.environment ?? {});
    const shell = [
        textElement("rsp:InputStreams", [], "stdin"),
        textElement("rsp:OutputStreams", [], "stdout stderr"),
        environment.length === 0
            ? ""
            : element("rsp:Environment", [], environment.map(([name, value]) => textElement("rsp:Variable", [["Name", name]], value)).join("")),
        options.idleTimeoutSeconds === undefined ? "" : textElement("rsp:IdleTimeOut", [], formatDuration(options.idleTimeoutSeconds)),
        options.workingDirectory === undefined ? "" : textElement("rsp:WorkingDirectory", [], options.workingDirectory),
    ].join("");
    const shellOptions: WsmanOption[] = [
        { name: "WINRS_NOPROFILE", value: options.noProfile === true ? "TRUE" : "FALSE" },
        { name: "WINRS_CODEPAGE", value: String(SHELL_CODEPAGE) },
    ];
    return buildRequestEnvelope(
        context,
        { action: ACTION_CREATE, resourceUri: RESOURCE_URI_CMD, options: shellOptions },
        element("rsp:Shell", [], shell),
    );
}

export interface CommandOptions {
    /** rsp:Command: the program (or, with cmd.exe, a whole command line). */
    readonly command: string;
    /** rsp:Arguments, one element each; the server joins them with spaces without quoting. */
    readonly arguments?: readonly string[];
    /** WINRS_CONSOLEMODE_STDIN: stdin is a console rather than a pipe. Default true. */
    readonly consoleModeStdin?: boolean;
    /** WINRS_SKIP_CMD_SHELL: start the program directly instead of through cmd.exe /c. Default false. */
    readonly skipCmdShell?: boolean;
}

/** shell/Command: start a command in the shell. */
export function buildCommand(context: RequestContext, shellId: string, options: CommandOptions): BuiltRequest {
    const commandLine =
        textElement("rsp:Command", [], options.command) +
        (options.arguments ?? []).map((argument) => textElement("rsp:Arguments", [], argument)).join("");
    return buildRequestEnvelope(
        context,
        {
            action: ACTION_COMMAND,
            resourceUri: RESOURCE_URI_CMD,
            shellId,
            options: [
                { name: "WINRS_CONSOLEMODE_STDIN", value: options.consoleModeStdin === false ? "FALSE" : "TRUE" },
                { name: "WINRS_SKIP_CMD_SHELL", value: options.skipCmdShell === true ? "TRUE" : "FALSE" },
            ],
        },
        element("rsp:CommandLine", [], commandLine),
    );
}

export interface SendOptions {
    readonly commandId: string;
    /** The bytes of this chunk (may be empty, e.g. to just close stdin). */
    readonly data: Uint8Array;
    /** True on the last chunk: closes the command's stdin. */
    readonly end: boolean;
}

/** shell/Send: one base64 chunk of stdin. Use `sendChunkCapacity` to size chunks. */
export function buildSend(context: RequestContext, shellId: string, options: SendOptions): BuiltRequest {
    const data = Buffer.from(options.data.buffer, options.data.byteOffset, options.data.byteLength).toString("base64");
    const stream = textElement(
        "rsp:Stream",
        [["Name", "stdin"], ["CommandId", options.commandId], ["End", options.end ? "true" : "false"]],
        data,
    );
    return buildRequestEnvelope(
        context,
        { action: ACTION_SEND, resourceUri: RESOURCE_URI_CMD, shellId },
        element("rsp:Send", [], stream),
    );
}

/**
 * How many stdin bytes one Send may carry so that the request stays within `serverMaxEnvelopeSize`
 * bytes (the server's MaxEnvelopeSizekb × 1024; 150 KiB on older Windows, 500 KiB on newer).
 * Base64 inflates by 4/3; a small margin covers differing id lengths.
 */
export function sendChunkCapacity(context: RequestContext, shellId: string, commandId: string, serverMaxEnvelopeSize: number): number {
    const empty = buildSend(context, shellId, { commandId, data: new Uint8Array(0), end: true });
    const room = serverMaxEnvelopeSize - Buffer.byteLength(empty.xml, "utf8") - 256;
    return room <= 0 ? 0 : Math.floor(room / 4) * 3;
}

export interface ReceiveOptions {
    readonly commandId: string;
    /** Streams wanted. Default stdout and stderr. */
    readonly streams?: readonly OutputStreamName[];
    /** WSMAN_CMDSHELL_OPTION_KEEPALIVE: keep the shell alive while polling (pypsrp sends it). Default true. */
    readonly keepAlive?: boolean;
}

/** shell/Receive: poll for output and the command's state. */
export function buildReceive(context: RequestContext, shellId: string, options: ReceiveOptions): BuiltRequest {
    const streams = options.streams ?? ["stdout", "stderr"];
    return buildRequestEnvelope(
        context,
        {
            action: ACTION_RECEIVE,
            resourceUri: RESOURCE_URI_CMD,
            shellId,
            options: options.keepAlive === false ? [] : [{ name: "WSMAN_CMDSHELL_OPTION_KEEPALIVE", value: "TRUE" }],
        },
        element("rsp:Receive", [], textElement("rsp:DesiredStream", [["CommandId", options.commandId]], streams.join(" "))),
    );
}

export interface SignalOptions {
    readonly commandId: string;
    readonly signal: ShellSignal;
}

/** shell/Signal: terminate (after the output is read) or ctrl_c a command. */
export function buildSignal(context: RequestContext, shellId: string, options: SignalOptions): BuiltRequest {
    const code = options.signal === "terminate" ? SIGNAL_TERMINATE : SIGNAL_CTRL_C;
    return buildRequestEnvelope(
        context,
        { action: ACTION_SIGNAL, resourceUri: RESOURCE_URI_CMD, shellId },
        element("rsp:Signal", [["CommandId", options.commandId]], textElement("rsp:Code", [], code)),
    );
}

/** transfer/Delete of the shell (empty body). Always send it: Windows limits shells per user. */
export function buildDeleteShell(context: RequestContext, shellId: string): BuiltRequest {
    return buildRequestEnvelope(context, { action: ACTION_DELETE, resourceUri: RESOURCE_URI_CMD, shellId }, "");
}
