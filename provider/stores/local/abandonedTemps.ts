import * as fs from "fs";
import * as path from "path";
import { isAlive, LOCK_SUFFIX } from "./lockFile";

/**
 * Temp files and lock drafts left by writers of this machine that were killed mid-write: named
 * `.<file>.<pid>.<hex>.tmp` (atomicReplace.ts, tempPathFor) and
 * `<file>.asp-session.lock.<pid>.<hex>.draft` (lockFile.ts); removed when that process no longer
 * exists, so they cannot pile up.
 */
export async function removeAbandonedTemps(directory: string, base: string): Promise<void> {
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
