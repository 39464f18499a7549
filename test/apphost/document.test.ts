/**
 * parseApplicationHost and the lookups on its tree, in exact tables: the byte-order mark and what
 * only looks like one, the declared encoding, the root element, line ends and the indentation
 * step, which elements are materialised, and findSessionChain's choices and refusals (each message
 * whole, since it is what an operator reads).
 */
import * as assert from "assert";
import { documentBytes, findSessionChain, lineIndent, locationsAt, parseApplicationHost, wantsChildren } from "../../provider/apphost/document";
import { XmlElement } from "../../provider/apphost/xmlScanner";

const FILE = "/srv/applicationHost.config";
const parse = (text: string | Buffer) => parseApplicationHost(typeof text === "string" ? Buffer.from(text, "utf8") : text, FILE);

function refusal(text: string | Buffer): string {
    try {
        parse(text);
    } catch (error) {
        return (error as Error).message;
    }
    return assert.fail(`accepted ${JSON.stringify(String(text))}`);
}

function chainRefusal(text: string, path: string): string {
    try {
        findSessionChain(parse(text), path, FILE);
    } catch (error) {
        return (error as Error).message;
    }
    return assert.fail(`no refusal at "${path}"`);
}

const element = (name: string): XmlElement => ({ name } as XmlElement);

describe("parseApplicationHost: bytes and text", function () {
    it("a UTF-8 byte-order mark is kept aside and written back; bytes that only partly match one are not valid UTF-8", function () {
        const body = Buffer.from("<configuration />", "utf8");
        const withBom = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
        assert.strictEqual(withBom.bom, true);
        assert.strictEqual(withBom.text, "<configuration />");
        assert.ok(documentBytes(withBom, withBom.text).equals(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body])));
        const without = parse(body);
        assert.strictEqual(without.bom, false);
        assert.ok(documentBytes(without, without.text).equals(body));
        for (const prefix of [[0x20, 0xbb, 0xbf], [0xef, 0x20, 0xbf], [0xef, 0xbb, 0x20], [0x20, 0x20, 0xbf], [0xef, 0xbb]]) {
            assert.strictEqual(refusal(Buffer.concat([Buffer.from(prefix), body])), `${FILE}: not valid UTF-8; refusing to edit it, since writing it back would change bytes`, prefix.join(","));
        }
        assert.strictEqual(parse("<configuration><!-- \ufffd is a real character --></configuration>").text.includes("\ufffd"), true, "U+FFFD written as UTF-8 is valid");
        assert.strictEqual(refusal(Buffer.from([0xef, 0xbb, 0xbf])), `${FILE}: not well-formed XML: no root element at line 1, column 1; nothing was changed`);
    });

    it("UTF-16 is told by its byte-order mark or by zero bytes beside ASCII; near misses are not called UTF-16", function () {
        const rest = Buffer.from("<configuration />", "utf8");
        const cases: [number[], string][] = [
            [[0xff, 0xfe, 0x3c, 0x00], "little-endian, with a byte-order mark"],
            [[0xfe, 0xff, 0x00, 0x3c], "big-endian, with a byte-order mark"],
            [[0x3c, 0x00, 0x63, 0x00], "little-endian, without a byte-order mark: every other byte is zero"],
            [[0x00, 0x3c, 0x00, 0x63], "big-endian, without a byte-order mark: every other byte is zero"],
        ];
        for (const [head, layout] of cases) {
            assert.strictEqual(refusal(Buffer.concat([Buffer.from(head), rest])), `${FILE}: looks UTF-16 encoded (${layout}); only UTF-8 configuration files are supported: save it as UTF-8`, head.join(","));
        }
        const nearMisses = [[0xff, 0x20], [0x20, 0xfe], [0xfe, 0x20], [0x20, 0xff], [0x3c, 0x00, 0x00, 0x00], [0x3c, 0x00, 0x80, 0x00], [0x3c, 0x01, 0x63, 0x00],
            [0x3c, 0x00, 0x63, 0x01], [0x80, 0x00, 0x63, 0x00], [0x00, 0x00, 0x00, 0x63], [0x01, 0x3c, 0x00, 0x63], [0x00, 0x3c, 0x01, 0x63], [0x00, 0x3c, 0x00, 0x80], [0x00, 0x80, 0x00, 0x63]];
        for (const head of nearMisses) {
            const message = refusal(Buffer.concat([Buffer.from(head), rest]));
            assert.ok(message.startsWith(`${FILE}: `) && !message.includes("UTF-16"), `${head.join(",")}: ${message}`);
        }
        for (const short of [[0x3c, 0x00, 0x63], [0x3c, 0x00]]) assert.ok(!refusal(Buffer.from(short)).includes("UTF-16"), short.join(","));
        assert.strictEqual(refusal(Buffer.from([0x3c, 0x00, 0x63, 0x00])), `${FILE}: looks UTF-16 encoded (little-endian, without a byte-order mark: every other byte is zero); only UTF-8 configuration files are supported: save it as UTF-8`);
    });

    it("its errors are ConfigFileErrors by name too (the name survives Pulumi's serialisation of the provider)", function () {
        assert.throws(() => parse("<config />"), (error: Error) => error.name === "ConfigFileError");
    });

    it("only UTF-8 may be declared, in any of its spellings; a later processing instruction is not a declaration", function () {
        for (const name of ["utf-8", "UTF-8", "utf8", "Utf8"]) assert.ok(parse(`<?xml version="1.0" encoding="${name}"?><configuration />`), name);
        assert.strictEqual(refusal(`<?xml version="1.0" encoding="windows-1252"?><configuration />`), `${FILE}: declares encoding "windows-1252"; only UTF-8 configuration files are supported`);
        assert.strictEqual(refusal(`<?xml version='1.0' encoding='utf-16'?><configuration />`), `${FILE}: declares encoding "utf-16"; only UTF-8 configuration files are supported`);
        for (const name of ["xutf-8", "utf-8x", "utf-9", "utf--8"]) {
            assert.strictEqual(refusal(`<?xml version="1.0" encoding="${name}"?><configuration />`), `${FILE}: declares encoding ${JSON.stringify(name)}; only UTF-8 configuration files are supported`, name);
        }
        assert.strictEqual(refusal(`<?xml version="1.0"  encoding  =  'latin1' ?><configuration />`), `${FILE}: declares encoding "latin1"; only UTF-8 configuration files are supported`);
        assert.strictEqual(refusal(`<?xml version="1.0" encoding=\t"latin1"?><configuration />`), `${FILE}: declares encoding "latin1"; only UTF-8 configuration files are supported`);
        assert.ok(parse(`<configuration><?xml-stylesheet href="a" encoding="latin1"?></configuration>`));
    });

    it("the root must be <configuration>", function () {
        assert.strictEqual(refusal("<config />"), `${FILE}: the root element is <config>, not <configuration>; is this an IIS configuration file?`);
        assert.strictEqual(refusal("<a\u00e9 />"), `${FILE}: the root element is <a\u00e9>, not <configuration>; is this an IIS configuration file?`);
    });

    it("line ends: CRLF when the file has any, else LF", function () {
        assert.strictEqual(parse("<configuration>\n</configuration>").newline, "\n");
        assert.strictEqual(parse("<configuration>\r\n</configuration>").newline, "\r\n");
        assert.strictEqual(parse("<configuration>\n<location path='a'>\r\n</location></configuration>").newline, "\r\n");
        assert.strictEqual(parse("<configuration/>").newline, "\n");
    });

    it("the indentation step: from the first child indented deeper than its parent, else four spaces", function () {
        const cases: [string, string][] = [
            ["<configuration>\n  <location path='a' />\n</configuration>", "  "],
            ["<configuration>\n\t<location path='a' />\n</configuration>", "\t"],
            ["<configuration><location path='a' /></configuration>", "    "],
            ["<configuration>\n<location path='a'>\n   <system.webServer />\n</location>\n</configuration>", "   "],
            ["  <configuration>\n  <location path='a'>\n  \t<system.webServer />\n  </location>\n</configuration>", "\t"],
            ["<configuration>\n<location path='a'>x <system.webServer />\n</location>\n</configuration>", "    "],
        ];
        for (const [text, unit] of cases) assert.strictEqual(parse(text).indentUnit, unit, JSON.stringify(text));
    });

    it("lineIndent: the white space before an offset when only white space precedes it on its line", function () {
        const text = "a\n  <x>\n\t <y> <z>\n   ";
        assert.strictEqual(lineIndent(text, text.indexOf("<x>")), "  ");
        assert.strictEqual(lineIndent(text, text.indexOf("<y>")), "\t ");
        assert.strictEqual(lineIndent(text, text.indexOf("<z>")), "");
        assert.strictEqual(lineIndent("   <w>", 3), "   ");
        assert.strictEqual(lineIndent("<w>", 0), "");
        assert.strictEqual(lineIndent(text, text.length), "   ");
    });
});

describe("wantsChildren: only the elements on the way to asp/session, sites and section declarations", function () {
    it("materialises exactly these, at exactly these depths", function () {
        const configuration = element("configuration"), location = element("location"), sws = element("system.webServer");
        const applicationHost = element("system.applicationHost"), other = element("other");
        const yes: [string, XmlElement[]][] = [
            ["configuration", []], ["location", [configuration]], ["system.webServer", [configuration]], ["system.webServer", [configuration, location]],
            ["asp", [configuration, sws]], ["asp", [configuration, location, sws]], ["system.applicationHost", [configuration]], ["sites", [configuration, applicationHost]],
            // Its <application> elements say which paths are applications (inheritInChildApplications).
            ["site", [configuration, applicationHost, element("sites")]],
            // Its <virtualDirectory> elements say where an application's web.config is.
            ["application", [configuration, applicationHost, element("sites"), element("site")]],
            // <section name="asp" overrideModeDefault> says whether web.config files may set it.
            ["configSections", [configuration]], ["sectionGroup", [configuration, element("configSections")]],
        ];
        const no: [string, XmlElement[]][] = [
            ["configuration", [configuration]], ["location", []], ["location", [configuration, location]], ["system.webServer", []],
            ["system.webServer", [configuration, other]], ["system.webServer", [configuration, location, other]], ["asp", [configuration]], ["asp", [configuration, other]],
            ["system.applicationHost", []], ["system.applicationHost", [configuration, location]], ["sites", [configuration]], ["sites", [configuration, other]],
            ["sites", [configuration, location, applicationHost]], ["session", [configuration, sws, element("asp")]], ["site", [configuration, applicationHost]],
            ["application", [configuration, applicationHost, element("sites")]], ["virtualDirectory", [configuration, applicationHost, element("sites"), element("site"), element("application")]],
            ["configSections", []], ["configSections", [configuration, location]], ["sectionGroup", [configuration]], ["section", [configuration, element("configSections"), element("sectionGroup")]],
        ];
        for (const [name, ancestors] of yes) assert.strictEqual(wantsChildren(element(name), ancestors), true, `${name} under ${ancestors.map((a) => a.name).join("/")}`);
        for (const [name, ancestors] of no) assert.strictEqual(wantsChildren(element(name), ancestors), false, `${name} under ${ancestors.map((a) => a.name).join("/")}`);
    });
});

describe("findSessionChain and locationsAt", function () {
    const twoAtA = `<configuration>
<location path="A"><system.webServer><asp><session max="1" /></asp></system.webServer></location>
<location path="/a/"><system.webServer><asp /></system.webServer></location>
</configuration>`;

    it("finds locations by IIS's comparison: surrounding slashes and case ignored, non-ASCII too", function () {
        const document = parse(`<configuration><location path="/Site/App/" /><location path="SITE/app" /><location path="Ä" /><location path="Site/Apps" /><location /></configuration>`);
        assert.deepStrictEqual(locationsAt(document, "site/app").map((l) => l.start), [15, 45]);
        assert.strictEqual(locationsAt(document, "ä").length, 1);
        assert.strictEqual(locationsAt(document, "").length, 1, "no path is the server level");
        assert.strictEqual(locationsAt(document, "Site").length, 0);
    });

    it("refuses two <location> elements for one path that both hold <asp>, naming their offsets", function () {
        const offsets = [twoAtA.indexOf('<location path="A">'), twoAtA.indexOf('<location path="/a/">')];
        assert.strictEqual(chainRefusal(twoAtA, "a"), `${FILE}: 2 <location> elements for "a" hold <asp> (at offsets ${offsets.join(", ")}); IIS would use only one. Merge them by hand first`);
    });

    it("refuses <asp> in a server-level <location>", function () {
        const text = `<configuration><system.webServer /><location path="."><system.webServer><asp /></system.webServer></location></configuration>`;
        assert.strictEqual(chainRefusal(text, ""), `${FILE}: <location path="."> holds server-level <asp> settings; they are read and written only in the root <system.webServer>. Move them into <system.webServer><asp> by hand first`);
        assert.deepStrictEqual(findSessionChain(parse(`<configuration><location path="."><system.webServer /></location></configuration>`), "", FILE), { systemWebServer: undefined, asp: undefined, session: undefined });
    });

    it("a <location> without a path is the server level's, and named so", function () {
        assert.strictEqual(chainRefusal("<configuration><location><system.webServer><asp /></system.webServer></location></configuration>", ""),
            `${FILE}: <location path=""> holds server-level <asp> settings; they are read and written only in the root <system.webServer>. Move them into <system.webServer><asp> by hand first`);
        assert.strictEqual(chainRefusal("<configuration><location><system.webServer /><system.webServer /></location></configuration>", ""),
            `${FILE}: <location path=""> has 2 <system.webServer> elements; IIS allows one. Fix the file by hand first`);
    });

    it("refuses a duplicate element on the way, naming where", function () {
        assert.strictEqual(chainRefusal("<configuration><system.webServer /><system.webServer /></configuration>", ""), `${FILE}: <configuration> has 2 <system.webServer> elements; IIS allows one. Fix the file by hand first`);
        assert.strictEqual(chainRefusal("<configuration><system.webServer><asp /><asp /></system.webServer></configuration>", ""), `${FILE}: the root <system.webServer> has 2 <asp> elements; IIS allows one. Fix the file by hand first`);
        assert.strictEqual(chainRefusal("<configuration><system.webServer><asp><session /><session /></asp></system.webServer></configuration>", ""), `${FILE}: the root <system.webServer>/<asp> has 2 <session> elements; IIS allows one. Fix the file by hand first`);
        assert.strictEqual(chainRefusal(`<configuration><location path="B"><system.webServer /><system.webServer /></location></configuration>`, "B"), `${FILE}: <location path="B"> has 2 <system.webServer> elements; IIS allows one. Fix the file by hand first`);
        assert.strictEqual(chainRefusal(`<configuration><location path="B"><system.webServer><asp /><asp /></system.webServer></location></configuration>`, "b"), `${FILE}: <location path="B">/<system.webServer> has 2 <asp> elements; IIS allows one. Fix the file by hand first`);
        assert.strictEqual(chainRefusal(`<configuration><location path="B"><system.webServer><asp><session /><session /></asp></system.webServer></location></configuration>`, "B"), `${FILE}: <location path="B">/<asp> has 2 <session> elements; IIS allows one. Fix the file by hand first`);
    });

    it("with no <location> holding <asp>: the one holding <system.webServer>, else the first; none: nothing", function () {
        const text = `<configuration><location path="C" /><location path="c"><system.webServer /></location><location path="C/" /></configuration>`;
        const document = parse(text);
        const chain = findSessionChain(document, "C", FILE);
        assert.strictEqual(chain.location?.start, text.indexOf('<location path="c">'));
        assert.strictEqual(chain.systemWebServer?.name, "system.webServer");
        const bare = `<configuration><location path="D" /><location path="d" /></configuration>`;
        assert.strictEqual(findSessionChain(parse(bare), "D", FILE).location?.start, bare.indexOf('<location path="D" />'));
        assert.deepStrictEqual(findSessionChain(parse(bare), "E", FILE), {});
        const held = findSessionChain(parse(twoAtA.replace('<location path="/a/"><system.webServer><asp /></system.webServer></location>', "")), "A", FILE);
        assert.deepStrictEqual([held.location?.name, held.systemWebServer?.name, held.asp?.name, held.session?.name], ["location", "system.webServer", "asp", "session"]);
    });
});
