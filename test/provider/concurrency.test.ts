/**
 * Many resources on one server at once, as the engine runs them (its default parallelism): eight
 * resources at eight locations of one server, the host spelled four ways, created, updated and
 * deleted concurrently through Pulumi's real dynamic-provider host, over WinRM (our WS-Management
 * server with real PowerShell) and over SSH (a real sshd), in both modes; then the same split
 * between two provider processes writing one file. Every lifecycle must succeed, one connection
 * must serve each server within a process, and the file must end as it began.
 */
import * as assert from "assert";
import * as fs from "fs";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { installMwaDouble } from "../support/mwa/install";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";
import { sharedFile, underCi } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { SshServer, sshdUnavailable, startSshServer } from "../support/ssh/sshd";
import { startRealPowerShell, startWsmanServer, WsmanServer } from "../support/wsman";

const realFile = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;
const PASSWORD = "Winrm-Concurrency-Passw0rd!";
const USER = { username: "CORP\\deploy", password: PASSWORD };
const SPELLINGS = ["localhost", "LOCALHOST", "LocalHost", "localHOST"];
const RESOURCES = 8;
const LOCATIONS = Array.from({ length: RESOURCES }, (_, index) => (index === 0 ? "Default Web Site" : `Default Web Site/app${index}`));

/** Every location's explicit values, as an independent reader of the file sees them. */
function explicitValues(file: string): Record<string, unknown> {
    const document = parseApplicationHost(fs.readFileSync(file), file);
    return Object.fromEntries(LOCATIONS.map((location) => [location, readSession(document, location, file).explicit]));
}

interface Outcome {
    succeeded: number;
    failures: string[];
}

/**
 * Check, create, update and delete one resource per location, all at once, spread over `hosts`
 * round-robin; `targetFor(index)` gives resource `index`'s target.
 */
async function lifecycles(hosts: ProviderHost[], providerText: string, targetFor: (index: number) => Record<string, unknown>): Promise<Outcome> {
    const runs = LOCATIONS.map(async (location, index) => {
        const host = hosts[index % hosts.length];
        const urn = `${URN}${index}`;
        const news = (max: number) => ({ __provider: providerText, location, onDelete: "restore", target: targetFor(index), max, timeout: `00:${10 + index}:00` });
        const checked = await host.check(urn, {}, news(100 + index));
        assert.deepStrictEqual(checked.failures, []);
        const created = await host.create(urn, checked.inputs);
        assert.strictEqual(created.properties.max, 100 + index);
        const next = (await host.check(urn, checked.inputs, news(200 + index))).inputs;
        const updated = await host.update(created.id, urn, created.properties, next);
        assert.deepStrictEqual((updated.properties.effective as Record<string, unknown>).max, 200 + index);
        await host.delete(created.id, urn, updated.properties);
    });
    const settled = await Promise.allSettled(runs);
    const failures = settled.flatMap((result, index) => (result.status === "rejected" ? [`${LOCATIONS[index]}: ${(result.reason as Error).message}`] : []));
    return { succeeded: settled.length - failures.length, failures };
}

describe("many resources on one server at once, through the real provider host", function () {
    this.timeout(900_000);
    let pwsh: string;
    let providerText: string;
    const hosts: ProviderHost[] = [];
    const wsmanServers: WsmanServer[] = [];
    let sshServer: SshServer | undefined;

    before(async function () {
        pwsh = requirePwsh(this);
        let host: ProviderHost;
        ({ host, providerText } = await startHost());
        await host.stop();
    });
    after(async function () {
        for (const host of hosts) await host.stop();
        for (const server of wsmanServers) await server.close();
        await sshServer?.stop();
        for (const host of hosts) assert.ok(!host.stderrText().includes(PASSWORD), "the provider host logged the password");
    });

    /**
     * A fresh provider host (its own process, so its own connections), stopped after the suite.
     * Writes to one file queue behind each other, and on a loaded 2-core machine eight of them
     * (each a few PowerShell processes, retried on conflicts) can take longer than the stand-in's
     * default call deadline (the engine sets no deadline of its own on these calls).
     */
    async function freshHost(): Promise<ProviderHost> {
        const { host } = await startHost({ callTimeoutMs: 600_000 });
        hosts.push(host);
        return host;
    }

    async function ssh(): Promise<SshServer> {
        if (sshServer === undefined) sshServer = await startSshServer();
        return sshServer;
    }

    function assertRestored(mode: "iis" | "xml", file: string, original: Buffer, originalValues: Record<string, unknown>): void {
        if (mode === "xml") assert.ok(fs.readFileSync(file).equals(original), "mode xml: the file must end byte for byte as it began");
        // IIS's API writes values, not bytes: the values are back, emptied elements may stay.
        else assert.deepStrictEqual(explicitValues(file), originalValues);
    }

    it("a create whose write landed but whose read-back found another writer's value is kept in the stack (the engine's partial failure); delete gives the file back", async function () {
        const { file } = scratchCopy(realFile);
        const original = fs.readFileSync(file);
        const location = "Default Web Site/partial";
        // Counted from the create on (check reads the file too): mode xml's create is readFile,
        // writeFile, then readFile to verify, and another writer acts just before that read.
        let createCommands: number | undefined;
        const server = await startWsmanServer({
            users: [USER], applicationHostPath: file,
            powershell: (commandLine, context) => {
                if (createCommands !== undefined && ++createCommands === 3) fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('max="77"', 'max="1"'));
                return startRealPowerShell(commandLine, context);
            },
        });
        wsmanServers.push(server);
        const host = await freshHost();
        const target = { kind: "winrm", host: "localhost", port: server.port, username: USER.username, password: PASSWORD, mode: "xml", configPath: file, platform: "linux", timeoutSeconds: 120 };
        const checked = await host.check(URN, {}, { __provider: providerText, location, onDelete: "restore", target, max: 77 });
        createCommands = 0;
        const error = await host.create(URN, checked.inputs).then(() => assert.fail("create succeeded"), (caught: unknown) => caught);
        assert.ok(error instanceof ProviderCallError && error.initFailure !== undefined, `not a partial failure: ${String(error)}`);
        const { id, properties, reasons } = error.initFailure;
        assert.strictEqual(id, `winrm:localhost:${file.toLowerCase()}|${location}`);
        assert.match(reasons[0], /max is 1, expected 77; the file was written .*kept in the stack with what it replaced/);
        assert.deepStrictEqual(properties.previous, { max: null });
        assert.strictEqual(properties.__provider, providerText);
        assert.strictEqual(createCommands, 3, "readFile, writeFile, readFile");
        // The engine keeps these properties; destroy deletes from them.
        await host.delete(id, URN, properties);
        assert.ok(fs.readFileSync(file).equals(original), "delete of the partially created resource must give the file back");
    });

    for (const mode of ["xml", "iis"] as const) {
        it(`over WinRM, mode "${mode}": ${RESOURCES} resources, the host spelled ${SPELLINGS.length} ways, share one connection, one handshake and one shell`, async function () {
            const { file } = scratchCopy(realFile);
            const original = fs.readFileSync(file);
            const originalValues = explicitValues(file);
            const server = await startWsmanServer({ users: [USER], applicationHostPath: file });
            wsmanServers.push(server);
            const host = await freshHost();
            const outcome = await lifecycles([host], providerText, (index) => ({
                kind: "winrm", host: SPELLINGS[index % SPELLINGS.length], port: server.port, username: USER.username, password: PASSWORD, mode, timeoutSeconds: 120,
                ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}),
            }));
            const stats = server.stats;
            console.log(`      winrm ${mode}: ${outcome.succeeded}/${RESOURCES} lifecycles, ${stats.connections} connections, ${stats.ntlmHandshakes} NTLM handshakes, ${stats.shellsCreated} shells`);
            assert.deepStrictEqual(outcome.failures, []);
            assert.deepStrictEqual({ connections: stats.connections, handshakes: stats.ntlmHandshakes, shells: stats.shellsCreated }, { connections: 1, handshakes: 1, shells: 1 });
            assertRestored(mode, file, original, originalValues);
        });

        it(`over SSH, mode "${mode}": ${RESOURCES} resources, the host spelled ${SPELLINGS.length} ways, share one connection`, async function () {
            const problem = sshdUnavailable();
            if (problem !== undefined) {
                if (underCi) throw new Error(`CI=true but ${problem}`);
                this.skip();
            }
            const server = await ssh();
            const scratch = scratchCopy(realFile);
            const file = scratch.file;
            if (mode === "iis") {
                installMwaDouble(scratch.windir, pwsh);
                server.setWindir(scratch.windir);
            }
            const original = fs.readFileSync(file);
            const originalValues = explicitValues(file);
            const logins = () => (server.log().match(/Accepted publickey/g) ?? []).length;
            const loginsBefore = logins();
            const host = await freshHost();
            const outcome = await lifecycles([host], providerText, (index) => ({
                kind: "ssh", host: SPELLINGS[index % SPELLINGS.length], port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey,
                mode, timeoutSeconds: 120, ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}),
            }));
            const connections = logins() - loginsBefore;
            console.log(`      ssh ${mode}: ${outcome.succeeded}/${RESOURCES} lifecycles, ${connections} connections`);
            assert.deepStrictEqual(outcome.failures, []);
            assert.strictEqual(connections, 1, "one SSH connection for the server");
            assertRestored(mode, file, original, originalValues);
        });

        it(`over WinRM, mode "${mode}": two provider processes writing one file retry each other's conflicts and lose nothing`, async function () {
            const { file } = scratchCopy(realFile);
            const original = fs.readFileSync(file);
            const originalValues = explicitValues(file);
            const server = await startWsmanServer({ users: [USER], applicationHostPath: file });
            wsmanServers.push(server);
            const pair = [await freshHost(), await freshHost()];
            const outcome = await lifecycles(pair, providerText, (index) => ({
                kind: "winrm", host: SPELLINGS[index % SPELLINGS.length], port: server.port, username: USER.username, password: PASSWORD, mode, timeoutSeconds: 120,
                ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}),
            }));
            const stats = server.stats;
            console.log(`      winrm ${mode}, two processes: ${outcome.succeeded}/${RESOURCES} lifecycles, ${stats.connections} connections, ${stats.ntlmHandshakes} NTLM handshakes`);
            assert.deepStrictEqual(outcome.failures, []);
            assert.strictEqual(stats.ntlmHandshakes, 2, "one handshake per provider process");
            assertRestored(mode, file, original, originalValues);
        });

        it(`over SSH, mode "${mode}": two provider processes writing one file retry each other's conflicts and lose nothing`, async function () {
            const problem = sshdUnavailable();
            if (problem !== undefined) {
                if (underCi) throw new Error(`CI=true but ${problem}`);
                this.skip();
            }
            const server = await ssh();
            const scratch = scratchCopy(realFile);
            const file = scratch.file;
            if (mode === "iis") {
                installMwaDouble(scratch.windir, pwsh);
                server.setWindir(scratch.windir);
            }
            const original = fs.readFileSync(file);
            const originalValues = explicitValues(file);
            const logins = () => (server.log().match(/Accepted publickey/g) ?? []).length;
            const loginsBefore = logins();
            const pair = [await freshHost(), await freshHost()];
            const outcome = await lifecycles(pair, providerText, (index) => ({
                kind: "ssh", host: SPELLINGS[index % SPELLINGS.length], port: server.port, username: server.username, privateKey: server.privateKey, hostKey: server.hostKey,
                mode, timeoutSeconds: 120, ...(mode === "xml" ? { configPath: file, platform: "linux" } : {}),
            }));
            const connections = logins() - loginsBefore;
            console.log(`      ssh ${mode}, two processes: ${outcome.succeeded}/${RESOURCES} lifecycles, ${connections} connections`);
            assert.deepStrictEqual(outcome.failures, []);
            assert.strictEqual(connections, 2, "one SSH connection per provider process");
            assertRestored(mode, file, original, originalValues);
        });
    }
});
