/**
 * The provider's lifecycle in-process, where the host tests cannot show mutation testing what they
 * check: onApplyFailure "record" through create, diff, read, update and delete; exactly which
 * properties a diff names and how; the state a create leaves; delete when the file has gone; the
 * check's warning for a location no site names. Real files, the provider's own code end to end.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { createAspSessionProvider } from "../../provider";
import { UNKNOWN } from "../../provider/settings/inputs";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";

type Properties = Record<string, unknown>;
const provider = () => createAspSessionProvider();
const fixture = fs.readFileSync(OWN_FIXTURE, "utf8");

function scratchFile(): string {
    return scratchCopy(OWN_FIXTURE).file;
}

async function checked(news: Properties): Promise<Properties> {
    const result = await provider().check!({}, news);
    assert.deepStrictEqual(result.failures ?? [], []);
    return result.inputs as Properties;
}

/** Warnings the provider gives while `run` runs (pulumi.log.warn, which goes to the engine). */
async function warningsDuring(run: () => Promise<unknown>): Promise<string[]> {
    const log = require("@pulumi/pulumi").log as { warn: (message: string) => unknown };
    const original = log.warn;
    const seen: string[] = [];
    log.warn = (message: string) => {
        seen.push(message);
    };
    try {
        await run();
    } finally {
        log.warn = original;
    }
    return seen;
}

type Diff = { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean; detailedDiff: Record<string, unknown> };

describe("provider lifecycle in-process: the state a create leaves", function () {
    it("holds exactly the canonical inputs, the effective values, the pre-images and what was created; no key for an attribute not managed", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet/new", max: "0005" });
        const { id, outs } = await provider().create!(inputs);
        assert.strictEqual(id, `file:${file}|Intranet/new`);
        assert.deepStrictEqual(Object.keys(outs as Properties).sort(), ["applyFailure", "created", "effective", "location", "max", "onDelete", "previous", "target"]);
        assert.deepStrictEqual(outs, {
            target: { kind: "file", path: file }, location: "Intranet/new", max: 5, onDelete: "restore",
            effective: (outs as Properties).effective, previous: { max: null }, created: (outs as Properties).created, applyFailure: null,
        });
        assert.strictEqual(((outs as Properties).effective as Properties).max, 5);
        assert.strictEqual(((outs as Properties).created as Properties).created, "location");
    });
});

describe("provider lifecycle in-process: onApplyFailure record", function () {
    const missing = () => path.join(path.dirname(scratchFile()), "absent", "applicationHost.config");

    it("a failed create is recorded, claims nothing, and its delete does not contact the server", async function () {
        const file = missing();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "A", max: 5, onApplyFailure: "record" });
        const { id, outs } = await provider().create!(inputs);
        assert.strictEqual(id, `file:${file}|A`);
        const state = outs as Properties;
        assert.ok(typeof state.applyFailure === "string" && state.applyFailure.includes(file), String(state.applyFailure));
        assert.deepStrictEqual({ ...state, applyFailure: "" }, {
            target: { kind: "file", path: file }, location: "A", onDelete: "restore", onApplyFailure: "record",
            effective: null, previous: {}, created: { created: "", parentCloseAs: "" }, applyFailure: "",
        });
        assert.deepStrictEqual(await warningsDuring(() => provider().delete!(id, state)), [], "the server was contacted");
        assert.ok(!fs.existsSync(path.dirname(file)), "delete created something");
    });

    it("without record, the same create fails the step", async function () {
        const file = missing();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "A", max: 5 });
        await assert.rejects(provider().create!(inputs), (error: Error) => error.message.includes(file));
    });

    it("diff proposes the apply again while a failure is recorded, and when the server cannot be read says which inputs changed", async function () {
        const file = missing();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "A", max: 5, timeout: 10, onApplyFailure: "record" });
        const { id, outs } = await provider().create!(inputs);
        const diff = await provider().diff!(id, outs, inputs) as Diff;
        assert.deepStrictEqual(diff, {
            changes: true, replaces: [], deleteBeforeReplace: false,
            detailedDiff: { applyFailure: { kind: "delete", inputDiff: false }, max: { kind: "update", inputDiff: true }, timeout: { kind: "update", inputDiff: true } },
        });
        const failed = { ...(outs as Properties), max: 5, timeout: "00:10:00" };
        const unchanged = await provider().diff!(id, failed, { ...inputs, max: 6 }) as Diff;
        assert.deepStrictEqual(unchanged.detailedDiff, { applyFailure: { kind: "delete", inputDiff: false }, max: { kind: "update", inputDiff: true }, timeout: { kind: "update", inputDiff: false } });
        await assert.rejects(provider().diff!(id, outs, { ...inputs, onApplyFailure: undefined }), (error: Error) => error.message.includes(file));
    });

    it("a failed update keeps the last applied state and adds the failure; read keeps the failure and the record input", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5, onApplyFailure: "record" });
        const { id, outs } = await provider().create!(inputs);
        const applied = fs.readFileSync(file);
        fs.writeFileSync(file, "<configuration>");
        const updated = (await provider().update!(id, outs as never, { ...inputs, max: 6 } as never)).outs as Properties;
        assert.ok(typeof updated.applyFailure === "string" && updated.applyFailure.includes(file), String(updated.applyFailure));
        assert.strictEqual(updated.max, 5, "the managed value is the last applied one, not the one that failed");
        assert.ok(!("__provider" in updated));
        assert.deepStrictEqual(updated.previous, (outs as Properties).previous);
        fs.writeFileSync(file, applied);
        const read = await provider().read!(id, updated as never) as { props: Properties; inputs: Properties };
        assert.strictEqual(read.props.applyFailure, updated.applyFailure);
        assert.deepStrictEqual(read.inputs, { target: { kind: "file", path: file }, location: "Intranet", onDelete: "restore", onApplyFailure: "record", max: 5 });
        const clean = await provider().read!(id, { ...updated, applyFailure: null } as never) as { props: Properties; inputs: Properties };
        assert.strictEqual(clean.props.applyFailure, null);
        const absent = await provider().read!(id, { ...updated, applyFailure: undefined } as never) as { props: Properties };
        assert.strictEqual(absent.props.applyFailure, null);
        const fresh = await provider().read!(id, { ...(outs as Properties), onApplyFailure: undefined, onDelete: undefined } as never) as { inputs: Properties };
        assert.deepStrictEqual(fresh.inputs, { target: { kind: "file", path: file }, location: "Intranet", onDelete: "restore", max: 5 });
    });
});

describe("provider lifecycle in-process: what a diff names", function () {
    it("a replacement names each replaced property as update-replace, deleting first", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        const both = await provider().diff!(id, outs, { ...inputs, target: { kind: "file", path: file + ".b" }, location: "Other" }) as Diff;
        assert.deepStrictEqual(both, {
            changes: true, replaces: ["target", "location"], deleteBeforeReplace: true,
            detailedDiff: { target: { kind: "update-replace", inputDiff: true }, location: { kind: "update-replace", inputDiff: true } },
        });
        const unknownTarget = await provider().diff!(id, outs, { ...inputs, target: UNKNOWN }) as Diff;
        assert.deepStrictEqual(unknownTarget.replaces, ["target"]);
        const unknownValue = await provider().diff!(id, outs, { ...inputs, allowSessionState: UNKNOWN }) as Diff;
        assert.deepStrictEqual(unknownValue.detailedDiff, { allowSessionState: { kind: "update", inputDiff: true } });
        const unreadable = await provider().diff!("an id that names nothing", { max: 5 }, inputs) as Diff;
        assert.deepStrictEqual([unreadable.replaces, unreadable.deleteBeforeReplace], [["target", "location"], true]);
    });

    it("the same target spelled differently, and onApplyFailure, are updates in place", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        const relative = path.relative(process.cwd(), file);
        const respelled = await provider().diff!(id, outs, { ...inputs, target: { kind: "file", path: relative } }) as Diff;
        assert.deepStrictEqual(respelled, { changes: true, replaces: [], deleteBeforeReplace: false, detailedDiff: { target: { kind: "update", inputDiff: true } } });
        const recording = await provider().diff!(id, outs, { ...inputs, onApplyFailure: "record" }) as Diff;
        assert.deepStrictEqual(recording.detailedDiff, { onApplyFailure: { kind: "update", inputDiff: true } });
        const withDefaults = await provider().diff!(id, { ...(outs as Properties), onDelete: undefined }, { ...inputs, onDelete: "restore" }) as Diff;
        assert.deepStrictEqual(withDefaults.changes, false, "an absent onDelete is restore");
    });

    it("a value set by hand where the program set none is no change; an attribute the program stops managing is a delete", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('max="5"', 'max="5" timeout="00:30:00"'));
        assert.deepStrictEqual(await provider().diff!(id, outs, inputs), { changes: false, replaces: [], deleteBeforeReplace: false, detailedDiff: {} });
        const released = await provider().diff!(id, outs, { ...inputs, max: null }) as Diff;
        assert.deepStrictEqual(released.detailedDiff, { max: { kind: "delete", inputDiff: true } });
    });
});

describe("provider lifecycle in-process: delete and update", function () {
    it("delete of settings whose file has gone warns, naming the file, and succeeds without writing", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        fs.rmSync(file);
        const warnings = await warningsDuring(() => provider().delete!(id, outs));
        assert.strictEqual(warnings.length, 1);
        assert.ok(warnings[0].startsWith(file) && warnings[0].includes("no longer exists: the settings this resource managed were in it and went with it"), warnings[0]);
        assert.ok(!fs.existsSync(file));
    });

    it("delete of settings whose file cannot be read fails, naming the file", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        fs.writeFileSync(file, "<configuration>");
        await assert.rejects(provider().delete!(id, outs), (error: Error) => error.message.includes(file) && /malformed|well-formed/.test(error.message));
    });

    it("an update that stops managing one attribute gives that one back and keeps no key for it", async function () {
        const file = scratchFile();
        const before = fs.readFileSync(file, "utf8");
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet", max: 5, timeout: 10 });
        const { id, outs } = await provider().create!(inputs);
        const updated = (await provider().update!(id, outs as never, { ...inputs, timeout: undefined } as never)).outs as Properties;
        assert.ok(!("timeout" in updated), "a key for an attribute no longer managed");
        assert.deepStrictEqual(updated.previous, { max: (outs as Properties & { previous: Properties }).previous.max });
        const text = fs.readFileSync(file, "utf8");
        assert.ok(text.includes('max="5"') && !text.includes('timeout="00:10:00"'), text);
        await provider().delete!(id, updated);
        assert.strictEqual(fs.readFileSync(file, "utf8"), before);
    });

    it("an update that keeps managing something keeps the location it created; one that manages nothing prunes it", async function () {
        const file = scratchFile();
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet/made", max: 5 });
        const { id, outs } = await provider().create!(inputs);
        const moved = (await provider().update!(id, outs as never, { ...inputs, max: 6 } as never)).outs as Properties;
        assert.deepStrictEqual(moved.created, (outs as Properties).created);
        assert.ok(fs.readFileSync(file, "utf8").includes('<location path="Intranet/made">'));
        const emptied = (await provider().update!(id, moved as never, { ...inputs, max: undefined } as never)).outs as Properties;
        assert.deepStrictEqual(emptied.created, { created: "", parentCloseAs: "" });
        assert.strictEqual(fs.readFileSync(file, "utf8"), fixture);
    });
});

describe("provider lifecycle in-process: check", function () {
    it("warns of a location no site names, only when nothing else is wrong", async function () {
        const file = scratchFile();
        const warned = await warningsDuring(() => provider().check!({}, { target: { kind: "file", path: file }, location: "Intranett/app", max: 5 }));
        assert.strictEqual(warned.length, 1);
        assert.ok(warned[0].startsWith(`${file}: no <site> is named "Intranett"`) && warned[0].endsWith('The closest site is "Intranet".'), warned[0]);
        assert.deepStrictEqual(await warningsDuring(() => provider().check!({}, { target: { kind: "file", path: file }, location: "Intranett", max: "x" })), []);
        assert.deepStrictEqual(await warningsDuring(() => provider().check!({}, { target: { kind: "file", path: file }, location: "Intranet", max: 5 })), []);
    });

    it("sees a site renamed since the last check, though the file kept its size and modification time (the site names are cached by content)", async function () {
        const file = scratchFile();
        const check = (location: string) => warningsDuring(() => provider().check!({}, { target: { kind: "file", path: file }, location, max: 5 }));
        assert.deepStrictEqual(await check("Intranet"), []);
        assert.strictEqual((await check("Intranex")).length, 1);
        const { mtime } = fs.statSync(file);
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('<site name="Intranet"', '<site name="Intranex"'));
        fs.utimesSync(file, mtime, mtime);
        assert.deepStrictEqual(await check("Intranex"), []);
        const warned = await check("Intranet");
        assert.strictEqual(warned.length, 1);
        assert.ok(warned[0].endsWith('The closest site is "Intranex".'), warned[0]);
    });

    it("text that is not valid Unicode: only that is reported, and the field is dropped", async function () {
        const result = await provider().check!({}, { target: { kind: "file", path: "/x" }, location: "A\ud800", max: "bad", colour: 1 });
        assert.deepStrictEqual(result.failures?.map((f) => f.property), ["location"]);
        assert.deepStrictEqual(result.inputs, { target: { kind: "file", path: "/x" }, max: "bad", colour: 1 });
    });

    it("the serialized provider (__provider) is not an unknown input", async function () {
        const result = await provider().check!({}, { __provider: "exports.handler = {}", target: { kind: "file", path: "/x/applicationHost.config" }, max: 5 });
        assert.deepStrictEqual(result.failures, []);
    });
});

describe("provider lifecycle in-process: a write that changed the file but was not verified", function () {
    /** While `run` runs, another writer sets the location's max to 1 right after each write of ours replaces the file. */
    async function withWriterAfterEachWrite<T>(file: string, location: string, run: () => Promise<T>): Promise<T> {
        const { LocalConfigFile } = require("../../provider/stores/local/localConfigFile") as typeof import("../../provider/stores/local/localConfigFile");
        // writePieces: every write of the file (apply's pieces, and write's whole bytes) goes through it.
        const original = LocalConfigFile.prototype.writePieces;
        LocalConfigFile.prototype.writePieces = async function (this: InstanceType<typeof LocalConfigFile>, pieces: readonly Buffer[], version: string) {
            const written = await original.call(this, pieces, version);
            const text = fs.readFileSync(file, "utf8");
            const at = text.indexOf(`<location path="${location}">`);
            fs.writeFileSync(file, text.slice(0, at) + text.slice(at).replace(/max="\d+"/, 'max="1"'));
            return written;
        };
        try {
            return await run();
        } finally {
            LocalConfigFile.prototype.writePieces = original;
        }
    }

    it("create fails as Pulumi's partial failure: id, the state with what it replaced, and the reason; delete then gives the file back", async function () {
        const file = scratchFile();
        const before = fs.readFileSync(file);
        const inputs = { ...(await checked({ target: { kind: "file", path: file }, location: "Intranet/new", max: 77 })), __provider: "provider text" };
        const error = (await withWriterAfterEachWrite(file, "Intranet/new", () => provider().create!(inputs)).then(
            () => assert.fail("create succeeded"),
            (caught: unknown) => caught,
        )) as Error & { id: string; properties: Properties; reasons: string[] };
        assert.strictEqual(error.id, `file:${file}|Intranet/new`);
        assert.match(error.message, /verifying location "Intranet\/new" after writing failed: max is 1, expected 77; the file was written .* the resource is kept in the stack with what it replaced; run the update again to put it right$/);
        assert.deepStrictEqual(error.reasons, [error.message]);
        assert.strictEqual(error.properties.__provider, "provider text", "the host needs the provider text to delete it later");
        assert.deepStrictEqual(error.properties.previous, { max: null });
        assert.notStrictEqual((error.properties.created as { created: string }).created, "", "the elements it created are claimed");
        assert.strictEqual(error.properties.max, 77);
        assert.match(String(error.properties.applyFailure), /max is 1, expected 77/);
        await provider().delete!(error.id, error.properties);
        assert.ok(fs.readFileSync(file).equals(before), "delete of the partially created resource must give the file back");
    });

    it('with onApplyFailure "record", create succeeds with the failure recorded and the claims kept', async function () {
        const file = scratchFile();
        const before = fs.readFileSync(file);
        const inputs = await checked({ target: { kind: "file", path: file }, location: "Intranet/new", max: 77, onApplyFailure: "record" });
        const { outs } = await withWriterAfterEachWrite(file, "Intranet/new", () => provider().create!(inputs));
        assert.match(String(outs.applyFailure), /max is 1, expected 77/);
        assert.deepStrictEqual(outs.previous, { max: null });
        assert.strictEqual((outs.effective as Properties).max, 1, "effective is what the server holds");
        await provider().delete!(`file:${file}|Intranet/new`, outs);
        assert.ok(fs.readFileSync(file).equals(before));
    });

    it("update fails as a partial failure whose state claims what the update newly manages, so delete restores it too", async function () {
        const file = scratchFile();
        const before = fs.readFileSync(file);
        const first = await checked({ target: { kind: "file", path: file }, location: "Intranet/new", timeout: 15 });
        const { id, outs } = await provider().create!(first);
        const next = await checked({ target: { kind: "file", path: file }, location: "Intranet/new", timeout: 15, max: 77 });
        const error = (await withWriterAfterEachWrite(file, "Intranet/new", () => provider().update!(id, outs, next)).then(
            () => assert.fail("update succeeded"),
            (caught: unknown) => caught,
        )) as Error & { id: string; properties: Properties };
        assert.strictEqual(error.id, id);
        assert.deepStrictEqual(error.properties.previous, { max: null, timeout: null });
        await provider().delete!(id, error.properties);
        assert.ok(fs.readFileSync(file).equals(before));
    });
});
