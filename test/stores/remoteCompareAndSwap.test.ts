/**
 * writeFile's compare-and-swap against a writer that replaces applicationHost.config by renaming
 * its own file onto the path (as editors and config tools do) after the script hashed the file and
 * before its File.Replace. The script holds the file open against writers, but delete sharing lets
 * a rename through: without the check after the replace, that writer's file would survive only as
 * the backup.
 *
 * Made deterministic without a test hook in the script: the path is first a FIFO. The script opens
 * it and reads until end of file, so it stays inside its read for as long as this test holds the
 * other end open. The test feeds it the bytes the caller read, renames the other writer's file onto
 * the path, and only then closes the FIFO: the script's hash matches, and its replace meets the
 * other writer's file, exactly the interleaving of the real race. Real PowerShell 7, real files.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RemoteConfigFile } from "../../provider/stores/remoteConfigFile";
import { XmlFileBackend } from "../../provider/backends/xmlFile";
import { ConfigChangedError } from "../../provider/stores/configFile";
import { PwshRunner, requirePwsh } from "../support/pwsh";
import { realSizedApplicationHost } from "../support/realSizedApplicationHost";
import { scratchWindows, type ScratchWindows } from "../support/windowsFolder";

const HOST = "web01.test:5985";

function sha256(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex");
}

/** Another writer's version of the file: a comment before the closing tag. */
function withComment(bytes: Buffer, comment: string): Buffer {
    const text = bytes.toString("utf8");
    const at = text.lastIndexOf("</configuration>");
    return Buffer.from(`${text.slice(0, at)}<!-- ${comment} -->${text.slice(at)}`, "utf8");
}

/**
 * Puts a FIFO at `file` and plays the other writer: once the script has opened the FIFO, feeds it
 * `served`, renames `theirs` onto `file`, then closes the FIFO (the script's end of file). Resolves
 * when all that is done; rejects if `script` settles first (it never opened the file).
 */
async function renameDuringRead(file: string, served: Buffer, theirs: Buffer, script: Promise<unknown>): Promise<void> {
    const staged = `${file}.theirs`;
    fs.writeFileSync(staged, theirs);
    const opened = fs.promises.open(file, "w");
    const settledFirst = script.then(
        () => Promise.reject(new Error("the script finished without opening the file")),
        (error: unknown) => Promise.reject(error),
    );
    settledFirst.catch(() => undefined);
    const pipe = await Promise.race([opened, settledFirst]);
    try {
        await pipe.write(served);
        fs.renameSync(staged, file);
    } finally {
        await pipe.close();
    }
}

function makeFifo(file: string): void {
    fs.rmSync(file);
    execFileSync("mkfifo", [file]);
}

function leftovers(file: string): string[] {
    return fs.readdirSync(path.dirname(file)).filter((name) => name.endsWith(".tmp") || name.endsWith(".theirs"));
}

describe("writeFile against a writer that renames its file into place between the check and the replace (real PowerShell 7)", function () {
    this.timeout(300_000);
    let pwsh: string;
    let scratch: ScratchWindows;
    let runner: PwshRunner;
    before(function () {
        pwsh = requirePwsh(this);
        if (process.platform === "win32") this.skip();
    });
    beforeEach(function () {
        scratch = scratchWindows(realSizedApplicationHost());
        runner = new PwshRunner(pwsh, scratch.file, HOST);
    });
    afterEach(function () {
        fs.rmSync(scratch.dir, { recursive: true, force: true });
    });

    it("puts the other writer's file back, keeps nothing of ours, and reports a conflict naming the file and what it found", async function () {
        const original = fs.readFileSync(scratch.file);
        const ours = withComment(original, "ours");
        const theirs = withComment(original, "renamed into place by another writer");
        makeFifo(scratch.file);
        const file = new RemoteConfigFile(runner, scratch.file);
        const writing = file.write(ours, sha256(original));
        await renameDuringRead(scratch.file, original, theirs, writing);
        const error = await writing.then(
            () => assert.fail("the write succeeded over the other writer's file"),
            (failure: unknown) => failure,
        );
        assert.ok(error instanceof ConfigChangedError, String(error));
        assert.equal(
            error.message,
            `${HOST}:${scratch.file} changed since it was read (found SHA-256 ${sha256(theirs)}, expected ${sha256(original)}); nothing was written`,
        );
        assert.ok(fs.lstatSync(scratch.file).isFile());
        assert.ok(fs.readFileSync(scratch.file).equals(theirs), "the other writer's file is not back in place");
        assert.deepEqual(leftovers(scratch.file), []);
    });

    it("XmlFileBackend retries from a fresh read: both writers' changes end up in the file", async function () {
        const original = fs.readFileSync(scratch.file);
        const theirs = withComment(original, "renamed into place by another writer");
        let race: Promise<void> | undefined;
        runner.beforeRun = (_command, index) => {
            if (race === undefined && runner.runs[index].options?.step?.startsWith("write ")) {
                makeFifo(scratch.file);
                // The write's own promise is not at hand here; the runner's run settles with it.
                race = renameDuringRead(scratch.file, original, theirs, new Promise(() => undefined));
            }
        };
        const backend = new XmlFileBackend(new RemoteConfigFile(runner, scratch.file));
        const result = await backend.write("Default Web Site", { set: { max: 1000 }, restore: {}, remove: [] });
        assert.ok(race !== undefined, "the race was not staged");
        await race;
        assert.deepEqual(result.after.explicitRaw, { max: "1000" });
        assert.equal(runner.steps().filter((step) => step.startsWith("write ")).length, 2, "one conflict, one retry");
        const text = fs.readFileSync(scratch.file, "utf8");
        assert.ok(text.includes("<!-- renamed into place by another writer -->"), "the other writer's change was lost");
        assert.match(text, /<session max="1000" \/>/);
        assert.ok(fs.readFileSync(`${scratch.file}.asp-session.bak`).equals(theirs), "the backup holds the file the retry replaced");
        assert.deepEqual(leftovers(scratch.file), []);
    });
});
