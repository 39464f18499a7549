/**
 * The location and site index against the linear lookups it replaced (property): on every corpus
 * file and on random documents, for every path written there, other spellings of it and random
 * paths, the index gives the same elements in the same order as a pass over every `<location>`
 * (document.ts's locationsAt) and as the old first-match search of `<sites>`. Plus: an edited
 * document is indexed afresh, and scanSiteNames finds what a full parse finds.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ApplicationHostDocument, locationsAt as linearLocationsAt, parseApplicationHost } from "../../provider/apphost/document";
import { spliceDocument } from "../../provider/apphost/editedDocument";
import { locationsAt, siteNamed, sitesElement } from "../../provider/apphost/locationIndex";
import { editSession } from "../../provider/apphost/sessionEditor";
import { scanSiteNames, siteNames } from "../../provider/apphost/sites";
import { attribute, XmlElement } from "../../provider/apphost/xmlScanner";
import { corpusDir, corpusFilesUnderTest, MALFORMED_CORPUS_FILES } from "../support/corpus";
import { seededRandom } from "../support/seededRandom";

/** The search webConfigPlaces.ts made before the index: the first `<site>` of that name in any `<sites>`. */
function linearSiteNamed(document: Pick<ApplicationHostDocument, "root">, name: string): XmlElement | undefined {
    for (const section of document.root.children) {
        if (section.name !== "system.applicationHost") continue;
        for (const sites of section.children) {
            if (sites.name !== "sites") continue;
            const found = sites.children.find((site) => site.name === "site" && (attribute(site, "name")?.value ?? "").toLowerCase() === name.toLowerCase());
            if (found) return found;
        }
    }
    return undefined;
}

/** The one sites.ts made: the last `<sites>` of any `<system.applicationHost>`. */
function linearSitesElement(document: Pick<ApplicationHostDocument, "root">): XmlElement | undefined {
    let sites: XmlElement | undefined;
    for (const section of document.root.children) {
        if (section.name !== "system.applicationHost") continue;
        for (const child of section.children) if (child.name === "sites") sites = child;
    }
    return sites;
}

/** Paths to look up in a document: each written one and other spellings of it, each site name, and random ones. */
function pathsToTry(document: Pick<ApplicationHostDocument, "root">, seed: number): string[] {
    const random = seededRandom(seed);
    const written = document.root.children.filter((child) => child.name === "location").map((location) => attribute(location, "path")?.value ?? "");
    const names = siteNames(document) ?? [];
    const segments = [...written, ...names].flatMap((text) => text.split("/")).filter((segment) => segment !== "");
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const randomPaths = Array.from({ length: 200 }, () => {
        const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => segments.length > 0 && random() < 0.7 ? pick(segments) : pick(["x", "İ", "ß", "K", "Straße", "app", "."]));
        const joined = parts.join("/");
        return pick(["", "/"]) + (random() < 0.5 ? joined.toUpperCase() : joined) + pick(["", "/", "//"]);
    });
    const spellings = written.flatMap((text) => [text, text.toUpperCase(), text.toLowerCase(), `/${text}/`, `${text}/`, `//${text}`, `${text}x`]);
    return [...new Set(["", ".", "/", "/./", ...spellings, ...names, ...names.map((name) => name.toUpperCase()), ...randomPaths])];
}

function assertSameLookups(document: ApplicationHostDocument, label: string, seed: number): void {
    for (const candidate of pathsToTry(document, seed)) {
        const expected = linearLocationsAt(document, candidate);
        const found = locationsAt(document, candidate);
        assert.strictEqual(found.length, expected.length, `${label}: ${JSON.stringify(candidate)}: ${found.length} locations, linear ${expected.length}`);
        found.forEach((element, i) => assert.strictEqual(element, expected[i], `${label}: ${JSON.stringify(candidate)}: location ${i} differs`));
        const site = candidate.split("/")[0];
        assert.strictEqual(siteNamed(document, site), linearSiteNamed(document, site), `${label}: site ${JSON.stringify(site)}`);
    }
    assert.strictEqual(sitesElement(document), linearSitesElement(document), `${label}: <sites>`);
}

function randomDocument(random: () => number): string {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const paths = ["", ".", "/", "S", "s", "/S/", "S/app", "S/APP/", "T", "T/x/y", "İ", "i̇", "Straße", "STRASSE", "ß/K", "K/k"];
    const sites = ["S", "s", "T", "İ", "Straße", "K", ""];
    const lines = ["<configuration>", "<system.applicationHost>"];
    for (let group = 0; group < 1 + Math.floor(random() * 2); group++) {
        lines.push("<sites>");
        for (let i = 0; i < Math.floor(random() * 4); i++) lines.push(random() < 0.1 ? "<site />" : `<site name="${pick(sites)}" id="${i}" />`);
        lines.push("</sites>");
    }
    lines.push("</system.applicationHost>");
    for (let i = 0; i < Math.floor(random() * 12); i++) {
        lines.push(random() < 0.05 ? "<location><system.webServer /></location>" : `<location path="${pick(paths)}"><system.webServer /></location>`);
    }
    lines.push("</configuration>");
    return lines.join("\n");
}

describe("location index", function () {
    it("finds the same locations and sites as the linear lookups, on random documents (property: 300 documents)", function () {
        const random = seededRandom(2101);
        for (let round = 0; round < 300; round++) {
            const text = randomDocument(random);
            assertSameLookups(parseApplicationHost(Buffer.from(text), "random.config"), `document ${round}:\n${text}`, round);
        }
    });

    it("finds the same locations and sites as the linear lookups, on every corpus file", function () {
        if (!corpusDir) this.skip();
        for (const name of corpusFilesUnderTest()) {
            if (MALFORMED_CORPUS_FILES.has(name)) continue;
            const bytes: Buffer = fs.readFileSync(path.join(corpusDir as string, name));
            assertSameLookups(parseApplicationHost(bytes, name), name, name.length);
        }
    });

    it("indexes an edited document afresh: a location the edit adds is found there, not in the document it came from", function () {
        const text = `<configuration>\n  <system.applicationHost>\n    <sites>\n      <site name="S" id="1" />\n    </sites>\n  </system.applicationHost>\n  <location path="T">\n    <system.webServer />\n  </location>\n</configuration>\n`;
        const bytes = Buffer.from(text);
        const document = parseApplicationHost(bytes, "edited.config");
        assert.strictEqual(locationsAt(document, "S").length, 0);
        const edit = editSession(document, "S", "edited.config", { set: { timeout: { value: "00:10:00" } }, remove: [] });
        const edited = spliceDocument(document, bytes, edit.splices, "edited.config");
        assert.strictEqual(locationsAt(edited, "s").length, 1);
        assert.strictEqual(locationsAt(edited, "S")[0], locationsAt(edited, "/s/")[0]);
        assert.strictEqual(locationsAt(document, "S").length, 0, "the original document's index is unchanged");
        assert.strictEqual(locationsAt(edited, "T")[0].start, linearLocationsAt(edited, "T")[0].start);
    });

    it("scanSiteNames finds the names a full parse finds, on every corpus file and with a byte-order mark", function () {
        if (!corpusDir) this.skip();
        for (const name of corpusFilesUnderTest()) {
            if (MALFORMED_CORPUS_FILES.has(name)) continue;
            const bytes: Buffer = fs.readFileSync(path.join(corpusDir as string, name));
            assert.deepStrictEqual(scanSiteNames(bytes), siteNames(parseApplicationHost(bytes, name)), name);
        }
        const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<configuration><system.applicationHost><sites><site name="Ä" /></sites></system.applicationHost></configuration>`)]);
        assert.deepStrictEqual(scanSiteNames(withBom), ["Ä"]);
        assert.strictEqual(scanSiteNames(Buffer.from("<configuration><system.webServer /></configuration>")), undefined, "no <sites>: a web.config");
        assert.throws(() => scanSiteNames(Buffer.from("<configuration><sites>")), /./, "not well-formed");
    });
});
