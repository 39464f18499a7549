/**
 * Progress on a terminal: "checking 3/10", and after a few seconds the servers still being read
 * and for how long, so one hanging server is named rather than guessed at.
 */
import type { AuditEntry } from "./report";

/** How long a read runs before the progress line names it. */
const NAME_AFTER_MS = 3000;
const REDRAW_MS = 1000;

export class Progress {
    private readonly running = new Map<string, number>();
    private done = 0;
    private total = 0;
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly stream: NodeJS.WriteStream) {
        this.timer = setInterval(() => this.draw(), REDRAW_MS);
        this.timer.unref();
    }

    started(name: string, location: string): void {
        this.running.set(key(name, location), Date.now());
    }

    finished(done: number, total: number, entry: AuditEntry): void {
        this.running.delete(key(entry.name, entry.location));
        this.done = done;
        this.total = total;
        this.draw();
    }

    stop(): void {
        clearInterval(this.timer);
        this.stream.write("\r\u001b[K");
    }

    private draw(): void {
        const now = Date.now();
        const slow = [...this.running].filter(([, since]) => now - since >= NAME_AFTER_MS).map(([name, since]) => `${name} (${Math.round((now - since) / 1000)} s)`);
        const waiting = slow.length === 0 ? "" : `; waiting for ${slow.slice(0, 3).join(", ")}${slow.length > 3 ? ` and ${slow.length - 3} more` : ""}`;
        const line = `checking ${this.done}/${this.total || "?"}${waiting}`;
        const width = this.stream.columns || 100;
        this.stream.write(`\r\u001b[K${line.slice(0, Math.max(20, width - 1))}`);
    }
}

function key(name: string, location: string): string {
    return location === "" ? name : `${name} ${location}`;
}
