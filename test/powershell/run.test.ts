import { strict as assert } from "assert";
import { PowerShellScriptError, type OperationRequest } from "../../provider/powershell/protocol";
import { runScript, stepName } from "../../provider/powershell/run";
import type { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "../../provider/carriers/commandRunner";
import { POWERSHELL_EXE } from "../../provider/powershell/commandLine";

/** Answers every command with the same output and remembers what it was asked. */
class CannedRunner implements CommandRunner {
    readonly host = "web02.example:5986";
    readonly seen: Array<{ command: RemoteCommand; options: RunOptions | undefined }> = [];
    constructor(private readonly output: CommandOutput) {}
    async run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput> {
        this.seen.push({ command, options });
        return this.output;
    }
    async close(): Promise<void> {}
}

const CLIXML_ERROR = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">boom_x000D__x000A_</S></Objs>';

async function rejection(promise: Promise<unknown>): Promise<PowerShellScriptError> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof PowerShellScriptError, String(error));
        return error;
    }
    assert.fail("expected a rejection");
}

describe("runScript", function () {
    it("names each step in the user's words", function () {
        const cases: Array<[OperationRequest, string]> = [
            [{ op: "read", location: "Default Web Site/shop" }, "read session settings at Default Web Site/shop"],
            [{ op: "read", location: "" }, "read session settings at the server level"],
            [{ op: "apply", location: "Site", set: {}, remove: [] }, "apply session settings at Site"],
            [{ op: "readFile", path: "C:\\a.config" }, "read C:\\a.config"],
            [{ op: "writeFile", path: "C:\\a.config", expectedSha256: "0".repeat(64), content: Buffer.alloc(0), backupSuffix: ".bak" }, "write C:\\a.config"],
        ];
        for (const [request, step] of cases) assert.equal(stepName(request), step);
    });

    it("passes the command, no stdin for a command-line delivery, the step and the timeout", async function () {
        const runner = new CannedRunner({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
        await rejection(runScript(runner, { op: "read", location: "Site" }, { timeoutMs: 1234 }));
        const [{ command, options }] = runner.seen;
        assert.equal(command.command, POWERSHELL_EXE);
        assert.equal(command.stdin, undefined);
        assert.deepEqual(options, { step: "read session settings at Site", timeoutMs: 1234 });
    });

    it("a script's {ok:false} becomes a PowerShellScriptError with its code and fields", async function () {
        const stdout = Buffer.from('{"ok":false,"error":"busy","message":"the file is in use"}\n');
        const error = await rejection(runScript(new CannedRunner({ stdout, stderr: Buffer.alloc(0), exitCode: 0 }), { op: "readFile", path: "C:\\x.config" }));
        assert.equal(error.code, "busy");
        assert.equal(error.message, 'readFile of "C:\\\\x.config" on web02.example:5986 failed (busy): the file is in use');
    });

    it("a non-zero exit is processFailed, quoting decoded stderr; with empty stderr it says so", async function () {
        let error = await rejection(runScript(new CannedRunner({ stdout: Buffer.alloc(0), stderr: Buffer.from(CLIXML_ERROR), exitCode: 1 }), { op: "apply", location: "", set: {}, remove: ["max"] }));
        assert.equal(error.code, "processFailed");
        assert.equal(error.operation, "apply");
        assert.equal(error.message, "apply at the server level on web02.example:5986: powershell.exe exited with code 1 before the script reported a result; stderr: boom");
        error = await rejection(runScript(new CannedRunner({ stdout: Buffer.from('{"ok":true}'), stderr: Buffer.alloc(0), exitCode: -1073741510 }), { op: "read", location: "S" }));
        assert.match(error.message, /exited with code -1073741510 before the script reported a result; nothing on stderr$/);
    });

    it("garbage on stdout is badOutput, with stderr decoded from CLIXML", async function () {
        const error = await rejection(runScript(new CannedRunner({ stdout: Buffer.from("<html>proxy error</html>"), stderr: Buffer.from(CLIXML_ERROR), exitCode: 0 }), { op: "read", location: "S" }));
        assert.equal(error.code, "badOutput");
        assert.match(error.message, /^read at location "S" on web02\.example:5986: no JSON result line .*; stderr: boom$/);
    });
});
