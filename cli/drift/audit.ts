/**
 * The drift audit: reads the live settings of every server and location of an inventory, a
 * bounded number at a time, and compares them with the desired ones. It only ever reads.
 */
import type { Inventory } from "../../sdk/fleet/inventory";
import type { Target } from "../../provider/targets";
import type { EffectiveOrigin, SessionReading } from "../../provider/apphost/sessionReader";
import { openBackend } from "../../provider/open";
import { failureKind } from "../../provider/failureKind";
import { driftedAttributes } from "../../provider/settings/drift";
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings } from "../../provider/settings/schema";
import type { AuditEntry, AuditTarget, EffectiveValue } from "./report";

export interface AuditOptions {
    /** Reads in flight at once (default 16). */
    concurrency?: number;
    /** Told when a server and location starts being read. */
    onStart?: (name: string, location: string) => void;
    /** Told after each server and location is done, with the count done so far. */
    onProgress?: (done: number, total: number, entry: AuditEntry) => void;
}

export async function auditFleet(inventory: Inventory, options: AuditOptions = {}): Promise<AuditEntry[]> {
    const desired: SessionSettings = {};
    for (const name of SESSION_ATTRIBUTES) if (inventory.settings[name] !== undefined) Object.assign(desired, { [name]: inventory.settings[name] });
    const work = inventory.servers.flatMap((server) => inventory.locations.map((location) => ({ server, location })));
    const entries: AuditEntry[] = new Array(work.length);
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
        while (next < work.length) {
            const index = next++;
            const { server, location } = work[index];
            options.onStart?.(server.name, location);
            entries[index] = await auditOne(server.name, server.target as Target, location, desired);
            options.onProgress?.(++done, work.length, entries[index]);
        }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? 16, work.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    return entries;
}

async function auditOne(name: string, target: Target, location: string, desired: SessionSettings): Promise<AuditEntry> {
    const base = { name, target: auditTarget(target), location, desired };
    try {
        const reading = await openBackend(target).read(location);
        const live: AuditEntry["live"] = {};
        const effective: AuditEntry["effective"] = {};
        for (const attribute of SESSION_ATTRIBUTES) {
            if (desired[attribute] === undefined) continue;
            live[attribute] = reading.explicit[attribute] ?? null;
            effective[attribute] = effectiveValue(reading, attribute);
        }
        const differences = driftedAttributes(desired, reading.explicit);
        const read = { ...base, live, effective, differences };
        if (reading.unread !== undefined) {
            // IIS would read these files; without them no status can be claimed.
            const files = reading.unread.map((unread) => `${unread.file} (${unread.reason})`).join("; ");
            return { ...read, status: "error", error: `cannot tell what IIS applies at ${location === "" ? "the server level" : JSON.stringify(location)}: the section is unlocked there and these web.config files could not be read: ${files}`, errorKind: "config" };
        }
        if (reading.unknownSite !== undefined) return { ...read, status: "no-such-site", reason: reading.unknownSite };
        const overriding = Object.keys(desired).flatMap((name) => {
            const origin = reading.sources?.[name as SessionAttribute];
            return origin?.level === "webConfig" ? [`${name} is set to ${JSON.stringify(reading.effective[name as SessionAttribute])} by ${origin.file}`] : [];
        });
        if (overriding.length > 0) {
            return { ...read, status: "overridden", reason: `${overriding.join("; ")}; IIS applies that over applicationHost.config, so change that web.config (or lock the attribute) to get the desired value` };
        }
        return { ...read, status: differences.length === 0 ? "in-sync" : "drift" };
    } catch (error) {
        return { ...base, status: "error", live: {}, effective: {}, differences: [], error: error instanceof Error ? error.message : String(error), errorKind: failureKind(error) };
    }
}

function auditTarget(target: Target): AuditTarget {
    return target.kind === "file" ? { kind: "file", path: target.path } : { kind: target.kind, host: target.host };
}

/** The value IIS applies and where it comes from; "inherited" where the backend cannot say which level. */
function effectiveValue(reading: SessionReading, attribute: SessionAttribute): EffectiveValue {
    const origin: EffectiveOrigin = reading.sources?.[attribute] ?? (reading.explicit[attribute] !== undefined ? { level: "location" } : { level: "inherited" });
    const value = reading.effective[attribute];
    if (origin.level === "parent") return { value, source: "parent", from: origin.path };
    return origin.level === "webConfig" ? { value, source: "webConfig", from: origin.file } : { value, source: origin.level };
}

/** 0: all in sync; 2: some not in the desired state (drift, overridden, no such site) and no errors; 1: any error. */
export function auditExitCode(entries: readonly AuditEntry[]): 0 | 1 | 2 {
    if (entries.some((entry) => entry.status === "error")) return 1;
    return entries.some((entry) => entry.status !== "in-sync") ? 2 : 0;
}
