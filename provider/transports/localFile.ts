/**
 * applicationHost.config on this machine's file system. Writers on this machine (other resources
 * of the same `pulumi up`, other processes) are serialised by a lock file beside the config; a
 * lock left by a process that died is broken. The replace is compare-and-swap against what was
 * read, so a writer that does not take the lock (IIS Manager, appcmd) is never overwritten blindly.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigChangedError, ConfigFileContent, ConfigFileStore } from "./configFile";

export interface LocalFileOptions {
    /** How long to wait for another writer's lock before failing (default 60 s). */
    lockTimeoutMs?: number;
    /** A lock older than this is taken to be abandoned even if its process seems alive (default 10 min). */
    staleLockMs?: number;
}

export const BACKUP_SUFFIX = ".asp-session.bak";
export const LOCK_SUFFIX = ".asp-session.lock";

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

/** Bytes and their SHA-256. */
interface KnownVersion {
    version: string;
    bytes: Buffer;
}

/** How much of the file compare-and-swap reads at a time when comparing it with known bytes. */
const COMPARE_CHUNK_BYTES = 1 << 20;

export class LocalConfigFile implements ConfigFileStore {
    readonly label: string;
    /**
     * The last version handed out by read(), with its bytes: compare-and-swap against it compares
     * the file with those bytes (a 50 MB memcmp in 1 MiB reads) instead of hashing the whole file
     * again. Any pair here has sha256(bytes) === version, so this decides exactly as comparing
     * hashes would (without even the collision); a version not held here is checked by hash.
     */
    private lastVersion: KnownVersion | undefined;

    constructor(readonly path: string, private readonly options: LocalFileOptions = {}) {
        this.label = path;
    }

    async read(): Promise<ConfigFileContent> {
        let bytes: Buffer;
        try {
            bytes = await fs.promises.readFile(this.path);
        } catch (error) {
            throw new Error(`${this.path}: cannot read: ${describeFsError(error)}`);
        }
        return withLazyVersion(bytes, (known) => { this.lastVersion = known; });
    }

    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        const directory = path.dirname(this.path);
        const temp = path.join(directory, `.${path.basename(this.path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
        let mode = 0o644;
        try {
            mode = (await fs.promises.stat(this.path)).mode & 0o7777;
        } catch (error) {
            throw new Error(`${this.path}: cannot write: ${describeFsError(error)}`);
        }
        await removeAbandonedTemps(directory, path.basename(this.path));
        try {
            const handle = await fs.promises.open(temp, "wx", mode);
            try {
                await handle.writeFile(bytes);
                await handle.sync();
            } finally {
                await handle.close();
            }
            // Check, backup and rename run synchronously, back to back: a writer that ignores our
            // lock (IIS Manager, appcmd) can still replace the file between our check and our
            // rename, and rename cannot close that window, but no event-loop turn or thread-pool
            // hop may widen it (awaited, it lost a concurrent edit on most writes under load).
            if (!this.stillHolds(expectedVersion)) throw new ConfigChangedError(this.path);
            this.keepBackup(directory);
            fs.renameSync(temp, this.path);
        } catch (error) {
            await fs.promises.rm(temp, { force: true });
            if (error instanceof ConfigChangedError) throw error;
            throw new Error(`${this.path}: cannot write: ${describeFsError(error)}; the file was left as it was`);
        } finally {
            // The bytes are the caller's; do not keep 50 MB alive past the write they were read for.
            if (this.lastVersion?.version === expectedVersion) this.lastVersion = undefined;
        }
        await syncDirectory(directory);
        return withLazyVersion(bytes);
    }

    /** True if the file still has the version `expected` (synchronous: see write). */
    private stillHolds(expected: string): boolean {
        const known = this.lastVersion;
        if (known === undefined || known.version !== expected) return sha256(fs.readFileSync(this.path)) === expected;
        return fileHolds(this.path, known.bytes);
    }

    /** The file about to be replaced becomes the backup: a hard link where possible (no copy), else a copy. */
    private keepBackup(directory: string): void {
        const backup = this.path + BACKUP_SUFFIX;
        const temp = path.join(directory, `.${path.basename(backup)}.${randomBytes(6).toString("hex")}.tmp`);
        try {
            fs.linkSync(this.path, temp);
        } catch {
            fs.copyFileSync(this.path, temp);
        }
        fs.renameSync(temp, backup);
        // POSIX rename does nothing when both names are links to the same file, as they are when
        // the backup already is this file (a writer was stopped between its backup and its
        // rename); the temp name would be left behind on every such write.
        fs.rmSync(temp, { force: true });
    }

    async withLock<T>(work: () => Promise<T>): Promise<T> {
        const lock = this.path + LOCK_SUFFIX;
        const timeoutMs = this.options.lockTimeoutMs ?? 60_000;
        const staleMs = this.options.staleLockMs ?? 600_000;
        const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() });
        const deadline = Date.now() + timeoutMs;
        try {
            await fs.promises.access(this.path, fs.constants.R_OK | fs.constants.W_OK);
        } catch (error) {
            throw new Error(`${this.path}: cannot edit: ${describeFsError(error)}; nothing was written`);
        }
        for (let attempt = 0; ; attempt++) {
            if (await createLock(lock, owner, this.path)) break;
            const holder = await fs.promises.readFile(lock, "utf8").catch(() => undefined);
            if (holder !== undefined && await isAbandoned(lock, holder, staleMs)) {
                await breakLock(lock, holder);
                continue;
            }
            if (Date.now() > deadline) {
                throw new Error(`${this.path}: timed out after ${timeoutMs} ms waiting for another writer's lock ${lock} (held by ${holder ?? "unknown"})`);
            }
            await new Promise((resolve) => setTimeout(resolve, Math.min(5 + attempt * 5, 50) + Math.random() * 10));
        }
        try {
            return await work();
        } finally {
            const holder = await fs.promises.readFile(lock, "utf8").catch(() => undefined);
            if (holder === owner) await fs.promises.rm(lock, { force: true });
        }
    }
}

/** True if the file's content is exactly `bytes`, read in chunks into one buffer (no copy of the whole file). */
function fileHolds(file: string, bytes: Buffer): boolean {
    const descriptor = fs.openSync(file, "r");
    try {
        const chunk = Buffer.allocUnsafe(COMPARE_CHUNK_BYTES);
        let offset = 0;
        for (;;) {
            const count = fs.readSync(descriptor, chunk, 0, chunk.length, offset);
            if (count === 0) return offset === bytes.length;
            if (offset + count > bytes.length || !chunk.subarray(0, count).equals(bytes.subarray(offset, offset + count))) return false;
            offset += count;
        }
    } finally {
        fs.closeSync(descriptor);
    }
}

/**
 * Creates the lock file whole: the owner is written to a private name first and then linked into
 * place (link fails if the lock exists), so a process killed at any moment never leaves an empty
 * lock whose owner cannot be known.
 */
async function createLock(lock: string, owner: string, file: string): Promise<boolean> {
    const draft = `${lock}.${process.pid}.${randomBytes(6).toString("hex")}.draft`;
    try {
        await fs.promises.writeFile(draft, owner, { flag: "wx" });
        try {
            await fs.promises.link(draft, lock);
            return true;
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === "EEXIST") return false;
            if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw error;
            // No hard links on this file system: exclusive create, with the small empty-lock window.
            try {
                await fs.promises.writeFile(lock, owner, { flag: "wx" });
                return true;
            } catch (inner) {
                if ((inner as NodeJS.ErrnoException).code === "EEXIST") return false;
                throw inner;
            }
        }
    } catch (error) {
        throw new Error(`${file}: cannot create lock file ${lock}: ${describeFsError(error)}`);
    } finally {
        await fs.promises.rm(draft, { force: true });
    }
}

/**
 * Temp files and lock drafts left by writers of this machine that were killed mid-write: named
 * `.<file>.<pid>.<hex>.tmp` and `<file>.asp-session.lock.<pid>.<hex>.draft`; removed when that
 * process no longer exists, so they cannot pile up.
 */
async function removeAbandonedTemps(directory: string, base: string): Promise<void> {
    const names = await fs.promises.readdir(directory).catch(() => [] as string[]);
    const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`^(?:\\.${escaped}\\.(\\d+)\\.[0-9a-f]+\\.tmp|${escaped}${LOCK_SUFFIX.replace(/\./g, "\\.")}\\.(\\d+)\\.[0-9a-f]+\\.draft)$`);
    for (const name of names) {
        const match = pattern.exec(name);
        if (!match) continue;
        const pid = Number(match[1] ?? match[2]);
        if (pid === process.pid || isAlive(pid)) continue;
        await fs.promises.rm(path.join(directory, name), { force: true });
    }
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code !== "ESRCH";
    }
}

/** A lock is abandoned when its process (on this host) no longer exists, or when it is very old. */
async function isAbandoned(lock: string, holder: string, staleMs: number): Promise<boolean> {
    let owner: { pid?: unknown; host?: unknown };
    try {
        owner = JSON.parse(holder);
    } catch {
        // Half-written by a process killed between create and write: judge by age alone.
        const stat = await fs.promises.stat(lock).catch(() => undefined);
        return stat !== undefined && Date.now() - stat.mtimeMs > 2_000;
    }
    if (owner.host === os.hostname() && typeof owner.pid === "number" && !isAlive(owner.pid)) return true;
    const stat = await fs.promises.stat(lock).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > staleMs;
}

/**
 * Removes an abandoned lock, but only the one judged abandoned: it is first moved aside (atomic),
 * and if what was moved is not that lock (another writer replaced it meanwhile) it is put back.
 */
async function breakLock(lock: string, holder: string): Promise<void> {
    const aside = `${lock}.${randomBytes(6).toString("hex")}.broken`;
    try {
        await fs.promises.rename(lock, aside);
    } catch {
        return;
    }
    const moved = await fs.promises.readFile(aside, "utf8").catch(() => undefined);
    if (moved !== holder) {
        await fs.promises.link(aside, lock).catch(() => undefined);
    }
    await fs.promises.rm(aside, { force: true });
}

async function syncDirectory(directory: string): Promise<void> {
    if (process.platform === "win32") return;
    const handle = await fs.promises.open(directory, "r").catch(() => undefined);
    if (!handle) return;
    try {
        await handle.sync();
    } catch {
        // Some file systems refuse fsync on directories; the rename itself is still atomic.
    } finally {
        await handle.close();
    }
}

export function describeFsError(error: unknown): string {
    const code = (error as NodeJS.ErrnoException)?.code;
    switch (code) {
        case "ENOENT": return "no such file or folder";
        case "EACCES":
        case "EPERM": return "permission denied";
        case "EISDIR": return "is a folder, not a file";
        case "EROFS": return "read-only file system";
        case "ENOSPC": return "no space left on the device";
        default: return error instanceof Error ? error.message : String(error);
    }
}
