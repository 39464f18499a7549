import * as assert from "assert";
import * as fs from "fs";
import { parseScriptOutput, prepareInvocation, renderScript } from "../../provider/powershell";
import type { OperationRequest } from "../../provider/powershell/protocol";
import { buildPowerShellStdinCommand } from "../../provider/powershell";
import { buildPowerShellCommand } from "../support/pwsh/encodedCommand";
import * as wsman from "../../provider/carriers/winrm/wsman";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";
import { requirePwsh } from "../support/pwsh";
import { WsmanServer, startWsmanServer } from "../support/wsman";
import { VAGRANT } from "./fixtures";
import { RawConnection } from "./rawClient";

const host = { host: "127.0.0.1" };
const FULL_POWERSHELL_PATH = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

/** Our scripts through the server and real PowerShell 7, against a scratch Windows folder. */
describe("WS-Man test server: our PowerShell scripts run by real PowerShell 7", function () {
    let scratch: { dir: string; file: string };
    before(function () {
        requirePwsh(this);
    });
    let server: WsmanServer;
    let connection: RawConnection;
    let shellId: string;

    beforeEach(async () => {
        scratch = scratchCopy(OWN_FIXTURE);
        server = await startWsmanServer({ users: [VAGRANT], applicationHostPath: scratch.file });
        connection = new RawConnection(server);
        await connection.authenticateNtlm(VAGRANT);
        shellId = wsman.readCreateResponse((await connection.soap(wsman.buildCreateShell(connection.context()).xml)).xml, host).shellId;
    });
    afterEach(async () => {
        connection.close();
        await server.close();
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    });

    async function start(command: wsman.CommandOptions, stdin?: Buffer): Promise<string> {
        const started = await connection.soap(wsman.buildCommand(connection.context(), shellId, command).xml);
        const { commandId } = wsman.readCommandResponse(started.xml, host);
        if (stdin !== undefined) wsman.readSendResponse((await connection.soap(wsman.buildSend(connection.context(), shellId, { commandId, data: stdin, end: true }).xml)).xml, host);
        return commandId;
    }

    async function run(command: wsman.CommandOptions, stdin?: Buffer): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
        const commandId = await start(command, stdin);
        const output = wsman.readReceiveResponse((await connection.soap(wsman.buildReceive(connection.context(), shellId, { commandId }).xml)).xml, { ...host, commandId });
        return { stdout: Buffer.concat(output.streams.stdout).toString(), stderr: Buffer.concat(output.streams.stderr).toString(), exitCode: output.exitCode };
    }

    it("apply on the command line (loader), then read through the stdin bootstrap (stdin a pipe: WINRS_CONSOLEMODE_STDIN=FALSE)", async () => {
        const apply: OperationRequest = { op: "apply", location: "Default Web Site", set: { timeout: "00:10:00" }, remove: [] };
        const applyInvocation = prepareInvocation(apply);
        assert.strictEqual(applyInvocation.delivery, "commandLine");
        const applied = await run({ command: applyInvocation.command.command, arguments: applyInvocation.command.arguments });
        assert.strictEqual(applied.exitCode, 0, applied.stderr);
        assert.strictEqual(parseScriptOutput(apply, applied.stdout).effective.timeout, "00:10:00");

        const read: OperationRequest = { op: "read", location: "Default Web Site" };
        const bootstrap = buildPowerShellStdinCommand(renderScript(read));
        const readBack = await run({ command: bootstrap.command, arguments: bootstrap.arguments, consoleModeStdin: false }, bootstrap.stdin);
        assert.strictEqual(readBack.exitCode, 0, readBack.stderr);
        assert.strictEqual(parseScriptOutput(read, readBack.stdout).effective.timeout, "00:10:00");
        assert.match(fs.readFileSync(scratch.file, "utf8"), /timeout="00:10:00"/);
    });

    it("with WINRS_CONSOLEMODE_STDIN=TRUE, as on Windows, stdin is a console that never ends: a script reading it to the end never finishes", async () => {
        const read: OperationRequest = { op: "read", location: "Default Web Site" };
        const bootstrap = buildPowerShellStdinCommand(renderScript(read));
        const commandId = await start({ command: bootstrap.command, arguments: bootstrap.arguments, consoleModeStdin: true }, bootstrap.stdin);
        const receive = wsman.buildReceive({ ...connection.context(), operationTimeoutSeconds: 8 }, shellId, { commandId });
        const reply = await connection.soap(receive.xml);
        assert.throws(() => wsman.readReceiveResponse(reply.xml, { ...host, commandId }), (error) => error instanceof wsman.WsmanFault && error.code === 2150858793, "w:TimedOut: still waiting for stdin");
        wsman.readSignalResponse((await connection.soap(wsman.buildSignal(connection.context(), shellId, { commandId, signal: "terminate" }).xml)).xml, host);
    });

    it("WINRS_SKIP_CMD_SHELL=TRUE: a bare powershell.exe is not found (as recorded on Windows), a full path runs", async () => {
        const { command } = prepareInvocation({ op: "read", location: "" });
        const bare = await connection.soap(wsman.buildCommand(connection.context(), shellId, { command: command.command, arguments: command.arguments, skipCmdShell: true }).xml);
        assert.strictEqual(bare.status, 500);
        assert.throws(() => wsman.readCommandResponse(bare.xml, host), (error) => error instanceof wsman.WsmanFault && error.code === 2147942402);
        const full = await run({ command: FULL_POWERSHELL_PATH, arguments: command.arguments, skipCmdShell: true });
        assert.strictEqual(full.exitCode, 0, full.stderr);
    });

    it("through cmd.exe, a command line over 8191 characters fails as cmd.exe fails it", async () => {
        const tooLong = buildPowerShellCommand(renderScript({ op: "read", location: "" }));
        assert.strictEqual(tooLong.fitsCommandLine, false);
        const result = await run({ command: tooLong.command, arguments: tooLong.arguments });
        assert.deepStrictEqual(result, { stdout: "", stderr: "The command line is too long.\r\n", exitCode: 1 });
    });
});
