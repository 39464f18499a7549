/**
 * A backend reads and writes the session settings at a location on one server. Two ways exist:
 * IIS's own API through PowerShell, and editing applicationHost.config directly. The provider
 * sees only this interface.
 */
import type { CreationRecord } from "../apphost/sessionEditor";
import type { SessionReading } from "../apphost/sessionReader";
import type { RawSessionAttributes, SessionAttribute, SessionSettings } from "../settings/schema";

export type { SessionReading } from "../apphost/sessionReader";

export interface SessionChange {
    /** Canonical values to set. */
    set: SessionSettings;
    /** Attribute text to put back exactly as it was (undoing an earlier change). */
    restore: RawSessionAttributes;
    /** Attributes to remove from this location (they fall back to inherited values). */
    remove: SessionAttribute[];
    /** Elements an earlier change created, to remove if this change leaves them empty. */
    prune?: CreationRecord;
}

export interface SessionWriteResult {
    /** The location as it was just before this write. */
    before: SessionReading;
    /** The location read back after the write and verified. */
    after: SessionReading;
    /** Elements this write created (NOTHING_CREATED when none). */
    created: CreationRecord;
    /** True when the elements named by `prune` were removed. */
    pruned: boolean;
    /**
     * For each attribute set: its text before the provider first wrote it at this location (null:
     * not set), and the elements that first write created. Differs from `before` when an earlier
     * write of the same values was interrupted after it replaced the file (the engine never heard
     * back and retries): the backend remembers what that write found. Absent where a backend
     * keeps no such record; then `before` is all there is.
     */
    preImages?: { previous: Partial<Record<SessionAttribute, string | null>>; created: CreationRecord };
}

export interface SessionBackend {
    /** Names the server and the way in, for messages: "web01 (WinRM, IIS API)". */
    readonly description: string;
    read(location: string): Promise<SessionReading>;
    write(location: string, change: SessionChange): Promise<SessionWriteResult>;
    /**
     * A warning when `location` names no site the server defines (IIS accepts it, for a site
     * created later); undefined when it names one or the backend cannot tell.
     */
    locationWarning?(location: string): Promise<string | undefined>;
}

/** The change, with nothing in it, that a write may skip. */
export function isEmptyChange(change: SessionChange): boolean {
    return Object.keys(change.set).length === 0 && Object.keys(change.restore).length === 0 && change.remove.length === 0 && !change.prune;
}

/** What a write that changed the file knows about itself when its verification failed. */
export type UnverifiedWrite = Omit<SessionWriteResult, "after"> & {
    /** The location as read back after the write, when it could be read. */
    after?: SessionReading;
};

/**
 * The write changed the file, but reading it back did not confirm what was asked (another writer
 * changed it since, or the read-back failed). Carries what the write replaced, so the provider can
 * keep the resource in the stack with it (a partial create or update) rather than leave bytes it
 * wrote that no resource owns.
 */
export class UnverifiedWriteError extends Error {
    constructor(message: string, readonly written: UnverifiedWrite) {
        super(message);
        this.name = "UnverifiedWriteError";
    }
}
