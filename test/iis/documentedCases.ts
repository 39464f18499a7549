/**
 * What IIS applies at a path, case by case, as Microsoft documents it: the table the TypeScript
 * reader, the scripts over the Microsoft.Web.Administration double, and the double on its own are
 * each held to (never to each other). Every row names the pages its expectation comes from.
 */
import * as fs from "fs";
import * as path from "path";
import { OWN_FIXTURE } from "../support/hostFixture";

/** The pages the rows cite. */
export const DOCS = {
    session: "https://learn.microsoft.com/en-us/iis/configuration/system.webserver/asp/session (attributes and their defaults)",
    sessionSchema: "https://learn.microsoft.com/en-us/previous-versions/iis/settings-schema/aa347539(v=vs.90) (session element for asp: defaults)",
    locationElement: "https://learn.microsoft.com/previous-versions/dotnet/netframework-4.0/b6x6shw7(v=vs.100) (<location>: path applies to that resource and its child directories; inheritInChildApplications: settings of a location are not inherited by applications in subdirectories when false)",
    inheritInChildApplications: "https://learn.microsoft.com/dotnet/api/system.configuration.sectioninformation.inheritinchildapplications (whether the settings are inherited by applications that reside in a subdirectory)",
    locking: "https://learn.microsoft.com/iis/get-started/planning-for-security/how-to-use-locking-in-iis-configuration (overrideModeDefault; <location overrideMode> unlocks the sections it holds for lower levels; locks restrain lower configuration levels)",
    lockAttributes: "https://learn.microsoft.com/previous-versions/iis/settings-schema/aa347540(v=vs.90) (general attributes: lockAttributes, lockAllAttributesExcept, lockElements, lockAllElementsExcept, lockItem)",
    hierarchy: "https://learn.microsoft.com/iis/get-started/planning-your-iis-architecture/deep-dive-into-iis-configuration-with-iis-7-and-iis-8 (applicationHost.config, then the web.config files along the URL; a web.config may set only what is delegated)",
    virtualDirectory: "https://learn.microsoft.com/iis/configuration/system.applicationhost/sites/site/application/virtualdirectory (an application's virtual directories map its paths to physicalPath folders)",
    error50019: "https://learn.microsoft.com/troubleshoot/developer/webapps/iis/health-diag-error/http-error-500-19-webpage (0x80070021: the section is locked at a parent level; lock violation)",
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
    /** web.config files by the location path whose folder holds them ("Default Web Site", "Default Web Site/shop"). */
    webConfigs?: Readonly<Record<string, string>>;
    /** The asp section declared overrideModeDefault="Allow" (the sample declares Deny, as IIS installs it). */
    allowByDefault?: boolean;
    path: string;
    /** What IIS applies, or the configuration error it raises for the path (a pattern of its text). */
    expected: SessionExpectation | { error: RegExp };
}

const DEFAULTS: SessionExpectation = { allowSessionState: true, keepSessionIdSecure: true, max: 4294967295, timeout: "00:20:00" };

function aspAt(path: string, session: string, attributes = ""): string {
    return `<location path="${path}"${attributes}><system.webServer><asp><session ${session} /></asp></system.webServer></location>`;
}

const NOT_INHERITED = ' inheritInChildApplications="false"';

/** A web.config holding `<session .../>` (at its root, or in a `<location>` of its own). */
function webConfig(session: string, location?: string): string {
    const body = `<system.webServer><asp><session ${session} /></asp></system.webServer>`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n${location === undefined ? body : `<location ${location}>${body}</location>`}\n</configuration>\n`;
}

/** applicationHost.config's `<location>` unlocking the asp section for a path (IIS Manager's Feature Delegation writes this). */
function unlockedAt(path: string, mode: "overrideMode=\"Allow\"" | "allowOverride=\"true\"" | "overrideMode=\"Deny\"" = "overrideMode=\"Allow\""): string {
    return `<location path="${path}" ${mode}><system.webServer><asp /></system.webServer></location>`;
}

const SECTION_LOCKED = /This configuration section cannot be used at this path/;
const LOCK_VIOLATION = /Lock violation/;

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
    {
        name: "delegation: asp is locked by default, so a site's web.config setting it is IIS's configuration error",
        cites: [DOCS.locking, DOCS.error50019],
        locations: "", webConfigs: { "Default Web Site": webConfig('max="77"') }, path: "Default Web Site",
        expected: { error: SECTION_LOCKED },
    },
    {
        name: "delegation: a web.config without <asp> is harmless where the section is locked",
        cites: [DOCS.locking, DOCS.hierarchy],
        locations: aspAt("Default Web Site", 'max="55"'), webConfigs: { "Default Web Site": '<configuration><system.webServer /></configuration>' }, path: "Default Web Site",
        expected: { ...DEFAULTS, max: 55 },
    },
    {
        name: "delegation: <location overrideMode=\"Allow\"> for the site lets its web.config set the value, over applicationHost.config's",
        cites: [DOCS.locking, DOCS.hierarchy, DOCS.virtualDirectory],
        locations: aspAt("Default Web Site", 'max="55"', ' overrideMode="Allow"'), webConfigs: { "Default Web Site": webConfig('max="77"') }, path: "Default Web Site",
        expected: { ...DEFAULTS, max: 77 },
    },
    {
        name: "delegation: the site's web.config reaches its child application",
        cites: [DOCS.locking, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site"), webConfigs: { "Default Web Site": webConfig('max="77"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 77 },
    },
    {
        name: "delegation: applicationHost.config's location for the application wins over the site's web.config (a deeper level)",
        cites: [DOCS.hierarchy],
        locations: unlockedAt("Default Web Site") + aspAt("Default Web Site/shop", 'max="5"'), webConfigs: { "Default Web Site": webConfig('max="77"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 5 },
    },
    {
        name: "delegation: the application's own web.config wins over applicationHost.config's location for it",
        cites: [DOCS.hierarchy, DOCS.virtualDirectory],
        locations: unlockedAt("Default Web Site") + aspAt("Default Web Site/shop", 'max="5"'), webConfigs: { "Default Web Site/shop": webConfig('max="9"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 9 },
    },
    {
        name: "delegation: the legacy allowOverride=\"true\" unlocks like overrideMode=\"Allow\"",
        cites: [DOCS.locking, DOCS.error50019],
        locations: unlockedAt("Default Web Site", 'allowOverride="true"'), webConfigs: { "Default Web Site": webConfig('timeout="00:45:00"') }, path: "Default Web Site",
        expected: { ...DEFAULTS, timeout: "00:45:00" },
    },
    {
        name: "delegation: overrideModeDefault=\"Allow\" unlocks the section everywhere",
        cites: [DOCS.locking],
        allowByDefault: true, locations: "", webConfigs: { "Default Web Site/shop": webConfig('allowSessionState="false"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, allowSessionState: false },
    },
    {
        name: "delegation: overrideMode=\"Deny\" for the application locks it again below an unlocked site",
        cites: [DOCS.locking, DOCS.error50019],
        locations: unlockedAt("Default Web Site") + unlockedAt("Default Web Site/shop", 'overrideMode="Deny"'), webConfigs: { "Default Web Site/shop": webConfig('max="9"') }, path: "Default Web Site/shop",
        expected: { error: SECTION_LOCKED },
    },
    {
        name: "delegation: a web.config's <location path=\".\" inheritInChildApplications=\"false\"> does not reach the child application",
        cites: [DOCS.locationElement, DOCS.inheritInChildApplications, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site"), webConfigs: { "Default Web Site": webConfig('max="77"', 'path="." inheritInChildApplications="false"') }, path: "Default Web Site/shop",
        expected: DEFAULTS,
    },
    {
        name: "delegation: the site's web.config <location path=\"shop\"> applies at the child application",
        cites: [DOCS.locationElement, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site"), webConfigs: { "Default Web Site": webConfig('max="66"', 'path="shop"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 66 },
    },
    {
        name: "delegation: the site's web.config <location path=\"shop\"> does not apply at the site itself",
        cites: [DOCS.locationElement, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site"), webConfigs: { "Default Web Site": webConfig('max="66"', 'path="shop"') }, path: "Default Web Site",
        expected: DEFAULTS,
    },
    {
        name: "delegation: the site's web.config <location path=\"shop\"> wins over applicationHost.config's location for the application (a lower file, the same path)",
        cites: [DOCS.locationElement, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site") + aspAt("Default Web Site/shop", 'max="5"'), webConfigs: { "Default Web Site": webConfig('max="66"', 'path="shop"') }, path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 66 },
    },
    {
        name: "delegation: the application's own web.config wins over the site's web.config <location path=\"shop\">",
        cites: [DOCS.locationElement, DOCS.hierarchy],
        locations: unlockedAt("Default Web Site"),
        webConfigs: { "Default Web Site": webConfig('max="66" timeout="00:03:00"', 'path="shop"'), "Default Web Site/shop": webConfig('max="9"') },
        path: "Default Web Site/shop",
        expected: { ...DEFAULTS, max: 9, timeout: "00:03:00" },
    },
    {
        name: "locks: lockAttributes in the site's web.config <location path=\"shop\"> makes the application's web.config setting it a lock violation",
        cites: [DOCS.lockAttributes, DOCS.locking, DOCS.error50019],
        locations: unlockedAt("Default Web Site"),
        webConfigs: { "Default Web Site": webConfig('lockAttributes="max"', 'path="shop"'), "Default Web Site/shop": webConfig('max="9"') },
        path: "Default Web Site/shop",
        expected: { error: LOCK_VIOLATION },
    },
    {
        name: "locks: lockAttributes at the server level makes a web.config setting that attribute a lock violation",
        cites: [DOCS.lockAttributes, DOCS.locking, DOCS.error50019],
        allowByDefault: true, server: 'lockAttributes="timeout"', locations: "", webConfigs: { "Default Web Site": webConfig('timeout="00:45:00"') }, path: "Default Web Site",
        expected: { error: LOCK_VIOLATION },
    },
    {
        name: "locks: a web.config may still set the attributes lockAttributes leaves out",
        cites: [DOCS.lockAttributes, DOCS.locking],
        allowByDefault: true, server: 'lockAttributes="timeout"', locations: "", webConfigs: { "Default Web Site": webConfig('max="77"') }, path: "Default Web Site",
        expected: { ...DEFAULTS, max: 77 },
    },
    {
        name: "locks: lockAllAttributesExcept locks every other attribute",
        cites: [DOCS.lockAttributes],
        allowByDefault: true, server: 'lockAllAttributesExcept="max"', locations: "", webConfigs: { "Default Web Site": webConfig('keepSessionIdSecure="false"') }, path: "Default Web Site",
        expected: { error: LOCK_VIOLATION },
    },
    {
        name: "locks: they do not restrain applicationHost.config's own <location> elements",
        cites: [DOCS.locking],
        server: 'lockAttributes="timeout"', locations: aspAt("Default Web Site", 'timeout="00:05:00"'), path: "Default Web Site",
        expected: { ...DEFAULTS, timeout: "00:05:00" },
    },
];

/**
 * The sample's physical folders (as `<sites>` gives them) and the folder each stands for under a
 * scratch root, for the cases read on this machine: mode iis's scripts and the double find the
 * web.config files there, as IIS does.
 */
const SAMPLE_FOLDERS: Readonly<Record<string, string>> = {
    "%SystemDrive%\\inetpub\\wwwroot": "wwwroot",
    "D:\\sites\\shop": "shop",
    "D:\\sites\\intranet": "intranet",
};

/** The folder of each level the cases put a web.config at, below the scratch root. */
const LEVEL_FOLDERS: Readonly<Record<string, string>> = {
    "Default Web Site": "wwwroot",
    "Default Web Site/shop": "shop",
};

/**
 * Lays the case out under `root` as a server would have it: `applicationHost` gets the case's
 * applicationHost.config with the sample's physical folders moved under `root`, and each web.config
 * goes into its level's folder.
 */
export function layOutCase(documented: DocumentedCase, root: string, applicationHost: string): void {
    let text = caseFile(documented);
    for (const [sample, folder] of Object.entries(SAMPLE_FOLDERS)) {
        fs.mkdirSync(path.join(root, folder), { recursive: true });
        text = text.split(sample).join(path.join(root, folder));
    }
    fs.writeFileSync(applicationHost, text);
    for (const [level, content] of Object.entries(documented.webConfigs ?? {})) {
        const folder = LEVEL_FOLDERS[level];
        if (folder === undefined) throw new Error(`${documented.name}: no folder for a web.config at "${level}" (add it to LEVEL_FOLDERS)`);
        fs.writeFileSync(path.join(root, folder, "web.config"), content);
    }
}

/** The case's applicationHost.config: the repository's sample file with the case's settings added. */
export function caseFile(documented: DocumentedCase): string {
    let text = fs.readFileSync(OWN_FIXTURE, "utf8");
    if (documented.allowByDefault) text = text.replace('<section name="asp" overrideModeDefault="Deny" />', '<section name="asp" overrideModeDefault="Allow" />');
    if (documented.server !== undefined) text = text.replace(/<asp>(\r?\n)/, (_, newline: string) => `<asp>${newline}            <session ${documented.server} />${newline}`);
    return text.replace("</configuration>", `${documented.locations}\n</configuration>`);
}
