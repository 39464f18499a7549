/**
 * What a file says about the session settings at one location: the attributes set exactly there
 * (as written, so they can be put back byte for byte) and the values IIS applies once inheritance
 * from the server level, parent locations and web.config files is resolved — a location marked
 * inheritInChildApplications="false" reaching the folders below it but not the applications
 * (`<sites>` says which paths are applications), a web.config counting only where the section is
 * unlocked (delegation.ts).
 */
import { describeLocation, locationLineage } from "../settings/location";
import { quote } from "../settings/quote";
import {
    parseAttributeText, RawSessionAttributes, SESSION_ATTRIBUTES, SESSION_DEFAULTS, SessionAttribute,
    SessionSettings, SessionValues,
} from "../settings/schema";
import { aspOverrideModeAt, holdsAsp, lockViolation, sectionLocked, SessionLocks, sessionLocks } from "./delegation";
import { ApplicationHostDocument, ConfigFileError, findSessionChain } from "./document";
import { locationsAt } from "./locationIndex";
import { applicationPaths } from "./sites";
import type { WebConfigPlace } from "./webConfigPlaces";
import { attribute, XmlElement } from "./xmlScanner";

export interface SessionReading {
    /** Attribute text exactly as written at this location (absent = not set here). */
    explicitRaw: RawSessionAttributes;
    /** The same attributes as canonical values. */
    explicit: SessionSettings;
    /** What IIS applies at this location: the nearest value set, else the schema default. */
    effective: SessionValues;
    /** Where each effective value comes from, where the backend can tell. */
    sources?: Record<SessionAttribute, EffectiveOrigin>;
    /**
     * web.config files on the way that IIS would read (the section is unlocked there) but that could
     * not be read: `effective` does not include what they may set.
     */
    unread?: UnreadWebConfig[];
    /** When the location names a site the file does not define (sites.ts's warning). */
    unknownSite?: string;
}

export interface UnreadWebConfig {
    file: string;
    reason: string;
}

/**
 * Where an effective value comes from: the `location` itself, a `parent` location (`path` names
 * it), the `server` level, the schema `default`, a `webConfig` (`file` names it, `path` is where it
 * sits); `inherited` when the backend knows only that it is set above the location (IIS's API does
 * not say where).
 */
export type EffectiveOrigin =
    | { level: "location" | "server" | "default" | "inherited" }
    | { level: "parent"; path: string }
    | { level: "webConfig"; path: string; file: string };

/** A web.config on the way to a location (webConfigPlaces), as the store found it; `label` names it in messages (its path, expanded, on its host). */
export type WebConfigFile = WebConfigPlace & { label: string } & (
    | { state: "read"; document: Pick<ApplicationHostDocument, "root"> }
    | { state: "missing" }
    | { state: "unreadable"; reason: string }
);

/** One `<asp>` that may reach the location, in the order IIS merges them (later wins). */
interface Layer {
    /** The location path it applies at ("" = server level), as the lineage spells it. */
    path: string;
    asp: XmlElement;
    inheritInChildApplications: boolean;
    origin: EffectiveOrigin;
    /** The web.config it is in, if not applicationHost.config. */
    webConfig?: Extract<WebConfigFile, { state: "read" }>;
}

/**
 * Only the element trees are read (so the checked tree of an edit, EditedDocument, can be read
 * too). `webConfigs` are the files webConfigPlaces(document, path) names, as read; without them,
 * only applicationHost.config is considered. A web.config that uses the section where it is
 * locked, or sets a locked attribute, is an error, as in IIS.
 */
export function readSession(document: Pick<ApplicationHostDocument, "root">, path: string, file: string, webConfigs: readonly WebConfigFile[] = []): SessionReading {
    const chain = findSessionChain(document, path, file);
    const explicitRaw: RawSessionAttributes = {};
    const explicit = chain.session ? sessionValues(chain.session, file, path) : {};
    if (chain.session) {
        for (const name of SESSION_ATTRIBUTES) {
            const found = attribute(chain.session, name);
            if (found) explicitRaw[name] = found.raw;
        }
    }
    const effective: SessionValues = { ...SESSION_DEFAULTS };
    const sources = Object.fromEntries(SESSION_ATTRIBUTES.map((name) => [name, { level: "default" }])) as Record<SessionAttribute, EffectiveOrigin>;
    const lineage = locationLineage(path);
    const self = lineage[lineage.length - 1] ?? "";
    const applications = applicationPaths(document);
    const unread: UnreadWebConfig[] = [];
    const layers = applicationHostLayers(document, file, lineage, self);
    for (const webConfig of webConfigs) {
        const { mode, decidedBy } = aspOverrideModeAt(document, webConfig.path);
        if (webConfig.state === "unreadable") {
            // Where the section is locked, the file cannot change what IIS applies (only make it fail, which needs reading).
            if (mode === "Allow") unread.push({ file: webConfig.label, reason: webConfig.reason });
            continue;
        }
        if (webConfig.state === "missing") continue;
        const own = webConfigLayers(webConfig, lineage);
        const usesAsp = holdsAsp(webConfig.document.root) || childrenOf(webConfig.document.root, "location").some(holdsAsp);
        if (usesAsp && mode === "Deny") throw new ConfigFileError(sectionLocked(webConfig.label, webConfig.path, decidedBy));
        refuseLockViolations(webConfig, layers, webConfigs, own);
        layers.push(...own);
    }
    // IIS merges by level, applicationHost.config before the web.config files at each level.
    const ordered = layers.map((layer, index) => ({ layer, index }))
        .sort((a, b) => levelDepth(a.layer.path) - levelDepth(b.layer.path) || (a.layer.webConfig ? 1 : 0) - (b.layer.webConfig ? 1 : 0) || a.index - b.index)
        .map(({ layer }) => layer);
    for (const layer of ordered) {
        // A <location inheritInChildApplications="false"> stops at the applications below it.
        if (!layer.inheritInChildApplications && lineage.some((below) => levelDepth(below) > levelDepth(layer.path) && applications.has(below.toLowerCase()))) continue;
        const session = layer.asp.children.find((child) => child.name === "session");
        if (!session) continue;
        const values = sessionValues(session, layer.webConfig?.label ?? file, layer.path);
        Object.assign(effective, values);
        for (const name of Object.keys(values) as SessionAttribute[]) sources[name] = layer.origin;
    }
    return unread.length > 0 ? { explicitRaw, explicit, effective, sources, unread } : { explicitRaw, explicit, effective, sources };
}

/** How deep a location path is: 0 for the server level, 1 for a site, 2 for an application or folder in it, ... */
function levelDepth(path: string): number {
    return path === "" ? 0 : path.split("/").length;
}

/** The server level's `<asp>` and every `<location>`'s on the way to the location, in file order. */
function applicationHostLayers(document: Pick<ApplicationHostDocument, "root">, file: string, lineage: readonly string[], self: string): Layer[] {
    const layers: Layer[] = [];
    const server = findSessionChain(document, "", file).asp;
    if (server) layers.push({ path: "", asp: server, inheritInChildApplications: true, origin: originOf("", self) });
    for (const level of lineage) {
        for (const location of locationsAt(document, level)) {
            const inheritInChildApplications = attribute(location, "inheritInChildApplications")?.value.trim().toLowerCase() !== "false";
            for (const asp of aspIn(location)) layers.push({ path: level, asp, inheritInChildApplications, origin: originOf(level, self) });
        }
    }
    return layers;
}

/** A web.config's `<asp>` at its own level and in its `<location>` elements on the way to the location. */
function webConfigLayers(webConfig: Extract<WebConfigFile, { state: "read" }>, lineage: readonly string[]): Layer[] {
    const layers: Layer[] = [];
    const origin: EffectiveOrigin = { level: "webConfig", path: webConfig.path, file: webConfig.label };
    for (const asp of aspIn(webConfig.document.root)) layers.push({ path: webConfig.path, asp, inheritInChildApplications: true, origin, webConfig });
    for (const location of childrenOf(webConfig.document.root, "location")) {
        const relative = (attribute(location, "path")?.value ?? "").replace(/^\/+|\/+$/g, "");
        const at = relative === "" || relative === "." ? webConfig.path : `${webConfig.path}/${relative}`;
        const level = lineage.find((candidate) => candidate.toLowerCase() === at.toLowerCase());
        if (level === undefined) continue;
        const inheritInChildApplications = attribute(location, "inheritInChildApplications")?.value.trim().toLowerCase() !== "false";
        for (const asp of aspIn(location)) layers.push({ path: level, asp, inheritInChildApplications, origin, webConfig });
    }
    return layers;
}

/**
 * Throws IIS's lock violation when the web.config sets an attribute locked above it: in
 * applicationHost.config at its level or above, or in a web.config in a folder above it.
 */
function refuseLockViolations(webConfig: Extract<WebConfigFile, { state: "read" }>, applicationHost: readonly Layer[], webConfigs: readonly WebConfigFile[], own: readonly Layer[]): void {
    const above = (layerPath: string) => layerPath === "" || webConfig.path.toLowerCase() === layerPath.toLowerCase() || webConfig.path.toLowerCase().startsWith(`${layerPath.toLowerCase()}/`);
    const locks: SessionLocks[] = applicationHost
        .filter((layer) => above(layer.path))
        .map((layer) => sessionLocks(layer.asp, layer.path === "" ? "applicationHost.config's server level" : `applicationHost.config's <location path="${layer.path}">`));
    for (const other of webConfigs) {
        if (other.state !== "read" || other.path.length >= webConfig.path.length || !above(other.path)) continue;
        for (const asp of aspIn(other.document.root)) locks.push(sessionLocks(asp, other.label));
    }
    for (const layer of own) {
        const session = layer.asp.children.find((child) => child.name === "session");
        if (!session) continue;
        for (const name of SESSION_ATTRIBUTES) {
            if (!attribute(session, name)) continue;
            const lock = locks.find((candidate) => candidate.attributes.has(name));
            if (lock) throw new ConfigFileError(lockViolation(webConfig.label, name, lock, webConfig.path));
        }
    }
}

function childrenOf(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((child) => child.name === name);
}

/** The `<asp>` elements of a container's `<system.webServer>` children. */
function aspIn(container: XmlElement): XmlElement[] {
    return childrenOf(container, "system.webServer").flatMap((systemWebServer) => childrenOf(systemWebServer, "asp"));
}

/** Where a value set at `layerPath` comes from, seen from the location `self` (both as the lineage spells them). */
function originOf(layerPath: string, self: string): EffectiveOrigin {
    if (layerPath === self) return { level: "location" };
    return layerPath === "" ? { level: "server" } : { level: "parent", path: layerPath };
}

/** The canonical values of the attributes a `<session>` element sets; a value IIS would refuse is an error. */
function sessionValues(session: XmlElement, file: string, path: string): SessionSettings {
    const values: Record<string, unknown> = {};
    for (const name of SESSION_ATTRIBUTES) {
        const found = attribute(session, name);
        if (!found) continue;
        const parsed = parseAttributeText(name as SessionAttribute, found.value);
        if (!parsed.ok) {
            throw new ConfigFileError(`${file}: ${describeLocation(path)} has session ${name}=${quote(found.raw)}, which IIS would refuse: ${parsed.reason}`);
        }
        values[name] = parsed.value;
    }
    return values as SessionSettings;
}
