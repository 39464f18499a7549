import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { parseScriptOutput, prepareInvocation } from "../../provider/powershell";
import { OWN_FIXTURE, scratchCopy } from "../support/hostFixture";
import { requirePwsh } from "../support/pwsh";
import { WsmanServer, startWsmanServer } from "../support/wsman";
import { projectRoot, underCi } from "../support/paths";
import { findPywinrm } from "../support/pywinrm";
import { VAGRANT, startTestServer } from "./fixtures";

/**
 * Interoperability with pywinrm 0.3.x / requests_ntlm / ntlm-auth as Debian packages them
 * (`apt-get install python3-winrm`): the benchmark drives this server with them, so they must
 * work against it exactly as against Windows. Skipped, with a message, when not installed.
 *
 * Debian's ntlm-auth 1.4 computes MD4 through hashlib, which OpenSSL 3 only offers from its
 * legacy provider: python runs with an OPENSSL_CONF that activates the default and legacy providers.
 */

const run = promisify(execFile);
const SCRIPT = path.join(projectRoot, "test", "wsmanServer", "pywinrmClient.py");

interface PywinrmStep {
    readonly cmd?: readonly string[];
    readonly ps?: string;
}
interface PywinrmOutcome {
    readonly results: ReadonlyArray<{ readonly status: number; readonly stdout: string; readonly stderr: string }>;
    readonly error?: string;
    readonly message?: string;
}

describe("WS-Man test server: pywinrm (python3-winrm) interoperability", function () {
    let python: string | undefined;
    let environment: NodeJS.ProcessEnv;
    let scratch: string;
    let server: WsmanServer | undefined;

    before(async function () {
        const lookup = await findPywinrm();
        scratch = lookup.scratch;
        if ("python" in lookup) {
            python = lookup.python;
            environment = lookup.environment;
        }
        if (python === undefined && underCi) {
            throw new Error("CI=true but no python3 with the winrm module and MD4: .ci/run installs python3-winrm");
        }
        if (python === undefined) {
            console.log(
                "      pywinrm interop tests SKIPPED: no python3 with the winrm module and MD4 " +
                    "(install with: apt-get install -y python3-winrm; or set WSMAN_PYTHON)",
            );
            this.skip();
        }
    });
    after(() => {
        if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    async function pywinrm(options: { transport: string; encryption: string; password?: string; steps: readonly PywinrmStep[] }): Promise<PywinrmOutcome> {
        assert.ok(server !== undefined && python !== undefined);
        let caTrustPath: string | undefined;
        if (server.certificatePem !== undefined) {
            caTrustPath = path.join(scratch, `server-${server.port}.pem`);
            fs.writeFileSync(caTrustPath, server.certificatePem);
        }
        const request = {
            url: server.url,
            ca_trust_path: caTrustPath,
            username: VAGRANT.username,
            password: options.password ?? VAGRANT.password,
            transport: options.transport,
            message_encryption: options.encryption,
            steps: options.steps,
        };
        const { stdout } = await run(python, [SCRIPT, JSON.stringify(request)], { env: environment, timeout: 30_000 });
        return JSON.parse(stdout) as PywinrmOutcome;
    }

    it("run_cmd and run_ps over HTTP with NTLM and message_encryption='always'", async () => {
        ({ server } = await startTestServer());
        const outcome = await pywinrm({ transport: "ntlm", encryption: "always", steps: [{ cmd: ["cmd", "/c", "echo hi"] }, { ps: "Write-Output 'from pywinrm'" }] });
        assert.strictEqual(outcome.error, undefined, outcome.message);
        assert.deepStrictEqual(outcome.results[0], { status: 0, stdout: "hi\r\n", stderr: "" });
        // The stand-in PowerShell runner prints the script it decoded from `powershell -encodedcommand <b64>`.
        assert.deepStrictEqual(outcome.results[1], { status: 0, stdout: "Write-Output 'from pywinrm'", stderr: "" });
        const stats = server.stats;
        assert.strictEqual(stats.ntlmHandshakes, 1);
        assert.strictEqual(stats.connections, 1, "pywinrm kept its one authenticated connection");
        assert.strictEqual(stats.shellsCreated, 2);
        assert.strictEqual(stats.openShells, 0, "pywinrm deleted its shells");
    });

    it("runs our read script (command-line loader) with run_cmd, in real PowerShell 7", async function () {
        requirePwsh(this);
        const copy = scratchCopy(OWN_FIXTURE);
        try {
            server = await startWsmanServer({ users: [VAGRANT], applicationHostPath: copy.file });
            const invocation = prepareInvocation({ op: "read", location: "Default Web Site" });
            assert.strictEqual(invocation.delivery, "commandLine");
            const outcome = await pywinrm({ transport: "ntlm", encryption: "always", steps: [{ cmd: [invocation.command.commandLine] }] });
            assert.strictEqual(outcome.error, undefined, outcome.message);
            assert.strictEqual(outcome.results[0].status, 0, outcome.results[0].stderr);
            const response = parseScriptOutput({ op: "read", location: "Default Web Site" }, outcome.results[0].stdout);
            assert.deepStrictEqual(response.effective, { allowSessionState: true, keepSessionIdSecure: true, max: 4294967295, timeout: "00:20:00" });
        } finally {
            fs.rmSync(copy.dir, { recursive: true, force: true });
        }
    });

    it("retries Receive after w:TimedOut, as against Windows", async () => {
        ({ server } = await startTestServer({ faults: { receiveTimeoutsBeforeOutput: 2 } }));
        const outcome = await pywinrm({ transport: "ntlm", encryption: "always", steps: [{ cmd: ["cmd", "/c", "echo hi"] }] });
        assert.strictEqual(outcome.error, undefined, outcome.message);
        assert.strictEqual(outcome.results[0].stdout, "hi\r\n");
        assert.strictEqual(server.stats.requestsByKind.Receive, 3);
    });

    it("reports a wrong password as InvalidCredentialsError", async () => {
        ({ server } = await startTestServer());
        const outcome = await pywinrm({ transport: "ntlm", encryption: "always", password: "wrong", steps: [{ cmd: ["cmd", "/c", "echo hi"] }] });
        assert.strictEqual(outcome.error, "InvalidCredentialsError");
    });

    it("NTLM over HTTPS with channel bindings required, unsealed (message_encryption='auto')", async () => {
        ({ server } = await startTestServer({ https: true, requireChannelBinding: true }));
        const outcome = await pywinrm({ transport: "ntlm", encryption: "auto", steps: [{ cmd: ["cmd", "/c", "echo hi"] }] });
        assert.strictEqual(outcome.error, undefined, outcome.message);
        assert.strictEqual(outcome.results[0].stdout, "hi\r\n");
        assert.strictEqual(server.stats.authenticationFailures, 0);
    });

    it("Basic over HTTPS", async () => {
        ({ server } = await startTestServer({ https: true, auth: ["basic"] }));
        const outcome = await pywinrm({ transport: "basic", encryption: "auto", steps: [{ cmd: ["cmd", "/c", "echo hi"] }] });
        assert.strictEqual(outcome.error, undefined, outcome.message);
        assert.strictEqual(outcome.results[0].stdout, "hi\r\n");
    });
});
