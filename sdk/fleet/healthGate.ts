/**
 * The health gate between batches, as a resource: created (or updated) only after its batch's
 * settings resources, it fails when too many servers failed or its batch is unhealthy, and the
 * next batch depends on it. A Pulumi dynamic resource (type
 * `pulumi-nodejs:dynamic/iis:FleetHealthGate`) whose provider is loaded from the installed package;
 * see provider/healthGate/healthGate.ts for what it checks.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FailedServer } from "../../provider/healthGate";
import { HEALTH_GATE_PROVIDER_REFERENCE } from "../providerReference";

export interface FleetHealthGateArgs {
    fleet: pulumi.Input<string>;
    batch: pulumi.Input<number>;
    batches: pulumi.Input<number>;
    servers: pulumi.Input<Array<pulumi.Input<{ name: pulumi.Input<string>; url?: pulumi.Input<string>; failures: pulumi.Input<string[]> }>>>;
    check?: pulumi.Input<{ expectStatus: number; timeoutSeconds: number; retries: number; intervalSeconds: number; caCertificate?: string }>;
    maxFailures: pulumi.Input<number>;
    failedBefore: pulumi.Input<FailedServer[]>;
    pauseSeconds: pulumi.Input<number>;
    settings: pulumi.Input<Record<string, unknown>>;
}

export class FleetHealthGate extends pulumi.CustomResource {
    /** Every server failed so far in the rollout, this gate's batch included. */
    public readonly failed!: pulumi.Output<FailedServer[]>;

    constructor(name: string, args: FleetHealthGateArgs, opts?: pulumi.CustomResourceOptions) {
        super("pulumi-nodejs:dynamic/iis:FleetHealthGate", name, { ...args, failed: undefined, __provider: HEALTH_GATE_PROVIDER_REFERENCE }, opts);
    }
}
