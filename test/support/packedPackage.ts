/**
 * The package as npm would publish it: `npm pack` of a copy of the sources (its `prepare` build
 * runs in the copy, so it cannot touch this run's dist/), into `work`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./paths";

const PACKAGE_SOURCES = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.package.json", "sdk", "provider", "cli", "tools"];

export interface PackedPackage {
    /** Absolute path of the .tgz. */
    tarball: string;
    /** The paths inside it, as npm lists them. */
    files: string[];
}

export function packPackage(work: string): PackedPackage {
    const source = path.join(work, "source");
    fs.mkdirSync(source);
    for (const entry of PACKAGE_SOURCES) fs.cpSync(path.join(projectRoot, entry), path.join(source, entry), { recursive: true });
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(source, "node_modules"), "dir");
    const output = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: source, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
    const packed = JSON.parse(output) as Array<{ filename: string; files: Array<{ path: string }> }>;
    return { tarball: path.join(work, packed[0].filename), files: packed[0].files.map((file) => file.path) };
}

/**
 * Runs npm with the Node that runs the tests first on PATH (npm's `#!/usr/bin/env node` then runs
 * on it, and so do install scripts and the engines check). Returns npm's whole output.
 */
export function npmWithThisNode(args: string[], cwd: string): { status: number | null; output: string } {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
    try {
        const stdout = execFileSync("npm", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
        return { status: 0, output: stdout };
    } catch (error) {
        const failed = error as { status: number | null; stdout?: string; stderr?: string };
        return { status: failed.status, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
    }
}
