/**
 * The examples/local program itself, run under pulumi.runtime.setMocks with every resource
 * forwarded to the real provider host: preview, up, a no-op preview, then destroy.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { destroy, runProgram, StackState } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { OWN_FIXTURE, scratchCopy, startHost } from "../support/hostFixture";
import { projectRoot } from "../support/paths";

describe("examples/local, run as a Pulumi program through the provider host", function () {
    let host: ProviderHost;
    before(async function () {
        ({ host } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    it("previews three creates, applies them, then previews no changes, and destroy restores the file", async function () {
        const { file } = scratchCopy(OWN_FIXTURE);
        const original = fs.readFileSync(file);
        const state: StackState = {};
        const run = (mode: "preview" | "up") => runProgram({
            host, state, mode, program: path.join(projectRoot, "dist", "examples", "local", "index.js"),
            project: "iis-asp-session-local", stack: "test", config: { applicationHostPath: file },
        });

        const preview = await run("preview");
        assert.deepStrictEqual(preview.map((s) => `${s.name}:${s.kind}`).sort(), ["intranet:create", "server:create", "shop:create"]);
        assert.ok(fs.readFileSync(file).equals(original), "preview wrote to the file");

        await run("up");
        assert.deepStrictEqual(Object.keys(state).sort(), ["intranet", "server", "shop"]);
        const text = fs.readFileSync(file, "utf8");
        assert.match(text, /<location path="Default Web Site\/shop">[\s\S]*<session max="1000" timeout="00:10:00" \/>/);
        assert.match(text, /<location path="Intranet">[\s\S]*<asp>\r\n\s+<session allowSessionState="false" \/>/);
        assert.match(text, /<asp>\r\n\s+<session keepSessionIdSecure="true" timeout="00:30:00" \/>\r\n\s+<cache /);
        assert.strictEqual((state.shop.outputs.effective as Record<string, unknown>).max, 1000);
        for (const resource of Object.values(state)) {
            const size = Buffer.byteLength(String(resource.outputs.__provider));
            assert.ok(size <= 1024, `${resource.urn}: __provider is ${size} bytes, more than 1 KB`);
            assert.strictEqual(resource.inputs.__provider, resource.outputs.__provider);
        }

        const again = await run("preview");
        assert.deepStrictEqual(again.map((s) => s.kind), ["same", "same", "same"]);

        await destroy(host, state);
        assert.ok(fs.readFileSync(file).equals(original), "destroy did not give back the original bytes");
    });
});
