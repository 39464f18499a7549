/**
 * Errors of the WinRM client below the WS-Management layer: options, connection, TLS,
 * authentication, HTTP and timeouts. (SOAP faults and unusable SOAP are WsmanFault and
 * WsmanProtocolError from wsman/.) Every message names the endpoint as host:port and the step,
 * and never contains a password, an NTLM or Kerberos key or an Authorization header value.
 */
import { TransportError } from "../transportError";

/** How far the exchange got, in the words a user sees. */
export type WinrmStep =
    | "options"
    | "connect"
    | "NTLM handshake"
    | "Kerberos handshake"
    | "Negotiate handshake"
    | "Create shell"
    | "Command"
    | "Send"
    | "Receive"
    | "Signal"
    | "Delete shell";

/** What went wrong, for callers that branch (the pool, retries, tests). */
export type WinrmProblem =
    | "invalid-options"
    | "connection-refused"
    | "host-not-found"
    | "network"
    | "connection-lost"
    | "timeout"
    | "tls-untrusted"
    | "tls-name-mismatch"
    | "tls"
    | "authentication"
    | "http-status"
    | "malformed-response"
    /** A sealed response failed its integrity check (changed on the way, or not from the authenticated server). */
    | "integrity"
    | "closed";

/** `description` continues "<host>: WinRM <step> ", e.g. "failed: connection refused". */
export class WinrmError extends TransportError<WinrmStep, WinrmProblem> {
    constructor(host: string, step: WinrmStep, problem: WinrmProblem, description: string) {
        super("WinRM", host, step, problem, description);
        this.name = "WinrmError";
    }
}

/** Node's TLS verification codes that mean "the certificate chain is not trusted". */
const UNTRUSTED_CERTIFICATE_CODES = [
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_UNTRUSTED",
    "CERT_SIGNATURE_FAILURE",
    "CERT_REJECTED",
    "INVALID_CA",
];

const EXPIRED_CERTIFICATE_CODES = ["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"];

const LOST_CONNECTION_CODES = ["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"];

/** How the client was talking to the port, for guessing what a failure means. */
export interface WinrmScheme {
    https: boolean;
    port: number;
}

/**
 * TLS failures that mean the other end does not speak TLS at all: OpenSSL read an HTTP answer
 * ("HTTP/1.1 400 ...") as a TLS record.
 */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol|record layer failure/i;

/**
 * A WinrmError for an error Node's net/tls/http raised. `connecting` says whether the connection
 * (TCP and TLS) was still being set up, which decides whether a reset counts as a connect failure.
 * `scheme`, when given, turns the two classic mistakes into advice: https to an http port (the
 * TLS handshake reads plain HTTP) and http to an https port (the server drops the connection
 * without an answer).
 */
export function describeNetworkError(host: string, step: WinrmStep, error: unknown, connecting: boolean, scheme?: WinrmScheme, answered = false): WinrmError {
    const code = errorCode(error);
    const detail = error instanceof Error ? error.message : String(error);
    const at: WinrmStep = connecting ? "connect" : step;
    if (scheme?.https && (code === undefined || code.startsWith("ERR_SSL") || code === "EPROTO") && NOT_TLS.test(detail)) {
        return new WinrmError(host, "connect", "tls",
            `failed: the server on port ${scheme.port} did not answer TLS; it looks like a plain HTTP port. Set https: false ` +
            `(WinRM listens for http on 5985), or give the port of its HTTPS listener (5986 by default)`);
    }
    if (code === "ECONNREFUSED") {
        return new WinrmError(host, "connect", "connection-refused", "failed: connection refused (is WinRM listening on this port?)");
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
        return new WinrmError(host, "connect", "host-not-found", `failed: host name not found (${code})`);
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        return new WinrmError(
            host,
            "connect",
            "tls-name-mismatch",
            `failed: the server's TLS certificate does not name this host (${detail}); ` +
                `connect with a name the certificate lists, or set insecureSkipVerify to opt out of verification`,
        );
    }
    if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.includes(code)) {
        return new WinrmError(
            host,
            "connect",
            "tls-untrusted",
            `failed: the server's TLS certificate is not trusted (${code}: ${detail}); ` +
                `pass the issuing CA as caCertificate, or set insecureSkipVerify to opt out of verification`,
        );
    }
    if (code !== undefined && EXPIRED_CERTIFICATE_CODES.includes(code)) {
        return new WinrmError(host, "connect", "tls-untrusted", `failed: the server's TLS certificate is not valid now (${code}: ${detail})`);
    }
    if (code !== undefined && (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS"))) {
        return new WinrmError(host, "connect", "tls", `failed: TLS error (${code}: ${detail})`);
    }
    if (code !== undefined && LOST_CONNECTION_CODES.includes(code)) {
        const hint = scheme && !scheme.https && !answered
            ? `; it closed it without answering the plain HTTP request: if port ${scheme.port} is WinRM's HTTPS listener (5986 by default), set https: true`
            : "";
        return new WinrmError(host, at, "connection-lost", `failed: the server closed the connection (${code})${hint}`);
    }
    return new WinrmError(host, at, "network", `failed: ${code === undefined ? detail : `${code}: ${detail}`}`);
}

function errorCode(error: unknown): string | undefined {
    if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
}

/** "; body starts "..."" for a message about an unexpected response body, or "" for an empty one. */
export function excerpt(text: string): string {
    const trimmed = text.replace(/\s+/g, " ").trim();
    return trimmed === "" ? "" : `; body starts ${JSON.stringify(trimmed.slice(0, 120))}`;
}
