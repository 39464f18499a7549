/**
 * What Pulumi stores as `__provider` in each resource's state: a few lines that load the installed
 * provider, instead of the provider's code copied by value (356 KB per resource, run 10-40x slower
 * by the host because the copy wraps every function in `with` scopes).
 *
 * Pulumi's dynamic-provider host evaluates this text as a module and calls `handler()` to get the
 * provider. The text resolves the package from the host's working directory, which is the Pulumi
 * program's folder: from its node_modules when the package is installed there, or by Node's
 * self-reference when the folder is this package itself (the repository's own programs and tests).
 * Written here rather than produced by Pulumi's serializer because the serializer copies by value
 * any module whose real path is outside node_modules (this repository, a symlinked install).
 */

/** The package path of the provider module; part of the package's interface (package.json "exports"). */
export const PROVIDER_MODULE = "pulumi-iis-asp-session/provider";

/** The package path of the fleet health gate's provider module (package.json "exports"). */
export const HEALTH_GATE_PROVIDER_MODULE = "pulumi-iis-asp-session/provider/healthGate";

/** The `__provider` text that loads the provider module at `modulePath` (a package path). */
export function providerReference(modulePath: string): string {
    return `exports.handler = () => require("module").createRequire(require("path").join(process.cwd(), "index.js"))(${JSON.stringify(modulePath)});\n`;
}

/** The `__provider` text of every AspSessionSettings resource. */
export const PROVIDER_REFERENCE = providerReference(PROVIDER_MODULE);

/** The `__provider` text of every FleetHealthGate resource. */
export const HEALTH_GATE_PROVIDER_REFERENCE = providerReference(HEALTH_GATE_PROVIDER_MODULE);
