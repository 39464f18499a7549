/**
 * Files IIS itself would refuse are refused like malformed XML, naming file, line and column:
 * characters XML 1.0 does not allow (even as references), element names on the session path in
 * the wrong case, UTF-16 with or without a byte-order mark. And the warning for a location that
 * names no site.
 */
import * as assert from "assert";
import * as fs from "fs";
import { parseApplicationHost } from "../../provider/apphost/document";
import { unknownSiteWarning } from "../../provider/apphost/sites";
import { closestName, editDistance } from "../../provider/settings/closestName";
import { OWN_FIXTURE } from "../support/hostFixture";

const FILE = "C:\\inetsrv\\applicationHost.config";
const fixture = fs.readFileSync(OWN_FIXTURE, "utf8");

/** The message parsing `text` fails with. */
function refusal(text: string | Buffer): string {
    try {
        parseApplicationHost(typeof text === "string" ? Buffer.from(text, "utf8") : text, FILE);
    } catch (error) {
        return (error as Error).message;
    }
    assert.fail("expected the file to be refused");
}

/** Line and column of the first occurrence of `needle` in `text`, as the messages count them. */
function position(text: string, needle: string): string {
    const offset = text.indexOf(needle);
    const before = text.slice(0, offset).split("\n");
    return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

describe("files IIS would refuse", function () {
    it("refuses every character XML 1.0 does not allow, anywhere (comments too), naming line and column", function () {
        const forbidden = [...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d), 0xfffe, 0xffff];
        for (const code of forbidden) {
            for (const [where, marker] of [["in a comment", "Sample IIS"], ["in an attribute", 'name="Intranet"'], ["in text", "</sites>"]] as const) {
                assert.ok(fixture.includes(marker), marker);
                const text = fixture.replace(marker, marker.slice(0, 3) + String.fromCharCode(code) + marker.slice(3));
                const message = refusal(text);
                const hex = code.toString(16).toUpperCase().padStart(4, "0");
                assert.ok(message.startsWith(`${FILE}: not well-formed XML: character U+${hex} is not allowed in XML at ${position(text, String.fromCharCode(code))}`), `${where}, U+${hex}: ${message}`);
            }
        }
    });

    it("refuses character references to characters XML does not allow", function () {
        for (const reference of ["&#0;", "&#1;", "&#x8;", "&#xB;", "&#x1F;", "&#xFFFE;", "&#xD800;", "&#x110000;"]) {
            const text = fixture.replace('name="Intranet"', `name="Intranet${reference}"`);
            assert.match(refusal(text), new RegExp(`not well-formed XML: unknown or malformed reference "${reference.replace(/[#&;]/g, (c) => c)}" at line \\d+`), reference);
        }
        for (const reference of ["&#9;", "&#xA;", "&#xD;", "&#x20;", "&#xFFFD;", "&#x10FFFF;"]) {
            parseApplicationHost(Buffer.from(fixture.replace('name="Intranet"', `name="Intranet${reference}"`)), FILE);
        }
    });

    it("refuses element names on the session path in the wrong case, naming the element, line and column", function () {
        const shape = (configuration: string, location: string, systemWebServer: string, asp: string, session: string) =>
            `<?xml version="1.0" encoding="UTF-8"?>\r\n<${configuration}>\r\n  <${location} path="Intranet">\r\n    <${systemWebServer}>\r\n` +
            `      <${asp}>\r\n        <${session} max="5" />\r\n      </${asp}>\r\n    </${systemWebServer}>\r\n  </${location}>\r\n</${configuration}>\r\n`;
        const canonical = ["configuration", "location", "system.webServer", "asp", "session"] as const;
        parseApplicationHost(Buffer.from(shape(...canonical)), FILE);
        const miscased = ["Location", "LOCATION", "System.WebServer", "system.webserver", "ASP", "Asp", "Session", "SESSION"];
        for (const name of miscased) {
            const level = canonical.findIndex((candidate) => candidate.toLowerCase() === name.toLowerCase());
            const names = [...canonical] as string[];
            names[level] = name;
            const text = shape(...(names as [string, string, string, string, string]));
            assert.strictEqual(refusal(text), `${FILE}: not a valid IIS configuration file: element <${name}> at ${position(text, `<${name}`)}; ` +
                `IIS element names are case-sensitive and IIS refuses this one (write <${canonical[level]}>); nothing was changed`);
        }
        const session = fixture.replace("<asp>", '<asp><Session max="5" />');
        assert.match(refusal(session), /element <Session> at line \d+, column \d+; .*\(write <session>\)/);
    });

    it("refuses what XML 1.0 refuses in declarations, processing instructions, names and text, naming line and column", function () {
        const cases: [string, string][] = [
            ['<?xml version="1.0" standalone="yes" encoding="UTF-8"?>\r\n<configuration />', 'malformed XML declaration: expected <?xml version="1.0"?>, optionally with encoding="..." and standalone="yes|no" after the version, in that order at line 1, column 1'],
            ['<?xml encoding="UTF-8"?>\r\n<configuration />', "malformed XML declaration"],
            ['<?xml version="1.0"encoding="UTF-8"?>\r\n<configuration />', "malformed XML declaration"],
            ['<?xml version="2.0"?>\r\n<configuration />', "malformed XML declaration"],
            ['<?XML version="1.0"?>\r\n<configuration />', 'processing instruction target "XML" is reserved (only <?xml ...?>, the declaration, may use it) at line 1, column 1'],
            ['<configuration>\r\n<?pi?x?></configuration>', 'processing instruction <?pi not followed by white space or "?>" at line 2, column 5'],
            ['<configuration>\r\n<?1pi x?></configuration>', '"<?" not followed by a processing instruction\'s target name at line 2, column 1'],
            ['<configuration>\r\n  <a;b /></configuration>', 'attributes of <a> must be separated by white space at line 2, column 5'],
            ['<configuration>\r\n  <a x!="1" /></configuration>', 'attribute x of <a> has no "=" at line 2, column 7'],
            ['<configuration>\r\n  <·a /></configuration>', '"<" that does not start a tag (write &lt;) at line 2, column 3'],
            ['<configuration>\r\n  text ]]> more</configuration>', '"]]>" in text outside a CDATA section (write ]]&gt;) at line 2, column 8'],
        ];
        for (const [text, reason] of cases) assert.ok(refusal(text).startsWith(`${FILE}: not well-formed XML: ${reason}`), `${JSON.stringify(text)}: ${refusal(text)}`);
        for (const fine of ['<?xml version = \'1.0\' encoding = "utf-8" standalone="no" ?>\r\n<configuration />', "<configuration><?xml-stylesheet href='a'?><a.b-c_d:e é·\u0301=\"1\" /><![CDATA[ ]]> ]]&gt;</configuration>"]) {
            parseApplicationHost(Buffer.from(fine), FILE);
        }
    });

    it("says what a UTF-16 file looks like, with or without a byte-order mark", function () {
        const le = Buffer.from(fixture, "utf16le");
        const be = Buffer.from(le).swap16();
        assert.match(refusal(Buffer.concat([Buffer.from([0xff, 0xfe]), le])), /looks UTF-16 encoded \(little-endian, with a byte-order mark\)/);
        assert.match(refusal(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), /looks UTF-16 encoded \(big-endian, with a byte-order mark\)/);
        assert.strictEqual(refusal(le), `${FILE}: looks UTF-16 encoded (little-endian, without a byte-order mark: every other byte is zero); only UTF-8 configuration files are supported: save it as UTF-8`);
        assert.match(refusal(be), /looks UTF-16 encoded \(big-endian, without a byte-order mark: every other byte is zero\)/);
    });
});

describe("a location that names no site", function () {
    it("warns, naming the file and the closest site; says nothing for a site the file defines, in any case", function () {
        const document = parseApplicationHost(Buffer.from(fixture), FILE);
        for (const [location, closest] of [["Default Web Site?a=1", "Default Web Site"], ["*", "Intranet"], ["Default Website/shop", "Default Web Site"], ["intranett", "Intranet"]]) {
            const warning = unknownSiteWarning(document, location, FILE);
            assert.ok(warning !== undefined, location);
            assert.ok(warning.startsWith(`${FILE}: no <site> is named ${JSON.stringify(location.split("/")[0])} (location ${JSON.stringify(location)})`), warning);
            assert.ok(warning.endsWith(`The closest site is ${JSON.stringify(closest)}.`), warning);
        }
        for (const location of ["", "Default Web Site", "DEFAULT WEB SITE/shop/any/folder", "intranet"]) {
            assert.strictEqual(unknownSiteWarning(document, location, FILE), undefined, location);
        }
    });

    it("says nothing for a file that defines no sites (a web.config)", function () {
        const webConfig = parseApplicationHost(Buffer.from("<configuration><system.webServer><asp /></system.webServer></configuration>"), FILE);
        assert.strictEqual(unknownSiteWarning(webConfig, "Anything", FILE), undefined);
    });

    it("edit distance is a metric that counts single edits", function () {
        assert.strictEqual(editDistance("", "abc"), 3);
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
        assert.strictEqual(editDistance("same", "same"), 0);
        assert.strictEqual(closestName("b", ["a", "bb", "b"]), "b");
        assert.strictEqual(closestName("x", []), undefined);
    });
});
