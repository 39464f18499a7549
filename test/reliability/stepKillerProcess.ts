/**
 * A provider operation that kills itself at one chosen step:
 * `node stepKillerProcess.js '<StepKillerJob as JSON>'`. A step is one call into the file system
 * that may change it (an open to write, write, fsync, chmod, chown, link, rename, remove, ...), counted
 * from 1 as the provider
 * makes them; before step `killAt` runs, the process sends itself SIGKILL, so it dies exactly
 * there, as a power cut or an OOM kill would stop it. Without a kill it prints one line:
 * `{"steps": <count>, "result": <what the operation returned>}`.
 */
import fs = require("fs");

export type StepKillerJob =
    | { operation: "create"; inputs: Record<string, unknown>; killAt: number }
    | { operation: "update"; id: string; olds: Record<string, unknown>; news: Record<string, unknown>; killAt: number }
    | { operation: "delete"; id: string; props: Record<string, unknown>; killAt: number };

const job = JSON.parse(process.argv[2] ?? "{}") as StepKillerJob;
let steps = 0;

function step(): void {
    steps++;
    if (steps === job.killAt) process.kill(process.pid, "SIGKILL");
}

/** True for open flags that may change the file system (an open to read only changes nothing a crash could leave). */
function writes(flags: unknown): boolean {
    if (typeof flags === "string") return /[wax+]/.test(flags);
    if (typeof flags === "number") return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0;
    return false;
}

/** Counts each call of `object[name]` as a step, before it runs (opens only when they may write). */
function instrument(object: Record<string, unknown>, names: string[]): void {
    for (const name of names) {
        const original = object[name];
        if (typeof original !== "function") continue;
        object[name] = function (this: unknown, ...args: unknown[]) {
            if (!name.startsWith("open") || writes(args[1])) step();
            return (original as (...a: unknown[]) => unknown).apply(this, args);
        };
    }
}

async function main(): Promise<void> {
    // The FileHandle class is not exported: take its prototype from a handle.
    const probe = await fs.promises.open(__filename, "r");
    const handlePrototype = Object.getPrototypeOf(probe) as Record<string, unknown>;
    await probe.close();
    instrument(handlePrototype, ["write", "writeFile", "sync", "datasync", "chmod", "chown", "truncate"]);
    instrument(fs.promises as unknown as Record<string, unknown>, ["open", "writeFile", "rename", "link", "rm", "unlink", "chmod", "chown", "copyFile", "mkdir"]);
    instrument(fs as unknown as Record<string, unknown>, ["openSync", "writeFileSync", "renameSync", "linkSync", "rmSync", "unlinkSync", "copyFileSync", "fsyncSync", "chmodSync", "chownSync"]);

    // Loaded after the file system is instrumented (its imports read fs's properties at call time anyway).
    const { createAspSessionProvider } = require("../../provider") as typeof import("../../provider");
    const provider = createAspSessionProvider();
    steps = 0;
    let result: unknown;
    switch (job.operation) {
        case "create": result = await provider.create(job.inputs); break;
        case "update": result = await provider.update!(job.id, job.olds, job.news); break;
        case "delete": result = await provider.delete!(job.id, job.props); break;
    }
    process.stdout.write(JSON.stringify({ steps, result: result ?? null }) + "\n");
}

main().catch((error: unknown) => {
    process.stderr.write(`step killer failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
});
