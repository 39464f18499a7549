/**
 * A CommandRunner that runs each command on this machine with real PowerShell 7, as the provider's
 * transports would run it on Windows: the command and its arguments joined as WinRS joins them,
 * through the cmd.exe stand-in (which expands %SystemRoot% as cmd.exe does), stdin sent and closed. For backend tests that need no network: tests can look at the commands
 * that ran and act between them (another writer changing the file).
 */
import type { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "../../../provider/carriers/commandRunner";
import { windirOf } from "../windowsFolder";
import { startCommandLine } from "../wsman/commandLine";
import { startWindowsPowerShell } from "./windowsPowerShell";

export interface RecordedRun {
    command: RemoteCommand;
    options: RunOptions | undefined;
}

export class PwshRunner implements CommandRunner {
    readonly runs: RecordedRun[] = [];
    /** Called before each command starts (index counts from 0). */
    beforeRun: ((command: RemoteCommand, index: number) => void | Promise<void>) | undefined = undefined;
    private readonly windir: string;

    /** `applicationHostPath` must be at <windir>/System32/inetsrv/config/ (see scratchWindows). */
    constructor(private readonly pwsh: string, readonly applicationHostPath: string, readonly host = "web01.test:5985") {
        this.windir = windirOf(applicationHostPath);
    }

    async run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput> {
        const index = this.runs.length;
        this.runs.push({ command, options });
        if (this.beforeRun) await this.beforeRun(command, index);
        const program = startCommandLine([command.command, ...command.arguments].join(" "), true, false, {
            computerName: this.host,
            applicationHostPath: this.applicationHostPath,
            powershell: (line, context) => startWindowsPowerShell(line, { pwsh: this.pwsh, windir: this.windir, consoleModeStdin: context.consoleModeStdin }),
        });
        if (command.stdin !== undefined) program.write(command.stdin);
        program.endInput();
        return program.result;
    }

    async close(): Promise<void> {}

    /** The step names the runs were given, in order. */
    steps(): string[] {
        return this.runs.map((run) => run.options?.step ?? "");
    }
}
