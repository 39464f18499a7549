/**
 * The `AspSessionSettings` resource and its argument types.
 */
import * as pulumi from "@pulumi/pulumi";
import { claimSettings } from "./claims";
import type { CreationRecord } from "../provider/apphost/sessionEditor";
import type { SessionAttribute, SessionValues } from "../provider/settings/schema";
import { PROVIDER_REFERENCE } from "./providerReference";
import { refuseMalformedText, type CheckFailure } from "../provider/settings/inputs";

import { IDENTITY_FIELDS, targetHoldsSecret, type FileTarget, type SshTarget, type WinrmTarget } from "../provider/targets";

/**
 * A target's Args, derived from the kind's declaration (provider/targets/): every field a
 * `pulumi.Input`, nested groups (an SSH jump host) too, with the declaration's doc comments.
 */
export type TargetInputs<T> = {
    [K in keyof T]: K extends "kind" ? T[K] : NonNullable<T[K]> extends object ? pulumi.Input<TargetInputs<NonNullable<T[K]>>> : pulumi.Input<T[K]>;
};

/** applicationHost.config on the machine that runs Pulumi, edited directly (no server needed). */
export type FileTargetArgs = TargetInputs<FileTarget>;

/**
 * A Windows server reached over WinRM. Credentials should be Pulumi secrets; the SDK marks the
 * whole target secret whenever it holds a password or key, so they never land in state as plain text.
 */
export type WinrmTargetArgs = TargetInputs<WinrmTarget>;

/**
 * A Windows server reached over SSH (Windows OpenSSH), optionally through a jump host (`proxy`).
 * The host key is pinned (`hostKey`); an unknown or different key is refused. The SDK marks the
 * whole target secret whenever it holds a key, passphrase or password.
 */
export type SshTargetArgs = TargetInputs<SshTarget>;

/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate) is refused at the line that declares
 * the resource, with the provider's own message: through the engine's gRPC it would arrive as
 * U+FFFD and be written. Only values known now are checked; the provider's check sees the rest.
 */
function refuseMalformedPlainText(name: string, args: AspSessionSettingsArgs): void {
    const failures: CheckFailure[] = [];
    refuseMalformedText(knownParts(args) as Record<string, unknown>, failures);
    if (failures.length > 0) throw new Error(`AspSessionSettings "${name}": ${failures.map((failure) => failure.reason).join("; ")}`);
}

/** `value` without the parts not known yet (Outputs, Promises), nested objects and arrays included. */
function knownParts(value: unknown): unknown {
    if (!isPlain(value)) return undefined;
    if (Array.isArray(value)) return value.map(knownParts);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([, inner]) => isPlain(inner)).map(([key, inner]) => [key, knownParts(inner)]));
}

/** True if `value` is known now: not an Output or a Promise. */
function isPlain(value: unknown): boolean {
    return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/** Where the settings live and how to reach them. */
export type TargetArgs = FileTargetArgs | WinrmTargetArgs | SshTargetArgs;

/** The target, made secret when it carries a secret field (so state never holds one in plain text). */
function protectTarget(target: pulumi.Input<TargetArgs>): pulumi.Output<TargetArgs> {
    return pulumi.output(target).apply((resolved) => {
        const hasSecret = targetHoldsSecret(resolved as unknown as Record<string, unknown>);
        return (hasSecret ? pulumi.secret(resolved) : pulumi.output(resolved)) as pulumi.Output<TargetArgs>;
    }) as unknown as pulumi.Output<TargetArgs>;
}

export interface AspSessionSettingsArgs {
    /** The server and configuration file to manage. Changing which one replaces the resource. */
    target: pulumi.Input<TargetArgs>;
    /**
     * Where the settings apply: "" (the default) for the whole server, "Site" for a site,
     * "Site/app/..." for an application. Compared case-insensitively, as IIS does. Site and
     * application values are written under `<location path="...">` in applicationHost.config,
     * because the asp section is locked at the server level. Changing it replaces the resource.
     */
    location?: pulumi.Input<string>;
    /** session/@allowSessionState. Unset: not managed (inherited). IIS default: true. */
    allowSessionState?: pulumi.Input<boolean>;
    /** session/@keepSessionIdSecure. Unset: not managed (inherited). IIS default: true. */
    keepSessionIdSecure?: pulumi.Input<boolean>;
    /** session/@max: the most concurrent sessions, 0 to 4294967295. Unset: not managed. IIS default: 4294967295. */
    max?: pulumi.Input<number>;
    /**
     * session/@timeout: a TimeSpan in whole minutes from "00:00:00" to "365.00:00:00"
     * ("hh:mm:ss" or "d.hh:mm:ss"), or a number of minutes. Unset: not managed. IIS default: "00:20:00".
     */
    timeout?: pulumi.Input<string | number>;
    /**
     * What delete does: "restore" (default) puts back exactly what was set at the location before
     * this resource adopted it; "inherit" removes the managed attributes so the location inherits.
     * (To leave the settings in place, use Pulumi's `retainOnDelete` resource option.)
     */
    onDelete?: pulumi.Input<"restore" | "inherit">;
    /**
     * What a failed create or update does: "fail" (default) fails the deployment; "record" keeps
     * going and records why in `applyFailure`, claiming nothing was applied, so the next preview
     * proposes the apply again. AspSessionFleet uses "record" when `rollout.maxFailures` > 0.
     */
    onApplyFailure?: pulumi.Input<"fail" | "record">;
}

/**
 * ASP session settings at one location of one server's applicationHost.config. A Pulumi dynamic
 * resource (type `pulumi-nodejs:dynamic/iis:AspSessionSettings`): the dynamic-provider host runs
 * the provider installed beside the program (see providerReference.ts).
 */
export class AspSessionSettings extends pulumi.CustomResource {
    public readonly target!: pulumi.Output<TargetArgs>;
    public readonly location!: pulumi.Output<string>;
    public readonly allowSessionState!: pulumi.Output<boolean | undefined>;
    public readonly keepSessionIdSecure!: pulumi.Output<boolean | undefined>;
    public readonly max!: pulumi.Output<number | undefined>;
    /** The managed timeout as IIS writes it ("00:10:00"). */
    public readonly timeout!: pulumi.Output<string | undefined>;
    public readonly onDelete!: pulumi.Output<"restore" | "inherit">;
    /** The values IIS applies at the location after the last apply or refresh, inherited ones included. */
    public readonly effective!: pulumi.Output<SessionValues>;
    /** For each managed attribute, its text at the location before this resource adopted it (null: not set). */
    public readonly previous!: pulumi.Output<Partial<Record<SessionAttribute, string | null>>>;
    /** Elements this resource created in the file, removed again on delete when left empty. */
    public readonly created!: pulumi.Output<CreationRecord>;
    /** With onApplyFailure "record": why the last apply failed; null when it succeeded. */
    public readonly applyFailure!: pulumi.Output<string | null>;

    constructor(name: string, args: AspSessionSettingsArgs, opts?: pulumi.CustomResourceOptions) {
        refuseMalformedPlainText(name, args);
        const target = protectTarget(args.target);
        // Known now (plain values, the usual case): refused here, at the line that declares it.
        const identityFields = IDENTITY_FIELDS.map((field) => (args.target as unknown as Record<string, unknown>)?.[field]);
        const settings = { allowSessionState: args.allowSessionState, keepSessionIdSecure: args.keepSessionIdSecure, max: args.max, timeout: args.timeout };
        if ([args.target, ...identityFields, args.location, ...Object.values(settings)].every(isPlain)) {
            claimSettings(name, args.target, args.location ?? "", settings);
        }
        // Else the location, once this resource's claim on its attributes there is recorded (claims.ts):
        // a second resource managing one of them fails to register, naming both.
        const claimedLocation = pulumi.unsecret(pulumi.all([target, args.location ?? "", args.allowSessionState, args.keepSessionIdSecure, args.max, args.timeout])
            .apply(([resolvedTarget, location, allowSessionState, keepSessionIdSecure, max, timeout]) => {
                claimSettings(name, resolvedTarget, location, { allowSessionState, keepSessionIdSecure, max, timeout });
                return location;
            }));
        super("pulumi-nodejs:dynamic/iis:AspSessionSettings", name, {
            ...args,
            location: claimedLocation,
            target,
            effective: undefined,
            previous: undefined,
            created: undefined,
            applyFailure: undefined,
            __provider: PROVIDER_REFERENCE,
        }, {
            ...opts,
            // The target may hold credentials: its output is always secret in state.
            additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), "target"])],
        });
    }
}

