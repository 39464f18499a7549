#!/usr/bin/env node
/**
 * `iis-asp-session`, the package's command: `iis-asp-session drift <inventory> [--json] [--concurrency N]`
 * audits a fleet without Pulumi and without writing anything.
 */
import type { DriftArguments } from "./drift/run";

const USAGE = `usage: iis-asp-session drift <inventory.yaml> [--json] [--concurrency N]

Reads the ASP session settings of every server and location in the inventory and compares them
with its settings. Never writes. Exit status: 0 all in sync, 2 drift (no errors), 1 any error.`;

type Parsed = { ok: true; command: DriftArguments } | { ok: true; help: true } | { ok: false; message: string };

export function parseArguments(argv: readonly string[]): Parsed {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === "help" || (command === "drift" && (rest.includes("--help") || rest.includes("-h")))) return { ok: true, help: true };
    if (command !== "drift") return { ok: false, message: command === undefined ? USAGE : `unknown command ${JSON.stringify(command)}\n${USAGE}` };
    let inventory: string | undefined;
    let json = false;
    let concurrency = 16;
    for (let i = 0; i < rest.length; i++) {
        const argument = rest[i];
        if (argument === "--json") json = true;
        else if (argument === "--concurrency" || argument.startsWith("--concurrency=")) {
            const value = argument.includes("=") ? argument.split("=")[1] : rest[++i];
            if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1024) {
                return { ok: false, message: `--concurrency must be a whole number from 1 to 1024, got ${JSON.stringify(value ?? null)}` };
            }
            concurrency = Number(value);
        } else if (argument.startsWith("-")) return { ok: false, message: `unknown option ${argument}\n${USAGE}` };
        else if (inventory === undefined) inventory = argument;
        else return { ok: false, message: `only one inventory file, got ${JSON.stringify(inventory)} and ${JSON.stringify(argument)}` };
    }
    if (inventory === undefined) return { ok: false, message: `drift needs the inventory file\n${USAGE}` };
    return { ok: true, command: { inventory, json, concurrency } };
}

async function main(argv: readonly string[]): Promise<number> {
    const parsed = parseArguments(argv);
    if (!parsed.ok) {
        process.stderr.write(`${parsed.message}\n`);
        return 1;
    }
    if ("help" in parsed) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    // Loaded here, not at the top: the audit brings the carriers, which --help has no use for.
    const { runDrift } = await import("./drift/run");
    return runDrift(parsed.command);
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
        process.stderr.write(`iis-asp-session: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    });
}
