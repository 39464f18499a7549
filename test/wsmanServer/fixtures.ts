import { PowerShellRunner, ProcessResult, WsmanServer, WsmanServerOptions, startWsmanServer } from "../support/wsman";
import { OWN_FIXTURE } from "../support/hostFixture";

/** The account most tests use, written as a domain user to exercise DOMAIN\\user matching. */
export const VAGRANT = { username: "WIN-TEST\\vagrant", password: "vagrant" } as const;

/** What the stand-in PowerShell runner was asked to do. */
export interface PowerShellCall {
    readonly commandLine: string;
    readonly stdin: Buffer;
    readonly applicationHostPath: string;
}

/**
 * A stand-in for the PowerShell emulator, so these tests exercise the server alone: records each
 * call and answers with `answer(call)` (default: the decoded -EncodedCommand script on stdout).
 */
export function recordingPowerShell(answer: (call: PowerShellCall) => ProcessResult = echoScript): { runner: PowerShellRunner; calls: PowerShellCall[] } {
    const calls: PowerShellCall[] = [];
    const runner: PowerShellRunner = async (commandLine, stdin, options) => {
        const call = { commandLine, stdin, applicationHostPath: options.applicationHostPath };
        calls.push(call);
        return answer(call);
    };
    return { runner, calls };
}

/** `-EncodedCommand <b64>` decoded (UTF-16LE) and printed, exit 0. */
export function echoScript(call: PowerShellCall): ProcessResult {
    const match = /-encodedcommand\s+(\S+)/i.exec(call.commandLine);
    const script = match === null ? "" : Buffer.from(match[1], "base64").toString("utf16le");
    return { stdout: Buffer.from(script, "utf8"), stderr: Buffer.alloc(0), exitCode: 0 };
}

/** A server with VAGRANT and the recording PowerShell runner unless `overrides` say otherwise. */
export async function startTestServer(overrides: Partial<WsmanServerOptions> = {}): Promise<{ server: WsmanServer; calls: PowerShellCall[] }> {
    const { runner, calls } = recordingPowerShell();
    const server = await startWsmanServer({ users: [VAGRANT], applicationHostPath: OWN_FIXTURE, powershell: runner, ...overrides });
    return { server, calls };
}
