/**
 * Writers racing on one applicationHost.config on this machine.
 * - Two of our writers (separate processes, different locations): the lock serialises them, so
 *   no apply is lost and compare-and-swap never has to refuse one.
 * - One of ours against a foreign writer that ignores our lock (as IIS Manager or appcmd would):
 *   compare-and-swap refuses and retries instead of writing over the foreign writer's edits. No
 *   foreign edit that had completed when one of our writes began is lost; the only losses are
 *   edits renamed in during the few system calls between our check and our rename (a rename
 *   cannot compare-and-swap), and they are counted.
 */
import * as assert from "assert";
import * as fs from "fs";
import { parseApplicationHost } from "../../provider/apphost/document";
import { WRITE_ATTEMPTS } from "../../provider/backends/conflicts";
import { readSession } from "../../provider/apphost/sessionReader";
import { sharedFile } from "../support/paths";
import { copyToTempFolder, Writer } from "./harness";
import { WriterEvent } from "./protocol";

const CORPUS_FILE = "apphost_05.config";
const APPLIES = 100;

type Event<K extends WriterEvent["kind"]> = Extract<WriterEvent, { kind: K }>;

describe("reliability: writers racing on one file", function () {
    // Each writer makes 100 applies of up to WRITE_ATTEMPTS tries; on a loaded 2-core machine that takes ~40 s.
    this.timeout(180_000);
    let source: string | undefined;
    let folder: string | undefined;
    let file = "";
    const writers: Writer[] = [];

    before(function () {
        source = sharedFile("corpus", "applicationHost", CORPUS_FILE);
        if (!source) {
            console.log(`      (../shared/corpus/applicationHost/${CORPUS_FILE} is absent: skipped; it is required under CI)`);
            this.skip();
        }
    });

    beforeEach(function () {
        ({ folder, file } = copyToTempFolder(source!, "asp-session-race-"));
    });

    afterEach(async function () {
        await Promise.all(writers.splice(0).map((writer) => writer.kill()));
        if (folder) fs.rmSync(folder, { recursive: true, force: true });
        folder = undefined;
    });

    function start(writer: Writer): Writer {
        writers.push(writer);
        return writer;
    }

    function maxAt(location: string): number | undefined {
        return readSession(parseApplicationHost(fs.readFileSync(file), file), location, file).explicit.max;
    }

    it(`two of our writers, ${APPLIES} applies each at different locations: the lock serialises them and nothing is lost`, async function () {
        const locations = ["Site A", "Site B/app"];
        const racing = locations.map((location) => start(new Writer({ mode: "sequence", file, location, count: APPLIES })));
        await Promise.all(racing.map((writer) => writer.waitFor("ready", 10_000)));
        for (const writer of racing) writer.go();
        const exits = await Promise.all(racing.map((writer) => writer.exited));

        for (const [index, writer] of racing.entries()) {
            const location = locations[index];
            assert.deepStrictEqual(exits[index], { code: 0, signal: null }, `the writer at ${location} ended badly: ${writer.errorOutput}`);
            assert.deepStrictEqual(writer.eventsOf("failed"), [], `applies at ${location} failed`);
            assert.deepStrictEqual(writer.eventsOf("mismatch"), [], `${location} did not hold the value its writer had just written`);
            assert.deepStrictEqual(writer.eventsOf("done").map((event) => event.apply), range(1, APPLIES), `applies verified at ${location}`);
            assert.strictEqual(maxAt(location), APPLIES, `final max at ${location}`);
        }
        const done = racing.flatMap((writer) => writer.eventsOf("done"));
        // LocalConfigFile first retries a held lock after at least 5 ms: a shorter wait found it free.
        const waited = done.filter((event) => event.lockWaitMs >= 5);
        const refused = done.reduce((sum, event) => sum + event.casRefusals, 0);
        console.log(`      ${done.length} applies: ${waited.length} waited for the other writer's lock ` +
            `(longest ${Math.max(...done.map((event) => event.lockWaitMs))} ms); ${refused} refused by compare-and-swap and retried`);
        assert.ok(waited.length > 0, "the writers never contended for the lock: the test did not race them");
        assert.strictEqual(refused, 0, "a write was refused by compare-and-swap although both writers take the lock: the lock did not serialise them");
    });

    it(`ours (${APPLIES} applies) against a foreign writer that ignores the lock: compare-and-swap keeps the foreign edits`, async function () {
        const foreign = start(new Writer({ mode: "foreign", file, location: "Site F" }));
        const ours = start(new Writer({ mode: "sequence", file, location: "Site A", count: APPLIES, watchLocation: "Site F" }));
        await ours.waitFor("ready", 10_000);
        await foreign.waitFor("foreign-edit", 10_000);
        ours.go();
        const ourExit = await ours.exited;
        foreign.endInput();
        const foreignExit = await foreign.exited;
        assert.deepStrictEqual(ourExit, { code: 0, signal: null }, `our writer ended badly: ${ours.errorOutput}`);
        assert.deepStrictEqual(foreignExit, { code: 0, signal: null }, `the foreign writer ended badly: ${foreign.errorOutput}`);

        const edits = foreign.eventsOf("foreign-edit");
        const written = ours.eventsOf("written");
        // The claim: a foreign edit that had completed when one of our writes began is never lost.
        // A rename cannot be compare-and-swap, so a foreign edit renamed in while one of our writes
        // is between its check and its rename is lost; each loss must be one of those.
        const lost = lostForeignEdits(edits, maxAt("Site F"));
        for (const value of lost) {
            const edit = edits[value - 1];
            const culprits = written.filter((write) => (write.watchedMax ?? 0) < value && write.endedAt >= edit.renameAt);
            assert.ok(culprits.some((write) => write.startedAt <= edit.doneAt),
                `foreign edit max=${value} (renamed in at ${edit.renameAt} µs, done at ${edit.doneAt} µs) was lost, and none of our writes that could have written over it ` +
                `had begun before it completed: ${JSON.stringify(culprits.slice(0, 2))}`);
        }

        const done = ours.eventsOf("done");
        const failed = ours.eventsOf("failed");
        const clobbered = ours.eventsOf("mismatch");
        const refused = ours.count("cas-refused");
        assert.strictEqual(done.length + failed.length, APPLIES, "every apply either succeeded and was verified or reported an error");
        for (const failure of failed) assert.match(failure.message, /changed since it was read|does not hold these values \(changed by another writer\?\)/, `apply ${failure.apply} failed for another reason: ${failure.message}`);
        assert.ok(refused > 0, "compare-and-swap never refused a write: the foreign writer did not race ours");
        // Site A ends with our last write, unless a foreign edit read the file before that write and replaced it after.
        const lastWrite = written[written.length - 1];
        const lastWritten = appliesWritten(ours.events);
        const finalA = maxAt("Site A");
        if (finalA !== lastWritten[lastWritten.length - 1]) {
            assert.ok(edits.some((edit) => edit.readAt < lastWrite.endedAt && edit.doneAt > lastWrite.startedAt),
                `Site A ends at max=${finalA}, not ${lastWritten[lastWritten.length - 1]} (our last write), and no foreign edit overlapped that write`);
        }
        console.log(`      ours: ${done.length} applies verified (last written: max=${lastWritten[lastWritten.length - 1]}, file ends with ${finalA}), ${failed.length} reported errors (compare-and-swap gave up after ${WRITE_ATTEMPTS} tries: ` +
            `${failed.filter((failure) => /changed since it was read/.test(failure.message)).length}, the read-back found a foreign edit: ` +
            `${failed.filter((failure) => /does not hold these values/.test(failure.message)).length}); ` +
            `${refused} writes refused by compare-and-swap and retried; ${clobbered.length} times the foreign writer overwrote our value (it takes no care); ` +
            `foreign: ${edits.length} edits, ${lost.length} lost in the window between our check and our rename`);
    });
});

/** Foreign edits no longer there when the foreign writer next read the file (or at the end, for the last). */
function lostForeignEdits(edits: Event<"foreign-edit">[], finalValue: number | undefined): number[] {
    const lost: number[] = [];
    for (const [index, edit] of edits.entries()) {
        const nextFound = index + 1 < edits.length ? edits[index + 1].foundBefore : finalValue ?? null;
        if (nextFound !== edit.value) lost.push(edit.value);
    }
    return lost;
}

/** The applies, in order, whose write replaced the file (including those whose read-back then failed). */
function appliesWritten(events: WriterEvent[]): number[] {
    const applies: number[] = [];
    let apply = 0;
    for (const event of events) {
        if (event.kind === "start") apply = event.apply;
        if (event.kind === "written") applies.push(apply);
    }
    return applies;
}

function range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
