/**
 * The provider's PowerShell functions tested in PowerShell itself: test/pester/*.Tests.ps1, run by
 * Pester 5.7.1 under pwsh through test/pester/run.ps1, which writes a JSON summary. This test
 * fails with the name, place and message of every Pester failure.
 *
 * Needs pwsh (see test/support/pwsh) and Pester 5.7.1 in its module path (test/pester/install.sh).
 * Without either it skips, saying how to install it; under CI=true it fails instead.
 * The .Tests.ps1 files are read from the source tree (projectRoot), not from beside the compiled
 * test: tsc does not copy them.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot, underCi } from "../support/paths";
import { countProcess, requirePwsh } from "../support/pwsh";

const PESTER_VERSION = "5.7.1";
const PESTER_FOLDER = path.join(projectRoot, "test", "pester");
const INSTALL_HINT = `run test/pester/install.sh (it puts Pester ${PESTER_VERSION} from NuGet into pwsh's user module folder)`;

/** Pester's start and the 3 MB cases take 20-40 s on two cores; a run past this is stuck. */
const RUN_LIMIT_MS = 240_000;

interface PesterFailure {
    readonly name: string;
    readonly where: string;
    readonly message: string;
}

/** What run.ps1 writes with -SummaryPath. */
type PesterSummary =
    | { readonly pesterMissing: string }
    | {
          readonly pester: string;
          readonly powershell: string;
          readonly files: readonly string[];
          readonly total: number;
          readonly passed: number;
          readonly failed: number;
          readonly skipped: number;
          readonly notRun: number;
          readonly seconds: number;
          readonly failures: readonly PesterFailure[];
      };

interface RunOutcome {
    readonly exitCode: number | null;
    readonly output: string;
    readonly timedOut: boolean;
}

function runPester(pwsh: string, summaryPath: string): Promise<RunOutcome> {
    countProcess();
    const child = spawn(pwsh, ["-NoProfile", "-NonInteractive", "-File", path.join(PESTER_FOLDER, "run.ps1"), "-SummaryPath", summaryPath], {
        cwd: projectRoot,
        stdio: ["ignore", "pipe", "pipe"],
        // No telemetry or update check: nothing here should reach the network.
        env: { ...process.env, POWERSHELL_TELEMETRY_OPTOUT: "1", POWERSHELL_UPDATECHECK: "Off" },
    });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    let timedOut = false;
    const limit = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
    }, RUN_LIMIT_MS);
    return new Promise((resolve) => {
        child.on("error", (error) => {
            clearTimeout(limit);
            resolve({ exitCode: null, output: `cannot start ${pwsh}: ${error.message}`, timedOut });
        });
        child.on("close", (exitCode) => {
            clearTimeout(limit);
            resolve({ exitCode, output: Buffer.concat(output).toString("utf8"), timedOut });
        });
    });
}

function describeFailures(failures: readonly PesterFailure[]): string {
    return failures.map((failure) => `- ${failure.name} (${failure.where})\n    ${failure.message.replace(/\n/g, "\n    ")}`).join("\n");
}

describe("PowerShell scripts under Pester", function () {
    let pwsh = "";

    before(function () {
        pwsh = requirePwsh(this);
    });

    it(`passes every test in test/pester/*.Tests.ps1 (Pester ${PESTER_VERSION})`, async function () {
        this.timeout(RUN_LIMIT_MS + 30_000);
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pester-"));
        try {
            const summaryPath = path.join(scratch, "summary.json");
            const run = await runPester(pwsh, summaryPath);
            assert.ok(!run.timedOut, `Pester did not finish within ${RUN_LIMIT_MS / 1000} s; its output:\n${run.output}`);
            assert.ok(fs.existsSync(summaryPath), `test/pester/run.ps1 wrote no summary (exit code ${run.exitCode}); its output:\n${run.output}`);
            const summary = JSON.parse(fs.readFileSync(summaryPath, "utf8")) as PesterSummary;

            if ("pesterMissing" in summary) {
                const missing = `Pester ${summary.pesterMissing} is not installed for ${pwsh}`;
                if (underCi) throw new Error(`CI=true but ${missing}: ${INSTALL_HINT}`);
                console.log(`\n  Skipping the Pester tests: ${missing}; ${INSTALL_HINT}.\n`);
                this.skip();
            }

            const expectedFiles = fs.readdirSync(PESTER_FOLDER).filter((name) => name.endsWith(".Tests.ps1")).sort();
            assert.deepEqual([...summary.files].sort(), expectedFiles, "Pester did not run every .Tests.ps1 file in test/pester");
            assert.ok(
                summary.failures.length === 0 && summary.failed === 0,
                `${summary.failed} of ${summary.total} Pester tests failed (${summary.powershell}, Pester ${summary.pester}):\n${describeFailures(summary.failures)}`,
            );
            assert.ok(summary.passed > 0, `no Pester test passed (${summary.total} found, ${summary.skipped} skipped, ${summary.notRun} not run)`);
            assert.equal(summary.notRun, 0, `${summary.notRun} Pester tests did not run`);
            assert.equal(summary.skipped, 0, `${summary.skipped} Pester tests were skipped (-Skip hides a test; remove it or the test)`);
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });
});
