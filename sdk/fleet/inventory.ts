/**
 * The inventory file: a fleet's servers, locations and settings in YAML (or JSON, which YAML
 * includes), read by `loadInventory` for Pulumi programs and by the drift audit. One rule for
 * credentials: every secret field of a target (password, clientKey, privateKey, passphrase, a jump
 * host's too) comes from the environment variable named by `<field>Env`; written in the file it is
 * refused. Every problem is reported with its line and field, all at once, before any server is
 * contacted, and a problem is reported once: not again as the errors it would cause further on.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { closestName, editDistance } from "../../provider/settings/closestName";
import { UNKNOWN } from "../../provider/settings/inputs";
import { TARGET_KINDS } from "../../provider/targets";
import type { Fields } from "../../provider/targets/declaration";
import type { TargetArgs } from "../aspSessionSettings";
import type { RolloutFailure, RolloutOptions } from "./rollout";
import { checkFleetSpec, FleetSettings, SPEC_FIELDS } from "./spec";

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

/**
 * Reads and checks an inventory file. `environment` (default process.env) supplies the variables
 * named by `passwordEnv`, `clientKeyEnv`, `privateKeyEnv` and `passphraseEnv`. Throws InventoryError listing every problem.
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
    const problems: RolloutFailure[] = [];
    const raw = document.toJS() as unknown;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new InventoryError(absolute, [{ line: 1, field: "", reason: "must be a mapping with servers, location (or locations) and settings" }]);
    }
    // A misspelt key is reported once, and its value checked under the key it was meant to be,
    // so a missing `servers` is not reported as well, nor its servers left unchecked.
    const { spec, respelt } = respellKeys(raw as Record<string, unknown>, problems);
    const servers = Array.isArray(spec.servers) ? spec.servers.map((server, index) => ({
        ...(server as Record<string, unknown>),
        target: inventoryTarget((server as Record<string, unknown> | null)?.target, `servers[${index}].target`, serverLabel(server, index), path.dirname(absolute), environment, problems),
    })) : spec.servers;
    const checked = checkFleetSpec({ ...spec, servers } as never);
    // The checks speak of the target's fields; the file gives their variables (passwordEnv).
    if (!checked.ok) problems.push(...checked.failures.map((failure) => ({ field: inventoryWords(failure.field), reason: inventoryWords(failure.reason) })));
    if (problems.length > 0 || !checked.ok) {
        const seen = new Set<string>();
        const unique = problems.filter((p) => !seen.has(`${p.field}|${p.reason}`) && seen.add(`${p.field}|${p.reason}`));
        throw new InventoryError(absolute, unique.map((p) => {
            const field = asWritten(p.field, respelt);
            return { line: lineOf(document, lineCounter, field), field, reason: p.reason };
        }).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
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

/** The suffix that names a secret's environment variable: `password` comes from `passwordEnv`. */
const FROM_ENV = "Env";

/** Every secret field name of any target kind, jump hosts' included. */
const SECRET_FIELDS: readonly string[] = [...new Set(Object.values(TARGET_KINDS).flatMap((kind) => secretNames(kind.fields)))];

function secretNames(fields: Fields): string[] {
    return Object.entries(fields).flatMap(([name, spec]) => [...(spec.secret ? [name] : []), ...(spec.fields ? secretNames(spec.fields) : [])]);
}

/** Top-level keys that are not fleet fields but near one the file lacks, checked as that field. */
function respellKeys(raw: Record<string, unknown>, problems: RolloutFailure[]): { spec: Record<string, unknown>; respelt: Map<string, string> } {
    const spec: Record<string, unknown> = {};
    const respelt = new Map<string, string>();
    for (const [key, value] of Object.entries(raw)) {
        const meant = SPEC_FIELDS.includes(key) ? undefined : closestName(key, SPEC_FIELDS.filter((field) => !(field in raw) && !respelt.has(field)));
        if (meant !== undefined && editDistance(key.toLowerCase(), meant.toLowerCase()) <= Math.min(2, key.length - 1)) {
            problems.push({ field: meant, reason: `is not a fleet field: did you mean ${meant}? (fields: ${SPEC_FIELDS.join(", ")})` });
            respelt.set(meant, key);
            spec[meant] = value;
        } else {
            spec[key] = value;
        }
    }
    return { spec, respelt };
}

/** A field path as the file writes it: under a misspelt key, that key. */
function asWritten(field: string, respelt: ReadonlyMap<string, string>): string {
    const top = /^[^.[]+/.exec(field)?.[0] ?? "";
    const written = respelt.get(top);
    return written === undefined ? field : written + field.slice(top.length);
}

/**
 * The line of a field: of its key where it has one (a block value starts on the next line), else
 * of its value, else of the nearest enclosing field that exists (a missing field's parent).
 */
function lineOf(document: Document, lineCounter: LineCounter, field: string): number | undefined {
    const steps = fieldPath(field);
    for (let length = steps.length; length >= 0; length--) {
        const last = steps[length - 1];
        const parent = length === 0 ? undefined : length === 1 ? document.contents : document.getIn(steps.slice(0, length - 1), true);
        if (typeof last === "string" && isMap(parent)) {
            const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
            const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
            if (range) return lineCounter.linePos(range[0]).line;
        }
        const node = length === 0 ? document.contents : document.getIn(steps.slice(0, length), true);
        const range = (node as { range?: [number, number, number] } | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
}

/** How a problem names a server: by its name when it has one. */
function serverLabel(server: unknown, index: number): string {
    const name = (server as { name?: unknown } | null)?.name;
    return typeof name === "string" && name.trim() !== "" ? `server ${JSON.stringify(name)}` : `servers[${index}]`;
}

/**
 * A target from the file: a relative file path is taken from the inventory's folder; each secret
 * comes from the environment variable its `<field>Env` names (nested groups, a jump host, alike).
 * A secret that is missing for a reason already reported (written inline, variable unset) is
 * left as "not known yet", so the target's own rules do not report it again as missing.
 */
function inventoryTarget(value: unknown, field: string, server: string, baseDir: string, environment: NodeJS.ProcessEnv, problems: RolloutFailure[]): unknown {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const target: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (target.kind === "file" && typeof target.path === "string" && target.path.trim() !== "") target.path = path.resolve(baseDir, target.path);
    const kind = TARGET_KINDS[target.kind as keyof typeof TARGET_KINDS];
    return kind === undefined ? target : secretsFromEnvironment(kind.fields, target, field, server, environment, problems);
}

function secretsFromEnvironment(fields: Fields, given: Record<string, unknown>, field: string, server: string, environment: NodeJS.ProcessEnv, problems: RolloutFailure[]): Record<string, unknown> {
    const values: Record<string, unknown> = { ...given };
    for (const [name, spec] of Object.entries(fields)) {
        const nested = values[name];
        if (spec.fields !== undefined && typeof nested === "object" && nested !== null && !Array.isArray(nested)) {
            values[name] = secretsFromEnvironment(spec.fields, nested as Record<string, unknown>, `${field}.${name}`, server, environment, problems);
        }
        if (!spec.secret) continue;
        const envField = `${name}${FROM_ENV}`;
        const variable = values[envField];
        delete values[envField];
        if (values[name] !== undefined) {
            problems.push({ field: `${field}.${name}`, reason: `secrets are not written in the inventory: give ${envField}, the name of the environment variable that holds it` });
            values[name] = UNKNOWN;
        }
        if (variable === undefined) continue;
        if (typeof variable !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
            problems.push({ field: `${field}.${envField}`, reason: `must be the name of an environment variable, got ${JSON.stringify(variable)}` });
            values[name] = UNKNOWN;
        } else if (environment[variable] === undefined || environment[variable] === "") {
            const state = environment[variable] === undefined ? "is not set" : "is empty";
            problems.push({ field: `${field}.${envField}`, reason: `the environment variable ${variable} ${state} (${server})` });
            values[name] = UNKNOWN;
        } else if (values[name] === undefined) {
            values[name] = environment[variable];
        }
    }
    return values;
}

/**
 * A target's field names in the file's terms: the file gives `passwordEnv` where the target has
 * `password`. Quoted text (a value) is left as it is.
 */
function inventoryWords(text: string): string {
    const secret = new RegExp(`"(?:[^"\\\\]|\\\\.)*"|\\b(${SECRET_FIELDS.join("|")})\\b`, "g");
    return text.replace(secret, (match, name: string | undefined) => (name === undefined ? match : `${name}${FROM_ENV}`));
}

/** "servers[3].target.host" as the steps YAML's getIn takes: ["servers", 3, "target", "host"]. */
function fieldPath(field: string): Array<string | number> {
    const steps: Array<string | number> = [];
    for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) steps.push(match[2] !== undefined ? Number(match[2]) : match[1]);
    return steps;
}
