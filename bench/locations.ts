/**
 * `npm run bench:locations`: every operation of the provider through Pulumi's real provider host
 * (check, create, read, diff, update, delete), on two files of similar size: bench/synthesize.ts's
 * 10,000 sites (about 50 MB, 22,000 `<location>` elements) and bench/synthesizeLocations.ts's
 * 300,000 small `<location>` elements (about 64 MB). Prints each operation's median on both, their
 * ratio against the goal (the many-locations file at most 2x the sites file), and the host's peak
 * RSS (VmHWM) against at most 3x the file's size. Each shape gets its own host, so its peak is its
 * own.
 *
 * Options: --reps N (default 3). Files live in bench/.work/ (git-ignored).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { ProviderHost, Properties } from "../examples/engine/providerHost";
import { PROVIDER_REFERENCE } from "../sdk/providerReference";
import { projectRoot } from "../test/support/paths";
import { summarise, Timing } from "./stats";
import { benchSite, DEFAULT_SITES, SynthesizedFile } from "./synthesize";
import { DEFAULT_LOCATION_SITES, lastLocation } from "./synthesizeLocations";

/** The many-locations file's operations at most this many times the sites file's. */
const TIME_GOAL = 2.0;
/** The host's peak RSS at most this many times the file's size. */
const MEMORY_GOAL = 3.0;
const TIMEOUTS = ["00:10:00", "00:15:00"] as const;
const URN = "urn:pulumi:bench::bench::pulumi-nodejs:dynamic/iis:AspSessionSettings::locations";
const OPERATIONS = ["check", "create", "read", "diff", "update", "delete"] as const;
type Operation = typeof OPERATIONS[number];

interface Shape {
    name: string;
    /** Names its copy in bench/.work/. */
    slug: string;
    file: SynthesizedFile;
    location: string;
}

interface ShapeResult {
    shape: Shape;
    timings: Record<Operation, Timing>;
    rssAfterCheckMiB: number;
    peakRssMiB: number;
}

function parseRepetitions(argv: readonly string[]): number {
    if (argv.length === 0) return 3;
    const value = Number(argv[1]);
    if (argv[0] !== "--reps" || argv.length !== 2 || !Number.isInteger(value) || value < 1) {
        throw new Error(`usage: bench:locations [--reps N] (N a whole number of at least 1), got ${JSON.stringify(argv.join(" "))}`);
    }
    return value;
}

/** Synthesizes in a child process, as run.ts does: the text is built apart from what is measured. */
function synthesize(script: string, file: string, sites: number): SynthesizedFile {
    const run = spawnSync(process.execPath, [path.join(__dirname, script), file, String(sites)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`synthesizing ${file} failed: ${run.stderr || run.error?.message}`);
    return JSON.parse(run.stdout.trim().split("\n").pop() as string) as SynthesizedFile;
}

/** A process's peak resident set (VmHWM in /proc), in MiB. */
function peakRssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (!kib) throw new Error(`/proc/${pid}/status has no VmHWM line`);
    return Number(kib[1]) / 1024;
}

/** One host on a copy of the file: the checks first (a preview), then create, read, diff, update, delete per repetition. */
async function benchShape(shape: Shape, workDir: string, repetitions: number): Promise<ShapeResult> {
    const file = path.join(workDir, `applicationHost.${shape.slug}.host.config`);
    for (const leftover of fs.readdirSync(workDir).filter((name) => name.startsWith(path.basename(file)))) fs.rmSync(path.join(workDir, leftover), { force: true });
    fs.copyFileSync(shape.file.path, file);
    const inputs = (timeout: string): Properties => ({ __provider: PROVIDER_REFERENCE, target: { kind: "file", path: file }, location: shape.location, onDelete: "restore", timeout });
    const samples: Record<Operation, number[]> = { check: [], create: [], read: [], diff: [], update: [], delete: [] };
    const timed = async <T>(operation: Operation, work: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        const result = await work();
        samples[operation].push(performance.now() - started);
        return result;
    };
    const host = await ProviderHost.start({ cwd: projectRoot, callTimeoutMs: 600_000 });
    try {
        await host.configure();
        const pid = host.pid as number;
        for (let repetition = 0; repetition < repetitions; repetition++) {
            const checked = await timed("check", () => host.check(URN, {}, inputs(TIMEOUTS[0])));
            if (checked.failures.length > 0) throw new Error(`check on ${file} failed: ${JSON.stringify(checked.failures)}`);
        }
        const rssAfterCheckMiB = peakRssMiB(pid);
        for (let repetition = 0; repetition < repetitions; repetition++) {
            const created = await timed("create", () => host.create(URN, inputs(TIMEOUTS[0])));
            const read = await timed("read", () => host.read(created.id, URN, created.properties, inputs(TIMEOUTS[0])));
            if (read.properties.timeout !== TIMEOUTS[0]) throw new Error(`read of ${shape.location} in ${file}: timeout is ${String(read.properties.timeout)}, expected ${TIMEOUTS[0]}`);
            const diff = await timed("diff", () => host.diff(created.id, URN, read.properties, inputs(TIMEOUTS[1])));
            if (diff.changes !== "some") throw new Error(`diff of ${shape.location} in ${file}: ${diff.changes}, expected "some"`);
            const updated = await timed("update", () => host.update(created.id, URN, read.properties, inputs(TIMEOUTS[1])));
            if (updated.properties.timeout !== TIMEOUTS[1]) throw new Error(`update of ${shape.location} in ${file}: timeout is ${String(updated.properties.timeout)}, expected ${TIMEOUTS[1]}`);
            await timed("delete", () => host.delete(created.id, URN, updated.properties));
        }
        const restored = fs.readFileSync(file).equals(fs.readFileSync(shape.file.path));
        if (!restored) throw new Error(`${file}: after delete (onDelete "restore") the file differs from the synthesized one`);
        const timings = Object.fromEntries(OPERATIONS.map((operation) => [operation, summarise(samples[operation])])) as Record<Operation, Timing>;
        return { shape, timings, rssAfterCheckMiB, peakRssMiB: peakRssMiB(pid) };
    } finally {
        await host.stop();
        for (const leftover of fs.readdirSync(workDir).filter((name) => name.startsWith(path.basename(file)))) fs.rmSync(path.join(workDir, leftover), { force: true });
    }
}

function mib(bytes: number): number {
    return bytes / (1024 * 1024);
}

function verdict(met: boolean): string {
    return met ? "met" : "NOT met";
}

function printResults(sites: ShapeResult, locations: ShapeResult, repetitions: number): void {
    for (const { shape } of [sites, locations]) {
        console.log(`${shape.name}: ${shape.file.path}, ${(shape.file.bytes / 1e6).toFixed(1)} MB, ${shape.file.sites} sites, ` +
            `${shape.file.locations.toLocaleString("en-US")} <location> elements; edited location "${shape.location}"`);
    }
    console.log(`${repetitions} repetitions of each operation, through Pulumi's provider host; node ${process.version}\n`);
    const rows = OPERATIONS.map((operation) => {
        const ratio = locations.timings[operation].median / sites.timings[operation].median;
        return [operation, sites.timings[operation].median.toFixed(0), locations.timings[operation].median.toFixed(0),
            locations.timings[operation].min.toFixed(0), ratio.toFixed(2), `<= ${TIME_GOAL.toFixed(1)}`, verdict(ratio <= TIME_GOAL)];
    });
    console.log(table(["operation", `${sites.shape.name} median ms`, `${locations.shape.name} median ms`, "min ms", "ratio", "goal", "goal (medians)"], rows));
    console.log();
    const memoryRows = [sites, locations].flatMap(({ shape, rssAfterCheckMiB, peakRssMiB: peak }) => {
        const fileMiB = mib(shape.file.bytes);
        return [
            [`${shape.name}: host peak RSS after the checks`, `${rssAfterCheckMiB.toFixed(0)} MiB`, `${(rssAfterCheckMiB / fileMiB).toFixed(1)}x`, `<= ${MEMORY_GOAL.toFixed(1)}x`, verdict(rssAfterCheckMiB <= MEMORY_GOAL * fileMiB)],
            [`${shape.name}: host peak RSS after every operation`, `${peak.toFixed(0)} MiB`, `${(peak / fileMiB).toFixed(1)}x`, `<= ${MEMORY_GOAL.toFixed(1)}x`, verdict(peak <= MEMORY_GOAL * fileMiB)],
        ];
    });
    console.log(table(["memory (VmHWM of the host)", "value", "of the file", "goal", "goal"], memoryRows));
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]): string => cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join("  ");
    return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
    const repetitions = parseRepetitions(process.argv.slice(2));
    const workDir = path.resolve(__dirname, "..", "..", "bench", ".work");
    fs.mkdirSync(workDir, { recursive: true });
    const sitesShape: Shape = {
        name: "10,000 sites", slug: "sites",
        file: synthesize("synthesize.js", path.join(workDir, "applicationHost.sites.config"), DEFAULT_SITES),
        location: `Site ${benchSite(DEFAULT_SITES)}`,
    };
    const locationsShape: Shape = {
        name: "300,000 locations", slug: "locations",
        file: synthesize("synthesizeLocations.js", path.join(workDir, "applicationHost.locations.config"), DEFAULT_LOCATION_SITES),
        location: lastLocation(DEFAULT_LOCATION_SITES),
    };
    const sites = await benchShape(sitesShape, workDir, repetitions);
    const locations = await benchShape(locationsShape, workDir, repetitions);
    printResults(sites, locations, repetitions);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
});
