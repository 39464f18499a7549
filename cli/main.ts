#!/usr/bin/env node
/**
 * `iis-asp-session`, the package's command. `drift` audits a fleet without Pulumi and without
 * writing anything. This module parses the arguments and answers --help and --version by itself;
 * the audit (and with it YAML, the inventory check and the carriers) loads only when it runs.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { DriftArguments } from "./drift/run";
import { EXIT } from "./exitCodes";

export const USAGE = `usage: iis-asp-session drift <inventory.yaml> [--json] [--junit FILE] [--html FILE]
                             [--limit PATTERN]... [--only STATUS] [--concurrency N]
       iis-asp-session --help | --version`;

export const HELP = `${USAGE}

Reads the ASP session settings (system.webServer/asp/session) of every server and location in the
inventory and compares them with the inventory's settings. Never writes.

Options:
  --json               print one JSON document on stdout: the report, or {"error": {...}}
  --junit FILE         also write a JUnit XML report (a testsuite per server, a testcase per location)
  --html FILE          also write a self-contained HTML report
  --limit PATTERN      only servers whose name matches the glob (* and ?); may be repeated
  --only STATUS        show only rows with that status: drift, overridden, no-such-site or error
                       (the summary and exit status count all)
  --concurrency N      reads in flight at once, 1 to 1024 (default 16)
  -h, --help           show this help
  --version            show the version

Exit status:
  0   every location in sync
  2   some location not as desired (drift, overridden by a web.config, no such site), no errors
  1   a server could not be read (unreachable, auth, config, missing or other)
  64  usage error
  65  the inventory cannot be used (nothing was contacted)

Inventory (YAML or JSON; credentials only from environment variables):
  location: Default Web Site/shop          # or locations: ["", "Default Web Site"]
  settings: { timeout: "00:10:00", max: 2000 }
  servers:
    - name: web01
      target: { kind: winrm, host: web01.corp.example, username: "CORP\\\\deploy", passwordEnv: WINRM_PASSWORD }
    - name: local
      target: { kind: file, path: ./applicationHost.config }   # relative to the inventory`;

/** The statuses --only may pick: every one but in-sync (a clean server needs no listing). */
const ONLY = ["drift", "overridden", "no-such-site", "error"] as const;
type Only = (typeof ONLY)[number];

export type Parsed =
    | { kind: "help" }
    | { kind: "version" }
    | { kind: "drift"; arguments: DriftArguments }
    | { kind: "usage"; message: string; json: boolean };

const OPTIONS = {
    json: { type: "boolean" },
    junit: { type: "string" },
    html: { type: "string" },
    limit: { type: "string", multiple: true },
    only: { type: "string" },
    concurrency: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
} as const;

export function parseArguments(argv: readonly string[]): Parsed {
    const json = argv.includes("--json");
    const usage = (message: string): Parsed => ({ kind: "usage", message, json });
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        return usage((error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, ""));
    }
    const { values, positionals } = parsed;
    if (values.help === true || positionals[0] === "help") return { kind: "help" };
    if (values.version === true) return { kind: "version" };
    const [command, ...rest] = positionals;
    if (command === undefined) return usage("a command is needed: drift");
    if (command !== "drift") return usage(`unknown command ${JSON.stringify(command)} (commands: drift)`);
    if (rest.length === 0) return usage("drift needs the inventory file");
    if (rest.length > 1) return usage(`only one inventory file, got ${rest.map((file) => JSON.stringify(file)).join(" and ")}`);
    let concurrency = 16;
    if (values.concurrency !== undefined) {
        if (!/^\d+$/.test(values.concurrency) || Number(values.concurrency) < 1 || Number(values.concurrency) > 1024) {
            return usage(`--concurrency must be a whole number from 1 to 1024, got ${JSON.stringify(values.concurrency)}`);
        }
        concurrency = Number(values.concurrency);
    }
    if (values.only !== undefined && !ONLY.includes(values.only as Only)) return usage(`--only must be ${ONLY.join(", ")}, got ${JSON.stringify(values.only)}`);
    for (const [option, file] of [["--junit", values.junit], ["--html", values.html]] as const) {
        if (file === "") return usage(`${option} needs a file name`);
    }
    return {
        kind: "drift",
        arguments: { inventory: rest[0], json, concurrency, junit: values.junit, html: values.html, limit: values.limit ?? [], only: values.only as Only | undefined },
    };
}

/** This package's version, from the package.json above this module (in the repository and when installed). */
export function toolVersion(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
            if (manifest.name === "pulumi-iis-asp-session") return manifest.version ?? "unknown";
        }
        if (path.dirname(dir) === dir) return "unknown";
    }
}

async function main(argv: readonly string[]): Promise<number> {
    const parsed = parseArguments(argv);
    switch (parsed.kind) {
        case "help":
            process.stdout.write(`${HELP}\n`);
            return EXIT.inSync;
        case "version":
            process.stdout.write(`iis-asp-session ${toolVersion()}\n`);
            return EXIT.inSync;
        case "usage":
            if (parsed.json) process.stdout.write(`${JSON.stringify({ error: { kind: "usage", message: parsed.message } })}\n`);
            else process.stderr.write(`iis-asp-session: ${parsed.message}\n${USAGE}\n(iis-asp-session --help for more)\n`);
            return EXIT.usage;
        case "drift": {
            // Loaded here, not at the top: the audit brings the carriers, which --help has no use for.
            const { runDrift } = await import("./drift/run");
            return runDrift(parsed.arguments, toolVersion());
        }
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
        process.stderr.write(`iis-asp-session: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exitCode = EXIT.error;
    });
}
