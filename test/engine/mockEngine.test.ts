/**
 * The engine stand-in behaves as the Pulumi engine does: after a failed step a dependent never
 * starts; without continueOnError nothing new starts at all; the deployment fails with the error
 * and the steps, and nothing is deleted. The `import` option fails as the engine's does for a
 * dynamic resource, and what works instead (create adopts, delete restores; state delete then up)
 * works; a refresh first shows drift per attribute.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeploymentFailedError, destroy, runProgram, StackState, Step } from "../../examples/engine/mockEngine";
import { ProviderHost } from "../../examples/engine/providerHost";
import { OWN_FIXTURE, scratchCopy, startHost } from "../support/hostFixture";
import { projectRoot } from "../support/paths";

const PROGRAM = path.join(projectRoot, "dist", "test", "engine", "programs", "chain.js");

describe("the engine stand-in after a failed step", function () {
    this.timeout(60_000);
    let host: ProviderHost;
    before(async function () {
        ({ host } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    async function failingRun(continueOnError: boolean): Promise<{ steps: Record<string, Step>; error: DeploymentFailedError; files: Record<string, string> }> {
        const files = { firstFile: path.join(scratchCopy(OWN_FIXTURE).dir, "missing", "applicationHost.config"), secondFile: scratchCopy(OWN_FIXTURE).file, independentFile: scratchCopy(OWN_FIXTURE).file };
        const state: StackState = {};
        try {
            // Parallelism 1: "first" registers (and runs) before "independent", which waits its turn.
            await runProgram({ host, state, mode: "up", program: PROGRAM, project: "chain", stack: "test", config: files, parallelism: 1, continueOnError });
        } catch (error) {
            if (!(error instanceof DeploymentFailedError)) throw error;
            return { steps: Object.fromEntries(error.steps.map((s) => [s.name, s])), error, files };
        }
        return assert.fail("the deployment should have failed");
    }

    it("by default: the dependent and everything not yet started are skipped", async function () {
        const { steps, error, files } = await failingRun(false);
        assert.match(error.message, /missing/);
        assert.strictEqual(steps.first.kind, "create");
        assert.match(String(steps.first.error), /missing/);
        assert.strictEqual(steps.second.kind, "skipped");
        assert.match(String(steps.second.error), /depends on first, which failed/);
        assert.strictEqual(steps.independent.kind, "skipped");
        assert.match(String(steps.independent.error), /the deployment stopped after an earlier failure/);
        assert.ok(!fs.readFileSync(files.independentFile, "utf8").includes('max="3"'));
    });

    it("with continueOnError: only the dependent is skipped", async function () {
        const { steps, files } = await failingRun(true);
        assert.strictEqual(steps.second.kind, "skipped");
        assert.strictEqual(steps.independent.kind, "create");
        assert.strictEqual(steps.independent.error, undefined);
        assert.ok(fs.readFileSync(files.independentFile, "utf8").includes('max="3"'));
        assert.ok(!fs.readFileSync(files.secondFile, "utf8").includes('max="2"'));
    });
});

const ADOPT = path.join(projectRoot, "dist", "test", "engine", "programs", "adopt.js");
const HAND_SET = `    <location path="Default Web Site">\n        <system.webServer>\n            <asp>\n                <session timeout="00:45:00" max="7" />\n            </asp>\n        </system.webServer>\n    </location>\n\n</configuration>`;

/** A scratch copy of our fixture whose Default Web Site already holds session settings set by hand. */
function handSetFile(): string {
    const { file } = scratchCopy(OWN_FIXTURE);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("</configuration>", HAND_SET));
    return file;
}

describe("the engine stand-in does what Pulumi's engine does with a dynamic resource", function () {
    this.timeout(60_000);
    let host: ProviderHost;
    before(async function () {
        ({ host } = await startHost());
    });
    after(async function () {
        await host?.stop();
    });

    it("the import option fails as in the engine: its Read carries no __provider, so the host cannot load the provider", async function () {
        const file = handSetFile();
        const before = fs.readFileSync(file);
        const state: StackState = {};
        for (const mode of ["preview", "up"] as const) {
            await assert.rejects(
                runProgram({ host, state, mode, program: ADOPT, project: "adopt", stack: "test", config: { file, importId: `file:${file}|Default Web Site` } }),
                (error: DeploymentFailedError) => {
                    assert.match(error.message, /code must be a string, not undefined/);
                    assert.strictEqual(error.steps[0]?.kind, "import");
                    return true;
                });
        }
        assert.deepStrictEqual(state, {});
        assert.ok(fs.readFileSync(file).equals(before), "the file was changed");
    });

    it("what works instead: create adopts the values already at the location, and delete restores them byte for byte", async function () {
        const file = handSetFile();
        const before = fs.readFileSync(file);
        const state: StackState = {};
        const steps = await runProgram({ host, state, mode: "up", program: ADOPT, project: "adopt", stack: "test", config: { file } });
        assert.deepStrictEqual(steps.map((s) => s.kind), ["create"]);
        assert.deepStrictEqual(state.shop.outputs.previous, { max: "7", timeout: "00:45:00" });
        assert.match(fs.readFileSync(file, "utf8"), /<session timeout="00:10:00" max="25" \/>/);
        await destroy(host, state);
        assert.ok(fs.readFileSync(file).equals(before), "delete did not restore the hand-set values");
    });

    it("a broken entry: pulumi state delete, then pulumi up adopts the location again", async function () {
        const file = handSetFile();
        const before = fs.readFileSync(file);
        const state: StackState = {};
        await runProgram({ host, state, mode: "up", program: ADOPT, project: "adopt", stack: "test", config: { file } });
        delete state.shop;  // pulumi state delete <urn>
        const steps = await runProgram({ host, state, mode: "up", program: ADOPT, project: "adopt", stack: "test", config: { file } });
        assert.deepStrictEqual(steps.map((s) => s.kind), ["create"]);
        // The journal beside the file still holds what the first create replaced, so the new entry
        // records the hand-set values, and delete gives back the file as it was before either create.
        assert.deepStrictEqual(state.shop.outputs.previous, { max: "7", timeout: "00:45:00" });
        await destroy(host, state);
        assert.ok(fs.readFileSync(file).equals(before), "delete did not restore the hand-set values");
    });

    it("refresh (options: refresh: always) reads live state first, so a preview names each drifted attribute", async function () {
        const file = scratchCopy(OWN_FIXTURE).file;
        const state: StackState = {};
        const run = (refresh: boolean) => runProgram({ host, state, mode: "preview", refresh, program: ADOPT, project: "adopt", stack: "test", config: { file } });
        await runProgram({ host, state, mode: "up", program: ADOPT, project: "adopt", stack: "test", config: { file } });
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('timeout="00:10:00"', 'timeout="00:30:00"'));
        const stored = JSON.stringify(state);

        const plain = await run(false);
        assert.strictEqual(plain[0].kind, "update");
        assert.deepStrictEqual(plain[0].changedInputs, [], "without a refresh the engine compares the program with the stored inputs only");

        const refreshed = await run(true);
        assert.strictEqual(refreshed[0].kind, "update");
        assert.deepStrictEqual(refreshed[0].changedInputs, [{ property: "timeout", from: "00:30:00", to: "00:10:00" }]);
        assert.strictEqual(JSON.stringify(state), stored, "a preview changed the stored state");
        await destroy(host, state);
    });
});
