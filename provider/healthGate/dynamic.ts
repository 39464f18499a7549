/**
 * The fleet health gate's provider object, as this module's whole `module.exports`: gate
 * resources name it by package path ("pulumi-iis-asp-session/provider/healthGate", see
 * sdk/providerReference.ts), so the path is part of the package's interface.
 */
import { createHealthGateProvider } from "./healthGate";

export = createHealthGateProvider();
