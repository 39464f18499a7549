/**
 * How configuration-file bytes are read and replaced, wherever the file lives (this machine, SFTP,
 * a remote shell). Every implementation writes atomically (a reader sees the old file or the new
 * one, never a mix: IIS reads it without locking), keeps a backup of the previous file, and
 * refuses to replace a file that changed since it was read.
 */

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
    /** Runs `work` while holding this file's writer lock (read-modify-write must not interleave). */
    withLock<T>(work: () => Promise<T>): Promise<T>;
}

export class ConfigChangedError extends Error {
    constructor(readonly label: string, detail = "") {
        super(`${label} changed since it was read${detail ? ` (${detail})` : ""}; nothing was written`);
        // Set explicitly: in Pulumi's serialised provider, `super(message)` does not set it.
        this.message = `${label} changed since it was read${detail ? ` (${detail})` : ""}; nothing was written`;
        this.name = "ConfigChangedError";
    }
}
