/**
 * The inventory file: a fleet's servers, locations and settings in YAML (or JSON, which YAML
 * includes), read by `loadInventory` for Pulumi programs and by the drift audit. Credentials are
 * never in the file: a target names the environment variable that holds each secret. Every
 * problem is reported with its line and field, all at once, before any server is contacted.
 */
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseDocument } from "yaml";
import type { TargetArgs } from "../aspSessionSettings";
import type { RolloutOptions } from "./rollout";
import { checkFleetSpec, FleetSettings } from "./spec";
import type { RolloutFailure } from "./rollout";

export interface InventoryServer {
    name: string;
    /** Plain values only: file paths made absolute, secrets read from the environment. */
    target: TargetArgs;
}

export interface Inventory {
    /** Absolute path of the file read. */
    file: string;
    servers: InventoryServer[];
    /** Canonical locations ("" = server level), in the file's order. */
    locations: string[];
    settings: FleetSettings;
    rollout?: RolloutOptions;
}

export class InventoryError extends Error {
    constructor(readonly file: string, readonly problems: Array<{ line: number | undefined; field: string; reason: string }>) {
        super(`${file}: refused, no server was contacted:\n${problems.map((p) => `  ${p.line === undefined ? "" : `line ${p.line}: `}${p.field}${p.field ? ": " : ""}${p.reason}`).join("\n")}`);
        this.name = "InventoryError";
    }
}

/** Environment-variable fields the file may use, and the target field each fills. */
const SECRET_FROM_ENV: Record<string, string> = { passwordEnv: "password", clientKeyEnv: "clientKey" };

/**
 * Reads and checks an inventory file. `environment` (default process.env) supplies the variables
 * named by `passwordEnv` / `clientKeyEnv`. Throws InventoryError listing every problem.
 */
export function loadInventory(file: string, environment: NodeJS.ProcessEnv = process.env): Inventory {
    const absolute = path.resolve(file);
    let text: string;
    try {
        text = fs.readFileSync(absolute, "utf8");
    } catch (error) {
        throw new InventoryError(absolute, [{ line: undefined, field: "", reason: `cannot read the inventory: ${(error as Error).message}` }]);
    }
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    if (document.errors.length > 0) {
        throw new InventoryError(absolute, document.errors.map((error) => ({ line: lineCounter.linePos(error.pos[0]).line, field: "", reason: `not valid YAML: ${error.message.split("\n")[0]}` })));
    }
    const lineOf = (field: string): number | undefined => {
        const steps = fieldPath(field);
        // The field itself, or the nearest enclosing one that exists (a missing field's parent).
        for (let length = steps.length; length >= 0; length--) {
            const node = length === 0 ? document.contents : document.getIn(steps.slice(0, length), true);
            const range = (node as { range?: [number, number, number] } | undefined)?.range;
            if (range) return lineCounter.linePos(range[0]).line;
        }
        return undefined;
    };
    const problems: RolloutFailure[] = [];
    const raw = document.toJS() as unknown;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new InventoryError(absolute, [{ line: 1, field: "", reason: "must be a mapping with servers, location (or locations) and settings" }]);
    }
    const spec = raw as Record<string, unknown>;
    const servers = Array.isArray(spec.servers) ? spec.servers.map((server, index) => ({
        ...(server as Record<string, unknown>),
        target: inventoryTarget((server as Record<string, unknown> | null)?.target, `servers[${index}].target`, path.dirname(absolute), environment, problems),
    })) : spec.servers;
    const checked = checkFleetSpec({ ...spec, servers } as never);
    if (!checked.ok) problems.push(...checked.failures);
    if (problems.length > 0 || !checked.ok) {
        const seen = new Set<string>();
        const unique = problems.filter((p) => !seen.has(`${p.field}|${p.reason}`) && seen.add(`${p.field}|${p.reason}`));
        throw new InventoryError(absolute, unique.map((p) => ({ line: lineOf(p.field), field: p.field, reason: inventoryWords(p) })).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
    }
    const fleet = checked.fleet;
    return {
        file: absolute,
        servers: fleet.servers as InventoryServer[],
        locations: fleet.locations,
        settings: { ...fleet.settings, onDelete: fleet.onDelete } as FleetSettings,
        ...(spec.rollout !== undefined ? { rollout: spec.rollout as RolloutOptions } : {}),
    };
}

/**
 * A target from the file: a relative file path is taken from the inventory's folder; secrets
 * come from the environment variables named by passwordEnv / clientKeyEnv, never from the file.
 */
function inventoryTarget(value: unknown, field: string, baseDir: string, environment: NodeJS.ProcessEnv, problems: RolloutFailure[]): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const target: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (target.kind === "file" && typeof target.path === "string" && target.path.trim() !== "") target.path = path.resolve(baseDir, target.path);
    for (const [envField, secretField] of Object.entries(SECRET_FROM_ENV)) {
        if (target[secretField] !== undefined) {
            problems.push({ field: `${field}.${secretField}`, reason: `credentials are not kept in the inventory: name an environment variable with ${envField} instead` });
            delete target[secretField];
        }
        const variable = target[envField];
        if (variable === undefined) continue;
        delete target[envField];
        if (typeof variable !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
            problems.push({ field: `${field}.${envField}`, reason: `must be the name of an environment variable, got ${JSON.stringify(variable)}` });
        } else if (environment[variable] === undefined || environment[variable] === "") {
            problems.push({ field: `${field}.${envField}`, reason: `the environment variable ${variable} is not set` });
        } else {
            target[secretField] = environment[variable];
        }
    }
    return target;
}

/** A check's reason in the file's terms: a missing secret is given by naming its environment variable. */
function inventoryWords(problem: RolloutFailure): string {
    for (const [envField, secretField] of Object.entries(SECRET_FROM_ENV)) {
        if (problem.field.endsWith(`.${secretField}`) && problem.reason.includes("is required")) return `${problem.reason}: give ${envField}, the environment variable that holds it`;
    }
    return problem.reason;
}

/** "servers[3].target.host" as the steps YAML's getIn takes: ["servers", 3, "target", "host"]. */
function fieldPath(field: string): Array<string | number> {
    const steps: Array<string | number> = [];
    for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(match[2] !== undefined ? Number(match[2]) : match[1]);
    return steps;
}
