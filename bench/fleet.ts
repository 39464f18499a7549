/**
 * `npm run bench:fleet`: a fleet rollout of 200 servers, each its own WS-Management test server
 * (test/support/wsman, NTLM with message encryption over HTTP) with 20 ms of latency before every
 * HTTP response, run by examples/fleet through Pulumi's real dynamic-provider host and the engine
 * stand-in at the engine's default parallelism (4 x CPUs, as `pulumi up` without --parallel).
 *
 * PowerShell is replaced by an instant in-memory responder (bench/instantPowerShell.ts): the
 * numbers measure round trips, the WinRM protocol, the provider host and the engine, not
 * PowerShell's own start-up and run time (about 0.5-1 s per command on a real server).
 *
 * The servers run in a worker thread (bench/fleetServers.ts): real servers are other machines, and
 * on the bench's own event loop their work delayed the engine stand-in's. `--servers-in-process`
 * puts them back on that loop, to compare.
 *
 * For each phase it prints the wall time beside the ideal: for every batch, the waves of
 * `parallelism` servers it needs, times the HTTP round trips per server the servers counted,
 * times the latency; and whether the phase is within 1.5x of it. Beside it: how long the program
 * took to register its resources before the engine's first step (the Pulumi runtime's work per
 * resource, which no round trip overlaps), and the CPU time of the processes. Then the peak memory
 * of both processes and the bytes of state per resource.
 *
 * Options: --servers N (200), --latency MS (20), --parallel P (4 x CPUs), --servers-in-process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { auditFleet } from "../cli/drift/audit";
import { runProgram, StackState } from "../examples/engine/mockEngine";
import { ProviderHost } from "../examples/engine/providerHost";
import { closePooledRunners } from "../provider/carriers/pool";
import { loadInventory } from "../sdk/fleet/inventory";
import { planBatches, resolveRollout } from "../sdk/fleet/rollout";
import { projectRoot } from "../test/support/paths";
import { startFleetServers } from "./fleetServers";

const USER = { username: "BENCH\\operator", password: "bench-password" };
const ROLLOUT = { canary: 1, batchSize: "25%" };
/** The goal of issue 21: every phase within this factor of its ideal. */
const GOAL = 1.5;

function option(name: string, fallback: number): number {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** CPU seconds (user + system) a process has used so far: /proc/<pid>/stat fields 14 and 15, in clock ticks. */
function cpuSeconds(pid: number | "self" | "thread-self"): number {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds this thread (the engine stand-in and the program) has used so far. */
function threadCpuSeconds(): number {
    return cpuSeconds("thread-self");
}

/** Peak resident memory of a process (Linux VmHWM), in MB. */
function peakMb(pid: number | "self"): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
}

async function main(): Promise<void> {
    const count = option("servers", 200);
    const latencyMs = option("latency", 20);
    const parallelism = option("parallel", 4 * os.cpus().length);
    const serversInProcess = process.argv.includes("--servers-in-process");
    const workDir = path.join(projectRoot, "bench", ".work", "fleet");
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });

    console.log(`Fleet rollout benchmark: ${count} servers, each a WS-Man test server with ${latencyMs} ms latency per HTTP response, NTLM + encryption over HTTP;`);
    console.log(`engine parallelism ${parallelism} (4 x ${os.cpus().length} CPUs); rollout ${JSON.stringify(ROLLOUT)}, no health check.`);
    console.log(`PowerShell is an instant in-memory responder: this measures protocol, transport, provider host and engine overhead only.\n`);

    const fleet = await startFleetServers({ count, latencyMs, user: USER, workDir, inProcess: serversInProcess });
    const servers = fleet.endpoints;
    const inventory = path.join(workDir, "fleet.yaml");
    const writeInventory = (timeout: string) => fs.writeFileSync(inventory, [
        "location: Default Web Site/shop",
        `settings: { timeout: "${timeout}", max: 2000 }`,
        "servers:",
        ...servers.flatMap((server, i) => [`  - name: web${String(i + 1).padStart(3, "0")}`,
            `    target: { kind: winrm, host: ${server.host}, port: ${server.port}, username: "BENCH\\\\operator", passwordEnv: BENCH_WINRM_PASSWORD }`]),
    ].join("\n") + "\n");
    process.env.BENCH_WINRM_PASSWORD = USER.password;
    writeInventory("00:10:00");

    const resolved = resolveRollout(ROLLOUT, count);
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.failures));
    const batchSizes = planBatches(servers, resolved.rollout).map((batch) => batch.length);
    const waves = (sizes: number[]) => sizes.reduce((sum, size) => sum + Math.ceil(size / parallelism), 0);

    const host = await ProviderHost.start({ cwd: projectRoot });
    const rows: string[][] = [];
    try {
        await host.configure();
        const state: StackState = {};
        const run = (mode: "preview" | "up") => runProgram({
            host, state, mode, parallelism, program: path.join(projectRoot, "dist", "examples", "fleet", "index.js"),
            project: "iis-asp-session-fleet", stack: "bench", config: { inventory, rollout: JSON.stringify(ROLLOUT) },
        });
        const cpu = () => cpuSeconds("self") + (host.pid ? cpuSeconds(host.pid) : 0);
        // The engine's first step of a phase is its first Check (each step starts with one); noted
        // by the wrapped check while the phase runs.
        type StepMark = { at: number; engineCpu: number };
        const seen: { firstStep?: StepMark } = {};
        const check = host.check.bind(host);
        host.check = (...args) => {
            seen.firstStep ??= { at: performance.now(), engineCpu: threadCpuSeconds() };
            return check(...args);
        };
        const phase = async (name: string, sizes: number[], work: () => Promise<unknown>) => {
            const before = await fleet.requests();
            const cpuBefore = cpu();
            const engineCpuBefore = threadCpuSeconds();
            const hostCpuBefore = host.pid ? cpuSeconds(host.pid) : NaN;
            seen.firstStep = undefined;
            const started = performance.now();
            await work();
            const wall = performance.now() - started;
            const cpuUsed = cpu() - cpuBefore;
            const engineCpu = threadCpuSeconds() - engineCpuBefore;
            const hostCpu = (host.pid ? cpuSeconds(host.pid) : NaN) - hostCpuBefore;
            const perServer = ((await fleet.requests()) - before) / count;
            const ideal = waves(sizes) * perServer * latencyMs;
            const ratio = wall / ideal;
            // Set by the wrapped check during `work`, which the compiler cannot see.
            const firstStep = seen.firstStep as StepMark | undefined;
            rows.push([name, `${(wall / 1000).toFixed(2)} s`, `${(ideal / 1000).toFixed(2)} s`, `${perServer.toFixed(1)}`, `${waves(sizes)}`, `${ratio.toFixed(2)}x`,
                ratio <= GOAL ? "met" : "NOT met", firstStep === undefined ? "-" : `${((firstStep.at - started) / 1000).toFixed(2)} s (CPU ${(firstStep.engineCpu - engineCpuBefore).toFixed(2)} s)`,
                `${cpuUsed.toFixed(1)} s (${((cpuUsed * 1000) / wall / os.cpus().length * 100).toFixed(0)}% of ${os.cpus().length} CPUs)`, `${engineCpu.toFixed(1)} s`, `${hostCpu.toFixed(1)} s`]);
        };
        await phase("apply: first rollout (create)", batchSizes, () => run("up"));
        writeInventory("00:20:00");
        await phase("preview: a changed timeout", batchSizes, () => run("preview"));
        await phase("apply: the change (diff + update)", batchSizes, () => run("up"));
        await phase("drift audit (cold connections)", [count], () => auditFleet(loadInventory(inventory), { concurrency: parallelism }));

        const header = ["phase", "wall", "ideal", "round trips/server", "waves", "wall/ideal", `<= ${GOAL}x`, "program until first step (its CPU)", "CPU (both processes)", "CPU (engine thread)", "CPU (provider host)"];
        const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
        for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join("  "));
        const worst = Math.max(...rows.map((row) => parseFloat(row[5])));
        console.log(`\nGoal: every phase within ${GOAL}x of the ideal: ${worst <= GOAL ? "met" : "NOT met"} (worst ${worst.toFixed(2)}x).`);
        console.log(`Batches: ${JSON.stringify(batchSizes)}; ideal = sum over batches of ceil(size / ${parallelism}) x round trips per server x ${latencyMs} ms.`);
        console.log(`Load average during the run: ${os.loadavg().map((load) => load.toFixed(1)).join(", ")} (1, 5, 15 min) on ${os.cpus().length} CPUs: other work on the machine stretches wall time.`);
        console.log(`Servers: ${serversInProcess ? "on the bench's own event loop (--servers-in-process)" : "in a worker thread of the bench process"}.`);
        console.log(`CPU (both processes): this process (the program, the engine stand-in and all ${count} WS-Man servers' NTLM and XML work) plus the provider host; near 100% means the phase is CPU-bound on this machine, not latency-bound.`);
        console.log(`CPU (engine thread): the bench's main thread alone (program, Pulumi runtime, engine stand-in, gRPC client${serversInProcess ? ", and the servers" : ""}).`);

        const members = Object.values(state).filter((resource) => resource.type.endsWith(":AspSessionSettings"));
        const gates = Object.values(state).filter((resource) => resource.type.endsWith(":FleetHealthGate"));
        const bytes = (list: typeof members) => list.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0) / Math.max(1, list.length);
        const provider = members.length > 0 ? Buffer.byteLength(String(members[0].inputs.__provider ?? "")) : 0;
        console.log(`\nState: ${Math.round(bytes(members)).toLocaleString("en")} bytes per AspSessionSettings (of which the serialised provider, in inputs and outputs: 2 x ${provider.toLocaleString("en")}), ${Math.round(bytes(gates)).toLocaleString("en")} per health gate.`);
        console.log(`Peak memory (VmHWM): this process (engine stand-in, program and the ${count} WS-Man servers) ${peakMb("self").toFixed(0)} MB; provider host ${host.pid ? peakMb(host.pid).toFixed(0) : "?"} MB.`);
    } finally {
        await host.stop();
        await closePooledRunners();
        await fleet.close();
    }
}

main().catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
});
