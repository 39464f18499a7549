import { inspect } from "util";
import { WinrmError } from "./errors";

/**
 * How to reach one WinRM endpoint and how long to wait, and the defaults. What a user may ask
 * for (Basic only over HTTPS, a certificate with its key, ...) is checked once, by the "winrm"
 * target's declaration (provider/targets/winrm.ts), before a runner is made; here only the
 * transport's own tuning knobs are checked.
 */

/**
 * - "ntlm": NTLMv2 under the Negotiate scheme. Over HTTP every body is sealed (MS-WSMV
 *   message encryption, works with Windows' default AllowUnencrypted=false); over HTTPS TLS
 *   protects it and the handshake carries channel bindings.
 * - "basic": local accounts only, and only over HTTPS.
 * - "certificate": an HTTPS client certificate mapped to a local account on the server.
 * - "kerberos": Kerberos through the system's GSSAPI under the Kerberos scheme; "negotiate": the
 *   same inside SPNEGO under the Negotiate scheme (what Windows' own client sends). Bodies are
 *   encrypted over HTTP; over HTTPS the context carries channel bindings.
 */
export type WinrmAuth = "ntlm" | "basic" | "certificate" | "kerberos" | "negotiate";

export interface WinrmConnectionOptions {
    /** Host name or IP address of the Windows server. */
    readonly host: string;
    /** Use HTTPS (else NTLM with message encryption over HTTP). */
    readonly https: boolean;
    /** Default 5985 for HTTP, 5986 for HTTPS. */
    readonly port?: number;
    /** URL path of the endpoint. Default "/wsman". */
    readonly path?: string;
    /** The target's declaration (provider/targets/winrm.ts) gives the default. */
    readonly auth: WinrmAuth;
    /**
     * "DOMAIN\\user", "user@domain" or "user" (a local account). Required for ntlm and basic. For
     * kerberos and negotiate, "user@REALM" or "user" (krb5.conf's default realm), with password;
     * without both, the ticket cache (KRB5CCNAME) is used.
     */
    readonly username?: string;
    /** Required for ntlm and basic; optional for kerberos and negotiate. Never appears in messages. */
    readonly password?: string;
    /** Kerberos service principal of the server. Default "HTTP/<host>", the host as written (no DNS lookup). */
    readonly spn?: string;
    /** Kerberos: delegate a forwardable ticket to the server (GSS_C_DELEG_FLAG), for a second hop. Default false. */
    readonly delegate?: boolean;
    /** PEM of the CA (or the self-signed certificate) the server's certificate must chain to. Default: the system CAs. */
    readonly caCertificate?: string;
    /** Accept any server certificate and name. Default false; an explicit opt-out for test machines. */
    readonly insecureSkipVerify?: boolean;
    /** PEM client certificate, for auth "certificate". */
    readonly clientCertificate?: string;
    /** PEM private key of the client certificate, for auth "certificate". Never appears in messages. */
    readonly clientKey?: string;
    /** Time to set up TCP and TLS, in seconds (the target's field). Default 10 s. */
    readonly connectTimeoutSeconds?: number;
    /** The same in milliseconds, for tests that need less than a second; connectTimeoutSeconds wins. */
    readonly connectTimeoutMs?: number;
    /**
     * Time for each leg of the authentication of a new connection, in seconds; never longer than
     * the request's own wait. NTLM's last leg carries that request and waits as it does. Default 30 s.
     */
    readonly handshakeTimeoutSeconds?: number;
    /**
     * w:OperationTimeout: how long the server may hold a Receive that has no output yet before it
     * answers w:TimedOut (and is polled again). Default 20 s.
     */
    readonly operationTimeoutSeconds?: number;
    /** Time to wait for one HTTP response; must exceed operationTimeoutSeconds. Default 30 000 ms. */
    readonly readTimeoutMs?: number;
    /** Overall deadline of one command (RunOptions.timeoutMs overrides it). Default 120 000 ms. */
    readonly commandTimeoutMs?: number;
    /**
     * rsp:IdleTimeOut of the shell: the server deletes it after this long without requests, so
     * shells of a killed provider do not count against MaxShellsPerUser (30) for long. Default 120 s.
     */
    readonly shellIdleTimeoutSeconds?: number;
    /**
     * The server's MaxEnvelopeSizekb × 1024: the largest request it accepts (sizes stdin chunks)
     * and, as w:MaxEnvelopeSize, the largest response we accept. Default 153 600, what older
     * Windows allow (newer allow 512 000).
     */
    readonly maxEnvelopeSize?: number;
    /**
     * WINRS_SKIP_CMD_SHELL: start the command with CreateProcess directly instead of through
     * `cmd.exe /c`. Default false: our commands name PowerShell as %SystemRoot%\\...\\powershell.exe,
     * which needs cmd.exe to expand, and fit cmd.exe's 8 191 characters. With true the command
     * must be a full path (CreateProcess under WinRS does not search PATH) and may be 32 767 long.
     */
    readonly skipCmdShell?: boolean;
    /**
     * Idle keep-alive connections older than this are not reused but replaced (with a new
     * handshake), so a request never races the server closing an idle connection (HTTP.sys does
     * after 120 s by default). Default 60 000 ms.
     */
    readonly connectionReuseLimitMs?: number;
    /** Sent in NTLM messages for the server's logs. Default "". */
    readonly workstation?: string;
}

/** Credentials, hidden from util.inspect and JSON so a logged runner shows no secret. */
export class Secrets {
    readonly password: string | undefined;
    readonly clientKey: string | undefined;

    constructor(password: string | undefined, clientKey: string | undefined) {
        this.password = password;
        this.clientKey = clientKey;
        Object.defineProperty(this, inspect.custom, { value: () => "Secrets [redacted]", enumerable: false });
    }

    toJSON(): string {
        return "[redacted]";
    }
}

/** Options with defaults applied and checked. */
export interface ResolvedWinrmOptions {
    readonly host: string;
    readonly port: number;
    readonly https: boolean;
    readonly path: string;
    /** "host:port" (IPv6 in brackets), the name every message uses. */
    readonly displayName: string;
    /** The URL requests are posted to, also the a:To header. */
    readonly endpoint: string;
    readonly auth: WinrmAuth;
    readonly username: string | undefined;
    readonly secrets: Secrets;
    readonly caCertificate: string | undefined;
    readonly insecureSkipVerify: boolean;
    readonly clientCertificate: string | undefined;
    readonly connectTimeoutMs: number;
    readonly handshakeTimeoutMs: number;
    readonly operationTimeoutSeconds: number;
    readonly readTimeoutMs: number;
    readonly commandTimeoutMs: number;
    readonly shellIdleTimeoutSeconds: number;
    readonly maxEnvelopeSize: number;
    readonly skipCmdShell: boolean;
    readonly connectionReuseLimitMs: number;
    readonly workstation: string;
    /** The Kerberos service principal: spn, or "HTTP/<host>". */
    readonly servicePrincipal: string;
    readonly delegate: boolean;
}

export const DEFAULTS = {
    httpPort: 5985,
    httpsPort: 5986,
    path: "/wsman",
    connectTimeoutMs: 10_000,
    handshakeTimeoutMs: 30_000,
    operationTimeoutSeconds: 20,
    readTimeoutMs: 30_000,
    commandTimeoutMs: 120_000,
    shellIdleTimeoutSeconds: 120,
    maxEnvelopeSize: 153_600,
    connectionReuseLimitMs: 60_000,
} as const;

/** Applies defaults and refuses unusable tuning (timeouts, envelope size) with a WinrmError (step "options"). */
export function resolveWinrmOptions(options: WinrmConnectionOptions): ResolvedWinrmOptions {
    const host = options.host.trim();
    const https = options.https;
    const port = options.port ?? (https ? DEFAULTS.httpsPort : DEFAULTS.httpPort);
    const displayName = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const fail = (why: string): never => {
        throw new WinrmError(displayName, "options", "invalid-options", `refused: ${why}`);
    };
    const path = options.path ?? DEFAULTS.path;
    if (!path.startsWith("/")) fail(`path ${JSON.stringify(path)} must start with "/"`);
    const auth = options.auth;
    const username = options.username;

    const positive = (name: string, value: number): number => {
        if (!Number.isFinite(value) || value <= 0) fail(`${name} must be a positive number, got ${value}`);
        return value;
    };
    const operationTimeoutSeconds = positive("operationTimeoutSeconds", options.operationTimeoutSeconds ?? DEFAULTS.operationTimeoutSeconds);
    const readTimeoutMs = positive("readTimeoutMs", options.readTimeoutMs ?? DEFAULTS.readTimeoutMs);
    // The server holds a Receive for up to OperationTimeout; a shorter HTTP timeout would abort
    // every quiet poll (pywinrm enforces the same rule).
    if (readTimeoutMs <= operationTimeoutSeconds * 1000) {
        fail(`readTimeoutMs (${readTimeoutMs}) must exceed operationTimeoutSeconds (${operationTimeoutSeconds} s = ${operationTimeoutSeconds * 1000} ms)`);
    }
    const maxEnvelopeSize = options.maxEnvelopeSize ?? DEFAULTS.maxEnvelopeSize;
    if (!Number.isInteger(maxEnvelopeSize) || maxEnvelopeSize < 8192) fail(`maxEnvelopeSize must be a whole number of bytes ≥ 8192, got ${maxEnvelopeSize}`);

    return {
        host,
        port,
        https,
        path,
        displayName,
        endpoint: `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
        auth,
        username,
        secrets: new Secrets(options.password, options.clientKey),
        caCertificate: options.caCertificate,
        insecureSkipVerify: options.insecureSkipVerify ?? false,
        clientCertificate: options.clientCertificate,
        connectTimeoutMs: positive("connectTimeoutSeconds", options.connectTimeoutSeconds !== undefined ? options.connectTimeoutSeconds * 1000 : options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs),
        handshakeTimeoutMs: positive("handshakeTimeoutSeconds", options.handshakeTimeoutSeconds !== undefined ? options.handshakeTimeoutSeconds * 1000 : DEFAULTS.handshakeTimeoutMs),
        operationTimeoutSeconds,
        readTimeoutMs,
        commandTimeoutMs: positive("commandTimeoutMs", options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs),
        shellIdleTimeoutSeconds: positive("shellIdleTimeoutSeconds", options.shellIdleTimeoutSeconds ?? DEFAULTS.shellIdleTimeoutSeconds),
        maxEnvelopeSize,
        skipCmdShell: options.skipCmdShell ?? false,
        connectionReuseLimitMs: positive("connectionReuseLimitMs", options.connectionReuseLimitMs ?? DEFAULTS.connectionReuseLimitMs),
        workstation: options.workstation ?? "",
        servicePrincipal: options.spn ?? `HTTP/${host}`,
        delegate: options.delegate ?? false,
    };
}
