/**
 * What every kind of target that reaches a Windows server shares, declared once: which backend
 * edits the settings (mode), the file mode "xml" edits, and the deadline of one operation; and
 * how a backend is opened over a CommandRunner, whatever carries its commands.
 */
import { IisApiBackend } from "../backends/iisApi";
import { DEFAULT_APPLICATION_HOST_PATH, RemoteConfigFile } from "../backends/powershell/remoteConfigFile";
import type { SessionBackend } from "../backends/types";
import { XmlFileBackend } from "../backends/xmlFile";
import type { CommandRunner } from "../transports/commandRunner";
import { choice, sameHost, seconds, serverPath, type Rule } from "./declaration";

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

/** The backend for a server target's mode, its commands carried by `runner`. */
export function openServerBackend(runner: CommandRunner, target: { mode?: "iis" | "xml"; configPath?: string; timeoutSeconds?: number }): SessionBackend {
    const timeoutMs = (target.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    return target.mode === "xml"
        ? new XmlFileBackend(new RemoteConfigFile(runner, target.configPath, { timeoutMs }))
        : new IisApiBackend(runner, { timeoutMs });
}

/**
 * Names the file a server target writes, alike for every spelling of the host, both modes and
 * every way in (WinRM or SSH): mode "iis" and mode "xml" without configPath both write the
 * applicationHost.config IIS uses, which the identity counts as DEFAULT_APPLICATION_HOST_PATH.
 */
export function serverFileKey(host: string, target: { mode?: "iis" | "xml"; configPath?: string }): string {
    const file = target.mode === "xml" ? target.configPath ?? DEFAULT_APPLICATION_HOST_PATH : DEFAULT_APPLICATION_HOST_PATH;
    return `server:${sameHost(host)}:${file.toLowerCase()}`;
}
