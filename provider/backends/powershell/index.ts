/**
 * The "IIS API via PowerShell" backend's remote side: the scripts, how a request gets into them,
 * and how their output comes back. `runScript(runner, request)` prepares the
 * invocation (delivery.ts), runs it on a CommandRunner and parses the output (response.ts).
 */
export * from "./protocol";
export { REQUEST_PLACEHOLDER, SCRIPT_MARKERS, SCRIPT_TEMPLATES } from "./scripts";
export { encodeRequest, renderScript, substituteRequest } from "./render";
export { compressScript, decompressScript, prepareInvocation, type ScriptDelivery, type ScriptInvocation } from "./delivery";
export { runScript, type RunScriptOptions } from "./run";
export { parseScriptOutput, type OutputContext } from "./response";
