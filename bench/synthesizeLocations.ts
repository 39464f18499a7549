/**
 * The second benchmark shape: an applicationHost.config whose size is in its `<location>`
 * elements, not its sites. A few thousand sites, each with a hundred locations (the site and its
 * folders: what a hosting panel writes when it sets folder permissions, redirects and default
 * documents per folder), about 300,000 in all and 60 MB; the session the benchmark edits is in the
 * last one. Cost that grows with the number of locations (a pass over all of them per lookup)
 * shows here and hides in bench/synthesize.ts's file of the same size.
 *
 * Seeded, as synthesize.ts: two runs write the same bytes. The layout (header, configSections,
 * server-level system.webServer) is synthesize.ts's own.
 *
 * Run on its own: `node dist/bench/synthesizeLocations.js [file] [sites]`; prints one JSON line.
 */
import * as fs from "fs";
import * as path from "path";
import { Choices, choices, DEFAULT_SEED, generatorArguments, Lines, SynthesizedFile, writeHeader, writeServerWebServer } from "./synthesize";

export const DEFAULT_LOCATION_SITES = 3_000;
/** Locations per site: the site's own and this many minus one folders below it. */
export const LOCATIONS_PER_SITE = 100;

/** The location the benchmark edits: the last one written, holding `<session timeout="00:20:00" />`. */
export function lastLocation(sites: number): string {
    return `Site ${sites}/${folderName(LOCATIONS_PER_SITE - 1)}`;
}

function folderName(index: number): string {
    return `folder${String(index).padStart(3, "0")}`;
}

/** The text of the whole file: pure, as synthesizeApplicationHost. */
export function synthesizeManyLocations(sites = DEFAULT_LOCATION_SITES, seed = DEFAULT_SEED): { text: string; locations: number } {
    const choose = choices(seed);
    const out = new Lines();
    writeHeader(out);
    out.line(1, "<system.applicationHost>");
    out.line(2, "<applicationPools>");
    out.line(3, `<add name="DefaultAppPool" managedRuntimeVersion="v4.0" />`);
    out.line(2, "</applicationPools>");
    out.line(2, "<sites>");
    for (let site = 1; site <= sites; site++) {
        const host = `site${site}.example.com`;
        out.line(3, `<site name="Site ${site}" id="${site}">`);
        out.line(4, `<application path="/" applicationPool="DefaultAppPool">`);
        out.line(5, `<virtualDirectory path="/" physicalPath="D:\\inetpub\\sites\\${host}" />`);
        out.line(4, "</application>");
        out.line(4, "<bindings>");
        out.line(5, `<binding protocol="http" bindingInformation="*:80:${host}" />`);
        out.line(4, "</bindings>");
        out.line(3, "</site>");
    }
    out.line(2, "</sites>");
    out.line(1, "</system.applicationHost>");
    out.blank();
    writeServerWebServer(out);
    let locations = 1;
    for (let site = 1; site <= sites; site++) {
        for (let index = 0; index < LOCATIONS_PER_SITE; index++) {
            const last = site === sites && index === LOCATIONS_PER_SITE - 1;
            writeLocation(out, choose, index === 0 ? `Site ${site}` : `Site ${site}/${folderName(index)}`, last);
            locations++;
        }
    }
    out.blank();
    out.line(0, "</configuration>");
    return { text: out.text(), locations };
}

/** One small `<location>`: one or two sections, as a panel writes per folder. */
function writeLocation(out: Lines, choose: Choices, locationPath: string, withSession: boolean): void {
    out.line(1, `<location path="${locationPath}"${choose.chance(0.05) ? ` overrideMode="Allow"` : ""}>`);
    out.line(2, "<system.webServer>");
    const kind = choose.between(0, 3);
    if (kind === 0) {
        out.line(3, `<directoryBrowse enabled="${choose.chance(0.2)}" />`);
    } else if (kind === 1) {
        out.line(3, `<httpRedirect enabled="true" destination="https://www.example.com/${choose.between(1, 9999)}" />`);
    } else if (kind === 2) {
        out.line(3, "<security>");
        out.line(4, `<access sslFlags="${choose.pick(["Ssl", "None", "Ssl, SslNegotiateCert"])}" />`);
        out.line(3, "</security>");
    } else {
        out.line(3, `<defaultDocument enabled="true">`);
        out.line(4, `<files><add value="${choose.pick(["index.html", "default.aspx", "index.php"])}" /></files>`);
        out.line(3, "</defaultDocument>");
    }
    if (withSession) {
        out.line(3, "<asp>");
        out.line(4, `<session timeout="00:20:00" />`);
        out.line(3, "</asp>");
    }
    out.line(2, "</system.webServer>");
    out.line(1, "</location>");
}

export function writeManyLocations(file: string, sites = DEFAULT_LOCATION_SITES): SynthesizedFile {
    const { text, locations } = synthesizeManyLocations(sites);
    const bytes = Buffer.from(text, "utf8");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    return { path: file, bytes: bytes.length, sites, locations, sessions: 1 };
}

if (require.main === module) {
    const { file, sites } = generatorArguments("applicationHost.locations.config", DEFAULT_LOCATION_SITES);
    console.log(JSON.stringify(writeManyLocations(file, sites)));
}
