/**
 * What the reliability tests tell a writer process to do (one JSON argument) and what it reports
 * back (one JSON object per stdout line). Lines are printed synchronously (stdout is a pipe), so a
 * line the parent has read was printed before the process was killed.
 */
import type { SessionSettings } from "../../provider/settings/schema";

/**
 * - `cycle`: applies `changes` in turn, from `firstChange` on, until killed (crash safety).
 * - `sequence`: once a line arrives on stdin (so that racing writers start together), applies
 *   max = 1..count at `location`, checking before each apply that the previous value is still
 *   there and after it that the new one is.
 * - `foreign`: behaves like IIS Manager: read, edit max = 1, 2, ... at `location`, write a temp
 *   file and rename it over the config, without our lock or any compare-and-swap, until its
 *   stdin ends.
 */
export type WriterJob =
    | { mode: "cycle"; file: string; location: string; changes: SessionSettings[]; firstChange: number }
    | { mode: "sequence"; file: string; location: string; count: number; watchLocation?: string }
    | { mode: "foreign"; file: string; location: string };

/** Times are microseconds of the system's monotonic clock, comparable between processes. */
export type WriterEvent =
    | { kind: "ready"; pid: number }
    /** Printed before an apply begins (a kill after this line may land anywhere inside it). */
    | { kind: "start"; apply: number }
    /** The store was asked to replace the file: the temp file, fsync, check, backup and rename follow. */
    | { kind: "write-begin"; at: number }
    /**
     * The file was replaced. `watchedMax` is the max the written bytes hold at the job's
     * `watchLocation` (0 when absent there).
     */
    | { kind: "written"; startedAt: number; endedAt: number; watchedMax?: number }
    /** The store refused a replace because the file changed since it was read. */
    | { kind: "cas-refused" }
    /** An apply finished and was verified. `lockWaitMs`: time from asking for the lock to holding it. */
    | { kind: "done"; apply: number; lockWaitMs: number; casRefusals: number }
    | { kind: "failed"; apply: number; message: string }
    /** `sequence` only: the location did not hold the value expected (`when` says before or after the apply). */
    | { kind: "mismatch"; apply: number; when: "before" | "after"; expected: number; found: number | null }
    /** `foreign` only: one edit replaced the file; `foundBefore` is the max it read (null when unset). */
    | { kind: "foreign-edit"; value: number; foundBefore: number | null; readAt: number; renameAt: number; doneAt: number }
    | { kind: "finished" };

export function monotonicMicros(): number {
    return Number(process.hrtime.bigint() / 1000n);
}

export function parseEvent(line: string): WriterEvent {
    return JSON.parse(line) as WriterEvent;
}
