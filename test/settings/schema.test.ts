/**
 * The session element's attributes as IIS reads them from a file, writes them, and compares them:
 * one table per attribute kind, with the exact reason for each refusal.
 */
import * as assert from "assert";
import { formatAttribute, isSessionAttribute, parseAttributeText, sameValue, SESSION_ATTRIBUTES, UINT32_MAX } from "../../provider/settings/schema";

describe("the session attributes' schema", function () {
    it("reads booleans as IIS does: true or false in any case, surrounding white space ignored", function () {
        for (const attribute of ["allowSessionState", "keepSessionIdSecure"] as const) {
            for (const [text, value] of [["true", true], ["FALSE", false], [" True ", true], ["\tfalse\r\n", false]] as const) {
                assert.deepStrictEqual(parseAttributeText(attribute, text), { ok: true, value }, `${attribute} ${JSON.stringify(text)}`);
            }
            for (const text of ["", "yes", "1", "0", "tru e", "truefalse"]) {
                assert.deepStrictEqual(parseAttributeText(attribute, text), { ok: false, reason: `${JSON.stringify(text)} is not a boolean (true or false)` });
            }
        }
    });

    it("reads max as a uint32: digits only, up to 4294967295, white space around ignored", function () {
        for (const [text, value] of [["0", 0], ["42", 42], [" 7 ", 7], ["0010", 10], [String(UINT32_MAX), UINT32_MAX]] as const) {
            assert.deepStrictEqual(parseAttributeText("max", text), { ok: true, value }, JSON.stringify(text));
        }
        for (const text of ["", "-1", "1.5", "1e3", "0x10", "4294967296", "12a", "a12", "1 2"]) {
            assert.deepStrictEqual(parseAttributeText("max", text), { ok: false, reason: `${JSON.stringify(text)} is not a whole number from 0 to 4294967295` }, JSON.stringify(text));
        }
    });

    it("reads timeout as a TimeSpan of whole minutes and gives it canonical", function () {
        assert.deepStrictEqual(parseAttributeText("timeout", "00:20:00"), { ok: true, value: "00:20:00" });
        assert.deepStrictEqual(parseAttributeText("timeout", "1.00:00:00"), { ok: true, value: "1.00:00:00" });
        assert.deepStrictEqual(parseAttributeText("timeout", "1.0:0:0"), { ok: true, value: "1.00:00:00" });
        assert.deepStrictEqual(parseAttributeText("timeout", "0:20:00.000"), { ok: true, value: "00:20:00" });
        assert.deepStrictEqual(parseAttributeText("timeout", "24:00:00"), { ok: false, reason: '"24:00:00" has 24 hours; hours must be 0-23 (write days as d.hh:mm:ss)' });
        const refused = parseAttributeText("timeout", "00:20:30");
        assert.ok(!refused.ok);
    });

    it("writes what IIS writes: true/false, the number, the TimeSpan text", function () {
        assert.strictEqual(formatAttribute("allowSessionState", true), "true");
        assert.strictEqual(formatAttribute("keepSessionIdSecure", false), "false");
        assert.strictEqual(formatAttribute("keepSessionIdSecure", true), "true");
        assert.strictEqual(formatAttribute("max", 0), "0");
        assert.strictEqual(formatAttribute("timeout", "00:20:00"), "00:20:00");
    });

    it("compares timeouts by duration, everything else exactly", function () {
        assert.strictEqual(sameValue("timeout", "1.0:0:0", "1.00:00:00"), true);
        assert.strictEqual(sameValue("timeout", "00:20:00", "00:21:00"), false);
        assert.strictEqual(sameValue("timeout", "nonsense", "nonsense"), true, "unparseable text compares as text");
        assert.strictEqual(sameValue("timeout", "nonsense", "00:20:00"), false);
        assert.strictEqual(sameValue("max", 5, 5), true);
        assert.strictEqual(sameValue("max", "1.0:0:0", "1.00:00:00"), false, "only timeout compares by duration");
        assert.strictEqual(sameValue("allowSessionState", true, false), false);
    });

    it("compares exactly where a value is not a TimeSpan on both sides, and other attributes' strings exactly", function () {
        assert.strictEqual(sameValue("timeout", "x", "y"), false, "two unreadable timeouts differ unless equal");
        assert.strictEqual(sameValue("timeout", "x", "x"), true);
        assert.strictEqual(sameValue("timeout", "00:10:00", 10), false);
        assert.strictEqual(sameValue("timeout", 600, "00:10:00"), false);
        assert.strictEqual(sameValue("max", "10:00", "10:00:00"), false, "only timeout is compared by duration");
    });

    it("knows exactly its four attributes, in schema order", function () {
        assert.deepStrictEqual([...SESSION_ATTRIBUTES], ["allowSessionState", "keepSessionIdSecure", "max", "timeout"]);
        for (const name of SESSION_ATTRIBUTES) assert.strictEqual(isSessionAttribute(name), true);
        for (const name of ["Max", "session", "", "timeout "]) assert.strictEqual(isSessionAttribute(name), false);
    });
});
