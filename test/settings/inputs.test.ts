import * as assert from "assert";
import { checkSettingsFields, CheckFailure, normalizeMax, normalizeTimeout, normalizeBoolean, UNKNOWN } from "../../provider/settings/inputs";
import { locationKey, locationLineage, parseLocation, sameLocation } from "../../provider/settings/location";
import { parseAttributeText, sameValue } from "../../provider/settings/schema";

function check(news: Record<string, unknown>) {
    const failures: CheckFailure[] = [];
    const inputs = checkSettingsFields(news, failures);
    return { inputs, failures };
}

describe("session settings inputs", function () {
    it("normalises equivalent spellings to what IIS writes", function () {
        const { inputs, failures } = check({ location: "/Default Web Site/shop/", allowSessionState: "TRUE", keepSessionIdSecure: false, max: "1000", timeout: "1.00:00:00" });
        assert.deepStrictEqual(failures, []);
        assert.deepStrictEqual(inputs, { location: "Default Web Site/shop", allowSessionState: true, keepSessionIdSecure: false, max: 1000, timeout: "1.00:00:00", onDelete: "restore" });
        assert.deepStrictEqual(normalizeTimeout(10), { ok: true, value: "00:10:00" });
        assert.deepStrictEqual(normalizeTimeout("0:10"), { ok: true, value: "00:10:00" });
        assert.deepStrictEqual(normalizeTimeout("24.00:00:00"), { ok: true, value: "24.00:00:00" });
    });

    it("accepts the uint32 boundaries of max and refuses one past them", function () {
        assert.deepStrictEqual(normalizeMax(0), { ok: true, value: 0 });
        assert.deepStrictEqual(normalizeMax(4294967295), { ok: true, value: 4294967295 });
        for (const bad of [4294967296, -1, 1.5, "1e3", "", true, null]) assert.ok(!normalizeMax(bad).ok, String(bad));
    });

    it("accepts the timeout boundaries and refuses past them", function () {
        assert.ok(normalizeTimeout(0).ok);
        assert.ok(normalizeTimeout(525600).ok);
        assert.ok(!normalizeTimeout(525601).ok);
        assert.ok(!normalizeTimeout(1.5).ok);
        assert.ok(!normalizeTimeout("365.00:01:00").ok);
    });

    it("refuses a bare digit string for timeout, pointing at the two spellings that mean minutes", function () {
        const result = normalizeTimeout("10");
        assert.ok(!result.ok);
        assert.match(result.ok ? "" : result.reason, /ambiguous.*"00:10:00".*number 10/);
    });

    it("names the field and what is allowed in every failure", function () {
        const { failures } = check({ location: "Site\\app", allowSessionState: "yes", max: -5, timeout: "00:10:30", onDelete: "keep" });
        const byField = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
        assert.deepStrictEqual(Object.keys(byField).sort(), ["allowSessionState", "location", "max", "onDelete", "timeout"]);
        assert.match(byField.location, /separate site and application with "\/"/);
        assert.match(byField.allowSessionState, /^allowSessionState must be true or false, got "yes"/);
        assert.match(byField.max, /^max must be a whole number from 0 to 4294967295/);
        assert.match(byField.timeout, /^timeout "00:10:30" is not a whole number of minutes/);
        assert.match(byField.onDelete, /"restore".*"inherit"/);
    });

    it("lets unknown values through during preview", function () {
        const { inputs, failures } = check({ location: UNKNOWN, timeout: UNKNOWN, max: 5 });
        assert.deepStrictEqual(failures, []);
        assert.strictEqual(inputs.location, UNKNOWN);
        assert.strictEqual(inputs.timeout, UNKNOWN);
        assert.strictEqual(inputs.max, 5);
    });

    it("reads booleans case-insensitively, as IIS does", function () {
        assert.deepStrictEqual(normalizeBoolean(" False "), { ok: true, value: false });
        assert.deepStrictEqual(parseAttributeText("allowSessionState", "TRUE"), { ok: true, value: true });
        assert.ok(!parseAttributeText("max", "-1").ok);
        assert.deepStrictEqual(parseAttributeText("timeout", "0:20"), { ok: true, value: "00:20:00" });
        assert.ok(sameValue("timeout", "00:20:00", "0:20:00"));
        assert.ok(!sameValue("max", 1, 2));
    });
});

describe("location paths", function () {
    it("compares case-insensitively and without surrounding slashes, as IIS does", function () {
        assert.ok(sameLocation("Default Web Site/Shop", "default web site/shop/"));
        assert.ok(sameLocation("Genomgång", "GENOMGÅNG"));
        assert.ok(!sameLocation("Site", "Site/app"));
        assert.strictEqual(locationKey("."), "");
    });
    it("lists the lineage a location inherits from", function () {
        assert.deepStrictEqual(locationLineage("A/b/c"), ["A", "A/b", "A/b/c"]);
        assert.deepStrictEqual(locationLineage(""), []);
    });
    it("keeps unusual but valid site names and refuses broken paths", function () {
        for (const ok of ["Site (1).example.com", "Genomgång", "S/_layouts/CUI.js", "Tom & Jerry's \"site\""]) assert.ok(parseLocation(ok).ok, ok);
        for (const bad of ["A//b", "A/../b", "A/./b", "a\nb", "a\\b", " / "]) assert.ok(!parseLocation(bad).ok, bad);
    });
});

describe("hasLocationKey", function () {
    it("agrees with locationKey(path) === key, for ASCII and non-ASCII paths and keys", async function () {
        const { hasLocationKey, isAscii } = await import("../../provider/settings/location");
        const paths = ["Site", "/site/", "SITE/App", "Genomgång", "GENOMGÅNG", ".", "/", "", "İstanbul", "i̇stanbul", "Site//", "Sitex", "Sit"];
        for (const path of paths) {
            for (const other of paths) {
                const key = locationKey(other);
                assert.strictEqual(hasLocationKey(path, key, isAscii(key)), locationKey(path) === key, `${JSON.stringify(path)} vs key ${JSON.stringify(key)}`);
            }
        }
    });
});
