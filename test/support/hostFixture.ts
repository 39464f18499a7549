import * as path from "path";
import { ProviderHost, serializeProvider } from "../../examples/engine/providerHost";
import { aspSessionProvider } from "../../provider";
import { projectRoot } from "./paths";
import { scratchWindows, type ScratchWindows } from "./windowsFolder";

export const URN = "urn:pulumi:test::iis::pulumi-nodejs:dynamic/iis:AspSessionSettings::shop";

/** The real provider host, configured, with the provider serialised exactly as dynamic.Resource does. */
export async function startHost(): Promise<{ host: ProviderHost; providerText: string }> {
    const host = await ProviderHost.start({ cwd: projectRoot });
    await host.configure();
    return { host, providerText: await serializeProvider(aspSessionProvider) };
}

/** A scratch copy of `source` as <windir>/System32/inetsrv/config/applicationHost.config (see windowsFolder.ts). */
export function scratchCopy(source: string): ScratchWindows {
    return scratchWindows(source);
}

/** Our own fixture, always present (examples/local's sample file). */
export const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
