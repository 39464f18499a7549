/**
 * The real applicationHost.config and web.config files in ../shared/corpus/applicationHost.
 *
 * Under `npm run mutate` the corpus tests run on a sample that keeps every kind of file the
 * manifest names: Stryker runs every test that reaches a surviving mutant, on instrumented code,
 * and all 36 files made that about a minute per survivor. CI always runs all of them.
 */
import * as fs from "fs";
import { sharedFile, underMutationRun } from "./paths";

export const corpusDir: string | undefined = sharedFile("corpus", "applicationHost");

/** The deliberately malformed file (a JexusManager test fixture missing a closing tag). */
export const MALFORMED_CORPUS_FILES: ReadonlySet<string> = new Set(["apphost_45.config"]);

const MUTATION_SAMPLE: ReadonlySet<string> = new Set([
    "apphost_02.config", // ~140 <location> tags, CRLF (corpus tests only: see editedDocument.test)
    "apphost_06.config", // LF line ends
    "apphost_20.config", // already has a <session> element
    "apphost_34.config", // byte-order mark, IIS Express
    "apphost_45.config", // malformed
    "webconfig_01.config", // a web.config: no declaration, no final newline
]);

/** Every corpus file's name, sorted (empty when ../shared is absent outside CI). */
export function allCorpusFiles(): string[] {
    return corpusDir ? fs.readdirSync(corpusDir).filter((name) => name.endsWith(".config")).sort() : [];
}

/** The corpus files the tests run on: all, or the sample under a mutation run. */
export function corpusFilesUnderTest(): string[] {
    return allCorpusFiles().filter((name) => !underMutationRun || MUTATION_SAMPLE.has(name));
}
