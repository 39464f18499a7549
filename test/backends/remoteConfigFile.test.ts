import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PowerShellScriptError } from "../../provider/backends/powershell";
import type { SessionChange } from "../../provider/backends/types";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import type { SessionAttribute } from "../../provider/settings/schema";
import { ConfigChangedError } from "../../provider/transports/configFile";
import { DEFAULT_APPLICATION_HOST_PATH, RemoteConfigFile } from "../../provider/backends/powershell/remoteConfigFile";
import { projectRoot, sharedFile } from "../support/paths";
import { EmulatedRunner, scratchApplicationHost } from "./emulatedRunner";
import { realSizedApplicationHost } from "../support/realSizedApplicationHost";

const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
const SOURCE = realSizedApplicationHost();
const corpusDir = sharedFile("corpus", "applicationHost");
/** Not applicationHost.config files the editor takes: deliberately malformed, and a web.config. */
const NOT_EDITABLE = new Set(["apphost_45.config", "webconfig_01.config"]);

function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof Error);
        return error;
    }
    assert.fail("expected a rejection");
}

/** Another writer (IIS Manager, say) changing the file: a comment before the closing tag. */
function foreignEdit(file: string, mark: string): void {
    const text = fs.readFileSync(file, "utf8");
    const at = text.lastIndexOf("</configuration>");
    fs.writeFileSync(file, `${text.slice(0, at)}<!-- ${mark} -->${text.slice(at)}`);
}

describe("RemoteConfigFile: applicationHost.config through readFile/writeFile (PowerShell emulator)", function () {
    let scratch: ReturnType<typeof scratchApplicationHost>;
    let runner: EmulatedRunner;
    let file: RemoteConfigFile;
    beforeEach(function () {
        scratch = scratchApplicationHost(SOURCE);
        runner = new EmulatedRunner(scratch.file);
        file = new RemoteConfigFile(runner);
    });
    afterEach(function () {
        scratch.remove();
    });

    it("is labelled host:path and backs up beside the file", function () {
        assert.equal(file.path, DEFAULT_APPLICATION_HOST_PATH);
        assert.equal(file.label, `web01.test:5985:${DEFAULT_APPLICATION_HOST_PATH}`);
        assert.equal(file.backupPath, `${DEFAULT_APPLICATION_HOST_PATH}.asp-session.bak`);
    });

    it("read: the bytes, versioned by SHA-256, in one command on the command line", async function () {
        const content = await file.read();
        const original = fs.readFileSync(scratch.file);
        assert.ok(content.bytes.equals(original));
        assert.equal(content.version, sha256(original));
        assert.equal(runner.runs.length, 1);
        assert.equal(runner.runs[0].command.stdin, undefined);
        assert.deepEqual(runner.steps(), [`read ${DEFAULT_APPLICATION_HOST_PATH}`]);
    });

    it("write: replaced when the version matches (content on stdin), the old bytes kept as the backup", async function () {
        const { bytes, version } = await file.read();
        const replacement = Buffer.concat([bytes, Buffer.from("<!-- x -->")]);
        assert.deepEqual(await file.write(replacement, version), { version: sha256(replacement) });
        assert.ok(fs.readFileSync(scratch.file).equals(replacement));
        assert.ok(fs.readFileSync(`${scratch.file}.asp-session.bak`).equals(bytes));
        assert.ok(runner.runs[1].command.stdin !== undefined, "a file's content travels on stdin");
        assert.equal(runner.steps()[1], `write ${DEFAULT_APPLICATION_HOST_PATH}`);
    });

    it("write: a stale version is a ConfigChangedError naming the file and what was found; nothing written", async function () {
        const { bytes, version } = await file.read();
        foreignEdit(scratch.file, "someone else");
        const changed = fs.readFileSync(scratch.file);
        const error = await rejection(file.write(Buffer.from("<configuration />"), version));
        assert.ok(error instanceof ConfigChangedError);
        assert.equal(
            error.message,
            `web01.test:5985:${DEFAULT_APPLICATION_HOST_PATH} changed since it was read (found SHA-256 ${sha256(changed)}, expected ${sha256(bytes)}); nothing was written`,
        );
        assert.ok(fs.readFileSync(scratch.file).equals(changed));
    });

    it("other script errors surface with host, operation and path", async function () {
        const missing = new RemoteConfigFile(runner, "D:\\iis\\applicationHost.config");
        const error = await rejection(missing.read());
        assert.ok(error instanceof PowerShellScriptError);
        assert.equal(error.code, "notFound");
        assert.equal(error.target, "D:\\iis\\applicationHost.config");
        assert.match(error.message, /^readFile of "D:\\\\iis\\\\applicationHost\.config" on web01\.test:5985 failed \(notFound\): /);
    });

    it("withLock just runs the work (the compare-and-swap on the server protects the write)", async function () {
        assert.equal(await file.withLock(async () => 42), 42);
        assert.equal(runner.runs.length, 0);
    });

    describe("XmlFileBackend over RemoteConfigFile (mode xml)", function () {
        let backend: XmlFileBackend;
        beforeEach(function () {
            backend = new XmlFileBackend(file);
        });

        it("reads and applies; a write is read + write + read-back", async function () {
            const result = await backend.write("Default Web Site", { set: { max: 1000, timeout: "00:10:00" }, restore: {}, remove: [] });
            assert.deepEqual(result.after.explicitRaw, { max: "1000", timeout: "00:10:00" });
            assert.deepEqual(runner.steps(), [`read ${DEFAULT_APPLICATION_HOST_PATH}`, `write ${DEFAULT_APPLICATION_HOST_PATH}`, `read ${DEFAULT_APPLICATION_HOST_PATH}`]);
            assert.deepEqual((await backend.read("Default Web Site")).explicit, { max: 1000, timeout: "00:10:00" });
            assert.match(fs.readFileSync(scratch.file, "utf8"), /<session max="1000" timeout="00:10:00" \/>/);
        });

        it("a file changed between read and write: retried from a fresh read, keeping the other writer's change", async function () {
            let edits = 0;
            runner.beforeRun = (_command, index) => {
                if (runner.runs[index].options?.step?.startsWith("write ") && edits === 0) {
                    edits++;
                    foreignEdit(scratch.file, "IIS Manager was here");
                }
            };
            const result = await backend.write("Default Web Site", { set: { allowSessionState: false }, restore: {}, remove: [] });
            assert.equal(edits, 1);
            assert.deepEqual(result.after.explicitRaw, { allowSessionState: "false" });
            assert.equal(runner.steps().filter((step) => step.startsWith("write ")).length, 2);
            const text = fs.readFileSync(scratch.file, "utf8");
            assert.ok(text.includes("<!-- IIS Manager was here -->"));
            assert.ok(text.includes('<session allowSessionState="false" />'));
        });

        it("a file changed before every write: ConfigChangedError after the retries, and only the other writer's edits in it", async function () {
            let edits = 0;
            runner.beforeRun = (_command, index) => {
                if (runner.runs[index].options?.step?.startsWith("write ")) foreignEdit(scratch.file, `edit ${++edits}`);
            };
            const error = await rejection(backend.write("Default Web Site", { set: { max: 5 }, restore: {}, remove: [] }));
            assert.ok(error instanceof ConfigChangedError);
            assert.match(error.message, /changed on each of 5 attempts/);
            assert.equal(edits, 5);
            assert.equal(fs.readFileSync(scratch.file, "utf8").includes('max="5"'), false);
        });

        const sources = [OWN_FIXTURE, ...(corpusDir ? fs.readdirSync(corpusDir).filter((name) => name.endsWith(".config") && !NOT_EDITABLE.has(name)).map((name) => path.join(corpusDir, name)) : [])];
        for (const source of sources) {
            it(`apply then revert restores the original bytes: ${path.basename(path.dirname(source))}/${path.basename(source)}`, async function () {
                const own = scratchApplicationHost(source);
                try {
                    const remote = new XmlFileBackend(new RemoteConfigFile(new EmulatedRunner(own.file)));
                    const original = fs.readFileSync(own.file);
                    for (const location of ["", "Default Web Site", "New Site/app"]) {
                        const set = { allowSessionState: false, max: 1000, timeout: "00:10:00" };
                        const applied = await remote.write(location, { set, restore: {}, remove: [] });
                        assert.deepEqual(applied.after.explicit, { ...applied.before.explicit, ...set });
                        const revert: SessionChange = { set: {}, restore: {}, remove: [], prune: applied.created.created !== "" ? applied.created : undefined };
                        for (const name of Object.keys(set) as SessionAttribute[]) {
                            const raw = applied.before.explicitRaw[name];
                            if (raw === undefined) revert.remove.push(name);
                            else revert.restore[name] = raw;
                        }
                        await remote.write(location, revert);
                        assert.ok(fs.readFileSync(own.file).equals(original), `${location || "server level"}: revert did not restore the original bytes`);
                    }
                } finally {
                    own.remove();
                }
            });
        }
    });
});
