import type { Socket } from "net";
import type { WinrmStep } from "../errors";
import type { CarriedRequest, Exchange, ExchangeResult, HttpResponse, OutgoingRequest } from "./exchange";

/**
 * One way of authenticating to WinRM, as a piece the HTTP connection plugs in (pywinrm's
 * `session.auth`, masterzen/winrm's transports): how a connection is authenticated, how each SOAP
 * body is wrapped for a socket and unwrapped from a response, what TLS client credentials to
 * present, and what to tell a user whose credentials were refused.
 */
export interface WinrmAuthentication {
    /** Whether requests on `socket` (the connection's current one, if any) need a handshake first. */
    needsHandshake(socket: Socket | undefined): boolean;
    /**
     * Authenticates a new connection through `exchange` (connection-oriented schemes only). A
     * scheme may send `first`, the request the handshake is for, on its last leg: it then returns
     * that exchange's result (the response, or a connection lost before any of it); undefined
     * means `first` still has to be sent.
     */
    handshake(exchange: Exchange, timeoutMs: number, first?: CarriedRequest): Promise<ExchangeResult | undefined>;
    /** The headers and body of a SOAP request on `socket`; throws NotAuthenticated when the socket has no session. */
    wrap(socket: Socket, soap: Buffer): OutgoingRequest;
    /** The SOAP bytes of a response (unsealed when sealed); throws WinrmError for what cannot be trusted. */
    unwrap(response: HttpResponse, step: WinrmStep): Buffer;
    /** TLS client credentials to present (certificate authentication). */
    readonly clientCredentials: { readonly cert?: string; readonly key?: string };
    /** Why credentials may have been refused, for an HTTP 401. */
    readonly rejectionHint: string;
}
