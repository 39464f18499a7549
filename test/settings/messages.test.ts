/**
 * What messages quote and suggest: bounded prefixes of user values, valid Unicode, TimeSpan hints
 * that are right for every bare number, locations with white space, and import ids.
 */
import * as assert from "assert";
import { splitFileTargetId } from "../../provider/priorState";
import { bareNumberHint, CheckFailure, checkSettingsFields, normalizeTimeout, refuseMalformedText } from "../../provider/settings/inputs";
import { parseLocation } from "../../provider/settings/location";
import { loneSurrogateAt, quote, QUOTED_PREFIX_LENGTH, show, wellFormed } from "../../provider/settings/quote";
import { formatTimeSpan, parseTimeSpan } from "../../provider/settings/timespan";
import { seededRandom } from "../support/seededRandom";

describe("messages quote a bounded prefix of any value", function () {
    it("quotes short values whole and long ones as a prefix with the count left out", function () {
        assert.strictEqual(quote("00:10"), '"00:10"');
        const long = "9".repeat(1_000_000);
        const quoted = quote(long);
        assert.ok(quoted.length < QUOTED_PREFIX_LENGTH + 40, quoted);
        assert.ok(quoted.endsWith(`… (${1_000_000 - QUOTED_PREFIX_LENGTH} more characters)`));
        assert.ok(show({ big: long }).length < QUOTED_PREFIX_LENGTH + 40);
        // A surrogate pair is never cut in half.
        const emoji = "a".repeat(QUOTED_PREFIX_LENGTH - 1) + "😀" + "b".repeat(10);
        assert.strictEqual(loneSurrogateAt(JSON.parse(quote(emoji).split("…")[0])), -1);
    });

    it("no failure of check quotes more than a bounded prefix of a huge input (property: every field, random sizes)", function () {
        const random = seededRandom(8);
        for (let round = 0; round < 40; round++) {
            const size = 1000 + Math.floor(random() * 200_000);
            const junk = String.fromCharCode(0x41 + Math.floor(random() * 26)).repeat(size);
            for (const field of ["location", "timeout", "max", "allowSessionState", "keepSessionIdSecure", "onDelete"]) {
                const failures: CheckFailure[] = [];
                checkSettingsFields({ [field]: field === "location" ? `${junk}\\` : junk }, failures);
                assert.strictEqual(failures.length, 1, `${field} of ${size} characters`);
                assert.ok(failures[0].reason.length < 600, `${field}: a reason of ${failures[0].reason.length} characters`);
            }
        }
    });

    it("turns lone surrogates into U+FFFD for messages, keeping pairs", function () {
        assert.strictEqual(wellFormed("a\ud800b\udc00c😀"), "a\ufffdb\ufffdc😀");
        assert.strictEqual(loneSurrogateAt("😀\ud83d"), 2);
        assert.strictEqual(loneSurrogateAt("ok"), -1);
    });
});

describe("the TimeSpan hint for a bare number", function () {
    it("suggests only spellings that mean the number and that IIS accepts, for every size", function () {
        for (const text of ["0", "1", "10", "365", "366", "1440", "525600", "525601", "999999", "99999999999999999999", " 42 ", "0010"]) {
            const hint = bareNumberHint(text);
            assert.match(hint, /ambiguous \(\.NET reads a bare number as days\)/);
            const n = Number(text.trim());
            for (const [, suggested, count, unit] of hint.matchAll(/write "([^"]+)"(?: or pass the number \d+)? for (\d+) (minutes|days)/g)) {
                assert.strictEqual(Number(count), n, hint);
                const parsed = parseTimeSpan(suggested);
                assert.ok(parsed.ok && parsed.seconds === n * (unit === "days" ? 86_400 : 60), `${text}: "${suggested}" is not ${count} ${unit}`);
                assert.ok(parsed.ok && parsed.seconds <= 31_536_000, `${text}: "${suggested}" is out of range`);
            }
            if (n > 525_600) assert.match(hint, /out of range either way: the most IIS accepts is 365\.00:00:00 \(525600 minutes\)/, text);
            else assert.match(hint, new RegExp(`"${formatTimeSpan(n * 60)}" or pass the number ${n} for ${n} minutes`), text);
        }
        assert.doesNotMatch(bareNumberHint("999999"), /365\.00:00:00 for 999999 minutes/);
        const refused = normalizeTimeout("999999");
        assert.ok(!refused.ok && /out of range either way/.test(refused.reason));
    });
});

describe("location segments with white space at either end", function () {
    it("are refused, naming the segment and suggesting it trimmed; spaces inside a name are fine", function () {
        for (const [input, segment] of [["Site ", "Site "], [" Site", " Site"], ["Site/ app", " app"], ["Site/app\u00a0", "app\u00a0"], ["Default Web Site /shop", "Default Web Site "]]) {
            const parsed = parseLocation(input);
            assert.ok(!parsed.ok, input);
            assert.ok(parsed.reason.includes(`white space at the start or end of ${JSON.stringify(segment)}`), parsed.reason);
            assert.ok(parsed.reason.includes(`did you mean ${JSON.stringify(segment.trim())}?`), parsed.reason);
        }
        for (const input of ["Default Web Site", "Default Web Site/my shop", "Site (old)/a b c"]) assert.ok(parseLocation(input).ok, input);
    });
});

describe("strings that are not valid Unicode", function () {
    it("are refused at check, naming the field (nested too), and dropped from the inputs", function () {
        const failures: CheckFailure[] = [];
        const inputs = refuseMalformedText({ __provider: "text", location: "Site\ud800", max: 5, target: { kind: "file", path: "/x/\udc00.config" } }, failures);
        assert.deepStrictEqual(failures.map((f) => f.property), ["location", "target.path"]);
        assert.match(failures[0].reason, /^location is not valid Unicode text: it holds half of a UTF-16 surrogate pair at position 4 \("Site\\ud800"\)/);
        assert.deepStrictEqual(inputs, { __provider: "text", max: 5 });
        assert.strictEqual(refuseMalformedText({ location: "Genomgång 😀" }, []), undefined);
    });
});

describe("file target ids", function () {
    it("split at the first | after which the path names an existing file, else at the first |", function () {
        const exists = (files: string[]) => (candidate: string) => files.includes(candidate);
        assert.deepStrictEqual(splitFileTargetId("file:/etc/iis/applicationHost.config|Site|a", exists(["/etc/iis/applicationHost.config"])), { path: "/etc/iis/applicationHost.config", location: "Site|a" });
        assert.deepStrictEqual(splitFileTargetId("file:/etc/iis/applicationHost.config|Site|a", exists([])), { path: "/etc/iis/applicationHost.config", location: "Site|a" });
        assert.deepStrictEqual(splitFileTargetId("file:/odd|dir/applicationHost.config|Site", exists(["/odd|dir/applicationHost.config"])), { path: "/odd|dir/applicationHost.config", location: "Site" });
        assert.deepStrictEqual(splitFileTargetId("file:C:\\a.config|", exists([])), { path: "C:\\a.config", location: "" });
        assert.strictEqual(splitFileTargetId("winrm:web01|Site", exists([])), undefined);
        assert.strictEqual(splitFileTargetId("file:|Site", exists([])), undefined);
        assert.strictEqual(splitFileTargetId("file:/no/bar", exists([])), undefined);
    });
});
