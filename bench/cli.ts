/**
 * `npm run bench:cli`: how fast the command line starts. Wall time and peak RSS of
 * `iis-asp-session --help` and of a drift audit of a one-server file inventory, against
 * `node -e 0` (the floor any Node command pays), as medians of repeated runs in fresh processes.
 * Goals (issue 19): --help at most 3x `node -e 0`; the audit at most 150 ms more than it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { projectRoot } from "../test/support/paths";
import { summarise, type Timing } from "./stats";

const REPETITIONS = 15;
const BIN = path.join(projectRoot, "dist", "cli", "main.js");

interface Run {
    timing: Timing;
    /** Median peak RSS, MiB (VmHWM as /usr/bin/time reports it). */
    rssMiB: number;
}

function measureCommand(args: readonly string[], expectedStatus: number): Run {
    const samples: number[] = [];
    const rss: number[] = [];
    const timeTool = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
    for (let i = 0; i < REPETITIONS; i++) {
        const started = performance.now();
        const result = timeTool === undefined
            ? spawnSync(process.execPath, args, { encoding: "utf8" })
            : spawnSync(timeTool, ["-f", "%M", process.execPath, ...args], { encoding: "utf8" });
        samples.push(performance.now() - started);
        if (result.status !== expectedStatus) throw new Error(`node ${args.join(" ")} exited ${String(result.status)}: ${result.stderr}`);
        if (timeTool !== undefined) rss.push(Number(result.stderr.trim().split("\n").pop()) / 1024);
    }
    return { timing: summarise(samples), rssMiB: rss.length === 0 ? NaN : summarise(rss).median };
}

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-bench-cli-"));
    try {
        fs.copyFileSync(path.join(projectRoot, "examples", "local", "applicationHost.config"), path.join(dir, "applicationHost.config"));
        const inventory = path.join(dir, "fleet.yaml");
        fs.writeFileSync(inventory, [
            `location: Default Web Site`,
            `settings: { timeout: "00:20:00" }`,
            `servers:`,
            `  - name: local`,
            `    target: { kind: file, path: ./applicationHost.config }`,
        ].join("\n") + "\n");
        const floor = measureCommand(["-e", "0"], 0);
        const help = measureCommand([BIN, "--help"], 0);
        const audit = measureCommand([BIN, "drift", inventory], 2);
        const row = (name: string, run: Run) =>
            `${name.padEnd(42)} ${run.timing.median.toFixed(0).padStart(6)} ms  (min ${run.timing.min.toFixed(0).padStart(4)})  ${run.rssMiB.toFixed(0).padStart(4)} MiB`;
        console.log(`command-line start-up, medians of ${REPETITIONS} fresh processes (${process.version}, ${os.cpus().length} CPUs)\n`);
        console.log(row("node -e 0", floor));
        console.log(row("iis-asp-session --help", help));
        console.log(row("iis-asp-session drift (1 local file)", audit));
        const ratio = help.timing.median / floor.timing.median;
        const extra = audit.timing.median - floor.timing.median;
        console.log(`\n--help: ${ratio.toFixed(2)}x node -e 0 (goal <= 3x: ${ratio <= 3 ? "met" : "NOT met"})`);
        console.log(`audit:  node -e 0 + ${extra.toFixed(0)} ms (goal <= 150 ms: ${extra <= 150 ? "met" : "NOT met"})`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main();
