/**
 * Writes a synthesized full-IIS applicationHost.config of benchmark size: the layout of a real
 * server file (XML declaration, header comment, configSections, applicationPools, sites, the
 * server-level system.webServer, then one or more `<location>` per site), CRLF line endings and
 * 4-space indentation, as IIS itself writes it. The text is generated here, not copied.
 *
 * With the defaults (10,000 sites) the file is about 50 MB and holds roughly 800,000 elements, of
 * which the session editor materialises a few tens of thousands. Everything random comes from a
 * seeded generator, so two runs write the same bytes and their timings compare.
 *
 * Run on its own: `node dist/bench/synthesize.js [file] [sites]`; the middle site (`benchSite`)
 * then holds `<session timeout="00:20:00" />`.
 */
import * as fs from "fs";
import * as path from "path";
import { seededRandom } from "../test/support/seededRandom";

export interface SynthesisOptions {
    /** How many `<site>` elements, named "Site 1" .. "Site N" (default 10,000). */
    sites?: number;
    /** Seed of the random choices (default 20240611). */
    seed?: number;
    /**
     * Sites whose `<location path="Site N">` must hold `<asp><session timeout="00:20:00" /></asp>`,
     * whatever the random choices say, so that a benchmark edits an attribute that exists.
     */
    sessionSites?: readonly number[];
}

export interface SynthesizedFile {
    path: string;
    bytes: number;
    sites: number;
    locations: number;
    /** `<location>` elements already holding `<asp><session>`. */
    sessions: number;
}

export const DEFAULT_SITES = 10_000;
export const DEFAULT_SEED = 20240611;

/** The site a benchmark edits: the middle one ("Site 5000" of 10,000), so the scan finds it halfway. */
export function benchSite(sites: number): number {
    return Math.ceil(sites / 2);
}

const NL = "\r\n";

/** Lines at an indentation depth (4 spaces a level), collected into one CRLF text. */
export class Lines {
    private readonly parts: string[] = [];
    line(depth: number, text: string): void {
        this.parts.push("    ".repeat(depth) + text + NL);
    }
    blank(): void {
        this.parts.push(NL);
    }
    text(): string {
        return this.parts.join("");
    }
}

export interface Choices {
    random: () => number;
    chance(p: number): boolean;
    pick<T>(items: readonly T[]): T;
    between(low: number, high: number): number;
    /** A random subset in the original order, each item kept with probability p. */
    some<T>(items: readonly T[], p: number): T[];
}

export function choices(seed: number): Choices {
    const random = seededRandom(seed);
    return {
        random,
        chance: (p) => random() < p,
        pick: (items) => items[Math.floor(random() * items.length)],
        between: (low, high) => low + Math.floor(random() * (high - low + 1)),
        some: (items, p) => items.filter(() => random() < p),
    };
}

const SECTION_GROUPS: ReadonlyArray<{ group: string; sections: ReadonlyArray<string> }> = [
    {
        group: "system.applicationHost",
        sections: ["applicationPools", "configHistory", "customMetadata", "listenerAdapters", "log", "serviceAutoStartProviders", "sites", "webLimits"]
            .map((name) => `<section name="${name}" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />`),
    },
    {
        group: "system.webServer",
        sections: [
            `<section name="asp" overrideModeDefault="Deny" />`, `<section name="caching" overrideModeDefault="Allow" />`,
            `<section name="cgi" overrideModeDefault="Deny" />`, `<section name="defaultDocument" overrideModeDefault="Allow" />`,
            `<section name="directoryBrowse" overrideModeDefault="Allow" />`, `<section name="fastCgi" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />`,
            `<section name="globalModules" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />`, `<section name="handlers" overrideModeDefault="Deny" />`,
            `<section name="httpCompression" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />`, `<section name="httpErrors" overrideModeDefault="Allow" />`,
            `<section name="httpLogging" overrideModeDefault="Deny" />`, `<section name="httpProtocol" overrideModeDefault="Allow" />`,
            `<section name="httpRedirect" overrideModeDefault="Allow" />`, `<section name="isapiFilters" allowDefinition="MachineToApplication" overrideModeDefault="Deny" />`,
            `<section name="modules" allowDefinition="MachineToApplication" overrideModeDefault="Deny" />`,
            `<sectionGroup name="security">`,
            `    <section name="access" overrideModeDefault="Deny" />`,
            `    <sectionGroup name="authentication">`,
            `        <section name="anonymousAuthentication" overrideModeDefault="Deny" />`,
            `        <section name="basicAuthentication" overrideModeDefault="Deny" />`,
            `        <section name="windowsAuthentication" overrideModeDefault="Deny" />`,
            `    </sectionGroup>`,
            `    <section name="authorization" overrideModeDefault="Allow" />`,
            `    <section name="ipSecurity" overrideModeDefault="Deny" />`,
            `    <section name="requestFiltering" overrideModeDefault="Allow" />`,
            `</sectionGroup>`,
            `<section name="serverRuntime" overrideModeDefault="Deny" />`, `<section name="staticContent" overrideModeDefault="Allow" />`,
            `<section name="urlCompression" overrideModeDefault="Allow" />`, `<section name="validation" overrideModeDefault="Allow" />`,
        ],
    },
];

const MODULES = [
    ["UriCacheModule", "cachuri.dll"], ["FileCacheModule", "cachfile.dll"], ["TokenCacheModule", "cachtokn.dll"],
    ["HttpCacheModule", "cachhttp.dll"], ["StaticCompressionModule", "compstat.dll"], ["DefaultDocumentModule", "defdoc.dll"],
    ["DirectoryListingModule", "dirlist.dll"], ["ProtocolSupportModule", "protsup.dll"], ["StaticFileModule", "static.dll"],
    ["AnonymousAuthenticationModule", "authanon.dll"], ["WindowsAuthenticationModule", "authsspi.dll"],
    ["RequestFilteringModule", "modrqflt.dll"], ["CustomErrorModule", "custerr.dll"], ["HttpLoggingModule", "loghttp.dll"],
    ["IsapiModule", "isapi.dll"], ["IsapiFilterModule", "filter.dll"], ["FastCgiModule", "iisfcgi.dll"],
] as const;

const HANDLERS = [
    `<add name="ASPClassic" path="*.asp" verb="GET,HEAD,POST" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" resourceType="File" />`,
    `<add name="PageHandlerFactory-ISAPI-4.0_64bit" path="*.aspx" verb="GET,HEAD,POST,DEBUG" modules="IsapiModule" scriptProcessor="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_isapi.dll" preCondition="classicMode,runtimeVersionv4.0,bitness64" responseBufferLimit="0" />`,
    `<add name="SimpleHandlerFactory-ISAPI-4.0_64bit" path="*.ashx" verb="GET,HEAD,POST,DEBUG" modules="IsapiModule" scriptProcessor="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_isapi.dll" preCondition="classicMode,runtimeVersionv4.0,bitness64" responseBufferLimit="0" />`,
    `<add name="WebServiceHandlerFactory-ISAPI-4.0_64bit" path="*.asmx" verb="GET,HEAD,POST,DEBUG" modules="IsapiModule" scriptProcessor="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_isapi.dll" preCondition="classicMode,runtimeVersionv4.0,bitness64" responseBufferLimit="0" />`,
    `<add name="svc-ISAPI-4.0_64bit" path="*.svc" verb="*" modules="IsapiModule" scriptProcessor="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_isapi.dll" preCondition="classicMode,runtimeVersionv4.0,bitness64" responseBufferLimit="0" />`,
    `<add name="PHP_via_FastCGI" path="*.php" verb="GET,HEAD,POST" modules="FastCgiModule" scriptProcessor="C:\\Program Files\\PHP\\v8.1\\php-cgi.exe" resourceType="Either" requireAccess="Script" />`,
    `<add name="PageHandlerFactory-Integrated-4.0" path="*.aspx" verb="GET,HEAD,POST,DEBUG" type="System.Web.UI.PageHandlerFactory" preCondition="integratedMode,runtimeVersionv4.0" />`,
    `<add name="ExtensionlessUrlHandler-Integrated-4.0" path="*." verb="GET,HEAD,POST,DEBUG" type="System.Web.Handlers.TransferRequestHandler" preCondition="integratedMode,runtimeVersionv4.0" responseBufferLimit="0" />`,
    `<add name="ScriptHandlerFactory" path="*.asmx" verb="*" type="System.Web.Script.Services.ScriptHandlerFactory, System.Web.Extensions, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" preCondition="integratedMode" />`,
    `<add name="CGI-exe" path="*.exe" verb="*" modules="CgiModule" resourceType="File" requireAccess="Execute" allowPathInfo="true" />`,
    `<add name="TRACEVerbHandler" path="*" verb="TRACE" modules="ProtocolSupportModule" requireAccess="None" />`,
    `<add name="OPTIONSVerbHandler" path="*" verb="OPTIONS" modules="ProtocolSupportModule" requireAccess="None" />`,
    `<add name="StaticFile" path="*" verb="*" modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule" resourceType="Either" requireAccess="Read" />`,
];

const MIME_MAPS = [
    [".woff2", "font/woff2"], [".webp", "image/webp"], [".json", "application/json"], [".webmanifest", "application/manifest+json"],
    [".svg", "image/svg+xml"], [".mp4", "video/mp4"], [".apk", "application/vnd.android.package-archive"],
] as const;

const DENIED_EXTENSIONS = [".config", ".cs", ".csproj", ".mdb", ".ldb", ".bak", ".log", ".inc", ".asa", ".sql"];
const DEFAULT_DOCUMENTS = ["Default.asp", "index.php", "index.html", "default.aspx", "Default.htm", "home.asp"];
const TIMEOUTS = ["00:10:00", "00:20:00", "00:30:00", "01:00:00", "02:00:00"];

/** The text of the whole file: pure, so a test or another tool can use it without touching disk. */
export function synthesizeApplicationHost(options: SynthesisOptions = {}): { text: string; locations: number; sessions: number } {
    const siteCount = options.sites ?? DEFAULT_SITES;
    const forcedSessions = new Set(options.sessionSites ?? []);
    const choose = choices(options.seed ?? DEFAULT_SEED);
    const out = new Lines();
    const poolCount = Math.max(1, Math.ceil(siteCount / 40));
    const pools = Array.from({ length: poolCount }, (_, i) => `AppPool ${String(i + 1).padStart(3, "0")}`);

    writeHeader(out);
    out.line(1, "<system.applicationHost>");
    out.blank();
    out.line(2, "<applicationPools>");
    for (const pool of pools) {
        const runtime = choose.chance(0.8) ? ` managedRuntimeVersion="v4.0"` : ` managedRuntimeVersion=""`;
        out.line(3, `<add name="${pool}" autoStart="true"${runtime}${choose.chance(0.2) ? ` managedPipelineMode="Classic"` : ""}>`);
        out.line(4, `<processModel identityType="ApplicationPoolIdentity" idleTimeout="00:${choose.pick(["00", "20", "45"])}:00" />`);
        out.line(4, "<recycling>");
        out.line(5, `<periodicRestart time="00:00:00">`);
        out.line(6, "<schedule>");
        out.line(7, `<add value="0${choose.between(1, 5)}:${choose.pick(["00", "15", "30", "45"])}:00" />`);
        out.line(6, "</schedule>");
        out.line(5, "</periodicRestart>");
        out.line(4, "</recycling>");
        out.line(3, "</add>");
    }
    out.line(3, "<applicationPoolDefaults managedRuntimeVersion=\"v4.0\">");
    out.line(4, `<processModel identityType="ApplicationPoolIdentity" loadUserProfile="true" setProfileEnvironment="false" />`);
    out.line(3, "</applicationPoolDefaults>");
    out.line(2, "</applicationPools>");
    out.blank();
    out.line(2, "<log>");
    out.line(3, `<centralW3CLogFile enabled="true" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />`);
    out.line(2, "</log>");
    out.blank();
    out.line(2, "<sites>");
    const applicationsBySite: string[][] = [];
    for (let site = 1; site <= siteCount; site++) applicationsBySite.push(writeSite(out, choose, site, pools));
    out.line(3, "<siteDefaults>");
    out.line(4, `<logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />`);
    out.line(4, `<traceFailedRequestsLogging directory="%SystemDrive%\\inetpub\\logs\\FailedReqLogFiles" />`);
    out.line(3, "</siteDefaults>");
    out.line(3, `<applicationDefaults applicationPool="${pools[0]}" />`);
    out.line(3, `<virtualDirectoryDefaults allowSubDirConfig="true" />`);
    out.line(2, "</sites>");
    out.blank();
    out.line(2, "<webLimits />");
    out.blank();
    out.line(1, "</system.applicationHost>");
    out.blank();
    writeServerWebServer(out);

    let locations = 0, sessions = 0;
    for (let site = 1; site <= siteCount; site++) {
        const written = writeSiteLocations(out, choose, site, applicationsBySite[site - 1], forcedSessions.has(site));
        locations += written.locations;
        sessions += written.sessions;
    }
    out.blank();
    out.line(0, "</configuration>");
    return { text: out.text(), locations, sessions };
}

export function writeHeader(out: Lines): void {
    out.line(0, `<?xml version="1.0" encoding="UTF-8"?>`);
    out.line(0, "<!--");
    out.blank();
    out.line(1, "IIS configuration sections.");
    out.blank();
    out.line(1, "Synthesized for benchmarks: the layout of a full IIS server with many sites.");
    out.blank();
    out.line(0, "-->");
    out.blank();
    out.line(0, "<configuration>");
    out.blank();
    out.line(1, "<configSections>");
    for (const { group, sections } of SECTION_GROUPS) {
        out.line(2, `<sectionGroup name="${group}">`);
        for (const section of sections) out.line(3, section);
        out.line(2, "</sectionGroup>");
    }
    out.line(1, "</configSections>");
    out.blank();
}

/** One `<site>`; returns the paths of its applications other than "/" (they get locations too). */
function writeSite(out: Lines, choose: Choices, site: number, pools: readonly string[]): string[] {
    const name = `Site ${site}`;
    const host = `site${site}.example.com`;
    const pool = pools[(site - 1) % pools.length];
    out.line(3, `<site name="${name}" id="${site}" serverAutoStart="true">`);
    out.line(4, `<application path="/" applicationPool="${pool}">`);
    out.line(5, `<virtualDirectory path="/" physicalPath="D:\\inetpub\\sites\\${host}\\wwwroot" />`);
    if (choose.chance(0.3)) out.line(5, `<virtualDirectory path="/media" physicalPath="\\\\fs01\\media\\${host}" userName="CORP\\svc-media" password="[enc:IISCngProvider:${token(choose, 24)}:enc]" />`);
    out.line(4, "</application>");
    const applications = choose.some(["api", "admin", "legacy"], 0.25);
    for (const application of applications) {
        out.line(4, `<application path="/${application}" applicationPool="${choose.pick(pools)}">`);
        out.line(5, `<virtualDirectory path="/" physicalPath="D:\\inetpub\\sites\\${host}\\${application}" />`);
        out.line(4, "</application>");
    }
    out.line(4, "<bindings>");
    const address = `10.${(site >> 16) & 255}.${(site >> 8) & 255}.${site & 255}`;
    out.line(5, `<binding protocol="http" bindingInformation="*:80:${host}" />`);
    out.line(5, `<binding protocol="http" bindingInformation="*:80:www.${host}" />`);
    if (choose.chance(0.7)) out.line(5, `<binding protocol="https" bindingInformation="${address}:443:${host}" sslFlags="1" />`);
    out.line(4, "</bindings>");
    out.line(4, `<logFile directory="E:\\IISLogs\\${host}" />`);
    if (choose.chance(0.2)) out.line(4, `<traceFailedRequestsLogging enabled="true" directory="E:\\FREB\\${host}" maxLogFiles="${choose.between(20, 200)}" />`);
    out.line(3, "</site>");
    return applications;
}

function token(choose: Choices, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = "";
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(choose.random() * alphabet.length)];
    return text;
}

export function writeServerWebServer(out: Lines): void {
    out.line(1, "<system.webServer>");
    out.blank();
    out.line(2, "<asp>");
    out.line(3, `<cache diskTemplateCacheDirectory="%SystemDrive%\\inetpub\\temp\\ASP Compiled Templates" />`);
    out.line(2, "</asp>");
    out.blank();
    out.line(2, `<caching enabled="true" enableKernelCache="true">`);
    out.line(2, "</caching>");
    out.blank();
    out.line(2, `<defaultDocument enabled="true">`);
    out.line(3, "<files>");
    for (const document of DEFAULT_DOCUMENTS) out.line(4, `<add value="${document}" />`);
    out.line(3, "</files>");
    out.line(2, "</defaultDocument>");
    out.blank();
    out.line(2, "<globalModules>");
    for (const [name, dll] of MODULES) out.line(3, `<add name="${name}" image="%windir%\\System32\\inetsrv\\${dll}" />`);
    out.line(2, "</globalModules>");
    out.blank();
    out.line(2, `<httpProtocol>`);
    out.line(3, "<customHeaders>");
    out.line(4, `<add name="X-Powered-By" value="ASP.NET" />`);
    out.line(3, "</customHeaders>");
    out.line(2, "</httpProtocol>");
    out.blank();
    out.line(1, "</system.webServer>");
    out.line(1, `<location path="" overrideMode="Allow">`);
    out.line(2, "<system.webServer>");
    out.line(3, "<modules>");
    for (const [name] of MODULES) out.line(4, `<add name="${name}" lockItem="true" />`);
    out.line(3, "</modules>");
    out.line(3, `<handlers accessPolicy="Read, Script">`);
    for (const handler of HANDLERS) out.line(4, handler);
    out.line(3, "</handlers>");
    out.line(2, "</system.webServer>");
    out.line(1, "</location>");
}

/** The locations of one site: the site itself, sometimes a second one for it, and some applications. */
function writeSiteLocations(out: Lines, choose: Choices, site: number, applications: readonly string[], forceSession: boolean):
    { locations: number; sessions: number } {
    const name = `Site ${site}`;
    const withSession = forceSession || choose.chance(0.15);
    let locations = 1;
    writeLocation(out, choose, name, withSession ? (forceSession ? `<session timeout="00:20:00" />` : sessionElement(choose)) : undefined, true);
    // IIS Manager writes a second location for the same path when a locked section is delegated.
    if (choose.chance(0.1)) {
        locations++;
        out.line(1, `<location path="${name}" overrideMode="Allow">`);
        out.line(2, "<system.webServer>");
        out.line(3, `<directoryBrowse enabled="false" showFlags="Date, Time, Size, Extension" />`);
        out.line(2, "</system.webServer>");
        out.line(1, "</location>");
    }
    for (const application of applications) {
        locations++;
        writeLocation(out, choose, `${name}/${application}`, undefined, false);
    }
    return { locations, sessions: withSession ? 1 : 0 };
}

function sessionElement(choose: Choices): string {
    const attributes = [
        choose.chance(0.3) ? ` allowSessionState="${choose.pick(["true", "false"])}"` : "",
        choose.chance(0.3) ? ` keepSessionIdSecure="${choose.pick(["true", "false"])}"` : "",
        choose.chance(0.3) ? ` max="${choose.between(100, 10000)}"` : "",
        ` timeout="${choose.pick(TIMEOUTS)}"`,
    ];
    return `<session${attributes.join("")} />`;
}

function writeLocation(out: Lines, choose: Choices, locationPath: string, session: string | undefined, full: boolean): void {
    out.line(1, `<location path="${locationPath}">`);
    out.line(2, "<system.webServer>");
    out.line(3, "<security>");
    out.line(4, "<authentication>");
    out.line(5, `<anonymousAuthentication enabled="${choose.chance(0.8)}" userName="" />`);
    if (full) {
        out.line(5, `<windowsAuthentication enabled="${choose.chance(0.3)}">`);
        out.line(6, "<providers>");
        out.line(7, "<clear />");
        out.line(7, `<add value="Negotiate" />`);
        out.line(7, `<add value="NTLM" />`);
        out.line(6, "</providers>");
        out.line(5, "</windowsAuthentication>");
        out.line(5, `<basicAuthentication enabled="false" realm="" defaultLogonDomain="CORP" />`);
    } else {
        out.line(5, `<windowsAuthentication enabled="${choose.chance(0.5)}" />`);
    }
    out.line(4, "</authentication>");
    if (full) {
        out.line(4, "<requestFiltering>");
        out.line(5, `<requestLimits maxAllowedContentLength="${choose.between(1, 200) * 1048576}" maxUrl="4096" maxQueryString="2048" />`);
        out.line(5, `<fileExtensions allowUnlisted="true">`);
        for (const extension of choose.some(DENIED_EXTENSIONS, 0.4)) out.line(6, `<add fileExtension="${extension}" allowed="false" />`);
        out.line(5, "</fileExtensions>");
        out.line(4, "</requestFiltering>");
        if (choose.chance(0.5)) out.line(4, `<access sslFlags="Ssl, SslNegotiateCert" />`);
    }
    out.line(3, "</security>");
    out.line(3, `<handlers accessPolicy="${choose.pick(["Read, Script", "Read", "Read, Execute, Script"])}">`);
    for (const handler of choose.some(HANDLERS, full ? 0.15 : 0.1)) out.line(4, handler);
    out.line(3, "</handlers>");
    if (full) {
        out.line(3, `<defaultDocument enabled="true">`);
        out.line(4, "<files>");
        out.line(5, "<clear />");
        for (const document of choose.some(DEFAULT_DOCUMENTS, 0.5)) out.line(5, `<add value="${document}" />`);
        out.line(4, "</files>");
        out.line(3, "</defaultDocument>");
        out.line(3, `<httpErrors errorMode="${choose.pick(["Custom", "DetailedLocalOnly"])}" existingResponse="Replace">`);
        for (const status of choose.some([401, 403, 404, 500, 503], 0.6)) {
            out.line(4, `<remove statusCode="${status}" subStatusCode="-1" />`);
            out.line(4, `<error statusCode="${status}" prefixLanguageFilePath="" path="/errors/${status}.aspx?from=iis&amp;code=${status}" responseMode="ExecuteURL" />`);
        }
        out.line(3, "</httpErrors>");
        out.line(3, "<staticContent>");
        out.line(4, `<clientCache cacheControlMode="UseMaxAge" cacheControlMaxAge="${choose.between(1, 30)}.00:00:00" />`);
        for (const [extension, mime] of choose.some(MIME_MAPS, 0.3)) {
            out.line(4, `<remove fileExtension="${extension}" />`);
            out.line(4, `<mimeMap fileExtension="${extension}" mimeType="${mime}" />`);
        }
        out.line(3, "</staticContent>");
        out.line(3, "<httpProtocol>");
        out.line(4, "<customHeaders>");
        out.line(5, `<add name="X-Frame-Options" value="SAMEORIGIN" />`);
        out.line(5, `<add name="Content-Security-Policy" value="default-src &apos;self&apos; https://cdn.example.com" />`);
        out.line(4, "</customHeaders>");
        out.line(3, "</httpProtocol>");
    }
    if (session !== undefined) {
        out.line(3, choose.chance(0.5) ? `<asp enableParentPaths="true" scriptErrorSentToBrowser="false">` : "<asp>");
        out.line(4, session);
        if (choose.chance(0.3)) out.line(4, `<limits maxRequestEntityAllowed="${choose.between(1, 64) * 65536}" />`);
        out.line(3, "</asp>");
    }
    out.line(2, "</system.webServer>");
    out.line(1, "</location>");
}

/** Writes the file (creating its folder) and says what is in it. */
export function writeSynthesizedApplicationHost(file: string, options: SynthesisOptions = {}): SynthesizedFile {
    const { text, locations, sessions } = synthesizeApplicationHost(options);
    const bytes = Buffer.from(text, "utf8");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    return { path: file, bytes: bytes.length, sites: options.sites ?? DEFAULT_SITES, locations, sessions };
}

/** The command line of a generator: `<file> [sites]`, the file defaulting to bench/.work/<defaultName>; exits on a bad count. */
export function generatorArguments(defaultName: string, defaultSites: number): { file: string; sites: number } {
    const file = process.argv[2] ?? path.join(__dirname, "..", "..", "bench", ".work", defaultName);
    const sites = process.argv[3] === undefined ? defaultSites : Number(process.argv[3]);
    if (!Number.isInteger(sites) || sites < 1) {
        console.error(`sites must be a whole number of at least 1, got ${JSON.stringify(process.argv[3])}`);
        process.exit(2);
    }
    return { file, sites };
}

if (require.main === module) {
    const { file, sites } = generatorArguments("applicationHost.config", DEFAULT_SITES);
    const written = writeSynthesizedApplicationHost(file, { sites, sessionSites: [benchSite(sites)] });
    // One JSON line: run.ts reads it.
    console.log(JSON.stringify(written));
}
