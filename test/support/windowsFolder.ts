/**
 * A scratch folder laid out as the part of %windir% the scripts use:
 * <windir>/System32/inetsrv/config/applicationHost.config (and, once PowerShell runs there, the
 * Microsoft.Web.Administration double beside it: see mwa/install.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { scratchDir } from "./scratch";

export interface ScratchWindows {
    /** The scratch folder (scratch.ts removes it after the test, or the run, that made it). */
    readonly dir: string;
    /** What the scripts see as %windir%. */
    readonly windir: string;
    /** <windir>/System32/inetsrv/config/applicationHost.config, a copy of the source. */
    readonly file: string;
}

export function scratchWindows(source: string): ScratchWindows {
    const dir = scratchDir("asp-session-");
    const windir = path.join(dir, "Windows");
    const config = path.join(windir, "System32", "inetsrv", "config");
    fs.mkdirSync(config, { recursive: true });
    const file = path.join(config, "applicationHost.config");
    fs.copyFileSync(source, file);
    return { dir, windir, file };
}

/** The %windir% of an applicationHost.config laid out as above, or an error saying what is expected. */
export function windirOf(applicationHostPath: string): string {
    const config = path.dirname(path.resolve(applicationHostPath));
    const inetsrv = path.dirname(config);
    const system32 = path.dirname(inetsrv);
    if (path.basename(config) !== "config" || path.basename(inetsrv) !== "inetsrv" || path.basename(system32) !== "System32") {
        throw new Error(`${applicationHostPath} is not at <windir>/System32/inetsrv/config/: PowerShell finds IIS's configuration through %windir% (use scratchWindows)`);
    }
    return path.dirname(system32);
}
