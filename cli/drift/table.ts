/** How the drift audit reads on a terminal: one row per server and location, then a summary line. */
import type { AuditEntry } from "./audit";

export function formatAuditTable(entries: readonly AuditEntry[]): string {
    const rows = entries.map((entry) => [entry.name, entry.location === "" ? "(server)" : entry.location, entry.status, detail(entry)]);
    const header = ["SERVER", "LOCATION", "STATUS", "DETAIL"];
    const widths = header.slice(0, 3).map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join("  ").trimEnd();
    const counts = { "in-sync": 0, drift: 0, error: 0 };
    for (const entry of entries) counts[entry.status]++;
    return [line(header), ...rows.map(line), "", `${entries.length} checked: ${counts["in-sync"]} in sync, ${counts.drift} drift, ${counts.error} error`].join("\n") + "\n";
}

function detail(entry: AuditEntry): string {
    switch (entry.status) {
        case "in-sync":
            return "";
        case "drift":
            return entry.differences.map((name) => `${name}: live ${show(entry.live[name])}, desired ${show(entry.desired[name])}`).join("; ");
        case "error":
            // One line per row: a multi-line error would break the table.
            return (entry.error ?? "").replace(/\s*\n\s*/g, " ");
    }
}

function show(value: unknown): string {
    return value === null || value === undefined ? "(not set)" : JSON.stringify(value);
}
