import { ReadContext, SoapEnvelope, expectBodyElement, readResponseEnvelope } from "./envelope";
import { WsmanErrorContext, WsmanProtocolError } from "./faults";
import { COMMAND_STATE_PREFIX, NS_ADDRESSING, NS_SHELL, NS_TRANSFER, NS_WSMAN } from "./namespaces";
import { OutputStreamName } from "./shell-requests";
import { XmlElement, attributeValue, findChild, findChildren, findPath } from "./xml-reader";

/**
 * Readers for the responses to the shell requests. Each throws WsmanFault for a SOAP fault
 * (test `isOperationTimeout` on Receive) and WsmanProtocolError for anything unusable.
 */

/** rsp:CommandState/@State without its URI prefix. */
export type CommandState = "Pending" | "Running" | "Done";

/** What one Receive returned. */
export interface ReceiveOutput {
    /** Decoded chunks per stream, in the order received; concatenate them per stream. */
    readonly streams: Readonly<Record<OutputStreamName, readonly Buffer[]>>;
    /** Streams the server marked End="true" in this response. */
    readonly ended: readonly OutputStreamName[];
    /** The command's state, when the response carried rsp:CommandState. */
    readonly state: CommandState | undefined;
    /** True when the command has finished (state Done): stop polling. */
    readonly done: boolean;
    /**
     * The exit code once done. Windows sends it as an unsigned DWORD; values ≥ 2^31 are mapped to
     * their signed meaning (4294967295 → -1), so NTSTATUS/HRESULT exits read as negative.
     */
    readonly exitCode?: number;
}

/** The ShellId a Create returned: the ResourceCreated selector, or the rsp:Shell/rsp:ShellId newer Windows also send. */
export function readCreateResponse(xml: string, context: ReadContext): { shellId: string } {
    const envelope = readResponseEnvelope(xml, { ...context, step: "Create" });
    const created = findChild(envelope.body, NS_TRANSFER, "ResourceCreated");
    const selectorSet = created === undefined ? undefined : findPath(created, [[NS_ADDRESSING, "ReferenceParameters"], [NS_WSMAN, "SelectorSet"]]);
    const selector = selectorSet === undefined ? undefined : findChildren(selectorSet, NS_WSMAN, "Selector").find((s) => attributeValue(s, "Name") === "ShellId");
    const fromSelector = nonEmpty(selector?.text);
    const shell = findChild(envelope.body, NS_SHELL, "Shell");
    const fromShell = nonEmpty(shell === undefined ? undefined : findChild(shell, NS_SHELL, "ShellId")?.text);
    if (fromSelector !== undefined && fromShell !== undefined && fromSelector !== fromShell) {
        throw new WsmanProtocolError({ ...context, step: "Create" }, `the ShellId selector ${fromSelector} and rsp:ShellId ${fromShell} disagree`);
    }
    const shellId = fromSelector ?? fromShell;
    if (shellId === undefined) {
        throw new WsmanProtocolError({ ...context, step: "Create" }, `no ShellId in ${describeBody(envelope)}`);
    }
    return { shellId };
}

/** The CommandId a Command returned. */
export function readCommandResponse(xml: string, context: ReadContext): { commandId: string } {
    const envelope = readResponseEnvelope(xml, { ...context, step: "Command" });
    const response = expectBodyElement(envelope, { ...context, step: "Command" }, NS_SHELL, "CommandResponse");
    const commandId = nonEmpty(findChild(response, NS_SHELL, "CommandId")?.text);
    if (commandId === undefined) throw new WsmanProtocolError({ ...context, step: "Command" }, "rsp:CommandResponse has no CommandId");
    return { commandId };
}

/**
 * The output of a Receive. With `commandId`, streams or states for another command are an error
 * (they would mean the shell mixed up commands).
 */
export function readReceiveResponse(xml: string, context: ReadContext & { readonly commandId?: string }): ReceiveOutput {
    const errorContext = { ...context, step: "Receive" as const };
    const envelope = readResponseEnvelope(xml, errorContext);
    const response = expectBodyElement(envelope, errorContext, NS_SHELL, "ReceiveResponse");
    const streams: Record<OutputStreamName, Buffer[]> = { stdout: [], stderr: [] };
    const ended: OutputStreamName[] = [];
    const checkCommand = (item: XmlElement) => {
        const id = attributeValue(item, "CommandId");
        if (context.commandId !== undefined && id !== undefined && id.toLowerCase() !== context.commandId.toLowerCase()) {
            throw new WsmanProtocolError(errorContext, `<${item.qualifiedName}> is for command ${id}, expected ${context.commandId}`);
        }
    };
    for (const stream of findChildren(response, NS_SHELL, "Stream")) {
        checkCommand(stream);
        const name = attributeValue(stream, "Name");
        if (name !== "stdout" && name !== "stderr") {
            throw new WsmanProtocolError(errorContext, `rsp:Stream with Name=${JSON.stringify(name)}; only stdout and stderr were asked for`);
        }
        const data = stream.text.replace(/\s+/g, "");
        if (data !== "") {
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
                throw new WsmanProtocolError(errorContext, `rsp:Stream ${name} is not base64: ${JSON.stringify(data.slice(0, 40))}`);
            }
            streams[name].push(Buffer.from(data, "base64"));
        }
        if (isTrue(attributeValue(stream, "End")) && !ended.includes(name)) ended.push(name);
    }
    const commandState = findChild(response, NS_SHELL, "CommandState");
    if (commandState === undefined) return { streams, ended, state: undefined, done: false };
    checkCommand(commandState);
    const state = parseCommandState(attributeValue(commandState, "State"), errorContext);
    const exitCodeText = findChild(commandState, NS_SHELL, "ExitCode")?.text;
    const exitCode = exitCodeText === undefined ? undefined : parseExitCode(exitCodeText, errorContext);
    return exitCode === undefined
        ? { streams, ended, state, done: state === "Done" }
        : { streams, ended, state, done: state === "Done", exitCode };
}

/** Checks a Send response (rsp:SendResponse). */
export function readSendResponse(xml: string, context: ReadContext): void {
    const envelope = readResponseEnvelope(xml, { ...context, step: "Send" });
    expectBodyElement(envelope, { ...context, step: "Send" }, NS_SHELL, "SendResponse");
}

/** Checks a Signal response (rsp:SignalResponse). */
export function readSignalResponse(xml: string, context: ReadContext): void {
    const envelope = readResponseEnvelope(xml, { ...context, step: "Signal" });
    expectBodyElement(envelope, { ...context, step: "Signal" }, NS_SHELL, "SignalResponse");
}

/** Checks a Delete response: an empty Body (any fault has already been thrown). */
export function readDeleteResponse(xml: string, context: ReadContext): void {
    const envelope = readResponseEnvelope(xml, { ...context, step: "Delete" });
    if (envelope.body.children.length > 0) {
        throw new WsmanProtocolError({ ...context, step: "Delete" }, `expected an empty Body, got ${describeBody(envelope)}`);
    }
}

/** A DWORD exit code as a signed 32-bit number; accepts the signed form too. */
export function parseExitCode(text: string, context: WsmanErrorContext): number {
    const trimmed = text.trim();
    if (!/^-?\d+$/.test(trimmed)) throw new WsmanProtocolError(context, `ExitCode ${JSON.stringify(text)} is not a number`);
    const value = Number(trimmed);
    if (value < -0x80000000 || value > 0xffffffff) throw new WsmanProtocolError(context, `ExitCode ${trimmed} does not fit a DWORD`);
    return value >= 0x80000000 ? value - 0x100000000 : value;
}

function parseCommandState(uri: string | undefined, context: WsmanErrorContext): CommandState {
    const name = uri?.startsWith(COMMAND_STATE_PREFIX) ? uri.slice(COMMAND_STATE_PREFIX.length) : undefined;
    if (name === "Done" || name === "Running" || name === "Pending") return name;
    throw new WsmanProtocolError(context, `unknown rsp:CommandState State=${JSON.stringify(uri)}`);
}

function isTrue(value: string | undefined): boolean {
    return value !== undefined && (value.trim().toLowerCase() === "true" || value.trim() === "1");
}

function nonEmpty(text: string | undefined): string | undefined {
    const trimmed = text?.trim();
    return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function describeBody(envelope: SoapEnvelope): string {
    return envelope.body.children.map((child) => `<${child.qualifiedName}>`).join(", ") || "an empty Body";
}
