import * as assert from "assert";
import {
    XmlSyntaxError,
    attributeValue,
    findChild,
    findChildren,
    findPath,
    formatDuration,
    parseDuration,
    parseXml,
} from "../../../../provider/carriers/winrm/wsman";
import { element, escapeAttribute, escapeText, textElement } from "../../../../provider/carriers/winrm/wsman/xml-writer";

describe("XML reading and writing", () => {
    it("finds elements by namespace URI whatever the prefix, including default namespaces", () => {
        const root = parseXml(
            `<a:Root xmlns:a="urn:one" xmlns:b="urn:two"><b:Item Name="x">1</b:Item><Item xmlns="urn:two" Name="y">2</Item>` +
                `<c:Item xmlns:c="urn:two" c:Qualified="q">3</c:Item><a:Item>other</a:Item></a:Root>`,
        );
        assert.strictEqual(root.namespace, "urn:one");
        const items = findChildren(root, "urn:two", "Item");
        assert.deepStrictEqual(items.map((item) => item.text), ["1", "2", "3"]);
        assert.deepStrictEqual(items.map((item) => attributeValue(item, "Name")), ["x", "y", undefined]);
        assert.strictEqual(attributeValue(items[2], "Qualified", "urn:two"), "q");
        assert.strictEqual(attributeValue(items[2], "Qualified"), undefined, "a prefixed attribute is not an unprefixed one");
        assert.strictEqual(findChild(root, "urn:one", "Item")?.text, "other");
        assert.strictEqual(findPath(root, [["urn:two", "Missing"], ["urn:two", "Item"]]), undefined);
    });

    it("decodes entities and character references, keeps CDATA verbatim, normalises line ends", () => {
        const root = parseXml(`<r a="1&#9;2&#10;3 &lt;&amp;&gt;&quot;&apos; tab\there">x&#x1F600;&#13;&#10;y\r\nz<![CDATA[<raw> &amp;]]></r>`);
        assert.strictEqual(attributeValue(root, "a"), "1\t2\n3 <&>\"' tab here");
        assert.strictEqual(root.text, "x😀\r\ny\nz<raw> &amp;");
    });

    it("refuses DOCTYPE entities, undeclared prefixes, several roots and non-XML", () => {
        assert.throws(() => parseXml(`<!DOCTYPE r [<!ENTITY e "boom">]><r>&e;</r>`), XmlSyntaxError);
        assert.throws(() => parseXml(`<p:r/>`), /undeclared prefix/);
        assert.throws(() => parseXml(`<r x:a="1"/>`), /undeclared prefix/);
        assert.throws(() => parseXml(`<r/><r/>`), XmlSyntaxError);
        assert.throws(() => parseXml(`{"json": true}`), XmlSyntaxError);
        assert.throws(() => parseXml(`<r>&#0;</r>`), /invalid character reference/);
    });

    it("accepts a byte-order mark and an XML declaration", () => {
        assert.strictEqual(parseXml(`\ufeff<?xml version="1.0" encoding="utf-8"?><r>ok</r>`).text, "ok");
    });

    it("escaped text and attributes read back unchanged", () => {
        const value = `<>&"' ]]> \r\n\t end`;
        const xml = element("r", [["a", value]], textElement("t", [], value));
        const root = parseXml(xml);
        assert.strictEqual(attributeValue(root, "a"), value);
        assert.strictEqual(root.children[0].text, value);
        assert.strictEqual(escapeText("a&b<c>d\r"), "a&amp;b&lt;c&gt;d&#13;");
        assert.strictEqual(escapeAttribute(`"'`), "&quot;&apos;");
        assert.strictEqual(element("e", [["skip", undefined]]), "<e/>");
    });
});

describe("xs:duration", () => {
    it("formats seconds", () => {
        assert.strictEqual(formatDuration(20), "PT20S");
        assert.strictEqual(formatDuration(0.5), "PT0.5S");
        assert.strictEqual(formatDuration(7200), "PT7200S");
        assert.strictEqual(formatDuration(1.23456), "PT1.235S");
        assert.throws(() => formatDuration(-1), /≥ 0, got -1/);
        assert.throws(() => formatDuration(Number.NaN), RangeError);
    });

    it("parses the forms Windows writes", () => {
        assert.strictEqual(parseDuration("PT7200.000S"), 7200);
        assert.strictEqual(parseDuration("P0DT0H0M0S"), 0);
        assert.strictEqual(parseDuration("P1DT2H3M4.5S"), 93784.5);
        assert.strictEqual(parseDuration("PT60S"), 60);
        for (const bad of ["", "P", "PT", "P1Y", "20", "PT-5S", "P1DT"]) assert.strictEqual(parseDuration(bad), undefined, bad);
    });
});
