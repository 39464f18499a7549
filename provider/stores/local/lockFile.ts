/**
 * The lock file beside the config (`<file>.asp-session.lock`, JSON naming its owner) that
 * serialises this machine's writers. A lock left by a process that died is broken.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import { describeFsError } from "./fsErrors";

export const LOCK_SUFFIX = ".asp-session.lock";

export interface LockTiming {
    /** How long to wait for another writer's lock before failing. */
    timeoutMs: number;
    /** A lock older than this is taken to be abandoned even if its process seems alive. */
    staleMs: number;
}

/** Runs `work` while holding `lock`, waiting for another writer's lock and breaking an abandoned one. `label` names the config in messages. */
export async function withLockFile<T>(lock: string, label: string, { timeoutMs, staleMs }: LockTiming, work: () => Promise<T>): Promise<T> {
    const owner = JSON.stringify({ pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() });
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
        if (await createLock(lock, owner, label)) break;
        const holder = await fs.promises.readFile(lock, "utf8").catch(() => undefined);
        if (holder !== undefined && await isAbandoned(lock, holder, staleMs)) {
            await breakLock(lock, holder);
            continue;
        }
        if (Date.now() > deadline) {
            throw new Error(`${label}: timed out after ${timeoutMs} ms waiting for another writer's lock ${lock} (held by ${holder ?? "unknown"})`);
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

/** A lock is abandoned when its process (on this host) no longer exists, or when it is very old. */
async function isAbandoned(lock: string, holder: string, staleMs: number): Promise<boolean> {
    let owner: { pid?: unknown; host?: unknown };
    try {
        owner = JSON.parse(holder);
    } catch {
        // Half-written (only where there are no hard links: see createLock) by a process killed
        // between create and write: judge by age alone.
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

/** True if a process with this id exists on this machine (EPERM: it exists, owned by another user). */
export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code !== "ESRCH";
    }
}
