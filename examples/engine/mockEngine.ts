/**
 * Runs a real Pulumi program under `pulumi.runtime.setMocks`, forwarding every dynamic resource to
 * the real provider host the way the engine would: Check, then Diff against the stack's state,
 * then (for an update) Create, Update or Delete-and-Create. The closest thing to `pulumi preview`
 * and `pulumi up` available without the CLI.
 *
 * As the Pulumi engine does, it answers a registration only once the resource's step is done
 * (so `dependsOn` orders steps), runs at most `parallelism` steps at once, and after a failed
 * step starts no step that depends on it; without `continueOnError` it starts no new step at
 * all, and the deployment fails with every error, deleting nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { DiffReply, Properties, ProviderHost } from "./providerHost";

export interface ResourceState {
    type: string;
    urn: string;
    id: string;
    inputs: Properties;
    outputs: Properties;
}

/** The stack's state: what `pulumi up` stores, by resource name. */
export type StackState = Record<string, ResourceState>;

/** "skipped": never started, because a resource it depends on failed (or the deployment stopped). */
export type StepKind = "create" | "update" | "replace" | "same" | "delete" | "skipped";

export interface Step {
    name: string;
    type: string;
    kind: StepKind;
    /** The checked inputs the program asked for. */
    inputs: Properties;
    /** The provider's answer, for resources that existed. */
    diff?: DiffReply;
    /** Inputs that differ from the stack's state: what `pulumi preview` lists under the resource. */
    changedInputs: Array<{ property: string; from: unknown; to: unknown }>;
    /** Why the step failed, or why it was skipped. */
    error?: string;
}

export interface RunOptions {
    host: ProviderHost;
    /** Absolute path of the program's entry module (compiled JS). */
    program: string;
    state: StackState;
    mode: "preview" | "up";
    project: string;
    stack: string;
    config?: Record<string, string>;
    /** Steps run at once, as `pulumi up --parallel`; default unbounded. */
    parallelism?: number;
    /** As `pulumi up --continue-on-error`: after a failure, keep starting steps that do not depend on it. */
    continueOnError?: boolean;
}

export class ProgramFailedError extends Error {}

/** The deployment failed: every step's error, and the steps taken or skipped until then. */
export class DeploymentFailedError extends Error {
    constructor(readonly errors: Error[], readonly steps: Step[]) {
        super(errors.map((error) => error.message).join("\n"));
        this.name = "DeploymentFailedError";
    }
}

/** What the engine learns from a RegisterResource request that the mocks API does not pass on. */
interface Registration {
    urn: string;
    dependencies: string[];
}

/** A counting semaphore: the engine's step parallelism. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
    let running = 0;
    const waiting: Array<() => void> = [];
    return async (work) => {
        if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
        running++;
        try {
            return await work();
        } finally {
            running--;
            waiting.shift()?.();
        }
    };
}

const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";
const SPECIAL_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Replaces secret wrappers by their values, as the engine does for a provider that does not
 * accept secrets (the dynamic-provider host says so in its Configure reply).
 */
export function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[SPECIAL_SIGNATURE_KEY] === SECRET_SIGNATURE) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]));
}

/** Runs the program once; in "up" mode `state` is updated in place. Returns the steps taken or planned. */
export async function runProgram(options: RunOptions): Promise<Step[]> {
    const { host, state, mode, project, stack } = options;
    const steps: Step[] = [];
    const pending: Array<Promise<unknown>> = [];
    const errors: Error[] = [];
    const seen = new Set<string>();
    const registrations = new Map<string, Registration>();
    /** URNs of resources whose step failed or never ran: their dependents do not run either. */
    const notDone = new Map<string, string>();
    const step = limiter(options.parallelism ?? Number.MAX_SAFE_INTEGER);
    let anyFailed = false;

    const handle = async (args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Properties }> => {
        const registration = registrations.get(`${args.type}::${args.name}`);
        const urn = registration?.urn ?? `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
        if (!args.type.startsWith(DYNAMIC_PREFIX)) return { id: `${args.name}-id`, state: args.inputs };
        seen.add(args.name);
        const blocker = (registration?.dependencies ?? []).find((dependency) => notDone.has(dependency));
        const stopped = blocker === undefined && anyFailed && !options.continueOnError;
        if (blocker !== undefined || stopped) {
            const why = blocker !== undefined ? `not started: it depends on ${blocker.split("::").pop()}, which ${notDone.get(blocker)}` : "not started: the deployment stopped after an earlier failure";
            notDone.set(urn, "was not started");
            steps.push({ name: args.name, type: args.type, kind: "skipped", inputs: {}, changedInputs: [], error: why });
            return { id: undefined, state: {} };
        }
        try {
            return await step(async () => {
                if (anyFailed && !options.continueOnError) throw new SkippedStep("not started: the deployment stopped after an earlier failure");
                try {
                    return await run(args, urn);
                } catch (error) {
                    // Marked before the step's slot is released, so no queued step starts after it.
                    notDone.set(urn, "failed");
                    anyFailed = true;
                    throw error;
                }
            });
        } catch (error) {
            if (error instanceof SkippedStep) {
                notDone.set(urn, "was not started");
                steps.push({ name: args.name, type: args.type, kind: "skipped", inputs: {}, changedInputs: [], error: error.message });
                return { id: undefined, state: {} };
            }
            const failed = steps.find((s) => s.name === args.name && s.type === args.type);
            if (failed) failed.error = (error as Error).message;
            throw error;
        }
    };

    const run = async (args: pulumi.runtime.MockResourceArgs, urn: string): Promise<{ id: string | undefined; state: Properties }> => {
        const old = state[args.name];
        const checked = await host.check(urn, old?.inputs ?? {}, unwrapSecrets(args.inputs) as Properties);
        if (checked.failures.length > 0) {
            throw new ProgramFailedError(`${args.type} "${args.name}" has invalid inputs:\n` +
                checked.failures.map((f) => `    ${f.property}: ${f.reason}`).join("\n"));
        }
        const inputs = checked.inputs;
        if (!old) {
            steps.push({ name: args.name, type: args.type, kind: "create", inputs, changedInputs: changed({}, inputs) });
            if (mode === "preview") return { id: undefined, state: inputs };
            const created = await host.create(urn, inputs);
            state[args.name] = { type: args.type, urn, id: created.id, inputs, outputs: created.properties };
            return { id: created.id, state: created.properties };
        }
        const diff = await host.diff(old.id, urn, old.outputs, inputs);
        const kind: StepKind = diff.changes === "none" ? "same" : diff.replaces.length > 0 ? "replace" : "update";
        steps.push({ name: args.name, type: args.type, kind, inputs, diff, changedInputs: changed(old.inputs, inputs) });
        if (mode === "preview" || kind === "same") return { id: old.id, state: { ...old.outputs, ...(kind === "same" ? {} : inputs) } };
        if (kind === "replace") {
            await host.delete(old.id, urn, old.outputs);
            delete state[args.name];
            const created = await host.create(urn, inputs);
            state[args.name] = { type: args.type, urn, id: created.id, inputs, outputs: created.properties };
            return { id: created.id, state: created.properties };
        }
        const updated = await host.update(old.id, urn, old.outputs, inputs);
        state[args.name] = { ...old, inputs, outputs: updated.properties };
        return { id: old.id, state: updated.properties };
    };

    await pulumi.runtime.setMocks({
        newResource(args) {
            const result = handle(args);
            pending.push(result.catch((error: Error) => { errors.push(error); }));
            return result.then((r) => ({ id: r.id, state: r.state }), () => ({ id: undefined, state: {} }));
        },
        call(args) {
            return args.inputs;
        },
    }, project, stack, mode === "preview");
    // The mocks API passes neither a resource's URN nor its dependencies to newResource: read them
    // from the RegisterResource request itself, as the engine does, before the mock monitor handles it.
    const settings: { getMonitor(): MonitorWithUrns } = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
        registrations.set(`${request.getType()}::${request.getName()}`, {
            urn: monitor.newUrn(request.getParent(), request.getType(), request.getName()),
            dependencies: request.getDependenciesList(),
        });
        return registerResource(request, callback);
    };
    for (const [key, value] of Object.entries(options.config ?? {})) pulumi.runtime.setConfig(`${project}:${key}`, value);

    delete require.cache[require.resolve(options.program)];
    require(options.program);
    // Wait until the program has registered everything and every forwarded call has finished.
    for (let settled = 0; settled !== pending.length || settled === 0;) {
        settled = pending.length;
        await Promise.all(pending);
        await new Promise((resolve) => setImmediate(resolve));
        if (pending.length === 0) break;
    }
    if (errors.length > 0) throw new DeploymentFailedError(errors, steps);

    for (const [name, old] of Object.entries(state)) {
        if (seen.has(name)) continue;
        steps.push({ name, type: old.type, kind: "delete", inputs: {}, changedInputs: [] });
        if (mode === "up") {
            await host.delete(old.id, old.urn, old.outputs);
            delete state[name];
        }
    }
    return steps;
}

class SkippedStep extends Error {}

/** The parts of @pulumi/pulumi's MockMonitor the engine stand-in uses. */
interface MonitorWithUrns {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(request: RegisterRequest, callback: (error: Error | null, response: unknown) => void): unknown;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
}

/** Runs `pulumi destroy`: deletes every resource in the state. */
export async function destroy(host: ProviderHost, state: StackState): Promise<void> {
    for (const [name, old] of Object.entries(state).reverse()) {
        await host.delete(old.id, old.urn, old.outputs);
        delete state[name];
    }
}

function changed(olds: Properties, news: Properties): Step["changedInputs"] {
    const result: Step["changedInputs"] = [];
    for (const property of new Set([...Object.keys(olds), ...Object.keys(news)])) {
        if (property === "__provider") continue;
        if (JSON.stringify(olds[property]) !== JSON.stringify(news[property])) result.push({ property, from: olds[property], to: news[property] });
    }
    return result;
}
