import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { NOTHING_CREATED } from "../../provider/apphost/sessionEditor";
import { WRITE_ATTEMPTS } from "../../provider/backends/conflicts";
import { IisApiBackend } from "../../provider/backends/iisApi";
import { UnverifiedWriteError } from "../../provider/backends/types";
import { ConfigChangedError } from "../../provider/stores/configFile";
import { PowerShellScriptError } from "../../provider/powershell";
import { SESSION_DEFAULTS } from "../../provider/settings/schema";
import { projectRoot, sharedFile } from "../support/paths";
import { PwshRunner, requirePwsh } from "../support/pwsh";
import { scratchWindows, type ScratchWindows } from "../support/windowsFolder";
import { commitGuardPath } from "../support/mwa/commitGuard";
import { removeLater } from "../support/scratch";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { runScript } from "../../provider/powershell";
import { HOSTILE_TEXT } from "../powershell/requests";
import { rejection } from "../support/rejection";

const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
/** A real file with `<asp><session keepSessionIdSecure="true" /></asp>` at the root, or our own fixture. */
const SOURCE = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;

describe("IisApiBackend over a CommandRunner (real PowerShell 7 and the Microsoft.Web.Administration double, on a copy of a real applicationHost.config)", function () {
    // Each script is a PowerShell process: seconds each on a busy machine.
    this.timeout(300_000);
    let pwsh: string;
    let scratch: ScratchWindows;
    let runner: PwshRunner;
    let backend: IisApiBackend;
    before(function () {
        pwsh = requirePwsh(this);
    });
    beforeEach(function () {
        scratch = scratchWindows(SOURCE);
        runner = new PwshRunner(pwsh, scratch.file);
        backend = new IisApiBackend(runner);
    });
    afterEach(function () {
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    });

    /** Makes the next command run `text` in place of the script's loader (-Command . <text>). */
    function runInstead(text: string): void {
        runner.beforeRun = (command) => {
            command.arguments[command.arguments.length - 1] = text;
        };
    }

    it("describes itself by host", function () {
        assert.equal(backend.description, "web01.test:5985 (IIS API)");
    });

    it("read is one command on the command line (nothing on stdin), with a step name", async function () {
        const reading = await backend.read("Default Web Site");
        assert.equal(runner.runs.length, 1);
        assert.equal(runner.runs[0].command.stdin, undefined);
        assert.deepEqual(runner.steps(), ["read session settings at Default Web Site"]);
        assert.deepEqual(reading.explicitRaw, {});
        assert.deepEqual(reading.explicit, {});
        if (SOURCE !== OWN_FIXTURE) assert.deepEqual(reading.effective, { ...SESSION_DEFAULTS, keepSessionIdSecure: true });
        const server = await backend.read("");
        assert.deepEqual(runner.steps()[1], "read session settings at the server level");
        if (SOURCE !== OWN_FIXTURE) {
            assert.deepEqual(server.explicitRaw, { keepSessionIdSecure: "true" });
            assert.deepEqual(server.explicit, { keepSessionIdSecure: true });
        }
    });

    it("read says when the location names a site applicationHost.config does not define, naming the closest; not for one it does", async function () {
        const typo = await backend.read("Default Website/shop");
        assert.match(typo.unknownSite ?? "", /web01\.test:5985:.*applicationHost\.config: no <site> is named "Default Website" \(location "Default Website\/shop"\).*The closest site is "Default Web Site"\./);
        assert.equal((await backend.read("default web site/shop")).unknownSite, undefined, "IIS compares site names ignoring case");
        assert.equal((await backend.read("")).unknownSite, undefined, "the server level names no site");
    });

    it("write = exactly one apply invocation on the command line; returns before, the verified after, NOTHING_CREATED, pruned false", async function () {
        const result = await backend.write("Default Web Site/shop", { set: { allowSessionState: false, max: 1000, timeout: "00:10:00" }, restore: {}, remove: [] });
        assert.equal(runner.runs.length, 1);
        assert.deepEqual(runner.steps(), ["apply session settings at Default Web Site/shop"]);
        assert.equal(runner.runs[0].command.stdin, undefined, "on the command line");
        assert.deepEqual(result.before.explicitRaw, {});
        if (SOURCE !== OWN_FIXTURE) assert.deepEqual(result.before.effective, SESSION_DEFAULTS);
        assert.deepEqual(result.after.explicitRaw, { allowSessionState: "false", max: "1000", timeout: "00:10:00" });
        assert.deepEqual(result.after.explicit, { allowSessionState: false, max: 1000, timeout: "00:10:00" });
        assert.equal(result.after.effective.timeout, "00:10:00");
        assert.deepEqual(result.created, NOTHING_CREATED);
        assert.equal(result.pruned, false);
        assert.deepEqual((await backend.read("default web site/SHOP")).explicitRaw, result.after.explicitRaw, "IIS compares locations case-insensitively");
    });

    it("under Shared Configuration (redirection.config enabled) reads and writes the applicationHost.config on the share, as IIS's ServerManager does", async function () {
        // ConfigurationRedirectionSection (https://learn.microsoft.com/iis/wmi-provider/configurationredirectionsection-class):
        // enabled="true" moves applicationHost.config to the folder its path names, typically a UNC share.
        const share = path.join(scratch.dir, "share");
        fs.mkdirSync(share);
        const shared = path.join(share, "applicationHost.config");
        removeLater(commitGuardPath(shared));
        fs.copyFileSync(scratch.file, shared);
        const local = fs.readFileSync(scratch.file);
        fs.writeFileSync(path.join(path.dirname(scratch.file), "redirection.config"),
            `<configuration><configSections><section name="configurationRedirection" /></configSections><configurationRedirection enabled="true" path="${share}" /></configuration>`);
        const result = await backend.write("Default Web Site/shop", { set: { max: 4321 }, restore: {}, remove: [] });
        assert.deepEqual(result.after.explicitRaw, { max: "4321" });
        assert.match(fs.readFileSync(shared, "utf8"), /max="4321"/, "written on the share");
        assert.ok(fs.readFileSync(scratch.file).equals(local), "the local applicationHost.config is left as it was");
        const reading = await backend.read("Default Web Site/shop");
        assert.equal(reading.effective.max, 4321);
        assert.equal(reading.explicit.max, 4321);
    });

    it("before is the state the apply replaced, as a read just before would have returned it", async function () {
        await backend.write("Default Web Site", { set: { max: 1000, timeout: "00:10:00" }, restore: {}, remove: [] });
        const expected = await backend.read("Default Web Site");
        runner.runs.length = 0;
        const result = await backend.write("Default Web Site", { set: { timeout: "00:30:00" }, restore: {}, remove: ["max"] });
        assert.equal(runner.runs.length, 1);
        assert.deepEqual(result.before, expected);
        assert.deepEqual(result.after.explicitRaw, { timeout: "00:30:00" });
    });

    it("a write with nothing to change is one apply that commits nothing: the file keeps its bytes, inode and mtime", async function () {
        await backend.write("Default Web Site", { set: { max: 1000, timeout: "00:10:00" }, restore: {}, remove: [] });
        const bytes = fs.readFileSync(scratch.file);
        const stat = fs.statSync(scratch.file);
        const files = fs.readdirSync(path.dirname(scratch.file)).sort();
        runner.runs.length = 0;
        const same = await backend.write("Default Web Site", { set: { max: 1000, timeout: "0:10" }, restore: {}, remove: ["allowSessionState"] });
        assert.deepEqual(runner.steps(), ["apply session settings at Default Web Site"]);
        assert.deepEqual(same.after, same.before);
        runner.runs.length = 0;
        await backend.write("Default Web Site", { set: {}, restore: {}, remove: [] });
        assert.equal(runner.runs.length, 1);
        assert.ok(fs.readFileSync(scratch.file).equals(bytes));
        const after = fs.statSync(scratch.file);
        assert.equal(after.ino, stat.ino, "not replaced");
        assert.equal(after.mtimeMs, stat.mtimeMs, "not rewritten");
        assert.deepEqual(fs.readdirSync(path.dirname(scratch.file)).sort(), files, "no backup or temp file");
    });

    it("values the location already holds in another spelling count as the same: nothing is written", async function () {
        const text = fs.readFileSync(scratch.file, "utf8");
        fs.writeFileSync(scratch.file, text.replace("</configuration>", '    <location path="Legacy">\r\n        <system.webServer>\r\n            <asp>\r\n                <session allowSessionState="True" max="0100" timeout="0:10" />\r\n            </asp>\r\n        </system.webServer>\r\n    </location>\r\n</configuration>'));
        const bytes = fs.readFileSync(scratch.file);
        const result = await backend.write("Legacy", { set: { allowSessionState: true, max: 100, timeout: "00:10:00" }, restore: {}, remove: [] });
        assert.equal(runner.runs.length, 1);
        assert.deepEqual(result.before.explicitRaw, { allowSessionState: "True", max: "0100", timeout: "0:10" });
        assert.deepEqual(result.after.explicitRaw, result.before.explicitRaw);
        assert.ok(fs.readFileSync(scratch.file).equals(bytes));
    });

    it("only the attributes that differ are set: the others keep their text", async function () {
        const text = fs.readFileSync(scratch.file, "utf8");
        fs.writeFileSync(scratch.file, text.replace("</configuration>", '<location path="Legacy"><system.webServer><asp><session allowSessionState="True" max="0100" /></asp></system.webServer></location></configuration>'));
        const result = await backend.write("Legacy", { set: { allowSessionState: true, max: 100, timeout: "00:30:00" }, restore: {}, remove: [] });
        assert.equal(runner.runs.length, 1);
        assert.deepEqual(result.after.explicitRaw, { allowSessionState: "True", max: "0100", timeout: "00:30:00" });
    });

    it("restore puts back the earlier value in IIS's spelling and verifies it by value", async function () {
        const text = fs.readFileSync(scratch.file, "utf8");
        fs.writeFileSync(scratch.file, text.replace("</configuration>", '    <location path="Legacy">\r\n        <system.webServer>\r\n            <asp>\r\n                <session allowSessionState="True" max="0100" />\r\n            </asp>\r\n        </system.webServer>\r\n    </location>\r\n</configuration>'));
        const changed = await backend.write("Legacy", { set: { allowSessionState: false, max: 5 }, restore: {}, remove: [] });
        assert.deepEqual(changed.before.explicitRaw, { allowSessionState: "True", max: "0100" });
        assert.deepEqual(changed.before.explicit, { allowSessionState: true, max: 100 });
        const restored = await backend.write("Legacy", { set: {}, restore: changed.before.explicitRaw, remove: [] });
        assert.deepEqual(restored.after.explicitRaw, { allowSessionState: "true", max: "100" });
        assert.deepEqual(restored.after.explicit, changed.before.explicit);
    });

    it("remove deletes attributes at the location so the inherited value applies again", async function () {
        await backend.write("", { set: { timeout: "00:45:00" }, restore: {}, remove: [] });
        await backend.write("Default Web Site", { set: { timeout: "00:05:00", max: 7 }, restore: {}, remove: [] });
        const result = await backend.write("Default Web Site", { set: {}, restore: {}, remove: ["timeout", "keepSessionIdSecure"] });
        assert.deepEqual(result.after.explicitRaw, { max: "7" });
        assert.equal(result.after.effective.timeout, "00:45:00");
        // IIS's API tells a default from an inherited value, not which level set it.
        // (apphost_20 sets keepSessionIdSecure at the server level; the repository's own file does not.)
        const keepSessionIdSecure = SOURCE === OWN_FIXTURE ? "default" : "inherited";
        assert.deepEqual(result.after.sources, { allowSessionState: { level: "default" }, keepSessionIdSecure: { level: keepSessionIdSecure }, max: { level: "location" }, timeout: { level: "inherited" } });
    });

    /** Makes the first command print `result` (a script's JSON line) instead of running the script. */
    function firstRunPrints(result: Record<string, unknown>): void {
        const base64 = Buffer.from(JSON.stringify(result), "utf8").toString("base64");
        runner.beforeRun = (command, index) => {
            if (index === 0) command.arguments[command.arguments.length - 1] = `{ [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${base64}')) }`;
        };
    }

    it("IIS's commit conflict is retried from a fresh read: the second apply writes", async function () {
        firstRunPrints({ ok: false, error: "conflict", message: `IIS did not commit: ${scratch.file} changed on disk since it was read (another writer); nothing was written`, path: scratch.file });
        const result = await backend.write("Default Web Site/shop", { set: { max: 77 }, restore: {}, remove: [] });
        assert.equal(runner.runs.length, 2);
        assert.deepEqual(result.after.explicit, { max: 77 });
        assert.deepEqual(readSession(parseApplicationHost(fs.readFileSync(scratch.file), scratch.file), "Default Web Site/shop", scratch.file).explicit, { max: 77 });
    });

    it("a commit conflict on every attempt is ConfigChangedError saying how often it tried; nothing was written", async function () {
        const bytes = fs.readFileSync(scratch.file);
        const conflict = Buffer.from(JSON.stringify({ ok: false, error: "conflict", message: "IIS did not commit", path: scratch.file }), "utf8").toString("base64");
        runner.beforeRun = (command) => {
            command.arguments[command.arguments.length - 1] = `{ [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${conflict}')) }`;
        };
        const error = await rejection(backend.write("Default Web Site/shop", { set: { max: 77 }, restore: {}, remove: [] }));
        assert.ok(error instanceof ConfigChangedError);
        assert.equal(runner.runs.length, WRITE_ATTEMPTS);
        assert.ok(error.message.startsWith(`web01.test:5985:the server's applicationHost.config changed since it was read (it changed on each of ${WRITE_ATTEMPTS} attempts: web01.test:5985:${scratch.file} changed since it was read (IIS refused to commit over another writer's change)`), error.message);
        assert.ok(fs.readFileSync(scratch.file).equals(bytes));
    });

    it("a read-back that fails after a commit that changed the file is UnverifiedWriteError, carrying what the commit replaced and the location as read now", async function () {
        firstRunPrints({
            ok: false, error: "verifyFailed", message: 'after the commit, max at MACHINE/WEBROOT/APPHOST/Default Web Site/shop reads back as "7", expected "77"',
            attribute: "max", expected: "77", actual: "7", committed: true,
            before: { explicit: { max: "0005" }, effective: { ...SESSION_DEFAULTS, max: 5 } },
        });
        const error = await rejection(backend.write("Default Web Site/shop", { set: { max: 77 }, restore: {}, remove: [] }));
        assert.ok(error instanceof UnverifiedWriteError, String(error));
        assert.match(error.message, /reads back as "7", expected "77"; the commit was written$/);
        assert.deepEqual(error.written.before.explicitRaw, { max: "0005" });
        assert.deepEqual(error.written.before.explicit, { max: 5 });
        assert.deepEqual(error.written.after?.explicit, {}, "the location as a read after the failure finds it");
        assert.equal(runner.runs.length, 2, "the failed apply, then one read");
    });

    describe("the injection corpus through real PowerShell", function () {
        const CONTROL = /[\u0000-\u001f\u007f]/;

        it("every hostile text without control characters, as the segments of one location, is written and read back unchanged", async function () {
            const location = HOSTILE_TEXT.filter((text) => !CONTROL.test(text)).map((text) => text.replace(/\//g, "\\")).join("/");
            const result = await backend.write(location, { set: { max: 77 }, restore: {}, remove: [] });
            assert.equal(runner.runs.length, 1);
            assert.deepEqual(result.after.explicitRaw, { max: "77" });
            const response = await runScript(runner, { op: "read", location });
            assert.equal(response.location, location, "the script echoes the location it was given");
            assert.equal(response.configPath, `MACHINE/WEBROOT/APPHOST/${location}`);
            const reading = readSession(parseApplicationHost(fs.readFileSync(scratch.file), scratch.file), location, scratch.file);
            assert.deepEqual(reading.explicit, { max: 77 }, "IIS's API wrote it under exactly this <location path>");
        });

        it("text with control characters is refused by the script itself (badRequest), nothing written", async function () {
            const bytes = fs.readFileSync(scratch.file);
            for (const text of HOSTILE_TEXT.filter((candidate) => CONTROL.test(candidate)).slice(0, 2)) {
                const error = await rejection(runScript(runner, { op: "apply", location: text, set: { max: "1" }, remove: [] }));
                assert.ok(error instanceof PowerShellScriptError);
                assert.equal(error.code, "badRequest", JSON.stringify(text));
                assert.match(error.message, /control characters/);
            }
            assert.ok(fs.readFileSync(scratch.file).equals(bytes));
        });
    });

    describe("errors name the host, the operation and the location", function () {
        it("a script's error code (a malformed file: configError)", async function () {
            fs.writeFileSync(scratch.file, "<configuration><system.webServer></configuration>");
            const error = await rejection(backend.read("Default Web Site"));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "configError");
            assert.equal(error.operation, "read");
            assert.equal(error.target, "Default Web Site");
            assert.match(error.message, /^read at location "Default Web Site" on web01\.test:5985 failed \(configError\): /);
        });

        it("two <location> elements holding <asp>: ambiguousLocation, and nothing applied", async function () {
            const block = '<location path="Twice"><system.webServer><asp /></system.webServer></location>';
            fs.writeFileSync(scratch.file, fs.readFileSync(scratch.file, "utf8").replace("</configuration>", `${block}${block}</configuration>`));
            const bytes = fs.readFileSync(scratch.file);
            const error = await rejection(backend.write("Twice", { set: { max: 1 }, restore: {}, remove: [] }));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "ambiguousLocation");
            assert.equal(error.operation, "apply");
            assert.equal(runner.runs.length, 1);
            assert.ok(fs.readFileSync(scratch.file).equals(bytes));
        });

        it("powershell.exe exiting non-zero: processFailed with stderr decoded", async function () {
            runInstead("{ throw 'the server broke' }");
            const error = await rejection(backend.read("Default Web Site/shop"));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "processFailed");
            assert.match(error.message, /^read at location "Default Web Site\/shop" on web01\.test:5985: powershell\.exe exited with code 1 before the script reported a result; stderr: .*the server broke/);
            assert.doesNotMatch(error.message, /\x1b\[|_x001B_|<Objs/, "no CLIXML or terminal colours in the message");
        });

        it("empty or garbage stdout: badOutput, quoting stderr", async function () {
            runInstead("{ 'Loading profile...'; [Console]::Error.WriteLine('something') }");
            const error = await rejection(backend.write("", { set: { max: 1 }, restore: {}, remove: [] }));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "badOutput");
            assert.match(error.message, /^apply at the server level on web01\.test:5985: no JSON result line .*"Loading profile\.\.\."; stderr: .*something/);
            runInstead("{ }");
            assert.match((await rejection(backend.read(""))).message, /printed nothing on stdout/);
        });

        it("a command PowerShell does not know (version skew): processFailed with PowerShell's error text", async function () {
            runInstead("Get-Nothing");
            const error = await rejection(backend.read("Default Web Site"));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "processFailed");
            assert.match(error.message, /on web01\.test:5985: powershell\.exe exited with code 1 .*stderr: .*Get-Nothing.*not recognized/s);
        });

        it("a timeout IIS's validation refuses (not whole minutes) is apply's configError with IIS's message; nothing written", async function () {
            const bytes = fs.readFileSync(scratch.file);
            const error = await rejection(backend.write("Default Web Site", { set: { timeout: "00:10:30" }, restore: {}, remove: [] }));
            assert.ok(error instanceof PowerShellScriptError);
            assert.equal(error.code, "configError");
            assert.equal(error.operation, "apply");
            assert.match(error.message, /granularity of 60 seconds/);
            assert.ok(fs.readFileSync(scratch.file).equals(bytes));
        });
    });
});
