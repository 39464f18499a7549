import * as assert from "assert";
import { BuiltRequest, NS_SHELL, NS_WSMAN, RequestContext, buildCommand, buildCreateShell, buildDeleteShell, buildReceive, buildSend, buildSignal, parseXml, sendChunkCapacity } from "../../../../provider/carriers/winrm/wsman";
import { WsmanRequest, readRequest } from "../../../support/wsman/requestReader";
import { IGNORE_IDS, Structure, cassetteNames, documentStructure, readCassette, readShared, structure } from "./recorded";

/** The values pywinrm's conftest uses for every request. */
const PYWINRM: RequestContext = {
    endpoint: "http://windows-host:5985/wsman",
    messageId: "11111111-1111-1111-1111-111111111111",
    operationTimeoutSeconds: 20,
    maxEnvelopeSize: 153600,
};
const PYWINRM_SHELL = "11111111-1111-1111-1111-111111111113";

/** Our request and the recorded one, as structures with ids ignored and header order free. */
function compare(ours: BuiltRequest, recordedXml: string, adjustRecorded: (s: Structure) => void = () => undefined): void {
    const expected = documentStructure(recordedXml);
    adjustRecorded(expected);
    assert.deepStrictEqual(documentStructure(ours.xml), expected);
}

function find(root: Structure, ...names: string[]): Structure {
    let current = root;
    for (const name of names) {
        const next = current.children.find((child) => child.name.endsWith(`}${name}`));
        assert.ok(next, `no ${name} under ${current.name}`);
        current = next;
    }
    return current;
}

describe("wsman requests", () => {
    describe("against pywinrm's recorded requests (same operation, same values)", () => {
        it("Create: open_shell_request (pywinrm asks for code page 437, we always ask for 65001)", function () {
            const recorded = readShared("pywinrm", "open_shell_request.xml");
            if (recorded === undefined) return this.skip();
            compare(buildCreateShell(PYWINRM), recorded, (expected) => {
                const codepage = find(expected, "Header", "OptionSet").children.find((o) => o.attributes["{}Name"] === "WINRS_CODEPAGE");
                assert.strictEqual(codepage?.text, "437");
                codepage.text = "65001";
            });
        });

        for (const [file, command, args] of [
            ["run_cmd_with_args_request.xml", "ipconfig", ["/all"]],
            ["run_cmd_wo_args_request.xml", "hostname", []],
            ["run_cmd_req_input.xml", "cmd", []],
            ["run_ps_request.xml", "powershell -encodedcommand VwByAGkAdABlAC0ARQByAHIAbwByACAAIgBFAHIAcgBvAHIAIgA=", []],
        ] as const) {
            it(`Command: ${file}`, function () {
                const recorded = readShared("pywinrm", file);
                if (recorded === undefined) return this.skip();
                compare(buildCommand(PYWINRM, PYWINRM_SHELL, { command, arguments: args }), recorded);
            });
        }

        it("Send: run_cmd_send_input (End=false)", function () {
            const recorded = readShared("pywinrm", "run_cmd_send_input.xml");
            if (recorded === undefined) return this.skip();
            const data = Buffer.from('echo "hello world" && exit\r\n');
            compare(buildSend(PYWINRM, PYWINRM_SHELL, { commandId: "11111111-1111-1111-1111-111111111111", data, end: false }), recorded);
        });

        for (const [file, commandId] of [
            ["get_cmd_ps_output_request.xml", "11111111-1111-1111-1111-1111111111%s4"],
            ["run_cmd_send_input_get_output.xml", "11111111-1111-1111-1111-111111111111"],
        ] as const) {
            it(`Receive: ${file} (pywinrm sends no keep-alive option)`, function () {
                const recorded = readShared("pywinrm", file);
                if (recorded === undefined) return this.skip();
                compare(buildReceive(PYWINRM, PYWINRM_SHELL, { commandId, keepAlive: false }), recorded);
            });
        }

        for (const [file, commandId] of [
            ["cleanup_cmd_request.xml", "11111111-1111-1111-1111-1111111111%s4"],
            ["stdin_cmd_cleanup.xml", "11111111-1111-1111-1111-111111111111"],
        ] as const) {
            it(`Signal terminate: ${file}`, function () {
                const recorded = readShared("pywinrm", file);
                if (recorded === undefined) return this.skip();
                compare(buildSignal(PYWINRM, PYWINRM_SHELL, { commandId, signal: "terminate" }), recorded);
            });
        }

        it("Delete: close_shell_request", function () {
            const recorded = readShared("pywinrm", "close_shell_request.xml");
            if (recorded === undefined) return this.skip();
            compare(buildDeleteShell(PYWINRM, PYWINRM_SHELL), recorded);
        });
    });

    describe("against pypsrp's recorded requests (live exchanges with Windows)", () => {
        /**
         * Rebuilds a recorded request with our builders from the values our reader finds in it.
         * Undefined for requests outside our API (config Get, a Receive without CommandId).
         */
        function rebuild(request: WsmanRequest): BuiltRequest | undefined {
            const context: RequestContext = {
                endpoint: request.to ?? "",
                messageId: request.messageId,
                operationTimeoutSeconds: request.operationTimeoutSeconds ?? 0,
                maxEnvelopeSize: request.maxEnvelopeSize ?? 0,
                locale: request.locale,
                sessionId: request.sessionId,
            };
            const shellId = request.shellId ?? "";
            switch (request.kind) {
                case "Create":
                    return buildCreateShell(context, {
                        environment: request.environment,
                        workingDirectory: request.workingDirectory,
                        idleTimeoutSeconds: request.idleTimeoutSeconds,
                        noProfile: request.options.WINRS_NOPROFILE?.toUpperCase() === "TRUE",
                    });
                case "Command":
                    return buildCommand(context, shellId, {
                        command: request.command,
                        arguments: request.arguments,
                        skipCmdShell: request.options.WINRS_SKIP_CMD_SHELL?.toUpperCase() === "TRUE",
                    });
                case "Send":
                    assert.strictEqual(request.streams.length, 1);
                    return buildSend(context, shellId, { commandId: request.streams[0].commandId ?? "", data: request.streams[0].data, end: request.streams[0].end });
                case "Receive":
                    return request.commandId === undefined ? undefined : buildReceive(context, shellId, { commandId: request.commandId });
                case "Signal":
                    assert.strictEqual(typeof request.signal, "string");
                    return buildSignal(context, shellId, { commandId: request.commandId ?? "", signal: request.signal as "terminate" | "ctrl_c" });
                case "Delete":
                    return buildDeleteShell(context, shellId);
            }
        }

        /** pypsrp sends options we also send, with the same values; we send a few more (code page, console mode). */
        function assertOptionsSubset(ours: Structure, recorded: Structure): void {
            const values = (s: Structure) =>
                Object.fromEntries(s.children.map((option) => [option.attributes["{}Name"], option.text]));
            const oursByName = values(ours);
            for (const [name, value] of Object.entries(values(recorded))) {
                assert.strictEqual(oursByName[name], value, `option ${name}`);
            }
        }

        // The config Get cassettes (test_wsman_update_envelope_size_*) have no shell requests.
        const names = (cassetteNames() ?? []).filter((name) => !name.startsWith("test_wsman_"));
        it("finds the recorded cassettes", function () {
            if (cassetteNames() === undefined) return this.skip();
            assert.ok(names.length >= 14, `only ${names.length} cassettes`);
        });

        for (const name of names) {
            it(`${name}: body and header match, options a subset of ours`, function () {
                const messages = readCassette(name);
                if (messages === undefined) return this.skip();
                let compared = 0;
                for (const [index, message] of messages.entries()) {
                    if (/transfer\/Get</.test(message.request)) continue;
                    const request = readRequest(message.request);
                    const ours = rebuild(request);
                    if (ours === undefined) continue;
                    const optionSet = `{${NS_WSMAN}}OptionSet`;
                    // pypsrp's Create has Lifetime and Name, which our API does not offer.
                    const drop = [optionSet, `{${NS_SHELL}}Lifetime`, `{${NS_SHELL}}Name`];
                    // Environment variables are a set (we take them as a Record, whose key order JavaScript decides).
                    const unorderedChildrenOf = [...(IGNORE_IDS.unorderedChildrenOf ?? []), `{${NS_SHELL}}Environment`];
                    const expected = structure(parseXml(message.request), { ...IGNORE_IDS, unorderedChildrenOf, drop });
                    const actual = structure(parseXml(ours.xml), { ...IGNORE_IDS, unorderedChildrenOf, drop });
                    assert.deepStrictEqual(actual, expected, `${name} message ${index} (${request.kind})`);
                    const recordedOptions = structure(parseXml(message.request)).children[0].children.find((c) => c.name === optionSet);
                    const ourOptions = structure(parseXml(ours.xml)).children[0].children.find((c) => c.name === optionSet);
                    if (recordedOptions !== undefined) {
                        assert.ok(ourOptions, `${name} message ${index}: we send no OptionSet`);
                        assertOptionsSubset(ourOptions, recordedOptions);
                    }
                    compared++;
                }
                assert.ok(compared > 0, `${name}: no request compared`);
            });
        }
    });

    describe("header and body shape", () => {
        const context: RequestContext = { endpoint: "https://web01:5986/wsman", messageId: "uuid:AAAA", operationTimeoutSeconds: 60, maxEnvelopeSize: 512000 };

        it("writes the common header once per request, with a SelectorSet except on Create", () => {
            const create = readRequest(buildCreateShell(context).xml);
            assert.strictEqual(create.shellId, undefined);
            assert.strictEqual(create.to, "https://web01:5986/wsman");
            assert.strictEqual(create.messageId, "uuid:AAAA");
            assert.strictEqual(create.operationTimeoutSeconds, 60);
            assert.strictEqual(create.maxEnvelopeSize, 512000);
            assert.strictEqual(create.locale, "en-US");
            assert.deepStrictEqual(create.options, { WINRS_NOPROFILE: "FALSE", WINRS_CODEPAGE: "65001" });
            const receive = readRequest(buildReceive(context, "SHELL", { commandId: "CMD" }).xml);
            assert.strictEqual(receive.shellId, "SHELL");
            assert.deepStrictEqual(receive.options, { WSMAN_CMDSHELL_OPTION_KEEPALIVE: "TRUE" });
        });

        it("adds uuid: to a bare message id and reports the id it used", () => {
            const built = buildDeleteShell({ ...context, messageId: "0F0E" }, "S");
            assert.strictEqual(built.messageId, "uuid:0F0E");
            assert.strictEqual(readRequest(built.xml).messageId, "uuid:0F0E");
        });

        it("writes OperationTimeout as xs:duration, fractions included", () => {
            assert.strictEqual(readRequest(buildDeleteShell({ ...context, operationTimeoutSeconds: 2.5 }, "S").xml).operationTimeoutSeconds, 2.5);
            assert.match(buildDeleteShell(context, "S").xml, /<w:OperationTimeout>PT60S<\/w:OperationTimeout>/);
        });

        it("refuses a maxEnvelopeSize that is not a positive whole number", () => {
            assert.throws(() => buildDeleteShell({ ...context, maxEnvelopeSize: 0 }, "S"), /maxEnvelopeSize/);
        });

        it("encodes Send data as base64 and keeps each chunk independent", () => {
            const data = Buffer.from([0, 1, 2, 253, 254, 255]);
            const send = readRequest(buildSend(context, "S", { commandId: "C", data, end: true }).xml);
            assert.ok(send.kind === "Send");
            assert.deepStrictEqual(send.streams, [{ name: "stdin", commandId: "C", data, end: true }]);
        });

        it("sizes Send chunks so the request fits the server's envelope", () => {
            const capacity = sendChunkCapacity(context, "SHELL-ID", "COMMAND-ID", 150 * 1024);
            assert.ok(capacity > 100_000 && capacity % 3 === 0, `capacity ${capacity}`);
            const built = buildSend(context, "SHELL-ID", { commandId: "COMMAND-ID", data: Buffer.alloc(capacity, 0x41), end: true });
            assert.ok(Buffer.byteLength(built.xml) <= 150 * 1024);
            assert.strictEqual(sendChunkCapacity(context, "S", "C", 100), 0);
        });

        it("signals ctrl_c with the ctrl_c code", () => {
            const signal = readRequest(buildSignal(context, "S", { commandId: "C", signal: "ctrl_c" }).xml);
            assert.ok(signal.kind === "Signal");
            assert.strictEqual(signal.signal, "ctrl_c");
            assert.strictEqual(signal.commandId, "C");
        });
    });

    describe("escaping: values with <>&\"' round-trip through build → read unchanged", () => {
        const nasty = `a<b>c&d"e'f &amp; ]]> \r\n\ttab`;
        const context: RequestContext = { endpoint: `http://h:5985/wsman?x=${nasty}`, messageId: "uuid:1", operationTimeoutSeconds: 1, maxEnvelopeSize: 153600 };

        it("Create: environment names and values, working directory", () => {
            const environment = { [`name${nasty}`]: nasty, plain: "1234", "hyphen - var": "abc @ 123" };
            const request = readRequest(buildCreateShell(context, { environment, workingDirectory: `C:\\${nasty}`, idleTimeoutSeconds: 60 }).xml);
            assert.ok(request.kind === "Create");
            assert.deepStrictEqual(request.environment, environment);
            assert.strictEqual(request.workingDirectory, `C:\\${nasty}`);
            assert.strictEqual(request.idleTimeoutSeconds, 60);
            assert.strictEqual(request.to, context.endpoint);
            assert.deepStrictEqual(request.inputStreams, ["stdin"]);
            assert.deepStrictEqual(request.outputStreams, ["stdout", "stderr"]);
        });

        it("Command: command and arguments, selectors and ids", () => {
            const request = readRequest(buildCommand(context, `shell${nasty}`, { command: `cmd${nasty}`, arguments: [nasty, " lead", "trail "] }).xml);
            assert.ok(request.kind === "Command");
            assert.strictEqual(request.command, `cmd${nasty}`);
            assert.deepStrictEqual(request.arguments, [nasty, " lead", "trail "]);
            assert.strictEqual(request.shellId, `shell${nasty}`.trim());
        });

        it("Receive and Signal: command ids in attributes", () => {
            const receive = readRequest(buildReceive(context, "S", { commandId: nasty }).xml);
            assert.ok(receive.kind === "Receive");
            assert.strictEqual(receive.commandId, nasty);
            const signal = readRequest(buildSignal(context, "S", { commandId: nasty, signal: "terminate" }).xml);
            assert.ok(signal.kind === "Signal");
            assert.strictEqual(signal.commandId, nasty);
        });

        it("refuses characters XML 1.0 cannot carry, naming them", () => {
            assert.throws(() => buildCommand(context, "S", { command: "a\u0000b" }), /U\+0000 at offset 1/);
        });
    });
});
