/**
 * A PowerShell script as one -EncodedCommand command line, the way tests run ad-hoc PowerShell
 * through a carrier. The provider itself never sends scripts this way (delivery.ts: the compressed
 * loader, or the stdin bootstrap), so this lives with the tests.
 */
import {
    COMMAND_LINE_LIMIT,
    encodePowerShellScript,
    POWERSHELL_EXE,
    POWERSHELL_OPTIONS,
    PROGRESS_PREAMBLE,
    type PowerShellCommand,
} from "../../../provider/powershell/commandLine";

export function buildPowerShellCommand(script: string): PowerShellCommand {
    const args = [...POWERSHELL_OPTIONS, "-EncodedCommand", encodePowerShellScript(PROGRESS_PREAMBLE + script)];
    const commandLine = [POWERSHELL_EXE, ...args].join(" ");
    return { command: POWERSHELL_EXE, arguments: args, commandLine, length: commandLine.length, fitsCommandLine: commandLine.length <= COMMAND_LINE_LIMIT };
}
