/**
 * A CommandRunner that runs nothing remote: every command goes to the PowerShell emulator
 * (test/support/powershellEmulator.ts) working on a local copy of applicationHost.config.
 * Tests can look at the commands that ran, act between commands (another writer changing the
 * file) and replace the output (a broken server).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CommandOutput, CommandRunner, RemoteCommand, RunOptions } from "../../provider/transports/commandRunner";
import { runEmulatedCommand } from "../support/powershellEmulator";

export interface RecordedRun {
    command: RemoteCommand;
    options: RunOptions | undefined;
}

export class EmulatedRunner implements CommandRunner {
    readonly runs: RecordedRun[] = [];
    /** Called before each command reaches the emulator (index counts from 0). */
    beforeRun: ((command: RemoteCommand, index: number) => void | Promise<void>) | undefined = undefined;
    /** Replaces what the emulator returned. */
    replaceOutput: ((output: CommandOutput, command: RemoteCommand) => CommandOutput) | undefined = undefined;

    constructor(readonly applicationHostPath: string, readonly host = "web01.test:5985") {}

    async run(command: RemoteCommand, options?: RunOptions): Promise<CommandOutput> {
        const index = this.runs.length;
        this.runs.push({ command, options });
        if (this.beforeRun) await this.beforeRun(command, index);
        const output = await runEmulatedCommand(command.command, command.arguments, command.stdin ?? Buffer.alloc(0), {
            applicationHostPath: this.applicationHostPath,
        });
        return this.replaceOutput ? this.replaceOutput(output, command) : output;
    }

    async close(): Promise<void> {}

    /** The step names the runs were given, in order. */
    steps(): string[] {
        return this.runs.map((run) => run.options?.step ?? "");
    }
}

/** A fresh folder holding a copy of `source` as applicationHost.config. */
export function scratchApplicationHost(source: string): { dir: string; file: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-emulated-"));
    const file = path.join(dir, "applicationHost.config");
    fs.copyFileSync(source, file);
    return { dir, file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
