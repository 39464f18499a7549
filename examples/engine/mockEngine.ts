/**
 * Runs a real Pulumi program under `pulumi.runtime.setMocks`, forwarding every dynamic resource to
 * the real provider host the way the engine would: Check, then Diff against the stack's state,
 * then (for an update) Create, Update or Delete-and-Create. The closest thing to `pulumi preview`
 * and `pulumi up` available without the CLI.
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

export type StepKind = "create" | "update" | "replace" | "same" | "delete";

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
}

export class ProgramFailedError extends Error {}

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

    const handle = async (args: pulumi.runtime.MockResourceArgs): Promise<{ id: string | undefined; state: Properties }> => {
        if (!args.type.startsWith(DYNAMIC_PREFIX)) return { id: `${args.name}-id`, state: args.inputs };
        seen.add(args.name);
        const urn = `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`;
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
    if (errors.length > 0) throw errors[0];

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
