/**
 * Where the time of a diff and an apply goes, step by step, on the same file: the steps
 * XmlFileBackend chains (read, hash for compare-and-swap, decode and scan, look up, splice,
 * encode). Not a separate benchmark: it explains the totals in the main table.
 */
import * as fs from "fs";
import { documentBytes, parseApplicationHost } from "../provider/apphost/document";
import { editSession } from "../provider/apphost/sessionEditor";
import { readSession } from "../provider/apphost/sessionReader";
import { sha256 } from "../provider/stores/local/localConfigFile";
import { measure, Timing } from "./stats";

export interface PhaseTiming {
    phase: string;
    timing: Timing;
}

export async function measurePhases(file: string, location: string, repetitions: number): Promise<PhaseTiming[]> {
    const bytes = await fs.promises.readFile(file);
    const document = parseApplicationHost(bytes, file);
    const edited = editSession(document, location, file, { set: { timeout: { value: "00:10:00" } }, remove: [] });
    const phases: Array<[string, () => unknown]> = [
        ["read file (fs.promises.readFile)", () => fs.promises.readFile(file)],
        ["SHA-256 of the bytes (compare-and-swap version)", () => sha256(bytes)],
        ["UTF-8 decode (Buffer.toString)", () => bytes.toString("utf8")],
        ["parseApplicationHost (decode, checks, scan)", () => parseApplicationHost(bytes, file)],
        ["readSession (look up the location)", () => readSession(document, location, file)],
        ["editSession (splice one attribute)", () => editSession(document, location, file, { set: { timeout: { value: "00:10:00" } }, remove: [] })],
        ["documentBytes (encode the new text)", () => documentBytes(document, edited.text)],
    ];
    const timings: PhaseTiming[] = [];
    for (const [phase, step] of phases) timings.push({ phase, timing: await measure(repetitions, async () => { await step(); }) });
    return timings;
}
