/**
 * The Microsoft.Web.Administration test double (Microsoft.Web.Administration.cs beside this file),
 * compiled by PowerShell 7 itself (`Add-Type -OutputAssembly`) once per source version and cached
 * in node_modules/.cache (kept between runs, so not in the temp folder, which a run must leave as
 * it found it), and installed where the scripts load the real one:
 * %windir%\System32\inetsrv\Microsoft.Web.Administration.dll, with the schema files IIS reads
 * from %windir%\System32\inetsrv\config\schema.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../paths";
import { countProcess } from "../pwsh/process";
import { removeLater } from "../scratch";
import { commitGuardPath } from "./commitGuard";

const SOURCE = path.join(projectRoot, "test", "support", "mwa", "Microsoft.Web.Administration.cs");
const SCHEMA_FOLDER = path.join(projectRoot, "test", "support", "mwa", "schema");
const CACHE = path.join(projectRoot, "node_modules", ".cache", "asp-session-mwa-double");
export const ASSEMBLY_NAME = "Microsoft.Web.Administration.dll";

/** The compiled double (built now if this source has not been built by this pwsh before). */
export function buildMwaDouble(pwsh: string): string {
    const source = fs.readFileSync(SOURCE);
    const version = createHash("sha256").update(source).update(pwsh).digest("hex").slice(0, 16);
    const folder = path.join(CACHE, version);
    const assembly = path.join(folder, ASSEMBLY_NAME);
    if (fs.existsSync(assembly)) return assembly;
    fs.mkdirSync(folder, { recursive: true });
    const building = path.join(folder, `build-${process.pid}-${Date.now()}.dll`);
    countProcess();
    try {
        const result = spawnSync(
            pwsh,
            ["-NoProfile", "-NonInteractive", "-Command", "Add-Type -TypeDefinition ([IO.File]::ReadAllText($env:MWA_SOURCE)) -OutputAssembly $env:MWA_OUTPUT -OutputType Library"],
            { env: { ...process.env, MWA_SOURCE: SOURCE, MWA_OUTPUT: building, POWERSHELL_TELEMETRY_OPTOUT: "1", POWERSHELL_UPDATECHECK: "Off" }, encoding: "utf8", timeout: 180_000 },
        );
        if (result.status !== 0 || !fs.existsSync(building)) {
            throw new Error(`compiling the Microsoft.Web.Administration double (${SOURCE}) with ${pwsh} failed (exit ${result.status}): ${result.stderr || result.stdout || result.error?.message}`);
        }
        fs.renameSync(building, assembly);
        return assembly;
    } finally {
        // A failed or timed-out build leaves no half-written assembly in the cache.
        fs.rmSync(building, { force: true });
    }
}

/**
 * Puts the double and the IIS schema files into `windir` (idempotent). Each call is a PowerShell
 * about to run there, so the double's commit guard for this windir goes with the caller's scratch.
 */
export function installMwaDouble(windir: string, pwsh: string): void {
    const inetsrv = path.join(windir, "System32", "inetsrv");
    removeLater(commitGuardPath(path.join(inetsrv, "config", "applicationHost.config")));
    const target = path.join(inetsrv, ASSEMBLY_NAME);
    if (fs.existsSync(target)) return;
    const assembly = buildMwaDouble(pwsh);
    const schemaTarget = path.join(inetsrv, "config", "schema");
    fs.mkdirSync(schemaTarget, { recursive: true });
    for (const name of fs.readdirSync(SCHEMA_FOLDER)) fs.copyFileSync(path.join(SCHEMA_FOLDER, name), path.join(schemaTarget, name));
    fs.copyFileSync(assembly, target);
}
