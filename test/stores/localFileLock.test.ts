/**
 * The local file's lock, the temp files killed writers leave, the journal file and the messages of
 * file system errors, in-process (the crash and racing-writer tests check the same things from other
 * processes, where mutation testing cannot see them): which locks are broken and which are waited
 * for, exactly what a timeout says, what is cleaned up and what is left alone.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ConfigFileMissingError } from "../../provider/stores/configFile";
import { describeFsError, JOURNAL_SUFFIX, LocalConfigFile, LOCK_SUFFIX, parseJournal } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE } from "../support/hostFixture";

/** The pid of a process that has exited (pids are not reused this quickly). */
function deadPid(): number {
    const run = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    return Number(run.stdout);
}

function holder(pid: number, host = os.hostname()): string {
    return JSON.stringify({ pid, host, token: "0011223344556677", since: new Date().toISOString() });
}

/** Sets a file's times `ageMs` into the past. */
function age(file: string, ageMs: number): void {
    const then = new Date(Date.now() - ageMs);
    fs.utimesSync(file, then, then);
}

describe("LocalConfigFile's lock", function () {
    let dir: string;
    let file: string;
    let lock: string;

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-lock-"));
        file = path.join(dir, "applicationHost.config");
        fs.copyFileSync(OWN_FIXTURE, file);
        lock = file + LOCK_SUFFIX;
    });
    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const store = (options: { lockTimeoutMs?: number; staleLockMs?: number } = {}) => new LocalConfigFile(file, { lockTimeoutMs: 300, ...options });

    it("is held while the work runs, with this process as its owner, and removed after, also when the work fails", async function () {
        const seen = await store().withLock(async () => JSON.parse(fs.readFileSync(lock, "utf8")) as { pid: number; host: string; token: string; since: string });
        assert.strictEqual(seen.pid, process.pid);
        assert.strictEqual(seen.host, os.hostname());
        assert.match(seen.token, /^[0-9a-f]{16}$/);
        assert.ok(!fs.existsSync(lock));
        await assert.rejects(store().withLock(async () => { throw new Error("work failed"); }), /^Error: work failed$/);
        assert.ok(!fs.existsSync(lock));
        assert.deepStrictEqual(fs.readdirSync(dir), ["applicationHost.config"], "no draft or lock left");
    });

    it("leaves a lock that another writer put in its place while the work ran", async function () {
        const other = holder(process.pid, "another-host");
        await store().withLock(async () => {
            fs.writeFileSync(lock, other);
        });
        assert.strictEqual(fs.readFileSync(lock, "utf8"), other);
    });

    it("waits for a live writer's lock and then says exactly what it waited for", async function () {
        const live = holder(process.pid);
        fs.writeFileSync(lock, live);
        const started = Date.now();
        await assert.rejects(store().withLock(async () => assert.fail("ran under another writer's lock")),
            (error: Error) => error.message === `${file}: timed out after 300 ms waiting for another writer's lock ${lock} (held by ${live})`);
        assert.ok(Date.now() - started >= 300);
        assert.strictEqual(fs.readFileSync(lock, "utf8"), live, "a live writer's lock is not broken");
    });

    it("breaks the lock of a process of this host that no longer exists, at once", async function () {
        fs.writeFileSync(lock, holder(deadPid()));
        assert.strictEqual(await store({ lockTimeoutMs: 60_000 }).withLock(async () => "ran"), "ran");
        assert.ok(!fs.existsSync(lock));
    });

    it("another host's lock: waited for while recent, broken once older than staleLockMs", async function () {
        fs.writeFileSync(lock, holder(deadPid(), "elsewhere.example"));
        await assert.rejects(store({ staleLockMs: 60_000 }).withLock(async () => "ran"), /timed out after 300 ms/);
        age(lock, 61_000);
        assert.strictEqual(await store({ staleLockMs: 60_000 }).withLock(async () => "ran"), "ran");
    });

    it("a half-written lock (no owner to read): waited for while it may still be being written, broken after 2 s", async function () {
        fs.writeFileSync(lock, "{\"pid\":");
        await assert.rejects(store().withLock(async () => "ran"), /timed out after 300 ms .*\(held by \{"pid":\)$/);
        age(lock, 2_500);
        assert.strictEqual(await store().withLock(async () => "ran"), "ran");
    });

    it("refuses, naming the file, when the file cannot be edited or is not there", async function () {
        await assert.rejects(new LocalConfigFile(path.join(dir, "absent.config")).withLock(async () => "ran"),
            (error: Error) => error instanceof ConfigFileMissingError && error.message === `${path.join(dir, "absent.config")}: cannot edit: no such file or folder; nothing was written`);
        await assert.rejects(new LocalConfigFile(dir).withLock(async () => "ran"), (error: Error) => error.message === `${dir}: cannot edit: is a folder, not a regular file; nothing was written`);
    });
});

describe("LocalConfigFile: what is not there, or not a file", function () {
    it("a missing file is ConfigFileMissingError for read, write and edit; a path through a file says so", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-missing-"));
        try {
            const missing = path.join(dir, "applicationHost.config");
            await assert.rejects(new LocalConfigFile(missing).read(), (error: Error) => error instanceof ConfigFileMissingError && error.message === `${missing}: cannot read: no such file or folder`);
            await assert.rejects(new LocalConfigFile(missing).write(Buffer.from("<configuration />"), "0"), (error: Error) => error instanceof ConfigFileMissingError && error.message === `${missing}: cannot write: no such file or folder; nothing was written`);
            const through = path.join(OWN_FIXTURE, "applicationHost.config");
            await assert.rejects(new LocalConfigFile(through).read(), (error: Error) => !(error instanceof ConfigFileMissingError) && error.message === `${through}: cannot read: a part of the path is not a folder`);
            await assert.rejects(new LocalConfigFile(through).write(Buffer.from("<configuration />"), "0"), (error: Error) => !(error instanceof ConfigFileMissingError) && error.message === `${through}: cannot write: a part of the path is not a folder; nothing was written`);
            await assert.rejects(new LocalConfigFile(through).journal.read(), (error: Error) => error.message === `${through}: cannot read the journal of: a part of the path is not a folder; nothing was written`);
            await assert.rejects(new LocalConfigFile(through).journal.write({}), (error: Error) => error.message === `${through}: cannot write the journal of: a part of the path is not a folder; nothing was written`);
            assert.deepStrictEqual(fs.readdirSync(dir), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a socket is named as one", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-socket-"));
        const socket = path.join(dir, "applicationHost.config");
        const server = net.createServer().listen(socket);
        await new Promise((resolve) => server.once("listening", resolve));
        try {
            await assert.rejects(new LocalConfigFile(socket).read(), (error: Error) => error.message.startsWith(`${socket}: `) && /is a socket|no such device/.test(error.message));
            await assert.rejects(new LocalConfigFile(socket).write(Buffer.from("x"), "0"), (error: Error) => error.message === `${socket}: cannot write: is a socket, not a regular file; nothing was written`);
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("LocalConfigFile's write: temp files left by killed writers", function () {
    it("removes those of processes that no longer exist; keeps those of live ones and anything else", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-temps-"));
        try {
            const file = path.join(dir, "applicationHost.config");
            fs.copyFileSync(OWN_FIXTURE, file);
            const dead = deadPid();
            const abandoned = [`.applicationHost.config.${dead}.0a1b2c.tmp`, `applicationHost.config${LOCK_SUFFIX}.${dead}.0a1b2c.draft`];
            const kept = [`.applicationHost.config.1.0a1b2c.tmp`, `.applicationHost.config.${dead}.xyz.tmp`, `.other.config.${dead}.0a1b2c.tmp`, `applicationHost.config.${dead}.0a1b2c.tmp`, `.applicationHostXconfig.${dead}.0a1b2c.tmp`];
            for (const name of [...abandoned, ...kept]) fs.writeFileSync(path.join(dir, name), "x");
            const store = new LocalConfigFile(file);
            const content = await store.read();
            await store.write(Buffer.from(content.bytes.toString("utf8").replace("</configuration>", "<!-- x --></configuration>")), content.version);
            const left = new Set(fs.readdirSync(dir));
            for (const name of abandoned) assert.ok(!left.has(name), `${name} was left`);
            for (const name of kept) assert.ok(left.has(name), `${name} was removed`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("LocalConfigFile's journal file", function () {
    let dir: string;
    let file: string;

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-journal-"));
        file = path.join(dir, "applicationHost.config");
        fs.copyFileSync(OWN_FIXTURE, file);
        fs.chmodSync(file, 0o640);
    });
    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is written beside the file with its group and without execute bits, read back, and removed when empty", async function () {
        fs.chmodSync(file, 0o751);
        const journal = new LocalConfigFile(file).journal;
        assert.deepStrictEqual(await journal.read(), {});
        const entries = { "site": { attributes: { max: { previous: null, wrote: "5" } }, created: { created: "location", parentCloseAs: "" } } };
        await journal.write(entries);
        assert.deepStrictEqual(await journal.read(), entries);
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(file + JOURNAL_SUFFIX, "utf8")), { version: 1, locations: entries });
        assert.strictEqual(fs.statSync(file + JOURNAL_SUFFIX).mode & 0o7777, 0o640);
        await journal.write({});
        assert.ok(!fs.existsSync(file + JOURNAL_SUFFIX));
        await journal.write({});
        assert.deepStrictEqual(fs.readdirSync(dir), ["applicationHost.config"]);
    });

    it("one that cannot be read or written fails naming it", async function () {
        fs.mkdirSync(file + JOURNAL_SUFFIX);
        const journal = new LocalConfigFile(file).journal;
        await assert.rejects(journal.read(), (error: Error) => error.message === `${file}: cannot read ${file + JOURNAL_SUFFIX}: is a folder, not a file`);
        await assert.rejects(journal.write({ a: { attributes: {} } }), (error: Error) => error.message.startsWith(`${file}: cannot write ${file + JOURNAL_SUFFIX}: `) && error.message.endsWith("; nothing was written"));
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["applicationHost.config", "applicationHost.config" + JOURNAL_SUFFIX], "no temp file left");
    });

    it("keeps only well-formed entries of a journal text", function () {
        for (const text of ["", "not json", "null", "5", '{"locations":null}', '{"locations":"x"}', '{"version":1}']) assert.deepStrictEqual(parseJournal(text), {}, text);
        const parsed = parseJournal(JSON.stringify({
            version: 1,
            locations: {
                good: { attributes: { max: { previous: null, wrote: "5" }, timeout: { previous: "00:20:00", wrote: "00:10:00" } }, created: { created: "asp", parentCloseAs: "/>" } },
                mixed: { attributes: { max: { previous: 5, wrote: "5" }, timeout: { previous: null }, allowSessionState: null, keepSessionIdSecure: { previous: null, wrote: "true" } }, created: { created: 1, parentCloseAs: "" } },
                noAttributes: { created: { created: "location", parentCloseAs: "" } },
                nullAttributes: { attributes: null },
                nothing: null,
                partCreated: { attributes: {}, created: { created: "location" } },
            },
        }));
        assert.deepStrictEqual(parsed, {
            good: { attributes: { max: { previous: null, wrote: "5" }, timeout: { previous: "00:20:00", wrote: "00:10:00" } }, created: { created: "asp", parentCloseAs: "/>" } },
            mixed: { attributes: { keepSessionIdSecure: { previous: null, wrote: "true" } } },
            partCreated: { attributes: {} },
        });
    });
});

describe("describeFsError", function () {
    it("says in words what each common code means, and the message otherwise", function () {
        const table: [string, string][] = [
            ["ENOENT", "no such file or folder"], ["EACCES", "permission denied"], ["EPERM", "permission denied"], ["EISDIR", "is a folder, not a file"],
            ["ELOOP", "too many levels of symbolic links"], ["ENOTDIR", "a part of the path is not a folder"], ["EROFS", "read-only file system"], ["ENOSPC", "no space left on the device"],
        ];
        for (const [code, words] of table) assert.strictEqual(describeFsError(Object.assign(new Error("raw " + code), { code })), words, code);
        assert.strictEqual(describeFsError(Object.assign(new Error("EIO: i/o error"), { code: "EIO" })), "EIO: i/o error");
        assert.strictEqual(describeFsError("plain text"), "plain text");
        assert.strictEqual(describeFsError(undefined), "undefined");
    });
});
