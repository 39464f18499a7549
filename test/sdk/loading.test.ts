/**
 * What a program pays for at `require("pulumi-iis-asp-session")`: the SDK stands on declarations
 * (settings, target kinds, the fleet spec and inventory), not on transports. A fresh Node process
 * loads the compiled SDK and reports every module it pulled in.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../support/paths";

function modulesLoadedBy(entry: string): string[] {
    const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 })) as string[];
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
});
