/**
 * The dynamic provider: Pulumi's check/diff/create/read/update/delete for `AspSessionSettings`.
 * It compares the program's settings with the live server (not only with the last state), so a
 * change made by hand shows up in the next preview; it records what it overwrote and what it
 * created, so delete can put the location back as it was.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CreationRecord, NOTHING_CREATED } from "./apphost/sessionEditor";
import { SessionChange, SessionReading } from "./backends/types";
import { checkSettingsFields, CheckFailure, isUnknown, OnDelete } from "./settings/inputs";
import { sameLocation } from "./settings/location";
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings, SessionValues, sameValue } from "./settings/schema";
import { readPriorState, requirePriorState } from "./priorState";
import { checkTarget, identityUnknown, openBackend, sameTarget, Target, targetIdentity } from "./targets";

/** Canonical inputs, after check. */
export interface AspSessionInputs extends SessionSettings {
    target: Target;
    location: string;
    onDelete: OnDelete;
}

/** What is kept in state: the inputs plus what the server says and what delete needs. */
export interface AspSessionState extends AspSessionInputs {
    /** Values IIS applies at the location after the last apply or refresh. */
    effective: SessionValues;
    /**
     * For each managed attribute, its text at the location before this resource adopted it
     * (null: it was not set there). Delete puts these back.
     */
    previous: Partial<Record<SessionAttribute, string | null>>;
    /** Elements this resource created in applicationHost.config, removed again on delete if left empty. */
    created: CreationRecord;
}

/** How one property differs, in the engine's terms (the host forwards only `changes`/`replaces`). */
export interface PropertyChange {
    kind: "add" | "update" | "delete" | "update-replace";
    /** True when the program's input changed; false when only the live server differs (drift). */
    inputDiff: boolean;
}

export interface SessionDiff extends pulumi.dynamic.DiffResult {
    detailedDiff: Record<string, PropertyChange>;
}

const PROPERTY_NAMES = ["target", "location", "onDelete", ...SESSION_ATTRIBUTES];

function managed(inputs: SessionSettings): SessionAttribute[] {
    return SESSION_ATTRIBUTES.filter((name) => inputs[name] !== undefined && inputs[name] !== null);
}

function resourceId(inputs: AspSessionInputs): string {
    return `${targetIdentity(inputs.target)}|${inputs.location}`;
}

/** The outputs after a write: canonical inputs, effective values, and the restore information. */
function stateAfter(inputs: AspSessionInputs, after: SessionReading, previous: AspSessionState["previous"], created: CreationRecord): AspSessionState {
    const state: AspSessionState = { ...inputs, effective: after.effective, previous, created };
    for (const name of SESSION_ATTRIBUTES) if (state[name] === undefined) delete state[name];
    return state;
}

/** The change that gives attributes back to what they were before this resource managed them. */
function releaseChange(attributes: SessionAttribute[], previous: AspSessionState["previous"], onDelete: OnDelete): SessionChange {
    const change: SessionChange = { set: {}, restore: {}, remove: [] };
    for (const name of attributes) {
        const before = previous[name];
        if (onDelete === "restore" && typeof before === "string") change.restore[name] = before;
        else change.remove.push(name);
    }
    return change;
}

export function createAspSessionProvider(): pulumi.dynamic.ResourceProvider {
    return {
        async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
            const failures: CheckFailure[] = [];
            for (const key of Object.keys(news)) {
                if (key !== "__provider" && !PROPERTY_NAMES.includes(key)) {
                    failures.push({ property: key, reason: `${key} is not an input of AspSessionSettings (inputs: ${PROPERTY_NAMES.join(", ")})` });
                }
            }
            const target = checkTarget(news.target, failures);
            const inputs: Record<string, unknown> = { target, ...checkSettingsFields(news, failures) };
            if (target === undefined) delete inputs.target;
            return { inputs, failures };
        },

        async diff(id: string, storedOlds: AspSessionState, news: AspSessionInputs): Promise<SessionDiff> {
            // State the provider cannot read (another version's, an import's) cannot show that the
            // new target or location is the same one: the engine's answer is a replacement.
            const prior = readPriorState(id, storedOlds as unknown as Record<string, unknown>);
            const olds = (prior.ok ? prior.state : storedOlds) as AspSessionState;
            const oldTarget = prior.ok ? prior.state.target : prior.target;
            const oldLocation = prior.ok ? prior.state.location : prior.location;
            const replaces: string[] = [];
            if (oldTarget === undefined || identityUnknown(news.target) || targetIdentity(news.target) !== targetIdentity(oldTarget)) replaces.push("target");
            if (oldLocation === undefined || isUnknown(news.location) || !sameLocation(news.location, oldLocation)) replaces.push("location");
            const detailedDiff: Record<string, PropertyChange> = {};
            for (const name of replaces) detailedDiff[name] = { kind: "update-replace", inputDiff: true };
            if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true, detailedDiff };

            if (!sameTarget(news.target, oldTarget)) detailedDiff.target = { kind: "update", inputDiff: true };
            if ((news.onDelete ?? "restore") !== (olds.onDelete ?? "restore")) detailedDiff.onDelete = { kind: "update", inputDiff: true };
            if (news.location !== oldLocation) detailedDiff.location = { kind: "update", inputDiff: true };
            const live = await openBackend(news.target).read(news.location);
            for (const name of SESSION_ATTRIBUTES) {
                const wanted = news[name];
                if (wanted === undefined || wanted === null) {
                    if (olds[name] !== undefined && olds[name] !== null) detailedDiff[name] = { kind: "delete", inputDiff: true };
                } else if (isUnknown(wanted)) {
                    detailedDiff[name] = { kind: "update", inputDiff: true };
                } else if (live.explicit[name] === undefined) {
                    detailedDiff[name] = { kind: olds[name] === undefined ? "add" : "update", inputDiff: false };
                } else if (!sameValue(name, live.explicit[name], wanted)) {
                    detailedDiff[name] = { kind: "update", inputDiff: !sameValue(name, olds[name], wanted) };
                }
            }
            return { changes: Object.keys(detailedDiff).length > 0, replaces: [], deleteBeforeReplace: false, detailedDiff };
        },

        async create(inputs: AspSessionInputs): Promise<pulumi.dynamic.CreateResult> {
            const set: SessionSettings = {};
            for (const name of managed(inputs)) (set as Record<string, unknown>)[name] = inputs[name];
            const result = await openBackend(inputs.target).write(inputs.location, { set, restore: {}, remove: [] });
            const previous: AspSessionState["previous"] = {};
            for (const name of managed(inputs)) previous[name] = result.before.explicitRaw[name] ?? null;
            return { id: resourceId(inputs), outs: stateAfter(inputs, result.after, previous, result.created) };
        },

        async read(id: string, props: AspSessionState): Promise<pulumi.dynamic.ReadResult> {
            // Without properties (pulumi import) the id says where the settings are.
            const state = requirePriorState(id, props as unknown as Record<string, unknown>);
            const live = await openBackend(state.target).read(state.location);
            const refreshed: AspSessionState = { ...state, effective: live.effective };
            const inputs: Record<string, unknown> = { target: state.target, location: state.location, onDelete: state.onDelete ?? "restore" };
            for (const name of managed(state)) {
                // The inputs the live server implies: a value changed by hand shows as drift in the next diff.
                const value = live.explicit[name];
                if (value === undefined) delete (refreshed as unknown as Record<string, unknown>)[name];
                else (refreshed as unknown as Record<string, unknown>)[name] = inputs[name] = value;
            }
            return { id, props: refreshed, inputs } as pulumi.dynamic.ReadResult;
        },

        async update(id: string, storedOlds: AspSessionState, news: AspSessionInputs): Promise<pulumi.dynamic.UpdateResult> {
            const olds = requirePriorState(id, storedOlds as unknown as Record<string, unknown>);
            const released = managed(olds).filter((name) => news[name] === undefined || news[name] === null);
            const change = releaseChange(released, olds.previous, news.onDelete);
            for (const name of managed(news)) (change.set as Record<string, unknown>)[name] = news[name];
            const oldCreated = olds.created;
            if (managed(news).length === 0 && oldCreated.created !== "") change.prune = oldCreated;
            const result = await openBackend(news.target).write(news.location, change);
            const previous: AspSessionState["previous"] = {};
            for (const name of managed(news)) {
                previous[name] = name in olds.previous ? olds.previous[name] ?? null : result.before.explicitRaw[name] ?? null;
            }
            const created = result.created.created !== "" ? result.created : result.pruned ? NOTHING_CREATED : oldCreated;
            return { outs: stateAfter(news, result.after, previous, created) };
        },

        async delete(id: string, storedProps: AspSessionState): Promise<void> {
            const props = requirePriorState(id, storedProps as unknown as Record<string, unknown>);
            const change = releaseChange(managed(props), props.previous, props.onDelete);
            if (props.created.created !== "") change.prune = props.created;
            await openBackend(props.target).write(props.location, change);
        },
    };
}
