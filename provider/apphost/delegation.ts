/**
 * Whether IIS lets a web.config set the asp section, and which of its session attributes: the
 * section's `overrideModeDefault`, `<location overrideMode>` (or the legacy `allowOverride`) in
 * applicationHost.config, and the lock attributes (lockAttributes, lockAllAttributesExcept,
 * lockElements, lockAllElementsExcept, lockItem) set at a higher level. Locks and overrideMode
 * restrain only lower configuration files: `<location>` elements in applicationHost.config itself
 * may set any attribute for any path (see docs/design.md, "Behaviour").
 */
import { describeLocation, locationLineage } from "../settings/location";
import { quote } from "../settings/quote";
import { SESSION_ATTRIBUTES, SessionAttribute } from "../settings/schema";
import type { ApplicationHostDocument } from "./document";
import { locationsAt } from "./locationIndex";
import { attribute, XmlElement } from "./xmlScanner";

export type OverrideMode = "Allow" | "Deny";

/** IIS's own text for a section used where it is locked (HTTP 500.19, 0x80070021). */
export const SECTION_LOCKED_MESSAGE = "This configuration section cannot be used at this path. This happens when the section is locked at a parent level. " +
    'Locking is either by default (overrideModeDefault="Deny"), or set explicitly by a location tag with overrideMode="Deny" or the legacy allowOverride="false".';

/** Whether the asp section is unlocked for web.config files at `path`, and what decided it (for messages). */
export function aspOverrideModeAt(document: Pick<ApplicationHostDocument, "root">, path: string): { mode: OverrideMode; decidedBy: string } {
    const declared = aspDeclaration(document);
    // The attribute's default in IIS's schema of <section> is Allow; applicationHost.config declares asp with Deny.
    const declaredMode = declared === undefined ? undefined : attribute(declared, "overrideModeDefault")?.value.trim();
    let decision: { mode: OverrideMode; decidedBy: string } = declaredMode?.toLowerCase() === "deny"
        ? { mode: "Deny", decidedBy: '<section name="asp" overrideModeDefault="Deny">' }
        : { mode: "Allow", decidedBy: declared === undefined ? "no <section name=\"asp\"> declaration (overrideModeDefault defaults to Allow)" : `<section name="asp" overrideModeDefault="${declaredMode ?? "Allow"}">` };
    for (const level of ["", ...locationLineage(path)]) {
        for (const location of locationsAt(document, level)) {
            if (!holdsAsp(location)) continue;
            const where = `<location path="${attribute(location, "path")?.value ?? ""}"`;
            const overrideMode = attribute(location, "overrideMode")?.value.trim().toLowerCase();
            const allowOverride = attribute(location, "allowOverride")?.value.trim().toLowerCase();
            if (overrideMode === "allow" || overrideMode === "deny") {
                decision = { mode: overrideMode === "allow" ? "Allow" : "Deny", decidedBy: `${where} overrideMode="${attribute(location, "overrideMode")?.value}">` };
            } else if (overrideMode === undefined && (allowOverride === "true" || allowOverride === "false")) {
                decision = { mode: allowOverride === "true" ? "Allow" : "Deny", decidedBy: `${where} allowOverride="${attribute(location, "allowOverride")?.value}">` };
            }
        }
    }
    return decision;
}

/** `<configSections><sectionGroup name="system.webServer"><section name="asp">`, if declared. */
function aspDeclaration(document: Pick<ApplicationHostDocument, "root">): XmlElement | undefined {
    for (const sections of document.root.children) {
        if (sections.name !== "configSections") continue;
        for (const group of sections.children) {
            if (group.name !== "sectionGroup" || attribute(group, "name")?.value !== "system.webServer") continue;
            const section = group.children.find((child) => child.name === "section" && attribute(child, "name")?.value === "asp");
            if (section) return section;
        }
    }
    return undefined;
}

/** Whether a `<location>` (or a file's root) holds `<system.webServer><asp>`: overrideMode applies to the sections it holds. */
export function holdsAsp(container: XmlElement): boolean {
    return container.children.some((systemWebServer) => systemWebServer.name === "system.webServer" && systemWebServer.children.some((child) => child.name === "asp"));
}

/** The session attributes an `<asp>` element and its `<session>` lock for lower levels; `where` names them in messages. */
export interface SessionLocks {
    attributes: ReadonlySet<SessionAttribute>;
    where: string;
}

/** What `<asp>` and its `<session>` lock (an empty set when nothing). */
export function sessionLocks(asp: XmlElement, where: string): SessionLocks {
    const locked = new Set<SessionAttribute>();
    const all = () => SESSION_ATTRIBUTES.forEach((name) => locked.add(name));
    const list = (element: XmlElement, name: string) => attribute(element, name)?.value.split(",").map((item) => item.trim()).filter((item) => item !== "");
    if (attribute(asp, "lockItem")?.value.trim().toLowerCase() === "true") all();
    const lockElements = list(asp, "lockElements");
    if (lockElements?.some((name) => name === "*" || name === "session")) all();
    const lockAllElementsExcept = list(asp, "lockAllElementsExcept");
    if (lockAllElementsExcept !== undefined && !lockAllElementsExcept.includes("session")) all();
    const session = asp.children.find((child) => child.name === "session");
    if (session) {
        if (attribute(session, "lockItem")?.value.trim().toLowerCase() === "true") all();
        const lockAttributes = list(session, "lockAttributes");
        for (const name of lockAttributes ?? []) {
            if (name === "*") all();
            else if ((SESSION_ATTRIBUTES as readonly string[]).includes(name)) locked.add(name as SessionAttribute);
        }
        const except = list(session, "lockAllAttributesExcept");
        if (except !== undefined) for (const name of SESSION_ATTRIBUTES) if (!except.includes(name)) locked.add(name);
    }
    return { attributes: locked, where };
}

/** The error IIS raises for a path whose web.config sets a locked attribute. */
export function lockViolation(webConfig: string, name: SessionAttribute, lock: SessionLocks, path: string): string {
    return `${webConfig}: Lock violation: it sets session ${name}, which ${lock.where} locks; ` +
        `IIS fails requests for ${describeLocation(path)} and below with HTTP 500.19 (0x80070021). Remove ${name} from that web.config, or the lock`;
}

/** The error IIS raises for a path whose web.config uses the asp section where it is locked. */
export function sectionLocked(webConfig: string, path: string, decidedBy: string): string {
    return `${webConfig}: ${SECTION_LOCKED_MESSAGE} (IIS fails requests for ${describeLocation(path)} and below with HTTP 500.19, 0x80070021; ` +
        `here the lock is ${decidedBy}). Remove <asp> from that web.config, or unlock the section for ${quote(path)}`;
}
