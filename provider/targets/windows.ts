/**
 * What every kind of target that reaches a Windows server shares, declared once: which backend
 * edits the settings (mode), the file mode "xml" edits, and the deadline of one operation.
 * (How a backend is opened over a command carrier is open.ts's business.)
 */
import { choice, seconds, serverPath, type Rule } from "./declaration";

/**
 * Where applicationHost.config usually is (no Shared Configuration, Windows on C:). Not what the
 * provider edits by default (the server finds the file); it stands for "the server's own
 * applicationHost.config" in a target's identity, as it did when it was the default path, so state
 * written then keeps its identity.
 */
export const DEFAULT_APPLICATION_HOST_PATH = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";

export const DEFAULT_TIMEOUT_SECONDS = 120;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 30;

export const SERVER_FIELDS = {
    /** "iis" (default): IIS's own API (Microsoft.Web.Administration) through PowerShell; "xml": edit applicationHost.config with this project's byte-preserving editor. */
    mode: choice(["iis", "xml"], { iis: "IIS's API through PowerShell", xml: "edit applicationHost.config" }, { default: "iis" }),
    /**
     * The server's operating system: "windows" (default), or "linux" for PowerShell 7 on Linux
     * (no IIS there: for rehearsing mode "xml" against a copy of the file, as this project's tests
     * do). It decides only how configPath is written: C:\... or \\server\share\... on Windows, /... on Linux.
     */
    platform: choice(["windows", "linux"], { windows: "C:\\... or UNC paths", linux: "PowerShell 7 on Linux, /... paths" }, { default: "windows" }),
    /**
     * For mode "xml": the file to edit, an absolute path on the server (UNC paths work; /... with
     * platform "linux"). Default: the file IIS uses, found on the server:
     * %windir%\\System32\\inetsrv\\config\\applicationHost.config, or under IIS Shared Configuration
     * the one in the folder redirection.config names (the identity counts it as
     * C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config). Changing it replaces the resource.
     */
    configPath: serverPath(DEFAULT_APPLICATION_HOST_PATH, { identity: true, default: DEFAULT_APPLICATION_HOST_PATH }),
    /** Deadline for one operation on the server, in seconds (default 120): everything it takes, connection and handshake included. */
    timeoutSeconds: seconds(1, 3600, { default: DEFAULT_TIMEOUT_SECONDS }),
    /** Seconds to open the TCP connection (and TLS with WinRM https) to the server (default 10). */
    connectTimeoutSeconds: seconds(1, 600, { connection: true, default: DEFAULT_CONNECT_TIMEOUT_SECONDS }),
    /**
     * Seconds for the authentication of a new connection (default 30): WinRM's NTLM or Kerberos
     * exchange, each leg; SSH's key exchange and login. Never longer than what is left of timeoutSeconds.
     */
    handshakeTimeoutSeconds: seconds(1, 3600, { connection: true, default: DEFAULT_HANDSHAKE_TIMEOUT_SECONDS }),
};

export const SERVER_RULES: readonly Rule[] = [
    {
        reads: ["platform", "configPath"],
        check: (values, given) => {
            if (!given("configPath") || typeof values.configPath !== "string") return undefined;
            const posix = (values.configPath as string).startsWith("/");
            if (values.platform === "linux" && !posix) return { field: "configPath", reason: `must be a /... path with platform "linux"` };
            if (values.platform !== "linux" && posix) return { field: "configPath", reason: `must be a Windows path such as C:\\inetpub\\applicationHost.config or \\\\server\\share\\applicationHost.config (a /... path needs platform: "linux", PowerShell 7 on Linux)` };
            return undefined;
        },
    },
    {
        reads: ["mode"],
        check: (values, given) =>
            given("configPath") && values.mode === "iis" ? { field: "configPath", reason: `only applies with mode "xml" (IIS's API finds its own configuration)` } : undefined,
    },
];
