import * as assert from "assert";
import { checkSessionTimeout, formatTimeSpan, parseTimeSpan } from "../../provider/settings/timespan";

describe("TimeSpan", function () {
    it("reads the spellings .NET accepts", function () {
        const cases: Array<[string, number]> = [
            ["00:20:00", 1200], ["0:20", 1200], ["1.00:00:00", 86400], ["2", 172800], [" 01:02:03 ", 3723],
            ["365.00:00:00", 31536000], ["00:00:00.0000000", 0], ["10:00", 36000],
        ];
        for (const [text, seconds] of cases) {
            const parsed = parseTimeSpan(text);
            assert.ok(parsed.ok, text);
            assert.strictEqual(parsed.ok && parsed.seconds, seconds, text);
        }
    });

    it("refuses what .NET refuses or reads differently, saying why", function () {
        for (const [text, why] of [["24:00:00", /hours must be 0-23/], ["00:60:00", /minutes must be 0-59/], ["00:00:60", /seconds/],
            ["ten minutes", /not a TimeSpan/], ["", /not a TimeSpan/], ["1:2:3:4", /not a TimeSpan/]] as Array<[string, RegExp]>) {
            const parsed = parseTimeSpan(text);
            assert.ok(!parsed.ok, text);
            assert.match(parsed.ok ? "" : parsed.reason, why);
        }
    });

    it("edges: 59 seconds is the last allowed, a negative whole number of days, which fractions count", function () {
        assert.deepStrictEqual(parseTimeSpan("00:00:59"), { ok: true, seconds: 59, fractional: false });
        assert.deepStrictEqual(parseTimeSpan("00:00:60"), { ok: false, reason: '"00:00:60" has 60 seconds; seconds must be 0-59' });
        assert.deepStrictEqual(parseTimeSpan("-5"), { ok: true, seconds: -432_000, fractional: false });
        assert.deepStrictEqual(parseTimeSpan("-00:10:00"), { ok: true, seconds: -600, fractional: false });
        assert.deepStrictEqual(parseTimeSpan("00:10:00"), { ok: true, seconds: 600, fractional: false });
        assert.deepStrictEqual(parseTimeSpan("00:10:00.0000000"), { ok: true, seconds: 600, fractional: false });
        assert.deepStrictEqual(parseTimeSpan("00:10:00.0000001"), { ok: true, seconds: 600, fractional: true });
        assert.throws(() => formatTimeSpan(-60), (error: Error) => error instanceof RangeError && error.message === "cannot format -60 seconds as a session timeout");
        assert.throws(() => formatTimeSpan(1.5), /^RangeError: cannot format 1\.5 seconds as a session timeout$/);
    });

    it("writes what IIS writes: hh:mm:ss, and d.hh:mm:ss from one day", function () {
        assert.strictEqual(formatTimeSpan(0), "00:00:00");
        assert.strictEqual(formatTimeSpan(600), "00:10:00");
        assert.strictEqual(formatTimeSpan(86340), "23:59:00");
        assert.strictEqual(formatTimeSpan(86400), "1.00:00:00");
        assert.strictEqual(formatTimeSpan(31536000), "365.00:00:00");
        assert.throws(() => formatTimeSpan(-60), RangeError);
    });

    it("formats then parses back to the same seconds for every whole minute in range (sampled)", function () {
        for (let minutes = 0; minutes <= 525600; minutes += 97) {
            const parsed = parseTimeSpan(formatTimeSpan(minutes * 60));
            assert.ok(parsed.ok && parsed.seconds === minutes * 60, String(minutes));
        }
    });

    describe("the session timeout range (timeSpanRange 0,31536000,60)", function () {
        it("accepts the boundaries 0 and 365 days", function () {
            assert.deepStrictEqual(checkSessionTimeout("00:00:00"), { ok: true, seconds: 0 });
            assert.deepStrictEqual(checkSessionTimeout("365.00:00:00"), { ok: true, seconds: 31536000 });
            assert.deepStrictEqual(checkSessionTimeout("364.23:59:00"), { ok: true, seconds: 31535940 });
        });
        it("refuses one minute past 365 days, parts of minutes and negatives", function () {
            for (const [text, why] of [["365.00:01:00", /365 days/], ["00:10:30", /whole number of minutes/],
                ["00:10:00.5", /whole number of minutes/], ["-00:10:00", /negative/], ["366", /365 days/]] as Array<[string, RegExp]>) {
                const checked = checkSessionTimeout(text);
                assert.ok(!checked.ok, text);
                assert.match(checked.ok ? "" : checked.reason, why, text);
            }
        });
    });
});
