/**
 * LocalConfigFile takes an edit's new content in pieces (views of the bytes read and the edited
 * region's new bytes): the file written is exactly the pieces one after the other, the version it
 * returns is that of the joined bytes, and `holds` (the read-back after a write) compares the file
 * with the pieces chunk by chunk, finding a difference anywhere, including in a later chunk or in
 * the length.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { samePieces, writeContent } from "../../provider/stores/configFile";
import { LocalConfigFile, sha256 } from "../../provider/stores/local/localConfigFile";

describe("LocalConfigFile: content in pieces", function () {
    let dir: string;
    let file: string;
    // Larger than the 1 MiB compare chunk, with piece boundaries that do not fall on chunk boundaries.
    const original = Buffer.alloc(2.5 * (1 << 20) + 7, "<!-- pad -->\r\n");
    const region = Buffer.from("<session timeout=\"00:10:00\" />");
    const cut = (1 << 20) + 333;
    const pieces = [original.subarray(0, cut), region, original.subarray(cut + 5)];
    const joined = Buffer.concat(pieces);

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pieces-"));
        file = path.join(dir, "applicationHost.config");
        fs.writeFileSync(file, original);
    });
    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("writes the pieces one after the other and returns the version of the joined bytes", async function () {
        const store = new LocalConfigFile(file);
        const { version } = await store.read();
        const written = await store.withLock(() => writeContent(store, pieces, version));
        assert.ok(fs.readFileSync(file).equals(joined), "the file is not the pieces joined");
        assert.strictEqual(written.version, sha256(joined));
        assert.ok(fs.readFileSync(file + ".asp-session.bak").equals(original));
    });

    it("holds: true only for exactly the pieces", async function () {
        const store = new LocalConfigFile(file);
        fs.writeFileSync(file, joined);
        assert.strictEqual(await store.holds(pieces), true);
        assert.strictEqual(await store.holds([joined]), true);
        const lastByteChanged = Buffer.from(joined);
        lastByteChanged[lastByteChanged.length - 1] ^= 1;
        const wrong: Array<[string, Buffer[]]> = [
            ["one byte more in the file", [joined.subarray(0, joined.length - 1)]],
            ["one byte less in the file", [joined, Buffer.from(" ")]],
            ["a byte differing in the last chunk", [lastByteChanged]],
            ["the pieces in another order", [pieces[1], pieces[0], pieces[2]]],
        ];
        for (const [what, other] of wrong) assert.strictEqual(await store.holds(other), false, what);
    });

    it("samePieces compares a buffer with pieces in place", function () {
        assert.strictEqual(samePieces(joined, pieces), true);
        assert.strictEqual(samePieces(joined, [joined.subarray(1)]), false);
        assert.strictEqual(samePieces(joined.subarray(1), pieces), false);
        assert.strictEqual(samePieces(Buffer.alloc(0), []), true);
    });
});
