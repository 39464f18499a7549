/**
 * For the fleet benchmark only: a stand-in for powershell.exe that answers our read and apply
 * scripts instantly from an in-memory session element, so 200 servers cost no PowerShell time
 * and the benchmark measures what it is about: round trips, the WinRM protocol, the provider host
 * and the engine. It is not a test double for correctness (the tests run the real scripts); it
 * understands only the request inside the script, and only "read" and "apply".
 */
import { LOADER_PREFIX, LOADER_SUFFIX } from "../provider/powershell/delivery";
import { decompressScript } from "../test/support/loader";
import type { ApplyRequest, OperationRequest, ReadRequest } from "../provider/powershell/protocol";
import { REQUEST_PLACEHOLDER, SCRIPT_TEMPLATES } from "../provider/powershell/scripts";
import { SESSION_DEFAULTS } from "../provider/settings/schema";
import { decodeRequestText } from "../test/support/requestText";
import type { PowerShellStarter, ProcessResult } from "../test/support/wsman";

/** The request a script carries, in place of the template's placeholder. */
function requestOf(commandLine: string): OperationRequest | undefined {
    const start = commandLine.indexOf(LOADER_PREFIX);
    const end = commandLine.indexOf(LOADER_SUFFIX, start);
    if (start < 0 || end < 0) return undefined;
    const script = decompressScript(commandLine.slice(start + LOADER_PREFIX.length, end));
    for (const template of Object.values(SCRIPT_TEMPLATES)) {
        const [before, after] = template.split(REQUEST_PLACEHOLDER);
        if (script.startsWith(before) && script.endsWith(after)) {
            return decodeRequestText(script.slice(before.length, script.length - after.length));
        }
    }
    return undefined;
}

/** One server's session attributes by location key, as text. */
type Locations = Map<string, Record<string, string>>;

function state(locations: Locations, location: string) {
    const explicit = { ...(locations.get(location.toLowerCase()) ?? {}) };
    const effective = { ...SESSION_DEFAULTS } as Record<string, unknown>;
    for (const [name, text] of Object.entries(explicit)) effective[name] = name === "max" ? Number(text) : name === "timeout" ? text : text === "true";
    return { explicit, effective };
}

function answer(locations: Locations, request: ReadRequest | ApplyRequest): unknown {
    const where = { location: request.location, configPath: `MACHINE/WEBROOT/APPHOST${request.location ? `/${request.location}` : ""}`, configFile: "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config" };
    if (request.op === "read") return { ok: true, ...where, ...state(locations, request.location) };
    const before = state(locations, request.location);
    const next = { ...before.explicit, ...request.set } as Record<string, string>;
    for (const name of request.remove) delete next[name];
    const changed = JSON.stringify(next) !== JSON.stringify(before.explicit);
    locations.set(request.location.toLowerCase(), next);
    return { ok: true, ...where, ...state(locations, request.location), before, changed, verified: true };
}

/** A starter with its own in-memory server: one per WS-Man test server. Its "process" ends at once. */
export function instantPowerShell(): PowerShellStarter {
    const locations: Locations = new Map();
    return (commandLine) => {
        const request = requestOf(commandLine);
        const result: ProcessResult = request === undefined || (request.op !== "read" && request.op !== "apply")
            ? { stdout: Buffer.alloc(0), stderr: Buffer.from(`instantPowerShell: not a read or apply script`), exitCode: 1 }
            : { stdout: Buffer.from(JSON.stringify(answer(locations, request)) + "\r\n"), stderr: Buffer.alloc(0), exitCode: 0 };
        return { write: () => undefined, endInput: () => undefined, result: Promise.resolve(result), kill: () => undefined };
    };
}
