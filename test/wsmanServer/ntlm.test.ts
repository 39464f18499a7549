import * as assert from "assert";
import { buildPowerShellStdinCommand } from "../../provider/powershell";
import { buildPowerShellCommand } from "../support/pwsh/encodedCommand";
import * as wsman from "../../provider/carriers/winrm/wsman";
import { SOAP_CONTENT_TYPE } from "../../provider/carriers/winrm/encryption";
import { WsmanServer } from "../support/wsman";
import { VAGRANT, recordingPowerShell, startTestServer } from "./fixtures";
import { RawConnection } from "./rawClient";

const host = { host: "127.0.0.1" };

describe("WS-Man test server: NTLM over HTTP with message encryption", () => {
    let server: WsmanServer;
    let connection: RawConnection;

    beforeEach(async () => {
        ({ server } = await startTestServer());
        connection = new RawConnection(server);
    });
    afterEach(async () => {
        connection.close();
        await server.close();
    });

    it("answers an unauthenticated request with 401 and WWW-Authenticate: Negotiate", async () => {
        const reply = await connection.post(Buffer.from("<x/>"));
        assert.strictEqual(reply.status, 401);
        assert.strictEqual(reply.headers["www-authenticate"], "Negotiate");
        assert.strictEqual(reply.headers.server, "Microsoft-HTTPAPI/2.0");
        assert.strictEqual(reply.body.length, 0);
    });

    it("authenticates the connection, then runs Create/Command/Receive/Signal/Delete sealed", async () => {
        const final = await connection.authenticateNtlm(VAGRANT);
        assert.strictEqual(final.status, 200);

        const create = wsman.buildCreateShell(connection.context(), { environment: { A: "1" }, idleTimeoutSeconds: 600 });
        const created = await connection.soap(create.xml);
        assert.strictEqual(created.status, 200);
        assert.strictEqual(created.encrypted, true);
        const { shellId } = wsman.readCreateResponse(created.xml, { ...host, requestMessageId: create.messageId });
        assert.deepStrictEqual(
            server.shells().map((shell) => [shell.shellId, shell.owner, shell.codepage, shell.environment, shell.idleTimeoutSeconds]),
            [[shellId, "WIN-TEST\\vagrant", 65001, { A: "1" }, 600]],
        );

        const command = wsman.buildCommand(connection.context(), shellId, { command: "cmd", arguments: ["/c", "echo hi"] });
        const { commandId } = wsman.readCommandResponse((await connection.soap(command.xml)).xml, { ...host, requestMessageId: command.messageId });

        const receive = wsman.buildReceive(connection.context(), shellId, { commandId });
        const output = wsman.readReceiveResponse((await connection.soap(receive.xml)).xml, { ...host, requestMessageId: receive.messageId, commandId });
        assert.strictEqual(Buffer.concat(output.streams.stdout).toString(), "hi\r\n");
        assert.deepStrictEqual(output.ended, ["stdout", "stderr"]);
        assert.strictEqual(output.done, true);
        assert.strictEqual(output.exitCode, 0);

        const signal = wsman.buildSignal(connection.context(), shellId, { commandId, signal: "terminate" });
        wsman.readSignalResponse((await connection.soap(signal.xml)).xml, { ...host, requestMessageId: signal.messageId });
        const del = wsman.buildDeleteShell(connection.context(), shellId);
        wsman.readDeleteResponse((await connection.soap(del.xml)).xml, { ...host, requestMessageId: del.messageId });

        const stats = server.stats;
        assert.strictEqual(stats.connections, 1, "every request travelled on one keep-alive connection");
        assert.strictEqual(stats.ntlmHandshakes, 1);
        assert.strictEqual(stats.shellsCreated, 1);
        assert.strictEqual(stats.openShells, 0);
        assert.strictEqual(stats.commandsRun, 1);
        assert.deepStrictEqual(
            [stats.requestsByKind.authentication, stats.requestsByKind.Create, stats.requestsByKind.Command, stats.requestsByKind.Receive, stats.requestsByKind.Signal, stats.requestsByKind.Delete],
            [2, 1, 1, 1, 1, 1],
        );
        assert.strictEqual(stats.httpRequests, 7);
    });

    it("refuses a wrong password with a bare 401 and leaves the connection unauthenticated", async () => {
        const reply = await connection.authenticateNtlm({ username: VAGRANT.username, password: "wrong" });
        assert.strictEqual(reply.status, 401);
        assert.strictEqual(reply.headers["www-authenticate"], "Negotiate");
        assert.strictEqual(reply.body.length, 0, "no details leaked");
        assert.strictEqual(server.stats.authenticationFailures, 1);
        const after = await connection.post(Buffer.from(wsman.buildCreateShell(connection.context()).xml), { "Content-Type": SOAP_CONTENT_TYPE });
        assert.strictEqual(after.status, 401);
        assert.strictEqual(server.stats.shellsCreated, 0);
    });

    it("refuses an unknown user like a wrong password", async () => {
        const reply = await connection.authenticateNtlm({ username: "mallory", password: "vagrant" });
        assert.strictEqual(reply.status, 401);
        assert.strictEqual(reply.body.length, 0);
    });

    it("refuses unencrypted SOAP on an NTLM connection over HTTP (AllowUnencrypted=false)", async () => {
        await connection.authenticateNtlm(VAGRANT);
        const reply = await connection.post(Buffer.from(wsman.buildCreateShell(connection.context()).xml), { "Content-Type": SOAP_CONTENT_TYPE });
        assert.strictEqual(reply.status, 401);
        assert.strictEqual(server.stats.shellsCreated, 0);
    });

    it("returns faults encrypted, with HTTP 500: Delete of an unknown shell is w:InvalidSelectors", async () => {
        await connection.authenticateNtlm(VAGRANT);
        const del = wsman.buildDeleteShell(connection.context(), "00000000-0000-0000-0000-000000000000");
        const reply = await connection.soap(del.xml);
        assert.strictEqual(reply.status, 500);
        assert.strictEqual(reply.encrypted, true);
        assert.throws(
            () => wsman.readDeleteResponse(reply.xml, { ...host, requestMessageId: del.messageId }),
            (error) => error instanceof wsman.WsmanFault && error.code === 2150858843 && error.subcode === "w:InvalidSelectors",
        );
    });
});

describe("WS-Man test server: shell behaviour", () => {
    let server: WsmanServer;
    let connection: RawConnection;
    let shellId: string;

    async function startWith(overrides: Parameters<typeof startTestServer>[0] = {}) {
        ({ server } = await startTestServer(overrides));
        connection = new RawConnection(server);
        await connection.authenticateNtlm(VAGRANT);
        shellId = await createShell();
    }
    async function createShell(): Promise<string> {
        const create = wsman.buildCreateShell(connection.context());
        return wsman.readCreateResponse((await connection.soap(create.xml)).xml, host).shellId;
    }
    async function startCommand(options: wsman.CommandOptions): Promise<string> {
        return wsman.readCommandResponse((await connection.soap(wsman.buildCommand(connection.context(), shellId, options).xml)).xml, host).commandId;
    }
    async function receive(commandId: string, maxEnvelopeSize = 153600): Promise<{ xml: string; output: wsman.ReceiveOutput }> {
        const reply = await connection.soap(wsman.buildReceive({ ...connection.context(), maxEnvelopeSize }, shellId, { commandId }).xml);
        return { xml: reply.xml, output: wsman.readReceiveResponse(reply.xml, { ...host, commandId }) };
    }
    afterEach(async () => {
        connection.close();
        await server.close();
    });

    it("runs a PowerShell stdin bootstrap with the stdin sent in several chunks, and splits long output into streams", async () => {
        const long = "x".repeat(10_000);
        const { runner, calls } = recordingPowerShell(() => ({ stdout: Buffer.from(long), stderr: Buffer.from("warn"), exitCode: 3 }));
        await startWith({ powershell: runner, outputChunkBytes: 4096 });
        const invocation = buildPowerShellStdinCommand("Write-Output 'hello'");
        const commandId = await startCommand({ command: invocation.command, arguments: invocation.arguments, consoleModeStdin: false });
        const half = Math.floor(invocation.stdin.length / 2);
        for (const [data, end] of [[invocation.stdin.subarray(0, half), false], [invocation.stdin.subarray(half), true]] as const) {
            const send = wsman.buildSend(connection.context(), shellId, { commandId, data, end });
            wsman.readSendResponse((await connection.soap(send.xml)).xml, host);
        }
        const { xml, output } = await receive(commandId);
        assert.strictEqual(calls.length, 1);
        assert.strictEqual(calls[0].commandLine, invocation.commandLine.replace("%SystemRoot%", "C:\\Windows"), "cmd.exe expands %SystemRoot%");
        assert.deepStrictEqual(calls[0].stdin, invocation.stdin);
        assert.strictEqual(output.streams.stdout.length, 3, "10 000 bytes in 4096-byte chunks");
        assert.strictEqual(Buffer.concat(output.streams.stdout).toString(), long);
        assert.strictEqual(Buffer.concat(output.streams.stderr).toString(), "warn");
        assert.strictEqual(output.exitCode, 3);
        assert.match(xml, /CommandState\/Done/);
    });

    it("spreads output over several Receives when it exceeds MaxEnvelopeSize", async () => {
        const long = Buffer.alloc(50_000, "y");
        const { runner } = recordingPowerShell(() => ({ stdout: long, stderr: Buffer.alloc(0), exitCode: 0 }));
        await startWith({ powershell: runner });
        const commandId = await startCommand(buildPowerShellCommand("1"));
        const pieces: Buffer[] = [];
        let rounds = 0;
        for (let done = false; !done; rounds++) {
            const { output } = await receive(commandId, 20_000);
            pieces.push(...output.streams.stdout);
            done = output.done;
            if (!done) assert.strictEqual(output.state, "Running");
        }
        assert.ok(rounds >= 3, `expected several Receives, got ${rounds}`);
        assert.deepStrictEqual(Buffer.concat(pieces), long);
    });

    it("refuses Send after stdin was closed", async () => {
        await startWith();
        const commandId = await startCommand({ command: "cmd /c echo hi" });
        const send = (end: boolean) => connection.soap(wsman.buildSend(connection.context(), shellId, { commandId, data: Buffer.from("a"), end }).xml);
        assert.strictEqual((await send(true)).status, 200);
        const second = await send(true);
        assert.strictEqual(second.status, 500);
        assert.throws(() => wsman.readSendResponse(second.xml, host), wsman.WsmanFault);
    });

    it("answers Receive for an unknown command with w:InvalidSelectors", async () => {
        await startWith();
        const reply = await connection.soap(wsman.buildReceive(connection.context(), shellId, { commandId: "11111111-2222-3333-4444-555555555555" }).xml);
        assert.strictEqual(reply.status, 500);
        assert.throws(() => wsman.readReceiveResponse(reply.xml, host), (error) => error instanceof wsman.WsmanFault && error.code === 2150858843);
    });

    it("limits shells per user (MaxShellsPerUser)", async () => {
        await startWith({ maxShellsPerUser: 2 });
        await createShell();
        const reply = await connection.soap(wsman.buildCreateShell(connection.context()).xml);
        assert.strictEqual(reply.status, 500);
        assert.throws(() => wsman.readCreateResponse(reply.xml, host), (error) => error instanceof wsman.WsmanFault && error.code === 2150859173);
        assert.strictEqual(server.stats.openShells, 2);
    });

    it("runs cmd built-ins: exit codes and unknown programs", async () => {
        await startWith();
        const exit = await receive(await startCommand({ command: "cmd.exe", arguments: ["/c", "echo one & exit /b 7"] }));
        assert.strictEqual(Buffer.concat(exit.output.streams.stdout).toString(), "one \r\n");
        assert.strictEqual(exit.output.exitCode, 7);
        const unknown = await receive(await startCommand({ command: "nosuchprogram --flag" }));
        assert.match(Buffer.concat(unknown.output.streams.stderr).toString(), /'nosuchprogram' is not recognized/);
        assert.strictEqual(unknown.output.exitCode, 9009);
    });
});
