/**
 * The "IIS API via PowerShell" backend (mode "iis"): IIS's own configuration API
 * (Microsoft.Web.Administration) on the server does the reading and writing, through the scripts
 * in powershell/. A read is one command, and so is a write: the apply script reads what is
 * there (the write's `before`), changes only what differs, commits only if something did, and
 * reads back (the write's `after`).
 *
 * Differences from the XML file backend, because IIS's API owns the file's layout:
 * - restoring puts back the earlier *value*, in IIS's own spelling ("True" comes back as "true");
 * - IIS creates and keeps the <location>/<asp>/<session> elements itself, so `created` is always
 *   NOTHING_CREATED and `prune` is not acted on (`pruned` is false).
 */
import { NOTHING_CREATED } from "../apphost/sessionEditor";
import { describeLocation } from "../settings/location";
import {
    formatAttribute, parseAttributeText, SESSION_ATTRIBUTES,
    type RawSessionAttributes, type SessionAttribute, type SessionSettings,
} from "../settings/schema";
import type { CommandRunner } from "../carriers/commandRunner";
import { ConfigChangedError } from "../stores/configFile";
import { retryingConflicts } from "./conflicts";
import { PowerShellScriptError, runScript, SERVER_APPLICATION_HOST, type ApplyResponse, type ReadResponse, type SessionAttributeText, type SessionState } from "../powershell";
import { UnverifiedWriteError, type SessionBackend, type SessionChange, type SessionReading, type SessionWriteResult } from "./types";
import type { EffectiveOrigin, UnreadWebConfig } from "../apphost/sessionReader";
import { overriddenError, overriddenRefusal, verify } from "./xmlFile";
import { unknownSiteMessage } from "../apphost/sites";

export interface IisApiBackendOptions {
    /** Deadline for each PowerShell command (default: the runner's). */
    timeoutMs?: number;
}

/** An attribute value IIS's API returned that our schema refuses: the server holds something we cannot represent. */
export class UnexpectedValueError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnexpectedValueError";
    }
}

export class IisApiBackend implements SessionBackend {
    readonly description: string;

    constructor(private readonly runner: CommandRunner, private readonly options: IisApiBackendOptions = {}) {
        this.description = `${runner.host} (IIS API)`;
    }

    async read(location: string): Promise<SessionReading> {
        const state = await runScript(this.runner, { op: "read", location }, this.options);
        const reading = this.reading(state, location, state.overriddenBy);
        const unknownSite = unknownSiteMessage(state.sites, location, `${this.runner.host}:${state.configFile}`);
        return unknownSite === undefined ? reading : { ...reading, unknownSite };
    }

    /**
     * One apply invocation carrying every wanted value (set and restore) and removal: the script
     * reads the location (`before`), sets what differs, deletes what is set there, commits only
     * if something changed, and reads back (`after`, verified here as well).
     */
    async write(location: string, change: SessionChange): Promise<SessionWriteResult> {
        // What must hold afterwards: IIS's API writes values, so a restore is checked by value too.
        const wanted: SessionSettings = { ...change.set };
        const set: SessionAttributeText = {};
        for (const name of SESSION_ATTRIBUTES) {
            const raw = change.restore[name];
            if (raw !== undefined) assign(wanted, name, this.canonical(name, raw, location, "cannot restore"));
            const value = wanted[name];
            if (value !== undefined) set[name] = ownSpelling(name, value);
        }
        const remove = change.remove.filter((name) => wanted[name] === undefined);
        const state = await retryingConflicts(`${this.runner.host}:${SERVER_APPLICATION_HOST}`, () => this.apply(location, set, remove));
        const before = this.reading({ ...state.before, configFile: state.configFile }, location);
        const after = this.reading(state, location);
        try {
            verify(after, { set: wanted, restore: {}, remove: change.remove }, this.description, location, "after writing");
        } catch (error) {
            if (!state.changed) throw error;
            throw new UnverifiedWriteError((error as Error).message, { before, after, created: NOTHING_CREATED, pruned: false });
        }
        return { before, after, created: NOTHING_CREATED, pruned: false };
    }

    /**
     * One run of the apply script. IIS's commit conflict becomes ConfigChangedError (nothing was
     * written; retried from a fresh read); a read-back that failed after a commit that changed the
     * file becomes UnverifiedWriteError, with what the commit replaced.
     */
    private async apply(location: string, set: SessionAttributeText, remove: SessionAttribute[]): Promise<ApplyResponse> {
        try {
            return await runScript(this.runner, { op: "apply", location, set, remove }, this.options);
        } catch (error) {
            if (!(error instanceof PowerShellScriptError)) throw error;
            if (error.code === "overridden") throw await this.overridden(location, error);
            if (error.code === "conflict") {
                throw new ConfigChangedError(`${this.runner.host}:${error.failure?.path ?? SERVER_APPLICATION_HOST}`, "IIS refused to commit over another writer's change");
            }
            const before = error.failure?.before;
            if (error.code === "verifyFailed" && error.failure?.committed === true && before !== undefined) {
                const after = await this.read(location).catch(() => undefined);
                const written = { before: this.reading({ ...before, configFile: SERVER_APPLICATION_HOST }, location), after, created: NOTHING_CREATED, pruned: false };
                throw new UnverifiedWriteError(`${error.message}; the commit was written`, written);
            }
            throw error;
        }
    }

    /**
     * The apply script's refusal to set attributes a web.config sets, as mode xml words it: a read
     * (only on this path) names the web.config files, which apply's script has no room to find.
     */
    private async overridden(location: string, error: PowerShellScriptError): Promise<Error> {
        const reading = await this.read(location).catch(() => undefined);
        const refusal = reading && overriddenRefusal(reading, error.failure?.attributes ?? [], location);
        return refusal || overriddenError(location, error.failure?.attributes ?? []);
    }

    /**
     * A script's state as a SessionReading: explicit values parsed from their text as IIS reads it;
     * an attribute a web.config overrides comes from the web.config `overriddenBy` names (read
     * names them; apply's state only says a web.config above sets it).
     */
    private reading(state: SessionState & { configFile: string }, location: string, overriddenBy: ReadResponse["overriddenBy"] = {}): SessionReading {
        const explicitRaw: RawSessionAttributes = { ...state.explicit };
        const explicit: SessionSettings = {};
        for (const name of SESSION_ATTRIBUTES) {
            const raw = explicitRaw[name];
            if (raw !== undefined) assign(explicit, name, this.canonical(name, raw, location, `${state.configFile} has`));
        }
        const effective = { ...state.effective };
        // IIS reports TimeSpans as "c" text, possibly with fractions; keep the canonical form where there is one.
        const timeout = parseAttributeText("timeout", effective.timeout);
        if (timeout.ok) effective.timeout = timeout.value;
        const unread = state.unread === undefined ? {} : { unread: [this.unreadWebConfig(state.unread)] };
        const defaulted = state.defaulted;
        if (defaulted === undefined) return { explicitRaw, explicit, effective, ...unread };
        const sources = Object.fromEntries(SESSION_ATTRIBUTES.map((name): [SessionAttribute, EffectiveOrigin] => [name, this.origin(name, state, defaulted, explicitRaw, overriddenBy)])) as Record<SessionAttribute, EffectiveOrigin>;
        return { explicitRaw, explicit, effective, sources, ...unread };
    }

    /** Where a value comes from; one a web.config overrides whose file the script did not name (apply's) is "inherited": IIS's API does not say where. */
    private origin(name: SessionAttribute, state: SessionState, defaulted: readonly SessionAttribute[], explicitRaw: RawSessionAttributes, overriddenBy: ReadResponse["overriddenBy"] = {}): EffectiveOrigin {
        const webConfig = overriddenBy[name];
        if (state.overridden?.includes(name) && webConfig !== undefined) return { level: "webConfig", path: webConfig.path, file: `${this.runner.host}:${webConfig.file}` };
        if (state.overridden?.includes(name)) return { level: "inherited" };
        return { level: explicitRaw[name] !== undefined ? "location" : defaulted.includes(name) ? "default" : "inherited" };
    }

    /** IIS's error for a web.config it could not read ("Filename: \\?\C:\...\web.config", "Error: ..."), as the file and why. */
    private unreadWebConfig(message: string): UnreadWebConfig {
        const file = /Filename: (?:\\\\\?\\)?([^\r\n]+)/.exec(message)?.[1];
        const reason = /Error: ([^\r\n]+)/.exec(message)?.[1] ?? message.trim();
        return { file: `${this.runner.host}:${file ?? "a web.config on the way"}`, reason };
    }

    private canonical(name: SessionAttribute, raw: string, location: string, context: string): boolean | number | string {
        const parsed = parseAttributeText(name, raw);
        if (!parsed.ok) {
            throw new UnexpectedValueError(`${this.description}: ${context} session ${name}=${JSON.stringify(raw)} at ${describeLocation(location)}, which IIS would refuse: ${parsed.reason}`);
        }
        return parsed.value;
    }
}

function assign(settings: SessionSettings, name: SessionAttribute, value: boolean | number | string): void {
    Object.assign(settings, { [name]: value });
}

/**
 * The text the apply script gets for a wanted value: IIS's own spelling where the value is valid
 * ("0:10" becomes "00:10:00"), else the value as given, for the script and IIS to refuse.
 */
function ownSpelling(name: SessionAttribute, value: boolean | number | string): string {
    const text = formatAttribute(name, value);
    const parsed = parseAttributeText(name, text);
    return parsed.ok ? formatAttribute(name, parsed.value) : text;
}
