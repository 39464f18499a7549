/**
 * What a program pays for at `require("pulumi-iis-asp-session")`, and the command line for
 * `--help`: both stand on declarations (settings, target kinds, the fleet spec and inventory), not
 * on carriers. A fresh Node process loads the compiled module and reports every module it pulled in.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../support/paths";

function modulesLoadedBy(entry: string): string[] {
    const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 })) as string[];
}

/** Runs the compiled command line with `args`; its output, exit status and the modules it loaded. */
function runCli(args: readonly string[]): { status: number | null; stdout: string; modules: string[] } {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-modules-"));
    try {
        const file = path.join(folder, "modules.json");
        const result = spawnSync(process.execPath, ["--require", path.join(__dirname, "recordModules.js"), path.join(projectRoot, "dist", "cli", "main.js"), ...args], {
            encoding: "utf8", timeout: 60_000, env: { ...process.env, ASP_SESSION_MODULES_FILE: file },
        });
        return { status: result.status, stdout: result.stdout, modules: (JSON.parse(fs.readFileSync(file, "utf8")) as string[]).map((module) => module.split(path.sep).join("/")) };
    } finally {
        fs.rmSync(folder, { recursive: true, force: true });
    }
}

describe("loading the SDK", function () {
    this.timeout(90_000);

    it("loads no transport, no file store, no backend and no ssh2: only the PowerShell rendering @pulumi/command needs", function () {
        const loaded = modulesLoadedBy(path.join(projectRoot, "dist", "sdk", "index.js")).map((file) => file.split(path.sep).join("/"));
        const ours = loaded.filter((file) => file.includes("/dist/provider/")).map((file) => file.slice(file.indexOf("/dist/") + "/dist/".length));
        assert.deepEqual(ours.filter((file) => /^provider\/(carriers|stores|backends)\//.test(file)), []);
        assert.deepEqual(loaded.filter((file) => file.includes("/node_modules/ssh2/")), []);
        // renderSessionCommands (sdk/command.ts) renders the scripts; nothing else of powershell/ is wanted.
        assert.deepEqual(ours.filter((file) => file.startsWith("provider/powershell/")).sort(), [
            "provider/powershell/commandLine.js",
            "provider/powershell/delivery.js",
            "provider/powershell/render.js",
            "provider/powershell/scripts.js",
        ]);
        assert.deepEqual(ours.filter((file) => file === "provider/open.js"), [], "opening targets is the provider's business");
    });

    it("the fleet spec and inventory reader load without Pulumi (the command line reads inventories with them)", function () {
        const loaded = modulesLoadedBy(path.join(projectRoot, "dist", "sdk", "fleet", "inventory.js")).map((file) => file.split(path.sep).join("/"));
        assert.deepEqual(loaded.filter((file) => file.includes("/node_modules/@pulumi/")), []);
        assert.deepEqual(loaded.filter((file) => /\/dist\/provider\/(carriers|stores|backends|powershell)\//.test(file)), []);
    });
});

describe("loading the command line", function () {
    this.timeout(90_000);

    for (const args of [["--help"], ["-h"], ["help"], ["drift", "--help"]]) {
        it(`\`iis-asp-session ${args.join(" ")}\` prints the usage and exits 0 without loading Pulumi or any carrier`, function () {
            const { status, stdout, modules } = runCli(args);
            assert.equal(status, 0);
            assert.match(stdout, /^usage: iis-asp-session drift <inventory\.yaml>/);
            assert.deepEqual(modules.filter((file) => file.includes("/node_modules/@pulumi/") || file.includes("/node_modules/ssh2/")), []);
            assert.deepEqual(modules.filter((file) => file.includes("/dist/") && !/\/dist\/cli\/(main|exitCodes)\.js$/.test(file) && !file.includes("/dist/test/")), [], "main.ts alone answers --help");
        });
    }
});
