import * as assert from "assert";
import { execFile } from "child_process";
import { join } from "path";
import { connectionIdentity } from "../../../provider/targets/declaration";
import { winrmRunner } from "../../../provider/open";
import { WINRM_KIND, type WinrmTarget } from "../../../provider/targets/winrm";
import type { CommandOutput, CommandRunner } from "../../../provider/carriers/commandRunner";
import { acquireRunner, closePooledRunners, poolKey } from "../../../provider/carriers/pool";
import { WinrmError } from "../../../provider/carriers/winrm";
import { MiniWinrmServer } from "./miniServer";

/** The process-wide pool of runners (provider/carriers/pool.ts), with WinRM runners. */

function acquireWinrmRunner(fields: Omit<WinrmTarget, "kind">) {
    return winrmRunner({ kind: "winrm", ...fields });
}

const PASSWORD = "Pool-Passw0rd";
const ACCOUNT = { username: "deploy", password: PASSWORD };
const COMMAND = { command: "cmd.exe", arguments: ["/c", "ver"] };

/** A runner whose commands end when the test says so. */
class FakeRunner implements CommandRunner {
    readonly host = "web01";
    closed = false;
    private pending: Array<() => void> = [];

    run(): Promise<CommandOutput> {
        return new Promise((resolve) => this.pending.push(() => resolve({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 })));
    }

    finish(): void {
        for (const done of this.pending.splice(0)) done();
    }

    async close(): Promise<void> {
        this.closed = true;
    }
}

describe("connection pool (carriers/pool.ts)", function () {
    let server: MiniWinrmServer;

    beforeEach(async function () {
        server = await MiniWinrmServer.start({ auth: "ntlm", account: ACCOUNT });
    });

    afterEach(async function () {
        await closePooledRunners();
        await server.stop();
    });

    it("shares one connection and one shell between operations on the same host", async function () {
        const options = { ...server.address, username: ACCOUNT.username, password: PASSWORD };
        const first = acquireWinrmRunner(options);
        await first.run(COMMAND);
        await first.close();
        const second = acquireWinrmRunner({ ...options });
        await second.run(COMMAND);
        assert.strictEqual(server.requests("handshake-negotiate").length, 1, "one handshake");
        assert.strictEqual(server.requests("Create").length, 1, "one shell");
        assert.strictEqual(server.connections, 1);
        assert.strictEqual(second.host, `127.0.0.1:${server.address.port}`);
    });

    it("keys by kind, host and port plus a keyed hash of every connection field, never the password", function () {
        const target: WinrmTarget = { kind: "winrm", host: "Web01", username: "CORP\\Deploy", password: PASSWORD };
        const key = (changes: Partial<WinrmTarget>) => poolKey("winrm", connectionIdentity(WINRM_KIND, { ...target, ...changes }));
        const { key: base, endpoint } = key({});
        assert.strictEqual(endpoint, JSON.stringify(["winrm", "web01", null]));
        assert.ok(base.startsWith(endpoint));
        assert.ok(!base.includes(PASSWORD));
        assert.strictEqual(key({}).key, base);
        // Every spelling of the server's name is one connection.
        assert.strictEqual(key({ host: "WEB01" }).key, base);
        assert.strictEqual(key({ host: "wEb01" }).key, base);
        assert.notStrictEqual(key({ host: "web02" }).key, base);
        assert.notStrictEqual(key({ password: "changed" }).key, base);
        assert.notStrictEqual(key({ username: "other" }).key, base);
        assert.notStrictEqual(key({ port: 5986, https: true }).key, base);
        // Not connection fields: the same connection serves both modes and any deadline.
        assert.strictEqual(key({ mode: "xml", timeoutSeconds: 5 }).key, base);
    });

    it("replaces the runner when the password changes, closing the old one (its shell is deleted)", async function () {
        const options = { ...server.address, username: ACCOUNT.username, password: PASSWORD };
        await acquireWinrmRunner(options).run(COMMAND);
        const changed = acquireWinrmRunner({ ...options, password: "old-one-was-rotated" });
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.strictEqual(server.requests("Delete").length, 1, "the old runner's shell was deleted");
        await assert.rejects(changed.run(COMMAND), (error: Error) => error instanceof WinrmError && error.problem === "authentication" && !error.message.includes(PASSWORD));
    });

    it("shares one runner between every spelling of the host's name", async function () {
        const options = { ...server.address, username: ACCOUNT.username, password: PASSWORD };
        await Promise.all(["localhost", "LOCALHOST", "LocalHost"].map((host) => acquireWinrmRunner({ ...options, host }).run(COMMAND)));
        assert.strictEqual(server.connections, 1);
        assert.strictEqual(server.requests("handshake-negotiate").length, 1, "one handshake");
        assert.strictEqual(server.requests("Create").length, 1, "one shell");
    });

    it("closes a replaced runner only when its running commands have ended, and a handle on it runs again on a new one", async function () {
        const made: FakeRunner[] = [];
        const acquire = (password: string) => acquireRunner("fake", { host: "web01", password }, () => {
            made.push(new FakeRunner());
            return made[made.length - 1];
        });
        const old = acquire("old");
        const running = old.run(COMMAND);
        acquire("rotated");
        assert.strictEqual(made.length, 2);
        assert.strictEqual(made[0].closed, false, "closed under a running command");
        made[0].finish();
        await running;
        assert.strictEqual(made[0].closed, true, "not closed once its command ended");
        // The old handle's settings come back: a new runner, and the idle "rotated" one is closed at once.
        const again = old.run(COMMAND);
        assert.strictEqual(made.length, 3);
        assert.strictEqual(made[1].closed, true, "the idle replaced runner was left open");
        made[2].finish();
        await again;
        await closePooledRunners();
        assert.deepStrictEqual(made.map((runner) => runner.closed), [true, true, true], "the pool held only the current runner");
    });

    it("a released handle refuses to run; the pooled runner stays for the next acquire", async function () {
        const options = { ...server.address, username: ACCOUNT.username, password: PASSWORD };
        const handle = acquireWinrmRunner(options);
        await handle.close();
        await assert.rejects(handle.run(COMMAND), /was released/);
        await acquireWinrmRunner(options).run(COMMAND);
        assert.strictEqual(server.connections, 1);
        assert.strictEqual(server.requests("Create").length, 1, "the pooled runner's shell served the next acquire");
    });

    it("closePooledRunners deletes every shell and empties the pool", async function () {
        await acquireWinrmRunner({ ...server.address, username: ACCOUNT.username, password: PASSWORD }).run(COMMAND);
        await closePooledRunners();
        assert.strictEqual(server.shells.size, 0);
        assert.strictEqual(server.requests("Delete").length, 1);
    });

    it("closes pooled runners before the process exits, and idle connections do not keep it alive", async function () {
        const child = join(__dirname, "poolExitChild.js");
        const stdout = await new Promise<string>((resolve, reject) => {
            execFile(process.execPath, [child], { timeout: 20_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
        });
        assert.deepStrictEqual(JSON.parse(stdout.trim()), { deletes: 1, signals: 1, shells: 0 });
    });
});
