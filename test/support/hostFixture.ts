import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProviderHost } from "../../examples/engine/providerHost";
import { PROVIDER_REFERENCE } from "../../sdk/providerReference";
import { projectRoot } from "./paths";

export const URN = "urn:pulumi:test::iis::pulumi-nodejs:dynamic/iis:AspSessionSettings::shop";

/** The real provider host, configured, with the `__provider` text every AspSessionSettings resource stores. */
export async function startHost(): Promise<{ host: ProviderHost; providerText: string }> {
    const host = await ProviderHost.start({ cwd: projectRoot });
    await host.configure();
    return { host, providerText: PROVIDER_REFERENCE };
}

/** A scratch folder with a copy of `source` named applicationHost.config. */
export function scratchCopy(source: string): { dir: string; file: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-"));
    const file = path.join(dir, "applicationHost.config");
    fs.copyFileSync(source, file);
    return { dir, file };
}

/** Our own fixture, always present (examples/local's sample file). */
export const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
