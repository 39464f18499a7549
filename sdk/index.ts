/**
 * What Pulumi programs import: the AspSessionSettings resource, the AspSessionFleet component and
 * its inventory reader, the session commands for @pulumi/command, and the provider reference.
 */
export * from "./aspSessionSettings";
export { PROVIDER_MODULE, PROVIDER_REFERENCE } from "./providerReference";
export { renderSessionCommands, SessionCommandError, type SessionCommands, type SessionCommandSettings } from "./command";
export * from "./fleet";
