/**
 * How a command runs on a remote server (WinRM today, SSH later): the PowerShell backends build a
 * command, a runner carries it to the host and brings back its output. Runners are reused across
 * operations on the same host within one provider process (see connectionPool.ts).
 */

export interface RemoteCommand {
    /** The executable, e.g. "powershell.exe". */
    command: string;
    arguments: string[];
    /** Bytes written to the command's stdin, then stdin is closed (omitted: nothing is sent). */
    stdin?: Buffer;
}

export interface CommandOutput {
    stdout: Buffer;
    stderr: Buffer;
    exitCode: number;
}

export interface RunOptions {
    /** What the operation is, for messages: "read session settings at Default Web Site/shop". */
    step?: string;
    /** Overall deadline for this command (default: the runner's). */
    timeoutMs?: number;
}

export interface CommandRunner {
    /** Names the host (and port) in messages; never holds credentials. */
    readonly host: string;
    run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput>;
    /** Releases the connection and any remote shell. */
    close(): Promise<void>;
}
