/**
 * `iis-asp-session drift` run as users run it (the compiled bin in a child process) against 20
 * local files and WS-Management test servers, one of them unreachable: the table, the JSON, the
 * reports, the exit statuses, the error kinds, and that nothing anywhere was written.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { auditExitCode, auditFleet } from "../../cli/drift/audit";
import type { AuditEntry, AuditReport } from "../../cli/drift/report";
import { loadInventory } from "../../sdk";
import { closedPort } from "../support/network";
import { projectRoot } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { startWsmanServer, WsmanServer } from "../support/wsman";
import { fleetFolder, SHOP, ShopSession, snapshot } from "../fleet/fleetFiles";

const BIN = path.join(projectRoot, "dist", "cli", "main.js");
const USER = { username: "CORP\\deploy", password: "Drift-Audit-Passw0rd" };
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

function runDrift(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return runCli(["drift", ...args], env);
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
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
        assert.match(row("web07"), /drift\s+max: desired 2000, set here 500, applied 500 \(here\)$/);
        assert.match(row("web11"), /drift\s+timeout: desired "00:10:00", set here \(not set\), applied "00:20:00" \(default\)$/);
        assert.match(row("web19"), /drift\s+max: desired 2000, set here \(not set\), applied 4294967295 \(default\); timeout: desired "00:10:00", set here \(not set\), applied "00:20:00" \(default\)$/);
        // Drift first, then in sync; by name within each.
        assert.deepStrictEqual(rows.slice(1, 4).map((line) => line.split(/\s+/)[0]), ["web07", "web11", "web19"]);
        assert.match(rows[rows.length - 1], /^20 checked on 20 servers: 17 in sync, 3 drift, 0 error$/);
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
        assert.match(result.stdout, /5 checked on 5 servers: 5 in sync, 0 drift, 0 error/);
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
        const report = JSON.parse(result.stdout) as AuditReport;
        assert.strictEqual(report.servers.length, 23);
        assert.deepStrictEqual(report.tool, { name: "iis-asp-session", version: PACKAGE_VERSION });
        assert.ok(Math.abs(Date.parse(report.startedAt) - Date.now()) < 120_000 && report.durationMs >= 0 && report.durationMs < 120_000, `${report.startedAt} ${report.durationMs}`);
        assert.deepStrictEqual(report.summary, { servers: 23, locations: 23, inSync: 18, drift: 4, overridden: 0, noSuchSite: 0, error: 1 });
        const entry = (name: string) => report.servers.find((s) => s.name === name) as AuditEntry;
        // The fields scripts already read keep their shape and meaning.
        const existing = ({ name, location, status, live, desired, differences, error }: AuditEntry) => JSON.parse(JSON.stringify({ name, location, status, live, desired, differences, error })) as unknown;
        assert.deepStrictEqual(existing(entry("web01")), { name: "web01", location: SHOP, status: "in-sync", live: { max: 2000, timeout: "00:10:00" }, desired: { max: 2000, timeout: "00:10:00" }, differences: [] });
        assert.deepStrictEqual(entry("web01").target, { kind: "file", path: files.web01 });
        assert.deepStrictEqual(entry("web01").effective, { max: { value: 2000, source: "location" }, timeout: { value: "00:10:00", source: "location" } });
        assert.deepStrictEqual(entry("web07").differences, ["max"]);
        assert.deepStrictEqual(entry("web11").effective.timeout, { value: "00:20:00", source: "default" });
        assert.deepStrictEqual(existing(entry("winrm1")), { name: "winrm1", location: SHOP, status: "in-sync", live: { max: 2000, timeout: "00:10:00" }, desired: { max: 2000, timeout: "00:10:00" }, differences: [] });
        assert.deepStrictEqual(entry("winrm1").target, { kind: "winrm", host: "127.0.0.1" });
        assert.deepStrictEqual({ status: entry("winrm2").status, differences: entry("winrm2").differences, live: entry("winrm2").live }, { status: "drift", differences: ["timeout"], live: { max: 2000, timeout: "00:30:00" } });
        // Mode iis: IIS's API says whether a value is the default, not which level set it.
        assert.deepStrictEqual(entry("winrm2").effective, { max: { value: 2000, source: "location" }, timeout: { value: "00:30:00", source: "location" } });
        const gone = entry("gone");
        assert.strictEqual(gone.status, "error");
        assert.strictEqual(gone.errorKind, "unreachable");
        assert.match(String(gone.error), /127\.0\.0\.3/);
        assert.match(String(gone.error), /refused|ECONNREFUSED/i);
        // Errors first, then drift, then in sync.
        assert.deepStrictEqual(report.servers.slice(0, 5).map((s) => s.name), ["gone", "web07", "web11", "web19", "winrm2"]);
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
        assert.strictEqual(result.code, 65);
        assert.strictEqual(result.stdout, "");
        assert.match(result.stderr, /refused, no server was contacted/);
        assert.match(result.stderr, /line 2: settings\.timeout: timeout "10" is ambiguous/);
        assert.match(result.stderr, /line 6: servers\[1\]\.name: "web01" is also the name of servers\[0\]/);
        assert.match(result.stderr, /line 7: servers\[1\]\.target\.passwordEnv: the environment variable NOT_SET_ANYWHERE is not set \(server "web01"\)\n/);
        assert.match(result.stderr, /line 9: servers\[2\]\.colour: is not a server field/);
        assert.match(result.stderr, /line 10: servers\[2\]\.target\.password: secrets are not written in the inventory: give passwordEnv, the name of the environment variable that holds it/);
        assert.ok(!result.stderr.includes("hunter2"), "the password in the file was quoted back");

        const json = await runDrift([file, "--json"]);
        assert.strictEqual(json.code, 65);
        const document = JSON.parse(json.stdout) as { error: { kind: string; message: string; file: string } };
        assert.strictEqual(document.error.kind, "inventory");
        assert.strictEqual(document.error.file, file);
        assert.match(document.error.message, /line 6: servers\[1\]\.name: "web01" is also the name of servers\[0\]/);
        assert.ok(!json.stdout.includes("hunter2"));
        const missing = await runDrift([path.join(dir, "no-such.yaml"), "--json"]);
        assert.strictEqual(missing.code, 65);
        assert.match((JSON.parse(missing.stdout) as { error: { message: string } }).error.message, /cannot read the inventory/);
    });

    it("usage errors exit 64, say what is allowed, and are one JSON document with --json", async function () {
        const cases: Array<[string[], RegExp]> = [
            [["drift", "fleet.yaml", "--concurrency", "0"], /--concurrency must be a whole number from 1 to 1024, got "0"/],
            [["drift", "fleet.yaml", "--only", "warnings"], /--only must be drift, overridden, no-such-site, error, got "warnings"/],
            [["drift", "fleet.yaml", "--colour"], /Unknown option '--colour'/],
            [["drift"], /drift needs the inventory file/],
            [["drift", "a.yaml", "b.yaml"], /only one inventory file/],
            [["audit", "fleet.yaml"], /unknown command "audit" \(commands: drift\)/],
            [[], /a command is needed: drift/],
        ];
        for (const [args, message] of cases) {
            const plain = await runCli(args);
            assert.strictEqual(plain.code, 64, `${args.join(" ")}: ${plain.stderr}`);
            assert.strictEqual(plain.stdout, "");
            assert.match(plain.stderr, message);
            assert.match(plain.stderr, /usage: iis-asp-session drift <inventory\.yaml>/);
            const json = await runCli([...args, "--json"]);
            assert.strictEqual(json.code, 64, args.join(" "));
            const document = JSON.parse(json.stdout) as { error: { kind: string; message: string } };
            assert.strictEqual(document.error.kind, "usage");
            assert.match(document.error.message, message);
        }
    });

    it("--help, -h, help and drift --help print usage, options, exit codes and an inventory example; --version the version", async function () {
        for (const args of [["--help"], ["-h"], ["help"], ["drift", "--help"], ["drift", "fleet.yaml", "-h"]]) {
            const result = await runCli(args);
            assert.strictEqual(result.code, 0, args.join(" "));
            assert.strictEqual(result.stderr, "");
            for (const part of [/^usage: iis-asp-session drift <inventory\.yaml>/, /--junit FILE/, /--html FILE/, /--limit PATTERN/, /--only STATUS/, /drift, overridden, no-such-site or error/, /Exit status:\n  0 /, /  64  usage error/, /  65  the inventory/, /passwordEnv: WINRM_PASSWORD/]) {
                assert.match(result.stdout, part, args.join(" "));
            }
        }
        const version = await runCli(["--version"]);
        assert.strictEqual(version.code, 0);
        assert.strictEqual(version.stdout, `iis-asp-session ${PACKAGE_VERSION}\n`);
    });

    it("the inventory example in --help is a valid inventory", async function () {
        const help = (await runCli(["--help"])).stdout;
        const example = help.slice(help.indexOf("Inventory (YAML")).split("\n").slice(1).map((line) => line.slice(2)).join("\n");
        const { dir } = fleetFolder({});
        const file = path.join(dir, "example.yaml");
        fs.writeFileSync(file, example);
        fs.copyFileSync(path.join(projectRoot, "examples", "local", "applicationHost.config"), path.join(dir, "applicationHost.config"));
        assert.doesNotThrow(() => loadInventory(file, { WINRM_PASSWORD: "x" }));
    });

    it("error kinds: missing file, malformed file, refused credentials, unreachable host, each named", async function () {
        requirePwsh(this);
        const { dir, files } = fleetFolder({ good: { timeout: "00:10:00", max: "2000" }, broken: { timeout: "00:10:00", max: "2000" } });
        fs.writeFileSync(files.broken, fs.readFileSync(files.broken, "utf8").replace("</configuration>", ""));
        const server = await startWsmanServer({ users: [USER], applicationHostPath: files.good });
        servers.push(server);
        const deadPort = await closedPort();
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml({ good: files.good, broken: files.broken }, dir, [
            `  - name: absent`, `    target: { kind: file, path: ./absent/applicationHost.config }`,
            `  - name: refused`, `    target: { kind: winrm, host: 127.0.0.1, port: ${server.port}, username: "CORP\\\\deploy", passwordEnv: WRONG_PASSWORD, timeoutSeconds: 20 }`,
            `  - name: gone`, `    target: { kind: winrm, host: localhost, port: ${deadPort}, username: "CORP\\\\deploy", passwordEnv: WRONG_PASSWORD, timeoutSeconds: 5 }`,
        ].join("\n") + "\n"));
        const result = await runDrift([path.join(dir, "fleet.yaml"), "--json"], { WRONG_PASSWORD: "not-the-password" });
        assert.strictEqual(result.code, 1, result.stderr + result.stdout);
        const report = JSON.parse(result.stdout) as AuditReport;
        const kinds = Object.fromEntries(report.servers.map((entry) => [entry.name, entry.errorKind ?? entry.status]));
        assert.deepStrictEqual(kinds, { absent: "missing", broken: "config", refused: "auth", gone: "unreachable", good: "in-sync" });
        assert.ok(!result.stdout.includes("not-the-password"));
        const table = await runDrift([path.join(dir, "fleet.yaml")], { WRONG_PASSWORD: "not-the-password" });
        assert.match(table.stdout, /^refused\s+Default Web Site\/shop\s+error\s+auth: 127\.0\.0\.1:\d+/m);
        assert.match(table.stdout, /^absent\s+\S.*error\s+missing: /m);
    });

    it("--limit picks servers by glob, --only shows one status (the summary and exit status count all), and a --limit that matches nothing is a usage error", async function () {
        const { dir, files } = fleetFolder(twentyServers());
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir));
        const limited = JSON.parse((await runDrift([path.join(dir, "fleet.yaml"), "--json", "--limit", "web0?", "--limit", "web1*"])).stdout) as AuditReport;
        assert.deepStrictEqual(limited.servers.map((entry) => entry.name).sort(), Object.keys(files).filter((name) => /^web(0.|1.)$/.test(name)).sort());
        const only = await runDrift([path.join(dir, "fleet.yaml"), "--only", "drift"]);
        assert.strictEqual(only.code, 2);
        const rows = only.stdout.trim().split("\n");
        assert.deepStrictEqual(rows.slice(1, -2).map((line) => line.split(/\s+/)[0]), ["web07", "web11", "web19"]);
        assert.match(rows[rows.length - 1], /^20 checked on 20 servers: 17 in sync, 3 drift, 0 error \(3 shown\)$/);
        const none = await runDrift([path.join(dir, "fleet.yaml"), "--limit", "db*"]);
        assert.strictEqual(none.code, 64);
        assert.match(none.stderr, /--limit "db\*" matches no server/);
    });

    it("--junit and --html write their files whole, beside the table, and nothing else is written", async function () {
        const { dir, files } = fleetFolder(twentyServers());
        fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir));
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-reports-"));
        try {
            const before = snapshot(dir);
            const result = await runDrift([path.join(dir, "fleet.yaml"), "--junit", path.join(out, "drift.xml"), "--html", path.join(out, "drift.html")]);
            assert.strictEqual(result.code, 2, result.stderr);
            assert.deepStrictEqual(fs.readdirSync(out).sort(), ["drift.html", "drift.xml"]);
            const junit = fs.readFileSync(path.join(out, "drift.xml"), "utf8");
            assert.match(junit, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
            assert.strictEqual((junit.match(/<testsuite /g) ?? []).length, 20);
            assert.strictEqual((junit.match(/<failure /g) ?? []).length, 3);
            const html = fs.readFileSync(path.join(out, "drift.html"), "utf8");
            assert.match(html, /^<!DOCTYPE html>/i);
            assert.match(html, /Content-Security-Policy/);
            assert.deepStrictEqual(snapshot(dir), before);
            const unwritable = await runDrift([path.join(dir, "fleet.yaml"), "--junit", path.join(out, "no-such-folder", "drift.xml")]);
            assert.strictEqual(unwritable.code, 1);
            assert.match(unwritable.stderr, /cannot write the report .*no-such-folder/);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });

    it("on a terminal: colour (none with NO_COLOR), and progress that names a server still being read", async function () {
        if (!fs.existsSync("/usr/bin/script")) this.skip();
        const { dir, files } = fleetFolder({ web01: { timeout: "00:10:00", max: "2000" }, web02: { max: "1" } });
        const silent = await silentServer();
        try {
            fs.writeFileSync(path.join(dir, "fleet.yaml"), inventoryYaml(files, dir, [
                `  - name: hung`, `    target: { kind: winrm, host: 127.0.0.1, port: ${silent.port}, username: deploy, passwordEnv: HUNG_PASSWORD, timeoutSeconds: 6 }`,
            ].join("\n") + "\n"));
            const inTerminal = (env: NodeJS.ProcessEnv) => new Promise<string>((resolve) => {
                const command = [process.execPath, BIN, "drift", path.join(dir, "fleet.yaml")].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(" ");
                execFile("/usr/bin/script", ["-qec", command, "/dev/null"], { env: { PATH: process.env.PATH, TERM: "xterm", HUNG_PASSWORD: "x", ...env }, timeout: 60_000 }, (_error, stdout) => resolve(stdout));
            });
            const coloured = await inTerminal({});
            assert.match(coloured, /\u001b\[33mdrift/);
            assert.match(coloured, /\u001b\[32min-sync/);
            assert.match(coloured, /\u001b\[31merror/);
            assert.match(coloured, /waiting for hung Default Web Site\/shop \([3-6] s\)/);
            const plain = await inTerminal({ NO_COLOR: "1" });
            assert.doesNotMatch(plain, /\u001b\[3[123]m/);
        } finally {
            await silent.close();
        }
    });
});

/** A TCP server that accepts connections and never answers (a hung WinRM listener). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        close: () => new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolve());
        }),
    };
}
