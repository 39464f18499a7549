/**
 * GSSAPI status codes in words: the major status's routine error (RFC 2744 section 3.9.1), the
 * mechanism's own text for the minor status (gss_display_status), and, for the Kerberos failures
 * a user can act on, what to do about them.
 */
import { bufferDesc, takeBuffer, type GssFunctions } from "./library";

const ROUTINE_ERRORS: Readonly<Record<number, string>> = {
    1: "BAD_MECH",
    2: "BAD_NAME",
    3: "BAD_NAMETYPE",
    4: "BAD_BINDINGS",
    5: "BAD_STATUS",
    6: "BAD_SIG",
    7: "NO_CRED",
    8: "NO_CONTEXT",
    9: "DEFECTIVE_TOKEN",
    10: "DEFECTIVE_CREDENTIAL",
    11: "CREDENTIALS_EXPIRED",
    12: "CONTEXT_EXPIRED",
    13: "FAILURE",
    14: "BAD_QOP",
    15: "UNAUTHORIZED",
    16: "UNAVAILABLE",
    17: "DUPLICATE_ELEMENT",
    18: "NAME_NOT_MN",
};

export const GSS_S_COMPLETE = 0;
export const GSS_S_CONTINUE_NEEDED = 1;

/** Whether a major status is an error (a calling or routine error, not just supplementary bits). */
export function isGssError(major: number): boolean {
    return ((major >>> 0) & 0xffff0000) !== 0;
}

/** The routine error's name, e.g. "NO_CRED". */
export function routineError(major: number): string {
    return ROUTINE_ERRORS[((major >>> 0) >>> 16) & 0xff] ?? `major 0x${(major >>> 0).toString(16)}`;
}

/** What went wrong, in the terms a user acts on. */
export type GssProblem =
    | "no-credentials"
    | "credentials-expired"
    | "wrong-password"
    | "unknown-user"
    | "unknown-service"
    | "kdc-unreachable"
    | "clock-skew"
    | "integrity"
    | "other";

/**
 * Kerberos causes a user can act on: MIT's error code (com_err table krb5, base -1765328384) and
 * its text. The text is needed too: under SPNEGO, MIT hands back a minor code of its own mapping,
 * which only gss_display_status turns back into the Kerberos message.
 */
const KRB5_BASE = -1765328384;
interface Cause {
    readonly code: number;
    readonly text: RegExp;
    readonly problem: GssProblem;
    readonly hint: string;
}
const KRB5_CAUSES: readonly Cause[] = [
    { code: KRB5_BASE + 6, text: /client not found in kerberos database/i, problem: "unknown-user", hint: "the KDC does not know this user principal" },
    {
        code: KRB5_BASE + 7,
        text: /server not found in kerberos database/i,
        problem: "unknown-service",
        hint: "the KDC has no such service principal: check the SPN (HTTP/<host> by default; set `spn` if the server is registered under another name)",
    },
    { code: KRB5_BASE + 24, text: /preauthentication failed/i, problem: "wrong-password", hint: "wrong password" },
    { code: KRB5_BASE + 32, text: /ticket expired/i, problem: "credentials-expired", hint: "the ticket has expired: renew it with kinit" },
    {
        code: KRB5_BASE + 37,
        text: /clock skew too great/i,
        problem: "clock-skew",
        hint: "the clocks of this machine and the KDC or server differ too much (more than 5 minutes by default)",
    },
    { code: KRB5_BASE + 31, text: /integrity check failed/i, problem: "integrity", hint: "integrity check failed" },
];

/** A failed GSSAPI call, with the library's own words for both statuses. */
export class GssapiError extends Error {
    readonly major: number;
    readonly minor: number;
    readonly call: string;
    readonly problem: GssProblem;

    constructor(call: string, major: number, minor: number, text: string, problem: GssProblem) {
        super(`${call} failed: ${text}`);
        this.name = "GssapiError";
        this.call = call;
        this.major = major >>> 0;
        this.minor = minor;
        this.problem = problem;
    }
}

/** The GssapiError for a failed call, its text from gss_display_status. */
export function gssError(functions: GssFunctions, call: string, major: number, minorStatus: Buffer): GssapiError {
    const minor = minorStatus.readInt32LE(0);
    const majorText = displayStatus(functions, major >>> 0, 1);
    const minorText = minor === 0 ? "" : displayStatus(functions, minor >>> 0, 2);
    let cause = KRB5_CAUSES.find((candidate) => candidate.code === minor || candidate.text.test(minorText));
    // Getting a ticket with a password: a reply that does not decrypt (no preauthentication
    // required) means the same as a failed preauthentication: the password is wrong.
    if (call.startsWith("gss_acquire_cred_with_password") && cause?.problem === "integrity") cause = KRB5_CAUSES.find((candidate) => candidate.problem === "wrong-password");
    const problem = cause?.problem ?? problemOfText(major, minorText);
    const parts = [`${routineError(major)}: ${majorText}`];
    if (minorText !== "") parts.push(minorText);
    if (cause !== undefined) parts.push(cause.hint);
    else if (problem === "kdc-unreachable") parts.push("no KDC of the realm answered (is it running and reachable? check krb5.conf's [realms] kdc and the firewall)");
    else if (problem === "no-credentials") parts.push("no Kerberos ticket: run kinit (KRB5CCNAME names the cache), or give username and password");
    else if (problem === "credentials-expired") parts.push("the ticket has expired: renew it with kinit");
    return new GssapiError(call, major, minor, parts.join("; "), problem);
}

/** Causes read from the routine error or MIT's text where no stable code names them. */
function problemOfText(major: number, minorText: string): GssProblem {
    const routine = routineError(major);
    if (/cannot contact any kdc|cannot find kdc|kdc.*unreach/i.test(minorText)) return "kdc-unreachable";
    if (routine === "CREDENTIALS_EXPIRED" || /ticket expired/i.test(minorText)) return "credentials-expired";
    if (routine === "NO_CRED" || /no credentials cache found|credentials cache.*not found|no kerberos credentials/i.test(minorText)) return "no-credentials";
    if (routine === "BAD_SIG" || routine === "DEFECTIVE_TOKEN") return "integrity";
    return "other";
}

/** gss_display_status's messages for one status value, joined (never throws). */
function displayStatus(functions: GssFunctions, status: number, type: 1 | 2): string {
    const messages: string[] = [];
    const messageContext = Buffer.alloc(4);
    for (let guard = 0; guard < 8; guard++) {
        const text = bufferDesc(functions.koffi, undefined);
        const major = functions.displayStatus(Buffer.alloc(4), status, type, null, messageContext, text);
        if (isGssError(major)) break;
        const message = takeBuffer(functions, text).toString("utf8").trim();
        if (message !== "") messages.push(message);
        if (messageContext.readUInt32LE(0) === 0) break;
    }
    return messages.join(", ") || `status 0x${status.toString(16)}`;
}
