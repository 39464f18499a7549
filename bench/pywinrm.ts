/**
 * pywinrm (Debian's python3-winrm) as the benchmark's reference WinRM client: finding a Python
 * that has it, and driving bench/pywinrmDriver.py, one long-lived process that times each
 * operation itself (so neither Python's start-up nor our pipe counts in its numbers).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createInterface, type Interface } from "readline";
import { promisify } from "util";

/**
 * An OpenSSL configuration that activates the default and legacy providers: Debian's ntlm-auth
 * computes NTLM's MD4 through hashlib, which OpenSSL 3 only offers from its legacy provider.
 * The same text as OPENSSL_LEGACY_CONF in test/wsmanServer/pywinrm.test.ts, which cannot be
 * imported from here (loading a test file outside mocha fails at `describe`).
 */
const OPENSSL_LEGACY_CONF = [
    "openssl_conf = openssl_init",
    "[openssl_init]",
    "providers = provider_sect",
    "[provider_sect]",
    "default = default_sect",
    "legacy = legacy_sect",
    "[default_sect]",
    "activate = 1",
    "[legacy_sect]",
    "activate = 1",
    "",
].join("\n");

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

/** A Python with winrm and MD4, or why there is none. */
export type PythonLookup = { readonly python: string; readonly environment: NodeJS.ProcessEnv; readonly scratch: string } | { readonly missing: string; readonly scratch: string };

/**
 * WSMAN_PYTHON if set (as the interop tests), else Debian's /usr/bin/python3 (where apt puts
 * python3-winrm), else python3 on PATH. `scratch` holds the OpenSSL configuration; remove it when done.
 */
export async function findPywinrm(): Promise<PythonLookup> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pywinrm-"));
    const conf = path.join(scratch, "openssl-legacy.cnf");
    fs.writeFileSync(conf, OPENSSL_LEGACY_CONF);
    const environment = { ...process.env, OPENSSL_CONF: conf };
    const fromEnvironment = process.env.WSMAN_PYTHON;
    const candidates = fromEnvironment !== undefined && fromEnvironment !== ""
        ? [fromEnvironment]
        : ["/usr/bin/python3", "python3"].filter((candidate) => !candidate.startsWith("/") || fs.existsSync(candidate));
    const failures: string[] = [];
    for (const python of candidates) {
        try {
            await promisify(execFile)(python, ["-c", "import winrm, hashlib; hashlib.new('md4', b'')"], { env: environment });
            return { python, environment, scratch };
        } catch (error) {
            const stderr = ((error as { stderr?: string }).stderr ?? "").trim();
            failures.push(`${python}: ${stderr === "" ? (error as Error).message : stderr.split("\n").pop()}`);
        }
    }
    return {
        missing: `no python3 with the winrm module and MD4 (${failures.join("; ") || "no python3 found"}); install it with apt-get install -y python3-winrm, or set WSMAN_PYTHON`,
        scratch,
    };
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
