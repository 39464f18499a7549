/**
 * Runs a real Pulumi program under `pulumi.runtime.setMocks`, forwarding every dynamic resource to
 * the real provider host the way the engine would. The closest thing to `pulumi preview` and
 * `pulumi up` available without the CLI. It does only what Pulumi's engine does, so that what
 * works here works with `pulumi up`; each behaviour below names where the engine does it
 * (github.com/pulumi/pulumi, Go):
 *
 * - refresh first when asked (`--refresh`, or `options: refresh: always` in Pulumi.yaml): Read
 *   with the stored inputs and outputs, and the answer replaces them
 *   (pkg/resource/deploy/step.go, RefreshStep.Apply);
 * - per resource, Check, then Diff against the stored outputs, then Create, Update or a
 *   replacement (pkg/resource/deploy/step_generator.go, stepGenerator.generateSteps and
 *   generateStepsFromDiff); a replacement deletes first only when the provider's diff says
 *   deleteBeforeReplace, else the old resource is deleted after the new one is created, at the
 *   end (GenerateDeletes);
 * - secrets are unwrapped for a provider whose Configure reply does not accept them, as the
 *   dynamic-provider host's does (sdk/go/common/resource/plugin/provider_plugin.go, provider.Check
 *   and the other calls marshal with KeepSecrets: acceptSecrets);
 * - a registration is answered once its step completed, so `dependsOn` orders steps
 *   (pkg/resource/deploy/step.go, each step's complete function calls reg.Done), and at most
 *   `parallelism` steps run at once (pkg/resource/deploy/step_executor.go, newStepExecutor);
 * - after a failed step no dependent starts; without continueOnError no new step starts at all,
 *   and the deployment fails with every error, deleting nothing (step_executor.go,
 *   stepExecutor.executeChain and cancelDueToError);
 * - resources the program no longer declares are deleted after the program's steps, the last
 *   stored first (step_generator.go, GenerateDeletes walks the old resources backwards);
 * - the `import` resource option: Read with the id alone, no inputs and no stored properties
 *   (pkg/resource/deploy/step.go, ImportStep.Apply). The dynamic-provider host finds its provider
 *   in the `__provider` property, which such a Read does not carry, and fails with "code must be a
 *   string, not undefined" (sdk/nodejs/cmd/dynamic-provider/index.ts, getProvider): the engine
 *   cannot import a dynamic resource (pulumi/pulumi#16175), and neither can this stand-in.
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
export type StepKind = "create" | "update" | "replace" | "same" | "delete" | "import" | "skipped";

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
    /**
     * As `pulumi preview --refresh` / `pulumi up --refresh`, or `options: refresh: always` in
     * Pulumi.yaml: read every resource in the state before the program runs. A preview refreshes a
     * copy; `state` changes only in "up" mode.
     */
    refresh?: boolean;
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
    const { host, mode, project, stack } = options;
    // A preview persists nothing, a refreshed state included.
    const state: StackState = mode === "up" ? options.state : JSON.parse(JSON.stringify(options.state));
    if (options.refresh) await refresh(host, state);
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

    /** Old resources replaced create-before-delete: deleted after every other step. */
    const replaced: ResourceState[] = [];
    const run = async (args: pulumi.runtime.MockResourceArgs, urn: string): Promise<{ id: string | undefined; state: Properties }> => {
        const old = state[args.name];
        if (args.id !== undefined && args.id !== "" && !old) return importResource(args, urn);
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

    const importResource = async (args: pulumi.runtime.MockResourceArgs, urn: string): Promise<{ id: string | undefined; state: Properties }> => {
        steps.push({ name: args.name, type: args.type, kind: "import", inputs: {}, changedInputs: [] });
        // The engine's Read for an import: the id, and neither inputs nor stored properties.
        const read = await host.read(args.id!, urn, {}, {});
        if (Object.keys(read.properties).length === 0) throw new ProgramFailedError(`resource '${args.id}' does not exist`);
        if (Object.keys(read.inputs).length === 0) throw new ProgramFailedError(`provider does not support importing resources`);
        const checked = await host.check(urn, read.inputs, unwrapSecrets(args.inputs) as Properties);
        if (mode === "up") state[args.name] = { type: args.type, urn, id: read.id || args.id!, inputs: checked.inputs, outputs: read.properties };
        return { id: read.id || args.id, state: read.properties };
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
    // Each run sees its stack's config and nothing left from an earlier run, as each engine run does.
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(options.config ?? {}).map(([key, value]) => [`${project}:${key}`, value])));

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

    for (const old of replaced) await host.delete(old.id, old.urn, old.outputs);
    for (const [name, old] of Object.entries(state).reverse()) {
        if (seen.has(name)) continue;
        steps.push({ name, type: old.type, kind: "delete", inputs: {}, changedInputs: [] });
        if (mode === "up") {
            await host.delete(old.id, old.urn, old.outputs);
            delete state[name];
        }
    }
    return steps;
}

/** Reads every resource in `state` and stores what the provider answers (inputs too, when it gives them). */
export async function refresh(host: ProviderHost, state: StackState): Promise<void> {
    for (const resource of Object.values(state)) {
        const read = await host.read(resource.id, resource.urn, resource.outputs, resource.inputs);
        resource.id = read.id || resource.id;
        resource.outputs = read.properties;
        if (Object.keys(read.inputs).length > 0) resource.inputs = read.inputs;
    }
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
