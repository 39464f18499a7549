/**
 * `--junit FILE`: the drift audit as JUnit XML, the form CI systems (Jenkins, GitLab, GitHub
 * Actions reporters, Azure DevOps) show as test results. One <testsuite> per server, one
 * <testcase> per location; drift is a <failure type="drift">, a server that could not be read an
 * <error type="<errorKind>">.
 *
 * Times: the audit reads servers concurrently and records no time per row, so only the root
 * carries the audit's wall-clock duration; suites and cases say time="0" rather than invent a split.
 */
import type { SessionAttribute } from "../../provider/settings/schema";
import { describeSource, type AuditEntry, type AuditReport, type EffectiveValue, type SessionValue } from "./report";

export const JUNIT_ROOT_NAME = "iis-asp-session drift";

/** What stands in for a character XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF). */
export const XML_REPLACEMENT = "\ufffd";

export function renderJunitReport(report: AuditReport): string {
    const suites = groupByServer(report.servers);
    const count = (entries: readonly AuditEntry[], status: AuditEntry["status"]) => entries.filter((entry) => entry.status === status).length;
    // A server read but not in the desired state is a failure, whatever the reason.
    const failures = (entries: readonly AuditEntry[]) => count(entries, "drift") + count(entries, "overridden") + count(entries, "no-such-site");
    const lines = [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<testsuites${attributes({
            name: JUNIT_ROOT_NAME,
            tests: report.servers.length,
            failures: failures(report.servers),
            errors: count(report.servers, "error"),
            skipped: 0,
            time: seconds(report.durationMs),
            timestamp: report.startedAt,
        })}>`,
    ];
    for (const [name, entries] of suites) {
        const target = entries[0].target;
        lines.push(
            `  <testsuite${attributes({
                name,
                tests: entries.length,
                failures: failures(entries),
                errors: count(entries, "error"),
                skipped: 0,
                time: seconds(0),
                timestamp: report.startedAt,
                hostname: target.kind === "file" ? target.path : target.host,
            })}>`,
            `    <properties>`,
            `      <property${attributes({ name: "target.kind", value: target.kind })}/>`,
            `      <property${attributes({ name: "tool", value: `${report.tool.name} ${report.tool.version}` })}/>`,
            `    </properties>`,
            ...entries.map(testcase),
            `  </testsuite>`,
        );
    }
    lines.push(`</testsuites>`);
    return lines.join("\n") + "\n";
}

/** The rows by server, servers in the order they first appear (the caller chose the order). */
function groupByServer(entries: readonly AuditEntry[]): Map<string, AuditEntry[]> {
    const servers = new Map<string, AuditEntry[]>();
    for (const entry of entries) {
        const rows = servers.get(entry.name);
        if (rows === undefined) servers.set(entry.name, [entry]);
        else rows.push(entry);
    }
    return servers;
}

function testcase(entry: AuditEntry): string {
    const open = `    <testcase${attributes({
        name: entry.location === "" ? "(server)" : entry.location,
        // Jenkins splits classname at its last dot into package and class: a dotted host name
        // (web01.contoso.com) would otherwise land in package "iis-asp-session.web01.contoso".
        classname: `iis-asp-session.${entry.name.replace(/\./g, "_")}`,
        time: "0",
    })}`;
    switch (entry.status) {
        case "in-sync":
            return `${open}/>`;
        case "drift":
            return `${open}>\n      <failure${attributes({ message: `drift: ${entry.differences.join(", ")}`, type: "drift" })}>${text(driftDetail(entry))}</failure>\n    </testcase>`;
        case "overridden":
        case "no-such-site": {
            const message = entry.reason ?? entry.status;
            return `${open}>\n      <failure${attributes({ message, type: entry.status })}>${text(message)}</failure>\n    </testcase>`;
        }
        case "error": {
            const message = entry.error ?? "(no message)";
            return `${open}>\n      <error${attributes({ message, type: entry.errorKind ?? "other" })}>${text(message)}</error>\n    </testcase>`;
        }
    }
}

/** One line per differing attribute: `max: desired 100, live not set, effective 4294967295 (default)`. */
function driftDetail(entry: AuditEntry): string {
    return entry.differences.map((name: SessionAttribute) => {
        const live = entry.live[name];
        const effective = entry.effective[name];
        return `${name}: desired ${show(entry.desired[name])}, live ${show(live)}, effective ${effective === undefined ? "unknown" : showEffective(effective)}`;
    }).join("\n");
}

function show(value: SessionValue | null | undefined): string {
    return value === null || value === undefined ? "not set" : String(value);
}

function showEffective(effective: EffectiveValue): string {
    return `${show(effective.value)} (${describeSource(effective)})`;
}

/** Seconds with a dot and milliseconds, as JUnit's time attributes expect. */
function seconds(ms: number): string {
    return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/**
 * Every character outside XML 1.0's Char production, paired surrogates excepted: with the `u`
 * flag an astral character (emoji) is one code point and kept, a lone surrogate is matched.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

const ENTITIES: Readonly<Record<string, string>> = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
    // A parser turns a literal CR (and, in attributes, tab and newline) into LF or a space;
    // character references survive, so messages read back as they were.
    "\r": "&#13;", "\t": "&#9;", "\n": "&#10;",
};

function escape(value: string, special: RegExp): string {
    return value.replace(NOT_XML_CHAR, XML_REPLACEMENT).replace(special, (char) => ENTITIES[char]);
}

/** Element content: tab and newline stay literal, for a readable file. */
function text(value: string): string {
    return escape(value, /[&<>"'\r]/g);
}

function attributes(values: Record<string, string | number>): string {
    return Object.entries(values).map(([name, value]) => ` ${name}="${escape(String(value), /[&<>"'\r\t\n]/g)}"`).join("");
}
