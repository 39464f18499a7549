/**
 * The lock file the Microsoft.Web.Administration double holds while it commits a configuration
 * file (CommitGuardPath in Microsoft.Web.Administration.cs): in the temp folder, not beside the
 * file, and never removed by the double (removing it would let a third committer slip in between
 * another's open and lock), so the tests remove the guards of their scratch files (install.ts).
 */
import { createHash } from "crypto";
import * as os from "os";
import * as path from "path";

export const COMMIT_GUARD_PREFIX = "mwa-double-commit-";

/** The guard of `configPath`: SHA-256 of its full path (UTF-8), first 8 bytes in upper-case hex. */
export function commitGuardPath(configPath: string): string {
    const hash = createHash("sha256").update(path.resolve(configPath), "utf8").digest("hex").slice(0, 16).toUpperCase();
    return path.join(os.tmpdir(), `${COMMIT_GUARD_PREFIX}${hash}.lock`);
}
