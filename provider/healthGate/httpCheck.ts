/**
 * One server's health check: GET a URL until it answers the expected status, with a deadline per
 * attempt and a wait between attempts. Says why the last attempt failed, in words an operator
 * can act on ("answered 503", "timed out after 10 s", "connection refused").
 */
import * as http from "http";
import * as https from "https";

export interface HttpCheck {
    url: string;
    expectStatus: number;
    timeoutSeconds: number;
    /** Further attempts after a failed one. */
    retries: number;
    intervalSeconds: number;
    /** For https: the PEM of the CA(s) to trust instead of the system's. */
    caCertificate?: string;
}

export type HttpCheckResult = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

export async function runHttpCheck(check: HttpCheck): Promise<HttpCheckResult> {
    let reason = "";
    const attempts = check.retries + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
        const outcome = await requestOnce(check.url, check.timeoutSeconds * 1000, check.caCertificate);
        if (outcome.status === check.expectStatus) return { ok: true, attempts: attempt };
        reason = outcome.status === undefined ? outcome.error : `answered ${outcome.status}, expected ${check.expectStatus}`;
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, check.intervalSeconds * 1000));
    }
    return { ok: false, attempts, reason: `GET ${check.url} ${reason} (${attempts} attempt${attempts === 1 ? "" : "s"})` };
}

type Outcome = { status: number } | { status: undefined; error: string };

function requestOnce(url: string, timeoutMs: number, ca: string | undefined): Promise<Outcome> {
    return new Promise((resolve) => {
        const client = url.startsWith("https:") ? https : http;
        let timer: NodeJS.Timeout | undefined = undefined;
        let settled = false;
        const finish = (outcome: Outcome): void => {
            if (settled) return;
            settled = true;
            if (timer !== undefined) clearTimeout(timer);
            resolve(outcome);
        };
        const request = client.get(url, { agent: false, ...(ca === undefined ? {} : { ca }), headers: { "user-agent": "pulumi-iis-asp-session health gate" } }, (response) => {
            response.resume();
            response.on("end", () => finish({ status: response.statusCode ?? 0 }));
            response.on("error", (error) => finish({ status: undefined, error: `failed while reading the answer: ${error.message}` }));
        });
        request.on("error", (error: NodeJS.ErrnoException) => finish({ status: undefined, error: describeNetworkError(error, ca !== undefined) }));
        // One deadline for the whole exchange (connect, headers and body), not per socket event.
        timer = setTimeout(() => {
            finish({ status: undefined, error: `timed out after ${timeoutMs / 1000} s` });
            request.destroy();
        }, timeoutMs);
    });
}

/** OpenSSL's codes for a certificate chain that does not lead to a trusted CA. */
const UNTRUSTED_CERTIFICATE = new Set([
    "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

function describeNetworkError(error: NodeJS.ErrnoException, ownCa: boolean): string {
    if (error.code !== undefined && UNTRUSTED_CERTIFICATE.has(error.code)) {
        return ownCa
            ? `failed: the server's certificate was not issued by rollout.healthCheck.caCertificate (${error.code})`
            : `failed: the server's certificate is not trusted by the system's CAs (${error.code}); for an internal CA, pass its PEM as rollout.healthCheck.caCertificate`;
    }
    if (error.code === "ERR_TLS_CERT_ALTNAME_INVALID") return `failed: the server's certificate is not for this host name (${error.message})`;
    if (error.code === "CERT_HAS_EXPIRED") return "failed: the server's certificate has expired";
    switch (error.code) {
        case "ECONNREFUSED": return "failed: connection refused";
        case "ENOTFOUND": return "failed: host name not found";
        case "ECONNRESET": return "failed: connection reset";
        case "EHOSTUNREACH": return "failed: host unreachable";
        default: return `failed: ${error.message}`;
    }
}
