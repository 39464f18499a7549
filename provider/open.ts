/**
 * Opening a target: the command carrier (WinRM, SSH; pooled per server) or file store it names,
 * and the backend over it. Apart from the declarations (targets/), so that what checks and names
 * targets loads no carrier.
 */
import * as path from "path";
import { IisApiBackend } from "./backends/iisApi";
import { oneWriterPerFile } from "./backends/oneWriterPerFile";
import type { SessionBackend } from "./backends/types";
import { XmlFileBackend } from "./backends/xmlFile";
import type { CommandRunner } from "./carriers/commandRunner";
import { acquireRunner, closePooledRunners } from "./carriers/pool";
import type { SshConnectionOptions } from "./carriers/ssh";
import type { WinrmConnectionOptions } from "./carriers/winrm";
import { LocalConfigFile } from "./stores/local/localConfigFile";
import { RemoteConfigFile } from "./stores/remoteConfigFile";
import type { Target } from "./targets";
import { connectionIdentity, connectionSettings, sameHost, type ConnectionValues, type Fields, type TargetKind, type TargetValues } from "./targets/declaration";
import { SSH_KIND, type SshTarget } from "./targets/ssh";
import { DEFAULT_APPLICATION_HOST_PATH, DEFAULT_TIMEOUT_SECONDS } from "./targets/windows";
import { WINRM_KIND, type WinrmTarget } from "./targets/winrm";

/** The backend for a target; its writes wait for any other write to the same file in this process. */
export function openBackend(target: Target): SessionBackend {
    return oneWriterPerFile(writtenFileKey(target), openKindBackend(target));
}

/** Closes every pooled connection (a command-line run ends with this; the provider host's exit does it too). */
export function closeConnections(): Promise<void> {
    return closePooledRunners();
}

/** Names the file a target's writes change, the same for every target that writes it. */
export function writtenFileKey(target: Target): string {
    return target.kind === "file" ? `local:${path.resolve(target.path)}` : serverFileKey(target.host, target);
}

function openKindBackend(target: Target): SessionBackend {
    switch (target.kind) {
        case "file":
            return new XmlFileBackend(new LocalConfigFile(path.resolve(target.path)));
        case "winrm":
            return openServerBackend(winrmRunner(target), target);
        case "ssh":
            return openServerBackend(sshRunner(target), target);
    }
}

/**
 * The pooled runner for a checked server target: reused across operations within this process by
 * every target whose connection settings are equal. The settings are the declaration's connection
 * fields with its defaults applied, typed from the table: `open` takes them as its carrier's options,
 * so a declared field the carrier does not take (or takes as another type) does not compile.
 */
function pooledRunner<K extends string, F extends Fields>(
    kind: TargetKind<K, F>,
    target: TargetValues<K, F> & { host: string },
    open: (settings: ConnectionValues<F>) => CommandRunner,
): CommandRunner {
    const settings = connectionSettings(kind, target);
    return acquireRunner(kind.kind, connectionIdentity(kind, target), () => open(settings));
}

// Each carrier is loaded when a target of its kind is first opened: a file target, or a command
// line auditing only WinRM servers, never loads ssh2 (and the reverse).
export function winrmRunner(target: WinrmTarget): CommandRunner {
    return pooledRunner(WINRM_KIND, target, (options: WinrmConnectionOptions) => {
        const { WinrmCommandRunner } = require("./carriers/winrm") as typeof import("./carriers/winrm");
        return new WinrmCommandRunner(options);
    });
}

export function sshRunner(target: SshTarget): CommandRunner {
    return pooledRunner(SSH_KIND, target, (options: SshConnectionOptions) => {
        const { SshCommandRunner } = require("./carriers/ssh") as typeof import("./carriers/ssh");
        return new SshCommandRunner(options);
    });
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
