/**
 * Provider code for fleet rollouts: the health gate resource that stands between batches.
 * `healthGateProvider` is the object the SDK's gate resource serialises.
 */
import { createHealthGateProvider } from "./healthGate";

export const healthGateProvider = createHealthGateProvider();
export { createHealthGateProvider, passGate, RolloutStoppedError } from "./healthGate";
export type { FailedServer, GateServer, HealthGateInputs, HealthGateState } from "./healthGate";
