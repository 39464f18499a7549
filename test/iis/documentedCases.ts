/**
 * What IIS applies at a path, case by case, as Microsoft documents it: the table the TypeScript
 * reader, the scripts over the Microsoft.Web.Administration double, and the double on its own are
 * each held to (never to each other). Every row names the pages its expectation comes from.
 */
import * as fs from "fs";
import { OWN_FIXTURE } from "../support/hostFixture";

/** The pages the rows cite. */
export const DOCS = {
    session: "https://learn.microsoft.com/en-us/iis/configuration/system.webserver/asp/session (attributes and their defaults)",
    sessionSchema: "https://learn.microsoft.com/en-us/previous-versions/iis/settings-schema/aa347539(v=vs.90) (session element for asp: defaults)",
    locationElement: "https://learn.microsoft.com/previous-versions/dotnet/netframework-4.0/b6x6shw7(v=vs.100) (<location>: path applies to that resource and its child directories; inheritInChildApplications: settings of a location are not inherited by applications in subdirectories when false)",
    inheritInChildApplications: "https://learn.microsoft.com/dotnet/api/system.configuration.sectioninformation.inheritinchildapplications (whether the settings are inherited by applications that reside in a subdirectory)",
} as const;

export interface SessionExpectation {
    allowSessionState: boolean;
    keepSessionIdSecure: boolean;
    max: number;
    timeout: string;
}

export interface DocumentedCase {
    name: string;
    cites: ReadonlyArray<string>;
    /** Attributes of the server-level <session> (in the root <system.webServer><asp>), if any. */
    server?: string;
    /** <location> elements appended to the file (the sites are the repository's sample: "Default Web Site" with the application /shop, and "Intranet"). */
    locations: string;
    path: string;
    expected: SessionExpectation;
}

const DEFAULTS: SessionExpectation = { allowSessionState: true, keepSessionIdSecure: true, max: 4294967295, timeout: "00:20:00" };

function aspAt(path: string, session: string, attributes = ""): string {
    return `<location path="${path}"${attributes}><system.webServer><asp><session ${session} /></asp></system.webServer></location>`;
}

const NOT_INHERITED = ' inheritInChildApplications="false"';

export const DOCUMENTED_CASES: readonly DocumentedCase[] = [
    { name: "nothing set anywhere: the schema defaults", cites: [DOCS.session, DOCS.sessionSchema], locations: "", path: "Default Web Site/shop", expected: DEFAULTS },
    {
        name: "the server level reaches every site and application",
        cites: [DOCS.session, DOCS.locationElement],
        server: 'timeout="00:30:00"', locations: "", path: "Default Web Site/shop",
        expected: { ...DEFAULTS, timeout: "00:30:00" },
    },
    {
        name: "a site's location reaches its child application",
        cites: [DOCS.locationElement],
        locations: aspAt("Default Web Site", 'max="55"'), path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 55 },
    },
    {
        name: "the most specific location wins",
        cites: [DOCS.locationElement],
        server: 'timeout="00:30:00"',
        locations: aspAt("Default Web Site", 'timeout="00:05:00" max="55"') + aspAt("Default Web Site/shop", 'timeout="00:07:00"'),
        path: "Default Web Site/shop",
        expected: { ...DEFAULTS, timeout: "00:07:00", max: 55 },
    },
    {
        name: "inheritInChildApplications=false: applies at the location itself",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        server: 'timeout="00:30:00"', locations: aspAt("Default Web Site", 'timeout="00:05:00" max="55"', NOT_INHERITED), path: "Default Web Site",
        expected: { ...DEFAULTS, timeout: "00:05:00", max: 55 },
    },
    {
        name: "inheritInChildApplications=false: reaches a folder that is not an application",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        server: 'timeout="00:30:00"', locations: aspAt("Default Web Site", 'timeout="00:05:00" max="55"', NOT_INHERITED), path: "Default Web Site/images",
        expected: { ...DEFAULTS, timeout: "00:05:00", max: 55 },
    },
    {
        name: "inheritInChildApplications=false: a child application gets the server level and the defaults",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        server: 'timeout="00:30:00"', locations: aspAt("Default Web Site", 'timeout="00:05:00" max="55"', NOT_INHERITED), path: "Default Web Site/shop",
        expected: { ...DEFAULTS, timeout: "00:30:00" },
    },
    {
        name: "inheritInChildApplications=false: nor does it reach a folder inside the child application",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        server: 'timeout="00:30:00"', locations: aspAt("Default Web Site", 'timeout="00:05:00" max="55"', NOT_INHERITED), path: "Default Web Site/shop/images",
        expected: { ...DEFAULTS, timeout: "00:30:00" },
    },
    {
        name: "inheritInChildApplications=false on an application reaches its own folders",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        locations: aspAt("Default Web Site/shop", 'max="7"', NOT_INHERITED), path: "Default Web Site/shop/images",
        expected: { ...DEFAULTS, max: 7 },
    },
    {
        name: "inheritInChildApplications=false stops only itself: an inheriting location above still reaches the application",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications],
        locations: aspAt("Default Web Site", 'keepSessionIdSecure="false"') + aspAt("Default Web Site", 'max="55"', NOT_INHERITED),
        path: "Default Web Site/shop",
        expected: { ...DEFAULTS, keepSessionIdSecure: false },
    },
];

/** The case's applicationHost.config: the repository's sample file with the case's settings added. */
export function caseFile(documented: DocumentedCase): string {
    let text = fs.readFileSync(OWN_FIXTURE, "utf8");
    if (documented.server !== undefined) text = text.replace(/<asp>(\r?\n)/, (_, newline: string) => `<asp>${newline}            <session ${documented.server} />${newline}`);
    return text.replace("</configuration>", `${documented.locations}\n</configuration>`);
}
