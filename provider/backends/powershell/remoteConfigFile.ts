/**
 * applicationHost.config on a remote Windows server (mode "xml"), read and replaced through the
 * readFile and writeFile PowerShell scripts over a CommandRunner. The XML editing itself happens
 * here, in XmlFileBackend; the server only hands out bytes and swaps them in atomically.
 * It lives with the PowerShell backend because the file's bytes travel inside those scripts'
 * requests and responses.
 */
import type { CommandRunner } from "../../transports/commandRunner";
import { ConfigChangedError, type ConfigFileContent, type ConfigFileStore } from "../../transports/configFile";
import { BACKUP_SUFFIX } from "../../transports/localFile";
import { PowerShellScriptError } from "./protocol";
import { runScript } from "./run";

export interface RemoteConfigFileOptions {
    /** Deadline for each PowerShell command (default: the runner's). */
    timeoutMs?: number;
}

/** The usual place of applicationHost.config (without Shared Configuration). */
export const DEFAULT_APPLICATION_HOST_PATH = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";

export class RemoteConfigFile implements ConfigFileStore {
    readonly label: string;
    /** Where writeFile moves the replaced content: beside the file, as the local store keeps it. */
    readonly backupPath: string;

    /** `path`: an absolute Windows path on the runner's host. */
    constructor(private readonly runner: CommandRunner, readonly path: string = DEFAULT_APPLICATION_HOST_PATH, private readonly options: RemoteConfigFileOptions = {}) {
        this.label = `${runner.host}:${path}`;
        this.backupPath = path + BACKUP_SUFFIX;
    }

    async read(): Promise<ConfigFileContent> {
        const file = await runScript(this.runner, { op: "readFile", path: this.path }, this.options);
        return { bytes: Buffer.from(file.contentBase64, "base64"), version: file.sha256 };
    }

    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        try {
            const written = await runScript(
                this.runner,
                { op: "writeFile", path: this.path, expectedSha256: expectedVersion, contentBase64: bytes.toString("base64"), backupPath: this.backupPath },
                this.options,
            );
            return { version: written.sha256 };
        } catch (error) {
            if (error instanceof PowerShellScriptError && error.code === "conflict") {
                throw new ConfigChangedError(this.label, `found SHA-256 ${error.failure?.actualSha256 ?? "unknown"}, expected ${expectedVersion}`);
            }
            throw error;
        }
    }

    /**
     * No lock is taken: there is no lock file on the server that IIS Manager, appcmd or another
     * machine would honour anyway. writeFile's compare-and-swap on the server (hash checked
     * while holding the file against other writers, then an atomic File.Replace) refuses to
     * overwrite a change made since our read, and XmlFileBackend retries from a fresh read.
     */
    withLock<T>(work: () => Promise<T>): Promise<T> {
        return work();
    }
}
