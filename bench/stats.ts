/**
 * Repeated timings and their summary. The median is the number to compare; the minimum shows
 * what the machine can do when nothing else interferes (caches warm, no GC pause, no neighbour).
 */
import { performance } from "perf_hooks";

export interface Timing {
    /** Milliseconds of each repetition, in run order. */
    samples: number[];
    median: number;
    min: number;
}

export function summarise(samples: readonly number[]): Timing {
    if (samples.length === 0) throw new Error("no samples to summarise");
    const sorted = [...samples].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return { samples: [...samples], median, min: sorted[0] };
}

/**
 * Runs `prepare` (untimed) then `work` (timed) `repetitions` times. `repetition` is 0-based, so
 * work can alternate values and really change something each time.
 */
export async function measure(repetitions: number, work: (repetition: number) => Promise<void> | void,
    prepare?: (repetition: number) => Promise<void> | void): Promise<Timing> {
    const samples: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
        if (prepare) await prepare(repetition);
        const started = performance.now();
        await work(repetition);
        samples.push(performance.now() - started);
    }
    return summarise(samples);
}
