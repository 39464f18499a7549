/**
 * `npm run bench`: on one synthesized 50 MB applicationHost.config (10,000 sites), times
 *   - our diff: XmlFileBackend.read (read file, hash, decode, scan, look up the location),
 *   - our apply with verify: XmlFileBackend.write (lock, read, scan, splice, check the edited
 *     region and verify, compare-and-swap atomic replace with backup and fsync, read back and compare),
 *   - `xmlstarlet ed -L -u` changing the same attribute (parse all, rewrite all),
 * and prints medians, minimums, the ratios against xmlstarlet with their goals, and peak RSS.
 * Then the provider's diff and apply through Pulumi's real dynamic-provider host against the same
 * methods called directly, on that file and on a real-sized one (about 70 KB).
 *
 * Options: --reps N (default 5), --sites N (default 10000). Files live in bench/.work/ (git-ignored).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { XmlFileBackend } from "../provider/backends/xmlFile";
import { BACKUP_SUFFIX, LocalConfigFile, LOCK_SUFFIX } from "../provider/stores/local/localConfigFile";
import { realSizedApplicationHost } from "../test/support/realSizedApplicationHost";
import { describeMemory, MemoryFigures } from "./memory";
import { measurePhases, PhaseTiming } from "./phases";
import { measure, Timing } from "./stats";
import { benchSite, DEFAULT_SITES, SynthesizedFile } from "./synthesize";
import { compareThroughHost, HostComparison } from "./throughHost";
import { findXmlstarlet, updateAttributeInPlace, XmlstarletTool } from "./xmlstarlet";

interface BenchOptions {
    repetitions: number;
    sites: number;
}

/** Goals (issue 21): an apply at most 0.4x xmlstarlet's one edit, a diff at most 0.3x. */
const APPLY_GOAL = 0.4;
const DIFF_GOAL = 0.3;
/** Peak RSS of a diff or an apply at most this many times the file's size, in process and in the provider host. */
const MEMORY_GOAL = 3;
/** Diffs or applies per memory probe (each in a fresh process). */
const MEMORY_REPETITIONS = 3;
/** Through the provider host, as users run it, at most this much slower than the direct call. */
const HOST_GOAL = 1.2;
/** Repetitions on the real-sized file, where one operation takes milliseconds. */
const SMALL_FILE_REPETITIONS = 40;
/** The value synthesize.ts writes at the bench site, and the two the applies alternate between. */
const ORIGINAL_TIMEOUT = "00:20:00";
const TIMEOUTS = ["00:10:00", "00:15:00"] as const;

function parseOptions(argv: readonly string[]): BenchOptions {
    const options: BenchOptions = { repetitions: 5, sites: DEFAULT_SITES };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i], value = Number(argv[i + 1]);
        if (flag !== "--reps" && flag !== "--sites") throw new Error(`unknown option ${JSON.stringify(flag)}; use --reps N or --sites N`);
        if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a whole number of at least 1, got ${JSON.stringify(argv[i + 1])}`);
        if (flag === "--reps") options.repetitions = value;
        else options.sites = value;
        i++;
    }
    return options;
}

/** Synthesizes in a child process, so that building 50 MB of text does not count in our peak RSS. */
function synthesize(file: string, sites: number): SynthesizedFile {
    const run = spawnSync(process.execPath, [path.join(__dirname, "synthesize.js"), file, String(sites)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`synthesizing ${file} failed: ${run.stderr || run.error?.message}`);
    return JSON.parse(run.stdout.trim().split("\n").pop() as string) as SynthesizedFile;
}

function freshCopy(from: string, to: string): void {
    for (const leftover of [to, to + BACKUP_SUFFIX, to + LOCK_SUFFIX]) fs.rmSync(leftover, { force: true });
    fs.copyFileSync(from, to);
}

function peakRssMiB(): number {
    return process.resourceUsage().maxRSS / 1024;
}

/** A diff or an apply in a fresh process (bench/memory.ts) on a fresh copy: its idle RSS and its peak. */
function probeMemory(operation: "diff" | "apply", pristine: string, file: string, location: string): MemoryFigures | undefined {
    freshCopy(pristine, file);
    const run = spawnSync(process.execPath, [path.join(__dirname, "memory.js"), operation, file, location, String(MEMORY_REPETITIONS)], { encoding: "utf8" });
    if (run.status !== 0) {
        console.log(`memory probe (${operation}) failed: ${run.stderr.trim() || run.error?.message}`);
        return undefined;
    }
    return JSON.parse(run.stdout.trim()) as MemoryFigures;
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const workDir = path.resolve(__dirname, "..", "..", "bench", ".work");
    fs.mkdirSync(workDir, { recursive: true });
    const pristine = path.join(workDir, "applicationHost.synthesized.config");
    const oursFile = path.join(workDir, "applicationHost.ours.config");
    const xmlstarletFile = path.join(workDir, "applicationHost.xmlstarlet.config");
    const location = `Site ${benchSite(options.sites)}`;
    const reps = options.repetitions;

    const synthesized = synthesize(pristine, options.sites);
    console.log(`file: ${path.relative(process.cwd(), pristine)}, ${formatBytes(synthesized.bytes)}, ${synthesized.sites} sites, ` +
        `${synthesized.locations} <location> elements (${synthesized.sessions} with <asp><session>)`);
    console.log(`edited location: "${location}" (timeout, existing attribute); ${reps} repetitions each; node ${process.version}\n`);

    freshCopy(pristine, oursFile);
    const backend = new XmlFileBackend(new LocalConfigFile(oursFile));
    const initial = await backend.read(location);
    if (initial.explicitRaw.timeout !== ORIGINAL_TIMEOUT) {
        throw new Error(`${oursFile}: expected ${location} to hold <session timeout="${ORIGINAL_TIMEOUT}" />, found ${JSON.stringify(initial.explicitRaw)}`);
    }
    const rssBefore = peakRssMiB();

    const diff = await measure(reps, async () => { await backend.read(location); });
    const rssAfterDiff = peakRssMiB();
    const apply = await measure(reps, async (repetition) => {
        const timeout = TIMEOUTS[repetition % 2];
        const result = await backend.write(location, { set: { timeout }, restore: {}, remove: [] });
        if (result.after.explicit.timeout !== timeout) throw new Error(`apply ${repetition + 1}: timeout is ${result.after.explicit.timeout}, expected ${timeout}`);
    });
    const rssAfterApply = peakRssMiB();

    const found = findXmlstarlet();
    let xmlstarlet: { timing: Timing; tool: XmlstarletTool; peakRssKiB?: number } | undefined;
    if ("tool" in found) {
        const tool = found.tool;
        const xpath = `/configuration/location[@path='${location}']/system.webServer/asp/session/@timeout`;
        let peakRssKiB: number | undefined;
        const timing = await measure(reps, (repetition) => {
            const run = updateAttributeInPlace(tool, xmlstarletFile, xpath, TIMEOUTS[repetition % 2]);
            peakRssKiB = Math.max(peakRssKiB ?? 0, run.peakRssKiB ?? 0) || undefined;
        }, () => freshCopy(pristine, xmlstarletFile));
        // Check that xmlstarlet really made the edit (untimed; read with our own reader).
        const edited = await new XmlFileBackend(new LocalConfigFile(xmlstarletFile)).read(location);
        if (edited.explicitRaw.timeout !== TIMEOUTS[(reps - 1) % 2]) {
            throw new Error(`xmlstarlet did not change ${location}: timeout is ${JSON.stringify(edited.explicitRaw.timeout)}`);
        }
        console.log(`xmlstarlet: ${tool.command} (${tool.version}), ed -L -u "${xpath}" on a fresh copy each time (copy untimed)\n`);
        xmlstarlet = { timing, tool, peakRssKiB };
    } else {
        console.log(`xmlstarlet: MISSING: ${found.missing}. Our numbers follow; the ratios cannot be computed.\n`);
    }

    const memory = { diff: probeMemory("diff", pristine, oursFile, location), apply: probeMemory("apply", pristine, oursFile, location) };
    const phases = await measurePhases(pristine, location, reps);
    const realSized = realSizedApplicationHost();
    const throughHost: HostRow[] = [
        { file: `${formatBytes(synthesized.bytes).split(" (")[0]}, "${location}"`, comparison: await compareThroughHost(pristine, workDir, location, TIMEOUTS, reps) },
        { file: `${(fs.statSync(realSized).size / 1e3).toFixed(0)} KB, server level`, comparison: await compareThroughHost(realSized, workDir, "", TIMEOUTS, SMALL_FILE_REPETITIONS) },
    ];
    console.log(`real-sized file: ${realSized}; ${SMALL_FILE_REPETITIONS} repetitions on it\n`);
    printResults({ diff, apply, xmlstarlet: xmlstarlet?.timing, xmlstarletRssKiB: xmlstarlet?.peakRssKiB, rssBefore, rssAfterDiff, rssAfterApply, bytes: synthesized.bytes, memory, phases, throughHost });
}

interface HostRow {
    file: string;
    comparison: HostComparison;
}

interface Results {
    diff: Timing;
    apply: Timing;
    xmlstarlet?: Timing;
    xmlstarletRssKiB?: number;
    rssBefore: number;
    rssAfterDiff: number;
    rssAfterApply: number;
    bytes: number;
    memory: { diff?: MemoryFigures; apply?: MemoryFigures };
    phases: PhaseTiming[];
    throughHost: HostRow[];
}

function printResults(results: Results): void {
    const rows: Array<[string, Timing | undefined]> = [
        ["our diff: XmlFileBackend.read", results.diff],
        ["our apply with verify: XmlFileBackend.write", results.apply],
        ["xmlstarlet ed -L -u (one attribute)", results.xmlstarlet],
    ];
    console.log(table(["", "median ms", "min ms"], rows.map(([label, timing]) =>
        [label, timing ? timing.median.toFixed(1) : "n/a", timing ? timing.min.toFixed(1) : "n/a"])));
    console.log();
    if (results.xmlstarlet) {
        const reference = results.xmlstarlet;
        const ratioRow = (label: string, ours: Timing, goal: number): string[] => {
            const ratio = ours.median / reference.median;
            return [label, ratio.toFixed(2), (ours.min / reference.min).toFixed(2), `<= ${goal.toFixed(1)}`, ratio <= goal ? "met" : "NOT met"];
        };
        console.log(table(["ratio", "of medians", "of minimums", "goal", "goal (medians)"], [
            ratioRow("apply / xmlstarlet", results.apply, APPLY_GOAL),
            ratioRow("diff / xmlstarlet", results.diff, DIFF_GOAL),
        ]));
    } else {
        console.log("ratios: n/a (xmlstarlet missing)");
    }
    console.log();
    console.log(table(["memory and size", "value"], [
        ["file size", formatBytes(results.bytes)],
        ["our peak RSS after setup (one read)", `${results.rssBefore.toFixed(0)} MiB`],
        ["our peak RSS after the diffs", `${results.rssAfterDiff.toFixed(0)} MiB`],
        ["our peak RSS after the applies", `${results.rssAfterApply.toFixed(0)} MiB`],
        ["xmlstarlet peak RSS (GNU time)", results.xmlstarletRssKiB ? `${(results.xmlstarletRssKiB / 1024).toFixed(0)} MiB` : "n/a"],
    ]));
    console.log();
    const big = results.throughHost[0]?.comparison.hostMemory;
    const memoryRows: Array<[string, MemoryFigures | undefined]> = [
        ["diff, in process (fresh node, XmlFileBackend.read)", results.memory.diff],
        ["apply, in process (fresh node, XmlFileBackend.write)", results.memory.apply],
        ["diff, through the provider host", big?.diff],
        ["apply, through the provider host", big?.apply],
    ];
    console.log(table(["peak RSS (VmHWM) on the file above", "idle MiB", "peak MiB", "peak / file", "(peak - idle) / file", "goal", "goal (peak)"],
        memoryRows.map(([label, figures]) => [label, ...describeMemory(figures, results.bytes, MEMORY_GOAL)])));
    console.log("idle: the same process before the operations (Node and the modules loaded; for the host, after Configure); peak reset just before them\n");
    console.log(table(["where the time goes (same file)", "median ms", "min ms"],
        results.phases.map(({ phase, timing }) => [phase, timing.median.toFixed(1), timing.min.toFixed(1)])));
    console.log();
    const hostRows: string[][] = [];
    for (const { file, comparison } of results.throughHost) {
        for (const [operation, direct, hosted] of [["diff", comparison.diffDirect, comparison.diffHost], ["apply", comparison.applyDirect, comparison.applyHost]] as const) {
            const ratio = hosted.median / direct.median;
            hostRows.push([`${operation}, ${file}`, direct.median.toFixed(1), hosted.median.toFixed(1), (hosted.median - direct.median).toFixed(1),
                comparison.roundTrip.median.toFixed(1), ratio.toFixed(2), (hosted.min / direct.min).toFixed(2), `<= ${HOST_GOAL.toFixed(1)}`, ratio <= HOST_GOAL ? "met" : "NOT met"]);
        }
    }
    console.log(table(["provider host (gRPC) vs direct call", "direct median ms", "host median ms", "added ms", "empty round trip ms", "host/direct", "of minimums", "goal", "goal (medians)"], hostRows));
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]): string => cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join("  ");
    return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

function formatBytes(bytes: number): string {
    return `${(bytes / 1e6).toFixed(1)} MB (${bytes.toLocaleString("en-US")} bytes)`;
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
});
