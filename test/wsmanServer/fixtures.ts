import { PowerShellStarter, ProcessResult, WsmanServer, WsmanServerOptions, startWsmanServer } from "../support/wsman";
import { OWN_FIXTURE } from "../support/hostFixture";

/** The account most tests use, written as a domain user to exercise DOMAIN\\user matching. */
export const VAGRANT = { username: "WIN-TEST\\vagrant", password: "vagrant" } as const;

/** What the stand-in program was started with. */
export interface PowerShellCall {
    readonly commandLine: string;
    /** Everything written to its stdin, once stdin ended (pipe mode). */
    stdin: Buffer;
    readonly consoleModeStdin: boolean;
}

/**
 * A stand-in program for tests of the server's protocol alone (authentication, framing, output
 * chunking), where no script runs and no PowerShell process is worth its start-up: records each
 * call and answers with `answer(call)` (default: the decoded -EncodedCommand script on stdout).
 * With a pipe for stdin it answers when stdin ends; with a console (which never ends) at once,
 * as a program that does not read stdin would.
 */
export function recordingPowerShell(answer: (call: PowerShellCall) => ProcessResult = echoScript): { runner: PowerShellStarter; calls: PowerShellCall[] } {
    const calls: PowerShellCall[] = [];
    const runner: PowerShellStarter = (commandLine, context) => {
        const call: PowerShellCall = { commandLine, stdin: Buffer.alloc(0), consoleModeStdin: context.consoleModeStdin };
        calls.push(call);
        const written: Buffer[] = [];
        let finish: (result: ProcessResult) => void = () => undefined;
        const result = new Promise<ProcessResult>((resolve) => (finish = resolve));
        if (context.consoleModeStdin) finish(answer(call));
        return {
            write: (data) => void written.push(data),
            endInput: () => {
                if (context.consoleModeStdin) return;
                call.stdin = Buffer.concat(written);
                finish(answer(call));
            },
            result,
            kill: () => finish({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 1 }),
        };
    };
    return { runner, calls };
}

/** `-EncodedCommand <b64>` decoded (UTF-16LE) and printed, exit 0. */
export function echoScript(call: PowerShellCall): ProcessResult {
    const match = /-encodedcommand\s+(\S+)/i.exec(call.commandLine);
    const script = match === null ? "" : Buffer.from(match[1], "base64").toString("utf16le");
    return { stdout: Buffer.from(script, "utf8"), stderr: Buffer.alloc(0), exitCode: 0 };
}

/** A server with VAGRANT and the recording stand-in unless `overrides` say otherwise. */
export async function startTestServer(overrides: Partial<WsmanServerOptions> = {}): Promise<{ server: WsmanServer; calls: PowerShellCall[] }> {
    const { runner, calls } = recordingPowerShell();
    const server = await startWsmanServer({ users: [VAGRANT], applicationHostPath: OWN_FIXTURE, powershell: runner, ...overrides });
    return { server, calls };
}
