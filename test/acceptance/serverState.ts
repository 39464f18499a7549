/**
 * What the server holds, read and edited without the provider: the suite's independent witness.
 * - effectiveAt: the values IIS applies at a location, from IIS's own configuration system —
 *   appcmd on Windows, or here the Microsoft.Web.Administration double under real pwsh.
 * - explicitAt: the attributes written exactly at a location, from the file's bytes, parsed with
 *   fast-xml-parser (not the provider's scanner).
 * - handEdit: what an operator's editor does to the file: parse, change, write it back whole.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import type { ReaderKind } from "./environment";

export interface Effective {
    allowSessionState: boolean;
    keepSessionIdSecure: boolean;
    max: number;
    timeout: string;
}

export type Explicit = Partial<Record<keyof Effective, string>>;

const ATTRIBUTES = ["allowSessionState", "keepSessionIdSecure", "max", "timeout"] as const;
const READ_TIMEOUT_MS = 120_000;

const XML_OPTIONS = {
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    commentPropName: "#comment",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
} as const;

type XmlNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(file, args, { env, timeout: READ_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
            if (error) reject(new Error(`${path.basename(file)} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
            else resolve(stdout);
        });
    });
}

function normalise(values: Record<string, string>, where: string): Effective {
    for (const name of ATTRIBUTES) if (values[name] === undefined) throw new Error(`${where}: no ${name} in ${JSON.stringify(values)}`);
    return {
        allowSessionState: /^true$/i.test(values.allowSessionState),
        keepSessionIdSecure: /^true$/i.test(values.keepSessionIdSecure),
        max: Number(values.max),
        timeout: values.timeout,
    };
}

/** The Windows folder that holds `configPath` (<windir>/System32/inetsrv/config/applicationHost.config). */
function windowsFolderOf(configPath: string): string {
    return path.resolve(path.dirname(configPath), "..", "..", "..");
}

const MWA_READ = [
    "$ErrorActionPreference = 'Stop'",
    "[void][System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($env:windir, 'System32', 'inetsrv', 'Microsoft.Web.Administration.dll'))",
    "$manager = New-Object Microsoft.Web.Administration.ServerManager",
    "$configuration = $manager.GetApplicationHostConfiguration()",
    "$location = $env:ACCEPTANCE_LOCATION",
    "if ($location -eq '') { $section = $configuration.GetSection('system.webServer/asp') } else { $section = $configuration.GetSection('system.webServer/asp', $location) }",
    "$session = $section.GetChildElement('session')",
    "$values = [ordered]@{}",
    "foreach ($name in 'allowSessionState', 'keepSessionIdSecure', 'max', 'timeout') { $values[$name] = [string]$session.GetAttributeValue($name) }",
    "ConvertTo-Json -InputObject $values -Compress",
].join("\n");

export class ServerState {
    constructor(private readonly configPath: string, private readonly reader: ReaderKind, private readonly pwsh: string | undefined) {}

    /** The values IIS applies at `location` ("" = server level). */
    async effectiveAt(location: string): Promise<Effective> {
        const where = `${this.reader} at "${location}"`;
        if (this.reader === "appcmd") {
            const appcmd = path.join(process.env.windir ?? "C:\\Windows", "System32", "inetsrv", "appcmd.exe");
            const args = ["list", "config", ...(location === "" ? [] : [location]), "-section:system.webServer/asp", "/config:*", "/xml"];
            const session = findElement(new XMLParser(XML_OPTIONS).parse(await run(appcmd, args)) as XmlNode[], "session");
            if (session === undefined) throw new Error(`${where}: appcmd's output has no <session>`);
            return normalise(attributesOf(session), where);
        }
        if (this.pwsh === undefined) throw new Error("the mwa reader needs pwsh");
        const stdout = await run(this.pwsh, ["-NoProfile", "-NonInteractive", "-Command", MWA_READ], {
            ...process.env,
            windir: windowsFolderOf(this.configPath),
            ACCEPTANCE_LOCATION: location,
        });
        return normalise(JSON.parse(stdout.trim()) as Record<string, string>, where);
    }

    /** The session attributes written exactly at `location`, from the file. */
    explicitAt(location: string): Explicit {
        const session = sessionAt(this.parse(), location, false);
        if (session === undefined) return {};
        const attributes = attributesOf(session);
        return Object.fromEntries(ATTRIBUTES.filter((name) => attributes[name] !== undefined).map((name) => [name, attributes[name]]));
    }

    /** Sets `set` and removes `remove` at `location` as an editor would, writing the whole file back. */
    handEdit(location: string, set: Explicit, remove: ReadonlyArray<keyof Effective> = []): void {
        const document = this.parse();
        const session = sessionAt(document, location, true)!;
        const attributes = (session[":@"] ??= {});
        for (const [name, value] of Object.entries(set)) attributes[`@_${name}`] = value;
        for (const name of remove) delete attributes[`@_${name}`];
        const text = new XMLBuilder({ ...XML_OPTIONS, suppressEmptyNode: true }).build(document) as string;
        fs.writeFileSync(this.configPath, text, "utf8");
    }

    private parse(): XmlNode[] {
        return new XMLParser(XML_OPTIONS).parse(fs.readFileSync(this.configPath, "utf8")) as XmlNode[];
    }
}

function nameOf(node: XmlNode): string | undefined {
    return Object.keys(node).find((key) => key !== ":@");
}

function childrenOf(node: XmlNode): XmlNode[] {
    const name = nameOf(node);
    const children = name === undefined ? undefined : node[name];
    return Array.isArray(children) ? (children as XmlNode[]) : [];
}

function attributesOf(node: XmlNode): Record<string, string> {
    return Object.fromEntries(Object.entries(node[":@"] ?? {}).map(([key, value]) => [key.replace(/^@_/, ""), String(value)]));
}

function findElement(nodes: XmlNode[], name: string): XmlNode | undefined {
    for (const node of nodes) {
        if (nameOf(node) === name) return node;
        const found = findElement(childrenOf(node), name);
        if (found) return found;
    }
    return undefined;
}

function child(parent: XmlNode, name: string, create: boolean): XmlNode | undefined {
    const children = childrenOf(parent);
    const found = children.find((node) => nameOf(node) === name);
    if (found || !create) return found;
    const made: XmlNode = { [name]: [] };
    children.push(made);
    return made;
}

/** The <session> of system.webServer/asp at `location`: the root section for "", else <location path>. */
function sessionAt(document: XmlNode[], location: string, create: boolean): XmlNode | undefined {
    const configuration = document.find((node) => nameOf(node) === "configuration");
    if (configuration === undefined) throw new Error("no <configuration> element");
    let container: XmlNode | undefined = configuration;
    if (location !== "") {
        const wanted = location.replace(/^\/+|\/+$/g, "").toLowerCase();
        container = childrenOf(configuration).find((node) => nameOf(node) === "location" && (attributesOf(node).path ?? "").replace(/^\/+|\/+$/g, "").toLowerCase() === wanted);
        if (container === undefined) {
            if (!create) return undefined;
            container = { location: [], ":@": { "@_path": location } };
            childrenOf(configuration).push(container);
        }
    }
    const webServer = child(container, "system.webServer", create);
    const asp = webServer && child(webServer, "asp", create);
    return asp && child(asp, "session", create);
}
