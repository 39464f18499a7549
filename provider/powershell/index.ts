/**
 * PowerShell on the server, whatever channel carries the command (WinRM, SSH, or a
 * @pulumi/command resource): the scripts, how a request gets into them, how powershell.exe is
 * invoked (commandLine.ts: the executable, its options, the stdin bootstrap; delivery.ts: the
 * command-line loader and the choice between the two), and how their output comes back
 * (response.ts, clixml.ts for stderr). `runScript(runner, request)` prepares the invocation, runs
 * it on a CommandRunner and parses the output. The channels only carry bytes.
 */
export * from "./protocol";
export { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "./scripts";
export { encodeRequest, renderScript, substituteRequest } from "./render";
export { compressScript, prepareInvocation, type ScriptDelivery, type ScriptInvocation } from "./delivery";
export { runScript, type RunScriptOptions } from "./run";
export { parseScriptOutput, type OutputContext } from "./response";
export { decodeClixml, decodeClixmlEscapes, hasClixml } from "./clixml";
export * from "./commandLine";
