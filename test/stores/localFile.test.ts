/**
 * LocalConfigFile as a file system sees it: what a write keeps (owner, group, mode, a symbolic
 * link and the file it points to), what it refuses to read (devices, FIFOs, huge files), and
 * what makes it durable (the replacement is fsynced before the rename; the backup is the file
 * each write replaced). Owner tests need root (to create files owned by another user); this
 * machine runs them as root, and they say so when skipped elsewhere.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { BACKUP_SUFFIX, JOURNAL_SUFFIX, LocalConfigFile, LOCK_SUFFIX, MAX_CONFIG_BYTES } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE } from "../support/hostFixture";
import { scratchDir } from "../support/scratch";

const isRoot = process.getuid?.() === 0;
const OTHER_UID = 4242, OTHER_GID = 4343;

describe("LocalConfigFile: what a write keeps and what a read refuses", function () {
    let dir: string;
    let file: string;
    let original: Buffer;

    beforeEach(function () {
        dir = scratchDir("local-file-");
        file = path.join(dir, "applicationHost.config");
        fs.copyFileSync(OWN_FIXTURE, file);
        original = fs.readFileSync(file);
    });
    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function apply(target: string, max: number): Promise<void> {
        await new XmlFileBackend(new LocalConfigFile(target)).write("Default Web Site", { set: { max }, restore: {}, remove: [] });
    }

    function requireRoot(context: Mocha.Context): void {
        if (isRoot) return;
        if (process.env.CI === "true") assert.fail("owner tests must run as root under CI");
        console.log("      (not root: cannot create files owned by another user; skipped)");
        context.skip();
    }

    it("keeps the file's owner, group and mode (files owned by another user, unusual modes)", async function () {
        requireRoot(this);
        for (const mode of [0o640, 0o604, 0o600, 0o664, 0o2644]) {
            fs.chownSync(file, OTHER_UID, OTHER_GID);
            fs.chmodSync(file, mode);
            await apply(file, mode);
            const stats = fs.statSync(file);
            assert.deepStrictEqual([stats.uid, stats.gid, (stats.mode & 0o7777).toString(8)], [OTHER_UID, OTHER_GID, mode.toString(8)], `mode ${mode.toString(8)}`);
            assert.match(fs.readFileSync(file, "utf8"), new RegExp(`max="${mode}"`));
        }
        // Only the owner, or only the group, differs from the writer's.
        for (const [uid, gid] of [[OTHER_UID, process.getgid!()], [process.getuid!(), OTHER_GID]]) {
            fs.chownSync(file, uid, gid);
            await apply(file, uid + gid);
            const stats = fs.statSync(file);
            assert.deepStrictEqual([stats.uid, stats.gid], [uid, gid]);
        }
    });

    it("keeps the mode whatever the umask", async function () {
        const umask = process.umask(0o077);
        try {
            fs.chmodSync(file, 0o644);
            await apply(file, 1);
            assert.strictEqual((fs.statSync(file).mode & 0o777).toString(8), "644");
        } finally {
            process.umask(umask);
        }
    });

    it("refuses, writing nothing, when it cannot give the replacement the file's owner (not root, not the owner)", async function () {
        requireRoot(this);
        fs.chownSync(file, OTHER_UID, OTHER_GID);
        fs.chownSync(dir, 5555, 5555);
        fs.chmodSync(file, 0o666);
        // A child process as uid 5555: may write the folder and the file, may not chown to another user.
        // It runs a copy of the compiled provider in a folder it can read (the build may sit in a private one).
        const code = scratchDir("local-file-code-");
        fs.cpSync(path.join(__dirname, "..", "..", "provider"), path.join(code, "provider"), { recursive: true });
        execFileSync("chmod", ["-R", "a+rX", code]);
        const module = (name: string) => JSON.stringify(path.join(code, "provider", name));
        const script = `const { XmlFileBackend } = require(${module("backends/xmlFile.js")}); ` +
            `const { LocalConfigFile } = require(${module("stores/local/localConfigFile.js")}); ` +
            `new XmlFileBackend(new LocalConfigFile(${JSON.stringify(file)})).write("Default Web Site", { set: { max: 1 }, restore: {}, remove: [] })` +
            `.then(() => console.log("written"), (error) => console.log(error.message));`;
        let output: string;
        try {
            output = execFileSync(process.execPath, ["-e", script], { uid: 5555, gid: 5555, encoding: "utf8", cwd: code });
        } finally {
            fs.rmSync(code, { recursive: true, force: true });
        }
        assert.match(output, new RegExp(`^${escape(file)}: cannot keep its owner and group \\(uid ${OTHER_UID}, gid ${OTHER_GID}\\) on the replacement: permission denied; run as root or as the file's owner\\. The file was left as it was`));
        assert.ok(fs.readFileSync(file).equals(original));
        const stats = fs.statSync(file);
        assert.deepStrictEqual([stats.uid, stats.gid], [OTHER_UID, OTHER_GID]);
        assert.deepStrictEqual(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp")), [], "a temp file was left behind");
    });

    /** The file's extended attribute names and values (python3 reads them: Node has no API for it). */
    function extendedAttributes(target: string): Record<string, string> {
        const script = "import os,sys,json; print(json.dumps({n: os.getxattr(sys.argv[1], n).hex() for n in sorted(os.listxattr(sys.argv[1]))}))";
        return JSON.parse(execFileSync("python3", ["-c", script, target], { encoding: "utf8" })) as Record<string, string>;
    }

    it("keeps the file's extended attributes and its POSIX ACL", async function () {
        const setfacl = ["/usr/bin/setfacl", "/bin/setfacl"].find((candidate) => fs.existsSync(candidate));
        if (setfacl === undefined) {
            if (process.env.CI === "true") assert.fail("setfacl is missing under CI (apt-get install acl; .ci/run does)");
            this.skip();
        }
        execFileSync("python3", ["-c", "import os,sys; os.setxattr(sys.argv[1], 'user.backup-policy', b'nightly\\x00raw')", file]);
        execFileSync(setfacl, ["-m", "u:nobody:rw,g:nogroup:r", file]);
        const before = extendedAttributes(file);
        assert.deepStrictEqual(Object.keys(before), ["system.posix_acl_access", "user.backup-policy"]);
        const acl = execFileSync("getfacl", ["-c", file], { encoding: "utf8" });
        await apply(file, 7);
        assert.notDeepStrictEqual(fs.readFileSync(file), original, "the write did not happen");
        assert.deepStrictEqual(extendedAttributes(file), before);
        assert.strictEqual(execFileSync("getfacl", ["-c", file], { encoding: "utf8" }), acl);
    });

    it("refuses, writing nothing, when the attributes cannot be kept, saying why", async function () {
        // A cp that cannot keep them (as on a file system refusing an attribute), first on PATH.
        const bin = scratchDir("failing-cp-");
        fs.writeFileSync(path.join(bin, "cp"), "#!/bin/sh\necho \"cp: setting attribute 'trusted.policy' for 'trusted.policy': Operation not permitted\" >&2\nexit 1\n", { mode: 0o755 });
        const path_ = process.env.PATH;
        process.env.PATH = `${bin}${path.delimiter}${path_ ?? ""}`;
        let error: Error | undefined;
        try {
            await apply(file, 7);
        } catch (caught) {
            error = caught as Error;
        } finally {
            process.env.PATH = path_;
            fs.rmSync(bin, { recursive: true, force: true });
        }
        assert.ok(error, "the write should have been refused");
        assert.strictEqual(error.message, `${file}: cannot keep its extended attributes or ACL on the replacement (cp: setting attribute 'trusted.policy' for 'trusted.policy': Operation not permitted); ` +
            "on Linux the provider keeps them with GNU coreutils' cp --attributes-only --preserve=mode,xattr. The file was left as it was");
        assert.ok(fs.readFileSync(file).equals(original), "the file was written");
        assert.deepStrictEqual(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp")), [], "a temp file was left behind");
    });

    it("edits the file a symbolic link points to, beside it, and keeps the link (also through a chain of links)", async function () {
        const realDir = scratchDir("local-file-real-");
        try {
            const real = path.join(realDir, "applicationHost.config");
            fs.renameSync(file, real);
            fs.symlinkSync(real, path.join(dir, "hop.config"));
            fs.symlinkSync(path.join(dir, "hop.config"), file);
            if (isRoot) fs.chownSync(real, OTHER_UID, OTHER_GID);
            fs.chmodSync(real, 0o640);
            await apply(file, 77);
            assert.ok(fs.lstatSync(file).isSymbolicLink(), "the link was replaced by a file");
            assert.strictEqual(fs.readlinkSync(file), path.join(dir, "hop.config"));
            assert.match(fs.readFileSync(real, "utf8"), /max="77"/);
            const stats = fs.statSync(real);
            assert.strictEqual(stats.mode & 0o777, 0o640);
            if (isRoot) assert.deepStrictEqual([stats.uid, stats.gid], [OTHER_UID, OTHER_GID]);
            assert.deepStrictEqual(fs.readdirSync(realDir).sort(), ["applicationHost.config", "applicationHost.config" + BACKUP_SUFFIX, "applicationHost.config" + JOURNAL_SUFFIX].sort());
            assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["applicationHost.config", "hop.config"], "lock, backup or temp files beside the link");
            assert.ok(fs.readFileSync(real + BACKUP_SUFFIX).equals(original));
        } finally {
            fs.rmSync(realDir, { recursive: true, force: true });
        }
    });

    it("refuses a device, a FIFO, a folder and a dangling link before reading, naming the file and what it is", async function () {
        const fifo = path.join(dir, "fifo.config");
        execFileSync("mkfifo", [fifo]);
        const dangling = path.join(dir, "dangling.config");
        fs.symlinkSync(path.join(dir, "nowhere"), dangling);
        const cases: Array<[string, RegExp]> = [
            ["/dev/zero", /^\/dev\/zero: is a character device, not a regular file; refusing to read it$/],
            ["/dev/null", /^\/dev\/null: is a character device, not a regular file/],
            [fifo, new RegExp(`^${escape(fifo)}: is a FIFO \\(named pipe\\), not a regular file`)],
            [dir, new RegExp(`^${escape(dir)}: is a folder, not a regular file`)],
            [dangling, new RegExp(`^${escape(dangling)}: cannot read: no such file or folder`)],
        ];
        for (const [target, message] of cases) {
            const started = Date.now();
            await assert.rejects(new LocalConfigFile(target).read(), (error: Error) => message.test(error.message), target);
            await assert.rejects(apply(target, 1), (error: Error) => new RegExp(`^${escape(target)}: cannot (edit|read)`).test(error.message), target);
            assert.ok(Date.now() - started < 5_000, `${target} took ${Date.now() - started} ms`);
        }
        assert.ok(fs.lstatSync(fifo).isFIFO());
    });

    it("refuses a file larger than any applicationHost.config, without reading it", async function () {
        const huge = path.join(dir, "huge.config");
        fs.writeFileSync(huge, "");
        fs.truncateSync(huge, MAX_CONFIG_BYTES + 1);
        const before = process.memoryUsage().rss;
        await assert.rejects(new LocalConfigFile(huge).read(), (error: Error) => error.message.startsWith(`${huge}: ${MAX_CONFIG_BYTES + 1} bytes, more than the ${MAX_CONFIG_BYTES} bytes (256 MiB)`));
        assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, "the file was read");
    });

    it("the backup holds the file each write replaced, after several writes", async function () {
        const contents = [fs.readFileSync(file)];
        for (const max of [1, 2, 3, 4]) {
            await apply(file, max);
            assert.ok(fs.readFileSync(file + BACKUP_SUFFIX).equals(contents[contents.length - 1]), `after write ${max} the backup is not the file it replaced`);
            contents.push(fs.readFileSync(file));
        }
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["applicationHost.config", "applicationHost.config" + BACKUP_SUFFIX, "applicationHost.config" + JOURNAL_SUFFIX]);
        assert.ok(!fs.existsSync(file + LOCK_SUFFIX));
    });

    it("a write reads back by comparing the file with what it wrote, in chunks; a file that differs is read whole and verified", async function () {
        const reads: string[] = [];
        class CountingStore extends LocalConfigFile {
            override read() {
                reads.push("read");
                return super.read();
            }
            override async holds(pieces: readonly Buffer[]) {
                const held = await super.holds(pieces);
                reads.push(`holds ${held}`);
                return held;
            }
        }
        const result = await new XmlFileBackend(new CountingStore(file)).write("Default Web Site", { set: { max: 77 }, restore: {}, remove: [] });
        assert.deepStrictEqual(reads, ["read", "holds true"], "the read-back read the file whole");
        assert.strictEqual(result.after.explicit.max, 77);
        // Another writer changes another part of the file between our write and our read-back: read whole, still verified.
        class InterferedStore extends CountingStore {
            override async holds(pieces: readonly Buffer[]) {
                fs.appendFileSync(file, "<!-- another writer -->");
                return super.holds(pieces);
            }
        }
        reads.length = 0;
        const again = await new XmlFileBackend(new InterferedStore(file)).write("Default Web Site", { set: { max: 78 }, restore: {}, remove: [] });
        assert.deepStrictEqual(reads, ["read", "holds false", "read"]);
        assert.strictEqual(again.after.explicit.max, 78);
    });

    it("fsyncs the replacement before renaming it over the file, then fsyncs the folder", async function () {
        const events: string[] = [];
        const probe = await fs.promises.open(file, "r");
        const handlePrototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; writeFile: (...args: unknown[]) => Promise<void> };
        await probe.close();
        const { sync, writeFile } = handlePrototype;
        // The module object itself (an `import *` namespace only has getters): what localFile.ts calls through.
        const nodeFs = require("fs") as typeof fs;
        const renameSync = nodeFs.renameSync;
        handlePrototype.sync = function (this: fs.promises.FileHandle) {
            events.push(`sync ${this.fd}`);
            return sync.call(this);
        };
        handlePrototype.writeFile = function (this: fs.promises.FileHandle, ...args: unknown[]) {
            events.push(`write ${this.fd}`);
            return writeFile.apply(this, args);
        };
        nodeFs.renameSync = (from: fs.PathLike, to: fs.PathLike) => {
            events.push(`rename ${path.basename(String(from)).replace(/\.\d+\.[0-9a-f]+\.tmp$/, ".tmp")} -> ${path.basename(String(to))}`);
            return renameSync(from, to);
        };
        try {
            await new LocalConfigFile(file).write(Buffer.from("<configuration />"), (await new LocalConfigFile(file).read()).version);
        } finally {
            handlePrototype.sync = sync;
            handlePrototype.writeFile = writeFile;
            nodeFs.renameSync = renameSync;
        }
        const renameOver = events.indexOf(`rename .applicationHost.config.tmp -> applicationHost.config`);
        assert.ok(renameOver > 0, `no rename over the file: ${events.join(", ")}`);
        const written = events.findIndex((event) => event.startsWith("write "));
        const fd = events[written].split(" ")[1];
        const synced = events.indexOf(`sync ${fd}`);
        assert.ok(written >= 0 && synced > written && synced < renameOver, `the replacement was not fsynced between its write and the rename: ${events.join(", ")}`);
        assert.ok(events.slice(renameOver + 1).some((event) => event.startsWith("sync ")), `the folder was not fsynced after the rename: ${events.join(", ")}`);
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
