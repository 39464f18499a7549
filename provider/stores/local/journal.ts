import * as fs from "fs";
import { JournalEntries, LocationJournal, PreImageJournal } from "../configFile";
import { FileIdentity, IdentityNotKeptError, keepIdentity, tempPathFor } from "./atomicReplace";
import { describeFsError } from "./fsErrors";

export const JOURNAL_SUFFIX = ".asp-session.journal";

/** The config file the journal sits beside. */
export interface JournalledFile {
    readonly label: string;
    /** Where the file really is and whose it is; `action` names what was being done, for the message. */
    identify(action: string): Promise<FileIdentity>;
}

/**
 * The journal beside the config (`<file>.asp-session.journal`, JSON): see PreImageJournal. It is
 * replaced like the config (temp file, fsync, rename) and removed when it holds nothing. One that
 * cannot be parsed is taken as empty: it only ever adds knowledge a retry would otherwise lack.
 */
export class LocalJournal implements PreImageJournal {
    constructor(private readonly store: JournalledFile) {}

    async read(): Promise<JournalEntries> {
        const { real } = await this.store.identify("read the journal of");
        let text: string;
        try {
            text = await fs.promises.readFile(real + JOURNAL_SUFFIX, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException)?.code === "ENOENT") return {};
            throw new Error(`${this.store.label}: cannot read ${real + JOURNAL_SUFFIX}: ${describeFsError(error)}`);
        }
        return parseJournal(text);
    }

    async write(entries: JournalEntries): Promise<void> {
        const identity = await this.store.identify("write the journal of");
        const journal = identity.real + JOURNAL_SUFFIX;
        if (Object.keys(entries).length === 0) {
            await fs.promises.rm(journal, { force: true });
            return;
        }
        const temp = tempPathFor(identity.real);
        try {
            const handle = await fs.promises.open(temp, "wx", 0o600);
            try {
                await handle.writeFile(JSON.stringify({ version: 1, locations: entries }));
                await keepIdentity(handle, { ...identity, mode: identity.mode & 0o666 }, this.store.label);
                await handle.sync();
            } finally {
                await handle.close();
            }
            await fs.promises.rename(temp, journal);
        } catch (error) {
            await fs.promises.rm(temp, { force: true });
            if (error instanceof IdentityNotKeptError) throw error;
            throw new Error(`${this.store.label}: cannot write ${journal}: ${describeFsError(error)}; nothing was written`);
        }
    }
}

/** The journal's entries, keeping only well-formed ones. */
export function parseJournal(text: string): JournalEntries {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return {};
    }
    const locations = (parsed as { locations?: unknown })?.locations;
    if (typeof locations !== "object" || locations === null) return {};
    const entries: JournalEntries = {};
    for (const [key, value] of Object.entries(locations as Record<string, unknown>)) {
        const attributes = (value as { attributes?: unknown })?.attributes;
        if (typeof attributes !== "object" || attributes === null) continue;
        const kept: LocationJournal = { attributes: {} };
        for (const [name, image] of Object.entries(attributes as Record<string, unknown>)) {
            const { previous, wrote } = (image ?? {}) as { previous?: unknown; wrote?: unknown };
            if ((typeof previous === "string" || previous === null) && typeof wrote === "string") kept.attributes[name] = { previous, wrote };
        }
        const created = (value as { created?: unknown }).created as { created?: unknown; parentCloseAs?: unknown } | undefined;
        if (created && typeof created.created === "string" && typeof created.parentCloseAs === "string") {
            kept.created = { created: created.created, parentCloseAs: created.parentCloseAs };
        }
        entries[key] = kept;
    }
    return entries;
}
