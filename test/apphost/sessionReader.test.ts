/**
 * readSession against the inheritance rule stated directly (property): IIS's schema defaults, then
 * the server level's <session>, then <location path=""> ones, then each ancestor path from the site
 * down, each <location> in file order, a later one winning; the explicit values are those set at
 * the location itself, as written. Random documents put session attributes at random paths in
 * random spellings. Plus the refusal of a value IIS would refuse, and the sites lookups.
 */
import * as assert from "assert";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import { siteNames, unknownSiteWarning } from "../../provider/apphost/sites";
import { closestName, editDistance } from "../../provider/settings/closestName";
import { seededRandom } from "../support/seededRandom";

const FILE = "/srv/applicationHost.config";
const DEFAULTS = { allowSessionState: true, keepSessionIdSecure: true, max: 4294967295, timeout: "00:20:00" };

/** Spellings of each attribute's values, with the canonical value each means. */
const SPELLINGS: Record<string, [string, unknown][]> = {
    allowSessionState: [["true", true], ["False", false], [" TRUE ", true]],
    keepSessionIdSecure: [["false", false], ["true", true]],
    max: [["5", 5], ["0300", 300], ["0", 0]],
    timeout: [["00:10:00", "00:10:00"], ["1.00:00:00", "1.00:00:00"], ["0:45", "00:45:00"], ["00:01:00.0000000", "00:01:00"]],
};

describe("readSession", function () {
    it("applies defaults, the server level, then each ancestor location from the site down, later <location> elements winning (property: 400 documents)", function () {
        const random = seededRandom(99);
        const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
        const paths = ["", "S", "s", "S/app", "/S/App/", "S/app/deep", "T", "T/app"];
        const canonical = (path: string) => path.replace(/^\/+|\/+$/g, "").toLowerCase();
        for (let round = 0; round < 400; round++) {
            type Placed = { path: string; server: boolean; values: Record<string, unknown>; raw: Record<string, string> };
            const placed: Placed[] = [];
            const sessionXml = (values: Record<string, unknown>, raw: Record<string, string>) => {
                const attributes = Object.keys(SPELLINGS).filter(() => random() < 0.4).map((name) => {
                    const [text, value] = pick(SPELLINGS[name]);
                    values[name] = value;
                    raw[name] = text;
                    return ` ${name}="${text}"`;
                });
                return `<session${attributes.join("")} />`;
            };
            let body = "";
            if (random() < 0.6) {
                const entry: Placed = { path: "", server: true, values: {}, raw: {} };
                body += `<system.webServer><asp>${sessionXml(entry.values, entry.raw)}</asp></system.webServer>`;
                placed.push(entry);
            }
            const usedWithAsp = new Set<string>();
            for (let k = Math.floor(random() * 6); k > 0; k--) {
                const path = pick(paths.slice(1));
                if (usedWithAsp.has(canonical(path)) || random() < 0.2) {
                    body += `<location path="${path}"><system.webServer><other /></system.webServer></location>`;
                    continue;
                }
                usedWithAsp.add(canonical(path));
                const entry: Placed = { path: canonical(path), server: false, values: {}, raw: {} };
                body += `<location path="${path}"><system.webServer><asp>${sessionXml(entry.values, entry.raw)}</asp></system.webServer></location>`;
                placed.push(entry);
            }
            const document = parseApplicationHost(Buffer.from(`<configuration>${body}</configuration>`), FILE);
            for (const path of paths) {
                const key = canonical(path);
                const lineage = key === "" ? [] : key.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
                // Where each value comes from, parents named as the requested path spells them.
                const spelled = key === "" ? [] : path.replace(/^\/+|\/+$/g, "").split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
                const effective: Record<string, unknown> = { ...DEFAULTS };
                const sources: Record<string, unknown> = Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, { level: "default" }]));
                const take = (values: Record<string, unknown>, origin: unknown) => {
                    Object.assign(effective, values);
                    for (const name of Object.keys(values)) sources[name] = origin;
                };
                for (const entry of placed.filter((p) => p.server)) take(entry.values, { level: key === "" ? "location" : "server" });
                lineage.forEach((level, depth) => {
                    const origin = depth === lineage.length - 1 ? { level: "location" } : { level: "parent", path: spelled[depth] };
                    for (const entry of placed.filter((p) => !p.server && p.path === level)) take(entry.values, origin);
                });
                const own = placed.find((p) => (key === "" ? p.server : !p.server && p.path === key));
                const reading = readSession(document, path, FILE);
                assert.deepStrictEqual(reading, { explicitRaw: own?.raw ?? {}, explicit: own?.values ?? {}, effective, sources }, `${body} at "${path}"`);
            }
        }
    });

    it("refuses a value IIS would refuse, wherever it is inherited from, naming the location and the text", function () {
        const text = '<configuration><location path="S"><system.webServer><asp><session max="-1" /></asp></system.webServer></location></configuration>';
        const document = parseApplicationHost(Buffer.from(text), FILE);
        for (const path of ["S", "S/app"]) {
            assert.throws(() => readSession(document, path, FILE), (error: Error) => error.name === "ConfigFileError" &&
                error.message === `${FILE}: location "S" has session max="-1", which IIS would refuse: "-1" is not a whole number from 0 to 4294967295`, path);
        }
        assert.deepStrictEqual(readSession(document, "T", FILE).effective, DEFAULTS);
        const server = parseApplicationHost(Buffer.from('<configuration><system.webServer><asp><session timeout="00:00:30" /></asp></system.webServer></configuration>'), FILE);
        assert.throws(() => readSession(server, "", FILE), /^ConfigFileError: \/srv\/applicationHost\.config: the server level has session timeout="00:00:30", which IIS would refuse: /);
        assert.throws(() => readSession(server, "S/app", FILE), /^ConfigFileError: \/srv\/applicationHost\.config: the server level has session timeout="00:00:30", which IIS would refuse: /);
    });

    it("reads only <session> elements; refuses server-level settings in a <location path=\"\"> for every location below it", function () {
        const text = '<configuration><location path="S"><system.webServer><asp><other timeout="01:00:00" max="9" /></asp></system.webServer></location></configuration>';
        const { sources, ...reading } = readSession(parseApplicationHost(Buffer.from(text), FILE), "S", FILE);
        assert.deepStrictEqual(reading, { explicitRaw: {}, explicit: {}, effective: DEFAULTS });
        assert.deepStrictEqual(Object.values(sources ?? {}).map((origin) => origin.level), ["default", "default", "default", "default"]);
        const inLocation = parseApplicationHost(Buffer.from('<configuration><location path=""><system.webServer><asp><session max="7" /></asp></system.webServer></location></configuration>'), FILE);
        for (const path of ["", "S", "T/app"]) {
            assert.throws(() => readSession(inLocation, path, FILE), /^ConfigFileError: \/srv\/applicationHost\.config: <location path=""> holds server-level <asp> settings; they are read and written only in the root <system\.webServer>\. Move them into <system\.webServer><asp> by hand first$/, path);
        }
    });
});

describe("sites", function () {
    const text = `<configuration><location path="L"><sites><site name="Elsewhere" /></sites></location><system.applicationHost><sites><site name="Default Web Site" /><site name="Intranet" /><site /><other name="X" /></sites><applicationPools /></system.applicationHost></configuration>`;
    const document = parseApplicationHost(Buffer.from(text), FILE);

    it("lists the sites <sites> defines, and none for a file without <sites>", function () {
        assert.deepStrictEqual(siteNames(document), ["Default Web Site", "Intranet", ""]);
        assert.strictEqual(siteNames(parseApplicationHost(Buffer.from("<configuration><system.applicationHost /></configuration>"), FILE)), undefined);
        assert.strictEqual(siteNames(parseApplicationHost(Buffer.from("<configuration><sites><site name='A' /></sites></configuration>"), FILE)), undefined);
        assert.strictEqual(siteNames(parseApplicationHost(Buffer.from("<configuration><location path='A'><sites /></location></configuration>"), FILE)), undefined);
    });

    it("warns with the whole message; nothing for a site in any case, the server level, or a file without sites", function () {
        assert.strictEqual(unknownSiteWarning(document, "Intranett/app", FILE),
            `${FILE}: no <site> is named "Intranett" (location "Intranett/app"); IIS accepts settings for a site created later, but until then they apply to nothing. The closest site is "Intranet".`);
        assert.strictEqual(unknownSiteWarning(document, "INTRANET/x", FILE), undefined);
        assert.strictEqual(unknownSiteWarning(document, "", FILE), undefined);
        const empty = parseApplicationHost(Buffer.from("<configuration><system.applicationHost><sites /></system.applicationHost></configuration>"), FILE);
        assert.strictEqual(unknownSiteWarning(empty, "A", FILE), `${FILE}: no <site> is named "A" (location "A"); IIS accepts settings for a site created later, but until then they apply to nothing. The file defines no sites.`);
    });

    it("closestName: the smallest edit distance ignoring case, ties to the earlier name; editDistance is Levenshtein's", function () {
        assert.strictEqual(closestName("intranet", ["Default Web Site", "INTRANET"]), "INTRANET");
        assert.strictEqual(closestName("ab", ["xb", "ay"]), "xb");
        assert.strictEqual(closestName("ab", ["abc", "xb"]), "abc");
        assert.strictEqual(closestName("a", []), undefined);
        const cases: [string, string, number][] = [["", "", 0], ["a", "", 1], ["", "ab", 2], ["kitten", "sitting", 3], ["flaw", "lawn", 2], ["abc", "cab", 2], ["ab", "ba", 2], ["same", "same", 0]];
        for (const [a, b, distance] of cases) {
            assert.strictEqual(editDistance(a, b), distance, `${a}/${b}`);
            assert.strictEqual(editDistance(b, a), distance, `${b}/${a}`);
        }
    });
});
