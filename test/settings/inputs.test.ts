/**
 * Every settings field's check, one table per field: each accepted spelling with the exact value it
 * becomes, each refused one with the exact reason, and the fields around them (null as absent,
 * defaults, unknowns in preview). And the refusal of text that is not valid Unicode, wherever it
 * sits in the inputs.
 */
import * as assert from "assert";
import {
    bareNumberHint, checkSettingsFields, CheckFailure, normalizeBoolean, normalizeMax, normalizeOnDelete, normalizeTimeout,
    refuseMalformedText, UNKNOWN,
} from "../../provider/settings/inputs";
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

const TIMEOUT_ALLOWED = "a TimeSpan in whole minutes from 00:00:00 to 365.00:00:00 (hh:mm:ss or d.hh:mm:ss), or a number of minutes";

describe("settings fields, one table each", function () {
    it("booleans: true/false in any case and around white space; nothing else", function () {
        const accepted: [unknown, boolean][] = [[true, true], [false, false], ["TRUE", true], [" false ", false], ["False", false], ["\ttrue\n", true]];
        for (const [input, value] of accepted) assert.deepStrictEqual(normalizeBoolean(input), { ok: true, value }, JSON.stringify(input));
        for (const input of ["yes", "1", "truex", "xtrue", "true false", "", 1, 0, null]) {
            assert.deepStrictEqual(normalizeBoolean(input), { ok: false, reason: `must be true or false, got ${input === null ? "null" : typeof input === "string" ? JSON.stringify(input) : String(input)}` }, JSON.stringify(input));
        }
    });

    it("max: a uint32 as a number or digits (white space around them allowed); the reason names the range and the value", function () {
        const accepted: [unknown, number][] = [[0, 0], [7, 7], ["7", 7], [" 0042 ", 42], ["4294967295", 4294967295], [4294967295, 4294967295]];
        for (const [input, value] of accepted) assert.deepStrictEqual(normalizeMax(input), { ok: true, value }, JSON.stringify(input));
        const refused: [unknown, string][] = [[-1, "-1"], [1.5, "1.5"], [4294967296, "4294967296"], ["4294967296", '"4294967296"'], ["1e3", '"1e3"'], ["-1", '"-1"'], ["", '""'], ["0x10", '"0x10"'], [true, "true"], [NaN, "NaN"]];
        for (const [input, shown] of refused) {
            assert.deepStrictEqual(normalizeMax(input), { ok: false, reason: `must be a whole number from 0 to 4294967295 (uint32), got ${shown}` }, String(input));
        }
    });

    it("timeout as a number of minutes: 0 to 525,600, whole; written as IIS writes it", function () {
        const accepted: [number, string][] = [[0, "00:00:00"], [1, "00:01:00"], [20, "00:20:00"], [60, "01:00:00"], [1440, "1.00:00:00"], [525600, "365.00:00:00"]];
        for (const [input, value] of accepted) assert.deepStrictEqual(normalizeTimeout(input), { ok: true, value }, String(input));
        for (const input of [-1, 525601, 1.5, Infinity, NaN]) {
            assert.deepStrictEqual(normalizeTimeout(input), { ok: false, reason: `must be ${TIMEOUT_ALLOWED}; ${input} minutes is not` }, String(input));
        }
    });

    it("timeout of another type: refused, showing what came", function () {
        for (const [input, shown] of [[true, "true"], [null, "null"], [{ minutes: 5 }, '{"minutes":5}']] as [unknown, string][]) {
            assert.deepStrictEqual(normalizeTimeout(input), { ok: false, reason: `must be ${TIMEOUT_ALLOWED}, got ${shown}` }, shown);
        }
    });

    it("timeout as text: the checker's reason, then what is allowed", function () {
        assert.deepStrictEqual(normalizeTimeout(" 00:20:00 "), { ok: true, value: "00:20:00" });
        const refused = normalizeTimeout("00:10:30");
        assert.ok(!refused.ok && refused.reason.endsWith(`; must be ${TIMEOUT_ALLOWED}`) && refused.reason.startsWith('"00:10:30" is not a whole number of minutes'), JSON.stringify(refused));
    });

    it("a bare number: both readings where each fits, exactly; leading zeros and white space are the same number", function () {
        const head = (text: string) => `${JSON.stringify(text)} is ambiguous (.NET reads a bare number as days)`;
        assert.strictEqual(bareNumberHint("10"), `${head("10")}; write "00:10:00" or pass the number 10 for 10 minutes, or write "10.00:00:00" for 10 days`);
        assert.strictEqual(bareNumberHint(" 0010 "), `${head(" 0010 ")}; write "00:10:00" or pass the number 10 for 10 minutes, or write "10.00:00:00" for 10 days`);
        assert.strictEqual(bareNumberHint("000"), `${head("000")}; write "00:00:00" or pass the number 0 for 0 minutes, or write "00:00:00" for 0 days`);
        assert.strictEqual(bareNumberHint("365"), `${head("365")}; write "06:05:00" or pass the number 365 for 365 minutes, or write "365.00:00:00" for 365 days`);
        assert.strictEqual(bareNumberHint("366"), `${head("366")}; write "06:06:00" or pass the number 366 for 366 minutes`);
        assert.strictEqual(bareNumberHint("525600"), `${head("525600")}; write "365.00:00:00" or pass the number 525600 for 525600 minutes`);
        assert.strictEqual(bareNumberHint("525601"), `${head("525601")}, and is out of range either way: the most IIS accepts is 365.00:00:00 (525600 minutes)`);
        assert.deepStrictEqual(normalizeTimeout(" 10 "), { ok: false, reason: bareNumberHint(" 10 ") });
    });

    it("onDelete: restore by default (absent or null), or inherit; nothing else", function () {
        assert.deepStrictEqual(normalizeOnDelete(undefined), { ok: true, value: "restore" });
        assert.deepStrictEqual(normalizeOnDelete(null), { ok: true, value: "restore" });
        assert.deepStrictEqual(normalizeOnDelete("inherit"), { ok: true, value: "inherit" });
        assert.deepStrictEqual(normalizeOnDelete("restore"), { ok: true, value: "restore" });
        assert.deepStrictEqual(normalizeOnDelete("Inherit"), { ok: false, reason: 'must be "restore" (put back what was there before) or "inherit" (remove the managed attributes), got "Inherit"' });
    });
});

describe("checkSettingsFields", function () {
    it("location: absent or null is the server level; not a string is refused, naming what is allowed", function () {
        assert.deepStrictEqual(check({}), { inputs: { location: "", onDelete: "restore" }, failures: [] });
        assert.deepStrictEqual(check({ location: null }), { inputs: { location: "", onDelete: "restore" }, failures: [] });
        assert.deepStrictEqual(check({ location: 5 }), { inputs: { onDelete: "restore" }, failures: [{ property: "location", reason: 'must be a string ("" for the server, "Site" or "Site/app/..."), got 5' }] });
        assert.deepStrictEqual(check({ location: UNKNOWN }).inputs, { location: UNKNOWN, onDelete: "restore" });
    });

    it("a null attribute is absent: not managed, not refused", function () {
        assert.deepStrictEqual(check({ location: "A", allowSessionState: null, max: null, timeout: null, keepSessionIdSecure: null }), { inputs: { location: "A", onDelete: "restore" }, failures: [] });
    });

    it("each refused attribute is named, with the field first in its reason; the others are kept", function () {
        const { inputs, failures } = check({ location: "A", allowSessionState: "maybe", max: 3, timeout: true, keepSessionIdSecure: "TRUE" });
        assert.deepStrictEqual(inputs, { location: "A", max: 3, keepSessionIdSecure: true, onDelete: "restore" });
        assert.deepStrictEqual(failures, [
            { property: "allowSessionState", reason: 'allowSessionState must be true or false, got "maybe"' },
            { property: "timeout", reason: `timeout must be ${TIMEOUT_ALLOWED}, got true` },
        ]);
    });

    it("onApplyFailure: record is kept; fail, absent and null leave it out; anything else is refused", function () {
        assert.strictEqual(check({ onApplyFailure: "record" }).inputs.onApplyFailure, "record");
        for (const value of ["fail", undefined, null]) {
            const { inputs, failures } = check({ onApplyFailure: value });
            assert.ok(!("onApplyFailure" in inputs) && failures.length === 0, String(value));
        }
        assert.deepStrictEqual(check({ onApplyFailure: "ignore" }).failures, [{ property: "onApplyFailure", reason: 'onApplyFailure must be "fail" (a failed apply fails the deployment) or "record" (it is recorded in applyFailure), got "ignore"' }]);
        assert.deepStrictEqual(check({ onDelete: 3 }).failures, [{ property: "onDelete", reason: 'onDelete must be "restore" (put back what was there before) or "inherit" (remove the managed attributes), got 3' }]);
    });
});

describe("refuseMalformedText", function () {
    const lone = "a\ud800b";

    function refuse(news: Record<string, unknown>) {
        const failures: CheckFailure[] = [];
        return { inputs: refuseMalformedText(news, failures), failures };
    }

    it("nothing to refuse: undefined, and no failure", function () {
        assert.deepStrictEqual(refuse({ location: "A\u{1F600}", target: { kind: "file", path: "/x", list: ["é", 1, null] }, max: 5 }), { inputs: undefined, failures: [] });
    });

    it("names the path into arrays and objects, and drops only the fields that hold it", function () {
        const { inputs, failures } = refuse({ location: "ok", target: { kind: "winrm", hosts: ["a", lone] }, max: 5 });
        assert.deepStrictEqual(inputs, { location: "ok", max: 5 });
        assert.deepStrictEqual(failures.map((f) => f.property), ["target.hosts[1]"]);
        assert.match(failures[0].reason, /^target\.hosts\[1\] is not valid Unicode text: it holds half of a UTF-16 surrogate pair at position 1 /);
    });

    it("a field name inside an object, and an input's own name", function () {
        const inner = refuse({ target: { [lone]: "x" } });
        assert.deepStrictEqual(inner.failures, [{ property: "target", reason: `target has a field name that is not valid Unicode text (${JSON.stringify(lone)})` }]);
        assert.deepStrictEqual(inner.inputs, {});
        const top = refuse({ [lone]: 1, location: "A" });
        assert.deepStrictEqual(top.failures, [{ property: "(input name)", reason: `an input name is not valid Unicode text (${JSON.stringify(lone)})` }]);
        assert.deepStrictEqual(top.inputs, { location: "A" });
    });

    it("the serialized provider (__provider) is not the user's input and is not looked into", function () {
        assert.deepStrictEqual(refuse({ __provider: `exports.x = "${lone}"`, location: "A" }), { inputs: undefined, failures: [] });
    });
});
