/**
 * The health gate between two batches of a fleet rollout: a dynamic resource whose create (and
 * update) stops the rollout when too many servers failed so far, or when a server of its batch
 * fails its HTTP health check. Later batches depend on it, so any Pulumi engine (and the
 * project's engine stand-in) starts them only after it passed. Its inputs name the batch's
 * servers, their outcome and the desired settings: it runs again only when one of those changed.
 */
import type * as pulumi from "@pulumi/pulumi";
import { runHttpCheck } from "./httpCheck";

/** A server that failed, and why (the failures of all its locations, joined). */
export interface FailedServer {
    name: string;
    reason: string;
}

export interface GateServer {
    name: string;
    /** The health-check URL for this server, when the rollout has a health check. */
    url?: string;
    /** Why applying failed at some of its locations (recorded, within maxFailures); empty when it applied. */
    failures: string[];
}

export interface HealthGateInputs {
    fleet: string;
    /** 1-based. */
    batch: number;
    batches: number;
    servers: GateServer[];
    check?: { expectStatus: number; timeoutSeconds: number; retries: number; intervalSeconds: number; caCertificate?: string };
    maxFailures: number;
    /** Servers that failed in earlier batches (the previous gate's `failed`). */
    failedBefore: FailedServer[];
    pauseSeconds: number;
    /** What the batch was asked to apply: a change re-runs the gate. */
    settings: Record<string, unknown>;
}

export interface HealthGateState extends HealthGateInputs {
    /** Every server failed so far in the rollout, this batch's included. */
    failed: FailedServer[];
}

/** Health checks of one batch that run at once. */
const CHECK_CONCURRENCY = 32;

export class RolloutStoppedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RolloutStoppedError";
    }
}

/** Runs the gate: throws RolloutStoppedError (naming servers and why) or returns its state. */
export async function passGate(inputs: HealthGateInputs): Promise<HealthGateState> {
    const where = `fleet "${inputs.fleet}", batch ${inputs.batch} of ${inputs.batches}`;
    const failedHere = inputs.servers.filter((server) => server.failures.length > 0)
        .map((server) => ({ name: server.name, reason: server.failures.join("; ") }));
    const failed = [...inputs.failedBefore.filter((f) => !failedHere.some((h) => h.name === f.name)), ...failedHere];
    const later = inputs.batch < inputs.batches ? "; later batches were not started" : "";
    if (failed.length > inputs.maxFailures) {
        throw new RolloutStoppedError(`${where}: ${failed.length} server${failed.length === 1 ? "" : "s"} failed, more than maxFailures ${inputs.maxFailures}${later}:\n` +
            failed.map((f) => `  ${f.name}: ${f.reason}`).join("\n"));
    }
    if (inputs.check) {
        const check = inputs.check;
        const toCheck = inputs.servers.filter((server) => server.failures.length === 0 && server.url !== undefined);
        const unhealthy: FailedServer[] = [];
        for (let start = 0; start < toCheck.length; start += CHECK_CONCURRENCY) {
            const results = await Promise.all(toCheck.slice(start, start + CHECK_CONCURRENCY).map(async (server) => ({ server, result: await runHttpCheck({ ...check, url: server.url as string }) })));
            for (const { server, result } of results) if (!result.ok) unhealthy.push({ name: server.name, reason: result.reason });
        }
        if (unhealthy.length > 0) {
            throw new RolloutStoppedError(`${where}: health check failed for ${unhealthy.length} server${unhealthy.length === 1 ? "" : "s"}${later}:\n` +
                unhealthy.map((f) => `  ${f.name}: ${f.reason}`).join("\n"));
        }
    }
    if (inputs.pauseSeconds > 0 && inputs.batch < inputs.batches) await new Promise((resolve) => setTimeout(resolve, inputs.pauseSeconds * 1000));
    return { ...inputs, failed };
}

function withoutProvider(properties: Record<string, unknown>): Record<string, unknown> {
    const { __provider: _ignored, ...rest } = properties;
    return rest;
}

/** Key order does not matter to the gate; JSON text of sorted keys compares inputs. */
function canonicalText(value: unknown): string {
    const sort = (inner: unknown): unknown => {
        if (Array.isArray(inner)) return inner.map(sort);
        if (typeof inner !== "object" || inner === null) return inner;
        return Object.fromEntries(Object.keys(inner).sort().map((key) => [key, sort((inner as Record<string, unknown>)[key])]));
    };
    return JSON.stringify(sort(value));
}

export function createHealthGateProvider(): pulumi.dynamic.ResourceProvider {
    return {
        async diff(_id: string, olds: HealthGateState, news: HealthGateInputs): Promise<pulumi.dynamic.DiffResult> {
            const { failed: _failed, ...oldInputs } = withoutProvider(olds as unknown as Record<string, unknown>);
            return { changes: canonicalText(oldInputs) !== canonicalText(withoutProvider(news as unknown as Record<string, unknown>)), replaces: [], deleteBeforeReplace: false };
        },
        async create(inputs: HealthGateInputs): Promise<pulumi.dynamic.CreateResult> {
            return { id: `${inputs.fleet}/batch-${inputs.batch}`, outs: await passGate(inputs) };
        },
        async update(_id: string, _olds: HealthGateState, news: HealthGateInputs): Promise<pulumi.dynamic.UpdateResult> {
            return { outs: await passGate(news) };
        },
        async delete(): Promise<void> {
            // A gate holds nothing on any server.
        },
    };
}
