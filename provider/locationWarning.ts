/**
 * At check (so during preview too), a warning when a resource's location names no site the
 * target's configuration defines. Only a warning: IIS accepts settings for a site created later.
 * Check must not fail because the file cannot be read now (create will say why), so any failure
 * to look is silent here.
 */
import { warn } from "./diagnostics";
import { isUnknown } from "./settings/inputs";
import { identityUnknown, Target } from "./targets";
import { openBackend } from "./open";

export async function warnOfUnknownLocation(target: unknown, location: unknown): Promise<void> {
    if (target === undefined || typeof location !== "string" || isUnknown(location) || identityUnknown(target)) return;
    // Only where the file is what is edited: IIS's API mode has its own view of sites.
    const known = target as Target;
    if (known.kind === "winrm" && known.mode !== "xml") return;
    let warning: string | undefined;
    try {
        const backend = openBackend(known);
        warning = await backend.locationWarning?.(location);
    } catch {
        return;
    }
    if (warning !== undefined) warn(warning);
}
