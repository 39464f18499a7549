/**
 * Mocha's spec reporter plus closing lines in the plain form CI reads:
 * "tests: N passed, N failed" and "real PowerShell processes: N" (every pwsh the run started, in
 * this process or in children, counted through a file named by an environment variable).
 */
import * as fs from "fs";
import * as Mocha from "mocha";
import * as os from "os";
import * as path from "path";
import { PROCESS_COUNT_FILE_VARIABLE } from "./pwsh/process";

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        let passed = 0, failed = 0, skipped = 0;
        const countFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "asp-session-pwsh-count-")), "count");
        fs.writeFileSync(countFile, "");
        process.env[PROCESS_COUNT_FILE_VARIABLE] = countFile;
        runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => { passed++; });
        runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => { failed++; });
        runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => { skipped++; });
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            // After the spec reporter's own epilogue.
            setImmediate(() => {
                const processes = fs.statSync(countFile).size;
                fs.rmSync(path.dirname(countFile), { recursive: true, force: true });
                console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
                console.log(`real PowerShell processes: ${processes}`);
            });
        });
    }
}

export = SummaryReporter;
