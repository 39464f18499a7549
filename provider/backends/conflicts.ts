/**
 * A write that met another writer's change (the compare-and-swap in mode "xml", IIS's commit
 * conflict in mode "iis") is tried again from a fresh read, a bounded number of times, the same
 * way in both modes.
 */
import { ConfigChangedError } from "../stores/configFile";

/**
 * How often a write is tried when the file changes between its read and its replace or commit.
 * Each conflict means another writer's change landed, so retrying cannot livelock; but another
 * provider process whose own writes to the file queue back to back wins about half the rounds
 * until its queue drains (five tries lost one of eight lifecycles in a two-process run under
 * load). Twelve makes giving up while others make progress unlikely (about 1 in 4,000 a write),
 * and still ends against a writer that never stops.
 */
export const WRITE_ATTEMPTS = 12;

/**
 * Runs `attempt` until it does not throw ConfigChangedError, at most WRITE_ATTEMPTS times; then
 * gives up with a ConfigChangedError about `label` that says how often it tried and what the last
 * conflict was. Between tries it pauses for a random part of what the failed try took (up to
 * MAX_PAUSE_MS), so two writers that keep meeting fall out of step: a try over WinRM can take
 * seconds, and a fixed short pause would bring them back together.
 */
export async function retryingConflicts<T>(label: string, attempt: () => Promise<T>): Promise<T> {
    let lastConflict: ConfigChangedError | undefined;
    for (let tried = 1; tried <= WRITE_ATTEMPTS; tried++) {
        const started = Date.now();
        try {
            return await attempt();
        } catch (error) {
            if (!(error instanceof ConfigChangedError)) throw error;
            lastConflict = error;
            const pause = Math.min(MAX_PAUSE_MS, Math.random() * (20 + Date.now() - started));
            if (tried < WRITE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, pause));
        }
    }
    throw new ConfigChangedError(label, `it changed on each of ${WRITE_ATTEMPTS} attempts: ${lastConflict?.message ?? ""}`);
}

/** The longest pause between two tries. */
const MAX_PAUSE_MS = 5000;
