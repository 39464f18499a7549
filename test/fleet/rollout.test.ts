/**
 * Fleet rollouts end to end: examples/fleet run as a Pulumi program through Pulumi's real
 * dynamic-provider host, with the engine stand-in ordering steps by their dependencies and
 * stopping after a failure as the Pulumi engine does. Twenty servers as local files, a real HTTP
 * server for the health checks, and a server made to fail its apply.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { DeploymentFailedError, runProgram, StackState, Step } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { BACKUP_SUFFIX } from "../../provider/stores/local/localConfigFile";
import { startHost } from "../support/hostFixture";
import { projectRoot } from "../support/paths";
import { fleetFolder, SHOP, snapshot } from "./fleetFiles";

const PROGRAM = path.join(projectRoot, "dist", "examples", "fleet", "index.js");
const NAMES = Array.from({ length: 20 }, (_, i) => `web${String(i + 1).padStart(2, "0")}`);
/** canary 1, then 25% of 19 (5): [web01], [web02..06], [web07..11], [web12..16], [web17..20]. */
const BATCHES = [NAMES.slice(0, 1), NAMES.slice(1, 6), NAMES.slice(6, 11), NAMES.slice(11, 16), NAMES.slice(16)];
const batchOf = (name: string) => BATCHES.findIndex((batch) => batch.includes(name)) + 1;
const member = (name: string) => `shop-${name}/${SHOP.toLowerCase()}`;

interface Fleet {
    dir: string;
    files: Record<string, string>;
    state: StackState;
    run(mode: "preview" | "up"): Promise<Step[]>;
    /** Makes the server's next write fail: its backup name is taken by a non-empty folder. */
    breakServer(name: string): void;
    fixServer(name: string): void;
}

function kinds(steps: Step[]): Record<string, string> {
    return Object.fromEntries(steps.map((s) => [s.name, s.kind]));
}

function shopSession(file: string) {
    return readSession(parseApplicationHost(fs.readFileSync(file), file), SHOP, file).explicit;
}

describe("AspSessionFleet end to end through the real provider host", function () {
    this.timeout(180_000);
    let host: ProviderHost;
    let health: http.Server;
    let healthBase: string;
    const unhealthy = new Set<string>();
    before(async function () {
        ({ host } = await startHost());
        health = http.createServer((request, response) => {
            response.statusCode = unhealthy.has((request.url ?? "").slice(1)) ? 503 : 200;
            response.end();
        });
        await new Promise<void>((resolve) => health.listen(0, "127.0.0.1", resolve));
        healthBase = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
    });
    after(async function () {
        await host?.stop();
        health?.closeAllConnections();
        await new Promise((resolve) => health?.close(resolve));
    });
    afterEach(function () {
        unhealthy.clear();
    });

    function fleet(rollout: Record<string, unknown>): Fleet {
        const { dir, files } = fleetFolder(Object.fromEntries(NAMES.map((name) => [name, undefined])));
        const inventory = [`location: ${SHOP}`, `settings: { timeout: "00:10:00", max: 2000 }`, "servers:",
            ...NAMES.flatMap((name) => [`  - name: ${name}`, `    target: { kind: file, path: ./${path.relative(dir, files[name])} }`])].join("\n") + "\n";
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventory);
        const state: StackState = {};
        const config = {
            inventory: path.join(dir, "fleet.yaml"),
            rollout: JSON.stringify({ canary: 1, batchSize: "25%", healthCheck: { url: `${healthBase}/{name}`, timeoutSeconds: 2, retries: 1, intervalSeconds: 0.05 }, ...rollout }),
        };
        return {
            dir, files, state,
            run: (mode) => runProgram({ host, state, mode, program: PROGRAM, project: "iis-asp-session-fleet", stack: "test", config }),
            breakServer: (name) => {
                fs.rmSync(files[name] + BACKUP_SUFFIX, { force: true });
                fs.mkdirSync(files[name] + BACKUP_SUFFIX);
                fs.writeFileSync(path.join(files[name] + BACKUP_SUFFIX, "occupied"), "");
            },
            fixServer: (name) => fs.rmSync(files[name] + BACKUP_SUFFIX, { recursive: true }),
        };
    }

    async function failedUp(subject: Fleet): Promise<DeploymentFailedError> {
        try {
            await subject.run("up");
        } catch (error) {
            if (error instanceof DeploymentFailedError) return error;
            throw error;
        }
        return assert.fail("the rollout should have failed");
    }

    it("maxFailures 0: a failed server stops the rollout, later batches stay byte-identical; the fix resumes it", async function () {
        const subject = fleet({ maxFailures: 0 });
        const preview = kinds(await subject.run("preview"));
        for (const name of NAMES) assert.strictEqual(preview[member(name)], "create", `preview of ${name}`);
        subject.breakServer("web04");
        const untouched = snapshot(subject.dir);

        const failure = await failedUp(subject);
        assert.match(failure.message, new RegExp(`${subject.files.web04.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "the error names the failed server's file");
        const steps = kinds(failure.steps);
        assert.strictEqual(steps["shop-gate-1"], "create");
        assert.strictEqual(steps["shop-gate-2"], "skipped");
        for (const name of NAMES) {
            const file = subject.files[name];
            if (batchOf(name) >= 3 || name === "web04") {
                assert.ok(fs.readFileSync(file).equals(untouched.get(file) as Buffer), `${name} (batch ${batchOf(name)}) was written`);
                assert.strictEqual(subject.state[member(name)], undefined, `${name} is in the state`);
                if (name !== "web04") assert.strictEqual(steps[member(name)], "skipped", `${name} was started`);
            } else {
                assert.deepStrictEqual(shopSession(file), { max: 2000, timeout: "00:10:00" }, `${name} (batch ${batchOf(name)})`);
            }
        }
        assert.strictEqual(subject.state["shop-gate-2"], undefined);

        // The next preview shows exactly what is left: the failed server and the later batches.
        const pending = kinds(await subject.run("preview"));
        for (const name of NAMES) assert.strictEqual(pending[member(name)], batchOf(name) >= 3 || name === "web04" ? "create" : "same", `preview of ${name}`);

        subject.fixServer("web04");
        const resumed = kinds(await subject.run("up"));
        for (const name of NAMES) {
            assert.strictEqual(resumed[member(name)], batchOf(name) >= 3 || name === "web04" ? "create" : "same", `resume of ${name}`);
            assert.deepStrictEqual(shopSession(subject.files[name]), { max: 2000, timeout: "00:10:00" });
        }
        assert.strictEqual(resumed["shop-gate-1"], "same", "a gate whose batch did not change does not run again");
        assert.strictEqual(resumed["shop-gate-2"], "create");
        const last = kinds(await subject.run("preview"));
        assert.deepStrictEqual(Object.entries(last).filter(([, kind]) => kind !== "same"), [], "nothing left to do");
    });

    it("maxFailures 1: one failed server is recorded, not claimed as applied, and proposed again; a second stops the rollout", async function () {
        const subject = fleet({ maxFailures: 1 });
        subject.breakServer("web04");
        await subject.run("up");
        const web04 = subject.state[member("web04")];
        assert.match(String(web04.outputs.applyFailure), /web04/);
        assert.strictEqual(web04.outputs.timeout, undefined, "the failed server's state claims the timeout was applied");
        assert.strictEqual(web04.outputs.max, undefined);
        for (const name of NAMES) {
            assert.deepStrictEqual(shopSession(subject.files[name]), name === "web04" ? {} : { max: 2000, timeout: "00:10:00" }, name);
        }
        assert.deepStrictEqual(subject.state["shop-gate-5"].outputs.failed, [{ name: "web04", reason: `${SHOP}: ${web04.outputs.applyFailure}` }]);
        const preview = kinds(await subject.run("preview"));
        for (const name of NAMES) assert.strictEqual(preview[member(name)], name === "web04" ? "update" : "same", `preview of ${name}`);

        // A second failure, in batch 3, is one more than tolerated: batches 4 and 5 never start.
        subject.breakServer("web09");
        fs.writeFileSync(path.join(subject.dir, "fleet.yaml"), fs.readFileSync(path.join(subject.dir, "fleet.yaml"), "utf8").replace("max: 2000", "max: 3000"));
        const untouched = snapshot(subject.dir);
        const failure = await failedUp(subject);
        assert.match(failure.message, /fleet "shop", batch 3 of 5: 2 servers failed, more than maxFailures 1; later batches were not started:\n  web04: .*\n  web09: /);
        for (const name of NAMES) {
            const file = subject.files[name];
            if (batchOf(name) >= 4) assert.ok(fs.readFileSync(file).equals(untouched.get(file) as Buffer), `${name} (batch ${batchOf(name)}) was written`);
            else if (name !== "web04" && name !== "web09") assert.strictEqual(shopSession(file).max, 3000, name);
        }

        subject.fixServer("web04");
        subject.fixServer("web09");
        await subject.run("up");
        for (const name of NAMES) assert.deepStrictEqual(shopSession(subject.files[name]), { max: 3000, timeout: "00:10:00" }, name);
        assert.ok(NAMES.every((name) => subject.state[member(name)].outputs.applyFailure === null));
        assert.deepStrictEqual(subject.state["shop-gate-5"].outputs.failed, []);
    });

    it("a failing health gate stops the rollout after its batch; once the server recovers, the resumed rollout checks that batch again", async function () {
        const subject = fleet({});
        unhealthy.add("web03");
        const untouched = snapshot(subject.dir);
        const failure = await failedUp(subject);
        assert.match(failure.message, /fleet "shop", batch 2 of 5: health check failed for 1 server; later batches were not started:\n  web03: GET http:\/\/127\.0\.0\.1:\d+\/web03 answered 503, expected 200 \(2 attempts\)/);
        for (const name of NAMES) {
            const file = subject.files[name];
            if (batchOf(name) >= 3) assert.ok(fs.readFileSync(file).equals(untouched.get(file) as Buffer), `${name} was written`);
            else assert.deepStrictEqual(shopSession(file), { max: 2000, timeout: "00:10:00" }, name);
        }
        unhealthy.clear();
        const resumed = kinds(await subject.run("up"));
        assert.strictEqual(resumed["shop-gate-2"], "create");
        assert.strictEqual(resumed[member("web03")], "same");
        for (const name of NAMES) assert.deepStrictEqual(shopSession(subject.files[name]), { max: 2000, timeout: "00:10:00" }, name);
    });
});
