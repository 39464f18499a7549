/**
 * AspSessionFleet as a program registers it, under pulumi.runtime.setMocks: batches, order,
 * names, and the options refused before anything is registered.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AspSessionFleet, FleetServer, memberName } from "../../sdk";
import { createTestPki } from "../carriers/winrm/testPki";
import { planBatches, resolveRollout } from "../../sdk/fleet/rollout";

const GATE = "pulumi-nodejs:dynamic/iis:FleetHealthGate";
const SETTINGS = "pulumi-nodejs:dynamic/iis:AspSessionSettings";

function servers(count: number, prefix = "web"): FleetServer[] {
    return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${String(i + 1).padStart(4, "0")}`, target: { kind: "file" as const, path: `/srv/${prefix}${i + 1}/applicationHost.config` } }));
}

async function settled(fleet: AspSessionFleet): Promise<void> {
    await new Promise((resolve) => fleet.report.apply(resolve));
    await Promise.all(fleet.gates.map((gate) => new Promise((resolve) => gate.urn.apply(resolve))));
}

describe("AspSessionFleet under mocks", function () {
    let registered: pulumi.runtime.MockResourceArgs[] = [];
    // Each test is a program run of its own (resources of one run may not manage the same settings).
    beforeEach(async function () {
        await pulumi.runtime.setMocks({
            newResource(args) {
                registered.push(args);
                if (args.type === GATE) return { id: `${args.name}-id`, state: { ...args.inputs, failed: [] } };
                if (args.type !== SETTINGS) return { id: `${args.name}-id`, state: args.inputs };
                // As the provider answers: a recorded failure claims no values; a success reports before and after.
                const failing = args.name.startsWith("report-web0002");
                return {
                    id: `${args.name}-id`,
                    state: failing
                        ? { ...args.inputs, max: undefined, previous: {}, effective: null, applyFailure: "web0002: EACCES" }
                        : { ...args.inputs, previous: { max: null }, effective: { allowSessionState: true, keepSessionIdSecure: true, max: args.inputs.max, timeout: "00:20:00" }, applyFailure: null },
                };
            },
            call(args) {
                return args.inputs;
            },
        }, "project", "stack", false);
    });
    beforeEach(function () {
        registered = [];
    });

    for (const [count, expected] of [[1, [1]], [7, [1, 2, 2, 2]], [1000, [1, 250, 250, 250, 249]]] as const) {
        it(`${count} server${count === 1 ? "" : "s"}: batches of ${JSON.stringify(expected)}, each gated before the next registers`, async function () {
            // Every resource carries the serialised provider text; a thousand of them take a while under mocks.
            this.timeout(300_000);
            const fleet = new AspSessionFleet(`f${count}`, { servers: servers(count), location: "Default Web Site/shop", settings: { timeout: "00:10:00" }, rollout: { canary: 1, batchSize: "25%" } });
            await settled(fleet);
            assert.deepStrictEqual(fleet.batches.map((b) => b.length), expected);
            // Registration order is the dependency order: members of batch N, gate N, members of batch N+1, ...
            const mine = registered.filter((r) => r.name.startsWith(`f${count}-`));
            let position = 0;
            fleet.batches.forEach((batch, index) => {
                const members = mine.slice(position, position + batch.length);
                assert.deepStrictEqual(members.map((r) => r.type), batch.map(() => SETTINGS));
                assert.deepStrictEqual(new Set(members.map((r) => r.name)), new Set(batch.map((server) => memberName(`f${count}`, server, "Default Web Site/shop"))));
                const gate = mine[position + batch.length];
                assert.strictEqual(gate.type, GATE);
                assert.strictEqual(gate.name, `f${count}-gate-${index + 1}`);
                assert.deepStrictEqual(gate.inputs.servers.map((s: { name: string }) => s.name), batch);
                position += batch.length + 1;
            });
            assert.strictEqual(position, mine.length);
            assert.deepStrictEqual(fleet.batches.flat(), servers(count).map((s) => s.name), "servers keep the order given");
        });
    }

    it("counts and percentages: a count is a batch size; a percentage is of the servers after the canary, rounded up", function () {
        const names = Array.from({ length: 10 }, (_, i) => i);
        const plan = (batchSize: number | string, canary = 1) => {
            const resolved = resolveRollout({ batchSize, canary }, names.length);
            assert.ok(resolved.ok);
            return planBatches(names, resolved.rollout).map((b) => b.length);
        };
        assert.deepStrictEqual(plan(3), [1, 3, 3, 3]);
        assert.deepStrictEqual(plan("3"), [1, 3, 3, 3]);
        assert.deepStrictEqual(plan(4), [1, 4, 4, 1]);
        assert.deepStrictEqual(plan("50%"), [1, 5, 4]);
        assert.deepStrictEqual(plan("100%"), [1, 9]);
        assert.deepStrictEqual(plan("1%"), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert.deepStrictEqual(plan("25%", 0), [3, 3, 3, 1]);
        assert.deepStrictEqual(plan(4, 3), [3, 4, 3]);
        assert.deepStrictEqual(plan(20, 10), [10]);
    });

    it("property: for any size, canary and batch size, batches cover every server once, in order, none empty, none over the size", function () {
        for (let n = 1; n <= 60; n++) {
            const names = Array.from({ length: n }, (_, i) => i);
            for (const canary of [0, 1, Math.min(3, n), n]) {
                for (const batchSize of [1, 2, 7, "10%", "33%", "100%", "0.5%"]) {
                    const resolved = resolveRollout({ batchSize, canary }, n);
                    assert.ok(resolved.ok, JSON.stringify({ n, canary, batchSize }));
                    const batches = planBatches(names, resolved.rollout);
                    assert.deepStrictEqual(batches.flat(), names);
                    assert.ok(batches.every((b) => b.length > 0));
                    if (canary > 0) assert.strictEqual(batches[0].length, canary);
                    const limit = typeof batchSize === "number" ? batchSize : Math.ceil(((n - canary) * parseFloat(batchSize)) / 100);
                    assert.ok(batches.slice(canary > 0 ? 1 : 0).every((b) => b.length <= Math.max(1, limit)), JSON.stringify({ n, canary, batchSize, batches: batches.map((b) => b.length) }));
                }
            }
        }
    });

    it("names come from server names: reordering or adding servers keeps every existing resource's name", async function () {
        const first = new AspSessionFleet("stable", { servers: servers(7), locations: ["", "Default Web Site/Shop"], settings: { max: 10 } });
        await settled(first);
        const before = new Set(Object.keys(first.members));
        const reordered = [...servers(7)].reverse().concat(servers(2, "new"));
        const second = new AspSessionFleet("stable", { servers: reordered, locations: ["", "Default Web Site/Shop"], settings: { max: 10 } }, { aliases: [] });
        await settled(second);
        const after = new Set(Object.keys(second.members));
        for (const name of before) assert.ok(after.has(name), `${name} was renamed`);
        assert.strictEqual(after.size, before.size + 4);
        assert.ok(before.has("stable-web0001") && before.has("stable-web0001/default web site/shop"));
        // Each resource's target is its own server's, whatever its position.
        const registeredTarget = (name: string) => registered.filter((r) => r.name === name).map((r) => r.inputs.target.path);
        assert.deepStrictEqual(new Set(registeredTarget("stable-web0003")), new Set(["/srv/web3/applicationHost.config"]));
    });

    it("with maxFailures > 0 the members record failures instead of failing; with 0 they fail", async function () {
        const tolerant = new AspSessionFleet("tolerant", { servers: servers(3), settings: { max: 10 }, rollout: { maxFailures: 1 } });
        // Other files: one program may not manage the same settings from two fleets.
        const strict = new AspSessionFleet("strict", { servers: servers(3).map((server) => ({ ...server, target: { kind: "file" as const, path: `/srv/strict/${server.name}/applicationHost.config` } })), settings: { max: 10 } });
        await settled(tolerant);
        await settled(strict);
        assert.ok(registered.filter((r) => r.name.startsWith("tolerant-web")).every((r) => r.inputs.onApplyFailure === "record"));
        assert.ok(registered.filter((r) => r.name.startsWith("strict-web")).every((r) => r.inputs.onApplyFailure === undefined));
    });

    it("the report: per server and location, its batch, applied or failed (with why), before and after", async function () {
        const fleet = new AspSessionFleet("report", { servers: servers(3), locations: ["", "Site"], settings: { max: 7 }, rollout: { maxFailures: 2, batchSize: 1 } });
        const report = await new Promise<unknown[]>((resolve) => fleet.report.apply(resolve));
        const after = { allowSessionState: true, keepSessionIdSecure: true, max: 7, timeout: "00:20:00" };
        assert.deepStrictEqual(report, [
            { server: "web0001", location: "", batch: 1, status: "applied", before: { max: null }, after },
            { server: "web0001", location: "Site", batch: 1, status: "applied", before: { max: null }, after },
            { server: "web0002", location: "", batch: 2, status: "failed", before: {}, after: null, error: "web0002: EACCES" },
            { server: "web0002", location: "Site", batch: 2, status: "failed", before: {}, after: null, error: "web0002: EACCES" },
            { server: "web0003", location: "", batch: 3, status: "applied", before: { max: null }, after },
            { server: "web0003", location: "Site", batch: 3, status: "applied", before: { max: null }, after },
        ]);
        const gate = registered.find((r) => r.name === "report-gate-2");
        assert.deepStrictEqual(gate?.inputs.servers, [{ name: "web0002", failures: ["server level: web0002: EACCES", "Site: web0002: EACCES"] }]);
    });

    it("health-check URLs fill {host} from the target (localhost for a file) and {name} from the server", async function () {
        const fleet = new AspSessionFleet("urls", {
            servers: [
                { name: "web01", target: { kind: "winrm", host: "web01.corp.example", username: "u", password: pulumi.secret("p") } },
                { name: "local", target: { kind: "file", path: "/srv/a.config" } },
                { name: "web02", target: { kind: "ssh", host: "web02.corp.example", username: "u", password: pulumi.secret("p"), hostKey: "SHA256:" + "A".repeat(43) } },
            ],
            settings: { timeout: 10 },
            rollout: { canary: 0, batchSize: "100%", healthCheck: { url: "https://{host}/health?server={name}" } },
        });
        await settled(fleet);
        const gate = registered.find((r) => r.name === "urls-gate-1");
        assert.ok(gate);
        assert.deepStrictEqual(gate.inputs.servers.map((s: { url: string }) => s.url), ["https://web01.corp.example/health?server=web01", "https://localhost/health?server=local", "https://web02.corp.example/health?server=web02"]);
        assert.deepStrictEqual(gate.inputs.check, { expectStatus: 200, timeoutSeconds: 10, retries: 3, intervalSeconds: 5 });
        assert.ok(!JSON.stringify(gate.inputs).includes("\"p\""), "no password in the gate's inputs");
    });

    describe("refuses invalid options before registering anything, naming the field", function () {
        const cases: Array<[string, () => void, RegExp]> = [
            ["batchSize 0", () => new AspSessionFleet("bad", { servers: servers(3), settings: { max: 1 }, rollout: { batchSize: 0 } }), /rollout\.batchSize: must be a whole number of servers \(1 or more\) or a percentage/],
            ["batchSize over 100%", () => new AspSessionFleet("bad", { servers: servers(3), settings: { max: 1 }, rollout: { batchSize: "150%" } }), /rollout\.batchSize: .*got "150%"/],
            ["a canary larger than the fleet", () => new AspSessionFleet("bad", { servers: servers(3), settings: { max: 1 }, rollout: { canary: 4 } }), /rollout\.canary: is 4 but the fleet has 3 servers/],
            ["duplicate server names", () => new AspSessionFleet("bad", { servers: [...servers(2), { name: "WEB0001", target: { kind: "file", path: "/x" } }], settings: { max: 1 } }), /servers\[2\]\.name: "WEB0001" is also the name of servers\[0\]/],
            ["an unknown placeholder", () => new AspSessionFleet("bad", { servers: servers(2), settings: { max: 1 }, rollout: { healthCheck: { url: "https://{hostname}/health" } } }), /rollout\.healthCheck\.url: has the unknown placeholder "\{hostname\}" \(placeholders: \{host\}, \{name\}\)/],
            ["a health-check CA that is not a certificate", () => new AspSessionFleet("bad", { servers: servers(2), settings: { max: 1 }, rollout: { healthCheck: { url: "https://{host}/health", caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" } } }), /rollout\.healthCheck\.caCertificate: must be the PEM of the CA certificate\(s\) that issued the servers' certificates: certificate 1 of 1 cannot be read/],
            ["a health-check CA for an http URL", () => new AspSessionFleet("bad", { servers: servers(2), settings: { max: 1 }, rollout: { healthCheck: { url: "http://{host}/health", caCertificate: createTestPki().caCertificate } } }), /rollout\.healthCheck\.caCertificate: only applies to https URLs/],
            ["an invalid setting", () => new AspSessionFleet("bad", { servers: servers(2), settings: { timeout: "10" } }), /settings\.timeout: timeout "10" is ambiguous/],
            ["an invalid target", () => new AspSessionFleet("bad", { servers: [{ name: "a", target: { kind: "winrm", host: "h" } as never }], settings: { max: 1 } }), /servers\[0\]\.target\.username: target\.username is required/],
            ["two servers on one file", () => new AspSessionFleet("bad", { servers: [{ name: "a", target: { kind: "file", path: "/x" } }, { name: "b", target: { kind: "file", path: "/x" } }], settings: { max: 1 } }), /servers\[1\]\.target: is the same server and file as servers\[0\]/],
            ["a location twice", () => new AspSessionFleet("bad", { servers: servers(1), locations: ["Site/App", "site/app/"], settings: { max: 1 } }), /locations\[1\]: "site\/app" is the same location as locations\[0\]/],
        ];
        for (const [what, build, message] of cases) {
            it(what, function () {
                const before = registered.length;
                assert.throws(build, (error: Error) => {
                    assert.match(error.message, /AspSessionFleet "bad": nothing was changed/);
                    assert.match(error.message, message);
                    return true;
                });
                assert.strictEqual(registered.length, before, "something was registered");
            });
        }
    });
});
