import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PowerShellScriptError } from "../../provider/powershell";
import type { SessionChange } from "../../provider/backends/types";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import type { SessionAttribute } from "../../provider/settings/schema";
import { ConfigChangedError, ConfigFileMissingError } from "../../provider/stores/configFile";
import { RemoteConfigFile } from "../../provider/stores/remoteConfigFile";
import { DEFAULT_APPLICATION_HOST_PATH } from "../../provider/targets/windows";
import { projectRoot, sharedFile } from "../support/paths";
import { PwshRunner, requirePwsh } from "../support/pwsh";
import { scratchWindows, type ScratchWindows } from "../support/windowsFolder";
import { realSizedApplicationHost } from "../support/realSizedApplicationHost";
import { rejection } from "../support/rejection";

const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
const SOURCE = realSizedApplicationHost();
const corpusDir = sharedFile("corpus", "applicationHost");
/** Not applicationHost.config files the editor takes: deliberately malformed, and a web.config. */
const NOT_EDITABLE = new Set(["apphost_45.config", "webconfig_01.config"]);

function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/** Another writer (IIS Manager, say) changing the file: a comment before the closing tag. */
function foreignEdit(file: string, mark: string): void {
    const text = fs.readFileSync(file, "utf8");
    const at = text.lastIndexOf("</configuration>");
    fs.writeFileSync(file, `${text.slice(0, at)}<!-- ${mark} -->${text.slice(at)}`);
}

/**
 * The three files whose bytes are hardest to keep, for the sweep through real PowerShell: one with
 * a byte order mark, one with LF line endings, one with non-ASCII text (the whole corpus goes
 * through the editor without PowerShell in test/apphost).
 */
function awkwardFiles(dir: string): string[] {
    const names = fs.readdirSync(dir).filter((name) => name.endsWith(".config") && !NOT_EDITABLE.has(name)).sort();
    const bytesOf = (name: string) => fs.readFileSync(path.join(dir, name));
    const picks = [
        names.find((name) => bytesOf(name).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))),
        names.find((name) => !bytesOf(name).includes("\r\n")),
        names.find((name) => /[^\x00-\x7f]/.test(bytesOf(name).toString("utf8"))),
    ];
    return [...new Set(picks.filter((name): name is string => name !== undefined))].map((name) => path.join(dir, name));
}

describe("RemoteConfigFile: applicationHost.config through readFile/writeFile (real PowerShell 7)", function () {
    // Each script is a PowerShell process: seconds each on a busy machine.
    this.timeout(300_000);
    let pwsh: string;
    let scratch: ScratchWindows;
    let runner: PwshRunner;
    let file: RemoteConfigFile;
    before(function () {
        pwsh = requirePwsh(this);
    });
    beforeEach(function () {
        scratch = scratchWindows(SOURCE);
        runner = new PwshRunner(pwsh, scratch.file);
        file = new RemoteConfigFile(runner, scratch.file);
    });
    afterEach(function () {
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    });

    it("is labelled host:configPath; without one, host and the server's applicationHost.config until a read names the file", function () {
        assert.equal(file.label, `web01.test:5985:${scratch.file}`);
        assert.equal(file.configPath, scratch.file);
        const found = new RemoteConfigFile(runner);
        assert.equal(found.configPath, undefined);
        assert.equal(found.label, "web01.test:5985:the server's applicationHost.config");
    });

    it("read: the bytes, versioned by SHA-256, in one command on the command line", async function () {
        const content = await file.read();
        const original = fs.readFileSync(scratch.file);
        assert.ok(content.bytes.equals(original));
        assert.equal(content.version, sha256(original));
        assert.equal(runner.runs.length, 1);
        assert.equal(runner.runs[0].command.stdin, undefined);
        assert.deepEqual(runner.steps(), [`read ${scratch.file}`]);
    });

    it("write: replaced when the version matches (content on stdin), the old bytes kept as the backup", async function () {
        const { bytes, version } = await file.read();
        const replacement = Buffer.concat([bytes, Buffer.from("<!-- x -->")]);
        assert.deepEqual(await file.write(replacement, version), { version: sha256(replacement) });
        assert.ok(fs.readFileSync(scratch.file).equals(replacement));
        assert.ok(fs.readFileSync(`${scratch.file}.asp-session.bak`).equals(bytes));
        assert.ok(runner.runs[1].command.stdin !== undefined, "a file's content travels on stdin");
        assert.equal(runner.steps()[1], `write ${scratch.file}`);
    });

    it("write: a stale version is a ConfigChangedError naming the file and what was found; nothing written", async function () {
        const { bytes, version } = await file.read();
        foreignEdit(scratch.file, "someone else");
        const changed = fs.readFileSync(scratch.file);
        const error = await rejection(file.write(Buffer.from("<configuration />"), version));
        assert.ok(error instanceof ConfigChangedError);
        assert.equal(
            error.message,
            `web01.test:5985:${scratch.file} changed since it was read (found SHA-256 ${sha256(changed)}, expected ${sha256(bytes)}); nothing was written`,
        );
        assert.ok(fs.readFileSync(scratch.file).equals(changed));
    });

    it("other script errors surface with host, operation and path: a missing file, a directory, a Windows path on Linux", async function () {
        const missingPath = path.join(scratch.dir, "missing", "applicationHost.config");
        const missing = await rejection(new RemoteConfigFile(runner, missingPath).read());
        assert.ok(missing instanceof PowerShellScriptError);
        assert.equal(missing.code, "notFound");
        assert.equal(missing.target, missingPath);
        assert.ok(missing.message.startsWith(`readFile of "${missingPath}" on web01.test:5985 failed (notFound): `), missing.message);
        // Opening a folder as a file is refused by the OS as access denied (root is no exception).
        const folder = await rejection(new RemoteConfigFile(runner, path.dirname(scratch.file)).read());
        assert.ok(folder instanceof PowerShellScriptError);
        assert.equal(folder.code, "accessDenied");
        const windows = await rejection(new RemoteConfigFile(runner, DEFAULT_APPLICATION_HOST_PATH).read());
        assert.ok(windows instanceof PowerShellScriptError);
        assert.equal(windows.code, "badRequest");
        assert.match(windows.message, /must be an absolute path \(\/\.\.\.\)/);
    });

    it("a file gone from a folder that still exists is ConfigFileMissingError (its settings went with it); a missing folder is not", async function () {
        const gone = path.join(scratch.dir, "applicationHost-gone.config");
        const error = await rejection(new RemoteConfigFile(runner, gone).read());
        assert.ok(error instanceof ConfigFileMissingError, String(error));
        assert.equal(error.label, `web01.test:5985:${gone}`);
        assert.equal(error.message, `web01.test:5985:${gone}: no such file (its folder exists)`);
        const noFolder = await rejection(new RemoteConfigFile(runner, path.join(scratch.dir, "gone", "applicationHost.config")).read());
        assert.ok(noFolder instanceof PowerShellScriptError && noFolder.code === "notFound", String(noFolder));
    });

    it("never reads past the size bound: a device that never ends (/dev/zero) is refused there", async function () {
        if (!fs.existsSync("/dev/zero")) this.skip();
        const error = await rejection(new RemoteConfigFile(runner, "/dev/zero").read());
        assert.ok(error instanceof PowerShellScriptError, String(error));
        assert.equal(error.code, "badRequest");
        assert.match(error.message, /\/dev\/zero: more than 268435456 bytes \(256 MiB\) read and not at its end, so not a regular applicationHost\.config; refusing it/);
    });

    it("a path full of hostile text (quotes, $(), backticks, semicolons, a newline, non-ASCII) is read and written as data", async function () {
        const folder = path.join(scratch.dir, "it's \"x\" $(Stop-Computer) `$y; exit\nGenomgång 日本語");
        fs.mkdirSync(folder);
        const hostile = path.join(folder, "applicationHost.config");
        fs.copyFileSync(scratch.file, hostile);
        const remote = new RemoteConfigFile(runner, hostile);
        const { bytes, version } = await remote.read();
        assert.ok(bytes.equals(fs.readFileSync(scratch.file)));
        const replacement = Buffer.concat([bytes, Buffer.from("<!-- é -->")]);
        await remote.write(replacement, version);
        assert.ok(fs.readFileSync(hostile).equals(replacement));
        assert.ok(fs.readFileSync(`${hostile}.asp-session.bak`).equals(bytes));
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
            assert.deepEqual(runner.steps(), [`read ${scratch.file}`, `write ${scratch.file}`, `read ${scratch.file}`]);
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

        // A file changed before every write (ConfigChangedError after the retries) is the end-to-end
        // test's compare-and-swap case (test/provider/winrm.test.ts).

        const sources = [OWN_FIXTURE, ...(corpusDir ? awkwardFiles(corpusDir) : [])];
        for (const source of sources) {
            it(`apply then revert restores the original bytes: ${path.basename(path.dirname(source))}/${path.basename(source)}`, async function () {
                const own = scratchWindows(source);
                try {
                    const remote = new XmlFileBackend(new RemoteConfigFile(new PwshRunner(pwsh, own.file), own.file));
                    const original = fs.readFileSync(own.file);
                    for (const location of ["New Site/app"]) {
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
                    fs.rmSync(own.dir, { recursive: true, force: true });
                }
            });
        }
    });
});
