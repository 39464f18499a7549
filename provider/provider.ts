/**
 * The dynamic provider: Pulumi's check/diff/create/read/update/delete for `AspSessionSettings`.
 * It compares the program's settings with the live server (not only with the last state), so a
 * change made by hand shows up in the next preview; it records what it overwrote and what it
 * created, so delete can put the location back as it was.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CreationRecord, NOTHING_CREATED } from "./apphost/sessionEditor";
import { isEmptyChange, SessionChange, SessionReading, SessionWriteResult, UnverifiedWriteError, type UnverifiedWrite } from "./backends/types";
import { warn, withHostErrors } from "./diagnostics";
import { warnOfUnknownLocation } from "./locationWarning";
import { checkSettingsFields, CheckFailure, isUnknown, OnApplyFailure, OnDelete, refuseMalformedText } from "./settings/inputs";
import { ConfigFileMissingError } from "./stores/configFile";
import { sameLocation } from "./settings/location";
import { SESSION_ATTRIBUTES, SessionAttribute, SessionSettings, SessionValues, sameValue } from "./settings/schema";
import { readPriorState, requirePriorState } from "./priorState";
import { checkTarget, identityUnknown, sameTarget, Target, targetIdentity } from "./targets";
import { openBackend } from "./open";

/** Canonical inputs, after check. */
export interface AspSessionInputs extends SessionSettings {
    target: Target;
    location: string;
    onDelete: OnDelete;
    /** Absent means "fail". */
    onApplyFailure?: OnApplyFailure;
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
    /**
     * With onApplyFailure "record": why the last create or update failed. The managed values in
     * this state are then those of the last successful apply (none after a failed create), never
     * the ones that failed, and the next diff proposes the apply again. Null after a successful
     * apply: present either way, so a program reading it during preview sees a known value for a
     * resource that does not change.
     */
    applyFailure?: string | null;
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

const PROPERTY_NAMES = ["target", "location", "onDelete", "onApplyFailure", ...SESSION_ATTRIBUTES];

function managed(inputs: SessionSettings): SessionAttribute[] {
    return SESSION_ATTRIBUTES.filter((name) => inputs[name] !== undefined && inputs[name] !== null);
}

function resourceId(inputs: AspSessionInputs): string {
    return `${targetIdentity(inputs.target)}|${inputs.location}`;
}

/**
 * The outputs after a write: canonical inputs, effective values (null when a write that was not
 * verified could not be read back either), and the restore information.
 */
function stateAfter(inputs: AspSessionInputs, after: SessionReading | undefined, previous: AspSessionState["previous"], created: CreationRecord): AspSessionState {
    const state: AspSessionState = { ...inputs, effective: after?.effective ?? (null as unknown as SessionValues), previous, created, applyFailure: null };
    for (const name of SESSION_ATTRIBUTES) if (state[name] === undefined) delete state[name];
    return state;
}

/** An attribute's text before this resource first wrote it (null: not set), as the backend best knows it. */
function preImage(result: Pick<SessionWriteResult, "before" | "preImages">, name: SessionAttribute): string | null {
    return result.preImages ? result.preImages.previous[name] ?? null : result.before.explicitRaw[name] ?? null;
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
    return withHostErrors({
        async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
            const failures: CheckFailure[] = [];
            // Nothing else is checked when text is not valid Unicode: every later step would quote or send it.
            const malformed = refuseMalformedText(news, failures);
            if (malformed) return { inputs: malformed, failures };
            for (const key of Object.keys(news)) {
                if (key !== "__provider" && !PROPERTY_NAMES.includes(key)) {
                    failures.push({ property: key, reason: `${key} is not an input of AspSessionSettings (inputs: ${PROPERTY_NAMES.join(", ")})` });
                }
            }
            const target = checkTarget(news.target, failures);
            const inputs: Record<string, unknown> = { target, ...checkSettingsFields(news, failures) };
            if (target === undefined) delete inputs.target;
            if (failures.length === 0) await warnOfUnknownLocation(inputs.target, inputs.location);
            return { inputs, failures };
        },

        async diff(id: string, storedOlds: AspSessionState, news: AspSessionInputs): Promise<SessionDiff> {
            // State the provider cannot read (another version's, a hand edit's) cannot show that the
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
            if ((news.onApplyFailure ?? "fail") !== (olds.onApplyFailure ?? "fail")) detailedDiff.onApplyFailure = { kind: "update", inputDiff: true };
            if (news.location !== oldLocation) detailedDiff.location = { kind: "update", inputDiff: true };
            // A recorded failure is retried even if the server has since come right by other means.
            if (typeof storedOlds.applyFailure === "string") detailedDiff.applyFailure = { kind: "delete", inputDiff: false };
            let live: SessionReading;
            try {
                live = await openBackend(news.target).read(news.location);
            } catch (error) {
                if (news.onApplyFailure !== "record") throw error;
                // The server cannot be read: the apply is attempted, and its failure recorded.
                for (const name of managed(news)) detailedDiff[name] = { kind: "update", inputDiff: !sameValue(name, olds[name], news[name]) };
                return { changes: true, replaces: [], deleteBeforeReplace: false, detailedDiff };
            }
            warnOfUnreadWebConfigs(live, news.location);
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
            const id = resourceId(inputs);
            const set: SessionSettings = {};
            for (const name of managed(inputs)) (set as Record<string, unknown>)[name] = inputs[name];
            const written = await attempting(() => openBackend(inputs.target).write(inputs.location, { set, restore: {}, remove: [] }));
            if (written.ok || written.partial !== undefined) {
                const result = written.ok ? written.result : written.partial!;
                const previous: AspSessionState["previous"] = {};
                for (const name of managed(inputs)) previous[name] = preImage(result, name);
                const outs = stateAfter(inputs, result.after, previous, result.preImages?.created ?? result.created);
                if (written.ok) return { id, outs };
                return keptDespite(written, id, inputs, outs);
            }
            if (inputs.onApplyFailure !== "record") throw written.error;
            // Nothing was written and nothing is claimed: no managed values, nothing to restore or prune on delete.
            const outs: AspSessionState = { target: inputs.target, location: inputs.location, onDelete: inputs.onDelete, onApplyFailure: inputs.onApplyFailure,
                effective: null as unknown as SessionValues, previous: {}, created: NOTHING_CREATED, applyFailure: written.failure };
            return { id, outs };
        },

        async read(id: string, props: AspSessionState): Promise<pulumi.dynamic.ReadResult> {
            // Stored state without target and location (a hand edit): a file target's id says where the settings are.
            const state = requirePriorState(id, props as unknown as Record<string, unknown>);
            const live = await openBackend(state.target).read(state.location);
            // A recorded failure stays until an apply succeeds (the diff proposes one while it is there).
            const refreshed: AspSessionState = { ...state, effective: live.effective, applyFailure: typeof props.applyFailure === "string" ? props.applyFailure : null };
            const inputs: Record<string, unknown> = { target: state.target, location: state.location, onDelete: state.onDelete ?? "restore" };
            if (refreshed.onApplyFailure === "record") inputs.onApplyFailure = "record";
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
            const written = await attempting(() => openBackend(news.target).write(news.location, change));
            if (!written.ok && written.partial === undefined) {
                if (news.onApplyFailure !== "record") throw written.error;
                // The state stays that of the last successful apply; only the failure is added.
                const { __provider: _provider, ...lastApplied } = olds as AspSessionState & { __provider?: unknown };
                return { outs: { ...lastApplied, target: news.target, location: news.location, onDelete: news.onDelete, onApplyFailure: news.onApplyFailure, applyFailure: written.failure } };
            }
            const result = written.ok ? written.result : written.partial!;
            const previous: AspSessionState["previous"] = {};
            for (const name of managed(news)) {
                previous[name] = name in olds.previous ? olds.previous[name] ?? null : preImage(result, name);
            }
            const made = result.preImages?.created ?? result.created;
            const created = made.created !== "" ? made : result.pruned ? NOTHING_CREATED : oldCreated;
            const outs = stateAfter(news, result.after, previous, created);
            if (written.ok) return { outs };
            return { outs: keptDespite(written, id, news, outs).outs };
        },

        async delete(id: string, storedProps: AspSessionState): Promise<void> {
            const props = requirePriorState(id, storedProps as unknown as Record<string, unknown>);
            const change = releaseChange(managed(props), props.previous, props.onDelete);
            if (props.created.created !== "") change.prune = props.created;
            // Nothing to give back (a create whose failure was recorded wrote nothing): the server is not contacted.
            if (isEmptyChange(change)) return;
            try {
                await openBackend(props.target).write(props.location, change);
            } catch (error) {
                if (!(error instanceof ConfigFileMissingError)) throw error;
                warn(`${error.label} no longer exists: the settings this resource managed were in it and went with it; the resource is deleted from the stack, nothing was written`);
            }
        },
    });
}

/** web.config files IIS would read at the location but the provider could not: its effective values may be wrong. */
function warnOfUnreadWebConfigs(live: SessionReading, location: string): void {
    if (live.unread === undefined) return;
    warn(`the asp section is unlocked for ${location === "" ? "the server level" : JSON.stringify(location)}, so IIS also reads these web.config files, which could not be read: ` +
        `${live.unread.map((unread) => `${unread.file} (${unread.reason})`).join("; ")}; the effective values shown leave out whatever they set`);
}

type Attempt<T> =
    | { ok: true; result: T }
    /** `partial`: the write changed the file but was not verified (UnverifiedWriteError). */
    | { ok: false; error: unknown; failure: string; partial?: UnverifiedWrite };

/** Runs a write, its error as a value. */
async function attempting<T>(write: () => Promise<T>): Promise<Attempt<T>> {
    try {
        return { ok: true, result: await write() };
    } catch (error) {
        return { ok: false, error, failure: error instanceof Error ? error.message : String(error), partial: error instanceof UnverifiedWriteError ? error.written : undefined };
    }
}

/**
 * A create or update that changed the file but could not verify it: the resource keeps what the
 * write claimed (so the next delete gives it back, and the next update, which the engine always
 * runs after a partial failure, puts it right). With onApplyFailure "record" the failure is
 * recorded in the state; otherwise the step fails as Pulumi's partial failure (the host reports an
 * error carrying id, properties and reasons as ErrorResourceInitFailed, and the engine keeps the
 * properties in the stack).
 */
function keptDespite(written: { failure: string }, id: string, inputs: AspSessionInputs, outs: AspSessionState): { id: string; outs: AspSessionState } {
    if (inputs.onApplyFailure === "record") return { id, outs: { ...outs, applyFailure: written.failure } };
    const message = `${written.failure}. The change was written, so the resource is kept in the stack with what it replaced; run the update again to put it right`;
    const provider = (inputs as unknown as Record<string, unknown>).__provider;
    const properties = { ...outs, applyFailure: written.failure, ...(provider === undefined ? {} : { __provider: provider }) };
    throw Object.assign(new Error(message), { id, properties, reasons: [message] });
}
