/**
 * pywinrm (Debian's python3-winrm) as the benchmark's reference WinRM client: driving bench/pywinrmDriver.py, one long-lived process that times each
 * operation itself (so neither Python's start-up nor our pipe counts in its numbers).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "child_process";
import * as path from "path";
import { createInterface, type Interface } from "readline";
import { findPywinrm, type PythonLookup } from "../test/support/pywinrm";

export { findPywinrm, type PythonLookup };

const DRIVER = path.resolve(__dirname, "..", "..", "bench", "pywinrmDriver.py");

/** One command line of an operation, as run_cmd takes it. */
export interface PywinrmInvocation {
    readonly command: string;
    readonly args: readonly string[];
}

export interface PywinrmResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** What the driver measured for one operation. */
export interface PywinrmOperation {
    /** Wall time inside Python (time.perf_counter), Session creation included for "cold". */
    readonly ms: number;
    readonly results: readonly PywinrmResult[];
}

export type Connection = "warm" | "cold";

export interface PywinrmTarget {
    readonly url: string;
    readonly username: string;
    readonly password: string;
}

/** The driver process: one request line out, one answer line back, one operation at a time. */
export class PywinrmDriver {
    private readonly pending: Array<(line: string) => void> = [];
    private stderr = "";

    private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: Interface, readonly version: string) {}

    static async start(lookup: { python: string; environment: NodeJS.ProcessEnv }, target: PywinrmTarget): Promise<PywinrmDriver> {
        const child = spawn(lookup.python, [DRIVER, JSON.stringify(target)], { env: lookup.environment, stdio: ["pipe", "pipe", "pipe"] });
        const lines = createInterface({ input: child.stdout });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const ready = await new Promise<string>((resolve, reject) => {
            lines.once("line", resolve);
            child.once("exit", (code) => reject(new Error(`${DRIVER} exited with code ${code} before it was ready: ${stderr.trim()}`)));
            child.once("error", reject);
        });
        const parsed = JSON.parse(ready) as { ready?: boolean; pywinrm?: string };
        if (parsed.ready !== true) throw new Error(`${DRIVER} said ${ready} instead of being ready`);
        const driver = new PywinrmDriver(child, lines, parsed.pywinrm ?? "unknown");
        child.stderr.on("data", (chunk: Buffer) => (driver.stderr += chunk.toString("utf8")));
        lines.on("line", (line) => driver.pending.shift()?.(line));
        child.once("exit", (code) => {
            for (const waiting of driver.pending.splice(0)) waiting(JSON.stringify({ error: "exited", message: `driver exited with code ${code}: ${driver.stderr.trim()}` }));
        });
        return driver;
    }

    /** Runs one operation's invocations; throws with the driver's message when pywinrm raised. */
    async run(connection: Connection, invocations: readonly PywinrmInvocation[]): Promise<PywinrmOperation> {
        const line = await new Promise<string>((resolve) => {
            this.pending.push(resolve);
            this.child.stdin.write(JSON.stringify({ connection, invocations }) + "\n");
        });
        const answer = JSON.parse(line) as Partial<PywinrmOperation> & { error?: string; message?: string };
        if (answer.error !== undefined || answer.ms === undefined || answer.results === undefined) {
            throw new Error(`pywinrm (${connection}) failed: ${answer.error ?? "no answer"}: ${answer.message ?? line}`);
        }
        return { ms: answer.ms, results: answer.results };
    }

    async close(): Promise<void> {
        const exited = new Promise<void>((resolve) => {
            if (this.child.exitCode !== null) resolve();
            else this.child.once("exit", () => resolve());
        });
        this.child.stdin.end();
        await exited;
        this.lines.close();
    }
}
