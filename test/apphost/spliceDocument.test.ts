/**
 * spliceDocument's own contract on small documents, exactly: which splice lists it refuses and
 * with what message, the order it applies splices that share an offset, that an empty edit is no
 * edit, the message for a malformed edit (with its excerpt), and, against a whole parse of the new
 * bytes, the cases the corpus property may not reach: other content outside the region, text
 * before the region that is not ASCII, a byte-order mark, and edits of the root's own tags.
 */
import * as assert from "assert";
import { documentBytes, parseApplicationHost } from "../../provider/apphost/document";
import { Splice, spliceDocument } from "../../provider/apphost/editedDocument";

const FILE = "/srv/applicationHost.config";

function open(text: string, bom = false) {
    const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, "utf8")]);
    return { bytes, document: parseApplicationHost(bytes, FILE) };
}

/** spliceDocument's result, held to a whole parse of the same new text. */
function checkedBothWays(text: string, splices: Splice[], bom = false) {
    const { bytes, document } = open(text, bom);
    const edited = spliceDocument(document, bytes, splices, FILE);
    let expected = text;
    for (const splice of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) expected = expected.slice(0, splice.start) + splice.text + expected.slice(splice.end);
    const expectedBytes = documentBytes(document, expected);
    assert.ok(edited.bytes.equals(expectedBytes), `bytes: ${edited.bytes.toString("utf8")}`);
    assert.deepStrictEqual(edited.root, parseApplicationHost(expectedBytes, FILE).root);
    return edited;
}

describe("spliceDocument: the splices it is given", function () {
    const text = "<configuration><a x='1' /><b /></configuration>";

    it("refuses splices that overlap, repeat an insertion point, or lie outside the text, listing them in order", function () {
        const { bytes, document } = open(text);
        const cases: [Splice[], string][] = [
            [[{ start: 16, end: 20, text: "" }, { start: 18, end: 22, text: "" }], "[[16,20],[18,22]]"],
            [[{ start: 26, end: 26, text: "<c />" }, { start: 26, end: 26, text: "<d />" }], "[[26,26],[26,26]]"],
            [[{ start: -1, end: 0, text: "" }], "[[-1,0]]"],
            [[{ start: 5, end: 4, text: "" }], "[[5,4]]"],
            [[{ start: text.length, end: text.length + 1, text: "" }], `[[${text.length},${text.length + 1}]]`],
            [[{ start: 30, end: 31, text: "" }, { start: 0, end: 31, text: "" }], "[[0,31],[30,31]]"],
        ];
        for (const [splices, listed] of cases) {
            assert.throws(() => spliceDocument(document, bytes, splices, FILE), (error: Error) => error.message === `${FILE}: splices overlap or lie outside the text (${listed})`, listed);
        }
    });

    it("accepts splices that only touch, in any order, an insertion before a replacement at one offset", function () {
        const edited = checkedBothWays(text, [{ start: 26, end: 31, text: "<c />" }, { start: 26, end: 26, text: "<z />" }, { start: 15, end: 26, text: "" }]);
        assert.strictEqual(edited.bytes.toString("utf8"), "<configuration><z /><c /></configuration>");
        checkedBothWays(text, [{ start: 0, end: 0, text: "" }, { start: text.length, end: text.length, text: "\n" }]);
    });

    it("an empty list is no edit: the same bytes and tree", function () {
        const { bytes, document } = open(text);
        const edited = spliceDocument(document, bytes, [], FILE);
        assert.strictEqual(edited.bytes, bytes);
        assert.strictEqual(edited.root, document.root);
    });

    it("gives the new file as views of the bytes read around the region's new bytes (no copy of the rest)", function () {
        const { bytes, document } = open(text, true);
        const edited = spliceDocument(document, bytes, [{ start: 26, end: 31, text: "<c />" }], FILE);
        const [before, region, after] = edited.pieces;
        assert.strictEqual(edited.pieces.length, 3);
        assert.strictEqual(before.buffer, bytes.buffer, "the part before the region is not a view of the bytes read");
        assert.strictEqual(after.buffer, bytes.buffer, "the part after the region is not a view of the bytes read");
        assert.strictEqual(before.byteOffset, bytes.byteOffset);
        assert.strictEqual(after.byteOffset + after.length, bytes.byteOffset + bytes.length);
        assert.ok(Buffer.concat([before, region, after]).equals(edited.bytes));
        assert.strictEqual(edited.bytes.toString("utf8"), "\ufeff<configuration><a x='1' /><c /></configuration>");
    });

    it("refuses bytes that are not those the document was parsed from", function () {
        const { bytes, document } = open(text, true);
        for (const wrong of [bytes.subarray(3, bytes.length - 1), bytes.subarray(0, bytes.length - 1)]) {
            assert.throws(() => spliceDocument(document, wrong, [{ start: 15, end: 15, text: "" }], FILE), (error: Error) => error.message === `${FILE}: the bytes given are not the ones the document was parsed from`);
        }
        checkedBothWays(text, [{ start: 15, end: 15, text: "<c />" }], true);
    });
});

describe("spliceDocument: the new text, checked", function () {
    it("names the file, the problem, the parent and sixty characters either side", function () {
        const filler = "x".repeat(100);
        const text = `<configuration><location path="${filler}" /><location path="b" /></configuration>`;
        const { bytes, document } = open(text);
        const at = text.indexOf('<location path="b"');
        const inserted = `<p q="${"y".repeat(70)}" r="&bogus;" s="${"z".repeat(70)}" />`;
        const reference = inserted.indexOf("&bogus;");
        assert.throws(() => spliceDocument(document, bytes, [{ start: at, end: at, text: inserted }], FILE), (error: Error) =>
            error.message === `${FILE}: the edit would make it malformed XML: unknown or malformed reference "&bogus;", in the new text of <configuration> near ${JSON.stringify(inserted.slice(reference - 60, reference + 60))}; nothing was written`);
        assert.throws(() => spliceDocument(document, bytes, [{ start: at, end: at, text: "&bad;" }], FILE), (error: Error) =>
            error.message === `${FILE}: the edit would make it malformed XML: unknown or malformed reference "&bad;", in the new text of <configuration> near ${JSON.stringify('&bad;<location path="b" />')}; nothing was written`);
    });

    it("matches a whole parse where the parent has other content outside the edited run, or only inside it", function () {
        const text = "<configuration>note<a />junk<b />\n</configuration>";
        const kept = checkedBothWays(text, [{ start: text.indexOf("<b />"), end: text.indexOf("<b />"), text: "<c />" }]);
        assert.strictEqual(kept.root.hasOtherContent, true);
        const onlyInside = "<configuration>\n<a />junk<b />\n</configuration>";
        const cleared = checkedBothWays(onlyInside, [{ start: onlyInside.indexOf("junk"), end: onlyInside.indexOf("junk") + 4, text: "" }]);
        assert.strictEqual(cleared.root.hasOtherContent, false);
        const whiteOnly = "<configuration>\r\n\t<a />junk<b /> \r\n\t</configuration>";
        assert.strictEqual(checkedBothWays(whiteOnly, [{ start: whiteOnly.indexOf("junk"), end: whiteOnly.indexOf("junk") + 4, text: "" }]).root.hasOtherContent, false);
        const lastRun = "<configuration>\n<a />\n<b />tail</configuration>";
        assert.strictEqual(checkedBothWays(lastRun, [{ start: lastRun.indexOf("<a />"), end: lastRun.indexOf("<a />") + 5, text: "<a x='1' />" }]).root.hasOtherContent, true);
        const tailRun = "<configuration>\n<a />\n<b />tail</configuration>";
        assert.strictEqual(checkedBothWays(tailRun, [{ start: tailRun.indexOf("\n<b"), end: tailRun.indexOf("\n<b"), text: "<c />" }]).root.hasOtherContent, true);
        const firstRun = "<configuration>head<a />\n<b />\n</configuration>";
        assert.strictEqual(checkedBothWays(firstRun, [{ start: firstRun.indexOf("\n<b"), end: firstRun.indexOf("\n<b"), text: "<c />" }]).root.hasOtherContent, true);
    });

    it("matches a whole parse with text that is not ASCII before, inside and after the region, and deep inside materialised elements", function () {
        const text = `<configuration>\n<location path="Ä">\n<system.webServer><asp><session max="1" /></asp></system.webServer>\n</location>\n<location path="é" /><!-- 😀 -->\n</configuration>`;
        const at = text.indexOf('max="1"');
        checkedBothWays(text, [{ start: at, end: at + 7, text: 'max="2" timeout="00:10:00"' }]);
        checkedBothWays(text, [{ start: at, end: at + 7, text: 'max="ü"' }], true);
        const asp = text.indexOf("<asp>");
        checkedBothWays(text, [{ start: asp, end: text.indexOf("</system.webServer>"), text: "" }]);
    });

    it("checks an edit of the root's own tags by a whole parse, and refuses a malformed one", function () {
        const text = "<configuration/>";
        const edited = checkedBothWays(text, [{ start: 0, end: text.length, text: "<configuration><a /></configuration>" }]);
        assert.deepStrictEqual(edited.root.children.map((c) => c.name), ["a"]);
        const { bytes, document } = open(text);
        assert.throws(() => spliceDocument(document, bytes, [{ start: 0, end: text.length, text: "<configuration>" }], FILE), /not well-formed XML/);
        const full = "<configuration>\n<a />\n</configuration>";
        checkedBothWays(full, [{ start: 0, end: "<configuration>".length, text: "<configuration x='1'>" }]);
        checkedBothWays(full, [{ start: full.indexOf("</configuration>"), end: full.length, text: "<b /></configuration >" }]);
        checkedBothWays(full, [{ start: "<configuration".length, end: "<configuration".length, text: " y='2'" }, { start: full.indexOf("<a />"), end: full.indexOf("<a />"), text: "<c />" }]);
    });
});
