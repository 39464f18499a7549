/**
 * A real-sized applicationHost.config for tests that need one: the corpus's apphost_20.config
 * (67 KB) when ../shared is present, else a synthesized file of the same order (10 sites, 66 KB),
 * so a user's clone exercises the same paths (a file too big for one command line goes on stdin).
 */
import * as fs from "fs";
import * as path from "path";
import { synthesizeApplicationHost } from "../../bench/synthesize";
import { sharedFile } from "./paths";
import { scratchDir } from "./scratch";

let synthesized: string | undefined;

/** The path of the file; read it or copy it, never edit it in place. */
export function realSizedApplicationHost(): string {
    const corpusFile = sharedFile("corpus", "applicationHost", "apphost_20.config");
    if (corpusFile !== undefined) return corpusFile;
    if (synthesized === undefined || !fs.existsSync(synthesized)) {
        // Made again when a test's scratch went with the test (see scratch.ts).
        synthesized = path.join(scratchDir("asp-session-real-sized-"), "applicationHost.config");
        fs.writeFileSync(synthesized, synthesizeApplicationHost({ sites: 10, sessionSites: [1] }).text);
    }
    return synthesized;
}
