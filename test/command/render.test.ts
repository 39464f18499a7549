/**
 * renderSessionCommands (sdk/command.ts): the command lines a @pulumi/command remote.Command runs.
 * Checked as text (one line for cmd.exe, nothing but the fixed loader and base64, the request
 * inside), then run the way remote.Command runs them (the raw string over SSH, through the
 * cmd.exe stand-in) by real PowerShell 7 against an applicationHost.config through the
 * Microsoft.Web.Administration double.
 */
import * as assert from "assert";
import * as fs from "fs";
import { POWERSHELL_EXE } from "../../provider/powershell/commandLine";
import { LOADER_PREFIX, LOADER_SUFFIX } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { parseLocation } from "../../provider/settings/location";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { SshCommandRunner } from "../../provider/carriers/ssh";
import { renderSessionCommands, SessionCommandError } from "../../sdk";
import { HOSTILE_TEXT } from "../powershell/requests";
import { decodeRequestText } from "../support/requestText";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";
import { installMwaDouble } from "../support/mwa/install";
import { underCi } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { SshServer, sshdUnavailable, startSshServer } from "../support/ssh/sshd";

/** The request inside a rendered command line. */
function requestOf(commandLine: string): Record<string, unknown> {
    const start = commandLine.indexOf(LOADER_PREFIX);
    assert.ok(start > 0 && commandLine.endsWith(LOADER_SUFFIX));
    const script = decompressScript(commandLine.slice(start + LOADER_PREFIX.length, commandLine.length - LOADER_SUFFIX.length));
    const literal = /Read-Request '([A-Za-z0-9+/=.:;]+)'/.exec(script);
    assert.ok(literal, "the script carries its request as one literal of name:base64 fields");
    return decodeRequestText(literal[1]) as unknown as Record<string, unknown>;
}

describe("renderSessionCommands: command lines for @pulumi/command", function () {
    it("renders create = update (set the managed attributes) and delete (remove them), checked as the provider checks", function () {
        const commands = renderSessionCommands({ location: "/Default Web Site/shop/", timeout: 10, max: "100" as unknown as number, keepSessionIdSecure: true });
        assert.strictEqual(commands.create, commands.update);
        assert.deepStrictEqual(requestOf(commands.create), {
            op: "apply",
            location: "Default Web Site/shop",
            set: { keepSessionIdSecure: "true", max: "100", timeout: "00:10:00" },
            remove: [],
            failureExitCode: 1,
        });
        assert.deepStrictEqual(requestOf(commands.delete), { op: "apply", location: "Default Web Site/shop", set: {}, remove: ["keepSessionIdSecure", "max", "timeout"], failureExitCode: 1 });
        for (const line of Object.values(commands)) {
            assert.ok(line.length <= 8191, "fits cmd.exe's command line");
            assert.doesNotMatch(line.slice(POWERSHELL_EXE.length), /["%^&|<>!\n\r]/, "no character cmd.exe acts on after the executable's name");
            assert.ok(line.startsWith("%SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile -NonInteractive "));
        }
    });

    it("refuses what the provider refuses, naming the field", function () {
        assert.throws(() => renderSessionCommands({ location: "Site", timeout: "10" }), (error: Error) => error instanceof SessionCommandError && /timeout/.test(error.message));
        assert.throws(() => renderSessionCommands({ location: "Site" }), /at least one of allowSessionState, keepSessionIdSecure, max, timeout must be set/);
        assert.throws(() => renderSessionCommands({ location: "a\u0001b", max: 1 }), SessionCommandError);
    });

    it("keeps every hostile location as data: the line is the fixed loader around base64", function () {
        for (const location of HOSTILE_TEXT) {
            let commands;
            try {
                commands = renderSessionCommands({ location, max: 1 });
            } catch (error) {
                assert.ok(error instanceof SessionCommandError, String(error));
                continue;
            }
            const parsed = parseLocation(location);
            assert.ok(parsed.ok);
            for (const line of Object.values(commands)) {
                const data = line.slice(line.indexOf(LOADER_PREFIX) + LOADER_PREFIX.length, line.length - LOADER_SUFFIX.length);
                assert.match(data, /^[A-Za-z0-9+/]+={0,2}$/);
                assert.strictEqual(requestOf(line).location, parsed.path);
            }
        }
    });

    describe("run as remote.Command runs them: over SSH, by real PowerShell", function () {
        this.timeout(600_000);
        let server: SshServer;
        let pwsh: string;
        let runner: SshCommandRunner;
        before(async function () {
            pwsh = requirePwsh(this);
            const problem = sshdUnavailable();
            if (problem !== undefined) {
                if (underCi) throw new Error(`CI=true but ${problem}`);
                this.skip();
            }
            server = await startSshServer();
            runner = new SshCommandRunner({ host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey });
        });
        after(async function () {
            await runner?.close();
            await server?.stop();
        });

        /** remote.Command sends the raw string as the SSH exec request. */
        const run = (commandLine: string) => runner.run({ command: commandLine, arguments: [] });
        const explicit = (file: string, location: string) => readSession(parseApplicationHost(fs.readFileSync(file), file), location, file).explicit;

        it("create sets, update changes, delete removes; a hostile location stays a location", async function () {
            const scratch = scratchCopy(OWN_FIXTURE);
            installMwaDouble(scratch.windir, pwsh);
            server.setWindir(scratch.windir);
            for (const location of ["Default Web Site/shop", "Default Web Site/$(Remove-Item -Recurse -Force ~)'; exit; '"]) {
                const created = await run(renderSessionCommands({ location, timeout: "00:12:00", max: 40 }).create);
                assert.strictEqual(created.exitCode, 0, created.stdout.toString() + created.stderr.toString());
                assert.match(created.stdout.toString(), /^\{"ok":true/);
                assert.deepStrictEqual(explicit(scratch.file, location), { max: 40, timeout: "00:12:00" });
                const updated = await run(renderSessionCommands({ location, timeout: "00:13:00", max: 40 }).update);
                assert.strictEqual(updated.exitCode, 0);
                assert.deepStrictEqual(explicit(scratch.file, location), { max: 40, timeout: "00:13:00" });
                const deleted = await run(renderSessionCommands({ location, timeout: "00:13:00", max: 40 }).delete);
                assert.strictEqual(deleted.exitCode, 0);
                assert.deepStrictEqual(explicit(scratch.file, location), {});
            }
        });

        it("exits 1 with the script's reason when it fails, so the Command fails", async function () {
            const scratch = scratchCopy(OWN_FIXTURE);
            server.setWindir(scratch.windir); // no Microsoft.Web.Administration here
            const before = fs.readFileSync(scratch.file);
            const failed = await run(renderSessionCommands({ location: "Default Web Site", max: 3 }).create);
            assert.strictEqual(failed.exitCode, 1);
            assert.match(failed.stdout.toString(), /"ok":false,"error":"iisUnavailable"/);
            assert.ok(fs.readFileSync(scratch.file).equals(before));
        });
    });
});
