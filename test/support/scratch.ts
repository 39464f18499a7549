/**
 * What the tests make in the system temp folder, removed by the test run whatever the outcome:
 * made while a test runs (its beforeEach hooks included), it goes after that test; made in a
 * before hook or when a module loads, after the whole run. Everything is removed again after the
 * run, for what a test's processes made again meanwhile. leftovers.ts calls testStarted,
 * testEnded and runEnded from mocha's root hooks; a run without it (Stryker's) removes everything
 * when the process exits.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const untilTestEnds = new Set<string>();
const untilRunEnds = new Set<string>();
const prefixes = new Set<string>();
let testRunning = false;

/** A new, empty folder `<temp>/<prefix>XXXXXX`, removed as described above. */
export function scratchDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    prefixes.add(prefix);
    removeLater(dir);
    return dir;
}

/** Removes `target` (a folder or file something else makes, such as a lock file) as described above. */
export function removeLater(target: string): void {
    if (testRunning) untilTestEnds.add(target);
    untilRunEnds.add(target);
}

/** Every prefix scratchDir was given (leftovers.ts looks for folders left with these names). */
export function scratchPrefixes(): string[] {
    return [...prefixes];
}

export function testStarted(): void {
    testRunning = true;
}

export function testEnded(): void {
    testRunning = false;
    removeEach(untilTestEnds);
}

export function runEnded(): void {
    testEnded();
    removeEach(untilRunEnds);
}

/**
 * A failure to remove is not thrown: a failing root hook would stop the run, and whatever stays
 * is named by leftovers.ts at the end.
 */
function removeEach(targets: Set<string>): void {
    for (const target of targets) {
        try {
            fs.rmSync(target, { recursive: true, force: true, maxRetries: 3 });
        } catch {
            // reported as a leftover
        }
    }
    targets.clear();
}

process.once("exit", runEnded);
