/**
 * The "IIS API via PowerShell" backend's remote side: the scripts, how a request gets into them,
 * and how their output comes back. Transports run `prepareInvocation(request)` and hand stdout to
 * `parseScriptOutput(request, stdout)`.
 */
export * from "./protocol";
export { REQUEST_PLACEHOLDER, SCRIPT_MARKERS, SCRIPT_TEMPLATES } from "./scripts";
export { encodeRequest, prepareInvocation, renderScript, substituteRequest, type ScriptInvocation } from "./render";
export { parseScriptOutput, type OutputContext } from "./response";
