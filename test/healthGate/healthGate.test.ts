/**
 * The health gate against a real local HTTP server that fails, recovers, hangs, or is not there:
 * what passes, what stops the rollout, and what the error says.
 */
import * as assert from "assert";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import { HealthGateInputs, passGate, RolloutStoppedError } from "../../provider/healthGate";
import { runHttpCheck } from "../../provider/healthGate/httpCheck";
import { closedPort } from "../support/network";
import { createTestPki, type TestPki } from "../carriers/winrm/testPki";

/** A server whose answer for each path is decided by `answer(path, count)` (count: requests to that path so far). */
async function healthServer(answer: (path: string, count: number) => number | "hang"): Promise<{ base: string; counts: Map<string, number>; close(): Promise<void> }> {
    const counts = new Map<string, number>();
    const server = http.createServer((request, response) => {
        const path = request.url ?? "/";
        const count = (counts.get(path) ?? 0) + 1;
        counts.set(path, count);
        const status = answer(path, count);
        if (status === "hang") return;
        response.statusCode = status;
        response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, counts, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const FAST = { expectStatus: 200, timeoutSeconds: 0.5, retries: 3, intervalSeconds: 0.05 };

function gate(servers: HealthGateInputs["servers"], overrides: Partial<HealthGateInputs> = {}): HealthGateInputs {
    return { fleet: "shop", batch: 2, batches: 4, servers, check: FAST, maxFailures: 0, failedBefore: [], pauseSeconds: 0, settings: { max: 1 }, ...overrides };
}

describe("the health gate, against a local HTTP server", function () {
    this.timeout(30_000);

    it("a server that fails twice and then recovers passes, on the third attempt", async function () {
        const server = await healthServer((_path, count) => (count <= 2 ? 503 : 200));
        try {
            const result = await runHttpCheck({ ...FAST, url: `${server.base}/health` });
            assert.deepStrictEqual(result, { ok: true, attempts: 3 });
            const state = await passGate(gate([{ name: "web01", url: `${server.base}/web01`, failures: [] }]));
            assert.deepStrictEqual(state.failed, []);
            assert.strictEqual(server.counts.get("/web01"), 3);
        } finally {
            await server.close();
        }
    });

    it("a server that keeps failing stops the rollout; the error names it, the status, the attempts, and that later batches did not start", async function () {
        const server = await healthServer((path) => (path === "/web02" ? 500 : 200));
        try {
            await assert.rejects(passGate(gate([
                { name: "web01", url: `${server.base}/web01`, failures: [] },
                { name: "web02", url: `${server.base}/web02`, failures: [] },
            ])), (error: Error) => {
                assert.ok(error instanceof RolloutStoppedError);
                assert.match(error.message, /^fleet "shop", batch 2 of 4: health check failed for 1 server; later batches were not started:\n/);
                assert.match(error.message, /\n  web02: GET http:\/\/127\.0\.0\.1:\d+\/web02 answered 500, expected 200 \(4 attempts\)$/);
                assert.doesNotMatch(error.message, /web01/);
                return true;
            });
            assert.strictEqual(server.counts.get("/web02"), 4, "one attempt and three retries");
        } finally {
            await server.close();
        }
    });

    it("a server that never answers times out per attempt; one that is not there is refused", async function () {
        const server = await healthServer(() => "hang");
        const port = await closedPort();
        try {
            const started = Date.now();
            await assert.rejects(passGate(gate([
                { name: "slow", url: `${server.base}/slow`, failures: [] },
                { name: "gone", url: `http://127.0.0.1:${port}/health`, failures: [] },
            ], { check: { ...FAST, timeoutSeconds: 0.3, retries: 1 } })), (error: Error) => {
                assert.match(error.message, /health check failed for 2 servers/);
                assert.match(error.message, /slow: GET .*\/slow timed out after 0\.3 s \(2 attempts\)/);
                assert.match(error.message, /gone: GET .* failed: connection refused \(2 attempts\)/);
                return true;
            });
            const elapsed = Date.now() - started;
            assert.ok(elapsed >= 600 && elapsed < 5000, `two attempts of 0.3 s each, checked at once, took ${elapsed} ms`);
        } finally {
            await server.close();
        }
    });

    it("counts failed servers over the whole rollout and stops past maxFailures, naming every one and why", async function () {
        const failedBefore = [{ name: "web01", reason: "Default Web Site/shop: EACCES" }];
        const within = await passGate(gate([{ name: "web05", failures: [] }], { check: undefined, maxFailures: 2, failedBefore }));
        assert.deepStrictEqual(within.failed, failedBefore);
        const atLimit = await passGate(gate([{ name: "web06", failures: ["server level: refused"] }], { check: undefined, maxFailures: 2, failedBefore }));
        assert.deepStrictEqual(atLimit.failed.map((f) => f.name), ["web01", "web06"]);
        await assert.rejects(passGate(gate([{ name: "web07", failures: ["server level: disk full"] }], { check: undefined, maxFailures: 1, failedBefore })), (error: Error) => {
            assert.match(error.message, /batch 2 of 4: 2 servers failed, more than maxFailures 1; later batches were not started:\n  web01: Default Web Site\/shop: EACCES\n  web07: server level: disk full$/);
            return true;
        });
    });

    it("pauses after a passed gate, except after the last batch", async function () {
        let started = Date.now();
        await passGate(gate([{ name: "web01", failures: [] }], { check: undefined, pauseSeconds: 0.3 }));
        assert.ok(Date.now() - started >= 290, "no pause after batch 2 of 4");
        started = Date.now();
        await passGate(gate([{ name: "web01", failures: [] }], { check: undefined, pauseSeconds: 5, batch: 4 }));
        assert.ok(Date.now() - started < 1000, "paused after the last batch");
    });

    it("a failed server is not health-checked (its apply failed; checking it says nothing new)", async function () {
        const server = await healthServer(() => 200);
        try {
            await passGate(gate([{ name: "web01", url: `${server.base}/web01`, failures: ["refused"] }, { name: "web02", url: `${server.base}/web02`, failures: [] }], { maxFailures: 1 }));
            assert.strictEqual(server.counts.get("/web01"), undefined);
            assert.strictEqual(server.counts.get("/web02"), 1);
        } finally {
            await server.close();
        }
    });
});

describe("the health gate over https, against a local server whose certificate an internal CA issued", function () {
    this.timeout(30_000);
    let pki: TestPki;
    let server: https.Server;
    let base: string;
    before(async function () {
        pki = createTestPki();
        server = https.createServer({ cert: pki.server.certificate, key: pki.server.key }, (_request, response) => {
            response.statusCode = 200;
            response.end("ok");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `https://localhost:${(server.address() as AddressInfo).port}`;
    });
    after(async function () {
        server?.closeAllConnections();
        await new Promise((resolve) => server?.close(resolve));
    });

    it("passes with the CA given as caCertificate; without it, says the system's CAs do not trust the server and what to pass", async function () {
        assert.deepStrictEqual(await runHttpCheck({ ...FAST, retries: 0, url: `${base}/health`, caCertificate: pki.caCertificate }), { ok: true, attempts: 1 });
        const untrusted = await runHttpCheck({ ...FAST, retries: 0, url: `${base}/health` });
        assert.ok(!untrusted.ok);
        assert.match(untrusted.reason, /^GET https:\/\/localhost:\d+\/health failed: the server's certificate is not trusted by the system's CAs \([A-Z_]+\); for an internal CA, pass its PEM as rollout\.healthCheck\.caCertificate \(1 attempt\)$/);
    });

    it("another CA is refused as not the issuer; a certificate for another name says so", async function () {
        const other = createTestPki();
        const wrongCa = await runHttpCheck({ ...FAST, retries: 0, url: `${base}/health`, caCertificate: other.caCertificate });
        assert.ok(!wrongCa.ok);
        assert.match(wrongCa.reason, /failed: the server's certificate was not issued by rollout\.healthCheck\.caCertificate \([A-Z_]+\)/);
        const wrongName = https.createServer({ cert: pki.wrongName.certificate, key: pki.wrongName.key }, (_request, response) => response.end("ok"));
        await new Promise<void>((resolve) => wrongName.listen(0, "127.0.0.1", resolve));
        try {
            const result = await runHttpCheck({ ...FAST, retries: 0, url: `https://localhost:${(wrongName.address() as AddressInfo).port}/health`, caCertificate: pki.caCertificate });
            assert.ok(!result.ok);
            assert.match(result.reason, /failed: the server's certificate is not for this host name \(.*localhost.*\)/);
        } finally {
            wrongName.closeAllConnections();
            await new Promise((resolve) => wrongName.close(resolve));
        }
    });

    it("the gate passes the CA through: a batch behind an internal CA passes", async function () {
        const state = await passGate(gate([{ name: "web01", url: `${base}/web01`, failures: [] }], { check: { ...FAST, caCertificate: pki.caCertificate } }));
        assert.deepStrictEqual(state.failed, []);
    });
});
