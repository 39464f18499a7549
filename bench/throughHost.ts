/**
 * Diff and apply as users run them: through Pulumi's real dynamic-provider host (gRPC Diff and
 * Update, the provider loaded from the `__provider` reference every resource stores), beside the
 * same provider methods called directly in this process. Each side works on its own copy of the
 * file, with one resource created first, then `repetitions` diffs and `repetitions` applies
 * alternating two timeouts so that every apply really writes.
 */
import * as fs from "fs";
import * as path from "path";
import { ProviderHost, Properties } from "../examples/engine/providerHost";
import { createAspSessionProvider } from "../provider";
import { PROVIDER_REFERENCE } from "../sdk/providerReference";
import { projectRoot } from "../test/support/paths";
import { MemoryFigures, peakKiB, resetPeak, residentKiB } from "./memory";
import { measure, Timing } from "./stats";

export interface HostComparison {
    diffDirect: Timing;
    diffHost: Timing;
    applyDirect: Timing;
    applyHost: Timing;
    /** GetPluginInfo through the same host: the cost of one gRPC round trip with no provider work. */
    roundTrip: Timing;
    /** The host process's idle RSS and its peak during the diffs and during the applies (Linux only). */
    hostMemory?: { diff: MemoryFigures; apply: MemoryFigures };
}

/** Around the timed diffs and applies: where the host's memory is read. */
interface PhaseHooks {
    before(): void;
    after(phase: "diff" | "apply"): void;
}

const URN = "urn:pulumi:bench::bench::pulumi-nodejs:dynamic/iis:AspSessionSettings::bench";

/** One provider session: create once, then timed diffs and applies. */
interface Driver {
    create(inputs: Properties): Promise<{ id: string; outputs: Properties }>;
    diff(id: string, olds: Properties, news: Properties): Promise<unknown>;
    update(id: string, olds: Properties, news: Properties): Promise<Properties>;
}

async function timeDriver(driver: Driver, file: string, location: string, timeouts: readonly [string, string], repetitions: number,
    hooks: PhaseHooks = { before: () => undefined, after: () => undefined }): Promise<{ diff: Timing; apply: Timing }> {
    const inputs = (timeout: string): Properties => ({ __provider: PROVIDER_REFERENCE, target: { kind: "file", path: file }, location, onDelete: "restore", timeout });
    const created = await driver.create(inputs(timeouts[1]));
    let olds = created.outputs;
    hooks.before();
    const diff = await measure(repetitions, async () => { await driver.diff(created.id, olds, inputs(timeouts[1])); });
    hooks.after("diff");
    hooks.before();
    const apply = await measure(repetitions, async (repetition) => {
        const timeout = timeouts[repetition % 2];
        olds = await driver.update(created.id, olds, inputs(timeout));
        if (olds.timeout !== timeout) throw new Error(`apply ${repetition + 1} through the bench driver: timeout is ${String(olds.timeout)}, expected ${timeout}`);
    });
    hooks.after("apply");
    return { diff, apply };
}

/**
 * Copies `pristine` twice into `workDir` and measures both ways on the same location. The host
 * runs with the project's root as its working directory, where the provider reference resolves
 * this package by name, as it resolves the installed package from a user's program folder.
 */
export async function compareThroughHost(pristine: string, workDir: string, location: string, timeouts: readonly [string, string], repetitions: number): Promise<HostComparison> {
    const directFile = path.join(workDir, "applicationHost.direct.config");
    const hostFile = path.join(workDir, "applicationHost.host.config");
    fs.copyFileSync(pristine, directFile);
    fs.copyFileSync(pristine, hostFile);

    const provider = createAspSessionProvider();
    const direct: Driver = {
        async create(inputs) {
            const result = await provider.create(inputs);
            return { id: result.id, outputs: result.outs as Properties };
        },
        diff: (id, olds, news) => provider.diff!(id, olds, news),
        async update(id, olds, news) {
            return (await provider.update!(id, olds, news)).outs as Properties;
        },
    };
    const directTimings = await timeDriver(direct, directFile, location, timeouts, repetitions);

    const host = await ProviderHost.start({ cwd: projectRoot });
    try {
        await host.configure();
        // The idle host (Node, gRPC, @pulumi/pulumi and the provider loaded): what any file costs on top of.
        const pid = host.pid;
        const baselineKiB = pid === undefined ? undefined : residentKiB(pid);
        const peaks: Partial<Record<"diff" | "apply", number>> = {};
        const hooks: PhaseHooks = {
            before: () => { if (pid !== undefined) resetPeak(pid); },
            after: (phase) => { if (pid !== undefined) peaks[phase] = peakKiB(pid); },
        };
        const throughHost: Driver = {
            async create(inputs) {
                const result = await host.create(URN, inputs);
                return { id: result.id, outputs: result.properties };
            },
            diff: (id, olds, news) => host.diff(id, URN, olds, news),
            async update(id, olds, news) {
                return (await host.update(id, URN, olds, news)).properties;
            },
        };
        const hosted = await timeDriver(throughHost, hostFile, location, timeouts, repetitions, hooks);
        const roundTrip = await measure(repetitions, async () => { await host.pluginInfo(); });
        const hostMemory = baselineKiB !== undefined && peaks.diff !== undefined && peaks.apply !== undefined
            ? { diff: { baselineKiB, peakKiB: peaks.diff }, apply: { baselineKiB, peakKiB: peaks.apply } } : undefined;
        return { diffDirect: directTimings.diff, applyDirect: directTimings.apply, diffHost: hosted.diff, applyHost: hosted.apply, roundTrip, hostMemory };
    } finally {
        await host.stop();
        for (const file of [directFile, hostFile]) {
            for (const leftover of fs.readdirSync(workDir).filter((name) => name.startsWith(path.basename(file)))) fs.rmSync(path.join(workDir, leftover), { force: true });
        }
    }
}
