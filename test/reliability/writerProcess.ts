/**
 * A writer process for the reliability tests: `node writerProcess.js '<WriterJob as JSON>'`.
 * It writes through the real XmlFileBackend and LocalConfigFile (or, in `foreign` mode, like a
 * tool that ignores our lock) and reports each step on stdout (see protocol.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { documentBytes, parseApplicationHost } from "../../provider/apphost/document";
import { editSession } from "../../provider/apphost/sessionEditor";
import { readSession } from "../../provider/apphost/sessionReader";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { ConfigChangedError, ConfigFileContent, ConfigFileStore, WebConfigContent } from "../../provider/stores/configFile";
import { LocalConfigFile } from "../../provider/stores/local/localConfigFile";
import { monotonicMicros, WriterEvent, WriterJob } from "./protocol";

function report(event: WriterEvent): void {
    process.stdout.write(JSON.stringify(event) + "\n");
}

/** What one apply went through, filled in by the instrumented store. */
interface ApplyTrace {
    lockWaitMs: number;
    casRefusals: number;
}

/** The real store, reporting lock waits, compare-and-swap refusals and what each replace wrote. */
class InstrumentedStore implements ConfigFileStore {
    readonly label: string;
    trace: ApplyTrace = { lockWaitMs: 0, casRefusals: 0 };

    constructor(private readonly inner: LocalConfigFile, private readonly watchLocation: string | undefined) {
        this.label = inner.label;
    }

    read(): Promise<ConfigFileContent> {
        return this.inner.read();
    }

    readWebConfigs(files: readonly string[]): Promise<WebConfigContent[]> {
        return this.inner.readWebConfigs(files);
    }

    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        const startedAt = monotonicMicros();
        report({ kind: "write-begin", at: startedAt });
        try {
            const result = await this.inner.write(bytes, expectedVersion);
            const endedAt = monotonicMicros();
            report({ kind: "written", startedAt, endedAt, watchedMax: this.watchedMax(bytes) });
            return result;
        } catch (error) {
            if (error instanceof ConfigChangedError) {
                this.trace.casRefusals++;
                report({ kind: "cas-refused" });
            }
            throw error;
        }
    }

    withLock<T>(work: () => Promise<T>): Promise<T> {
        const askedAt = Date.now();
        return this.inner.withLock(() => {
            this.trace.lockWaitMs = Date.now() - askedAt;
            return work();
        });
    }

    private watchedMax(bytes: Buffer): number | undefined {
        if (this.watchLocation === undefined) return undefined;
        return readSession(parseApplicationHost(bytes, this.label), this.watchLocation, this.label).explicit.max ?? 0;
    }
}

async function runBackendJob(job: Extract<WriterJob, { mode: "cycle" | "sequence" }>): Promise<void> {
    if (job.mode === "sequence") {
        await new Promise((resolve) => process.stdin.once("data", resolve));
        process.stdin.pause();
    }
    // A short lock timeout: a lock left by a killed writer that is not broken shows up as a failure.
    const store = new InstrumentedStore(new LocalConfigFile(job.file, { lockTimeoutMs: 10_000 }), job.mode === "sequence" ? job.watchLocation : undefined);
    const backend = new XmlFileBackend(store);
    const applies = job.mode === "cycle" ? Number.POSITIVE_INFINITY : job.count;
    // What this location should hold now; unknown after a failed apply (it may have been written).
    let holds: number | undefined = 0;
    for (let apply = 1; apply <= applies; apply++) {
        const set = job.mode === "cycle" ? job.changes[(job.firstChange + apply - 1) % job.changes.length] : { max: apply };
        if (job.mode === "sequence" && holds !== undefined) await expectMax(backend, job.location, apply, "before", holds);
        store.trace = { lockWaitMs: 0, casRefusals: 0 };
        report({ kind: "start", apply });
        try {
            await backend.write(job.location, { set, restore: {}, remove: [] });
        } catch (error) {
            report({ kind: "failed", apply, message: error instanceof Error ? error.message : String(error) });
            holds = undefined;
            continue;
        }
        report({ kind: "done", apply, ...store.trace });
        holds = apply;
        if (job.mode === "sequence") await expectMax(backend, job.location, apply, "after", apply);
    }
}

/** Reports a mismatch when `location` does not hold max = `expected` (0 = not set). */
async function expectMax(backend: XmlFileBackend, location: string, apply: number, when: "before" | "after", expected: number): Promise<void> {
    const found = (await backend.read(location)).explicit.max ?? null;
    if ((found ?? 0) !== expected) report({ kind: "mismatch", apply, when, expected, found });
}

/** IIS Manager's way: no lock, no compare-and-swap; read, edit, write a temp file, rename. */
async function runForeignJob(job: Extract<WriterJob, { mode: "foreign" }>): Promise<void> {
    let stopping = false;
    process.stdin.on("end", () => { stopping = true; }).resume();
    const temp = path.join(path.dirname(job.file), `.foreign-editor.${process.pid}.tmp`);
    for (let value = 1; !stopping; value++) {
        const readAt = monotonicMicros();
        const document = parseApplicationHost(fs.readFileSync(job.file), job.file);
        const foundBefore = readSession(document, job.location, job.file).explicit.max ?? null;
        const edited = editSession(document, job.location, job.file, { set: { max: { value: String(value) } }, remove: [] });
        fs.writeFileSync(temp, documentBytes(document, edited.text));
        const renameAt = monotonicMicros();
        fs.renameSync(temp, job.file);
        report({ kind: "foreign-edit", value, foundBefore, readAt, renameAt, doneAt: monotonicMicros() });
        // A busy operator's tool, not a loop: fast enough to race every write of ours, slow enough that some land.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 12));
    }
}

async function main(): Promise<void> {
    const job = JSON.parse(process.argv[2] ?? "") as WriterJob;
    report({ kind: "ready", pid: process.pid });
    if (job.mode === "foreign") await runForeignJob(job);
    else await runBackendJob(job);
    report({ kind: "finished" });
    process.exit(0);
}

main().catch((error: unknown) => {
    process.stderr.write(`writer process failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
});
