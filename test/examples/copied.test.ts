/**
 * Every example that is a Pulumi program, as a user takes it: each folder is complete (README,
 * package.json naming pulumi-iis-asp-session by version, tsconfig, Pulumi.yaml with its state inside
 * the folder and `refresh: always`), then copied out of the repository, given the packed package
 * (`npm pack`) and its dependencies with npm, type-checked by its own TypeScript, and run through
 * the real provider host started in the copy, as the Pulumi CLI would: against a local copy of an
 * applicationHost.config (local, fleet), our WS-Management test server in front of one (winrm), or
 * Pulumi's mocks (command: @pulumi/command's provider is a binary only the CLI installs).
 * On Node 22 and later, npm must print no EBADENGINE for any of it.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { destroy, runProgram, StackState } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";
import { npmWithThisNode, packPackage } from "../support/packedPackage";
import { projectRoot, underCi } from "../support/paths";
import { requirePwsh } from "../support/pwsh";
import { scratchDir } from "../support/scratch";
import { startWsmanServer } from "../support/wsman";

const EXAMPLES_DIR = path.join(projectRoot, "examples");
/** The folders of examples/ that are Pulumi programs (engine/ is the engine stand-in, not one). */
const PROGRAMS = fs.readdirSync(EXAMPLES_DIR).filter((name) => fs.existsSync(path.join(EXAMPLES_DIR, name, "Pulumi.yaml"))).sort();
/** What a copy leaves behind: what running or installing in the repository made. */
const NOT_COPIED = new Set(["node_modules", ".pulumi-state", "bin", ".demo"]);
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

interface ProjectFile {
    name?: string;
    main?: string;
    backend?: { url?: string };
    options?: { refresh?: string };
    config?: Record<string, { default?: string }>;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Record<string, string> | undefined>;

describe("the examples, each complete in its folder", function () {
    it("finds the example programs", function () {
        assert.deepStrictEqual(PROGRAMS, ["command", "fleet", "local", "winrm"]);
    });

    for (const name of PROGRAMS) {
        it(`examples/${name}: README, package.json by version, tsconfig, Pulumi.yaml with its own state and refresh: always`, function () {
            const dir = path.join(EXAMPLES_DIR, name);
            for (const file of ["README.md", "package.json", "tsconfig.json", "Pulumi.yaml", "index.ts"]) assert.ok(fs.existsSync(path.join(dir, file)), `${file} is missing`);
            const manifest = readJson(path.join(dir, "package.json"));
            const wanted = manifest.dependencies?.["pulumi-iis-asp-session"] ?? "";
            assert.match(wanted, /^\^?\d+\.\d+\.\d+$/, `pulumi-iis-asp-session must be a version, not ${JSON.stringify(wanted)}`);
            assert.strictEqual(manifest.engines?.node, ">=22");
            const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as ProjectFile;
            assert.strictEqual(project.options?.refresh, "always");
            const backend = project.backend?.url;
            if (backend !== undefined) {
                assert.match(backend, /^file:\/\/\.\//, `the backend ${backend} is not inside the folder`);
                assert.ok(!backend.includes(".."), `the backend ${backend} leaves the folder`);
            }
            const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
            assert.match(readme, /## Why `options: refresh: always`/);
            assert.doesNotMatch(readme, /file:\.\.\/\.\./);
            // Pulumi's engine cannot import a dynamic resource: no command line may suggest it.
            assert.doesNotMatch(readme, /^\s*pulumi import /m);
        });
    }

    it("the repository's own Pulumi.yaml runs the compiled examples/local on its sample file, refreshing first", function () {
        const project = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as ProjectFile;
        assert.ok(fs.existsSync(path.join(projectRoot, project.main ?? "", "index.js")), `${project.main} holds no index.js (npm run compile builds it)`);
        assert.ok(fs.existsSync(path.join(projectRoot, project.config?.applicationHostPath?.default ?? "")));
        assert.strictEqual(project.options?.refresh, "always");
    });
});

describe("the examples, copied out of the repository and installed with the packed package", function () {
    this.timeout(900_000);
    let work: string;
    let tarball: string;
    before(function () {
        work = scratchDir("asp-session-copied-");
        ({ tarball } = packPackage(work));
    });

    /** Copies the example out of the repository, installs the tarball and its dependencies, compiles it. */
    function installed(name: string): string {
        // Its own scratch folder, removed after the test: four installed copies at once take long to remove.
        const copy = path.join(scratchDir("asp-session-example-"), name);
        fs.cpSync(path.join(EXAMPLES_DIR, name), copy, { recursive: true, filter: (source) => !NOT_COPIED.has(path.basename(source)) });
        const install = npmWithThisNode(["install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], copy);
        assert.strictEqual(install.status, 0, `npm install failed:\n${install.output}`);
        if (NODE_MAJOR >= 22) assert.doesNotMatch(install.output, /EBADENGINE/, `npm install printed an engines warning on Node ${process.versions.node}:\n${install.output}`);
        const linked = fs.lstatSync(path.join(copy, "node_modules", "pulumi-iis-asp-session"));
        assert.ok(linked.isDirectory() && !linked.isSymbolicLink(), "the package was linked, not installed");
        // The example's own TypeScript and types, not the repository's.
        execFileSync(process.execPath, [path.join(copy, "node_modules", "typescript", "bin", "tsc"), "-p", copy], { cwd: copy, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        return copy;
    }

    async function withHost<T>(copy: string, use: (host: ProviderHost) => Promise<T>): Promise<T> {
        const host = await ProviderHost.start({ cwd: copy });
        try {
            await host.configure();
            return await use(host);
        } finally {
            await host.stop();
        }
    }

    it("is tested on Node 22 or later under CI (engines >= 22)", function () {
        if (NODE_MAJOR < 22) {
            if (underCi) assert.fail(`CI runs on Node 22 and 24; this is ${process.versions.node}`);
            console.log(`      EBADENGINE checks SKIPPED: Node ${process.versions.node} is older than the package supports (>= 22)`);
            this.skip();
        }
    });

    it("local: preview, up, a hand edit shown per attribute, destroy giving back the file's bytes", async function () {
        const copy = installed("local");
        const applicationHost = path.join(copy, "applicationHost.config");
        const original = fs.readFileSync(applicationHost);
        await withHost(copy, async (host) => {
            const state: StackState = {};
            const run = (mode: "preview" | "up") => runProgram({ host, state, mode, refresh: true, program: path.join(copy, "bin", "index.js"),
                project: "iis-asp-session-local", stack: "dev", config: { applicationHostPath: applicationHost } });
            assert.deepStrictEqual((await run("preview")).map((step) => `${step.name}:${step.kind}`).sort(), ["intranet:create", "server:create", "shop:create"]);
            await run("up");
            assert.match(fs.readFileSync(applicationHost, "utf8"), /<location path="Default Web Site\/shop">[\s\S]*<session max="1000" timeout="00:10:00" \/>/);
            fs.writeFileSync(applicationHost, fs.readFileSync(applicationHost, "utf8").replace('max="1000"', 'max="5"'));
            const drift = (await run("preview")).find((step) => step.name === "shop");
            assert.deepStrictEqual(drift?.changedInputs, [{ property: "max", from: 5, to: 1000 }]);
            await destroy(host, state);
        });
        assert.ok(fs.readFileSync(applicationHost).equals(original), "destroy did not give back the original bytes");
    });

    it("fleet: an inventory of two local files rolled out and destroyed", async function () {
        const copy = installed("fleet");
        const files = ["web01", "web02"].map((server) => {
            fs.mkdirSync(path.join(copy, server));
            const file = path.join(copy, server, "applicationHost.config");
            fs.copyFileSync(OWN_FIXTURE, file);
            return file;
        });
        const inventory = path.join(copy, "local.yaml");
        fs.writeFileSync(inventory, [
            "location: Default Web Site",
            `settings: { timeout: "00:15:00", max: 300 }`,
            "rollout: { canary: 1, batchSize: 1 }",
            "servers:",
            "  - name: web01",
            "    target: { kind: file, path: ./web01/applicationHost.config }",
            "  - name: web02",
            "    target: { kind: file, path: ./web02/applicationHost.config }",
        ].join("\n") + "\n");
        await withHost(copy, async (host) => {
            const state: StackState = {};
            await runProgram({ host, state, mode: "up", refresh: true, program: path.join(copy, "bin", "index.js"), project: "iis-asp-session-fleet", stack: "dev", config: { inventory } });
            for (const file of files) assert.match(fs.readFileSync(file, "utf8"), /<session max="300" timeout="00:15:00" \/>/);
            await destroy(host, state);
        });
        for (const file of files) assert.ok(fs.readFileSync(file).equals(fs.readFileSync(OWN_FIXTURE)), `${file} was not restored`);
    });

    it("winrm: applied over WinRM on a local copy (the WS-Management test server, real PowerShell 7), then destroyed", async function () {
        requirePwsh(this);
        const copy = installed("winrm");
        // The test server's PowerShell finds the file under its %windir%, as on Windows.
        const applicationHost = scratchCopy(OWN_FIXTURE).file;
        const server = await startWsmanServer({ users: [{ username: "CORP\\deploy", password: "Example-Passw0rd" }], applicationHostPath: applicationHost });
        try {
            await withHost(copy, async (host) => {
                const state: StackState = {};
                const config = { host: "127.0.0.1", port: String(server.port), username: "CORP\\deploy", password: "Example-Passw0rd", mode: "xml", platform: "linux", configPath: applicationHost };
                const steps = await runProgram({ host, state, mode: "up", refresh: true, program: path.join(copy, "bin", "index.js"), project: "iis-asp-session-winrm", stack: "dev", config });
                assert.deepStrictEqual(steps.map((step) => step.kind), ["create"]);
                assert.match(fs.readFileSync(applicationHost, "utf8"), /<location path="Default Web Site\/shop">[\s\S]*<session keepSessionIdSecure="true" max="1000" timeout="00:10:00" \/>/);
                await destroy(host, state);
            });
        } finally {
            await server.close();
        }
        assert.ok(fs.readFileSync(applicationHost).equals(fs.readFileSync(OWN_FIXTURE)));
    });

    it("command: installs @pulumi/command 1.2.1, type-checks, and runs under Pulumi's mocks", async function () {
        const copy = installed("command");
        const command = readJson(path.join(copy, "node_modules", "@pulumi", "command", "package.json")) as unknown as { version: string };
        assert.strictEqual(command.version, "1.2.1");
        await withHost(copy, async (host) => {
            const config = { host: "web01.corp.example", user: "deploy", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nexample\n-----END OPENSSH PRIVATE KEY-----\n", hostKey: "ssh-ed25519 AAAAexample" };
            // remote.Command is not a dynamic resource: the stand-in answers it as the mocks do.
            assert.deepStrictEqual(await runProgram({ host, state: {}, mode: "up", program: path.join(copy, "bin", "index.js"), project: "iis-asp-session-command", stack: "dev", config }), []);
        });
    });
});
