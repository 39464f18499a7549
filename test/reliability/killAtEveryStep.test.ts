/**
 * A provider operation killed at each of its file-system steps in turn (see stepKillerProcess.ts),
 * then retried as the engine retries it: the operation's outcome never heard of, so create is run
 * again as a fresh create, and update and delete with the same old state. After every kill the
 * file is whole (the bytes before the operation or after it); the retry ends with the bytes an
 * uninterrupted run writes; and delete after a retried create or update gives back the original
 * bytes: the pre-images survived the crash (pre-image journal beside the file).
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createAspSessionProvider } from "../../provider";
import { BACKUP_SUFFIX } from "../../provider/stores/local/localConfigFile";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";
import type { StepKillerJob } from "./stepKillerProcess";

const KILLER = path.join(__dirname, "stepKillerProcess.js");

type Properties = Record<string, unknown>;

async function runKiller(job: StepKillerJob): Promise<{ killed: boolean; steps?: number; result?: Properties }> {
    const child = spawn(process.execPath, [KILLER, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (c, s) => resolve({ code: c, signal: s })));
    if (signal === "SIGKILL") return { killed: true };
    if (code !== 0) throw new Error(`step killer exited with ${code}: ${stderr}`);
    const line = JSON.parse(stdout.trim()) as { steps: number; result: Properties };
    return { killed: false, steps: line.steps, result: line.result };
}

/** The fixture with server-level session attributes written unusually, so that a restore must give back exact text. */
function fixtureWithServerSession(): string {
    const { file } = scratchCopy(OWN_FIXTURE);
    const text = fs.readFileSync(file, "utf8").replace("<asp>", "<asp>\r\n            <session  timeout='00:30:00' max=\"0300\" />");
    fs.writeFileSync(file, text);
    return file;
}

/** Pre-images matter in the first (values written by hand are overwritten), created elements in the second (create only: update and delete follow the same steps). */
const CASES = [
    { name: "server level, overwriting attributes written by hand", location: "", create: { max: 5, timeout: "00:10:00" }, update: { max: 7, timeout: "00:10:00", keepSessionIdSecure: false }, operations: ["create", "update", "delete"] },
    { name: "a site whose <location> holds no <asp> yet", location: "Intranet", create: { max: 5 }, update: { max: 9, allowSessionState: false }, operations: ["create"] },
];

describe("reliability: SIGKILL at every file-system step of create, update and delete, then a retry", function () {
    this.timeout(600_000);
    const provider = createAspSessionProvider();

    for (const scenario of CASES) {
        describe(scenario.name, function () {
            let file: string;
            let original: Buffer;
            let createInputs: Properties;
            let updateInputs: Properties;
            beforeEach(async function () {
                file = fixtureWithServerSession();
                original = fs.readFileSync(file);
                const target = { kind: "file", path: file };
                createInputs = (await provider.check!({}, { target, location: scenario.location, ...scenario.create })).inputs;
                updateInputs = (await provider.check!({}, { target, location: scenario.location, ...scenario.update })).inputs;
            });

            /** Runs `prepare` and the operation uninterrupted, then once per step killed there and retried; `finish` undoes what is left. */
            async function everyStep(operation: "create" | "update" | "delete",
                prepare: () => Promise<{ job: Omit<StepKillerJob, "killAt">; retry: () => Promise<Properties | void> }>,
                finish: (retried: Properties | void) => Promise<void>): Promise<number> {
                const clean = await prepare();
                const before = fs.readFileSync(file);
                const baseline = await runKiller({ ...clean.job, killAt: 0 } as StepKillerJob);
                assert.ok(!baseline.killed && baseline.steps !== undefined && baseline.steps > 5, `an uninterrupted ${operation} took ${baseline.steps} steps`);
                const after = fs.readFileSync(file);
                assert.ok(!after.equals(before), `${operation} changed nothing`);
                for (let killAt = 1; killAt <= baseline.steps; killAt++) {
                    fs.writeFileSync(file, original);
                    for (const leftover of fs.readdirSync(path.dirname(file))) {
                        if (leftover !== path.basename(file)) fs.rmSync(path.join(path.dirname(file), leftover));
                    }
                    const { job, retry } = await prepare();
                    assert.ok(fs.readFileSync(file).equals(before), "prepare is deterministic");
                    const run = await runKiller({ ...job, killAt } as StepKillerJob);
                    assert.ok(run.killed, `step ${killAt} of ${baseline.steps} was not reached`);
                    const found = fs.readFileSync(file);
                    assert.ok(found.equals(before) || found.equals(after), `killed at step ${killAt} of ${operation}: the file is neither the old nor the new bytes`);
                    const retried = await retry();
                    assert.ok(fs.readFileSync(file).equals(after), `killed at step ${killAt} of ${operation}, the retry wrote other bytes than an uninterrupted ${operation}`);
                    if (operation === "create" || operation === "update") {
                        assert.deepStrictEqual((retried as { previous?: unknown }).previous, (baseline.result as { outs?: { previous?: unknown } }).outs?.previous,
                            `killed at step ${killAt} of ${operation}: the retry recorded other pre-images`);
                    }
                    await finish(retried);
                    assert.ok(fs.readFileSync(file).equals(original), `killed at step ${killAt} of ${operation}: delete after the retry did not give back the original bytes`);
                    const left = fs.readdirSync(path.dirname(file)).sort();
                    assert.deepStrictEqual(left, [path.basename(file), path.basename(file) + BACKUP_SUFFIX], `killed at step ${killAt} of ${operation}: files left beside the config`);
                }
                return baseline.steps;
            }

            const applies = (operation: string) => (title: string, test: () => Promise<void>) => {
                if (scenario.operations.includes(operation)) it(title, test);
            };

            applies("create")("create", async function () {
                const steps = await everyStep("create",
                    async () => ({ job: { operation: "create", inputs: createInputs }, retry: async () => (await provider.create(createInputs)).outs }),
                    async (outs) => { await provider.delete!("id", outs as Properties); });
                console.log(`      create: killed at each of ${steps} steps`);
            });

            applies("update")("update", async function () {
                let olds: Properties = {};
                const steps = await everyStep("update",
                    async () => {
                        olds = (await provider.create(createInputs)).outs;
                        return { job: { operation: "update", id: "id", olds, news: updateInputs }, retry: async () => (await provider.update!("id", olds, updateInputs)).outs };
                    },
                    async (outs) => { await provider.delete!("id", outs as Properties); });
                console.log(`      update: killed at each of ${steps} steps`);
            });

            applies("delete")("delete", async function () {
                let props: Properties = {};
                const steps = await everyStep("delete",
                    async () => {
                        props = (await provider.create(createInputs)).outs;
                        return { job: { operation: "delete", id: "id", props }, retry: async () => { await provider.delete!("id", props); } };
                    },
                    async () => undefined);
                console.log(`      delete: killed at each of ${steps} steps`);
            });
        });
    }
});
