/**
 * quote/show and the surrogate helpers against independent oracles: JSON.stringify for what a
 * short value looks like, and the JavaScript engine's own String.prototype.isWellFormed and
 * toWellFormed (ES2024) for lone surrogates.
 */
import * as assert from "assert";
import { loneSurrogateAt, quote, QUOTED_PREFIX_LENGTH, show, wellFormed } from "../../provider/settings/quote";
import { seededRandom } from "../support/seededRandom";

type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/** Random text rich in surrogates: pairs, lone highs and lows, ASCII, BMP characters. */
function randomText(random: () => number, length: number): string {
    const units = ["a", "é", "日", "\ud83d\ude00", "\ud83d", "\ude00", "\udbff", "\udc00", '"', "\\", "\n"];
    let text = "";
    while (text.length < length) text += units[Math.floor(random() * units.length)];
    return text;
}

describe("quote and show", function () {
    it("quote: whole when at most the limit, else the JSON of a prefix and the exact count left out, never half a pair (property)", function () {
        const random = seededRandom(41);
        for (let round = 0; round < 5_000; round++) {
            const limit = 1 + Math.floor(random() * 12);
            const text = randomText(random, Math.floor(random() * 30));
            const quoted = quote(text, limit);
            if (text.length <= limit) {
                assert.strictEqual(quoted, JSON.stringify(text));
                continue;
            }
            const cutsPair = /[\ud800-\udbff]/.test(text[limit - 1]) && /[\udc00-\udfff]/.test(text[limit] ?? "");
            const highAtEnd = /[\ud800-\udbff]/.test(text[limit - 1]);
            const kept = highAtEnd ? limit - 1 : limit;
            assert.strictEqual(quoted, `${JSON.stringify(text.slice(0, kept))}… (${text.length - kept} more characters)`, `${JSON.stringify(text)} at ${limit} (cuts a pair: ${cutsPair})`);
        }
    });

    it("quote uses QUOTED_PREFIX_LENGTH by default: a value of exactly that length is whole, one more is cut", function () {
        const exact = "x".repeat(QUOTED_PREFIX_LENGTH);
        assert.strictEqual(quote(exact), JSON.stringify(exact));
        assert.strictEqual(quote(exact + "y"), `${JSON.stringify(exact)}… (1 more characters)`);
    });

    it("show: nothing, strings as quote, other values as JSON cut at the same length, values JSON cannot write as text", function () {
        assert.strictEqual(show(undefined), "nothing");
        assert.strictEqual(show("a"), '"a"');
        assert.strictEqual(show("x".repeat(QUOTED_PREFIX_LENGTH + 5)), quote("x".repeat(QUOTED_PREFIX_LENGTH + 5)));
        assert.strictEqual(show(null), "null");
        assert.strictEqual(show(42), "42");
        assert.strictEqual(show({ a: [1, true] }), '{"a":[1,true]}');
        const long = { text: "z".repeat(200) };
        const json = JSON.stringify(long);
        assert.strictEqual(show(long), `${json.slice(0, QUOTED_PREFIX_LENGTH)}… (${json.length - QUOTED_PREFIX_LENGTH} more characters)`);
        const exact = ["y".repeat(QUOTED_PREFIX_LENGTH - 4)];
        assert.strictEqual(JSON.stringify(exact).length, QUOTED_PREFIX_LENGTH);
        assert.strictEqual(show(exact), JSON.stringify(exact));
        assert.strictEqual(show(10n), "10", "JSON.stringify throws on a BigInt");
        assert.strictEqual(show(NaN), "NaN", "JSON would say null");
        assert.strictEqual(show(-Infinity), "-Infinity");
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        assert.strictEqual(show(circular), "[object Object]");
        assert.strictEqual(show(() => 1), "() => 1", "JSON.stringify gives undefined for a function");
    });

    it("the surrogate ranges' edges: each edge code unit alone, and a pair at the cut", function () {
        for (const [unit, lone] of [[0xd7ff, false], [0xd800, true], [0xdbff, true], [0xdc00, true], [0xdfff, true], [0xe000, false]] as [number, boolean][]) {
            assert.strictEqual(loneSurrogateAt("ab" + String.fromCharCode(unit)), lone ? 2 : -1, unit.toString(16));
        }
        const head = "a".repeat(QUOTED_PREFIX_LENGTH - 1);
        for (const pair of ["\ud800\udc00", "\udbff\udfff"]) {
            assert.strictEqual(quote(head + pair), `${JSON.stringify(head)}… (2 more characters)`, JSON.stringify(pair));
        }
        assert.strictEqual(quote(head + "\ud7ff\ue000"), `${JSON.stringify(head + "\ud7ff")}… (1 more characters)`);
    });

    it("loneSurrogateAt and wellFormed agree with the engine's isWellFormed and toWellFormed (property)", function () {
        const random = seededRandom(42);
        for (let round = 0; round < 20_000; round++) {
            const text = randomText(random, Math.floor(random() * 12)) as Es2024String;
            const at = loneSurrogateAt(text);
            assert.strictEqual(at === -1, text.isWellFormed(), JSON.stringify(text));
            if (at !== -1) {
                assert.ok((text.slice(0, at) as Es2024String).isWellFormed(), `${JSON.stringify(text)}: something before ${at} is already lone`);
                assert.ok(!(text.slice(0, at + 1) as Es2024String).isWellFormed(), `${JSON.stringify(text)}: ${at} is not lone`);
            }
            assert.strictEqual(wellFormed(text), text.toWellFormed(), JSON.stringify(text));
        }
    });
});
