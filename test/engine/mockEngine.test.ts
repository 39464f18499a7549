/**
 * The engine stand-in behaves as the Pulumi engine does after a failed step: a dependent never
 * starts; without continueOnError nothing new starts at all; the deployment fails with the error
 * and the steps, and nothing is deleted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeploymentFailedError, runProgram, StackState, Step } from "../../examples/engine/mockEngine";
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
