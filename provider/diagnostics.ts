/**
 * What the provider tells the engine besides results: warnings, and errors in the one shape the
 * dynamic-provider host can pass on.
 *
 * Errors: the host prints a failed check, diff, read or delete as `${error}: ${error.stack}` and
 * sends `error.message` over gRPC. A class that extends Error, copied by value into the provider
 * text Pulumi stores, becomes a plain function calling `Error.call(this)`: its instances are not
 * Errors (no stack, "[object Object]" as text). And gRPC percent-encodes the message with
 * encodeURIComponent, which throws on a lone surrogate, so such a message left the call
 * unanswered. Every error leaving the provider is therefore a fresh, real Error with a
 * well-formed message.
 */
import type * as pulumi from "@pulumi/pulumi";
import { wellFormed } from "./settings/quote";

/**
 * A warning for the user: the engine shows it with the deployment (stderr of the host when no
 * engine listens). @pulumi/pulumi is loaded here, when first needed: loading it takes a second,
 * which every process using the provider would otherwise pay.
 */
export function warn(message: string): void {
    const log: typeof pulumi.log = require("@pulumi/pulumi").log;
    log.warn(wellFormed(message));
}

/**
 * A real Error carrying `error`'s message, well-formed, for the host to print and send. A partial
 * failure's id, properties and reasons (which the host sends as ErrorResourceInitFailed) stay on it.
 */
export function hostError(error: unknown): Error {
    const message = typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
        ? (error as { message: string }).message
        : String(error);
    const fresh = new Error(wellFormed(message));
    const partial = error as { id?: unknown; properties?: unknown; reasons?: unknown } | null;
    if (typeof partial?.id === "string" && typeof partial.properties === "object" && Array.isArray(partial.reasons)) {
        return Object.assign(fresh, { id: partial.id, properties: partial.properties, reasons: partial.reasons.map((reason) => wellFormed(String(reason))) });
    }
    return fresh;
}

const OPERATIONS = ["check", "diff", "create", "read", "update", "delete"] as const;

/** The provider with every operation's failure turned into a hostError. */
export function withHostErrors(provider: pulumi.dynamic.ResourceProvider): pulumi.dynamic.ResourceProvider {
    const wrapped: Record<string, unknown> = { ...provider };
    for (const name of OPERATIONS) {
        const operation = provider[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
        if (operation === undefined) continue;
        wrapped[name] = async (...args: unknown[]) => {
            try {
                return await operation.apply(provider, args);
            } catch (error) {
                throw hostError(error);
            }
        };
    }
    return wrapped as unknown as pulumi.dynamic.ResourceProvider;
}
