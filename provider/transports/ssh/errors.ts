/**
 * Errors of the SSH client. Every message names the server as host:port (and, through a jump
 * host, which one failed), the step, and the cause; none contains a password, passphrase or key.
 */

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

export class SshError extends Error {
    /** "host:port" of the server that failed (the jump host's, when it was the jump host). */
    readonly host: string;
    readonly step: SshStep;
    readonly problem: SshProblem;

    /** `description` continues "<host>: SSH <step> ", e.g. "failed: connection refused". */
    constructor(host: string, step: SshStep, problem: SshProblem, description: string) {
        const message = `${host}: SSH ${step} ${description}`;
        super(message);
        // Set explicitly: in Pulumi's serialised provider, super(message) does not.
        this.message = message;
        this.name = "SshError";
        this.host = host;
        this.step = step;
        this.problem = problem;
    }
}

