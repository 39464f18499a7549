/**
 * Errors of the SSH client. Every message names the server as host:port (and, through a jump
 * host, which one failed), the step, and the cause; none contains a password, passphrase or key.
 */
import { TransportError } from "../transportError";

/** How far the exchange got, in the words a user sees. */
export type SshStep = "options" | "connect" | "handshake" | "host key" | "authentication" | "jump" | "command";

/** What went wrong, for callers that branch (retries, tests). */
export type SshProblem =
    | "invalid-options"
    | "connection-refused"
    | "host-not-found"
    | "network"
    | "connection-lost"
    | "timeout"
    | "host-key-unknown"
    | "host-key-mismatch"
    | "authentication"
    | "channel"
    | "closed";

/** `description` continues "<host>: SSH <step> ", e.g. "failed: connection refused". */
export class SshError extends TransportError<SshStep, SshProblem> {
    constructor(host: string, step: SshStep, problem: SshProblem, description: string) {
        super("SSH", host, step, problem, description);
        this.name = "SshError";
    }
}

