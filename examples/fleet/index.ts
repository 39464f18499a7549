/**
 * The shop's session settings on every server of an inventory file, in batches: one canary,
 * then a quarter of the rest at a time, each batch health-checked before the next starts.
 *   pulumi config set inventory ./fleet.yaml      # default: fleet.yaml beside this program
 *   pulumi config set rollout '{"maxFailures":1}'   # optional: overrides these options of the file's rollout
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AspSessionFleet, loadInventory, RolloutOptions } from "pulumi-iis-asp-session";

const config = new pulumi.Config();
const inventory = loadInventory(config.get("inventory") ?? path.join(__dirname, "fleet.yaml"));

const fleet = new AspSessionFleet("shop", {
    servers: inventory.servers,
    locations: inventory.locations,
    settings: inventory.settings,
    rollout: { ...inventory.rollout, ...config.getObject<RolloutOptions>("rollout") },
});

export const batches = fleet.batches;
export const report = fleet.report;
