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
import {
    ConfigChangedError, ConfigFileContent, ConfigFileMissingError, MAX_CONFIG_BYTES, ConfigFileStore, JournalEntries, LocationJournal, PreImageJournal,
} from "../configFile";
import { copyExtendedAttributes } from "./extendedAttributes";

export interface LocalFileOptions {
    /** How long to wait for another writer's lock before failing (default 60 s). */
    lockTimeoutMs?: number;
    /** A lock older than this is taken to be abandoned even if its process seems alive (default 10 min). */
    staleLockMs?: number;
}

export const BACKUP_SUFFIX = ".asp-session.bak";
export const LOCK_SUFFIX = ".asp-session.lock";
export const JOURNAL_SUFFIX = ".asp-session.journal";

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

    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        const identity = await this.identify("write");
        const directory = path.dirname(identity.real);
        const base = path.basename(identity.real);
        const temp = path.join(directory, `.${base}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
        await removeAbandonedTemps(directory, base);
        try {
            const handle = await fs.promises.open(temp, "wx", 0o600);
            try {
                await handle.writeFile(bytes);
                await keepIdentity(handle, identity, this.label);
                await keepExtendedAttributes(identity.real, temp, this.label).catch((error: unknown) => {
                    // cp refuses a source replaced while it copied: that is another writer's change, retried as such.
                    if (!this.stillHolds(identity.real, expectedVersion)) throw new ConfigChangedError(this.path);
                    throw error;
                });
                await handle.sync();
            } finally {
                await handle.close();
            }
            // Check, backup and rename run synchronously, back to back: a writer that ignores our
            // lock (IIS Manager, appcmd) can still replace the file between our check and our
            // rename, and rename cannot close that window, but no event-loop turn or thread-pool
            // hop may widen it (awaited, it lost a concurrent edit on most writes under load).
            if (!this.stillHolds(identity.real, expectedVersion)) throw new ConfigChangedError(this.path);
            keepBackup(identity.real);
            fs.renameSync(temp, identity.real);
        } catch (error) {
            await fs.promises.rm(temp, { force: true });
            if (error instanceof ConfigChangedError || error instanceof IdentityNotKeptError) throw error;
            throw new Error(`${this.path}: cannot write: ${describeFsError(error)}; the file was left as it was`);
        } finally {
            // The bytes are the caller's; do not keep 50 MB alive past the write they were read for.
            if (this.lastVersion?.version === expectedVersion) this.lastVersion = undefined;
        }
        await syncDirectory(directory);
        return withLazyVersion(bytes);
    }

    /** True if the file still has the version `expected` (synchronous: see write). */
    private stillHolds(real: string, expected: string): boolean {
        const known = this.lastVersion;
        if (known === undefined || known.version !== expected) return sha256(fs.readFileSync(real)) === expected;
        return fileHolds(real, known.bytes);
    }

    async withLock<T>(work: () => Promise<T>): Promise<T> {
        const { real } = await this.identify("edit");
        const lock = real + LOCK_SUFFIX;
        const timeoutMs = this.options.lockTimeoutMs ?? 60_000;
        const staleMs = this.options.staleLockMs ?? 600_000;
        const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() });
        const deadline = Date.now() + timeoutMs;
        try {
            await fs.promises.access(real, fs.constants.R_OK | fs.constants.W_OK);
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

/** Where the config really is (links followed) and the identity its replacement must keep. */
export interface FileIdentity {
    real: string;
    /** Permission bits (with setuid/setgid/sticky). */
    mode: number;
    uid: number;
    gid: number;
}

/** A replacement that would not keep the file's owner or group was not written. */
class IdentityNotKeptError extends Error {
    constructor(message: string) {
        super(message);
        // Set explicitly: in Pulumi's serialised provider, `super(message)` does not set it.
        this.message = message;
        this.name = "IdentityNotKeptError";
    }
}

/**
 * Gives the replacement the file's owner, group and mode before it is renamed into place (a
 * rename would otherwise give it the writer's). Owner first: a chown may clear setuid/setgid.
 * When the owner cannot be kept (not root, not the owner), nothing is written: a config file
 * silently changing hands is a change nobody asked for. On Windows, uid/gid are 0 and chmod only
 * sets the read-only flag; the ACL is the folder's (see README).
 */
async function keepIdentity(handle: fs.promises.FileHandle, identity: FileIdentity, label: string): Promise<void> {
    if (process.platform !== "win32") {
        const own = await handle.stat();
        if (own.uid !== identity.uid || own.gid !== identity.gid) {
            try {
                await handle.chown(identity.uid, identity.gid);
            } catch (error) {
                throw new IdentityNotKeptError(`${label}: cannot keep its owner and group (uid ${identity.uid}, gid ${identity.gid}) on the replacement: ` +
                    `${describeFsError(error)}; run as root or as the file's owner. The file was left as it was`);
            }
        }
    }
    await handle.chmod(identity.mode);
}

/**
 * Gives the replacement the file's extended attributes and POSIX ACL (see extendedAttributes.ts);
 * when they cannot be kept, nothing is written, as for the owner.
 */
async function keepExtendedAttributes(real: string, temp: string, label: string): Promise<void> {
    const problem = await copyExtendedAttributes(real, temp);
    if (problem !== undefined) {
        throw new IdentityNotKeptError(`${label}: cannot keep its extended attributes or ACL on the replacement (${problem}); ` +
            "on Linux the provider keeps them with GNU coreutils' cp --attributes-only --preserve=mode,xattr. The file was left as it was");
    }
}

/**
 * Reads a regular file whole. The file is opened without blocking (a FIFO would wait for a writer
 * forever) and checked before a byte is read: a device (/dev/zero) or FIFO is refused, and so is
 * a file larger than MAX_CONFIG_BYTES.
 */
export async function readRegularFile(file: string, label: string): Promise<Buffer> {
    let handle: fs.promises.FileHandle;
    try {
        handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (error) {
        if ((error as NodeJS.ErrnoException)?.code === "ENOENT") throw new ConfigFileMissingError(label, "cannot read: no such file or folder");
        throw new Error(`${label}: cannot read: ${describeFsError(error)}`);
    }
    try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw new Error(`${label}: ${describeKind(stats)}, not a regular file; refusing to read it`);
        if (stats.size > MAX_CONFIG_BYTES) throw new Error(`${label}: ${stats.size} bytes, more than the ${MAX_CONFIG_BYTES} bytes (256 MiB) any applicationHost.config needs; refusing to read it`);
        const bytes = await handle.readFile();
        if (bytes.length > MAX_CONFIG_BYTES) throw new Error(`${label}: grew past ${MAX_CONFIG_BYTES} bytes (256 MiB) while it was read; refusing it`);
        return bytes;
    } finally {
        await handle.close();
    }
}

/** What a file system object is, for "... not a regular file" messages. */
function describeKind(stats: fs.Stats): string {
    if (stats.isDirectory()) return "is a folder";
    if (stats.isFIFO()) return "is a FIFO (named pipe)";
    if (stats.isCharacterDevice()) return "is a character device";
    if (stats.isBlockDevice()) return "is a block device";
    if (stats.isSocket()) return "is a socket";
    return "is not a file";
}

/** The file about to be replaced becomes the backup: a hard link where possible (no copy, same owner and mode), else a copy. */
function keepBackup(real: string): void {
    const backup = real + BACKUP_SUFFIX;
    // Named like the replacement's temp file, so that one left by a killed writer is removed the same way.
    const temp = path.join(path.dirname(real), `.${path.basename(real)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
        fs.linkSync(real, temp);
    } catch {
        fs.copyFileSync(real, temp);
    }
    fs.renameSync(temp, backup);
    // POSIX rename does nothing when both names are links to the same file, as they are when
    // the backup already is this file (a writer was stopped between its backup and its
    // rename); the temp name would be left behind on every such write.
    fs.rmSync(temp, { force: true });
}

/**
 * The journal beside the config (`<file>.asp-session.journal`, JSON): see PreImageJournal. It is
 * replaced like the config (temp file, fsync, rename) and removed when it holds nothing. One that
 * cannot be parsed is taken as empty: it only ever adds knowledge a retry would otherwise lack.
 */
class LocalJournal implements PreImageJournal {
    constructor(private readonly store: LocalConfigFile) {}

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
        const temp = path.join(path.dirname(journal), `.${path.basename(identity.real)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
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
        case "ELOOP": return "too many levels of symbolic links";
        case "ENOTDIR": return "a part of the path is not a folder";
        case "EROFS": return "read-only file system";
        case "ENOSPC": return "no space left on the device";
        default: return error instanceof Error ? error.message : String(error);
    }
}

export { MAX_CONFIG_BYTES };
