/**
 * The `<location>` elements of a document by location key (locationKey: no surrounding "/",
 * lower case), and its `<site>` elements by lower-cased name: each built in one pass the first
 * time a reading asks, then every lookup is one Map access. A file with 300,000 locations would
 * otherwise be passed over once per level of the path, per web.config place, per reading.
 *
 * Kept in WeakMaps keyed by the document's root element: an index lives exactly as long as the
 * tree it indexes, and a tree is never changed once built (an edit builds a new root,
 * editedDocument.ts), so an index is never stale.
 */
import { locationKey } from "../settings/location";
import type { ApplicationHostDocument } from "./document";
import { attribute, XmlElement } from "./xmlScanner";

interface SitesIndex {
    /** The last `<system.applicationHost><sites>`, if any: the one whose names a warning lists (sites.ts). */
    sites?: XmlElement;
    /** The `<site>` children of every `<sites>` by lower-cased name, the first of each name in file order. */
    byName: Map<string, XmlElement>;
}

/** One element per key as itself, several as a list: nearly every key has one, and 300,000 one-element arrays would cost tens of MB. */
type LocationsByKey = Map<string, XmlElement | XmlElement[]>;

const locationIndexes = new WeakMap<XmlElement, LocationsByKey>();
const sitesIndexes = new WeakMap<XmlElement, SitesIndex>();

const NO_LOCATIONS: readonly XmlElement[] = [];

/** The root's `<location>` children by key, several of one key in file order. */
function locationIndex(root: XmlElement): LocationsByKey {
    const known = locationIndexes.get(root);
    if (known !== undefined) return known;
    const index: LocationsByKey = new Map();
    for (const child of root.children) {
        if (child.name !== "location") continue;
        const key = locationKey(attribute(child, "path")?.value ?? "");
        const found = index.get(key);
        if (found === undefined) index.set(key, child);
        else if (Array.isArray(found)) found.push(child);
        else index.set(key, [found, child]);
    }
    locationIndexes.set(root, index);
    return index;
}

function sitesIndex(root: XmlElement): SitesIndex {
    const known = sitesIndexes.get(root);
    if (known !== undefined) return known;
    const all: XmlElement[] = [];
    for (const section of root.children) {
        if (section.name !== "system.applicationHost") continue;
        for (const child of section.children) if (child.name === "sites") all.push(child);
    }
    const byName = new Map<string, XmlElement>();
    for (const sites of all) {
        for (const site of sites.children) {
            if (site.name !== "site") continue;
            const name = (attribute(site, "name")?.value ?? "").toLowerCase();
            if (!byName.has(name)) byName.set(name, site);
        }
    }
    const index = { sites: all[all.length - 1], byName };
    sitesIndexes.set(root, index);
    return index;
}

/** All `<location>` elements whose path is this one (IIS compares case-insensitively), in file order. */
export function locationsAt(document: Pick<ApplicationHostDocument, "root">, path: string): readonly XmlElement[] {
    const found = locationIndex(document.root).get(locationKey(path));
    return found === undefined ? NO_LOCATIONS : Array.isArray(found) ? found : [found];
}

/** `<system.applicationHost><sites>`; undefined when the file has none (a web.config, Hostable Web Core). */
export function sitesElement(document: Pick<ApplicationHostDocument, "root">): XmlElement | undefined {
    return sitesIndex(document.root).sites;
}

/** The first `<site>` of that name (IIS compares names case-insensitively). */
export function siteNamed(document: Pick<ApplicationHostDocument, "root">, name: string): XmlElement | undefined {
    return sitesIndex(document.root).byName.get(name.toLowerCase());
}
