/**
 * docs/design.md's "Layout" section against the tree: every entry names something that exists, none is
 * listed twice, and every folder of the source tree (and every module at provider/'s top) is listed.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../support/paths";

/** Description lines are indented this far; entries start closer to the margin. */
const DESCRIPTION_COLUMN = 21;

/** The entries of the Layout code block, as paths from the project root ("provider/open.ts", "sdk/fleet/"). */
function layoutEntries(design: string): string[] {
    const section = design.split("\n## Layout\n")[1];
    assert.ok(section !== undefined, "docs/design.md has no ## Layout section");
    const fence = section.indexOf("```text\n");
    assert.ok(fence >= 0, "docs/design.md's Layout section has no ```text block");
    const start = fence + "```text\n".length;
    const block = section.slice(start, section.indexOf("\n```", start));
    const entries: string[] = [];
    const parents: string[] = [];
    for (const line of block.split("\n")) {
        const indent = line.length - line.trimStart().length;
        if (line.trim() === "" || indent >= DESCRIPTION_COLUMN) continue;
        const depth = indent / 2;
        assert.ok(Number.isInteger(depth) && depth <= parents.length, `docs/design.md layout: odd indentation in ${JSON.stringify(line)}`);
        const name = line.trim().split(/\s+/)[0];
        const full = [...parents.slice(0, depth), name].join("");
        parents.length = depth;
        if (name.endsWith("/")) parents.push(name);
        entries.push(full);
    }
    return entries;
}

function childFolders(folder: string): string[] {
    return fs.readdirSync(path.join(projectRoot, folder), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
        .map((entry) => `${folder}${entry.name}/`);
}

describe("docs/design.md's Layout section", function () {
    const entries = layoutEntries(fs.readFileSync(path.join(projectRoot, "docs", "design.md"), "utf8"));

    it("reads entries from the section (the parser found the tree)", function () {
        assert.ok(entries.includes("provider/carriers/") && entries.includes("provider/open.ts") && entries.includes("sdk/fleet/"), entries.join(", "));
    });

    it("lists nothing twice", function () {
        assert.deepEqual(entries.filter((entry, index) => entries.indexOf(entry) !== index), []);
    });

    it("names only folders and files that exist", function () {
        assert.deepEqual(entries.filter((entry) => !fs.existsSync(path.join(projectRoot, entry))), []);
    });

    it("lists every folder of sdk/, cli/, provider/ and examples/, and every module at provider/'s top", function () {
        const wanted = [
            ...["sdk/", "cli/", "provider/", "examples/", "test/", "bench/", "tools/"],
            ...["sdk/", "cli/", "provider/", "examples/"].flatMap(childFolders),
            ...fs.readdirSync(path.join(projectRoot, "provider")).filter((name) => name.endsWith(".ts")).map((name) => `provider/${name}`),
        ];
        assert.deepEqual(wanted.filter((entry) => !entries.includes(entry)), []);
    });
});
