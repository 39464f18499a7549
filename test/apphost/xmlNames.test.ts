/**
 * Element and attribute names against the productions of XML 1.0 (fifth edition, section 2.3),
 * quoted below as the standard writes them and read by this test: every range's first and last
 * code point and the code points just outside it, as a name's first character and as a later
 * one, in element and attribute names, including characters outside the BMP (surrogate pairs).
 * (expat, the differential test's oracle, still uses the fourth edition's classes for names, so
 * it cannot judge these.)
 */
import * as assert from "assert";
import { scanXml, XmlSyntaxError } from "../../provider/apphost/xmlScanner";

const NAME_START_CHAR = `":" | [A-Z] | "_" | [a-z] | [#xC0-#xD6] | [#xD8-#xF6] | [#xF8-#x2FF] | [#x370-#x37D] | [#x37F-#x1FFF] | [#x200C-#x200D] | [#x2070-#x218F] | [#x2C00-#x2FEF] | [#x3001-#xD7FF] | [#xF900-#xFDCF] | [#xFDF0-#xFFFD] | [#x10000-#xEFFFF]`;
const NAME_CHAR_EXTRA = `"-" | "." | [0-9] | #xB7 | [#x0300-#x036F] | [#x203F-#x2040]`;

type Range = [number, number];

function ranges(production: string): Range[] {
    return production.split("|").map((part) => part.trim()).map((part): Range => {
        let match = /^"(.)"$/.exec(part);
        if (match) return [match[1].codePointAt(0)!, match[1].codePointAt(0)!];
        match = /^#x([0-9A-F]+)$/.exec(part);
        if (match) return [parseInt(match[1], 16), parseInt(match[1], 16)];
        match = /^\[(?:#x([0-9A-F]+)|(.))-(?:#x([0-9A-F]+)|(.))\]$/.exec(part);
        assert.ok(match, part);
        const low = match[1] !== undefined ? parseInt(match[1], 16) : match[2].codePointAt(0)!;
        const high = match[3] !== undefined ? parseInt(match[3], 16) : match[4].codePointAt(0)!;
        return [low, high];
    });
}

const startRanges = ranges(NAME_START_CHAR);
const charRanges = [...startRanges, ...ranges(NAME_CHAR_EXTRA)];
const within = (set: Range[], c: number) => set.some(([low, high]) => c >= low && c <= high);

/** Every range edge and its neighbours, without lone surrogates (the scanner reads text decoded from valid UTF-8). */
function edges(): number[] {
    const points = new Set<number>();
    for (const [low, high] of charRanges) for (const c of [low - 1, low, high, high + 1]) points.add(c);
    for (const c of [0x10ffff, 0xf0000, 0xeffff, 0x10000, 0x0, 0x7f, 0x80]) points.add(c);
    return [...points].filter((c) => c > 0 && c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff)).sort((a, b) => a - b);
}

function accepted(text: string): boolean {
    try {
        scanXml(text, () => true);
        return true;
    } catch (error) {
        if (error instanceof XmlSyntaxError) return false;
        throw error;
    }
}

describe("XML names: the fifth edition's NameStartChar and NameChar", function () {
    it("reads the productions (a guard on this test's own parsing)", function () {
        assert.strictEqual(startRanges.length, 16);
        assert.deepStrictEqual(startRanges[15], [0x10000, 0xeffff]);
        assert.deepStrictEqual(charRanges.slice(-3), [[0xb7, 0xb7], [0x300, 0x36f], [0x203f, 0x2040]]);
    });

    it("accepts a character as a name's first exactly where NameStartChar allows it, in elements and attributes", function () {
        const wrong: string[] = [];
        for (const c of edges()) {
            const ch = String.fromCodePoint(c);
            const expected = within(startRanges, c);
            if (accepted(`<${ch}/>`) !== expected) wrong.push(`<${ch}/> U+${c.toString(16)}: expected ${expected}`);
            if (accepted(`<a ${ch}="1"/>`) !== expected) wrong.push(`attribute U+${c.toString(16)}: expected ${expected}`);
        }
        assert.deepStrictEqual(wrong, []);
    });

    it("accepts a character later in a name exactly where NameChar allows it, in elements, end tags and attributes", function () {
        const wrong: string[] = [];
        for (const c of edges()) {
            const ch = String.fromCodePoint(c);
            const expected = within(charRanges, c);
            if (accepted(`<a${ch}/>`) !== expected) wrong.push(`<a${ch}/> U+${c.toString(16)}: expected ${expected}`);
            if (accepted(`<a${ch}></a${ch}>`) !== expected) wrong.push(`end tag U+${c.toString(16)}: expected ${expected}`);
            if (accepted(`<r a${ch}="1"/>`) !== expected) wrong.push(`attribute U+${c.toString(16)}: expected ${expected}`);
        }
        assert.deepStrictEqual(wrong, []);
    });
});
