/**
 * The WinRM client: WinrmCommandRunner (shell.ts) runs commands in a reused cmd shell over one
 * authenticated connection (http.ts). Share runners between operations with
 * acquireWinrmRunner (../connectionPool.ts). The protocol layers are ntlm/, wsman/ and encryption.ts.
 */
export { WinrmError } from "./errors";
export type { WinrmProblem, WinrmStep } from "./errors";
export { DEFAULTS as WINRM_DEFAULTS, resolveWinrmOptions } from "./options";
export type { ResolvedWinrmOptions, WinrmAuth, WinrmConnectionOptions } from "./options";
export { WinrmCommandRunner } from "./shell";
