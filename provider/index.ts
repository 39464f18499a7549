/**
 * What runs inside Pulumi's dynamic-provider host. The host loads `./dynamic` (the package path
 * "pulumi-iis-asp-session/provider"); tools and tests can build their own provider object here.
 */
export { createAspSessionProvider } from "./provider";
export type { AspSessionInputs, AspSessionState } from "./provider";
export type { Target, FileTarget, SshTarget, WinrmTarget } from "./targets";
