/**
 * The site names check caches: one scan per version of a file, another when the version changes,
 * and no more than MAX_CACHED_FILES files kept (the least recently used one goes first).
 */
import * as assert from "assert";
import { cachedSiteNames, MAX_CACHED_FILES } from "../../provider/backends/siteNamesCache";

/** A scan that counts its calls and finds `names`. */
function countingScan(names: string[] | undefined): { scan: () => string[] | undefined; calls: () => number } {
    let calls = 0;
    return { scan: () => { calls++; return names; }, calls: () => calls };
}

describe("site names cache", function () {
    it("scans a file once per version, again when its version changes", function () {
        const first = countingScan(["A"]);
        assert.deepStrictEqual(cachedSiteNames("cache-test/one.config", "v1", first.scan), ["A"]);
        assert.deepStrictEqual(cachedSiteNames("cache-test/one.config", "v1", first.scan), ["A"]);
        assert.strictEqual(first.calls(), 1);
        const second = countingScan(["A", "B"]);
        assert.deepStrictEqual(cachedSiteNames("cache-test/one.config", "v2", second.scan), ["A", "B"]);
        assert.strictEqual(second.calls(), 1);
        const back = countingScan(["A"]);
        assert.deepStrictEqual(cachedSiteNames("cache-test/one.config", "v1", back.scan), ["A"], "one version per file is kept: the old one is scanned again");
        assert.strictEqual(back.calls(), 1);
    });

    it("caches a file without <sites> (undefined) as well", function () {
        const scan = countingScan(undefined);
        assert.strictEqual(cachedSiteNames("cache-test/web.config", "v1", scan.scan), undefined);
        assert.strictEqual(cachedSiteNames("cache-test/web.config", "v1", scan.scan), undefined);
        assert.strictEqual(scan.calls(), 1);
    });

    it("does not cache a scan that throws", function () {
        assert.throws(() => cachedSiteNames("cache-test/bad.config", "v1", () => { throw new Error("not well-formed"); }), /not well-formed/);
        const scan = countingScan(["A"]);
        assert.deepStrictEqual(cachedSiteNames("cache-test/bad.config", "v1", scan.scan), ["A"]);
        assert.strictEqual(scan.calls(), 1);
    });

    it(`keeps at most ${MAX_CACHED_FILES} files, dropping the least recently used`, function () {
        const files = Array.from({ length: MAX_CACHED_FILES + 1 }, (_, i) => `cache-test/bounded-${i}.config`);
        const scan = countingScan(["A"]);
        for (const file of files.slice(0, MAX_CACHED_FILES)) cachedSiteNames(file, "v", scan.scan);
        cachedSiteNames(files[0], "v", scan.scan); // used again: now the most recent
        cachedSiteNames(files[MAX_CACHED_FILES], "v", scan.scan); // one more: files[1] goes
        assert.strictEqual(scan.calls(), MAX_CACHED_FILES + 1);
        cachedSiteNames(files[0], "v", scan.scan);
        assert.strictEqual(scan.calls(), MAX_CACHED_FILES + 1, "the file used again is still cached");
        cachedSiteNames(files[1], "v", scan.scan);
        assert.strictEqual(scan.calls(), MAX_CACHED_FILES + 2, "the least recently used file was dropped");
    });
});
