/**
 * The XML scanner's own contract, exactly: every refusal with its whole message (reason, line and
 * column), and for well-formed documents the offsets of every element and attribute, checked
 * against a generator that records where it put each piece (property: random documents), plus
 * references, materialisation by policy, and attribute escaping.
 */
import * as assert from "assert";
import { attribute, escapeAttribute, lineColumn, scanFragment, scanXml, XmlElement, XmlSyntaxError } from "../../provider/apphost/xmlScanner";
import { seededRandom } from "../support/seededRandom";

const all = () => true;

function refusal(text: string): string {
    try {
        scanXml(text, all);
    } catch (error) {
        assert.ok(error instanceof XmlSyntaxError, String(error));
        assert.strictEqual(error.name, "XmlSyntaxError");
        const { line, column } = lineColumn(text, error.offset);
        assert.deepStrictEqual([error.line, error.column], [line, column]);
        assert.strictEqual(error.message, `${error.reason} at line ${line}, column ${column}`);
        return error.message;
    }
    return assert.fail(`accepted ${JSON.stringify(text)}`);
}

describe("the XML scanner's refusals, each message whole", function () {
    const cases: [string, string][] = [
        ["", "no root element at line 1, column 1"],
        ["  \r\n ", "no root element at line 1, column 1"],
        ["<!-- only -->", "no root element at line 1, column 1"],
        ["<a>\u0001</a>", "character U+0001 is not allowed in XML at line 1, column 4"],
        ["<a>\n\uffff</a>", "character U+FFFF is not allowed in XML at line 2, column 1"],
        ["x<a/>", "text before the root element at line 1, column 1"],
        ["<a/>\n y", "text after the root element at line 1, column 5"],
        ["<a>]]></a>", '"]]>" in text outside a CDATA section (write ]]&gt;) at line 1, column 4'],
        ["<a>x</a><!-- c", "comment not closed (no -->) at line 1, column 9"],
        ["<a><!-- a -- b --></a>", '"--" inside a comment at line 1, column 11'],
        ["<a><!-- a --->x</a>", '"--" inside a comment at line 1, column 11'],
        ["<![CDATA[x]]><a/>", "CDATA outside the root element at line 1, column 1"],
        ["<a><![CDATA[x</a>", "CDATA section not closed (no ]]>) at line 1, column 4"],
        ["<!DOCTYPE a><a/>", "DOCTYPE declarations are not supported in configuration files at line 1, column 1"],
        ["<a><!ELEMENT a></a>", '"<!" that starts neither a comment nor CDATA at line 1, column 4'],
        ["<a><?pi x</a>", "processing instruction not closed (no ?>) at line 1, column 4"],
        ["<a><? pi?></a>", '"<?" not followed by a processing instruction\'s target name at line 1, column 4'],
        ["<a><?pi!x?></a>", 'processing instruction <?pi not followed by white space or "?>" at line 1, column 8'],
        ["<a><?xMl x?></a>", 'processing instruction target "xMl" is reserved (only <?xml ...?>, the declaration, may use it) at line 1, column 4'],
        [" <?xml version=\"1.0\"?><a/>", "XML declaration not at the start of the file at line 1, column 2"],
        ["<?xml version=\"1.0\" encoding=\"1x\"?><a/>", 'malformed XML declaration: expected <?xml version="1.0"?>, optionally with encoding="..." and standalone="yes|no" after the version, in that order at line 1, column 1'],
        ["<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", 'malformed XML declaration: expected <?xml version="1.0"?>, optionally with encoding="..." and standalone="yes|no" after the version, in that order at line 1, column 1'],
        ["<a></a b>", 'end tag </a> not closed with ">" at line 1, column 4'],
        ["<a/></a>", "end tag </a> without a start tag at line 1, column 5"],
        ["<a>\n  <b></c></a>", "end tag </c> does not match <b> at line 2, column 6"],
        ["<a></ab>", "end tag </ab> does not match <a> at line 1, column 4"],
        ["<ab></a>", "end tag </a> does not match <ab> at line 1, column 5"],
        ["<a/><b/>", "a second root element <b> at line 1, column 5"],
        ["<a><b>\n", "<b> (opened at offset 3) is never closed: the file ends early at line 2, column 1"],
        ["<a>< b/></a>", '"<" that does not start a tag (write &lt;) at line 1, column 4'],
        ["<a/ >", '"/" not followed by ">" in <a> at line 1, column 3'],
        ["<a x='1'", "start tag <a is not closed: the file ends early at line 1, column 1"],
        ["<a x='1'y='2'/>", "attributes of <a> must be separated by white space at line 1, column 9"],
        ["<a x='1' 9='2'/>", 'unexpected character "9" in <a> at line 1, column 10'],
        ["<a x />", 'attribute x of <a> has no "=" at line 1, column 6'],
        ["<a x=1/>", "value of attribute x of <a> is not quoted at line 1, column 6"],
        ["<a x=\"1/>", "value of attribute x of <a> is never closed at line 1, column 6"],
        ["<a x=\"<\"/>", '"<" inside the value of attribute x of <a> at line 1, column 7'],
        ["<a x='1' y='<'/>", '"<" inside the value of attribute y of <a> at line 1, column 13'],
        ["<a x='1' x = \"2\"/>", "attribute x appears twice in <a> at line 1, column 10"],
        ["<a xy='1' x='2' y='3' xy='4'/>", "attribute xy appears twice in <a> at line 1, column 23"],
        ["<a>&</a>", '"&" that does not start a reference (write &amp;) at line 1, column 4'],
        ["<a>&amp</a>;", '"&" that does not start a reference (write &amp;) at line 1, column 4'],
        ["<a>&abcdefghijkl;</a>", '"&" that does not start a reference (write &amp;) at line 1, column 4'],
        ["<a>&abcdefghijk;</a>", 'unknown or malformed reference "&abcdefghijk;" at line 1, column 4'],
        ["<a x='&nbsp;'/>", 'unknown or malformed reference "&nbsp;" at line 1, column 7'],
        ["<a>&#0;</a>", 'unknown or malformed reference "&#0;" at line 1, column 4'],
        ["<a>&#x1F;</a>", 'unknown or malformed reference "&#x1F;" at line 1, column 4'],
        ["<a>&#xD800;</a>", 'unknown or malformed reference "&#xD800;" at line 1, column 4'],
        ["<a>&#xDFFF;</a>", 'unknown or malformed reference "&#xDFFF;" at line 1, column 4'],
        ["<a>&#x110000;</a>", 'unknown or malformed reference "&#x110000;" at line 1, column 4'],
        ["<a>&#xFFFE;</a>", 'unknown or malformed reference "&#xFFFE;" at line 1, column 4'],
        ["<a>&#;</a>", 'unknown or malformed reference "&#;" at line 1, column 4'],
        ["<a>&#x;</a>", 'unknown or malformed reference "&#x;" at line 1, column 4'],
        ["<a>&#xG1;</a>", 'unknown or malformed reference "&#xG1;" at line 1, column 4'],
        ["<a>&#1a;</a>", 'unknown or malformed reference "&#1a;" at line 1, column 4'],
        ["<a>&#X41;</a>", 'unknown or malformed reference "&#X41;" at line 1, column 4'],
        ["<a>&toString;</a>", 'unknown or malformed reference "&toString;" at line 1, column 4'],
        ["<a>ok &amp; then &</a>", '"&" that does not start a reference (write &amp;) at line 1, column 18'],
        ["<a><b x='&amp;' y='&q;'/></a>", 'unknown or malformed reference "&q;" at line 1, column 20'],
    ];
    for (const [text, message] of cases) {
        it(`${JSON.stringify(text)}: ${message}`, function () {
            assert.strictEqual(refusal(text), message);
        });
    }

    it("checks references and \"]]>\" in elements it does not materialise too", function () {
        const none = () => false;
        for (const text of ["<a><b>&bogus;</b></a>", "<a><b x='&#0;'/></a>", "<a><b>]]></b></a>", "<a><b><c></b></a>", "<a><b x='1' x='2'/></a>"]) {
            assert.throws(() => scanXml(text, none), XmlSyntaxError, text);
        }
        assert.throws(() => scanXml("<a><b>&bogus;</b></a>", none), /unknown or malformed reference "&bogus;" at line 1, column 7/);
    });
});

describe("the XML scanner on well-formed text", function () {
    it("decodes references in text and values, and keeps the raw value", function () {
        const { root } = scanXml(`<a x="&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;&#xa;" y='plain' z="a&amp;b&amp;c"/>`, all);
        assert.deepStrictEqual(root.attributes.map((a) => [a.name, a.value, a.raw, a.quote]), [
            ["x", "<>&\"'AB\u{1F600}\n", "&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;&#xa;", '"'],
            ["y", "plain", "plain", "'"],
            ["z", "a&b&c", "a&amp;b&amp;c", '"'],
        ]);
        assert.strictEqual(attribute(root, "y")?.value, "plain");
        assert.strictEqual(attribute(root, "w"), undefined);
        for (const fine of ["<a>&#x10FFFF;&#xFFFD;&#9;&#xD;&#x20;&#1114111;</a>", "<a>&#x00041;&#0065;</a>"]) scanXml(fine, all);
    });

    it("tells whether an element has content other than white space and elements", function () {
        const cases: [string, boolean][] = [
            ["<a> \r\n\t<b/> </a>", false], ["<a>x</a>", true], ["<a><!-- c --></a>", true], ["<a><![CDATA[]]></a>", true],
            ["<a><?pi?></a>", true], ["<a>&#32;</a>", true], ["<a/>", false], ["<a><b>x</b></a>", false],
        ];
        for (const [text, other] of cases) assert.strictEqual(scanXml(text, all).root.hasOtherContent, other, text);
        assert.strictEqual(scanXml('<?xml version="1.0"?><a/>', all).hasXmlDeclaration, true);
        assert.strictEqual(scanXml("<?pi?><a/>", all).hasXmlDeclaration, false);
    });

    it("materialises the children of exactly the elements the policy names, telling it their ancestors", function () {
        const seen: string[] = [];
        const policy = (element: XmlElement, ancestors: readonly XmlElement[]) => {
            seen.push([...ancestors.map((a) => a.name), element.name].join("/"));
            return element.name !== "skip";
        };
        const { root } = scanXml("<r><keep><x/><y></y></keep><skip><z><w/></z></skip><k2/></r>", policy);
        assert.deepStrictEqual(root.children.map((c) => c.name), ["keep", "skip", "k2"]);
        assert.deepStrictEqual(root.children[0].children.map((c) => c.name), ["x", "y"]);
        assert.deepStrictEqual(root.children[1].children, []);
        assert.deepStrictEqual(seen, ["r", "r/keep", "r/keep/y", "r/skip"]);
        assert.strictEqual(root.children[1].end, "<r><keep><x/><y></y></keep><skip><z><w/></z></skip>".length);
    });

    it("lineColumn counts lines by LF and columns in UTF-16 code units from 1", function () {
        const text = "ab\r\ncd\n\u{1F600}x";
        assert.deepStrictEqual(lineColumn(text, 0), { line: 1, column: 1 });
        assert.deepStrictEqual(lineColumn(text, 2), { line: 1, column: 3 });
        assert.deepStrictEqual(lineColumn(text, 3), { line: 1, column: 4 });
        assert.deepStrictEqual(lineColumn(text, 4), { line: 2, column: 1 });
        assert.deepStrictEqual(lineColumn(text, 9), { line: 3, column: 3 });
        assert.deepStrictEqual(lineColumn("\n\n", 2), { line: 3, column: 1 });
    });

    it("escapeAttribute escapes what would end or change the value, for either quote", function () {
        assert.strictEqual(escapeAttribute(`a&b<c>d"e'f\r\n\tg`), "a&amp;b&lt;c&gt;d&quot;e'f&#xD;&#xA;&#x9;g");
        assert.strictEqual(escapeAttribute(`a&b<c>d"e'f`, "'"), "a&amp;b&lt;c&gt;d\"e&apos;f");
        assert.strictEqual(escapeAttribute("&&<<"), "&amp;&amp;&lt;&lt;");
        const value = `x"'<>&\r\n\t\u{1F600}`;
        for (const quote of ['"', "'"] as const) {
            const { root } = scanXml(`<a v=${quote}${escapeAttribute(value, quote)}${quote}/>`, all);
            assert.strictEqual(root.attributes[0].value, value, quote);
        }
    });

    it("scanFragment reads content as the whole scan would, and refuses what does not balance", function () {
        const { root } = scanXml("<r><p></p></r>", all);
        const parent = root.children[0];
        const fragment = scanFragment(" <q a='1'/>t<s></s>", all, { parent, ancestors: [root] });
        assert.deepStrictEqual(fragment.children.map((c) => [c.name, c.start, c.end]), [["q", 1, 11], ["s", 12, 19]]);
        assert.strictEqual(fragment.hasOtherContent, true);
        assert.strictEqual(scanFragment("  ", all, { parent, ancestors: [root] }).hasOtherContent, false);
        assert.throws(() => scanFragment("</p>", all, { parent, ancestors: [root] }), /^XmlSyntaxError: end tag <\/p> closes an element the edited text did not open at line 1, column 1$/);
        assert.throws(() => scanFragment("<q>", all, { parent, ancestors: [root] }), /^XmlSyntaxError: <q> \(opened at offset 0\) is never closed: the edited text ends early at line 1, column 4$/);
        assert.throws(() => scanFragment('<?xml version="1.0"?>', all, { parent, ancestors: [root] }), /XML declaration not at the start of the file/);
    });
});

describe("the XML scanner's offsets (property: random well-formed documents, against where the generator put each piece)", function () {
    interface Expected { name: string; start: number; nameEnd: number; attributesEnd: number; startTagEnd: number; selfClosing: boolean; endTagStart: number; end: number;
        attributes: { name: string; value: string; raw: string; quote: string; start: number; valueStart: number; valueEnd: number; end: number }[]; children: Expected[]; hasOtherContent: boolean }

    function generate(random: () => number): { text: string; root: Expected } {
        let text = random() < 0.5 ? '<?xml version="1.0" encoding="UTF-8"?>\r\n' : "";
        const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
        const space = () => pick(["", " ", "\r\n  ", "\t", "\n"]);
        const names = ["a", "b", "location", "system.webServer", "asp", "session", "x-y", "é", "n:s", "_u"];
        const values: [string, string][] = [["1", "1"], ["", ""], ["a&amp;b", "a&b"], ["&#x41;", "A"], ["00:20:00", "00:20:00"], ["é \u{1F600}", "é \u{1F600}"], ["&lt;x&gt;", "<x>"]];
        const element = (depth: number): Expected => {
            const name = pick(names);
            const start = text.length;
            text += "<" + name;
            const nameEnd = text.length;
            const attributes: Expected["attributes"] = [];
            const used = new Set<string>();
            let attributesEnd = nameEnd;
            for (let k = Math.floor(random() * 3); k > 0; k--) {
                const attributeName = pick(["max", "timeout", "path", "q", "z9"]);
                if (used.has(attributeName)) continue;
                used.add(attributeName);
                text += pick([" ", "  ", "\r\n\t"]);
                const attributeStart = text.length;
                const quote = pick(['"', "'"]);
                const [raw, value] = pick(values);
                text += attributeName + pick(["", " "]) + "=" + pick(["", " "]) + quote;
                const valueStart = text.length;
                text += raw;
                const valueEnd = text.length;
                text += quote;
                attributes.push({ name: attributeName, value, raw, quote, start: attributeStart, valueStart, valueEnd, end: text.length });
                attributesEnd = text.length;
            }
            text += space();
            if (depth > 3 || random() < 0.3) {
                text += "/>";
                return { name, start, nameEnd, attributesEnd, startTagEnd: text.length, selfClosing: true, endTagStart: text.length, end: text.length, attributes, children: [], hasOtherContent: false };
            }
            text += ">";
            const startTagEnd = text.length;
            const children: Expected[] = [];
            let hasOtherContent = false;
            for (let k = Math.floor(random() * 4); k > 0; k--) {
                const kind = random();
                if (kind < 0.5) children.push(element(depth + 1));
                else if (kind < 0.7) text += space();
                else {
                    text += pick(["text", "<!-- c -->", "<![CDATA[ <x> ]]>", "<?pi d?>", "&amp;"]);
                    hasOtherContent = true;
                }
            }
            const endTagStart = text.length;
            text += `</${name}${pick(["", " ", "\n"])}>`;
            return { name, start, nameEnd, attributesEnd, startTagEnd, selfClosing: false, endTagStart, end: text.length, attributes, children, hasOtherContent };
        };
        text += space();
        const root = element(0);
        text += pick(["", "\r\n", "\n<!-- tail -->\n"]);
        return { text, root };
    }

    it("every element's and attribute's offsets, names, values and flags are where the generator put them (2,000 documents)", function () {
        const random = seededRandom(7);
        for (let round = 0; round < 2000; round++) {
            const { text, root } = generate(random);
            assert.deepStrictEqual(scanXml(text, all).root, root, JSON.stringify(text));
        }
    });
});
