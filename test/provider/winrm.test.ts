/**
 * The provider through Pulumi's real dynamic-provider host, against our WS-Management test server
 * (a stand-in for Windows: NTLM with message encryption, HTTPS with channel binding, WinRS shells
 * whose commands run in real PowerShell 7 against a scratch Windows folder, with the
 * Microsoft.Web.Administration double for mode "iis"): create, drift, update, replace, delete in
 * both modes, hostile location names, the script-level failures, and the failures a fleet meets: wrong password, untrusted certificate,
 * connection refused, a server that stops answering, HTTP 500 faults, malformed responses.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { readSession } from "../../provider/apphost/sessionReader";
import { parseApplicationHost } from "../../provider/apphost/document";
import { startRealPowerShell, startWsmanServer, WsmanServer } from "../support/wsman";
import { requirePwsh, splitWindowsCommandLine } from "../support/pwsh";
import { seededRandom } from "../support/seededRandom";
import { LOADER_PREFIX, LOADER_SUFFIX } from "../../provider/powershell/delivery";
import { decompressScript } from "../support/loader";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";
import { sharedFile } from "../support/paths";
import { closedPort } from "../support/network";

const realFile = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;
const PASSWORD = "Winrm-Test-Passw0rd!";
const USER = { username: "CORP\\deploy", password: PASSWORD };

function liveReading(file: string, location: string) {
    return readSession(parseApplicationHost(fs.readFileSync(file), file), location, file);
}


describe("provider over WinRM, through the real provider host and our WS-Management server", function () {
    // Every operation runs PowerShell processes: seconds each on a busy machine.
    this.timeout(600_000);
    let host: ProviderHost;
    let providerText: string;
    const servers: WsmanServer[] = [];

    before(async function () {
        requirePwsh(this);
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
        for (const server of servers) await server.close();
        const log = host?.stderrText() ?? "";
        assert.ok(!log.includes(PASSWORD), "the provider host logged the password");
    });

    async function serverFor(file: string, options: Partial<Parameters<typeof startWsmanServer>[0]> = {}): Promise<WsmanServer> {
        const server = await startWsmanServer({ users: [USER], applicationHostPath: file, ...options });
        servers.push(server);
        return server;
    }

    function inputs(target: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
        return { __provider: providerText, location: "Default Web Site/shop", onDelete: "restore", target, ...extra };
    }

    for (const mode of ["iis", "xml"] as const) {
        it(`mode "${mode}": creates, sees drift, updates, replaces and deletes (NTLM over http with message encryption)`, async function () {
            const { file } = scratchCopy(realFile);
            const original = fs.readFileSync(file);
            const server = await serverFor(file);
            const target = { kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD, mode, timeoutSeconds: 60, ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}) };
            const checked = await host.check(URN, {}, inputs(target, { timeout: "0:15", max: 500 }));
            assert.deepStrictEqual(checked.failures, []);

            const created = await host.create(URN, checked.inputs);
            const configFile = mode === "xml" ? file : "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";
            assert.strictEqual(created.id, `winrm:127.0.0.1:${configFile.toLowerCase()}|Default Web Site/shop`);
            assert.deepStrictEqual(liveReading(file, "Default Web Site/shop").explicit, { max: 500, timeout: "00:15:00" });
            assert.strictEqual((created.properties.effective as Record<string, unknown>).timeout, "00:15:00");
            assert.ok(server.stats.ntlmHandshakes >= 1, "NTLM handshake expected");

            assert.strictEqual((await host.diff(created.id, URN, created.properties, checked.inputs)).changes, "none");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:15:00"', 'timeout="00:50:00"'));
            assert.strictEqual((await host.diff(created.id, URN, created.properties, checked.inputs)).changes, "some", "drift on the server must show");
            const refreshed = await host.read(created.id, URN, created.properties);
            assert.strictEqual(refreshed.inputs.timeout, "00:50:00");

            const next = (await host.check(URN, checked.inputs, inputs(target, { timeout: 25, max: 500 }))).inputs;
            const updated = await host.update(created.id, URN, refreshed.properties, next);
            assert.strictEqual(updated.properties.timeout, "00:25:00");
            assert.strictEqual(liveReading(file, "Default Web Site/shop").explicit.timeout, "00:25:00");

            // A new location is a replacement: the engine deletes the old resource, then creates the new one.
            const moved = (await host.check(URN, next, { ...inputs(target, { timeout: 25, max: 500 }), location: "Default Web Site/cart" })).inputs;
            const diff = await host.diff(created.id, URN, updated.properties, moved);
            assert.deepStrictEqual({ replaces: diff.replaces, deleteBeforeReplace: diff.deleteBeforeReplace }, { replaces: ["location"], deleteBeforeReplace: true });
            await host.delete(created.id, URN, updated.properties);
            const replacement = await host.create(URN, moved);
            assert.deepStrictEqual(liveReading(file, "Default Web Site/shop").explicit, {});
            assert.deepStrictEqual(liveReading(file, "Default Web Site/cart").explicit, { max: 500, timeout: "00:25:00" });

            await host.delete(replacement.id, URN, replacement.properties);
            if (mode === "xml") {
                assert.ok(fs.readFileSync(file).equals(original), "xml mode: delete must restore the original bytes");
            } else {
                // IIS's API writes values, not bytes: the values are back, the elements may stay.
                assert.deepStrictEqual(liveReading(file, "Default Web Site/cart").explicit, {});
            }
            assert.ok(!JSON.stringify(server.shells()).includes(PASSWORD));
        });
    }

    it("hostile and long location names round-trip unchanged through real PowerShell (mode iis, the 5,000-character one on stdin)", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const server = await serverFor(file);
        const target = { kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD, timeoutSeconds: 60 };
        // The long one is random letters (some non-ASCII), so gzip cannot shrink it onto the command line.
        const random = seededRandom(5000);
        const letters = "abcdefghijklmnopqrstuvwxyzÅÄÖåäöß0123456789 .-_";
        const long = `Site/${Array.from({ length: 4995 }, () => letters[Math.floor(random() * letters.length)]).join("")}`.replace(/[ .]+$/, "x");
        const names = [`it's "$(Stop-Computer)"; \`$x @'{}'@ Genomgång 日本語 🎉`, long];
        assert.strictEqual(names[1].length, 5000);
        for (const location of names) {
            const checked = await host.check(URN, {}, { ...inputs(target, { max: 42 }), location });
            assert.deepStrictEqual(checked.failures, []);
            const created = await host.create(URN, checked.inputs);
            assert.strictEqual(created.properties.location, location);
            assert.deepStrictEqual(liveReading(file, location).explicit, { max: 42 }, "written under exactly this location");
            await host.delete(created.id, URN, created.properties);
            assert.deepStrictEqual(liveReading(file, location).explicit, {});
        }
        assert.ok(server.shells().some((shell) => shell.commandLines.some((line) => line.includes("-EncodedCommand"))), "the long location went on stdin behind the bootstrap");
    });

    describe("failures come back as the provider's clear errors, with nothing written", function () {
        async function createFails(file: string, target: Record<string, unknown>, extra: Record<string, unknown>, expected: RegExp): Promise<void> {
            const before = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
            const checked = (await host.check(URN, {}, inputs(target, extra))).inputs;
            await assert.rejects(host.create(URN, checked), (error: ProviderCallError) => {
                assert.match(error.details, expected);
                assert.ok(!error.details.includes(PASSWORD));
                return true;
            });
            if (before !== undefined) assert.ok(fs.readFileSync(file).equals(before), "nothing may be written");
        }
        function winrm(server: WsmanServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
            return { kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD, timeoutSeconds: 60, platform: "linux", ...extra };
        }

        it("a missing file (mode xml) and a missing applicationHost.config (mode iis)", async function () {
            const { dir, file } = scratchCopy(OWN_FIXTURE);
            const server = await serverFor(file);
            const missing = path.join(dir, "nowhere", "applicationHost.config");
            await createFails(missing, winrm(server, { mode: "xml", configPath: missing }), { max: 5 }, /127\.0\.0\.1:\d+.*notFound|not found|does not exist/i);
            fs.rmSync(file);
            await createFails(file, winrm(server), { max: 5 }, /127\.0\.0\.1:\d+.*notFound/);
        });

        it("access denied (mode xml: the path is a folder, which the OS refuses to open as a file)", async function () {
            const { file } = scratchCopy(OWN_FIXTURE);
            const server = await serverFor(file);
            await createFails(file, winrm(server, { mode: "xml", configPath: path.dirname(file) }), { max: 5 }, /accessDenied|denied/i);
        });

        it("a value IIS refuses (mode iis: a stored timeout that is not whole minutes) is IIS's own message", async function () {
            const { file } = scratchCopy(OWN_FIXTURE);
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("</configuration>", '<location path="Default Web Site/shop"><system.webServer><asp><session timeout="00:10:30" /></asp></system.webServer></location></configuration>'));
            const server = await serverFor(file);
            await createFails(file, winrm(server), { max: 5 }, /configError.*Timespan value must be between 00:00:00 and 365\.00:00:00 seconds inclusive, with a granularity of 60 seconds/s);
        });

        for (const mode of ["iis", "xml"] as const) {
            it(`an ambiguous location (two <location> elements holding <asp>), mode ${mode}`, async function () {
                const { file } = scratchCopy(OWN_FIXTURE);
                const twice = '<location path="Default Web Site/shop"><system.webServer><asp /></system.webServer></location>';
                fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("</configuration>", `${twice}${twice.replace("shop", "SHOP")}</configuration>`));
                const server = await serverFor(file);
                await createFails(file, winrm(server, mode === "xml" ? { mode, configPath: file } : {}), { max: 5 }, /Default Web Site\/shop/);
            });
        }

        /** A writeFile: on the command line, the loader's script starts with its marker; on stdin, it is the only script mode xml sends there. */
        function isWriteFile(commandLine: string): boolean {
            if (commandLine.includes("-EncodedCommand")) return true;
            const loader = splitWindowsCommandLine(commandLine).at(-1) ?? "";
            if (!loader.startsWith(LOADER_PREFIX)) return false;
            return decompressScript(loader.slice(LOADER_PREFIX.length, loader.length - LOADER_SUFFIX.length)).startsWith("# pulumi-iis-asp-session: writeFile ");
        }

        it("a compare-and-swap conflict (mode xml: another writer changes the file before every write)", async function () {
            const { file } = scratchCopy(OWN_FIXTURE);
            let edits = 0;
            const server = await serverFor(file, {
                powershell: (commandLine, context) => {
                    if (isWriteFile(commandLine)) fs.appendFileSync(file, `<!-- edit ${++edits} -->`);
                    return startRealPowerShell(commandLine, context);
                },
            });
            const checked = (await host.check(URN, {}, inputs(winrm(server, { mode: "xml", configPath: file }), { max: 5 }))).inputs;
            await assert.rejects(host.create(URN, checked), (error: ProviderCallError) => /changed/.test(error.details) && error.details.includes(file));
            assert.ok(edits >= 2, "retried from a fresh read");
            assert.ok(!fs.readFileSync(file, "utf8").includes('max="5"'));
        });
    });

    it("reuses one connection, one NTLM handshake and one shell across operations on a host", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const server = await serverFor(file);
        const target = { kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD };
        const checked = (await host.check(URN, {}, inputs(target, { max: 7 }))).inputs;
        const created = await host.create(URN, checked);
        for (let i = 0; i < 3; i++) await host.diff(created.id, URN, created.properties, checked);
        await host.delete(created.id, URN, created.properties);
        assert.strictEqual(server.stats.ntlmHandshakes, 1);
        assert.strictEqual(server.stats.shellsCreated, 1);
    });

    it("works over https with NTLM and channel binding when the server's certificate is trusted, and refuses it when not", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const server = await serverFor(file, { https: true, requireChannelBinding: true });
        const base = { kind: "winrm", host: "localhost", port: server.port, https: true, username: USER.username, password: PASSWORD };
        const untrusted = (await host.check(URN, {}, inputs(base, { max: 9 }))).inputs;
        await assert.rejects(host.create(URN, untrusted), (error: ProviderCallError) =>
            /localhost:\d+/.test(error.details) && /certificate/i.test(error.details) && !error.details.includes(PASSWORD));
        assert.deepStrictEqual(liveReading(file, "Default Web Site/shop").explicit, {}, "nothing may be written");

        const trusted = (await host.check(URN, {}, inputs({ ...base, caCertificate: server.certificatePem }, { max: 9 }))).inputs;
        const created = await host.create(URN, trusted);
        assert.strictEqual(liveReading(file, "Default Web Site/shop").explicit.max, 9);
        await host.delete(created.id, URN, created.properties);

        const skipped = (await host.check(URN, {}, inputs({ ...base, insecureSkipVerify: true }, { max: 10 }))).inputs;
        const again = await host.create(URN, skipped);
        await host.delete(again.id, URN, again.properties);
    });

    it("reports a wrong password naming the host and user, never the password, and writes nothing", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const before = fs.readFileSync(file);
        const server = await serverFor(file);
        const wrong = "Not-The-Right-0ne";
        const checked = (await host.check(URN, {}, inputs({ kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: wrong }, { max: 5 }))).inputs;
        await assert.rejects(host.create(URN, checked), (error: ProviderCallError) =>
            error.details.includes(`127.0.0.1:${server.port}`) && /authentication|401/i.test(error.details) &&
            error.details.includes("deploy") && !error.details.includes(wrong));
        assert.ok(fs.readFileSync(file).equals(before));
        assert.ok(!host.stderrText().includes(wrong), "the provider host logged the password");
    });

    it("reports a refused connection naming the host and port", async function () {
        const port = await closedPort();
        const checked = (await host.check(URN, {}, inputs({ kind: "winrm", host: "127.0.0.1", port, username: "u", password: PASSWORD }, { max: 5 }))).inputs;
        await assert.rejects(host.create(URN, checked), (error: ProviderCallError) => error.details.includes(`127.0.0.1:${port}`) && /refused/i.test(error.details));
    });

    it("times out on a server that stops answering mid-command, naming the host and the step", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const before = fs.readFileSync(file);
        const server = await serverFor(file, { faults: { onNextReceive: "hang" } });
        const checked = (await host.check(URN, {}, inputs({ kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD, timeoutSeconds: 3 }, { max: 5 }))).inputs;
        const started = Date.now();
        await assert.rejects(host.create(URN, checked), (error: ProviderCallError) =>
            error.details.includes(`127.0.0.1:${server.port}`) && /timed out/i.test(error.details));
        assert.ok(Date.now() - started < 60_000, "the deadline must hold");
        // The command was already running when the server stopped answering: as on Windows, it may
        // finish after the client gave up. The file is then whole, either as it was or with the apply.
        const after = fs.readFileSync(file);
        if (!after.equals(before)) assert.match(after.toString("utf8"), /<session [^>]*max="5"/, "the file changed, but not by the whole apply");
    });

    for (const fault of ["http500", "malformed"] as const) {
        it(`reports ${fault === "http500" ? "an HTTP 500 WS-Management fault with its code" : "a malformed response"} clearly, writing nothing`, async function () {
            const { file } = scratchCopy(OWN_FIXTURE);
            const before = fs.readFileSync(file);
            const server = await serverFor(file, { faults: { onNextCommand: fault } });
            const checked = (await host.check(URN, {}, inputs({ kind: "winrm", host: "127.0.0.1", port: server.port, username: USER.username, password: PASSWORD }, { max: 5 }))).inputs;
            await assert.rejects(host.create(URN, checked), (error: ProviderCallError) =>
                error.details.includes(`127.0.0.1:${server.port}`) && (fault === "http500" ? /fault \d+|500/.test(error.details) : /malformed|not XML|XML/i.test(error.details)));
            assert.ok(fs.readFileSync(file).equals(before));
        });
    }
});
