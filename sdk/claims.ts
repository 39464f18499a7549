/**
 * One resource per attribute per location per target, checked while the program is built. Two
 * resources managing the same attribute at the same location would both report success on every
 * `pulumi up` while undoing each other (the last to apply wins), and deleting either would
 * "restore" the other's value. The second to be declared is refused, naming both.
 *
 * The registry belongs to one program run: the engine connection (resource monitor) the program
 * registers with. A Pulumi deployment runs the program once per process; tests run many programs in
 * one process, each under its own pulumi.runtime.setMocks, and each gets a registry of its own. It
 * is state of the program's process, not of the provider, which runs in the provider host.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseLocation, locationKey } from "../provider/settings/location";
import { quote } from "../provider/settings/quote";
import { SESSION_ATTRIBUTES } from "../provider/settings/schema";
import { Target, targetIdentity } from "../provider/targets";

/** Per program run: `${target identity}\0${location key}\0${attribute}` → the name of the resource managing it. */
const claimsByRun = new WeakMap<object, Map<string, string>>();
/** For a program not (yet) connected to an engine. */
const unconnectedRun = {};

function claimsOfThisRun(): Map<string, string> {
    const run: object = pulumi.runtime.getMonitor() ?? unconnectedRun;
    let claims = claimsByRun.get(run);
    if (claims === undefined) claimsByRun.set(run, claims = new Map());
    return claims;
}

/**
 * Records that `resource` manages the attributes set in `settings` at `location` of `target`, or
 * throws if another resource already does. Values that cannot be judged (an invalid target or
 * location, which check refuses later) claim nothing. A resource may claim again (a program run
 * twice in one process, as tests do).
 */
export function claimSettings(resource: string, target: unknown, location: unknown, settings: Record<string, unknown>): void {
    if (typeof location !== "string") return;
    const parsed = parseLocation(location);
    if (!parsed.ok) return;
    let identity: string;
    try {
        identity = targetIdentity(target as Target);
    } catch {
        return;
    }
    const claims = claimsOfThisRun();
    const managed = SESSION_ATTRIBUTES.filter((name) => settings[name] !== undefined && settings[name] !== null);
    const keys = managed.map((name) => ({ name, key: `${identity}\u0000${locationKey(parsed.path)}\u0000${name}` }));
    const conflicts = keys.filter(({ key }) => claims.has(key) && claims.get(key) !== resource);
    if (conflicts.length > 0) {
        const other = claims.get(conflicts[0].key) as string;
        const where = parsed.path === "" ? "the server level" : `location ${quote(parsed.path)}`;
        throw new Error(`AspSessionSettings ${quote(resource)} and ${quote(other)} both manage ${conflicts.map(({ name }) => name).join(", ")} at ${where} of ${identity}: ` +
            `each apply would undo the other's (the last would win), and deleting one would "restore" the other's value. Manage each attribute at a location from one resource`);
    }
    for (const { key } of keys) claims.set(key, resource);
}
