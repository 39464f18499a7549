/**
 * `npm run bench:winrm`: our WinRM client and PowerShell backend against pywinrm, side by side,
 * on the in-repo WS-Management test server (test/support/wsman) with 20 ms of latency before
 * every HTTP response, NTLM over HTTP with message encryption, on a temporary copy of a real
 * applicationHost.config. For each operation (a diff: IisApiBackend.read; an apply:
 * IisApiBackend.write changing the timeout), warm (connection, NTLM session and, for us, the
 * shell reused) and cold (a new runner / a new pywinrm Session per operation), it prints the wall
 * time per operation, the HTTP requests per operation (which of ours were on the critical path),
 * the ratios pywinrm / ours and whether the goals hold.
 *
 * pywinrm runs our own command lines with Session.run_cmd (the gzip loader from
 * prepareInvocation; run_ps would put the script on the command line as -encodedcommand, over
 * cmd.exe's 8191 characters), so both clients make the server run the identical scripts.
 *
 * Two phases:
 * - protocol: what the clients themselves cost. Each distinct command line runs once in real
 *   PowerShell 7 (during the untimed warm-up) and its recorded output is replayed after that, so
 *   the server's program costs next to nothing and the times are the clients' and the wire's.
 * - real PowerShell: the same operations with a new pwsh process behind every command, as a
 *   server would run them (fewer repetitions: each costs a PowerShell start-up).
 *
 * A third phase compares our own authentication schemes on the protocol phase's terms: NTLM
 * against Kerberos (SPNEGO and raw, from a ticket cache and from a password) against a throwaway
 * MIT realm on loopback (test/support/krb5), warm and cold.
 *
 * Options: --warm N (default 20), --cold N (default 5), --latency MS (default 20),
 * --pwsh-warm N (default 3), --pwsh-cold N (default 2).
 */
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { IisApiBackend } from "../provider/backends/iisApi";
import { parseScriptOutput, prepareInvocation, type ApplyRequest, type ReadRequest } from "../provider/powershell";
import { WinrmCommandRunner } from "../provider/carriers/winrm";
import { projectRoot, sharedFile } from "../test/support/paths";
import { pwshOrThrow, started as pwshProcesses, type ProcessResult } from "../test/support/pwsh";
import { kerberosUnavailable, startKrb5Realm, withEnvironment } from "../test/support/krb5";
import { scratchWindows } from "../test/support/windowsFolder";
import {
    startRealPowerShell, startWsmanServer, type PowerShellStarter, type RequestKind, type WsmanServer, type WsmanServerStats,
} from "../test/support/wsman";
import { findPywinrm, PywinrmDriver, type Connection, type PywinrmInvocation } from "./pywinrm";
import { summarise, type Timing } from "./stats";

interface WinrmBenchOptions {
    warm: number;
    cold: number;
    latencyMs: number;
    pwshWarm: number;
    pwshCold: number;
}

const FLAGS = { "--warm": "warm", "--cold": "cold", "--latency": "latencyMs", "--pwsh-warm": "pwshWarm", "--pwsh-cold": "pwshCold" } as const;

type OperationKind = "diff" | "apply";

const LOCATION = "Default Web Site";
const USER = { username: "BENCH\\operator", password: "bench-password" } as const;
/** The applies alternate between these, so every one really changes the file. */
const TIMEOUTS = ["00:10:00", "00:15:00"] as const;
/** Goals: an operation at least this many times faster than pywinrm's ... */
const SPEEDUP_GOAL = 2;
/** ... and at most this many HTTP requests on its critical path on a warm connection. */
const WARM_CRITICAL_REQUESTS_GOAL = 4;
const WARM_UP_OPERATIONS = 2;
/** How the request table names what is not a WS-Man action. */
const REQUEST_LABELS: Partial<Record<RequestKind, string>> = { authentication: "NTLM leg", rejected: "401 (no credentials sent)" };
const KINDS: readonly RequestKind[] = ["authentication", "Create", "Command", "Send", "Receive", "Signal", "Delete", "rejected", "unreadable"];

function parseOptions(argv: readonly string[]): WinrmBenchOptions {
    const options: WinrmBenchOptions = { warm: 20, cold: 5, latencyMs: 20, pwshWarm: 3, pwshCold: 2 };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i], value = Number(argv[i + 1]);
        if (!(flag in FLAGS)) throw new Error(`unknown option ${JSON.stringify(flag)}; use ${Object.keys(FLAGS).map((name) => `${name} N`).join(", ")}`);
        const least = flag === "--latency" ? 0 : 1;
        if (!Number.isInteger(value) || value < least) throw new Error(`${flag} needs a whole number of at least ${least}, got ${JSON.stringify(argv[i + 1])}`);
        options[FLAGS[flag as keyof typeof FLAGS]] = value;
        i++;
    }
    return options;
}

/** HTTP requests the server saw, by kind. */
type RequestCounts = Record<RequestKind, number>;

function countsBetween(before: WsmanServerStats, after: WsmanServerStats): RequestCounts {
    return Object.fromEntries(KINDS.map((kind) => [kind, after.requestsByKind[kind] - before.requestsByKind[kind]])) as RequestCounts;
}

function total(counts: RequestCounts): number {
    return KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

/** One operation as measured. */
interface Sample {
    ms: number;
    /** Every request of the operation, the deferred Signal included. */
    requests: RequestCounts;
    /** Requests the server had received when the operation resolved (ours: the rest is the deferred Signal). */
    critical: number;
    /** Time the server's program (real or replayed PowerShell) took during the operation. */
    programMs: number;
}

interface Measured {
    timing: Timing;
    samples: Sample[];
}

function measured(samples: Sample[]): Measured {
    return { timing: summarise(samples.map((sample) => sample.ms)), samples };
}

/** The server's program, timed: how much of an operation the server spends running the script. */
class ProgramClock {
    ms = 0;
    constructor(private readonly inner: PowerShellStarter) {}

    readonly start: PowerShellStarter = (commandLine, context) => {
        const started = performance.now();
        const program = this.inner(commandLine, context);
        return { ...program, result: program.result.finally(() => { this.ms += performance.now() - started; }) };
    };
}

/**
 * Real PowerShell for the first run of each command line, its recorded output afterwards: for
 * the protocol phase, where only the clients and the wire are measured.
 */
function replayingPowerShell(): PowerShellStarter {
    const recorded = new Map<string, Promise<ProcessResult>>();
    return (commandLine, context) => {
        let result = recorded.get(commandLine);
        if (result === undefined) {
            const program = startRealPowerShell(commandLine, context);
            program.endInput();
            result = program.result;
            recorded.set(commandLine, result);
        }
        return { write: () => undefined, endInput: () => undefined, result, kill: () => undefined };
    };
}

/** Which timeout the next apply writes: always the one the file does not hold. */
class TimeoutToggle {
    constructor(private current: string | undefined) {}

    next(): string {
        return this.current === TIMEOUTS[0] ? TIMEOUTS[1] : TIMEOUTS[0];
    }

    written(value: string): void {
        this.current = value;
    }
}

interface Bench {
    readonly server: WsmanServer;
    /** A new runner for a cold operation. */
    readonly newRunner: () => WinrmCommandRunner;
    readonly program: ProgramClock;
    readonly timeouts: TimeoutToggle;
    readonly settleMs: number;
}

function newRunner(server: WsmanServer): WinrmCommandRunner {
    return new WinrmCommandRunner({ host: "127.0.0.1", port: server.port, https: false, auth: "ntlm", username: USER.username, password: USER.password });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Our operation on `runner`, checked (the check is part of what a provider does with the result). */
async function ourOperation(bench: Bench, runner: WinrmCommandRunner, kind: OperationKind): Promise<void> {
    const backend = new IisApiBackend(runner);
    if (kind === "diff") {
        const reading = await backend.read(LOCATION);
        if (reading.effective.timeout === undefined) throw new Error(`our diff at ${LOCATION}: no effective timeout in ${JSON.stringify(reading)}`);
        return;
    }
    const timeout = bench.timeouts.next();
    const result = await backend.write(LOCATION, { set: { timeout }, restore: {}, remove: [] });
    if (result.after.explicit.timeout !== timeout) throw new Error(`our apply at ${LOCATION}: timeout is ${result.after.explicit.timeout}, expected ${timeout}`);
    bench.timeouts.written(timeout);
}

/**
 * One of our operations. Cold: a new runner (connect, NTLM handshake, shell), closed afterwards
 * (untimed; its Delete is not counted, since a pooled runner keeps its shell for later operations).
 * After the operation, waits (untimed) for the deferred Signal to be answered, unless
 * `backToBack`, where the next operation queues behind it, as in a busy provider.
 */
async function ourSample(bench: Bench, kind: OperationKind, warmRunner: WinrmCommandRunner | undefined, backToBack = false): Promise<Sample> {
    const { server, program } = bench;
    const before = server.stats;
    const programBefore = program.ms;
    const started = performance.now();
    const runner = warmRunner ?? bench.newRunner();
    await ourOperation(bench, runner, kind);
    const ms = performance.now() - started;
    const resolved = server.stats;
    if (!backToBack) await sleep(bench.settleMs);
    const settled = server.stats;
    const sample = { ms, requests: countsBetween(before, settled), critical: resolved.httpRequests - before.httpRequests, programMs: program.ms - programBefore };
    if (warmRunner === undefined) await runner.close();
    return sample;
}

function invocationOf(request: ReadRequest | ApplyRequest): PywinrmInvocation {
    const { command } = prepareInvocation(request);
    if (prepareInvocation(request).delivery !== "commandLine") throw new Error(`${request.op} at ${request.location} does not fit the command line`);
    return { command: command.command, args: [...command.arguments] };
}

/** pywinrm running what IisApiBackend runs: the read script for a diff, the apply script (one invocation) for an apply. */
async function pywinrmSample(bench: Bench, driver: PywinrmDriver, kind: "diff" | "apply", connection: Connection): Promise<Sample> {
    const { server, program } = bench;
    const read: ReadRequest = { op: "read", location: LOCATION };
    const timeout = bench.timeouts.next();
    const apply: ApplyRequest = { op: "apply", location: LOCATION, set: { timeout }, remove: [] };
    const invocations = [invocationOf(kind === "diff" ? read : apply)];
    const before = server.stats;
    const programBefore = program.ms;
    const operation = await driver.run(connection, invocations);
    const after = server.stats;
    // Checked here, untimed (the driver parsed the JSON within its timing).
    operation.results.forEach((result, index) => {
        if (result.status !== 0) throw new Error(`pywinrm ${kind} (${connection}), invocation ${index + 1}: exit code ${result.status}: ${result.stderr}`);
    });
    if (kind === "diff") parseScriptOutput(read, operation.results[0].stdout);
    else {
        const state = parseScriptOutput(apply, operation.results[0].stdout);
        if (state.explicit.timeout !== timeout) throw new Error(`pywinrm apply: timeout is ${state.explicit.timeout}, expected ${timeout}`);
        bench.timeouts.written(timeout);
    }
    const requests = countsBetween(before, after);
    return { ms: operation.ms, requests, critical: total(requests), programMs: program.ms - programBefore };
}

interface ScenarioResult {
    kind: "diff" | "apply";
    connection: Connection;
    ours: Measured;
    pywinrm: Measured | undefined;
}

/** Ours and pywinrm alternate, operation by operation, so a change in the machine's load hits both. */
async function runScenario(bench: Bench, kind: "diff" | "apply", connection: Connection, repetitions: number,
    warmRunner: WinrmCommandRunner | undefined, driver: PywinrmDriver | undefined): Promise<ScenarioResult> {
    const ours: Sample[] = [];
    const pywinrm: Sample[] = [];
    for (let repetition = -WARM_UP_OPERATIONS; repetition < repetitions; repetition++) {
        const ourResult = await ourSample(bench, kind, connection === "warm" ? warmRunner : undefined);
        const theirs = driver === undefined ? undefined : await pywinrmSample(bench, driver, kind, connection);
        if (repetition < 0) continue;
        ours.push(ourResult);
        if (theirs !== undefined) pywinrm.push(theirs);
    }
    return { kind, connection, ours: measured(ours), pywinrm: driver === undefined ? undefined : measured(pywinrm) };
}

/** Our warm operations one right after the other: each also waits for the previous one's Signal. */
async function runBackToBack(bench: Bench, kind: "diff" | "apply", repetitions: number, runner: WinrmCommandRunner): Promise<Measured> {
    const samples = await repeat(repetitions, () => ourSample(bench, kind, runner, true));
    await sleep(bench.settleMs);
    return measured(samples);
}

/** `repetitions` samples after the untimed warm-up ones. */
async function repeat(repetitions: number, sample: () => Promise<Sample>): Promise<Sample[]> {
    const samples: Sample[] = [];
    for (let repetition = -WARM_UP_OPERATIONS; repetition < repetitions; repetition++) {
        const taken = await sample();
        if (repetition >= 0) samples.push(taken);
    }
    return samples;
}

function sourceFile(): string {
    return sharedFile("corpus", "applicationHost", "apphost_20.config") ?? path.join(projectRoot, "examples", "local", "applicationHost.config");
}

interface Phase {
    readonly title: string;
    readonly warm: number;
    readonly cold: number;
    readonly backToBack: boolean;
    readonly powershell: PowerShellStarter;
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const source = sourceFile();
    const pwsh = pwshOrThrow();
    const lookup = await findPywinrm();
    console.log(`file: ${path.relative(projectRoot, source)} (${fs.statSync(source).size.toLocaleString("en-US")} bytes), copied to a temporary Windows folder; location "${LOCATION}"`);
    console.log(`PowerShell: ${pwsh}, with the Microsoft.Web.Administration double (test/support/mwa)`);
    console.log(`repetitions after ${WARM_UP_OPERATIONS} untimed each: protocol ${options.warm} warm, ${options.cold} cold; real PowerShell ${options.pwshWarm} warm, ${options.pwshCold} cold; node ${process.version}`);
    const phases: Phase[] = [
        { title: "PROTOCOL: recorded real PowerShell output replayed by the server (clients and wire only)", warm: options.warm, cold: options.cold, backToBack: true, powershell: replayingPowerShell() },
        { title: "REAL POWERSHELL: a new pwsh process behind every command", warm: options.pwshWarm, cold: options.pwshCold, backToBack: false, powershell: startRealPowerShell },
    ];
    try {
        for (const phase of phases) await runPhase(phase, source, lookup, options.latencyMs);
        await runKerberosPhase(options, source);
    } finally {
        fs.rmSync(lookup.scratch, { recursive: true, force: true });
    }
}

async function runPhase(phase: Phase, source: string, lookup: Awaited<ReturnType<typeof findPywinrm>>, latencyMs: number): Promise<void> {
    const scratch = scratchWindows(source);
    const program = new ProgramClock(phase.powershell);
    const server = await startWsmanServer({ users: [USER], applicationHostPath: scratch.file, latencyMs, auth: ["ntlm"], https: false, powershell: program.start });
    let driver: PywinrmDriver | undefined;
    const warmRunner = newRunner(server);
    const processesBefore = pwshProcesses.count;
    const started = performance.now();
    try {
        console.log(`\n=== ${phase.title} ===`);
        console.log(`server: in-repo WS-Management server at ${server.url}, NTLM over HTTP with message encryption, ${latencyMs} ms before every HTTP response`);
        if ("python" in lookup) {
            driver = await PywinrmDriver.start(lookup, { url: server.url, ...USER });
            console.log(`pywinrm: ${driver.version} (${lookup.python}), Session.run_cmd with our command lines, timed inside one long-lived Python process`);
        } else {
            console.log(`pywinrm: MISSING: ${lookup.missing}. Our numbers follow; the ratios cannot be computed.`);
        }
        console.log();

        const initial = await new IisApiBackend(warmRunner).read(LOCATION);
        const bench: Bench = { server, newRunner: () => newRunner(server), program, timeouts: new TimeoutToggle(initial.explicitRaw.timeout), settleMs: latencyMs * 3 + 30 };
        await sleep(bench.settleMs);

        const results: ScenarioResult[] = [];
        for (const kind of ["diff", "apply"] as const) {
            results.push(await runScenario(bench, kind, "warm", phase.warm, warmRunner, driver));
            results.push(await runScenario(bench, kind, "cold", phase.cold, undefined, driver));
        }
        const backToBack = phase.backToBack
            ? { diff: await runBackToBack(bench, "diff", phase.warm, warmRunner), apply: await runBackToBack(bench, "apply", phase.warm, warmRunner) }
            : undefined;
        printResults(results, backToBack, latencyMs, server);
        console.log(`real PowerShell processes in this phase: ${pwshProcesses.count - processesBefore}; phase took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
        await warmRunner.close().catch(() => undefined);
        await driver?.close();
        await server.close();
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    }
}

/**
 * Our client with each authentication scheme against one server that accepts NTLM and Kerberos,
 * the PowerShell output replayed (as the protocol phase), so the differences are the schemes':
 * a cold operation pays the handshake (and for Kerberos a service ticket from the KDC, or with a
 * password a TGT as well); a warm one pays the sealing of each body.
 */
async function runKerberosPhase(options: WinrmBenchOptions, source: string): Promise<void> {
    console.log("\n=== KERBEROS vs NTLM: our client, recorded PowerShell output replayed ===");
    const missing = kerberosUnavailable();
    if (missing !== undefined) {
        console.log(`SKIPPED: ${missing}`);
        return;
    }
    const realm = await startKrb5Realm();
    const scratch = scratchWindows(source);
    const cache = realm.newCache("bench");
    await realm.kinit(cache);
    const restore = withEnvironment({ ...realm.environment, KRB5CCNAME: cache });
    const program = new ProgramClock(replayingPowerShell());
    const server = await startWsmanServer({
        users: [USER], applicationHostPath: scratch.file, latencyMs: options.latencyMs, auth: ["ntlm", "kerberos"], https: false, powershell: program.start,
        kerberos: { keytab: realm.serviceKeytab, environment: realm.environment },
    });
    try {
        console.log(`server: ${server.url} (NTLM and Kerberos, bodies encrypted), ${options.latencyMs} ms before every HTTP response; KDC: MIT krb5kdc on 127.0.0.1:${realm.port} (no latency added)`);
        const schemes: Array<[string, () => WinrmCommandRunner]> = [
            ["ntlm", () => newRunner(server)],
            ["negotiate, ticket cache", () => new WinrmCommandRunner({ host: "localhost", port: server.port, https: false, auth: "negotiate" })],
            ["kerberos, ticket cache", () => new WinrmCommandRunner({ host: "localhost", port: server.port, https: false, auth: "kerberos" })],
            ["negotiate, password", () => new WinrmCommandRunner({ host: "localhost", port: server.port, https: false, auth: "negotiate", username: realm.user.principal, password: realm.user.password })],
        ];
        const rows: string[][] = [];
        let ntlm: { warm: number; cold: number } | undefined;
        const initial = await new IisApiBackend(schemes[0][1]()).read(LOCATION);
        for (const [label, make] of schemes) {
            const bench: Bench = { server, newRunner: make, program, timeouts: new TimeoutToggle(initial.explicitRaw.timeout), settleMs: options.latencyMs * 3 + 30 };
            const warmRunner = make();
            try {
                const warm = measured(await repeat(options.warm, () => ourSample(bench, "diff", warmRunner)));
                const cold = measured(await repeat(options.cold, () => ourSample(bench, "diff", undefined)));
                ntlm ??= { warm: warm.timing.median, cold: cold.timing.median };
                rows.push([
                    label,
                    warm.timing.median.toFixed(1),
                    (warm.timing.median / ntlm.warm).toFixed(2),
                    cold.timing.median.toFixed(1),
                    (cold.timing.median / ntlm.cold).toFixed(2),
                    countText(cold.samples.map((sample) => sample.critical)),
                ]);
            } finally {
                await warmRunner.close().catch(() => undefined);
            }
        }
        console.log(table(["diff, by scheme", "warm ms", "vs ntlm", "cold ms", "vs ntlm", "cold critical requests"], rows));
        console.log(`ms: medians of ${options.warm} warm and ${options.cold} cold diffs; "vs ntlm": this scheme's time / NTLM's (above 1: slower).`);
    } finally {
        await server.close();
        restore();
        fs.rmSync(scratch.dir, { recursive: true, force: true });
        await realm.close();
    }
}

/** The most frequent value (request counts are the same for every repetition unless something retried). */
function typical(values: readonly number[]): number {
    const counts = new Map<number, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** "5" or "5 (4-6)" when repetitions differed. */
function countText(values: readonly number[]): string {
    const low = Math.min(...values), high = Math.max(...values);
    return low === high ? String(low) : `${typical(values)} (${low}-${high})`;
}

function requestSummary(measuredOps: Measured): string {
    return KINDS.map((kind) => [kind, typical(measuredOps.samples.map((sample) => sample.requests[kind]))] as const)
        .filter(([, count]) => count > 0)
        .map(([kind, count]) => `${count} ${REQUEST_LABELS[kind] ?? kind}`)
        .join(", ");
}

function printResults(results: readonly ScenarioResult[], backToBack: Record<"diff" | "apply", Measured> | undefined, latencyMs: number, server: WsmanServer): void {
    const label = (result: ScenarioResult): string => `${result.kind} ${result.connection}`;
    const rows = results.map((result) => {
        const ours = result.ours, theirs = result.pywinrm;
        const critical = ours.samples.map((sample) => sample.critical);
        const all = ours.samples.map((sample) => total(sample.requests));
        const ratio = theirs === undefined ? undefined : theirs.timing.median / ours.timing.median;
        const requestGoal = result.connection === "warm" ? (Math.max(...critical) <= WARM_CRITICAL_REQUESTS_GOAL ? "met" : "NOT met") : "-";
        return [
            label(result),
            ours.timing.median.toFixed(1),
            theirs === undefined ? "n/a" : theirs.timing.median.toFixed(1),
            ratio === undefined ? "n/a" : ratio.toFixed(2),
            `${countText(critical)} + ${countText(all.map((count, index) => count - critical[index]))}`,
            theirs === undefined ? "n/a" : countText(theirs.samples.map((sample) => total(sample.requests))),
            requestGoal,
            ratio === undefined ? "n/a" : ratio >= SPEEDUP_GOAL ? "met" : "NOT met",
        ];
    });
    console.log(table(
        ["operation", "ours ms", "pywinrm ms", "ratio", "ours requests", "pywinrm requests", `<= ${WARM_CRITICAL_REQUESTS_GOAL} critical (warm)`, `>= ${SPEEDUP_GOAL}x`],
        rows,
    ));
    console.log(`\nms: medians; ratio: pywinrm / ours. ours requests: on the critical path + after the operation resolved (the deferred Signal).`);
    console.log(`Minimums: ${results.map((result) => `${label(result)} ${result.ours.timing.min.toFixed(1)} / ${result.pywinrm?.timing.min.toFixed(1) ?? "n/a"}`).join("; ")} (ours / pywinrm).\n`);

    console.log(table(["requests per operation (server's count)", "ours", "pywinrm"], results.map((result) => [
        label(result), requestSummary(result.ours), result.pywinrm === undefined ? "n/a" : requestSummary(result.pywinrm),
    ])));
    console.log("Each request is counted once, by what it carries: our cold Create travels on the NTLM AUTHENTICATE (one request, counted as Create).\n");

    // Where the time goes: each request costs at least the injected latency; the program's time
    // is the server running (or replaying) the script; the rest is both sides' CPU (HTTP, NTLM sealing, SOAP,
    // building the command line) and the loopback network.
    const whereRows: string[][] = [];
    for (const result of results) {
        for (const [client, ops, critical] of [
            ["ours", result.ours, (sample: Sample) => sample.critical],
            ["pywinrm", result.pywinrm, (sample: Sample) => total(sample.requests)],
        ] as const) {
            if (ops === undefined) continue;
            const requests = typical(ops.samples.map(critical));
            const programMs = summarise(ops.samples.map((sample) => sample.programMs)).median;
            const waiting = requests * latencyMs;
            whereRows.push([
                `${label(result)}, ${client}`,
                ops.timing.median.toFixed(1),
                `${requests} x ${latencyMs} = ${waiting}`,
                programMs.toFixed(1),
                (ops.timing.median - waiting - programMs).toFixed(1),
            ]);
        }
    }
    console.log(table(["where the time goes (medians)", "wall ms", "latency ms", "PowerShell ms", "rest ms"], whereRows));
    console.log(`rest: client and server CPU (HTTP, NTLM sealing, SOAP, building and parsing) and loopback; the server shares our Node process.\n`);

    const warm = (kind: "diff" | "apply"): ScenarioResult | undefined => results.find((result) => result.kind === kind && result.connection === "warm");
    if (backToBack !== undefined) console.log(table(["ours, warm, back to back", "median ms", "critical requests", "ratio vs pywinrm warm"], (["diff", "apply"] as const).map((kind) => {
        const ops = backToBack[kind];
        const reference = warm(kind)?.pywinrm;
        return [
            `${kind} (waits for the previous Signal)`,
            ops.timing.median.toFixed(1),
            countText(ops.samples.map((sample) => sample.critical)),
            reference === undefined ? "n/a" : (reference.timing.median / ops.timing.median).toFixed(2),
        ];
    })));
    const stats = server.stats;
    console.log(`\nthe server over the whole phase (ours and pywinrm): ${stats.httpRequests} HTTP requests, ${stats.ntlmHandshakes} handshake(s), ${stats.connections} connection(s), ` +
        `${stats.shellsCreated} shell(s), ${stats.commandsRun} commands; by kind: ${Object.entries(stats.requestsByKind).filter(([, count]) => count > 0).map(([kind, count]) => `${kind} ${count}`).join(", ")}`);
}

function table(header: string[], rows: string[][]): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]): string => cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join("  ");
    return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
});
