/**
 * applicationHost.config on a remote Windows server (mode "xml"), read and replaced through the
 * readFile and writeFile PowerShell scripts over a CommandRunner. The XML editing itself happens
 * here, in XmlFileBackend; the server only hands out bytes and swaps them in atomically.
 *
 * Without a configPath the server finds the file itself, as IIS does (%windir% and
 * redirection.config; see Find-ApplicationHost in powershell/scripts/ConfigLocation.ps1), inside
 * each readFile and writeFile run: no extra round trip, and a write goes to the file IIS uses at
 * that moment. The compare-and-swap makes that safe: a write lands only where the content read is
 * still found.
 */
import type { CommandRunner } from "../carriers/commandRunner";
import { BACKUP_SUFFIX, ConfigChangedError, ConfigFileMissingError, type ConfigFileContent, type ConfigFileStore, type WebConfigContent } from "./configFile";
import { PowerShellScriptError, SERVER_APPLICATION_HOST, type ConfigFileSource } from "../powershell/protocol";
import { runScript } from "../powershell/run";

export interface RemoteConfigFileOptions {
    /** Deadline for each PowerShell command (default: the runner's). */
    timeoutMs?: number;
}

export class RemoteConfigFile implements ConfigFileStore {
    /** host:configPath, or host and "the server's applicationHost.config" until a read says which file. */
    readonly label: string;

    /**
     * `configPath`: an absolute path on the runner's host, used as given; undefined: the file IIS
     * uses, found on the server on every run.
     */
    constructor(private readonly runner: CommandRunner, readonly configPath?: string, private readonly options: RemoteConfigFileOptions = {}) {
        this.label = `${runner.host}:${configPath ?? SERVER_APPLICATION_HOST}`;
    }

    /** A file gone from its folder is ConfigFileMissingError (delete of its settings succeeds with a warning). */
    async read(): Promise<ConfigFileContent> {
        let file;
        try {
            file = await runScript(this.runner, { op: "readFile", ...this.pathField() }, this.options);
        } catch (error) {
            if (error instanceof PowerShellScriptError && error.code === "notFound" && error.failure?.missing === "file") {
                throw new ConfigFileMissingError(`${this.runner.host}:${error.failure.path ?? this.configPath ?? SERVER_APPLICATION_HOST}`, "no such file (its folder exists)");
            }
            throw error;
        }
        return { bytes: file.content, version: file.sha256, label: this.fileLabel(file.path, file.source) };
    }

    /** One command for all of them, on the server: IIS's own environment variables apply there. */
    async readWebConfigs(files: readonly string[]): Promise<WebConfigContent[]> {
        if (files.length === 0) return [];
        const { files: found } = await runScript(this.runner, { op: "readWebConfigs", files: [...files] }, this.options);
        return found.map((result) => {
            const label = `${this.runner.host}:${result.path}`;
            if (result.state === "read") return { file: result.file, label, state: "read", bytes: result.content };
            return result.state === "missing" ? { file: result.file, label, state: "missing" } : { file: result.file, label, state: "unreadable", reason: result.reason };
        });
    }

    /** The replaced content is kept beside the file, under the backup name the local store uses too. */
    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        try {
            const written = await runScript(
                this.runner,
                { op: "writeFile", ...this.pathField(), expectedSha256: expectedVersion, content: bytes, backupSuffix: BACKUP_SUFFIX },
                this.options,
            );
            return { version: written.sha256 };
        } catch (error) {
            if (error instanceof PowerShellScriptError && error.code === "conflict") {
                const label = error.failure?.path !== undefined ? `${this.runner.host}:${error.failure.path}` : this.label;
                throw new ConfigChangedError(label, `found SHA-256 ${error.failure?.actualSha256 ?? "unknown"}, expected ${expectedVersion}`);
            }
            throw error;
        }
    }

    /**
     * No lock is taken: there is no lock file on the server that IIS Manager, appcmd or another
     * machine would honour anyway. writeFile's compare-and-swap on the server (hash checked
     * while holding the file against other writers, an atomic File.Replace, then the replaced
     * bytes checked against those hashed) refuses to overwrite a change made since our read, and
     * XmlFileBackend retries from a fresh read.
     */
    withLock<T>(work: () => Promise<T>): Promise<T> {
        return work();
    }

    private pathField(): { path?: string } {
        return this.configPath === undefined ? {} : { path: this.configPath };
    }

    /** host:path, saying when the path came from IIS Shared Configuration (a file on a share). */
    private fileLabel(path: string, source: ConfigFileSource): string {
        return `${this.runner.host}:${path}${source === "sharedConfiguration" ? " (IIS Shared Configuration, from redirection.config)" : ""}`;
    }
}
