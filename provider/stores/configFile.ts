/**
 * How configuration-file bytes are read and replaced, wherever the file lives (this machine, or a
 * server through a remote shell). Every implementation writes atomically (a reader sees the old
 * file or the new one, never a mix: IIS reads it without locking), keeps a backup of the previous
 * file, and refuses to replace a file that changed since it was read.
 */

/** The name both stores give the file they replaced, kept beside it: one name to look for, whichever store wrote. */
export const BACKUP_SUFFIX = ".asp-session.bak";

/**
 * The largest configuration file any store reads, here or on a server: no real
 * applicationHost.config comes near it (large ones are tens of MB); a bigger file is refused, not read.
 */
export const MAX_CONFIG_BYTES = 256 * 1024 * 1024;

/**
 * What a store keeps beside the file so that a write interrupted after it replaced the file (the
 * engine never heard back, and will retry) can still tell what the location held before the
 * provider first wrote there. Keyed by location key, then attribute. Read and written only while
 * holding the store's lock.
 */
export interface PreImageJournal {
    read(): Promise<JournalEntries>;
    /** Replaces the journal atomically; an empty one removes it. */
    write(entries: JournalEntries): Promise<void>;
}

/** For one attribute at one location: its text before the provider first wrote it (null: not set), and what the provider wrote last. */
export interface PreImage {
    previous: string | null;
    wrote: string;
}

export interface LocationJournal {
    attributes: Record<string, PreImage>;
    /** The elements the provider's first write there created, as a CreationRecord (absent: none). */
    created?: { created: string; parentCloseAs: string };
}

export type JournalEntries = Record<string, LocationJournal>;

export interface ConfigFileContent {
    bytes: Buffer;
    /** An opaque token for compare-and-swap (a SHA-256 of the bytes). */
    version: string;
    /**
     * Names the file read, for messages, when only the read could say which file that is (a
     * remote store whose server finds applicationHost.config); absent: the store's label.
     */
    label?: string;
}

export interface ConfigFileStore {
    /** Names the file (and host) in messages. */
    readonly label: string;
    read(): Promise<ConfigFileContent>;
    /** Replaces the file with `bytes` if it still has `expectedVersion`; else throws ConfigChangedError. */
    write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }>;
    /**
     * As write, with the new content given as consecutive pieces (an edit's views of the bytes
     * read and its new region): written one after the other, never joined into one 50 MB copy.
     * Stores without it are given the pieces joined (writeContent).
     */
    writePieces?(pieces: readonly Buffer[], expectedVersion: string): Promise<{ version: string }>;
    /**
     * True if the file holds exactly these pieces, compared a chunk at a time (the read-back after
     * a write, without reading the file whole beside the bytes it is compared with). Stores
     * without it are read whole (fileHoldsContent).
     */
    holds?(pieces: readonly Buffer[]): Promise<boolean>;
    /** Runs `work` while holding this file's writer lock (read-modify-write must not interleave). */
    withLock<T>(work: () => Promise<T>): Promise<T>;
    /** Present where the store can keep a journal beside the file (see PreImageJournal). */
    readonly journal?: PreImageJournal;
    /**
     * Reads web.config files on the file's host (apphost/webConfigPlaces.ts names them, as `<sites>`
     * gives their folders): environment variables expanded there, one result per file, in order.
     */
    readWebConfigs(files: readonly string[]): Promise<WebConfigContent[]>;
}

/** A web.config as a store found it: `label` names it, on its host, in messages. */
export type WebConfigContent = { file: string; label: string } & (
    | { state: "read"; bytes: Buffer }
    /** Its folder is there and the file is not: nothing is set there. */
    | { state: "missing" }
    | { state: "unreadable"; reason: string }
);

/** The file does not exist (as opposed to: cannot be read). */
export class ConfigFileMissingError extends Error {
    constructor(readonly label: string, detail: string) {
        super(`${label}: ${detail}`);
        this.name = "ConfigFileMissingError";
    }
}

export class ConfigChangedError extends Error {
    constructor(readonly label: string, detail = "") {
        super(`${label} changed since it was read${detail ? ` (${detail})` : ""}; nothing was written`);
        this.name = "ConfigChangedError";
    }
}

/** Writes `pieces` through the store, in pieces where it can take them. */
export function writeContent(store: ConfigFileStore, pieces: readonly Buffer[], expectedVersion: string): Promise<{ version: string }> {
    if (store.writePieces) return store.writePieces(pieces, expectedVersion);
    return store.write(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces), expectedVersion);
}

/** True if `bytes` is exactly the pieces one after the other (compared in place, no copy). */
export function samePieces(bytes: Buffer, pieces: readonly Buffer[]): boolean {
    let offset = 0;
    for (const piece of pieces) {
        if (offset + piece.length > bytes.length || !bytes.subarray(offset, offset + piece.length).equals(piece)) return false;
        offset += piece.length;
    }
    return offset === bytes.length;
}
