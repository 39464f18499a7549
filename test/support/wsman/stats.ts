import { WsmanStep } from "../../../provider/carriers/winrm/wsman";

/**
 * Counters the benchmark reports and tests assert on: how many round trips a client needed, how
 * often it authenticated, how many shells it opened.
 */

/** What an HTTP request was, for counting: a WS-Man action, an authentication leg, or unreadable. */
export type RequestKind = WsmanStep | "authentication" | "rejected" | "unreadable";

export interface WsmanServerStats {
    /** TCP (or TLS) connections accepted. */
    readonly connections: number;
    /** Every HTTP request, authentication legs included. */
    readonly httpRequests: number;
    /**
     * HTTP requests by what they were: a WS-Man action (counted once, even when it also finished an
     * NTLM handshake), "authentication" (an empty-bodied handshake leg), "rejected" (401 or 400
     * before any action was read), "unreadable" (not a WS-Man request we know).
     */
    readonly requestsByKind: Readonly<Record<RequestKind, number>>;
    /** NTLM handshakes completed (AUTHENTICATE verified). */
    readonly ntlmHandshakes: number;
    /** Kerberos contexts established (raw Kerberos or SPNEGO). */
    readonly kerberosHandshakes: number;
    /** Kerberos contexts whose client delegated a ticket (delegate: true with a forwardable TGT). */
    readonly kerberosDelegations: number;
    /** Failed authentications (wrong password, unknown user, bad channel bindings, bad certificate...). */
    readonly authenticationFailures: number;
    /** Why the last one failed, as the server saw it (never sent to the client). */
    readonly lastAuthenticationFailure: string | undefined;
    readonly shellsCreated: number;
    /** Shells open now. */
    readonly openShells: number;
    /** Commands started (run when their stdin was complete). */
    readonly commandsRun: number;
}

const KINDS: readonly RequestKind[] = ["Create", "Command", "Send", "Receive", "Signal", "Delete", "authentication", "rejected", "unreadable"];

/** The server's mutable counters; `snapshot()` is what callers see. */
export class StatsCounter {
    connections = 0;
    httpRequests = 0;
    ntlmHandshakes = 0;
    kerberosHandshakes = 0;
    kerberosDelegations = 0;
    authenticationFailures = 0;
    lastAuthenticationFailure: string | undefined;
    shellsCreated = 0;
    commandsRun = 0;
    private readonly byKind = new Map<RequestKind, number>();

    authenticationFailed(reason: string): void {
        this.authenticationFailures++;
        this.lastAuthenticationFailure = reason;
    }

    count(kind: RequestKind): void {
        this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    }

    reset(): void {
        this.connections = 0;
        this.httpRequests = 0;
        this.ntlmHandshakes = 0;
        this.kerberosHandshakes = 0;
        this.kerberosDelegations = 0;
        this.authenticationFailures = 0;
        this.lastAuthenticationFailure = undefined;
        this.shellsCreated = 0;
        this.commandsRun = 0;
        this.byKind.clear();
    }

    snapshot(openShells: number): WsmanServerStats {
        const requestsByKind = Object.fromEntries(KINDS.map((kind) => [kind, this.byKind.get(kind) ?? 0])) as Record<RequestKind, number>;
        return {
            connections: this.connections,
            httpRequests: this.httpRequests,
            requestsByKind,
            ntlmHandshakes: this.ntlmHandshakes,
            kerberosHandshakes: this.kerberosHandshakes,
            kerberosDelegations: this.kerberosDelegations,
            authenticationFailures: this.authenticationFailures,
            lastAuthenticationFailure: this.lastAuthenticationFailure,
            shellsCreated: this.shellsCreated,
            openShells,
            commandsRun: this.commandsRun,
        };
    }
}
