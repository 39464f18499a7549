/**
 * One writer per configuration file within a provider process (provider/backends/oneWriterPerFile.ts),
 * and the file key every target that writes one file shares (provider/targets, writtenFileKey).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { NOTHING_CREATED } from "../../provider/apphost/sessionEditor";
import { oneWriterPerFile } from "../../provider/backends/oneWriterPerFile";
import type { SessionBackend, SessionReading, SessionWriteResult } from "../../provider/backends/types";
import type { Target } from "../../provider/targets";
import { writtenFileKey } from "../../provider/open";
import { SESSION_DEFAULTS } from "../../provider/settings/schema";
import { rejection } from "../support/rejection";

const READING: SessionReading = { explicitRaw: {}, explicit: {}, effective: { ...SESSION_DEFAULTS } };
const RESULT: SessionWriteResult = { before: READING, after: READING, created: NOTHING_CREATED, pruned: false };

/** A backend whose writes and reads end when the test says so, logging when each starts and ends. */
class HeldBackend implements SessionBackend {
    readonly description = "held";
    readonly log: string[] = [];
    private readonly held = new Map<string, { finish: () => void; fail: (error: Error) => void }>();

    read(location: string): Promise<SessionReading> {
        return this.hold(`read ${location}`).then(() => READING);
    }

    write(location: string): Promise<SessionWriteResult> {
        return this.hold(`write ${location}`).then(() => RESULT);
    }

    /** Ends the operation named `what` (its start must have been logged). */
    end(what: string, error?: Error): void {
        const operation = this.held.get(what);
        assert.ok(operation, `${what} has not started; log: ${this.log.join(", ")}`);
        this.held.delete(what);
        if (error) operation.fail(error);
        else operation.finish();
    }

    private hold(what: string): Promise<void> {
        this.log.push(`start ${what}`);
        return new Promise<void>((resolve, reject) => this.held.set(what, { finish: resolve, fail: reject })).finally(() => this.log.push(`end ${what}`));
    }
}

/** Lets every settled promise's reactions run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("oneWriterPerFile", function () {
    it("runs writes to one file one at a time, in the order asked, whichever backend object carries them", async function () {
        const backend = new HeldBackend();
        const [a, b] = [oneWriterPerFile("server:web01:c", backend), oneWriterPerFile("server:web01:c", backend)];
        const writes = [a.write("one", { set: {}, restore: {}, remove: [] }), b.write("two", { set: {}, restore: {}, remove: [] }), a.write("three", { set: {}, restore: {}, remove: [] })];
        await settle();
        assert.deepEqual(backend.log, ["start write one"]);
        backend.end("write one");
        await settle();
        assert.deepEqual(backend.log, ["start write one", "end write one", "start write two"]);
        backend.end("write two");
        await settle();
        backend.end("write three");
        assert.deepEqual(await Promise.all(writes), [RESULT, RESULT, RESULT]);
        assert.deepEqual(backend.log.slice(3), ["end write two", "start write three", "end write three"]);
    });

    it("a failed write passes its error on and lets the next write run", async function () {
        const backend = new HeldBackend();
        const file = oneWriterPerFile("server:web01:c", backend);
        const failing = file.write("one", { set: {}, restore: {}, remove: [] });
        const next = file.write("two", { set: {}, restore: {}, remove: [] });
        await settle();
        backend.end("write one", new Error("the server broke"));
        assert.match((await rejection(failing)).message, /the server broke/);
        await settle();
        backend.end("write two");
        assert.equal(await next, RESULT);
    });

    it("writes to other files and reads of the same file do not wait", async function () {
        const backend = new HeldBackend();
        const first = oneWriterPerFile("server:web01:c", backend);
        const other = oneWriterPerFile("server:web02:c", backend);
        void first.write("one", { set: {}, restore: {}, remove: [] });
        void other.write("elsewhere", { set: {}, restore: {}, remove: [] });
        void first.read("shop");
        await settle();
        assert.deepEqual([...backend.log].sort(), ["start read shop", "start write elsewhere", "start write one"]);
        for (const what of ["write one", "write elsewhere", "read shop"]) backend.end(what);
    });
});

describe("writtenFileKey: one key for every target that writes one file", function () {
    const server = { username: "u", password: "p" };
    const key = (target: Record<string, unknown>) => writtenFileKey(target as unknown as Target);

    it("is alike for every spelling of the host, both ways in, mode iis and mode xml on the file IIS uses", function () {
        const keys = new Set([
            key({ kind: "winrm", host: "web01", ...server }),
            key({ kind: "winrm", host: "WEB01", port: 5986, https: true, ...server }),
            key({ kind: "ssh", host: "Web01", username: "u", agent: true }),
            key({ kind: "winrm", host: "web01", mode: "xml", ...server }),
            key({ kind: "ssh", host: "web01", username: "u", agent: true, mode: "xml", configPath: "c:\\windows\\system32\\inetsrv\\config\\applicationHost.config" }),
        ]);
        assert.deepEqual([...keys], ["server:web01:c:\\windows\\system32\\inetsrv\\config\\applicationhost.config"]);
    });

    it("differs for another server or another file", function () {
        const base = key({ kind: "winrm", host: "web01", ...server });
        assert.notEqual(key({ kind: "winrm", host: "web02", ...server }), base);
        assert.notEqual(key({ kind: "winrm", host: "web01", mode: "xml", configPath: "D:\\iis\\applicationHost.config", ...server }), base);
    });

    it("names a local file by its absolute path", function () {
        assert.equal(key({ kind: "file", path: "config/applicationHost.config" }), `local:${path.resolve("config/applicationHost.config")}`);
        assert.equal(key({ kind: "file", path: "./config/../config/applicationHost.config" }), key({ kind: "file", path: path.resolve("config/applicationHost.config") }));
    });
});
