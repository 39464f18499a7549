/**
 * A file's extended attributes (user.*, security.*, trusted.*) and POSIX ACL, which an atomic
 * replace would lose: the replacement is a new file, with none of them. Node has no API for
 * either, so on Linux GNU coreutils' `cp --attributes-only --preserve=mode,xattr` copies them onto
 * the replacement before it is renamed into place (ACLs travel with `mode`, through libacl, and
 * live in system.posix_acl_access). Attributes that were asked for explicitly and cannot be kept
 * make cp fail, naming them; the caller then writes nothing.
 */
import { execFile } from "child_process";

/** How long cp may take: it touches one file's metadata. */
const COPY_TIMEOUT_MS = 30_000;

/**
 * Copies `from`'s extended attributes and ACL onto `to` (its content untouched). Resolves to
 * undefined when done, or to why they could not be kept. Elsewhere than Linux there is nothing
 * to do here: macOS and BSD keep ACLs in other ways this provider does not edit, and on Windows
 * the replacement takes the folder's inherited ACL (see README).
 */
export function copyExtendedAttributes(from: string, to: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
    if (platform !== "linux") return Promise.resolve(undefined);
    return new Promise((resolve) => {
        execFile("cp", ["--attributes-only", "--preserve=mode,xattr", "--", from, to], { timeout: COPY_TIMEOUT_MS, env: { ...process.env, LC_ALL: "C" } }, (error, _stdout, stderr) => {
            if (error === null) return resolve(undefined);
            const said = String(stderr).trim().replace(/\s+/g, " ");
            resolve(said !== "" ? said : error.killed ? `cp did not finish within ${COPY_TIMEOUT_MS} ms` : error.message);
        });
    });
}
