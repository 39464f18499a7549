/**
 * The Microsoft.Web.Administration test double (Microsoft.Web.Administration.cs beside this file),
 * compiled by PowerShell 7 itself (`Add-Type -OutputAssembly`) once per source version and cached
 * in the temp folder, and installed where the scripts load the real one:
 * %windir%\System32\inetsrv\Microsoft.Web.Administration.dll, with the schema files IIS reads
 * from %windir%\System32\inetsrv\config\schema.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../paths";
import { countProcess } from "../pwsh/process";

const SOURCE = path.join(projectRoot, "test", "support", "mwa", "Microsoft.Web.Administration.cs");
const SCHEMA_FOLDER = path.join(projectRoot, "test", "support", "mwa", "schema");
export const ASSEMBLY_NAME = "Microsoft.Web.Administration.dll";

/** The compiled double (built now if this source has not been built by this pwsh before). */
export function buildMwaDouble(pwsh: string): string {
    const source = fs.readFileSync(SOURCE);
    const version = createHash("sha256").update(source).update(pwsh).digest("hex").slice(0, 16);
    const folder = path.join(os.tmpdir(), `asp-session-mwa-${version}`);
    const assembly = path.join(folder, ASSEMBLY_NAME);
    if (fs.existsSync(assembly)) return assembly;
    fs.mkdirSync(folder, { recursive: true });
    const building = path.join(folder, `build-${process.pid}-${Date.now()}.dll`);
    countProcess();
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
}

/** Puts the double and the IIS schema files into `windir` (idempotent). */
export function installMwaDouble(windir: string, pwsh: string): void {
    const inetsrv = path.join(windir, "System32", "inetsrv");
    const target = path.join(inetsrv, ASSEMBLY_NAME);
    if (fs.existsSync(target)) return;
    const assembly = buildMwaDouble(pwsh);
    const schemaTarget = path.join(inetsrv, "config", "schema");
    fs.mkdirSync(schemaTarget, { recursive: true });
    for (const name of fs.readdirSync(SCHEMA_FOLDER)) fs.copyFileSync(path.join(SCHEMA_FOLDER, name), path.join(schemaTarget, name));
    fs.copyFileSync(assembly, target);
}
