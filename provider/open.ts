/**
 * Opening a target: the command carrier (WinRM, SSH, pooled per server) or file store it names,
 * and the backend over it. Apart from the declarations (index.ts and each kind's module), so
 * that what checks and names targets loads no transport.
 */
import * as path from "path";
import { IisApiBackend } from "./backends/iisApi";
import { oneWriterPerFile } from "./backends/oneWriterPerFile";
import { RemoteConfigFile } from "./stores/remoteConfigFile";
import type { SessionBackend } from "./backends/types";
import { XmlFileBackend } from "./backends/xmlFile";
import type { CommandRunner } from "./carriers/commandRunner";
import { acquireRunner } from "./carriers/pool";
import { LocalConfigFile } from "./stores/local/localConfigFile";
import { SshCommandRunner, type SshConnectionOptions } from "./carriers/ssh";
import { WinrmCommandRunner, type WinrmConnectionOptions } from "./carriers/winrm";
import { connectionIdentity, connectionSettings, sameHost } from "./targets/declaration";
import type { FileTarget } from "./targets/file";
import type { Target } from "./targets/index";
import { SSH_KIND, type SshTarget } from "./targets/ssh";
import { DEFAULT_APPLICATION_HOST_PATH, DEFAULT_TIMEOUT_SECONDS } from "./targets/windows";
import { WINRM_KIND, type WinrmTarget } from "./targets/winrm";

/** The backend for a target; its writes wait for any other write to the same file in this process. */
export function openBackend(target: Target): SessionBackend {
    return oneWriterPerFile(writtenFileKey(target), openKindBackend(target));
}

/** Names the file a target's writes change, the same for every target that writes it. */
export function writtenFileKey(target: Target): string {
    return target.kind === "file" ? `local:${path.resolve(target.path)}` : serverFileKey(target.host, target);
}

function openKindBackend(target: Target): SessionBackend {
    switch (target.kind) {
        case "file":
            return openFileBackend(target);
        case "winrm":
            return openWinrmBackend(target);
        case "ssh":
            return openSshBackend(target);
    }
}

export function openFileBackend(target: FileTarget): SessionBackend {
    return new XmlFileBackend(new LocalConfigFile(path.resolve(target.path)));
}

/** The connection options of a (checked) winrm target: its connection fields, named as the transport names them. */
export function winrmConnectionOptions(target: WinrmTarget): WinrmConnectionOptions {
    return connectionSettings(WINRM_KIND, target) as unknown as WinrmConnectionOptions;
}

/** The pooled runner for a (checked) winrm target: reused across operations on this host within the provider process. */
export function winrmRunner(target: WinrmTarget): CommandRunner {
    const options = winrmConnectionOptions(target);
    return acquireRunner("winrm", connectionIdentity(WINRM_KIND, target), () => new WinrmCommandRunner(options));
}

export function openWinrmBackend(target: WinrmTarget): SessionBackend {
    return openServerBackend(winrmRunner(target), target);
}

/** The connection options of a (checked) ssh target: its connection fields, named as the transport names them. */
export function sshConnectionOptions(target: SshTarget): SshConnectionOptions {
    return connectionSettings(SSH_KIND, target) as unknown as SshConnectionOptions;
}

/** The pooled runner for a (checked) ssh target: one connection per host within the provider process. */
export function sshRunner(target: SshTarget): CommandRunner {
    const options = sshConnectionOptions(target);
    return acquireRunner("ssh", connectionIdentity(SSH_KIND, target), () => new SshCommandRunner(options));
}

export function openSshBackend(target: SshTarget): SessionBackend {
    return openServerBackend(sshRunner(target), target);
}

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
