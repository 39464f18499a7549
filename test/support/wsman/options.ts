/**
 * What a test or the benchmark can ask of the in-repo WS-Management test server. The defaults are
 * Windows' own: NTLM (Negotiate) only, message encryption required over HTTP, no latency.
 */
import type { RunningProgram } from "../pwsh/process";

/**
 * How clients may authenticate (the WinRM service's Auth/Negotiate, Auth/Basic, Auth/Certificate,
 * Auth/Kerberos). "kerberos" accepts both the Kerberos scheme and SPNEGO under Negotiate, and
 * needs `kerberos` (the acceptor's keytab).
 */
export type AuthMethod = "ntlm" | "basic" | "certificate" | "kerberos";

export interface WsmanUser {
    /** "user", "DOMAIN\\user" or "user@domain"; matched on the user part, case-insensitively, as the NTLM server does. */
    readonly username: string;
    readonly password: string;
}

export type { ProcessResult, RunningProgram } from "../pwsh/process";

/** What a started `powershell ...` command line needs to know about the server it runs on. */
export interface PowerShellContext {
    /** The applicationHost.config the server stands for (at <windir>/System32/inetsrv/config/). */
    readonly applicationHostPath: string;
    /** WINRS_CONSOLEMODE_STDIN of the Command: stdin is a console, which never reaches its end. */
    readonly consoleModeStdin: boolean;
}

/**
 * Starts one `powershell ...` command line (after cmd.exe's /c and %variables%). The default runs
 * it with real PowerShell 7 (test/support/pwsh); protocol tests that need no script may pass a
 * stand-in program.
 */
export type PowerShellStarter = (commandLine: string, context: PowerShellContext) => RunningProgram;

/**
 * Failures a test can provoke in the next request of one kind. Each is used once.
 * - "http500": HTTP 500 with a WS-Man fault (w:InternalError), encrypted when the connection is.
 * - "malformed": HTTP 200 whose (decrypted) body is not XML.
 * - "hang": the request is read, never processed and never answered (until close()).
 * - "shellGone": the shell disappears (as when it idles out) and the request gets the
 *   w:InvalidSelectors fault 2150858843.
 * - "tampered": the normal answer with one byte of its encrypted data changed after sealing
 *   (only meaningful on an encrypted connection), as a man in the middle would.
 */
export type InjectedFault = "http500" | "malformed" | "hang" | "shellGone" | "tampered";

export interface FaultInjection {
    /** Applied to the next shell/Command request. */
    readonly onNextCommand?: InjectedFault;
    /** Applied to the next shell/Receive request. */
    readonly onNextReceive?: InjectedFault;
    /**
     * For every command started from now on: how many of its Receives are answered with the
     * w:TimedOut fault 2150858793 ("no output within OperationTimeout", which clients must treat
     * as "poll again") before the output is returned. Default 0.
     */
    readonly receiveTimeoutsBeforeOutput?: number;
}

/** A certificate and its key, PEM. */
export interface TlsIdentity {
    readonly cert: string;
    readonly key: string;
}

export interface WsmanServerOptions {
    /** Serve HTTPS. Default false. */
    readonly https?: boolean;
    /**
     * The server's certificate and key for HTTPS. Default: a fresh self-signed P-256 certificate
     * for CN=localhost with subjectAltName localhost and 127.0.0.1, made with `openssl req -x509`.
     */
    readonly tls?: TlsIdentity;
    /**
     * For "certificate" auth: the CA (PEM) client certificates must chain to. Required when
     * `auth` includes "certificate".
     */
    readonly clientCa?: string;
    /** Accepted authentication methods. Default ["ntlm"]. */
    readonly auth?: readonly AuthMethod[];
    /** Accounts. A client certificate maps to the account whose user part equals its subject CN. */
    readonly users: readonly WsmanUser[];
    /**
     * The applicationHost.config our PowerShell scripts act on: it must sit at
     * <windir>/System32/inetsrv/config/ (see test/support/windowsFolder.ts), and PowerShell runs
     * with %windir% pointing there.
     */
    readonly applicationHostPath: string;
    /**
     * Loopback address to listen on (default "127.0.0.1"). Any 127.0.0.0/8 address works on Linux,
     * so many servers can stand for distinct hosts (the fleet benchmark runs 200).
     */
    readonly address?: string;
    /** Port on the address; 0 (default) picks a free one. */
    readonly port?: number;
    /** Delay before every HTTP response, 401s included (the benchmark uses 20 ms). Default 0. */
    readonly latencyMs?: number;
    /**
     * HTTPS + NTLM: the client must send TLS channel bindings for this server's certificate
     * (CbtHardeningLevel=Strict). Default false (Relaxed): bindings are checked only when sent.
     */
    readonly requireChannelBinding?: boolean;
    /**
     * AllowUnencrypted. Default false: over HTTP, NTLM requests must carry encrypted
     * (multipart/encrypted) bodies and Basic is refused, as Windows does.
     */
    readonly allowUnencrypted?: boolean;
    /** Faults armed from the start; more can be armed later with `server.injectFaults`. */
    readonly faults?: FaultInjection;
    /** Shells one user may have open at once (winrm/config/winrs MaxShellsPerUser). Default 30. */
    readonly maxShellsPerUser?: number;
    /** The computer name the server reports (NTLM target info, fault Machine, `hostname`). Default "WIN-WSMAN-TEST". */
    readonly computerName?: string;
    /** Largest decoded size of one rsp:Stream in a ReceiveResponse; longer output is split. Default 4096. */
    readonly outputChunkBytes?: number;
    /**
     * With WINRS_SKIP_CMD_SHELL=TRUE, accept a bare program name (as if CreateProcess searched PATH).
     * Default false: recorded against Windows (pypsrp's test_winrs_no_cmd_shell, Server 2008 R2),
     * `powershell.exe` without cmd.exe fails at Command with 2147942402 "The system cannot find the
     * file specified" while `C:\Windows\system32\WindowsPowerShell\v1.0\powershell.exe` works.
     */
    readonly skipCmdShellSearchesPath?: boolean;
    /**
     * For auth "kerberos": the keytab of the server's service principals and the realm's client
     * environment (KRB5_CONFIG), for the python3-gssapi acceptor (test/support/krb5).
     */
    readonly kerberos?: { readonly keytab: string; readonly environment: Readonly<Record<string, string>> };
    /**
     * Test only: the channel binding application data the Kerberos acceptor expects instead of
     * this server's own (to show a client's bindings are checked).
     */
    readonly kerberosChannelBindingsOverride?: Buffer;
    /**
     * Test only: what happens to the acceptor's final Kerberos token (the proof of mutual
     * authentication) on its way to the client: left out of the 200, or one byte changed.
     */
    readonly kerberosFinalToken?: "omit" | "corrupt";
    /** Starts `powershell ...` command lines. Default: real PowerShell 7 (`pwsh` on PATH). */
    readonly powershell?: PowerShellStarter;
}
