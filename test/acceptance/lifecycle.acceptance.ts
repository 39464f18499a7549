/**
 * The acceptance suite (`npm run acceptance`): the provider's whole life on one real target,
 * through Pulumi's real dynamic-provider host, every step checked by a witness that is not the
 * provider (serverState.ts). The target comes from environment variables (environment.ts): on
 * Windows the workflow names the runner's own IIS; here run.ts starts the stand-ins and runs this
 * file once per target.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { destroy, runProgram, type StackState } from "../../examples/engine/mockEngine";
import type { ProviderHost } from "../../examples/engine/providerHost";
import { startHost, URN } from "../support/hostFixture";
import { projectRoot } from "../support/paths";
import { findPwsh } from "../support/pwsh/locate";
import { readAcceptanceEnvironment, type AcceptanceEnvironment, type Mode } from "./environment";
import { ServerState, type Effective } from "./serverState";

const environment: AcceptanceEnvironment = readAcceptanceEnvironment();
const CALL_TIMEOUT_MS = 300_000;

/** The CLI's exit status and output. */
function drift(inventory: string): Promise<{ status: number; output: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [path.join(projectRoot, "dist", "cli", "main.js"), "drift", inventory], { timeout: CALL_TIMEOUT_MS, encoding: "utf8" }, (error, stdout, stderr) => {
            resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : -1, output: stdout + stderr });
        });
    });
}

for (const mode of environment.modes) {
    describe(`acceptance: ${environment.name}, mode ${mode}`, function () {
        this.timeout(20 * 60_000);
        const kind = environment.target.kind;
        const state = new ServerState(environment.configPath, environment.reader, environment.reader === "mwa" ? findPwsh() : undefined);
        const application = `${environment.site}/acceptance`;
        const target = { ...environment.target, ...(kind === "file" ? {} : { mode }) };
        let host: ProviderHost;
        let providerText: string;
        const inputs = (location: string, settings: Record<string, unknown>) => ({ __provider: providerText, target, location, onDelete: "restore", ...settings });

        before(async function () {
            ({ host, providerText } = await startHost({ callTimeoutMs: CALL_TIMEOUT_MS }));
        });

        after(async function () {
            await host?.stop();
        });

        describe(`a new resource at ${application}, which holds nothing of its own`, function () {
            let effectiveBefore: Effective;
            let id: string;
            let properties: Record<string, unknown>;
            let asked: Record<string, unknown>;

            it("create: the values the program asks for are what IIS applies", async function () {
                assert.deepEqual(state.explicitAt(application), {}, `${application} already holds session values: a run before this one did not finish; clear them first`);
                effectiveBefore = await state.effectiveAt(application);
                const checked = await host.check(URN, {}, inputs(application, { max: 1234, timeout: "00:12:00" }));
                assert.deepEqual(checked.failures, []);
                asked = checked.inputs;
                const created = await host.create(URN, asked);
                ({ id, properties } = created);
                const live = await state.effectiveAt(application);
                assert.deepEqual(live, { ...effectiveBefore, max: 1234, timeout: "00:12:00" });
                assert.deepEqual(state.explicitAt(application), { max: "1234", timeout: "00:12:00" });
                assert.deepEqual(properties.effective, live, "the provider's effective values are IIS's");
            });

            it("a hand edit is drift: diff wants it back, refresh reports it, update puts it back", async function () {
                state.handEdit(application, { max: "999" });
                const diff = await host.diff(id, URN, properties, asked);
                assert.equal(diff.changes, "some");
                const refreshed = await host.read(id, URN, properties);
                assert.equal(refreshed.properties.max, 999);
                const updated = await host.update(id, URN, refreshed.properties, asked);
                properties = updated.properties;
                assert.equal((await state.effectiveAt(application)).max, 1234);
                assert.equal((await host.diff(id, URN, properties, asked)).changes, "none");
            });

            it("update: a changed program changes the server", async function () {
                const next = (await host.check(URN, asked, inputs(application, { max: 2345, timeout: "00:12:00", keepSessionIdSecure: false }))).inputs;
                assert.equal((await host.diff(id, URN, properties, next)).changes, "some");
                properties = (await host.update(id, URN, properties, next)).properties;
                assert.deepEqual(await state.effectiveAt(application), { ...effectiveBefore, max: 2345, timeout: "00:12:00", keepSessionIdSecure: false });
            });

            it("delete: the location holds nothing of its own again", async function () {
                await host.delete(id, URN, properties);
                assert.deepEqual(state.explicitAt(application), {});
                assert.deepEqual(await state.effectiveAt(application), effectiveBefore);
            });
        });

        describe(`adopting ${environment.site}, which holds values set by hand`, function () {
            after(function () {
                state.handEdit(environment.site, {}, ["max", "timeout", "allowSessionState"]);
            });

            it("create takes over the location; delete gives back exactly what was there", async function () {
                state.handEdit(environment.site, { max: "77", timeout: "00:07:00" });
                const explicitBefore = state.explicitAt(environment.site);
                const effectiveBefore = await state.effectiveAt(environment.site);
                const checked = await host.check(URN, {}, inputs(environment.site, { max: 88, allowSessionState: false }));
                const created = await host.create(URN, checked.inputs);
                assert.deepEqual(await state.effectiveAt(environment.site), { ...effectiveBefore, max: 88, allowSessionState: false });
                assert.equal(state.explicitAt(environment.site).timeout, "00:07:00", "an attribute the program does not manage is left alone");
                await host.delete(created.id, URN, created.properties);
                assert.deepEqual(state.explicitAt(environment.site), explicitBefore);
                assert.deepEqual(await state.effectiveAt(environment.site), effectiveBefore);
            });
        });

        describe("a three-server fleet, rolled out in batches, then audited", function () {
            let folder: string;
            let inventory: string;
            const stack: StackState = {};
            /** Where each server's configuration is, for the witness: the one file, or a copy per server. */
            let witnesses: ServerState[];

            before(function () {
                folder = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-acceptance-"));
                fs.chmodSync(folder, 0o700);
                inventory = path.join(folder, "fleet.yaml");
                const servers = fleetServers(environment, mode, folder);
                witnesses = kind === "file" ? servers.map((server) => new ServerState(String(server.target.path), environment.reader, undefined)) : [state];
                fs.writeFileSync(inventory, stringify({
                    location: application,
                    settings: { timeout: "00:09:00", max: 1900 },
                    rollout: { canary: 1, batchSize: 1 },
                    servers,
                }), { mode: 0o600 });
            });

            after(async function () {
                await destroy(host, stack);
                fs.rmSync(folder, { recursive: true, force: true });
            });

            it("preview shows a create per server; up applies them; the audit finds the fleet in sync, then a hand edit as drift", async function () {
                const run = (runMode: "preview" | "up") => runProgram({
                    host, state: stack, mode: runMode, program: path.join(projectRoot, "dist", "examples", "fleet", "index.js"),
                    project: "iis-asp-session-acceptance", stack: `acceptance-${mode}`, config: { inventory },
                });
                const preview = (await run("preview")).filter((step) => step.type.endsWith("AspSessionSettings"));
                assert.deepEqual(preview.map((step) => step.kind), ["create", "create", "create"]);
                await run("up");
                for (const witness of witnesses) assert.deepEqual(witness.explicitAt(application), { max: "1900", timeout: "00:09:00" });
                if (kind !== "file") assert.equal((await state.effectiveAt(application)).max, 1900);

                const inSync = await drift(inventory);
                assert.equal(inSync.status, 0, `the audit of a fleet in sync: ${inSync.output}`);
                witnesses[witnesses.length - 1].handEdit(application, { max: "1901" });
                const drifted = await drift(inventory);
                assert.equal(drifted.status, 2, `the audit after a hand edit: ${drifted.output}`);
                assert.match(drifted.output, /1901/);
            });

            it("destroy leaves every server as it was", async function () {
                await destroy(host, stack);
                for (const witness of witnesses) assert.deepEqual(witness.explicitAt(application), {});
            });
        });
    });
}

/** The fleet's servers: the target under each host spelling, or three copies of the file. */
function fleetServers(env: AcceptanceEnvironment, mode: Mode, folder: string): Array<{ name: string; target: Record<string, unknown> }> {
    const { password: _password, privateKey, passphrase, ...declared } = env.target;
    if (declared.kind === "file") {
        return ["server1", "server2", "server3"].map((name) => {
            const copy = path.join(folder, `${name}.applicationHost.config`);
            fs.copyFileSync(env.configPath, copy);
            return { name, target: { kind: "file", path: copy } };
        });
    }
    const hosts = [0, 1, 2].map((index) => env.fleetHosts[index % env.fleetHosts.length]);
    // An inventory takes every secret from an environment variable (none for Kerberos's ticket
    // cache or the SSH agent): the key and its passphrase are put in this process's environment,
    // which the fleet program and the drift audit it starts both see.
    const secrets: Record<string, string> = {};
    if (_password !== undefined) secrets.passwordEnv = env.passwordVariable;
    for (const [field, value] of [["privateKey", privateKey], ["passphrase", passphrase]] as const) {
        if (value === undefined) continue;
        const variable = `ASP_SESSION_ACCEPTANCE_FLEET_${field.toUpperCase()}`;
        process.env[variable] = String(value);
        secrets[`${field}Env`] = variable;
    }
    return hosts.map((host, index) => ({ name: `server${index + 1}`, target: { ...declared, host, mode, ...secrets } }));
}
