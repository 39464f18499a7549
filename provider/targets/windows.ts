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

export const SERVER_FIELDS = {
    /** "iis" (default): IIS's own API (Microsoft.Web.Administration) through PowerShell; "xml": edit applicationHost.config with this project's byte-preserving editor. */
    mode: choice(["iis", "xml"], { iis: "IIS's API through PowerShell", xml: "edit applicationHost.config" }, { default: "iis" }),
    /**
     * For mode "xml": the file to edit, an absolute path on the server (UNC paths work; /... where
     * PowerShell 7 runs on Linux). Default: the file IIS uses, found on the server:
     * %windir%\\System32\\inetsrv\\config\\applicationHost.config, or under IIS Shared Configuration
     * the one in the folder redirection.config names (the identity counts it as
     * C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config). Changing it replaces the resource.
     */
    configPath: serverPath(DEFAULT_APPLICATION_HOST_PATH, { identity: true, default: DEFAULT_APPLICATION_HOST_PATH }),
    /** Deadline for one operation on the server, in seconds (default 120). */
    timeoutSeconds: seconds(1, 3600, { default: DEFAULT_TIMEOUT_SECONDS }),
};

export const SERVER_RULES: readonly Rule[] = [
    {
        reads: ["mode"],
        check: (values, given) =>
            given("configPath") && values.mode === "iis" ? { field: "configPath", reason: `only applies with mode "xml" (IIS's API finds its own configuration)` } : undefined,
    },
];
