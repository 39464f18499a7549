/**
 * The site names of the applicationHost.config files check has looked at, by file, with the
 * version of the file they were read from. Check runs for every resource on every preview: a
 * preview of a hundred resources on one 60 MB file would otherwise scan it a hundred times. A
 * version is the store's token for the bytes (a SHA-256 of them), so a changed file is scanned
 * again, and two files that share a label can never share names unless their bytes are equal.
 *
 * Module-level state, since it must outlive one operation (each opens its own backend). Bounded:
 * one entry per file, the MAX_CACHED_FILES files looked at most recently (a few hundred KB each
 * for 10,000 sites).
 */

export const MAX_CACHED_FILES = 16;

const siteNamesByFile = new Map<string, { version: string; names: readonly string[] | undefined }>();

/** The names `scan` finds in `file` at `version`, scanning only when that version is not known. */
export function cachedSiteNames(file: string, version: string, scan: () => readonly string[] | undefined): readonly string[] | undefined {
    const known = siteNamesByFile.get(file);
    // Deleted and set again: a Map iterates in insertion order, so the first key is the least recently used.
    siteNamesByFile.delete(file);
    const entry = known?.version === version ? known : { version, names: scan() };
    siteNamesByFile.set(file, entry);
    while (siteNamesByFile.size > MAX_CACHED_FILES) siteNamesByFile.delete(siteNamesByFile.keys().next().value as string);
    return entry.names;
}
