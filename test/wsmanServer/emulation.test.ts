import * as assert from "assert";
import { expandVariables, startCommandLine, withoutCmdPrefix } from "../support/wsman/commandLine";
import { nextOutputBatch } from "../support/wsman/receiveOutput";
import { recordingPowerShell } from "./fixtures";

describe("WS-Man test server: pure pieces", () => {
    describe("command lines", () => {
        const { runner, calls } = recordingPowerShell();
        const context = { computerName: "WIN-X", applicationHostPath: "/tmp/applicationHost.config", powershell: runner };
        const run = async (line: string) => {
            const result = await startCommandLine(line, true, true, context).result;
            return { stdout: result.stdout.toString(), stderr: result.stderr.toString(), exitCode: result.exitCode };
        };

        it("peels cmd /c prefixes, however written", () => {
            assert.strictEqual(withoutCmdPrefix("cmd /c echo hi"), "echo hi");
            assert.strictEqual(withoutCmdPrefix('"C:\\Windows\\System32\\cmd.exe" /C cmd.exe /c hostname'), "hostname");
            assert.strictEqual(withoutCmdPrefix("cmdlet /c x"), "cmdlet /c x");
        });

        it("echo, echo., hostname, exit codes, & and &&", async () => {
            assert.deepStrictEqual(await run("cmd /c echo hi"), { stdout: "hi\r\n", stderr: "", exitCode: 0 });
            assert.strictEqual((await run("echo.")).stdout, "\r\n");
            assert.strictEqual((await run("echo")).stdout, "ECHO is on.\r\n");
            assert.strictEqual((await run("hostname")).stdout, "WIN-X\r\n");
            assert.deepStrictEqual(await run("exit /b 3 & echo unreachable"), { stdout: "", stderr: "", exitCode: 3 });
            assert.strictEqual((await run('echo "a & b"')).stdout, '"a & b"\r\n');
            assert.strictEqual((await run("nosuch && echo skipped")).exitCode, 9009);
        });

        it("hands powershell command lines (with or without a path, %SystemRoot% expanded) to the PowerShell starter", async () => {
            calls.length = 0;
            await run("cmd /c powershell -encodedcommand AAAA");
            await run("%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile");
            assert.deepStrictEqual(calls.map((call) => call.commandLine), ["powershell -encodedcommand AAAA", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile"]);
        });

        it("expands %SystemRoot% and %windir% in any case, and nothing else", () => {
            assert.strictEqual(expandVariables("%systemroot%\\a %WINDIR%\\b %TEMP%"), "C:\\Windows\\a C:\\Windows\\b %TEMP%");
        });
    });

    describe("output batches", () => {
        const options = { desiredStreams: ["stdout", "stderr"], chunkBytes: 4, maxEnvelopeSize: 153600 };

        it("splits into chunks, then ends both streams", () => {
            const batch = nextOutputBatch({ stdout: Buffer.from("abcdefghij"), stderr: Buffer.from("e") }, { stdout: 0, stderr: 0 }, options);
            assert.deepStrictEqual(
                batch.chunks.map((chunk) => [chunk.name, Buffer.from(chunk.data).toString(), chunk.end === true]),
                [["stdout", "abcd", false], ["stdout", "efgh", false], ["stdout", "ij", false], ["stderr", "e", false], ["stdout", "", true], ["stderr", "", true]],
            );
            assert.strictEqual(batch.complete, true);
        });

        it("stops at the envelope budget and resumes from the cursor", () => {
            const stdout = Buffer.alloc(30_000, "z");
            const first = nextOutputBatch({ stdout, stderr: Buffer.alloc(0) }, { stdout: 0, stderr: 0 }, { ...options, chunkBytes: 4096, maxEnvelopeSize: 16_384 });
            assert.strictEqual(first.complete, false);
            const sent = first.chunks.reduce((total, chunk) => total + chunk.data.length, 0);
            assert.ok(sent > 0 && sent < 30_000 && Math.ceil(sent / 3) * 4 < 16_384, `sent ${sent}`);
            const second = nextOutputBatch({ stdout, stderr: Buffer.alloc(0) }, first.cursor, { ...options, chunkBytes: 4096, maxEnvelopeSize: 1_000_000 });
            assert.strictEqual(second.complete, true);
            assert.strictEqual(second.cursor.stdout, 30_000);
        });

        it("leaves out streams the client did not ask for", () => {
            const batch = nextOutputBatch({ stdout: Buffer.from("o"), stderr: Buffer.from("e") }, { stdout: 0, stderr: 0 }, { ...options, desiredStreams: ["stdout"] });
            assert.deepStrictEqual(batch.chunks.map((chunk) => chunk.name), ["stdout", "stdout"]);
        });
    });
});
