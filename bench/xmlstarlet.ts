/**
 * `xmlstarlet ed` as the yardstick: a C tool (libxml2) that parses the whole file into a tree
 * and serialises all of it again, which is what any DOM-based editor does for one attribute.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";

export interface XmlstarletTool {
    command: string;
    version: string;
    /** GNU time, if installed, to read the child's peak RSS. */
    timeCommand?: string;
}

/** The installed xmlstarlet, or undefined with the reason (so the bench can say so and go on). */
export function findXmlstarlet(): { tool: XmlstarletTool } | { missing: string } {
    for (const command of ["xmlstarlet", "xml"]) {
        const probe = spawnSync(command, ["--version"], { encoding: "utf8" });
        if (probe.error || probe.status !== 0) continue;
        const timeCommand = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
        return { tool: { command, version: probe.stdout.split("\n")[0].trim(), timeCommand } };
    }
    return { missing: "xmlstarlet is not installed (Debian/Ubuntu: apt-get update && apt-get install -y xmlstarlet)" };
}

/** One in-place update of an existing attribute: `xmlstarlet ed -L -u <xpath> -v <value> <file>`. */
export function updateAttributeInPlace(tool: XmlstarletTool, file: string, xpath: string, value: string): { peakRssKiB?: number } {
    const args = ["ed", "-L", "-u", xpath, "-v", value, file];
    const run = tool.timeCommand
        ? spawnSync(tool.timeCommand, ["-f", "%M", tool.command, ...args], { encoding: "utf8" })
        : spawnSync(tool.command, args, { encoding: "utf8" });
    if (run.error) throw new Error(`${tool.command} ${args.join(" ")}: ${run.error.message}`);
    if (run.status !== 0) throw new Error(`${tool.command} ${args.join(" ")} exited with ${run.status}: ${run.stderr.trim()}`);
    if (!tool.timeCommand) return {};
    const lines = run.stderr.trim().split("\n");
    const peak = Number(lines[lines.length - 1]);
    return Number.isFinite(peak) ? { peakRssKiB: peak } : {};
}
