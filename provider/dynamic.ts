/**
 * The provider object Pulumi's dynamic-provider host calls, as this module's whole `module.exports`.
 * Every resource's state names this module by its package path ("pulumi-iis-asp-session/provider",
 * see sdk/providerReference.ts) instead of holding a copy of the code, so the path is part of the
 * package's interface: keep it, and keep accepting state written by earlier versions.
 */
import { createAspSessionProvider } from "./provider";

export = createAspSessionProvider();
