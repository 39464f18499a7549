/**
 * What describes a fleet (servers, locations, settings, rollout), checked as a whole before any
 * resource exists or any server is contacted: the AspSessionFleet component and the inventory
 * file share this one check. Pure (no Pulumi here, so the command line loads none): the caller says
 * which values are not known yet (`pending`: Outputs, Promises); they are checked as far as they
 * are known, and the provider's own check covers the rest later.
 */
import { checkSettingsFields, CheckFailure, UNKNOWN } from "../../provider/settings/inputs";
import { locationKey } from "../../provider/settings/location";
import { SESSION_ATTRIBUTES, SessionSettings } from "../../provider/settings/schema";
import { checkTarget, identityUnknown, targetIdentity } from "../../provider/targets";
import type { Target } from "../../provider/targets";
import { checkServerNames, resolveRollout, ResolvedRollout, RolloutFailure, RolloutOptions } from "./rollout";

/** The session settings every server of the fleet gets (each optional: unset = not managed). */
export interface FleetSettings {
    allowSessionState?: boolean;
    keepSessionIdSecure?: boolean;
    /** 0 to 4294967295. */
    max?: number;
    /** A TimeSpan in whole minutes ("00:10:00", "1.00:00:00") or a number of minutes. */
    timeout?: string | number;
    /** What deleting a server's settings does (see AspSessionSettings.onDelete); default "restore". */
    onDelete?: "restore" | "inherit";
}

export interface FleetSpec<TargetValue> {
    servers: ReadonlyArray<{ name: string; target: TargetValue }>;
    location?: string;
    locations?: readonly string[];
    settings: FleetSettings;
    rollout?: RolloutOptions;
}

export interface CheckedFleet<TargetValue> {
    servers: Array<{ name: string; target: TargetValue }>;
    /** Canonical location paths ("" = server level), in the order given. */
    locations: string[];
    /** Canonical values of the managed attributes. */
    settings: SessionSettings;
    onDelete: "restore" | "inherit";
    rollout: ResolvedRollout;
}

export type FleetCheck<TargetValue> = { ok: true; fleet: CheckedFleet<TargetValue> } | { ok: false; failures: RolloutFailure[] };

/** The top-level fields of a fleet spec (and of an inventory file). */
export const SPEC_FIELDS: readonly string[] = ["servers", "location", "locations", "settings", "rollout"];

export function checkFleetSpec<TargetValue>(spec: FleetSpec<TargetValue>, pending: (value: unknown) => boolean = () => false): FleetCheck<TargetValue> {
    const failures: RolloutFailure[] = [];
    for (const key of Object.keys(spec)) if (!SPEC_FIELDS.includes(key)) failures.push({ field: key, reason: `is not a fleet field (fields: ${SPEC_FIELDS.join(", ")})` });

    const servers = Array.isArray(spec.servers) ? spec.servers : [];
    if (!Array.isArray(spec.servers) || servers.length === 0) failures.push({ field: "servers", reason: `must list at least one server ({ name, target })` });
    failures.push(...checkServerNames(servers.map((server) => server?.name)));
    const identities = new Map<string, number>();
    servers.forEach((server, index) => {
        for (const key of Object.keys(server ?? {})) if (key !== "name" && key !== "target") failures.push({ field: `servers[${index}].${key}`, reason: `is not a server field (fields: name, target)` });
        const targetFailures: CheckFailure[] = [];
        const target = checkTarget(knownParts(server?.target, pending), targetFailures);
        failures.push(...targetFailures.map((f) => ({ field: `servers[${index}].${f.property}`, reason: f.reason })));
        if (targetFailures.length === 0 && target !== undefined && !identityUnknown(target)) {
            // Two servers on one host and file would fight over the same settings.
            const identity = targetIdentity(target as Target);
            const first = identities.get(identity);
            if (first !== undefined) failures.push({ field: `servers[${index}].target`, reason: `is the same server and file as servers[${first}].target (${identity})` });
            else identities.set(identity, index);
        }
    });

    const locations = checkLocations(spec, failures);
    const settingsFailures: CheckFailure[] = [];
    const settingsObject = typeof spec.settings === "object" && spec.settings !== null ? spec.settings : {};
    if (settingsObject !== spec.settings) failures.push({ field: "settings", reason: `must be an object such as { timeout: "00:10:00", max: 2000 }` });
    for (const key of Object.keys(settingsObject)) {
        if (!(SESSION_ATTRIBUTES as readonly string[]).includes(key) && key !== "onDelete") {
            failures.push({ field: `settings.${key}`, reason: `is not a session setting (settings: ${[...SESSION_ATTRIBUTES, "onDelete"].join(", ")})` });
        }
    }
    const canonical = checkSettingsFields({ ...settingsObject }, settingsFailures);
    failures.push(...settingsFailures.map((f) => ({ field: `settings.${f.property}`, reason: f.reason })));
    const settings: SessionSettings = {};
    for (const name of SESSION_ATTRIBUTES) if (canonical[name] !== undefined) Object.assign(settings, { [name]: canonical[name] });
    if (settingsFailures.length === 0 && Object.keys(settings).length === 0 && settingsObject === spec.settings) {
        failures.push({ field: "settings", reason: `must set at least one of ${SESSION_ATTRIBUTES.join(", ")}` });
    }

    const rollout = resolveRollout(spec.rollout, servers.length);
    if (!rollout.ok) failures.push(...rollout.failures);
    if (failures.length > 0 || !rollout.ok) return { ok: false, failures };
    return {
        ok: true,
        fleet: { servers: [...servers], locations, settings, onDelete: canonical.onDelete as "restore" | "inherit", rollout: rollout.rollout },
    };
}

function checkLocations(spec: FleetSpec<unknown>, failures: RolloutFailure[]): string[] {
    if (spec.location !== undefined && spec.locations !== undefined) {
        failures.push({ field: "locations", reason: `give either location or locations, not both` });
        return [];
    }
    const given: unknown[] = spec.locations !== undefined ? (Array.isArray(spec.locations) ? spec.locations : [spec.locations]) : [spec.location ?? ""];
    const field = (index: number) => (spec.locations !== undefined ? `locations[${index}]` : "location");
    if (spec.locations !== undefined && (!Array.isArray(spec.locations) || spec.locations.length === 0)) {
        failures.push({ field: "locations", reason: `must list at least one location ("" for the server level, "Site" or "Site/app")` });
        return [];
    }
    const locations: string[] = [];
    const seen = new Map<string, number>();
    given.forEach((location, index) => {
        const checked: CheckFailure[] = [];
        const canonical = checkSettingsFields({ location }, checked).location as string | undefined;
        for (const failure of checked) failures.push({ field: field(index), reason: failure.reason });
        if (canonical === undefined) return;
        const first = seen.get(locationKey(canonical));
        if (first !== undefined) failures.push({ field: field(index), reason: `"${canonical}" is the same location as locations[${first}] (IIS compares them ignoring case)` });
        else seen.set(locationKey(canonical), index);
        locations.push(canonical);
    });
    return locations;
}

/** A target with every field that is not known yet marked unknown. */
function knownParts(target: unknown, pending: (value: unknown) => boolean): unknown {
    if (pending(target)) return UNKNOWN;
    if (typeof target !== "object" || target === null || Array.isArray(target)) return target;
    return Object.fromEntries(Object.entries(target).map(([key, value]) => [key, pending(value) ? UNKNOWN : value]));
}

/** The failures as one message, one line per field. */
export function describeFailures(subject: string, failures: readonly RolloutFailure[]): string {
    return `${subject}: nothing was changed, because:\n${failures.map((f) => `  ${f.field}: ${f.reason}`).join("\n")}`;
}
