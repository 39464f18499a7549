import * as fs from "fs";
import * as path from "path";

/** The project's root: the nearest folder above this file that holds package.json. */
export const projectRoot: string = (() => {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "package.json"))) {
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
        dir = parent;
    }
    return dir;
})();

/**
 * ../shared beside the project: the corpus and reference material (not part of the repository).
 * ASP_SESSION_SHARED_DIR overrides it: Stryker runs the tests in a sandbox copy of the project,
 * where ../shared is not beside it (`npm run mutate` sets it).
 */
export const sharedDir: string = process.env.ASP_SESSION_SHARED_DIR !== undefined && process.env.ASP_SESSION_SHARED_DIR !== ""
    ? path.resolve(process.env.ASP_SESSION_SHARED_DIR)
    : path.resolve(projectRoot, "..", "shared");

/**
 * True under `npm run mutate`. Stryker runs each test once for every mutant it reaches, on code its
 * instrumentation makes about 20 times slower, so the heaviest corpus property samples fewer
 * locations there. CI runs it whole.
 */
export const underMutationRun: boolean = process.env.ASP_SESSION_MUTATION_RUN === "1";

/** True when running under CI, where the shared material must be present. */
export const underCi: boolean = process.env.CI === "true";

/**
 * The path of a file under ../shared, or undefined when shared/ is absent outside CI
 * (a user's clone). Under CI a missing file is an error, so the tests cannot pass vacuously.
 */
export function sharedFile(...parts: string[]): string | undefined {
    const file = path.join(sharedDir, ...parts);
    if (fs.existsSync(file)) return file;
    if (underCi) throw new Error(`CI=true but ${file} is missing: ../shared must be present under CI`);
    if (underMutationRun) throw new Error(`${file} is missing: a mutation run without ../shared would leave the corpus tests out (set ASP_SESSION_SHARED_DIR)`);
    return undefined;
}
