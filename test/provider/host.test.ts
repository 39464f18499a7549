/**
 * The provider run by Pulumi's real dynamic-provider host over gRPC, as the engine runs it:
 * Configure, Check, Diff, Create, Read, Diff after a hand edit (drift), Update, Delete, on a
 * temporary copy of a real applicationHost.config.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProviderCallError, ProviderHost } from "../../examples/engine/providerHost";
import { UNKNOWN } from "../../provider/settings/inputs";
import { OWN_FIXTURE, scratchCopy, startHost, URN } from "../support/hostFixture";
import { sharedFile } from "../support/paths";

const realFile = sharedFile("corpus", "applicationHost", "apphost_20.config") ?? OWN_FIXTURE;
const malformedFile = sharedFile("corpus", "applicationHost", "apphost_45.config");

describe("provider through the real dynamic-provider host", function () {
    let host: ProviderHost;
    let providerText: string;
    before(async function () {
        ({ host, providerText } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    function news(file: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
        return { __provider: providerText, target: { kind: "file", path: file }, location: "Default Web Site/shop", ...extra };
    }

    it("reports the plugin version of @pulumi/pulumi", async function () {
        assert.match(await host.pluginInfo(), /^\d+\.\d+\.\d+/);
    });

    it("runs check, create, read, diff, drift, update and delete, and restores the original bytes", async function () {
        const { file } = scratchCopy(realFile);
        const original = fs.readFileSync(file);

        const checked = await host.check(URN, {}, news(file, { timeout: "0:10", max: "1000", allowSessionState: "False" }));
        assert.deepStrictEqual(checked.failures, []);
        assert.strictEqual(checked.inputs.timeout, "00:10:00");
        assert.strictEqual(checked.inputs.max, 1000);
        assert.strictEqual(checked.inputs.allowSessionState, false);

        const created = await host.create(URN, checked.inputs);
        assert.strictEqual(created.id, `file:${file}|Default Web Site/shop`);
        assert.deepStrictEqual(created.properties.previous, { allowSessionState: null, max: null, timeout: null });
        assert.deepStrictEqual(created.properties.effective, { allowSessionState: false, keepSessionIdSecure: true, max: 1000, timeout: "00:10:00" });
        assert.match(fs.readFileSync(file, "utf8"), /<location path="Default Web Site\/shop">\r\n\s+<system.webServer>\r\n\s+<asp>\r\n\s+<session allowSessionState="false" max="1000" timeout="00:10:00" \/>/);
        assert.ok(fs.existsSync(file + ".asp-session.bak"), "no backup of the previous file");
        assert.ok(fs.readFileSync(file + ".asp-session.bak").equals(original), "backup is not the previous file");

        const read = await host.read(created.id, URN, created.properties);
        assert.strictEqual(read.properties.timeout, "00:10:00");
        assert.strictEqual(read.inputs.timeout, "00:10:00");

        const same = await host.diff(created.id, URN, created.properties, checked.inputs);
        assert.deepStrictEqual(same, { changes: "none", replaces: [], deleteBeforeReplace: false });

        // A hand edit on the server: the next diff sees it although the program did not change.
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:10:00"', 'timeout="00:45:00"'));
        const drift = await host.diff(created.id, URN, created.properties, checked.inputs);
        assert.strictEqual(drift.changes, "some");
        assert.deepStrictEqual(drift.replaces, []);
        const refreshed = await host.read(created.id, URN, created.properties);
        assert.strictEqual(refreshed.properties.timeout, "00:45:00");
        assert.strictEqual(refreshed.inputs.timeout, "00:45:00", "refresh must return the inputs the server implies");

        const updatedInputs = (await host.check(URN, checked.inputs, news(file, { timeout: 15, allowSessionState: false }))).inputs;
        const updated = await host.update(created.id, URN, refreshed.properties, updatedInputs);
        assert.strictEqual(updated.properties.timeout, "00:15:00");
        assert.strictEqual(updated.properties.max, undefined, "max is no longer managed");
        assert.deepStrictEqual(updated.properties.previous, { allowSessionState: null, timeout: null });
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /<session allowSessionState="false" timeout="00:15:00" \/>/);

        await host.delete(created.id, URN, updated.properties);
        assert.ok(fs.readFileSync(file).equals(original), "delete did not restore the original bytes");
    });

    it("restores a value it overwrote at the server level, byte for byte", async function () {
        const { file } = scratchCopy(realFile);
        const original = fs.readFileSync(file);
        const inputs = (await host.check(URN, {}, news(file, { location: "", keepSessionIdSecure: false, timeout: "1.00:00:00" }))).inputs;
        const created = await host.create(URN, inputs);
        if (realFile !== OWN_FIXTURE) assert.deepStrictEqual(created.properties.previous, { keepSessionIdSecure: "true", timeout: null });
        assert.strictEqual((created.properties.effective as Record<string, unknown>).timeout, "1.00:00:00");
        await host.delete(created.id, URN, created.properties);
        assert.ok(fs.readFileSync(file).equals(original));
    });

    it("with onDelete \"inherit\" removes the managed attributes instead of restoring them", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const inputs = (await host.check(URN, {}, news(file, { location: "", timeout: "00:05:00", onDelete: "inherit" }))).inputs;
        const created = await host.create(URN, inputs);
        await host.delete(created.id, URN, created.properties);
        assert.doesNotMatch(fs.readFileSync(file, "utf8"), /timeout=/);
    });

    it("replaces the resource when the location or the file changes, but not for a change of case", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const inputs = (await host.check(URN, {}, news(file, { max: 5 }))).inputs;
        const created = await host.create(URN, inputs);
        const moved = await host.diff(created.id, URN, created.properties, { ...inputs, location: "Intranet" });
        assert.deepStrictEqual(moved, { changes: "some", replaces: ["location"], deleteBeforeReplace: true });
        const otherFile = await host.diff(created.id, URN, created.properties, { ...inputs, target: { kind: "file", path: file + ".other" } });
        assert.deepStrictEqual(otherFile.replaces, ["target"]);
        const recased = await host.diff(created.id, URN, created.properties, { ...inputs, location: "DEFAULT WEB SITE/Shop" });
        assert.deepStrictEqual(recased.replaces, []);
        await host.delete(created.id, URN, created.properties);
    });

    it("treats unknown values during preview as changes (and an unknown location as a replacement)", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const inputs = (await host.check(URN, {}, news(file, { max: 5 }))).inputs;
        const created = await host.create(URN, inputs);
        const checked = await host.check(URN, inputs, news(file, { max: UNKNOWN }));
        assert.deepStrictEqual(checked.failures, []);
        assert.strictEqual((await host.diff(created.id, URN, created.properties, checked.inputs)).changes, "some");
        const unknownLocation = await host.diff(created.id, URN, created.properties, { ...inputs, location: UNKNOWN });
        assert.deepStrictEqual(unknownLocation.replaces, ["location"]);
        await host.delete(created.id, URN, created.properties);
    });

    it("fails check with one failure per bad field, naming it and what is allowed", async function () {
        const checked = await host.check(URN, {}, { __provider: providerText, target: { kind: "ftp" }, location: "a//b", timeout: "00:10:30", max: -1, colour: "blue" });
        const properties = checked.failures.map((f) => f.property).sort();
        assert.deepStrictEqual(properties, ["colour", "location", "max", "target.kind", "timeout"]);
        const reasons = checked.failures.map((f) => f.reason).join("\n");
        assert.match(reasons, /target.kind must be one of "file"/);
        assert.match(reasons, /whole number of minutes/);
    });

    it("reports a missing file and a malformed file clearly, writing nothing", async function () {
        const { file, dir } = scratchCopy(OWN_FIXTURE);
        const missing = `${dir}/missing.config`;
        const inputs = (await host.check(URN, {}, news(missing, { max: 5 }))).inputs;
        await assert.rejects(host.create(URN, inputs), (error: ProviderCallError) => error.details.includes(missing) && /no such file/.test(error.details));
        assert.ok(!fs.existsSync(missing));
        if (!malformedFile) return;
        fs.copyFileSync(malformedFile, file);
        const before = fs.readFileSync(file);
        const bad = (await host.check(URN, {}, news(file, { max: 5 }))).inputs;
        await assert.rejects(host.create(URN, bad), (error: ProviderCallError) =>
            error.details.includes(file) && /not well-formed XML: .* at line \d+/.test(error.details) && /nothing was changed/.test(error.details));
        assert.ok(fs.readFileSync(file).equals(before));
        assert.deepStrictEqual(fs.readdirSync(path.dirname(file)).sort(), ["applicationHost.config"], "a temp, backup or lock file was left behind");
    });

    it("refuses a location held by two <location> elements that both hold <asp>", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const twice = '<location path="Dup"><system.webServer><asp /></system.webServer></location>';
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("</configuration>", `${twice}${twice.replace("Dup", "DUP")}</configuration>`));
        const before = fs.readFileSync(file);
        const inputs = (await host.check(URN, {}, news(file, { location: "dup", max: 5 }))).inputs;
        await assert.rejects(host.create(URN, inputs), (error: ProviderCallError) => /2 <location> elements for "dup" hold <asp>/.test(error.details));
        assert.ok(fs.readFileSync(file).equals(before));
    });
});
