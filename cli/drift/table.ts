/**
 * How the drift audit reads on a terminal: one row per server and location, errors first, then
 * drift, then in sync; each drifted attribute with what is set at the location and what IIS applies
 * (and from where), so a value inherited from above reads as such; then a summary line.
 */
import { byStatusThenName, describeSource, type AuditEntry, type AuditStatus, type AuditSummary, type EffectiveValue } from "./report";

/** ANSI colours for the status column; `plain` when the output is not a terminal or NO_COLOR is set. */
export interface TableStyle {
    status(status: AuditStatus, text: string): string;
}

export const PLAIN: TableStyle = { status: (_status, text) => text };

const CODES: Readonly<Record<AuditStatus, string>> = { "in-sync": "32", drift: "33", overridden: "35", "no-such-site": "35", error: "31" };
export const COLOURED: TableStyle = { status: (status, text) => `\u001b[${CODES[status]}m${text}\u001b[0m` };

export function formatAuditTable(entries: readonly AuditEntry[], summary: AuditSummary, style: TableStyle = PLAIN): string {
    const sorted = [...entries].sort(byStatusThenName);
    const rows = sorted.map((entry) => ({ status: entry.status, cells: [entry.name, entry.location === "" ? "(server)" : entry.location, entry.status, detail(entry)] }));
    const header = ["SERVER", "LOCATION", "STATUS", "DETAIL"];
    const widths = header.slice(0, 3).map((title, column) => Math.max(title.length, ...rows.map((row) => row.cells[column].length)));
    const line = (cells: string[], status?: AuditStatus) =>
        cells.map((cell, column) => {
            if (column === 3) return cell;
            const padded = cell.padEnd(widths[column]);
            return column === 2 && status !== undefined ? style.status(status, padded) : padded;
        }).join("  ").trimEnd();
    const total = `${summary.locations} checked on ${summary.servers} server${summary.servers === 1 ? "" : "s"}: ${summary.inSync} in sync, ${summary.drift} drift, ${others(summary)}${summary.error} error`;
    const shown = entries.length === summary.locations ? "" : ` (${entries.length} shown)`;
    return [line(header), ...rows.map((row) => line(row.cells, row.status)), "", total + shown].join("\n") + "\n";
}

/** The rarer statuses, only when some row has them: "1 overridden, 2 no such site, ". */
function others(summary: AuditSummary): string {
    return `${summary.overridden > 0 ? `${summary.overridden} overridden, ` : ""}${summary.noSuchSite > 0 ? `${summary.noSuchSite} no such site, ` : ""}`;
}

function detail(entry: AuditEntry): string {
    switch (entry.status) {
        case "in-sync":
            return "";
        case "drift":
            return entry.differences
                .map((name) => `${name}: desired ${show(entry.desired[name])}, set here ${show(entry.live[name])}, applied ${applied(entry.effective[name])}`)
                .join("; ");
        case "overridden":
        case "no-such-site":
            return (entry.reason ?? "").replace(/\s*\n\s*/g, " ");
        case "error":
            // One line per row: a multi-line error would break the table.
            return `${entry.errorKind ?? "other"}: ${(entry.error ?? "").replace(/\s*\n\s*/g, " ")}`;
    }
}

/** The effective value and where it comes from: `"00:20:00" (default)`. */
export function applied(effective: EffectiveValue | undefined): string {
    if (effective === undefined) return "(unknown)";
    const source = effective.source === "parent" ? `from "${effective.from ?? ""}"` : effective.source === "location" ? "here" : describeSource(effective);
    return `${JSON.stringify(effective.value)} (${source})`;
}

function show(value: unknown): string {
    return value === null || value === undefined ? "(not set)" : JSON.stringify(value);
}
