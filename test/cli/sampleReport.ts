/**
 * Audit reports for the tests of the audit's outputs (--html, --junit): a realistic fleet, and a
 * hostile one whose every string is markup, quotes or a closing tag.
 */
import type { SessionAttribute, SessionSettings } from "../../provider/settings/schema";
import { summarise, type AuditEntry, type AuditReport, type AuditTarget, type EffectiveValue, type ErrorKind, type SessionValue } from "../../cli/drift/report";

export const SHOP = "Default Web Site/shop";

const DESIRED: SessionSettings = { keepSessionIdSecure: true, max: 2000, timeout: "00:30:00" };

const winrm = (name: string): AuditTarget => ({ kind: "winrm", host: `${name}.corp.example` });

/** Every desired attribute set at the location to its desired value. */
function inSync(name: string, target: AuditTarget, location: string): AuditEntry {
    const live: AuditEntry["live"] = { ...DESIRED };
    const effective: AuditEntry["effective"] = {};
    for (const [attribute, value] of Object.entries(DESIRED) as [SessionAttribute, SessionValue][]) effective[attribute] = { value, source: "location" };
    return { name, target, location, status: "in-sync", desired: { ...DESIRED }, live, effective, differences: [] };
}

/**
 * The in-sync entry with `changes` applied: an attribute's value set at the location (or null: not
 * set there) and its effective value, which makes it differ.
 */
function drift(name: string, target: AuditTarget, location: string, changes: Partial<Record<SessionAttribute, [SessionValue | null, EffectiveValue]>>): AuditEntry {
    const entry = inSync(name, target, location);
    for (const [attribute, [live, effective]] of Object.entries(changes) as [SessionAttribute, [SessionValue | null, EffectiveValue]][]) {
        entry.live[attribute] = live;
        entry.effective[attribute] = effective;
    }
    const differences = (Object.keys(DESIRED) as SessionAttribute[]).filter((attribute) => attribute in changes);
    return { ...entry, status: "drift", differences };
}

function failed(name: string, target: AuditTarget, location: string, errorKind: ErrorKind, error: string): AuditEntry {
    return { name, target, location, status: "error", desired: { ...DESIRED }, live: {}, effective: {}, differences: [], error, errorKind };
}

function report(servers: AuditEntry[], durationMs: number): AuditReport {
    return {
        tool: { name: "iis-asp-session", version: "0.1.0" },
        startedAt: "2026-03-14T09:26:53.589Z",
        durationMs,
        summary: summarise(servers),
        servers,
    };
}

/** A web.config on the way sets `attribute`, so IIS applies its value (the audit's "overridden"). */
function overridden(name: string, target: AuditTarget, location: string, attribute: SessionAttribute, value: SessionValue, webConfig: string): AuditEntry {
    const entry = drift(name, target, location, { [attribute]: [null, { value, source: "webConfig", from: webConfig }] });
    return { ...entry, status: "overridden", reason: `${attribute} is set to ${JSON.stringify(value)} by ${webConfig}; IIS applies that over applicationHost.config` };
}

/**
 * web01..web06 at the server level and Default Web Site/shop: 5 in sync, 4 drift, 3 error (config,
 * unreachable, auth); web07 at the shop, overridden by a web.config, and at a site it lacks.
 */
export function sampleReport(): AuditReport {
    const file: AuditTarget = { kind: "file", path: "/mnt/iis/web06/config/applicationHost.config" };
    return report([
        inSync("web01", winrm("web01"), ""),
        inSync("web01", winrm("web01"), SHOP),
        drift("web02", winrm("web02"), "", { timeout: ["00:20:00", { value: "00:20:00", source: "location" }] }),
        drift("web02", winrm("web02"), SHOP, {
            timeout: [null, { value: "00:20:00", source: "server" }],
            max: [4294967295, { value: 4294967295, source: "location" }],
        }),
        inSync("web03", { kind: "ssh", host: "web03.corp.example" }, ""),
        failed("web03", { kind: "ssh", host: "web03.corp.example" }, SHOP, "config",
            "web03.corp.example: reading Default Web Site/shop: applicationHost.config line 412: the timeout attribute \"30\" is not a TimeSpan (hh:mm:ss)"),
        failed("web04", winrm("web04"), "", "unreachable", "web04.corp.example: connecting to https://web04.corp.example:5986/wsman: connect ETIMEDOUT 10.0.4.14:5986 (after 30 s)"),
        failed("web04", winrm("web04"), SHOP, "auth", "web04.corp.example: WinRM refused the credentials (HTTP 401): NTLM, user CORP\\svc-iis-audit"),
        inSync("web05", winrm("web05"), ""),
        drift("web05", winrm("web05"), SHOP, {
            keepSessionIdSecure: [false, { value: false, source: "location" }],
            timeout: [null, { value: "00:20:00", source: "parent", from: "Default Web Site" }],
        }),
        inSync("web06", file, ""),
        drift("web06", file, SHOP, { max: [null, { value: 4294967295, source: "default" }] }),
        overridden("web07", winrm("web07"), SHOP, "max", 500, "web07.corp.example:D:\\sites\\shop\\web.config"),
        {
            ...inSync("web07", winrm("web07"), "Default Website/shop"), status: "no-such-site",
            reason: 'no <site> is named "Default Website" (location "Default Website/shop"); IIS accepts settings for a site created later, but until then they apply to nothing. The closest site is "Default Web Site".',
        },
    ], 4_180);
}

/** The strings a hostile server or inventory could hold. */
export const HOSTILE = [
    "<script>window.__pwned=1</script>",
    "\"><img src=x onerror=window.__pwned=1>",
    "'><svg onload=window.__pwned=1>",
    "</style><script>window.__pwned=1</script>",
    "</script><script>window.__pwned=1</script>",
    "a & b &amp; &lt;c&gt; ' \"",
] as const;

/** Each entry's every string (name, host, path, location, error, values, parent) is one of HOSTILE. */
export function hostileReport(): AuditReport {
    const [script, img, svg, style, closeScript, mixed] = HOSTILE;
    const desired = { keepSessionIdSecure: true, max: 2000, timeout: script };
    const entries: AuditEntry[] = [
        {
            name: script, target: { kind: "winrm", host: img }, location: style, status: "drift", desired,
            live: { keepSessionIdSecure: true, max: 2000, timeout: closeScript },
            effective: { keepSessionIdSecure: { value: true, source: "location" }, max: { value: 2000, source: "location" }, timeout: { value: svg, source: "parent", from: mixed } },
            differences: ["timeout"],
        },
        { name: img, target: { kind: "file", path: closeScript }, location: svg, status: "error", desired, live: {}, effective: {}, differences: [], error: `${style}\n${script}`, errorKind: "config" },
        {
            name: mixed, target: { kind: "ssh", host: style }, location: closeScript, status: "in-sync", desired,
            live: { ...desired }, effective: { timeout: { value: script, source: "location" } }, differences: [],
        },
    ];
    return { ...report(entries, 12), tool: { name: svg, version: mixed }, startedAt: img };
}
