/**
 * LocalConfigFile's compare-and-swap compares the file with the bytes of the version it handed
 * out (chunk by chunk) instead of hashing it; a version it does not hold is checked by hash. Either
 * way it must refuse any change since the read, including one that keeps size and mtime.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigChangedError } from "../../provider/stores/configFile";
import { LocalConfigFile, sha256 } from "../../provider/stores/local/localConfigFile";

describe("LocalConfigFile compare-and-swap", function () {
    let dir: string;
    let file: string;
    // Larger than the 1 MiB compare chunk, so a change in the last chunk is found too.
    const original = Buffer.alloc(2.5 * (1 << 20) + 7, "<!-- pad -->\r\n");
    const replacement = Buffer.from("<configuration />\r\n");

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cas-"));
        file = path.join(dir, "applicationHost.config");
        fs.writeFileSync(file, original);
    });
    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Changes the file behind the reader's back. */
    const changes: Array<[string, () => void]> = [
        ["one byte in the last chunk, same size and mtime", () => {
            const { mtime, atime } = fs.statSync(file);
            const changed = Buffer.from(original);
            changed[changed.length - 3] ^= 1;
            fs.writeFileSync(file, changed);
            fs.utimesSync(file, atime, mtime);
        }],
        ["one byte in the first chunk", () => {
            const changed = Buffer.from(original);
            changed[0] ^= 1;
            fs.writeFileSync(file, changed);
        }],
        ["a byte appended", () => fs.appendFileSync(file, "x")],
        ["the last byte cut", () => fs.truncateSync(file, original.length - 1)],
        ["replaced by rename with the same bytes and one more", () => {
            fs.writeFileSync(file + ".new", Buffer.concat([original, Buffer.from(" ")]));
            fs.renameSync(file + ".new", file);
        }],
    ];

    for (const [what, change] of changes) {
        for (const how of ["its own read (bytes compared)", "another instance's read (hash compared)"]) {
            it(`refuses to write after ${what}, for a version from ${how}`, async function () {
                const reader = new LocalConfigFile(file);
                const writer = how.startsWith("its own") ? reader : new LocalConfigFile(file);
                const { version } = await reader.read();
                change();
                const now = fs.readFileSync(file);
                await assert.rejects(writer.withLock(() => writer.write(replacement, version)), (error: Error) => error instanceof ConfigChangedError);
                assert.ok(fs.readFileSync(file).equals(now), "the file was changed");
            });
        }
    }

    for (const how of ["its own read", "another instance's read"]) {
        it(`writes when nothing changed, for a version from ${how}, and keeps the old file as the backup`, async function () {
            const reader = new LocalConfigFile(file);
            const writer = how === "its own read" ? reader : new LocalConfigFile(file);
            const content = await reader.read();
            assert.strictEqual(content.version, sha256(original));
            const written = await writer.withLock(() => writer.write(replacement, content.version));
            assert.strictEqual(written.version, sha256(replacement));
            assert.ok(fs.readFileSync(file).equals(replacement));
            assert.ok(fs.readFileSync(file + ".asp-session.bak").equals(original));
            // The version written is now current; the old one no longer is.
            await assert.rejects(writer.withLock(() => writer.write(original, content.version)), ConfigChangedError);
            await writer.withLock(() => writer.write(original, written.version));
            assert.ok(fs.readFileSync(file).equals(original));
        });
    }

    it("checks the version asked for, not the last one read, when they differ", async function () {
        const store = new LocalConfigFile(file);
        const first = await store.read();
        const firstVersion = first.version;
        fs.writeFileSync(file, replacement);
        const second = await store.read();
        assert.notStrictEqual(second.version, firstVersion);
        // The file holds the second read's bytes: the first version is stale, the second current.
        await assert.rejects(store.withLock(() => store.write(original, firstVersion)), ConfigChangedError);
        await store.withLock(() => store.write(original, second.version));
        assert.ok(fs.readFileSync(file).equals(original));
    });
});
