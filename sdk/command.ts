/**
 * The project's scripts for @pulumi/command users: `renderSessionCommands` gives the create,
 * update and delete command lines that set a location's session settings through IIS's API,
 * ready for `command.remote.Command` against a Windows server over SSH.
 *
 * They are the very command lines the provider sends (backends/powershell): the apply script
 * with the request as base64 data in a single-quoted literal, gzip-compressed and base64-encoded
 * behind a fixed loader, for cmd.exe (Windows OpenSSH's default shell). No character of a
 * location or value reaches cmd.exe or PowerShell as code: the line holds only the loader's fixed
 * text and base64. Unlike the provider's own calls, the script exits 1 when it reports a failure
 * (its JSON line on stdout says why), so the Command fails.
 *
 * What remote.Command cannot give, and the provider does: drift detection (it only re-runs on
 * input changes), and putting back on delete what was there before (the delete command removes
 * the managed attributes, so the location inherits again). Mode "xml" needs the provider (the
 * file is edited in Node), so only mode "iis" commands are rendered.
 */
import { prepareInvocation } from "../provider/powershell/delivery";
import type { ApplyRequest, SessionAttributeText } from "../provider/powershell/protocol";
import { checkSettingsFields, type CheckFailure } from "../provider/settings/inputs";
import { formatAttribute, SESSION_ATTRIBUTES, type SessionAttribute } from "../provider/settings/schema";

/** The settings to render, as AspSessionSettings takes them (unset attributes are not managed). */
export interface SessionCommandSettings {
    /** "" (default) for the server level, "Site" or "Site/app/...". */
    location?: string;
    allowSessionState?: boolean;
    keepSessionIdSecure?: boolean;
    /** 0 to 4294967295. */
    max?: number;
    /** "hh:mm:ss", "d.hh:mm:ss" or a number of minutes. */
    timeout?: string | number;
}

/** Command lines for remote.Command's `create`, `update` and `delete`. */
export interface SessionCommands {
    /** Sets the managed attributes at the location (only what differs is written). */
    create: string;
    /** The same as create: sets the managed attributes to the new values. */
    update: string;
    /** Removes the managed attributes at the location, so it inherits again. */
    delete: string;
}

/** Thrown for settings the provider's check would refuse; names each field and what is allowed. */
export class SessionCommandError extends Error {
    constructor(readonly failures: readonly CheckFailure[]) {
        super(`cannot render session commands: ${failures.map((failure) => failure.reason).join("; ")}`);
        this.name = "SessionCommandError";
    }
}

/** The create, update and delete command lines for `settings`, checked as the provider checks them. */
export function renderSessionCommands(settings: SessionCommandSettings): SessionCommands {
    const failures: CheckFailure[] = [];
    const inputs = checkSettingsFields({ ...settings }, failures);
    const managed = SESSION_ATTRIBUTES.filter((name) => inputs[name] !== undefined);
    if (managed.length === 0) failures.push({ property: "settings", reason: `at least one of ${SESSION_ATTRIBUTES.join(", ")} must be set` });
    if (failures.length > 0) throw new SessionCommandError(failures);
    const location = inputs.location as string;
    const set: SessionAttributeText = {};
    for (const name of managed) set[name] = formatAttribute(name, inputs[name] as boolean | number | string);
    const apply = commandLine({ op: "apply", location, set, remove: [], failureExitCode: 1 });
    return { create: apply, update: apply, delete: commandLine({ op: "apply", location, set: {}, remove: managed as SessionAttribute[], failureExitCode: 1 }) };
}

function commandLine(request: ApplyRequest): string {
    const invocation = prepareInvocation(request);
    if (invocation.delivery !== "commandLine") {
        throw new SessionCommandError([
            { property: "location", reason: `the location is too long for one command line (cmd.exe takes ${8191} characters); the provider sends such requests on stdin` },
        ]);
    }
    return invocation.command.commandLine;
}
