/**
 * Crash safety of the XML-file backend on this machine: a writer process applying settings in a
 * loop to a copy of a real applicationHost.config is killed with SIGKILL at random moments (some
 * only microseconds after an apply begins, so that kills land inside the write), again and again,
 * a new writer starting each time. After every kill the file must be byte for byte the content
 * before the interrupted apply or the one after it (IIS reads the file without locking, so there
 * is no moment when a half-written file may be visible), the backup must be a whole earlier
 * content too, leftovers must be bounded and recognisable, and a lock left by the killed writer
 * must not hold up the next one (its process is dead, so the lock is broken at once).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseApplicationHost } from "../../provider/apphost/document";
import { readSession } from "../../provider/apphost/sessionReader";
import type { SessionSettings } from "../../provider/settings/schema";
import { BACKUP_SUFFIX, LocalConfigFile, LOCK_SUFFIX, sha256 } from "../../provider/stores/local/localConfigFile";
import { sharedFile } from "../support/paths";
import { copyToTempFolder, reachableContents, sleep, Writer } from "./harness";

/** Each sets max, so every apply changes the file; together they reach a handful of contents. */
const CHANGES: SessionSettings[] = [
    { max: 111, timeout: "00:11:00" },
    { max: 222, allowSessionState: false },
    { max: 333, timeout: "00:33:00", keepSessionIdSecure: false },
];
/** Per file; with both files that is at least 200 applies started, most of them killed or followed by a kill. */
const MIN_APPLIES_STARTED = 100;
/** A lock left by a killed writer may delay the next one by at most this (an empty lock is broken after 2 s). */
const MAX_LOCK_WAIT_MS = 4_000;

const CASES = [
    { corpusFile: "apphost_05.config", layout: "CRLF, no BOM", location: "Default Web Site" },
    { corpusFile: "apphost_34.config", layout: "UTF-8 BOM, LF", location: "Crash Test Site/app" },
];

/** Mostly very short, so that many kills land inside an apply; some long enough for several applies. */
function killDelayMs(): number {
    const draw = Math.random();
    if (draw < 0.4) return Math.random() * 2;
    if (draw < 0.7) return 2 + Math.random() * 13;
    return 15 + Math.random() * 45;
}

describe("reliability: writers killed with SIGKILL at random moments", function () {
    this.timeout(90_000);

    for (const { corpusFile, layout, location } of CASES) {
        it(`${corpusFile} (${layout}) at ${JSON.stringify(location)}: after every kill the file is the old or the new content, whole`, async function () {
            const source = sharedFile("corpus", "applicationHost", corpusFile);
            if (!source) {
                console.log(`      (../shared/corpus/applicationHost/${corpusFile} is absent: skipped; it is required under CI)`);
                this.skip();
            }
            const { folder, file } = copyToTempFolder(source, "asp-session-crash-");
            try {
                await killRepeatedly(corpusFile, file, folder, location);
            } finally {
                fs.rmSync(folder, { recursive: true, force: true });
            }
        });
    }
});

describe("reliability: after a writer killed between its backup and its rename", function () {
    it("the next write leaves no backup temp file behind, and the backup is the file it replaced", async function () {
        const source = sharedFile("corpus", "applicationHost", CASES[0].corpusFile);
        if (!source) this.skip();
        const { folder, file } = copyToTempFolder(source, "asp-session-backup-");
        try {
            // What the killed writer left: the backup is the config itself (a hard link to it).
            fs.linkSync(file, file + BACKUP_SUFFIX);
            const store = new LocalConfigFile(file);
            const before = await store.read();
            const replacement = Buffer.concat([before.bytes, Buffer.from("<!-- edited -->")]);
            await store.write(replacement, before.version);
            assert.deepStrictEqual(fs.readdirSync(folder).sort(), [path.basename(file), path.basename(file) + BACKUP_SUFFIX]);
            assert.ok(fs.readFileSync(file).equals(replacement), "the config is the replacement");
            assert.ok(fs.readFileSync(file + BACKUP_SUFFIX).equals(before.bytes), "the backup is the file replaced");
        } finally {
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });
});

async function killRepeatedly(corpusFile: string, file: string, folder: string, location: string): Promise<void> {
    const original = fs.readFileSync(file);
    const { states, next } = await reachableContents(original, file, location, CHANGES);
    const name = (key: string) => states.get(key)?.name ?? "not a valid content";
    let current = sha256(original);
    const killedPids = new Set<number>();
    const seenStates = new Set<string>([current]);
    const stats = { runs: 0, started: 0, completed: 0, killedInsideApply: 0, killedInsideWrite: 0, locksLeft: 0, maxLockWaitMs: 0, slowLockBreaks: 0, leftovers: 0 };

    while (stats.started < MIN_APPLIES_STARTED) {
        const lockLeftBehind = fs.existsSync(file + LOCK_SUFFIX);
        const firstChange = Math.floor(Math.random() * CHANGES.length);
        const writer = new Writer({ mode: "cycle", file, location, changes: CHANGES, firstChange });
        stats.runs++;
        try {
            // Progress: whatever the last writer left behind, this one completes an apply promptly.
            const first = await writer.waitFor("done", 8_000);
            if (lockLeftBehind) {
                stats.maxLockWaitMs = Math.max(stats.maxLockWaitMs, first.lockWaitMs);
                if (first.lockWaitMs > 500) stats.slowLockBreaks++;
                assert.ok(first.lockWaitMs < MAX_LOCK_WAIT_MS, `run ${stats.runs}: the lock left by a killed writer held the next one up for ${first.lockWaitMs} ms`);
            }
            await sleep(killDelayMs());
        } finally {
            await writer.kill();
        }
        killedPids.add(writer.pid);

        const failures = writer.eventsOf("failed");
        assert.deepStrictEqual(failures, [], `run ${stats.runs}: an apply failed`);
        const starts = writer.eventsOf("start");
        const finished = new Set(writer.eventsOf("done").map((event) => event.apply));
        stats.started += starts.length;
        stats.completed += finished.size;
        const last = writer.events[writer.events.length - 1];
        if (last?.kind === "write-begin") stats.killedInsideWrite++;

        // Replay what the writer reported: every completed apply moved the file one step on.
        let interrupted: number | undefined;
        for (const { apply } of starts) {
            const change = (firstChange + apply - 1) % CHANGES.length;
            if (finished.has(apply)) current = next.get(`${current}|${change}`)!;
            else interrupted = change;
        }
        const bytes = fs.readFileSync(file);
        const found = sha256(bytes);
        const allowed = [current];
        if (interrupted !== undefined) {
            stats.killedInsideApply++;
            allowed.push(next.get(`${current}|${interrupted}`)!);
        }
        assert.ok(allowed.includes(found), `run ${stats.runs}, killed after ${writer.describe()}: the file is ${name(found)} (${bytes.length} bytes), expected ${allowed.map(name).join(" or ")}`);
        current = found;
        seenStates.add(found);
        const max = readSession(parseApplicationHost(bytes, file), location, file).explicit.max;
        assert.ok(max === undefined || CHANGES.some((change) => change.max === max), `run ${stats.runs}: max at ${location} reads ${max}`);

        if (fs.existsSync(file + BACKUP_SUFFIX)) {
            const backup = sha256(fs.readFileSync(file + BACKUP_SUFFIX));
            assert.ok(states.has(backup), `run ${stats.runs}: the backup is not a whole earlier content`);
        }
        if (fs.existsSync(file + LOCK_SUFFIX)) stats.locksLeft++;
        stats.leftovers = checkLeftovers(folder, file, killedPids, stats.runs);
    }

    console.log(`      ${corpusFile}: ${stats.started} applies started in ${stats.runs} runs, ${stats.completed} completed; ` +
        `${stats.killedInsideApply} kills inside an apply (${stats.killedInsideWrite} after the replace had begun); ` +
        `${stats.locksLeft} locks left behind, longest wait for one ${stats.maxLockWaitMs} ms, ${stats.slowLockBreaks} waits over 500 ms; ` +
        `${stats.leftovers} leftover temp files; ${seenStates.size} of ${states.size} possible contents seen`);
    assert.ok(stats.killedInsideApply > 0, "no kill landed inside an apply: the test did not test crashes");
    assert.ok(seenStates.size > 2, "the file hardly changed: the writers did not make progress");
}

/**
 * Files beside the config other than itself, its backup and its lock may only be temp files of
 * killed writers: at most a replacement and a backup temp per killed writer, named so that
 * nothing takes them for the config. Returns how many there are.
 */
function checkLeftovers(folder: string, file: string, killedPids: Set<number>, run: number): number {
    const base = path.basename(file);
    const expected = new Set([base, base + BACKUP_SUFFIX, base + LOCK_SUFFIX]);
    // The replacement and the backup link are both written to `.<file>.<pid>.<hex>.tmp` first.
    const writerTemp = new RegExp(`^\\.${escape(base)}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
    const brokenLock = new RegExp(`^${escape(base + LOCK_SUFFIX)}\\.[0-9a-f]{12}\\.broken$`);
    // A lock is written to a draft first and linked into place; a writer killed meanwhile leaves it.
    const lockDraft = new RegExp(`^${escape(base + LOCK_SUFFIX)}\\.(\\d+)\\.[0-9a-f]{12}\\.draft$`);
    let temps = 0, brokenLocks = 0, drafts = 0;
    for (const entry of fs.readdirSync(folder)) {
        if (expected.has(entry)) continue;
        const temp = writerTemp.exec(entry);
        if (temp) {
            assert.ok(killedPids.has(Number(temp[1])), `run ${run}: temp file ${entry} does not belong to a killed writer`);
            temps++;
        } else if (brokenLock.test(entry)) {
            brokenLocks++;
        } else if (lockDraft.test(entry)) {
            const draft = lockDraft.exec(entry) as RegExpExecArray;
            assert.ok(killedPids.has(Number(draft[1])), `run ${run}: lock draft ${entry} does not belong to a killed writer`);
            drafts++;
        } else {
            assert.fail(`run ${run}: unexpected file ${entry} beside the config`);
        }
    }
    assert.ok(temps <= 2 * killedPids.size && brokenLocks <= killedPids.size && drafts <= killedPids.size,
        `run ${run}: ${temps} temp files, ${brokenLocks} broken locks after ${killedPids.size} kills`);
    return temps + brokenLocks;
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
