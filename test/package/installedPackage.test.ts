/**
 * The package as a user gets it: `npm pack` (which runs the `prepare` build), the tarball's
 * contents, then a fresh Pulumi program folder that installs the tarball from npm, compiles a
 * TypeScript program that uses AspSessionSettings, and runs it through the real provider host
 * with the folder as the host's working directory, as the Pulumi CLI does.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { destroy, runProgram, StackState } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { HEALTH_GATE_PROVIDER_MODULE, PROVIDER_MODULE } from "../../sdk/providerReference";
import { OWN_FIXTURE } from "../support/hostFixture";
import { packPackage } from "../support/packedPackage";
import { projectRoot } from "../support/paths";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings } from "pulumi-iis-asp-session";

const config = new pulumi.Config();
const site = new AspSessionSettings("site", {
    target: { kind: "file", path: config.require("applicationHostPath") },
    location: "Default Web Site",
    timeout: "00:25:00",
    max: 500,
});
export const effective = site.effective;
`;

function run(command: string, args: string[], cwd: string): string {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
}

describe("the npm package, installed into a fresh Pulumi program", function () {
    this.timeout(420_000);
    let work: string;
    let tarball: string;
    let files: string[];
    before(function () {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-package-"));
        ({ tarball, files } = packPackage(work));
    });
    after(function () {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("holds the compiled sdk and provider with their types and PowerShell scripts, README and LICENSE, and nothing test-only", function () {
        const scripts = fs.readdirSync(path.join(projectRoot, "provider", "powershell", "scripts")).map((name) => `dist/provider/powershell/scripts/${name}`);
        assert.ok(scripts.length > 0);
        for (const file of ["package.json", "README.md", "LICENSE", "dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/dynamic.js", "dist/provider/dynamic.d.ts",
            "dist/provider/healthGate/dynamic.js", "dist/cli/main.js", ...scripts]) {
            assert.ok(files.includes(file), `${file} is missing from the tarball`);
        }
        const unexpected = files.filter((file) => !/^(package\.json|README\.md|LICENSE|dist\/(sdk|provider)\/.+\.(js|d\.ts)|dist\/provider\/powershell\/scripts\/[A-Za-z]+\.ps1|dist\/cli\/.+\.js)$/.test(file));
        assert.deepStrictEqual(unexpected, []);
        assert.deepStrictEqual(files.filter((file) => /test|bench|example|server|\.map$/i.test(file)), []);
        const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as Record<string, unknown>;
        assert.strictEqual(manifest.private, undefined, "a private package cannot be published");
        const sections = manifest as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
        assert.deepStrictEqual(Object.keys(sections.dependencies ?? {}).filter((name) => name.startsWith("@pulumi/")), [], "the program's own @pulumi/pulumi must be the one used: a peer, not a dependency");
        assert.match(sections.peerDependencies?.["@pulumi/pulumi"] ?? "", /^\^3\./);
    });

    it("installs, compiles, runs through the provider host from the program's folder, and keeps __provider under 1 KB", async function () {
        const program = path.join(work, "program");
        fs.mkdirSync(program);
        // A Pulumi program has @pulumi/pulumi already; the package uses that copy (a peer dependency).
        const pulumiVersion = (JSON.parse(fs.readFileSync(path.join(projectRoot, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
        fs.writeFileSync(path.join(program, "package.json"), JSON.stringify({ name: "asp-session-program", version: "1.0.0", private: true, dependencies: { "@pulumi/pulumi": pulumiVersion } }, null, 2));
        run("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], program);
        assert.ok(!fs.existsSync(path.join(program, "node_modules", "pulumi-iis-asp-session", "node_modules", "@pulumi")), "a second copy of @pulumi/pulumi was installed under the package");
        assert.ok(!fs.existsSync(path.join(program, "node_modules", "@pulumi", "command")), "@pulumi/command is for the examples; programs that use it install it themselves");
        // Resolved as the provider reference in state resolves it, from the program's folder.
        const installed = createRequire(path.join(program, "index.js")).resolve(PROVIDER_MODULE);
        assert.ok(installed.startsWith(path.join(program, "node_modules", "pulumi-iis-asp-session")), installed);
        assert.ok(createRequire(path.join(program, "index.js")).resolve(HEALTH_GATE_PROVIDER_MODULE).startsWith(path.join(program, "node_modules", "pulumi-iis-asp-session")));
        // The drift audit's command is installed as a bin: without arguments it prints its usage and exits 64 (a usage error).
        const usage = spawnSync(path.join(program, "node_modules", ".bin", "iis-asp-session"), [], { encoding: "utf8" });
        assert.strictEqual(usage.status, 64, usage.stderr);
        assert.match(usage.stderr, /usage: iis-asp-session drift <inventory\.yaml>/);
        const version = spawnSync(path.join(program, "node_modules", ".bin", "iis-asp-session"), ["--version"], { encoding: "utf8" });
        assert.strictEqual(version.stdout, `iis-asp-session ${(JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version}\n`);

        fs.writeFileSync(path.join(program, "index.ts"), PROGRAM);
        fs.writeFileSync(path.join(program, "tsconfig.json"), JSON.stringify({
            compilerOptions: { target: "es2020", module: "commonjs", strict: true, outDir: "bin", typeRoots: [path.join(projectRoot, "node_modules", "@types")], types: ["node"] },
            files: ["index.ts"],
        }));
        run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "."], program);

        const applicationHost = path.join(program, "applicationHost.config");
        fs.copyFileSync(OWN_FIXTURE, applicationHost);
        const original = fs.readFileSync(applicationHost);
        const host = await ProviderHost.start({ cwd: program });
        try {
            await host.configure();
            const state: StackState = {};
            const options = { host, state, program: path.join(program, "bin", "index.js"), project: "asp-session-program", stack: "dev", config: { applicationHostPath: applicationHost } };
            const steps = await runProgram({ ...options, mode: "up" });
            assert.deepStrictEqual(steps.map((step) => `${step.name}:${step.kind}`), ["site:create"]);
            assert.match(fs.readFileSync(applicationHost, "utf8"), /<location path="Default Web Site">[\s\S]*<session max="500" timeout="00:25:00" \/>/);
            const stored = JSON.stringify(state.site);
            const providerBytes = Buffer.byteLength(String(state.site.outputs.__provider));
            assert.ok(providerBytes <= 1024, `__provider is ${providerBytes} bytes`);
            assert.ok(stored.length < 4096, `the resource's whole state is ${stored.length} bytes`);
            assert.deepStrictEqual((await runProgram({ ...options, mode: "preview" })).map((step) => step.kind), ["same"]);
            await destroy(host, state);
            assert.ok(fs.readFileSync(applicationHost).equals(original), "destroy did not restore the file");
        } finally {
            await host.stop();
        }
    });
});
