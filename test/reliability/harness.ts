/**
 * The parent's side of the reliability tests: starting writer processes, following what they
 * report, killing them, and knowing in advance every content a config file may validly have.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { ConfigChangedError, ConfigFileContent, WebConfigContent, ConfigFileStore } from "../../provider/stores/configFile";
import { sha256 } from "../../provider/stores/local/localConfigFile";
import type { SessionSettings } from "../../provider/settings/schema";
import { scratchDir } from "../support/scratch";
import { parseEvent, WriterEvent, WriterJob } from "./protocol";

const WRITER_SCRIPT = path.join(__dirname, "writerProcess.js");

/** A running writer process and everything it has reported so far. */
export class Writer {
    readonly events: WriterEvent[] = [];
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    private stderr = "";
    private readonly child: ChildProcess;
    private waiters: Array<() => void> = [];

    constructor(readonly job: WriterJob) {
        this.child = spawn(process.execPath, [WRITER_SCRIPT, JSON.stringify(job)], { stdio: ["pipe", "pipe", "pipe"] });
        let pending = "";
        this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
            pending += chunk;
            let newline: number;
            while ((newline = pending.indexOf("\n")) >= 0) {
                this.events.push(parseEvent(pending.slice(0, newline)));
                pending = pending.slice(newline + 1);
            }
            this.notify();
        });
        this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => { this.stderr += chunk; });
        // "close" comes after the process has exited and its output has been read to the end.
        this.exited = new Promise((resolve) => this.child.on("close", (code, signal) => {
            this.notify();
            resolve({ code, signal });
        }));
    }

    get pid(): number {
        return this.child.pid ?? -1;
    }

    get errorOutput(): string {
        return this.stderr;
    }

    count(kind: WriterEvent["kind"]): number {
        return this.events.filter((event) => event.kind === kind).length;
    }

    eventsOf<K extends WriterEvent["kind"]>(kind: K): Array<Extract<WriterEvent, { kind: K }>> {
        return this.events.filter((event): event is Extract<WriterEvent, { kind: K }> => event.kind === kind);
    }

    /** Resolves with the first event matching `wanted`; rejects if the process ends first or `timeoutMs` passes. */
    async waitFor<K extends WriterEvent["kind"]>(kind: K, timeoutMs: number): Promise<Extract<WriterEvent, { kind: K }>> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.eventsOf(kind)[0];
            if (found) return found;
            if (this.child.exitCode !== null || this.child.signalCode !== null) {
                throw new Error(`writer ${this.pid} ended (${this.child.exitCode ?? this.child.signalCode}) before reporting "${kind}"; it reported ${this.describe()}; stderr: ${this.stderr}`);
            }
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`writer ${this.pid} did not report "${kind}" within ${timeoutMs} ms; it reported ${this.describe()}`);
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, Math.min(left, 100));
                this.waiters.push(() => { clearTimeout(timer); resolve(); });
            });
        }
    }

    /** Lets a `sequence` writer begin. */
    go(): void {
        this.child.stdin!.write("go\n");
    }

    /** Ends the writer's stdin (a `foreign` writer stops after its current edit). */
    endInput(): void {
        this.child.stdin!.end();
    }

    /** SIGKILL, then wait until the process is gone (reaped) and its output read. */
    async kill(): Promise<void> {
        this.child.kill("SIGKILL");
        await this.exited;
    }

    describe(): string {
        return this.events.slice(-5).map((event) => JSON.stringify(event)).join(", ") || "nothing";
    }

    private notify(): void {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
    }
}

/** A config file in memory, for computing what the backend writes without touching a disk. */
class MemoryStore implements ConfigFileStore {
    readonly label: string;

    constructor(label: string, public bytes: Buffer) {
        this.label = label;
    }

    async read(): Promise<ConfigFileContent> {
        return { bytes: this.bytes, version: sha256(this.bytes) };
    }

    /** The harness's files hold no site whose asp section is unlocked: every web.config is absent. */
    async readWebConfigs(files: readonly string[]): Promise<WebConfigContent[]> {
        return files.map((file) => ({ file, label: file, state: "missing" }));
    }

    async write(bytes: Buffer, expectedVersion: string): Promise<{ version: string }> {
        if (sha256(this.bytes) !== expectedVersion) throw new ConfigChangedError(this.label);
        this.bytes = bytes;
        return { version: sha256(bytes) };
    }

    withLock<T>(work: () => Promise<T>): Promise<T> {
        return work();
    }
}

/** Every content a file can have, and which content each change turns each one into. */
export interface ReachableContents {
    /** By SHA-256; `name` says how it is reached: "original", or the changes applied, e.g. "original+1+0". */
    states: Map<string, { name: string; bytes: Buffer }>;
    /** `${sha of a state}|${change index}` to the SHA-256 of the content that change writes. */
    next: Map<string, string>;
}

/**
 * The closure of the contents reachable from `original` when only `changes` are applied at
 * `location`, in any order, computed with the real backend over a file in memory.
 */
export async function reachableContents(original: Buffer, label: string, location: string, changes: SessionSettings[]): Promise<ReachableContents> {
    const states = new Map([[sha256(original), { name: "original", bytes: original }]]);
    const next = new Map<string, string>();
    const queue = [...states.entries()];
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const [key, state] = entry;
        for (const [index, set] of changes.entries()) {
            const store = new MemoryStore(label, state.bytes);
            await new XmlFileBackend(store).write(location, { set, restore: {}, remove: [] });
            const written = sha256(store.bytes);
            next.set(`${key}|${index}`, written);
            if (states.has(written)) continue;
            if (states.size >= 64) throw new Error(`more than 64 reachable contents from ${label}; choose changes that overwrite each other`);
            const reached = { name: `${state.name}+${index}`, bytes: store.bytes };
            states.set(written, reached);
            queue.push([written, reached]);
        }
    }
    return { states, next };
}

/** A fresh folder under the system's temp folder holding a copy of `source` (removed as scratch.ts says). */
export function copyToTempFolder(source: string, prefix: string): { folder: string; file: string } {
    const folder = scratchDir(prefix);
    const file = path.join(folder, "applicationHost.config");
    fs.copyFileSync(source, file);
    return { folder, file };
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
