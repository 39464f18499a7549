/**
 * One operation on a remote server: prepare the invocation, run it on a CommandRunner, and turn
 * what came back into the typed response or a PowerShellScriptError whose message names the
 * host, the operation and the location or file.
 */
import type { CommandRunner } from "../carriers/commandRunner";
import { decodeClixml } from "./clixml";
import { prepareInvocation } from "./delivery";
import { describeRequest, PowerShellScriptError, requestTarget, SERVER_APPLICATION_HOST, type OperationRequest, type ResponseFor } from "./protocol";
import { parseScriptOutput } from "./response";

export interface RunScriptOptions {
    /** Overall deadline for the command (default: the runner's). */
    timeoutMs?: number;
}

/** How much of stderr a message quotes. */
const STDERR_EXCERPT = 1000;

/**
 * Runs the script for `request` on `runner.host` and returns its checked result. Throws
 * PowerShellScriptError for a script's own error code ({ok:false}), a non-zero exit
 * ("processFailed", quoting stderr) and empty or garbage stdout ("badOutput"). Errors of the
 * transport itself (connection, authentication, timeout) propagate unchanged.
 */
export async function runScript<R extends OperationRequest>(runner: CommandRunner, request: R, options: RunScriptOptions = {}): Promise<ResponseFor<R>> {
    const invocation = prepareInvocation(request);
    const output = await runner.run(
        { command: invocation.command.command, arguments: [...invocation.command.arguments], stdin: invocation.stdin },
        { step: stepName(request), timeoutMs: options.timeoutMs },
    );
    const stderr = decodeClixml(output.stderr.toString("utf8")).trim();
    if (output.exitCode !== 0) {
        const said = stderr === "" ? "nothing on stderr" : `stderr: ${excerpt(stderr)}`;
        throw new PowerShellScriptError(
            "processFailed",
            request.op,
            requestTarget(request),
            `${describeRequest(request)} on ${runner.host}: powershell.exe exited with code ${output.exitCode} before the script reported a result; ${said}`,
        );
    }
    return parseScriptOutput(request, output.stdout, { host: runner.host, stderr });
}

/** What the runner reports it is doing: "read session settings at Default Web Site/shop". */
export function stepName(request: OperationRequest): string {
    switch (request.op) {
        case "read":
            return `read session settings at ${request.location === "" ? "the server level" : request.location}`;
        case "apply":
            return `apply session settings at ${request.location === "" ? "the server level" : request.location}`;
        case "readFile":
            return `read ${request.path ?? SERVER_APPLICATION_HOST}`;
        case "writeFile":
            return `write ${request.path ?? SERVER_APPLICATION_HOST}`;
        case "readWebConfigs":
            return `read the web.config files on the way (${request.files.join(", ")})`;
    }
}

function excerpt(text: string): string {
    return text.length > STDERR_EXCERPT ? `${text.slice(0, STDERR_EXCERPT)}…` : text;
}
