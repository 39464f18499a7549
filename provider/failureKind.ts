/**
 * What kind of failure an error from opening or reading a target is, for operators sorting a
 * fleet's problems: the network, credentials, a broken file, a missing one, or something else.
 * Judged by the errors' names and fields, so that asking loads no carrier.
 */
export type FailureKind = "unreachable" | "auth" | "config" | "missing" | "other";

/** The carriers' problems (WinRM and SSH name them alike) by kind. */
const TRANSPORT_PROBLEMS: Readonly<Record<string, FailureKind>> = {
    "connection-refused": "unreachable",
    "host-not-found": "unreachable",
    network: "unreachable",
    "connection-lost": "unreachable",
    timeout: "unreachable",
    tls: "unreachable",
    authentication: "auth",
    "tls-untrusted": "auth",
    "tls-name-mismatch": "auth",
    "host-key-unknown": "auth",
    "host-key-mismatch": "auth",
};

/** The PowerShell scripts' error codes (powershell/protocol.ts) by kind. */
const SCRIPT_CODES: Readonly<Record<string, FailureKind>> = {
    notFound: "missing",
    accessDenied: "auth",
    configError: "config",
    ambiguousLocation: "config",
};

export function failureKind(error: unknown): FailureKind {
    if (!(error instanceof Error)) return "other";
    const fields = error as Error & { problem?: unknown; code?: unknown };
    switch (error.name) {
        case "WinrmError":
        case "SshError":
            return TRANSPORT_PROBLEMS[String(fields.problem)] ?? "other";
        case "NtlmError":
            return "auth";
        case "ConfigFileMissingError":
            return "missing";
        case "ConfigFileError":
        case "XmlSyntaxError":
        case "UnexpectedValueError":
            return "config";
        case "PowerShellScriptError":
            return SCRIPT_CODES[String(fields.code)] ?? "other";
    }
    return "other";
}
