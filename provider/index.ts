/**
 * What runs inside Pulumi's dynamic-provider host. `aspSessionProvider` is the provider object
 * the SDK's resource uses; tools and tests can drive it directly.
 */
import { createAspSessionProvider } from "./provider";

export const aspSessionProvider = createAspSessionProvider();
export { createAspSessionProvider } from "./provider";
export type { AspSessionInputs, AspSessionState } from "./provider";
export type { Target, FileTarget } from "./targets";
