/**
 * The XML scanner against an independent, conforming XML 1.0 parser: expat (Python's
 * xml.parsers.expat, the parser libexpat ships), on thousands of documents made by damaging small
 * valid ones at random. IIS refuses a file that is not well-formed, so the scanner must refuse
 * exactly what expat refuses; where both accept, they must see the same elements and attributes.
 *
 * Known, deliberate differences, each excluded by name: no DOCTYPE in the generator (the scanner
 * refuses every DOCTYPE; expat accepts internal subsets); a declared encoding other than UTF-8
 * (the scanner checks the name's syntax, parseApplicationHost refuses anything but UTF-8, expat
 * refuses names it does not know); and a version other than 1.x, which expat accepts and the
 * scanner, like .NET's XmlReader, refuses.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { scanXml, XmlElement, XmlSyntaxError } from "../../provider/apphost/xmlScanner";
import { underCi } from "../support/paths";
import { seededRandom } from "../support/seededRandom";

/** Reads a JSON array of documents on stdin; prints, for each, expat's verdict and its elements in document order. */
const EXPAT = String.raw`
import json, sys
import xml.parsers.expat as expat
out = []
for text in json.load(sys.stdin):
    elements = []
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    def start(name, attributes, elements=elements):
        elements.append([name, [[attributes[i], attributes[i + 1]] for i in range(0, len(attributes), 2)]])
    parser.StartElementHandler = start
    try:
        parser.Parse(text.encode('utf-8'), True)
        out.append({'ok': True, 'elements': elements})
    except (expat.ExpatError, LookupError, ValueError) as error:
        out.append({'ok': False, 'error': str(error)})
json.dump(out, sys.stdout)
`;

type ExpatVerdict = { ok: true; elements: [string, [string, string][]][] } | { ok: false; error: string };

/** Verdicts by input, kept for the process: Stryker runs a test once per mutant, and expat's verdicts do not change. */
const expatVerdicts = new Map<string, ExpatVerdict[]>();

function expat(documents: string[]): ExpatVerdict[] | undefined {
    const input = JSON.stringify(documents);
    const known = expatVerdicts.get(input);
    if (known !== undefined) return known;
    const run = spawnSync("python3", ["-c", EXPAT], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (run.error && (run.error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    assert.strictEqual(run.status, 0, run.stderr);
    const verdicts = JSON.parse(run.stdout) as ExpatVerdict[];
    expatVerdicts.set(input, verdicts);
    return verdicts;
}

/** Valid documents with every construct the scanner handles. */
const SEEDS = [
    `<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>\r\n  <system.webServer>\r\n    <asp>\r\n      <session max="5" timeout='00:20:00' />\r\n    </asp>\r\n  </system.webServer>\r\n</configuration>\r\n`,
    `<a x="1" y='2'><!-- note --><b/><c z="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;">t&amp;u<![CDATA[ <raw> & ]]></c><?pi data?></a>`,
    `<?xml version="1.0"?>\n<!-- head -->\n<root>\n\t<item key="k" value="v"/>\n\t<item key="k2">text</item>\n</root>\n<!-- tail -->\n`,
    `<location path="Default Web Site/shop"><system.webServer><asp><session allowSessionState="true"/></asp></system.webServer></location>`,
    `<r><e a="&#x1F600;"/><e b=""/><e   c = "sp" ></e></r>`,
];

const INSERTS = ["<", ">", "&", "&amp;", "&#x41;", "&#0;", "&#xD800;", "&foo;", '"', "'", "=", "/", "!", "?", "-", "--", "]]>", "<!--", "-->", "<![CDATA[", " ", "\n", "\r", "\t", "a", 'q="1"', "</a>", "<b>", "<b/>", "&lt", ";", "<?x?>", "<?xml?>", "é", "\u00a0"];

/** A seed damaged by one to three random edits: delete, insert, duplicate or swap. */
function damaged(random: () => number): string {
    let text = SEEDS[Math.floor(random() * SEEDS.length)];
    const edits = 1 + Math.floor(random() * 3);
    for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = random();
        if (kind < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
        else if (kind < 0.75) text = text.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)] + text.slice(at);
        else if (kind < 0.9) {
            const end = Math.min(text.length, at + 1 + Math.floor(random() * 12));
            text = text.slice(0, end) + text.slice(at, end) + text.slice(end);
        } else if (at + 1 < text.length) text = text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
    }
    return text;
}

/** The scanner's verdict in expat's shape: every element materialised, in document order. */
function scanned(text: string): ExpatVerdict {
    let root: XmlElement;
    try {
        root = scanXml(text, () => true).root;
    } catch (error) {
        if (error instanceof XmlSyntaxError) return { ok: false, error: error.message };
        throw error;
    }
    const elements: [string, [string, string][]][] = [];
    const visit = (element: XmlElement) => {
        elements.push([element.name, element.attributes.map((attribute) => [attribute.name, attribute.value])]);
        element.children.forEach(visit);
    };
    visit(root);
    return { ok: true, elements };
}

/** A declaration whose encoding is not UTF-8 or whose version is not 1.x: see the header. */
function knownDifference(text: string): boolean {
    const declaration = /^<\?xml([^?]*)\?>/.exec(text)?.[1] ?? "";
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
    const version = /version\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
    return (encoding !== undefined && encoding.toLowerCase() !== "utf-8") || (version !== undefined && !/^1\.[0-9]+$/.test(version));
}

/** XML normalises literal tab, CR and LF in attribute values to spaces; the scanner keeps them. Compared only where neither occurs. */
function comparableAttributes(text: string): boolean {
    return !/=\s*("[^"]*[\t\r\n][^"]*"|'[^']*[\t\r\n][^']*')/.test(text);
}

describe("the XML scanner agrees with expat on well-formedness and content", function () {
    this.timeout(120_000);

    it("every seed is well-formed for both", function () {
        const verdicts = expat(SEEDS);
        if (verdicts === undefined) {
            if (underCi) throw new Error("CI=true but python3 is not installed");
            this.skip();
        }
        SEEDS.forEach((seed, index) => {
            assert.ok(verdicts[index].ok, `seed ${index}: ${JSON.stringify(verdicts[index])}`);
            assert.deepStrictEqual(scanned(seed), verdicts[index], `seed ${index}`);
        });
    });

    it("accepts exactly what expat accepts, and reads the same elements and attributes (property: 6,000 damaged documents)", function () {
        const random = seededRandom(2026);
        const documents = Array.from({ length: 6000 }, () => damaged(random)).filter((text) => !text.includes("<!DOCTYPE") && !knownDifference(text));
        const verdicts = expat(documents);
        if (verdicts === undefined) {
            if (underCi) throw new Error("CI=true but python3 is not installed");
            this.skip();
        }
        const disagreements: string[] = [];
        let refused = 0;
        documents.forEach((text, index) => {
            const ours = scanned(text);
            const theirs = verdicts[index];
            if (!theirs.ok) refused++;
            if (ours.ok !== theirs.ok) {
                disagreements.push(`${JSON.stringify(text)}\n    scanner: ${ours.ok ? "accepted" : ours.error}\n    expat:   ${theirs.ok ? "accepted" : theirs.error}`);
            } else if (ours.ok && theirs.ok && comparableAttributes(text)) {
                if (JSON.stringify(ours.elements) !== JSON.stringify(theirs.elements)) {
                    disagreements.push(`${JSON.stringify(text)}\n    scanner: ${JSON.stringify(ours.elements)}\n    expat:   ${JSON.stringify(theirs.elements)}`);
                }
            }
        });
        assert.ok(refused > documents.length / 4 && refused < documents.length - documents.length / 10, `${refused} of ${documents.length} refused: the generator must make both kinds`);
        assert.deepStrictEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements`);
    });
});
