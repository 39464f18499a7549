/**
 * `iis-asp-session drift`: reads the inventory, audits every server and location, prints the table
 * or the JSON report, writes the JUnit and HTML reports asked for, and returns the exit status.
 * Loaded only when that command runs: it brings YAML, the inventory check and the carriers.
 */
import * as fs from "fs";
import * as path from "path";
import { closeConnections } from "../../provider/open";
import { InventoryError, loadInventory, type Inventory } from "../../sdk/fleet/inventory";
import { EXIT } from "../exitCodes";
import { auditExitCode, auditFleet } from "./audit";
import { Progress } from "./progress";
import { byStatusThenName, summarise, type AuditReport } from "./report";
import { COLOURED, formatAuditTable, PLAIN } from "./table";

export interface DriftArguments {
    inventory: string;
    json: boolean;
    concurrency: number;
    junit?: string;
    html?: string;
    /** Server-name globs (* and ?); empty: every server. */
    limit: string[];
    only?: "drift" | "overridden" | "no-such-site" | "error";
}

export async function runDrift(options: DriftArguments, version: string): Promise<number> {
    const fail = (kind: "inventory" | "usage", message: string, file?: string): number => {
        if (options.json) process.stdout.write(`${JSON.stringify({ error: { kind, message, ...(file === undefined ? {} : { file }) } })}\n`);
        else process.stderr.write(`iis-asp-session: ${message}\n`);
        return kind === "inventory" ? EXIT.inventory : EXIT.usage;
    };
    let inventory: Inventory;
    try {
        inventory = loadInventory(options.inventory);
    } catch (error) {
        if (!(error instanceof InventoryError)) throw error;
        return fail("inventory", error.message, error.file);
    }
    const servers = inventory.servers.filter((server) => options.limit.length === 0 || options.limit.some((pattern) => globMatches(pattern, server.name)));
    if (servers.length === 0) return fail("usage", `--limit ${options.limit.map((pattern) => JSON.stringify(pattern)).join(", ")} matches no server of ${inventory.file}`);

    const startedAt = new Date();
    const started = performance.now();
    const progress = !options.json && process.stderr.isTTY === true ? new Progress(process.stderr) : undefined;
    let entries;
    try {
        entries = await auditFleet({ ...inventory, servers }, {
            concurrency: options.concurrency,
            onStart: (name, location) => progress?.started(name, location),
            onProgress: (done, total, entry) => progress?.finished(done, total, entry),
        });
    } finally {
        progress?.stop();
        await closeConnections();
    }
    const report: AuditReport = {
        tool: { name: "iis-asp-session", version },
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - started),
        summary: summarise(entries),
        servers: [...entries].sort(byStatusThenName),
    };
    if (options.junit !== undefined) writeReport(options.junit, (await import("./junitReport")).renderJunitReport(report));
    if (options.html !== undefined) writeReport(options.html, (await import("./htmlReport")).renderHtmlReport(report));

    const shown = options.only === undefined ? report.servers : report.servers.filter((entry) => entry.status === options.only);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...report, servers: shown })}\n`);
    else process.stdout.write(formatAuditTable(shown, report.summary, useColour() ? COLOURED : PLAIN));
    return auditExitCode(entries);
}

/** Colour on a terminal, unless NO_COLOR is set (no-color.org) or TERM is "dumb". */
function useColour(): boolean {
    return process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";
}

/** Whether `name` matches the glob `pattern` (* any run, ? one character; case-sensitive, as names are). */
export function globMatches(pattern: string, name: string): boolean {
    const source = [...pattern].map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&"))).join("");
    return new RegExp(`^${source}$`, "s").test(name);
}

/** Writes a report whole or not at all: a temp file beside it, renamed into place. */
function writeReport(file: string, text: string): void {
    const target = path.resolve(file);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(temp, text);
        fs.renameSync(temp, target);
    } catch (error) {
        fs.rmSync(temp, { force: true });
        throw new Error(`cannot write the report ${target}: ${(error as Error).message}`);
    }
}
