/**
 * `iis-asp-session drift`: reads the inventory, audits every server and location, prints the table
 * (or JSON) and returns the exit status. Loaded only when that command runs: it brings the
 * carriers (WinRM, SSH) that `--help` has no use for.
 */
import { closeConnections } from "../../provider/open";
import { InventoryError, loadInventory } from "../../sdk/fleet/inventory";
import { auditExitCode, auditFleet } from "./audit";
import { formatAuditTable } from "./table";

export interface DriftArguments {
    inventory: string;
    json: boolean;
    concurrency: number;
}

export async function runDrift({ inventory: file, json, concurrency }: DriftArguments): Promise<number> {
    let inventory;
    try {
        inventory = loadInventory(file);
    } catch (error) {
        if (!(error instanceof InventoryError)) throw error;
        process.stderr.write(`${error.message}\n`);
        return 1;
    }
    const progress = process.stderr.isTTY === true;
    try {
        const entries = await auditFleet(inventory, {
            concurrency,
            onProgress: progress ? (done, total) => process.stderr.write(`\rchecking ${done}/${total}${done === total ? "\n" : ""}`) : undefined,
        });
        process.stdout.write(json ? `${JSON.stringify({ servers: entries })}\n` : formatAuditTable(entries));
        return auditExitCode(entries);
    } finally {
        await closeConnections();
    }
}
