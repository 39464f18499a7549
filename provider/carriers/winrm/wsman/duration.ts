/**
 * xs:duration as WS-Management uses it: OperationTimeout and IdleTimeOut in requests ("PT20S"),
 * and the forms Windows echoes back ("PT7200.000S", "P0DT0H0M0S").
 */

/** Seconds as an xs:duration, e.g. 20 → "PT20S", 0.5 → "PT0.5S". Refuses negative or non-finite values. */
export function formatDuration(seconds: number): string {
    if (!Number.isFinite(seconds) || seconds < 0) {
        throw new RangeError(`a WS-Management duration must be a finite number of seconds ≥ 0, got ${seconds}`);
    }
    // Millisecond precision is all WinRM honours; toFixed avoids "PT1e-7S".
    const text = Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/\.?0+$/, "");
    return `PT${text}S`;
}

/**
 * An xs:duration in seconds. Years and months have no fixed length, so they are refused
 * rather than guessed. Undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
    const match = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
    if (match === null || /^-?P(T)?$/.test(text.trim()) || text.trim().endsWith("T")) return undefined;
    const [, minus, days, hours, minutes, seconds] = match;
    const total = Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
    return minus === undefined ? total : -total;
}
