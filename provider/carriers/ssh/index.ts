/**
 * The SSH client: SshCommandRunner (runner.ts) runs commands over one reused, authenticated
 * connection (connection.ts) to a server, optionally through a jump host, with the host key
 * pinned. Share runners between operations with acquireRunner (../connectionPool.ts).
 */
export { SshError, type SshProblem, type SshStep } from "./errors";
export { hostKeyFingerprint } from "./hostKey";
export { SSH_DEFAULTS, type SshConnectionOptions, type SshEndpoint } from "./options";
export { SshCommandRunner } from "./runner";
