/**
 * Provider code for fleet rollouts: the health gate resource that stands between batches. The
 * host loads `./dynamic` (package path "pulumi-iis-asp-session/provider/healthGate").
 */
export { createHealthGateProvider, passGate, RolloutStoppedError } from "./healthGate";
export type { FailedServer, GateServer, HealthGateInputs, HealthGateState } from "./healthGate";
