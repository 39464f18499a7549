/**
 * Mocha root hooks (.mocharc.json "require") that hold the run to leaving nothing behind. Each
 * test's scratch goes after it and the rest after the run (scratch.ts); then the run fails, naming
 * each, if the temp folder holds a new entry with one of the names the tests give what they make
 * there, or if a process the run started is still alive. Other programs write to the temp folder
 * too, so only our names are judged.
 */
import * as fs from "fs";
import type * as Mocha from "mocha";
import * as os from "os";
import * as path from "path";
import { COMMIT_GUARD_PREFIX } from "./mwa/commitGuard";
import { runEnded, scratchPrefixes, testEnded, testStarted } from "./scratch";

/** The names test/ gives what it makes in the temp folder (scratchDir's prefixes are added). */
const OUR_PREFIXES = [
    "asp-session-", "asp-fleet-", "asp-inventory-", COMMIT_GUARD_PREFIX, "sshd-", "ssh-xml-", "winrm-pki-", "wsman-tls-",
    "pywinrm-", "pester-", "cas-", "local-file-", "local-lock-", "local-missing-", "local-socket-", "local-temps-",
    "local-journal-", "failing-cp-",
];

/** How long processes and what they remove get to go once the last hook has run. */
const GRACE_MS = 5_000;

/**
 * Marks every process this run starts (children inherit the environment), so one that outlived
 * its parent (a child of a killed child, now init's) is still found.
 */
const RUN_ID = `${process.pid}-${Date.now()}`;
process.env.ASP_SESSION_TEST_RUN = RUN_ID;
const RUN_MARK = `ASP_SESSION_TEST_RUN=${RUN_ID}`;

let tempAtStart = new Set<string>();
let processesAtStart = new Set<number>();
/** Where a leftover was first seen: after which test. */
const firstSeen = new Map<string, string>();

function ours(name: string): boolean {
    return [...OUR_PREFIXES, ...scratchPrefixes()].some((prefix) => name.startsWith(prefix));
}

function newTempEntries(): string[] {
    return fs.readdirSync(os.tmpdir()).filter((name) => !tempAtStart.has(name) && ours(name)).sort();
}

function readProc(pid: number, file: string): string | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
        return undefined; // gone meanwhile, or not ours to read
    }
}

/** This process's descendants (children of any of its threads, recursively). */
function descendants(): Set<number> {
    const found = new Set<number>();
    const queue = [process.pid];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
        let tasks: string[] = [];
        try {
            tasks = fs.readdirSync(`/proc/${pid}/task`);
        } catch {
            continue;
        }
        for (const task of tasks) {
            for (const child of (readProc(pid, `task/${task}/children`) ?? "").split(" ").filter(Boolean).map(Number)) {
                if (found.has(child)) continue;
                found.add(child);
                queue.push(child);
            }
        }
    }
    return found;
}

/** Live processes (not zombies) this run started: descendants, or marked by RUN_MARK. Linux only. */
function runProcesses(): Set<number> {
    if (!fs.existsSync("/proc/self/task")) return new Set();
    const candidates = descendants();
    for (const name of fs.readdirSync("/proc")) {
        const pid = Number(name);
        if (Number.isInteger(pid) && pid !== process.pid && (readProc(pid, "environ") ?? "").split("\0").includes(RUN_MARK)) candidates.add(pid);
    }
    return new Set([...candidates].filter((pid) => {
        const stat = readProc(pid, "stat");
        const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== undefined && state !== "Z" && state !== "X";
    }));
}

function newProcesses(): number[] {
    return [...runProcesses()].filter((pid) => !processesAtStart.has(pid)).sort((a, b) => a - b);
}

function describeProcess(pid: number): string {
    const commandLine = (readProc(pid, "cmdline") ?? "").split("\0").filter(Boolean).join(" ");
    return `process ${pid}: ${commandLine.length > 200 ? `${commandLine.slice(0, 200)}…` : commandLine || "(exited)"}`;
}

function describeEntry(name: string): string {
    const full = path.join(os.tmpdir(), name);
    let kind = "gone meanwhile";
    try {
        kind = fs.lstatSync(full).isDirectory() ? "folder" : "file";
    } catch {
        // removed since it was listed
    }
    const seen = firstSeen.get(name);
    return `${full} (${kind}${seen === undefined ? "" : `, first seen after "${seen}"`})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const mochaHooks: Mocha.RootHookObject = {
    beforeAll: function recordTempFolderAndProcesses() {
        tempAtStart = new Set(fs.readdirSync(os.tmpdir()));
        processesAtStart = runProcesses();
    },
    beforeEach: function startTestScratch() {
        testStarted();
    },
    afterEach: function removeTestScratch(this: Mocha.Context) {
        testEnded();
        for (const name of newTempEntries()) if (!firstSeen.has(name)) firstSeen.set(name, this.currentTest?.fullTitle() ?? "?");
    },
    afterAll: async function failOnLeftovers(this: Mocha.Context) {
        this.timeout(GRACE_MS + 30_000);
        runEnded();
        const deadline = Date.now() + GRACE_MS;
        let entries = newTempEntries();
        let processes = newProcesses();
        while ((entries.length > 0 || processes.length > 0) && Date.now() < deadline) {
            await sleep(100);
            entries = newTempEntries();
            processes = newProcesses();
        }
        if (entries.length === 0 && processes.length === 0) return;
        const lines = [...entries.map(describeEntry), ...processes.map(describeProcess)];
        // Reported above; killed so that the run can end (a live child keeps Node running).
        for (const pid of processes) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // already gone
            }
        }
        throw new Error(`the test run left ${lines.length} thing(s) behind; a test must remove what it makes (in after/afterEach or finally, ` +
            `or through test/support/scratch.ts) and end the processes it starts:\n  ${lines.join("\n  ")}`);
    },
};
