/**
 * AspSessionFleet: the same session settings on many servers, rolled out in batches. Each server
 * and location gets its own AspSessionSettings, named from the server's name; each batch is
 * followed by a health gate, and the next batch depends on that gate, so the engine starts it
 * only after the gate passed.
 */
import * as pulumi from "@pulumi/pulumi";
import { AspSessionSettings, TargetArgs } from "../aspSessionSettings";
import type { SessionAttribute, SessionValues } from "../../provider/settings/schema";
import { FleetHealthGate } from "./healthGate";
import { fillUrl, planBatches, RolloutOptions } from "./rollout";
import { CheckedFleet, checkFleetSpec, describeFailures, FleetSettings } from "./spec";

export interface FleetServer {
    /** The server's name in the fleet: letters, digits, ".", "_", "-"; unique. Its resources are named from it. */
    name: string;
    target: TargetArgs;
}

export interface AspSessionFleetArgs {
    /** The servers, in rollout order: the canary comes first. `loadInventory(file).servers` fits here. */
    servers: FleetServer[];
    /** Where the settings apply on every server ("" = server level, "Site", "Site/app"). Default "". */
    location?: string;
    /** Several locations on every server, instead of `location`. */
    locations?: string[];
    settings: FleetSettings;
    /** Batches, failure tolerance and health checks; see RolloutOptions for the defaults. */
    rollout?: RolloutOptions;
}

/** One server and location, as the rollout left it. */
export interface FleetReportEntry {
    server: string;
    location: string;
    /** 1-based batch number. */
    batch: number;
    /** "applied": the settings hold there; "failed": the apply failed (tolerated by maxFailures). */
    status: "applied" | "failed";
    /** Each managed attribute's text at the location before the fleet first managed it (null: not set). */
    before: Partial<Record<SessionAttribute, string | null>>;
    /** What IIS applies there after the last successful apply (null after a failed first apply). */
    after: SessionValues | null;
    error?: string;
}

/** The name of the settings resource for one server and location: never its position in the list. */
export function memberName(fleet: string, server: string, location: string): string {
    // Lower case: IIS compares locations ignoring case, so a respelling must not rename (and replace) the resource.
    return location === "" ? `${fleet}-${server}` : `${fleet}-${server}/${location.toLowerCase()}`;
}

export class AspSessionFleet extends pulumi.ComponentResource {
    /** Server names by batch, canary first: the order the rollout takes. */
    public readonly batches: string[][];
    /** Per server and location: status, before, after (see FleetReportEntry). */
    public readonly report: pulumi.Output<FleetReportEntry[]>;
    /** The settings resources, by memberName. */
    public readonly members: Record<string, AspSessionSettings>;
    /** The health gates, one after each batch. */
    public readonly gates: FleetHealthGate[];

    constructor(name: string, args: AspSessionFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers: invalid options touch nothing at all.
        const checked = checkFleetSpec(args, (value) => pulumi.Output.isInstance(value) || value instanceof Promise);
        if (!checked.ok) throw new Error(describeFailures(`AspSessionFleet "${name}"`, checked.failures));
        super("iis:index:AspSessionFleet", name, {}, opts);
        const fleet: CheckedFleet<TargetArgs> = checked.fleet;
        const { rollout } = fleet;
        const planned = planBatches(fleet.servers, rollout);
        this.batches = planned.map((batch) => batch.map((server) => server.name));
        this.members = {};
        this.gates = [];

        const entries: Array<pulumi.Output<FleetReportEntry>> = [];
        let previousGate: FleetHealthGate | undefined;
        planned.forEach((batch, index) => {
            const batchMembers: AspSessionSettings[] = [];
            const gateServers = batch.map((server) => {
                const resources = fleet.locations.map((location) => {
                    const resource = new AspSessionSettings(memberName(name, server.name, location), {
                        target: server.target,
                        location,
                        ...fleet.settings,
                        onDelete: fleet.onDelete,
                        ...(rollout.maxFailures > 0 ? { onApplyFailure: "record" as const } : {}),
                    }, { parent: this, dependsOn: previousGate ? [previousGate] : [] });
                    this.members[memberName(name, server.name, location)] = resource;
                    batchMembers.push(resource);
                    entries.push(reportEntry(server.name, location, index + 1, resource));
                    return resource;
                });
                const failures = pulumi.all(resources.map((resource, i) =>
                    resource.applyFailure.apply((failure) => (failure ? `${describeAt(fleet.locations[i])}: ${failure}` : undefined))))
                    .apply((list) => list.filter((failure): failure is string => failure !== undefined));
                const template = rollout.healthCheck?.url;
                // Only the host is read: the rest of the target may be secret, and the URL should not be.
                const host = server.target.kind === "file" ? pulumi.output("localhost") : pulumi.output(server.target.host);
                const url = template === undefined ? undefined : host.apply((hostName) => fillUrl(template, { host: hostName, name: server.name }));
                return { name: server.name, url, failures };
            });
            const healthCheck = rollout.healthCheck;
            previousGate = new FleetHealthGate(`${name}-gate-${index + 1}`, {
                fleet: name,
                batch: index + 1,
                batches: planned.length,
                servers: gateServers,
                check: healthCheck && {
                    expectStatus: healthCheck.expectStatus, timeoutSeconds: healthCheck.timeoutSeconds,
                    retries: healthCheck.retries, intervalSeconds: healthCheck.intervalSeconds,
                    ...(healthCheck.caCertificate === undefined ? {} : { caCertificate: healthCheck.caCertificate }),
                },
                maxFailures: rollout.maxFailures,
                failedBefore: previousGate ? previousGate.failed : [],
                pauseSeconds: rollout.pauseSeconds,
                settings: { ...fleet.settings, locations: fleet.locations },
            }, { parent: this, dependsOn: batchMembers });
            this.gates.push(previousGate);
        });
        this.report = pulumi.all(entries);
        this.registerOutputs({ report: this.report });
    }
}

function describeAt(location: string): string {
    return location === "" ? "server level" : location;
}

function reportEntry(server: string, location: string, batch: number, resource: AspSessionSettings): pulumi.Output<FleetReportEntry> {
    return pulumi.all([resource.applyFailure, resource.previous, resource.effective]).apply(([failure, previous, effective]) => {
        const entry: FleetReportEntry = { server, location, batch, status: failure ? "failed" : "applied", before: previous ?? {}, after: effective ?? null };
        if (failure) entry.error = failure;
        return entry;
    });
}
