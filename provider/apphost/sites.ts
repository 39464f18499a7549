/**
 * The sites applicationHost.config defines (`system.applicationHost/sites/site/@name`), to tell a
 * user when a location names none of them. IIS accepts a `<location>` for a site created later,
 * so this is a warning, not an error: but a typo ("Default Web Site " or "Default Website") would
 * otherwise put settings where they apply to nothing, silently.
 */
import { closestName } from "../settings/closestName";
import { quote } from "../settings/quote";
import type { ApplicationHostDocument } from "./document";
import { sitesElement } from "./locationIndex";
import { attribute, scanXml, XmlElement } from "./xmlScanner";

/** The names of the sites the file defines; undefined when it has no `<sites>` (a web.config, Hostable Web Core). */
export function siteNames(document: Pick<ApplicationHostDocument, "root">): string[] | undefined {
    return sitesElement(document)?.children.filter((child) => child.name === "site").map((site) => attribute(site, "name")?.value ?? "");
}

/**
 * The names of the sites in a file's bytes, scanning for nothing else: the root's children,
 * `<system.applicationHost>` and `<sites>` are materialised, not the content of the locations.
 * What check's warning needs, at a fraction of parseApplicationHost's cost on a large file. It
 * does not refuse what parseApplicationHost refuses beyond well-formedness (encodings, miscased
 * names): the operation that edits the file does.
 */
export function scanSiteNames(bytes: Buffer): string[] | undefined {
    const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const text = (bom ? bytes.subarray(3) : bytes).toString("utf8");
    return siteNames({ root: scanXml(text, wantsSites).root });
}

function wantsSites(element: XmlElement, ancestors: readonly XmlElement[]): boolean {
    const depth = ancestors.length;
    switch (element.name) {
        case "configuration": return depth === 0;
        case "system.applicationHost": return depth === 1;
        case "sites": return depth === 2 && ancestors[1].name === "system.applicationHost";
        default: return false;
    }
}

/**
 * Every application the file defines, as a location path in lower case ("site" for a site's root
 * application "/", "site/shop" for "/shop"): where inheritInChildApplications="false" stops.
 */
export function applicationPaths(document: Pick<ApplicationHostDocument, "root">): Set<string> {
    const paths = new Set<string>();
    for (const site of sitesElement(document)?.children ?? []) {
        if (site.name !== "site") continue;
        const name = attribute(site, "name")?.value ?? "";
        for (const application of site.children) {
            if (application.name !== "application") continue;
            const below = (attribute(application, "path")?.value ?? "/").replace(/^\/+|\/+$/g, "");
            paths.add((below === "" ? name : `${name}/${below}`).toLowerCase());
        }
    }
    return paths;
}

/**
 * A warning when `path`'s site segment is the name of no site in the file (IIS compares names
 * case-insensitively), naming the closest site; undefined when it names one, for the server
 * level, or when the file defines no sites. Deeper segments are not checked: they may be
 * applications, folders or files, which the file cannot tell apart.
 */
export function unknownSiteWarning(document: Pick<ApplicationHostDocument, "root">, path: string, file: string): string | undefined {
    return unknownSiteMessage(siteNames(document), path, file);
}

/** The same, from the names of the sites a file defines (undefined: it has no `<sites>`), as IIS's API reports them. */
export function unknownSiteMessage(names: readonly string[] | undefined, path: string, file: string): string | undefined {
    if (path === "" || names === undefined) return undefined;
    const site = path.split("/")[0];
    if (names.some((name) => name.toLowerCase() === site.toLowerCase())) return undefined;
    const closest = closestName(site, names);
    return `${file}: no <site> is named ${quote(site)} (location ${quote(path)}); IIS accepts settings for a site created later, ` +
        `but until then they apply to nothing.${closest === undefined ? " The file defines no sites." : ` The closest site is ${quote(closest)}.`}`;
}
