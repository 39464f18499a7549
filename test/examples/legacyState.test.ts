/**
 * Resources created by version 0.1.0, whose state holds the provider's code copied by value
 * (test/fixtures/legacyState), keep working after the provider became a reference to the installed
 * package: refresh and destroy run the stored code, diff and update run the new code on old state.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { destroy, runProgram, StackState } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { PROVIDER_REFERENCE } from "../../sdk/providerReference";
import { scratchCopy, startHost } from "../support/hostFixture";
import { projectRoot } from "../support/paths";

const FIXTURES = path.join(projectRoot, "test", "fixtures", "legacyState");
const PROGRAM = path.join(projectRoot, "dist", "examples", "local", "index.js");

/** The 0.1.0 stack, pointed at a scratch copy of the file as that `up` left it. */
function legacyStack(): { state: StackState; file: string; providerText: string } {
    const { file } = scratchCopy(path.join(FIXTURES, "applicationHost.after.config"));
    const providerText = zlib.gunzipSync(fs.readFileSync(path.join(FIXTURES, "provider.js.gz"))).toString("utf8");
    const text = fs.readFileSync(path.join(FIXTURES, "state.json"), "utf8")
        .split("<applicationHost.config>").join(file.split("\\").join("\\\\"))
        .split("<legacy provider>").join(JSON.stringify(providerText).slice(1, -1));
    return { state: JSON.parse(text) as StackState, file, providerText };
}

describe("state written by 0.1.0 (provider copied by value), driven by this version", function () {
    let host: ProviderHost;
    before(async function () {
        ({ host } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    it("the fixture really holds the old provider's code", function () {
        const { state, providerText } = legacyStack();
        assert.ok(providerText.length > 300_000, `provider text is ${providerText.length} bytes`);
        assert.strictEqual(state.shop.outputs.__provider, providerText);
        assert.notStrictEqual(providerText, PROVIDER_REFERENCE);
    });

    it("a preview of the unchanged program shows no changes, and writes nothing", async function () {
        const { state, file } = legacyStack();
        const before = fs.readFileSync(file);
        const steps = await runProgram({ host, state, mode: "preview", program: PROGRAM, project: "iis-asp-session-local", stack: "dev", config: { applicationHostPath: file } });
        assert.deepStrictEqual(steps.map((s) => `${s.name}:${s.kind}`).sort(), ["intranet:same", "server:same", "shop:same"]);
        assert.ok(fs.readFileSync(file).equals(before));
    });

    it("refresh runs the stored provider and reports drift made by hand", async function () {
        const { state, file } = legacyStack();
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('<session max="1000" timeout="00:10:00" />', '<session max="1000" timeout="00:15:00" />'));
        const shop = state.shop;
        const refreshed = await host.read(shop.id, shop.urn, shop.outputs, shop.inputs);
        assert.strictEqual(refreshed.properties.timeout, "00:15:00");
        assert.strictEqual(refreshed.inputs.timeout, "00:15:00");
        assert.strictEqual(refreshed.properties.__provider, shop.outputs.__provider, "refresh keeps the stored provider, as the host does");
    });

    it("an update by this version's provider, then destroy with the stored providers, gives back the original bytes", async function () {
        const { state, file } = legacyStack();
        const shop = state.shop;
        const news = { ...shop.inputs, __provider: PROVIDER_REFERENCE, timeout: "00:05:00" };
        const checked = await host.check(shop.urn, shop.inputs, news);
        assert.deepStrictEqual(checked.failures, []);
        const diff = await host.diff(shop.id, shop.urn, shop.outputs, checked.inputs);
        assert.deepStrictEqual(diff, { changes: "some", replaces: [], deleteBeforeReplace: false });
        const updated = await host.update(shop.id, shop.urn, shop.outputs, checked.inputs);
        assert.strictEqual(updated.properties.timeout, "00:05:00");
        assert.deepStrictEqual(updated.properties.previous, shop.outputs.previous, "what delete restores survives the update");
        assert.strictEqual(updated.properties.__provider, PROVIDER_REFERENCE);
        assert.match(fs.readFileSync(file, "utf8"), /<location path="Default Web Site\/shop">[\s\S]*<session max="1000" timeout="00:05:00" \/>/);
        state.shop = { ...shop, inputs: checked.inputs, outputs: updated.properties };

        await destroy(host, state);
        assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(FIXTURES, "applicationHost.before.config"))),
            "destroy did not give back the file as it was before 0.1.0's up");
    });
});
