import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { prepareInvocation } from "../../provider/backends/powershell/delivery";
import type { OperationRequest } from "../../provider/backends/powershell/protocol";
import { renderScript } from "../../provider/backends/powershell/render";
import { parseScriptOutput } from "../../provider/backends/powershell/response";
import { buildPowerShellStdinCommand, encodePowerShellScript } from "../../provider/backends/powershell/commandLine";
import { decodeClixml } from "../../provider/backends/powershell/clixml";
import { projectRoot, sharedFile } from "../support/paths";
import { runEmulatedCommand, runEmulatedPowerShell, WINDOWS_APPLICATION_HOST } from "../support/powershellEmulator";
import { scratchApplicationHost } from "./emulatedRunner";

const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");

function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/** Three ways the same request reaches powershell.exe: our loader, our bootstrap, pywinrm's run_ps. */
function deliveries(request: OperationRequest): Array<{ name: string; commandLine: string; stdin: Buffer }> {
    const script = renderScript(request);
    const prepared = prepareInvocation(request);
    const viaStdin = buildPowerShellStdinCommand(script);
    return [
        { name: `prepareInvocation (${prepared.delivery})`, commandLine: prepared.command.commandLine, stdin: prepared.stdin ?? Buffer.alloc(0) },
        { name: "stdin bootstrap", commandLine: viaStdin.commandLine, stdin: viaStdin.stdin },
        { name: "pywinrm run_ps", commandLine: `powershell -encodedcommand ${encodePowerShellScript(script)}`, stdin: Buffer.alloc(0) },
    ];
}

describe("PowerShell emulator (test/support/powershellEmulator.ts)", function () {
    let scratch: ReturnType<typeof scratchApplicationHost>;
    beforeEach(function () {
        scratch = scratchApplicationHost(sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE);
    });
    afterEach(function () {
        scratch.remove();
    });

    for (const name of ["prepareInvocation", "stdin bootstrap", "pywinrm run_ps"]) {
        it(`runs a read delivered by ${name} and prints what the real script prints`, async function () {
            const request: OperationRequest = { op: "read", location: "Default Web Site" };
            const delivery = deliveries(request).find((d) => d.name.startsWith(name));
            assert.ok(delivery);
            const output = await runEmulatedPowerShell(delivery.commandLine, delivery.stdin, { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 0, output.stderr.toString());
            assert.equal(output.stderr.length, 0);
            assert.match(output.stdout.toString("utf8"), /^\{"ok":true,.*\}\n$/);
            const response = parseScriptOutput(request, output.stdout);
            assert.equal(response.configPath, "MACHINE/WEBROOT/APPHOST/Default Web Site");
            assert.equal(response.configFile, WINDOWS_APPLICATION_HOST);
            assert.equal(typeof response.effective.max, "number");
        });
    }

    it("takes command and arguments separately too (joined as WinRS joins them)", async function () {
        const request: OperationRequest = { op: "read", location: "" };
        const invocation = prepareInvocation(request);
        const output = await runEmulatedCommand(invocation.command.command, invocation.command.arguments, Buffer.alloc(0), { applicationHostPath: scratch.file });
        assert.equal(output.exitCode, 0);
        parseScriptOutput(request, output.stdout);
    });

    it("apply sets and removes through the project's own editor, then reports explicit raw text and verified", async function () {
        const apply: OperationRequest = { op: "apply", location: "/Default Web Site/", set: { max: "1000", timeout: "00:10:00", allowSessionState: "TRUE" }, remove: ["keepSessionIdSecure"] };
        const invocation = prepareInvocation(apply);
        const output = await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file });
        const response = parseScriptOutput(apply, output.stdout);
        assert.equal(response.verified, true);
        assert.equal(response.location, "/Default Web Site/");
        assert.equal(response.configPath, "MACHINE/WEBROOT/APPHOST/Default Web Site");
        assert.deepEqual(response.explicit, { allowSessionState: "true", max: "1000", timeout: "00:10:00" });
        assert.equal(response.effective.timeout, "00:10:00");
        const text = fs.readFileSync(scratch.file, "utf8");
        assert.match(text, /<location path="Default Web Site">[\s\S]*<session allowSessionState="true" max="1000" timeout="00:10:00" \/>/);
    });

    it("apply reports before and changed as the script does, and leaves the file alone when nothing differs", async function () {
        const run = async (request: OperationRequest & { op: "apply" }) => {
            const invocation = prepareInvocation(request);
            return parseScriptOutput(request, (await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file })).stdout);
        };
        const first = await run({ op: "apply", location: "Default Web Site", set: { max: "1000" }, remove: [] });
        assert.deepEqual(first.before.explicit, {});
        assert.equal(first.changed, true);
        assert.deepEqual(first.explicit, { max: "1000" });
        const text = fs.readFileSync(scratch.file, "utf8").replace('max="1000"', 'max="01000" allowSessionState="False"');
        fs.writeFileSync(scratch.file, text);
        const stat = fs.statSync(scratch.file);

        const same = await run({ op: "apply", location: "Default Web Site", set: { max: "1000", allowSessionState: "false" }, remove: ["timeout"] });
        assert.equal(same.changed, false);
        assert.deepEqual(same.before.explicit, { allowSessionState: "False", max: "01000" });
        assert.deepEqual(same.explicit, same.before.explicit);
        assert.deepEqual(same.effective, same.before.effective);
        assert.equal(fs.readFileSync(scratch.file, "utf8"), text);
        assert.equal(fs.statSync(scratch.file).mtimeMs, stat.mtimeMs);

        const changed = await run({ op: "apply", location: "Default Web Site", set: { max: "1000", timeout: "00:05:00" }, remove: ["allowSessionState"] });
        assert.equal(changed.changed, true);
        assert.deepEqual(changed.before.explicit, { allowSessionState: "False", max: "01000" });
        assert.equal(changed.before.effective.allowSessionState, false);
        assert.deepEqual(changed.explicit, { max: "01000", timeout: "00:05:00" }, "max held the value already and keeps its text");
        assert.equal(changed.effective.allowSessionState, true);
    });

    it("readFile and writeFile: SHA-256, compare-and-swap with actualSha256 on conflict, backup, notFound", async function () {
        const original = fs.readFileSync(scratch.file);
        const run = async (request: OperationRequest) => {
            const invocation = prepareInvocation(request);
            const output = await runEmulatedPowerShell(invocation.command.commandLine, invocation.stdin ?? Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 0);
            return output.stdout;
        };
        const read = parseScriptOutput({ op: "readFile", path: WINDOWS_APPLICATION_HOST }, await run({ op: "readFile", path: WINDOWS_APPLICATION_HOST }));
        assert.equal(read.sha256, sha256(original));
        assert.ok(Buffer.from(read.contentBase64, "base64").equals(original));

        const replacement = Buffer.concat([original, Buffer.from("<!-- edited -->\r\n")]);
        const write = {
            op: "writeFile" as const,
            path: WINDOWS_APPLICATION_HOST,
            expectedSha256: "0".repeat(64),
            contentBase64: replacement.toString("base64"),
            backupPath: `${WINDOWS_APPLICATION_HOST}.asp-session.bak`,
        };
        const conflict = JSON.parse((await run(write)).toString("utf8")) as Record<string, unknown>;
        assert.equal(conflict.ok, false);
        assert.equal(conflict.error, "conflict");
        assert.equal(conflict.actualSha256, sha256(original));
        assert.ok(fs.readFileSync(scratch.file).equals(original));

        const written = parseScriptOutput(write, await run({ ...write, expectedSha256: sha256(original) }));
        assert.equal(written.sha256, sha256(replacement));
        assert.ok(fs.readFileSync(scratch.file).equals(replacement));
        assert.ok(fs.readFileSync(`${scratch.file}.asp-session.bak`).equals(original));
        assert.deepEqual(fs.readdirSync(scratch.dir).sort(), ["applicationHost.config", "applicationHost.config.asp-session.bak"]);

        const missing = JSON.parse((await run({ op: "readFile", path: "D:\\nowhere\\applicationHost.config" })).toString("utf8")) as Record<string, unknown>;
        assert.equal(missing.error, "notFound");
        const local = JSON.parse((await run({ op: "readFile", path: scratch.file })).toString("utf8")) as Record<string, unknown>;
        assert.equal(local.sha256, sha256(replacement));
        const relative = JSON.parse((await run({ op: "readFile", path: "applicationHost.config" })).toString("utf8")) as Record<string, unknown>;
        assert.equal(relative.error, "badRequest");
    });

    it("checks requests as the scripts do: bad values are badRequest, values IIS refuses are configError", async function () {
        const cases: Array<[OperationRequest, string]> = [
            [{ op: "apply", location: "Default Web Site", set: { max: "-1" }, remove: [] }, "badRequest"],
            [{ op: "apply", location: "Default Web Site", set: { timeout: "20" }, remove: [] }, "badRequest"],
            [{ op: "apply", location: "Default Web Site", set: { timeout: "00:10:30" }, remove: [] }, "configError"],
            [{ op: "apply", location: "Default Web Site", set: { max: "1" }, remove: ["max"] }, "badRequest"],
            [{ op: "read", location: "bad\u0001location" }, "badRequest"],
        ];
        for (const [request, code] of cases) {
            const invocation = prepareInvocation(request);
            const output = await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 0);
            const result = JSON.parse(output.stdout.toString("utf8")) as Record<string, unknown>;
            assert.equal(result.error, code, `${JSON.stringify(request)}: ${String(result.message)}`);
        }
    });

    it("a malformed applicationHost.config is configError, a missing one notFound", async function () {
        fs.writeFileSync(scratch.file, "<configuration><system.webServer>");
        const invocation = prepareInvocation({ op: "read", location: "" });
        let output = await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file });
        assert.equal((JSON.parse(output.stdout.toString()) as Record<string, unknown>).error, "configError");
        fs.rmSync(scratch.file);
        output = await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file });
        assert.equal((JSON.parse(output.stdout.toString()) as Record<string, unknown>).error, "notFound");
    });

    it("escapes <, >, ' and & in its JSON as Windows PowerShell 5.1 does", async function () {
        const location = "Site <a> & it's";
        const invocation = prepareInvocation({ op: "read", location });
        const output = await runEmulatedPowerShell(invocation.command.commandLine, Buffer.alloc(0), { applicationHostPath: scratch.file });
        const text = output.stdout.toString("utf8");
        assert.ok(text.includes("Site \\u003ca\\u003e \\u0026 it\\u0027s"), text);
        assert.equal(parseScriptOutput({ op: "read", location }, output.stdout).location, location);
    });

    describe("what is not ours fails as PowerShell or cmd.exe would", function () {
        it("an unknown script: exit code 1 and a CLIXML error record on stderr", async function () {
            const output = await runEmulatedPowerShell(`powershell -encodedcommand ${encodePowerShellScript("Get-Process")}`, Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 1);
            assert.equal(output.stdout.length, 0);
            const stderr = output.stderr.toString("utf8");
            assert.ok(stderr.startsWith('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">'), stderr);
            assert.match(decodeClixml(stderr), /runs only the provider's own scripts; this one begins "Get-Process"/);
        });

        it("one of our scripts edited outside its request literal is refused", async function () {
            const script = renderScript({ op: "read", location: "" }).replace("exit 0", "exit 3");
            const output = await runEmulatedPowerShell(`powershell.exe -NoProfile -EncodedCommand ${encodePowerShellScript(script)}`, Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 1);
            assert.match(decodeClixml(output.stderr.toString()), /read script differs from this build's template/);
        });

        it("a -Command that is not our loader, and a bootstrap whose stdin is not base64", async function () {
            let output = await runEmulatedPowerShell("powershell.exe -NoProfile -Command Get-ChildItem", Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 1);
            assert.match(decodeClixml(output.stderr.toString()), /-Command was given "Get-ChildItem"/);
            output = await runEmulatedPowerShell(buildPowerShellStdinCommand("").commandLine, Buffer.from("not base64!"), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 1);
            assert.match(decodeClixml(output.stderr.toString()), /not a valid Base-64 string/);
        });

        it("an executable other than powershell: cmd.exe's message and exit code 9009", async function () {
            const output = await runEmulatedPowerShell("ipconfig /all", Buffer.alloc(0), { applicationHostPath: scratch.file });
            assert.equal(output.exitCode, 9009);
            assert.match(output.stderr.toString(), /^'ipconfig' is not recognized as an internal or external command/);
        });
    });
});
