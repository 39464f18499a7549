/**
 * The editor on every real file in ../shared/corpus/applicationHost: read everywhere, then apply at
 * the server level, at an existing site location, at a new site and at a new application; the
 * result parses, reads back, differs from the original only inside the edited element, and
 * reverting gives back the original bytes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { XMLValidator } from "fast-xml-parser";
import { documentBytes, parseApplicationHost, findSessionChain } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { editSession, SessionEdit } from "../../provider/apphost/sessionEditor";
import { attribute } from "../../provider/apphost/xmlScanner";
import { SessionAttribute } from "../../provider/settings/schema";
import { allCorpusFiles, corpusDir, corpusFilesUnderTest, MALFORMED_CORPUS_FILES as MALFORMED } from "../support/corpus";


/** Applies desired values the way the provider does, then reverts with what was there before. */
function applyThenRevert(bytes: Buffer, file: string, location: string) {
    const document = parseApplicationHost(bytes, file);
    const before = readSession(document, location, file);
    const set: SessionEdit["set"] = { allowSessionState: { value: "false" }, max: { value: "1000" }, timeout: { value: "00:10:00" } };
    const applied = editSession(document, location, file, { set, remove: [] });
    const after = documentBytes(document, applied.text);
    const restore: SessionEdit = { set: {}, remove: [], prune: applied.record };
    for (const name of Object.keys(set) as SessionAttribute[]) {
        const raw = before.explicitRaw[name];
        if (raw === undefined) restore.remove.push(name);
        else restore.set[name] = { raw };
    }
    const appliedDocument = parseApplicationHost(after, file);
    const reverted = documentBytes(appliedDocument, editSession(appliedDocument, location, file, restore).text);
    return { document, before, after, appliedDocument, reverted };
}

/** The span [start, end) of the original that an edit at `location` may touch. */
function editableSpan(bytes: Buffer, file: string, location: string): [number, number] {
    const document = parseApplicationHost(bytes, file);
    const chain = findSessionChain(document, location, file);
    const deepest = chain.session ?? chain.asp ?? chain.systemWebServer ?? chain.location ?? document.root;
    return [deepest.start, deepest.end];
}

function differingSpan(a: string, b: string): [number, number] {
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length, endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
    return [start, endA];
}

describe("applicationHost.config corpus", function () {
    before(function () {
        if (!corpusDir) {
            console.log("    (../shared/corpus/applicationHost is absent: corpus tests skipped; they are required under CI)");
            this.skip();
        }
    });

    it("holds the 36 files the manifest lists", function () {
        assert.strictEqual(allCorpusFiles().length, 36);
    });

    // Each test parses its file itself: nothing from the provider runs while the tests are declared,
    // so a mutation run can switch mutants in and out between tests (see npm run mutate).
    function opened(file: string) {
        const bytes = fs.readFileSync(file);
        const document = parseApplicationHost(bytes, file);
        const locations = [...new Set(document.root.children.filter((c) => c.name === "location")
            .map((l) => attribute(l, "path")?.value ?? ""))];
        const siteLocation = locations.find((l) => l !== "" && !l.includes("/"));
        return { bytes, document, locations, siteLocation };
    }

    for (const name of corpusFilesUnderTest()) {
        describe(name, function () {
            const file = path.join(corpusDir as string, name);

            if (MALFORMED.has(name)) {
                it("is refused as malformed, naming the file and the line", function () {
                    assert.throws(() => parseApplicationHost(fs.readFileSync(file), file), (error: Error) =>
                        error.message.includes(file) && /not well-formed XML/.test(error.message) && /line \d+/.test(error.message));
                });
                return;
            }

            it("reads the settings at the server level and at every location", function () {
                const { document, locations } = opened(file);
                for (const location of ["", ...locations]) {
                    const reading = readSession(document, location, file);
                    assert.strictEqual(typeof reading.effective.allowSessionState, "boolean");
                    assert.ok(Number.isInteger(reading.effective.max));
                    assert.match(reading.effective.timeout, /^(\d+\.)?\d\d:\d\d:\d\d$/);
                }
            });

            const targets: Array<[string, (siteLocation: string | undefined) => string | undefined]> = [
                ["the server level", () => ""],
                ["an existing site location (when the file has one)", (siteLocation) => siteLocation],
                ["a new site", () => "Pulumi Test Site"],
                ["a new application", () => "Pulumi Test Site/app/sub"],
            ];
            for (const [label, pick] of targets) {
                it(`applies at ${label} and reverts to the original bytes`, function () {
                    const { bytes, document, siteLocation } = opened(file);
                    const location = pick(siteLocation);
                    if (location === undefined) {
                        assert.ok(label.includes("when the file has one"), `${label}: no location`);
                        return;
                    }
                    const { after, appliedDocument, reverted } = applyThenRevert(bytes, file, location);
                    assert.strictEqual(XMLValidator.validate(after.toString("utf8").replace(/^\ufeff/, "")), true, "result is not well-formed");
                    const reading = readSession(appliedDocument, location, file);
                    assert.deepStrictEqual(reading.explicit, { ...reading.explicit, allowSessionState: false, max: 1000, timeout: "00:10:00" });
                    assert.strictEqual(reading.effective.timeout, "00:10:00");
                    assert.strictEqual(reading.effective.max, 1000);
                    const originalText = document.text;
                    const [changedFrom, changedTo] = differingSpan(originalText, appliedDocument.text);
                    const [spanStart, spanEnd] = editableSpan(bytes, file, location);
                    assert.ok(changedFrom >= spanStart && changedTo <= spanEnd,
                        `change at ${changedFrom}-${changedTo} lies outside the edited element ${spanStart}-${spanEnd}`);
                    assert.strictEqual(after.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), document.bom, "BOM changed");
                    if (document.newline === "\r\n") {
                        assert.ok(!/[^\r]\n/.test(appliedDocument.text.slice(changedFrom, changedTo + 200)), "LF-only line in a CRLF file");
                    }
                    assert.ok(reverted.equals(bytes), "revert did not restore the original bytes");
                });
            }

            it("leaves what every other location reads unchanged", function () {
                const { bytes, document, locations } = opened(file);
                const { appliedDocument } = applyThenRevert(bytes, file, "Pulumi Test Site");
                for (const location of ["", ...locations]) {
                    assert.deepStrictEqual(readSession(appliedDocument, location, file), readSession(document, location, file), `location "${location}"`);
                }
            });
        });
    }
});
