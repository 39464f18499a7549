/**
 * applicationHost.config on this machine's file system. Writers on this machine (other resources
 * of the same `pulumi up`, other processes) are serialised by a lock file beside the config
 * (lockFile.ts); a lock left by a process that died is broken. The replace (atomicReplace.ts) is
 * compare-and-swap against what was read, so a writer that does not take the lock (IIS Manager,
 * appcmd) is never overwritten blindly.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigFileContent, ConfigFileMissingError, ConfigFileStore, PreImageJournal, WebConfigContent } from "../configFile";
import { removeAbandonedTemps } from "./abandonedTemps";
import { FileIdentity, replaceFile, syncDirectory } from "./atomicReplace";
import { describeFsError, describeKind } from "./fsErrors";
import { LocalJournal } from "./journal";
import { LOCK_SUFFIX, withLockFile } from "./lockFile";
import { readRegularFile } from "./readRegularFile";
import { readLocalWebConfigs } from "./localWebConfigs";

// Tests and the benchmark import these from the local store.
export { BACKUP_SUFFIX, MAX_CONFIG_BYTES } from "../configFile";
export { describeFsError } from "./fsErrors";
export { JOURNAL_SUFFIX, parseJournal } from "./journal";
export { LOCK_SUFFIX } from "./lockFile";

export interface LocalFileOptions {
    /** How long to wait for another writer's lock before failing (default 60 s). */
    lockTimeoutMs?: number;
    /** A lock older than this is taken to be abandoned even if its process seems alive (default 10 min). */
    staleLockMs?: number;
}

export function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The bytes with their version hashed when first asked for: a SHA-256 of a 50 MB file takes about
 * 30 ms, and only compare-and-swap needs it, not a read for a diff nor the read-back after a write.
 * Callers own the buffer and do not change it, so the version is that of the bytes as read.
 * `versioned` hears of each version computed, with its bytes.
 */
function withLazyVersion(bytes: Buffer, versioned: (known: KnownVersion) => void = () => undefined): ConfigFileContent {
    let version: string | undefined;
    return {
        bytes,
        get version(): string {
            if (version === undefined) {
                version = sha256(bytes);
                versioned({ version, bytes });
            }
            return version;
        },
    };
}

/** The version of content written in pieces, hashed when first asked for (as withLazyVersion; nobody keeps the pieces joined). */
function lazyVersionOf(pieces: readonly Buffer[]): { version: string } {
    let version: string | undefined;
    return {
        get version(): string {
            if (version === undefined) {
                const hash = createHash("sha256");
                for (const piece of pieces) hash.update(piece);
                version = hash.digest("hex");
            }
            return version;
        },
    };
}

/** Bytes and their SHA-256. */
interface KnownVersion {
    version: string;
    bytes: Buffer;
}

/** How much of the file compare-and-swap reads at a time when comparing it with known bytes. */
const COMPARE_CHUNK_BYTES = 1 << 20;

export class LocalConfigFile implements ConfigFileStore {
    readonly label: string;
    readonly journal: PreImageJournal;
    /**
     * The last version handed out by read(), with its bytes: compare-and-swap against it compares
     * the file with those bytes (a 50 MB memcmp in 1 MiB reads) instead of hashing the whole file
     * again. Any pair here has sha256(bytes) === version, so this decides exactly as comparing
     * hashes would (without even the collision); a version not held here is checked by hash.
     */
    private lastVersion: KnownVersion | undefined;

    constructor(readonly path: string, private readonly options: LocalFileOptions = {}) {
        this.label = path;
        this.journal = new LocalJournal(this);
    }

    async read(): Promise<ConfigFileContent> {
        const bytes = await readRegularFile(this.path, this.label);
        return withLazyVersion(bytes, (known) => { this.lastVersion = known; });
    }

    readWebConfigs(files: readonly string[]): Promise<WebConfigContent[]> {
        return readLocalWebConfigs(files);
    }

    /**
     * Where the file really is and whose it is: a symbolic link is followed (the file it points to
     * is what IIS reads, so that is what is edited, and the link stays), and anything but a
     * regular file is refused. `action` names what was being done, for the message.
     */
    async identify(action: string): Promise<FileIdentity> {
        let real: string;
        let stats: fs.Stats;
        try {
            real = await fs.promises.realpath(this.path);
            stats = await fs.promises.stat(real);
        } catch (error) {
            if ((error as NodeJS.ErrnoException)?.code === "ENOENT") throw new ConfigFileMissingError(this.path, `cannot ${action}: no such file or folder; nothing was written`);
            throw new Error(`${this.path}: cannot ${action}: ${describeFsError(error)}; nothing was written`);
        }
        if (!stats.isFile()) throw new Error(`${this.path}: cannot ${action}: ${describeKind(stats)}, not a regular file; nothing was written`);
        return { real, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
    }

    write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        return this.writePieces([bytes], expectedVersion);
    }

    async writePieces(pieces: readonly Buffer[], expectedVersion: string): Promise<{ version: string }> {
        const identity = await this.identify("write");
        const directory = path.dirname(identity.real);
        await removeAbandonedTemps(directory, path.basename(identity.real));
        try {
            await replaceFile(identity, pieces, this.path, () => this.stillHolds(identity.real, expectedVersion));
        } finally {
            // The bytes are the caller's; do not keep 50 MB alive past the write they were read for.
            if (this.lastVersion?.version === expectedVersion) this.lastVersion = undefined;
        }
        await syncDirectory(directory);
        return lazyVersionOf(pieces);
    }

    async holds(pieces: readonly Buffer[]): Promise<boolean> {
        const real = await fs.promises.realpath(this.path);
        return fileHolds(real, pieces);
    }

    /** True if the file still has the version `expected` (synchronous: see replaceFile). */
    private stillHolds(real: string, expected: string): boolean {
        const known = this.lastVersion;
        if (known === undefined || known.version !== expected) return sha256(fs.readFileSync(real)) === expected;
        return fileHolds(real, [known.bytes]);
    }

    async withLock<T>(work: () => Promise<T>): Promise<T> {
        const { real } = await this.identify("edit");
        try {
            await fs.promises.access(real, fs.constants.R_OK | fs.constants.W_OK);
        } catch (error) {
            throw new Error(`${this.path}: cannot edit: ${describeFsError(error)}; nothing was written`);
        }
        const timing = { timeoutMs: this.options.lockTimeoutMs ?? 60_000, staleMs: this.options.staleLockMs ?? 600_000 };
        return withLockFile(real + LOCK_SUFFIX, this.path, timing, work);
    }
}

/** True if the file's content is exactly the pieces one after the other, read in chunks into one buffer (no copy of the whole file). */
function fileHolds(file: string, pieces: readonly Buffer[]): boolean {
    const descriptor = fs.openSync(file, "r");
    try {
        const chunk = Buffer.allocUnsafe(COMPARE_CHUNK_BYTES);
        let offset = 0;
        for (const piece of pieces) {
            for (let at = 0; at < piece.length;) {
                const count = fs.readSync(descriptor, chunk, 0, Math.min(chunk.length, piece.length - at), offset);
                if (count === 0 || !chunk.subarray(0, count).equals(piece.subarray(at, at + count))) return false;
                at += count;
                offset += count;
            }
        }
        return fs.readSync(descriptor, chunk, 0, 1, offset) === 0;
    } finally {
        fs.closeSync(descriptor);
    }
}
