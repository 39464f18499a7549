/**
 * .github/workflows/windows.yml runs the acceptance suite against real IIS on GitHub's Windows
 * runners. It cannot run here, so these tests read it and pin what it must keep doing: both Windows
 * versions, the server set-up each target needs, exactly `npm run acceptance` once per target with
 * that target's environment, and no secret in a script (the log shows each script with the
 * runner's `${{ }}` expressions filled in).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../support/paths";

const WORKFLOW_FILE = path.join(projectRoot, ".github", "workflows", "windows.yml");
const ACCEPTANCE_COMMAND = "npm run acceptance";
const APPLICATION_HOST = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config";
/** Target fields that hold a secret: the contract passes each in its own variable, never in the target's JSON. */
const SECRET_TARGET_FIELDS = ["password", "privateKey", "passphrase", "clientKey", "caCertificate", "hostKey"];

interface Step {
    readonly name?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly shell?: string;
    readonly with?: Readonly<Record<string, unknown>>;
    readonly env?: Readonly<Record<string, unknown>>;
}

interface Job {
    readonly "runs-on"?: unknown;
    readonly "timeout-minutes"?: unknown;
    readonly strategy?: { readonly matrix?: { readonly os?: unknown } };
    readonly defaults?: { readonly run?: { readonly shell?: unknown } };
    readonly env?: Readonly<Record<string, unknown>>;
    readonly steps?: readonly Step[];
}

interface Workflow {
    readonly on?: unknown;
    readonly jobs?: Readonly<Record<string, Job>>;
}

/** A target as the suite takes it from ASP_SESSION_ACCEPTANCE_TARGET. */
interface Target {
    readonly kind: string;
    readonly port?: number;
    readonly https?: boolean;
    readonly [field: string]: unknown;
}

/** The workflow's one job, read fresh for each test so none can lean on another's copy. */
function readJob(): { workflow: Workflow; job: Job; steps: readonly Step[] } {
    const workflow = parse(fs.readFileSync(WORKFLOW_FILE, "utf8")) as Workflow;
    assert.ok(workflow !== null && typeof workflow === "object", `${WORKFLOW_FILE} is not a YAML mapping`);
    const jobs = Object.values(workflow.jobs ?? {});
    assert.equal(jobs.length, 1, `${WORKFLOW_FILE} should have one job, has ${jobs.length}`);
    const steps = jobs[0].steps ?? [];
    assert.ok(steps.length > 0, "the job has no steps");
    return { workflow, job: jobs[0], steps };
}

/** A step's script without its comment lines: a command named only in a comment does not run. */
function script(step: Step): string {
    return (step.run ?? "").replace(/^\s*#.*$/gm, "");
}

function label(step: Step, steps: readonly Step[]): string {
    return `step ${steps.indexOf(step) + 1} (${step.name ?? step.uses ?? step.run ?? "unnamed"})`;
}

/** The first step whose script matches every pattern; `what` says what it is for in the failure message. */
function stepThat(steps: readonly Step[], what: string, ...patterns: RegExp[]): Step {
    const matching = steps.filter((step) => step.run !== undefined && patterns.every((pattern) => pattern.test(script(step))));
    assert.ok(matching.length > 0, `no step ${what}: none has a run: matching all of ${patterns.map(String).join(", ")}`);
    return matching[0];
}

/** Steps that run the suite: every step given a target. */
function targetSteps(steps: readonly Step[]): Step[] {
    return steps.filter((step) => step.env?.ASP_SESSION_ACCEPTANCE_TARGET !== undefined);
}

function targetOf(step: Step, steps: readonly Step[]): Target {
    const text = String(step.env?.ASP_SESSION_ACCEPTANCE_TARGET);
    let target: unknown;
    try {
        target = JSON.parse(text);
    } catch (error) {
        assert.fail(`${label(step, steps)}: ASP_SESSION_ACCEPTANCE_TARGET is not JSON (${(error as Error).message}): ${text}`);
    }
    assert.ok(target !== null && typeof target === "object" && typeof (target as Target).kind === "string", `${label(step, steps)}: the target has no kind: ${text}`);
    return target as Target;
}

/** The step of each target, keyed "winrm http", "winrm https", "ssh" and "file"; two steps for one target fail. */
function stepsByTarget(steps: readonly Step[]): Map<string, Step> {
    const byName = new Map<string, Step>();
    for (const step of targetSteps(steps)) {
        const target = targetOf(step, steps);
        const name = target.kind === "winrm" ? (target.https === true ? "winrm https" : "winrm http") : target.kind;
        const earlier = byName.get(name);
        if (earlier !== undefined) assert.fail(`two steps run the ${name} target: ${label(earlier, steps)} and ${label(step, steps)}`);
        byName.set(name, step);
    }
    return byName;
}

/** Variables a step's script hands to later steps: `"NAME=value" | Out-File -FilePath $env:GITHUB_ENV ...`, with where each is written. */
function exportsOf(step: Step): Map<string, { value: string; at: number; line: string }> {
    const exported = new Map<string, { value: string; at: number; line: string }>();
    for (const match of script(step).matchAll(/^.*?"([A-Za-z_][A-Za-z0-9_]*)=([^"]*)".*\$env:GITHUB_ENV.*$/gm)) {
        exported.set(match[1], { value: match[2], at: match.index ?? 0, line: match[0] });
    }
    return exported;
}

/** `${{ env.NAME }}` as a whole value: NAME, or undefined when the value is anything else. */
function envExpression(value: unknown): string | undefined {
    return /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(String(value))?.[1];
}

describe(".github/workflows/windows.yml: the acceptance suite on GitHub's Windows runners", function () {
    it("is YAML with one job, run on push, pull_request and workflow_dispatch", function () {
        const { workflow } = readJob();
        const on = workflow.on;
        const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on.map(String) : Object.keys((on ?? {}) as object);
        for (const trigger of ["push", "pull_request", "workflow_dispatch"]) {
            assert.ok(triggers.includes(trigger), `on: lacks ${trigger} (has ${triggers.join(", ")})`);
        }
    });

    it("runs on windows-2022 and windows-2025, with a time limit on the job", function () {
        const { job } = readJob();
        const os = job.strategy?.matrix?.os;
        assert.ok(Array.isArray(os), `strategy.matrix.os should list the runners, is ${JSON.stringify(os)}`);
        assert.deepEqual([...os].map(String).sort(), ["windows-2022", "windows-2025"]);
        assert.equal(job["runs-on"], "${{ matrix.os }}");
        const timeout = job["timeout-minutes"];
        assert.ok(typeof timeout === "number" && timeout > 0, `the job needs timeout-minutes, has ${JSON.stringify(timeout)}`);
    });

    it("runs every script under Windows PowerShell 5.1, the PowerShell the provider starts", function () {
        const { job, steps } = readJob();
        assert.equal(job.defaults?.run?.shell, "powershell", "defaults.run.shell should be powershell (5.1), not pwsh");
        for (const step of steps.filter((candidate) => candidate.run !== undefined)) {
            assert.ok(step.shell === undefined || step.shell === "powershell", `${label(step, steps)} runs under ${step.shell}`);
        }
    });

    it("installs IIS with classic ASP and creates the application the suite works in", function () {
        const { steps } = readJob();
        const iis = stepThat(steps, "installs IIS with ASP", /Install-WindowsFeature\b[^\n]*\bWeb-Server\b/i, /Install-WindowsFeature\b[^\n]*\bWeb-Asp\b/i);
        const run = script(iis);
        const folder = run.search(/New-Item\b[^\n]*-ItemType\s+Directory\b[^\n]*C:\\inetpub\\acceptance\b/i);
        const application = run.search(/appcmd\b[^\n]*\badd\s+app\s+\/site\.name:"Default Web Site"\s+\/path:\/acceptance\s+\/physicalPath:C:\\inetpub\\acceptance\b/i);
        assert.ok(folder >= 0, `${label(iis, steps)} does not create C:\\inetpub\\acceptance`);
        assert.ok(application >= 0, `${label(iis, steps)} does not add the application Default Web Site/acceptance with appcmd`);
        assert.ok(folder < application, "the folder must exist before appcmd adds the application");
    });

    it("opens WinRM over http with NTLM and message encryption: unencrypted messages and Basic refused", function () {
        const { steps } = readJob();
        const winrm = stepThat(steps, "creates a WinRM http listener", /New-Item\s+-Path\s+WSMan:\\localhost\\Listener\b[^\n]*-Transport\s+HTTP\b/i);
        const run = script(winrm);
        assert.match(run, /Start-Service\s+(-Name\s+)?WinRM\b/i, "the WinRM service is not started");
        assert.match(run, /Set-Item\s+(-Path\s+)?WSMan:\\localhost\\Service\\AllowUnencrypted\s+(-Value\s+)?\$false\b/i, "AllowUnencrypted is not set to false");
        assert.match(run, /Set-Item\s+(-Path\s+)?WSMan:\\localhost\\Service\\Auth\\Basic\s+(-Value\s+)?\$false\b/i, "Basic authentication is not turned off");
        assert.match(run, /Set-Item\s+(-Path\s+)?WSMan:\\localhost\\Service\\Auth\\Negotiate\s+(-Value\s+)?\$true\b/i, "Negotiate (NTLM) is not turned on");
        assert.match(run, /New-NetFirewallRule\b[^\n]*-LocalPort\s+5985\b/i, "the firewall is not opened for 5985");
        for (const step of steps) {
            assert.doesNotMatch(script(step), /AllowUnencrypted\s*(=\s*"?|\s+(-Value\s+)?\$?)true\b/i, `${label(step, steps)} allows unencrypted WinRM messages`);
            assert.doesNotMatch(script(step), /Auth\\Basic\s+(-Value\s+)?\$?true\b|Basic\s*=\s*"?true\b/i, `${label(step, steps)} turns on WinRM Basic authentication`);
        }
    });

    it("opens WinRM over https with a self-signed certificate for every fleet spelling, exported as PEM", function () {
        const { steps } = readJob();
        const https = stepThat(steps, "creates a WinRM https listener", /New-Item\s+-Path\s+WSMan:\\localhost\\Listener\b[^\n]*-Transport\s+HTTPS\b[^\n]*-CertificateThumbPrint\b/i);
        const run = script(https);
        const certificate = /New-SelfSignedCertificate\b[^\n]*/i.exec(run)?.[0];
        assert.ok(certificate !== undefined, `${label(https, steps)} creates no certificate with New-SelfSignedCertificate`);
        assert.match(certificate, /-CertStoreLocation\s+Cert:\\LocalMachine\\My\b/i, "the listener needs the certificate in the machine's store");
        for (const name of [/DNS=localhost\b/, /DNS=\$env:COMPUTERNAME\b/, /IPAddress=127\.0\.0\.1\b/]) {
            assert.match(certificate, name, `the certificate must name each host the suite connects to: ${certificate}`);
        }
        assert.match(run, /-----BEGIN CERTIFICATE-----/, "the certificate is not exported as PEM");
        assert.match(run, /New-NetFirewallRule\b[^\n]*-LocalPort\s+5986\b/i, "the firewall is not opened for 5986");
        assert.ok(exportsOf(https).size > 0, `${label(https, steps)} hands the PEM file to no later step`);
    });

    it("creates the local administrator acceptance with a random, masked password, and LocalAccountTokenFilterPolicy=1", function () {
        const { steps } = readJob();
        const account = stepThat(steps, "creates the local user acceptance", /New-LocalUser\s+-Name\s+acceptance\b/i);
        const run = script(account);
        assert.match(run, /Add-LocalGroupMember\s+(-Group\s+Administrators|-SID\s+S-1-5-32-544)\s+-Member\s+acceptance\b/i, "acceptance is not made an administrator");
        assert.match(run, /RandomNumberGenerator/, "the password must come from a cryptographic random generator");
        const mask = run.search(/::add-mask::\$password\b/);
        assert.ok(mask >= 0, `${label(account, steps)} does not mask the password`);
        const handedOn = [...exportsOf(account).values()].filter((exported) => exported.value.includes("$password"));
        assert.equal(handedOn.length, 1, `${label(account, steps)} should hand the password to later steps once`);
        assert.ok(mask < handedOn[0].at, "the password must be masked before it is written anywhere");
        const policy = stepThat(steps, "sets LocalAccountTokenFilterPolicy", /LocalAccountTokenFilterPolicy/);
        assert.match(
            script(policy),
            /-Path\s+HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\s+-Name\s+LocalAccountTokenFilterPolicy\s+-PropertyType\s+DWord\s+-Value\s+1\b/i,
            "LocalAccountTokenFilterPolicy is not set to DWORD 1 under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System",
        );
    });

    it("installs and starts OpenSSH Server, with key login for acceptance and its host key pinned", function () {
        const { steps } = readJob();
        const ssh = stepThat(steps, "installs OpenSSH Server", /Add-WindowsCapability\s+-Online\s+-Name\b/i, /OpenSSH\.Server~~~~0\.0\.1\.0/);
        const run = script(ssh);
        assert.match(run, /Start-Service\s+(-Name\s+)?sshd\b/i, "sshd is not started");
        assert.match(run, /administrators_authorized_keys/, "an administrator's key belongs in administrators_authorized_keys");
        const icacls = /^.*\bicacls(\.exe)?\b.*$/im.exec(run)?.[0];
        assert.ok(icacls !== undefined, `${label(ssh, steps)} leaves the ACL of administrators_authorized_keys alone: sshd then ignores the file`);
        assert.match(icacls, /\/inheritance:r\b/i, `inherited access must go: ${icacls.trim()}`);
        const grantees = [...icacls.matchAll(/\/grant\s+['"]?([^'":\s]+):F\b/gi)].map((grant) => grant[1].replace(/^\*S-1-5-32-544$/i, "Administrators"));
        assert.deepEqual(grantees.sort(), ["Administrators", "SYSTEM"], "only Administrators and SYSTEM may have the file");
        assert.match(run, /ssh-keygen(\.exe)?\b[^\n]*-t\s+ed25519\b/, "no key pair for acceptance");
        assert.match(run, /(Set-Content|Add-Content|Out-File)\b[^\n]*\.pub\b/, "the public key is not written to administrators_authorized_keys");
        assert.match(run, /ssh-keyscan(\.exe)?\b[^\n]*-t\s+ed25519\b/, "the host key ssh2 negotiates (ssh-ed25519) is not taken");
        assert.ok(exportsOf(ssh).size >= 2, `${label(ssh, steps)} should hand the key file and the host key to later steps`);
    });

    it("sets up Node 22 and installs with npm ci", function () {
        const { steps } = readJob();
        const node = steps.find((step) => /^actions\/setup-node@/.test(step.uses ?? ""));
        assert.ok(node !== undefined, "no actions/setup-node step");
        assert.match(String(node.with?.["node-version"]), /^22(\.|$)/, `node-version should be 22, is ${String(node.with?.["node-version"])}`);
        assert.ok(steps.some((step) => step.run?.trim() === "npm ci"), "no step runs npm ci");
    });

    it("runs exactly `npm run acceptance` once per target: WinRM http, WinRM https, SSH and the local file", function () {
        const { steps } = readJob();
        for (const step of steps) {
            if (/\bacceptance\b/.test(script(step)) && /\bnpm\b/.test(script(step))) {
                assert.ok(step.env?.ASP_SESSION_ACCEPTANCE_TARGET !== undefined, `${label(step, steps)} runs the suite with no target`);
            }
        }
        for (const step of targetSteps(steps)) assert.equal(step.run?.trim(), ACCEPTANCE_COMMAND, `${label(step, steps)}`);
        const byTarget = stepsByTarget(steps);
        assert.deepEqual([...byTarget.keys()].sort(), ["file", "ssh", "winrm http", "winrm https"]);
        const target = (name: string): Target => targetOf(byTarget.get(name) as Step, steps);
        assert.equal(target("winrm http").port, 5985);
        assert.ok(target("winrm http").https !== true);
        assert.equal(target("winrm https").port, 5986);
        assert.equal(target("winrm https").https, true);
        assert.equal(target("ssh").port, 22);
        for (const name of ["winrm http", "winrm https", "ssh"]) assert.equal(target(name).username, "acceptance", `${name} logs on as acceptance`);
    });

    it("gives each target its settings: both modes remotely, xml only locally, appcmd as the reader", function () {
        const { job, steps } = readJob();
        const byTarget = stepsByTarget(steps);
        const setting = (name: string, variable: string): unknown => byTarget.get(name)?.env?.[variable] ?? job.env?.[variable];
        for (const name of ["winrm http", "winrm https", "ssh"]) assert.equal(setting(name, "ASP_SESSION_ACCEPTANCE_MODES") ?? "xml,iis", "xml,iis", `${name} runs both modes`);
        assert.equal(setting("file", "ASP_SESSION_ACCEPTANCE_MODES"), "xml", "the file target runs mode xml only");
        for (const name of byTarget.keys()) {
            assert.equal(setting(name, "ASP_SESSION_ACCEPTANCE_CONFIG_PATH"), APPLICATION_HOST, `${name}: the config path`);
            assert.equal(setting(name, "ASP_SESSION_ACCEPTANCE_READER"), "appcmd", `${name}: the independent reader`);
            assert.equal(setting(name, "ASP_SESSION_ACCEPTANCE_SITE") ?? "Default Web Site", "Default Web Site", `${name}: the site`);
        }
        const needs: Record<string, string[]> = {
            "winrm http": ["ASP_SESSION_ACCEPTANCE_PASSWORD"],
            "winrm https": ["ASP_SESSION_ACCEPTANCE_PASSWORD", "ASP_SESSION_ACCEPTANCE_CA_CERTIFICATE_FILE"],
            ssh: ["ASP_SESSION_ACCEPTANCE_PRIVATE_KEY_FILE", "ASP_SESSION_ACCEPTANCE_HOST_KEY"],
            file: [],
        };
        for (const [name, variables] of Object.entries(needs)) {
            const given = Object.keys(byTarget.get(name)?.env ?? {}).filter((variable) => !/_(TARGET|MODES)$/.test(variable));
            assert.deepEqual(given.sort(), [...variables].sort(), `${name}: its credentials, and no other target's`);
        }
        const fleet = steps.flatMap((step) => [...exportsOf(step)].filter(([name]) => name === "ASP_SESSION_ACCEPTANCE_FLEET_HOSTS"));
        assert.equal(fleet.length, 1, "one step should name the fleet in ASP_SESSION_ACCEPTANCE_FLEET_HOSTS");
        assert.deepEqual(fleet[0][1].value.split(","), ["localhost", "127.0.0.1", "$env:COMPUTERNAME"]);
    });

    it("runs the targets after the set-up, each variable they read written by an earlier step", function () {
        const { job, steps } = readJob();
        const firstTarget = Math.min(...targetSteps(steps).map((step) => steps.indexOf(step)));
        const setUp: Array<[string, (step: Step) => boolean]> = [
            ["Node 22", (step) => /^actions\/setup-node@/.test(step.uses ?? "")],
            ["npm ci", (step) => step.run?.trim() === "npm ci"],
            ["IIS", (step) => /Install-WindowsFeature\b/i.test(script(step))],
            ["the local administrator", (step) => /New-LocalUser\b/i.test(script(step))],
            ["WinRM", (step) => /WSMan:\\localhost\\Listener/i.test(script(step))],
            ["OpenSSH", (step) => /Add-WindowsCapability\b/i.test(script(step))],
        ];
        for (const [what, isSetUp] of setUp) {
            for (const step of steps.filter(isSetUp)) assert.ok(steps.indexOf(step) < firstTarget, `${what}: ${label(step, steps)} runs after a target`);
        }
        for (const step of targetSteps(steps)) {
            for (const [variable, value] of Object.entries(step.env ?? {})) {
                const source = envExpression(value);
                if (source === undefined) continue;
                const writer = steps.slice(0, steps.indexOf(step)).find((earlier) => exportsOf(earlier).has(source));
                assert.ok(writer !== undefined || job.env?.[source] !== undefined, `${label(step, steps)}: ${variable} reads env.${source}, which no earlier step writes`);
            }
        }
        for (const step of steps) {
            for (const exported of exportsOf(step).values()) {
                // Windows PowerShell 5.1 writes UTF-16 by default, which the runner cannot read.
                assert.match(exported.line, /-Encoding\s+utf8\b/i, `${label(step, steps)} writes GITHUB_ENV without -Encoding utf8`);
            }
        }
    });

    it("keeps every secret out of scripts, target JSON and uploads", function () {
        const { workflow, steps } = readJob();
        for (const step of steps) {
            const run = step.run ?? "";
            for (const expression of run.match(/\$\{\{[^}]*\}\}/g) ?? []) {
                assert.doesNotMatch(expression, /secret|password|key|token|credential|certificate/i, `${label(step, steps)} fills ${expression} into its script, which the log shows`);
            }
            assert.doesNotMatch(run, /ConvertTo-SecureString\s+(-String\s+)?['"]/i, `${label(step, steps)} has a password written in its script`);
            assert.doesNotMatch(run, /\bnet(\.exe)?\s+user\b/i, `${label(step, steps)} passes a password on net user's command line`);
            for (const line of run.split("\n").filter((candidate) => /\b(Write-\w+|echo)\b.*\$password\b/i.test(candidate))) {
                assert.match(line, /^\s*Write-Output\s+"::add-mask::\$password"\s*$/, `${label(step, steps)} prints the password: ${line.trim()}`);
            }
            assert.doesNotMatch(run, /\$env:ACCEPTANCE_WINRM_PASSWORD|\$env:ASP_SESSION_ACCEPTANCE_PASSWORD/i, `${label(step, steps)} reads the password into a script`);
        }
        for (const step of targetSteps(steps)) {
            const target = targetOf(step, steps);
            assert.deepEqual(SECRET_TARGET_FIELDS.filter((field) => field in target), [], `${label(step, steps)}: secrets go in their own variables, not the target`);
            for (const variable of ["ASP_SESSION_ACCEPTANCE_PASSWORD", "ASP_SESSION_ACCEPTANCE_PRIVATE_KEY_FILE", "ASP_SESSION_ACCEPTANCE_HOST_KEY", "ASP_SESSION_ACCEPTANCE_CA_CERTIFICATE_FILE"]) {
                const value = step.env?.[variable];
                if (value !== undefined) assert.ok(envExpression(value) !== undefined, `${label(step, steps)}: ${variable} should come from a masked variable, is ${JSON.stringify(value)}`);
            }
        }
        const passwords = targetSteps(steps).filter((step) => step.env?.ASP_SESSION_ACCEPTANCE_PASSWORD !== undefined);
        assert.ok(passwords.every((step) => targetOf(step, steps).kind === "winrm"), "only the WinRM targets get the password");
        const everywhere = JSON.stringify(workflow);
        assert.doesNotMatch(everywhere, /\$\{\{\s*env\.COMPUTERNAME\s*\}\}/, "${{ env.COMPUTERNAME }} is empty: the env context holds no runner variables");
        for (const step of steps.filter((candidate) => /upload-artifact/.test(candidate.uses ?? ""))) {
            assert.doesNotMatch(String(step.with?.path), /runner\.temp|RUNNER_TEMP|id_ed25519|\.pem\b|acceptance/i, `${label(step, steps)} uploads the secret files`);
        }
    });
});
