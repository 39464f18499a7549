/**
 * The web.config files a local applicationHost.config names, read on this machine: its
 * `<virtualDirectory physicalPath>` folders, with Windows' %VARIABLE% references expanded from this
 * process's environment (case-insensitively, as Windows does). A folder that is not on this
 * machine (a copy of a server's file) is "unreadable", with why: nothing is claimed about it.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigFileMissingError, type WebConfigContent } from "../configFile";
import { describeFsError } from "./fsErrors";
import { readRegularFile } from "./readRegularFile";

export async function readLocalWebConfigs(files: readonly string[], environment: NodeJS.ProcessEnv = process.env): Promise<WebConfigContent[]> {
    return Promise.all(files.map((file) => readOne(file, environment)));
}

async function readOne(file: string, environment: NodeJS.ProcessEnv): Promise<WebConfigContent> {
    const expanded = expandVariables(file, environment);
    if (typeof expanded !== "string") return { file, label: file, state: "unreadable", reason: `the environment variable %${expanded.unset}% is not set on this machine` };
    if (!path.isAbsolute(expanded)) return { file, label: expanded, state: "unreadable", reason: "not an absolute path on this machine" };
    try {
        return { file, label: expanded, state: "read", bytes: await readRegularFile(expanded, expanded) };
    } catch (error) {
        const folder = path.dirname(expanded);
        if (error instanceof ConfigFileMissingError) {
            if (await isFolder(folder)) return { file, label: expanded, state: "missing" };
            return { file, label: expanded, state: "unreadable", reason: `its folder ${folder} does not exist on this machine` };
        }
        return { file, label: expanded, state: "unreadable", reason: error instanceof Error ? error.message.replace(`${expanded}: `, "") : describeFsError(error) };
    }
}

/** `%NAME%` replaced by the variable's value (names compared ignoring case); the first unset name otherwise. */
export function expandVariables(text: string, environment: NodeJS.ProcessEnv): string | { unset: string } {
    const byName = new Map(Object.entries(environment).map(([name, value]) => [name.toLowerCase(), value]));
    let unset: string | undefined;
    const expanded = text.replace(/%([^%\\/]+)%/g, (whole, name: string) => {
        const value = byName.get(name.toLowerCase());
        if (value === undefined) unset ??= name;
        return value ?? whole;
    });
    return unset === undefined ? expanded : { unset };
}

async function isFolder(folder: string): Promise<boolean> {
    try {
        return (await fs.promises.stat(folder)).isDirectory();
    } catch {
        return false;
    }
}
