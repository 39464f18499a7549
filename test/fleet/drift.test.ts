/**
 * `iis-asp-session drift` run as users run it (the compiled bin in a child process) against 20
 * local files and WS-Management test servers, one of them unreachable: the table, the JSON, the
 * exit status, and that nothing anywhere was written.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { auditExitCode, auditFleet } from "../../cli/drift/audit";
import { loadInventory } from "../../sdk";
import { closedPort } from "../support/network";
import { projectRoot } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { startWsmanServer, WsmanServer } from "../support/wsman";
import { fleetFolder, SHOP, ShopSession, snapshot } from "./fleetFiles";

const BIN = path.join(projectRoot, "dist", "cli", "main.js");
const USER = { username: "CORP\\deploy", password: "Drift-Audit-Passw0rd" };

function runDrift(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, "drift", ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
        });
    });
}

/** Twenty file servers: most in sync (in several spellings), a few drifted in different ways. */
function twentyServers(): Record<string, ShopSession> {
    const servers: Record<string, ShopSession> = {};
    for (let i = 1; i <= 20; i++) servers[`web${String(i).padStart(2, "0")}`] = { timeout: "00:10:00", max: "2000" };
    servers.web02 = { timeout: "0:10", max: "2000" };                                  // same duration, other spelling
    servers.web03 = { allowSessionState: "false", timeout: "00:10:00", max: "2000" };  // an unmanaged attribute: ignored
    servers.web07 = { timeout: "00:10:00", max: "500" };                               // drift: max
    servers.web11 = { max: "2000" };                                                   // drift: timeout only inherited
    servers.web19 = undefined;                                                         // drift: nothing set at the shop
    return servers;
}

function inventoryYaml(files: Record<string, string>, dir: string, extra = ""): string {
    const lines = [`location: ${SHOP}`, `settings: { timeout: "00:10:00", max: 2000 }`, "servers:"];
    for (const [name, file] of Object.entries(files)) lines.push(`  - name: ${name}`, `    target: { kind: file, path: ./${path.relative(dir, file)} }`);
    return lines.join("\n") + "\n" + extra;
}

describe("iis-asp-session drift", function () {
    this.timeout(180_000);
    const servers: WsmanServer[] = [];
    after(async function () {
        await Promise.all(servers.map((server) => server.close()));
    });

    it("20 local files: a table of in sync and drift, exit 2, and not a byte written", async function () {
        const { dir, files } = fleetFolder(twentyServers());
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir));
        const before = snapshot(dir);
        const result = await runDrift([path.join(dir, "fleet.yaml")]);
        assert.strictEqual(result.code, 2, result.stderr);
        const rows = result.stdout.trim().split("\n");
        assert.match(rows[0], /^SERVER\s+LOCATION\s+STATUS\s+DETAIL$/);
        const row = (name: string) => rows.find((line) => line.startsWith(`${name} `)) ?? "";
        assert.match(row("web01"), /in-sync$/);
        assert.match(row("web02"), /in-sync$/);
        assert.match(row("web03"), /in-sync$/);
        assert.match(row("web07"), /drift\s+max: live 500, desired 2000$/);
        assert.match(row("web11"), /drift\s+timeout: live \(not set\), desired "00:10:00"$/);
        assert.match(row("web19"), /drift\s+max: live \(not set\), desired 2000; timeout: live \(not set\), desired "00:10:00"$/);
        assert.match(rows[rows.length - 1], /^20 checked: 17 in sync, 3 drift, 0 error$/);
        assert.deepStrictEqual(snapshot(dir), before, "the audit changed or created a file");
    });

    it("in-process: bounded concurrency, progress after each server, results in inventory order", async function () {
        const all: Record<string, ShopSession> = {};
        for (let i = 1; i <= 12; i++) all[`web${String(i).padStart(2, "0")}`] = i % 4 === 0 ? { max: "1" } : { timeout: "00:10:00", max: "2000" };
        const { dir, files } = fleetFolder(all);
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir).replace(`location: ${SHOP}`, `locations: ["", "${SHOP}"]`));
        const progress: number[] = [];
        const entries = await auditFleet(loadInventory(path.join(dir, "fleet.yaml")), { concurrency: 3, onProgress: (done, total) => progress.push(done * 100 + total) });
        assert.deepStrictEqual(progress, Array.from({ length: 24 }, (_, i) => (i + 1) * 100 + 24));
        assert.deepStrictEqual(entries.map((e) => `${e.name}@${e.location}`), Object.keys(all).flatMap((name) => [`${name}@`, `${name}@${SHOP}`]));
        assert.deepStrictEqual(entries.filter((e) => e.status === "drift").length, 24 - 9, "every server level (nothing set there) and 3 shops drift");
        assert.strictEqual(auditExitCode(entries), 2);
    });

    it("all in sync: exit 0", async function () {
        const all: Record<string, ShopSession> = {};
        for (let i = 1; i <= 5; i++) all[`web${i}`] = { timeout: "00:10:00", max: "2000" };
        const { dir, files } = fleetFolder(all);
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir));
        const result = await runDrift([path.join(dir, "fleet.yaml"), "--concurrency", "2"]);
        assert.strictEqual(result.code, 0, result.stderr + result.stdout);
        assert.match(result.stdout, /5 checked: 5 in sync, 0 drift, 0 error/);
    });

    it("with WinRM servers, one unreachable: --json is one document in the issue's shape, exit 1, the error names the host", async function () {
        requirePwsh(this);
        const { dir, files } = fleetFolder({ ...twentyServers(), winrm1: { timeout: "00:10:00", max: "2000" }, winrm2: { timeout: "00:30:00", max: "2000" } });
        const xmlServer = await startWsmanServer({ users: [USER], applicationHostPath: files.winrm1 });
        const iisServer = await startWsmanServer({ users: [USER], applicationHostPath: files.winrm2 });
        servers.push(xmlServer, iisServer);
        const deadPort = await closedPort();
        const local = Object.fromEntries(Object.entries(files).filter(([name]) => !name.startsWith("winrm")));
        const remote = [
            `  - name: winrm1`, `    target: { kind: winrm, host: 127.0.0.1, port: ${xmlServer.port}, username: "CORP\\\\deploy", passwordEnv: FLEET_PASSWORD, mode: xml, platform: linux, configPath: "${files.winrm1}" }`,
            `  - name: winrm2`, `    target: { kind: winrm, host: localhost, port: ${iisServer.port}, username: "CORP\\\\deploy", passwordEnv: FLEET_PASSWORD }`,
            `  - name: gone`, `    target: { kind: winrm, host: 127.0.0.3, port: ${deadPort}, username: "CORP\\\\deploy", passwordEnv: FLEET_PASSWORD, timeoutSeconds: 5 }`,
        ].join("\n") + "\n";
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(local, dir, remote));
        const before = snapshot(dir);
        const result = await runDrift([path.join(dir, "fleet.yaml"), "--json", "--concurrency", "8"], { FLEET_PASSWORD: USER.password });
        assert.strictEqual(result.code, 1, result.stderr + result.stdout);
        if (result.stdout === "") assert.fail(`no output; stderr: ${result.stderr}`);
        const report = JSON.parse(result.stdout) as { servers: Array<Record<string, unknown>> };
        assert.strictEqual(report.servers.length, 23);
        const entry = (name: string) => report.servers.find((s) => s.name === name) as Record<string, unknown>;
        assert.deepStrictEqual(entry("web01"), { name: "web01", location: SHOP, status: "in-sync", live: { max: 2000, timeout: "00:10:00" }, desired: { max: 2000, timeout: "00:10:00" }, differences: [] });
        assert.deepStrictEqual(entry("web07").differences, ["max"]);
        assert.deepStrictEqual(entry("winrm1"), { name: "winrm1", location: SHOP, status: "in-sync", live: { max: 2000, timeout: "00:10:00" }, desired: { max: 2000, timeout: "00:10:00" }, differences: [] });
        assert.deepStrictEqual({ status: entry("winrm2").status, differences: entry("winrm2").differences, live: entry("winrm2").live }, { status: "drift", differences: ["timeout"], live: { max: 2000, timeout: "00:30:00" } });
        const gone = entry("gone");
        assert.strictEqual(gone.status, "error");
        assert.match(String(gone.error), /127\.0\.0\.3/);
        assert.match(String(gone.error), /refused|ECONNREFUSED/i);
        assert.ok(!result.stdout.includes(USER.password) && !result.stderr.includes(USER.password), "the password was printed");
        assert.deepStrictEqual(snapshot(dir), before, "the audit changed or created a file");
    });

    it("refuses a bad inventory with line and field before contacting anything", async function () {
        const { dir } = fleetFolder({});
        const file = path.join(dir, "fleet.yaml");
        fs.writeFileSync(file, [
            `location: ${SHOP}`,
            `settings: { timeout: "10", max: 2000 }`,
            "servers:",
            "  - name: web01",
            "    target: { kind: file, path: ./web01/applicationHost.config }",
            "  - name: web01",
            "    target: { kind: winrm, host: web02.corp.example, username: deploy, passwordEnv: NOT_SET_ANYWHERE }",
            "  - name: web03",
            "    colour: blue",
            "    target: { kind: winrm, host: web03.corp.example, username: deploy, password: hunter2 }",
        ].join("\n") + "\n");
        const result = await runDrift([file]);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stdout, "");
        assert.match(result.stderr, /refused, no server was contacted/);
        assert.match(result.stderr, /line 2: settings\.timeout: timeout "10" is ambiguous/);
        assert.match(result.stderr, /line 6: servers\[1\]\.name: "web01" is also the name of servers\[0\]/);
        assert.match(result.stderr, /line 7: servers\[1\]\.target\.passwordEnv: the environment variable NOT_SET_ANYWHERE is not set/);
        assert.match(result.stderr, /line 9: servers\[2\]\.colour: is not a server field/);
        assert.match(result.stderr, /line 10: servers\[2\]\.target\.password: credentials are not kept in the inventory: name an environment variable with passwordEnv instead/);
        assert.ok(!result.stderr.includes("hunter2"), "the password in the file was quoted back");
    });

    it("usage errors exit 1 and say what is allowed", async function () {
        const result = await runDrift(["fleet.yaml", "--concurrency", "0"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /--concurrency must be a whole number from 1 to 1024, got "0"/);
    });
});
