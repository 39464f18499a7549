/**
 * What a file says about the session settings at one location: the attributes set exactly there
 * (as written, so they can be put back byte for byte) and the values IIS applies once inheritance
 * from the server level and parent locations is resolved — a parent location marked
 * inheritInChildApplications="false" reaching the folders below it but not the applications
 * (`<sites>` says which paths are applications).
 */
import { describeLocation, locationLineage } from "../settings/location";
import { quote } from "../settings/quote";
import {
    parseAttributeText, RawSessionAttributes, SESSION_ATTRIBUTES, SESSION_DEFAULTS, SessionAttribute,
    SessionSettings, SessionValues,
} from "../settings/schema";
import { ApplicationHostDocument, ConfigFileError, findSessionChain, locationsAt } from "./document";
import { applicationPaths } from "./sites";
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
}

/**
 * Where an effective value comes from: the `location` itself, a `parent` location (`path` names
 * it), the `server` level, the schema `default`; `inherited` when the backend knows only that it is
 * set above the location (IIS's API does not say where).
 */
export type EffectiveOrigin =
    | { level: "location" | "server" | "default" | "inherited" }
    | { level: "parent"; path: string };

/** Only the element tree is read (so the checked tree of an edit, EditedDocument, can be read too). */
export function readSession(document: Pick<ApplicationHostDocument, "root">, path: string, file: string): SessionReading {
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
    const applications = applicationPaths(document);
    const layers: Array<{ path: string; sessions: XmlElement[] }> = [
        { path: "", sessions: serverLevelSessions(document, file) },
        ...lineage.map((ancestor, depth) => ({
            path: ancestor,
            // A <location inheritInChildApplications="false"> stops at the applications below it.
            sessions: sessionsAt(document, ancestor)
                .filter((found) => found.inheritInChildApplications || !lineage.slice(depth + 1).some((below) => applications.has(below.toLowerCase())))
                .map((found) => found.session),
        })),
    ];
    const self = lineage[lineage.length - 1] ?? "";
    for (const layer of layers) {
        const origin = originOf(layer.path, self);
        for (const session of layer.sessions) {
            const values = sessionValues(session, file, layer.path);
            Object.assign(effective, values);
            for (const name of Object.keys(values) as SessionAttribute[]) sources[name] = origin;
        }
    }
    return { explicitRaw, explicit, effective, sources };
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

/** The root <system.webServer>'s <session> (findSessionChain refuses <asp> in a <location path="">, so there is no other). */
function serverLevelSessions(document: Pick<ApplicationHostDocument, "root">, file: string): XmlElement[] {
    const root = findSessionChain(document, "", file).session;
    return root ? [root] : [];
}

/**
 * Every `<session>` under `<location>` elements for this path, in file order (later ones win in
 * IIS), with whether its location lets child applications inherit it (the attribute's default is true).
 */
function sessionsAt(document: Pick<ApplicationHostDocument, "root">, path: string): Array<{ session: XmlElement; inheritInChildApplications: boolean }> {
    const found: Array<{ session: XmlElement; inheritInChildApplications: boolean }> = [];
    for (const location of locationsAt(document, path)) {
        const inheritInChildApplications = attribute(location, "inheritInChildApplications")?.value.trim().toLowerCase() !== "false";
        for (const systemWebServer of location.children) {
            if (systemWebServer.name !== "system.webServer") continue;
            for (const asp of systemWebServer.children) {
                if (asp.name !== "asp") continue;
                for (const session of asp.children) if (session.name === "session") found.push({ session, inheritInChildApplications });
            }
        }
    }
    return found;
}
