/** Fleet rollouts: AspSessionFleet, its options and report, and the inventory file reader. */
export { AspSessionFleet, memberName } from "./fleet";
export type { AspSessionFleetArgs, FleetReportEntry, FleetServer } from "./fleet";
export { FleetHealthGate } from "./healthGate";
export type { FleetSettings } from "./spec";
export type { HealthCheckOptions, RolloutOptions } from "./rollout";
export { loadInventory, InventoryError } from "./inventory";
export type { Inventory, InventoryServer } from "./inventory";
