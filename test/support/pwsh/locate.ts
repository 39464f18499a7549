/**
 * Where the tests find PowerShell 7: `pwsh` on PATH. `.ci/run` installs 7.6.9 as a dotnet tool
 * (~/.dotnet/tools); a clone without it skips what needs it, with one message saying how to
 * install it; under CI=true nothing may skip, so a missing pwsh fails the run.
 */
import * as fs from "fs";
import * as path from "path";
import { underCi } from "../paths";

export const PWSH_INSTALL_HINT =
    "install PowerShell 7 with `dotnet tool install --global PowerShell --version 7.6.9` and put ~/.dotnet/tools on PATH";

/** The pwsh executable on PATH, or undefined. */
export function findPwsh(): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (dir === "") continue;
        const candidate = path.join(dir, process.platform === "win32" ? "pwsh.exe" : "pwsh");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

let skipAnnounced = false;

/**
 * For a `before` hook of tests that run real PowerShell: returns pwsh's path, or skips the
 * suite (saying once per run how to install it), or under CI=true throws.
 */
export function requirePwsh(context: Mocha.Context): string {
    const pwsh = findPwsh();
    if (pwsh !== undefined) return pwsh;
    if (underCi) throw new Error(`CI=true but pwsh is not on PATH: ${PWSH_INSTALL_HINT}`);
    if (!skipAnnounced) {
        skipAnnounced = true;
        console.log(`\n  Skipping every test that runs PowerShell: pwsh is not on PATH; ${PWSH_INSTALL_HINT}.\n`);
    }
    context.skip();
}

/** The same, for code outside mocha (the benchmark): pwsh's path or an error saying how to install it. */
export function pwshOrThrow(): string {
    const pwsh = findPwsh();
    if (pwsh === undefined) throw new Error(`pwsh is not on PATH: ${PWSH_INSTALL_HINT}`);
    return pwsh;
}
