/**
 * Peak resident memory of one process (VmHWM in /proc/<pid>/status), and its idle baseline, so a
 * peak can be stated against a goal honestly: Node itself (and, in the provider host, Pulumi's
 * gRPC stack) takes tens of MiB before the provider reads a byte. Linux only; elsewhere the
 * figures are undefined and the bench says "n/a".
 *
 * Run as a script (`node dist/bench/memory.js <diff|apply> <file> <location> <reps>`), it is the
 * "in process" side: a fresh Node process that loads the backend, records its idle RSS, resets
 * its peak, runs the operation `reps` times and prints one JSON line (MemoryFigures).
 */
import * as fs from "fs";

/** Kibibytes, as /proc reports them. */
export interface MemoryFigures {
    /** Resident set of the idle process (modules loaded, nothing read yet). */
    baselineKiB: number;
    /** Peak resident set while the operations ran (the peak was reset just before them). */
    peakKiB: number;
}

function statusField(pid: number | "self", field: "VmHWM" | "VmRSS"): number | undefined {
    try {
        const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return match ? Number(match[1]) : undefined;
    } catch {
        return undefined;
    }
}

export function residentKiB(pid: number | "self"): number | undefined {
    return statusField(pid, "VmRSS");
}

export function peakKiB(pid: number | "self"): number | undefined {
    return statusField(pid, "VmHWM");
}

/**
 * Resets the process's peak (VmHWM) to its current resident set ("5" to clear_refs, Linux 4.0+),
 * so one phase's peak is not an earlier phase's. False where that is not possible.
 */
export function resetPeak(pid: number | "self"): boolean {
    try {
        fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
        return true;
    } catch {
        return false;
    }
}

/** Peak minus baseline and peak against the file size, for the table. */
export function describeMemory(figures: MemoryFigures | undefined, fileBytes: number, goal: number): string[] {
    if (figures === undefined) return ["n/a", "n/a", "n/a", "n/a", `<= ${goal}x`, "n/a"];
    const mib = (kib: number) => (kib / 1024).toFixed(0);
    const ratio = (figures.peakKiB * 1024) / fileBytes;
    const overBaseline = ((figures.peakKiB - figures.baselineKiB) * 1024) / fileBytes;
    return [mib(figures.baselineKiB), mib(figures.peakKiB), ratio.toFixed(2), overBaseline.toFixed(2), `<= ${goal}x`, ratio <= goal ? "met" : "NOT met"];
}

async function probe(operation: string, file: string, location: string, repetitions: number): Promise<MemoryFigures> {
    // Loaded before the baseline: the modules are part of any process that runs the provider.
    const { XmlFileBackend } = await import("../provider/backends/xmlFile");
    const { LocalConfigFile } = await import("../provider/stores/local/localConfigFile");
    const backend = new XmlFileBackend(new LocalConfigFile(file));
    const baselineKiB = residentKiB("self");
    if (baselineKiB === undefined || !resetPeak("self")) throw new Error("cannot read or reset this process's peak RSS (/proc/self/status, /proc/self/clear_refs)");
    const timeouts = ["00:10:00", "00:15:00"];
    for (let repetition = 0; repetition < repetitions; repetition++) {
        if (operation === "diff") await backend.read(location);
        else await backend.write(location, { set: { timeout: timeouts[repetition % 2] }, restore: {}, remove: [] });
    }
    return { baselineKiB, peakKiB: peakKiB("self") as number };
}

if (require.main === module) {
    const [operation, file, location, reps] = process.argv.slice(2);
    if ((operation !== "diff" && operation !== "apply") || !file || location === undefined || !(Number(reps) >= 1)) {
        console.error("usage: node dist/bench/memory.js <diff|apply> <file> <location> <repetitions>");
        process.exit(2);
    }
    probe(operation, file, location, Number(reps)).then((figures) => console.log(JSON.stringify(figures)), (error: unknown) => {
        console.error(error instanceof Error ? error.stack ?? error.message : String(error));
        process.exitCode = 1;
    });
}
