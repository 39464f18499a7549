/**
 * .ci/node24-tests, the tests CI runs again on Node 24: every line names compiled test files that
 * exist, and every test file that starts Pulumi's provider host (which runs the provider on the
 * Node that runs it) is either listed or named as Node 22 only ("- <path>"), so the list cannot
 * fall behind the tests.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../support/paths";

const LIST = path.join(projectRoot, ".ci", "node24-tests");

/** The compiled test files a line names ("dist/test/engine/*.test.js": `*` within the file name only). */
function expand(line: string): string[] {
    const dir = path.dirname(line);
    const pattern = new RegExp(`^${path.basename(line).split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
    const absolute = path.join(projectRoot, dir);
    return fs.existsSync(absolute) ? fs.readdirSync(absolute).filter((name) => pattern.test(name)).map((name) => path.posix.join(dir, name)) : [];
}

function testSources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? testSources(full) : entry.name.endsWith(".test.ts") ? [full] : [];
    });
}

describe("CI's Node 24 test list (.ci/node24-tests)", function () {
    const entries = fs.readFileSync(LIST, "utf8").split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
    const lines = entries.filter((line) => !line.startsWith("-"));
    const only22 = entries.filter((line) => line.startsWith("-")).map((line) => line.slice(1).trim());

    it("names compiled test files that exist, each line at least one", function () {
        assert.ok(lines.length > 0);
        assert.deepEqual([...lines, ...only22].filter((line) => !line.startsWith("dist/test/") || expand(line).length === 0), []);
        assert.deepEqual(only22.filter((line) => lines.flatMap(expand).some((file) => expand(line).includes(file))), [], "a file both listed and marked Node 22 only");
    });

    it("places every test file that starts the provider host: on Node 24 too, or on Node 22 only", function () {
        const listed = new Set([...lines, ...only22].flatMap(expand));
        const startingHost = testSources(path.join(projectRoot, "test"))
            .filter((file) => /\bstartHost\(|ProviderHost\.start\(/.test(fs.readFileSync(file, "utf8")))
            .map((file) => path.posix.join("dist", path.relative(projectRoot, file).split(path.sep).join("/")).replace(/\.ts$/, ".js"));
        assert.ok(startingHost.length >= 10, `only ${startingHost.length} found`);
        assert.deepEqual(startingHost.filter((file) => !listed.has(file)), []);
    });
});
