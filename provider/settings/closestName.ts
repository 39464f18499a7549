/** Suggestions for a misspelt name (a site, a field of a file): pure, shared by the provider and the SDK. */

/** The name nearest to `wanted` by edit distance, ignoring case; ties go to the earlier name. */
export function closestName(wanted: string, names: readonly string[]): string | undefined {
    let best: string | undefined, bestDistance = Number.POSITIVE_INFINITY;
    for (const name of names) {
        const distance = editDistance(wanted.toLowerCase(), name.toLowerCase());
        if (distance < bestDistance) {
            best = name;
            bestDistance = distance;
        }
    }
    return best;
}

/** Levenshtein distance (insert, delete, substitute one UTF-16 unit), in O(|a|·|b|) time and O(|b|) space. */
export function editDistance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[b.length];
}
