/**
 * Location paths, checked against independent statements of IIS's rules (properties over random
 * paths): how paths compare, what a location inherits from, and what is refused and why.
 */
import * as assert from "assert";
import { describeLocation, hasLocationKey, isAscii, locationKey, locationLineage, parseLocation, sameLocation } from "../../provider/settings/location";
import { seededRandom } from "../support/seededRandom";

/** Random paths from pieces that matter: slashes, dots, case, spaces, non-ASCII whose lower case changes length. */
function randomPath(random: () => number): string {
    const pieces = ["/", "//", ".", "..", "a", "A", "Site", "sHoP", " ", "İ", "ß", "Ω", "日本", "x y", "-"];
    let text = "";
    const count = Math.floor(random() * 7);
    for (let i = 0; i < count; i++) text += pieces[Math.floor(random() * pieces.length)];
    return text;
}

/** IIS's comparison, stated without the code under test: trim every "/" at both ends, "." is the server, ignore case. */
function expectedKey(path: string): string {
    let text = path;
    while (text.startsWith("/")) text = text.slice(1);
    while (text.endsWith("/")) text = text.slice(0, -1);
    return text === "." ? "" : text.toLowerCase();
}

describe("location paths", function () {
    it("locationKey, sameLocation and hasLocationKey agree with IIS's comparison (property: 20,000 random pairs)", function () {
        const random = seededRandom(31);
        for (let round = 0; round < 20_000; round++) {
            const a = randomPath(random);
            const b = random() < 0.3 ? a.toUpperCase() : randomPath(random);
            assert.strictEqual(locationKey(a), expectedKey(a), JSON.stringify(a));
            assert.strictEqual(sameLocation(a, b), expectedKey(a) === expectedKey(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
            const key = expectedKey(b);
            assert.strictEqual(hasLocationKey(a, key, isAscii(key)), expectedKey(a) === key, `${JSON.stringify(a)} has key ${JSON.stringify(key)}`);
        }
    });

    it("hasLocationKey: the length shortcut is taken only for ASCII keys (lower-casing İ changes the length)", function () {
        assert.strictEqual("İ".toLowerCase().length, 2);
        assert.strictEqual(hasLocationKey("İ", "i̇", false), true);
        assert.strictEqual(hasLocationKey("/Site/", "site", true), true);
        assert.strictEqual(hasLocationKey("Site2", "site", true), false);
        assert.strictEqual(hasLocationKey("/./", "", true), true);
        assert.strictEqual(hasLocationKey(".", "x", true), false);
        assert.strictEqual(hasLocationKey("", "", true), true);
        assert.strictEqual(hasLocationKey("//", "", true), true);
    });

    it("isAscii is true exactly when no code unit is above 0x7f", function () {
        for (let code = 0; code < 0x200; code++) assert.strictEqual(isAscii(`ab${String.fromCharCode(code)}`), code <= 0x7f, String(code));
        assert.strictEqual(isAscii(""), true);
    });

    it("locationLineage lists each ancestor once, nearest last, ending at the path itself (property)", function () {
        const random = seededRandom(32);
        for (let round = 0; round < 5_000; round++) {
            const path = randomPath(random);
            const lineage = locationLineage(path);
            const normal = path.replace(/^\/+|\/+$/g, "");
            if (normal === "" || normal === ".") {
                assert.deepStrictEqual(lineage, [], JSON.stringify(path));
                continue;
            }
            const segments = normal.split("/");
            assert.strictEqual(lineage.length, segments.length, JSON.stringify(path));
            assert.strictEqual(lineage[lineage.length - 1], normal);
            assert.strictEqual(lineage[0], segments[0]);
            for (let i = 1; i < lineage.length; i++) assert.strictEqual(lineage[i], `${lineage[i - 1]}/${segments[i]}`);
        }
        assert.deepStrictEqual(locationLineage("/Default Web Site/shop/cart/"), ["Default Web Site", "Default Web Site/shop", "Default Web Site/shop/cart"]);
    });

    it("parseLocation accepts what IIS names and gives it without surrounding slashes; what it accepts it accepts again unchanged (property)", function () {
        const random = seededRandom(33);
        let accepted = 0;
        for (let round = 0; round < 20_000; round++) {
            const input = randomPath(random);
            const parsed = parseLocation(input);
            const normal = input.replace(/^\/+|\/+$/g, "");
            const segments = normal === "" || normal === "." ? [] : normal.split("/");
            const acceptable = segments.every((s) => s !== "" && s !== "." && s !== ".." && s.trim() === s && s.trim() !== "");
            assert.strictEqual(parsed.ok, acceptable, `${JSON.stringify(input)}: ${parsed.ok ? "accepted" : parsed.reason}`);
            if (!parsed.ok) {
                assert.ok(parsed.reason.startsWith(JSON.stringify(input)), parsed.reason);
                continue;
            }
            accepted++;
            assert.strictEqual(parsed.path, segments.join("/"));
            assert.deepStrictEqual(parseLocation(parsed.path), parsed);
        }
        assert.ok(accepted > 1000 && accepted < 19_000, `${accepted} accepted: the generator must produce both kinds`);
    });

    it("parseLocation says why, for each kind of refusal", function () {
        const cases: [string, string][] = [
            ["Site\u0007", `"Site\\u0007" contains a control character; location paths are "Site" or "Site/app/..."`],
            ["Site\u007f", `"Site\u007f" contains a control character; location paths are "Site" or "Site/app/..."`],
            ["Site\\app", `"Site\\\\app" contains "\\"; separate site and application with "/", e.g. "Default Web Site/shop"`],
            ["Site//app", `"Site//app" has an empty segment ("//"); use "Site" or "Site/app/..."`],
            ["Site/./app", `"Site/./app" has a "." segment; use "Site" or "Site/app/..."`],
            ["Site/../app", `"Site/../app" has a ".." segment; use "Site" or "Site/app/..."`],
            ["Site/  /app", `"Site/  /app" has a segment of only spaces`],
            ["Site /app", `"Site /app" has white space at the start or end of "Site "; IIS site and application names cannot, so no site would match (did you mean "Site"?)`],
            ["Site/\tapp", `"Site/\\tapp" contains a control character; location paths are "Site" or "Site/app/..."`],
        ];
        for (const [input, reason] of cases) assert.deepStrictEqual(parseLocation(input), { ok: false, reason }, JSON.stringify(input));
        assert.deepStrictEqual(parseLocation(""), { ok: true, path: "" });
        assert.deepStrictEqual(parseLocation("/"), { ok: true, path: "" });
        assert.deepStrictEqual(parseLocation("."), { ok: true, path: "" });
        assert.deepStrictEqual(parseLocation("//Default Web Site/shop//"), { ok: true, path: "Default Web Site/shop" });
    });

    it("describeLocation names the server level, and quotes any other path", function () {
        assert.strictEqual(describeLocation(""), "the server level");
        assert.strictEqual(describeLocation("Site/app"), 'location "Site/app"');
    });
});
