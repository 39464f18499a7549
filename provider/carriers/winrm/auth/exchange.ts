/**
 * What an authentication scheme and the HTTP connection code share: one HTTP exchange as the
 * connection code performs it, the request an authentication scheme prepares for a socket, and
 * the response it reads. Types only.
 */
import type { Socket } from "net";
import { WinrmError, type WinrmStep } from "../errors";

/** What one HTTP exchange brought back. */
export interface HttpResponse {
    readonly status: number;
    readonly statusText: string;
    readonly contentType: string | undefined;
    /** Every WWW-Authenticate header value. */
    readonly authenticate: readonly string[];
    readonly body: Buffer;
    readonly socket: Socket;
}

/** The request to write once the socket it will travel on is known. */
export interface OutgoingRequest {
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
}

export type ExchangeResult =
    | { readonly kind: "response"; readonly response: HttpResponse }
    /** The connection was reused and lost before any response byte: nothing can be known of the request's fate. */
    | { readonly kind: "stale"; readonly error: WinrmError }
    /** `prepare` refused the socket (an NTLM request on an unauthenticated one): nothing was written. */
    | { readonly kind: "unauthenticated" };

/** Thrown by `prepare` to stop a request before it is written. */
export class NotAuthenticated {
    readonly reason = "socket-not-authenticated";
}

/**
 * One HTTP POST on the endpoint's connection. `prepare` sees the socket the request got before
 * anything is written and returns the headers and body to send on it (or throws
 * NotAuthenticated / a WinrmError).
 */
export type Exchange = (step: WinrmStep, timeoutMs: number, prepare: (socket: Socket) => OutgoingRequest) => Promise<ExchangeResult>;

/** The SOAP request a handshake is run for, which its last leg may carry. */
export interface CarriedRequest {
    readonly step: WinrmStep;
    readonly soap: Buffer;
    /** The request's own response wait (a Receive may be held for the whole OperationTimeout). */
    readonly timeoutMs: number;
}

/** What a scheme needs to know of the connection it authenticates. */
export interface ConnectionFacts {
    /** "host:port", as messages name it. */
    readonly host: string;
    readonly https: boolean;
}

/**
 * A plaintext HTTP 200 answering a sealed request cannot be authenticated: refused rather than
 * trusted, whichever scheme sealed the request (other statuses are errors the caller reports).
 */
export function refuseUnsealedSuccess(host: string, step: WinrmStep, response: HttpResponse): void {
    if (response.status !== 200) return;
    throw new WinrmError(
        host,
        step,
        "malformed-response",
        `failed: the server answered an encrypted request with an unencrypted HTTP 200 (Content-Type ${JSON.stringify(response.contentType ?? "(none)")})`,
    );
}
