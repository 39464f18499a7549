import * as path from "path";
import { ProviderHost } from "../../examples/engine/providerHost";
import { PROVIDER_REFERENCE } from "../../sdk/providerReference";
import { projectRoot } from "./paths";
import { scratchWindows, type ScratchWindows } from "./windowsFolder";

export const URN = "urn:pulumi:test::iis::pulumi-nodejs:dynamic/iis:AspSessionSettings::shop";

/** The real provider host, configured, with the `__provider` text every AspSessionSettings resource stores. */
export async function startHost(options: { callTimeoutMs?: number } = {}): Promise<{ host: ProviderHost; providerText: string }> {
    const host = await ProviderHost.start({ cwd: projectRoot, ...options });
    await host.configure();
    return { host, providerText: PROVIDER_REFERENCE };
}

/** A scratch copy of `source` as <windir>/System32/inetsrv/config/applicationHost.config (see windowsFolder.ts). */
export function scratchCopy(source: string): ScratchWindows {
    return scratchWindows(source);
}

/** Our own fixture, always present (examples/local's sample file). */
export const OWN_FIXTURE = path.join(projectRoot, "examples", "local", "applicationHost.config");
