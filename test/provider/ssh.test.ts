/**
 * The provider through Pulumi's real dynamic-provider host, over SSH to a real OpenSSH sshd on
 * loopback whose cmd.exe stand-in runs real PowerShell 7 (test/support/ssh): create, drift,
 * update, delete and replace in both modes (mode "iis" against the Microsoft.Web.Administration
 * double, as the WinRM tests do), and the failures a fleet meets (host key mismatch,
 * unknown host key, wrong key, wrong password, refused, a server that stops answering,
 * permission denied on the file, a jump host), each with a clear error, nothing written and no
 * secret in any message or log.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { installMwaDouble } from "../support/mwa/install";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";
import { requirePwsh } from "../support/pwsh";
import { closedPort } from "../support/network";
import { sharedFile, underCi } from "../support/paths";
import { SshServer, sshdUnavailable, startSshServer } from "../support/ssh/sshd";
import { TcpProxy } from "../support/ssh/tcpProxy";

const realFile = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;
const LOCATION = "Default Web Site/shop";
const WRONG_PASSWORD = "Wr0ng-SSH-Passw0rd";

function liveReading(file: string, location = LOCATION) {
    return readSession(parseApplicationHost(fs.readFileSync(file), file), location, file);
}

describe("provider over SSH, through the real provider host and a real sshd", function () {
    this.timeout(300_000);
    let host: ProviderHost;
    let providerText: string;
    let server: SshServer;
    let pwsh: string;
    const proxies: TcpProxy[] = [];

    before(async function () {
        pwsh = requirePwsh(this);
        const problem = sshdUnavailable();
        if (problem !== undefined) {
            if (underCi) throw new Error(`CI=true but ${problem}`);
            this.skip();
        }
        server = await startSshServer();
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
        for (const proxy of proxies) await proxy.close();
        await server?.stop();
        const log = host?.stderrText() ?? "";
        for (const secret of secrets()) assert.ok(!log.includes(secret), "the provider host logged a secret");
    });

    function secrets(): string[] {
        return server === undefined ? [] : [server.privateKey, server.encryptedKey, server.passphrase, server.strangerKey, WRONG_PASSWORD];
    }

    function sshTarget(extra: Record<string, unknown> = {}): Record<string, unknown> {
        const target = { kind: "ssh", host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey, timeoutSeconds: 60, platform: "linux", ...extra };
        // A field set to undefined is a field left out (protobuf Structs hold no undefined).
        return JSON.parse(JSON.stringify(target)) as Record<string, unknown>;
    }

    function inputs(target: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
        return { __provider: providerText, location: LOCATION, onDelete: "restore", target, ...extra };
    }

    async function checked(target: Record<string, unknown>, extra: Record<string, unknown> = { max: 5 }) {
        const result = await host.check(URN, {}, inputs(target, extra));
        assert.deepStrictEqual(result.failures, []);
        return result.inputs;
    }

    /** The provider call fails naming `where` and matching `cause`, writes nothing and quotes no secret. */
    async function failsClearly(call: Promise<unknown>, where: string, cause: RegExp, file?: string): Promise<string> {
        const before = file === undefined ? undefined : fs.readFileSync(file);
        let details = "";
        await assert.rejects(call, (error: ProviderCallError) => {
            details = error.details;
            return true;
        });
        assert.ok(details.includes(where), `expected ${where} in: ${details}`);
        assert.match(details, cause);
        for (const secret of secrets()) assert.ok(!details.includes(secret), `a secret in: ${details}`);
        if (file !== undefined && before !== undefined) assert.ok(fs.readFileSync(file).equals(before), "nothing may be written");
        return details;
    }

    it('mode "xml": creates, sees drift, updates, deletes (original bytes back) and replaces', async function () {
        const { file } = scratchCopy(realFile);
        const original = fs.readFileSync(file);
        const target = sshTarget({ mode: "xml", configPath: file });
        const wanted = await checked(target, { timeout: "0:15", max: 500 });

        const created = await host.create(URN, wanted);
        assert.strictEqual(created.id, `ssh:127.0.0.1:${file.toLowerCase()}|${LOCATION}`);
        assert.deepStrictEqual(liveReading(file).explicit, { max: 500, timeout: "00:15:00" });
        assert.strictEqual((created.properties.effective as Record<string, unknown>).timeout, "00:15:00");

        assert.strictEqual((await host.diff(created.id, URN, created.properties, wanted)).changes, "none");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:15:00"', 'timeout="00:50:00"'));
        assert.strictEqual((await host.diff(created.id, URN, created.properties, wanted)).changes, "some", "drift on the server must show");
        const refreshed = await host.read(created.id, URN, created.properties);
        assert.strictEqual(refreshed.inputs.timeout, "00:50:00");

        const next = (await host.check(URN, wanted, inputs(target, { timeout: 25, max: 500 }))).inputs;
        const updated = await host.update(created.id, URN, refreshed.properties, next);
        assert.strictEqual(updated.properties.timeout, "00:25:00");
        assert.strictEqual(liveReading(file).explicit.timeout, "00:25:00");

        // Another file on the same server is another identity: the engine replaces (delete first).
        const other = scratchCopy(OWN_FIXTURE).file;
        const moved = (await host.check(URN, next, inputs(sshTarget({ mode: "xml", configPath: other }), { timeout: 25, max: 500 }))).inputs;
        const diff = await host.diff(created.id, URN, updated.properties, moved);
        assert.deepStrictEqual(diff.replaces, ["target"]);
        assert.strictEqual(diff.deleteBeforeReplace, true);
        await host.delete(created.id, URN, updated.properties);
        assert.ok(fs.readFileSync(file).equals(original), "xml mode: delete must restore the original bytes");
        const replaced = await host.create(URN, moved);
        assert.deepStrictEqual(liveReading(other).explicit, { max: 500, timeout: "00:25:00" });
        await host.delete(replaced.id, URN, replaced.properties);
        assert.deepStrictEqual(liveReading(other).explicit, {});
    });

    it('mode "iis": creates, sees drift, updates, deletes and replaces through IIS\'s API', async function () {
        const scratch = scratchCopy(realFile);
        installMwaDouble(scratch.windir, pwsh);
        server.setWindir(scratch.windir);
        const file = scratch.file;
        const target = sshTarget({ mode: "iis" });
        const wanted = await checked(target, { timeout: "0:15", max: 500 });

        const created = await host.create(URN, wanted);
        assert.strictEqual(created.id, `ssh:127.0.0.1:${"C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config".toLowerCase()}|${LOCATION}`);
        assert.deepStrictEqual(liveReading(file).explicit, { max: 500, timeout: "00:15:00" });

        assert.strictEqual((await host.diff(created.id, URN, created.properties, wanted)).changes, "none");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:15:00"', 'timeout="00:50:00"'));
        assert.strictEqual((await host.diff(created.id, URN, created.properties, wanted)).changes, "some", "drift on the server must show");
        const refreshed = await host.read(created.id, URN, created.properties);
        assert.strictEqual(refreshed.inputs.timeout, "00:50:00");

        const next = (await host.check(URN, wanted, inputs(target, { timeout: 25, max: 500 }))).inputs;
        const updated = await host.update(created.id, URN, refreshed.properties, next);
        assert.strictEqual(updated.properties.timeout, "00:25:00");
        assert.strictEqual(liveReading(file).explicit.timeout, "00:25:00");

        // Another location is another resource: the engine replaces (delete first).
        const moved = (await host.check(URN, next, { ...inputs(target, { timeout: 25, max: 500 }), location: "Default Web Site" })).inputs;
        const diff = await host.diff(created.id, URN, updated.properties, moved);
        assert.deepStrictEqual(diff.replaces, ["location"]);
        await host.delete(created.id, URN, updated.properties);
        // IIS's API writes values, not bytes: the values are gone, the elements may stay.
        assert.deepStrictEqual(liveReading(file).explicit, {});
        const replaced = await host.create(URN, moved);
        assert.deepStrictEqual(liveReading(file, "Default Web Site").explicit, { max: 500, timeout: "00:25:00" });
        await host.delete(replaced.id, URN, replaced.properties);
        assert.deepStrictEqual(liveReading(file, "Default Web Site").explicit, {});
    });

    it("refuses a different host key and an unknown one, naming the key offered, writing nothing", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const pinned = "SHA256:" + "B".repeat(43);
        const mismatch = await checked(sshTarget({ mode: "xml", configPath: file, hostKey: pinned }));
        await failsClearly(host.create(URN, mismatch), `127.0.0.1:${server.port}: SSH host key refused`, new RegExp(`host key is ${server.hostKey.replace(/[+/]/g, "\\$&")}, not the pinned ${pinned}`), file);
        const unknown = await checked(sshTarget({ mode: "xml", configPath: file, hostKey: undefined }));
        await failsClearly(host.create(URN, unknown), `127.0.0.1:${server.port}: SSH host key refused`, /no hostKey is pinned and the server offered SHA256:/, file);
    });

    it("refuses a wrong key, a wrong password and a refused port, naming host, step and user", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const wrongKey = await checked(sshTarget({ mode: "xml", configPath: file, privateKey: server.strangerKey }));
        await failsClearly(host.create(URN, wrongKey), `127.0.0.1:${server.port}: SSH authentication failed for user "${server.username}"`, /with private key: the server refused/, file);
        const wrongPassword = await checked(sshTarget({ mode: "xml", configPath: file, privateKey: undefined, password: WRONG_PASSWORD }));
        await failsClearly(host.create(URN, wrongPassword), `127.0.0.1:${server.port}: SSH authentication`, /with password: the server refused/, file);
        const port = await closedPort();
        const refused = await checked(sshTarget({ mode: "xml", configPath: file, port }));
        await failsClearly(host.create(URN, refused), `127.0.0.1:${port}: SSH connect failed`, /connection refused/, file);
    });

    it("times out on a server that stops answering mid-command, naming the host and the operation", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const proxy = await TcpProxy.start(server.port);
        proxies.push(proxy);
        const wanted = await checked(sshTarget({ mode: "xml", configPath: file, port: proxy.port }), { max: 6 });
        const created = await host.create(URN, wanted);
        // The pooled connection is up; now the server goes silent. (The deadline is not a
        // connection setting: the same connection serves the update.)
        proxy.frozen = true;
        const written = fs.readFileSync(file);
        const next = (await host.check(URN, wanted, inputs(sshTarget({ mode: "xml", configPath: file, port: proxy.port, timeoutSeconds: 3 }), { max: 7 }))).inputs;
        const started = Date.now();
        await failsClearly(host.update(created.id, URN, created.properties, next), `127.0.0.1:${proxy.port}: SSH `, /(command|handshake) timed out/, undefined);
        assert.ok(Date.now() - started < 30_000, "the deadline must hold");
        assert.ok(fs.readFileSync(file).equals(written), "nothing may be written");
    });

    it("reports permission denied on the file as such, leaving it untouched", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const dir = path.dirname(file);
        fs.chmodSync(file, 0o444);
        fs.chmodSync(dir, 0o555);
        try {
            const wanted = await checked(sshTarget({ mode: "xml", configPath: file }));
            await failsClearly(host.create(URN, wanted), `127.0.0.1:${server.port}`, /accessDenied|denied/i, file);
            assert.deepStrictEqual(fs.readdirSync(dir), ["applicationHost.config"], "no temporary or backup file left");
        } finally {
            fs.chmodSync(dir, 0o755);
        }
    });

    it("works through a jump host, and names the jump host when it is the one that fails", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const jump = { host: "127.0.0.1", port: server.port, username: server.username, privateKey: server.encryptedKey, passphrase: server.passphrase, hostKey: server.hostKey };
        const wanted = await checked(sshTarget({ mode: "xml", configPath: file, proxy: jump }), { max: 8 });
        const created = await host.create(URN, wanted);
        assert.strictEqual(liveReading(file).explicit.max, 8);
        await host.delete(created.id, URN, created.properties);
        assert.deepStrictEqual(liveReading(file).explicit, {});
        const badJump = await checked(sshTarget({ mode: "xml", configPath: file, proxy: { ...jump, privateKey: server.strangerKey, passphrase: undefined } }), { max: 8 });
        await failsClearly(host.create(URN, badJump), `127.0.0.1:${server.port} (jump host to 127.0.0.1:${server.port}): SSH authentication failed`, /the server refused/, file);
    });

    it("reuses one SSH connection across the operations of a host", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const logBefore = server.log().length;
        const wanted = await checked(sshTarget({ mode: "xml", configPath: file }), { max: 11 });
        const created = await host.create(URN, wanted);
        await host.diff(created.id, URN, created.properties, wanted);
        await host.delete(created.id, URN, created.properties);
        const accepted = server.log().slice(logBefore).match(/Accepted publickey/g) ?? [];
        assert.ok(accepted.length <= 1, `expected at most one new login (the pooled connection may predate this test), saw ${accepted.length}`);
        assert.ok(path.isAbsolute(file));
    });
});
