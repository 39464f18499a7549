/**
 * Replacing a file atomically (a reader sees the old file or the new one, never a mix: IIS reads
 * it without locking) with a replacement that is the old file in all but content: same owner,
 * group, mode, extended attributes and ACL. The replacement is written to a temp file beside it,
 * fsynced and renamed over it; the file replaced becomes the backup.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BACKUP_SUFFIX, ConfigChangedError } from "../configFile";
import { copyExtendedAttributes } from "./extendedAttributes";
import { describeFsError } from "./fsErrors";

/** Where the config really is (links followed) and the identity its replacement must keep. */
export interface FileIdentity {
    real: string;
    /** Permission bits (with setuid/setgid/sticky). */
    mode: number;
    uid: number;
    gid: number;
}

/** A replacement that would not keep the file's owner or group was not written. */
export class IdentityNotKeptError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "IdentityNotKeptError";
    }
}

/**
 * A temp file beside `real`, named `.<file>.<pid>.<hex>.tmp` so that one left by a killed writer
 * is found and removed (see abandonedTemps.ts).
 */
export function tempPathFor(real: string): string {
    return path.join(path.dirname(real), `.${path.basename(real)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Replaces `identity.real` with the pieces, written one after the other, if `stillHolds()` says it
 * still has the content the caller read; else throws ConfigChangedError. The caller then makes
 * the rename durable with syncDirectory.
 */
export async function replaceFile(identity: FileIdentity, pieces: readonly Buffer[], label: string, stillHolds: () => boolean): Promise<void> {
    const temp = tempPathFor(identity.real);
    try {
        const handle = await fs.promises.open(temp, "wx", 0o600);
        try {
            // Each writeFile continues where the last one ended (a fresh handle's position moves with it).
            for (const piece of pieces) await handle.writeFile(piece);
            await keepIdentity(handle, identity, label);
            await keepExtendedAttributes(identity.real, temp, label).catch((error: unknown) => {
                // cp refuses a source replaced while it copied: that is another writer's change, retried as such.
                if (!stillHolds()) throw new ConfigChangedError(label);
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
        if (!stillHolds()) throw new ConfigChangedError(label);
        keepBackup(identity.real);
        fs.renameSync(temp, identity.real);
    } catch (error) {
        await fs.promises.rm(temp, { force: true });
        if (error instanceof ConfigChangedError || error instanceof IdentityNotKeptError) throw error;
        throw new Error(`${label}: cannot write: ${describeFsError(error)}; the file was left as it was`);
    }
}

/**
 * Gives the replacement the file's owner, group and mode before it is renamed into place (a
 * rename would otherwise give it the writer's). Owner first: a chown may clear setuid/setgid.
 * When the owner cannot be kept (not root, not the owner), nothing is written: a config file
 * silently changing hands is a change nobody asked for. On Windows, uid/gid are 0 and chmod only
 * sets the read-only flag; the ACL is the folder's (see README).
 */
export async function keepIdentity(handle: fs.promises.FileHandle, identity: FileIdentity, label: string): Promise<void> {
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

/** The file about to be replaced becomes the backup: a hard link where possible (no copy, same owner and mode), else a copy. */
function keepBackup(real: string): void {
    const backup = real + BACKUP_SUFFIX;
    // Named like the replacement's temp file, so that one left by a killed writer is removed the same way.
    const temp = tempPathFor(real);
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

/** Makes a rename in `directory` durable: the rename is atomic without it, but may not survive a power cut. */
export async function syncDirectory(directory: string): Promise<void> {
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
