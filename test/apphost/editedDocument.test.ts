/**
 * spliceDocument checks an edit by scanning only the edited region. These tests hold it to a scan
 * of the whole new file: on every corpus file, for the editor's real edits and for random splices
 * (well-formed or not) inside random elements and between them, it must accept exactly when the
 * whole scan accepts (except that it refuses fragments that are not balanced on their own), build
 * the same tree (offsets included) and the same bytes, and so read the same settings.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ApplicationHostDocument, ConfigFileError, documentBytes, parseApplicationHost } from "../../provider/apphost/document";
import { Splice, spliceDocument } from "../../provider/apphost/editedDocument";
import { readSession } from "../../provider/apphost/sessionReader";
import { editSession, SessionEdit } from "../../provider/apphost/sessionEditor";
import { attribute, XmlElement } from "../../provider/apphost/xmlScanner";
import { SessionAttribute } from "../../provider/settings/schema";
import { corpusDir, corpusFilesUnderTest, MALFORMED_CORPUS_FILES as MALFORMED } from "../support/corpus";
import { underMutationRun } from "../support/paths";
import { seededRandom as random } from "../support/seededRandom";


/** The text with the splices applied, the slow obvious way. */
function splicedText(text: string, splices: readonly Splice[]): string {
    let out = text;
    // Last first, and of two at one offset the longer first (an insertion goes before what follows a removal there), as the editor does.
    for (const splice of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, splice.start) + splice.text + out.slice(splice.end);
    return out;
}

type Outcome = { ok: true; bytes: Buffer; root: XmlElement } | { ok: false; message: string };

function outcome(run: () => { bytes: Buffer; root: XmlElement }): Outcome {
    try {
        return { ok: true, ...run() };
    } catch (error) {
        if (!(error instanceof ConfigFileError)) throw error;
        return { ok: false, message: error.message };
    }
}

/** Both ways of checking an edit: the fragment check, and parsing the whole new file. */
function bothWays(document: ApplicationHostDocument, bytes: Buffer, splices: readonly Splice[], file: string): { fragment: Outcome; whole: Outcome } {
    const fragment = outcome(() => spliceDocument(document, bytes, splices, file));
    const whole = outcome(() => {
        const newBytes = documentBytes(document, splicedText(document.text, splices));
        return { bytes: newBytes, root: parseApplicationHost(newBytes, file).root };
    });
    return { fragment, whole };
}

/** The refusals that only the fragment check makes: a fragment must be balanced on its own. */
function isBalanceRefusal(message: string): boolean {
    return /closes an element the edited text did not open|the edited text ends early/.test(message);
}

function assertSame(fragment: Outcome, whole: Outcome, what: string, location: string, file: string): void {
    if (!fragment.ok) {
        assert.ok(whole.ok === false || isBalanceRefusal(fragment.message), `${what}: the fragment check refused what the whole scan accepts: ${fragment.message}`);
        assert.match(fragment.message, /nothing was written|nothing was changed/, what);
        return;
    }
    assert.ok(whole.ok, `${what}: the fragment check accepted what the whole scan refuses: ${whole.ok ? "" : whole.message}`);
    assert.ok(fragment.bytes.equals(whole.bytes), `${what}: bytes differ`);
    assert.deepStrictEqual(fragment.root, whole.root, `${what}: trees differ`);
    const read = (root: XmlElement): unknown => {
        try {
            return readSession({ root }, location, file);
        } catch (error) {
            return (error as Error).message;
        }
    };
    assert.deepStrictEqual(read(fragment.root), read(whole.root), `${what}: readings differ`);
}


/** Snippets that make or break well-formedness in every way the scanner checks. */
const SNIPPETS = [
    "", "x", " ", "\r\n    ", "<", ">", "&", "&amp;", "&#x41;", "&#0;", "&bogus;", "\"", "'", "=", "/", "/>",
    " a=\"1\"", " timeout=\"00:10:00\"", " max='3'", " a=1", "<asp>", "</asp>", "</asp><asp>", "<session />",
    "<session timeout=\"00:11:00\" max=\"7\" />", "<!-- note -->", "<!-- a -- b -->", "--", "<![CDATA[ <x> ]]>",
    "<?pi data?>", "<?xml version=\"1.0\"?>", "<location path=\"Rnd\"><system.webServer><asp><session max=\"3\" /></asp></system.webServer></location>",
    "<system.webServer><asp><session allowSessionState=\"false\" /></asp></system.webServer>", "é", "\u{1F600}", "\ud800",
];

/** Every materialised element but the root. */
function materialised(root: XmlElement): XmlElement[] {
    const found: XmlElement[] = [];
    const visit = (element: XmlElement): void => {
        for (const child of element.children) {
            found.push(child);
            visit(child);
        }
    };
    visit(root);
    return found;
}

/** One to three random non-overlapping splices inside or just around one element. */
function randomSplices(next: () => number, element: XmlElement, textLength: number): Splice[] {
    const from = Math.max(0, element.start - 8), to = Math.min(textLength, element.end + 8);
    const points = [...new Set(Array.from({ length: 2 * (1 + Math.floor(next() * 3)) }, () => from + Math.floor(next() * (to - from + 1))))].sort((a, b) => a - b);
    if (points.length % 2 === 1) points.pop();
    const splices: Splice[] = [];
    for (let k = 0; k < points.length; k += 2) {
        const deleting = next() < 0.5;
        splices.push({ start: points[k], end: deleting ? points[k + 1] : points[k], text: SNIPPETS[Math.floor(next() * SNIPPETS.length)] });
    }
    return splices;
}

describe("spliceDocument: checking an edit by its fragment", function () {
    it("matches a whole scan for the editor's edits of a small file, in every kind of splice", function () {
        const file = "inline.config";
        const texts = [
            `<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>\r\n    <location path="A">\r\n        <system.webServer>\r\n            <asp />\r\n        </system.webServer>\r\n    </location>\r\n</configuration>\r\n`,
            `<configuration><!-- é \u{1F600} --><location path="Ä"><system.webServer><asp><session timeout="00:20:00" max="9" /><limits /></asp></system.webServer></location>text é<location path="B" /></configuration>`,
            `\ufeff<configuration />`,
            `<configuration>\n</configuration>`,
        ];
        for (const source of texts) {
            const bytes = Buffer.from(source, "utf8");
            const document = parseApplicationHost(bytes, file);
            for (const location of ["", "A", "Ä", "Ä/app", "B", "New"]) {
                const set: SessionEdit["set"] = { allowSessionState: { value: "false" }, timeout: { value: "00:10:00" } };
                const applied = editSession(document, location, file, { set, remove: [] });
                const { fragment, whole } = bothWays(document, bytes, applied.splices, file);
                assertSame(fragment, whole, `${JSON.stringify(source.slice(0, 30))} at "${location}"`, location, file);
                assert.ok(fragment.ok && fragment.bytes.equals(documentBytes(document, applied.text)));
                // And back: removing what was set, pruning what was created.
                const appliedDocument = parseApplicationHost(fragment.bytes, file);
                const reverted = editSession(appliedDocument, location, file, { set: {}, remove: ["allowSessionState", "timeout"], prune: applied.record });
                const back = bothWays(appliedDocument, fragment.bytes, reverted.splices, file);
                assertSame(back.fragment, back.whole, `revert at "${location}"`, location, file);
            }
        }
    });

    it("refuses a malformed edit, naming the file and the problem", function () {
        const file = "inline.config";
        const bytes = Buffer.from(`<configuration><location path="A"><system.webServer><asp><session max="1" /></asp></system.webServer></location></configuration>`);
        const document = parseApplicationHost(bytes, file);
        const session = materialised(document.root).find((element) => element.name === "session") as XmlElement;
        const valueStart = (attribute(session, "max") as { valueStart: number }).valueStart;
        assert.throws(() => spliceDocument(document, bytes, [{ start: valueStart, end: valueStart + 1, text: "a&b" }], file),
            (error: Error) => error instanceof ConfigFileError && error.message.startsWith(`${file}: the edit would make it malformed XML`) && /nothing was written/.test(error.message));
        assert.throws(() => spliceDocument(document, bytes, [{ start: session.start, end: session.end, text: "</asp><asp>" }], file), /did not open/);
        // At the very start of the checked text, where the fragment's own offset is 0.
        for (const at of [session.start, session.end]) {
            const { fragment, whole } = bothWays(document, bytes, [{ start: at, end: at, text: `<?xml version="1.0"?>` }], file);
            assert.ok(!fragment.ok && !whole.ok && /XML declaration not at the start/.test(fragment.message), `XML declaration at ${at}`);
        }
    });

    // Under npm run mutate, apphost_02 (213 KB, ~140 locations) is left to the corpus tests: every splice here scans it whole.
    const files = corpusFilesUnderTest().filter((name) => !MALFORMED.has(name) && !(underMutationRun && name === "apphost_02.config"));
    // Under npm run mutate: the first 8 locations of each file and 30 splices (apphost_02 has 140 locations).
    const [locationsPerFile, splicesPerFile] = underMutationRun ? [8, 30] : [Infinity, 60];
    for (const name of files) {
        it(`matches a whole scan on ${name}: the editor's edits everywhere, and ${splicesPerFile} random splices`, function () {
            const file = path.join(corpusDir as string, name);
            const bytes = fs.readFileSync(file);
            const document = parseApplicationHost(bytes, file);
            const locations = [...new Set(document.root.children.filter((c) => c.name === "location").map((l) => attribute(l, "path")?.value ?? ""))];
            for (const location of ["", ...locations.slice(0, locationsPerFile), "Pulumi Test Site", "Pulumi Test Site/app/sub"]) {
                let applied;
                try {
                    applied = editSession(document, location, file, { set: { allowSessionState: { value: "false" }, max: { value: "1000" }, timeout: { value: "00:10:00" } }, remove: [] });
                } catch (error) {
                    if (error instanceof ConfigFileError) continue; // e.g. two <location> elements holding <asp>
                    throw error;
                }
                const { fragment, whole } = bothWays(document, bytes, applied.splices, file);
                assertSame(fragment, whole, `apply at "${location}"`, location, file);
                assert.ok(fragment.ok);
                const appliedDocument = parseApplicationHost(fragment.bytes, file);
                const before = readSession(document, location, file);
                const restore: SessionEdit = { set: {}, remove: [], prune: applied.record };
                for (const attributeName of ["allowSessionState", "max", "timeout"] as SessionAttribute[]) {
                    const raw = before.explicitRaw[attributeName];
                    if (raw === undefined) restore.remove.push(attributeName);
                    else restore.set[attributeName] = { raw };
                }
                const reverted = editSession(appliedDocument, location, file, restore);
                const back = bothWays(appliedDocument, fragment.bytes, reverted.splices, file);
                assertSame(back.fragment, back.whole, `revert at "${location}"`, location, file);
                assert.ok(back.fragment.ok && back.fragment.bytes.equals(bytes), `revert at "${location}" did not restore the bytes`);
            }
            const next = random(0x5eed ^ name.length ^ bytes.length);
            const elements = materialised(document.root);
            const location = locations[0] ?? "";
            let accepted = 0;
            for (let k = 0; k < splicesPerFile; k++) {
                const element = elements[Math.floor(next() * elements.length)];
                const splices = randomSplices(next, element, document.text.length);
                const { fragment, whole } = bothWays(document, bytes, splices, file);
                assertSame(fragment, whole, `random splices ${JSON.stringify(splices)}`, location, file);
                if (fragment.ok) accepted++;
            }
            assert.ok(accepted > 0, "no random splice was well-formed: the property was not exercised");
        });
    }
});
