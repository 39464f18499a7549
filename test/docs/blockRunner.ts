/**
 * Runs one compiled TypeScript block of the docs as a Pulumi program under
 * `pulumi.runtime.setMocks`, in a process of its own (claims and mocks are per program run), and
 * passes every AspSessionSettings it declares through the provider's own `check`.
 *
 *   node blockRunner.js <program.js>      config from DOCS_BLOCK_CONFIG (JSON, key -> value)
 *
 * Prints one JSON line: { resources: [{ name, failures }], error? }. Exits 0 whatever the block did:
 * the test judges the line.
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as open from "../../provider/open";
import { createAspSessionProvider } from "../../provider";

const SETTINGS = "pulumi-nodejs:dynamic/iis:AspSessionSettings";
const GATE = "pulumi-nodejs:dynamic/iis:FleetHealthGate";
const DOCS_PROJECT = "docs";

interface Outcome {
    resources: Array<{ name: string; failures: Array<{ property: string; reason: string }> }>;
    error?: string;
}

/** Mocks hand a secret over wrapped in Pulumi's secret signature; the provider's check gets plain values. */
function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value !== "object" || value === null) return value;
    const record = value as Record<string, unknown>;
    if (record[specialSigKey] === specialSecretSig) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]));
}

async function main(program: string): Promise<Outcome> {
    // check warns when a location names no site, reading the target to know; the docs' servers are
    // examples, so remote targets are not contacted (a local file still is).
    const openBackend = open.openBackend;
    (open as { openBackend: typeof open.openBackend }).openBackend = (target) => {
        if (target.kind !== "file") throw new Error("the docs' example servers are not contacted");
        return openBackend(target);
    };
    const provider = createAspSessionProvider();
    const outcome: Outcome = { resources: [] };
    const pending: Array<Promise<unknown>> = [];
    await pulumi.runtime.setMocks({
        newResource(args) {
            if (args.type === GATE) return { id: `${args.name}-id`, state: { ...args.inputs, failed: [] } };
            if (args.type !== SETTINGS) return { id: `${args.name}-id`, state: args.inputs };
            const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
            const checked = provider.check!({}, inputs).then((result) => {
                outcome.resources.push({ name: args.name, failures: (result.failures ?? []).map((f) => ({ property: f.property, reason: f.reason })) });
            });
            pending.push(checked);
            return checked.then(() => ({ id: `${args.name}-id`, state: { ...args.inputs, previous: {}, created: {}, effective: null, applyFailure: null } }));
        },
        call(args) {
            return args.inputs;
        },
    }, DOCS_PROJECT, "dev", false);
    const config = JSON.parse(process.env.DOCS_BLOCK_CONFIG ?? "{}") as Record<string, string>;
    for (const [key, value] of Object.entries(config)) pulumi.runtime.setConfig(`${DOCS_PROJECT}:${key}`, value);
    try {
        require(program);
        // Registrations arrive over several turns (outputs resolve first): wait until none is new.
        for (let seen = -1; seen !== pending.length;) {
            seen = pending.length;
            await Promise.all(pending);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    } catch (error) {
        outcome.error = error instanceof Error ? error.message : String(error);
    }
    return outcome;
}

if (require.main === module) {
    // Errors the program raises inside outputs reach no await: record them too.
    const late: string[] = [];
    process.on("unhandledRejection", (error) => late.push(error instanceof Error ? error.message : String(error)));
    main(process.argv[2]).then((outcome) => {
        if (late.length > 0) outcome.error = [outcome.error, ...late].filter(Boolean).join("; ");
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
        process.exit(0);
    });
}
