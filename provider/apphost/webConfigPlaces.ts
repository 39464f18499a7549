/**
 * Where IIS looks for web.config files on the way to a location: one per level of the path (the
 * site's root, each application, each folder), in the physical folder `<sites>` maps that level
 * to — the application with the longest matching path, then its virtual directory with the
 * longest matching path, then the folders below it.
 */
import { locationLineage } from "../settings/location";
import type { ApplicationHostDocument } from "./document";
import { siteNamed } from "./locationIndex";
import { attribute, XmlElement } from "./xmlScanner";

export interface WebConfigPlace {
    /** The location path this web.config sits at ("Site", "Site/app", "Site/app/folder"), as the lineage spells it. */
    path: string;
    /** The file as `<sites>` gives its folder: environment variables (%SystemDrive%) not expanded, Windows separators. */
    file: string;
}

/**
 * The web.config files on the way to `path`, site root first; [] for the server level, and for a
 * site the file does not define (nothing is there for IIS to read either).
 */
export function webConfigPlaces(document: Pick<ApplicationHostDocument, "root">, path: string): WebConfigPlace[] {
    const lineage = locationLineage(path);
    if (lineage.length === 0) return [];
    const site = siteNamed(document, lineage[0].split("/")[0]);
    if (site === undefined) return [];
    const places: WebConfigPlace[] = [];
    for (const level of lineage) {
        const folder = physicalFolder(site, level.split("/").slice(1));
        if (folder !== undefined) places.push({ path: level, file: joinPath(folder, "web.config") });
    }
    return places;
}

/** The segments of a virtual path ("/shop/" → ["shop"]). */
function segmentsOf(virtualPath: string): string[] {
    return virtualPath.split("/").filter((segment) => segment !== "");
}

/** The number of leading segments `prefix` shares with `segments` when it is a prefix of them (IIS compares case-insensitively); -1 when it is not. */
function prefixLength(prefix: string[], segments: string[]): number {
    if (prefix.length > segments.length) return -1;
    return prefix.every((segment, i) => segment.toLowerCase() === segments[i].toLowerCase()) ? prefix.length : -1;
}

/** The child with the longest path that is a prefix of `segments`, and how many segments it covers. */
function longestMatch(parent: XmlElement, childName: string, segments: string[]): { element: XmlElement; covered: number } | undefined {
    let best: { element: XmlElement; covered: number } | undefined;
    for (const child of parent.children) {
        if (child.name !== childName) continue;
        const covered = prefixLength(segmentsOf(attribute(child, "path")?.value ?? "/"), segments);
        if (covered >= 0 && (best === undefined || covered > best.covered)) best = { element: child, covered };
    }
    return best;
}

/** The physical folder of the virtual path below a site, or undefined when no application or virtual directory maps it. */
function physicalFolder(site: XmlElement, segments: string[]): string | undefined {
    const application = longestMatch(site, "application", segments);
    if (application === undefined) return undefined;
    const inside = segments.slice(application.covered);
    const directory = longestMatch(application.element, "virtualDirectory", inside);
    const physicalPath = directory && attribute(directory.element, "physicalPath")?.value;
    if (!directory || !physicalPath) return undefined;
    return inside.slice(directory.covered).reduce(joinPath, physicalPath);
}

/** Joins with the separator the folder already uses (Windows' "\\" unless it has only "/", as a Linux test server's paths do). */
function joinPath(folder: string, name: string): string {
    const separator = folder.includes("/") && !folder.includes("\\") ? "/" : "\\";
    return /[\\/]$/.test(folder) ? `${folder}${name}` : `${folder}${separator}${name}`;
}
