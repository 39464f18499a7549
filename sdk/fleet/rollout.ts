/**
 * A fleet rollout's shape, decided before anything is touched: which servers go in which batch,
 * and whether the options make sense. Pure: plain values in, batches or failures out.
 */
import { pemCertificateProblem } from "../../provider/targets/declaration";

/** An HTTP check run against every server of a batch after it is applied, before the next batch starts. */
export interface HealthCheckOptions {
    /**
     * The URL to request for each server; `{host}` is the target's host name ("localhost" for a
     * file target) and `{name}` the server's name in the fleet. Only http and https.
     */
    url: string;
    /** The status that counts as healthy (default 200). */
    expectStatus?: number;
    /** Deadline for one request, in seconds (default 10). */
    timeoutSeconds?: number;
    /** Further attempts after a failed one (default 3). */
    retries?: number;
    /** Wait between attempts, in seconds (default 5). */
    intervalSeconds?: number;
    /**
     * For https URLs: the PEM of the CA certificate(s) that issued the servers' certificates (an
     * internal CA), trusted instead of the system's CAs. Default: the system's CAs.
     */
    caCertificate?: string;
}

/** A health check with every default filled in (caCertificate stays optional). */
export type ResolvedHealthCheck = Required<Omit<HealthCheckOptions, "caCertificate">> & Pick<HealthCheckOptions, "caCertificate">;

export interface RolloutOptions {
    /** How many servers go first, alone, in their own batch (default 1; 0 for no canary). */
    canary?: number;
    /**
     * The size of the batches after the canary: a count (5) or a percentage of the servers after
     * the canary ("25%", rounded up). Default "25%".
     */
    batchSize?: number | string;
    /** Failed servers tolerated over the whole rollout before later batches stop (default 0). */
    maxFailures?: number;
    /** Checked after each batch; without it a batch passes when its servers applied. */
    healthCheck?: HealthCheckOptions;
    /** Wait after a batch's gate passed, before the next batch starts, in seconds (default 0). */
    pauseSeconds?: number;
}

/** The options with every default filled in. */
export interface ResolvedRollout {
    canary: number;
    batchSize: { count: number } | { percent: number };
    maxFailures: number;
    healthCheck?: ResolvedHealthCheck;
    pauseSeconds: number;
}

export interface RolloutFailure {
    /** The option at fault, as the user wrote it: "rollout.batchSize", "servers[3].name". */
    field: string;
    reason: string;
}

export const DEFAULT_ROLLOUT = { canary: 1, batchSize: "25%", maxFailures: 0, pauseSeconds: 0 } as const;
export const HEALTH_CHECK_DEFAULTS = { expectStatus: 200, timeoutSeconds: 10, retries: 3, intervalSeconds: 5 } as const;
export const URL_PLACEHOLDERS = ["host", "name"] as const;

/**
 * Server names become resource names (`<fleet>-<name>`), so they must survive in a URN and stay
 * readable: letters, digits, ".", "_" and "-".
 */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks server names: present, URN-safe, and unique ignoring case (web01 and WEB01 are one host to a person). */
export function checkServerNames(names: readonly unknown[], field = "servers"): RolloutFailure[] {
    const failures: RolloutFailure[] = [];
    const seen = new Map<string, number>();
    names.forEach((name, index) => {
        const at = `${field}[${index}].name`;
        if (typeof name !== "string" || !SERVER_NAME.test(name)) {
            failures.push({ field: at, reason: `must be a name of letters, digits, ".", "_" and "-" (it names the server's resources), got ${JSON.stringify(name ?? null)}` });
            return;
        }
        const first = seen.get(name.toLowerCase());
        if (first !== undefined) failures.push({ field: at, reason: `"${name}" is also the name of ${field}[${first}]; server names must be unique (ignoring case)` });
        else seen.set(name.toLowerCase(), index);
    });
    return failures;
}

/** Validates the rollout options for a fleet of `serverCount` servers and fills in the defaults. */
export function resolveRollout(options: RolloutOptions | undefined, serverCount: number): { ok: true; rollout: ResolvedRollout } | { ok: false; failures: RolloutFailure[] } {
    const failures: RolloutFailure[] = [];
    const given = options ?? {};
    const fail = (field: string, reason: string) => failures.push({ field: `rollout.${field}`, reason });
    const known = ["canary", "batchSize", "maxFailures", "healthCheck", "pauseSeconds"];
    for (const key of Object.keys(given)) if (!known.includes(key)) fail(key, `is not a rollout option (options: ${known.join(", ")})`);

    const canary = given.canary ?? DEFAULT_ROLLOUT.canary;
    if (!isCount(canary)) fail("canary", `must be a whole number of servers, 0 or more, got ${show(given.canary)}`);
    else if (canary > serverCount) fail("canary", `is ${canary} but the fleet has ${serverCount} server${serverCount === 1 ? "" : "s"}`);

    const batchSize = parseBatchSize(given.batchSize ?? DEFAULT_ROLLOUT.batchSize);
    if (!batchSize.ok) fail("batchSize", batchSize.reason);

    const maxFailures = given.maxFailures ?? DEFAULT_ROLLOUT.maxFailures;
    if (!isCount(maxFailures)) fail("maxFailures", `must be a whole number of servers, 0 or more, got ${show(given.maxFailures)}`);

    const pauseSeconds = given.pauseSeconds ?? DEFAULT_ROLLOUT.pauseSeconds;
    if (typeof pauseSeconds !== "number" || !Number.isFinite(pauseSeconds) || pauseSeconds < 0 || pauseSeconds > 86_400) {
        fail("pauseSeconds", `must be a number of seconds from 0 to 86400, got ${show(given.pauseSeconds)}`);
    }

    const healthCheck = given.healthCheck === undefined ? undefined : resolveHealthCheck(given.healthCheck, failures);
    if (failures.length > 0 || !batchSize.ok) return { ok: false, failures };
    return { ok: true, rollout: { canary: canary as number, batchSize: batchSize.value, maxFailures: maxFailures as number, healthCheck, pauseSeconds } };
}

function resolveHealthCheck(check: HealthCheckOptions, failures: RolloutFailure[]): ResolvedHealthCheck | undefined {
    const fail = (field: string, reason: string) => failures.push({ field: `rollout.healthCheck.${field}`, reason });
    if (typeof check !== "object" || check === null) {
        failures.push({ field: "rollout.healthCheck", reason: `must be an object such as { url: "https://{host}/health" }, got ${show(check)}` });
        return undefined;
    }
    const known = ["url", "expectStatus", "timeoutSeconds", "retries", "intervalSeconds", "caCertificate"];
    for (const key of Object.keys(check)) if (!known.includes(key)) fail(key, `is not a health check option (options: ${known.join(", ")})`);
    const url = checkUrlTemplate(check.url);
    if (!url.ok) fail("url", url.reason);
    const resolved = { ...HEALTH_CHECK_DEFAULTS, ...check };
    if (!(Number.isInteger(resolved.expectStatus) && resolved.expectStatus >= 100 && resolved.expectStatus <= 599)) {
        fail("expectStatus", `must be an HTTP status from 100 to 599, got ${show(check.expectStatus)}`);
    }
    if (!(typeof resolved.timeoutSeconds === "number" && resolved.timeoutSeconds > 0 && resolved.timeoutSeconds <= 600)) {
        fail("timeoutSeconds", `must be a number of seconds above 0, at most 600, got ${show(check.timeoutSeconds)}`);
    }
    if (!(isCount(resolved.retries) && resolved.retries <= 100)) fail("retries", `must be a whole number from 0 to 100, got ${show(check.retries)}`);
    if (!(typeof resolved.intervalSeconds === "number" && resolved.intervalSeconds >= 0 && resolved.intervalSeconds <= 3600)) {
        fail("intervalSeconds", `must be a number of seconds from 0 to 3600, got ${show(check.intervalSeconds)}`);
    }
    if (check.caCertificate !== undefined) {
        const problem = typeof check.caCertificate === "string" ? pemCertificateProblem(check.caCertificate) : `not a string, got ${show(check.caCertificate)}`;
        if (problem !== undefined) fail("caCertificate", `must be the PEM of the CA certificate(s) that issued the servers' certificates: ${problem}`);
        else if (url.ok && !/^https:/i.test(String(check.url).trim())) fail("caCertificate", "only applies to https URLs");
    }
    return resolved;
}

/**
 * A health-check URL template: http or https, with only the placeholders `{host}` and `{name}`.
 * The template is checked with stand-in values, so a URL that only breaks once filled in
 * (a placeholder in the scheme) is refused too.
 */
export function checkUrlTemplate(template: unknown): { ok: true } | { ok: false; reason: string } {
    if (typeof template !== "string" || template.trim() === "") {
        return { ok: false, reason: `must be an http(s) URL such as "https://{host}/health", got ${show(template)}` };
    }
    for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
        if (!(URL_PLACEHOLDERS as readonly string[]).includes(match[1])) {
            return { ok: false, reason: `has the unknown placeholder "{${match[1]}}" (placeholders: ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})` };
        }
    }
    let url: URL;
    try {
        url = new URL(fillUrl(template, { host: "web01.example", name: "web01" }));
    } catch {
        return { ok: false, reason: `${JSON.stringify(template)} is not a URL once its placeholders are filled in` };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: `must use http or https, got ${JSON.stringify(url.protocol)}` };
    return { ok: true };
}

/** The URL for one server. Host names with ":" (IPv6) are bracketed, as URLs need. */
export function fillUrl(template: string, values: { host: string; name: string }): string {
    const host = values.host.includes(":") && !values.host.startsWith("[") ? `[${values.host}]` : values.host;
    return template.replace(/\{host\}/g, host).replace(/\{name\}/g, encodeURIComponent(values.name));
}

type BatchSizeParse = { ok: true; value: ResolvedRollout["batchSize"] } | { ok: false; reason: string };

/** "25%" (more than 0, at most 100) or a whole number of at least 1. */
export function parseBatchSize(value: unknown): BatchSizeParse {
    const allowed = `a whole number of servers (1 or more) or a percentage above 0% and at most 100% such as "25%"`;
    if (typeof value === "number") {
        return Number.isInteger(value) && value >= 1 ? { ok: true, value: { count: value } } : { ok: false, reason: `must be ${allowed}, got ${value}` };
    }
    if (typeof value === "string") {
        const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
        if (match) {
            const percent = Number(match[1]);
            if (percent > 0 && percent <= 100) return { ok: true, value: { percent } };
        } else if (/^\s*\d+\s*$/.test(value)) {
            return parseBatchSize(Number(value));
        }
    }
    return { ok: false, reason: `must be ${allowed}, got ${show(value)}` };
}

/**
 * Splits servers, in the order given, into the canary batch and batches of `batchSize`. A
 * percentage is of the servers after the canary, rounded up (so every batch holds at least one
 * server); the last batch takes what is left.
 */
export function planBatches<T>(servers: readonly T[], rollout: Pick<ResolvedRollout, "canary" | "batchSize">): T[][] {
    const batches: T[][] = [];
    if (rollout.canary > 0) batches.push(servers.slice(0, rollout.canary));
    const rest = servers.slice(rollout.canary);
    const size = "count" in rollout.batchSize
        ? rollout.batchSize.count
        : Math.max(1, Math.ceil((rest.length * rollout.batchSize.percent) / 100 - 1e-9));
    for (let start = 0; start < rest.length; start += size) batches.push(rest.slice(start, start + size));
    return batches;
}

function isCount(value: unknown): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function show(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
}
