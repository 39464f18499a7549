/** The "winrm" target: a Windows server reached over WinRM (WS-Management). */
import { choice, flag, hostName, pemCertificate, port, text, type Rule, type TargetKind, type TargetValues } from "./declaration";
import { SERVER_FIELDS, SERVER_RULES } from "./windows";

export const WINRM_FIELDS = {
    /** Host name or IP address of the server. Changing it replaces the resource. */
    host: hostName({ required: true, identity: true, connection: true }),
    /** Default 5985, or 5986 with https. */
    port: port({ connection: true }),
    /** Default false. Over http, NTLM encrypts every message (MS-WSMV); over https, TLS protects it. */
    https: flag({ connection: true, default: false }),
    /** PEM of the CA (or server certificate) to trust for https; default: the system's CAs. TLS is always verified unless insecureSkipVerify. */
    caCertificate: pemCertificate("the PEM of the CA (or server) certificate to trust", { connection: true }),
    /** Explicitly turn off TLS verification (https only). */
    insecureSkipVerify: flag({ connection: true, default: false }),
    /**
     * "ntlm" (default; message encryption over http, channel binding over https), "basic" (https
     * only), "certificate" (https client certificate), "kerberos" or "negotiate" (Kerberos through
     * the system's GSSAPI, raw or inside SPNEGO; encrypted over http, channel binding over https).
     */
    auth: choice(
        ["ntlm", "basic", "certificate", "kerberos", "negotiate"],
        {
            ntlm: "encrypts over http",
            basic: "https only",
            certificate: "https client certificate",
            kerberos: "Kerberos via the system's GSSAPI",
            negotiate: "Kerberos inside SPNEGO",
        },
        { connection: true, default: "ntlm" },
    ),
    /**
     * "CORP\\deploy", "deploy@corp.example" or a local account (auth "ntlm" and "basic"). For
     * "kerberos" and "negotiate": "deploy@CORP.EXAMPLE" or "deploy" (krb5.conf's default realm),
     * with password; leave both out to use the ticket cache (kinit, KRB5CCNAME).
     */
    username: text({ connection: true }),
    /** The account's password (auth "ntlm" and "basic"; optional for "kerberos" and "negotiate"); pass a Pulumi secret. */
    password: text({ secret: true, connection: true }),
    /** Kerberos service principal of the server (auth "kerberos" and "negotiate"). Default "HTTP/<host>", the host as written (no DNS lookup). */
    spn: text({ connection: true }),
    /** Delegate a forwardable Kerberos ticket to the server (auth "kerberos" and "negotiate"), for mode "xml" on a share. Default false. */
    delegate: flag({ connection: true, default: false }),
    /** PEM client certificate for auth "certificate". */
    clientCertificate: pemCertificate("a PEM client certificate", { connection: true }),
    /** PEM private key of clientCertificate; pass a Pulumi secret. */
    clientKey: text({ secret: true, connection: true }),
    ...SERVER_FIELDS,
};

/** `field` must be given when auth is one of `schemes`. */
function requiredWithAuth(field: string, schemes: readonly string[], what = ""): Rule {
    return {
        reads: ["auth"],
        check: (values, given) =>
            schemes.includes(values.auth as string) && !given(field) ? { field, reason: `is required with auth "${values.auth as string}"${what}` } : undefined,
    };
}

export const WINRM_RULES: readonly Rule[] = [
    {
        reads: ["auth", "https"],
        check: (values) =>
            values.auth === "basic" && values.https !== true
                ? { field: "auth", reason: `"basic" sends the password in clear: use it only with https: true (or use "ntlm", which encrypts over http)` }
                : undefined,
    },
    {
        reads: ["auth", "https"],
        check: (values) => (values.auth === "certificate" && values.https !== true ? { field: "auth", reason: `"certificate" needs https: true` } : undefined),
    },
    requiredWithAuth("username", ["ntlm", "basic"]),
    {
        reads: ["auth"],
        check: (values, given) => {
            if (values.auth !== "kerberos" && values.auth !== "negotiate") return undefined;
            if (given("username") !== given("password")) {
                const [missing, present] = given("username") ? ["password", "username"] : ["username", "password"];
                return { field: missing, reason: `is required with ${present} for auth "${values.auth as string}" (give both, or neither to use the ticket cache)` };
            }
            if (typeof values.username === "string" && values.username.includes("\\")) {
                return { field: "username", reason: `must be "user@REALM" or "user" for auth "${values.auth as string}" (Kerberos has no DOMAIN\\user form)` };
            }
            return undefined;
        },
    },
    {
        reads: ["spn"],
        check: (values, given) =>
            given("spn") && typeof values.spn === "string" && !/^[^/@\s]+\/[^/@\s]+(@[^/@\s]+)?$/.test(values.spn)
                ? { field: "spn", reason: `must be a service principal such as "HTTP/web01.corp.example" or "HTTP/web01.corp.example@CORP.EXAMPLE"` }
                : undefined,
    },
    ...["spn", "delegate"].map(
        (field): Rule => ({
            reads: ["auth"],
            check: (values, given) =>
                given(field) && values.auth !== "kerberos" && values.auth !== "negotiate" ? { field, reason: `only applies with auth "kerberos" or "negotiate"` } : undefined,
        }),
    ),
    requiredWithAuth("password", ["ntlm", "basic"]),
    requiredWithAuth("clientCertificate", ["certificate"], " (PEM)"),
    requiredWithAuth("clientKey", ["certificate"], " (PEM)"),
    {
        reads: ["https", "insecureSkipVerify"],
        check: (values) => (values.insecureSkipVerify === true && values.https !== true ? { field: "insecureSkipVerify", reason: "only applies with https: true" } : undefined),
    },
    {
        reads: ["https"],
        check: (values, given) => (given("caCertificate") && values.https !== true ? { field: "caCertificate", reason: "only applies with https: true" } : undefined),
    },
    ...SERVER_RULES,
];

export const WINRM_KIND: TargetKind<"winrm", typeof WINRM_FIELDS> = { kind: "winrm", fields: WINRM_FIELDS, rules: WINRM_RULES };

export type WinrmTarget = TargetValues<"winrm", typeof WINRM_FIELDS>;
